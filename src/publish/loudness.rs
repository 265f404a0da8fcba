//! Loudness rules: an episode's measured EBU R128 loudness against the
//! target in `[loudness]` (default Apple's: about −16 LUFS integrated, true
//! peak at most −1 dBTP; Apple Podcasts for Creators, "Audio requirements").
//!
//! Only episodes whose file was analysed are checked (see
//! `ingest::analysis`); a file that could not be decoded (Opus) is left to
//! the audio-format rule. Warnings, not errors: directories take quiet or
//! loud audio, listeners just hear it badly.

use super::{Finding, Rule, Source, Subject};
use crate::catalog::Episode;
use crate::config::LoudnessTarget;

const INTEGRATED: Rule = Rule::warning("loudness-integrated", Source::AppleAudio);
const TRUE_PEAK: Rule = Rule::warning("loudness-true-peak", Source::AppleAudio);

/// What to do about either finding.
const FIX: &str = "normalise the master (Auphonic, Hindenburg, Audition's Match Loudness, or \
                   `ffmpeg -i IN -af loudnorm=I={I}:TP={TP} OUT`), then `podcatalog edit {EP} --audio OUT`";

/// The loudness findings for `ep`.
pub(super) fn check(target: &LoudnessTarget, at: &Subject, ep: &Episode) -> Vec<Finding> {
    let Some(a) = ep.analysis.as_ref().filter(|a| a.loudness_error.is_none()) else {
        return Vec::new();
    };
    let fix = FIX
        .replace("{I}", &format!("{}", target.target_lufs))
        .replace("{TP}", &format!("{}", target.max_true_peak_dbtp))
        .replace(
            "{EP}",
            &ep.data
                .number
                .map_or_else(|| ep.data.slug.clone(), |n| n.to_string()),
        );
    let mut out = Vec::new();
    let Some(lufs) = a.lufs else {
        let msg = "the audio is silent (no block above the -70 LUFS gate): is this the right file?";
        out.push(INTEGRATED.at(at, "audio", msg.into()));
        return out;
    };
    let off = lufs - target.target_lufs;
    if off.abs() > target.tolerance_lu + 1e-9 {
        let (word, by) = if off < 0.0 {
            ("quiet", -off)
        } else {
            ("loud", off)
        };
        let msg = format!(
            "integrated loudness is {lufs:.1} LUFS, {by:.1} LU too {word} for the target {} ± {} LUFS: {fix}",
            target.target_lufs, target.tolerance_lu
        );
        out.push(INTEGRATED.at(at, "audio", msg));
    }
    if let Some(tp) = a
        .true_peak_dbtp
        .filter(|tp| *tp > target.max_true_peak_dbtp)
    {
        let msg = format!(
            "true peak is {tp:.1} dBTP, above the {} dBTP allowed: lossy encoders and players may clip it; {fix}",
            target.max_true_peak_dbtp
        );
        out.push(TRUE_PEAK.at(at, "audio", msg));
    }
    out
}
