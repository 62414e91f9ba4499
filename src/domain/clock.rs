//! Where "now" comes from: the system clock in production, a fixed month in
//! tests, so that durations of current roles are deterministic.

use chrono::Datelike;

use super::YearMonth;

/// The source of the current month.
#[derive(Clone, Copy, Debug, Default)]
pub enum Clock {
    /// The machine's clock, in UTC.
    #[default]
    System,
    /// Always this month.
    Fixed(YearMonth),
}

impl Clock {
    pub fn current_month(&self) -> YearMonth {
        match self {
            Clock::Fixed(month) => *month,
            Clock::System => {
                let today = chrono::Utc::now().date_naive();
                YearMonth::new(today.year(), today.month()).unwrap_or_else(|| {
                    unreachable!("chrono dates are within 1..=9999 and months within 1..=12")
                })
            }
        }
    }
}
