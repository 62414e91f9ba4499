//! The rules a document must follow beyond its shape: required texts,
//! lengths, characters, URLs, e-mail, slugs, month order, unique skills,
//! known skill references, and the sizes of its lists (see
//! [`limits`]). Every problem is collected, not only the first.

use std::collections::HashSet;

use super::model::*;
use crate::domain::limits;
use crate::domain::validate::Checker;

/// The document's own rules on top of the shared ones.
trait DocumentRules {
    fn references(&mut self, path: &str, links: &[ReferenceDoc]);
    fn achievement(&mut self, path: &str, achievement: &AchievementDoc, skills: &HashSet<String>);
}

impl DocumentRules for Checker {
    fn references(&mut self, path: &str, links: &[ReferenceDoc]) {
        if !self.list(
            &format!("{path}.links"),
            links.len(),
            limits::MAX_LINKS_PER_ITEM,
        ) {
            return;
        }
        for (index, link) in links.iter().enumerate() {
            let path = format!("{path}.links[{index}]");
            self.text(&format!("{path}.title"), &link.title, limits::SHORT_TEXT);
            if let Some(url) = &link.url {
                self.url(&format!("{path}.url"), url);
            }
        }
    }

    fn achievement(&mut self, path: &str, achievement: &AchievementDoc, skills: &HashSet<String>) {
        self.multiline(
            &format!("{path}.title"),
            &achievement.title,
            limits::LONG_TEXT,
        );
        self.optional_multiline(
            &format!("{path}.context"),
            achievement.context.as_deref(),
            limits::LONG_TEXT,
        );
        self.texts(
            &format!("{path}.actions"),
            &achievement.actions,
            limits::MAX_ACTIONS_PER_ACHIEVEMENT,
            limits::LONG_TEXT,
        );
        self.texts(
            &format!("{path}.results"),
            &achievement.results,
            limits::MAX_RESULTS_PER_ACHIEVEMENT,
            limits::LONG_TEXT,
        );
        let mut used = HashSet::new();
        let skill_count = achievement.skills.len();
        let skills_fit = self.list(
            &format!("{path}.skills"),
            skill_count,
            limits::MAX_SKILLS_PER_ACHIEVEMENT,
        );
        for (index, name) in achievement.skills.iter().enumerate().filter(|_| skills_fit) {
            let key = name.to_lowercase();
            let path = format!("{path}.skills[{index}]");
            if !skills.contains(&key) {
                self.fail(
                    path,
                    format!("names skill {name:?}, which is not in the document's `skills`"),
                );
            } else if !used.insert(key) {
                self.fail(path, format!("lists skill {name:?} twice"));
            }
        }
        let metrics_fit = self.list(
            &format!("{path}.metrics"),
            achievement.metrics.len(),
            limits::MAX_METRICS_PER_ACHIEVEMENT,
        );
        for (index, metric) in achievement
            .metrics
            .iter()
            .enumerate()
            .filter(|_| metrics_fit)
        {
            let path = format!("{path}.metrics[{index}]");
            self.text(&format!("{path}.label"), &metric.label, limits::SHORT_TEXT);
            self.text(
                &format!("{path}.display"),
                &metric.display,
                limits::METRIC_DISPLAY,
            );
            self.optional_text(
                &format!("{path}.unit"),
                metric.unit.as_deref(),
                limits::UNIT,
            );
            if metric.value.is_some_and(|value| !value.is_finite()) {
                self.fail(format!("{path}.value"), "must be a finite number");
            }
        }
        self.references(path, &achievement.links);
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
    c.slug("person.slug", &person.slug);
    c.text("person.name", &person.name, limits::NAME);
    c.text("person.headline", &person.headline, limits::HEADLINE);
    c.texts(
        "person.summary",
        &person.summary,
        limits::MAX_SUMMARY_PARAGRAPHS,
        limits::LONG_TEXT,
    );
    c.optional_text(
        "person.location",
        person.location.as_deref(),
        limits::SHORT_TEXT,
    );
    if let Some(email) = &person.email {
        c.email("person.email", email);
    }
    if let Some(url) = &person.avatar_url {
        c.url("person.avatar_url", url);
    }

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
        c.text(
            &format!("links[{index}].label"),
            &link.label,
            limits::SHORT_TEXT,
        );
        c.url(&format!("links[{index}].url"), &link.url);
    }

    let mut skills = HashSet::new();
    for (index, skill) in document.skills.iter().enumerate().filter(|_| skills_fit) {
        let path = format!("skills[{index}].name");
        c.text(&path, &skill.name, limits::SKILL_NAME);
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
        c.text(
            &format!("{path}.organization"),
            &role.organization,
            limits::SHORT_TEXT,
        );
        c.text(&format!("{path}.title"), &role.title, limits::SHORT_TEXT);
        c.optional_text(
            &format!("{path}.department"),
            role.department.as_deref(),
            limits::SHORT_TEXT,
        );
        c.optional_text(
            &format!("{path}.location"),
            role.location.as_deref(),
            limits::SHORT_TEXT,
        );
        c.optional_multiline(
            &format!("{path}.summary"),
            role.summary.as_deref(),
            limits::LONG_TEXT,
        );
        c.months(&path, Some(role.start), role.end);
        for (a, achievement) in role
            .achievements
            .iter()
            .enumerate()
            .filter(|_| achievements_fit)
        {
            c.achievement(&format!("{path}.achievements[{a}]"), achievement, &skills);
        }
    }

    for (index, activity) in document
        .activities
        .iter()
        .enumerate()
        .filter(|_| activities_fit)
    {
        let path = format!("activities[{index}]");
        c.multiline(&format!("{path}.title"), &activity.title, limits::LONG_TEXT);
        c.optional_text(
            &format!("{path}.organization"),
            activity.organization.as_deref(),
            limits::SHORT_TEXT,
        );
        c.optional_multiline(
            &format!("{path}.description"),
            activity.description.as_deref(),
            limits::LONG_TEXT,
        );
        c.texts(
            &format!("{path}.highlights"),
            &activity.highlights,
            limits::MAX_HIGHLIGHTS_PER_ACTIVITY,
            limits::LONG_TEXT,
        );
        c.months(&path, activity.start, activity.end);
        if activity
            .year
            .is_some_and(|year| !(1..=9999).contains(&year))
        {
            c.fail(format!("{path}.year"), "must be a year between 1 and 9999");
        }
        c.references(&path, &activity.links);
        for (a, achievement) in activity
            .achievements
            .iter()
            .enumerate()
            .filter(|_| achievements_fit)
        {
            c.achievement(&format!("{path}.achievements[{a}]"), achievement, &skills);
        }
    }

    for (index, education) in document
        .education
        .iter()
        .enumerate()
        .filter(|_| education_fit)
    {
        let path = format!("education[{index}]");
        c.text(
            &format!("{path}.institution"),
            &education.institution,
            limits::SHORT_TEXT,
        );
        c.optional_text(
            &format!("{path}.degree"),
            education.degree.as_deref(),
            limits::SHORT_TEXT,
        );
        c.optional_text(
            &format!("{path}.field"),
            education.field.as_deref(),
            limits::SHORT_TEXT,
        );
        c.months(&path, education.start, education.end);
    }

    for (index, language) in document
        .languages
        .iter()
        .enumerate()
        .filter(|_| languages_fit)
    {
        c.text(
            &format!("languages[{index}].name"),
            &language.name,
            limits::SKILL_NAME,
        );
        c.optional_text(
            &format!("languages[{index}].fluency"),
            language.fluency.as_deref(),
            limits::SHORT_TEXT,
        );
    }
    c.into_problems()
}
