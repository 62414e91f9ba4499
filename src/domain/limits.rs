//! Maximum lengths of text fields, in characters. They match the column sizes
//! of the migrations, so a value that passes validation fits every backend.

pub const SLUG_MIN: usize = 3;
pub const SLUG_MAX: usize = 64;
pub const NAME: usize = 200;
pub const HEADLINE: usize = 300;
pub const SHORT_TEXT: usize = 200;
pub const SKILL_NAME: usize = 100;
pub const UNIT: usize = 64;
pub const METRIC_DISPLAY: usize = 300;
pub const EMAIL: usize = 320;
pub const LONG_TEXT: usize = 10_000;
pub const URL: usize = 2_000;

// How many items a portfolio may hold. Enforced on every write, and the
// maxima the complexity limit prices plain lists with (`graphql::cost`).
pub const MAX_ROLES_PER_PERSON: usize = 50;
pub const MAX_ACHIEVEMENTS_PER_PARENT: usize = 50;
pub const MAX_ACHIEVEMENTS_PER_PERSON: usize = 500;
pub const MAX_SKILLS_PER_PERSON: usize = 200;
pub const MAX_ACTIVITIES_PER_PERSON: usize = 100;
pub const MAX_EDUCATION_PER_PERSON: usize = 20;
pub const MAX_LANGUAGES_PER_PERSON: usize = 20;
pub const MAX_PROFILE_LINKS_PER_PERSON: usize = 20;
pub const MAX_METRICS_PER_ACHIEVEMENT: usize = 10;
pub const MAX_SKILLS_PER_ACHIEVEMENT: usize = 20;
/// Links of one achievement or activity.
pub const MAX_LINKS_PER_ITEM: usize = 10;
/// Items of one list of text: summary paragraphs, actions, results, highlights.
pub const MAX_LIST_ITEMS: usize = 20;

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

/// An absolute `http` or `https` URL with a host.
pub fn is_valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            !host.is_empty() && !url.chars().any(char::is_whitespace)
        }
        None => false,
    }
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
        ] {
            assert!(!is_valid_url(bad), "{bad}");
        }
    }
}
