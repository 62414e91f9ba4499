//! The rules a document must follow beyond its shape: required texts,
//! lengths, characters, URLs, e-mail, slugs, month order, unique skills,
//! known skill references, and the sizes of its lists (see
//! [`limits`]); locales and translations (see [`Locales`]); awards that
//! name the activity they were given for. Every problem is collected, not
//! only the first.

use std::collections::{HashMap, HashSet};

use super::model::*;
use crate::domain::Locale;
use crate::domain::limits;
use crate::domain::rules::{self, ActivityFields, Naming, PersonFields, RoleFields};
use crate::domain::validate::Checker;

/// The document's locales, for checking its `translations` tables: each
/// must be a canonical BCP 47 tag listed in `person.locales`, which never
/// holds the document's own `person.locale`. A translation is held to the
/// rules of the field it translates, may only translate a field the item
/// has, and translates a list item for item.
struct Locales {
    default: String,
    offered: Vec<String>,
}

impl Locales {
    /// Checks every table of `map` under `{path}.translations`, each with
    /// `fields` (which checks the translated values under the table's path).
    fn check<T: TextTable>(
        &self,
        c: &mut Checker,
        path: &str,
        map: &Localized<T>,
        mut fields: impl FnMut(&mut Checker, &str, &T),
    ) {
        for (tag, text) in map {
            let path = format!("{path}.translations.{tag}");
            match Locale::parse(tag) {
                Err(err) => {
                    c.fail(path, err.to_string());
                    continue;
                }
                Ok(locale) if locale.as_str() != tag => {
                    c.fail(path, format!("the tag is written `{locale}`"));
                    continue;
                }
                Ok(_) => {}
            }
            if *tag == self.default {
                c.fail(
                    path,
                    format!(
                        "`{tag}` is the document's own locale (`person.locale`): its text is the item's own fields"
                    ),
                );
            } else if !self.offered.contains(tag) {
                c.fail(
                    path,
                    format!(
                        "`{tag}` is not one of the locales the person offers (`person.locales`)"
                    ),
                );
            } else if text.is_empty() {
                c.fail(path, "translates nothing; leave the table out");
            } else {
                fields(c, &path, text);
            }
        }
    }
}

/// A translated field the item itself does not have is refused.
pub fn has<T, U>(c: &mut Checker, path: &str, key: &str, translated: &Option<T>, own: &Option<U>) {
    if translated.is_some() && own.is_none() {
        c.fail(
            format!("{path}.{key}"),
            format!("translates `{key}`, which the item does not have"),
        );
    }
}

/// A translated list has one text for each of the item's own.
fn same_length(
    c: &mut Checker,
    path: &str,
    key: &str,
    translated: Option<&Vec<String>>,
    original: &[String],
) {
    if let Some(translated) = translated
        && translated.len() != original.len()
    {
        c.fail(
            format!("{path}.{key}"),
            format!(
                "must translate the item's {} {key} one for one, got {}",
                original.len(),
                translated.len()
            ),
        );
    }
}

/// The items of one simple list, each by its rules (none when the list is
/// over its cap: `fits` is false).
fn list<I: ListItem>(c: &mut Checker, locales: &Locales, key: &str, items: &[I], fits: bool) {
    for (index, item) in items.iter().enumerate().filter(|_| fits) {
        let path = format!("{key}[{index}]");
        item.check(c, &path);
        locales.check(c, &path, item.translations(), |c, p, t| {
            item.check_text(c, p, t);
        });
    }
}

/// The caps and the items of the simple lists, one of each per row of
/// [`document_lists!`].
macro_rules! list_checks {
    ($($key:ident: $doc:ident in $table:ident;)*) => {
        /// Whether each simple list is within its cap (each over it is one
        /// problem), in the table's order.
        fn list_caps(c: &mut Checker, d: &PortfolioDocument) -> Vec<bool> {
            vec![$(c.list(stringify!($key), d.$key.len(), <$doc as ListItem>::MAX_PER_PERSON)),*]
        }

        /// The items of every simple list within its cap.
        fn list_items(c: &mut Checker, locales: &Locales, d: &PortfolioDocument, fits: &[bool]) {
            let mut fits = fits.iter().copied();
            $(list(c, locales, stringify!($key), &d.$key, fits.next().unwrap_or(false));)*
        }
    };
}

document_lists!(list_checks);

