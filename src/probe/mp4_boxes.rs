//! stub
use super::source::{Fault, Source};
use super::Measured;
use std::io::{Read, Seek};
pub(crate) fn probe<R: Read + Seek>(_src: &mut Source<R>) -> Result<Measured, Fault> { Err(Fault::Unsupported("todo".into())) }
pub(crate) fn is_header(_h: &[u8]) -> bool { false }
