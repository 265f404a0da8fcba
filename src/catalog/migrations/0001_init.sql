-- The catalogue: episodes, the people who take part in them, and themes.
CREATE TABLE episode (
    id                INTEGER PRIMARY KEY,
    guid              TEXT    NOT NULL UNIQUE,
    number            INTEGER UNIQUE CHECK (number IS NULL OR number >= 0),
    season            INTEGER CHECK (season IS NULL OR season >= 1),
    episode_type      TEXT    NOT NULL CHECK (episode_type IN ('full', 'trailer', 'bonus')),
    title             TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    slug              TEXT    NOT NULL UNIQUE,
    summary           TEXT,
    description       TEXT    NOT NULL DEFAULT '',
    published_at      TEXT    NOT NULL,            -- RFC 3339 with the Stockholm offset
    published_utc     INTEGER NOT NULL,            -- Unix seconds, for ordering
    date_approximate  INTEGER NOT NULL DEFAULT 0,
    explicit          INTEGER NOT NULL DEFAULT 0,
    audio_file        TEXT,                        -- name under media/
    audio_url         TEXT,                        -- or an https URL
    audio_bytes       INTEGER NOT NULL CHECK (audio_bytes > 0),
    audio_mime        TEXT    NOT NULL,
    audio_duration_ms INTEGER NOT NULL CHECK (audio_duration_ms >= 0),
    audio_sha256      TEXT,
    image             TEXT,
    transcript        TEXT,
    chapters          TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    CHECK ((audio_file IS NULL) <> (audio_url IS NULL))
);
CREATE INDEX episode_published ON episode (published_utc DESC);

CREATE TABLE person (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE,
    slug  TEXT NOT NULL UNIQUE,
    href  TEXT,
    image TEXT
);

-- Other spellings of a person's name ("Nils Munte" for "Nils Munthe").
CREATE TABLE person_alias (
    alias     TEXT    PRIMARY KEY COLLATE NOCASE,
    person_id INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE
);

CREATE TABLE appearance (
    episode_id  INTEGER NOT NULL REFERENCES episode (id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES person (id),
    role        TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    affiliation TEXT,                              -- title/affiliation at the time
    PRIMARY KEY (episode_id, person_id, role)
);
CREATE INDEX appearance_person ON appearance (person_id);

-- Mirror of the vocabulary in feed-config.toml, so SQL can join on it.
CREATE TABLE theme (
    slug        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL
);

CREATE TABLE episode_theme (
    episode_id INTEGER NOT NULL REFERENCES episode (id) ON DELETE CASCADE,
    theme_slug TEXT    NOT NULL REFERENCES theme (slug) ON UPDATE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (episode_id, theme_slug)
);
CREATE INDEX episode_theme_theme ON episode_theme (theme_slug);

-- Slugs an episode had before a title edit, so old links keep working.
CREATE TABLE old_slug (
    slug       TEXT PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episode (id) ON DELETE CASCADE
);

-- Bumped on every write; the server compares it to know when to re-render.
CREATE TABLE revision (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);
