//! Episode fields given as flags to `add` and `edit`. They are turned into
//! the same TOML table an episode file holds and parsed by the same code,
//! so flags and files are validated identically.

use std::path::PathBuf;

use anyhow::{Context, bail};
use toml::{Table, Value};

/// Flags that set episode fields; each overrides the same field of `--file`
/// (for `add`) or of the stored episode (for `edit`).
#[derive(Debug, Default, clap::Args)]
pub struct FieldArgs {
    /// Read the fields from an episode TOML file (as in `episodes/`).
    #[arg(long, value_name = "TOML")]
    pub file: Option<PathBuf>,
    /// Audio file to probe and copy into the media folder.
    #[arg(long, value_name = "FILE", conflicts_with = "audio_url")]
    pub audio: Option<PathBuf>,
    /// Remote audio (https); length, type and duration are probed over HTTP.
    #[arg(long, value_name = "URL")]
    pub audio_url: Option<String>,
    /// Episode number.
    #[arg(long)]
    pub number: Option<u32>,
    /// Remove the episode number (unnumbered episode).
    #[arg(long, conflicts_with = "number")]
    pub no_number: bool,
    /// Season number.
    #[arg(long)]
    pub season: Option<u32>,
    /// Title, without number or show name.
    #[arg(long)]
    pub title: Option<String>,
    /// URL slug (default: number and title).
    #[arg(long)]
    pub slug: Option<String>,
    /// full, trailer or bonus.
    #[arg(long = "type", value_name = "TYPE")]
    pub episode_type: Option<String>,
    /// Publication date (2022-11-21 means 06:00 Swedish time) or time.
    #[arg(long)]
    pub published: Option<String>,
    /// Mark the date as approximate (only the period is known).
    #[arg(long)]
    pub date_approximate: Option<bool>,
    /// One-sentence summary.
    #[arg(long)]
    pub summary: Option<String>,
    /// Show notes (Markdown).
    #[arg(long)]
    pub description: Option<String>,
    /// Explicit content.
    #[arg(long)]
    pub explicit: Option<bool>,
    /// Theme slug; repeat for several. Replaces the episode's themes.
    #[arg(long = "theme", value_name = "SLUG")]
    pub themes: Vec<String>,
    /// `ROLE:NAME[:TITLE]`, e.g. `guest:Anna Hed:Kommunstyrelsens ordförande, Mora kommun`;
    /// repeat for several. Together with --host/--guest, replaces the episode's people.
    #[arg(long = "person", value_name = "ROLE:NAME[:TITLE]")]
    pub people: Vec<String>,
    /// Host name; shorthand for `--person host:NAME`.
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
    /// Guest, `NAME[:TITLE]`; shorthand for `--person guest:NAME[:TITLE]`.
    #[arg(long = "guest", value_name = "NAME[:TITLE]")]
    pub guests: Vec<String>,
}

impl FieldArgs {
    /// The `--file` table (or an empty one) with every flag applied.
    pub fn base_table(&self) -> anyhow::Result<Option<Table>> {
        let Some(path) = &self.file else {
            return Ok(None);
        };
        let text = crate::ingest::read_text(path)?;
        let table = text
            .parse::<Table>()
            .with_context(|| format!("{}: not valid TOML", path.display()))?;
        Ok(Some(table))
    }

    /// Applies every given flag to `table`.
    pub fn apply(&self, table: &mut Table) -> anyhow::Result<()> {
        let mut set = |key: &str, v: Option<Value>| {
            if let Some(v) = v {
                table.insert(key.into(), v);
            }
        };
        set("number", self.number.map(|n| Value::Integer(n.into())));
        set("season", self.season.map(|n| Value::Integer(n.into())));
        set("title", self.title.clone().map(Value::String));
        set("slug", self.slug.clone().map(Value::String));
        set("type", self.episode_type.clone().map(Value::String));
        set("published", self.published.clone().map(Value::String));
        set(
            "date_approximate",
            self.date_approximate.map(Value::Boolean),
        );
        set("summary", self.summary.clone().map(Value::String));
        set("description", self.description.clone().map(Value::String));
        set("explicit", self.explicit.map(Value::Boolean));
        if let Some(url) = &self.audio_url {
            table.remove("audio");
            table.insert("audio_url".into(), Value::String(url.clone()));
        }
        if self.no_number {
            table.remove("number");
        }
        if !self.themes.is_empty() {
            let list = self.themes.iter().cloned().map(Value::String).collect();
            table.insert("themes".into(), Value::Array(list));
        }
        let people = self.people()?;
        if !people.is_empty() {
            table.insert("people".into(), Value::Array(people));
        }
        Ok(())
    }

    fn people(&self) -> anyhow::Result<Vec<Value>> {
        let hosts = self.hosts.iter().map(|h| format!("host:{h}"));
        let guests = self.guests.iter().map(|g| format!("guest:{g}"));
        let all = hosts.chain(guests).chain(self.people.iter().cloned());
        all.map(|spec| person(&spec)).collect()
    }
}

/// `ROLE:NAME[:TITLE]` as an episode-file `[[people]]` table.
fn person(spec: &str) -> anyhow::Result<Value> {
    let mut parts = spec.splitn(3, ':');
    let (Some(role), Some(name)) = (parts.next(), parts.next()) else {
        bail!(
            "--person `{spec}`: write ROLE:NAME or ROLE:NAME:TITLE, e.g. guest:Anna Hed:Kommunstyrelsens ordförande"
        )
    };
    let mut t = Table::new();
    t.insert("name".into(), Value::String(name.trim().into()));
    t.insert("role".into(), Value::String(role.trim().into()));
    if let Some(title) = parts.next() {
        t.insert("title".into(), Value::String(title.trim().into()));
    }
    Ok(Value::Table(t))
}
