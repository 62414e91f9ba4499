//! The limits of what a portfolio may hold, in one place: lengths of text
//! fields, sizes of the lists an input may carry, and how many items of each
//! kind one person may have. The mutations, the portfolio document and the
//! JSON Resume import are all held to them; the query side prices lists
//! with the same numbers.
//!
//! Text lengths are in characters. They are at most the column sizes of the
//! migrations, so a value that passes validation fits every backend.

pub const SLUG_MIN: usize = 3;
pub const SLUG_MAX: usize = 64;
pub const NAME: usize = 200;
pub const HEADLINE: usize = 300;
pub const SHORT_TEXT: usize = 200;
pub const SKILL_NAME: usize = 100;
pub const UNIT: usize = 64;
pub const METRIC_DISPLAY: usize = 300;
/// The longest usable address (a path in SMTP holds 256 octets with its
/// angle brackets); the column holds 320.
pub const EMAIL: usize = 254;
pub const LONG_TEXT: usize = 10_000;
pub const URL: usize = 2_000;

// Lists inside one item. Every list an input may carry has a cap, checked
// before anything is written, so that no statement grows with the input.
// The same numbers are the maxima the complexity limit prices plain lists
// with (`graphql::cost`): they are what a portfolio can hold, not guesses.

/// Items of one list of text: summary paragraphs, actions, results,
/// highlights.
pub const MAX_LIST_ITEMS: usize = 20;
/// Metrics of one achievement.
pub const MAX_METRICS_PER_ACHIEVEMENT: usize = 10;
/// Links (talks, posts, ...) of one achievement or one activity.
pub const MAX_LINKS_PER_ITEM: usize = 10;
/// Actions of one achievement.
pub const MAX_ACTIONS_PER_ACHIEVEMENT: usize = MAX_LIST_ITEMS;
/// Results of one achievement.
pub const MAX_RESULTS_PER_ACHIEVEMENT: usize = MAX_LIST_ITEMS;
/// Skills one achievement names (`skillIds`, a document's `skills`).
pub const MAX_SKILLS_PER_ACHIEVEMENT: usize = 20;
/// Highlights of one activity.
pub const MAX_HIGHLIGHTS_PER_ACTIVITY: usize = MAX_LIST_ITEMS;
/// Paragraphs of a person's summary (one list per person, so it may be
/// longer).
pub const MAX_SUMMARY_PARAGRAPHS: usize = 50;

// Items of one person's portfolio. Creating one more is refused; a document
// or a JSON Resume holding more is refused as a whole. A reorder lists the
// whole list, so its `ids` are capped by the same numbers.

pub const MAX_PROFILE_LINKS_PER_PERSON: usize = 20;
pub const MAX_ROLES_PER_PERSON: usize = 50;
/// Achievements of one role or one activity.
pub const MAX_ACHIEVEMENTS_PER_PARENT: usize = 50;
/// Achievements of all the person's roles and activities together.
pub const MAX_ACHIEVEMENTS_PER_PERSON: usize = 500;
pub const MAX_SKILLS_PER_PERSON: usize = 200;
pub const MAX_ACTIVITIES_PER_PERSON: usize = 100;

/// Any array of a JSON Resume document to import (`work`, `highlights`,
/// `keywords`, ...), before it is mapped to a portfolio and held to the
/// limits above.
pub const MAX_JSON_RESUME_ARRAY: usize = MAX_ACHIEVEMENTS_PER_PERSON;

/// `^[a-z0-9]+(-[a-z0-9]+)*$`, `SLUG_MIN..=SLUG_MAX` characters.
pub fn is_valid_slug(slug: &str) -> bool {
    (SLUG_MIN..=SLUG_MAX).contains(&slug.len())
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// An absolute `http` or `https` URL with a host, without whitespace,
/// control or bidirectional-formatting characters.
pub fn is_valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            !host.is_empty()
                && !url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || is_bidi_control(c))
        }
        None => false,
    }
}

/// A pragmatic e-mail address check: one `@`; a local part without
/// whitespace or control characters; a domain of dot-separated labels, at
/// least two, without whitespace or control characters; at most [`EMAIL`]
/// characters in all.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let clean = |part: &str| {
        !part.is_empty()
            && !part
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || is_bidi_control(c) || c == '@')
    };
    email.chars().count() <= EMAIL
        && clean(local)
        && clean(domain)
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

/// The characters that override or isolate the direction of text
/// (U+202A-U+202E, U+2066-U+2069): they make text display differently from
/// what it holds.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing: zero-width space, non-joiner and joiner,
/// word joiner, and the byte-order mark.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_single_dashes() {
        for good in ["dahye-ahn", "abc", "a1-b2-c3"] {
            assert!(is_valid_slug(good), "{good}");
        }
        for bad in [
            "ab",
            "Dahye",
            "-abc",
            "abc-",
            "a--b",
            "a_b",
            "안다혜",
            &"a".repeat(65),
        ] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_absolute_http_or_https() {
        assert!(is_valid_url("https://aimb.tistory.com/"));
        assert!(is_valid_url("http://example.com"));
        for bad in [
            "ftp://x.y",
            "https://",
            "/relative",
            "javascript:alert(1)",
            "https://a b",
            "https://a.b/\u{0}",
            "https://a.b/x\ty",
            "https://a.b/\u{1b}[31m",
            "https://a.b/\u{202E}fdp.exe",
        ] {
            assert!(!is_valid_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn emails_have_one_at_a_local_part_and_a_dotted_domain() {
        for good in [
            "dahye@example.com",
            "a.b+c@mail.example.co.kr",
            "안@예.한국",
        ] {
            assert!(is_valid_email(good), "{good}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b@example.com",
            "a b@example.com",
            "a@example",
            "a@example.",
            "a@.example.com",
            "a@exa mple.com",
            "a\u{0}@example.com",
            &long,
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
    }
}
