//! JSON Resume (schema 1.0.0), the ecosystem's standard resume format:
//! export of a portfolio in one locale, and import of a resume as a new
//! portfolio.
//!
//! The mapping is described in `docs/json-resume.md`. In short: every
//! field JSON Resume has is filled from the portfolio (people and themes
//! read those); everything it has no field for travels in an `x-portfolio`
//! object on the entry it belongs to (JSON Resume allows additional
//! properties everywhere), holding the native document's own fields (its
//! keys, `docs/portfolio-format.md`) that the entry does not show as they
//! are. Importing reads the visible fields and `x-portfolio` together, so
//! exporting an imported export gives the same document again; a resume
//! without `x-portfolio` (from another tool) is read from its visible
//! fields alone.
//!
//! Talks have no place in JSON Resume: they are `projects` entries with
//! `type: "talk"` (`entity` = the event); posts and articles are
//! `publications` with their publisher.

use chrono::{DateTime, SecondsFormat, Utc};
use entity::enums::{ActivityKind, ProfileLinkKind, ReferenceKind, SkillCategory};
use serde_json::{Map, Value, json};

use super::model::*;
use crate::domain::{Locale, Preferences, YearMonth, limits};

const SCHEMA: &str =
    "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json";

/// The extension property on JSON Resume objects.
pub const EXTENSION: &str = "x-portfolio";
fn category_label(category: SkillCategory) -> &'static str {
    match category {
        SkillCategory::Language => "Languages",
        SkillCategory::Cloud => "Cloud",
        SkillCategory::Container => "Containers",
        SkillCategory::InfrastructureAsCode => "Infrastructure as code",
        SkillCategory::Observability => "Observability",
        SkillCategory::CiCd => "CI/CD",
        SkillCategory::Data => "Data",
        SkillCategory::Testing => "Testing",
        SkillCategory::Collaboration => "Collaboration",
        SkillCategory::Other => "Other",
    }
}

const CATEGORIES: [SkillCategory; 10] = [
    SkillCategory::Language,
    SkillCategory::Cloud,
    SkillCategory::Container,
    SkillCategory::InfrastructureAsCode,
    SkillCategory::Observability,
    SkillCategory::CiCd,
    SkillCategory::Data,
    SkillCategory::Testing,
    SkillCategory::Collaboration,
    SkillCategory::Other,
];

/// One line for an achievement: "title — actions → results [metrics]".
fn highlight(a: &AchievementDoc) -> String {
    let mut line = a.title.clone();
    if !a.actions.is_empty() {
        line.push_str(" — ");
        line.push_str(&a.actions.join("; "));
    }
    if !a.results.is_empty() {
        line.push_str(" → ");
        line.push_str(&a.results.join("; "));
    }
    if !a.metrics.is_empty() {
        let metrics: Vec<&str> = a.metrics.iter().map(|m| m.display.as_str()).collect();
        line.push_str(&format!(" [{}]", metrics.join(", ")));
    }
    line
}

fn insert(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), value.into());
    }
}

/// The native fields of an item, as the document writes them.
fn native<T: serde::Serialize>(item: &T) -> Map<String, Value> {
    match serde_json::to_value(item) {
        Ok(Value::Object(map)) => map,
        _ => unreachable!("a document item always serialises to an object"),
    }
}

/// Moves `from` of `native` to `to` of `entry`: a field the entry shows
/// as it is, which `x-portfolio` then need not repeat.
fn show(native: &mut Map<String, Value>, from: &str, entry: &mut Map<String, Value>, to: &str) {
    if let Some(value) = native.remove(from) {
        entry.insert(to.to_owned(), value);
    }
}

/// Shows an activity's start month, or its year when there is no month,
/// as the entry's date `to`.
fn show_date(native: &mut Map<String, Value>, entry: &mut Map<String, Value>, to: &str) {
    if native.contains_key("start") {
        show(native, "start", entry, to);
    } else if let Some(Value::Number(year)) = native.remove("year") {
        let year = year.as_i64().unwrap_or_default();
        entry.insert(to.to_owned(), format!("{year:04}").into());
    }
}

/// Adds what the entry does not show, if anything.
fn extend(entry: &mut Map<String, Value>, rest: Map<String, Value>) {
    if !rest.is_empty() {
        entry.insert(EXTENSION.to_owned(), Value::Object(rest));
    }
}

