package io.turnout.admin.store;

import java.time.Instant;
import java.util.Optional;

/** One row of {@code turnout.audit}: an accepted change. */
public record AuditEntry(
    long id,
    Instant at,
    String migrationId,
    String action,
    String actor,
    Optional<String> clientAddress,
    String fromPhase,
    String toPhase,
    int fromReadPercent,
    int toReadPercent,
    int fromShadowPercent,
    int toShadowPercent,
    Optional<String> reason,
    long version) {}
