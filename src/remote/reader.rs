//! [`RangeReader`]: `Read + Seek` over a remote file, so the probe can treat a
//! URL like a local file and fetch only the parts it looks at.
//!
//! The file is cut into fixed-size blocks kept in a small LRU cache (memory is
//! bounded by `block_size × cache_blocks`). A miss fetches the block with one
//! `Range` request (RFC 9110 section 14); when misses follow each other
//! (an MP3 frame walk) each request reads further ahead, doubling up to
//! `max_read_ahead` blocks, so a walk over a long file costs a few dozen
//! requests, not one per frame. A server that ignores ranges (answers `200`)
//! is read as one stream instead: forward seeks skip bytes, and a backward
//! seek past the cache restarts the download, at most `max_restarts` times.

use std::io::{self, Read, Seek, SeekFrom};

use reqwest::blocking::{Client, Response};
use reqwest::{Method, StatusCode, header};
use url::Url;

use super::cache::BlockCache;
use super::content_range::ContentRange;
use super::http::{self, Http, Resource};
use super::{Remote, RemoteError, RemoteOptions, target};

/// `Read + Seek` over an http(s) URL, fetching blocks on demand.
pub struct RangeReader {
    http: Http,
    resource: Resource,
    pos: u64,
    block_size: u64,
    max_read_ahead: u64,
    cache: BlockCache,
    /// Block just after the last range fetched: a miss there is sequential.
    next_sequential: Option<u64>,
    /// Blocks the next sequential miss asks for.
    read_ahead: u64,
    /// Set once the server has shown it ignores ranges.
    stream: Option<Stream>,
    bytes_received: u64,
    /// The first transport error, kept typed for [`RangeReader::take_error`].
    failure: Option<RemoteError>,
}

/// A whole-file `GET` answer being read front to back.
struct Stream {
    body: Response,
    /// The block the body will deliver next.
    next_block: u64,
    restarts: u32,
}

/// Numbers for tests and logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransferStats {
    /// HTTP requests sent, `HEAD` and redirect hops included.
    pub requests: u64,
    /// Body bytes received.
    pub bytes_received: u64,
}

impl RangeReader {
    /// Validates `url`, sends the `HEAD` and returns a reader positioned at 0.
    /// Starts a client of its own; [`Remote::open`] shares one.
    pub fn open(url: &str, opts: &RemoteOptions) -> Result<Self, RemoteError> {
        Remote::new(opts.clone())?.open(url)
    }

    /// [`RangeReader::open`] with a given client.
    pub(crate) fn open_with(
        client: Client,
        url: &str,
        opts: &RemoteOptions,
    ) -> Result<Self, RemoteError> {
        let (shown, parsed) = target::validate(url, opts)?;
        let http = Http::new(client, shown, opts);
        let resource = http::discover(&http, &parsed)?;
        let cache_blocks = opts.cache_blocks.max(1);
        Ok(Self {
            http,
            resource,
            pos: 0,
            block_size: opts.block_size.max(1) as u64,
            max_read_ahead: opts.max_read_ahead.clamp(1, cache_blocks) as u64,
            cache: BlockCache::new(cache_blocks),
            next_sequential: None,
            read_ahead: 1,
            stream: None,
            bytes_received: 0,
            failure: None,
        })
    }

    /// Length of the file in bytes, as the `HEAD` answer said.
    pub fn len(&self) -> u64 {
        self.resource.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.resource.len == 0
    }

    /// The URL after redirects.
    pub fn url(&self) -> &Url {
        &self.resource.url
    }

    /// The URL as given (password hidden), as named in errors.
    pub fn shown_url(&self) -> &str {
        &self.http.shown
    }

    /// `Content-Type` of the `HEAD` answer.
    pub fn content_type(&self) -> Option<&str> {
        self.resource.content_type.as_deref()
    }

    /// Whether the server ignored ranges and the file is being streamed.
    pub fn is_streaming(&self) -> bool {
        self.stream.is_some() || self.resource.refuses_ranges
    }

    /// Requests sent and bytes received so far.
    pub fn stats(&self) -> TransferStats {
        TransferStats {
            requests: self
                .http
                .requests
                .load(std::sync::atomic::Ordering::Relaxed),
            bytes_received: self.bytes_received,
        }
    }

