//! Objection detection: which concerns the customer raised, in their words, whether the rep
//! answered them, how severe they were and what a better answer would look like.
//!
//! Detection scores each customer sentence against per-type lexicons of how homeowners voice a
//! concern (not of any particular call's wording). Strong cues count 1.0, weak cues 0.5; a type
//! needs 1.0 in one turn. Cues in the scope of a negator do not count ("it's not too
//! expensive"). A concern that comes back later in the call is the same objection, so each type
//! is reported once, at its first turn, with the later turns added as evidence.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::outcome::{CallOutcome, OutcomeAnalysis};
use super::text::{count_any, has_any, has_any_affirmed};
use super::{conf, Evidence, Role, Transcript, Turn};

/// The kind of concern a customer raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionType {
    /// The price is too high or over budget.
    Price,
    /// Not now: wants to wait, scheduling conflict, needs time to think.
    Timing,
    /// Someone else must decide: spouse, landlord, owner, partner.
    Authority,
    /// Doubts the work is needed at all.
    Need,
    /// Distrusts the company, salespeople or claims.
    Trust,
    /// Has or prefers another company's offer.
    Competitor,
    /// Concerned about paying: payment plans, interest, credit.
    Financing,
}

impl ObjectionType {
    /// Wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionType::Price => "price",
            ObjectionType::Timing => "timing",
            ObjectionType::Authority => "authority",
            ObjectionType::Need => "need",
            ObjectionType::Trust => "trust",
            ObjectionType::Competitor => "competitor",
            ObjectionType::Financing => "financing",
        }
    }
    const ALL: [ObjectionType; 7] = [
        ObjectionType::Price,
        ObjectionType::Timing,
        ObjectionType::Authority,
        ObjectionType::Need,
        ObjectionType::Trust,
        ObjectionType::Competitor,
        ObjectionType::Financing,
    ];
}

/// How much an objection threatens the deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Resolved quickly; the customer moved on.
    Low,
    /// Needed work or stayed partly open.
    Medium,
    /// Unresolved, or it ended the deal.
    High,
}

/// One objection raised by the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Objection {
    /// Kind of concern.
    pub objection_type: ObjectionType,
    /// Index of the customer segment where it was first raised.
    pub segment_index: usize,
    /// The customer's own words (the sentences that carried the concern).
    pub objection_text: String,
    /// The rep made a genuine, relevant attempt to answer (not a dismissal).
    pub rep_attempted: bool,
    /// The answer resolved the concern or moved the call forward.
    pub handled: bool,
    /// How much it threatens the deal.
    pub severity: Severity,
    /// What a strong answer would do.
    pub response_suggestions: Vec<String>,
    /// Detection confidence.
    pub confidence: f32,
    /// The customer turn(s) raising it and the rep's reply.
    pub evidence: Vec<Evidence>,
}

type Lex = &'static [&'static str];

struct Lexicon {
    strong: Lex,
    weak: Lex,
}

const PRICE_STRONG: Lex = &[
    "too much",
    "too pricey",
    "pricey",
    "too high",
    "that's expensive",
    "it's expensive",
    "so expensive",
    "very expensive",
    "really expensive",
    "pretty expensive",
    "kind of expensive",
    "too expensive",
    "a lot of money",
    "lot more than",
    "more than ~ thinking|expecting|budgeted|figured|planned|wanted|hoping|hoped|prepared|looking",
    "hoping|wanted|planned|prepared ~ to spend",
    "thousand|hundred|grand ~ less|cheaper|lower",
    "out of reach",
    "numbers ~ don't|doesn't|won't work",
    "math ~ doesn't|don't work",
    "doesn't pencil out",
    "is a lot for|to",
    "a lot for a|just|the",
    "charge extra",
    "upcharge",
    "can't justify",
    "hard to justify",
    "didn't expect it to be",
    "wasn't expecting ~ that|it|so",
    "can't afford",
    "cannot afford",
    "couldn't afford",
    "out of ~ budget",
    "over ~ budget",
    "above ~ budget",
    "stay under",
    "keep it under",
    "come down on ~ price|it|that|this",
    "come down ~ little|bit|any|some|more",
    "lower ~ price",
    "any discount*",
    "better price|deal",
    "best you can do",
    "that kind of money",
    "kind of money",
    "was price",
    "was the price",
    "sticker shock",
    "steep",
    "big difference",
    "rip off",
    "ripoff",
    "overpriced",
    "more than my|our car",
    "fixed income",
    "retirement income",
    "money's tight",
    "money is tight",
    "tight budget",
    "budget is tight",
    "can't swing",
    "not in the budget",
    "cost a fortune",
    "arm and a leg",
    "costs a fortune",
    "out of my price range",
    "price range",
    "too rich",
    "good bit more",
    "chunk of change",
    "kinda steep",
    "a lot of money",
    "grand higher|more",
    "that much",
    "more than we|i ~ paid|pay",
];
const PRICE_WEAK: Lex = &["cheaper", "~ less", "wow", "not happening", "expensive", "that's a lot", "a lot"];

