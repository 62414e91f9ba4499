//! The human-readable fields of each portfolio type: the ones that have
//! translations, with the limit each obeys (the same as the field's own, in
//! [`super::rules`]).

use super::limits;
use super::validate::Checker;

/// What one text field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One line of at most this many characters.
    Line(usize),
    /// Text that may span lines, of at most this many characters.
    Multiline(usize),
    /// A list of at most `.0` texts of at most `.1` characters each.
    List(usize, usize),
}

/// A translatable field: its name (the document's key; the GraphQL field's
/// name too) and shape.
pub type TextField = (&'static str, Shape);

use Shape::{Line, List, Multiline};

pub const PERSON: &[TextField] = &[
    ("name", Line(limits::NAME)),
    ("headline", Line(limits::HEADLINE)),
    (
        "summary",
        List(limits::MAX_SUMMARY_PARAGRAPHS, limits::LONG_TEXT),
    ),
    ("location", Line(limits::SHORT_TEXT)),
];
pub const PROFILE_LINK: &[TextField] = &[("label", Line(limits::SHORT_TEXT))];
pub const ROLE: &[TextField] = &[
    ("organization", Line(limits::SHORT_TEXT)),
    ("title", Line(limits::SHORT_TEXT)),
    ("department", Line(limits::SHORT_TEXT)),
    ("location", Line(limits::SHORT_TEXT)),
    ("summary", Multiline(limits::LONG_TEXT)),
];
pub const ACHIEVEMENT: &[TextField] = &[
    ("title", Multiline(limits::LONG_TEXT)),
    ("context", Multiline(limits::LONG_TEXT)),
    (
        "actions",
        List(limits::MAX_ACTIONS_PER_ACHIEVEMENT, limits::LONG_TEXT),
    ),
    (
        "results",
        List(limits::MAX_RESULTS_PER_ACHIEVEMENT, limits::LONG_TEXT),
    ),
];
pub const METRIC: &[TextField] = &[
    ("label", Line(limits::SHORT_TEXT)),
    ("display", Line(limits::METRIC_DISPLAY)),
];
pub const SKILL: &[TextField] = &[("name", Line(limits::SKILL_NAME))];
pub const ACTIVITY: &[TextField] = &[
    ("title", Multiline(limits::LONG_TEXT)),
    ("organization", Line(limits::SHORT_TEXT)),
    ("description", Multiline(limits::LONG_TEXT)),
    (
        "highlights",
        List(limits::MAX_HIGHLIGHTS_PER_ACTIVITY, limits::LONG_TEXT),
    ),
];

/// The shape of `name` among `fields`.
pub fn shape_of(fields: &[TextField], name: &str) -> Option<Shape> {
    fields.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// Checks one text of a field of `shape`, under `path`.
pub fn check_text(c: &mut Checker, path: &str, shape: Shape, text: &str) {
    match shape {
        Line(max) => c.text(path, text, max),
        Multiline(max) => c.multiline(path, text, max),
        List(_, max) => c.multiline(path, text, max),
    }
}

/// Checks the texts of a list field of `shape`, under `path`.
pub fn check_texts(c: &mut Checker, path: &str, shape: Shape, texts: &[String]) {
    if let List(items, max) = shape {
        c.texts(path, texts, items, max);
    }
}
