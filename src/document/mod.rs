//! The native portfolio document: a human-editable TOML file holding one
//! person's whole portfolio (see `docs/portfolio-format.md`).
//!
//! [`parse`] turns text into a checked [`PortfolioDocument`] or into
//! [`DocumentError`]s naming the file, line, column and field of each problem;
//! [`to_toml`] writes a document back. Parsing what `to_toml` wrote gives the
//! same document, which is what makes import/export round-trip.

pub mod json_resume;
pub mod localize;
mod locate;
mod model;
mod validate;

pub use localize::localize;
pub use model::*;
pub use validate::has;

use std::fmt;

/// The bundled portfolio, compiled into the binary so that `serve` works from
/// any directory.
pub const BUNDLED: &str = include_str!("../../data/dahye-ahn.toml");
/// The name under which errors in [`BUNDLED`] are reported.
pub const BUNDLED_NAME: &str = "data/dahye-ahn.toml";

/// One problem in a document, located in its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted path of the offending field, e.g. `roles[0].achievements[2].skills[1]`.
    pub field: String,
    /// 1-based line and column, when the field can be found in the source.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// Every problem found in a document that was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DocumentError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(
            f,
            "{} is not a valid portfolio document ({count} problem{})",
            self.file,
            if count == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  {}", self.file)?;
            if let Some(line) = problem.line {
                write!(f, ":{line}")?;
                if let Some(column) = problem.column {
                    write!(f, ":{column}")?;
                }
            }
            let field = if problem.field.is_empty() {
                "(document)"
            } else {
                &problem.field
            };
            write!(f, ": field `{field}`: {}", problem.message)?;
        }
        Ok(())
    }
}

/// Parses and checks a document. `file` names the source in errors.
pub fn parse(file: &str, text: &str) -> Result<PortfolioDocument, DocumentError> {
    let reject = |problems| DocumentError {
        file: file.to_owned(),
        problems,
    };
    let deserializer = toml::de::Deserializer::parse(text)
        .map_err(|err| reject(vec![locate::problem_from_toml(text, String::new(), &err)]))?;
    let document: PortfolioDocument =
        serde_path_to_error::deserialize(deserializer).map_err(|err| {
            let field = locate::serde_path(err.path());
            reject(vec![locate::problem_from_toml(text, field, err.inner())])
        })?;
    let problems = validate::check(&document);
    if problems.is_empty() {
        Ok(document)
    } else {
        Err(reject(
            problems
                .into_iter()
                .map(|(path, message)| locate::problem_at(text, &path, message))
                .collect(),
        ))
    }
}

/// Checks a document built in code (e.g. from JSON Resume) by the same
/// rules as a parsed one; every problem as `(field path, message)`.
pub fn check(document: &PortfolioDocument) -> Vec<(String, String)> {
    validate::check(document)
}

/// Writes a document in the native format.
pub fn to_toml(document: &PortfolioDocument) -> String {
    let body = toml::to_string_pretty(document).unwrap_or_else(|err| {
        unreachable!("a portfolio document always serialises to TOML: {err}")
    });
    format!(
        "# Portfolio of {} ({}), exported by `portfolio export`.\n# Format: docs/portfolio-format.md\n\n{body}",
        document.person.name, document.person.slug
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_document_is_valid() {
        let document = parse(BUNDLED_NAME, BUNDLED).expect("bundled document parses");
        assert_eq!(document.person.slug, "dahye-ahn");
        assert_eq!(document.roles.len(), 2);
    }

    #[test]
    fn writing_and_reading_back_gives_the_same_document() {
        let document = parse(BUNDLED_NAME, BUNDLED).expect("bundled document parses");
        let written = to_toml(&document);
        let again = parse("export.toml", &written).expect("export parses");
        assert_eq!(again, document);
        assert_eq!(to_toml(&again), written);
    }
}
