//! The rules a document must follow beyond its shape: required texts,
//! lengths, characters, URLs, e-mail, slugs, month order, unique skills,
//! known skill references, and the sizes of its lists (see
//! [`limits`]). Every problem is collected, not only the first.

use std::collections::HashSet;

use super::model::*;
use crate::domain::limits;
use crate::domain::rules::{self, ActivityFields, Naming, PersonFields, RoleFields};
use crate::domain::validate::Checker;

/// The rules of an achievement of the document: the shared ones, and its
/// skills, which must name the document's `skills`.
fn achievement(
    c: &mut Checker,
    path: &str,
    achievement: &AchievementDoc,
    skills: &HashSet<String>,
) {
    rules::achievement(
        c,
        path,
        Some(&achievement.title),
        achievement.context.as_deref(),
        Some(&achievement.actions),
        Some(&achievement.results),
    );
    let mut used = HashSet::new();
    let skills_fit = c.list(
        &format!("{path}.skills"),
        achievement.skills.len(),
        limits::MAX_SKILLS_PER_ACHIEVEMENT,
    );
    for (index, name) in achievement.skills.iter().enumerate().filter(|_| skills_fit) {
        let key = name.to_lowercase();
        let path = format!("{path}.skills[{index}]");
        if !skills.contains(&key) {
            c.fail(
                path,
                format!("names skill {name:?}, which is not in the document's `skills`"),
            );
        } else if !used.insert(key) {
            c.fail(path, format!("lists skill {name:?} twice"));
        }
    }
    rules::metrics(c, path, achievement.metrics.iter().map(metric));
    references(c, path, &achievement.links);
}

fn metric(m: &MetricDoc) -> rules::MetricFields<'_> {
    rules::MetricFields {
        label: &m.label,
        value: m.value,
        unit: m.unit.as_deref(),
        display: &m.display,
    }
}

fn references(c: &mut Checker, path: &str, links: &[ReferenceDoc]) {
    let links = links.iter().map(|l| (l.title.as_str(), l.url.as_deref()));
    rules::references(c, path, links);
}

/// Every broken rule of `document`, as `(field path, message)`.
pub(super) fn check(document: &PortfolioDocument) -> Vec<(String, String)> {
    let mut c = Checker::default();
    if document.format != FORMAT_VERSION {
        c.fail(
            "format",
            format!("must be {FORMAT_VERSION}, the only version this program reads"),
        );
    }

    let person = &document.person;
    rules::person(
        &mut c,
        "person",
        Naming::Document,
        PersonFields {
            slug: Some(&person.slug),
            name: Some(&person.name),
            headline: Some(&person.headline),
            summary: Some(&person.summary),
            location: person.location.as_deref(),
            email: person.email.as_deref(),
            avatar_url: person.avatar_url.as_deref(),
        },
    );

    // Whole lists over their cap are one problem each; their items are not
    // looked at (a huge list would otherwise mean as many problems).
    let fits = |c: &mut Checker, path: &str, len: usize, max: usize| c.list(path, len, max);
    let links_fit = fits(
        &mut c,
        "links",
        document.links.len(),
        limits::MAX_PROFILE_LINKS_PER_PERSON,
    );
    let skills_fit = fits(
        &mut c,
        "skills",
        document.skills.len(),
        limits::MAX_SKILLS_PER_PERSON,
    );
    let roles_fit = fits(
        &mut c,
        "roles",
        document.roles.len(),
        limits::MAX_ROLES_PER_PERSON,
    );
    let activities_fit = fits(
        &mut c,
        "activities",
        document.activities.len(),
        limits::MAX_ACTIVITIES_PER_PERSON,
    );
    let education_fit = fits(
        &mut c,
        "education",
        document.education.len(),
        limits::MAX_EDUCATION_PER_PERSON,
    );
    let languages_fit = fits(
        &mut c,
        "languages",
        document.languages.len(),
        limits::MAX_LANGUAGES_PER_PERSON,
    );
    let achievements = document
        .roles
        .iter()
        .map(|r| r.achievements.len())
        .chain(document.activities.iter().map(|a| a.achievements.len()))
        .fold(0usize, usize::saturating_add);
    if achievements > limits::MAX_ACHIEVEMENTS_PER_PERSON {
        c.fail(
            "roles",
            format!(
                "a person may have at most {} achievements in all roles and activities, got {achievements}",
                limits::MAX_ACHIEVEMENTS_PER_PERSON
            ),
        );
    }
    let parents = document
        .roles
        .iter()
        .enumerate()
        .map(|(i, r)| (format!("roles[{i}].achievements"), r.achievements.len()))
        .chain(document.activities.iter().enumerate().map(|(i, a)| {
            (
                format!("activities[{i}].achievements"),
                a.achievements.len(),
            )
        }));
    let mut parents_fit = true;
    for (path, len) in parents {
        parents_fit &= fits(&mut c, &path, len, limits::MAX_ACHIEVEMENTS_PER_PARENT);
    }
    let achievements_fit = parents_fit && achievements <= limits::MAX_ACHIEVEMENTS_PER_PERSON;

    for (index, link) in document.links.iter().enumerate().filter(|_| links_fit) {
        let path = format!("links[{index}]");
        rules::profile_link(&mut c, &path, Some(&link.label), Some(&link.url));
    }

    let mut skills = HashSet::new();
    for (index, skill) in document.skills.iter().enumerate().filter(|_| skills_fit) {
        rules::skill(&mut c, &format!("skills[{index}]"), Some(&skill.name));
        let path = format!("skills[{index}].name");
        if !skills.insert(skill.name.to_lowercase()) {
            c.fail(
                path,
                format!(
                    "skill {:?} appears twice (names are compared ignoring case)",
                    skill.name
                ),
            );
        }
    }

    for (index, role) in document.roles.iter().enumerate().filter(|_| roles_fit) {
        let path = format!("roles[{index}]");
        let fields = RoleFields {
            organization: Some(&role.organization),
            title: Some(&role.title),
            department: role.department.as_deref(),
            location: role.location.as_deref(),
            summary: role.summary.as_deref(),
            months: Some((Some(role.start), role.end)),
        };
        rules::role(&mut c, &path, fields);
        for (a, doc) in role.achievements.iter().enumerate() {
            if achievements_fit {
                achievement(&mut c, &format!("{path}.achievements[{a}]"), doc, &skills);
            }
        }
    }

    for (index, activity) in document.activities.iter().enumerate() {
        if !activities_fit {
            break;
        }
        let path = format!("activities[{index}]");
        let fields = ActivityFields {
            title: Some(&activity.title),
            organization: activity.organization.as_deref(),
            description: activity.description.as_deref(),
            highlights: Some(&activity.highlights),
            months: Some((activity.start, activity.end)),
            year: activity.year,
        };
        rules::activity(&mut c, &path, fields);
        references(&mut c, &path, &activity.links);
        for (a, doc) in activity.achievements.iter().enumerate() {
            if achievements_fit {
                achievement(&mut c, &format!("{path}.achievements[{a}]"), doc, &skills);
            }
        }
    }

    for (index, e) in document.education.iter().enumerate() {
        if education_fit {
            let months = Some((e.start, e.end));
            let (degree, field) = (e.degree.as_deref(), e.field.as_deref());
            let path = format!("education[{index}]");
            rules::education(&mut c, &path, Some(&e.institution), degree, field, months);
        }
    }

    for (index, l) in document.languages.iter().enumerate() {
        if languages_fit {
            let path = format!("languages[{index}]");
            rules::language(&mut c, &path, Some(&l.name), l.fluency.as_deref());
        }
    }
    c.into_problems()
}
