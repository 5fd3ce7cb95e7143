-- The outbox of deliveries to Vipps MobilePay Order Management, in the
-- merchant's own Postgres. One row per thing to deliver; the layout is
-- documented in the crate's README ("The table"), for those who insert
-- rows with plain SQL (another language, diesel, tokio-postgres).
--
-- Times are Unix milliseconds (BIGINT), the same in Postgres and SQLite.

CREATE TABLE IF NOT EXISTS vipps_om_outbox (
    id                      BIGSERIAL PRIMARY KEY,
    -- What is delivered, and its key: one row per key.
    merchant_serial_number  TEXT NOT NULL,
    payment_type            TEXT NOT NULL DEFAULT '',
    order_id                TEXT NOT NULL DEFAULT '',
    kind                    TEXT NOT NULL,
    item                    TEXT NOT NULL DEFAULT '',
    -- The API request's JSON body, as it is sent.
    body                    TEXT NOT NULL,
    -- For a category: the image it names, delivered before it.
    image_id                TEXT,
    -- pending, delivered, dead or discarded.
    state                   TEXT NOT NULL DEFAULT 'pending',
    -- Raised when a category's body is replaced.
    revision                BIGINT NOT NULL DEFAULT 0,
    attempts                INTEGER NOT NULL DEFAULT 0,
    created_at              BIGINT NOT NULL DEFAULT (floor(extract(epoch FROM clock_timestamp()) * 1000))::bigint,
    -- When the current run of tries began: retries stop this long after it.
    tries_since             BIGINT NOT NULL DEFAULT (floor(extract(epoch FROM clock_timestamp()) * 1000))::bigint,
    next_try_at             BIGINT NOT NULL DEFAULT (floor(extract(epoch FROM clock_timestamp()) * 1000))::bigint,
    -- The worker that holds it, until when.
    lease_owner             TEXT,
    lease_until             BIGINT,
    -- The last failure in staff words, and when.
    last_error              TEXT,
    last_error_at           BIGINT,
    -- How it ended: 'stored', 'already stored', or the reason given for a discard.
    outcome                 TEXT,
    finished_at             BIGINT,
    CONSTRAINT vipps_om_outbox_kind CHECK (kind IN ('receipt', 'category', 'category_v3', 'image')),
    CONSTRAINT vipps_om_outbox_state CHECK (state IN ('pending', 'delivered', 'dead', 'discarded')),
    -- The API's spelling only: a key is the same key in one spelling.
    CONSTRAINT vipps_om_outbox_payment_type CHECK (payment_type IN ('', 'ECOM', 'RECURRING')),
    CONSTRAINT vipps_om_outbox_key UNIQUE (merchant_serial_number, payment_type, order_id, kind, item)
);

-- What a worker claims: pending rows by when they are due.
CREATE INDEX IF NOT EXISTS vipps_om_outbox_due ON vipps_om_outbox (next_try_at, id) WHERE state = 'pending';
-- What staff look up: an order's deliveries.
CREATE INDEX IF NOT EXISTS vipps_om_outbox_order ON vipps_om_outbox (order_id);
-- What staff list: the undelivered, oldest first.
CREATE INDEX IF NOT EXISTS vipps_om_outbox_undelivered ON vipps_om_outbox (created_at, id) WHERE state IN ('pending', 'dead');
-- What a category waits for: the images still pending.
CREATE INDEX IF NOT EXISTS vipps_om_outbox_pending_images ON vipps_om_outbox (merchant_serial_number, item) WHERE kind = 'image' AND state = 'pending';
