//! Writing in a rep's style: the offline composer, the few-shot prompt for a language model,
//! and the hook that personalises follow-up drafts.
//!
//! The offline composer fills templates with the request's context (customer, company, what
//! happened last, what to write about), then dresses them in the rep's measured habits: their
//! own greeting, opener and closing lines, sign-off and name; a sentence of theirs carrying a
//! signature phrase from the nearest exemplar; template variants matched to their sentence
//! length and formality; contractions, exclamation marks, emoji and lower-case starts at their
//! measured rates.

use crate::domain::{CloneSample, FollowupChannel, SampleType, StyleProfile};
use crate::ports::{ChatMessage, ChatRole};

use super::profile::phrase_coverage;
use super::similarity::style_similarity;
use super::text::{self, is_generic};
use crate::adapters::hashing_embed::HashingEmbedder;

/// SMS stay within two segments.
const SMS_MAX_CHARS: usize = 320;

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Brief<'a> {
    /// email, sms or call_script.
    pub channel: FollowupChannel,
    /// The instruction (`Write a follow-up email for a lead interested in our premium package`).
    pub prompt: &'a str,
    /// The customer's name.
    pub customer_name: Option<&'a str>,
    /// The customer's company.
    pub company: Option<&'a str>,
    /// What happened last (`Initial discovery call`).
    pub previous_interaction: Option<&'a str>,
}

