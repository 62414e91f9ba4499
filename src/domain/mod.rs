//! Plain domain values and rules shared by the document format, the services
//! and the GraphQL layer: year-months, durations, the clock, field limits and
//! which of them hold for which field.

pub mod clock;
pub mod limits;
pub mod locale;
pub mod rules;
pub mod texts;
pub mod validate;
pub mod year_month;

pub use clock::Clock;
pub use locale::{Locale, Preferences, Speech};
pub use year_month::{YearMonth, experience_months};
