//! `[loudness]` in `feed-config.toml`: the loudness `check --publish` holds
//! every episode to.
//!
//! The defaults are Apple's guidance for podcasts (Apple Podcasts for
//! Creators, "Audio requirements": about −16 LUFS integrated, true peak no
//! higher than −1 dBTP); a speech-only public-service show may choose −18
//! or EBU R128's broadcast −23.

use serde::Deserialize;
use toml::Spanned;

use super::ConfigError;
use super::raw::Checker;

/// The loudness episodes should have.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessTarget {
    /// Integrated loudness aimed at, LUFS.
    pub target_lufs: f64,
    /// How far an episode may be from it, LU (either way).
    pub tolerance_lu: f64,
    /// The highest true peak allowed, dBTP.
    pub max_true_peak_dbtp: f64,
}

impl Default for LoudnessTarget {
    fn default() -> Self {
        LoudnessTarget {
            target_lufs: -16.0,
            tolerance_lu: 1.0,
            max_true_peak_dbtp: -1.0,
        }
    }
}

/// `[loudness]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLoudness {
    /// Integrated loudness aimed at, LUFS (default −16, Apple's guidance).
    target_lufs: Option<Spanned<f64>>,
    /// Allowed distance from the target, LU (default 1).
    tolerance_lu: Option<Spanned<f64>>,
    /// Highest true peak allowed, dBTP (default −1, Apple's guidance).
    max_true_peak_dbtp: Option<Spanned<f64>>,
}

/// Validates `[loudness]`: each value within what makes sense for audio
/// meant to be heard (a typo such as `16` for `-16` is caught here).
pub(super) fn validate(raw: RawLoudness, check: &Checker) -> Result<LoudnessTarget, ConfigError> {
    let d = LoudnessTarget::default();
    let field =
        |key: &str, v: Option<Spanned<f64>>, default: f64, range: (f64, f64), unit: &str| {
            let Some(v) = v else { return Ok(default) };
            let x = *v.get_ref();
            if x.is_finite() && (range.0..=range.1).contains(&x) {
                Ok(x)
            } else {
                Err(check.invalid(
                    &format!("loudness.{key}"),
                    &v,
                    format!("{x} is outside {} to {} {unit}", range.0, range.1),
                ))
            }
        };
    Ok(LoudnessTarget {
        target_lufs: field(
            "target_lufs",
            raw.target_lufs,
            d.target_lufs,
            (-40.0, -5.0),
            "LUFS",
        )?,
        tolerance_lu: field(
            "tolerance_lu",
            raw.tolerance_lu,
            d.tolerance_lu,
            (0.1, 10.0),
            "LU",
        )?,
        max_true_peak_dbtp: field(
            "max_true_peak_dbtp",
            raw.max_true_peak_dbtp,
            d.max_true_peak_dbtp,
            (-20.0, 0.0),
            "dBTP",
        )?,
    })
}
