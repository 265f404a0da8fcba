//! The serde shape of `feed-config.toml` and its validation into
//! [`Config`](super::Config). Values that need checking are `Spanned` so an
//! error can name the line they stand on.

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::apple::{is_language_tag, parse_category};
use super::{Channel, ChannelPerson, Config, ConfigError, Owner, Server, ShowType, Theme, line_of};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    channel: RawChannel,
    #[serde(default)]
    themes: Vec<RawTheme>,
    #[serde(default)]
    server: RawServer,
    #[serde(default)]
    stats: RawStats,
    #[serde(default)]
    loudness: super::loudness::RawLoudness,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawStats {
    enabled: bool,
    trusted_proxies: Vec<Spanned<String>>,
    public: bool,
    op3: bool,
}

impl Default for RawStats {
    fn default() -> Self {
        let d = crate::config::Stats::default();
        RawStats {
            enabled: d.enabled,
            trusted_proxies: Vec::new(),
            public: d.public,
            op3: d.op3,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    title: Spanned<String>,
    description: Spanned<String>,
    language: Spanned<String>,
    author: String,
    #[serde(default)]
    owner: Option<RawOwner>,
    base_url: Spanned<String>,
    image: String,
    categories: Vec<Spanned<String>>,
    #[serde(default)]
    explicit: bool,
    #[serde(default = "episodic")]
    r#type: ShowType,
    copyright: String,
    #[serde(default)]
    websub_hub: Option<Spanned<String>>,
    #[serde(default)]
    locked: bool,
    #[serde(default)]
    apple_podcasts_url: Option<Spanned<String>>,
    #[serde(default)]
    spotify_url: Option<Spanned<String>>,
    #[serde(default)]
    podcast_guid: Option<Spanned<String>>,
    #[serde(default)]
    new_feed_url: Option<Spanned<String>>,
    #[serde(default)]
    people: Vec<RawPerson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: Spanned<String>,
    role: Spanned<String>,
    #[serde(default)]
    href: Option<Spanned<String>>,
    #[serde(default)]
    img: Option<Spanned<String>>,
}

fn episodic() -> ShowType {
    ShowType::Episodic
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOwner {
    name: String,
    email: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    slug: Spanned<String>,
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawServer {
    listen: String,
    database: PathBuf,
    media_dir: PathBuf,
    episodes_dir: PathBuf,
    feed_path: Option<Spanned<String>>,
}

impl Default for RawServer {
    fn default() -> Self {
        RawServer {
            listen: "127.0.0.1:8080".into(),
            database: "podcatalog.db".into(),
            media_dir: "media".into(),
            episodes_dir: "episodes".into(),
            feed_path: None,
        }
    }
}

/// Context for building `Invalid` errors that point at a value's line.
pub(super) struct Checker<'a> {
    text: &'a str,
    path: &'a str,
}

impl Checker<'_> {
    pub(super) fn invalid<T>(&self, key: &str, value: &Spanned<T>, reason: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_string(),
            line: line_of(self.text, value.span().start),
            key: key.to_string(),
            reason,
        }
    }
}

/// Parses and validates; see [`Config::parse`].
pub(super) fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: path.to_string(),
        message: crate::config::describe_toml_error(&e, text),
    })?;
    let check = Checker { text, path };
    Ok(Config {
        channel: channel(raw.channel, &check)?,
        themes: themes(raw.themes, &check)?,
        server: Server {
            feed_path: feed_path(raw.server.feed_path.as_ref(), &check)?,
            listen: raw.server.listen,
            database: raw.server.database,
            media_dir: raw.server.media_dir,
            episodes_dir: raw.server.episodes_dir,
        },
        stats: stats(raw.stats, &check)?,
        loudness: super::loudness::validate(raw.loudness, &check)?,
    })
}

