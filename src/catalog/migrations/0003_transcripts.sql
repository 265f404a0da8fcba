-- Transcript text, so search finds words spoken in an episode. The file
-- (WebVTT or SRT under media/) stays the source; this is its plain text,
-- written by ingest whenever an episode is imported, added or edited.
CREATE TABLE episode_transcript (
    episode_id INTEGER PRIMARY KEY REFERENCES episode (id) ON DELETE CASCADE,
    text       TEXT    NOT NULL
);

-- FTS5 tables cannot gain a column: rebuild the index with `transcript`.
DROP TABLE episode_search;
CREATE VIRTUAL TABLE episode_search USING fts5(
    title, people, themes, body, transcript,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
INSERT INTO episode_search (rowid, title, people, themes, body, transcript)
    SELECT e.id, e.title,
        (SELECT group_concat(p.name || ' ' || coalesce(a.affiliation, '') || ' ' ||
                coalesce((SELECT group_concat(alias, ' ') FROM person_alias WHERE person_id = p.id), ''), ' ')
         FROM appearance a JOIN person p ON p.id = a.person_id WHERE a.episode_id = e.id),
        (SELECT group_concat(t.name, ' ') FROM episode_theme et JOIN theme t ON t.slug = et.theme_slug
         WHERE et.episode_id = e.id),
        coalesce(e.summary, '') || ' ' || e.description,
        ''
    FROM episode e;
