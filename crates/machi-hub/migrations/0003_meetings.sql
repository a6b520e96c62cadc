-- Meetings, version 3 (0002 is the nursery's). Portable SQL, as 0001_push.sql: the same
-- statements run on SQLite and PostgreSQL; BOOLEAN holds 0/1 on SQLite, true/false on PostgreSQL;
-- times are Unix seconds in BIGINT.
--
-- Two things: which bodies a push subscription follows, and the change ledger — every meeting
-- the hub has published, with what it last looked like — from which it derives iCalendar
-- SEQUENCE numbers, the "changed / cancelled / no longer listed" pushes, and the upcoming
-- meetings a source stopped listing (shown as such, never silently dropped).

-- One row per (subscription, followed body). Removed with the subscription.
CREATE TABLE meeting_follows (
    subscription_id VARCHAR(32) NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    -- A body id of /feeds/{city}/meetings.json (`b-` and 16 hex digits).
    body VARCHAR(64) NOT NULL,
    PRIMARY KEY (subscription_id, body)
);

CREATE INDEX meeting_follows_by_body ON meeting_follows (body);

-- The sources whose meetings the ledger has taken in: the first reading of a source is taken in
-- silently (its meetings are not "new" to anyone), later ones are compared with it.
CREATE TABLE meeting_ledger_sources (
    city VARCHAR(64) NOT NULL,
    source VARCHAR(64) NOT NULL,
    since BIGINT NOT NULL,
    PRIMARY KEY (city, source)
);

-- One row per meeting (occurrence) ever published, as last seen.
CREATE TABLE meeting_versions (
    city VARCHAR(64) NOT NULL,
    -- The meeting id of the feed (`m-` and 16 hex digits): stable across changes.
    meeting_id VARCHAR(64) NOT NULL,
    source VARCHAR(64) NOT NULL,
    body VARCHAR(64) NOT NULL,
    -- A hash of everything the feed says about it; a new one is a new version.
    fingerprint CHAR(16) NOT NULL,
    -- How often it changed since first seen: the iCalendar SEQUENCE.
    sequence INTEGER NOT NULL,
    -- scheduled | changed | cancelled | withdrawn
    status VARCHAR(16) NOT NULL,
    starts_at BIGINT NOT NULL,
    -- When it was to start when first published, and whether its date, time, place or status
    -- changed since: the feed then marks it changed ("was: …") even if the source does not say.
    first_start BIGINT NOT NULL,
    changed_for_residents BOOLEAN NOT NULL,
    first_seen BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
    -- Whether the source's last good reading lists it.
    listed BOOLEAN NOT NULL,
    -- The meeting as last published (the feed's JSON), to show one a source stopped listing.
    snapshot TEXT NOT NULL,
    PRIMARY KEY (city, meeting_id)
);

CREATE INDEX meeting_versions_by_start ON meeting_versions (starts_at);
