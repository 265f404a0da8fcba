//! `CHAPTERxx` Vorbis comments (the "Chapter Extension" to Vorbis comments
//! that ffmpeg, foobar2000 and Matroska tools write): `CHAPTER001=00:00:00.000`,
//! `CHAPTER001NAME=Intro`, `CHAPTER001URL=https://…`.

use super::Found;

/// More distinct chapter numbers than this are not collected.
const MAX_NUMBERS: usize = super::MAX_CHAPTERS * 2;

impl Found {
    /// Takes one comment if it is a chapter comment; returns whether it was.
    pub(crate) fn vorbis_comment(&mut self, key: &str, value: &str) -> bool {
        let upper = key.to_ascii_uppercase();
        let Some(rest) = upper.strip_prefix("CHAPTER") else {
            return false;
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (Ok(n), suffix) = (rest[..digits].parse::<u32>(), &rest[digits..]) else {
            return false;
        };
        if !self.vorbis.contains_key(&n) && self.vorbis.len() >= MAX_NUMBERS {
            self.dropped += 1;
            return true;
        }
        let entry = self.vorbis.entry(n).or_default();
        match suffix {
            "" => match parse_time(value) {
                Some(ms) => entry.0 = Some(ms),
                None => {
                    let msg = format!("CHAPTER{n:03}: `{value}` is not a time (HH:MM:SS.mmm)");
                    self.finding(msg);
                }
            },
            "NAME" => entry.1 = Some(value.trim().to_owned()),
            "URL" => entry.2 = Some(value.trim().to_owned()),
            _ => {}
        }
        true
    }
}

/// `HH:MM:SS.mmm` (hours may have any number of digits; fraction optional).
fn parse_time(s: &str) -> Option<u64> {
    let mut parts = s.trim().split(':');
    let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
    let num = |x: &str| -> Option<u64> {
        (!x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()) && x.len() <= 9)
            .then(|| x.parse().ok())
            .flatten()
    };
    let (h, m, s) = (num(h)?, num(m)?, num(whole)?);
    if m >= 60 || s >= 60 {
        return None;
    }
    let ms = match frac.len() {
        0 => 0,
        n => num(&frac[..n.min(3)])? * 10u64.pow(3 - n.min(3) as u32),
    };
    Some(((h * 60 + m) * 60 + s) * 1000 + ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_with_and_without_fractions() {
        assert_eq!(parse_time("00:01:02.345"), Some(62_345));
        assert_eq!(parse_time("1:00:00"), Some(3_600_000));
        assert_eq!(parse_time("00:00:01.5"), Some(1_500));
        assert_eq!(parse_time("00:61:00"), None);
        assert_eq!(parse_time("soon"), None);
    }

    #[test]
    fn comments_gather_by_number() {
        let mut f = Found::default();
        assert!(f.vorbis_comment("CHAPTER002", "00:00:05.000"));
        assert!(f.vorbis_comment("chapter002name", "Två"));
        assert!(f.vorbis_comment("CHAPTER001", "00:00:00.000"));
        assert!(!f.vorbis_comment("TITLE", "x"));
        let out = f.finish(10_000);
        let titles: Vec<_> = out
            .chapters
            .iter()
            .map(|c| (c.start_ms, c.title.as_str()))
            .collect();
        assert_eq!(titles, [(0, ""), (5_000, "Två")]);
    }
}
