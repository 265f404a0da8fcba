//! Integration tests: the real `podcatalog` binary on real files, a real
//! SQLite database and real audio, in temporary project folders; the real
//! server on loopback.

mod analysis;
mod big_feed;
mod catalog_cli;
mod common;
mod config_errors;
mod data_safety;
mod feed;
mod feed_consistency;
mod fixture;
mod hardening_http;
mod import_errors;
mod import_feed;
mod media_serving;
mod probe;
mod process;
mod project_serving;
mod publish_gate;
mod remote;
mod search_paging;
mod server;
// Permission bits, uids and signals: Unix only.
#[cfg(unix)]
mod startup_errors;
mod stats;
mod web;
