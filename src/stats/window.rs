//! The counting rules (IAB Tech Lab Podcast Measurement Technical
//! Guidelines v2.x), the same for the server and for logs.
//!
//! A client is its IP address (an IPv6 address cut to its /64) plus its
//! User-Agent. Within one UTC day, a client's requests for one episode are
//! one download, counted once the audio bytes served to it reach one minute
//! of audio (or the whole file, when shorter). `HEAD` and bot agents never
//! count; a `bytes=0-1` probe adds two bytes, far from a minute.
//!
//! Nothing here keeps an address or an agent: a request is reduced at once
//! to a keyed SHA-256 of client and episode, with a random secret made for
//! the day and held only in memory. The day's hashes and the secret are
//! dropped when the day is over, so a hash cannot be tied back to a client
//! even by whoever holds the database. What leaves this module are counts
//! per episode, day, app and device.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use super::agents::{Agent, Kind};

/// One minute, the IAB threshold of a download.
const MINUTE_MS: u64 = 60_000;
/// Byte ranges kept per client and episode; more are merged into a count.
const MAX_RANGES: usize = 16;
/// Clients (with an episode) remembered per day: about 100 MB. Past it, a
/// flood of new addresses is not remembered and not counted, so memory
/// stays bounded whatever a hostile client sends; the number left out is
/// reported as `unremembered`.
pub const MAX_CLIENTS_PER_DAY: usize = 1_000_000;

/// What the counter needs to know of an episode's audio file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// The episode's guid (stable across catalogue rebuilds).
    pub guid: Arc<str>,
    /// The file's length in bytes.
    pub bytes: u64,
    /// Length of the ID3v2 tag at its start (not audio), 0 if none.
    pub tag_bytes: u64,
    /// Its duration.
    pub duration_ms: u64,
}

impl Media {
    /// Audio bytes that make one minute of audio, or all of them when the
    /// episode is shorter: the bytes after the tag, in proportion.
    pub fn threshold(&self) -> u64 {
        let audio = self.bytes.saturating_sub(self.tag_bytes);
        if self.duration_ms <= MINUTE_MS {
            return audio.max(1);
        }
        let minute = u128::from(audio) * u128::from(MINUTE_MS) / u128::from(self.duration_ms);
        u64::try_from(minute)
            .unwrap_or(u64::MAX)
            .clamp(1, audio.max(1))
    }
}

/// How much of the file one response carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// Bytes `start..end` (end exclusive), as the server knows them.
    Range(u64, u64),
    /// A number of bytes at an unknown place, as logs know them.
    Bytes(u64),
}

/// A request, as the counter sees it for the moment it is counted.
pub struct Request<'a> {
    /// When it was made.
    pub at: DateTime<Utc>,
    /// The client's address (the proxy's client, when trusted).
    pub ip: IpAddr,
    /// The client's `User-Agent`.
    pub user_agent: &'a str,
    /// Its classification.
    pub agent: &'a Agent,
}

/// One row of download counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DownloadKey {
    /// The episode's guid.
    pub guid: Arc<str>,
    /// The UTC day of the window.
    pub day: NaiveDate,
    /// App, library, browser or unknown.
    pub kind: &'static str,
    /// The app's (library's, browser's) name, or `unknown`.
    pub app: Arc<str>,
    /// The device's name, or `unknown`.
    pub device: Arc<str>,
    /// The device's category, or `unknown`.
    pub device_category: Arc<str>,
}

/// One row of the subscriber estimate: distinct clients that fetched a
/// feed on a day, per app.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeedKey {
    /// The feed's path (`feed.xml`, `personer/x/feed.xml`).
    pub feed: Arc<str>,
    /// The UTC day.
    pub day: NaiveDate,
    /// The app's name, or `unknown`.
    pub app: Arc<str>,
}

/// Counts made since they were last taken.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    /// Downloads per episode × day × app × device.
    pub downloads: BTreeMap<DownloadKey, u64>,
    /// Distinct feed clients per feed × day × app.
    pub feed_clients: BTreeMap<FeedKey, u64>,
    /// Requests for a day already closed (late log lines), not counted.
    pub late: u64,
    /// Requests from new clients past [`MAX_CLIENTS_PER_DAY`], not counted.
    pub unremembered: u64,
}

impl Counts {
    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.downloads.is_empty() && self.feed_clients.is_empty()
    }
}

#[derive(Default)]
struct Progress {
    ranges: Vec<(u64, u64)>,
    loose: u64,
    counted: bool,
}

impl Progress {
    /// Adds `served` and returns the audio bytes covered so far.
    fn add(&mut self, served: Served, audio: (u64, u64)) -> u64 {
        match served {
            Served::Bytes(n) => self.loose = self.loose.saturating_add(n),
            Served::Range(start, end) => {
                let (s, e) = (start.max(audio.0), end.min(audio.1));
                if s < e {
                    merge(&mut self.ranges, (s, e));
                    if self.ranges.len() > MAX_RANGES {
                        // Bounded memory: the smallest ranges become a count.
                        let small = self.ranges.remove(0);
                        self.loose = self.loose.saturating_add(small.1 - small.0);
                    }
                }
            }
        }
        self.loose
            .saturating_add(self.ranges.iter().map(|(s, e)| e - s).sum::<u64>())
    }
}

