-- The support console's store in SQLite (one machine): the same tables as
-- in Postgres (see ../postgres), in SQLite's words. IF NOT EXISTS: two
-- consoles starting at once on one file may both get here.

CREATE TABLE IF NOT EXISTS vipps_om_console_sessions (
    id_digest   TEXT PRIMARY KEY,
    who         TEXT NOT NULL,
    via         TEXT NOT NULL,
    credential  TEXT NOT NULL,
    started_ms  INTEGER NOT NULL,
    seen_ms     INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS vipps_om_console_sessions_who ON vipps_om_console_sessions (who);
CREATE INDEX IF NOT EXISTS vipps_om_console_sessions_expires ON vipps_om_console_sessions (expires_ms);

CREATE TABLE IF NOT EXISTS vipps_om_console_failures (
    client     TEXT PRIMARY KEY,
    window_ms  INTEGER NOT NULL,
    failures   INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS vipps_om_console_audit (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms       INTEGER NOT NULL,
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
    attempts      INTEGER NOT NULL DEFAULT 1,
    last_ms       INTEGER,
    throttle_key  TEXT UNIQUE
);
CREATE INDEX IF NOT EXISTS vipps_om_console_audit_time ON vipps_om_console_audit (time_ms);
CREATE INDEX IF NOT EXISTS vipps_om_console_audit_order ON vipps_om_console_audit (order_id, time_ms);
CREATE INDEX IF NOT EXISTS vipps_om_console_audit_who ON vipps_om_console_audit (who, time_ms);
