//! Integration tests: the real `podcatalog` binary on real files, a real
//! SQLite database and real audio, in temporary project folders; the real
//! server on loopback.

mod catalog_cli;
mod common;
mod config_errors;
mod feed;
mod fixture;
mod import_errors;
mod probe;
mod remote;
mod server;
mod web;
