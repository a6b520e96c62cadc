-- Several hubs, one database, version 5. Portable SQL, as 0001 (PostgreSQL: BYTEA for BLOB).
--
-- A claimed notification is sent by whichever hub leases it: `lease` names one batch leased by
-- hub `leased_by` until `lease_until` (Unix seconds). Hubs lease batches with FOR UPDATE SKIP
-- LOCKED on PostgreSQL (on SQLite there is one hub); a lease that ran out (its hub died) is
-- taken by the next hub that asks, and a hub that starts again gives up its own at once.
ALTER TABLE delivered_events ADD COLUMN leased_by VARCHAR(64);
ALTER TABLE delivered_events ADD COLUMN lease VARCHAR(96);
ALTER TABLE delivered_events ADD COLUMN lease_until BIGINT;
-- The queue: what is not done, alerts (urgency high) apart from the rest, oldest first; only
-- the rows not done are in it. It replaces 0004's index on done_at, with which PostgreSQL
-- sorted every pending row (a million) to lease the oldest 256 (47 ms a lease; 3 ms now). The
-- claim's key ends it, so a drain goes on after the last row it leased (a keyset) instead of
-- walking again over every row it sent, whose index entries stay until VACUUM.
CREATE INDEX delivered_events_queue
    ON delivered_events (urgency, delivered_at, subscription_id, event_key)
    WHERE done_at IS NULL;
DROP INDEX delivered_events_pending;

-- Keys every hub of the database shares: the VAPID key (subscriptions were made with it).
-- Written once by the first hub; SQLite keeps it in a file instead (push/vapid-private.pk8).
CREATE TABLE hub_keys (
    name VARCHAR(64) PRIMARY KEY,
    key_bytes BLOB NOT NULL
);