impl Brief<'_> {
    /// The text exemplars are matched against.
    fn query(&self) -> String {
        [Some(self.prompt), self.company, self.previous_interaction].into_iter().flatten().collect::<Vec<_>>().join(" ")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Register {
    Formal,
    Neutral,
    Casual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Length {
    Short,
    Medium,
    Long,
}

fn register(p: &StyleProfile) -> Register {
    match p.formality {
        f if f >= 0.6 => Register::Formal,
        f if f >= 0.4 => Register::Neutral,
        _ => Register::Casual,
    }
}

fn length(p: &StyleProfile) -> Length {
    match p.sentence_length.mean {
        m if m < 10.0 => Length::Short,
        m if m <= 16.0 => Length::Medium,
        _ => Length::Long,
    }
}

fn channel_type(c: FollowupChannel) -> SampleType {
    match c {
        FollowupChannel::Email => SampleType::Email,
        FollowupChannel::Sms => SampleType::Sms,
        FollowupChannel::CallScript => SampleType::CallTranscript,
    }
}

/// The `k` samples nearest to the brief: cosine of hashed word vectors, with a bonus for the
/// requested channel (an SMS exemplar says more about an SMS than an email does).
pub fn nearest<'a>(samples: &'a [CloneSample], brief: &Brief<'_>, k: usize) -> Vec<&'a CloneSample> {
    let e = HashingEmbedder::new();
    let q = e.embed_one(&brief.query());
    let want = channel_type(brief.channel);
    let mut scored: Vec<(f32, &CloneSample)> = samples
        .iter()
        .map(|s| {
            let sim: f32 = e.embed_one(&s.content).iter().zip(&q).map(|(a, b)| a * b).sum();
            (sim + if s.sample_type == want { 0.3 } else { 0.0 }, s)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.sample_id.cmp(&b.1.sample_id)));
    scored.into_iter().take(k).map(|(_, s)| s).collect()
}

/// Lowercases the first letter unless the word is an acronym (`ABC`) or `I`.
fn lower_first(s: &str) -> String {
    let first = s.split_whitespace().next().unwrap_or("");
    if first.len() > 1 && first.chars().all(|c| c.is_uppercase() || !c.is_alphabetic()) || first == "I" {
        return s.to_string();
    }
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// What the message is about, from the instruction: "...who showed interest in our premium
/// package" becomes "your interest in our premium package"; "Write an email about the revised
/// quote" becomes "the revised quote".
pub fn topic_of(prompt: &str) -> String {
    let p = prompt.trim().trim_end_matches(['.', '!', '?']);
    let lower = p.to_lowercase();
    let cut = |s: &str| {
        let s = s.split([';', '\n']).next().unwrap_or(s);
        let ws: Vec<&str> = s.split_whitespace().take(14).collect();
        ws.join(" ").trim_end_matches([',', '.']).to_string()
    };
    for (pat, prefix) in [("interest in ", "your interest in "), ("interested in ", "your interest in ")] {
        if let Some(i) = lower.find(pat) {
            return format!("{prefix}{}", cut(&p[i + pat.len()..]));
        }
    }
    for pat in ["about ", "regarding ", "re: ", "following up on ", "follow up on "] {
        if let Some(i) = lower.find(pat) {
            return shift_pronouns(&cut(&p[i + pat.len()..]));
        }
    }
    // Drop the instruction itself ("write a short follow-up email to").
    let skip = [
        "write",
        "draft",
        "compose",
        "create",
        "send",
        "generate",
        "prepare",
        "me",
        "a",
        "an",
        "the",
        "short",
        "quick",
        "brief",
        "friendly",
        "polite",
        "professional",
        "casual",
        "warm",
        "follow-up",
        "followup",
        "follow",
        "up",
        "thank-you",
        "check-in",
        "email",
        "sms",
        "text",
        "message",
        "note",
        "call",
        "script",
        "to",
        "for",
    ];
    let ws: Vec<&str> = p.split_whitespace().collect();
    let start = ws.iter().position(|w| !skip.contains(&w.to_lowercase().trim_matches(','))).unwrap_or(ws.len());
    let rest = ws[start..].join(" ");
    if rest.is_empty() {
        "our conversation".to_string()
    } else {
        shift_pronouns(&cut(&lower_first(&rest)))
    }
}

/// The instruction speaks of the customer in the third person; the message speaks to them.
fn shift_pronouns(s: &str) -> String {
    s.split(' ')
        .map(|w| match w {
            "their" => "your",
            "them" => "you",
            "they" => "you",
            "they're" => "you're",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn interaction_line(pi: &str, r: Register, l: Length) -> String {
    let pi = lower_first(pi.trim().trim_end_matches('.'));
    match (r, l) {
        (Register::Formal, Length::Short) => format!("Thank you for the {pi}."),
        (Register::Formal, Length::Medium) => format!("Thank you for taking the time for our {pi}."),
        (Register::Formal, Length::Long) => format!(
            "Thank you for taking the time for our {pi}; I appreciated the opportunity to learn more about your needs."
        ),
        (Register::Neutral, Length::Short) => format!("Thanks for the {pi}."),
        (Register::Neutral, Length::Medium) => format!("Thanks again for the {pi}, I really enjoyed it."),
        (Register::Neutral, Length::Long) => format!(
            "Thanks again for the {pi}, I really enjoyed hearing about what you have in mind and where you want to take it."
        ),
        (Register::Casual, Length::Short) => format!("Loved the {pi}!"),
        (Register::Casual, Length::Medium) => format!("Really enjoyed the {pi} the other day!"),
        (Register::Casual, Length::Long) => {
            format!("Really enjoyed the {pi} the other day, it was great to hear what you've got in mind!")
        }
    }
}

fn topic_line(topic: &str, r: Register, l: Length) -> String {
    match (r, l) {
        (Register::Formal, Length::Short) => format!("I am writing regarding {topic}."),
        (Register::Formal, Length::Medium) => format!("I wanted to follow up regarding {topic}."),
        (Register::Formal, Length::Long) => {
            format!("I wanted to follow up regarding {topic} and share a few thoughts on the next steps.")
        }
        (Register::Neutral, Length::Short) => format!("Following up on {topic}."),
        (Register::Neutral, Length::Medium) => format!("I wanted to follow up on {topic}."),
        (Register::Neutral, Length::Long) => {
            format!("I wanted to follow up on {topic} and share a few thoughts on where we could go from here.")
        }
        (Register::Casual, Length::Short) => format!("Circling back on {topic}!"),
        (Register::Casual, Length::Medium) => format!("Just wanted to circle back on {topic}."),
        (Register::Casual, Length::Long) => {
            format!("Just wanted to circle back on {topic} and toss out a few ideas for next steps.")
        }
    }
}

fn company_line(company: &str, r: Register, l: Length) -> String {
    match (r, l) {
        (Register::Formal, Length::Short) => format!("I have some ideas for {company}."),
        (Register::Formal, Length::Medium) => format!("I have prepared a few thoughts on how this could support {company}."),
        (Register::Formal, Length::Long) => format!(
            "I have prepared a few thoughts on how this could support {company}, and I would welcome the chance to walk you through them."
        ),
        (Register::Neutral, Length::Short) => format!("I have a few ideas for {company}."),
        (Register::Neutral, Length::Medium) => format!("I put together a few ideas on how it could work for {company}."),
        (Register::Neutral, Length::Long) => format!(
            "I put together a few ideas on how it could work for {company}, and I'd be glad to walk you through them."
        ),
        (Register::Casual, Length::Short) => format!("Got some ideas for {company}!"),
        (Register::Casual, Length::Medium) => format!("Got a few ideas on how it could work for {company}."),
        (Register::Casual, Length::Long) => {
            format!("Got a few ideas on how it could work for {company}, happy to walk you through them whenever.")
        }
    }
}

fn default_greeting(r: Register) -> &'static str {
    match r {
        Register::Formal => "Dear {name},",
        Register::Neutral => "Hi {name},",
        Register::Casual => "Hey {name}!",
    }
}

fn default_opener(r: Register) -> &'static str {
    match r {
        Register::Formal => "I hope this message finds you well.",
        Register::Neutral => "Hope your week is going well.",
        Register::Casual => "Hope you're having an awesome week!",
    }
}

fn default_closer(r: Register) -> &'static str {
    match r {
        Register::Formal => "Please let me know if you have any questions.",
        Register::Neutral => "Let me know if you have any questions.",
        Register::Casual => "Holler if you've got questions!",
    }
}

fn default_sign_off(r: Register) -> &'static str {
    match r {
        Register::Formal => "Best regards,",
        Register::Neutral => "Thanks,",
        Register::Casual => "Cheers,",
    }
}

/// Fills a greeting: `{name}` with the first name, `{full_name}` with the full name; "there"
/// when the customer's name is unknown.
fn fill(template: &str, full_name: Option<&str>) -> String {
    let first = full_name.and_then(|n| n.split_whitespace().next()).unwrap_or("there");
    template.replace("{full_name}", full_name.unwrap_or("there")).replace("{name}", first)
}

const CONTRACTIONS: &[(&str, &str)] = &[
    ("I am ", "I'm "),
    ("I would ", "I'd "),
    ("I will ", "I'll "),
    ("I have prepared", "I've prepared"),
    ("do not ", "don't "),
    ("it is ", "it's "),
    ("you are ", "you're "),
    ("we are ", "we're "),
    ("that is ", "that's "),
    ("you have got ", "you've got "),
];

/// Contracts or expands template sentences toward the rep's measured contraction rate.
fn contractions(s: &str, p: &StyleProfile) -> String {
    let mut out = s.to_string();
    if p.contraction_rate >= 0.2 {
        for (long, short) in CONTRACTIONS {
            out = out.replace(long, short);
        }
    } else if p.contraction_rate < 0.05 {
        for (long, short) in CONTRACTIONS {
            out = out.replace(short, long);
        }
        out = out.replace("you've got", "you have").replace("I'd be glad", "I would be glad");
    }
    out
}

fn set_end(s: &str, mark: char) -> String {
    let t = s.trim_end();
    match t.chars().last() {
        Some('.') | Some('!') => format!("{}{mark}", &t[..t.len() - 1]),
        _ => t.to_string(),
    }
}

/// A composed message's parts: the rep's own lines are kept verbatim; template lines are
/// adjusted to the rep's habits.
struct Line {
    text: String,
    template: bool,
}

fn dress(lines: &mut [Line], p: &StyleProfile) {
    for l in lines.iter_mut().filter(|l| l.template) {
        l.text = contractions(&l.text, p);
    }
    // Exclamation marks at the rep's measured share of sentences.
    let target = (p.exclamation_rate * lines.len() as f32).round() as usize;
    let have = lines.iter().filter(|l| text::end_mark(&l.text) == Some('!')).count();
    if have < target {
        for l in lines.iter_mut().filter(|l| l.template && text::end_mark(&l.text) == Some('.')).take(target - have) {
            l.text = set_end(&l.text, '!');
        }
    } else if have > target {
        for l in lines.iter_mut().filter(|l| l.template && text::end_mark(&l.text) == Some('!')).take(have - target) {
            l.text = set_end(&l.text, '.');
        }
    }
    if p.lowercase_start_rate >= 0.5 {
        for l in lines.iter_mut().filter(|l| l.template) {
            l.text = lower_first(&l.text);
        }
    }
    // Emoji at the rep's rate, on template lines first (their own lines already carry theirs).
    if let Some(e) = p.emojis.first() {
        let have = lines.iter().map(|l| text::emojis(&l.text).len()).sum::<usize>();
        let target = (p.emoji_rate * lines.len() as f32).round() as usize;
        for l in lines.iter_mut().filter(|l| l.template).take(target.saturating_sub(have)) {
            // An emoji stands in for a full stop ("...tonight 🙂"), not after one.
            l.text = format!("{} {e}", l.text.trim_end().trim_end_matches('.'));
        }
    }
}

/// A generic sentence of the rep's (from the nearest exemplars' bodies) that carries one of
/// their signature phrases, so the draft uses their words the way they use them.
fn stock_sentence(p: &StyleProfile, exemplars: &[&CloneSample], used: &[String]) -> Option<String> {
    for ex in exemplars {
        let parsed = text::parse(&ex.content);
        let n = parsed.sentences.len();
        for s in parsed.sentences.iter().skip(1).take(n.saturating_sub(2)) {
            if is_generic(s) && phrase_coverage(s, &p.signature_phrases) >= 0.5 && !used.iter().any(|u| u == s) {
                return Some(s.clone());
            }
        }
    }
    None
}

/// Composes a message in the rep's style without a language model.
pub fn compose(p: &StyleProfile, exemplars: &[&CloneSample], brief: &Brief<'_>) -> String {
    let r = register(p);
    let l = length(p);
    let topic = topic_of(brief.prompt);
    let greeting = fill(p.greetings.first().map_or(default_greeting(r), |h| h.text.as_str()), brief.customer_name);
    let opener = p.openers.first().cloned();
    let closer = p.closers.first().cloned();
    let mut own: Vec<String> = opener.iter().chain(closer.iter()).cloned().collect();
    let mut body: Vec<Line> = Vec::new();
    let opener_line = match &opener {
        Some(o) => Line { text: o.clone(), template: false },
        None => Line { text: default_opener(r).to_string(), template: true },
    };
    let short_channel = brief.channel == FollowupChannel::Sms;
    if !short_channel {
        body.push(opener_line);
    }
    if let Some(pi) = brief.previous_interaction {
        body.push(Line {
            text: interaction_line(pi, r, if short_channel { Length::Short } else { l }),
            template: true,
        });
    }
    body.push(Line { text: topic_line(&topic, r, if short_channel { Length::Short } else { l }), template: true });
    if !short_channel {
        if let Some(s) = stock_sentence(p, exemplars, &own) {
            own.push(s.clone());
            body.push(Line { text: s, template: false });
        }
        if let Some(c) = brief.company {
            body.push(Line { text: company_line(c.trim(), r, l), template: true });
        }
    }
    body.push(match &closer {
        Some(c) => Line { text: c.clone(), template: false },
        None => Line { text: default_closer(r).to_string(), template: true },
    });
    dress(&mut body, p);
    let sign_off = p.sign_offs.first().map_or(default_sign_off(r), |h| h.text.as_str()).to_string();
    let name = p.signature_name.clone();
    match brief.channel {
        FollowupChannel::Email => {
            let n = body.len();
            let texts: Vec<String> = body.into_iter().map(|l| l.text).collect();
            // Paragraphs: opening lines, the substance, the closing line.
            let split = 2.min(n.saturating_sub(1));
            let mut out = format!("{greeting}\n\n{}", texts[..split].join(" "));
            if n - 1 > split {
                out.push_str(&format!("\n\n{}", texts[split..n - 1].join(" ")));
            }
            out.push_str(&format!(
                "\n\n{}\n\n{sign_off}\n{}",
                texts[n - 1],
                name.unwrap_or_else(|| "[Your name]".into())
            ));
            out
        }
        FollowupChannel::Sms => {
            let mut parts: Vec<String> = vec![greeting];
            parts.extend(body.into_iter().map(|l| l.text));
            if text::end_mark(&sign_off) != Some(',') {
                parts.push(sign_off);
            }
            let sig = name.map(|n| format!(" - {n}")).unwrap_or_default();
            let mut out = format!("{}{sig}", parts.join(" "));
            while out.chars().count() > SMS_MAX_CHARS && parts.len() > 2 {
                parts.remove(1);
                out = format!("{}{sig}", parts.join(" "));
            }
            out.chars().take(SMS_MAX_CHARS).collect()
        }
        FollowupChannel::CallScript => {
            let who = brief.customer_name.unwrap_or("the customer");
            let me = name.unwrap_or_else(|| "[your name]".into());
            let texts: Vec<String> = body.into_iter().map(|l| l.text).collect();
            let mut out = format!("Call script: {topic} with {who}\n");
            out.push_str(&format!("1. Open: \"{} this is {me}. {}\"\n", greeting.trim_end_matches(','), texts[0]));
            for (i, t) in texts.iter().enumerate().skip(1) {
                let label = if i + 1 == texts.len() { "Ask" } else { "Say" };
                out.push_str(&format!("{}. {label}: \"{t}\"\n", i + 1));
            }
            out.push_str(&format!("{}. Close: \"{}\"", texts.len() + 1, sign_off.trim_end_matches(',')));
            out
        }
    }
}

/// 0..=1: how much training backs the draft (ten samples is plenty), how close the draft is to
/// the rep's measured style, and whether any exemplar of the requested channel exists.
pub fn confidence(p: &StyleProfile, content: &str, has_channel_exemplar: bool) -> f32 {
    let data = (p.samples as f32 / 10.0).min(1.0);
    let mut c = 0.3 + 0.3 * data + 0.4 * style_similarity(content, p);
    if !has_channel_exemplar {
        c -= 0.1;
    }
    (c.clamp(0.05, 0.99) * 100.0).round() / 100.0
}

/// The few-shot conversation for a language model: the measured profile, the nearest exemplars
/// as examples of the rep's writing, then the brief.
pub fn llm_messages(p: &StyleProfile, exemplars: &[&CloneSample], brief: &Brief<'_>) -> Vec<ChatMessage> {
    let list = |v: Vec<String>| if v.is_empty() { "none measured".to_string() } else { v.join(" | ") };
    let mut system = String::from(
        "You are the writing clone of a sales rep. Write exactly the way they write: same greeting, sign-off, \
         sentence length, formality, punctuation and emoji habits, and their own phrases. Never invent facts, prices \
         or dates that the request does not give. Answer with the message text only.\n\nMeasured style:\n",
    );
    system.push_str(&format!(
        "- greetings: {}\n- sign-offs: {}\n- signs as: {}\n- words per sentence: {:.1} (sd {:.1})\n- formality (0 casual..1 formal): {:.2}\n\
         - contractions per sentence: {:.2}; exclamation share: {:.2}; question share: {:.2}\n- emoji per sentence: {:.2} ({})\n\
         - signature phrases: {}\n- tone: {}; style: {}\n",
        list(p.greetings.iter().map(|h| h.text.clone()).collect()),
        list(p.sign_offs.iter().map(|h| h.text.clone()).collect()),
        p.signature_name.as_deref().unwrap_or("unknown"),
        p.sentence_length.mean,
        p.sentence_length.stddev,
        p.formality,
        p.contraction_rate,
        p.exclamation_rate,
        p.question_rate,
        p.emoji_rate,
        list(p.emojis.clone()),
        list(p.signature_phrases.iter().take(8).map(|s| s.phrase.clone()).collect()),
        p.tone,
        p.writing_style,
    ));
    system.push_str("\nExamples of the rep's own writing:\n");
    for ex in exemplars {
        system.push_str(&format!("---\n({})\n{}\n", ex.sample_type.as_str(), ex.content.trim()));
    }
    let mut user = format!("Write a {} in my style.\nInstruction: {}\n", brief.channel.as_str(), brief.prompt.trim());
    for (k, v) in [
        ("Customer", brief.customer_name),
        ("Customer's company", brief.company),
        ("Previous interaction", brief.previous_interaction),
    ] {
        if let Some(v) = v {
            user.push_str(&format!("{k}: {v}\n"));
        }
    }
    vec![ChatMessage { role: ChatRole::System, content: system }, ChatMessage { role: ChatRole::User, content: user }]
}

/// Dresses a composed follow-up in the rep's habits: their greeting (for the customer's name),
/// their closing line before the sign-off, their sign-off and the name they sign with.
/// Call scripts are left as they are: they are talking points, not the rep's prose.
pub fn personalize(content: &str, channel: FollowupChannel, customer_name: Option<&str>, p: &StyleProfile) -> String {
    let greeting = p.greetings.first().map(|h| fill(&h.text, customer_name));
    match channel {
        FollowupChannel::CallScript => content.to_string(),
        FollowupChannel::Sms => match (&greeting, content.split_once(',')) {
            (Some(g), Some((head, rest)))
                if head.split_whitespace().count() <= 3 && text::parse(head).greeting.is_some() =>
            {
                format!("{g} {}", rest.trim_start())
            }
            _ => content.to_string(),
        },
        FollowupChannel::Email => {
            let mut lines: Vec<String> = content.lines().map(str::to_string).collect();
            if let Some(g) = &greeting {
                if let Some(i) = lines.iter().position(|l| {
                    !l.starts_with("Subject:") && l.split_whitespace().count() <= 4 && text::parse(l).greeting.is_some()
                }) {
                    lines[i] = g.clone();
                }
            }
            let stock = ["Best regards,", "Warm regards,", "Thanks,"];
            if let Some(i) = lines.iter().rposition(|l| stock.contains(&l.trim())) {
                if let Some(name) = &p.signature_name {
                    if lines.get(i + 1).is_some_and(|l| l.trim() == "[Your name]") {
                        lines[i + 1] = name.clone();
                    }
                }
                if let Some(s) = p.sign_offs.first() {
                    lines[i] = s.text.clone();
                }
                if let Some(c) = p.closers.first().filter(|c| !content.contains(c.as_str())) {
                    lines.insert(i, String::new());
                    lines.insert(i, c.clone());
                }
            }
            lines.join("\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_topic_of_turns_instructions_into_topics() {
        assert_eq!(
            topic_of("Write a follow-up email for a qualified lead who showed interest in our premium package"),
            "your interest in our premium package"
        );
        assert_eq!(topic_of("Draft a quick text about their revised quote."), "your revised quote");
        assert_eq!(topic_of("write a short email to confirm the install date"), "confirm the install date");
        assert_eq!(topic_of("Write an email"), "our conversation");
    }
}
