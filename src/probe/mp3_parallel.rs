//! The MP3 frame walk split across cores for long local files.
//!
//! Reading a 70 MB file costs more in copying than in parsing, so a long
//! file is cut into one part per core and each part walked on its own
//! reader (see `positional`). A part other than the first locks on with the
//! same confirmed-sync rule as the start of the file (`mp3::find_sync`); the
//! parts are trusted only if each one ends exactly where the next began.
//! Otherwise, e.g. a false sync inside a frame, the file is walked again
//! from the start on one reader, so the result never depends on the split.

use super::mp3::{Walk, find_sync, walk as walk_range};
use super::mp3_frame::Frame;
use super::source::{Fault, Fork, Source, forked};
use rayon::prelude::*;
use std::io::{Read, Seek};

/// Files with less audio than this are walked on one reader.
const MIN_SPLIT: u64 = 8 << 20;
/// How far past a cut to look for the next frame.
const SEARCH: u64 = 1 << 16;

/// Walks the frames between `start` and `end`, in parallel when worth it.
pub(crate) fn walk<R: Read + Seek>(
    src: &mut Source<R>,
    start: u64,
    end: u64,
    first: &Frame,
) -> Result<Walk, Fault> {
    let parts = rayon::current_num_threads().min(8) as u64;
    if let (Some(fork), true) = (src.fork(), parts > 1 && end - start >= MIN_SPLIT) {
        if let Some(w) = walk_parts(&fork, src.len(), start, end, first, parts)? {
            return Ok(w);
        }
    }
    Ok(walk_range(src, start, end, end, first)?.0)
}

/// One part's result: where it locked on, its counts, where it stopped.
type Part = Option<(u64, Walk, u64)>;

/// Walks `parts` parts concurrently; `None` when they do not join up.
fn walk_parts(
    fork: &Fork,
    len: u64,
    start: u64,
    end: u64,
    first: &Frame,
    parts: u64,
) -> Result<Option<Walk>, Fault> {
    let cuts: Vec<u64> = (0..=parts)
        .map(|i| start + (end - start) * i / parts)
        .collect();
    let results: Vec<Result<Part, Fault>> = (0..parts as usize)
        .into_par_iter()
        .map(|i| walk_part(fork, len, cuts[i], cuts[i + 1], end, first, i == 0))
        .collect();
    let mut total: Option<(Walk, u64)> = None;
    for part in results {
        let Some((began, w, stopped)) = part? else {
            return Ok(None);
        };
        total = match total {
            None => Some((w, stopped)),
            Some((acc, reached)) if reached == began => Some((acc.then(w), stopped)),
            Some(_) => return Ok(None),
        };
    }
    Ok(total.map(|(w, _)| w))
}

/// Walks one part on its own reader.
fn walk_part(
    fork: &Fork,
    len: u64,
    from: u64,
    stop: u64,
    end: u64,
    first: &Frame,
    is_first: bool,
) -> Result<Part, Fault> {
    let mut src = forked(fork, len)?;
    let began = if is_first {
        from
    } else {
        match find_sync(&mut src, from, end, from + SEARCH)? {
            Some((pos, f)) if f.same_stream(first) => pos,
            _ => return Ok(None),
        }
    };
    let (w, stopped) = walk_range(&mut src, began, stop, end, first)?;
    Ok(Some((began, w, stopped)))
}
