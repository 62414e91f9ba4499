//! Collecting every broken rule of an input at once, each with the path of
//! its field. Used by the document format and by the mutations, so a value
//! is held to the same rules whichever way it arrives.
//!
//! Text is never blank nor made only of invisible characters (zero-width
//! spaces and joiners, the byte-order mark); it holds no control characters
//! (multi-line text may hold line feeds and tabs) and none of the characters
//! that override or isolate the direction of text, which make it display
//! differently from what it says. Lists are capped (see [`limits`]).

use super::{YearMonth, limits};

/// Collects `(field path, message)` for every rule broken.
#[derive(Debug, Default)]
pub struct Checker {
    problems: Vec<(String, String)>,
}

impl Checker {
    pub fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push((path.into(), message.into()));
    }

    /// One line of text: not blank, at most `max` characters, no control
    /// characters at all.
    pub fn text(&mut self, path: &str, value: &str, max: usize) {
        self.text_of(path, value, max, Lines::One);
    }

    /// Text that may run over several lines: as [`Checker::text`], but line
    /// feeds and tabs are allowed.
    pub fn multiline(&mut self, path: &str, value: &str, max: usize) {
        self.text_of(path, value, max, Lines::Many);
    }

    pub fn optional_text(&mut self, path: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            self.text(path, value, max);
        }
    }

    pub fn optional_multiline(&mut self, path: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            self.multiline(path, value, max);
        }
    }

    /// A list of paragraphs: at most `max_items` of them, each multi-line
    /// text of at most `max` characters.
    pub fn texts(&mut self, path: &str, values: &[String], max_items: usize, max: usize) {
        if self.list(path, values.len(), max_items) {
            for (index, value) in values.iter().enumerate() {
                self.multiline(&format!("{path}[{index}]"), value, max);
            }
        }
    }

    /// A list of `len` items may hold at most `max`; false (and a problem
    /// recorded) when it holds more, so that its items need not be checked.
    pub fn list(&mut self, path: &str, len: usize, max: usize) -> bool {
        if len > max {
            self.fail(path, format!("must hold at most {max} items, got {len}"));
            false
        } else {
            true
        }
    }

    /// One more item in a list that holds `len` of at most `max` already.
    pub fn room(&mut self, path: &str, what: &str, len: usize, max: usize) {
        if len >= max {
            self.fail(
                path,
                format!("a person may have at most {max} {what}; remove one first"),
            );
        }
    }

    /// Like [`Checker::room`], for items of one parent (`what` says which).
    pub fn list_room(&mut self, path: &str, what: &str, len: usize, max: usize) {
        if len >= max {
            self.fail(path, format!("at most {max} {what}; remove one first"));
        }
    }

    pub fn email(&mut self, path: &str, value: &str) {
        if !limits::is_valid_email(value) {
            self.fail(
                path,
                format!(
                    "must be an e-mail address (one @, a domain with a dot, at most {} characters)",
                    limits::EMAIL
                ),
            );
        }
    }

    fn text_of(&mut self, path: &str, value: &str, max: usize, lines: Lines) {
        if value.trim().is_empty() {
            self.fail(path, "must not be empty");
        } else if value
            .chars()
            .all(|c| c.is_whitespace() || limits::is_invisible(c))
        {
            self.fail(path, "must not be only invisible characters");
        } else if value.chars().count() > max {
            self.fail(path, format!("must be at most {max} characters"));
        } else if let Some(c) = value.chars().find(|&c| c.is_control() && !lines.allows(c)) {
            self.fail(
                path,
                match lines {
                    Lines::One => format!(
                        "must be one line without control characters (found U+{:04X})",
                        u32::from(c)
                    ),
                    Lines::Many => format!(
                        "must not contain control characters other than line feeds and tabs (found U+{:04X})",
                        u32::from(c)
                    ),
                },
            );
        } else if let Some(c) = value.chars().find(|&c| limits::is_bidi_control(c)) {
            self.fail(
                path,
                format!(
                    "must not contain characters that override the direction of text (found U+{:04X})",
                    u32::from(c)
                ),
            );
        }
    }

    pub fn url(&mut self, path: &str, value: &str) {
        if value.chars().count() > limits::URL {
            self.fail(path, format!("must be at most {} characters", limits::URL));
        } else if !limits::is_valid_url(value) {
            self.fail(
                path,
                "must be an absolute http:// or https:// URL without spaces or control characters",
            );
        }
    }

    pub fn months(&mut self, path: &str, start: Option<YearMonth>, end: Option<YearMonth>) {
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            self.fail(
                format!("{path}.end"),
                format!("{end} is before start {start}"),
            );
        }
    }

    /// `value` as a slug: lower-case words of a-z and 0-9 joined by dashes.
    pub fn slug(&mut self, path: &str, value: &str) {
        if !limits::is_valid_slug(value) {
            self.fail(
                path,
                format!(
                    "must be {}-{} characters of a-z and 0-9 in words joined by single dashes (like \"dahye-ahn\")",
                    limits::SLUG_MIN,
                    limits::SLUG_MAX
                ),
            );
        }
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// Every problem found, as `(field path, message)`.
    pub fn into_problems(self) -> Vec<(String, String)> {
        self.problems
    }
}

/// Whether line feeds and tabs are allowed.
#[derive(Clone, Copy)]
enum Lines {
    One,
    Many,
}

impl Lines {
    fn allows(self, c: char) -> bool {
        matches!(self, Lines::Many) && matches!(c, '\n' | '\t')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(check: impl FnOnce(&mut Checker)) -> Vec<String> {
        let mut c = Checker::default();
        check(&mut c);
        c.into_problems().into_iter().map(|(_, m)| m).collect()
    }

    #[test]
    fn text_refuses_controls_bidi_overrides_and_invisible_values() {
        for bad in [
            "a\u{0}b",
            "a\u{1b}[2Jb",
            "a\nb",
            "a\tb",
            "a\rb",
            "a\u{7f}b",
            "a\u{85}b",
            "a\u{202E}b",
            "a\u{2066}b",
            "\u{200B}",
            "\u{FEFF} \u{200D}",
            "\u{2060}\n",
            " ",
        ] {
            assert_eq!(problems(|c| c.text("f", bad, 100)).len(), 1, "{bad:?}");
        }
        assert!(problems(|c| c.text("f", "안다혜 SRE · 2.5x", 100)).is_empty());
    }

    #[test]
    fn multiline_text_allows_line_feeds_and_tabs_only() {
        assert!(problems(|c| c.multiline("f", "한 줄\n\t두 줄", 100)).is_empty());
        for bad in ["a\u{0}b", "a\u{1b}b", "a\rb", "a\u{202D}b", "\u{200C}\n\t"] {
            assert_eq!(problems(|c| c.multiline("f", bad, 100)).len(), 1, "{bad:?}");
        }
    }

    #[test]
    fn a_list_over_its_cap_is_one_problem_and_its_items_are_not_checked() {
        let values = vec![String::new(); 5];
        assert_eq!(
            problems(|c| c.texts("f", &values, 4, 10)),
            ["must hold at most 4 items, got 5"]
        );
        assert_eq!(problems(|c| c.texts("f", &values, 5, 10)).len(), 5);
    }
}
