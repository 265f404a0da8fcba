//! Copying a remote file to disk, resumably: the caller keeps the partial
//! file between attempts, and the next attempt asks only for the rest with
//! `Range: bytes=N-` (RFC 9110 section 14.2). A server that ignores the
//! range (answers `200`) gets the file written again from the start.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::Duration;

use reqwest::{Method, StatusCode, header};

use super::content_range::ContentRange;
use super::http::{self, Http, header_str};
use super::{Remote, RemoteError, target};

/// What a download did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Downloaded {
    /// The file's length, as the server stated it and as now on disk.
    pub bytes: u64,
    /// Bytes that were already there from an earlier attempt.
    pub resumed_from: u64,
}

/// What identified the file when an earlier attempt began, and where to
/// record it for the next one: a partial file is only continued when the
/// server still has the same version (else the two halves would mix).
pub struct Resume<'a> {
    /// The validator recorded by the attempt that wrote the partial file.
    pub previous: Option<String>,
    /// Called with the current validator before any byte is written.
    pub record: &'a dyn Fn(Option<&str>),
}

/// A download may take hours on a slow line; only a stall (the read
/// timeout) ends it, not the probe's total timeout.
const WHOLE_DOWNLOAD: Duration = Duration::from_secs(24 * 3600);

impl Remote {
    /// Completes `file` (which holds the first bytes of `url` from an earlier
    /// attempt, or nothing) from `url`, calling `progress` with each number
    /// of bytes written. The partial bytes are kept only when `resume` shows
    /// the server still has the version they came from. The file is synced;
    /// its length is checked against the server's.
    pub fn download(
        &self,
        url: &str,
        file: &mut File,
        resume: &Resume,
        progress: &dyn Fn(u64),
    ) -> Result<Downloaded, RemoteError> {
        let (shown, parsed) = target::validate(url, &self.opts)?;
        let mut opts = self.opts.clone();
        opts.total_timeout = WHOLE_DOWNLOAD;
        let http = Http::new(self.client.clone(), shown, &opts);
        let resource = http::discover(&http, &parsed)?;
        let len = resource.len;
        let io = |e: std::io::Error| RemoteError::Disk {
            url: http.shown.clone(),
            source: e,
        };
        let mut have = file.metadata().map_err(io)?.len();
        let same_version = resource.validator.is_some() && resume.previous == resource.validator;
        if have > len || !same_version {
            have = 0; // not a prefix of this version of the file: start again
        }
        (resume.record)(resource.validator.as_deref());
        let resumed_from = have;
        if have < len {
            let range = Some((have, len - 1));
            let mut resp = http.send(&Method::GET, &resource.url, range)?;
            match resp.status() {
                StatusCode::PARTIAL_CONTENT => check_resumed(&http, &resp, have, len)?,
                StatusCode::OK => have = 0,
                status => return Err(http.status_error(status)),
            }
            file.set_len(have).map_err(io)?;
            file.seek(SeekFrom::Start(have)).map_err(io)?;
            copy(&http, &mut resp, file, len - have, progress)?;
        }
        file.sync_all().map_err(io)?;
        let now = file.metadata().map_err(io)?.len();
        if now != len {
            return Err(RemoteError::Changed {
                url: http.shown.clone(),
                reason: format!("downloaded {now} bytes, the server said {len}"),
            });
        }
        Ok(Downloaded {
            bytes: len,
            resumed_from: resumed_from.min(now),
        })
    }
}

/// A 206 must continue exactly where the partial file ends.
fn check_resumed(
    http: &Http,
    resp: &reqwest::blocking::Response,
    have: u64,
    len: u64,
) -> Result<(), RemoteError> {
    let raw = header_str(resp.headers(), header::CONTENT_RANGE);
    match raw.and_then(ContentRange::parse) {
        Some(r) if r.first == have && r.complete.is_none_or(|c| c == len) => Ok(()),
        _ => Err(RemoteError::BadRange {
            url: http.shown.clone(),
            reason: format!(
                "asked for bytes {have}- of {len}, got Content-Range {:?}",
                raw.unwrap_or("(missing)")
            ),
        }),
    }
}

/// Copies exactly `want` body bytes into `file`.
fn copy(
    http: &Http,
    body: &mut impl Read,
    file: &mut File,
    want: u64,
    progress: &dyn Fn(u64),
) -> Result<(), RemoteError> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut left = want;
    while left > 0 {
        http.check_deadline()?;
        let n = match body.read(&mut buf) {
            Ok(0) => {
                return Err(RemoteError::Changed {
                    url: http.shown.clone(),
                    reason: format!(
                        "the server closed the answer {left} bytes before the end; run again to resume"
                    ),
                });
            }
            Ok(n) => n.min(left as usize),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(http.read_error(e)),
        };
        file.write_all(&buf[..n]).map_err(|e| RemoteError::Disk {
            url: http.shown.clone(),
            source: e,
        })?;
        left -= n as u64;
        progress(n as u64);
    }
    Ok(())
}
