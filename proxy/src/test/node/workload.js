'use strict'
// node-postgres clients for WorkloadJourneyIT: an application written for the OLD schema
// (users.name) that knows nothing of the migration, run through Turnout while the test drives the
// lifecycle. Connection parameters come from the usual PG* variables (PGHOST, PGPORT, PGDATABASE,
// PGUSER, PGPASSWORD, PGAPPNAME).
//
//   node workload.js [clients] [seed] [think-ms]
//
// Each client owns the rows it inserts and checks every read against what it wrote. Every statement
// runs either as an unnamed statement (Parse "" / Bind / Describe / Execute / Sync in one write) or
// as a named prepared statement (parsed once per connection, then Bind / Describe / Execute / Sync).
// Besides: reads in the simple protocol, a portal read two rows at a time, and inserts of a key that
// exists, which must fail with unique_violation and leave the connection working. One extra client
// runs in pg's pipeline mode (several queries, each with its own Sync, written before the first
// answer, now and then one that fails among them).
//
// Lines on stdin name the current lifecycle step (so errors say when they happened); the clients
// stop when stdin closes or on SIGTERM, and a JSON summary goes to stdout:
// { operations, byKind, statements, errorCount, errors (the first 100), rows: { id: name } }.
const pg = require('pg')
const readline = require('node:readline')

const CLIENTS = Number(process.argv[2] || 3)
const SEED = Number(process.argv[3] || 1)
// A pause between one client's operations, as an application has (0: none).
const THINK_MS = Number(process.argv[4] || 0)

let step = 'started'
let running = true
const errors = [] // the first MAX_ERRORS, in full
const MAX_ERRORS = 100
let errorCount = 0
const byKind = {}
const statements = { named: 0, unnamed: 0, simple: 0 }
let operations = 0

function record(error) {
  errorCount++
  if (errors.length < MAX_ERRORS) errors.push(error)
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function stop() {
  running = false
}
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim()) step = line.trim()
})
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.on('SIGTERM', stop)

// A small seeded PRNG (mulberry32), so a run can be repeated.
function random(seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { int: (n) => Math.floor(next() * n), chance: (p) => next() < p }
}

// Names as the application stores them: two words, one word, three words, or none.
function randomName(r) {
  switch (r.int(8)) {
    case 0:
      return null
    case 1:
      return 'Solo' + r.int(100)
    case 2:
      return 'Ann Marie ' + r.int(100)
    default:
      return 'First' + r.int(100) + ' Last' + r.int(100)
  }
}

const SQL = {
  insert: 'INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id',
  insertMulti: 'INSERT INTO users (email, name) VALUES ($1, $2), ($1, $3) RETURNING id, name',
  update: 'UPDATE users SET name = $1 WHERE id = $2',
  upsert:
    'INSERT INTO users (id, email, name) VALUES ($1, $2, $3)' +
    ' ON CONFLICT (id) DO UPDATE SET name = excluded.name',
  delete: 'DELETE FROM users WHERE id = $1',
  insertId: 'INSERT INTO users (id, email, name) VALUES ($1, $2, $3)',
  selectMany: 'SELECT id, name FROM users WHERE id = ANY($1::bigint[]) ORDER BY id',
  selectStar: 'SELECT * FROM users WHERE id = $1',
  order: 'INSERT INTO orders (user_id, total) VALUES ($1, $2)',
  join:
    'SELECT u.name, count(o.id) AS orders FROM users u LEFT JOIN orders o ON o.user_id = u.id' +
    ' WHERE u.id = $1 GROUP BY u.id, u.name',
}

class Worker {
  constructor(pool, index, pipelined) {
    this.pool = pool
    this.label = (pipelined ? 'node-pipelined ' : 'node ') + index
    this.r = random(SEED * 1000 + index)
    this.mine = new Map() // id (string) -> name
    this.orders = new Map() // id -> number of orders
    this.ids = []
  }

  check(what, got, expected) {
    if (got !== expected) {
      this.fail(what, `got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`)
    }
  }

  fail(what, message) {
    record({ step, client: this.label, what, message })
  }

  // Runs sql with values, as a named prepared statement about half the time.
  async q(c, kind, values, rows) {
    const named = this.r.chance(0.5)
    const config = named ? { name: 'w_' + kind, text: SQL[kind], values } : { text: SQL[kind], values }
    if (rows) config.rows = rows
    statements[named ? 'named' : 'unnamed']++
    try {
      return await c.query(config)
    } catch (e) {
      e.turnoutWhat = `${kind} (${named ? 'named' : 'unnamed'}): ${SQL[kind]} ${JSON.stringify(values)}`
      throw e
    }
  }

