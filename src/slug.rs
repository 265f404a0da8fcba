//! URL slugs: lowercase ASCII words joined by `-`, so `/teman/manskliga-rattigheter`
//! reads well and survives every client. Swedish letters are transliterated
//! (å→a, ä→a, ö→o) rather than dropped.
//!
//! A leaf: `config` checks theme slugs with it and `catalog` makes episode
//! and person slugs, so it sits below both (it imports neither).

/// `"Mänskliga rättigheter, EU"` → `"manskliga-rattigheter-eu"`.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn transliterates_swedish_and_joins_words() {
        assert_eq!(
            slugify("Mänskliga rättigheter, EU"),
            "manskliga-rattigheter-eu"
        );
        assert_eq!(slugify("  Örebro -- län "), "orebro-lan");
        assert_eq!(slugify("<item> ]]> & \"quotes\""), "item-quotes");
        assert_eq!(slugify(""), "");
    }
}
