use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Typed facts of one analysed call, stored beside the analyses so analytics can aggregate in
/// SQL. Derived from the analysis by the pipeline; never edited by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallFacts {
    /// hot, warm or cold.
    pub lead_status: String,
    /// 0..=1.
    pub lead_score: f32,
    /// Meets basic criteria.
    pub qualified: bool,
    /// appointment_set, sold, follow_up, lost, not_qualified.
    pub outcome: String,
    /// 1..=5.
    pub rehash_score: u8,
    /// A concrete meeting was booked.
    pub appointment_booked: bool,
    /// When, if resolved.
    pub appointment_at: Option<DateTime<Utc>>,
    /// SOP compliance 0..=1, when the company has an SOP.
    pub compliance_score: Option<f32>,
    /// Rep's share of talk time.
    pub talk_ratio: Option<f32>,
    /// Objections raised.
    pub objections: Vec<ObjectionFact>,
    /// SOP stages checked.
    pub stages: Vec<StageFact>,
}

/// One objection of a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectionFact {
    /// price, timing, authority, need, trust, competitor, financing.
    pub objection_type: String,
    /// The rep resolved it or moved the call forward.
    pub handled: bool,
    /// low, medium, high.
    pub severity: String,
}

/// One SOP stage of a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageFact {
    /// Stage name.
    pub stage_name: String,
    /// Stage order.
    pub stage_order: u32,
    /// Performed.
    pub performed: bool,
}

/// Filters over analysed calls' facts (all must hold).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FactFilter {
    /// Calls where this objection type was raised.
    pub objection_type: Option<String>,
    /// Calls with this outcome.
    pub outcome: Option<String>,
    /// Qualified or not.
    pub qualified: Option<bool>,
    /// A meeting was (not) booked.
    pub appointment_booked: Option<bool>,
    /// Of this call type.
    pub call_type: Option<String>,
    /// With this lead status.
    pub lead_status: Option<String>,
    /// Exclude calls with this outcome (e.g. not_qualified when asking about real prospects).
    pub exclude_outcome: Option<String>,
}

/// Order of [`FactFilter`] matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FactOrder {
    /// Most recent first.
    #[default]
    Recent,
    /// Lowest SOP compliance first.
    ComplianceAsc,
    /// Highest rehash score first.
    RehashDesc,
}

/// An inclusive range of calendar days (UTC), written `YYYY-MM-DD..YYYY-MM-DD`; either end may
/// be left open (`2025-01-01..`, `..2025-01-31`), and a single day `YYYY-MM-DD` means that day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    /// First day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// Parses the `date_range` query syntax; errors explain it.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "date_range",
                format!(
                    "`{s}` is not a date range: use YYYY-MM-DD..YYYY-MM-DD (either end may be empty) or YYYY-MM-DD"
                ),
            )
        };
        let day = |t: &str| -> Result<Option<NaiveDate>> {
            if t.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some).map_err(|_| bad())
        };
        let s = s.trim();
        let range = match s.split_once("..") {
            Some((a, b)) => Self { from: day(a.trim())?, to: day(b.trim())? },
            None => {
                let d = day(s)?.ok_or_else(bad)?;
                Self { from: Some(d), to: Some(d) }
            }
        };
        if let (Some(a), Some(b)) = (range.from, range.to) {
            if a > b {
                return Err(Error::invalid("date_range", format!("`{s}` ends before it starts")));
            }
        }
        Ok(range)
    }

    /// Start instant (inclusive), UTC midnight of `from`.
    pub fn start(&self) -> Option<DateTime<Utc>> {
        self.from.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
    }

    /// End instant (exclusive), UTC midnight after `to`.
    pub fn end(&self) -> Option<DateTime<Utc>> {
        self.to.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_date_range_syntax() {
        let r = DateRange::parse("2025-01-01..2025-01-31").unwrap();
        assert_eq!(r.start().unwrap().to_rfc3339(), "2025-01-01T00:00:00+00:00");
        assert_eq!(r.end().unwrap().to_rfc3339(), "2025-02-01T00:00:00+00:00");
        assert_eq!(DateRange::parse("2025-01-01..").unwrap().to, None);
        assert_eq!(DateRange::parse("..2025-01-31").unwrap().from, None);
        let day = DateRange::parse("2025-03-10").unwrap();
        assert_eq!(day.from, day.to);
        for bad in ["yesterday", "2025-13-01..", "2025-02-01..2025-01-01", "", "2025/01/01"] {
            let e = DateRange::parse(bad).unwrap_err();
            assert!(e.message().starts_with("date_range:"), "{bad}");
        }
    }
}
