//! Appointment detection: was a concrete future meeting booked, and when?
//!
//! Spoken times ("tomorrow morning at nine", "next Tuesday at ten", "Thursday the fourteenth
//! between two and four", "this Saturday morning", "half past two", "noon") are parsed from word
//! tokens and resolved against the call's `started_at`, keeping its UTC offset. A mention only
//! counts as booked when the other side accepts it (or the rep confirms it in a recap), and
//! times set for a phone call or text ("I'll call you Friday after six") are not meetings.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::text::{has_any, tens_value, unit_value, words};
use super::{conf, Evidence, Role, Transcript};

/// A concrete future meeting booked on the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Appointment {
    /// Always true: unbooked offers are not reported.
    pub booked: bool,
    /// The time as spoken, e.g. "tomorrow morning at nine".
    pub when_text: String,
    /// RFC 3339 timestamp in the call's local offset, when `started_at` was known.
    pub scheduled_at: Option<String>,
    /// What the meeting is for: inspection, service_visit, install, consultation, follow_up_visit, meeting.
    pub appointment_type: String,
    /// Confidence that this meeting was booked at this time.
    pub confidence: f32,
    /// The offer, the acceptance and any recap.
    pub evidence: Vec<Evidence>,
}

impl Appointment {
    /// When, as people say it: "Monday, June 22 at 2pm" (the call's local time), else the
    /// words spoken.
    pub fn readable_when(&self) -> String {
        match self.scheduled() {
            Some(at) => readable(&at),
            None => self.when_text.clone(),
        }
    }

    fn scheduled(&self) -> Option<DateTime<FixedOffset>> {
        self.scheduled_at.as_deref().and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    }

    /// For a sentence: "on Monday, June 22 at 2pm (this afternoon at two)", or, when the words
    /// could not be resolved to a date, "next week sometime (as said)" rather than the same
    /// words twice.
    pub fn when_phrase(&self) -> String {
        match self.scheduled() {
            Some(at) if self.when_text.trim().is_empty() => format!("on {}", readable(&at)),
            Some(at) => format!("on {} ({})", readable(&at), self.when_text.trim()),
            None if self.when_text.trim().is_empty() => "(time not given)".to_string(),
            None => format!("{} (as said)", self.when_text.trim()),
        }
    }
}

