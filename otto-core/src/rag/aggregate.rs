//! Answers computed from the typed facts of the analyses (counts, rankings, lists), citing the
//! calls that were counted.

use std::collections::BTreeMap;

use super::{Answer, Citation, Intent};
use crate::analysis::CallAnalysis;
use crate::auth::Principal;
use crate::domain::{Call, DateRange, FactFilter, FactOrder};
use crate::error::Result;
use crate::pipeline::assemble;
use crate::Otto;

/// Most calls one aggregate answer lists or cites.
const MAX_LISTED: u32 = 12;

/// Per rep: (objections raised, handled, indexes of the calls).
type RepTally = (u32, u32, Vec<usize>);

struct Loaded {
    call: Call,
    analysis: CallAnalysis,
}

fn name_of(call: &Call, key: &str) -> Option<String> {
    call.metadata.get(key).and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_string)
}

fn rep_name(call: &Call) -> String {
    name_of(call, "rep_name").or_else(|| call.rep_id.clone()).unwrap_or_else(|| "an unassigned rep".into())
}

/// The integration's name for the customer, else the one they gave on the call, else their phone.
fn customer_name(l: &Loaded) -> String {
    name_of(&l.call, "customer_name")
        .or_else(|| l.analysis.summary.customer_name.clone())
        .or_else(|| l.call.caller_phone.clone())
        .unwrap_or_else(|| "a customer".into())
}

fn label(l: &Loaded) -> String {
    format!("{} ({}, rep {})", l.call.call_id, customer_name(l), rep_name(&l.call))
}

fn cite(l: &Loaded, excerpt: &str, segment: Option<usize>, confidence: f32) -> Citation {
    let seg = segment.and_then(|s| u32::try_from(s).ok());
    Citation {
        source: l.call.call_id.clone(),
        source_type: "call".into(),
        source_id: l.call.call_id.clone(),
        title: crate::knowledge::call_title(&l.call),
        excerpt: excerpt.to_string(),
        segment_index: seg,
        page: None,
        start_time: None,
        confidence,
    }
}

async fn load(otto: &Otto, p: &Principal, ids: &[String]) -> Result<Vec<Loaded>> {
    let mut out = Vec::new();
    for id in ids {
        let Some(call) = otto.store.get_call(p.company_id(), id).await? else { continue };
        if !p.may_see_rep(call.rep_id.as_deref()) {
            continue;
        }
        let records = otto.store.list_analyses(p.company_id(), id).await?;
        if let Some(analysis) = assemble(&records)? {
            out.push(Loaded { call, analysis });
        }
    }
    Ok(out)
}

