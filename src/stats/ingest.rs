//! `stats ingest`: access logs (plain or gzip, combined or W3C) counted by
//! the same [`Window`] as the server, and added to the catalogue with the
//! source's watermark in one transaction, so a killed run writes nothing
//! and a re-run, or a rotated file that overlaps one already read, counts
//! nothing twice.
//!
//! The watermark is the last second ingested and how many lines of that
//! second were read: a line before it was counted already, and of the
//! lines in that very second the first so many were. Logs are appended in
//! time order, so no line is kept to know this. Lines that are not
//! understood are counted and the first few reported; they never stop a run.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::agents::Agents;
use super::index::MediaIndex;
use super::logs::{Format, W3cFields};
use super::store;
use super::window::{Request, Served, Window};

/// Malformed lines quoted in the report; the rest are only counted.
const EXAMPLES: usize = 5;

/// Why a run could not be done (a line that is not understood is not this).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A log could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The counts could not be stored.
    #[error("cannot store the counts: {0}")]
    Store(#[from] rusqlite::Error),
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Lines read, in all files.
    pub lines: u64,
    /// Downloads counted.
    pub downloads: u64,
    /// New feed clients of the day counted.
    pub feed_clients: u64,
    /// Lines an earlier run had ingested already.
    pub already: u64,
    /// Lines not understood.
    pub malformed: u64,
    /// The first few of those: `file:line: reason`.
    pub examples: Vec<String>,
    /// Lines of a day already closed when they came (out of order).
    pub late: u64,
}

/// One log to read: a file (`.gz` or gzip content is decompressed) or stdin.
pub enum Input {
    /// A file.
    File(PathBuf),
    /// Standard input, named `-`.
    Stdin,
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "-".into(),
        }
    }

    fn open(&self) -> Result<Box<dyn BufRead>, IngestError> {
        let err = |source| IngestError::Read {
            path: self.name(),
            source,
        };
        let raw: Box<dyn Read> = match self {
            Input::File(p) => Box::new(std::fs::File::open(p).map_err(err)?),
            Input::Stdin => Box::new(std::io::stdin()),
        };
        let mut buffered = BufReader::with_capacity(256 * 1024, raw);
        let gzip = buffered.fill_buf().map_err(err)?.starts_with(&[0x1f, 0x8b]);
        Ok(if gzip {
            // Streamed: a gzip bomb costs time, never memory.
            Box::new(BufReader::with_capacity(
                256 * 1024,
                flate2::bufread::MultiGzDecoder::new(buffered),
            ))
        } else {
            Box::new(buffered)
        })
    }
}

/// Reads `inputs` (oldest file first: they are ordered by their first
/// line's time) and adds their counts to the catalogue under `source`.
pub fn ingest(
    conn: &mut Connection,
    index: &MediaIndex,
    feed_path: &str,
    inputs: Vec<Input>,
    source: &str,
) -> Result<Report, IngestError> {
    let (second, seen_before) = store::watermark(conn, source)?.unwrap_or((i64::MIN, 0));
    let feed_path = feed_path.trim_start_matches('/');
    let mut run = Run {
        index,
        feed_path,
        feed_suffix: format!("/{feed_path}"),
        feed: feed_path.into(),
        window: Window::new(),
        report: Report::default(),
        old: (second, seen_before),
        newest: (second, 0),
    };
    for input in in_time_order(inputs) {
        run.read(&input)?;
    }
    let mut counts = run.window.take();
    run.report.late = counts.late;
    run.report.downloads = counts.downloads.values().sum();
    run.report.feed_clients = counts.feed_clients.values().sum();
    counts.late = 0;
    let tx = conn.transaction()?;
    store::add(&tx, &counts)?;
    if run.newest.1 > 0 {
        store::set_watermark(&tx, source, run.newest)?;
    }
    tx.commit()?;
    Ok(run.report)
}

