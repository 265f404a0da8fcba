//! The statistics page: one self-contained HTML document (`stats --html`,
//! and `/statistik` when `[stats] public = true`). Charts are SVG drawn
//! here, with no script and no external file; every chart is followed by
//! its numbers as a table, the alternative WCAG 2.1 AA asks for. The only
//! style is one `<style>` element, allowed by its hash in the CSP.

use std::collections::HashMap;

use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};

use super::report::Row;

/// The page's style sheet (its hash goes into the server's CSP).
pub const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1b1b1b;background:#fff}\
h1,h2{line-height:1.2;overflow-wrap:anywhere}h1{font-size:1.7rem}figure{margin:1.5rem 0}svg{width:100%;height:auto;background:#f6f7f9}\
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{padding:.2rem .6rem;border-bottom:1px solid #ccc;text-align:left}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:.3rem 0}\
.note{color:#444}details{margin-bottom:1.5rem}summary{cursor:pointer}\
.scroll{overflow-x:auto}.skip{position:absolute;left:-9999px;top:0}\
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;outline:3px solid #1d3a6e}\
:focus-visible{outline:3px solid #1d3a6e;outline-offset:2px}";

/// The `'sha256-…'` source that allows [`STYLE`] in a Content-Security-Policy.
pub fn style_source() -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(STYLE.as_bytes())))
}

/// What the page shows, gathered by the caller from the catalogue.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The show's title.
    pub show: String,
    /// The period, as words (`2026-01-01 – 2026-12-07`, or `all days`).
    pub period: String,
    /// Downloads per day, oldest first.
    pub per_day: Vec<Row>,
    /// Downloads per episode (label, title, downloads), most first.
    pub per_episode: Vec<(String, String, u64)>,
    /// Downloads per app, most first.
    pub per_app: Vec<Row>,
    /// Downloads per device, most first.
    pub per_device: Vec<Row>,
    /// Each episode's first 7/30/90 days: (label, title, published, counts), newest first.
    pub launches: Vec<(String, String, String, [u64; 3])>,
    /// Distinct feed clients per day: the subscriber estimate.
    pub subscribers: Vec<Row>,
}

/// Bars shown in a ranked chart; the table lists them all.
const TOP: usize = 20;

/// The whole document.
pub fn render(page: &Page) -> String {
    let total: u64 = page.per_day.iter().map(|r| r.downloads).sum();
    let markup = html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Lyssningsstatistik – " (page.show) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                a.skip href="#main" { "Till innehållet" }
                main #main {
                    h1 { "Lyssningsstatistik för " (page.show) }
                    p { "Period: " (page.period) ". Totalt " strong { (total) } " nedladdningar." }
                    p.note {
                        "Nedladdningar räknas enligt IAB:s riktlinjer (v2): en lyssnare (IP-adress och app) och ett avsnitt per dygn (UTC), "
                        "när minst en minut av ljudet har hämtats. Robotar räknas inte. Inga IP-adresser eller användaragenter sparas."
                    }
                    (time_chart("Nedladdningar per dag", "per-dag", &page.per_day, "Dag"))
                    (ranked("Nedladdningar per avsnitt", "per-avsnitt", "Avsnitt", &page.per_episode.iter().map(|(l, t, n)| (format!("{l} {t}").trim().to_string(), *n)).collect::<Vec<_>>()))
                    (ranked("Nedladdningar per app", "per-app", "App", &labelled(&page.per_app)))
                    (ranked("Nedladdningar per enhet", "per-enhet", "Enhet", &labelled(&page.per_device)))
                    (launch_table(&page.launches))
                    h2 #prenumeranter { "Prenumeranter (uppskattning)" }
                    p.note { "En uppskattning, inte ett mått: antal olika klienter (adress och app) som hämtade flödet per dygn." }
                    (time_chart("Uppskattade prenumeranter per dag", "prenumeranter-per-dag", &page.subscribers, "Dag"))
                }
            }
        }
    };
    markup.into_string()
}

