//! A minimal XML 1.0 writer for the feed: indented elements, escaped text and
//! attributes, CDATA sections. It exists because the feed must be exact in
//! three ways general writers leave to the caller (the `rss` crate writes
//! text through quick-xml, which neither strips forbidden characters nor
//! splits `]]>` in CDATA):
//!
//! - characters XML 1.0 forbids (§2.2 `Char`: U+0000–U+0008, U+000B, U+000C,
//!   U+000E–U+001F, U+FFFE, U+FFFF) are dropped, so a vertical tab pasted
//!   from Word cannot make the whole feed unparsable;
//! - `&`, `<`, `>` are escaped in text, and `"` and `'` too in attributes;
//! - `]]>` inside a CDATA section is split across two sections.

/// Whether XML 1.0 allows `c` in a document (production `Char`).
pub fn is_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Bytes that need a look in text content: markup characters, ASCII
/// controls other than tab/LF, and 0xEF (lead byte of U+FFFE/U+FFFF).
const TEXT_SPECIAL: [bool; 256] = special(false);
/// The same for attribute values, which also escape quotes, tab and LF.
const ATTR_SPECIAL: [bool; 256] = special(true);

const fn special(attr: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = attr || !matches!(b as u8, b'\t' | b'\n');
        b += 1;
    }
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[0xEF] = true;
    if attr {
        table[b'"' as usize] = true;
        table[b'\'' as usize] = true;
    }
    table
}

/// `text` without the characters XML 1.0 forbids.
pub fn strip_forbidden(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let suspicious = bytes
        .iter()
        .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF);
    if !suspicious || (0..bytes.len()).all(|i| forbidden_len(bytes, i) == 0) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.chars().filter(|&c| is_allowed(c)).collect())
    }
}

/// The byte length of a forbidden character starting at `bytes[i]`, or 0.
/// Works on bytes because every forbidden character is either an ASCII
/// control or U+FFFE/U+FFFF (`EF BF BE`/`EF BF BF` in UTF-8).
fn forbidden_len(bytes: &[u8], i: usize) -> usize {
    match bytes[i] {
        b'\t' | b'\n' | b'\r' => 0,
        0..=0x1f => 1,
        0xEF if bytes.get(i + 1) == Some(&0xBF)
            && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
        {
            3
        }
        _ => 0,
    }
}

/// Appends `text` escaped for element content (`attr == false`) or for a
/// double-quoted attribute value, dropping forbidden characters. Skips
/// ordinary bytes through a lookup table and copies unescaped runs whole:
/// this is the feed's hot loop.
pub fn escape_into(out: &mut String, text: &str, attr: bool) {
    let table = if attr { &ATTR_SPECIAL } else { &TEXT_SPECIAL };
    let bytes = text.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !table[bytes[i] as usize] {
            i += 1;
            continue;
        }
        let replacement = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            // Attribute values are normalised by parsers (XML 1.0 §3.3.3):
            // keep literal line breaks and tabs by writing them as references.
            b'\n' => "&#10;",
            b'\t' => "&#9;",
            b'\r' => "&#13;",
            _ => {
                // A control character or 0xEF: drop it if forbidden. Every
                // boundary here is a character boundary (`i` is at an ASCII
                // byte or a lead byte).
                let n = forbidden_len(bytes, i);
                if n > 0 {
                    out.push_str(&text[run..i]);
                    run = i + n;
                }
                i += n.max(1);
                continue;
            }
        };
        out.push_str(&text[run..i]);
        out.push_str(replacement);
        i += 1;
        run = i;
    }
    out.push_str(&text[run..]);
}

/// Appends a CDATA section holding `text`; every `]]>` in it is split as
/// `]]` + `]]><![CDATA[` + `>`, the only way to carry it inside CDATA.
pub fn cdata_into(out: &mut String, text: &str) {
    out.push_str("<![CDATA[");
    let clean = strip_forbidden(text);
    let mut rest: &str = &clean;
    while let Some(pos) = rest.find("]]>") {
        out.push_str(&rest[..pos + 2]);
        out.push_str("]]><![CDATA[");
        rest = &rest[pos + 2..];
    }
    out.push_str(rest);
    out.push_str("]]>");
}

