//! What `import-feed` prints: one line (or JSON object) per item with its
//! action, problems and notes, then a summary with new people, unmapped
//! categories and how the channel differs from the config.

use std::path::PathBuf;

use serde_json::json;

use super::Args;
use crate::ingest::from_feed::{self, Action, Plan, Planned};

/// Prints the plan as text or JSON lines.
pub(super) struct Report<'a> {
    pub args: &'a Args,
    pub plan: &'a Plan,
    /// Where the proposal goes (the config itself in a new project).
    pub config_out: PathBuf,
}

impl Report<'_> {
    pub fn items(&self) {
        for p in &self.plan.items {
            if self.args.json {
                println!("{}", item_json(p));
            } else {
                let action = serde_json::to_value(p.action).unwrap_or_default();
                println!(
                    "{:<9} {}",
                    action.as_str().unwrap_or(""),
                    from_feed::label(&p.item)
                );
                for e in &p.problems {
                    println!("          problem: {e}");
                }
                for n in &p.notes {
                    println!("          note: {n}");
                }
            }
        }
    }

    pub fn summary(
        &self,
        written: Option<&crate::ingest::Summary>,
        proposal: &from_feed::Proposal,
    ) {
        let count = |a: Action| self.plan.items.iter().filter(|p| p.action == a).count();
        let new_people: Vec<&str> = self
            .plan
            .new_people
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let out = self.config_out.display().to_string();
        if self.args.json {
            let summary = json!({"summary": {
                "items": self.plan.items.len(),
                "add": count(Action::Add),
                "update": count(Action::Update),
                "unchanged": count(Action::Unchanged),
                "skip": count(Action::Skip),
                "problems": self.plan.problems().len(),
                "written": written.is_some(),
                "new_people": new_people,
                "unmapped": self.plan.unmapped,
                "config_out": out,
                "config_diff": proposal.diff,
                "config_notes": proposal.notes,
            }});
            println!("{summary}");
            return;
        }
        println!(
            "{} items: {} to add, {} to update, {} unchanged, {} skipped{}",
            self.plan.items.len(),
            count(Action::Add),
            count(Action::Update),
            count(Action::Unchanged),
            count(Action::Skip),
            if written.is_some() {
                "; written"
            } else {
                "; nothing written"
            },
        );
        if !new_people.is_empty() {
            println!("new people: {}", new_people.join(", "));
        }
        if !self.plan.unmapped.is_empty() {
            let list: Vec<&str> = self.plan.unmapped.iter().map(String::as_str).collect();
            println!(
                "categories and keywords no --theme-map entry maps: {}",
                list.join(", ")
            );
        }
        if proposal.diff.is_empty() {
            println!("the channel agrees with the config");
        } else {
            println!("the channel differs from the config (proposal: {out}):");
            for d in &proposal.diff {
                println!("  {d}");
            }
        }
        for n in &proposal.notes {
            println!("note: {n}");
        }
    }
}

fn item_json(p: &Planned) -> serde_json::Value {
    let item = &p.item;
    let data = p.data.as_ref();
    let audio = data.map(|d| &d.audio);
    json!({
        "guid": p.guid,
        "title": item.title,
        "number": data.map_or(item.number, |d| d.number),
        "season": item.season,
        "type": item.episode_type.as_deref().unwrap_or("full"),
        "published": item.published.map(|d| d.to_rfc3339()),
        "audio_url": item.enclosure.as_ref().map(|e| &e.url),
        "audio_bytes": audio.map(|a| a.bytes).or(item.enclosure.as_ref().and_then(|e| e.length)),
        "mime": audio.map(|a| a.mime.as_str()).filter(|m| !m.is_empty()).or(item.enclosure.as_ref().and_then(|e| e.mime.as_deref())),
        "duration_ms": audio.map(|a| a.duration_ms).or(item.duration_ms),
        "duration_source": p.duration_source,
        "people": p.people.iter().map(|(name, role, group)| json!({"name": name, "role": role, "group": group})).collect::<Vec<_>>(),
        "transcripts": item.transcripts,
        "chapters_url": item.chapters_url,
        "image_url": item.image,
        "link": item.link,
        "action": p.action,
        "problems": p.problems,
        "notes": p.notes,
    })
}
