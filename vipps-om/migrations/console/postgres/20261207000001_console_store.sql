-- The support console's shared store (vipps-om console --database-url):
-- sign-ins, failed sign-ins per client, and the audit trail. Times are
-- Unix milliseconds (UTC); digests are SHA-256 in hex, never a secret.

-- A sign-in: the cookie holds a random id, the table only its digest.
CREATE TABLE vipps_om_console_sessions (
    id_digest   TEXT PRIMARY KEY,
    who         TEXT NOT NULL,
    via         TEXT NOT NULL,
    -- Which staff token started it (a digest of its digest): the sign-in
    -- ends when the staff file no longer gives that person that token.
    credential  TEXT NOT NULL,
    started_ms  BIGINT NOT NULL,
    seen_ms     BIGINT NOT NULL,
    expires_ms  BIGINT NOT NULL
);
CREATE INDEX vipps_om_console_sessions_who ON vipps_om_console_sessions (who);
CREATE INDEX vipps_om_console_sessions_expires ON vipps_om_console_sessions (expires_ms);

-- Wrong sign-ins per client (an IPv4 address or an IPv6 /64), counted in
-- a window that starts with the first.
CREATE TABLE vipps_om_console_failures (
    client     TEXT PRIMARY KEY,
    window_ms  BIGINT NOT NULL,
    failures   BIGINT NOT NULL
);

-- The audit trail: one row per sign-in, refusal, lookup, sign-out and
-- audit view. Refusals past the limit are one row per client and window
-- (throttle_key), counting its attempts.
CREATE TABLE vipps_om_console_audit (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time_ms       BIGINT NOT NULL,
    event         TEXT NOT NULL,
    who           TEXT NOT NULL,
    via           TEXT NOT NULL,
    client        TEXT,
    payment_type  TEXT,
    order_id      TEXT,
    searched      TEXT,
    what          TEXT,
    outcome       TEXT NOT NULL,
    also_checked  TEXT,
    attempts      BIGINT NOT NULL DEFAULT 1,
    last_ms       BIGINT,
    throttle_key  TEXT UNIQUE
);
CREATE INDEX vipps_om_console_audit_time ON vipps_om_console_audit (time_ms);
CREATE INDEX vipps_om_console_audit_order ON vipps_om_console_audit (order_id, time_ms);
CREATE INDEX vipps_om_console_audit_who ON vipps_om_console_audit (who, time_ms);