    /// The typed error behind a failed `read`, which `io::Error` cannot carry
    /// intact. After a failure every later `read` fails too.
    pub fn take_error(&mut self) -> Option<RemoteError> {
        self.failure.take()
    }

    /// Serves `buf` from the cache, fetching the block at `pos` first when
    /// it is missing; copies on through further cached blocks.
    fn read_block(&mut self, buf: &mut [u8]) -> Result<usize, RemoteError> {
        if buf.is_empty() || self.pos >= self.resource.len {
            return Ok(0);
        }
        let index = self.pos / self.block_size;
        if !self.cache.contains(index) {
            if self.stream.is_some() || self.resource.refuses_ranges {
                self.fetch_streamed(index)?;
            } else {
                let offset = self.pos % self.block_size;
                let demand = (offset + buf.len() as u64).div_ceil(self.block_size);
                self.fetch_range(index, demand)?;
            }
        }
        let mut copied = 0;
        while copied < buf.len() && self.pos < self.resource.len {
            let index = self.pos / self.block_size;
            let offset = (self.pos % self.block_size) as usize;
            let Some(block) = self.cache.get(index) else {
                break;
            };
            let n = (buf.len() - copied).min(block.len().saturating_sub(offset));
            buf[copied..copied + n].copy_from_slice(&block[offset..offset + n]);
            copied += n;
            self.pos += n as u64;
        }
        if copied == 0 {
            return Err(RemoteError::BadRange {
                url: self.http.shown.clone(),
                reason: format!("block {index} missing after fetching it"),
            });
        }
        Ok(copied)
    }

    /// Fetches block `index` with the `demand - 1` blocks the caller's read
    /// spans, or more when misses are sequential (read-ahead doubling), in
    /// one request; never past `max_read_ahead`, a cached block or the end.
    fn fetch_range(&mut self, index: u64, demand: u64) -> Result<(), RemoteError> {
        self.read_ahead = if self.next_sequential == Some(index) {
            (self.read_ahead * 2).min(self.max_read_ahead)
        } else {
            1
        };
        let wanted = demand.max(self.read_ahead).min(self.max_read_ahead);
        let blocks_in_file = self.resource.len.div_ceil(self.block_size);
        let mut count = 1;
        while count < wanted
            && index + count < blocks_in_file
            && !self.cache.contains(index + count)
        {
            count += 1;
        }
        let first = index * self.block_size;
        let last = ((index + count) * self.block_size).min(self.resource.len) - 1;
        let mut resp = self
            .http
            .send(&Method::GET, &self.resource.url, Some((first, last)))?;
        match resp.status() {
            StatusCode::PARTIAL_CONTENT => {
                let sent_last = self.check_partial(&resp, first, last)?;
                let body = self
                    .http
                    .read_body(&mut resp, (sent_last - first + 1) as usize)?;
                self.bytes_received += body.len() as u64;
                let stored = self.store(index, &body);
                self.next_sequential = Some(index + stored);
                Ok(())
            }
            StatusCode::OK => {
                // Ranges ignored: this answer is the whole file; read it as a stream.
                self.check_same_length(&resp)?;
                self.stream = Some(Stream {
                    body: resp,
                    next_block: 0,
                    restarts: 0,
                });
                self.fetch_streamed(index)
            }
            StatusCode::RANGE_NOT_SATISFIABLE => Err(RemoteError::Changed {
                url: self.http.shown.clone(),
                reason: format!(
                    "bytes {first}-{last} are past the end now, the file was {} bytes",
                    self.resource.len
                ),
            }),
            status => Err(self.http.status_error(status)),
        }
    }

