//! podcatalog: a podcast feed and episode catalogue service.
pub mod catalog;
pub mod cli;
pub mod config;
pub mod feed;
pub mod ingest;
pub mod platform;
pub mod probe;
pub mod remote;
pub mod slug;
pub mod web;