const COMPETITOR_STRONG: Lex = &[
    "another company",
    "other company",
    "another contractor",
    "other contractor",
    "other guys",
    "another guy",
    "other quote",
    "another quote",
    "other bid",
    "another bid",
    "other estimate",
    "another estimate",
    "went with",
    "going with ~ other|another|them|someone|somebody",
    "go with ~ other|another|them|someone|somebody",
    "their guy",
    "his guy",
    "her guy",
    "my neighbor ~ uses|used|had|recommended",
    "came in at",
    "got ~ quote|quotes|bid|bids|estimate|estimates",
    "cheaper elsewhere",
    "somebody else",
    "someone else",
    "second opinion",
    "already ~ hired|signed with",
    "getting ~ quotes|bids|estimates|prices",
    "comparing ~ numbers|prices|quotes|bids|estimates",
    "does|do ~ kind|type|sort of work",
    "in the trade|trades|business",
    "know a guy",
    "know ~ somebody|someone who",
    "do it ourselves|myself|himself|herself",
    "cost of materials",
    "other outfit*",
    "still shopping",
    "shopping around",
    "other bids",
    "two|three|couple|few other|more ~ bids|quotes|estimates|companies|outfits",
    "already ~ had|got ~ ~ put|installed|replaced",
    "already ~ bought|signed|hired|installed|replaced",
    "put us in touch with",
    "could|can|would do it ~ cheaper|less|side",
    "on the side",
    "for cheaper",
    "he's|she's ~ a|an electrician|plumber|roofer|contractor|handyman|installer",
    "in the business",
];
const COMPETITOR_WEAK: Lex = &["shopping around", "calling around", "other people", "other places", "other companies"];

const TIMING_STRONG: Lex = &[
    "not ready",
    "not right now",
    "not a good time",
    "bad time",
    "wait until|till|til",
    "wait and see",
    "hold off",
    "put it off",
    "until fall|spring|summer|winter|next",
    "next year",
    "later this year",
    "few months",
    "couple ~ months",
    "down the road",
    "think about it",
    "think it over",
    "sleep on it",
    "limp it along",
    "not in a rush|hurry",
    "not in the cards",
    "next spring|summer|fall|winter|season",
    "after the new year",
    "new year",
    "can wait",
    "not urgent",
    "mull it over",
    "need some time",
    "give ~ us|me some time",
    "maybe later",
    "too busy",
    "can't take time off",
    "take ~ time off",
    "all week",
    "out of town",
    "week's|weekend's|day's|today's|tomorrow's no good",
    "not the best time",
    "doesn't work for me|us",
    "won't work for me|us",
    "can't do ~ that day|then|this week",
    "after the holidays",
    "not this year",
    "no rush",
    "in no hurry",
    "until|till|til ~ fall|spring|summer|winter|holidays|tax|refund|january|february|march|april|may",
    "not ~ anything ~ until|till|til",
    "push it|this ~ back|out",
    "wait ~ bit|while",
    "not gonna|going to do ~ anything",
];
const TIMING_WEAK: Lex = &["get back to you", "staying with us", "busy", "later"];

