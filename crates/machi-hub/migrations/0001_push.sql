-- Web Push storage, version 1. Portable SQL: the same statements run on SQLite (the embedded
-- default) and PostgreSQL. What would change on PostgreSQL: `send_log.id` would be
-- `BIGINT GENERATED ALWAYS AS IDENTITY` (SQLite's INTEGER PRIMARY KEY is its rowid alias), BOOLEAN
-- columns would hold true/false instead of SQLite's 0/1 (the code binds Rust bools either way),
-- and the hub would run this file in one transaction through a PostgreSQL driver instead of
-- rusqlite. Times are Unix seconds in BIGINT on both, so no time-zone type differs.
--
-- Only what sending needs is stored (docs/privacy.md): the push endpoint and its keys, the city,
-- the area, the language and the chosen topics. No IP address, no user agent, no name.

CREATE TABLE subscriptions (
    id VARCHAR(32) PRIMARY KEY,
    -- SHA-256 (hex) of the secret returned once at creation; update and delete must present it.
    secret_hash CHAR(64) NOT NULL,
    endpoint VARCHAR(2048) NOT NULL UNIQUE,
    p256dh VARCHAR(128) NOT NULL,
    auth VARCHAR(64) NOT NULL,
    city VARCHAR(64) NOT NULL,
    area VARCHAR(64) NOT NULL,
    language VARCHAR(16) NOT NULL,
    -- NULL: no alerts topic. Otherwise information | advisory | warning | special.
    alerts_min_severity VARCHAR(16)
        CHECK (alerts_min_severity IN ('information', 'advisory', 'warning', 'special')),
    alerts_min_level SMALLINT CHECK (alerts_min_level BETWEEN 1 AND 5),
    -- NULL: no evening reminder. The hour (city time) of the evening-before reminder.
    garbage_evening_hour SMALLINT CHECK (garbage_evening_hour BETWEEN 0 AND 23),
    garbage_morning BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Set by the first failed send after a success, cleared by a success; the subscription is
    -- removed when it has been failing for longer than the retention rule allows.
    failing_since BIGINT
);

CREATE INDEX subscriptions_by_city ON subscriptions (city);

-- One row per (subscription, event) ever claimed for sending: the UNIQUE constraint is what makes
-- a restart never send the same alert or reminder twice.
CREATE TABLE delivered_events (
    subscription_id VARCHAR(32) NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    event_key VARCHAR(255) NOT NULL,
    -- The notification tag (alert series, `garbage`): "was this subscriber told of the original?"
    tag VARCHAR(255) NOT NULL,
    delivered_at BIGINT NOT NULL,
    UNIQUE (subscription_id, event_key)
);

CREATE INDEX delivered_events_by_tag ON delivered_events (subscription_id, tag);
CREATE INDEX delivered_events_by_time ON delivered_events (delivered_at);

-- Every send with its outcome. Not a foreign key: the log outlives a removed subscription.
CREATE TABLE send_log (
    id INTEGER PRIMARY KEY,
    subscription_id VARCHAR(32) NOT NULL,
    event_key VARCHAR(255) NOT NULL,
    -- sent | gone | failed | refused
    outcome VARCHAR(16) NOT NULL,
    status_code INTEGER,
    attempts INTEGER NOT NULL,
    sent_at BIGINT NOT NULL
);

CREATE INDEX send_log_by_time ON send_log (sent_at);
