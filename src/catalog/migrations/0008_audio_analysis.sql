-- What decoding an audio file found: EBU R128 loudness and the chapters
-- embedded in it. Kept per file content (its SHA-256, as `episode.audio_sha256`)
-- so a file is decoded once, however many episodes or imports name it.
-- `analyser` is the version of the analysis that wrote the row: a newer
-- podcatalog redoes older rows. Not part of the catalogue's content as a
-- producer edits it, but the feed and pages show it, so writes bump `revision`.
CREATE TABLE audio_analysis (
    sha256            TEXT    PRIMARY KEY,
    analyser          INTEGER NOT NULL,
    lufs              REAL,    -- integrated loudness; NULL when silent or not measured
    lra               REAL,    -- loudness range, LU
    true_peak_dbtp    REAL,
    loudness_error    TEXT,    -- why loudness was not measured (e.g. no decoder for Opus)
    warnings          TEXT    NOT NULL DEFAULT '[]',  -- JSON array: damage met, chapter findings
    chapters          TEXT,    -- JSON array of the file's own chapters; NULL when none
    analysed_at       TEXT    NOT NULL
);
