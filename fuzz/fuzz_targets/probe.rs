//! Bytes → the audio probe, as `podcatalog probe FILE` and `add --audio`
//! run it on a local file (`probe_bytes` gives the same forking source as
//! `probe_file`, so the symphonia fallback runs too).
//!
//! Any panic is a crash, even one the probe would catch and report as
//! `ProbeError::Internal`, except panics inside symphonia: `probe::fallback`
//! documents that symphonia 0.6 panics on some damaged headers and reports
//! those as a damaged file, which is the intended behaviour.

#![no_main]

use libfuzzer_sys::fuzz_target;
use podcatalog::probe::{ProbeError, probe_bytes};
use std::sync::Once;

static HOOK: Once = Once::new();

/// Wraps libFuzzer's abort-on-panic hook so symphonia's own (caught)
/// panics do not count as crashes.
fn ignore_symphonia_panics() {
    HOOK.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_symphonia = info
                .location()
                .is_some_and(|l| l.file().contains("symphonia"));
            if !in_symphonia {
                abort(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    ignore_symphonia_panics();
    // The extension only adds a warning; vary it so that path runs too.
    let name = match data.first().map(|b| b % 4) {
        Some(0) => "fuzz.mp3",
        Some(1) => "fuzz.m4a",
        Some(2) => "fuzz.ogg",
        _ => "fuzz",
    };
    let result = probe_bytes(data, name);
    if let Err(ProbeError::Internal { detail, .. }) = &result {
        panic!("the probe caught a panic: {detail}");
    }
    if let Ok(info) = result {
        assert_eq!(info.bytes, data.len() as u64);
        assert!(info.sample_rate > 0 && info.samples.is_some_and(|s| s > 0));
    }
});
