//! Turning a field path into a line and column of the source text.
//!
//! Serde reports *which* field failed (through `serde_path_to_error`), TOML
//! reports *where* its own errors are; checks that run after deserialising
//! only know the path. Walking the spanned parse tree along the path finds
//! the line of any of them.

use toml::de::{DeTable, DeValue};

use super::Problem;

/// A path as serde reports it, in this module's `a.b[2].c` notation.
pub(super) fn serde_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// A problem from a TOML or serde error, placed by the error's own span when
/// it has one, else by its path.
pub(super) fn problem_from_toml(text: &str, field: String, err: &toml::de::Error) -> Problem {
    let (line, column) = match err.span() {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            (Some(line), Some(column))
        }
        None => position_of(text, &field).map_or((None, None), |(l, c)| (Some(l), Some(c))),
    };
    Problem {
        field,
        line,
        column,
        message: err.message().trim().to_owned(),
    }
}

/// A problem found after deserialising, placed by its path.
pub(super) fn problem_at(text: &str, field: &str, message: String) -> Problem {
    let position = position_of(text, field);
    Problem {
        field: field.to_owned(),
        line: position.map(|(line, _)| line),
        column: position.map(|(_, column)| column),
        message,
    }
}

/// The line and column where the value at `path` starts, or where its
/// nearest enclosing value starts when the field itself is missing.
fn position_of(text: &str, path: &str) -> Option<(usize, usize)> {
    let root = DeTable::parse(text).ok()?;
    let span = root.span();
    let mut value = DeValue::Table(root.into_inner());
    let mut start = span.start;
    for segment in segments(path) {
        let next = match segment {
            Segment::Key(key) => value.get(key),
            Segment::Index(index) => value.get(index),
        };
        match next {
            Some(next) => {
                start = next.span().start;
                let inner = next.get_ref().clone();
                value = inner;
            }
            None => break,
        }
    }
    Some(line_column(text, start))
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> impl Iterator<Item = Segment<'_>> {
    path.split('.')
        .filter(|part| !part.is_empty())
        .flat_map(|part| {
            let mut pieces = part.split('[');
            let key = pieces
                .next()
                .filter(|key| !key.is_empty())
                .map(Segment::Key);
            let indexes = pieces
                .filter_map(|piece| piece.trim_end_matches(']').parse().ok().map(Segment::Index));
            key.into_iter().chain(indexes).collect::<Vec<_>>()
        })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_leads_to_the_line_of_its_value() {
        let text = "format = 1\n[person]\nslug = \"x\"\n\n[[roles]]\ntitle = \"a\"\n[[roles]]\ntitle = \"b\"\n";
        assert_eq!(position_of(text, "person.slug"), Some((3, 8)));
        assert_eq!(position_of(text, "roles[1].title"), Some((8, 9)));
        // A missing field points at its table.
        assert_eq!(position_of(text, "roles[1].missing").map(|p| p.0), Some(7));
    }
}
