//! How `check --publish` shows its findings: grouped for a person (errors,
//! then warnings, each with what to do and the rule's source), or one JSON
//! object per finding for a script.

use std::process::ExitCode;

use serde_json::json;

use crate::publish::{self, Finding, Level, Subject};

/// Prints `findings` and says whether the feed may be published.
pub(super) fn print(findings: &[Finding], episodes: usize, as_json: bool) -> ExitCode {
    if as_json {
        for f in findings {
            println!("{}", to_json(f));
        }
    } else {
        print_text(findings, episodes);
    }
    if publish::errors(findings) > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print_text(findings: &[Finding], episodes: usize) {
    for (level, heading) in [(Level::Error, "Errors"), (Level::Warning, "Warnings")] {
        let these: Vec<&Finding> = findings.iter().filter(|f| f.level == level).collect();
        if these.is_empty() {
            continue;
        }
        println!("{heading} ({}):", these.len());
        for f in these {
            println!("  {} · {}: {}", f.subject, f.field, f.message);
            println!("      [{}] {}", f.rule, f.source.name());
        }
        println!();
    }
    let errors = publish::errors(findings);
    let warnings = findings.len() - errors;
    let verdict = if errors > 0 {
        "not ready to publish: fix the errors first"
    } else {
        "ready to publish"
    };
    println!(
        "channel and {episodes} episodes checked: {errors} errors, {warnings} warnings; {verdict}"
    );
}

/// `{"level", "rule", "channel" | "episode", "field", "message", "source"}`;
/// `episode` is the number, or the slug of an unnumbered episode.
fn to_json(f: &Finding) -> serde_json::Value {
    let mut v = json!({
        "level": f.level,
        "rule": f.rule,
        "field": f.field,
        "message": f.message,
        "source": f.source,
    });
    match &f.subject {
        Subject::Channel => v["channel"] = true.into(),
        Subject::Episode { number, slug, .. } => {
            v["episode"] = number.map_or_else(|| slug.as_str().into(), Into::into);
        }
    }
    v
}