fn labelled(rows: &[Row]) -> Vec<(String, u64)> {
    rows.iter()
        .map(|r| match &r.detail {
            Some(d) if d != "unknown" && d != "app" => (format!("{} ({d})", r.key), r.downloads),
            _ => (r.key.clone(), r.downloads),
        })
        .collect()
}

/// Vertical bars over time, then the numbers in a table.
fn time_chart(title: &str, id: &str, rows: &[Row], first: &str) -> Markup {
    let (w, h, pad) = (800.0, 220.0, 30.0);
    let max = rows.iter().map(|r| r.downloads).max().unwrap_or(0).max(1) as f64;
    let step = (w - 2.0 * pad) / rows.len().max(1) as f64;
    let summary = summary_of(rows);
    html! {
        h2 id=(id) { (title) }
        figure {
            svg viewBox=(format!("0 0 {w} {h}")) role="img" aria-label=(format!("{title}: {summary}")) {
                line x1=(pad) y1=(h - pad) x2=(w - pad) y2=(h - pad) stroke="#555" {}
                @for (i, r) in rows.iter().enumerate() {
                    @let bar = (h - 2.0 * pad) * r.downloads as f64 / max;
                    rect x=(format!("{:.2}", pad + i as f64 * step)) y=(format!("{:.2}", h - pad - bar))
                        width=(format!("{:.2}", (step * 0.8).max(0.5))) height=(format!("{bar:.2}")) fill="#1d3a6e" {}
                }
                text x=(pad) y=(pad - 10.0) font-size="12" fill="#1b1b1b" { "max " (max as u64) }
                @if let (Some(a), Some(b)) = (rows.first(), rows.last()) {
                    text x=(pad) y=(h - 8.0) font-size="12" fill="#1b1b1b" { (a.key) }
                    text x=(w - pad) y=(h - 8.0) font-size="12" fill="#1b1b1b" text-anchor="end" { (b.key) }
                }
            }
            figcaption { (title) ". " (summary) }
        }
        details {
            summary { "Tabell: " (title) }
            table {
                caption { (title) }
                thead { tr { th scope="col" { (first) } th.n scope="col" { "Antal" } } }
                tbody { @for r in rows { tr { td { (r.key) } td.n { (r.downloads) } } } }
            }
        }
    }
}

fn summary_of(rows: &[Row]) -> String {
    let total: u64 = rows.iter().map(|r| r.downloads).sum();
    match rows.iter().max_by_key(|r| r.downloads) {
        Some(top) => format!(
            "{} dagar, totalt {total}, flest {} ({})",
            rows.len(),
            top.downloads,
            top.key
        ),
        None => "inga data".to_string(),
    }
}

/// Horizontal bars for the top [`TOP`], then every row in a table.
fn ranked(title: &str, id: &str, first: &str, rows: &[(String, u64)]) -> Markup {
    let shown = &rows[..rows.len().min(TOP)];
    let max = shown.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let (w, row_h, label_w) = (800.0, 22.0, 300.0);
    let h = row_h * shown.len().max(1) as f64 + 10.0;
    html! {
        h2 id=(id) { (title) }
        figure {
            svg viewBox=(format!("0 0 {w} {h}")) role="img"
                aria-label=(format!("{title}: de {} största av {}", shown.len(), rows.len())) {
                @for (i, (label, n)) in shown.iter().enumerate() {
                    @let y = 5.0 + i as f64 * row_h;
                    @let bar = (w - label_w - 60.0) * *n as f64 / max;
                    text x=(label_w - 6.0) y=(format!("{:.1}", y + 15.0)) font-size="12" text-anchor="end" fill="#1b1b1b" { (clip(label, 45)) }
                    rect x=(label_w) y=(format!("{y:.1}")) width=(format!("{bar:.2}")) height=(row_h - 6.0) fill="#1d3a6e" {}
                    text x=(format!("{:.1}", label_w + bar + 4.0)) y=(format!("{:.1}", y + 15.0)) font-size="12" fill="#1b1b1b" { (n) }
                }
            }
            figcaption { (title) ", de " (shown.len()) " största." }
        }
        details {
            summary { "Tabell: " (title) }
            table {
                caption { (title) }
                thead { tr { th scope="col" { (first) } th.n scope="col" { "Antal" } } }
                tbody { @for (label, n) in rows { tr { td { (label) } td.n { (n) } } } }
            }
        }
    }
}

