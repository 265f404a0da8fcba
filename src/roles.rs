//! Roles of the Podcasting 2.0 person taxonomy (`podcast:person role=…`),
//! with the Swedish word the website shows.
//!
//! A leaf: `config` checks `[[channel.people]]` roles with it and `catalog`
//! stores episode credits with it, so neither imports the other for it.

use serde::Serialize;

/// Roles from the Podcasting 2.0 person taxonomy
/// (<https://podcasttaxonomy.com>, `podcast:person role=…`), stored in
/// English as the feed needs them, with the Swedish word the website shows.
pub const SWEDISH_ROLES: &[(&str, &str)] = &[
    ("host", "programledare"),
    ("co-host", "medprogramledare"),
    ("guest host", "gästprogramledare"),
    ("guest", "gäst"),
    ("cameo", "medverkande"),
    ("narrator", "berättare"),
    ("announcer", "speaker"),
    ("reporter", "reporter"),
    ("voice actor", "röstskådespelare"),
    ("producer", "producent"),
    ("executive producer", "exekutiv producent"),
    ("associate producer", "biträdande producent"),
    ("director", "regissör"),
    ("editor", "redaktör"),
    ("researcher", "researcher"),
    ("writer", "manusförfattare"),
    ("translator", "översättare"),
    ("transcriber", "transkriberare"),
    ("audio editor", "ljudredigerare"),
    ("audio engineer", "ljudtekniker"),
    ("sound designer", "ljuddesigner"),
    ("composer", "kompositör"),
    ("cover art designer", "omslagsformgivare"),
];

/// A role from the taxonomy, e.g. `host` or `guest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Role(String);

impl Role {
    /// The host of the show.
    pub fn host() -> Role {
        Role("host".into())
    }

    /// Accepts a taxonomy role in any case (`Guest`, `co-host`); `Err`
    /// carries the closest known role for a did-you-mean hint.
    pub fn parse(s: &str) -> Result<Role, Option<&'static str>> {
        let lower = s.trim().to_lowercase();
        match SWEDISH_ROLES.iter().find(|(en, _)| *en == lower) {
            Some((en, _)) => Ok(Role((*en).to_string())),
            None => Err(SWEDISH_ROLES
                .iter()
                .map(|(en, _)| (strsim::jaro_winkler(&lower, en), *en))
                .filter(|(score, _)| *score >= 0.7)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, en)| en)),
        }
    }

    /// The English taxonomy name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Swedish word shown to listeners.
    pub fn swedish(&self) -> &'static str {
        SWEDISH_ROLES
            .iter()
            .find(|(en, _)| *en == self.0)
            .map_or("medverkande", |(_, sv)| sv)
    }
}
