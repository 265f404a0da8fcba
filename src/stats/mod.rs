//! Listening statistics a public body may keep: IAB-style download counts.
pub mod agents;
pub mod window;
