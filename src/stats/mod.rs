//! Listening statistics a public body may keep: IAB-style download counts.
pub mod agents;
pub mod index;
pub mod live;
pub mod store;
pub mod window;