const AUTHORITY_STRONG: Lex = &[
    "talk to|with my|the wife|husband|spouse|partner|family|landlord|owner|boss",
    "talk it over",
    "run it by",
    "check with my|the",
    "ask my wife|husband|spouse|partner",
    "discuss ~ with",
    "wife|husband|spouse|partner ~ needs|has|wants to",
    "wife|husband|spouse|partner ~ going to want",
    "wife|husband|spouse|partner ~ want*|need*|decide*|approve*|handles",
    "want|needs|has to be there",
    "wife|husband|spouse|partner ~ be there",
    "without my|the|her|him wife|husband|spouse|partner|landlord|owner",
    "not my decision",
    "not up to me",
    "landlord",
    "i rent",
    "i'm renting",
    "we rent",
    "we're renting",
    "renting",
    "tenant",
    "property manager",
    "management company",
    "owner's approval",
    "my boss",
    "decision maker",
    "we both need",
    "signing ~ without",
    "deciding ~ without",
    "needs to see|approve|sign|look|review",
    "has to see|approve|sign|look|review",
    "want to see all",
    "handles ~ this|that|these|all|most|the",
    "rather he|she|they ~ be there",
    "he'd|she'd want to be|see",
    "going to want to see",
    "what the|my wife|husband|spouse|partner ~ thinks|says|wants",
    "see what ~ wife|husband|spouse|partner",
    "want|like|need my|the|her|him wife|husband|spouse|partner ~ to hear|see|look|be",
    "before we ~ decide|pick|sign|commit",
    "ask my landlord|wife|husband|spouse|partner|owner|boss",
];
const AUTHORITY_WEAK: Lex = &["not deciding", "not signing", "the owner", "co signer"];

const NEED_STRONG: Lex = &[
    "don't need",
    "do not need",
    "didn't need",
    "don't think ~ need",
    "not sure ~ need",
    "why would ~ need",
    "nobody told me ~ need*",
    "whole new system",
    "still works|working|cooling|running",
    "works fine",
    "working fine",
    "runs fine",
    "nothing wrong",
    "just needs a",
    "only needs",
    "just a ~ repair|fix|part",
    "dollar fix",
    "years left",
    "don't see the point",
    "not worth it",
    "doesn't need",
    "not necessary",
    "unnecessary",
    "that bad",
    "not a big deal",
    "only ~ couple|few times a year",
    "tastes fine",
    "seems fine",
    "not sure we need",
    "not sure ~ worth",
];
const NEED_WEAK: Lex = &["not interested", "we're fine", "it's fine"];

const TRUST_STRONG: Lex = &[
    "pushy",
    "scam",
    "don't trust",
    "can't trust",
    "how do i know",
    "been burned",
    "ripped off",
    "bad experience",
    "bad reviews",
    "sketchy",
    "shady",
    "almost cancel*",
    "too good to be true",
    "are you licensed",
    "are you insured",
    "heard bad things",
    "skeptical",
    "wary",
    "what's the catch",
    "fine print",
    "hidden fee*",
    "bait and switch",
    "knock on my door",
    "high pressure",
    "salesmen",
    "sales guys",
    "heard ~ mixed|bad|negative|terrible|awful|horror",
    "mixed reviews",
    "horror stories",
    "never ~ called|showed|came ~ back|up",
    "didn't show up",
    "no show*",
    "not sure ~ trust",
    "complaints about",
    "subcontract*",
    "sub ~ out",
    "random guy|guys|people",
    "fly by night",
    "never heard of ~ you|your",
    "don't know you",
];
const TRUST_WEAK: Lex = &["guys knock", "pressure", "reviews", "licensed", "insured", "gimmick"];

const FINANCING_STRONG: Lex = &[
    "payment plan*",
    "financing",
    "finance",
    "interest rate",
    "kind of interest",
    "what interest",
    "monthly payment*",
    "credit score",
    "my credit",
    "our credit",
    "loan",
    "write a check",
    "pay ~ over time",
    "down payment",
    "apr",
    "installments",
    "qualify for ~ financing|loan|credit|it|that",
    "bank ~ said no|turned|denied|declined|won't",
    "denied|declined|turned down ~ for",
    "didn't|don't|not ~ approved|qualify",
    "spread ~ it|that|this|payments ~ out",
    "spread out",
    "break it up",
    "make payments",
    "pay ~ monthly",
    "some kind of plan",
];
const FINANCING_WEAK: Lex = &["interest", "credit", "monthly"];

