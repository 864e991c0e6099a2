//! Call outcome: appointment set, sold, follow-up, lost or not qualified.
//!
//! The outcome is read from conversational signals (disqualifiers, purchase commitment, the
//! customer choosing someone else, agreed next contacts) plus the booked appointment. The call
//! type matters: a second visit booked at the end of an in-home pitch is a follow-up, while the
//! same booking on an inbound call is the appointment the call was for.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::appointment::Appointment;
use super::objections::Objection;
use super::text::{has_any, has_any_affirmed};
use super::{conf, Evidence, Reason, Role, Transcript, Turn};
use crate::domain::CallType;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// A concrete meeting was booked.
    AppointmentSet,
    /// The customer bought.
    Sold,
    /// No booking or sale, but a next contact is agreed or sensible.
    FollowUp,
    /// The customer declined or chose someone else.
    Lost,
    /// Not a workable lead: wrong number, renter without authority, out of area.
    NotQualified,
}

impl CallOutcome {
    /// Wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::AppointmentSet => "appointment_set",
            CallOutcome::Sold => "sold",
            CallOutcome::FollowUp => "follow_up",
            CallOutcome::Lost => "lost",
            CallOutcome::NotQualified => "not_qualified",
        }
    }
}

/// The outcome with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OutcomeAnalysis {
    /// How the call ended.
    pub outcome: CallOutcome,
    /// Why.
    pub reasons: Vec<Reason>,
    /// Confidence in the outcome.
    pub confidence: f32,
    /// The turns that decided it.
    pub evidence: Vec<Evidence>,
}

/// Conversational signals shared by the outcome, lead and rehash rules.
#[derive(Debug, Clone, Default)]
pub(crate) struct Signals {
    pub wrong_number: Option<Evidence>,
    pub renter: Option<Evidence>,
    pub owner: Option<Evidence>,
    /// The owner already authorised the work, or the caller is the landlord.
    pub owner_authorized: Option<Evidence>,
    pub out_of_area: Option<Evidence>,
    pub already_bought: Option<Evidence>,
    pub chose_competitor: Option<Evidence>,
    pub declined: Option<Evidence>,
    pub sold: Option<Evidence>,
    pub follow_up: Option<Evidence>,
    pub urgency: Option<Evidence>,
    pub problem: Option<Evidence>,
    pub no_need: Option<Evidence>,
    pub budget_ready: Option<Evidence>,
    /// The customer pushes the decision months out ("not this year", "after the new year").
    pub deferred_far: Option<Evidence>,
}

const WRONG_NUMBER: &[&str] = &[
    "wrong number",
    "wrong one",
    "wrong company",
    "wrong place",
    "must have called|clicked|dialed",
    "meant to call",
    "is this ~ pools|pizza|insurance|bank|clinic|dentist|office|store",
    "not who i",
    "thought this was",
];
const RENTER: &[&str] =
    &["i rent", "i'm renting", "we rent", "we're renting", "tenant", "my landlord", "our landlord", "rental"];