fn launch_table(rows: &[(String, String, String, [u64; 3])]) -> Markup {
    html! {
        h2 #lansering { "De första dagarna" }
        p.note { "Varje avsnitts nedladdningar under dess första 7, 30 och 90 dagar, så att lanseringar kan jämföras." }
        div.scroll role="region" tabindex="0" aria-label="De första dagarna, tabell" { table {
            caption { "Nedladdningar de första 7, 30 och 90 dagarna per avsnitt" }
            thead { tr {
                th scope="col" { "Avsnitt" } th scope="col" { "Publicerat" }
                th.n scope="col" { "7 dagar" } th.n scope="col" { "30 dagar" } th.n scope="col" { "90 dagar" }
            } }
            tbody { @for (label, title, published, n) in rows { tr {
                td { (format!("{label} {title}").trim()) } td { (published) }
                td.n { (n[0]) } td.n { (n[1]) } td.n { (n[2]) }
            } } }
        } }
    }
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// Standard base64 (RFC 4648 §4), for the CSP hash.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Gathers the page from the catalogue: every count in `filter`'s period.
pub fn gather(
    conn: &rusqlite::Connection,
    config: &crate::config::Config,
    episodes: &[crate::catalog::Episode],
    filter: &super::report::Filter,
) -> rusqlite::Result<Page> {
    use super::report::{self, By};
    let names = report::names(episodes);
    let label = |guid: &str| match names.get(guid) {
        Some((Some(n), _, title)) => (format!("#{n}"), title.clone()),
        Some((None, _, title)) => (String::new(), title.clone()),
        None => (guid.to_string(), "(borttaget avsnitt)".to_string()),
    };
    let per_episode = report::downloads(conn, filter, By::Episode)?
        .into_iter()
        .map(|r| {
            let (l, t) = label(&r.key);
            (l, t, r.downloads)
        })
        .collect();
    let launch_counts: HashMap<String, [u64; 3]> = report::launches(conn, episodes)?;
    let launches = episodes
        .iter()
        .map(|e| {
            let (l, t) = label(&e.guid);
            let published =
                crate::catalog::known_published(&e.data.published_at, e.data.date_approximate);
            let published = published.get(..10).unwrap_or(&published).to_string();
            (
                l,
                t,
                published,
                launch_counts.get(&e.guid).copied().unwrap_or_default(),
            )
        })
        .collect();
    let period = match (filter.since, filter.until) {
        (None, None) => "alla dagar".to_string(),
        (a, b) => format!(
            "{} – {}",
            a.map_or("början".into(), |d| d.to_string()),
            b.map_or("i dag".into(), |d| d.to_string())
        ),
    };
    Ok(Page {
        show: config.channel.title.clone(),
        period,
        per_day: report::downloads(conn, filter, By::Day)?,
        per_episode,
        per_app: report::downloads(conn, filter, By::App)?,
        per_device: report::downloads(conn, filter, By::Device)?,
        launches,
        subscribers: report::feed_clients(conn, filter, &config.server.feed_path)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
        }
    }

    #[test]
    fn every_chart_has_its_table() {
        let day = |k: &str, n| Row {
            key: k.into(),
            detail: None,
            downloads: n,
        };
        let page = Page {
            show: "Demokratiresan".into(),
            per_day: vec![day("2026-12-06", 3), day("2026-12-07", 5)],
            per_episode: vec![("#86".into(), "Kvinnofrid".into(), 8)],
            per_app: vec![Row {
                key: "Overcast".into(),
                detail: Some("app".into()),
                downloads: 8,
            }],
            ..Page::default()
        };
        let html = render(&page);
        assert_eq!(html.matches("<svg").count(), 5);
        assert_eq!(
            html.matches("<table").count(),
            6,
            "five charts and the launch table"
        );
        assert!(html.contains("<td class=\"n\">5</td>"));
        assert!(!html.contains("<script"));
    }
}
