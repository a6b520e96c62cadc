-- Nursery follows, version 2: "tell me when a place opens at this nursery for my child's class".
-- Portable SQL (SQLite and PostgreSQL alike, see 0001_push.sql). A follow belongs to a
-- subscription and goes with it (ON DELETE CASCADE); its city is the subscription's. Only the
-- facility id (from the city's nursery feed) and the age class are stored: no birth date, no
-- name of a child.

CREATE TABLE nursery_follows (
    subscription_id VARCHAR(32) NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    facility VARCHAR(64) NOT NULL,
    age_class SMALLINT NOT NULL CHECK (age_class BETWEEN 0 AND 5),
    UNIQUE (subscription_id, facility, age_class)
);

CREATE INDEX nursery_follows_by_facility ON nursery_follows (facility, age_class);
