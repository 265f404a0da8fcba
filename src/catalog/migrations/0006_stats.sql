-- Listening statistics (src/stats): counts only. No address, user agent,
-- or hash of either is ever stored; see the README's privacy notice.

-- Downloads per episode, UTC day, app and device (IAB v2 rules).
CREATE TABLE download_count (
    episode_guid    TEXT NOT NULL,     -- kept when the episode is removed
    day             TEXT NOT NULL,     -- YYYY-MM-DD, UTC
    kind            TEXT NOT NULL,     -- app | library | browser | unknown
    app             TEXT NOT NULL,     -- OPAWG entry name, or 'unknown'
    device          TEXT NOT NULL,
    device_category TEXT NOT NULL,
    downloads       INTEGER NOT NULL CHECK (downloads > 0),
    PRIMARY KEY (episode_guid, day, kind, app, device, device_category)
) WITHOUT ROWID;

-- Distinct clients that fetched a feed on a day, per app: the subscriber
-- estimate.
CREATE TABLE feed_client_count (
    feed    TEXT NOT NULL,             -- the feed's path, e.g. feed.xml
    day     TEXT NOT NULL,
    app     TEXT NOT NULL,
    clients INTEGER NOT NULL CHECK (clients > 0),
    PRIMARY KEY (feed, day, app)
) WITHOUT ROWID;

-- How far each log source has been ingested: lines up to `watermark`
-- (unix seconds), and the first `at_watermark` lines of that second.
CREATE TABLE log_source (
    source       TEXT PRIMARY KEY,
    watermark    INTEGER NOT NULL,
    at_watermark INTEGER NOT NULL
) WITHOUT ROWID;