const LEXICONS: [Lexicon; 7] = [
    Lexicon { strong: PRICE_STRONG, weak: PRICE_WEAK },
    Lexicon { strong: TIMING_STRONG, weak: TIMING_WEAK },
    Lexicon { strong: AUTHORITY_STRONG, weak: AUTHORITY_WEAK },
    Lexicon { strong: NEED_STRONG, weak: NEED_WEAK },
    Lexicon { strong: TRUST_STRONG, weak: TRUST_WEAK },
    Lexicon { strong: COMPETITOR_STRONG, weak: COMPETITOR_WEAK },
    Lexicon { strong: FINANCING_STRONG, weak: FINANCING_WEAK },
];

/// The owner's say-so is already given, or the caller is the owner ("my landlord told me to
/// call, he'll pay", "a duplex I rent out"): renting or a landlord mentioned here is no
/// objection.
pub(crate) const AUTHORITY_GRANTED: Lex = &[
    "told me|us to call|get|go",
    "said to call|get|go",
    "he'll|she'll|they'll pay for it|the|this",
    "will pay for",
    "already approved",
    "gave me|us ~ okay|ok|permission|go",
    "rent ~ out",
    "my tenant*",
    "i'm the landlord|owner",
    "whatever i decide|want|pick",
    "up to me",
    "my call",
    "i get to pick|decide|choose",
    "leaves it|that ~ to me",
];

/// Budget strain ("money's tight", "can't swing it"): the reason behind a concern rather than
/// its kind. Said with a wish to wait it is a timing objection, with a request for a payment
/// plan a financing one, and only on its own a price objection.
const BUDGET_STRAIN: Lex = &[
    "money's tight",
    "money is tight",
    "money's ~ been tight",
    "tight budget",
    "budget is tight",
    "can't swing",
    "not in the budget",
];

/// A customer asking for the financing paperwork the rep just offered is taking up an answer,
/// not raising a concern.
const FINANCING_UPTAKE: Lex =
    &["send|email|mail ~ me|us ~ financ*", "financing ~ stuff|info|information|paperwork|application|details|forms"];

/// Rep questions about who else decides: the customer's plain answer ("my wife handles the
/// house stuff", "just me") is qualification information, not an objection.
const DECIDER_QUESTION: Lex =
    &["anyone|anybody|someone ~ else", "who else", "decision", "decide", "decides", "involved", "part of this|the"];

/// Words that turn such an answer into a real hold-up: a deferral to the other person.
const DEFERRAL: Lex = &[
    "need to",
    "have to",
    "has to",
    "got to",
    "gotta",
    "rather",
    "run it by",
    "talk*",
    "first",
    "before",
    "without",
    "let me",
    "see what",
    "want to|wants to",
    "ask",
    "check with",
    "be there",
    "not deciding",
    "not signing",
    "not my",
    "not up to",
];

/// Agreement that, in the same turn, outweighs weak cues ("let's do it, it's a lot but fine").
const ACCEPTANCE: Lex = &[
    "let's do",
    "let's go with",
    "where do i sign",
    "sounds good",
    "go ahead",
    "i'll take",
    "we'll take",
    "just do it",
    "sign me up",
    "that's a different conversation",
];

/// Rep replies that answer with substance: an option, an explanation, a comparison, a plan.
const ADDRESSING: Lex = &[
    "we have",
    "we do",
    "we offer",
    "we can",
    "i can",
    "what i can do",
    "option*",
    "financing",
    "payment*",
    "warranty",
    "compar*",
    "would it work",
    "how about",
    "because",
    "the reason",
    "the difference",
    "the trouble is",
    "the thing is",
    "included",
    "including",
    "instead",
    "that way",
    "let me",
    "want me to",
    "i'll send",
    "i'll email",
    "i'd rather",
    "come back",
    "come by",
    "a month",
    "per month",
    "zero percent",
    "no interest",
    "lenders",
    "plan*",
    "we work with",
    "looking at this",
    "i'll call",
    "reach out",
    "local",
    "our own",
    "no pressure",
    "real numbers",
    "i'll tell you",
    "upfront",
    "i'm not going to",
    "saturdays",
    "weekends",
    "we also",
    "since then",
    "review*",
    "referenc*",
    "rated",
    "we hired",
    "you'll get",
    "look into",
    "you can read|check|see|look",
    "the catch",
    "the risk",
    "the problem with",
    "the issue with",
    "what happens is",
    "lets you see",
    "happy to",
    "so you'd",
    "you'd get",
    "resale",
    "one thing",
    "keep in mind",
    "i'd mention",
    "only applies|works|counts",
    "good through|until",
    "increase",
    "goes up",
    "lock ~ in",
    "take a look",
    "i'll check",
    "it's a soft",
];

