package io.turnout.admin.usage;

import java.time.Instant;

/**
 * One row of {@code turnout.usage}: statements using one migration's old or new names from one
 * application, role and client address, summed over every instance. A row with client address
 * {@value UsageTracker#OVERFLOW_ADDRESS} counts statements an instance saw past its key bound.
 */
public record UsageRow(
    NameUse names,
    String applicationName,
    String role,
    String clientAddress,
    long statements,
    Instant firstSeen,
    Instant lastSeen) {}
