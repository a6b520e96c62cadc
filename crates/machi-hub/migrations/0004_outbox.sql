-- Web Push storage, version 4: a claim is not a delivery. Portable SQL, as 0001 (PostgreSQL:
-- BYTEA for BLOB).
--
-- A claimed (subscription, event) now keeps the notification it is to send until its send ends
-- (`done_at`), so a hub that stops in the middle of a fan-out (a crash, a kill, a power cut)
-- sends, when it starts again, what it had claimed and not yet sent, and nothing it had sent.
-- The payload is the notification as the service worker shows it (a title, a body, a tag, a
-- path): no personal data; it is dropped once the send ended. Rows of older hubs were claimed
-- and sent in one step: they are done.
ALTER TABLE delivered_events ADD COLUMN payload BLOB;
ALTER TABLE delivered_events ADD COLUMN urgency VARCHAR(8);
ALTER TABLE delivered_events ADD COLUMN ttl_secs INTEGER;
ALTER TABLE delivered_events ADD COLUMN done_at BIGINT;
UPDATE delivered_events SET done_at = delivered_at;
CREATE INDEX delivered_events_pending ON delivered_events (done_at);

-- Alert messages whose notifications were claimed (or that had no one to notify), so a hub that
-- stopped between keeping a message and claiming its notifications does so when it starts again.
CREATE TABLE alert_fanouts (
    message_id VARCHAR(255) PRIMARY KEY,
    planned_at BIGINT NOT NULL
);
CREATE INDEX alert_fanouts_by_time ON alert_fanouts (planned_at);
