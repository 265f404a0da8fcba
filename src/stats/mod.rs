//! Listening statistics a public body may keep: IAB-style download counts.
pub mod agents;
pub mod html;
pub mod index;
pub mod ingest;
pub mod live;
pub mod logs;
pub mod report;
pub mod store;
pub mod window;