/// Inserts `r` into sorted, disjoint `ranges`, merging overlaps.
fn merge(ranges: &mut Vec<(u64, u64)>, r: (u64, u64)) {
    ranges.push(r);
    ranges.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for &(s, e) in ranges.iter() {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    *ranges = out;
}

/// One day's window: its secret and what it has seen.
struct Day {
    secret: [u8; 32],
    downloads: HashMap<[u8; 16], Progress>,
    feed_clients: HashSet<[u8; 16]>,
}

impl Day {
    fn new() -> Day {
        let mut secret = [0u8; 32];
        secret[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        secret[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        Day {
            secret,
            downloads: HashMap::new(),
            feed_clients: HashSet::new(),
        }
    }

    /// Keyed hash of the client (and what it asked for).
    fn key(&self, ip: IpAddr, user_agent: &str, what: &str) -> [u8; 16] {
        let mut h = Sha256::new();
        h.update(self.secret);
        match ip {
            IpAddr::V4(v4) => h.update(v4.octets()),
            // IAB: an IPv6 client is its /64 (the rest changes by the hour).
            IpAddr::V6(v6) => h.update(&v6.octets()[..8]),
        }
        h.update([0]);
        h.update(user_agent.as_bytes());
        h.update([0]);
        h.update(what.as_bytes());
        let digest = h.finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        key
    }
}

/// The dedupe window: today and yesterday (for late log lines), each with
/// its own secret; older days are dropped whole.
pub struct Window {
    days: BTreeMap<NaiveDate, Day>,
    counts: Counts,
    cap: usize,
}

impl Default for Window {
    fn default() -> Window {
        Window {
            days: BTreeMap::new(),
            counts: Counts::default(),
            cap: MAX_CLIENTS_PER_DAY,
        }
    }
}

/// Days kept open: the newest and the one before.
const OPEN_DAYS: usize = 2;

impl Window {
    /// An empty window.
    pub fn new() -> Window {
        Window::default()
    }

    /// The open day of `at`, or `None` (and counted late) when it is closed.
    fn day(&mut self, at: DateTime<Utc>) -> Option<(NaiveDate, &mut Day)> {
        let date = at.date_naive();
        if self.days.len() >= OPEN_DAYS
            && self.days.keys().next().is_some_and(|oldest| date < *oldest)
        {
            self.counts.late += 1;
            return None;
        }
        if let std::collections::btree_map::Entry::Vacant(e) = self.days.entry(date) {
            e.insert(Day::new());
            while self.days.len() > OPEN_DAYS {
                self.days.pop_first();
            }
        }
        self.days.get_mut(&date).map(|d| (date, d))
    }

    /// A `GET` of an episode's audio that carried `served`.
    pub fn media(&mut self, req: &Request, media: &Media, served: Served) {
        if req.agent.kind == Kind::Bot {
            return;
        }
        let cap = self.cap;
        let Some((date, day)) = self.day(req.at) else {
            return;
        };
        let key = day.key(req.ip, req.user_agent, &media.guid);
        if day.downloads.len() >= cap && !day.downloads.contains_key(&key) {
            self.counts.unremembered += 1;
            return;
        }
        let progress = day.downloads.entry(key).or_default();
        if progress.counted {
            return;
        }
        let covered = progress.add(served, (media.tag_bytes, media.bytes));
        if covered >= media.threshold() {
            progress.counted = true;
            progress.ranges = Vec::new();
            let key = DownloadKey {
                guid: media.guid.clone(),
                day: date,
                kind: req.agent.kind.as_str(),
                app: req.agent.name.clone(),
                device: req.agent.device.clone(),
                device_category: req.agent.device_category.clone(),
            };
            *self.counts.downloads.entry(key).or_default() += 1;
        }
    }

    /// A `GET` of the feed at `feed`: one more client of the day per app.
    pub fn feed(&mut self, req: &Request, feed: &Arc<str>) {
        if req.agent.kind == Kind::Bot {
            return;
        }
        let cap = self.cap;
        let Some((date, day)) = self.day(req.at) else {
            return;
        };
        let key = day.key(req.ip, req.user_agent, feed);
        if day.feed_clients.len() >= cap && !day.feed_clients.contains(&key) {
            self.counts.unremembered += 1;
            return;
        }
        if day.feed_clients.insert(key) {
            let key = FeedKey {
                feed: feed.clone(),
                day: date,
                app: req.agent.name.clone(),
            };
            *self.counts.feed_clients.entry(key).or_default() += 1;
        }
    }

    /// The counts made since the last call.
    pub fn take(&mut self) -> Counts {
        std::mem::take(&mut self.counts)
    }

    /// Puts back counts that could not be stored (with any made since).
    pub fn restore(&mut self, counts: Counts) {
        self.counts = counts;
    }

    /// Clients (with episodes) remembered now, and the bytes that costs:
    /// the window's memory is bounded by the day's distinct clients.
    pub fn memory(&self) -> (usize, usize) {
        let entries: usize = self
            .days
            .values()
            .map(|d| d.downloads.len() + d.feed_clients.len())
            .sum();
        let ranges: usize = self
            .days
            .values()
            .flat_map(|d| d.downloads.values())
            .map(|p| p.ranges.capacity() * 16)
            .sum();
        let per_entry = 16 + std::mem::size_of::<Progress>() + 8;
        (entries, entries * per_entry + ranges)
    }
}

#[cfg(test)]
mod tests;
