//! A document's translations: to and from the `translations` columns, and
//! the document as read in one locale.
//!
//! The database keeps an item's translations as the JSON of
//! [`Translations`] (locale -> field -> text), whose field names are the
//! document's keys: the typed `*Text` tables of the document serialise to
//! exactly that, so the conversion is a serde round trip.

use serde::{Serialize, de::DeserializeOwned};

use super::model::*;
use crate::domain::Locale;
use crate::domain::locale::Translations;

/// The value of a `translations` column for an item's tables: null when
/// nothing is translated.
pub fn to_column<T: Serialize>(translations: &Localized<T>) -> Option<String> {
    let value = serde_json::to_value(translations)
        .unwrap_or_else(|err| unreachable!("translated texts always serialise: {err}"));
    let column: Translations = serde_json::from_value(value)
        .unwrap_or_else(|err| unreachable!("translated texts are texts or lists of texts: {err}"));
    column.encode()
}

/// An item's tables from its `translations` column. A column this type
/// cannot read (a field the item does not have, malformed JSON) is an
/// error naming why.
pub fn from_column<T: DeserializeOwned>(column: Option<&str>) -> Result<Localized<T>, String> {
    let translations = Translations::decode(column).map_err(|err| err.to_string())?;
    let kept: Translations = Translations(
        translations
            .0
            .into_iter()
            .filter(|(_, fields)| !fields.is_empty())
            .collect(),
    );
    let value = serde_json::to_value(&kept).map_err(|err| err.to_string())?;
    serde_json::from_value(value).map_err(|err| err.to_string())
}

/// The text of a field in `locale`: its translation, else the item's own.
fn pick<T: Clone>(own: &T, translated: Option<&T>) -> T {
    translated.unwrap_or(own).clone()
}

fn pick_opt<T: Clone>(own: &Option<T>, translated: Option<&T>) -> Option<T> {
    own.as_ref().map(|own| pick(own, translated))
}

