//! What kind of question this is: a count or ranking over the analyses (answered from the
//! structured facts, citing the calls counted) or a search for what was said (answered from
//! retrieved passages). Rules over the words of the question, no model.

use chrono::{Datelike, Duration, NaiveDate};

use crate::domain::DateRange;

/// Questions answered from the structured analyses rather than by text search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// "most common objection", "top objections last week".
    ObjectionFrequency,
    /// "which CSR handles price objections best".
    ObjectionHandlingByRep(Option<String>),
    /// "which rep booked the most appointments".
    AppointmentsByRep,
    /// "which leads did we lose to a competitor".
    LostDeals {
        /// Only losses with a competitor involved.
        competitor: bool,
    },
    /// "which inbound calls were not qualified".
    NotQualified {
        /// Only inbound calls.
        inbound: bool,
    },
    /// "which reps skipped most of the SOP".
    SopGaps,
    /// "which leads are hot", "who should we follow up with first".
    BestLeads,
    /// "how many calls".
    CallCount,
    /// Anything else: search what was said.
    Search,
}

const OBJECTION_TYPES: &[(&str, &[&str])] = &[
    ("price", &["price", "pricing", "cost", "expensive", "budget"]),
    ("timing", &["timing", "time", "wait", "later"]),
    ("authority", &["authority", "spouse", "wife", "husband", "decision"]),
    ("need", &["need"]),
    ("trust", &["trust", "reviews", "reputation"]),
    ("competitor", &["competitor", "competition", "quote", "quotes"]),
    ("financing", &["financing", "finance", "loan", "payment", "payments"]),
];

fn has(q: &str, words: &[&str]) -> bool {
    words.iter().any(|w| q.split(|c: char| !c.is_alphanumeric()).any(|t| t == *w))
}

fn contains(q: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| q.contains(p))
}

/// The objection type a question names, if any.
pub fn objection_type_in(q: &str) -> Option<String> {
    let q = q.to_lowercase();
    OBJECTION_TYPES.iter().find(|(_, words)| has(&q, words)).map(|(t, _)| (*t).to_string())
}

/// Classifies a question.
pub fn classify(question: &str) -> Intent {
    let q = question.to_lowercase();
    let objection = has(&q, &["objection", "objections", "concern", "concerns", "pushback"]);
    let ranking = has(&q, &["most", "common", "top", "frequent", "frequently", "often", "main", "biggest", "typical"]);
    let who = has(&q, &["who", "which", "rep", "reps", "csr", "csrs", "team"]);
    if objection && has(&q, &["best", "handles", "handled", "handle"]) && who {
        return Intent::ObjectionHandlingByRep(objection_type_in(&q));
    }
    if objection && ranking {
        return Intent::ObjectionFrequency;
    }
    if has(&q, &["booked", "book", "appointments", "appointment", "scheduled"]) && ranking && who {
        return Intent::AppointmentsByRep;
    }
    if has(&q, &["lost", "lose", "losing"]) || contains(&q, &["went with", "go with another", "chose another"]) {
        let competitor = has(&q, &["competitor", "competitors", "competition"]) || contains(&q, &["went with"]);
        return Intent::LostDeals { competitor };
    }
    if contains(&q, &["not qualified", "unqualified", "disqualified", "weren't qualified", "wasn't qualified"]) {
        return Intent::NotQualified { inbound: has(&q, &["inbound"]) };
    }
    if has(&q, &["sop", "process", "playbook", "script", "stages", "compliance"])
        && has(&q, &["skipped", "skip", "missed", "miss", "worst", "lowest", "didn't", "follow", "followed"])
    {
        return Intent::SopGaps;
    }
    if contains(&q, &["hot lead", "hottest", "best lead", "follow up first", "follow-up first", "most likely to close"])
    {
        return Intent::BestLeads;
    }
    if contains(&q, &["how many calls", "number of calls", "how many appointments"]) {
        return Intent::CallCount;
    }
    Intent::Search
}

/// A date range named in the question ("last week", "yesterday", "this month", "last 30
/// days"), relative to `today`. Weeks run Monday to Sunday.
pub fn date_range_in(question: &str, today: NaiveDate) -> Option<DateRange> {
    let q = question.to_lowercase();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let month_start = today.with_day(1)?;
    let range = |from: NaiveDate, to: NaiveDate| Some(DateRange { from: Some(from), to: Some(to) });
    if q.contains("yesterday") {
        let d = today - Duration::days(1);
        return range(d, d);
    }
    if q.contains("today") {
        return range(today, today);
    }
    if q.contains("last week") || q.contains("past week") && !q.contains("days") {
        return range(monday - Duration::days(7), monday - Duration::days(1));
    }
    if q.contains("this week") {
        return range(monday, today);
    }
    if q.contains("last month") {
        let prev_end = month_start - Duration::days(1);
        return range(prev_end.with_day(1)?, prev_end);
    }
    if q.contains("this month") {
        return range(month_start, today);
    }
    let words: Vec<&str> = q.split_whitespace().collect();
    for w in words.windows(3) {
        if (w[0] == "last" || w[0] == "past") && w[2].starts_with("day") {
            if let Ok(n) = w[1].parse::<i64>() {
                return range(today - Duration::days(n - 1), today);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_aggregate_questions_are_recognised() {
        assert_eq!(classify("What was the most common objection type across these calls?"), Intent::ObjectionFrequency);
        assert_eq!(classify("What were the top objections from last week's calls?"), Intent::ObjectionFrequency);
        assert_eq!(classify("Which rep booked the most appointments, and what were they?"), Intent::AppointmentsByRep);
        assert_eq!(classify("Which leads did we lose to a competitor?"), Intent::LostDeals { competitor: true });
        assert_eq!(
            classify("Which inbound calls were not qualified, and why?"),
            Intent::NotQualified { inbound: true }
        );
        assert_eq!(classify("On calls with real prospects, which reps skipped most of the SOP?"), Intent::SopGaps);
        assert_eq!(
            classify("Which CSR handles price objections best?"),
            Intent::ObjectionHandlingByRep(Some("price".into()))
        );
        assert_eq!(classify("What did the customer on the Elm Street roof job say about budget?"), Intent::Search);
        assert_eq!(classify("What concerns did Anita Shah raise in her solar appointment?"), Intent::Search);
    }

    #[test]
    fn test_date_phrases_resolve_against_today() {
        let today = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap(); // a Wednesday
        let r = date_range_in("top objections last week", today).unwrap();
        assert_eq!(
            (r.from.unwrap().to_string(), r.to.unwrap().to_string()),
            ("2025-01-06".into(), "2025-01-12".into())
        );
        let r = date_range_in("calls in the last 30 days", today).unwrap();
        assert_eq!(r.from.unwrap().to_string(), "2024-12-17");
        assert!(date_range_in("what did Karen say", today).is_none());
    }
}
