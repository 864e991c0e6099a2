//! Offline follow-up composer: turns a call's stored analysis into an email, SMS or call script,
//! a suggested send time and follow-up tasks.
//!
//! Deterministic and template-based, but every sentence that matters comes from the call: the
//! customer's name, the objections they raised (in their words) and whether they were left
//! open, the appointment, the rep's own commitments ("I'll email you the financing options"),
//! and the rehash score. Nothing is invented: when the call did not state something, the
//! template leaves it out rather than filling it with generic text.

mod send_time;

use std::fmt::Write as _;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde_json::{json, Value};

use crate::analysis::appointment::readable;
use crate::analysis::{CallAnalysis, CallOutcome, LeadStatus, ObjectionType, Severity};
use crate::domain::{Call, CallType, FollowupChannel, FollowupKind, FollowupTone, TaskPriority, TaskType};

pub use send_time::{business_slot, send_time_after};

/// SMS drafts stay within two segments.
const SMS_MAX_CHARS: usize = 320;

/// One objection as the customer put it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectionNote {
    /// Kind.
    pub kind: ObjectionType,
    /// The customer's words.
    pub words: String,
    /// The rep resolved it on the call (as the analysis judged it).
    pub handled: bool,
    /// Still worth answering in a follow-up: not handled, or handled only by moving the call
    /// along (medium or high severity) on a call that did not convert.
    pub open: bool,
}

/// The booked appointment.
#[derive(Debug, Clone, PartialEq)]
pub struct AppointmentNote {
    /// inspection, service visit, install, consultation, ...
    pub kind: String,
    /// "Thursday, April 16 at 3pm" when resolved, else the words spoken.
    pub when: String,
    /// The resolved time, if any.
    pub at: Option<DateTime<FixedOffset>>,
}

/// What a follow-up is built from: facts of one analysed call.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowupContext {
    /// The customer's full name, if known (call metadata, CRM or the caller).
    pub customer_name: Option<String>,
    /// The customer's company (commercial accounts).
    pub customer_company: Option<String>,
    /// The rep's name (`metadata.rep_name`), for the signature.
    pub rep_name: Option<String>,
    /// The business (`metadata.company_name` or `business_name`).
    pub business_name: Option<String>,
    /// Kind of call.
    pub call_type: Option<CallType>,
    /// When the call started, local time.
    pub call_started: Option<DateTime<FixedOffset>>,
    /// When the call ended (start + duration), local time.
    pub call_ended: Option<DateTime<FixedOffset>>,
    /// How it ended.
    pub outcome: CallOutcome,
    /// Lead status.
    pub lead_status: LeadStatus,
    /// Analysed rehash score 1-5.
    pub rehash_score: u8,
    /// Objections raised, in call order.
    pub objections: Vec<ObjectionNote>,
    /// The booked appointment.
    pub appointment: Option<AppointmentNote>,
    /// What the rep promised to do, in their words ("I'll email you the financing options").
    pub commitments: Vec<String>,
}

/// A composed draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Composed {
    /// Email subject.
    pub subject: Option<String>,
    /// The text.
    pub content: String,
    /// Why it is written this way.
    pub strategy: String,
    /// Rehash angle.
    pub approach: Option<String>,
    /// When to send it.
    pub send_at: DateTime<Utc>,
    /// The facts used.
    pub details: Value,
}

/// A task derived from the analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedTask {
    /// Stable key of the finding it came from (dedupes re-analysis).
    pub key: String,
    /// Kind.
    pub task_type: TaskType,
    /// What to do.
    pub description: String,
    /// Priority.
    pub priority: TaskPriority,
    /// When.
    pub due: DateTime<Utc>,
}

fn meta_str(call: &Call, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|k| call.metadata.get(*k).and_then(Value::as_str))
        .map(str::trim)
        .find(|s| !s.is_empty())
        .map(str::to_string)
}