/// Rep replies that brush the concern off or pressure instead of answering.
const DISMISSIVE: Lex = &[
    "that's what we charge",
    "don't know what they're including",
    "pretty standard",
    "your call",
    "be careful",
    "only good today",
    "sign today",
    "i can't really",
    "pretty much",
    "you'd have to call",
    "borrowed time",
    "most people ~ just",
    "up to you",
    "take it or leave it",
    "whatever you want",
    "not my problem",
    "nothing i can do",
    "can't help",
];

/// Customer replies that show the concern is still blocking.
const STILL_BLOCKED: Lex = &[
    "nah",
    "no thanks",
    "not interested",
    "i'll go with",
    "go with the other",
    "still too",
    "i'll pass",
    "i'll just have",
    "i'll miss out",
    "guess i'll miss",
    "not signing",
];

/// Rep replies that bring the other decision maker into a concrete next meeting.
const JOINT_MEETING: Lex = &[
    "both home",
    "both there",
    "both be",
    "you're both",
    "together",
    "come back",
    "come by",
    "three way",
    "conference",
    "with your wife|husband|spouse|partner",
    "join us",
    "meet with",
    "meet again",
    "when he's|she's|they're|he|she|they ~ home|there|around|back|available|off",
    "he's|she's ~ home|there|around|available",
    "evening*",
];

fn sentence_scores(tokens: &[String]) -> [f32; 7] {
    let mut s = [0.0f32; 7];
    for (k, lex) in LEXICONS.iter().enumerate() {
        let strong = lex.strong.iter().filter(|p| has_any_affirmed(tokens, &[p])).count() as f32;
        let weak = lex.weak.iter().filter(|p| has_any_affirmed(tokens, &[p])).count() as f32;
        s[k] = strong + 0.5 * weak;
    }
    s
}

/// A quoted price from someone else: "Valley Flow told me sixteen fifty", "their guy said it's
/// a two hundred dollar fix". Needs a third-party subject, a telling verb and a number.
fn third_party_price(sentence: &super::Sentence) -> bool {
    let toks = &sentence.tokens;
    let verb = has_any(
        toks,
        &["told me|us", "quoted", "charged", "said", "offered", "came in", "gave us|me", "were about|around"],
    );
    let number = sentence.norm_text.chars().any(|c| c.is_ascii_digit())
        || toks.iter().any(|w| super::text::unit_value(w).is_some() || super::text::tens_value(w).is_some());
    let third_party = has_any(toks, &["they", "their", "he", "she", "them"])
        || sentence.text.split_whitespace().skip(1).any(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            w.chars().next().is_some_and(char::is_uppercase) && w.len() > 1 && w != "I" && !is_calendar_word(w)
        });
    verb && number && third_party && !has_any(toks, &["i told you", "you told me", "you said", "you quoted"])
}

fn is_calendar_word(w: &str) -> bool {
    const CAL: &[&str] = &[
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "SEER",
        "SEER2",
        "AC",
        "HVAC",
        "OK",
        "Okay",
    ];
    CAL.contains(&w)
}