/// An indented XML document under construction.
pub struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    /// A document starting with the XML declaration; `capacity` is a size hint.
    pub fn new(capacity: usize) -> Xml {
        let mut out = String::with_capacity(capacity);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        Xml { out, depth: 0 }
    }

    /// An empty part of this document at its current depth, to be filled
    /// elsewhere (another thread) and appended with [`Xml::raw`].
    pub fn fragment(&self, capacity: usize) -> Xml {
        Xml {
            out: String::with_capacity(capacity),
            depth: self.depth,
        }
    }

    /// Appends `part`, markup written by a [`Xml::fragment`] of this document.
    pub fn raw(&mut self, part: &str) {
        self.out.push_str(part);
    }

    /// The text written so far, leaving the document empty at the same
    /// depth: for handing a big document on in parts.
    pub fn drain(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    /// A fragment's text, for [`Xml::raw`].
    pub fn into_string(self) -> String {
        self.out
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_into(&mut self.out, value, true);
            self.out.push('"');
        }
    }

    /// `<name attrs…>`, children follow until [`Xml::close`].
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push('>');
        self.depth += 1;
    }

    /// `</name>` on its own line.
    pub fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name attrs…/>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str("/>");
    }

    /// `<name attrs…>text</name>` with `text` escaped.
    pub fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(name, attrs);
        self.out.push('>');
        escape_into(&mut self.out, text, false);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name><![CDATA[text]]></name>`, for HTML show notes.
    pub fn cdata(&mut self, name: &str, text: &str) {
        let mut section = String::with_capacity(text.len() + 12);
        cdata_into(&mut section, text);
        self.prepared_cdata(name, &section);
    }

    /// `<name>section</name>` for a section [`cdata_into`] already wrote,
    /// so the same notes go into two elements at the cost of one escape.
    pub fn prepared_cdata(&mut self, name: &str, section: &str) {
        self.start_tag(name, &[]);
        self.out.push('>');
        self.out.push_str(section);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// The finished document, ending with a newline.
    pub fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_forbidden_characters_dropped() {
        let mut out = String::new();
        escape_into(
            &mut out,
            "<item> ]]> & \"q\" 'a' \u{b}vt\u{0}\u{FFFE}",
            false,
        );
        assert_eq!(out, "&lt;item&gt; ]]&gt; &amp; \"q\" 'a' vt");
        let mut attr = String::new();
        escape_into(&mut attr, "a\"b'c\nd", true);
        assert_eq!(attr, "a&quot;b&apos;c&#10;d");
    }

    #[test]
    fn cdata_splits_its_terminator() {
        let mut out = String::new();
        cdata_into(&mut out, "a]]>b]]>\u{c}");
        assert_eq!(out, "<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>]]>");
    }

    #[test]
    fn emoji_and_swedish_letters_pass_through() {
        assert!("åäö 🎙️ \u{10FFFF}".chars().all(is_allowed));
        assert_eq!(strip_forbidden("ok"), "ok");
        assert_eq!(strip_forbidden("å\u{FFFF}ö\u{1f}\u{EFBF}"), "åö\u{EFBF}");
        let mut out = String::new();
        escape_into(&mut out, "å\u{FFFF}<ö\u{FFFE}", false);
        assert_eq!(out, "å&lt;ö");
    }

    proptest::proptest! {
        #[test]
        fn any_text_round_trips_through_a_real_parser(text in "\\PC*|[\\x00-\\x20<>&'\"\\]\\uFFFE\\uFFFFaé]*") {
            let mut doc = String::from("<a x=\"");
            escape_into(&mut doc, &text, true);
            doc.push_str("\">");
            escape_into(&mut doc, &text, false);
            cdata_into(&mut doc, &text);
            doc.push_str("</a>");
            let parsed = roxmltree::Document::parse(&doc).expect("well-formed");
            let root = parsed.root_element();
            let clean: String = text.chars().filter(|&c| is_allowed(c)).collect();
            proptest::prop_assert_eq!(root.attribute("x"), Some(clean.as_str()));
            let body: String = root.children().filter_map(|n| n.text()).collect();
            // Parsers normalise line ends inside CDATA (XML 1.0 §2.11):
            // harmless for HTML show notes, so CDATA carries CR as is.
            let normalised = clean.replace("\r\n", "\n").replace('\r', "\n");
            proptest::prop_assert_eq!(body, format!("{clean}{normalised}"));
        }
    }

    /// Characters around the edges of the escaper: every ASCII control,
    /// markup, both quotes, CR/LF/tab, `]]>`, the forbidden U+FFFE/U+FFFF
    /// and their allowed neighbours with the same `EF` lead byte, the
    /// private-use and supplementary planes.
    fn edgy() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            any::<String>(),
            "[\\x00-\\x20<>&'\"\\]\\uFFFE\\uFFFF\\uFFFD\\uF000-\\uF0FF\\uEFBF\\uE000a\\u{10000}\\u{10FFFF}\\u{1FFFE}]*",
            "(]]>|\r\n|\r|&amp;|&#13;|<!\\[CDATA\\[|\\uFFFE|\\uFFEF|é|\\x0b)*",
        ]
    }

    /// Element text, attribute value and CDATA as quick-xml reads them.
    fn read_back_with_quick_xml(doc: &str) -> (String, String, String) {
        use quick_xml::XmlVersion;
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(doc);
        let (mut attr, mut text, mut cdata) = (String::new(), String::new(), String::new());
        let mut inside = "";
        loop {
            match reader.read_event().expect("quick-xml reads it") {
                Event::Start(e) if e.name().as_ref() == "t" => {
                    inside = "t";
                    for a in e.attributes() {
                        let a = a.expect("attribute");
                        let v = a.normalized_value(XmlVersion::Implicit1_0).expect("value");
                        attr.push_str(&v);
                    }
                }
                Event::Start(e) => inside = if e.name().as_ref() == "c" { "c" } else { "" },
                Event::Text(t) if inside == "t" => text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if inside == "t" => {
                    match r.resolve_char_ref().expect("char ref") {
                        Some(c) => text.push(c),
                        None => text.push_str(
                            quick_xml::escape::resolve_predefined_entity(&r.into_inner())
                                .expect("predefined entity"),
                        ),
                    }
                }
                Event::CData(c) if inside == "c" => cdata.push_str(&c.xml10_content()),
                Event::End(_) => inside = "",
                Event::Eof => break,
                _ => {}
            }
        }
        (attr, text, cdata)
    }

    proptest::proptest! {
        #[test]
        fn the_writer_output_parses_back_with_two_parsers(text in edgy()) {
            let mut xml = Xml::new(64);
            xml.open("feed", &[]);
            xml.text("t", &[("a", &text)], &text);
            xml.cdata("c", &text);
            xml.close("feed");
            let doc = xml.finish();
            let clean: String = text.chars().filter(|&c| is_allowed(c)).collect();
            // Line ends in CDATA are normalised by parsers (XML 1.0 §2.11).
            let normalised = clean.replace("\r\n", "\n").replace('\r', "\n");

            let parsed = roxmltree::Document::parse(&doc)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e}: {doc:?}")))?;
            let t = parsed.descendants().find(|n| n.has_tag_name("t")).expect("t");
            let c = parsed.descendants().find(|n| n.has_tag_name("c")).expect("c");
            proptest::prop_assert_eq!(t.attribute("a"), Some(clean.as_str()));
            proptest::prop_assert_eq!(t.text().unwrap_or(""), clean.as_str());
            proptest::prop_assert_eq!(c.text().unwrap_or(""), normalised.as_str());

            let (attr, body, cdata) = read_back_with_quick_xml(&doc);
            proptest::prop_assert_eq!(attr, clean.clone());
            proptest::prop_assert_eq!(body, clean);
            proptest::prop_assert_eq!(cdata, normalised);
        }
    }
}
