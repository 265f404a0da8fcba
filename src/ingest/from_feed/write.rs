//! Writing a settled plan: every added, updated and unchanged item in one
//! transaction through the catalogue's own `episodes::save`, with the
//! transcript index, the unverified marks, and what the feed says about
//! new people. Any failure rolls it all back and removes the media files
//! this run created.

use rusqlite::Connection;

use super::{Action, Plan, label};
use crate::catalog::people::PersonInfo;
use crate::catalog::{self, CatalogError, episodes, people, themes, unverified};
use crate::config::Config;
use crate::ingest::{IngestError, Summary, now_utc, transcript};

/// Writes `plan` (items with action add, update or unchanged).
pub fn write(conn: &mut Connection, config: &Config, plan: &Plan) -> Result<Summary, IngestError> {
    let result = transaction(conn, config, plan);
    if result.is_err() {
        for p in &plan.items {
            if let Some(path) = &p.created_file {
                let _ = std::fs::remove_file(path);
            }
        }
    }
    result
}

fn transaction(
    conn: &mut Connection,
    config: &Config,
    plan: &Plan,
) -> Result<Summary, IngestError> {
    // Loudness and embedded chapters of the audio downloaded into media/
    // (each file once; remote-only audio is not decoded).
    let written = plan.items.iter().filter(|p| p.action != Action::Skip);
    let audios = written.filter_map(|p| p.data.as_ref()).map(|d| &d.audio);
    let analysed = crate::ingest::analysis::analyse_new(conn, &config.server.media_dir, audios)?;
    let tx = catalog::write_transaction(conn)?;
    themes::sync(&tx, &config.themes)?;
    let now = now_utc();
    crate::ingest::analysis::store(&tx, &analysed, &now)?;
    let mut summary = Summary::default();
    for p in plan.items.iter().filter(|p| p.action != Action::Skip) {
        let Some(data) = &p.data else { continue };
        let saved =
            episodes::save(&tx, &p.guid, data, &now).map_err(|e| IngestError::Conflict {
                path: label(&p.item),
                reason: e.to_string(),
            })?;
        transcript::index(&tx, config, &p.guid, data)?;
        if let Some(ep) = episodes::by_guid(&tx, &p.guid)? {
            unverified::set(&tx, ep.id, !p.verified)?;
        }
        match saved {
            episodes::Saved::Added => summary.added += 1,
            episodes::Saved::Updated => summary.updated += 1,
            episodes::Saved::Unchanged => summary.unchanged += 1,
        }
    }
    for person in &plan.new_people {
        if person.href.is_none() && person.img.is_none() {
            continue;
        }
        let credited = people::resolve(&tx, &person.name)?.is_some();
        if credited {
            people::upsert_info(
                &tx,
                &PersonInfo {
                    name: person.name.clone(),
                    aliases: Vec::new(),
                    href: person.href.clone(),
                    image: person.img.clone(),
                },
            )?;
        }
    }
    if summary.added + summary.updated > 0 {
        catalog::search_index::optimize(&tx)?;
    }
    tx.commit().map_err(CatalogError::from)?;
    Ok(summary)
}
