//! Who is asking: the OPAWG podcast user-agent list (vendored in
//! `data/opawg-user-agents-v2/`, MIT) applied as its README prescribes.
//! The files are tried in the order bots, apps, libraries, browsers and the
//! first entry whose pattern matches wins; a bot is never counted, anything
//! else is counted and attributed to its entry (or `unknown`). The device
//! comes from the `devices` file, first match wins, for non-bots only.
//!
//! The patterns (about 950) compile once, on first use. Matching an agent
//! against them costs tens of microseconds, so [`Agents::classify`] keeps
//! the answers for the agents it has seen in a bounded cache: logs and
//! servers see a few thousand distinct agents in millions of requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

/// Which list an agent matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A crawler, monitor or tool (curl, Wget, python-requests…): never counted.
    Bot,
    /// A podcast app.
    App,
    /// A media library inside apps and browsers (AppleCoreMedia, ExoPlayer…).
    Library,
    /// A web browser.
    Browser,
    /// Matched nothing: counted, as unknown.
    Unknown,
}

impl Kind {
    /// The name stored and reported (`app`, `library`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bot => "bot",
            Kind::App => "app",
            Kind::Library => "library",
            Kind::Browser => "browser",
            Kind::Unknown => "unknown",
        }
    }
}

/// What the list says about one user agent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Agent {
    /// The list it matched.
    pub kind: Kind,
    /// The entry's name (`Apple Podcasts`, `ExoPlayer`), or `unknown`.
    pub name: Arc<str>,
    /// The device's name (`Apple iPhone`), or `unknown`.
    pub device: Arc<str>,
    /// The device's category (`mobile`, `smart_speaker`, `computer`…).
    pub device_category: Arc<str>,
}

#[derive(Deserialize)]
struct File {
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    pattern: String,
    #[serde(default)]
    category: Option<String>,
}

struct Compiled {
    name: Arc<str>,
    pattern: Regex,
    category: Arc<str>,
}

/// The compiled list.
pub struct Agents {
    lists: Vec<(Kind, Vec<Compiled>)>,
    devices: Vec<Compiled>,
    unknown: Arc<str>,
    cache: Mutex<HashMap<Box<str>, Agent>>,
}

/// Distinct agents remembered; past this the cache starts afresh (hostile
/// clients can send a new agent with every request).
const CACHE: usize = 20_000;

const BOTS: &str = include_str!("../../data/opawg-user-agents-v2/src/bots.json");
const APPS: &str = include_str!("../../data/opawg-user-agents-v2/src/apps.json");
const LIBRARIES: &str = include_str!("../../data/opawg-user-agents-v2/src/libraries.json");
const BROWSERS: &str = include_str!("../../data/opawg-user-agents-v2/src/browsers.json");
const DEVICES: &str = include_str!("../../data/opawg-user-agents-v2/src/devices.json");

static LIST: OnceLock<Agents> = OnceLock::new();

impl Agents {
    /// The vendored list, compiled once per process (a fraction of a second
    /// in a release build: call it off the async threads the first time).
    pub fn shared() -> &'static Agents {
        LIST.get_or_init(|| Agents::parse().expect("the vendored OPAWG list is valid (tested)"))
    }

    /// Whether [`Agents::shared`] is compiled already, so calling it is cheap.
    pub fn is_ready() -> bool {
        LIST.get().is_some()
    }

    fn parse() -> Result<Agents, String> {
        let lists = [
            (Kind::Bot, BOTS),
            (Kind::App, APPS),
            (Kind::Library, LIBRARIES),
            (Kind::Browser, BROWSERS),
        ]
        .into_iter()
        .map(|(kind, text)| compile(text).map(|c| (kind, c)))
        .collect::<Result<_, _>>()?;
        Ok(Agents {
            lists,
            devices: compile(DEVICES)?,
            unknown: "unknown".into(),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Classifies `user_agent` (newlines removed first, as the list asks).
    pub fn classify(&self, user_agent: &str) -> Agent {
        let lock = self.cache.lock();
        if let Ok(cache) = &lock {
            if let Some(hit) = cache.get(user_agent) {
                return hit.clone();
            }
        }
        drop(lock);
        let agent = self.classify_uncached(user_agent);
        // A poisoned cache only loses its hits; the answer stands.
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE {
                cache.clear();
            }
            cache.insert(user_agent.into(), agent.clone());
        }
        agent
    }

    fn classify_uncached(&self, user_agent: &str) -> Agent {
        let ua = user_agent.replace(['\r', '\n'], "");
        let found = self
            .lists
            .iter()
            .find_map(|(kind, list)| first(list, &ua).map(|e| (*kind, e.name.clone())));
        let (kind, name) = found.unwrap_or((Kind::Unknown, self.unknown.clone()));
        let (device, device_category) = match kind {
            Kind::Bot => (self.unknown.clone(), self.unknown.clone()),
            _ => first(&self.devices, &ua).map_or_else(
                || (self.unknown.clone(), self.unknown.clone()),
                |d| (d.name.clone(), d.category.clone()),
            ),
        };
        Agent {
            kind,
            name,
            device,
            device_category,
        }
    }
}

fn first<'a>(list: &'a [Compiled], ua: &str) -> Option<&'a Compiled> {
    list.iter().find(|e| e.pattern.is_match(ua.as_bytes()))
}

