-- When each feed's bytes last changed, so the server's `Last-Modified` (and
-- with it the 304s apps get for `If-Modified-Since`) survives a restart.
-- One row per feed (`all`, `person:{slug}`, `theme:{slug}`): the strong ETag
-- of the bytes last served and the Unix second they were first served.
-- Not part of the catalogue's content: writing it does not bump `revision`.
CREATE TABLE feed_version (
    feed        TEXT    PRIMARY KEY,
    etag        TEXT    NOT NULL,
    modified_at INTEGER NOT NULL
);