/// The user name in a profile URL: its last path segment
/// (`github.com/da-head0` → `da-head0`), or for a bare host of three or
/// more labels its first (`aimb.tistory.com` → `aimb`).
pub fn username(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let mut parts = rest.split('/');
    let host = parts.next().unwrap_or_default();
    if let Some(last) = parts.rfind(|p| !p.is_empty()) {
        return Some(last.to_owned());
    }
    let labels: Vec<&str> = host.split('.').collect();
    (labels.len() >= 3 && labels[0] != "www").then(|| labels[0].to_owned())
}

/// The locale a resume is written in: `requested` if the person offers it
/// (or the closest they offer, as content negotiation picks), else the
/// person's own. `None` when the stored default is not a tag.
pub fn served_locale(doc: &PortfolioDocument, requested: Option<&Locale>) -> Option<Locale> {
    let default = Locale::parse(&doc.person.locale).ok()?;
    let others: Vec<Locale> = doc
        .person
        .locales
        .iter()
        .filter_map(|tag| Locale::parse(tag).ok())
        .collect();
    Some(match requested {
        Some(wanted) => Preferences::exactly(wanted.clone())
            .choose(&default, &others)
            .clone(),
        None => default,
    })
}

/// Where an activity goes in a resume.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Awards,
    Volunteer,
    Publications,
    Projects,
}

fn section(kind: ActivityKind) -> Section {
    match kind {
        ActivityKind::Award | ActivityKind::Competition => Section::Awards,
        ActivityKind::Publication => Section::Publications,
        ActivityKind::Talk => Section::Projects,
        _ => Section::Volunteer,
    }
}

/// The `projects` type of a reference shown as a project.
fn project_type(kind: ReferenceKind) -> Option<&'static str> {
    match kind {
        ReferenceKind::Talk => Some("talk"),
        ReferenceKind::Video => Some("video"),
        ReferenceKind::Repository => Some("repository"),
        ReferenceKind::Other => Some("other"),
        ReferenceKind::BlogPost | ReferenceKind::Article => None,
    }
}

/// A reference of an achievement or activity, shown on its own: a post or
/// article in `publications`, a talk, video, repository or other link in
/// `projects`. Marked as a copy (`x-portfolio.reference`): the reference
/// itself travels with its achievement or activity.
fn reference_entry(link: &ReferenceDoc) -> (Section, Value) {
    let mut entry = Map::new();
    entry.insert("name".into(), link.title.clone().into());
    let section = match project_type(link.kind) {
        Some(kind) => {
            entry.insert("type".into(), kind.into());
            insert(&mut entry, "entity", link.event.clone());
            insert(&mut entry, "startDate", link.date.map(|d| d.to_string()));
            Section::Projects
        }
        None => {
            insert(&mut entry, "publisher", link.publisher.clone());
            insert(&mut entry, "releaseDate", link.date.map(|d| d.to_string()));
            Section::Publications
        }
    };
    insert(&mut entry, "url", link.url.clone());
    entry.insert(
        EXTENSION.into(),
        json!({ "reference": true, "kind": link.kind }),
    );
    (section, Value::Object(entry))
}

/// What export needs besides the document.
#[derive(Clone, Copy, Debug, Default)]
pub struct Export<'a> {
    /// The locale asked for; `None` for the person's own.
    pub locale: Option<&'a Locale>,
    /// When anything of the portfolio last changed (`meta.lastModified`).
    pub last_modified: Option<DateTime<Utc>>,
}

