//! `--theme-map FILE`: themes are never guessed from text. The producer
//! maps the old feed's categories and keywords to theme slugs of
//! `feed-config.toml`, one TOML key each:
//!
//! ```toml
//! "Demokrati" = "medborgardialog"
//! "Agenda 2030" = ["agenda-2030", "lokalt-sjalvstyre"]
//! ```
//!
//! Keys match ignoring case and surrounding spaces; what no key maps is
//! reported.

use std::collections::{BTreeSet, HashMap};

use crate::catalog::file::FileError;
use crate::config::Config;

/// Old category or keyword (lower case) → theme slugs.
#[derive(Debug, Clone, Default)]
pub struct ThemeMap {
    map: HashMap<String, Vec<String>>,
    given: bool,
}

impl ThemeMap {
    /// Parses the map, checking every slug against the configured themes.
    pub fn parse(text: &str, path: &str, config: &Config) -> Result<ThemeMap, FileError> {
        let err = |line, reason: String| FileError {
            path: path.into(),
            line,
            field: None,
            reason,
        };
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| err(None, crate::config::describe_toml_error(&e, text)))?;
        let mut map = HashMap::new();
        for (key, value) in table {
            let slugs: Vec<String> = match value {
                toml::Value::String(s) => vec![s],
                toml::Value::Array(a) => a
                    .into_iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or_else(|| {
                        err(
                            None,
                            format!("`{key}`: give a theme slug or a list of them"),
                        )
                    })?,
                _ => {
                    return Err(err(
                        None,
                        format!("`{key}`: give a theme slug or a list of them"),
                    ));
                }
            };
            for slug in &slugs {
                if config.theme(slug).is_none() {
                    let hint = config
                        .closest_theme(slug)
                        .map(|h| format!(" (did you mean `{h}`?)"))
                        .unwrap_or_default();
                    let at = text
                        .find(&format!("\"{slug}\""))
                        .map(|i| crate::config::line_of(text, i));
                    return Err(err(
                        at,
                        format!(
                            "`{key}`: unknown theme `{slug}`{hint}; themes are declared in feed-config.toml"
                        ),
                    ));
                }
            }
            map.insert(key.trim().to_lowercase(), slugs);
        }
        Ok(ThemeMap { map, given: true })
    }

    /// The themes `keywords` map to, in order, each once; the unmapped
    /// keywords go into `unmapped`.
    pub fn themes_for(&self, keywords: &[String], unmapped: &mut BTreeSet<String>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for k in keywords {
            match self.map.get(&k.trim().to_lowercase()) {
                Some(slugs) => {
                    for s in slugs {
                        if !out.contains(s) {
                            out.push(s.clone());
                        }
                    }
                }
                None if self.given || !k.is_empty() => {
                    unmapped.insert(k.clone());
                }
                None => {}
            }
        }
        out
    }
}
