//! Apple Podcasts' category list (the 2019 taxonomy Apple still uses: 19
//! categories, 110 in all), so a typo in `feed-config.toml` fails at load
//! instead of silently dropping the show from Apple's category charts.

/// An Apple category, optionally with a subcategory (`News` › `Politics`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Category {
    /// Top-level category exactly as Apple spells it.
    pub name: String,
    /// Subcategory, when one is chosen.
    pub sub: Option<String>,
}

/// Apple's categories with their subcategories, spelled as the feed must carry them.
pub const APPLE_CATEGORIES: &[(&str, &[&str])] = &[
    (
        "Arts",
        &[
            "Books",
            "Design",
            "Fashion & Beauty",
            "Food",
            "Performing Arts",
            "Visual Arts",
        ],
    ),
    (
        "Business",
        &[
            "Careers",
            "Entrepreneurship",
            "Investing",
            "Management",
            "Marketing",
            "Non-Profit",
        ],
    ),
    ("Comedy", &["Comedy Interviews", "Improv", "Stand-Up"]),
    (
        "Education",
        &["Courses", "How To", "Language Learning", "Self-Improvement"],
    ),
    ("Fiction", &["Comedy Fiction", "Drama", "Science Fiction"]),
    ("Government", &[]),
    ("History", &[]),
    (
        "Health & Fitness",
        &[
            "Alternative Health",
            "Fitness",
            "Medicine",
            "Mental Health",
            "Nutrition",
            "Sexuality",
        ],
    ),
    (
        "Kids & Family",
        &[
            "Education for Kids",
            "Parenting",
            "Pets & Animals",
            "Stories for Kids",
        ],
    ),
    (
        "Leisure",
        &[
            "Animation & Manga",
            "Automotive",
            "Aviation",
            "Crafts",
            "Games",
            "Hobbies",
            "Home & Garden",
            "Video Games",
        ],
    ),
    (
        "Music",
        &["Music Commentary", "Music History", "Music Interviews"],
    ),
    (
        "News",
        &[
            "Business News",
            "Daily News",
            "Entertainment News",
            "News Commentary",
            "Politics",
            "Sports News",
            "Tech News",
        ],
    ),
    (
        "Religion & Spirituality",
        &[
            "Buddhism",
            "Christianity",
            "Hinduism",
            "Islam",
            "Judaism",
            "Religion",
            "Spirituality",
        ],
    ),
    (
        "Science",
        &[
            "Astronomy",
            "Chemistry",
            "Earth Sciences",
            "Life Sciences",
            "Mathematics",
            "Natural Sciences",
            "Nature",
            "Physics",
            "Social Sciences",
        ],
    ),
    (
        "Society & Culture",
        &[
            "Documentary",
            "Personal Journals",
            "Philosophy",
            "Places & Travel",
            "Relationships",
        ],
    ),
    (
        "Sports",
        &[
            "Baseball",
            "Basketball",
            "Cricket",
            "Fantasy Sports",
            "Football",
            "Golf",
            "Hockey",
            "Rugby",
            "Running",
            "Soccer",
            "Swimming",
            "Tennis",
            "Volleyball",
            "Wilderness",
            "Wrestling",
        ],
    ),
    ("Technology", &[]),
    ("True Crime", &[]),
    (
        "TV & Film",
        &[
            "After Shows",
            "Film History",
            "Film Interviews",
            "Film Reviews",
            "TV Reviews",
        ],
    ),
];

/// Whether `name` (and `sub`, when given) is on Apple's list.
pub fn is_apple_category(name: &str, sub: Option<&str>) -> bool {
    APPLE_CATEGORIES
        .iter()
        .any(|(n, subs)| *n == name && sub.is_none_or(|s| subs.contains(&s)))
}

/// Parses `"News"` or `"News > Politics"` into a checked [`Category`].
pub fn parse_category(text: &str) -> Result<Category, String> {
    let mut parts = text.splitn(2, '>').map(str::trim);
    let name = parts.next().unwrap_or_default().to_string();
    let sub = parts.next().map(str::to_string);
    if is_apple_category(&name, sub.as_deref()) {
        return Ok(Category { name, sub });
    }
    let top = APPLE_CATEGORIES.iter().map(|(n, _)| *n);
    let hint = match crate::config::closest(&name, top) {
        Some(c) if c != name => format!(" (did you mean `{c}`?)"),
        _ => String::new(),
    };
    Err(format!(
        "`{text}` is not an Apple Podcasts category{hint}; write \"Category\" or \"Category > Subcategory\" from Apple's list"
    ))
}

/// ISO 639-1 two-letter language codes, for validating `channel.language`.
pub const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// Whether `tag` is an ISO 639-1 code, optionally followed by a region (`sv-SE`).
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.splitn(2, '-');
    let lang = parts.next().unwrap_or_default();
    let region_ok = parts
        .next()
        .is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()));
    region_ok && ISO_639_1.split(' ').any(|c| c == lang.to_ascii_lowercase())
}