/// The published part of a portfolio as a JSON Resume document in the
/// locale [`served_locale`] picks, each text falling back to the person's
/// own locale where it is not translated. Drafts are left out: the result
/// is meant to be shown to anyone.
pub fn export(doc: &PortfolioDocument, options: Export<'_>) -> Value {
    let localized;
    let doc = match served_locale(doc, options.locale) {
        Some(locale) => {
            localized = super::localize(doc, &locale);
            &localized
        }
        None => doc,
    };
    let p = &doc.person;
    let links: Vec<&ProfileLinkDoc> = doc.links.iter().filter(|l| !l.draft).collect();
    let mut basics = Map::new();
    basics.insert("name".into(), p.name.clone().into());
    basics.insert("label".into(), p.headline.clone().into());
    insert(&mut basics, "email", p.email.clone());
    insert(&mut basics, "image", p.avatar_url.clone());
    let home = [ProfileLinkKind::Website, ProfileLinkKind::Blog]
        .into_iter()
        .find_map(|kind| links.iter().find(|l| l.kind == kind))
        .or(links.first());
    insert(&mut basics, "url", home.map(|l| l.url.clone()));
    if !p.summary.is_empty() {
        basics.insert("summary".into(), p.summary.join("\n\n").into());
    }
    insert(
        &mut basics,
        "location",
        p.location.clone().map(|city| json!({ "city": city })),
    );
    basics.insert(
        "profiles".into(),
        links
            .iter()
            .map(|l| {
                let mut entry = Map::new();
                entry.insert("network".into(), l.label.clone().into());
                insert(&mut entry, "username", username(&l.url));
                entry.insert("url".into(), l.url.clone().into());
                entry.insert(EXTENSION.into(), json!({ "kind": l.kind }));
                Value::Object(entry)
            })
            .collect(),
    );

    let mut references = Vec::new();
    let published = |list: &[AchievementDoc]| -> Vec<AchievementDoc> {
        list.iter().filter(|a| !a.draft).cloned().collect()
    };

    let mut work = Vec::new();
    for role in doc.roles.iter().filter(|r| !r.draft) {
        let achievements = published(&role.achievements);
        references.extend(achievements.iter().flat_map(|a| a.links.clone()));
        let mut rest = native(&RoleDoc {
            achievements: achievements.clone(),
            ..role.clone()
        });
        let mut entry = Map::new();
        show(&mut rest, "organization", &mut entry, "name");
        show(&mut rest, "title", &mut entry, "position");
        show(&mut rest, "department", &mut entry, "description");
        show(&mut rest, "location", &mut entry, "location");
        show(&mut rest, "start", &mut entry, "startDate");
        show(&mut rest, "end", &mut entry, "endDate");
        show(&mut rest, "summary", &mut entry, "summary");
        entry.insert(
            "highlights".into(),
            achievements.iter().map(highlight).collect(),
        );
        extend(&mut entry, rest);
        work.push(Value::Object(entry));
    }

    let mut skills = Vec::new();
    for category in CATEGORIES {
        let of: Vec<&SkillDoc> = doc
            .skills
            .iter()
            .filter(|s| !s.draft && s.category == category)
            .collect();
        if !of.is_empty() {
            let featured: Vec<&str> = of
                .iter()
                .filter(|s| s.featured)
                .map(|s| s.name.as_str())
                .collect();
            let mut entry = Map::new();
            entry.insert("name".into(), category_label(category).into());
            entry.insert(
                "keywords".into(),
                of.iter().map(|s| s.name.as_str()).collect(),
            );
            let mut rest = Map::new();
            rest.insert("category".into(), json!(category));
            if !featured.is_empty() {
                rest.insert("featured".into(), featured.into());
            }
            extend(&mut entry, rest);
            skills.push(Value::Object(entry));
        }
    }

    // An award names what it was given for by title: only a published one.
    let shown_titles: Vec<&str> = doc
        .activities
        .iter()
        .filter(|a| !a.draft)
        .map(|a| a.title.as_str())
        .collect();
    let mut awards = Vec::new();
    let mut volunteer = Vec::new();
    let mut publications = Vec::new();
    let mut projects = Vec::new();
    for (position, a) in doc.activities.iter().filter(|a| !a.draft).enumerate() {
        let achievements = published(&a.achievements);
        references.extend(a.links.iter().cloned());
        references.extend(achievements.iter().flat_map(|x| x.links.clone()));
        let shown = ActivityDoc {
            achievements: achievements.clone(),
            awarded_for: a
                .awarded_for
                .clone()
                .filter(|t| shown_titles.contains(&t.as_str())),
            ..a.clone()
        };
        let mut rest = native(&shown);
        rest.insert("position".into(), position.into());
        let mut details: Vec<String> = a.description.iter().cloned().collect();
        details.extend(a.highlights.iter().cloned());
        details.extend(achievements.iter().map(highlight));
        let mut highlights = a.highlights.clone();
        highlights.extend(achievements.iter().map(highlight));
        let url = a.links.iter().find_map(|l| l.url.clone());
        let mut entry = Map::new();
        let target = match section(a.kind) {
            Section::Awards => {
                show(&mut rest, "title", &mut entry, "title");
                show(&mut rest, "organization", &mut entry, "awarder");
                show_date(&mut rest, &mut entry, "date");
                if !details.is_empty() {
                    entry.insert("summary".into(), details.join("\n").into());
                }
                &mut awards
            }
            Section::Volunteer => {
                show(&mut rest, "organization", &mut entry, "organization");
                show(&mut rest, "title", &mut entry, "position");
                show_date(&mut rest, &mut entry, "startDate");
                show(&mut rest, "end", &mut entry, "endDate");
                show(&mut rest, "description", &mut entry, "summary");
                if achievements.is_empty() {
                    rest.remove("highlights");
                }
                entry.insert("highlights".into(), highlights.into());
                &mut volunteer
            }
            Section::Publications => {
                show(&mut rest, "title", &mut entry, "name");
                show(&mut rest, "organization", &mut entry, "publisher");
                show_date(&mut rest, &mut entry, "releaseDate");
                insert(&mut entry, "url", url);
                if !details.is_empty() {
                    entry.insert("summary".into(), details.join("\n").into());
                }
                &mut publications
            }
            Section::Projects => {
                show(&mut rest, "title", &mut entry, "name");
                entry.insert("type".into(), "talk".into());
                show(&mut rest, "organization", &mut entry, "entity");
                show_date(&mut rest, &mut entry, "startDate");
                show(&mut rest, "end", &mut entry, "endDate");
                show(&mut rest, "description", &mut entry, "description");
                if achievements.is_empty() {
                    rest.remove("highlights");
                }
                if !highlights.is_empty() {
                    entry.insert("highlights".into(), highlights.into());
                }
                insert(&mut entry, "url", url);
                &mut projects
            }
        };
        extend(&mut entry, rest);
        target.push(Value::Object(entry));
    }
    for link in &references {
        match reference_entry(link) {
            (Section::Projects, entry) => projects.push(entry),
            (_, entry) => publications.push(entry),
        }
    }

    let education: Vec<Value> = doc
        .education
        .iter()
        .filter(|e| !e.draft)
        .map(|e| {
            let mut rest = native(e);
            let mut entry = Map::new();
            show(&mut rest, "institution", &mut entry, "institution");
            show(&mut rest, "field", &mut entry, "area");
            show(&mut rest, "degree", &mut entry, "studyType");
            show(&mut rest, "start", &mut entry, "startDate");
            show(&mut rest, "end", &mut entry, "endDate");
            extend(&mut entry, rest);
            Value::Object(entry)
        })
        .collect();
    let languages: Vec<Value> = doc
        .languages
        .iter()
        .filter(|l| !l.draft)
        .map(|l| {
            let mut entry = Map::new();
            entry.insert("language".into(), l.name.clone().into());
            insert(&mut entry, "fluency", l.fluency.clone());
            Value::Object(entry)
        })
        .collect();

    let mut meta = Map::new();
    meta.insert("version".into(), "v1.0.0".into());
    insert(
        &mut meta,
        "lastModified",
        options
            .last_modified
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
    );
    meta.insert(
        EXTENSION.into(),
        json!({ "format": FORMAT_VERSION, "locale": p.locale }),
    );

    json!({
        "$schema": SCHEMA,
        "basics": basics,
        "work": work,
        "volunteer": volunteer,
        "education": education,
        "awards": awards,
        "publications": publications,
        "projects": projects,
        "skills": skills,
        "languages": languages,
        "meta": meta,
    })
}

