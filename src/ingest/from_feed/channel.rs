//! The old feed's channel as a proposed `feed-config.toml`: the current
//! config (or a skeleton) with the `[channel]` keys the feed states
//! replaced, validated as a config, and the differences listed so the
//! producer can review them before adopting the file.

use toml::{Table, Value};

use crate::config::{Config, is_apple_category};
use crate::import_feed::Channel;

/// A proposed config.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The TOML text to write.
    pub text: String,
    /// `channel.key: old -> new`, one per changed key.
    pub diff: Vec<String>,
    /// What the feed has that no setting holds, or that was not taken.
    pub notes: Vec<String>,
    /// Why the proposal is not yet a valid config, if it is not.
    pub invalid: Option<String>,
}

/// The address a new project previews on until the producer sets its own.
const PREVIEW_BASE_URL: &str = "http://127.0.0.1:8080/";

/// Builds the proposal from `current` (the config file's text, if any).
/// `derived_guid` is the show's `podcast:guid` as the namespace derives it
/// from the old feed's URL, for feeds that do not state one: the show keeps
/// its identity either way.
pub fn propose(current: Option<&str>, ch: &Channel, derived_guid: Option<String>) -> Proposal {
    let mut root: Table = current
        .and_then(|t| toml::from_str(t).ok())
        .unwrap_or_default();
    let mut notes = Vec::new();
    let old = root
        .get("channel")
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    let mut new = old.clone();
    new.entry("base_url")
        .or_insert_with(|| PREVIEW_BASE_URL.into());
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            new.insert(key.into(), v);
        }
    };
    let s = |v: &Option<String>| v.clone().map(Value::String);
    set("title", s(&ch.title));
    set("description", s(&ch.description).or_else(|| s(&ch.title)));
    set("language", s(&ch.language));
    set("author", s(&ch.author));
    set("image", s(&ch.image));
    set("copyright", s(&ch.copyright));
    set("explicit", ch.explicit.map(Value::Boolean));
    set("locked", ch.locked.map(Value::Boolean));
    set(
        "type",
        ch.kind
            .clone()
            .filter(|k| k == "episodic" || k == "serial")
            .map(Value::String),
    );
    let guid = ch.podcast_guid.clone().or(derived_guid);
    match guid.as_deref().map(uuid::Uuid::try_parse) {
        Some(Ok(g)) => set("podcast_guid", Some(Value::String(g.to_string()))),
        Some(Err(_)) => notes.push(format!(
            "podcast:guid `{}` is not a UUID; not kept",
            guid.unwrap_or_default()
        )),
        None => {}
    }
    let categories: Vec<Value> = ch
        .categories
        .iter()
        .filter(|c| {
            let mut parts = c.splitn(2, '>').map(str::trim);
            let ok = is_apple_category(parts.next().unwrap_or(""), parts.next());
            if !ok {
                notes.push(format!(
                    "itunes:category `{c}` is not one of Apple's; left out"
                ));
            }
            ok
        })
        .map(|c| Value::String(c.clone()))
        .collect();
    set(
        "categories",
        (!categories.is_empty()).then_some(Value::Array(categories)),
    );
    let mut owner = old
        .get("owner")
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    if let Some(name) = &ch.owner.0 {
        owner.insert("name".into(), name.clone().into());
    }
    if let Some(email) = &ch.owner.1 {
        owner.insert("email".into(), email.clone().into());
    }
    new.insert("owner".into(), Value::Table(owner));
    // Keys a config must have that the feed (and the current config) lack:
    // the author falls back to the owner (Apple: who makes the show); the
    // rest stay empty, named in the notes, for the producer to fill in.
    let owner_name = ch.owner.0.clone().or_else(|| ch.title.clone());
    if let (false, Some(name)) = (new.contains_key("author"), owner_name) {
        new.insert("author".into(), name.into());
    }
    for key in ["copyright", "image"] {
        if !new.contains_key(key) {
            new.insert(key.into(), "".into());
            notes.push(format!(
                "the feed has no {key}; channel.{key} is left empty: fill it in"
            ));
        }
    }
    for (url, text) in &ch.funding {
        notes.push(format!(
            "podcast:funding {url} ({text}): podcatalog has no setting for it; not kept"
        ));
    }
    if let Some(url) = &ch.new_feed_url {
        notes.push(format!(
            "the old feed already says it moved to {url} (itunes:new-feed-url)"
        ));
    }
    let diff = diff("channel", &old, &new);
    root.insert("channel".into(), Value::Table(new));
    let text = format!(
        "# Proposed by `podcatalog import-feed` from the old feed's channel.\n\
         # Review it, set `base_url` to the show's public address, then use it as feed-config.toml.\n{}",
        toml::to_string_pretty(&root).unwrap_or_default()
    );
    let invalid = Config::parse(&text, "proposed config")
        .err()
        .map(|e| e.to_string());
    Proposal {
        text,
        diff,
        notes,
        invalid,
    }
}

/// `prefix.key: old -> new` for every key that differs, nested tables by key.
fn diff(prefix: &str, old: &Table, new: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in new {
        let path = format!("{prefix}.{key}");
        match (old.get(key), value) {
            (Some(Value::Table(o)), Value::Table(n)) => out.extend(diff(&path, o, n)),
            (Some(o), n) if o == n => {}
            (Some(o), n) => out.push(format!("{path}: {o} -> {n}")),
            (None, n) => out.push(format!("{path}: (not set) -> {n}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_channel_replaces_stated_keys_and_lists_the_changes() {
        let current =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/feed-config.toml"))
                .expect("shipped config");
        let ch = Channel {
            title: Some("Ny titel".into()),
            categories: vec!["Government".into(), "Nonsense".into()],
            owner: (None, Some("pod@skr.se".into())),
            podcast_guid: Some("917393e3-1b1e-5cef-ace4-edaa54e1f810".into()),
            ..Channel::default()
        };
        let p = propose(Some(&current), &ch, None);
        assert!(p.invalid.is_none(), "{:?}", p.invalid);
        assert!(
            p.diff
                .iter()
                .any(|d| d.starts_with("channel.title: \"Demokratiresan\" -> \"Ny titel\"")),
            "{:?}",
            p.diff
        );
        assert!(
            p.diff.iter().any(|d| d.starts_with("channel.owner.email")),
            "{:?}",
            p.diff
        );
        assert!(p.notes.iter().any(|n| n.contains("Nonsense")));
        let config = Config::parse(&p.text, "x").expect("valid");
        assert_eq!(
            config.themes.len(),
            Config::parse(&current, "y").expect("valid").themes.len()
        );
        assert_eq!(config.channel.categories.len(), 1);
    }
}