/// The rules of an achievement of the document: the shared ones, and its
/// skills, which must name the document's `skills`.
fn achievement(
    c: &mut Checker,
    locales: &Locales,
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
    let metrics_fit = achievement.metrics.len() <= limits::MAX_METRICS_PER_ACHIEVEMENT;
    for (i, m) in achievement
        .metrics
        .iter()
        .enumerate()
        .filter(|_| metrics_fit)
    {
        let path = format!("{path}.metrics[{i}]");
        locales.check(c, &path, &m.translations, |c, p, t| {
            c.optional_text(
                &format!("{p}.label"),
                t.label.as_deref(),
                limits::SHORT_TEXT,
            );
            let display = t.display.as_deref();
            c.optional_text(&format!("{p}.display"), display, limits::METRIC_DISPLAY);
        });
    }
    references(c, locales, path, &achievement.links);
    let a = achievement;
    locales.check(c, path, &a.translations, |c, p, t| {
        has(c, p, "context", &t.context, &a.context);
        same_length(c, p, "actions", t.actions.as_ref(), &a.actions);
        same_length(c, p, "results", t.results.as_ref(), &a.results);
        rules::achievement(
            c,
            p,
            t.title.as_deref(),
            t.context.as_deref(),
            t.actions.as_deref(),
            t.results.as_deref(),
        );
    });
}

fn metric(m: &MetricDoc) -> rules::MetricFields<'_> {
    rules::MetricFields {
        label: &m.label,
        value: m.value,
        unit: m.unit.as_deref(),
        display: &m.display,
    }
}

fn references(c: &mut Checker, locales: &Locales, path: &str, links: &[ReferenceDoc]) {
    let fit = links.len() <= limits::MAX_LINKS_PER_ITEM;
    rules::references(
        c,
        path,
        links.iter().map(|l| (l.title.as_str(), l.url.as_deref())),
    );
    for (i, link) in links.iter().enumerate().filter(|_| fit) {
        let path = format!("{path}.links[{i}]");
        rules::reference_details(c, &path, link.event.as_deref(), link.publisher.as_deref());
        locales.check(c, &path, &link.translations, |c, p, t| {
            has(c, p, "event", &t.event, &link.event);
            has(c, p, "publisher", &t.publisher, &link.publisher);
            c.optional_text(
                &format!("{p}.title"),
                t.title.as_deref(),
                limits::SHORT_TEXT,
            );
            rules::reference_details(c, p, t.event.as_deref(), t.publisher.as_deref());
        });
    }
}

/// The person's own locale and the others offered: canonical, registered
/// BCP 47 tags, each once. The checked set, for the translations.
fn locales(c: &mut Checker, person: &PersonDoc) -> Locales {
    let canonical = |c: &mut Checker, path: &str, tag: &str| match Locale::parse(tag) {
        Err(err) => {
            c.fail(path, err.to_string());
            false
        }
        Ok(locale) if locale.as_str() != tag => {
            c.fail(path, format!("the tag is written `{locale}`"));
            false
        }
        Ok(_) => true,
    };
    canonical(c, "person.locale", &person.locale);
    let mut offered = Vec::new();
    for (i, tag) in person.locales.iter().enumerate() {
        let path = format!("person.locales[{i}]");
        if !canonical(c, &path, tag) {
            continue;
        }
        if *tag == person.locale {
            c.fail(
                path,
                format!(
                    "`{tag}` is the document's own locale (`person.locale`); list only the others"
                ),
            );
        } else if offered.contains(tag) {
            c.fail(path, format!("`{tag}` is listed twice"));
        } else {
            offered.push(tag.clone());
        }
    }
    Locales {
        default: person.locale.clone(),
        offered,
    }
}

/// Awards name the activity they were given for by its title: exactly
/// one other activity of the document has it.
fn awards(c: &mut Checker, activities: &[ActivityDoc]) {
    let mut titles: HashMap<&str, usize> = HashMap::new();
    for a in activities {
        *titles.entry(a.title.as_str()).or_default() += 1;
    }
    for (index, a) in activities.iter().enumerate() {
        let Some(target) = a.awarded_for.as_deref() else {
            continue;
        };
        let path = format!("activities[{index}].awarded_for");
        if a.kind != entity::enums::ActivityKind::Award {
            c.fail(
                path,
                "only an activity of kind AWARD is awarded for something",
            );
        } else if target == a.title {
            c.fail(path, "names the award itself");
        } else {
            match titles.get(target).copied().unwrap_or(0) {
                0 => c.fail(
                    path,
                    format!("names {target:?}, which is not the title of an activity of this document"),
                ),
                1 => {}
                n => c.fail(
                    path,
                    format!("names {target:?}, the title of {n} activities; titles it names must be unique"),
                ),
            }
        }
    }
}

