//! Bytes → one episode file through `import`'s own code (decode, TOML,
//! validation: `ingest::Loaded::add_file`), as an episode file and as
//! `people.toml`. Besides "never panics", two properties:
//!
//! - every error names the file, so a producer knows where to look;
//! - an episode that parses, rendered back (what `export` writes) and parsed
//!   again, is the same episode: `export` then `import` loses nothing.

#![no_main]

use libfuzzer_sys::fuzz_target;
use podcatalog::catalog::Episode;
use podcatalog::catalog::file;
use podcatalog::config::Config;
use podcatalog::ingest::Loaded;
use std::path::Path;
use std::sync::LazyLock;

static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    Config::parse(include_str!("../../feed-config.toml"), "feed-config.toml")
        .expect("the shipped config parses")
});

fuzz_target!(|data: &[u8]| {
    let config = &*CONFIG;
    for name in ["episodes/fuzz.toml", "episodes/people.toml"] {
        let mut loaded = Loaded::default();
        match loaded.add_file(Path::new(name), data.to_vec(), config) {
            Err(e) => assert!(e.to_string().starts_with(name), "{e}"),
            Ok(()) => {
                for (_, draft) in &loaded.drafts {
                    round_trip(draft, config);
                }
            }
        }
    }
});

/// `render` then `parse` gives the draft back.
fn round_trip(draft: &file::Draft, config: &Config) {
    let ep = Episode {
        id: 1,
        guid: draft.guid.clone().unwrap_or_else(|| "guid".into()),
        data: draft.data.clone(),
        created_at: String::new(),
        updated_at: String::new(),
    };
    let text = file::render(&ep);
    let again = file::parse(&text, "rendered.toml", config)
        .unwrap_or_else(|e| panic!("rendered file does not parse: {e}\n{text}"));
    assert_eq!(again.data, draft.data, "\n{text}");
    assert_eq!(again.guid.as_deref(), Some(ep.guid.as_str()));
}
