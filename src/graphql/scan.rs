//! The cheapest check of a GraphQL document: one linear pass over its text,
//! before the parser sees it.
//!
//! The parser recurses once per nesting level of selection sets, lists,
//! input objects and list types, on the thread that runs the request, and
//! bounds only selection sets; a 3 KB literal nested 1,500 lists deep
//! overflows a worker's stack and aborts the whole process. Nothing that
//! runs after parsing can help, so this pass bounds, without recursion and
//! without allocating:
//!
//! - the number of tokens (as graphql-js's `maxTokens` does): parsing,
//!   validation and the errors they can produce all grow with it;
//! - the nesting of `{`, `[` and `(`, together: every recursive stage after
//!   this one (parser, validation, execution, the field-order pass) then
//!   recurses at most this deep.
//!
//! It follows the lexical grammar of the GraphQL specification (names,
//! numbers, strings, block strings, comments, ignored commas) closely
//! enough that a bracket inside a string or comment is not counted.
//! Anything it does not recognise counts as one token and is left to the
//! parser to report.

/// Why a document was refused before parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanError {
    /// More tokens than allowed.
    TooManyTokens { limit: usize },
    /// Brackets and braces nested deeper than allowed.
    NestedTooDeep { limit: usize },
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanError::TooManyTokens { limit } => {
                write!(f, "the document has more than {limit} tokens")
            }
            ScanError::NestedTooDeep { limit } => write!(
                f,
                "the document nests selections, lists or objects more than {limit} levels deep"
            ),
        }
    }
}

/// The limits of [`scan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanLimits {
    pub max_tokens: usize,
    pub max_nesting: usize,
}

/// What a document that passed holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scanned {
    pub tokens: usize,
    pub nesting: usize,
}

/// Checks `source` against `limits` in one pass; stops at the first limit
/// broken, so a refused document costs at most its limit in work.
pub fn scan(source: &str, limits: ScanLimits) -> Result<Scanned, ScanError> {
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut tokens = 0usize;
    let mut depth = 0usize;
    let mut deepest = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            // Ignored: white space, line terminators, commas.
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            // A comment runs to the end of its line.
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > limits.max_nesting {
                    return Err(ScanError::NestedTooDeep {
                        limit: limits.max_nesting,
                    });
                }
                deepest = deepest.max(depth);
                i += 1;
            }
            b'}' | b']' | b')' => {
                // Unbalanced closers are the parser's to report.
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'"' => i = skip_string(bytes, i),
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            _ => {
                // A punctuator, or a character the parser will refuse:
                // one token either way. Step over a whole UTF-8 character
                // (the byte order mark is ignored, like white space).
                let width = utf8_width(b);
                if bytes[i..].starts_with("\u{feff}".as_bytes()) {
                    i += width;
                    continue;
                }
                i += width;
            }
        }
        tokens += 1;
        if tokens > limits.max_tokens {
            return Err(ScanError::TooManyTokens {
                limit: limits.max_tokens,
            });
        }
    }
    Ok(Scanned {
        tokens,
        nesting: deepest,
    })
}

/// The index just past the string or block string starting at `start`
/// (its opening quote); the end of the text when it never closes.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    if bytes[start..].starts_with(b"\"\"\"") {
        let mut i = start + 3;
        while i < bytes.len() {
            if bytes[i..].starts_with(b"\\\"\"\"") {
                i += 4;
            } else if bytes[i..].starts_with(b"\"\"\"") {
                return i + 3;
            } else {
                i += 1;
            }
        }
        return bytes.len();
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            // A string may not span lines; the parser reports it.
            b'\n' | b'\r' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn utf8_width(first: u8) -> usize {
    match first {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: ScanLimits = ScanLimits {
        max_tokens: 100,
        max_nesting: 8,
    };

    fn tokens(source: &str) -> usize {
        scan(source, LIMITS).expect("within limits").tokens
    }

    #[test]
    fn counts_the_tokens_of_the_specification_lexical_grammar() {
        assert_eq!(tokens("{ a }"), 3);
        assert_eq!(
            tokens("query Q($x: [Int!] = [1, -2.5e3]) { a(x: $x) @skip(if: false) { ...F } }"),
            36
        );
        assert_eq!(tokens("# only a comment\n"), 0);
        assert_eq!(tokens("{ a(s: \"a { [ ( \\\" string\") }"), 8);
        assert_eq!(tokens("{ a(s: \"\"\"block { \\\"\"\" \"\"\") }"), 8);
        assert_eq!(tokens("\u{feff}{ a }"), 3);
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_nest() {
        let nested = format!("{{ a(s: \"{}\") # {}\n }}", "[".repeat(50), "{".repeat(50));
        assert_eq!(scan(&nested, LIMITS).map(|s| s.nesting), Ok(2));
    }

    #[test]
    fn refuses_deep_lists_objects_and_selections_alike() {
        for (open, close) in [("[", "]"), ("{a:", "}"), ("{ a ", "}")] {
            let deep = format!("{{ f(x: {}1{}) }}", open.repeat(9), close.repeat(9));
            assert_eq!(
                scan(&deep, LIMITS),
                Err(ScanError::NestedTooDeep { limit: 8 }),
                "{deep}"
            );
        }
    }

    #[test]
    fn stops_counting_at_the_token_limit() {
        let long = format!("{{ {} }}", "a ".repeat(200));
        assert_eq!(
            scan(&long, LIMITS),
            Err(ScanError::TooManyTokens { limit: 100 })
        );
    }

    #[test]
    fn unterminated_strings_and_stray_bytes_end_without_panicking() {
        for source in [
            "\"abc",
            "\"\"\"abc",
            "{ \"a\\",
            "\u{1F600}",
            "-",
            "..",
            "\r\n#",
        ] {
            assert!(scan(source, LIMITS).is_ok(), "{source:?}");
        }
    }
}