const OWNER: &[&str] = &[
    "we own",
    "i own",
    "we've owned",
    "owned it",
    "my house",
    "our house",
    "my home",
    "our home",
    "homeowner",
    "it's mine",
    "we bought the house",
    "we bought it",
    "just me",
];
const OUT_OF_AREA: &[&str] = &[
    "outside ~ service area",
    "don't service",
    "don't cover",
    "too far",
    "out of ~ area",
    "don't go out that far",
    "not in our area",
    "past|beyond|outside ~ service area",
    "only go as far as",
    "don't go that far",
    "outside the area",
    "not in our service",
];
const ALREADY_BOUGHT: &[&str] = &[
    "already done",
    "they're done",
    "already ~ installed|replaced|fixed|finished",
    "already had ~ done",
    "already hired",
    "already signed",
    "went with another|other|a different",
];
const CHOSE_COMPETITOR: &[&str] = &[
    "go with the other|another|them|someone|somebody",
    "going with the other|another|them|someone|somebody",
    "went with",
    "i'll just have",
    "we'll just have",
    "have them do it",
    "use the other",
    "stick with",
    "go with ~ guys",
    "decided to go with",
];
const DECLINED: &[&str] = &[
    "not interested",
    "no thanks",
    "we'll pass",
    "i'll pass",
    "not going to do it",
    "thanks anyway",
    "miss out",
    "take you off",
    "don't call",
];
/// A purchase being executed: the customer asking where to sign, the rep taking a signature or
/// a deposit, a signed agreement changing hands.
const SOLD_STRONG: &[&str] = &[
    "where do i|we sign",
    "sign here",
    "sign ~ right here",
    "right here and here",
    "your signature",
    "initial here",
    "sign me up",
    "welcome aboard",
    "welcome to the family",
    "signed agreement|contract|paperwork",
    "signed the agreement|contract|paperwork",
    "copy of ~ agreement|contract",
    "deposit of",
    "take ~ deposit",
    "here's ~ deposit|check",
    "get the paperwork going",
    "write it up",
    "write up the",
    "on the tablet",
    "go ahead and sign",
];
/// Sentences where signing is conditional, deferred or refused ("before we sign anything",
/// "I'll bring the paperwork"): they are not a purchase.
const SOLD_HEDGE: &[&str] = &[
    "before ~ sign*",
    "until ~ sign*",
    "without ~ sign*",
    "not ~ sign*",
    "won't ~ sign*",
    "if ~ sign*",
    "bring ~ paperwork|contract|agreement|papers",
    "send ~ paperwork|contract|agreement|papers",
    "when you're ready",
    "think about",
    "if it's approved",
    "once ~ approved",
];
/// The customer saying yes to the offer.
const SOLD_SOFT: &[&str] = &[
    "let's do it",
    "let's do the",
    "let's go with",
    "we'll take",
    "i'll take the",
    "let's move forward",
    "go ahead with it",
    "go ahead and do it",
    "let's go ahead",
    "okay go ahead",
    "you've got a deal",
    "it's a deal",
    "let's get it done",
];
const FOLLOW_UP: &[&str] = &[
    "i'll call",
    "i'll email",
    "i'll send",
    "i'll follow up",
    "follow up",
    "give you a call",
    "call you back",
    "get back to you",
    "i'll text",
    "reach out",
    "touch base",
    "i'll be in touch",
];
pub(crate) const URGENCY: &[&str] = &[
    "leak*",
    "drip*",
    "flood*",
    "not working",
    "stopped working",
    "blowing warm",
    "no heat",
    "no hot water",
    "no ac",
    "no air",
    "emergency",
    "sooner the better",
    "asap",
    "right away",
    "as soon as",
    "panick*",
    "burst",
    "sparking",
    "smell gas",
    "water coming",
    "won't open|close|start|stop|shut|turn",
    "stuck",
    "hole in|near",
    "tarp*",
    "before it rains",
    "water spot",
    "gotten|getting ~ bigger|worse",
];
pub(crate) const PROBLEM: &[&str] = &[
    "leak*",
    "drip*",
    "broken",
    "not working",
    "stopped working",
    "warm air",
    "no heat",
    "no hot water",
    "nois*",
    "rattl*",
    "curling",
    "crack*",
    "damage*",
    "struggl*",
    "bill*",
    "runs out",
    "years old",
    "replace*",
    "interested",
    "granules",
    "stain",
    "missing",
    "corrod*",
    "weak",
    "clog*",
    "slow drain*",
    "backed up",
    "puddle",
    "checked out",
    "tune up",
    "inefficient",
    "issue",
    "problem*",
    "pulling away",
];
const DEFERRED_FAR: &[&str] = &[
    "not in the cards",
    "next year",
    "not ~ this year",
    "new year",
    "few months",
    "couple ~ months",
    "next spring|summer|fall|winter",
    "after the holidays",
    "down the road",
];
/// Reason text for out-of-area calls (also read by the rehash score).
pub(crate) const OUT_OF_AREA_REASON: &str = "Property is outside the service area";
const NO_NEED: &[&str] = &["everything's fine", "no problems", "nothing's wrong", "we're good", "i'm good", "all good"];
const BUDGET_READY: &[&str] = &[
    "set aside",
    "savings",
    "pay cash",
    "paying cash",
    "we have the money",
    "budgeted",
    "approved",
    "under fifteen",
    "i'll take",
    "cd coming due",
    "afford it",
];

