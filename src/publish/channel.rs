//! The show's own rules: a real owner to contact, a fixed `podcast:guid`,
//! a public `https` address and the show's artwork.

use super::links::{Remote, https_rule};
use super::{Finding, Rule, Source, Subject, artwork};
use crate::config::Config;

/// Why `email` cannot be a real contact, if it cannot: a domain reserved
/// for examples or tests (RFC 2606, RFC 6761), a local name, an address
/// literal, or a domain without a dot.
pub fn placeholder_email(email: &str) -> Option<String> {
    let Some((_, domain)) = email.rsplit_once('@') else {
        return Some("has no @domain".into());
    };
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let reserved_names = ["example.com", "example.org", "example.net", "localhost"];
    let reserved_tlds = ["example", "test", "invalid", "localhost", "local"];
    let tld = domain.rsplit('.').next().unwrap_or_default();
    if reserved_names
        .iter()
        .any(|r| domain == *r || domain.ends_with(&format!(".{r}")))
    {
        Some(format!("uses {domain}, a domain reserved for examples"))
    } else if reserved_tlds.contains(&tld) && domain.contains('.') {
        Some(format!(
            "uses .{tld}, a top-level domain reserved for tests and examples"
        ))
    } else if domain.starts_with('[') || domain.parse::<std::net::IpAddr>().is_ok() {
        Some("names an IP address, not a mail domain".into())
    } else if !domain.contains('.') {
        Some(format!("`{domain}` is not a real mail domain"))
    } else {
        None
    }
}

/// Every channel rule.
pub(super) fn check(config: &Config, remote: Option<&Remote>) -> Vec<Finding> {
    let ch = &config.channel;
    let at = Subject::Channel;
    let mut out = owner(config);
    if ch.podcast_guid.is_none() {
        out.push(derived_guid(config));
    }
    let base = &ch.configured_base_url;
    if crate::remote::is_loopback(base) {
        const PREVIEW: Rule = Rule::warning("base-url-public", Source::Apple);
        let msg = format!(
            "`channel.base_url` is {base}, this machine's own address: directories cannot fetch the feed. \
             Set the public https address before publishing"
        );
        out.push(PREVIEW.at(&at, "channel.base_url", msg));
    } else {
        out.extend(https_rule(&at, "channel.base_url", base.as_str()));
    }
    // Categories need no rule here: `Config::parse` refuses any that is not
    // on Apple's list, so a config that loads has only Apple's.
    out.extend(artwork::check(
        config,
        &at,
        "channel.image",
        &ch.image,
        remote,
    ));
    out
}

/// The show's `podcast:guid` must outlive any move of the feed, so it
/// belongs in the config, not derived from today's address.
fn derived_guid(config: &Config) -> Finding {
    const GUID: Rule = Rule::warning("podcast-guid-fixed", Source::PodcastIndex);
    let at = Subject::Channel;
    let msg = if crate::remote::is_loopback(&config.channel.configured_base_url) {
        "no `channel.podcast_guid` is set: write the guid the show already has into feed-config.toml, \
         or, for a new show, set `channel.base_url` to the public address first and write the guid this check then proposes"
            .to_string()
    } else {
        let derived = crate::feed::podcast_guid(&crate::feed::Links::for_config(config).feed());
        format!(
            "no `channel.podcast_guid` is set, so it is derived from the feed URL ({derived}) and changes if the feed ever moves: \
             write `podcast_guid = \"{derived}\"` (or the guid the show already has) into feed-config.toml before publishing"
        )
    };
    GUID.at(&at, "channel.podcast_guid", msg)
}

/// Apple writes to the owner about the show; the Podcast Index lets only
/// the owner's address move a `podcast:locked` feed.
fn owner(config: &Config) -> Vec<Finding> {
    const MISSING: Rule = Rule::error("owner-email", Source::Apple);
    const PLACEHOLDER: Rule = Rule::error("owner-email-placeholder", Source::Apple);
    const LOCKED: Rule = Rule::error("locked-owner", Source::PodcastIndex);
    let at = Subject::Channel;
    let ch = &config.channel;
    let problem = match &ch.owner {
        None => {
            let msg = "feed-config.toml names no `[channel.owner]`; Apple requires the owner's name and e-mail (itunes:owner): add them".to_string();
            Some((
                MISSING.at(&at, "channel.owner", msg),
                "no owner e-mail is set".to_string(),
            ))
        }
        Some(owner) => placeholder_email(&owner.email).map(|why| {
            let msg = format!(
                "`{}` {why}: it is a placeholder, yet it would be published as itunes:email. \
                 Set the address where the show's owner reads mail",
                owner.email
            );
            (
                PLACEHOLDER.at(&at, "channel.owner.email", msg),
                format!("the owner e-mail `{}` is a placeholder", owner.email),
            )
        }),
    };
    let Some((finding, why)) = problem else {
        return Vec::new();
    };
    let mut out = vec![finding];
    if ch.locked {
        let msg = format!(
            "`channel.locked = true` but {why}: only the owner's address can release the lock to move the show. Set a real owner e-mail"
        );
        out.push(LOCKED.at(&at, "channel.owner.email", msg));
    }
    out
}
