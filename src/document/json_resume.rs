//! JSON Resume (schema 1.0.0), the ecosystem's standard resume format:
//! export of a portfolio, and import of a resume as a new portfolio.
//!
//! The mapping (also in `docs/json-resume.md`):
//!
//! | portfolio | JSON Resume |
//! | --- | --- |
//! | person name, headline, email, avatar, location | `basics.name`, `label`, `email`, `image`, `location.city` |
//! | introduction paragraphs | `basics.summary`, paragraphs joined by a blank line |
//! | profile links | `basics.profiles` (`network` = label) |
//! | roles | `work` (`name` = organization, `position` = title, `description` = department) |
//! | achievements of a role | `work[].highlights`: one line each, "title — actions → results [metrics]" |
//! | skills | `skills`, one entry per category, skill names as `keywords` |
//! | education, languages | `education`, `languages` |
//! | AWARD and COMPETITION activities | `awards` |
//! | COMMUNITY, OPEN_SOURCE, STUDY_GROUP, OTHER activities | `volunteer` |
//! | PUBLICATION and TALK activities, talks and posts of achievements and activities | `publications` |
//!
//! JSON Resume is the poorer format: importing an export gives a portfolio
//! whose achievements are one line each, and exporting that again gives the
//! same JSON Resume document.

use entity::enums::{ActivityKind, ProfileLinkKind, ReferenceKind, SkillCategory};
use serde_json::{Map, Value, json};

use super::model::*;
use crate::domain::{YearMonth, limits};

const SCHEMA: &str =
    "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json";

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

fn date(start: Option<YearMonth>, year: Option<i32>) -> Option<String> {
    start
        .map(|m| m.to_string())
        .or(year.map(|y| format!("{y:04}")))
}