impl FollowupContext {
    /// The facts of an analysed call. `customer_name` is resolved by the caller (metadata, CRM).
    pub fn new(call: &Call, a: &CallAnalysis, customer_name: Option<String>) -> Self {
        let started = call.local_started_at();
        let ended = started.map(|s| s + Duration::seconds(call.duration.unwrap_or(0)));
        let appointment = a.appointment.as_ref().filter(|x| x.booked).map(|x| {
            let at = x.scheduled_at.as_deref().and_then(|s| DateTime::parse_from_rfc3339(s).ok());
            AppointmentNote {
                kind: x.appointment_type.replace('_', " "),
                when: at.as_ref().map_or_else(|| x.when_text.clone(), readable),
                at,
            }
        });
        let commitments = a
            .summary
            .next_steps
            .iter()
            .filter_map(|k| k.text.strip_prefix("Rep: "))
            .map(promise_part)
            .filter(|s| !s.is_empty())
            .collect();
        let converted = matches!(a.outcome.outcome, CallOutcome::AppointmentSet | CallOutcome::Sold);
        FollowupContext {
            customer_name,
            customer_company: None,
            rep_name: meta_str(call, &["rep_name"]),
            business_name: meta_str(call, &["company_name", "business_name"]),
            call_type: call.call_type,
            call_started: started,
            call_ended: ended,
            outcome: a.outcome.outcome,
            lead_status: a.lead.lead_status,
            rehash_score: a.rehash.rehash_score,
            objections: a
                .objections
                .iter()
                .map(|o| ObjectionNote {
                    kind: o.objection_type,
                    words: o.objection_text.clone(),
                    handled: o.handled,
                    open: !o.handled || (!converted && o.severity != Severity::Low),
                })
                .collect(),
            appointment,
            commitments,
        }
    }

    fn first_name(&self) -> Option<&str> {
        self.customer_name.as_deref().and_then(|n| n.split_whitespace().next())
    }

    fn open(&self) -> impl Iterator<Item = &ObjectionNote> {
        self.objections.iter().filter(|o| o.open)
    }

    /// The agreed next step, in words: the appointment, else the rep's first commitment.
    pub fn next_step(&self) -> Option<String> {
        if let Some(a) = &self.appointment {
            return Some(format!("the {} on {}", a.kind, a.when));
        }
        self.commitments.first().cloned()
    }

    /// The facts a draft was built from, for the reviewer.
    pub fn details(&self, rehash_used: u8) -> Value {
        let obj = |o: &ObjectionNote| json!({"objection_type": o.kind.as_str(), "customer_words": o.words});
        json!({
            "customer_name": self.customer_name,
            "outcome": self.outcome.as_str(),
            "lead_status": self.lead_status.as_str(),
            "rehash_score": self.rehash_score,
            "rehash_score_used": rehash_used,
            "open_objections": self.open().map(obj).collect::<Vec<_>>(),
            "handled_objections": self.objections.iter().filter(|o| !o.open).map(obj).collect::<Vec<_>>(),
            "next_step": self.next_step(),
            "appointment": self.appointment.as_ref().map(|a| json!({
                "type": a.kind, "when": a.when, "scheduled_at": a.at.map(|t| t.to_rfc3339()),
            })),
        })
    }
}

/// The promise in a rep's next-step line, without lead-in filler ("Understood. I'll email
/// you..." -> "I'll email you..."): from the first sentence that speaks of the future.
fn promise_part(line: &str) -> String {
    let sentences: Vec<&str> = line.split_inclusive(['.', '!', '?']).map(str::trim).filter(|s| !s.is_empty()).collect();
    let future = |s: &str| {
        let l = s.to_lowercase();
        ["i'll", "we'll", "i will", "we will", "going to", "you'll"].iter().any(|m| l.contains(m))
    };
    match sentences.iter().position(|s| future(s)) {
        Some(i) => sentences[i..].join(" "),
        None => line.trim().to_string(),
    }
}

/// Who the customer defers to, from their words ("my husband" -> "your husband").
fn decider(words: &str) -> String {
    let lower = words.to_lowercase();
    for who in ["husband", "wife", "spouse", "partner", "landlord", "dad", "mom", "father", "mother", "son", "daughter"]
    {
        if lower.split(|c: char| !c.is_alphanumeric()).any(|w| w == who) {
            return format!("your {who}");
        }
    }
    "everyone involved in the decision".into()
}

