//! Who the customer is, from what was said: "this is Maria Lopez", "my name's Ray Delgado", a
//! bare "Karen Whitfield, 418 Elm Street." answering the rep's "can I get your name?", or, when
//! the customer never says it, the first name the rep greets them with ("Hi Anita, Luis with
//! Brightpath Solar", "Am I speaking with Steve?").
//!
//! Only capitalised words count as a name, so transcripts without case (some ASR output) yield
//! nothing rather than a guess. The rep's own introduction ("this is Jordan from Peak Roofing")
//! is never read as the customer, and neither is someone else's name the rep asked for ("the
//! landlord's name").

use super::{Role, Transcript};

/// Phrases after which a customer states their name.
const INTRODUCTIONS: &[&str] = &["this is ", "my name is ", "my name's ", "name is ", "i'm ", "i am ", "it's "];

/// Phrases after which a rep addresses the customer by name.
const GREETINGS: &[&str] = &[
    "hi ",
    "hi, ",
    "hello ",
    "hello, ",
    "hey ",
    "hey, ",
    "morning, ",
    "good morning, ",
    "afternoon, ",
    "good afternoon, ",
    "evening, ",
    "good evening, ",
    "thanks, ",
    "thank you, ",
    "is this ",
    "speaking with ",
];

/// Capitalised words that start sentences or follow "I'm" without being names.
const NOT_NAMES: &[&str] = &[
    "A",
    "About",
    "Actually",
    "Also",
    "Am",
    "And",
    "Any",
    "Are",
    "Around",
    "At",
    "Back",
    "Because",
    "But",
    "Calling",
    "Certainly",
    "Could",
    "Definitely",
    "Do",
    "Fine",
    "For",
    "From",
    "Glad",
    "Going",
    "Good",
    "Great",
    "Happy",
    "Have",
    "Hello",
    "Here",
    "Hey",
    "Hi",
    "Home",
    "Honestly",
    "How",
    "I",
    "If",
    "In",
    "Interested",
    "Is",
    "It",
    "Just",
    "Looking",
    "Maybe",
    "Mostly",
    "My",
    "No",
    "Not",
    "Now",
    "Of",
    "Oh",
    "Okay",
    "On",
    "Only",
    "Our",
    "Pretty",
    "Probably",
    "Ready",
    "Really",
    "Right",
    "Sorry",
    "Still",
    "Sure",
    "Thank",
    "Thanks",
    "That",
    "The",
    "Then",
    "There",
    "This",
    "To",
    "Trying",
    "Um",
    "Uh",
    "Very",
    "Well",
    "We",
    "What",
    "When",
    "Where",
    "Why",
    "With",
    "Wondering",
    "Worried",
    "Yeah",
    "Yes",
    "You",
    "Your",
    "Mr",
    "Mrs",
    "Ms",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Up to three capitalised words at the start of `text`, stopping at punctuation.
fn name_at(text: &str) -> Option<String> {
    let mut parts = Vec::new();
    for raw in text.split_whitespace().take(3) {
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-');
        let capitalised = word.chars().next().is_some_and(char::is_uppercase)
            && word.chars().skip(1).all(|c| c.is_lowercase() || c == '\'' || c == '-')
            && word.chars().count() > 1;
        if !capitalised || NOT_NAMES.contains(&word) || word.contains('\'') {
            break;
        }
        parts.push(word.to_string());
        if raw.ends_with([',', '.', '!', '?', ';', ':']) {
            break;
        }
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The customer's name as they said it, preferring a full name over a first name alone.
pub(crate) fn customer_name(t: &Transcript) -> Option<String> {
    let mut found: Vec<String> = Vec::new();
    for (i, turn) in t.turns.iter().enumerate() {
        if turn.role != Role::Customer {
            continue;
        }
        // The rep asked for the customer's name (not "the landlord's name").
        let asked = i > 0 && {
            let prev = &t.turns[i - 1];
            let text = prev.text.to_lowercase();
            prev.role == Role::Rep && text.contains("name") && !text.contains("'s name") && !text.contains("’s name")
        };
        for sentence in &turn.sentences {
            let lower = sentence.text.to_lowercase();
            for intro in INTRODUCTIONS {
                // "It's ..." introduces a name only as the answer to "what's your name?".
                if *intro == "it's " && !asked {
                    continue;
                }
                let mut from = 0;
                while let Some(at) = lower[from..].find(intro) {
                    let start = from + at;
                    let boundary = start == 0 || !lower.as_bytes()[start - 1].is_ascii_alphanumeric();
                    // Lowercasing can change byte lengths outside ASCII: index the original only
                    // where it lines up.
                    let rest = (lower.len() == sentence.text.len()).then(|| sentence.text.get(start + intro.len()..));
                    if let (true, Some(Some(rest))) = (boundary, rest) {
                        if let Some(name) = name_at(rest) {
                            found.push(name);
                        }
                    }
                    from = start + intro.len();
                }
            }
        }
        // A bare "Karen Whitfield." or "Denise Caldwell, 227 East Saguaro Drive." answering
        // the rep's question about the name.
        if asked {
            if let Some(first) = turn.sentences.first() {
                let words: Vec<&str> = first.text.split_whitespace().collect();
                if let Some(name) = name_at(&first.text) {
                    let n = name.split(' ').count();
                    let ends = words.get(n - 1).is_some_and(|w| w.ends_with([',', '.']));
                    if n == words.len() || (n >= 2 && ends) {
                        found.push(name);
                    }
                }
            }
        }
    }
    let full = found.iter().find(|n| n.contains(' ')).cloned();
    full.or_else(|| found.into_iter().next()).or_else(|| greeted_name(t))
}

/// The first name the rep addresses the customer by, in the rep's first turns.
fn greeted_name(t: &Transcript) -> Option<String> {
    for turn in t.turns.iter().filter(|x| x.role == Role::Rep).take(3) {
        let lower = turn.text.to_lowercase();
        if lower.len() != turn.text.len() {
            continue;
        }
        for g in GREETINGS {
            let mut from = 0;
            while let Some(at) = lower[from..].find(g) {
                let start = from + at;
                from = start + g.len();
                let boundary = start == 0 || !lower.as_bytes()[start - 1].is_ascii_alphanumeric();
                let Some(rest) = turn.text.get(from..) else { break };
                // One word, then punctuation: "Hi, Greg?", "Morning, Ray.", "Hi Anita, Luis ...".
                let word = rest.split_whitespace().next().unwrap_or_default();
                if boundary && word.ends_with([',', '.', '?', '!']) {
                    if let Some(name) = name_at(word) {
                        return Some(name);
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{AnalysisInput, Segment, Speaker};

    fn transcript(turns: &[(Speaker, &str)]) -> Transcript {
        let input = AnalysisInput {
            call_type: None,
            started_at: None,
            segments: turns
                .iter()
                .map(|(s, text)| Segment { speaker: s.clone(), text: (*text).into(), start_time: None, end_time: None })
                .collect(),
            sop_stages: Vec::new(),
        };
        Transcript::new(&input)
    }

    #[test]
    fn test_introductions_give_the_customer_name() {
        let t = transcript(&[
            (Speaker::Rep, "Thanks for calling Peak Roofing, this is Jordan."),
            (Speaker::Customer, "Hi, this is Maria Lopez. We have a leak over the kitchen."),
        ]);
        assert_eq!(customer_name(&t).as_deref(), Some("Maria Lopez"));
        let t = transcript(&[(Speaker::Customer, "Yeah hi, my name's Ray Delgado, I got your flyer.")]);
        assert_eq!(customer_name(&t).as_deref(), Some("Ray Delgado"));
    }

    #[test]
    fn test_a_bare_name_answering_the_question_counts() {
        let t = transcript(&[
            (Speaker::Rep, "Can I start with your name and the address of the property?"),
            (Speaker::Customer, "Karen Whitfield. It's four eighteen Elm Street."),
        ]);
        assert_eq!(customer_name(&t).as_deref(), Some("Karen Whitfield"));
    }

    #[test]
    fn test_feelings_reps_and_lowercase_text_are_not_names() {
        let t = transcript(&[
            (Speaker::Rep, "Hi, this is Jordan from Peak Roofing."),
            (Speaker::Customer, "I'm worried it's going to be too expensive. I'm Not sure."),
            (Speaker::Customer, "this is maria lopez calling about the roof"),
        ]);
        assert_eq!(customer_name(&t), None);
        // "It's ..." without a question about the name is not an introduction.
        let t = transcript(&[(Speaker::Customer, "It's Tuesday and the roof still leaks. It's Elm Street.")]);
        assert_eq!(customer_name(&t), None);
    }

    #[test]
    fn test_someone_elses_name_is_not_the_customer() {
        let t = transcript(&[
            (Speaker::Rep, "Can I get the landlord's name and number so we can bill him directly?"),
            (Speaker::Customer, "Sure, it's Frank Ochoa, five five five, zero one four four."),
        ]);
        assert_eq!(customer_name(&t), None);
    }

    #[test]
    fn test_the_reps_greeting_names_the_customer_when_they_do_not() {
        let t = transcript(&[
            (Speaker::Rep, "Hi Anita, Luis Romero with Brightpath Solar. Thanks for making time this evening."),
            (Speaker::Customer, "Of course, come on in."),
        ]);
        assert_eq!(customer_name(&t).as_deref(), Some("Anita"));
        let t = transcript(&[
            (Speaker::Rep, "Hi, this is Dana with Summit Roofing. Am I speaking with Steve?"),
            (Speaker::Customer, "Yeah, speaking."),
        ]);
        assert_eq!(customer_name(&t).as_deref(), Some("Steve"));
        let t = transcript(&[
            (Speaker::Rep, "Thanks for calling Summit Roofing, this is Dana. How can I help you today?"),
            (Speaker::Customer, "Hi, my roof is leaking."),
        ]);
        assert_eq!(customer_name(&t), None);
    }

    #[test]
    fn test_a_name_before_the_address_counts() {
        let t = transcript(&[
            (Speaker::Rep, "Can I get your name and the service address?"),
            (Speaker::Customer, "Denise Caldwell, two twenty-seven East Saguaro Drive."),
        ]);
        assert_eq!(customer_name(&t).as_deref(), Some("Denise Caldwell"));
    }

    #[test]
    fn test_a_full_name_beats_a_first_name() {
        let t = transcript(&[
            (Speaker::Customer, "Hi, I'm Dana."),
            (Speaker::Rep, "And your last name?"),
            (Speaker::Customer, "Oh sorry, it's Dana Ortiz."),
        ]);
        assert_eq!(customer_name(&t).as_deref(), Some("Dana Ortiz"));
    }
}

/// Names of businesses or people said in `text` ("Valley Flow told me...", "we went with another
/// company. Cascade Exteriors.", "my neighbor uses Sonoran Air"): runs of capitalised words,
/// broken by punctuation. A run that opens a sentence counts only with two or more words
/// ("Valley Flow"), since one capitalised word there is just how sentences start; days, months
/// and sentence openers are left out, and so is a name made only of `known` words (the rep, the
/// customer, our own company).
/// Case-less ASR output yields nothing.
pub fn proper_names(text: &str, known: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for sentence in text.split_inclusive(['.', '!', '?']) {
        let mut run: Vec<&str> = Vec::new();
        let mut run_starts_sentence = false;
        let mut flush = |run: &mut Vec<&str>, starts: bool| {
            let month = |w: &str| super::appointment::MONTHS.contains(&w.to_lowercase().as_str());
            let kept: Vec<&str> = run.iter().copied().filter(|w| !NOT_NAMES.contains(w) && !month(w)).collect();
            // A name of known words only is ours ("Summit Roofing"); one known word in it is not
            // ("Blue Tap Plumbing" when we are "Clearline Plumbing").
            let ours = kept.iter().all(|w| known.iter().any(|k| k.eq_ignore_ascii_case(w)));
            if !kept.is_empty() && !ours && (!starts || kept.len() >= 2) {
                let name = kept.join(" ");
                if !out.contains(&name) {
                    out.push(name);
                }
            }
            run.clear();
        };
        for (i, raw) in sentence.split_whitespace().enumerate() {
            let word = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
            let capitalised = word.chars().next().is_some_and(char::is_uppercase)
                && word.chars().skip(1).any(char::is_lowercase)
                && !word.contains('\'');
            if capitalised {
                if run.is_empty() {
                    run_starts_sentence = i == 0;
                }
                run.push(word);
            } else {
                flush(&mut run, run_starts_sentence);
            }
            // Punctuation after a word ends the run ("Ridgeline, and they...").
            if raw.ends_with(|c: char| !c.is_alphanumeric()) && !run.is_empty() {
                flush(&mut run, run_starts_sentence);
            }
        }
        flush(&mut run, run_starts_sentence);
    }
    out
}

#[cfg(test)]
mod proper_name_tests {
    use super::proper_names;

    #[test]
    fn test_business_names_in_what_customers_say() {
        assert_eq!(
            proper_names("Huh. Valley Flow told me sixteen fifty for basically the same thing.", &[]),
            ["Valley Flow"]
        );
        assert_eq!(
            proper_names("Oh. No, we actually went with another company back in November. Cascade Exteriors. They're already done.", &[]),
            ["Cascade Exteriors"]
        );
        assert_eq!(
            proper_names(
                "My neighbor uses Sonoran Air, and their guy said a capacitor is a two hundred dollar fix.",
                &[]
            ),
            ["Sonoran Air"]
        );
        assert_eq!(
            proper_names("Honestly, we had another company out last week, Ridgeline, and they came in at 17200.", &[]),
            ["Ridgeline"]
        );
        // Our own company and the people on the call are known, not competitors.
        assert_eq!(
            proper_names("Summit Roofing was booked out, Steve said.", &["Summit", "Roofing", "Steve"]),
            Vec::<String>::new()
        );
        assert_eq!(
            proper_names("Blue Tap Plumbing told me fourteen fifty.", &["Clearline", "Plumbing"]),
            ["Blue Tap Plumbing"]
        );
        assert!(proper_names("no capitals from this asr engine at all", &[]).is_empty());
    }
}
