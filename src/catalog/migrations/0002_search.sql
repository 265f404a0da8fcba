-- Full-text search over episodes: case- and diacritic-insensitive
-- ("orebro" finds "Örebro"), with prefix queries for search-as-you-type.
-- One row per episode (rowid = episode.id), rebuilt by catalog::search.
CREATE VIRTUAL TABLE episode_search USING fts5(
    title, people, themes, body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER episode_search_delete AFTER DELETE ON episode BEGIN
    DELETE FROM episode_search WHERE rowid = old.id;
END;