/// Skill names are unique in every locale, translated or not (an
/// achievement's skills name them).
fn skill_names(c: &mut Checker, locales: &Locales, skills: &[SkillDoc]) {
    for locale in &locales.offered {
        let mut seen = HashSet::new();
        for (index, s) in skills.iter().enumerate() {
            let name = s
                .translations
                .get(locale)
                .and_then(|t| t.name.as_deref())
                .unwrap_or(&s.name);
            if !seen.insert(name.to_lowercase()) && s.translations.contains_key(locale) {
                c.fail(
                    format!("skills[{index}].translations.{locale}.name"),
                    format!("skill {name:?} appears twice in `{locale}` (names are compared ignoring case)"),
                );
            }
        }
    }
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
    let locales = locales(&mut c, person);
    let locales = &locales;
    locales.check(&mut c, "person", &person.translations, |c, p, t| {
        has(c, p, "location", &t.location, &person.location);
        same_length(c, p, "summary", t.summary.as_ref(), &person.summary);
        let fields = PersonFields {
            name: t.name.as_deref(),
            headline: t.headline.as_deref(),
            summary: t.summary.as_deref(),
            location: t.location.as_deref(),
            ..PersonFields::default()
        };
        rules::person(c, p, Naming::Document, fields);
    });
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
    use limits::{
        MAX_ACTIVITIES_PER_PERSON, MAX_PROFILE_LINKS_PER_PERSON, MAX_ROLES_PER_PERSON,
        MAX_SKILLS_PER_PERSON,
    };
    let d = document;
    let links_fit = c.list("links", d.links.len(), MAX_PROFILE_LINKS_PER_PERSON);
    let skills_fit = c.list("skills", d.skills.len(), MAX_SKILLS_PER_PERSON);
    let roles_fit = c.list("roles", d.roles.len(), MAX_ROLES_PER_PERSON);
    let activities_fit = c.list("activities", d.activities.len(), MAX_ACTIVITIES_PER_PERSON);
    let lists_fit = list_caps(&mut c, d);
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
        parents_fit &= c.list(&path, len, limits::MAX_ACHIEVEMENTS_PER_PARENT);
    }
    let achievements_fit = parents_fit && achievements <= limits::MAX_ACHIEVEMENTS_PER_PERSON;

    for (index, link) in document.links.iter().enumerate().filter(|_| links_fit) {
        let path = format!("links[{index}]");
        rules::profile_link(&mut c, &path, Some(&link.label), Some(&link.url));
        locales.check(&mut c, &path, &link.translations, |c, p, t| {
            rules::profile_link(c, p, t.label.as_deref(), None);
        });
    }

    let mut skills = HashSet::new();
    for (index, skill) in document.skills.iter().enumerate().filter(|_| skills_fit) {
        let path = format!("skills[{index}]");
        rules::skill(&mut c, &path, Some(&skill.name));
        locales.check(&mut c, &path, &skill.translations, |c, p, t| {
            rules::skill(c, p, t.name.as_deref());
        });
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
        locales.check(&mut c, &path, &role.translations, |c, p, t| {
            has(c, p, "department", &t.department, &role.department);
            has(c, p, "location", &t.location, &role.location);
            has(c, p, "summary", &t.summary, &role.summary);
            let fields = RoleFields {
                organization: t.organization.as_deref(),
                title: t.title.as_deref(),
                department: t.department.as_deref(),
                location: t.location.as_deref(),
                summary: t.summary.as_deref(),
                months: None,
            };
            rules::role(c, p, fields);
        });
        for (a, doc) in role.achievements.iter().enumerate() {
            if achievements_fit {
                let path = format!("{path}.achievements[{a}]");
                achievement(&mut c, locales, &path, doc, &skills);
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
        let a = activity;
        locales.check(&mut c, &path, &a.translations, |c, p, t| {
            has(c, p, "organization", &t.organization, &a.organization);
            has(c, p, "description", &t.description, &a.description);
            same_length(c, p, "highlights", t.highlights.as_ref(), &a.highlights);
            let fields = ActivityFields {
                title: t.title.as_deref(),
                organization: t.organization.as_deref(),
                description: t.description.as_deref(),
                highlights: t.highlights.as_deref(),
                months: None,
                year: None,
            };
            rules::activity(c, p, fields);
        });
        references(&mut c, locales, &path, &activity.links);
        for (a, doc) in activity.achievements.iter().enumerate() {
            if achievements_fit {
                let path = format!("{path}.achievements[{a}]");
                achievement(&mut c, locales, &path, doc, &skills);
            }
        }
    }

    list_items(&mut c, locales, document, &lists_fit);
    if activities_fit {
        awards(&mut c, &document.activities);
    }
    if skills_fit {
        skill_names(&mut c, locales, &document.skills);
    }
    c.into_problems()
}
