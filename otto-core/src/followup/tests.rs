use chrono::{Datelike, TimeZone, Weekday};

use super::*;

#[test]
fn test_business_slot_snaps_into_weekday_hours() {
    let tz = FixedOffset::west_opt(5 * 3600).unwrap();
    let at = |d: u32, h: u32, m: u32| tz.with_ymd_and_hms(2027, 3, d, h, m, 0).unwrap();
    // Wednesday 14:05 -> 14:15 the same day.
    assert_eq!(business_slot(at(3, 14, 5)), at(3, 14, 15));
    // Wednesday 07:30 -> 09:00; 17:00 or later -> Thursday 09:00.
    assert_eq!(business_slot(at(3, 7, 30)), at(3, 9, 0));
    assert_eq!(business_slot(at(3, 17, 0)), at(4, 9, 0));
    // Friday evening and the weekend -> Monday 09:00.
    assert_eq!(business_slot(at(5, 18, 0)), at(8, 9, 0));
    assert_eq!(business_slot(at(6, 11, 0)).weekday(), Weekday::Mon);
}

use crate::analysis::{analyze, AnalysisInput, Segment, Speaker};
use crate::domain::{CallStatus, CompanyId};

/// An in-home roofing visit that did not close: price left open, the rep promised a revised
/// quote and a call. Written for these tests.
fn roof_visit() -> (Call, CallAnalysis) {
    let started = DateTime::parse_from_rfc3339("2027-03-02T16:00:00-06:00").unwrap();
    let lines = [
        (Speaker::Rep, "Hi Dana, I'm Chris with Summit Roofing. Thanks for having me out. What's going on with the roof?"),
        (Speaker::Customer, "We've had a leak over the kitchen since the last storm and the shingles are curling. The roof is about twenty two years old."),
        (Speaker::Rep, "I saw that from the ladder. Replacing it with architectural shingles and new flashing comes to eighteen thousand four hundred dollars."),
        (Speaker::Customer, "Eighteen thousand is way more than we were expecting to spend. We were hoping to stay closer to twelve."),
        (Speaker::Rep, "That's the price for a roof like this, and it's a fair number."),
        (Speaker::Customer, "It's still too much for us right now. We need to think about it."),
        (Speaker::Rep, "Understood. I'll email you a revised quote with a couple of lower cost options tomorrow, and I'll call you Friday to go over it."),
        (Speaker::Customer, "That's fine, talk to you Friday."),
    ];
    let input = AnalysisInput {
        call_type: Some(CallType::SalesAppointment),
        started_at: Some(started),
        segments: lines.iter().map(|(s, t)| Segment::new(s.clone(), *t)).collect(),
        sop_stages: vec![],
    };
    let a = analyze(&input);
    let company = CompanyId::parse("co").unwrap();
    let call = Call {
        call_id: "roof_1".into(),
        company_id: company,
        rep_id: Some("rep_chris".into()),
        status: CallStatus::Completed,
        processing_status: CallStatus::Completed,
        audio_url: None,
        caller_phone: None,
        rep_phone: None,
        duration: Some(1800),
        callrail_id: None,
        call_type: Some(CallType::SalesAppointment),
        started_at: Some(started.with_timezone(&Utc)),
        timezone: Some("America/Chicago".into()),
        rep_channel: None,
        audio_file_path: None,
        transcript_file_path: None,
        speaker_diarization_file_path: None,
        failure_reason: None,
        language: None,
        utc_offset_minutes: Some(-360),
        processing_stages: Default::default(),
        progress: 100,
        metadata: json!({"rep_name": "Chris Lee", "company_name": "Summit Roofing"}).as_object().unwrap().clone(),
        created_at: started.with_timezone(&Utc),
        updated_at: started.with_timezone(&Utc),
    };
    (call, a)
}

#[test]
fn test_rehash_email_names_customer_answers_open_objection_and_keeps_the_promise() {
    let (call, a) = roof_visit();
    let ctx = FollowupContext::new(&call, &a, Some("Dana Whitfield".into()));
    assert!(ctx.objections.iter().any(|o| o.kind == ObjectionType::Price && o.open), "{:?}", ctx.objections);
    let now = DateTime::parse_from_rfc3339("2027-03-01T00:00:00Z").unwrap().with_timezone(&Utc);
    let c = compose(&ctx, &call, FollowupKind::Rehash, FollowupChannel::Email, FollowupTone::Professional, None, now);
    eprintln!("{}\n{:?}\n{}", c.content, c.approach, c.send_at);
    assert!(c.content.starts_with("Subject: "));
    assert!(c.content.contains("Hi Dana,"));
    assert!(c.content.contains("more than you expected"), "answers the price objection");
    assert!(c.content.contains("Eighteen thousand is way more"), "quotes the customer");
    assert!(c.content.contains("revised quote"), "keeps the rep's promise");
    assert!(c.content.ends_with("Chris Lee\nSummit Roofing"));
    assert!(c.approach.as_deref().unwrap().contains("price"));
    // Same input, same draft.
    assert_eq!(
        compose(&ctx, &call, FollowupKind::Rehash, FollowupChannel::Email, FollowupTone::Professional, None, now),
        c
    );
    // Business hours in Chicago: never a weekend, between 9 and 17 local.
    let local = c.send_at.with_timezone(&chrono_tz::America::Chicago);
    assert!(!matches!(local.weekday(), Weekday::Sat | Weekday::Sun));
    assert!((9..17).contains(&chrono::Timelike::hour(&local)), "{local}");

    let sms = compose(&ctx, &call, FollowupKind::Rehash, FollowupChannel::Sms, FollowupTone::Friendly, None, now);
    assert!(sms.content.chars().count() <= SMS_MAX_CHARS && sms.content.starts_with("Hi Dana,"), "{}", sms.content);
    let script =
        compose(&ctx, &call, FollowupKind::Rehash, FollowupChannel::CallScript, FollowupTone::Casual, None, now);
    assert!(script.content.contains("Objection (price, left open)"), "{}", script.content);

    let tasks = derived_tasks(&ctx, &call, now);
    assert!(
        tasks.iter().any(|t| t.task_type == TaskType::Email && t.description.contains("revised quote")),
        "{tasks:?}"
    );
}