/// Reads JSON Resume values with every problem collected. An array longer
/// than [`limits::MAX_JSON_RESUME_ARRAY`] is refused without being read; the
/// portfolio it maps to is then held to the limits of any portfolio.
struct Reader {
    problems: Vec<(String, String)>,
}

impl Reader {
    fn object<'v>(&mut self, value: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            _ => {
                self.problems
                    .push((path.to_owned(), "must be an object".to_owned()));
                None
            }
        }
    }

    fn array<'v>(&mut self, parent: &'v Map<String, Value>, key: &str, path: &str) -> &'v [Value] {
        match parent.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) if items.len() > limits::MAX_JSON_RESUME_ARRAY => {
                self.problems.push((
                    format!("{path}{key}"),
                    format!(
                        "must hold at most {} items, got {}",
                        limits::MAX_JSON_RESUME_ARRAY,
                        items.len()
                    ),
                ));
                &[]
            }
            Some(Value::Array(items)) => items,
            Some(_) => {
                self.problems
                    .push((format!("{path}{key}"), "must be an array".to_owned()));
                &[]
            }
        }
    }

    fn text(&mut self, parent: &Map<String, Value>, key: &str, path: &str) -> Option<String> {
        match parent.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_owned()),
            Some(_) => {
                self.problems
                    .push((format!("{path}{key}"), "must be a string".to_owned()));
                None
            }
        }
    }

    fn required(&mut self, parent: &Map<String, Value>, key: &str, path: &str) -> String {
        let value = self.text(parent, key, path);
        self.require(value.is_some(), format!("{path}{key}"));
        value.unwrap_or_default()
    }

    /// A required field that is not `found` is reported, unless it already
    /// is (as malformed).
    fn require(&mut self, found: bool, field: String) {
        if !found && !self.problems.iter().any(|(p, _)| *p == field) {
            self.problems.push((field, "is required".to_owned()));
        }
    }

    fn texts(&mut self, parent: &Map<String, Value>, key: &str, path: &str) -> Vec<String> {
        let items = self.array(parent, key, path);
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_owned()),
                _ => self.problems.push((
                    format!("{path}{key}[{i}]"),
                    "must be a non-empty string".to_owned(),
                )),
            }
        }
        out
    }

    /// A JSON Resume date (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`): the month, or
    /// for a bare year the year.
    fn date(
        &mut self,
        parent: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> (Option<YearMonth>, Option<i32>) {
        let Some(text) = self.text(parent, key, path) else {
            return (None, None);
        };
        if text.len() == 4
            && let Ok(year) = text.parse::<i32>()
        {
            return (None, Some(year));
        }
        let month = text.get(..7).and_then(|m| m.parse::<YearMonth>().ok());
        let day_ok = text.len() == 7
            || (text.len() == 10
                && text.as_bytes()[7] == b'-'
                && text[8..]
                    .parse::<u32>()
                    .is_ok_and(|d| (1..=31).contains(&d)));
        match month {
            Some(month) if day_ok => (Some(month), None),
            _ => {
                self.problems.push((
                    format!("{path}{key}"),
                    format!("{text:?} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
                ));
                (None, None)
            }
        }
    }

    fn month(&mut self, parent: &Map<String, Value>, key: &str, path: &str) -> Option<YearMonth> {
        match self.date(parent, key, path) {
            (Some(month), _) => Some(month),
            (None, Some(year)) => YearMonth::new(year, 1),
            _ => None,
        }
    }

    /// The entry's `x-portfolio` object (empty when there is none).
    fn extension(&mut self, entry: &Map<String, Value>, path: &str) -> Map<String, Value> {
        match entry.get(EXTENSION) {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(_) => {
                self.problems
                    .push((format!("{path}{EXTENSION}"), "must be an object".to_owned()));
                Map::new()
            }
        }
    }

    /// A native document item from its fields: `x-portfolio` and what the
    /// entry shows. Problems are named under the entry's `x-portfolio`.
    fn item<T: serde::de::DeserializeOwned>(
        &mut self,
        fields: Map<String, Value>,
        path: &str,
    ) -> Option<T> {
        match serde_path_to_error::deserialize(Value::Object(fields)) {
            Ok(item) => Some(item),
            Err(err) => {
                let inner = err.path().to_string();
                let field = if inner == "." || inner.is_empty() {
                    format!("{path}{EXTENSION}")
                } else {
                    format!("{path}{EXTENSION}.{inner}")
                };
                self.problems.push((field, err.into_inner().to_string()));
                None
            }
        }
    }

    /// A date shown by an entry, as an activity's `start` month or `year`.
    fn activity_date(
        &mut self,
        entry: &Map<String, Value>,
        key: &str,
        path: &str,
        fields: &mut Map<String, Value>,
    ) {
        match self.date(entry, key, path) {
            (Some(month), _) => {
                fields.insert("start".into(), month.to_string().into());
            }
            (None, Some(year)) => {
                fields.insert("year".into(), year.into());
            }
            _ => {}
        }
    }
}

fn link_kind(network: &str) -> ProfileLinkKind {
    let network = network.to_lowercase();
    if network.contains("linkedin") {
        ProfileLinkKind::Linkedin
    } else if network.contains("github") {
        ProfileLinkKind::Github
    } else if network.contains("blog") || network.contains("tistory") || network.contains("medium")
    {
        ProfileLinkKind::Blog
    } else if network.contains("web") || network.contains("site") || network.contains("home") {
        ProfileLinkKind::Website
    } else {
        ProfileLinkKind::Other
    }
}

fn category_of(label: &str) -> SkillCategory {
    CATEGORIES
        .into_iter()
        .find(|c| category_label(*c).eq_ignore_ascii_case(label))
        .unwrap_or(SkillCategory::Other)
}

fn one_line(title: String) -> AchievementDoc {
    AchievementDoc {
        title,
        context: None,
        actions: Vec::new(),
        results: Vec::new(),
        skills: Vec::new(),
        metrics: Vec::new(),
        links: Vec::new(),
        draft: false,
        translations: Localized::new(),
    }
}

/// A resume's `meta.lastModified` (RFC 3339, or ISO 8601 without a zone,
/// taken as UTC), when it has a readable one.
pub fn last_modified(resume: &Value) -> Option<DateTime<Utc>> {
    let text = resume.get("meta")?.get("lastModified")?.as_str()?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|t| t.and_utc())
        })
}

