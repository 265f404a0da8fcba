//! `podcatalog feed`: print a feed to stdout, as the server would serve it now.

use std::io::Write as _;
use std::process::ExitCode;

use url::Url;

use super::Context;
use crate::catalog::episodes;
use crate::feed::Feed;

/// Arguments of `podcatalog feed`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only the episodes this person (slug) takes part in.
    #[arg(long, value_name = "SLUG", conflicts_with = "theme")]
    pub person: Option<String>,
    /// Only the episodes with this theme (slug).
    #[arg(long, value_name = "SLUG")]
    pub theme: Option<String>,
    /// Base URL for every link (default: `channel.base_url`).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<Url>,
}

/// Renders the chosen feed.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let mut config = ctx.config()?;
    if let Some(url) = &args.base_url {
        super::serve::set_base_url(&mut config, url)?;
    }
    let conn = ctx.open(&config)?;
    let all = episodes::list(&conn)?;
    let feed = match (&args.person, &args.theme) {
        (Some(p), _) => Feed::person(&config, &all, p)
            .ok_or_else(|| anyhow::anyhow!("no episode credits a person `{p}`"))?,
        (_, Some(t)) => Feed::theme(&config, &all, t).ok_or_else(|| {
            let hint = config
                .closest_theme(t)
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            anyhow::anyhow!("no theme `{t}` in the config{hint}")
        })?,
        _ => Feed::main(&config, &all),
    };
    let xml = feed.render(&config, chrono::Utc::now());
    std::io::stdout().lock().write_all(xml.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
