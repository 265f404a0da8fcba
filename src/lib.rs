//! podcatalog: a podcast feed and episode catalogue service.
pub mod cli;
pub mod probe;
pub mod remote;
