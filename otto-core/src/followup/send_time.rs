//! Suggested send times: the first business-hours moment (9:00-17:00, Monday to Friday, in the
//! call's local time) at or after a target instant.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime, TimeZone, Timelike, Utc, Weekday};

use crate::domain::Call;

/// Opening hour of the business day, local time.
const OPEN_HOUR: u32 = 9;
/// Closing hour; nothing is scheduled at or after it.
const CLOSE_HOUR: u32 = 17;

fn is_weekday(d: Weekday) -> bool {
    !matches!(d, Weekday::Sat | Weekday::Sun)
}

/// The first business-hours moment at or after `t`, rounded up to a quarter hour, in `t`'s zone.
pub fn business_slot<Tz: TimeZone>(t: DateTime<Tz>) -> DateTime<Tz> {
    let tz = t.timezone();
    let local = t.naive_local();
    // Round up to the next quarter hour so suggestions read naturally (14:05 -> 14:15).
    let mut at = local.with_second(0).and_then(|x| x.with_nanosecond(0)).unwrap_or(local);
    if at < local {
        at += Duration::minutes(1);
    }
    at += Duration::minutes(i64::from((15 - at.minute() % 15) % 15));
    let open = NaiveTime::from_hms_opt(OPEN_HOUR, 0, 0).expect("valid time");
    loop {
        if is_weekday(at.weekday()) {
            if at.hour() < OPEN_HOUR {
                at = at.date().and_time(open);
            }
            if at.hour() < CLOSE_HOUR {
                break;
            }
        }
        at = (at.date() + Duration::days(1)).and_time(open);
    }
    // A local time skipped by a DST change resolves to the next valid instant.
    tz.from_local_datetime(&at)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(at + Duration::hours(1))).earliest())
        .unwrap_or(t)
}

/// The business-hours slot in the call's time zone (its IANA zone when known, else its UTC
/// offset, else UTC) at or after `target`, and never before `now`.
pub fn send_time_after(call: &Call, target: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let t = target.max(now);
    if let Some(tz) = call.timezone.as_deref().and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
        return business_slot(t.with_timezone(&tz)).with_timezone(&Utc);
    }
    let offset = call
        .local_started_at()
        .map(|s| *s.offset())
        .or_else(|| call.utc_offset_minutes.and_then(|m| FixedOffset::east_opt(m * 60)))
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    business_slot(t.with_timezone(&offset)).with_timezone(&Utc)
}