struct Run<'a> {
    index: &'a MediaIndex,
    feed_path: &'a str,
    feed_suffix: String,
    feed: std::sync::Arc<str>,
    window: Window,
    report: Report,
    /// The watermark before this run: (second, lines of it read then).
    old: (i64, i64),
    /// The newest second read so far and the lines of it.
    newest: (i64, i64),
}

impl Run<'_> {
    fn read(&mut self, input: &Input) -> Result<(), IngestError> {
        let name = input.name();
        let mut reader = input.open()?;
        let mut format = Format::Combined;
        let mut buf = Vec::with_capacity(512);
        let mut number = 0u64;
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|source| IngestError::Read {
                    path: name.clone(),
                    source,
                })?;
            if n == 0 {
                return Ok(());
            }
            number += 1;
            // Logs carry whatever clients send: not UTF-8 is read lossily.
            let text = String::from_utf8_lossy(&buf);
            let line = text.trim_end_matches(['\n', '\r']);
            if line.starts_with('#') {
                if line.starts_with("#Fields:") {
                    match W3cFields::parse(line) {
                        Ok(f) => format = Format::W3c(f),
                        Err(e) => self.malformed(&name, number, &e),
                    }
                }
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            self.report.lines += 1;
            match format.parse(line) {
                Ok(l) => self.count(&l),
                Err(reason) => self.malformed(&name, number, reason),
            }
        }
    }

    fn malformed(&mut self, name: &str, number: u64, reason: &str) {
        self.report.malformed += 1;
        if self.report.examples.len() < EXAMPLES {
            self.report
                .examples
                .push(format!("{name}:{number}: {reason}"));
        }
    }

    fn count(&mut self, l: &super::logs::Line) {
        let second = l.at.timestamp();
        if second < self.old.0 {
            self.report.already += 1;
            return;
        }
        if second > self.newest.0 {
            self.newest = (second, 0);
        }
        if second == self.newest.0 {
            self.newest.1 += 1;
        }
        if second == self.old.0 && self.old.1 > 0 {
            self.old.1 -= 1;
            self.report.already += 1;
            return;
        }
        if l.method != "GET" || !matches!(l.status, 200 | 206 | 304) {
            return;
        }
        let agent = Agents::shared().classify(&l.user_agent);
        let req = Request {
            at: l.at,
            ip: l.ip,
            user_agent: &l.user_agent,
            agent: &agent,
        };
        let path = l.path.trim_start_matches('/');
        if path == self.feed_path || path.ends_with(&self.feed_suffix) {
            self.window.feed(&req, &self.feed);
        } else if l.status != 304 {
            if let Some(media) = self.index.find(l.path) {
                self.window.media(&req, media, Served::Bytes(l.bytes));
            }
        }
    }
}

/// Files ordered by the time of their first readable line (rotated logs
/// given newest first still count in order); stdin last.
fn in_time_order(inputs: Vec<Input>) -> Vec<Input> {
    let mut keyed: Vec<(i64, Input)> = inputs
        .into_iter()
        .map(|i| (first_second(&i).unwrap_or(i64::MAX), i))
        .collect();
    keyed.sort_by_key(|(t, _)| *t);
    keyed.into_iter().map(|(_, i)| i).collect()
}

fn first_second(input: &Input) -> Option<i64> {
    let Input::File(_) = input else { return None };
    let reader = input.open().ok()?;
    let mut format = Format::Combined;
    for line in reader.lines().take(100) {
        let line = line.ok()?;
        if line.starts_with("#Fields:") {
            format = Format::W3c(W3cFields::parse(&line).ok()?);
        }
        if let Ok(l) = format.parse(&line) {
            return Some(l.at.timestamp());
        }
    }
    None
}

/// Whether `path` exists and is a file, for a clear error before a run.
pub fn check_input(path: &Path) -> Result<(), IngestError> {
    std::fs::metadata(path)
        .and_then(|m| {
            if m.is_file() {
                Ok(())
            } else {
                Err(std::io::Error::other("not a file"))
            }
        })
        .map_err(|source| IngestError::Read {
            path: path.display().to_string(),
            source,
        })
}