/// The paragraph answering an open objection, quoting the customer.
fn answer_open(o: &ObjectionNote, channel: FollowupChannel) -> String {
    let quote = |lead: &str| {
        if channel == FollowupChannel::Sms {
            String::new()
        } else {
            format!("{lead} (\u{201c}{}\u{201d}). ", o.words.trim().trim_end_matches('.'))
        }
    };
    match o.kind {
        ObjectionType::Price => format!(
            "{}I'd like to show you options that bring the number down: phasing the work, a different product tier, \
             or monthly financing, so you can compare real figures.",
            quote("You mentioned the price was more than you expected")
        ),
        ObjectionType::Financing => format!(
            "{}I can lay out the financing plans side by side, with the monthly amount and terms of each, so you can \
             see what fits.",
            quote("You had questions about paying for it")
        ),
        ObjectionType::Timing => format!(
            "{}There's no pressure on timing; I can hold the pricing we discussed while you decide when works best.",
            quote("You said the timing wasn't right yet")
        ),
        ObjectionType::Authority => format!(
            "{}I'm happy to go over everything again with {} so all of your questions are answered at once.",
            quote("You wanted to talk it over first"),
            decider(&o.words)
        ),
        ObjectionType::Need => format!(
            "{}I can send you the photos and notes from our conversation so you can judge the condition for yourself.",
            quote("You weren't sure the work is needed yet")
        ),
        ObjectionType::Trust => format!(
            "{}I can send references from customers nearby, our license and insurance details, and the warranty in \
             writing.",
            quote("You wanted to be sure about who you'd be working with")
        ),
        ObjectionType::Competitor => format!(
            "{}I'd be glad to go through it side by side with ours, comparing scope, materials and warranty, not just \
             the price.",
            quote("You mentioned you're weighing another offer")
        ),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        "objection"
    } else {
        "objections"
    }
}