/// Sets `key` of `fields` to `value` when there is one.
fn set(fields: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(value) = value {
        fields.insert(key.to_owned(), value.into());
    }
}

/// Whether an entry is the copy of a reference (see `reference_entry`).
fn is_reference(extension: &Map<String, Value>) -> bool {
    extension.get("reference") == Some(&Value::Bool(true))
}

/// A JSON Resume document as a native document for the person `slug`, or
/// every problem found as `(path, message)`. The result still goes through
/// the native checks (`document::validate`) before it is written.
pub fn import(value: &Value, slug: &str) -> Result<PortfolioDocument, Vec<(String, String)>> {
    let mut r = Reader {
        problems: Vec::new(),
    };
    let empty = Map::new();
    let Some(root) = r.object(value, "resume") else {
        return Err(r.problems);
    };
    let basics = match root.get("basics") {
        Some(basics) => r.object(basics, "basics").unwrap_or(&empty),
        None => {
            r.problems
                .push(("basics".to_owned(), "is required".to_owned()));
            &empty
        }
    };
    let name = r.required(basics, "name", "basics.");
    let headline = r.required(basics, "label", "basics.");
    let summary = r
        .text(basics, "summary", "basics.")
        .map(|s| {
            s.split("\n\n")
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let location = match basics.get("location") {
        Some(Value::Object(location)) => {
            let parts: Vec<String> = ["city", "region", "countryCode"]
                .into_iter()
                .filter_map(|key| r.text(location, key, "basics.location."))
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Some(Value::Null) | None => None,
        Some(_) => {
            r.problems
                .push(("basics.location".to_owned(), "must be an object".to_owned()));
            None
        }
    };
    let meta = match root.get("meta") {
        Some(meta) => r.object(meta, "meta").unwrap_or(&empty),
        None => &empty,
    };
    let about = r.extension(meta, "meta.");
    // A resume says which language it is written in; one that does not is
    // taken for English.
    let locale = match about.get("locale") {
        None | Some(Value::Null) => "en".to_owned(),
        Some(Value::String(tag)) => match Locale::parse(tag) {
            Ok(locale) => locale.to_string(),
            Err(err) => {
                r.problems
                    .push((format!("meta.{EXTENSION}.locale"), err.to_string()));
                "en".to_owned()
            }
        },
        Some(_) => {
            r.problems.push((
                format!("meta.{EXTENSION}.locale"),
                "must be a string".to_owned(),
            ));
            "en".to_owned()
        }
    };
    let person = PersonDoc {
        slug: slug.to_owned(),
        locale,
        locales: Vec::new(),
        name,
        headline,
        summary,
        location,
        email: r.text(basics, "email", "basics."),
        avatar_url: r.text(basics, "image", "basics."),
        draft: false,
        translations: Localized::new(),
    };

    let mut links = Vec::new();
    for (i, profile) in r
        .array(basics, "profiles", "basics.")
        .to_vec()
        .iter()
        .enumerate()
    {
        let path = format!("basics.profiles[{i}].");
        let Some(profile) = r.object(profile, &path[..path.len() - 1]) else {
            continue;
        };
        let network = r
            .text(profile, "network", &path)
            .unwrap_or_else(|| "Profile".to_owned());
        let url = r.required(profile, "url", &path);
        let mut fields = r.extension(profile, &path);
        if !fields.contains_key("kind") {
            fields.insert("kind".into(), json!(link_kind(&network)));
        }
        fields.insert("label".into(), network.into());
        fields.insert("url".into(), url.into());
        links.extend(r.item::<ProfileLinkDoc>(fields, &path));
    }
    // The resume's own URL, when no profile has it, is a website.
    if let Some(url) = r.text(basics, "url", "basics.")
        && !links.iter().any(|l| l.url == url)
    {
        links.push(ProfileLinkDoc {
            kind: ProfileLinkKind::Website,
            label: "Website".to_owned(),
            url,
            draft: false,
            translations: Localized::new(),
        });
    }

    let mut skills: Vec<SkillDoc> = Vec::new();
    for (i, group) in r.array(root, "skills", "").to_vec().iter().enumerate() {
        let path = format!("skills[{i}].");
        let Some(group) = r.object(group, &path[..path.len() - 1]) else {
            continue;
        };
        let label = r.required(group, "name", &path);
        let keywords = r.texts(group, "keywords", &path);
        let extension = r.extension(group, &path);
        let category = match extension.get("category") {
            Some(category) => {
                let mut fields = Map::new();
                fields.insert("category".into(), category.clone());
                #[derive(serde::Deserialize)]
                struct Of {
                    category: SkillCategory,
                }
                r.item::<Of>(fields, &path).map(|of| of.category)
            }
            None => None,
        };
        let featured: Vec<String> = match extension.get("featured") {
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let (category, names) = if keywords.is_empty() {
            (category.unwrap_or(SkillCategory::Other), vec![label])
        } else {
            (category.unwrap_or_else(|| category_of(&label)), keywords)
        };
        for name in names {
            if !name.is_empty() && !skills.iter().any(|s| s.name.eq_ignore_ascii_case(&name)) {
                skills.push(SkillDoc {
                    featured: featured.contains(&name),
                    name,
                    category,
                    draft: false,
                    translations: Localized::new(),
                });
            }
        }
    }

    let mut roles = Vec::new();
    for (i, job) in r.array(root, "work", "").to_vec().iter().enumerate() {
        let path = format!("work[{i}].");
        let Some(job) = r.object(job, &path[..path.len() - 1]) else {
            continue;
        };
        let mut fields = r.extension(job, &path);
        let organization = r.required(job, "name", &path);
        let title = r.required(job, "position", &path);
        let start = r.month(job, "startDate", &path);
        r.require(start.is_some(), format!("{path}startDate"));
        fields.insert("organization".into(), organization.into());
        fields.insert("title".into(), title.into());
        set(&mut fields, "department", r.text(job, "description", &path));
        set(&mut fields, "location", r.text(job, "location", &path));
        let start = start.unwrap_or_else(|| YearMonth::new(1, 1).unwrap_or_else(|| unreachable!()));
        fields.insert("start".into(), start.to_string().into());
        set(
            &mut fields,
            "end",
            r.month(job, "endDate", &path).map(|m| m.to_string()),
        );
        set(&mut fields, "summary", r.text(job, "summary", &path));
        // Without the achievements themselves, each highlight is one.
        if !fields.contains_key("achievements") {
            let lines: Vec<AchievementDoc> = r
                .texts(job, "highlights", &path)
                .into_iter()
                .map(one_line)
                .collect();
            fields.insert("achievements".into(), json!(lines));
        }
        roles.extend(r.item::<RoleDoc>(fields, &path));
    }

    // Activities come from four sections; each says where it stood among
    // the person's activities (`x-portfolio.position`), or goes after those
    // that do, in the order read.
    let mut activities: Vec<(usize, ActivityDoc)> = Vec::new();
    let sections = [
        ("awards", ActivityKind::Award),
        ("volunteer", ActivityKind::Community),
        ("publications", ActivityKind::Publication),
        ("projects", ActivityKind::Talk),
    ];
    for (section, kind) in sections {
        for (i, entry) in r.array(root, section, "").to_vec().iter().enumerate() {
            let path = format!("{section}[{i}].");
            let Some(entry) = r.object(entry, &path[..path.len() - 1]) else {
                continue;
            };
            let mut fields = r.extension(entry, &path);
            if is_reference(&fields) {
                continue;
            }
            let own = !fields.is_empty();
            let position = match fields.remove("position") {
                Some(Value::Number(n)) => n.as_u64().map_or(usize::MAX, |n| n as usize),
                _ => usize::MAX,
            };
            let kind = match (section, r.text(entry, "type", &path).as_deref()) {
                ("projects", Some("talk" | "presentation") | None) => ActivityKind::Talk,
                ("projects", Some(_)) => ActivityKind::Other,
                _ => kind,
            };
            if !fields.contains_key("kind") {
                fields.insert("kind".into(), json!(kind));
            }
            let url = r.text(entry, "url", &path);
            let link_kind = match section {
                "projects" if kind == ActivityKind::Talk => ReferenceKind::Talk,
                "projects" => ReferenceKind::Other,
                _ => ReferenceKind::Article,
            };
            match section {
                "awards" => {
                    fields.insert("title".into(), r.required(entry, "title", &path).into());
                    set(&mut fields, "organization", r.text(entry, "awarder", &path));
                    r.activity_date(entry, "date", &path, &mut fields);
                    if !own {
                        set(&mut fields, "description", r.text(entry, "summary", &path));
                    }
                }
                "volunteer" => {
                    let organization = r.text(entry, "organization", &path);
                    let title = match r.text(entry, "position", &path).or(organization.clone()) {
                        Some(title) => title,
                        None => {
                            r.problems.push((
                                format!("{path}position"),
                                "is required when there is no organization".to_owned(),
                            ));
                            String::new()
                        }
                    };
                    fields.insert("title".into(), title.into());
                    set(&mut fields, "organization", organization);
                    r.activity_date(entry, "startDate", &path, &mut fields);
                    let end = r.month(entry, "endDate", &path).map(|m| m.to_string());
                    set(&mut fields, "end", end);
                    set(&mut fields, "description", r.text(entry, "summary", &path));
                    if !fields.contains_key("achievements") && !fields.contains_key("highlights") {
                        fields.insert(
                            "highlights".into(),
                            r.texts(entry, "highlights", &path).into(),
                        );
                    }
                }
                "publications" => {
                    fields.insert("title".into(), r.required(entry, "name", &path).into());
                    set(
                        &mut fields,
                        "organization",
                        r.text(entry, "publisher", &path),
                    );
                    r.activity_date(entry, "releaseDate", &path, &mut fields);
                    if !own {
                        set(&mut fields, "description", r.text(entry, "summary", &path));
                    }
                }
                _ => {
                    fields.insert("title".into(), r.required(entry, "name", &path).into());
                    set(&mut fields, "organization", r.text(entry, "entity", &path));
                    r.activity_date(entry, "startDate", &path, &mut fields);
                    let end = r.month(entry, "endDate", &path).map(|m| m.to_string());
                    set(&mut fields, "end", end);
                    set(
                        &mut fields,
                        "description",
                        r.text(entry, "description", &path),
                    );
                    if !fields.contains_key("achievements") && !fields.contains_key("highlights") {
                        fields.insert(
                            "highlights".into(),
                            r.texts(entry, "highlights", &path).into(),
                        );
                    }
                }
            }
            // Without the activity's links, its URL is its one link.
            if !own && let Some(url) = url {
                let title = fields.get("title").cloned().unwrap_or_default();
                let title = title.as_str().unwrap_or_default().to_owned();
                fields.insert(
                    "links".into(),
                    json!([ReferenceDoc::new(link_kind, title, Some(url))]),
                );
            }
            if let Some(activity) = r.item::<ActivityDoc>(fields, &path) {
                activities.push((position, activity));
            }
        }
    }
    activities.sort_by_key(|(position, _)| *position);
    let activities = activities.into_iter().map(|(_, a)| a).collect();

    let mut education = Vec::new();
    for (i, entry) in r.array(root, "education", "").to_vec().iter().enumerate() {
        let path = format!("education[{i}].");
        let Some(entry) = r.object(entry, &path[..path.len() - 1]) else {
            continue;
        };
        let mut fields = r.extension(entry, &path);
        fields.insert(
            "institution".into(),
            r.required(entry, "institution", &path).into(),
        );
        set(&mut fields, "degree", r.text(entry, "studyType", &path));
        set(&mut fields, "field", r.text(entry, "area", &path));
        let start = r.month(entry, "startDate", &path).map(|m| m.to_string());
        set(&mut fields, "start", start);
        let end = r.month(entry, "endDate", &path).map(|m| m.to_string());
        set(&mut fields, "end", end);
        education.extend(r.item::<EducationDoc>(fields, &path));
    }
    let mut languages = Vec::new();
    for (i, entry) in r.array(root, "languages", "").to_vec().iter().enumerate() {
        let path = format!("languages[{i}].");
        let Some(entry) = r.object(entry, &path[..path.len() - 1]) else {
            continue;
        };
        languages.push(LanguageDoc {
            name: r.required(entry, "language", &path),
            fluency: r.text(entry, "fluency", &path),
            draft: false,
            translations: Localized::new(),
        });
    }

    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    Ok(PortfolioDocument {
        links,
        skills,
        roles,
        activities,
        education,
        languages,
        ..PortfolioDocument::new(person)
    })
}