/// One lost deal in words: who it went to (names the customer said), what the customer said
/// about it (their whole turns: the name is often a sentence of its own, "Cascade Exteriors."),
/// and what we had quoted. Numbers are digits. Returns the line and the excerpt and segment to
/// cite.
fn lost_deal(l: &Loaded, transcript: Option<&crate::domain::Transcript>) -> (String, String, Option<usize>) {
    use crate::analysis::text::{normalize_numbers, numbers_in};
    use crate::domain::SpeakerRole;
    let a = &l.analysis;
    let competitor = a.objections.iter().find(|o| o.objection_type.as_str() == "competitor");
    let cited = competitor
        .and_then(|o| o.evidence.first())
        .or_else(|| a.outcome.evidence.first())
        .map(|e| (e.quote.clone(), Some(e.segment_index)))
        .unwrap_or_default();
    let Some(t) = transcript.filter(|t| !t.segments.is_empty()) else {
        // No transcript to read: the analysis' own quotes.
        let mut said: Vec<String> = competitor.map(|o| o.objection_text.clone()).into_iter().collect();
        said.extend(a.outcome.evidence.iter().take(2).map(|e| e.quote.clone()));
        let said = if said.is_empty() { "lost".to_string() } else { normalize_numbers(&said.join(" ")) };
        return (format!("{}: {said}", label(l)), cited.0, cited.1);
    };
    // The customer's turns that carry the loss, at most three: the competitor objection, the
    // decision, then the price objection; shown in call order.
    let evidence_of = |kind: &str| -> Vec<usize> {
        a.objections
            .iter()
            .filter(|o| o.objection_type.as_str() == kind)
            .flat_map(|o| o.evidence.iter().map(|e| e.segment_index))
            .collect()
    };
    let competitor_turns = evidence_of("competitor");
    let decision: Vec<usize> = a.outcome.evidence.iter().map(|e| e.segment_index).collect();
    let mut turns: Vec<usize> = Vec::new();
    // One of each first (the competitor, the decision), then the rest.
    for i in competitor_turns
        .iter()
        .take(1)
        .chain(decision.iter().take(1))
        .chain(competitor_turns.iter().skip(1))
        .chain(decision.iter().skip(1))
        .copied()
        .chain(evidence_of("price"))
    {
        if turns.len() < 3 && !turns.contains(&i) && t.segments.get(i).is_some_and(|s| s.role != SpeakerRole::Rep) {
            turns.push(i);
        }
    }
    turns.sort_unstable();
    // Names the rep used to open the call (their own, the company's, the customer's) are ours.
    let mut known: Vec<String> = t
        .segments
        .iter()
        .filter(|s| s.role == SpeakerRole::Rep)
        .take(2)
        .flat_map(|s| s.text.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .map(str::to_string)
        .collect();
    known.extend(customer_name(l).split_whitespace().map(str::to_string));
    known.extend(rep_name(&l.call).split_whitespace().map(str::to_string));
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let mut names: Vec<String> = Vec::new();
    for &i in &turns {
        for n in crate::analysis::parties::proper_names(&t.segments[i].text, &known) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    if competitor.is_none() {
        names.clear(); // a lost deal without a competitor: the names are someone else's
    }
    let mut line = match names.as_slice() {
        [] => format!("{}:", label(l)),
        [one] => format!("{} went with {one}:", label(l)),
        more => format!("{} went with {}:", label(l), more.join(" / ")),
    };
    for &i in &turns {
        line.push_str(&format!(" \"{}\"", normalize_numbers(t.segments[i].text.trim())));
    }
    // Our price, from the rep's first sentence that names an amount of money (not an address,
    // a year or a phone number).
    const MONEY: &[&str] =
        &["dollar", "dollars", "bucks", "price", "cost", "costs", "charge", "quote", "installed", "total", "package"];
    let ours = t.segments.iter().filter(|s| s.role == SpeakerRole::Rep).find_map(|s| {
        normalize_numbers(&s.text)
            .split_inclusive(['.', '!', '?'])
            .find(|sentence| {
                let lower = sentence.to_lowercase();
                let money =
                    lower.contains('$') || lower.split(|c: char| !c.is_alphanumeric()).any(|w| MONEY.contains(&w));
                money && numbers_in(sentence).iter().any(|&n| n >= 100.0)
            })
            .map(|sentence| sentence.trim().to_string())
    });
    if let Some(ours) = ours {
        line.push_str(&format!(" Our quote: \"{ours}\""));
    }
    (line, cited.0, cited.1)
}

fn join_ids(items: &[Loaded]) -> String {
    let ids: Vec<&str> = items.iter().map(|l| l.call.call_id.as_str()).collect();
    match ids.len() {
        0 => String::new(),
        1 => ids[0].to_string(),
        n => format!("{} and {}", ids[..n - 1].join(", "), ids[n - 1]),
    }
}

fn range_words(range: &DateRange) -> String {
    match (range.from, range.to) {
        (Some(a), Some(b)) if a == b => format!(" on {a}"),
        (Some(a), Some(b)) => format!(" between {a} and {b}"),
        (Some(a), None) => format!(" since {a}"),
        (None, Some(b)) => format!(" up to {b}"),
        (None, None) => String::new(),
    }
}

/// Answers an aggregate intent; None when the intent needs text search after all.
pub(super) async fn answer(
    otto: &Otto,
    p: &Principal,
    scope: Option<&str>,
    range: &DateRange,
    intent: &Intent,
    question: &str,
) -> Result<Option<Answer>> {
    let company = p.company_id();
    let store = &otto.store;
    let (_, analysed) =
        store.matching_calls(company, scope, range, &FactFilter::default(), FactOrder::Recent, 1).await?;
    if analysed == 0 {
        let mut a = Answer::nothing(&format!(
            "No analysed calls{} are visible to you yet; try a wider date range.",
            range_words(range)
        ));
        a.mode = "aggregate".into();
        return Ok(Some(a));
    }
    let when = range_words(range);
    let answer = match intent {
        Intent::ObjectionFrequency => {
            let counts = store.objection_counts(company, scope, range).await?;
            let Some((top, n, handled)) = counts.first().cloned() else {
                return Ok(Some(Answer::new(
                    vec![format!("No objections were raised on the {analysed} analysed calls{when}.")],
                    Vec::new(),
                    0.8,
                    vec!["Which rep booked the most appointments?".into()],
                    "aggregate",
                )));
            };
            let filter = FactFilter { objection_type: Some(top.clone()), ..Default::default() };
            let (ids, _) = store.matching_calls(company, scope, range, &filter, FactOrder::Recent, MAX_LISTED).await?;
            let mut calls = load(otto, p, &ids).await?;
            calls.sort_by(|a, b| a.call.call_id.cmp(&b.call.call_id));
            let mut sentences = vec![format!(
                "{} was the most common objection{when}, raised on {n} of {analysed} analysed calls: {}.",
                capitalise(&top),
                join_ids(&calls)
            )];
            sentences.push(format!("The rep handled it on {handled} of those {n} calls."));
            let others: Vec<String> =
                counts.iter().skip(1).take(3).map(|(t, c, _)| format!("{t} on {c} call{}", plural(*c))).collect();
            if !others.is_empty() {
                let mut next = format!("Next came {}", others.join(", "));
                if let Some((second, _, _)) = counts.get(1) {
                    let f = FactFilter { objection_type: Some(second.clone()), ..Default::default() };
                    let (ids2, _) =
                        store.matching_calls(company, scope, range, &f, FactOrder::Recent, MAX_LISTED).await?;
                    let mut ids2 = ids2;
                    ids2.sort();
                    next.push_str(&format!(" ({second}: {})", ids2.join(", ")));
                }
                sentences.push(format!("{next}."));
            }
            let citations = calls
                .iter()
                .map(|l| {
                    let o = l.analysis.objections.iter().find(|o| o.objection_type.as_str() == top);
                    cite(
                        l,
                        o.map_or("", |o| o.objection_text.as_str()),
                        o.map(|o| o.segment_index),
                        o.map_or(0.5, |o| o.confidence),
                    )
                })
                .collect();
            Answer::new(
                sentences,
                citations,
                0.9,
                vec![
                    format!("Which rep handles {top} objections best?"),
                    format!("On which calls was the {top} objection not handled?"),
                    "Which leads did we lose, and why?".into(),
                ],
                "aggregate",
            )
        }
        Intent::ObjectionHandlingByRep(kind) => {
            let filter = FactFilter { objection_type: kind.clone(), ..Default::default() };
            let (ids, _) = store.matching_calls(company, scope, range, &filter, FactOrder::Recent, 200).await?;
            let calls = load(otto, p, &ids).await?;
            let mut per_rep: BTreeMap<String, RepTally> = BTreeMap::new();
            for (i, l) in calls.iter().enumerate() {
                for o in l
                    .analysis
                    .objections
                    .iter()
                    .filter(|o| kind.as_deref().is_none_or(|k| o.objection_type.as_str() == k))
                {
                    let e = per_rep.entry(rep_name(&l.call)).or_default();
                    e.0 += 1;
                    e.1 += u32::from(o.handled);
                    e.2.push(i);
                }
            }
            let mut ranked: Vec<(String, RepTally)> = per_rep.into_iter().collect();
            ranked.sort_by(|a, b| {
                let ra = f64::from(a.1 .1) / f64::from(a.1 .0.max(1));
                let rb = f64::from(b.1 .1) / f64::from(b.1 .0.max(1));
                rb.total_cmp(&ra).then(b.1 .0.cmp(&a.1 .0))
            });
            let what = kind.clone().map_or("objections".to_string(), |k| format!("{k} objections"));
            let Some((best, (n, h, idx))) = ranked.first().cloned() else { return Ok(None) };
            let mut sentences = vec![format!("{best} handles {what} best{when}: handled {h} of {n}.")];
            for (rep, (n2, h2, _)) in ranked.iter().skip(1).take(4) {
                sentences.push(format!("{rep}: handled {h2} of {n2}."));
            }
            let citations = idx
                .iter()
                .map(|&i| {
                    let l = &calls[i];
                    let o = l
                        .analysis
                        .objections
                        .iter()
                        .find(|o| kind.as_deref().is_none_or(|k| o.objection_type.as_str() == k));
                    cite(l, o.map_or("", |o| o.objection_text.as_str()), o.map(|o| o.segment_index), 0.8)
                })
                .collect();
            Answer::new(
                sentences,
                citations,
                0.8,
                vec![format!("What did {best} say when the customer raised {what}?")],
                "aggregate",
            )
        }
        Intent::AppointmentsByRep => {
            let activity = store.rep_activity(company, scope, range).await?;
            let Some((Some(top_rep), _, top_n, _)) = activity.first().cloned() else { return Ok(None) };
            if top_n == 0 {
                Answer::new(
                    vec![format!("No appointments were booked on the {analysed} analysed calls{when}.")],
                    vec![],
                    0.8,
                    vec![],
                    "aggregate",
                )
            } else {
                let second = activity.get(1).map_or(0, |a| a.2);
                let filter = FactFilter { appointment_booked: Some(true), ..Default::default() };
                let (ids, _) = store
                    .matching_calls(company, Some(&top_rep), range, &filter, FactOrder::Recent, MAX_LISTED)
                    .await?;
                let calls = load(otto, p, &ids).await?;
                let name = calls.first().map_or(top_rep.clone(), |l| rep_name(&l.call));
                let tied: Vec<String> =
                    activity.iter().skip(1).filter(|a| a.2 == top_n).filter_map(|a| a.0.clone()).collect();
                let mut sentences = vec![if tied.is_empty() {
                    format!(
                        "{name} booked the most appointments{when}: {top_n}; every other rep booked at most {second}."
                    )
                } else {
                    format!("{name} and {} booked the most appointments{when}, {top_n} each.", tied.join(", "))
                }];
                let details: Vec<String> = calls
                    .iter()
                    .filter_map(|l| {
                        l.analysis.appointment.as_ref().map(|a| {
                            format!(
                                "{}: {} {} ({})",
                                customer_name(l),
                                a.appointment_type.replace('_', " "),
                                a.when_phrase(),
                                l.call.call_id
                            )
                        })
                    })
                    .collect();
                if !details.is_empty() {
                    sentences.push(format!("Appointments: {}.", details.join("; ")));
                }
                let citations = calls
                    .iter()
                    .map(|l| {
                        let a = l.analysis.appointment.as_ref();
                        let quote = a.and_then(|a| a.evidence.first()).map_or("", |e| e.quote.as_str());
                        cite(
                            l,
                            quote,
                            a.and_then(|a| a.evidence.first()).map(|e| e.segment_index),
                            a.map_or(0.5, |a| a.confidence),
                        )
                    })
                    .collect();
                Answer::new(
                    sentences,
                    citations,
                    0.9,
                    vec![format!("What objections did {name} run into?"), "Which appointments are this week?".into()],
                    "aggregate",
                )
            }
        }
        Intent::LostDeals { competitor } => {
            let lost = FactFilter { outcome: Some("lost".into()), ..Default::default() };
            let with_competitor = FactFilter { objection_type: Some("competitor".into()), ..lost.clone() };
            let (mut ids, _) = store
                .matching_calls(
                    company,
                    scope,
                    range,
                    if *competitor { &with_competitor } else { &lost },
                    FactOrder::Recent,
                    MAX_LISTED,
                )
                .await?;
            if ids.is_empty() && *competitor {
                ids = store.matching_calls(company, scope, range, &lost, FactOrder::Recent, MAX_LISTED).await?.0;
            }
            let mut calls = load(otto, p, &ids).await?;
            calls.sort_by(|a, b| a.call.call_id.cmp(&b.call.call_id));
            if calls.is_empty() {
                Answer::new(
                    vec![format!("No lost deals among the {analysed} analysed calls{when}.")],
                    vec![],
                    0.8,
                    vec![],
                    "aggregate",
                )
            } else {
                let mut sentences = vec![format!(
                    "We lost {} lead{}{when}: {}.",
                    calls.len(),
                    plural(calls.len() as u64),
                    join_ids(&calls)
                )];
                let mut citations = Vec::new();
                for l in &calls {
                    let transcript = otto.stored_transcript(&l.call).await.ok();
                    let (line, excerpt, seg) = lost_deal(l, transcript.as_ref());
                    sentences.push(line);
                    citations.push(cite(l, &excerpt, seg, 0.8));
                }
                Answer::new(
                    sentences,
                    citations,
                    0.85,
                    vec![
                        "What were the competitors' prices?".into(),
                        "Which lost leads are worth a rehash call?".into(),
                    ],
                    "aggregate",
                )
            }
        }
        Intent::NotQualified { inbound } => {
            let filter = FactFilter {
                qualified: Some(false),
                call_type: inbound.then(|| "csr_inbound".to_string()),
                ..Default::default()
            };
            let (ids, _) = store.matching_calls(company, scope, range, &filter, FactOrder::Recent, MAX_LISTED).await?;
            let mut calls = load(otto, p, &ids).await?;
            calls.sort_by(|a, b| a.call.call_id.cmp(&b.call.call_id));
            let kind = if *inbound { "inbound calls" } else { "calls" };
            if calls.is_empty() {
                Answer::new(
                    vec![format!("All analysed {kind}{when} were qualified.")],
                    vec![],
                    0.8,
                    vec![],
                    "aggregate",
                )
            } else {
                let mut sentences =
                    vec![format!("{} {kind}{when} were not qualified: {}.", calls.len(), join_ids(&calls))];
                let mut citations = Vec::new();
                for l in &calls {
                    let reasons: Vec<&crate::analysis::Reason> = l
                        .analysis
                        .outcome
                        .reasons
                        .iter()
                        .chain(l.analysis.lead.qualification_reasons.iter().filter(|r| !r.positive))
                        .take(2)
                        .collect();
                    let why = reasons.iter().map(|r| r.text.trim_end_matches('.')).collect::<Vec<_>>().join("; ");
                    let mut line =
                        format!("{}: {}.", label(l), if why.is_empty() { "not qualified".into() } else { why });
                    // The words behind the reasons ("my landlord, Desert Key Property Management,
                    // has to approve it") and what was agreed next.
                    let mut quotes: Vec<String> = Vec::new();
                    for e in reasons.iter().flat_map(|r| r.evidence.iter()) {
                        let q = crate::analysis::text::normalize_numbers(e.quote.trim());
                        if q.is_empty() || quotes.iter().any(|k| k.contains(&q)) {
                            continue;
                        }
                        // A longer quote of the same words replaces the shorter one.
                        quotes.retain(|k| !q.contains(k.as_str()));
                        if quotes.len() < 2 {
                            quotes.push(q);
                        }
                    }
                    for q in &quotes {
                        line.push_str(&format!(" \"{q}\""));
                    }
                    if let Some(next) = l.analysis.summary.next_steps.first() {
                        line.push_str(&format!(
                            " Next: {}",
                            crate::analysis::text::normalize_numbers(next.text.trim())
                        ));
                    }
                    sentences.push(line);
                    let ev = reasons.iter().find_map(|r| r.evidence.first());
                    citations.push(cite(l, ev.map_or("", |e| e.quote.as_str()), ev.map(|e| e.segment_index), 0.8));
                }
                Answer::new(
                    sentences,
                    citations,
                    0.85,
                    vec!["Which calls were qualified but not booked?".into()],
                    "aggregate",
                )
            }
        }
        Intent::SopGaps => {
            let filter = FactFilter { exclude_outcome: Some("not_qualified".into()), ..Default::default() };
            let (ids, _) = store.matching_calls(company, scope, range, &filter, FactOrder::ComplianceAsc, 5).await?;
            let calls: Vec<Loaded> = load(otto, p, &ids)
                .await?
                .into_iter()
                .filter(|l| !l.analysis.sop.stages.is_empty() && l.analysis.sop.compliance_score < 0.6)
                .collect();
            if calls.is_empty() {
                Answer::new(
                    vec![format!("No rep skipped most of the SOP on real prospects{when}.")],
                    vec![],
                    0.7,
                    vec![],
                    "aggregate",
                )
            } else {
                let mut sentences = Vec::new();
                let mut citations = Vec::new();
                for l in &calls {
                    let done = &l.analysis.sop.stages_completed;
                    sentences.push(format!(
                        "{} on the {} call ({}) followed {:.0}% of the SOP: performed only {}; skipped {}.",
                        rep_name(&l.call),
                        customer_name(l),
                        l.call.call_id,
                        l.analysis.sop.compliance_score * 100.0,
                        if done.is_empty() { "nothing".into() } else { done.join(", ") },
                        l.analysis.sop.stages_missing.join(", ")
                    ));
                    let gap = l.analysis.sop.gaps.first();
                    citations.push(cite(l, gap.map_or("", |g| g.recommendation.as_str()), None, 0.75));
                }
                Answer::new(
                    sentences,
                    citations,
                    0.8,
                    vec!["Which SOP stage is skipped most often?".into()],
                    "aggregate",
                )
            }
        }
        Intent::BestLeads => {
            let (ids, _) =
                store.matching_calls(company, scope, range, &FactFilter::default(), FactOrder::RehashDesc, 5).await?;
            let calls = load(otto, p, &ids).await?;
            let mut sentences = vec![format!("The leads most worth following up{when}:")];
            let mut citations = Vec::new();
            for l in &calls {
                let r = &l.analysis.rehash;
                sentences.push(format!(
                    "{}: rehash {} of 5, {} lead{}.",
                    label(l),
                    r.rehash_score,
                    l.analysis.lead.lead_status.as_str(),
                    r.reasons.first().map(|x| format!(" ({})", x.text)).unwrap_or_default()
                ));
                let ev = r.evidence.first();
                citations.push(cite(l, ev.map_or("", |e| e.quote.as_str()), ev.map(|e| e.segment_index), r.confidence));
            }
            Answer::new(sentences, citations, 0.75, vec![], "aggregate")
        }
        Intent::CallCount => {
            let activity = store.rep_activity(company, scope, range).await?;
            let appts: u64 = activity.iter().map(|a| a.2).sum();
            let qualified: u64 = activity.iter().map(|a| a.3).sum();
            Answer::new(
                vec![format!("{analysed} calls were analysed{when}: {qualified} qualified leads and {appts} appointments booked.")],
                vec![],
                0.9,
                vec!["Which rep booked the most appointments?".into()],
                "aggregate",
            )
        }
        Intent::Search => return Ok(None),
    };
    let _ = question;
    Ok(Some(answer))
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