/// Raw detection: objection types per customer turn, merged per type, with the rep's attempt
/// judged. `handled` and `severity` are provisional until [`finalize`] sees the outcome.
pub(crate) fn detect(t: &Transcript) -> Vec<Objection> {
    let mut found: Vec<Objection> = Vec::new();
    for turn in t.by(Role::Customer) {
        let mut scores = [0.0f32; 7];
        let mut quotes: [Vec<String>; 7] = Default::default();
        for s in &turn.sentences {
            let mut ss = sentence_scores(&s.tokens);
            if third_party_price(s) {
                ss[5] += 1.0;
            }
            for k in 0..7 {
                if ss[k] > 0.0 {
                    scores[k] += ss[k];
                    quotes[k].push(s.text.clone());
                }
            }
        }
        let accepting = has_any(&turn.tokens, ACCEPTANCE);
        if has_any(&turn.tokens, AUTHORITY_GRANTED) {
            scores[2] = 0.0;
        }
        let answers_decider_question = t.turns.get(turn.index.wrapping_sub(1)).is_some_and(|p| {
            p.role == Role::Rep && p.sentences.iter().any(|s| s.question && has_any(&s.tokens, DECIDER_QUESTION))
        });
        if answers_decider_question && !has_any(&turn.tokens, DEFERRAL) {
            scores[2] = 0.0;
        }
        if has_any(&turn.tokens, FINANCING_UPTAKE) {
            scores[6] = 0.0;
        }
        // A price complaint and a payment question in one breath is a financing concern:
        // "I can't just write a check, do you do payment plans?" Only strong price cues survive,
        // and budget strain is not one of them ("money's tight, can we spread it out?").
        let strain = has_any_affirmed(&turn.tokens, BUDGET_STRAIN);
        let strong_price =
            PRICE_STRONG.iter().filter(|p| !BUDGET_STRAIN.contains(p)).any(|p| has_any_affirmed(&turn.tokens, &[p]));
        if scores[6] >= 1.0 && !strong_price {
            scores[0] = 0.0;
        }
        // Money is tight "after the holidays" next to a payment-plan request: the holidays say
        // why money is short, not that the customer wants to wait.
        if scores[6] >= 1.0 && !has_any(&turn.tokens, &["wait*", "hold off", "put it off", "not ready", "later"]) {
            scores[1] = 0.0;
        }
        // "Money's tight, so we'd wait until May" is a wish to wait.
        if strain && !strong_price && scores[1] >= 1.0 {
            scores[0] = 0.0;
        }
        for (k, kind) in ObjectionType::ALL.iter().enumerate() {
            let strong_hits = LEXICONS[k].strong.iter().any(|p| has_any_affirmed(&turn.tokens, &[p]))
                || (k == 5 && turn.sentences.iter().any(third_party_price));
            if scores[k] < 1.0 || (accepting && !strong_hits) {
                continue;
            }
            let quote = quotes[k].join(" ");
            if let Some(existing) = found.iter_mut().find(|o| o.objection_type == *kind) {
                if existing.evidence.len() < 4 {
                    existing.evidence.push(turn.evidence_quote(&quote));
                }
                continue;
            }
            let (attempted, reply) = judge_reply(t, turn, *kind);
            let mut evidence = vec![turn.evidence_quote(&quote)];
            if let Some(r) = reply {
                evidence.push(r.evidence());
            }
            found.push(Objection {
                objection_type: *kind,
                segment_index: turn.index,
                objection_text: quote,
                rep_attempted: attempted,
                handled: attempted,
                severity: Severity::Medium,
                response_suggestions: suggestions(*kind),
                confidence: conf(0.55 + 0.15 * scores[k] + if strong_hits { 0.1 } else { 0.0 }),
                evidence,
            });
        }
    }
    found.sort_by_key(|o| o.segment_index);
    found
}

/// Did the rep answer the concern with substance rather than brush it off? Looks at the next
/// two rep turns, because reps often ask a question first and answer once they hear back; a
/// dismissive first reply ends the judgement.
fn judge_reply<'a>(t: &'a Transcript, turn: &Turn, kind: ObjectionType) -> (bool, Option<&'a Turn>) {
    let first = t.next_by(turn.index, Role::Rep);
    let mut cursor = turn.index;
    for attempt in 0..2 {
        let Some(reply) = t.next_by(cursor, Role::Rep) else {
            break;
        };
        if reply.index > turn.index + 4 || has_any(&reply.tokens, DISMISSIVE) {
            break;
        }
        let addressing = count_any(&reply.tokens, ADDRESSING);
        let clarifying = reply.sentences.iter().any(|s| s.question)
            && has_any(
                &reply.tokens,
                &[
                    "what number",
                    "can i ask",
                    "what would",
                    "what are you",
                    "what's holding",
                    "help me understand",
                    "can i see",
                    "do you have their",
                ],
            );
        // A later reply only counts if it is about this concern, not a new topic.
        let on_topic = attempt == 0 || has_any(&reply.tokens, topic_words(kind));
        if reply.word_count() >= 8 && (addressing >= 1 || clarifying) && on_topic {
            return (true, Some(reply));
        }
        cursor = reply.index;
    }
    (false, first)
}