fn objection_label(k: ObjectionType) -> &'static str {
    match k {
        ObjectionType::Price => "the price",
        ObjectionType::Financing => "financing",
        ObjectionType::Timing => "the timing",
        ObjectionType::Authority => "the decision",
        ObjectionType::Need => "whether the work is needed",
        ObjectionType::Trust => "trust",
        ObjectionType::Competitor => "the other offer",
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

/// The rehash angle for a score.
fn approach(score: u8, ctx: &FollowupContext) -> String {
    let open: Vec<String> = ctx.open().map(|o| o.kind.as_str().to_string()).collect();
    let angle = if open.is_empty() {
        "restate the value discussed".to_string()
    } else {
        format!("answer the open {} {} with a new angle", join_and(&open), plural(open.len()))
    };
    match score {
        5 => format!("Priority re-engagement: the lead is close; {angle} and lock in the next step"),
        4 => format!("High-value re-engagement: {angle}"),
        3 => format!("Value reminder: {angle} and offer an easy next step"),
        _ => "Light-touch check-in: keep the door open without pressure".to_string(),
    }
}

/// How long after the call to send, by kind and (for rehash) score.
fn delay(kind: FollowupKind, score: u8) -> Duration {
    match kind {
        FollowupKind::Nurture => Duration::hours(1),
        FollowupKind::General => Duration::hours(2),
        FollowupKind::Rehash => match score {
            5 => Duration::hours(1),
            4 => Duration::days(1),
            3 => Duration::days(2),
            2 => Duration::days(4),
            _ => Duration::days(7),
        },
    }
}

fn signature(ctx: &FollowupContext) -> String {
    let name = ctx.rep_name.clone().unwrap_or_else(|| "[Your name]".into());
    match &ctx.business_name {
        Some(b) => format!("{name}\n{b}"),
        None => name,
    }
}

/// Composes a draft. `rehash_override` replaces the analysed score when choosing the rehash
/// approach and send time; `now` keeps the send time from landing in the past; `call` gives the
/// time zone.
pub fn compose(
    ctx: &FollowupContext,
    call: &Call,
    kind: FollowupKind,
    channel: FollowupChannel,
    tone: FollowupTone,
    rehash_override: Option<u8>,
    now: DateTime<Utc>,
) -> Composed {
    let score = rehash_override.unwrap_or(ctx.rehash_score);
    let base = ctx.call_ended.map_or(call.created_at, |t| t.with_timezone(&Utc));
    let send_at = send_time_after(call, base + delay(kind, score), now);
    let approach = (kind == FollowupKind::Rehash).then(|| approach(score, ctx));
    let strategy = strategy(ctx, kind, approach.as_deref());
    let (subject, content) = match channel {
        FollowupChannel::Email => {
            let subject = subject(ctx, kind);
            let body = email_body(ctx, kind, tone);
            (Some(subject.clone()), format!("Subject: {subject}\n\n{body}"))
        }
        FollowupChannel::Sms => (None, sms(ctx, kind, tone)),
        FollowupChannel::CallScript => (None, call_script(ctx, kind, approach.as_deref())),
    };
    Composed { subject, content, strategy, approach, send_at, details: ctx.details(score) }
}

fn strategy(ctx: &FollowupContext, kind: FollowupKind, approach: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    match kind {
        FollowupKind::Nurture if ctx.appointment.is_some() => {
            parts.push("Confirm the booking and keep the customer warm until the visit".into())
        }
        FollowupKind::Nurture => parts.push("Keep an unbooked lead warm and make booking easy".into()),
        FollowupKind::Rehash => parts.push(approach.unwrap_or("Re-engage the lead").to_string()),
        FollowupKind::General => parts.push("Thank the customer and recap the call".into()),
    }
    let open: Vec<String> = ctx.open().map(|o| o.kind.as_str().to_string()).collect();
    if !open.is_empty() && kind != FollowupKind::Rehash {
        parts.push(format!("address the open {} {}", join_and(&open), plural(open.len())));
    }
    if let Some(step) = ctx.next_step() {
        parts.push(format!("propose the agreed next step ({step})"));
    }
    parts.join("; ")
}

fn subject(ctx: &FollowupContext, kind: FollowupKind) -> String {
    if let Some(a) = &ctx.appointment {
        return format!("Your {} on {}", a.kind, a.when);
    }
    let who = ctx.first_name().map(|n| format!(", {n}")).unwrap_or_default();
    match (kind, ctx.open().next()) {
        (FollowupKind::Rehash, Some(o)) if matches!(o.kind, ObjectionType::Price | ObjectionType::Financing) => {
            format!("Options that fit your budget{who}")
        }
        (FollowupKind::Rehash, _) => format!("Picking up where we left off{who}"),
        (FollowupKind::Nurture, _) => format!("Next steps from our call{who}"),
        (FollowupKind::General, _) => format!("Thank you for your time{who}"),
    }
}

fn greeting(ctx: &FollowupContext, tone: FollowupTone) -> String {
    let name = ctx.first_name().unwrap_or("there");
    match tone {
        FollowupTone::Professional => format!("Hi {name},"),
        FollowupTone::Friendly => format!("Hi {name}!"),
        FollowupTone::Casual => format!("Hey {name},"),
    }
}

fn when_we_spoke(ctx: &FollowupContext) -> String {
    ctx.call_started.map(|t| format!(" on {}", t.format("%A"))).unwrap_or_default()
}

/// "I'll email you the options" reads as a promise; keep the rep's words.
fn promise(commitment: &str) -> String {
    let c = commitment.trim_end_matches(['.', '!']);
    format!("As promised on our call: {c}.")
}

fn email_body(ctx: &FollowupContext, kind: FollowupKind, tone: FollowupTone) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", greeting(ctx, tone));
    let spoke = when_we_spoke(ctx);
    let opening = match (kind, tone) {
        (FollowupKind::Rehash, _) => {
            format!("I've been thinking about our conversation{spoke} and wanted to follow up.")
        }
        (_, FollowupTone::Professional) => format!("Thank you for taking the time to speak with me{spoke}."),
        (_, FollowupTone::Friendly) => format!("It was great talking with you{spoke}!"),
        (_, FollowupTone::Casual) => format!("Thanks for chatting{spoke}."),
    };
    let _ = writeln!(out, "{opening}\n");
    if let Some(a) = &ctx.appointment {
        let _ = writeln!(
            out,
            "You're booked for the {} on {}. If anything changes before then, just reply to this email.\n",
            a.kind, a.when
        );
    }
    let handled: Vec<String> =
        ctx.objections.iter().filter(|o| !o.open).map(|o| objection_label(o.kind).into()).collect();
    if !handled.is_empty() {
        let _ = writeln!(
            out,
            "Thanks for being upfront about {}. If any questions have come up since, I'm glad to go over it again.\n",
            join_and(&handled)
        );
    }
    for o in ctx.open() {
        let _ = writeln!(out, "{}\n", answer_open(o, FollowupChannel::Email));
    }
    for c in ctx.commitments.iter().take(2) {
        let _ = writeln!(out, "{}\n", promise(c));
    }
    let ask = match (&ctx.appointment, ctx.commitments.is_empty(), kind) {
        (Some(_), _, _) => "I look forward to seeing you then.".to_string(),
        (None, false, _) => "Does that still work for you? Just reply here or call me anytime.".to_string(),
        (None, true, FollowupKind::Rehash) | (None, true, FollowupKind::Nurture) => {
            "Would you have 15 minutes this week for a quick call to pick up where we left off?".to_string()
        }
        (None, true, FollowupKind::General) => "If you have any questions, just reply here or call me anytime.".into(),
    };
    let _ = writeln!(out, "{ask}\n");
    let sign_off = match tone {
        FollowupTone::Professional => "Best regards,",
        FollowupTone::Friendly => "Warm regards,",
        FollowupTone::Casual => "Thanks,",
    };
    let _ = write!(out, "{sign_off}\n{}", signature(ctx));
    out
}

