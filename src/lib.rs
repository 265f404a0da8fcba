//! podcatalog: a podcast feed and episode catalogue service.
pub mod catalog;
pub mod cli;
pub mod config;
pub mod feed;
pub mod import_feed;
pub mod ingest;
pub mod probe;
pub mod publish;
pub mod remote;
pub mod search;
pub mod stats;
pub mod web;