/// The document as read in `locale`: every text in its translation where
/// there is one, else in the document's own locale (field by field); no
/// translations left, and `locale` as the document's locale. Achievements
/// name their skills and awards their activities by the names and titles
/// of that locale, so the result is itself a valid document.
pub fn localize(doc: &PortfolioDocument, locale: &Locale) -> PortfolioDocument {
    let tag = locale.as_str();
    let p = &doc.person;
    let t = p.translations.get(tag);
    let person = PersonDoc {
        slug: p.slug.clone(),
        locale: tag.to_owned(),
        locales: Vec::new(),
        name: pick(&p.name, t.and_then(|t| t.name.as_ref())),
        headline: pick(&p.headline, t.and_then(|t| t.headline.as_ref())),
        summary: pick(&p.summary, t.and_then(|t| t.summary.as_ref())),
        location: pick_opt(&p.location, t.and_then(|t| t.location.as_ref())),
        email: p.email.clone(),
        avatar_url: p.avatar_url.clone(),
        draft: p.draft,
        translations: Localized::new(),
    };
    let links = doc
        .links
        .iter()
        .map(|l| {
            let t = l.translations.get(tag);
            ProfileLinkDoc {
                label: pick(&l.label, t.and_then(|t| t.label.as_ref())),
                translations: Localized::new(),
                ..l.clone()
            }
        })
        .collect();
    let skill_name = |name: &str| -> String {
        doc.skills
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .and_then(|s| s.translations.get(tag)?.name.clone())
            .unwrap_or_else(|| name.to_owned())
    };
    let skills = doc
        .skills
        .iter()
        .map(|s| SkillDoc {
            name: skill_name(&s.name),
            translations: Localized::new(),
            ..s.clone()
        })
        .collect();
    let reference = |r: &ReferenceDoc| {
        let t = r.translations.get(tag);
        ReferenceDoc {
            kind: r.kind,
            title: pick(&r.title, t.and_then(|t| t.title.as_ref())),
            url: r.url.clone(),
            event: pick_opt(&r.event, t.and_then(|t| t.event.as_ref())),
            publisher: pick_opt(&r.publisher, t.and_then(|t| t.publisher.as_ref())),
            date: r.date,
            translations: Localized::new(),
        }
    };
    let achievement = |a: &AchievementDoc| {
        let t = a.translations.get(tag);
        AchievementDoc {
            title: pick(&a.title, t.and_then(|t| t.title.as_ref())),
            context: pick_opt(&a.context, t.and_then(|t| t.context.as_ref())),
            actions: pick(&a.actions, t.and_then(|t| t.actions.as_ref())),
            results: pick(&a.results, t.and_then(|t| t.results.as_ref())),
            skills: a.skills.iter().map(|s| skill_name(s)).collect(),
            draft: a.draft,
            translations: Localized::new(),
            metrics: a
                .metrics
                .iter()
                .map(|m| {
                    let t = m.translations.get(tag);
                    MetricDoc {
                        label: pick(&m.label, t.and_then(|t| t.label.as_ref())),
                        value: m.value,
                        unit: m.unit.clone(),
                        display: pick(&m.display, t.and_then(|t| t.display.as_ref())),
                        translations: Localized::new(),
                    }
                })
                .collect(),
            links: a.links.iter().map(reference).collect(),
        }
    };
    let roles = doc
        .roles
        .iter()
        .map(|r| {
            let t = r.translations.get(tag);
            RoleDoc {
                organization: pick(&r.organization, t.and_then(|t| t.organization.as_ref())),
                title: pick(&r.title, t.and_then(|t| t.title.as_ref())),
                department: pick_opt(&r.department, t.and_then(|t| t.department.as_ref())),
                employment_type: r.employment_type,
                location: pick_opt(&r.location, t.and_then(|t| t.location.as_ref())),
                start: r.start,
                end: r.end,
                summary: pick_opt(&r.summary, t.and_then(|t| t.summary.as_ref())),
                draft: r.draft,
                translations: Localized::new(),
                achievements: r.achievements.iter().map(achievement).collect(),
            }
        })
        .collect();
    let activity_title = |a: &ActivityDoc| -> String {
        let t = a.translations.get(tag);
        pick(&a.title, t.and_then(|t| t.title.as_ref()))
    };
    let activities = doc
        .activities
        .iter()
        .map(|a| {
            let t = a.translations.get(tag);
            ActivityDoc {
                kind: a.kind,
                title: activity_title(a),
                organization: pick_opt(&a.organization, t.and_then(|t| t.organization.as_ref())),
                start: a.start,
                end: a.end,
                year: a.year,
                description: pick_opt(&a.description, t.and_then(|t| t.description.as_ref())),
                highlights: pick(&a.highlights, t.and_then(|t| t.highlights.as_ref())),
                awarded_for: a.awarded_for.as_ref().map(|target| {
                    doc.activities
                        .iter()
                        .find(|x| &x.title == target)
                        .map_or_else(|| target.clone(), activity_title)
                }),
                draft: a.draft,
                translations: Localized::new(),
                links: a.links.iter().map(reference).collect(),
                achievements: a.achievements.iter().map(achievement).collect(),
            }
        })
        .collect();
    let education = doc
        .education
        .iter()
        .map(|e| {
            let t = e.translations.get(tag);
            EducationDoc {
                institution: pick(&e.institution, t.and_then(|t| t.institution.as_ref())),
                degree: pick_opt(&e.degree, t.and_then(|t| t.degree.as_ref())),
                field: pick_opt(&e.field, t.and_then(|t| t.field.as_ref())),
                translations: Localized::new(),
                ..e.clone()
            }
        })
        .collect();
    let languages = doc
        .languages
        .iter()
        .map(|l| {
            let t = l.translations.get(tag);
            LanguageDoc {
                name: pick(&l.name, t.and_then(|t| t.name.as_ref())),
                fluency: pick_opt(&l.fluency, t.and_then(|t| t.fluency.as_ref())),
                draft: l.draft,
                translations: Localized::new(),
            }
        })
        .collect();
    PortfolioDocument {
        format: doc.format,
        person,
        links,
        skills,
        roles,
        activities,
        education,
        languages,
    }
}