fn sms(ctx: &FollowupContext, kind: FollowupKind, tone: FollowupTone) -> String {
    let name = ctx.first_name().map(|n| format!(" {n}")).unwrap_or_default();
    let hi = if tone == FollowupTone::Casual { "Hey" } else { "Hi" };
    let me = match (&ctx.rep_name, &ctx.business_name) {
        (Some(r), Some(b)) => format!(" it's {r} from {b}."),
        (Some(r), None) => format!(" it's {r}."),
        (None, Some(b)) => format!(" it's {b}."),
        (None, None) => String::new(),
    };
    let mut parts = vec![format!("{hi}{name},{me}")];
    if let Some(a) = &ctx.appointment {
        parts.push(format!("You're set for the {} on {}.", a.kind, a.when));
    }
    if let Some(o) = ctx.open().next() {
        parts.push(answer_open(o, FollowupChannel::Sms));
    }
    match (ctx.appointment.is_some(), ctx.commitments.first()) {
        (true, _) => parts.push("Reply here if anything changes.".into()),
        (false, Some(c)) => parts.push(promise(c)),
        (false, None) if kind != FollowupKind::General => parts.push("Free for a quick call this week?".into()),
        (false, None) => parts.push("Reply here with any questions.".into()),
    }
    let mut text = parts.join(" ");
    if text.chars().count() > SMS_MAX_CHARS {
        // Keep whole sentences: drop from the middle (objection answer) rather than cut mid-word.
        let first = parts.first().cloned().unwrap_or_default();
        let last = parts.last().cloned().unwrap_or_default();
        text = format!("{first} {last}");
        if text.chars().count() > SMS_MAX_CHARS {
            text = text.chars().take(SMS_MAX_CHARS - 1).collect::<String>() + "\u{2026}";
        }
    }
    text
}

