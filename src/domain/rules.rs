//! Which rule and which limit hold for each field of each portfolio type,
//! written once: the document checks and the mutations both call these, so
//! a value is held to the same rules whichever way it arrives.
//!
//! Each function checks the fields it is given under `path` (`input` for a
//! mutation, `roles[2]` in a document); `None` is a field that is not given
//! (an update that leaves it, or an optional field left out), which breaks
//! no rule. `months`, where a type has them, is `None` when the order of
//! start and end can only be judged against the stored row.

use super::validate::Checker;
use super::{YearMonth, limits};

/// How a document and the API spell a field of more than one word.
#[derive(Clone, Copy)]
pub enum Naming {
    /// `snake_case`, the keys of the native document.
    Document,
    /// `camelCase`, the fields of GraphQL inputs.
    Api,
}

impl Naming {
    fn pick(self, snake: &'static str, camel: &'static str) -> &'static str {
        match self {
            Naming::Document => snake,
            Naming::Api => camel,
        }
    }
}

/// A person's own fields.
#[derive(Clone, Copy, Default)]
pub struct PersonFields<'a> {
    pub slug: Option<&'a str>,
    pub name: Option<&'a str>,
    pub headline: Option<&'a str>,
    pub summary: Option<&'a [String]>,
    pub location: Option<&'a str>,
    pub email: Option<&'a str>,
    pub avatar_url: Option<&'a str>,
}

/// The rules of a person's own fields.
pub fn person(c: &mut Checker, path: &str, naming: Naming, f: PersonFields<'_>) {
    if let Some(slug) = f.slug {
        c.slug(&format!("{path}.slug"), slug);
    }
    if let Some(name) = f.name {
        c.text(&format!("{path}.name"), name, limits::NAME);
    }
    if let Some(headline) = f.headline {
        c.text(&format!("{path}.headline"), headline, limits::HEADLINE);
    }
    if let Some(summary) = f.summary {
        c.texts(
            &format!("{path}.summary"),
            summary,
            limits::MAX_SUMMARY_PARAGRAPHS,
            limits::LONG_TEXT,
        );
    }
    c.optional_text(&format!("{path}.location"), f.location, limits::SHORT_TEXT);
    if let Some(email) = f.email {
        c.email(&format!("{path}.email"), email);
    }
    if let Some(url) = f.avatar_url {
        let key = naming.pick("avatar_url", "avatarUrl");
        c.url(&format!("{path}.{key}"), url);
    }
}

/// The rules of a profile link.
pub fn profile_link(c: &mut Checker, path: &str, label: Option<&str>, url: Option<&str>) {
    c.optional_text(&format!("{path}.label"), label, limits::SHORT_TEXT);
    if let Some(url) = url {
        c.url(&format!("{path}.url"), url);
    }
}

/// The rules of a skill (its name is also unique per person, which only
/// the whole list can tell).
pub fn skill(c: &mut Checker, path: &str, name: Option<&str>) {
    c.optional_text(&format!("{path}.name"), name, limits::SKILL_NAME);
}

/// A role's fields that have rules.
#[derive(Clone, Copy, Default)]
pub struct RoleFields<'a> {
    pub organization: Option<&'a str>,
    pub title: Option<&'a str>,
    pub department: Option<&'a str>,
    pub location: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub months: Option<(Option<YearMonth>, Option<YearMonth>)>,
}

/// The rules of a role.
pub fn role(c: &mut Checker, path: &str, f: RoleFields<'_>) {
    let short = [
        ("organization", f.organization),
        ("title", f.title),
        ("department", f.department),
        ("location", f.location),
    ];
    for (key, value) in short {
        c.optional_text(&format!("{path}.{key}"), value, limits::SHORT_TEXT);
    }
    c.optional_multiline(&format!("{path}.summary"), f.summary, limits::LONG_TEXT);
    if let Some((start, end)) = f.months {
        c.months(path, start, end);
    }
}

/// An activity's fields that have rules.
#[derive(Clone, Copy, Default)]
pub struct ActivityFields<'a> {
    pub title: Option<&'a str>,
    pub organization: Option<&'a str>,
    pub description: Option<&'a str>,
    pub highlights: Option<&'a [String]>,
    pub months: Option<(Option<YearMonth>, Option<YearMonth>)>,
    pub year: Option<i32>,
}