fn first_customer(t: &Transcript, patterns: &[&str], affirmed: bool) -> Option<Evidence> {
    first_by(t, Role::Customer, patterns, affirmed)
}

fn first_by(t: &Transcript, role: Role, patterns: &[&str], affirmed: bool) -> Option<Evidence> {
    t.by(role).find_map(|turn: &Turn| {
        turn.sentences
            .iter()
            .find(|s| if affirmed { has_any_affirmed(&s.tokens, patterns) } else { has_any(&s.tokens, patterns) })
            .map(|s| turn.evidence_quote(&s.text))
    })
}

/// Like [`first_by`] but for purchase cues: skips sentences where signing is hedged.
fn first_commit(t: &Transcript, role: Role, patterns: &[&str], late_only: bool) -> Option<Evidence> {
    t.by(role).filter(|x| !late_only || t.position(x.index) >= 0.6).find_map(|turn: &Turn| {
        turn.sentences
            .iter()
            .find(|s| has_any_affirmed(&s.tokens, patterns) && !has_any(&s.tokens, SOLD_HEDGE))
            .map(|s| turn.evidence_quote(&s.text))
    })
}

fn last_third<'a>(t: &'a Transcript, role: Role, patterns: &[&str]) -> Option<Evidence> {
    t.by(role).filter(|x| t.position(x.index) >= 0.6).find_map(|turn: &'a Turn| {
        turn.sentences.iter().find(|s| has_any_affirmed(&s.tokens, patterns)).map(|s| turn.evidence_quote(&s.text))
    })
}

/// Reads the shared signals from the transcript.
pub(crate) fn signals(t: &Transcript) -> Signals {
    let owner = first_customer(t, OWNER, true).or_else(|| {
        // "Yes." in answer to "Do you own the home?"
        t.by(Role::Rep).find_map(|r| {
            let asks = r.sentences.iter().any(|s| {
                s.question
                    && has_any(&s.tokens, &["own", "owner", "homeowner"])
                    && !has_any(&s.tokens, &["renting", "rent"])
            });
            let reply = t.next_by(r.index, Role::Customer)?;
            (asks && has_any(&reply.tokens, &["yes", "yeah", "yep", "we do", "i do"])).then(|| reply.evidence())
        })
    });
    // "A duplex I rent out" is an owner talking; "my landlord said to call" is authority given.
    let owner_authorized = first_customer(t, super::objections::AUTHORITY_GRANTED, true);
    let renter = first_customer(t, RENTER, true).filter(|_| owner_authorized.is_none());
    let sold_strong =
        first_commit(t, Role::Customer, SOLD_STRONG, false).or_else(|| first_commit(t, Role::Rep, SOLD_STRONG, true));
    let sold_soft = first_commit(t, Role::Customer, SOLD_SOFT, true);
    let sold = match (sold_strong, sold_soft) {
        (Some(e), Some(_)) => Some(e),
        (Some(e), None) if t.call_type != Some(CallType::CsrInbound) => Some(e),
        (None, Some(e)) if t.call_type == Some(CallType::SalesAppointment) => Some(e),
        _ => None,
    };
    Signals {
        wrong_number: first_customer(t, WRONG_NUMBER, true).or_else(|| {
            first_by(
                t,
                Role::Rep,
                &["wrong number", "this is not", "no, this is", "no sorry this is", "sorry this is"],
                false,
            )
            .filter(|_| first_customer(t, PROBLEM, true).is_none())
        }),
        renter,
        owner,
        owner_authorized,
        out_of_area: first_by(t, Role::Rep, OUT_OF_AREA, true),
        already_bought: first_customer(t, ALREADY_BOUGHT, true),
        chose_competitor: last_third(t, Role::Customer, CHOSE_COMPETITOR)
            .or_else(|| first_customer(t, &["went with"], true)),
        declined: last_third(t, Role::Customer, DECLINED),
        sold,
        follow_up: last_third(t, Role::Rep, FOLLOW_UP)
            .or_else(|| last_third(t, Role::Customer, &["call me", "email me", "send me"])),
        urgency: first_customer(t, URGENCY, true),
        problem: first_customer(t, PROBLEM, true),
        no_need: first_customer(t, NO_NEED, true),
        budget_ready: first_customer(t, BUDGET_READY, true),
        deferred_far: first_customer(t, DEFERRED_FAR, false),
    }
}