fn call_script(ctx: &FollowupContext, kind: FollowupKind, approach: Option<&str>) -> String {
    let who = ctx.customer_name.clone().unwrap_or_else(|| "the customer".into());
    let first = ctx.first_name().unwrap_or("there");
    let mut out = format!("Call script: {} follow-up with {who}\n", kind.as_str());
    if let Some(a) = approach {
        let _ = writeln!(out, "Approach: {a}");
    }
    let me = ctx.rep_name.clone().unwrap_or_else(|| "[your name]".into());
    let from = ctx.business_name.as_ref().map(|b| format!(" from {b}")).unwrap_or_default();
    let _ = writeln!(out, "1. Open: \"Hi {first}, it's {me}{from}. Do you have a couple of minutes?\"");
    let recap = match ctx.outcome {
        CallOutcome::AppointmentSet => "we booked a visit",
        CallOutcome::Sold => "you decided to go ahead",
        CallOutcome::FollowUp => "we agreed to follow up",
        CallOutcome::Lost => "you weren't ready to move forward",
        CallOutcome::NotQualified => "it didn't look like a fit at the time",
    };
    let _ = writeln!(out, "2. Recap: \"When we spoke{}, {recap}.\"", when_we_spoke(ctx));
    let mut step = 3;
    for o in &ctx.objections {
        let state = if o.open { "left open" } else { "handled on the call; check it is still settled" };
        let _ = writeln!(out, "{step}. Objection ({}, {state}): they said \"{}\".", o.kind.as_str(), o.words.trim());
        if o.open {
            let _ = writeln!(out, "   Say: \"{}\"", answer_open(o, FollowupChannel::Sms));
        }
        step += 1;
    }
    match ctx.next_step() {
        Some(s) => {
            let _ = writeln!(out, "{step}. Propose the agreed next step: {s}.");
        }
        None => {
            let _ = writeln!(out, "{step}. Propose a next step: a short visit or call at a time that suits them.");
        }
    }
    let _ = write!(out, "{}. Close: confirm the time and the best number or email to reach them.", step + 1);
    out
}

/// Tasks implied by the analysis: confirm the appointment, keep each promise the rep made, and
/// call back a lead worth rehashing when nothing else was agreed.
pub fn derived_tasks(ctx: &FollowupContext, call: &Call, now: DateTime<Utc>) -> Vec<DerivedTask> {
    let who = ctx.customer_name.clone().unwrap_or_else(|| "the customer".into());
    let base = ctx.call_ended.map_or(call.created_at, |t| t.with_timezone(&Utc));
    let priority = match (ctx.lead_status, ctx.rehash_score) {
        (LeadStatus::Hot, _) | (_, 4..) => TaskPriority::High,
        (LeadStatus::Warm, _) => TaskPriority::Medium,
        _ => TaskPriority::Low,
    };
    let mut out = Vec::new();
    if let Some(a) = &ctx.appointment {
        let due =
            a.at.map(|t| t.with_timezone(&Utc) - Duration::days(1))
                .filter(|d| *d > base)
                .unwrap_or_else(|| send_time_after(call, base + Duration::hours(1), now));
        out.push(DerivedTask {
            key: "appointment".into(),
            task_type: TaskType::Call,
            description: format!("Confirm the {} on {} with {who}", a.kind, a.when),
            priority: TaskPriority::High,
            due,
        });
    }
    for (i, c) in ctx.commitments.iter().enumerate() {
        let lower = c.to_lowercase();
        let has = |w: &[&str]| w.iter().any(|w| lower.split(|ch: char| !ch.is_alphanumeric()).any(|t| t == *w));
        let task_type = if has(&["email", "send", "mail"]) {
            TaskType::Email
        } else if has(&["text"]) {
            TaskType::Sms
        } else if has(&["call", "phone", "ring"]) {
            TaskType::Call
        } else if has(&["visit", "stop", "come", "bring"]) {
            TaskType::Visit
        } else {
            TaskType::Other
        };
        out.push(DerivedTask {
            key: format!("next_step:{i}"),
            task_type,
            description: format!("Follow through for {who}: \"{}\"", c.trim()),
            priority,
            due: send_time_after(call, base + Duration::hours(2), now),
        });
    }
    let rehash_worthy = matches!(ctx.outcome, CallOutcome::FollowUp | CallOutcome::Lost) && ctx.rehash_score >= 3;
    if out.is_empty() && rehash_worthy {
        let open: Vec<String> = ctx.open().map(|o| o.kind.as_str().to_string()).collect();
        let about = if open.is_empty() {
            String::new()
        } else {
            format!(" about the open {} {}", join_and(&open), plural(open.len()))
        };
        out.push(DerivedTask {
            key: "rehash".into(),
            task_type: TaskType::Call,
            description: format!("Call {who} back{about} (rehash score {})", ctx.rehash_score),
            priority,
            due: send_time_after(call, base + delay(FollowupKind::Rehash, ctx.rehash_score), now),
        });
    }
    out
}

#[cfg(test)]
mod tests;