fn compile(text: &str) -> Result<Vec<Compiled>, String> {
    let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
    file.entries
        .into_iter()
        .map(|e| {
            // JavaScript semantics, as the list is written for: `\d` and
            // `\w` are ASCII, `.` any character. Without Unicode classes the
            // ~950 patterns also compile in a fraction of the time.
            let pattern = RegexBuilder::new(&e.pattern)
                .unicode(false)
                .build()
                .map_err(|err| format!("{}: {err}", e.name))?;
            Ok(Compiled {
                name: e.name.into(),
                pattern,
                category: e.category.unwrap_or_else(|| "unknown".into()).into(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Examples {
        entries: Vec<Example>,
    }

    #[derive(Deserialize)]
    struct Example {
        name: String,
        #[serde(default)]
        examples: Vec<String>,
    }

    fn examples(text: &str) -> Vec<(String, String)> {
        let file: Examples = serde_json::from_str(text).expect("examples");
        file.entries
            .into_iter()
            .flat_map(|e| {
                let name = e.name;
                e.examples.into_iter().map(move |x| (name.clone(), x))
            })
            .collect()
    }

    /// The list's own test cases: every example matches its entry through
    /// the whole ordered algorithm.
    #[test]
    fn every_opawg_example_matches_its_entry() {
        let agents = Agents::parse().expect("list");
        let cases = [
            (
                Kind::Bot,
                include_str!("../../data/opawg-user-agents-v2/build/bots.examples.json"),
            ),
            (
                Kind::App,
                include_str!("../../data/opawg-user-agents-v2/build/apps.examples.json"),
            ),
            (
                Kind::Library,
                include_str!("../../data/opawg-user-agents-v2/build/libraries.examples.json"),
            ),
            (
                Kind::Browser,
                include_str!("../../data/opawg-user-agents-v2/build/browsers.examples.json"),
            ),
        ];
        let mut checked = 0;
        let mut wrong = Vec::new();
        for (kind, text) in cases {
            for (name, ua) in examples(text) {
                let got = agents.classify(&ua);
                if got.kind != kind || *got.name != name {
                    wrong.push(format!(
                        "{ua:?}: want {kind:?} {name}, got {:?} {}",
                        got.kind, got.name
                    ));
                }
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked}");
        assert!(
            wrong.is_empty(),
            "{} of {checked} wrong:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }

    /// Device examples, checked as the list's own CI checks them: each
    /// matches its entry's pattern. (Not every one is the first match:
    /// `Watch/1140 CFNetwork/…` matches `Apple iPhone`'s `CFNetwork` before
    /// `Apple Watch`; the first match is what the README prescribes and
    /// what we count.)
    #[test]
    fn every_device_example_matches_its_device() {
        let agents = Agents::parse().expect("list");
        let text = include_str!("../../data/opawg-user-agents-v2/build/devices.examples.json");
        let mut wrong = Vec::new();
        let mut checked = 0;
        for (name, ua) in examples(text) {
            let entry = agents
                .devices
                .iter()
                .find(|d| *d.name == name)
                .expect("entry");
            if !entry.pattern.is_match(ua.as_bytes()) {
                wrong.push(format!("{ua:?} does not match {name}"));
            }
            checked += 1;
        }
        assert!(checked > 20, "{checked}");
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn the_list_compiles_quickly() {
        let t = std::time::Instant::now();
        let agents = Agents::parse().expect("list");
        eprintln!("compiled {} lists in {:?}", agents.lists.len(), t.elapsed());
    }

    #[test]
    fn tools_are_bots_and_strangers_are_unknown() {
        let agents = Agents::shared();
        for ua in ["curl/8.5.0", "Wget/1.21.4", "python-requests/2.31.0"] {
            assert_eq!(agents.classify(ua).kind, Kind::Bot, "{ua}");
        }
        let stranger = agents.classify("Zzyzx-Player/0.1");
        assert_eq!((stranger.kind, &*stranger.name), (Kind::Unknown, "unknown"));
        let apple = agents
            .classify("AppleCoreMedia/1.0.0.20E247 (iPhone; U; CPU OS 16_4 like Mac OS X; sv_se)");
        assert_eq!(apple.kind, Kind::Library);
        assert_eq!(&*apple.device, "Apple iPhone");
    }
}
