use chrono::TimeZone;

use super::*;
use crate::stats::agents::Agents;

const APPLE: &str = "AppleCoreMedia/1.0.0.20E247 (iPhone; U; CPU OS 16_4 like Mac OS X; sv_se)";
const OVERCAST: &str = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)";

/// A 10-minute episode of 10,000,000 bytes after a 1,000-byte tag: a
/// minute is 1,000,000 bytes.
fn ten_minutes() -> Media {
    Media {
        guid: "ep-1".into(),
        bytes: 10_001_000,
        tag_bytes: 1_000,
        duration_ms: 600_000,
    }
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0)
        .single()
        .expect("time")
}

fn get(w: &mut Window, when: DateTime<Utc>, ip: &str, ua: &str, served: Served) {
    let agent = Agents::shared().classify(ua);
    let req = Request {
        at: when,
        ip: ip.parse().expect("ip"),
        user_agent: ua,
        agent: &agent,
    };
    w.media(&req, &ten_minutes(), served);
}

fn total(w: &mut Window) -> u64 {
    w.take().downloads.values().sum()
}

#[test]
fn a_minute_of_audio_is_a_download_and_thirty_seconds_is_not() {
    let mut w = Window::new();
    assert_eq!(ten_minutes().threshold(), 1_000_000);
    get(&mut w, at(7, 10), "192.0.2.1", APPLE, Served::Range(0, 2));
    get(
        &mut w,
        at(7, 10),
        "192.0.2.1",
        APPLE,
        Served::Range(1_000, 501_000),
    );
    assert_eq!(total(&mut w), 0, "the probe and 30 seconds");
    // The same 30 seconds again adds nothing.
    get(
        &mut w,
        at(7, 10),
        "192.0.2.1",
        APPLE,
        Served::Range(1_000, 501_000),
    );
    assert_eq!(total(&mut w), 0);
    get(
        &mut w,
        at(7, 11),
        "192.0.2.1",
        APPLE,
        Served::Range(501_000, 1_001_000),
    );
    assert_eq!(total(&mut w), 1, "a second range reaches the minute");
    get(
        &mut w,
        at(7, 12),
        "192.0.2.1",
        APPLE,
        Served::Range(0, 10_001_000),
    );
    assert_eq!(total(&mut w), 0, "once per client, episode and day");
}

#[test]
fn clients_are_address_and_agent_and_days_are_windows() {
    let mut w = Window::new();
    let whole = Served::Range(0, 10_001_000);
    get(&mut w, at(7, 10), "192.0.2.1", APPLE, whole);
    get(&mut w, at(7, 10), "192.0.2.1", OVERCAST, whole);
    assert_eq!(total(&mut w), 2, "two apps on one address");
    get(&mut w, at(7, 10), "2001:db8:1:2::1", APPLE, whole);
    get(&mut w, at(7, 11), "2001:db8:1:2:ffff::9", APPLE, whole);
    assert_eq!(total(&mut w), 1, "one /64 is one client");
    get(&mut w, at(8, 1), "192.0.2.1", APPLE, whole);
    assert_eq!(total(&mut w), 1, "the next day counts again");
    get(&mut w, at(8, 1), "192.0.2.9", "curl/8.5.0", whole);
    assert_eq!(total(&mut w), 0, "bots never count");
}

#[test]
fn log_lines_count_bytes_and_late_days_are_not_counted() {
    let mut w = Window::new();
    get(
        &mut w,
        at(7, 10),
        "192.0.2.1",
        APPLE,
        Served::Bytes(600_000),
    );
    assert_eq!(total(&mut w), 0);
    get(
        &mut w,
        at(7, 10),
        "192.0.2.1",
        APPLE,
        Served::Bytes(600_000),
    );
    assert_eq!(total(&mut w), 1);
    get(
        &mut w,
        at(9, 10),
        "192.0.2.1",
        APPLE,
        Served::Bytes(2_000_000),
    );
    get(
        &mut w,
        at(10, 10),
        "192.0.2.1",
        APPLE,
        Served::Bytes(2_000_000),
    );
    get(
        &mut w,
        at(7, 23),
        "192.0.2.2",
        APPLE,
        Served::Bytes(2_000_000),
    );
    let counts = w.take();
    assert_eq!(counts.downloads.values().sum::<u64>(), 2);
    assert_eq!(counts.late, 1, "day 7 was closed by day 10");
}

#[test]
fn a_short_episode_needs_the_whole_file() {
    let short = Media {
        guid: "s".into(),
        bytes: 300_000,
        tag_bytes: 0,
        duration_ms: 30_000,
    };
    assert_eq!(short.threshold(), 300_000);
}

#[test]
fn memory_is_bounded_by_the_days_clients() {
    let mut w = Window::new();
    for i in 0..1000u32 {
        let ip = format!("10.0.{}.{}", i / 256, i % 256);
        for k in 0..40u64 {
            get(
                &mut w,
                at(7, 10),
                &ip,
                APPLE,
                Served::Range(k * 20_000, k * 20_000 + 100),
            );
        }
    }
    let (entries, bytes) = w.memory();
    assert_eq!(entries, 1000);
    assert!(bytes < 1000 * 512, "{bytes} bytes for 1000 clients");
}

#[test]
fn a_flood_of_new_clients_is_not_remembered_past_the_cap() {
    let mut w = Window {
        cap: 100,
        ..Window::new()
    };
    for i in 0..150u32 {
        get(
            &mut w,
            at(7, 10),
            &format!("10.1.{}.{}", i / 256, i % 256),
            APPLE,
            Served::Range(0, 2),
        );
    }
    assert_eq!(w.memory().0, 100);
    // A client already remembered still counts.
    get(
        &mut w,
        at(7, 11),
        "10.1.0.1",
        APPLE,
        Served::Range(0, 10_001_000),
    );
    let counts = w.take();
    assert_eq!(
        (counts.downloads.values().sum::<u64>(), counts.unremembered),
        (1, 50)
    );
}
