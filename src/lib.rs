//! podcatalog: a podcast feed and episode catalogue service.
//!
//! The catalogue ([`catalog`], SQLite) is the source of truth: producers
//! change it with the command line ([`cli`], one file per subcommand) through
//! [`ingest`], which validates every input, measures audio with [`probe`]
//! (and [`remote`], the only module that talks HTTP out) and writes all or
//! nothing. [`config`] is `feed-config.toml`, validated; [`slug`], [`roles`]
//! and [`platform`] are leaves everyone may use. [`publish`] checks what is
//! about to be published against the directories' rules; [`stats`] counts
//! downloads, from the server and from access logs.
//!
//! [`feed`] turns catalogue values into RSS bytes and is pure (no SQL, no
//! I/O, the time is a parameter). [`web`] serves the feeds (rendered once
//! per catalogue change), the media with byte ranges (with `sendfile` on
//! Linux) and the website, whose search is one component ([`search`]). Dependencies point one way:
//! `cli` uses the rest; `web` uses `catalog`, `feed` and `remote`; `ingest`
//! uses `catalog`, `probe` and `remote`; `feed` reads `catalog`'s value
//! types but runs no SQL; `remote` feeds `probe`, which knows none of the
//! others. ARCHITECTURE.md has the map, the invariants and the caches.
pub mod catalog;
pub mod cli;
pub mod config;
pub mod feed;
pub mod import_feed;
pub mod ingest;
pub mod platform;
pub mod probe;
pub mod publish;
pub mod remote;
pub mod roles;
pub mod search;
pub mod slug;
pub mod stats;
pub mod web;