/// "Thursday, April 16 at 3pm", "Tuesday, June 30 at 8:30am".
pub(crate) fn readable(at: &DateTime<FixedOffset>) -> String {
    let clock = if at.format("%M").to_string() == "00" { at.format("%-I%P") } else { at.format("%-I:%M%P") };
    format!("{} at {}", at.format("%A, %B %-d"), clock)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Morning,
    Afternoon,
    Evening,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Modifier {
    Bare,
    This,
    Next,
    Following,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateKind {
    Today,
    Tomorrow,
    InDays(i64),
    Weekday(Weekday, Modifier),
    /// "in two weeks on Tuesday": that weekday in the calendar week `n` weeks ahead.
    WeekdayInWeeks(Weekday, i64),
    /// "a week from Friday": the coming Friday plus `n` weeks.
    WeekdayPlusWeeks(Weekday, i64),
    DayOfMonth {
        day: u32,
        month: Option<u32>,
        weekday: Option<Weekday>,
    },
}

#[derive(Debug, Clone, Copy)]
struct DateRef {
    kind: DateKind,
    part: Option<Part>,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy)]
struct TimeRef {
    hour: u32,
    minute: u32,
    pm: Option<bool>,
    part: Option<Part>,
    start: usize,
    end: usize,
}

fn weekday_of(w: &str) -> Option<Weekday> {
    let w = w.trim_end_matches("'s");
    Some(match w {
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// Month names, lowercase.
pub(super) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_of(w: &str) -> Option<u32> {
    MONTHS.iter().position(|m| *m == w || (w.len() == 3 && m.starts_with(w) && w != "may")).map(|i| i as u32 + 1)
}

fn ordinal_unit(w: &str) -> Option<u32> {
    Some(match w {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "thirteenth" => 13,
        "fourteenth" => 14,
        "fifteenth" => 15,
        "sixteenth" => 16,
        "seventeenth" => 17,
        "eighteenth" => 18,
        "nineteenth" => 19,
        "twentieth" => 20,
        "thirtieth" => 30,
        _ => return None,
    })
}

/// Parses a day-of-month ordinal at `i`: "fourteenth", "twenty first", "14th", "3rd".
/// Returns (day, tokens consumed).
fn parse_ordinal(toks: &[String], i: usize) -> Option<(u32, usize)> {
    let w = toks.get(i)?;
    if let Some(d) = ordinal_unit(w) {
        return Some((d, 1));
    }
    if let Some(t) = tens_value(w) {
        if let Some(u) = toks.get(i + 1).and_then(|n| ordinal_unit(n)) {
            if u < 10 {
                return Some((t as u32 + u, 2));
            }
        }
    }
    let digits: String = w.chars().take_while(|c| c.is_ascii_digit()).collect();
    let suffix = &w[digits.len()..];
    if !digits.is_empty() && matches!(suffix, "st" | "nd" | "rd" | "th") {
        let d: u32 = digits.parse().ok()?;
        return (1..=31).contains(&d).then_some((d, 1));
    }
    None
}

fn part_of(w: &str) -> Option<Part> {
    match w {
        "morning" => Some(Part::Morning),
        "afternoon" => Some(Part::Afternoon),
        "evening" | "night" | "tonight" => Some(Part::Evening),
        _ => None,
    }
}

/// Parses an hour (and optional minutes and meridiem) at `i`: "nine", "six thirty",
/// "ten fifteen", "nine oh five", "9:30", "9am", "ten o'clock", "two p m". Returns
/// (hour, minute, pm, consumed).
fn parse_clock(toks: &[String], i: usize) -> Option<(u32, u32, Option<bool>, usize)> {
    let w = toks.get(i)?;
    let mut k = i + 1;
    let (hour, mut minute, mut pm): (u32, u32, Option<bool>);
    if let Some(h) = unit_value(w).filter(|h| (1..=12).contains(h)) {
        hour = h as u32;
        minute = 0;
        pm = None;
        // Minutes: "thirty", "forty five", "fifteen", "oh five".
        if let Some(t) = toks.get(k).and_then(|n| tens_value(n)).filter(|t| *t <= 50) {
            minute = t as u32;
            k += 1;
            if let Some(u) = toks.get(k).and_then(|n| unit_value(n)).filter(|u| (1..10).contains(u)) {
                minute += u as u32;
                k += 1;
            }
        } else if toks.get(k).is_some_and(|n| n == "oh") {
            if let Some(u) = toks.get(k + 1).and_then(|n| unit_value(n)).filter(|u| (1..10).contains(u)) {
                minute = u as u32;
                k += 2;
            }
        } else if let Some(m) = toks.get(k).and_then(|n| unit_value(n)).filter(|m| (10..=19).contains(m) && *m != 12) {
            // "ten fifteen"; 12 excluded so "eleven twelve" is not read as 11:12.
            minute = m as u32;
            k += 1;
        }
    } else {
        // Digits: "9", "9:30", "9am", "10:00pm".
        let (num, rest) = w.split_at(w.find(|c: char| !c.is_ascii_digit() && c != ':').unwrap_or(w.len()));
        if num.is_empty() {
            return None;
        }
        let mut parts = num.split(':');
        hour = parts.next()?.parse().ok()?;
        minute = parts.next().map_or(Some(0), |m| m.parse().ok())?;
        if !(1..=12).contains(&hour) || minute > 59 {
            return None;
        }
        pm = match rest {
            "am" => Some(false),
            "pm" => Some(true),
            "" => None,
            _ => return None,
        };
        // ASR writes "two thirty" as "2 30": a bare hour followed by two-digit minutes.
        if rest.is_empty() && !num.contains(':') {
            if let Some(m) = toks.get(k).filter(|n| n.len() == 2 && n.chars().all(|c| c.is_ascii_digit())) {
                if let Ok(m) = m.parse::<u32>() {
                    if m <= 59 {
                        minute = m;
                        k += 1;
                    }
                }
            }
        }
    }
    if toks.get(k).is_some_and(|n| n == "o'clock") {
        k += 1;
    }
    match (toks.get(k).map(String::as_str), toks.get(k + 1).map(String::as_str)) {
        (Some("am"), _) | (Some("a"), Some("m")) => {
            pm = Some(false);
            k += if toks[k] == "am" { 1 } else { 2 };
        }
        (Some("pm"), _) | (Some("p"), Some("m")) => {
            pm = Some(true);
            k += if toks[k] == "pm" { 1 } else { 2 };
        }
        _ => {}
    }
    Some((hour, minute, pm, k - i))
}

/// Finds time-of-day expressions in one sentence.
fn find_times(toks: &[String]) -> Vec<TimeRef> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let w = toks[i].as_str();
        if w == "noon" || w == "midday" {
            out.push(TimeRef { hour: 12, minute: 0, pm: Some(true), part: None, start: i, end: i + 1 });
            i += 1;
            continue;
        }
        // "half past two", "quarter past nine", "quarter to ten"
        if matches!(w, "half" | "quarter")
            && matches!(toks.get(i + 1).map(String::as_str), Some("past" | "after" | "to" | "of"))
        {
            if let Some((h, _, pm, n)) = parse_clock(toks, i + 2) {
                let before = matches!(toks[i + 1].as_str(), "to" | "of");
                let delta = if w == "half" { 30 } else { 15 };
                let (hour, minute) = if before { ((h + 10) % 12 + 1, 60 - delta) } else { (h, delta) };
                out.push(TimeRef { hour, minute, pm, part: None, start: i, end: i + 2 + n });
                i += 2 + n;
                continue;
            }
        }
        let prep = matches!(w, "at" | "around" | "between" | "from" | "after" | "say" | "by");
        if prep {
            if let Some((hour, minute, pm, n)) = parse_clock(toks, i + 1) {
                let mut end = i + 1 + n;
                // Ranges keep their start: "between two and four", "from nine to eleven".
                if matches!(toks.get(end).map(String::as_str), Some("and" | "to" | "till" | "until")) {
                    if let Some((_, _, _, n2)) = parse_clock(toks, end + 1) {
                        end += 1 + n2;
                    }
                }
                let part = toks.get(end..(end + 3).min(toks.len())).and_then(|s| s.iter().find_map(|x| part_of(x)));
                out.push(TimeRef { hour, minute, pm, part, start: i, end });
                i = end;
                continue;
            }
        }
        // A bare clock with an explicit meridiem or "o'clock" needs no preposition.
        if let Some((hour, minute, pm, n)) = parse_clock(toks, i) {
            if pm.is_some() || toks.get(i + n - 1).is_some_and(|x| x == "o'clock") {
                out.push(TimeRef { hour, minute, pm, part: None, start: i, end: i + n });
                i += n;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Finds day expressions in one sentence.
fn find_dates(toks: &[String]) -> Vec<DateRef> {
    let mut out = Vec::new();
    let mut i = 0;
    let get = |k: usize| toks.get(k).map(String::as_str);
    while i < toks.len() {
        let w = toks[i].as_str();
        let prev = if i > 0 { get(i - 1) } else { None };
        let past = matches!(prev, Some("last" | "past" | "since" | "was" | "were"));
        let push = |kind, start, end: usize, out: &mut Vec<DateRef>| {
            // "tomorrow morning", "Saturday afternoon"
            let part = get(end).and_then(part_of);
            let end = if part.is_some() { end + 1 } else { end };
            out.push(DateRef { kind, part, start, end });
            end
        };
        if w == "today" || w == "today's" {
            i = push(DateKind::Today, i, i + 1, &mut out);
            continue;
        }
        if w == "tonight" {
            out.push(DateRef { kind: DateKind::Today, part: Some(Part::Evening), start: i, end: i + 1 });
            i += 1;
            continue;
        }
        if w == "this" {
            if let Some(p) = get(i + 1).and_then(part_of) {
                out.push(DateRef { kind: DateKind::Today, part: Some(p), start: i, end: i + 2 });
                i += 2;
                continue;
            }
        }
        if w == "tomorrow" || w == "tomorrow's" {
            let (kind, start) = if i >= 2 && toks[i - 2] == "day" && toks[i - 1] == "after" {
                (DateKind::InDays(2), i - 2)
            } else {
                (DateKind::Tomorrow, i)
            };
            i = push(kind, start, i + 1, &mut out);
            continue;
        }
        if w == "in" {
            if let (Some(n), Some("days")) = (get(i + 1).and_then(unit_value), get(i + 2)) {
                i = push(DateKind::InDays(n as i64), i, i + 3, &mut out);
                continue;
            }
            // "in two weeks", "in a week", optionally "... on Tuesday"
            let weeks = match (get(i + 1), get(i + 2)) {
                (Some("a" | "one"), Some("week")) => Some(1),
                (Some(n), Some("weeks")) => unit_value(n).filter(|n| (1..=8).contains(n)).map(|n| n as i64),
                _ => None,
            };
            if let Some(n) = weeks {
                let mut k = i + 3;
                if matches!(get(k), Some("on" | "from")) {
                    k += 1;
                }
                if let Some(wd) = get(k).and_then(weekday_of) {
                    i = push(DateKind::WeekdayInWeeks(wd, n), i, k + 1, &mut out);
                } else {
                    i = push(DateKind::InDays(7 * n), i, i + 3, &mut out);
                }
                continue;
            }
        }
        // "a week from Friday", "two weeks from tomorrow"
        if let (Some(n), Some("week" | "weeks"), Some("from")) =
            (if w == "a" { Some(1) } else { unit_value(w).filter(|n| (1..=8).contains(n)) }, get(i + 1), get(i + 2))
        {
            let n = n as i64;
            let after = match get(i + 3) {
                Some("today" | "now") => Some(DateKind::InDays(7 * n)),
                Some("tomorrow") => Some(DateKind::InDays(7 * n + 1)),
                Some(x) => weekday_of(x).map(|wd| DateKind::WeekdayPlusWeeks(wd, n)),
                None => None,
            };
            if let Some(kind) = after {
                i = push(kind, i, i + 4, &mut out);
                continue;
            }
        }
        if let Some(wd) = weekday_of(w) {
            if past || w.ends_with('s') && !w.ends_with("'s") {
                i += 1;
                continue;
            }
            let (modifier, start) = match prev {
                Some("next") => (Modifier::Next, i - 1),
                Some("this") | Some("coming") => (Modifier::This, i - 1),
                Some("following") => (Modifier::Following, if i >= 2 && toks[i - 2] == "the" { i - 2 } else { i - 1 }),
                _ => (Modifier::Bare, i),
            };
            let mut end = i + 1;
            // "Thursday the fourteenth", "Monday, March 3rd"
            let mut k = end;
            if get(k) == Some("the") {
                k += 1;
            }
            if let Some(m) = get(k).and_then(month_of) {
                if let Some((d, n)) = parse_ordinal(toks, k + 1) {
                    end = push(
                        DateKind::DayOfMonth { day: d, month: Some(m), weekday: Some(wd) },
                        start,
                        k + 1 + n,
                        &mut out,
                    );
                    i = end;
                    continue;
                }
            }
            if let Some((d, n)) = parse_ordinal(toks, k) {
                end = push(DateKind::DayOfMonth { day: d, month: None, weekday: Some(wd) }, start, k + n, &mut out);
                i = end;
                continue;
            }
            // "Tuesday after next": the occurrence one week past the coming one.
            if get(end) == Some("after") && get(end + 1) == Some("next") && modifier == Modifier::Bare {
                i = push(DateKind::WeekdayPlusWeeks(wd, 1), start, end + 2, &mut out);
                continue;
            }
            // "Tuesday next week"
            let modifier = if get(end) == Some("next") && get(end + 1) == Some("week") {
                end += 2;
                Modifier::Next
            } else {
                modifier
            };
            i = push(DateKind::Weekday(wd, modifier), start, end, &mut out);
            continue;
        }
        if let Some(m) = month_of(w)
            .filter(|_| w != "march" || get(i + 1).is_some_and(|n| parse_ordinal(toks, i + 1).is_some() || n == "the"))
        {
            let k = if get(i + 1) == Some("the") { i + 2 } else { i + 1 };
            if let Some((d, n)) = parse_ordinal(toks, k)
                .or_else(|| get(k).and_then(|x| x.parse::<u32>().ok()).filter(|d| (1..=31).contains(d)).map(|d| (d, 1)))
            {
                if !past {
                    i = push(DateKind::DayOfMonth { day: d, month: Some(m), weekday: None }, i, k + n, &mut out);
                    continue;
                }
            }
        }
        // "on the fourteenth", "the 3rd of April", "I have the fifth at ten thirty": a bare
        // ordinal is a date after a booking word or when a time or month follows it (so "the
        // third step" and "the first thing" are not).
        let ordinal_next = parse_ordinal(toks, i + 1).and_then(|(_, n)| get(i + 1 + n));
        let date_context =
            matches!(prev, Some("on" | "for" | "by" | "have" | "got" | "about" | "say" | "is" | "until"))
                || matches!(
                    ordinal_next,
                    Some("at" | "of" | "around" | "between" | "from" | "morning" | "afternoon" | "evening")
                );
        if w == "the" && date_context {
            if let Some((d, n)) = parse_ordinal(toks, i + 1) {
                let mut end = i + 1 + n;
                let mut month = None;
                if get(end) == Some("of") {
                    if let Some(m) = get(end + 1).and_then(month_of) {
                        month = Some(m);
                        end += 2;
                    }
                }
                i = push(DateKind::DayOfMonth { day: d, month, weekday: None }, i.saturating_sub(1), end, &mut out);
                continue;
            }
        }
        i += 1;
    }
    out
}

fn resolve_date(kind: DateKind, base: NaiveDate) -> Option<NaiveDate> {
    let from_monday = |d: NaiveDate| d.weekday().num_days_from_monday() as i64;
    Some(match kind {
        DateKind::Today => base,
        DateKind::Tomorrow => base + Duration::days(1),
        DateKind::InDays(n) => base + Duration::days(n),
        DateKind::WeekdayPlusWeeks(wd, n) => {
            let ahead = (wd.num_days_from_monday() as i64 - from_monday(base)).rem_euclid(7);
            base + Duration::days(if ahead == 0 { 7 } else { ahead } + 7 * n)
        }
        DateKind::WeekdayInWeeks(wd, n) => {
            let monday = base - Duration::days(from_monday(base));
            monday + Duration::days(7 * n + wd.num_days_from_monday() as i64)
        }
        DateKind::Weekday(wd, m) => {
            let ahead = (wd.num_days_from_monday() as i64 - from_monday(base)).rem_euclid(7);
            match m {
                Modifier::Bare => base + Duration::days(if ahead == 0 { 7 } else { ahead }),
                Modifier::This => base + Duration::days(ahead),
                Modifier::Following => base + Duration::days(if ahead == 0 { 7 } else { ahead } + 7),
                // "next Tuesday" is the Tuesday of next calendar week (weeks start on Monday):
                // said on a Thursday it is five days out, said on a Monday it is eight.
                Modifier::Next => {
                    let next_monday = base + Duration::days(7 - from_monday(base));
                    next_monday + Duration::days(wd.num_days_from_monday() as i64)
                }
            }
        }
        DateKind::DayOfMonth { day, month, weekday } => {
            let mut candidates = Vec::new();
            for add in 0..14 {
                let total = base.month0() + add;
                let (y, m) = (base.year() + (total / 12) as i32, total % 12 + 1);
                if month.is_some_and(|mm| mm != m) {
                    continue;
                }
                if let Some(d) = NaiveDate::from_ymd_opt(y, m, day) {
                    if d >= base {
                        candidates.push(d);
                    }
                }
            }
            // Prefer the first date whose weekday agrees with what was said.
            candidates
                .iter()
                .copied()
                .find(|d| weekday.is_none_or(|w| d.weekday() == w))
                .or_else(|| candidates.first().copied())?
        }
    })
}

fn to_24h(hour: u32, pm: Option<bool>, part: Option<Part>) -> u32 {
    match (pm, part) {
        (Some(true), _) => {
            if hour == 12 {
                12
            } else {
                hour + 12
            }
        }
        (Some(false), _) => {
            if hour == 12 {
                0
            } else {
                hour
            }
        }
        (None, Some(Part::Morning)) => hour % 12,
        (None, Some(Part::Afternoon | Part::Evening)) => {
            if hour == 12 {
                12
            } else {
                hour + 12
            }
        }
        // Without a cue, use business hours: 7-11 are mornings, 12-6 afternoons and evenings.
        (None, None) => {
            if (7..=11).contains(&hour) {
                hour
            } else if hour == 12 {
                12
            } else {
                hour + 12
            }
        }
    }
}

fn default_hour(part: Part) -> u32 {
    match part {
        Part::Morning => 9,
        Part::Afternoon => 13,
        Part::Evening => 18,
    }
}

/// One resolved date-time mention in a turn.
#[derive(Debug, Clone)]
struct Mention {
    turn: usize,
    sentence: usize,
    when_text: String,
    at: DateTime<FixedOffset>,
    has_clock: bool,
}

fn combine(
    date: &DateRef,
    time: Option<&TimeRef>,
    base: DateTime<FixedOffset>,
) -> Option<(DateTime<FixedOffset>, bool)> {
    let day = resolve_date(date.kind, base.date_naive())?;
    let part = time.and_then(|t| t.part).or(date.part);
    let (h, m, has_clock) = match time {
        Some(t) => (to_24h(t.hour, t.pm, part), t.minute, true),
        None => (default_hour(date.part?), 0, false),
    };
    let naive = day.and_hms_opt(h, m, 0)?;
    let at = base.offset().from_local_datetime(&naive).single()?;
    Some((at, has_clock))
}

fn span_text(toks: &[String], a: usize, b: usize) -> String {
    toks[a.min(toks.len())..b.min(toks.len())].join(" ")
}

/// Resolves a spoken time expression such as "next Tuesday at ten" against `now`.
///
/// Returns the first date-time the text mentions, or `None` if it names no day or no time.
/// A day with only a part of day ("this Saturday morning") resolves to a typical hour
/// (morning 9:00, afternoon 13:00, evening 18:00).
pub fn resolve_time_expression(text: &str, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let toks = words(text);
    let dates = find_dates(&toks);
    let times = find_times(&toks);
    if let Some(d) = dates.first() {
        let t = times.iter().min_by_key(|t| (t.start as i64 - d.end as i64).abs());
        return combine(d, t, now).map(|(at, _)| at);
    }
    let t = times.first()?;
    let today = DateRef { kind: DateKind::Today, part: None, start: 0, end: 0 };
    let (at, _) = combine(&today, Some(t), now)?;
    Some(if at < now { at + Duration::days(1) } else { at })
}

/// Counts day and time-of-day expressions in a tokenised sentence (used by the summary to
/// favour sentences that carry dates).
pub(crate) fn find_dates_and_times(tokens: &[String]) -> (usize, usize) {
    (find_dates(tokens).len(), find_times(tokens).len())
}

fn mentions(t: &Transcript, base: DateTime<FixedOffset>) -> Vec<Mention> {
    let mut out = Vec::new();
    // The last date named, so "What time?" / "At six thirty" can inherit it.
    let mut last_date: Option<(usize, DateRef, Vec<String>)> = None;
    for turn in &t.turns {
        let per_sentence: Vec<(Vec<DateRef>, Vec<TimeRef>)> =
            turn.sentences.iter().map(|s| (find_dates(&s.tokens), find_times(&s.tokens))).collect();
        let mut used_times = vec![Vec::new(); per_sentence.len()];
        for (si, (dates, _)) in per_sentence.iter().enumerate() {
            let toks = &turn.sentences[si].tokens;
            for d in dates {
                // Nearest time in the same sentence, else in the next sentence that names no day.
                let same =
                    per_sentence[si].1.iter().enumerate().min_by_key(|(_, x)| (x.start as i64 - d.end as i64).abs());
                let (time, tsi, tti) = match same {
                    Some((ti, x))
                        if dates.len() == 1
                            || !dates.iter().any(|o| {
                                o.start != d.start
                                    && (o.start as i64 - x.start as i64).abs() < (d.start as i64 - x.start as i64).abs()
                            }) =>
                    {
                        (Some(*x), si, ti)
                    }
                    _ => match per_sentence.get(si + 1) {
                        Some((nd, nt)) if nd.is_empty() && !nt.is_empty() => (Some(nt[0]), si + 1, 0),
                        _ => (None, si, usize::MAX),
                    },
                };
                if let Some((at, has_clock)) = combine(d, time.as_ref(), base) {
                    if at <= base {
                        continue;
                    }
                    let mut when = span_text(toks, d.start, d.end);
                    if let Some(x) = time {
                        let tt = &turn.sentences[tsi].tokens;
                        when = if tsi == si && x.start < d.start {
                            span_text(tt, x.start, d.end)
                        } else {
                            format!("{when} {}", span_text(tt, x.start, x.end))
                        };
                        used_times[tsi].push(tti);
                    }
                    out.push(Mention { turn: turn.index, sentence: si, when_text: when, at, has_clock });
                }
                last_date = Some((turn.index, *d, toks.clone()));
            }
        }
        // Times with no day in this turn inherit the day named in the previous two turns.
        for (si, (_, times)) in per_sentence.iter().enumerate() {
            for (ti, x) in times.iter().enumerate() {
                if used_times[si].contains(&ti) || !per_sentence.iter().all(|(d, _)| d.is_empty()) {
                    continue;
                }
                if let Some((ti_turn, d, dtoks)) = &last_date {
                    if turn.index - ti_turn <= 2 && turn.index != *ti_turn {
                        if let Some((at, has_clock)) = combine(d, Some(x), base) {
                            if at > base {
                                let toks = &turn.sentences[si].tokens;
                                let when =
                                    format!("{} {}", span_text(dtoks, d.start, d.end), span_text(toks, x.start, x.end));
                                out.push(Mention { turn: turn.index, sentence: si, when_text: when, at, has_clock });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

const CALL_CUES: &[&str] = &[
    "call you",
    "call me",
    "give you a call",
    "give me a call",
    "i'll call",
    "we'll call",
    "will call",
    "call back",
    "text you",
    "text me",
    "email",
    "phone",
    "call to confirm",
    "touch base",
    "check in",
];
const MEETING_CUES: &[&str] = &[
    "come out",
    "come by",
    "come back",
    "be back",
    "be there",
    "be at",
    "out there",
    "stop by",
    "visit",
    "inspection",
    "technician",
    "tech",
    "crew",
    "install*",
    "appointment",
    "tune up",
    "booked",
    "book",
    "schedul*",
    "opening",
    "have you down",
    "see you",
    "consultation",
    "measure",
    "meet",
    "start at",
    "arriv*",
    "i'll bring",
    "i could come",
    "walk you through",
    "available",
    "slot",
    "come at",
    "estimate",
    "demo",
    "walk through",
    "come over",
    "swing by",
];
const ACCEPT: &[&str] = &[
    "works",
    "work",
    "great",
    "good",
    "okay",
    "ok",
    "perfect",
    "fine",
    "yes",
    "yeah",
    "sure",
    "sounds",
    "let's do",
    "alright",
    "that's fine",
    "see you then",
    "please",
];
const REJECT: &[&str] = &[
    "no good",
    "can't",
    "cannot",
    "doesn't work",
    "won't work",
    "not going to work",
    "busy",
    "not available",
    "i'm out",
    "out of town",
    "don't think so",
    "no way",
    "nah",
    "not signing",
];
const CONFIRM: &[&str] = &[
    "recap",
    "you're booked",
    "have you down",
    "you're all set",
    "you're set",
    "see you",
    "confirmation",
    "booked for",
    "so you're",
];

/// Finds the booked meeting, if any.
pub(crate) fn detect(t: &Transcript) -> Option<Appointment> {
    let base = t.started_at?;
    let ms = mentions(t, base);
    struct Scored<'a> {
        m: &'a Mention,
        accepted: bool,
        confirmed: bool,
        meeting: bool,
    }
    let mut scored = Vec::new();
    for m in &ms {
        let turn = &t.turns[m.turn];
        let sent = &turn.sentences[m.sentence];
        let prev = if m.turn > 0 { Some(&t.turns[m.turn - 1]) } else { None };
        let meeting = has_any(&turn.tokens, MEETING_CUES) || prev.is_some_and(|p| has_any(&p.tokens, MEETING_CUES));
        let call_here = has_any(&sent.tokens, CALL_CUES)
            || turn.sentences.get(m.sentence + 1).is_some_and(|s| has_any(&s.tokens, CALL_CUES) && s.tokens.len() < 8);
        let call_prev = prev.is_some_and(|p| {
            p.sentences.iter().any(|s| has_any(&s.tokens, CALL_CUES) && !find_dates(&s.tokens).is_empty())
        });
        if (call_here || call_prev) && !has_any(&sent.tokens, MEETING_CUES) {
            continue;
        }
        if !m.has_clock && !meeting {
            continue;
        }
        let accepts = |tk: &Vec<String>| has_any(tk, ACCEPT) && !has_any(tk, REJECT);
        // A customer restating a time the rep offered ("Saturday at ten it is") accepts it.
        let echoes = |c: &super::Turn| {
            !has_any(&c.tokens, REJECT)
                && ms.iter().any(|o| o.turn < c.index && o.at == m.at && t.turns[o.turn].role == Role::Rep)
        };
        let accepted = match turn.role {
            Role::Customer => accepts(&turn.tokens) || echoes(turn),
            _ => t.next_by(m.turn, Role::Customer).is_some_and(|c| {
                // The reply must not counter with a different day.
                accepts(&c.tokens)
                    && c.sentences.iter().all(|s| {
                        find_dates(&s.tokens).is_empty() || ms.iter().any(|o| o.turn == c.index && o.at == m.at)
                    })
            }),
        };
        let confirmed = turn.role == Role::Rep && has_any(&turn.tokens, CONFIRM) && t.position(m.turn) > 0.5;
        scored.push(Scored { m, accepted, confirmed, meeting });
    }
    // Group mentions of the same moment and pick the best-supported booked one.
    let mut groups: Vec<(DateTime<FixedOffset>, Vec<&Scored>)> = Vec::new();
    for s in &scored {
        match groups.iter_mut().find(|(at, _)| *at == s.m.at) {
            Some((_, v)) => v.push(s),
            None => groups.push((s.m.at, vec![s])),
        }
    }
    let (at, group) =
        groups.into_iter().filter(|(_, v)| v.iter().any(|s| s.accepted || s.confirmed)).max_by_key(|(_, v)| {
            let acc = v.iter().filter(|s| s.accepted).count();
            let conf = v.iter().filter(|s| s.confirmed).count();
            (acc + conf, v.len(), v.last().map(|s| s.m.turn))
        })?;
    let first_customer = group.iter().find(|s| t.turns[s.m.turn].role == Role::Customer);
    let when_text = first_customer.unwrap_or(&group[0]).m.when_text.clone();
    let mut evidence: Vec<Evidence> = Vec::new();
    for s in &group {
        let turn = &t.turns[s.m.turn];
        if !evidence.iter().any(|e| e.segment_index == turn.index) {
            evidence.push(turn.evidence_quote(&turn.sentences[s.m.sentence].text));
        }
    }
    // What the meeting is for, from the turns around each mention; conditional plans ("if it's
    // approved, we can install next week") say what may come later, not what was booked.
    let ctx: Vec<String> = group
        .iter()
        .flat_map(|s| {
            let i = s.m.turn;
            t.turns[i.saturating_sub(1)..=i]
                .iter()
                .flat_map(|x| x.sentences.iter())
                .filter(|x| !has_any(&x.tokens, &["if", "once", "as early as", "after that", "down the road"]))
                .flat_map(|x| x.tokens.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    let appointment_type = if has_any(&ctx, &["install*", "crew"]) {
        "install"
    } else if has_any(&ctx, &["inspection", "inspect", "assessment", "measure"]) {
        "inspection"
    } else if has_any(&ctx, &["technician", "tech", "tune up", "repair", "service", "diagnostic"]) {
        "service_visit"
    } else if has_any(
        &ctx,
        &[
            "consultation",
            "design",
            "proposal",
            "walk through",
            "walk you through",
            "walk her through",
            "go over",
            "come back",
            "coming by",
            "come by",
        ],
    ) {
        "consultation"
    } else {
        "meeting"
    };
    let accepted = group.iter().filter(|s| s.accepted).count();
    let confirmed = group.iter().filter(|s| s.confirmed).count();
    let meeting = group.iter().any(|s| s.meeting);
    let has_clock = group.iter().any(|s| s.m.has_clock);
    let c = 0.45
        + 0.15 * accepted.min(2) as f32
        + 0.1 * confirmed.min(1) as f32
        + if meeting { 0.1 } else { 0.0 }
        + if has_clock { 0.05 } else { -0.1 };
    Some(Appointment {
        booked: true,
        when_text,
        scheduled_at: Some(at.to_rfc3339()),
        appointment_type: appointment_type.to_string(),
        confidence: conf(c),
        evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }
    fn r(text: &str, now: &str) -> Option<String> {
        resolve_time_expression(text, at(now)).map(|d| d.to_rfc3339())
    }

    #[test]
    fn test_when_phrase_says_the_time_once() {
        let mut a = Appointment {
            booked: true,
            when_text: "this afternoon between two and four".into(),
            scheduled_at: Some("2026-06-22T14:00:00-07:00".into()),
            appointment_type: "service_visit".into(),
            confidence: 0.9,
            evidence: vec![],
        };
        assert_eq!(a.when_phrase(), "on Monday, June 22 at 2pm (this afternoon between two and four)");
        a.scheduled_at = None;
        a.when_text = "sometime next week".into();
        assert_eq!(a.when_phrase(), "sometime next week (as said)");
    }

    #[test]
    fn test_relative_days() {
        let now = "2026-03-10T14:05:00-07:00"; // Tuesday
        assert_eq!(r("tomorrow morning at nine", now).as_deref(), Some("2026-03-11T09:00:00-07:00"));
        assert_eq!(r("this afternoon between two and four", now).as_deref(), Some("2026-03-10T14:00:00-07:00"));
        assert_eq!(r("Monday at six thirty", now).as_deref(), Some("2026-03-16T18:30:00-07:00"));
        assert_eq!(r("the day after tomorrow at ten", now).as_deref(), Some("2026-03-12T10:00:00-07:00"));
    }

    #[test]
    fn test_next_weekday_is_next_calendar_week() {
        // Thursday -> the coming Tuesday; Wednesday -> the Tuesday after next Monday.
        assert_eq!(
            r("next Tuesday at eight", "2026-06-25T10:00:00-07:00").as_deref(),
            Some("2026-06-30T08:00:00-07:00")
        );
        assert_eq!(r("next Tuesday at ten", "2026-05-13T10:30:00-07:00").as_deref(), Some("2026-05-19T10:00:00-07:00"));
        // Said on a Monday, "next Friday" skips this week's Friday.
        assert_eq!(r("next Friday at nine", "2026-03-09T09:00:00-07:00").as_deref(), Some("2026-03-20T09:00:00-07:00"));
    }

    #[test]
    fn test_week_and_month_rollover() {
        // Saturday 2026-01-31: "Monday" is 2 February; "this Saturday" on Thursday is 2 days out.
        assert_eq!(r("Monday at ten", "2026-01-31T12:00:00-05:00").as_deref(), Some("2026-02-02T10:00:00-05:00"));
        assert_eq!(
            r("this Saturday at eleven", "2026-04-02T08:50:00-07:00").as_deref(),
            Some("2026-04-04T11:00:00-07:00")
        );
        assert_eq!(
            r("the following Saturday at nine", "2026-04-02T08:50:00-07:00").as_deref(),
            Some("2026-04-11T09:00:00-07:00")
        );
        assert_eq!(
            r("this Saturday morning", "2026-04-02T08:50:00-07:00").as_deref(),
            Some("2026-04-04T09:00:00-07:00")
        );
    }

    #[test]
    fn test_day_of_month_and_ranges() {
        // 2026-05-14 is a Thursday.
        assert_eq!(
            r("Thursday the fourteenth between two and four", "2026-05-06T18:00:00-07:00").as_deref(),
            Some("2026-05-14T14:00:00-07:00")
        );
        assert_eq!(
            r("on the third of June at 9:30am", "2026-05-06T18:00:00-07:00").as_deref(),
            Some("2026-06-03T09:30:00-07:00")
        );
        assert_eq!(
            r("Friday the twenty first at eight", "2026-07-30T12:00:00+01:00").as_deref(),
            Some("2026-08-21T08:00:00+01:00")
        );
    }

    #[test]
    fn test_noon_half_past_and_meridiem() {
        let now = "2026-03-10T08:00:00-07:00";
        assert_eq!(r("tomorrow at noon", now).as_deref(), Some("2026-03-11T12:00:00-07:00"));
        assert_eq!(r("Wednesday at half past two", now).as_deref(), Some("2026-03-11T14:30:00-07:00"));
        assert_eq!(r("Wednesday at quarter to nine", now).as_deref(), Some("2026-03-11T08:45:00-07:00"));
        assert_eq!(r("tomorrow at seven in the evening", now).as_deref(), Some("2026-03-11T19:00:00-07:00"));
        assert_eq!(r("Friday at 4 p.m.", now).as_deref(), Some("2026-03-13T16:00:00-07:00"));
        assert_eq!(r("tomorrow at ten fifteen", now).as_deref(), Some("2026-03-11T10:15:00-07:00"));
    }

    #[test]
    fn test_weeks_ahead_on_weekday() {
        // Tuesday 2026-03-24: two weeks out, on Tuesday, is 7 April.
        assert_eq!(
            r("in two weeks on Tuesday morning at eight", "2026-03-24T17:30:00-07:00").as_deref(),
            Some("2026-04-07T08:00:00-07:00")
        );
        assert_eq!(r("in a week at ten", "2026-03-24T17:30:00-07:00").as_deref(), Some("2026-03-31T10:00:00-07:00"));
        // Wednesday 2026-02-11: "a week from Friday" skips this Friday.
        assert_eq!(
            r("a week from Friday at ten", "2026-02-11T18:00:00-05:00").as_deref(),
            Some("2026-02-20T10:00:00-05:00")
        );
    }

    #[test]
    fn test_asr_digits_and_colloquial_times() {
        // Monday 2026-04-27: "the fifth" is next month's fifth; ASR writes "10 30".
        assert_eq!(r("the fifth at 10 30", "2026-04-27T09:05:00-04:00").as_deref(), Some("2026-05-05T10:30:00-04:00"));
        assert_eq!(r("wednesday at 2 30", "2026-12-07T08:15:00-05:00").as_deref(), Some("2026-12-09T14:30:00-05:00"));
        // Tuesday 2026-05-19.
        assert_eq!(
            r("a week from tomorrow at nine in the morning", "2026-05-19T11:00:00-07:00").as_deref(),
            Some("2026-05-27T09:00:00-07:00")
        );
        // Thursday 2026-06-11.
        assert_eq!(
            r("Tuesday after next at six in the evening", "2026-06-11T17:45:00-07:00").as_deref(),
            Some("2026-06-23T18:00:00-07:00")
        );
        // Tuesday 2026-09-15.
        assert_eq!(
            r("three o'clock this Friday", "2026-09-15T16:00:00-07:00").as_deref(),
            Some("2026-09-18T15:00:00-07:00")
        );
        // Monday 2026-10-05.
        assert_eq!(r("Thursday, say noon", "2026-10-05T14:30:00-04:00").as_deref(), Some("2026-10-08T12:00:00-04:00"));
        // Wednesday 2026-01-14.
        assert_eq!(
            r("Thursday the twenty-second at quarter past four", "2026-01-14T12:30:00-08:00").as_deref(),
            Some("2026-01-22T16:15:00-08:00")
        );
    }

    #[test]
    fn test_no_time_no_result() {
        assert_eq!(r("we met back in January", "2026-03-10T08:00:00-07:00"), None);
        assert_eq!(r("sometime next week", "2026-03-10T08:00:00-07:00"), None);
    }
}