  pick() {
    return this.ids[this.r.int(this.ids.length)]
  }

  async run() {
    while (running) {
      let c
      let kind = 'connect'
      try {
        c = await this.pool.connect()
        kind = await this.once(c)
        if (kind) {
          operations++
          byKind[kind] = (byKind[kind] || 0) + 1
        }
      } catch (e) {
        this.fail(e.turnoutWhat || kind, `${e.code ? e.code + ' ' : ''}${e.message}`)
        await pause(20)
      } finally {
        if (c) c.release()
      }
      if (THINK_MS > 0) await pause(THINK_MS)
    }
  }

  // An insert of a key this client owns must fail with unique_violation (as the application expects
  // and handles) and change nothing; the connection goes on working.
  async duplicate(c, id, email) {
    try {
      await this.q(c, 'insertId', [id, email, 'Duplicate Row'])
    } catch (e) {
      this.check(`duplicate key SQLSTATE (${e.message})`, e.code, '23505')
      this.check('duplicate key constraint', e.constraint, 'users_pkey')
      return
    }
    this.fail('duplicate key', `insert of existing id ${id} succeeded`)
  }

  // One operation; returns its kind, or null when it had nothing to work on.
  async once(c) {
    const r = this.r
    const name = randomName(r)
    const email = 'node' + SEED + '@x'
    switch (r.int(11)) {
      case 0: {
        const res = await this.q(c, 'insert', [email, name])
        this.own(res.rows[0].id, name)
        return 'insert'
      }
      case 1: {
        const other = randomName(r)
        const res = await this.q(c, 'insertMulti', [email, name, other])
        this.check('multi-row RETURNING count', res.rows.length, 2)
        res.rows.forEach((row, i) => {
          this.check('multi-row RETURNING name', row.name, i === 0 ? name : other)
          this.own(row.id, row.name)
        })
        return 'insertMulti'
      }
      case 2: {
        if (this.ids.length === 0) return null
        const id = this.pick()
        const res = await this.q(c, 'update', [name, id])
        this.check('update count', res.rowCount, 1)
        this.mine.set(id, name)
        return 'update'
      }
      case 3: {
        if (this.ids.length === 0) return null
        const id = this.pick()
        const res = await this.q(c, 'upsert', [id, email, name])
        this.check('upsert count', res.rowCount, 1)
        this.mine.set(id, name)
        return 'upsert'
      }
      case 4: {
        if (this.ids.length < 20) return null
        const id = this.ids.splice(r.int(this.ids.length), 1)[0]
        const res = await this.q(c, 'delete', [id])
        this.check('delete count', res.rowCount, 1)
        this.mine.delete(id)
        this.orders.delete(id)
        return 'delete'
      }
      case 5: {
        if (this.ids.length === 0) return null
        const id = this.pick()
        const res = await this.q(c, 'selectStar', [id])
        this.check('SELECT * finds the row', res.rows.length, 1)
        this.check('SELECT * columns', res.fields.map((f) => f.name).join(','), 'id,email,name')
        if (res.rows.length) this.check('SELECT * name', res.rows[0].name, this.mine.get(id))
        return 'selectStar'
      }
      case 6: {
        if (this.ids.length === 0) return null
        const id = this.pick()
        await this.q(c, 'order', [id, 1 + r.int(100)])
        this.orders.set(id, (this.orders.get(id) || 0) + 1)
        const res = await this.q(c, 'join', [id])
        this.check('join finds the row', res.rows.length, 1)
        if (res.rows.length) {
          this.check('join name', res.rows[0].name, this.mine.get(id))
          this.check('join orders', res.rows[0].orders, String(this.orders.get(id)))
        }
        return 'join'
      }
      case 7: {
        // A transaction: a new user and its order, committed together.
        await c.query('BEGIN')
        try {
          const res = await this.q(c, 'insert', [email, name])
          const id = res.rows[0].id
          await this.q(c, 'order', [id, 1])
          await c.query('COMMIT')
          this.own(id, name)
          this.orders.set(id, 1)
        } catch (e) {
          await c.query('ROLLBACK').catch(() => {})
          throw e
        }
        return 'transaction'
      }
      case 8: {
        if (this.ids.length === 0) return null
        const id = this.pick()
        await this.duplicate(c, id, email)
        const res = await this.q(c, 'selectStar', [id])
        this.check('row after duplicate key', res.rows.length ? res.rows[0].name : 'missing', this.mine.get(id))
        return 'duplicate'
      }
      case 9: {
        // A portal read a few rows at a time: Execute with a row limit and Flush, PortalSuspended,
        // Execute again, then Sync once the portal is done.
        if (this.ids.length === 0) return null
        const want = [...new Set([this.pick(), this.pick(), this.pick(), this.pick(), this.pick()])]
        const res = await this.q(c, 'selectMany', [want], 2)
        const got = res.rows.map((row) => row.id + '=' + row.name).join(',')
        const expected = want
          .map(BigInt)
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          .map((id) => id + '=' + this.mine.get(String(id)))
          .join(',')
        this.check('portal rows', got, expected)
        return 'portal'
      }
      default: {
        // The simple protocol: a literal read, as an ORM's raw query would send it.
        if (this.ids.length === 0) return null
        const id = this.pick()
        statements.simple++
        const res = await c.query(`SELECT name, email FROM users WHERE id = ${Number(id)}`)
        this.check('simple read finds the row', res.rows.length, 1)
        if (res.rows.length) this.check('simple read name', res.rows[0].name, this.mine.get(id))
        return 'simpleRead'
      }
    }
  }

