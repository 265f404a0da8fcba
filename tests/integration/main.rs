//! Integration tests: the real `podcatalog` binary on real files, a real
//! SQLite database and real audio, in temporary project folders; a real
//! HTTP server on loopback for remote audio, and the feed server itself.

mod catalog_cli;
mod common;
mod config_errors;
mod feed;
mod fixture;
mod import_errors;
mod probe;
mod remote;
mod server;
mod server_media;
mod server_shipped;
