-- Episodes whose audio figures (length, type, duration) were taken from an
-- imported feed without measuring the audio (`import-feed --no-probe`).
-- `check` lists them; measuring the audio (an import without --no-probe,
-- or any change of the audio) clears the mark.
CREATE TABLE audio_unverified (
    episode_id INTEGER PRIMARY KEY REFERENCES episode (id) ON DELETE CASCADE
);

CREATE TRIGGER audio_unverified_cleared
AFTER UPDATE OF audio_file, audio_url, audio_bytes, audio_mime, audio_duration_ms ON episode
BEGIN
    DELETE FROM audio_unverified WHERE episode_id = new.id;
END;