  own(id, name) {
    this.mine.set(id, name)
    this.ids.push(id)
  }
}

// pg's pipeline mode: several queries written before the first answer, each with its own Sync.
class PipelinedWorker extends Worker {
  async run() {
    while (running) {
      try {
        await this.batch()
        operations++
        byKind.pipelined = (byKind.pipelined || 0) + 1
      } catch (e) {
        this.fail(e.turnoutWhat || 'pipelined batch', `${e.code ? e.code + ' ' : ''}${e.message}`)
        await pause(20)
      }
    }
  }

  async batch() {
    const c = this.pool // one long-lived client in pipeline mode
    const r = this.r
    const email = 'nodep' + SEED + '@x'
    const names = [randomName(r), randomName(r), randomName(r)]
    const inserted = await Promise.all(names.map((n) => this.q(c, 'insert', [email, n])))
    inserted.forEach((res, i) => this.own(res.rows[0].id, names[i]))
    const pending = []
    if (this.ids.length > 30) {
      const gone = this.ids.splice(r.int(this.ids.length), 1)[0]
      this.mine.delete(gone)
      pending.push(this.q(c, 'delete', [gone]).then((res) => this.check('pipelined delete count', res.rowCount, 1)))
    }
    const ids = [this.pick(), this.pick(), this.pick()]
    for (const id of ids) {
      const n = randomName(r)
      this.mine.set(id, n)
      pending.push(this.q(c, 'update', [n, id]).then((res) => this.check('pipelined update count', res.rowCount, 1)))
    }
    // Now and then a statement that fails in the middle of the pipeline: the ones behind it still run.
    if (r.chance(0.25)) pending.push(this.duplicate(c, ids[0], email))
    for (const id of ids) {
      const expected = this.mine.get(id)
      pending.push(
        this.q(c, 'selectStar', [id]).then((res) => {
          this.check('pipelined SELECT * finds the row', res.rows.length, 1)
          this.check('pipelined SELECT * columns', res.fields.map((f) => f.name).join(','), 'id,email,name')
          if (res.rows.length) this.check('pipelined SELECT * name', res.rows[0].name, expected)
        }),
      )
    }
    await Promise.all(pending)
    if (THINK_MS > 0) await pause(THINK_MS)
  }
}

async function main() {
  const pool = new pg.Pool({ max: CLIENTS, idleTimeoutMillis: 0 })
  pool.on('error', (e) => record({ step, client: 'pool', what: 'idle client', message: e.message }))
  const workers = []
  for (let i = 0; i < CLIENTS; i++) workers.push(new Worker(pool, i, false))
  const piped = new pg.Client({ pipeline: true })
  piped.on('error', (e) => record({ step, client: 'node-pipelined', what: 'client', message: e.message }))
  await piped.connect()
  workers.push(new PipelinedWorker(piped, CLIENTS, true))
  process.stderr.write(`node-postgres ${require('pg/package.json').version}: ${workers.length} clients running\n`)
  await Promise.all(workers.map((w) => w.run()))
  await pool.end()
  await piped.end()
  const rows = {}
  for (const w of workers) for (const [id, name] of w.mine) rows[id] = name
  process.stdout.write(JSON.stringify({ operations, byKind, statements, errorCount, errors, rows }) + '\n')
}

main().catch((e) => {
  process.stderr.write(`workload failed: ${e.stack || e}\n`)
  process.stdout.write(
    JSON.stringify({
      operations,
      byKind,
      errorCount: errorCount + 1,
      errors: [...errors, { step, client: 'main', what: 'main', message: String(e) }],
      rows: {},
    }) +
      '\n',
  )
  process.exitCode = 1
})