/// `[stats]`: every trusted proxy must be an address or a block.
fn stats(raw: RawStats, check: &Checker) -> Result<crate::config::Stats, ConfigError> {
    let trusted_proxies = raw
        .trusted_proxies
        .iter()
        .map(|p| {
            crate::config::IpNet::parse(p.get_ref()).ok_or_else(|| {
                let reason = format!(
                    "`{}` is not an IP address or block (e.g. `127.0.0.1` or `10.0.0.0/8`)",
                    p.get_ref()
                );
                check.invalid("stats.trusted_proxies", p, reason)
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(crate::config::Stats {
        enabled: raw.enabled,
        trusted_proxies,
        public: raw.public,
        op3: raw.op3,
    })
}

/// An optional https link to the show in a listening app.
fn app_link(
    key: &str,
    value: Option<Spanned<String>>,
    check: &Checker,
) -> Result<Option<Url>, ConfigError> {
    let Some(value) = value else { return Ok(None) };
    match Url::parse(value.get_ref()) {
        Ok(url) if url.scheme() == "https" && url.host_str().is_some() => Ok(Some(url)),
        _ => {
            let reason = format!("`{}` is not an https URL", value.get_ref());
            Err(check.invalid(key, &value, reason))
        }
    }
}

fn channel(raw: RawChannel, check: &Checker) -> Result<Channel, ConfigError> {
    non_empty("channel.title", &raw.title, check)?;
    non_empty("channel.description", &raw.description, check)?;
    if raw.description.get_ref().len() > 4000 {
        let reason = format!(
            "is {} bytes; Apple accepts at most 4000",
            raw.description.get_ref().len()
        );
        return Err(check.invalid("channel.description", &raw.description, reason));
    }
    if !is_language_tag(raw.language.get_ref()) {
        let reason = format!(
            "`{}` is not an ISO 639-1 language code (e.g. `sv` or `sv-SE`)",
            raw.language.get_ref()
        );
        return Err(check.invalid("channel.language", &raw.language, reason));
    }
    let base_url = base_url(&raw.base_url, check)?;
    let websub_hub = match &raw.websub_hub {
        Some(hub) => Some(http_url("channel.websub_hub", hub, check)?),
        None => None,
    };
    let owner = match raw.owner {
        Some(o) => Some(owner(o, check)?),
        None => None,
    };
    if raw.categories.is_empty() {
        let reason = "name at least one Apple category".to_string();
        return Err(check.invalid("channel.title", &raw.title, reason));
    }
    let mut categories = Vec::new();
    for c in &raw.categories {
        let parsed = parse_category(c.get_ref())
            .map_err(|reason| check.invalid("channel.categories", c, reason))?;
        categories.push(parsed);
    }
    Ok(Channel {
        title: raw.title.into_inner(),
        description: raw.description.into_inner(),
        language: raw.language.into_inner(),
        author: raw.author,
        owner,
        configured_base_url: base_url.clone(),
        base_url,
        podcast_guid: podcast_guid(raw.podcast_guid.as_ref(), check)?,
        image: raw.image,
        categories,
        explicit: raw.explicit,
        kind: raw.r#type,
        copyright: raw.copyright,
        websub_hub,
        locked: raw.locked,
        apple_podcasts_url: app_link("channel.apple_podcasts_url", raw.apple_podcasts_url, check)?,
        spotify_url: app_link("channel.spotify_url", raw.spotify_url, check)?,
        new_feed_url: match &raw.new_feed_url {
            Some(url) => Some(http_url("channel.new_feed_url", url, check)?),
            None => None,
        },
        people: raw
            .people
            .into_iter()
            .map(|p| person(p, check))
            .collect::<Result<_, _>>()?,
    })
}

/// `[channel.owner]`: the e-mail must at least have the shape of one;
/// whether it is a real, reachable address is `check --publish`'s concern.
fn owner(raw: RawOwner, check: &Checker) -> Result<Owner, ConfigError> {
    let email = raw.email.get_ref();
    if !looks_like_email(email) {
        let reason = format!("`{email}` is not an e-mail address");
        return Err(check.invalid("channel.owner.email", &raw.email, reason));
    }
    Ok(Owner {
        name: raw.name,
        email: raw.email.into_inner(),
    })
}

/// One `[[channel.people]]` entry: a name, a taxonomy role, optional links.
fn person(raw: RawPerson, check: &Checker) -> Result<ChannelPerson, ConfigError> {
    non_empty("channel.people.name", &raw.name, check)?;
    let role = crate::roles::Role::parse(raw.role.get_ref()).map_err(|hint| {
        let hint = hint
            .map(|h| format!(" (did you mean `{h}`?)"))
            .unwrap_or_default();
        let reason = format!(
            "`{}` is not a Podcasting 2.0 taxonomy role{hint}",
            raw.role.get_ref()
        );
        check.invalid("channel.people.role", &raw.role, reason)
    })?;
    let link = |key: &str, value: &Option<Spanned<String>>| match value {
        Some(v) => http_url(key, v, check).map(Some),
        None => Ok(None),
    };
    Ok(ChannelPerson {
        href: link("channel.people.href", &raw.href)?,
        img: link("channel.people.img", &raw.img)?,
        name: raw.name.into_inner(),
        role: role.as_str().to_string(),
    })
}

fn non_empty(key: &str, value: &Spanned<String>, check: &Checker) -> Result<(), ConfigError> {
    if value.get_ref().trim().is_empty() {
        return Err(check.invalid(key, value, "must not be empty".into()));
    }
    Ok(())
}

/// The base URL must be absolute http(s); a trailing `/` is added so that
/// joining `feed.xml` keeps any path prefix (`https://x.se/podd/`).
fn base_url(raw: &Spanned<String>, check: &Checker) -> Result<Url, ConfigError> {
    let text = raw.get_ref();
    let mut url = Url::parse(text).map_err(|e| {
        let reason =
            format!("`{text}` is not an absolute URL ({e}); write e.g. `https://example.se/`");
        check.invalid("channel.base_url", raw, reason)
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        let reason = format!("`{text}` must be an http or https URL with a host");
        return Err(check.invalid("channel.base_url", raw, reason));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// `channel.podcast_guid`: a UUID (any version; the Podcast Index mints
/// v5, a show moving here may bring the one it already published).
fn podcast_guid(
    raw: Option<&Spanned<String>>,
    check: &Checker,
) -> Result<Option<uuid::Uuid>, ConfigError> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get_ref().trim();
    let parsed = uuid::Uuid::try_parse(text).ok().filter(|u| !u.is_nil());
    match parsed {
        Some(uuid) => Ok(Some(uuid)),
        None => {
            let reason = format!(
                "`{text}` is not a UUID; write e.g. `ead4c236-bf58-58c6-a2c6-a6b28d128cb6`, \
                 or leave the key out to derive it from the feed URL"
            );
            Err(check.invalid("channel.podcast_guid", raw, reason))
        }
    }
}

/// First path segments the server's own routes use; a feed there would
/// shadow them.
const RESERVED: &[&str] = &[
    "media", "personer", "teman", "avsnitt", "assets", "api", "sok",
];

/// `server.feed_path`: a relative URL path of plain names, `feed.xml` by default.
fn feed_path(raw: Option<&Spanned<String>>, check: &Checker) -> Result<String, ConfigError> {
    let Some(raw) = raw else {
        return Ok("feed.xml".into());
    };
    let text = raw.get_ref();
    let plain = |seg: &str| {
        !seg.is_empty()
            && !seg.starts_with('.')
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if !text.split('/').all(plain) {
        let reason = format!(
            "`{text}` must be a relative path of names made of a-z, 0-9, `-`, `_`, `.` (e.g. `feed.xml` or `podd/rss.xml`)"
        );
        return Err(check.invalid("server.feed_path", raw, reason));
    }
    let first = text.split('/').next().unwrap_or_default();
    if RESERVED.contains(&first) {
        let reason =
            format!("`{first}/` is where the server serves other things; choose another path");
        return Err(check.invalid("server.feed_path", raw, reason));
    }
    Ok(text.clone())
}

/// An absolute http(s) URL with a host, e.g. a WebSub hub.
fn http_url(key: &str, raw: &Spanned<String>, check: &Checker) -> Result<Url, ConfigError> {
    let text = raw.get_ref();
    match Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(url),
        _ => {
            let reason = format!("`{text}` is not an http or https URL");
            Err(check.invalid(key, raw, reason))
        }
    }
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn themes(raw: Vec<RawTheme>, check: &Checker) -> Result<Vec<Theme>, ConfigError> {
    let mut out: Vec<Theme> = Vec::new();
    for t in raw {
        let slug = t.slug.get_ref();
        if crate::slug::slugify(slug) != *slug {
            let reason = format!("`{slug}` is not a slug: use lowercase a-z, 0-9 and `-`");
            return Err(check.invalid("themes.slug", &t.slug, reason));
        }
        if out.iter().any(|o| o.slug == *slug) {
            let reason = format!("theme `{slug}` is declared twice");
            return Err(check.invalid("themes.slug", &t.slug, reason));
        }
        out.push(Theme {
            slug: t.slug.into_inner(),
            name: t.name,
            description: t.description,
        });
    }
    Ok(out)
}