    /// Checks a 206 answer against what was asked; returns the last byte sent.
    /// The length, not the `ETag`, is what tells a changed file: servers
    /// behind a load balancer often send different ETags for the same bytes
    /// (Apache's default includes the inode).
    fn check_partial(&self, resp: &Response, first: u64, last: u64) -> Result<u64, RemoteError> {
        let raw = http::header_str(resp.headers(), header::CONTENT_RANGE);
        let range = raw
            .and_then(ContentRange::parse)
            .ok_or_else(|| RemoteError::BadRange {
                url: self.http.shown.clone(),
                reason: format!(
                    "asked for bytes {first}-{last}, got 206 with Content-Range {:?}",
                    raw.unwrap_or("(missing)")
                ),
            })?;
        if let Some(total) = range.complete.filter(|&t| t != self.resource.len) {
            return Err(RemoteError::Changed {
                url: self.http.shown.clone(),
                reason: format!("length was {} bytes, now {total}", self.resource.len),
            });
        }
        // A server may send less than asked (some cap range sizes), but it
        // must start where asked and deliver at least the block we need.
        let needed = (first + self.block_size).min(self.resource.len) - 1;
        if range.first != first || range.last > last || range.last < needed {
            return Err(RemoteError::BadRange {
                url: self.http.shown.clone(),
                reason: format!(
                    "asked for bytes {first}-{last}, server sent {}-{}",
                    range.first, range.last
                ),
            });
        }
        Ok(range.last)
    }

    /// Checks that a whole-file answer is as long as the `HEAD` said.
    fn check_same_length(&self, resp: &Response) -> Result<(), RemoteError> {
        let len = http::header_str(resp.headers(), header::CONTENT_LENGTH)
            .and_then(|v| v.trim().parse::<u64>().ok());
        match len {
            Some(now) if now != self.resource.len => Err(RemoteError::Changed {
                url: self.http.shown.clone(),
                reason: format!("length was {} bytes, now {now}", self.resource.len),
            }),
            _ => Ok(()),
        }
    }

    /// Caches the complete blocks of `body` (which starts at block `index`);
    /// returns how many. A trailing partial block is kept only at end of file.
    fn store(&mut self, index: u64, body: &[u8]) -> u64 {
        let mut stored = 0;
        for chunk in body.chunks(self.block_size as usize) {
            let block = index + stored;
            let ends_file = block * self.block_size + chunk.len() as u64 == self.resource.len;
            if chunk.len() as u64 != self.block_size && !ends_file {
                break;
            }
            self.cache.insert(block, chunk.to_vec());
            stored += 1;
        }
        stored
    }

    /// Reads the stream up to and including block `index`, restarting the
    /// download when `index` is behind it.
    fn fetch_streamed(&mut self, index: u64) -> Result<(), RemoteError> {
        let behind = self.stream.as_ref().is_none_or(|s| index < s.next_block);
        if behind {
            self.restart_stream()?;
        }
        let Self {
            stream,
            http,
            cache,
            resource,
            block_size,
            bytes_received,
            ..
        } = self;
        let Some(stream) = stream else {
            return Ok(());
        };
        while stream.next_block <= index {
            let start = stream.next_block * *block_size;
            let size = (*block_size).min(resource.len - start) as usize;
            let block = http.read_body(&mut stream.body, size)?;
            *bytes_received += size as u64;
            cache.insert(stream.next_block, block);
            stream.next_block += 1;
        }
        Ok(())
    }

    fn restart_stream(&mut self) -> Result<(), RemoteError> {
        let restarts = match &self.stream {
            Some(s) => s.restarts + 1,
            None => 0,
        };
        if restarts > self.http.opts.max_restarts {
            return Err(RemoteError::TooManyRestarts {
                url: self.http.shown.clone(),
                max: self.http.opts.max_restarts,
            });
        }
        self.stream = None;
        let resp = self.http.send(&Method::GET, &self.resource.url, None)?;
        if resp.status() != StatusCode::OK {
            return Err(self.http.status_error(resp.status()));
        }
        self.check_same_length(&resp)?;
        self.stream = Some(Stream {
            body: resp,
            next_block: 0,
            restarts,
        });
        Ok(())
    }
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = &self.failure {
            return Err(io::Error::other(e.to_string()));
        }
        self.read_block(buf).map_err(|e| {
            let kind = match e {
                RemoteError::Timeout { .. } => io::ErrorKind::TimedOut,
                _ => io::ErrorKind::Other,
            };
            let io = io::Error::new(kind, e.to_string());
            self.failure = Some(e);
            io
        })
    }
}

impl Seek for RangeReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.resource.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let target = target.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the file",
            )
        })?;
        self.pos = target;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_reader_can_move_to_a_blocking_thread() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<RangeReader>();
    }
}
