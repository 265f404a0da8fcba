//! Reading the counts back: downloads grouped by day, week, month,
//! episode, app or device over a period, and the subscriber estimate. The
//! catalogue's episodes give numbers, slugs, titles and publication dates.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, params};

use crate::catalog::Episode;

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// One row per UTC day.
    Day,
    /// One row per ISO week (`2026-W49`).
    Week,
    /// One row per month (`2026-12`).
    Month,
    /// One row per episode.
    Episode,
    /// One row per app (or library, browser, `unknown`).
    App,
    /// One row per device.
    Device,
}

/// Which counts.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this episode (by guid).
    pub episode: Option<String>,
    /// From this day on (inclusive).
    pub since: Option<NaiveDate>,
    /// Up to this day (inclusive).
    pub until: Option<NaiveDate>,
}

/// One row of a report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    /// The group: a day, week, month, episode guid, app or device.
    pub key: String,
    /// A second part of the group: the app's kind or the device's category.
    pub detail: Option<String>,
    /// Downloads in the group.
    pub downloads: u64,
}

fn bounds(f: &Filter) -> (String, String) {
    let day = |d: Option<NaiveDate>, or: &str| d.map_or(or.to_string(), |d| d.to_string());
    (day(f.since, "0000-00-00"), day(f.until, "9999-99-99"))
}

/// Downloads grouped `by`, in the group's order (time, or most first).
pub fn downloads(conn: &Connection, filter: &Filter, by: By) -> rusqlite::Result<Vec<Row>> {
    let (group, detail) = match by {
        By::Day | By::Week => ("day", "NULL"),
        By::Month => ("substr(day, 1, 7)", "NULL"),
        By::Episode => ("episode_guid", "NULL"),
        By::App => ("app", "kind"),
        By::Device => ("device", "device_category"),
    };
    let sql = format!(
        "SELECT {group}, {detail}, SUM(downloads) FROM download_count \
         WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR episode_guid = ?3) \
         GROUP BY 1, 2 ORDER BY 1"
    );
    let (since, until) = bounds(filter);
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![since, until, filter.episode], |r| {
        Ok(Row {
            key: r.get(0)?,
            detail: r.get(1)?,
            downloads: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        })
    })?;
    let mut rows: Vec<Row> = rows.collect::<Result<_, _>>()?;
    match by {
        By::Week => rows = weeks(rows),
        By::Episode | By::App | By::Device => {
            rows.sort_by(|a, b| b.downloads.cmp(&a.downloads).then(a.key.cmp(&b.key)));
        }
        By::Day | By::Month => {}
    }
    Ok(rows)
}

/// Days summed into ISO weeks.
fn weeks(days: Vec<Row>) -> Vec<Row> {
    let mut out: BTreeMap<String, u64> = BTreeMap::new();
    for r in days {
        if let Ok(d) = NaiveDate::parse_from_str(&r.key, "%Y-%m-%d") {
            let w = d.iso_week();
            *out.entry(format!("{}-W{:02}", w.year(), w.week()))
                .or_default() += r.downloads;
        }
    }
    out.into_iter()
        .map(|(key, downloads)| Row {
            key,
            detail: None,
            downloads,
        })
        .collect()
}

/// The subscriber estimate: per day, distinct clients that fetched the
/// show's feed (all apps together).
pub fn feed_clients(conn: &Connection, filter: &Filter, feed: &str) -> rusqlite::Result<Vec<Row>> {
    let (since, until) = bounds(filter);
    let mut stmt = conn.prepare(
        "SELECT day, SUM(clients) FROM feed_client_count \
         WHERE feed = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day ORDER BY day",
    )?;
    let rows = stmt.query_map(params![feed, since, until], |r| {
        Ok(Row {
            key: r.get(0)?,
            detail: None,
            downloads: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
        })
    })?;
    rows.collect()
}

/// Each episode's downloads in its first 7, 30 and 90 days after
/// publication, so launches can be compared: guid → [d7, d30, d90].
pub fn launches(
    conn: &Connection,
    episodes: &[Episode],
) -> rusqlite::Result<HashMap<String, [u64; 3]>> {
    let published: HashMap<&str, NaiveDate> = episodes
        .iter()
        .map(|e| (e.guid.as_str(), e.data.published_at.naive_utc().date()))
        .collect();
    let mut stmt =
        conn.prepare("SELECT episode_guid, day, SUM(downloads) FROM download_count GROUP BY 1, 2")?;
    let mut out: HashMap<String, [u64; 3]> = HashMap::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let guid: String = r.get(0)?;
        let Some(start) = published.get(guid.as_str()) else {
            continue;
        };
        let day: String = r.get(1)?;
        let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else {
            continue;
        };
        let n = u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
        let age = (day - *start).num_days();
        let entry = out.entry(guid).or_default();
        for (i, limit) in [7, 30, 90].into_iter().enumerate() {
            if (0..limit).contains(&age) {
                entry[i] += n;
            }
        }
    }
    Ok(out)
}

/// How reports name an episode: guid → (number, slug, title).
pub fn names(episodes: &[Episode]) -> HashMap<String, (Option<u32>, String, String)> {
    episodes
        .iter()
        .map(|e| {
            let d = &e.data;
            (e.guid.clone(), (d.number, d.slug.clone(), d.title.clone()))
        })
        .collect()
}
