//! Year-month precision dates, the precision of a resume.
//!
//! A span of months counts both its first and its last month, as Korean
//! resumes and LinkedIn do: 2021-06 .. 2022-09 is 16 months ("1년 4개월").

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month, written `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u8,
}

impl YearMonth {
    /// The month, if `year` is in 1..=9999 and `month` in 1..=12.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Self {
            year,
            month: month as u8,
        })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    /// The storage form, `YYYYMM` as an integer (`202209`).
    pub fn to_yyyymm(self) -> i32 {
        self.year * 100 + i32::from(self.month)
    }

    /// Reads the storage form back; `None` for anything that is not a month.
    pub fn from_yyyymm(value: i32) -> Option<Self> {
        Self::new(value / 100, (value % 100).try_into().ok()?)
    }

    /// Months since year 0: consecutive months differ by one.
    fn ordinal(self) -> i32 {
        self.year * 12 + i32::from(self.month) - 1
    }

    /// Months from `self` through `end`, both counted; 0 when `end` is before.
    pub fn months_through(self, end: YearMonth) -> i32 {
        (end.ordinal() - self.ordinal() + 1).max(0)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Why a text is not a `YYYY-MM` month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a year-month as \"YYYY-MM\" (e.g. \"2022-09\"), got {0:?}")]
pub struct ParseYearMonthError(String);

impl FromStr for YearMonth {
    type Err = ParseYearMonthError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || ParseYearMonthError(text.to_owned());
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 7
            && bytes[4] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || b.is_ascii_digit());
        if !shape_ok {
            return Err(err());
        }
        let year = text[..4].parse().map_err(|_| err())?;
        let month = text[5..].parse().map_err(|_| err())?;
        Self::new(year, month).ok_or_else(err)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Months covered by a set of spans, each month counted once however many
/// spans cover it (concurrent roles do not add up).
pub fn experience_months(spans: impl IntoIterator<Item = (YearMonth, YearMonth)>) -> i32 {
    let mut spans: Vec<_> = spans
        .into_iter()
        .filter(|(start, end)| start <= end)
        .collect();
    spans.sort();
    let mut total = 0;
    let mut covered_until: Option<YearMonth> = None;
    for (start, end) in spans {
        match covered_until {
            // Entirely inside what is already counted.
            Some(until) if end <= until => {}
            // Overlapping: count only the months after `until`.
            Some(until) if start <= until => {
                total += until.months_through(end) - 1;
                covered_until = Some(end);
            }
            _ => {
                total += start.months_through(end);
                covered_until = Some(end);
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(text: &str) -> YearMonth {
        text.parse().expect("valid year-month")
    }

    #[test]
    fn a_span_counts_both_its_first_and_last_month() {
        assert_eq!(ym("2021-06").months_through(ym("2022-09")), 16);
        assert_eq!(ym("2022-09").months_through(ym("2022-09")), 1);
        assert_eq!(ym("2022-09").months_through(ym("2022-08")), 0);
    }

    #[test]
    fn parsing_accepts_only_real_months_in_the_yyyy_mm_shape() {
        assert_eq!(ym("2022-09").to_string(), "2022-09");
        for bad in [
            "2022-13",
            "2022-00",
            "2022-9",
            "22-09",
            "2022/09",
            "2022-09-01",
            "",
            "0000-01",
            "２０２２-09",
        ] {
            assert!(
                bad.parse::<YearMonth>().is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn the_storage_form_round_trips() {
        assert_eq!(ym("2022-09").to_yyyymm(), 202209);
        assert_eq!(YearMonth::from_yyyymm(202209), Some(ym("2022-09")));
        assert_eq!(YearMonth::from_yyyymm(202213), None);
    }

    #[test]
    fn overlapping_spans_are_counted_once() {
        // 2021-06..2022-09 (16) and 2022-09..2024-12 (28) share 2022-09.
        let spans = [
            (ym("2021-06"), ym("2022-09")),
            (ym("2022-09"), ym("2024-12")),
        ];
        assert_eq!(experience_months(spans), 43);
        // A span inside another adds nothing; a gap is not counted.
        let spans = [
            (ym("2020-01"), ym("2020-12")),
            (ym("2020-03"), ym("2020-04")),
            (ym("2021-02"), ym("2021-03")),
        ];
        assert_eq!(experience_months(spans), 14);
        assert_eq!(experience_months([]), 0);
    }
}