fn reason(dimension: &str, text: &str, positive: bool, e: &Option<Evidence>) -> Option<Reason> {
    e.as_ref().map(|e| Reason { dimension: dimension.into(), text: text.into(), positive, evidence: vec![e.clone()] })
}

/// Decides the outcome.
pub(crate) fn detect(t: &Transcript, objections: &[Objection], appointment: Option<&Appointment>) -> OutcomeAnalysis {
    let s = signals(t);
    let appt_ev = appointment.map(|a| a.evidence.clone()).unwrap_or_default();
    let (outcome, reasons, c): (CallOutcome, Vec<Option<Reason>>, f32) = if s.wrong_number.is_some() {
        (
            CallOutcome::NotQualified,
            vec![reason("qualification", "Caller reached the wrong business", false, &s.wrong_number)],
            0.85,
        )
    } else if s.renter.is_some() && s.sold.is_none() && appointment.is_none() {
        (
            CallOutcome::NotQualified,
            vec![reason("qualification", "Caller is not the property owner", false, &s.renter)],
            0.75,
        )
    } else if s.out_of_area.is_some() {
        (CallOutcome::NotQualified, vec![reason("qualification", OUT_OF_AREA_REASON, false, &s.out_of_area)], 0.75)
    } else if s.sold.is_some() {
        (CallOutcome::Sold, vec![reason("outcome", "Customer committed to the purchase", true, &s.sold)], 0.8)
    } else if appointment.is_some_and(|a| a.appointment_type == "install") && t.call_type != Some(CallType::CsrInbound)
    {
        let e = appt_ev.first().cloned();
        (CallOutcome::Sold, vec![reason("outcome", "An installation was scheduled", true, &e)], 0.65)
    } else if appointment.is_none()
        && (s.chose_competitor.is_some() || s.already_bought.is_some() || s.declined.is_some())
    {
        let e = s.chose_competitor.clone().or(s.already_bought.clone()).or(s.declined.clone());
        (CallOutcome::Lost, vec![reason("outcome", "Customer declined or chose another company", false, &e)], 0.8)
    } else if let Some(a) = appointment {
        let e = appt_ev.first().cloned();
        if t.call_type == Some(CallType::SalesAppointment) {
            // The visit was the appointment; a second one means the decision is still open.
            (
                CallOutcome::FollowUp,
                vec![reason(
                    "outcome",
                    &format!("Return {} booked; decision still open", a.appointment_type.replace('_', " ")),
                    true,
                    &e,
                )],
                0.7,
            )
        } else {
            (
                CallOutcome::AppointmentSet,
                vec![reason("outcome", &format!("{} booked", a.appointment_type.replace('_', " ")), true, &e)],
                0.8,
            )
        }
    } else if s.follow_up.is_some() {
        (CallOutcome::FollowUp, vec![reason("outcome", "A next contact was agreed", true, &s.follow_up)], 0.65)
    } else {
        let last = t.by(Role::Customer).last().map(|x| x.evidence());
        let unhandled = objections.iter().any(|o| !o.rep_attempted);
        let text = if unhandled { "Objections left unanswered and no next step" } else { "No next step was agreed" };
        (CallOutcome::Lost, vec![reason("outcome", text, false, &last)], 0.5)
    };
    let reasons: Vec<Reason> = reasons.into_iter().flatten().collect();
    let evidence = reasons.iter().flat_map(|r| r.evidence.clone()).collect();
    OutcomeAnalysis { outcome, reasons, confidence: conf(c), evidence }
}
