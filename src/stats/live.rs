//! Counting in `serve`: the server hands each audio or feed `GET` to the
//! [`Recorder`] once its response is known; the recorder classifies the
//! agent, reduces the client to the day's keyed hash at once, and keeps
//! counts in memory until [`Recorder::flush`] adds them to SQLite (every
//! few seconds and at shutdown). A crash loses the unflushed seconds only.

use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::agents::{Agent, Agents};
use super::index::MediaIndex;
use super::window::{Counts, Request, Served, Window};
use crate::config::IpNet;

/// Where "now" comes from: the system clock, or a test's.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The server's counter.
pub struct Recorder {
    window: Mutex<Window>,
    index: RwLock<Arc<MediaIndex>>,
    trusted: Vec<IpNet>,
    clock: RwLock<Clock>,
}

/// What a request said about its client.
#[derive(Debug, Clone, Copy, Default)]
pub struct Headers<'a> {
    /// `User-Agent`.
    pub user_agent: &'a str,
    /// `X-Forwarded-For`, if any.
    pub forwarded_for: Option<&'a str>,
    /// `Forwarded` (RFC 7239), if any.
    pub forwarded: Option<&'a str>,
}

impl Recorder {
    /// A recorder for the episodes in `index`, believing forwarded-for
    /// headers only from `trusted` proxies.
    pub fn new(index: MediaIndex, trusted: Vec<IpNet>) -> Recorder {
        Recorder {
            window: Mutex::new(Window::new()),
            index: RwLock::new(Arc::new(index)),
            trusted,
            clock: RwLock::new(Arc::new(Utc::now)),
        }
    }

    /// Replaces the clock (tests step through days with it).
    pub fn set_clock(&self, clock: Clock) {
        *self.clock.write().unwrap_or_else(PoisonError::into_inner) = clock;
    }

    /// Replaces the episode index after the catalogue changed.
    pub fn set_index(&self, index: MediaIndex) {
        *self.index.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(index);
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock.read().unwrap_or_else(PoisonError::into_inner))()
    }

    /// A `GET` of `path` under `/media/` answered with `served` bytes.
    /// Files that are not an episode's audio are not counted.
    pub fn media(&self, peer: IpAddr, headers: Headers, path: &str, served: Served) {
        let index = Arc::clone(&self.index.read().unwrap_or_else(PoisonError::into_inner));
        let Some(media) = index.find(path) else {
            return;
        };
        let agent = Agents::shared().classify(headers.user_agent);
        let req = Request {
            at: self.now(),
            ip: client_ip(peer, headers, &self.trusted),
            user_agent: headers.user_agent,
            agent: &agent,
        };
        self.lock().media(&req, media, served);
    }

    /// A `GET` of the feed at `feed` (its path, `feed.xml`).
    pub fn feed(&self, peer: IpAddr, headers: Headers, feed: &Arc<str>) {
        let agent = Agents::shared().classify(headers.user_agent);
        let req = self.request(peer, headers, &agent);
        self.lock().feed(&req, feed);
    }

    fn request<'a>(&self, peer: IpAddr, headers: Headers<'a>, agent: &'a Agent) -> Request<'a> {
        Request {
            at: self.now(),
            ip: client_ip(peer, headers, &self.trusted),
            user_agent: headers.user_agent,
            agent,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        // A panic while counting leaves at worst one request half counted.
        self.window.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds what was counted since the last flush to the catalogue, in one
    /// transaction; on failure the counts are kept for the next flush.
    pub fn flush(&self, conn: &mut Connection) -> rusqlite::Result<u64> {
        let counts = self.lock().take();
        if counts.is_empty() {
            return Ok(0);
        }
        let n = counts.downloads.values().sum();
        match super::store::save(conn, &counts) {
            Ok(()) => Ok(n),
            Err(e) => {
                self.restore(counts);
                Err(e)
            }
        }
    }

    fn restore(&self, counts: Counts) {
        let mut window = self.lock();
        let mut now = window.take();
        for (k, n) in counts.downloads {
            *now.downloads.entry(k).or_default() += n;
        }
        for (k, n) in counts.feed_clients {
            *now.feed_clients.entry(k).or_default() += n;
        }
        window.restore(now);
    }

    /// Clients remembered in the window and the bytes they take.
    pub fn memory(&self) -> (usize, usize) {
        self.lock().memory()
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy,
/// then the nearest address in `X-Forwarded-For` (or `Forwarded: for=`)
/// that is not itself a trusted proxy. Anyone can send those headers, so
/// from any other peer they are ignored.
pub fn client_ip(peer: IpAddr, headers: Headers, trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let chain: Vec<IpAddr> = match (headers.forwarded, headers.forwarded_for) {
        (Some(f), _) => forwarded_for(f),
        (None, Some(x)) => x.split(',').filter_map(|a| parse_ip(a.trim())).collect(),
        (None, None) => Vec::new(),
    };
    chain
        .into_iter()
        .rev()
        .map(canonical)
        .find(|ip| !is_trusted(*ip))
        .unwrap_or(peer)
}

/// `for=` addresses of an RFC 7239 `Forwarded` header, in order.
fn forwarded_for(header: &str) -> Vec<IpAddr> {
    header
        .split(',')
        .flat_map(|element| element.split(';'))
        .filter_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("for")
                .then(|| v.trim().trim_matches('"'))
        })
        .filter_map(parse_ip)
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_ip(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    text.rsplit_once(':')?.0.parse().ok()
}

/// An IPv4 address as such, also when it came IPv4-mapped over IPv6.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h<'a>(xff: Option<&'a str>, fwd: Option<&'a str>) -> Headers<'a> {
        Headers {
            user_agent: "x",
            forwarded_for: xff,
            forwarded: fwd,
        }
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().expect("ip");
        let stranger: IpAddr = "198.51.100.7".parse().expect("ip");
        let trusted = vec![IpNet::parse("10.0.0.0/8").expect("net")];
        let forged = h(Some("203.0.113.9"), None);
        assert_eq!(client_ip(stranger, forged, &trusted), stranger);
        assert_eq!(client_ip(stranger, forged, &[]), stranger);
        assert_eq!(
            client_ip(proxy, h(Some("203.0.113.9, 10.0.0.5"), None), &trusted),
            "203.0.113.9".parse::<IpAddr>().expect("ip")
        );
        assert_eq!(
            client_ip(
                proxy,
                h(None, Some("for=\"[2001:db8::7]:4711\";proto=https")),
                &trusted
            ),
            "2001:db8::7".parse::<IpAddr>().expect("ip")
        );
        assert_eq!(client_ip(proxy, h(None, None), &trusted), proxy);
    }
}
