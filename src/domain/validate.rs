//! Collecting every broken rule of an input at once, each with the path of
//! its field. Used by the document format and by the mutations, so a value
//! is held to the same rules whichever way it arrives.

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

    pub fn text(&mut self, path: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.fail(path, "must not be empty");
        } else if value.chars().count() > max {
            self.fail(path, format!("must be at most {max} characters"));
        }
    }

    pub fn optional_text(&mut self, path: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            self.text(path, value, max);
        }
    }

    pub fn texts(&mut self, path: &str, values: &[String], max: usize) {
        for (index, value) in values.iter().enumerate() {
            self.text(&format!("{path}[{index}]"), value, max);
        }
    }

    pub fn url(&mut self, path: &str, value: &str) {
        if value.chars().count() > limits::URL {
            self.fail(path, format!("must be at most {} characters", limits::URL));
        } else if !limits::is_valid_url(value) {
            self.fail(path, "must be an absolute http:// or https:// URL");
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