fn topic_words(kind: ObjectionType) -> &'static [&'static str] {
    match kind {
        ObjectionType::Price | ObjectionType::Financing => &[
            "price*", "cost*", "dollars", "financ*", "payment*", "month", "option*", "cheaper", "value", "warrant*",
            "interest", "rate", "budget", "discount", "save*", "savings", "cash",
        ],
        ObjectionType::Timing => &[
            "wait*",
            "schedul*",
            "time",
            "day",
            "soon",
            "now",
            "before",
            "worse",
            "week",
            "weekend*",
            "saturday*",
            "later",
        ],
        ObjectionType::Authority => {
            &["both", "wife", "husband", "spouse", "partner", "together", "landlord", "owner", "them", "her", "him"]
        }
        ObjectionType::Need => &["need*", "because", "condition", "photos", "age", "old", "risk", "fix", "repair"],
        ObjectionType::Trust => {
            &["licens*", "review*", "warrant*", "local", "referenc*", "years", "insured", "bonded", "pressure"]
        }
        ObjectionType::Competitor => &["they", "their", "quote", "bid", "compar*", "same", "differen*", "other"],
    }
}

/// Settles `handled` and `severity` once the call outcome is known: an attempt only counts as
/// handled if it moved the call forward.
pub(crate) fn finalize(t: &Transcript, mut objections: Vec<Objection>, outcome: &OutcomeAnalysis) -> Vec<Objection> {
    let dead_end = matches!(outcome.outcome, CallOutcome::Lost | CallOutcome::NotQualified);
    for o in &mut objections {
        let reply = t.next_by(o.segment_index, Role::Rep);
        let reaction = reply.and_then(|r| t.next_by(r.index, Role::Customer));
        let blocked = reaction.is_some_and(|c| has_any(&c.tokens, STILL_BLOCKED));
        let mut handled = o.rep_attempted && !dead_end && !blocked;
        if o.objection_type == ObjectionType::Authority {
            // The fix for "my spouse decides" is getting the spouse into the next meeting.
            handled &= reply.is_some_and(|r| has_any(&r.tokens, JOINT_MEETING));
        }
        o.handled = handled;
        let positive = reaction.is_some_and(|c| {
            has_any(
                &c.tokens,
                &[
                    "okay",
                    "ok",
                    "sure",
                    "fair",
                    "good",
                    "great",
                    "better",
                    "makes sense",
                    "that does",
                    "different conversation",
                    "go ahead",
                    "yes",
                    "yeah",
                ],
            )
        });
        o.severity = if !handled && (dead_end || blocked) {
            Severity::High
        } else if !handled || !positive {
            Severity::Medium
        } else {
            Severity::Low
        };
    }
    objections
}

fn suggestions(kind: ObjectionType) -> Vec<String> {
    let s: &[&str] = match kind {
        ObjectionType::Price => &[
            "Acknowledge the concern and ask what number they had in mind",
            "Tie the price back to the problems they described and what is included",
            "Offer a lower-cost option or a monthly payment view",
        ],
        ObjectionType::Timing => &[
            "Ask what is driving the wish to wait",
            "Explain the cost or risk of waiting with facts from this job",
            "Offer a time that fits their schedule and lock it in",
        ],
        ObjectionType::Authority => &[
            "Ask who else is part of the decision",
            "Book a follow-up when every decision maker can attend",
            "Leave materials the decision maker can review",
        ],
        ObjectionType::Need => &[
            "Ask what they have noticed and what they were told",
            "Show evidence of the condition (photos, readings, age)",
            "Offer the smaller fix alongside the full recommendation",
        ],
        ObjectionType::Trust => &[
            "Acknowledge past bad experiences without pressure",
            "Share credentials, reviews, warranties and local track record",
            "Put numbers in writing so they can verify them",
        ],
        ObjectionType::Competitor => &[
            "Ask to see the other quote and compare scope line by line",
            "Explain differences in materials, warranty and workmanship",
            "Avoid criticising the competitor; focus on fit for this home",
        ],
        ObjectionType::Financing => &[
            "Explain the financing options, rates and terms clearly",
            "Offer a soft credit check to work with real numbers",
            "Show the monthly payment next to current costs or savings",
        ],
    };
    s.iter().map(|x| x.to_string()).collect()
}