/// The rules of an activity (its links: [`references`]).
pub fn activity(c: &mut Checker, path: &str, f: ActivityFields<'_>) {
    c.optional_multiline(&format!("{path}.title"), f.title, limits::LONG_TEXT);
    c.optional_text(
        &format!("{path}.organization"),
        f.organization,
        limits::SHORT_TEXT,
    );
    c.optional_multiline(
        &format!("{path}.description"),
        f.description,
        limits::LONG_TEXT,
    );
    if let Some(highlights) = f.highlights {
        c.texts(
            &format!("{path}.highlights"),
            highlights,
            limits::MAX_HIGHLIGHTS_PER_ACTIVITY,
            limits::LONG_TEXT,
        );
    }
    if let Some((start, end)) = f.months {
        c.months(path, start, end);
    }
    if f.year.is_some_and(|y| !(1..=9999).contains(&y)) {
        c.fail(format!("{path}.year"), "must be a year between 1 and 9999");
    }
}

/// The rules of an achievement's own texts (its skills, metrics and links:
/// [`metrics`], [`references`]).
pub fn achievement(
    c: &mut Checker,
    path: &str,
    title: Option<&str>,
    context: Option<&str>,
    actions: Option<&[String]>,
    results: Option<&[String]>,
) {
    c.optional_multiline(&format!("{path}.title"), title, limits::LONG_TEXT);
    c.optional_multiline(&format!("{path}.context"), context, limits::LONG_TEXT);
    let lists = [
        ("actions", actions, limits::MAX_ACTIONS_PER_ACHIEVEMENT),
        ("results", results, limits::MAX_RESULTS_PER_ACHIEVEMENT),
    ];
    for (key, values, max) in lists {
        if let Some(values) = values {
            c.texts(&format!("{path}.{key}"), values, max, limits::LONG_TEXT);
        }
    }
}

/// One metric: what it measures, its number, unit and wording.
#[derive(Clone, Copy)]
pub struct MetricFields<'a> {
    pub label: &'a str,
    pub value: Option<f64>,
    pub unit: Option<&'a str>,
    pub display: &'a str,
}

/// The rules of an achievement's metrics (`{path}.metrics`): capped, each
/// checked when the list fits.
pub fn metrics<'a>(
    c: &mut Checker,
    path: &str,
    metrics: impl ExactSizeIterator<Item = MetricFields<'a>>,
) {
    let path = format!("{path}.metrics");
    if !c.list(&path, metrics.len(), limits::MAX_METRICS_PER_ACHIEVEMENT) {
        return;
    }
    for (i, m) in metrics.enumerate() {
        let path = format!("{path}[{i}]");
        c.text(&format!("{path}.label"), m.label, limits::SHORT_TEXT);
        c.text(
            &format!("{path}.display"),
            m.display,
            limits::METRIC_DISPLAY,
        );
        c.optional_text(&format!("{path}.unit"), m.unit, limits::UNIT);
        if m.value.is_some_and(|v| !v.is_finite()) {
            c.fail(format!("{path}.value"), "must be a finite number");
        }
    }
}

/// The rules of the links (talks, posts, ...) of an achievement or activity
/// (`{path}.links`), given as `(title, url)`: capped, each checked when the
/// list fits.
pub fn references<'a>(
    c: &mut Checker,
    path: &str,
    links: impl ExactSizeIterator<Item = (&'a str, Option<&'a str>)>,
) {
    let path = format!("{path}.links");
    if !c.list(&path, links.len(), limits::MAX_LINKS_PER_ITEM) {
        return;
    }
    for (i, (title, url)) in links.enumerate() {
        c.text(&format!("{path}[{i}].title"), title, limits::SHORT_TEXT);
        if let Some(url) = url {
            c.url(&format!("{path}[{i}].url"), url);
        }
    }
}

/// The rules of what a reference says besides its title and URL: the
/// event a talk was given at and the publisher of a post (one line each).
pub fn reference_details(
    c: &mut Checker,
    path: &str,
    event: Option<&str>,
    publisher: Option<&str>,
) {
    c.optional_text(&format!("{path}.event"), event, limits::SHORT_TEXT);
    c.optional_text(&format!("{path}.publisher"), publisher, limits::SHORT_TEXT);
}
