//! Every word the website shows that does not come from the catalogue, in
//! one place, so another language is one more [`Strings`] value. Dates and
//! durations are formatted here too, because their shape is part of the
//! language ("1 november 2022", "1 tim 5 min").
//!
//! Role names are not here: the catalogue owns them next to the taxonomy
//! ([`crate::catalog::Role::swedish`]).

use chrono::{DateTime, Datelike, FixedOffset};

/// The website's texts in one language.
#[derive(Debug)]
pub struct Strings {
    /// BCP 47 tag for `<html lang>`.
    pub lang: &'static str,
    /// Open Graph locale.
    pub og_locale: &'static str,
    /// Skip link to the main content (WCAG 2.4.1).
    pub skip_to_content: &'static str,
    /// Label of the main navigation.
    pub nav_label: &'static str,
    /// Link to the start page.
    pub nav_home: &'static str,
    /// Link to the search page.
    pub nav_search: &'static str,
    /// Link to the list of everyone who takes part.
    pub nav_people: &'static str,
    /// Heading of the newest episodes on the start page.
    pub newest: &'static str,
    /// Link from the start page to every episode.
    pub all_episodes: &'static str,
    /// Heading of the participants.
    pub people: &'static str,
    /// Heading of the themes.
    pub themes: &'static str,
    /// Label above a theme's name on its page.
    pub theme: &'static str,
    /// Heading of the subscribe links.
    pub subscribe: &'static str,
    /// Link text of an RSS feed.
    pub rss_feed: &'static str,
    /// Link text to the show in Apple Podcasts.
    pub apple_podcasts: &'static str,
    /// Link text to the show in Spotify.
    pub spotify: &'static str,
    /// Label of the search box.
    pub search_label: &'static str,
    /// Search button.
    pub search_button: &'static str,
    /// Title and heading of the search page.
    pub search_title: &'static str,
    /// Title of the answer to a search too long for a URL (`414`).
    pub search_too_long_title: &'static str,
    /// What to do about it; `{max}` is the search box's character limit.
    pub search_too_long: &'static str,
    /// Label of the theme filter.
    pub filter_theme: &'static str,
    /// Label of the person filter.
    pub filter_person: &'static str,
    /// The "no filter" choice of a filter.
    pub filter_any: &'static str,
    /// Heading above search results.
    pub results: &'static str,
    /// No episode matched.
    pub no_results: &'static str,
    /// The query held nothing to search for (only punctuation).
    pub no_words: &'static str,
    /// Heading of an episode's participants.
    pub participants: &'static str,
    /// Heading of an episode's show notes.
    pub show_notes: &'static str,
    /// Heading of the player section.
    pub listen: &'static str,
    /// Download link.
    pub download: &'static str,
    /// Shown by browsers that cannot play audio.
    pub no_audio_support: &'static str,
    /// Heading of the chapters.
    pub chapters: &'static str,
    /// Heading of the transcript.
    pub transcript: &'static str,
    /// Link to a transcript that is not shown inline.
    pub transcript_file: &'static str,
    /// Said when an episode has no transcript.
    pub no_transcript: &'static str,
    /// Label of the previous/next navigation.
    pub more_episodes: &'static str,
    /// Link to the older episode.
    pub previous: &'static str,
    /// Link to the newer episode.
    pub next: &'static str,
    /// Label of the pager.
    pub pages: &'static str,
    /// Link to the previous page of a list.
    pub previous_page: &'static str,
    /// Link to the next page of a list.
    pub next_page: &'static str,
    /// Heading of a person's or theme's episodes.
    pub episodes: &'static str,
    /// Link to a person's or theme's own feed.
    pub own_feed: &'static str,
    /// Link to search within a person's or theme's episodes.
    pub search_within: &'static str,
    /// A person's own web page.
    pub website: &'static str,
    /// Title of the 404 page.
    pub not_found_title: &'static str,
    /// Body of the 404 page.
    pub not_found_text: &'static str,
    /// Label before a date.
    pub published: &'static str,
    /// Label before a duration.
    pub duration: &'static str,
    /// Month names, January first.
    pub months: [&'static str; 12],
}

/// Swedish, the only language so far.
pub static SV: Strings = Strings {
    lang: "sv",
    og_locale: "sv_SE",
    skip_to_content: "Hoppa till innehållet",
    nav_label: "Huvudmeny",
    nav_home: "Start",
    nav_search: "Sök avsnitt",
    nav_people: "Medverkande",
    newest: "Senaste avsnitten",
    all_episodes: "Alla avsnitt",
    people: "Medverkande",
    themes: "Teman",
    theme: "Tema",
    subscribe: "Prenumerera",
    rss_feed: "RSS-flöde",
    apple_podcasts: "Apple Podcasts",
    spotify: "Spotify",
    search_label: "Sök bland avsnitten",
    search_button: "Sök",
    search_title: "Sök avsnitt",
    search_too_long_title: "Sökningen är för lång",
    search_too_long: "Sökningen är för lång för att skickas. Skriv högst {max} tecken och sök igen.",
    filter_theme: "Tema",
    filter_person: "Medverkande",
    filter_any: "Alla",
    results: "Sökresultat",
    no_results: "Inga avsnitt matchade sökningen. Prova färre eller kortare ord, eller ta bort ett filter.",
    no_words: "Sökningen innehöll inga ord att söka på. Skriv ett eller flera ord, till exempel ett namn eller ett ämne.",
    participants: "Medverkande",
    show_notes: "Om avsnittet",
    listen: "Lyssna",
    download: "Ladda ner avsnittet",
    no_audio_support: "Din webbläsare kan inte spela upp ljud här. Ladda ner avsnittet i stället.",
    chapters: "Kapitel",
    transcript: "Textversion",
    transcript_file: "Textversionen som fil",
    no_transcript: "Det finns ingen textversion av det här avsnittet ännu.",
    more_episodes: "Fler avsnitt",
    previous: "Föregående avsnitt",
    next: "Nästa avsnitt",
    pages: "Sidor",
    previous_page: "Föregående sida",
    next_page: "Nästa sida",
    episodes: "Avsnitt",
    own_feed: "Eget RSS-flöde",
    search_within: "Sök bland de här avsnitten",
    website: "Webbplats",
    not_found_title: "Sidan finns inte",
    not_found_text: "Vi hittar ingen sida på den adressen. Den kan ha flyttats eller tagits bort.",
    published: "Publicerat",
    duration: "Längd",
    months: [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
};

impl Strings {
    /// "Avsnitt 85", or the bare title label for unnumbered episodes.
    pub fn episode_number(&self, number: u32) -> String {
        format!("Avsnitt {number}")
    }

    /// "3 avsnitt" / "1 avsnitt" (the Swedish word does not change).
    pub fn episode_count(&self, n: u64) -> String {
        format!("{n} avsnitt")
    }

    /// "12 träffar" / "1 träff".
    pub fn hit_count(&self, n: u64) -> String {
        if n == 1 {
            "1 träff".into()
        } else {
            format!("{n} träffar")
        }
    }

    /// "Sida 2 av 7".
    pub fn page_of(&self, page: u32, pages: u32) -> String {
        format!("Sida {page} av {pages}")
    }

    /// Title of a person's page.
    pub fn person_title(&self, name: &str) -> String {
        format!("{name}: medverkande")
    }

    /// Title of a theme's page.
    pub fn theme_title(&self, name: &str) -> String {
        format!("Tema: {name}")
    }

    /// "Sökresultat för ”munthe”".
    pub fn results_for(&self, text: &str) -> String {
        format!("Sökresultat för ”{text}”")
    }

    /// Accessible name of a chapter or transcript time button.
    pub fn play_from(&self, time: &str) -> String {
        format!("Spela från {time}")
    }

    /// "1 november 2022"; only "november 2022" when the day is not known.
    pub fn date(&self, at: &DateTime<FixedOffset>, approximate: bool) -> String {
        let month = self.months[at.month0() as usize];
        if approximate {
            format!("{month} {}", at.year())
        } else {
            format!("{} {month} {}", at.day(), at.year())
        }
    }

    /// "1 tim 5 min", "42 min", "35 s".
    pub fn duration_text(&self, ms: u64) -> String {
        let s = (ms + 500) / 1000;
        match (s / 3600, (s % 3600) / 60) {
            (0, 0) => format!("{s} s"),
            (0, m) => format!("{m} min"),
            (h, m) => format!("{h} tim {m} min"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SV;

    #[test]
    fn swedish_dates_and_durations() {
        let at = chrono::DateTime::parse_from_rfc3339("2022-11-01T06:00:00+01:00").expect("date");
        assert_eq!(SV.date(&at, false), "1 november 2022");
        assert_eq!(SV.date(&at, true), "november 2022");
        assert_eq!(SV.duration_text(35_400), "35 s");
        assert_eq!(SV.duration_text(2_520_000), "42 min");
        assert_eq!(SV.duration_text(3_900_000), "1 tim 5 min");
        assert_eq!(SV.hit_count(1), "1 träff");
    }
}