/// The published part of a portfolio as a JSON Resume document. Drafts are
/// left out: the result is meant to be shown to anyone.
pub fn export(doc: &PortfolioDocument) -> Value {
    let p = &doc.person;
    let mut basics = Map::new();
    basics.insert("name".into(), p.name.clone().into());
    basics.insert("label".into(), p.headline.clone().into());
    insert(&mut basics, "email", p.email.clone());
    insert(&mut basics, "image", p.avatar_url.clone());
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
        doc.links
            .iter()
            .filter(|l| !l.draft)
            .map(|l| json!({ "network": l.label, "url": l.url }))
            .collect(),
    );

    let mut publications = Vec::new();
    let mut reference_publications = Vec::new();
    let mut add_references = |links: &[ReferenceDoc], publisher: Option<&str>| {
        for link in links.iter().filter(|l| {
            matches!(
                l.kind,
                ReferenceKind::Talk
                    | ReferenceKind::BlogPost
                    | ReferenceKind::Article
                    | ReferenceKind::Video
            )
        }) {
            let mut entry = Map::new();
            entry.insert("name".into(), link.title.clone().into());
            insert(&mut entry, "publisher", publisher.map(str::to_owned));
            insert(&mut entry, "url", link.url.clone());
            reference_publications.push(Value::Object(entry));
        }
    };

    let mut work = Vec::new();
    for role in doc.roles.iter().filter(|r| !r.draft) {
        let mut entry = Map::new();
        entry.insert("name".into(), role.organization.clone().into());
        entry.insert("position".into(), role.title.clone().into());
        insert(&mut entry, "description", role.department.clone());
        insert(&mut entry, "location", role.location.clone());
        entry.insert("startDate".into(), role.start.to_string().into());
        insert(&mut entry, "endDate", role.end.map(|m| m.to_string()));
        insert(&mut entry, "summary", role.summary.clone());
        let achievements: Vec<_> = role.achievements.iter().filter(|a| !a.draft).collect();
        entry.insert(
            "highlights".into(),
            achievements.iter().map(|a| highlight(a)).collect(),
        );
        for a in achievements {
            add_references(&a.links, Some(&role.organization));
        }
        work.push(Value::Object(entry));
    }

    let mut skills = Vec::new();
    for category in CATEGORIES {
        let names: Vec<&str> = doc
            .skills
            .iter()
            .filter(|s| !s.draft && s.category == category)
            .map(|s| s.name.as_str())
            .collect();
        if !names.is_empty() {
            skills.push(json!({ "name": category_label(category), "keywords": names }));
        }
    }

    let mut awards = Vec::new();
    let mut volunteer = Vec::new();
    for a in doc.activities.iter().filter(|a| !a.draft) {
        let mut details: Vec<String> = a.description.iter().cloned().collect();
        details.extend(a.highlights.iter().cloned());
        details.extend(a.achievements.iter().filter(|x| !x.draft).map(highlight));
        match a.kind {
            ActivityKind::Award | ActivityKind::Competition => {
                let mut entry = Map::new();
                entry.insert("title".into(), a.title.clone().into());
                insert(&mut entry, "awarder", a.organization.clone());
                insert(&mut entry, "date", date(a.start, a.year));
                if !details.is_empty() {
                    entry.insert("summary".into(), details.join("\n").into());
                }
                awards.push(Value::Object(entry));
            }
            ActivityKind::Publication | ActivityKind::Talk => {
                let mut entry = Map::new();
                entry.insert("name".into(), a.title.clone().into());
                insert(&mut entry, "publisher", a.organization.clone());
                insert(&mut entry, "releaseDate", date(a.start, a.year));
                insert(
                    &mut entry,
                    "url",
                    a.links.iter().find_map(|l| l.url.clone()),
                );
                if !details.is_empty() {
                    entry.insert("summary".into(), details.join("\n").into());
                }
                publications.push(Value::Object(entry));
                continue;
            }
            _ => {
                let mut entry = Map::new();
                insert(&mut entry, "organization", a.organization.clone());
                entry.insert("position".into(), a.title.clone().into());
                insert(&mut entry, "startDate", date(a.start, a.year));
                insert(&mut entry, "endDate", a.end.map(|m| m.to_string()));
                insert(&mut entry, "summary", a.description.clone());
                let mut highlights = a.highlights.clone();
                highlights.extend(a.achievements.iter().filter(|x| !x.draft).map(highlight));
                entry.insert("highlights".into(), highlights.into());
                volunteer.push(Value::Object(entry));
            }
        }
        add_references(&a.links, a.organization.as_deref());
    }
    publications.extend(reference_publications);

    let education: Vec<Value> = doc
        .education
        .iter()
        .filter(|e| !e.draft)
        .map(|e| {
            let mut entry = Map::new();
            entry.insert("institution".into(), e.institution.clone().into());
            insert(&mut entry, "area", e.field.clone());
            insert(&mut entry, "studyType", e.degree.clone());
            insert(&mut entry, "startDate", e.start.map(|m| m.to_string()));
            insert(&mut entry, "endDate", e.end.map(|m| m.to_string()));
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

    json!({
        "$schema": SCHEMA,
        "basics": basics,
        "work": work,
        "volunteer": volunteer,
        "education": education,
        "awards": awards,
        "publications": publications,
        "skills": skills,
        "languages": languages,
        "meta": { "version": "v1.0.0" },
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
        if value.is_none()
            && !self
                .problems
                .iter()
                .any(|(p, _)| p == &format!("{path}{key}"))
        {
            self.problems
                .push((format!("{path}{key}"), "is required".to_owned()));
        }
        value.unwrap_or_default()
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
    }
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
    let person = PersonDoc {
        slug: slug.to_owned(),
        locale: "en".to_owned(),
        name,
        headline,
        summary,
        location,
        email: r.text(basics, "email", "basics."),
        avatar_url: r.text(basics, "image", "basics."),
        draft: false,
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
        links.push(ProfileLinkDoc {
            kind: link_kind(&network),
            label: network,
            url,
            draft: false,
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
        let (category, names) = if keywords.is_empty() {
            (SkillCategory::Other, vec![label])
        } else {
            (category_of(&label), keywords)
        };
        for name in names {
            if !name.is_empty() && !skills.iter().any(|s| s.name.eq_ignore_ascii_case(&name)) {
                skills.push(SkillDoc {
                    name,
                    category,
                    featured: false,
                    draft: false,
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
        let organization = r.required(job, "name", &path);
        let title = r.required(job, "position", &path);
        let start = r.month(job, "startDate", &path);
        if start.is_none()
            && !r
                .problems
                .iter()
                .any(|(p, _)| p == &format!("{path}startDate"))
        {
            r.problems
                .push((format!("{path}startDate"), "is required".to_owned()));
        }
        roles.push(RoleDoc {
            organization,
            title,
            department: r.text(job, "description", &path),
            employment_type: None,
            location: r.text(job, "location", &path),
            start: start.unwrap_or_else(|| YearMonth::new(1, 1).unwrap_or_else(|| unreachable!())),
            end: r.month(job, "endDate", &path),
            summary: r.text(job, "summary", &path),
            draft: false,
            achievements: r
                .texts(job, "highlights", &path)
                .into_iter()
                .map(one_line)
                .collect(),
        });
    }

    let mut activities = Vec::new();
    let activity = |kind, title: String| ActivityDoc {
        kind,
        title,
        organization: None,
        start: None,
        end: None,
        year: None,
        description: None,
        highlights: Vec::new(),
        draft: false,
        links: Vec::new(),
        achievements: Vec::new(),
    };
    for (i, award) in r.array(root, "awards", "").to_vec().iter().enumerate() {
        let path = format!("awards[{i}].");
        let Some(award) = r.object(award, &path[..path.len() - 1]) else {
            continue;
        };
        let mut a = activity(ActivityKind::Award, r.required(award, "title", &path));
        a.organization = r.text(award, "awarder", &path);
        (a.start, a.year) = r.date(award, "date", &path);
        a.description = r.text(award, "summary", &path);
        activities.push(a);
    }
    for (i, entry) in r.array(root, "volunteer", "").to_vec().iter().enumerate() {
        let path = format!("volunteer[{i}].");
        let Some(entry) = r.object(entry, &path[..path.len() - 1]) else {
            continue;
        };
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
        let mut a = activity(ActivityKind::Community, title);
        a.organization = organization;
        (a.start, a.year) = r.date(entry, "startDate", &path);
        a.end = r.month(entry, "endDate", &path);
        a.description = r.text(entry, "summary", &path);
        a.highlights = r.texts(entry, "highlights", &path);
        activities.push(a);
    }
    for (i, entry) in r
        .array(root, "publications", "")
        .to_vec()
        .iter()
        .enumerate()
    {
        let path = format!("publications[{i}].");
        let Some(entry) = r.object(entry, &path[..path.len() - 1]) else {
            continue;
        };
        let mut a = activity(ActivityKind::Publication, r.required(entry, "name", &path));
        a.organization = r.text(entry, "publisher", &path);
        (a.start, a.year) = r.date(entry, "releaseDate", &path);
        a.description = r.text(entry, "summary", &path);
        if let Some(url) = r.text(entry, "url", &path) {
            a.links.push(ReferenceDoc {
                kind: ReferenceKind::Article,
                title: a.title.clone(),
                url: Some(url),
            });
        }
        activities.push(a);
    }

    let mut education = Vec::new();
    for (i, entry) in r.array(root, "education", "").to_vec().iter().enumerate() {
        let path = format!("education[{i}].");
        let Some(entry) = r.object(entry, &path[..path.len() - 1]) else {
            continue;
        };
        education.push(EducationDoc {
            institution: r.required(entry, "institution", &path),
            degree: r.text(entry, "studyType", &path),
            field: r.text(entry, "area", &path),
            start: r.month(entry, "startDate", &path),
            end: r.month(entry, "endDate", &path),
            status: None,
            draft: false,
        });
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
        });
    }

    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    Ok(PortfolioDocument {
        format: FORMAT_VERSION,
        person,
        links,
        skills,
        roles,
        activities,
        education,
        languages,
    })
}
