//! Locales: BCP 47 language tags, the reader's preferences (a `locale`
//! argument or an `Accept-Language` header), choosing the locale to serve
//! from what a portfolio offers, and the text the server derives itself
//! (durations, year-months, labels) in that locale.

use std::collections::BTreeMap;
use std::fmt;

use language_tags::LanguageTag;
use serde::{Deserialize, Serialize};

use super::YearMonth;

/// The longest tag accepted (RFC 5646 asks implementations to take at
/// least 35 characters).
pub const MAX_TAG_LEN: usize = 35;

/// The most language ranges read from one `Accept-Language` header.
pub const MAX_RANGES: usize = 16;

/// A well-formed, registered BCP 47 language tag in its canonical spelling
/// (`en-US`, `ko`, `zh-Hant-TW`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Locale(String);

/// Why a tag or a header is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocaleError {
    #[error("`{0}` is not a BCP 47 language tag (e.g. `en`, `ko`, `en-US`)")]
    Malformed(String),
    #[error("`{0}` is not a registered language tag (e.g. `en`, `ko`, `en-US`)")]
    Unknown(String),
    #[error("Accept-Language is malformed: {0}")]
    Header(String),
}

impl Locale {
    /// Parses a tag: malformed and unregistered tags are refused; the
    /// canonical spelling is kept (`EN-us` becomes `en-US`).
    pub fn parse(text: &str) -> Result<Locale, LocaleError> {
        let shown = || text.chars().take(MAX_TAG_LEN + 5).collect::<String>();
        // A wildcard (`*`, `en-*`) is a language range, never a tag.
        if text.is_empty() || text.len() > MAX_TAG_LEN || text.contains('*') {
            return Err(LocaleError::Malformed(shown()));
        }
        let tag = LanguageTag::parse(text).map_err(|_| LocaleError::Malformed(shown()))?;
        tag.validate().map_err(|_| LocaleError::Unknown(shown()))?;
        let tag = tag
            .canonicalize()
            .map_err(|_| LocaleError::Unknown(shown()))?;
        Ok(Locale(tag.into_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language subtag (`en` of `en-US`).
    pub fn language(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    /// The tag and each shorter prefix of it, longest first
    /// (`zh-Hant-TW`, `zh-Hant`, `zh`), as RFC 4647 lookup tries them.
    fn truncations(&self) -> impl Iterator<Item = &str> {
        let s = self.0.as_str();
        let mut end = Some(s.len());
        std::iter::from_fn(move || {
            let cut = end?;
            let candidate = &s[..cut];
            end = candidate.rfind('-').map(|i| {
                // A single-letter subtag (an extension's singleton) goes
                // with the subtag that follows it.
                let before = &candidate[..i];
                match before.rfind('-') {
                    Some(j) if i - j == 2 => j,
                    _ => i,
                }
            });
            Some(candidate)
        })
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a reader asked for, most wanted first: a `locale` argument (one
/// entry), an `Accept-Language` header (its ranges by q-value), or nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Preferences(Vec<Range>);

/// One language range of a preference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Range {
    Tag(Locale),
    /// `*`: any locale; the portfolio's default serves.
    Any,
}

impl Preferences {
    /// Exactly this locale.
    pub fn exactly(locale: Locale) -> Preferences {
        Preferences(vec![Range::Tag(locale)])
    }

    /// No preference: each portfolio answers in its default locale.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses an `Accept-Language` header (RFC 9110 §12.5.4): ranges with
    /// optional q-values, highest first, ties in the header's order; ranges
    /// with `q=0` are not acceptable and left out. A malformed header is
    /// refused rather than ignored.
    pub fn from_accept_language(header: &str) -> Result<Preferences, LocaleError> {
        let mut ranges: Vec<(u16, Range)> = Vec::new();
        for (n, item) in header.split(',').enumerate() {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            if n >= MAX_RANGES * 4 || ranges.len() >= MAX_RANGES {
                return Err(LocaleError::Header(format!(
                    "more than {MAX_RANGES} language ranges"
                )));
            }
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or_default().trim();
            let mut q = 1000;
            for param in parts {
                let (name, value) = param
                    .split_once('=')
                    .ok_or_else(|| LocaleError::Header(format!("`{param}` is not a parameter")))?;
                if !name.trim().eq_ignore_ascii_case("q") {
                    return Err(LocaleError::Header(format!(
                        "unknown parameter `{}`",
                        name.trim()
                    )));
                }
                q = parse_q(value.trim()).ok_or_else(|| {
                    LocaleError::Header(format!("`{}` is not a q-value", value.trim()))
                })?;
            }
            if q == 0 {
                continue;
            }
            let range = if range == "*" {
                Range::Any
            } else {
                Range::Tag(Locale::parse(range).map_err(|e| LocaleError::Header(e.to_string()))?)
            };
            ranges.push((q, range));
        }
        // Stable: equal q-values keep the header's order.
        ranges.sort_by_key(|(q, _)| std::cmp::Reverse(*q));
        Ok(Preferences(ranges.into_iter().map(|(_, r)| r).collect()))
    }

    /// The locale to serve from `default` and the `others` a portfolio is
    /// offered in: RFC 4647 lookup (each range, then its shorter prefixes),
    /// then any offered locale of the range's language (`en` finds `en-GB`);
    /// the default when nothing matches.
    pub fn choose<'a>(&self, default: &'a Locale, others: &'a [Locale]) -> &'a Locale {
        let offered = || std::iter::once(default).chain(others);
        for range in &self.0 {
            let Range::Tag(wanted) = range else {
                return default;
            };
            for prefix in wanted.truncations() {
                if let Some(found) = offered().find(|l| l.as_str().eq_ignore_ascii_case(prefix)) {
                    return found;
                }
            }
            if let Some(found) = offered().find(|l| l.language() == wanted.language()) {
                return found;
            }
        }
        default
    }

    /// A stable text for cache keys: two requests with the same
    /// preferences have the same key.
    pub fn key(&self) -> String {
        self.0
            .iter()
            .map(|r| match r {
                Range::Tag(l) => l.as_str(),
                Range::Any => "*",
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A q-value in thousandths: `0`, `0.5`, `1`, `1.000` (at most 3 decimals).
fn parse_q(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The language the server writes its own words in: Korean for `ko`,
/// English for every other locale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speech {
    Korean,
    English,
}

impl Speech {
    pub fn of(locale: &Locale) -> Speech {
        match locale.language() {
            "ko" => Speech::Korean,
            _ => Speech::English,
        }
    }

    /// A span of months: "1년 4개월" / "1 yr 4 mos".
    pub fn duration(self, total_months: i32) -> String {
        let (years, months) = (total_months / 12, total_months % 12);
        match self {
            Speech::Korean => match (years, months) {
                (0, m) => format!("{m}개월"),
                (y, 0) => format!("{y}년"),
                (y, m) => format!("{y}년 {m}개월"),
            },
            Speech::English => {
                let y = match years {
                    1 => "1 yr".to_owned(),
                    y => format!("{y} yrs"),
                };
                let m = match months {
                    1 => "1 mo".to_owned(),
                    m => format!("{m} mos"),
                };
                match (years, months) {
                    (0, _) => m,
                    (_, 0) => y,
                    _ => format!("{y} {m}"),
                }
            }
        }
    }

    /// A year-month: "2022년 9월" / "Sep 2022".
    pub fn year_month(self, ym: YearMonth) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        match self {
            Speech::Korean => format!("{}년 {}월", ym.year(), ym.month()),
            Speech::English => {
                let name = MONTHS[usize::try_from(ym.month() - 1).unwrap_or(0) % 12];
                format!("{name} {}", ym.year())
            }
        }
    }

    /// What an open end of a span is called: "현재" / "Present".
    pub fn present(self) -> &'static str {
        match self {
            Speech::Korean => "현재",
            Speech::English => "Present",
        }
    }

    /// A span of months as shown on a resume: "2021년 6월 ~ 2022년 9월",
    /// "Jun 2021 – Sep 2022", an open end shown as present.
    pub fn span(self, start: YearMonth, end: Option<YearMonth>) -> String {
        let end = end.map_or_else(|| self.present().to_owned(), |e| self.year_month(e));
        let start = self.year_month(start);
        match self {
            Speech::Korean => format!("{start} ~ {end}"),
            Speech::English => format!("{start} – {end}"),
        }
    }
}

/// One translated field: a text, or a list of texts (actions, highlights,
/// summary paragraphs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Text {
    One(String),
    Many(Vec<String>),
}

/// An item's translations, as stored in its `translations` column: locale
/// tag -> field name (the document's key, e.g. `title`, `actions`) -> text.
/// The item's own columns hold its text in the person's default locale.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Translations(pub BTreeMap<String, BTreeMap<String, Text>>);

impl Translations {
    /// Reads a `translations` column (null or empty for none).
    pub fn decode(column: Option<&str>) -> Result<Translations, serde_json::Error> {
        match column {
            None | Some("") => Ok(Translations::default()),
            Some(json) => serde_json::from_str(json),
        }
    }

    /// The column's value: null when there is nothing to keep.
    pub fn encode(&self) -> Option<String> {
        let kept = self.0.values().any(|fields| !fields.is_empty());
        kept.then(|| serde_json::to_string(&self.0).unwrap_or_default())
    }

    /// The text of `field` in exactly `locale`, if translated.
    pub fn get(&self, locale: &Locale, field: &str) -> Option<&Text> {
        self.0.get(locale.as_str())?.get(field)
    }

    /// The locales with at least one translated field.
    pub fn locales(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(|(_, fields)| !fields.is_empty())
            .map(|(l, _)| l.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(tag: &str) -> Locale {
        Locale::parse(tag).unwrap()
    }

    #[test]
    fn tags_are_checked_and_canonical() {
        assert_eq!(l("EN-us").as_str(), "en-US");
        assert_eq!(l("ko").as_str(), "ko");
        assert_eq!(l("zh-hant-tw").as_str(), "zh-Hant-TW");
        assert!(matches!(
            Locale::parse("en_US"),
            Err(LocaleError::Malformed(_))
        ));
        assert!(matches!(Locale::parse(""), Err(LocaleError::Malformed(_))));
        assert!(matches!(Locale::parse("*"), Err(LocaleError::Malformed(_))));
        assert!(matches!(
            Locale::parse(&"a".repeat(100)),
            Err(LocaleError::Malformed(_))
        ));
        assert!(matches!(Locale::parse("zz"), Err(LocaleError::Unknown(_))));
        assert!(matches!(
            Locale::parse("en-YY"),
            Err(LocaleError::Unknown(_))
        ));
    }

    #[test]
    fn accept_language_orders_by_q_and_drops_zero() {
        let p = Preferences::from_accept_language("ko;q=0.5, en-US,en;q=0.9, fr;q=0").unwrap();
        assert_eq!(p.key(), "en-US,en,ko");
        let p = Preferences::from_accept_language("").unwrap();
        assert!(p.is_empty());
        for bad in ["en;q=2", "en;q=0.1234", "en;x=1", "en_US", "en;q", "zz"] {
            assert!(Preferences::from_accept_language(bad).is_err(), "{bad}");
        }
        let many = vec!["en"; MAX_RANGES + 1].join(",");
        assert!(Preferences::from_accept_language(&many).is_err());
    }

    #[test]
    fn choosing_looks_up_then_falls_back_to_the_default() {
        let ko = l("ko");
        let others = [l("en")];
        let choose = |header: &str| {
            Preferences::from_accept_language(header)
                .unwrap()
                .choose(&ko, &others)
                .as_str()
                .to_owned()
        };
        assert_eq!(choose("en-US,en;q=0.9"), "en");
        assert_eq!(choose("fr, en;q=0.5"), "en");
        assert_eq!(choose("fr"), "ko");
        assert_eq!(choose("*"), "ko");
        assert_eq!(choose(""), "ko");
        let gb = [l("en-GB")];
        assert_eq!(
            Preferences::exactly(l("en")).choose(&ko, &gb).as_str(),
            "en-GB"
        );
        let hant = [l("zh-Hant")];
        assert_eq!(
            Preferences::exactly(l("zh-Hant-TW"))
                .choose(&ko, &hant)
                .as_str(),
            "zh-Hant"
        );
    }

    #[test]
    fn derived_text_follows_the_locale() {
        let k = Speech::Korean;
        let e = Speech::English;
        assert_eq!(k.duration(16), "1년 4개월");
        assert_eq!(e.duration(16), "1 yr 4 mos");
        assert_eq!(e.duration(1), "1 mo");
        assert_eq!(e.duration(24), "2 yrs");
        assert_eq!(k.duration(12), "1년");
        let sep = YearMonth::new(2022, 9).unwrap();
        assert_eq!(k.year_month(sep), "2022년 9월");
        assert_eq!(e.year_month(sep), "Sep 2022");
        assert_eq!(e.span(sep, None), "Sep 2022 – Present");
        assert_eq!(Speech::of(&l("ko-KR")), Speech::Korean);
        assert_eq!(Speech::of(&l("fr")), Speech::English);
    }
}
