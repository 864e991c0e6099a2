//! Reading a message apart: greeting, body sentences, sign-off and signature, plus the word
//! lists the style measurements count against.

/// Words that open a greeting; longer phrases first so "good morning" wins over "good".
const GREETING_OPENERS: &[&str] = &[
    "good morning",
    "good afternoon",
    "good evening",
    "hello",
    "hiya",
    "hi",
    "hey",
    "dear",
    "greetings",
    "howdy",
    "morning",
    "afternoon",
    "yo",
];

/// Words after a greeting that are not the customer's name.
const NOT_NAMES: &[&str] = &["there", "all", "team", "everyone", "folks", "guys", "again", "friend", "y'all", "both"];

/// Sign-off phrases (lowercased, without punctuation). A line that starts with one of these
/// and is short is a sign-off.
const SIGN_OFFS: &[&str] = &[
    "best regards",
    "kind regards",
    "warm regards",
    "warmest regards",
    "regards",
    "best wishes",
    "all the best",
    "best",
    "warmly",
    "sincerely",
    "respectfully",
    "cheers",
    "thanks so much",
    "thanks again",
    "thank you",
    "thanks",
    "thx",
    "many thanks",
    "talk soon",
    "speak soon",
    "take care",
    "have a great day",
    "have a good one",
    "have a great weekend",
    "looking forward",
    "appreciate it",
    "ttyl",
    "later",
    "with gratitude",
];

/// Casual words and slang.
pub(crate) const SLANG: &[&str] = &[
    "gonna", "wanna", "gotta", "yeah", "yep", "yup", "nope", "lol", "btw", "thx", "ty", "np", "awesome", "cool",
    "totally", "super", "stoked", "kinda", "sorta", "ya", "y'all", "ok", "okay", "dude", "buddy", "hiya", "yo", "omg",
    "tbh", "fyi", "pls", "plz", "haha", "sweet", "legit", "holler", "ping", "shoot", "hey", "folks", "crazy", "gotcha",
];

/// Words typical of formal business writing.
pub(crate) const FORMAL: &[&str] = &[
    "please",
    "regards",
    "sincerely",
    "appreciate",
    "kindly",
    "furthermore",
    "additionally",
    "therefore",
    "however",
    "accordingly",
    "respectfully",
    "pleased",
    "opportunity",
    "assistance",
    "regarding",
    "shall",
    "ensure",
    "provide",
    "convenience",
    "dear",
    "discuss",
    "consideration",
    "request",
    "require",
    "inquire",
    "cordially",
    "delighted",
];

/// Function words: never signature vocabulary on their own.
pub(crate) const STOPWORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as", "is",
    "are", "was", "were", "be", "been", "am", "it", "its", "it's", "this", "that", "these", "those", "i", "i'm", "me",
    "my", "we", "our", "us", "you", "your", "you're", "he", "she", "they", "them", "their", "so", "do", "did", "does",
    "have", "has", "had", "will", "would", "can", "could", "should", "not", "no", "yes", "just", "about", "up", "out",
    "any", "all", "some", "what", "when", "which", "who", "how", "there", "here", "then", "than", "also", "into",
    "over", "very", "too", "get", "got", "let", "i'll", "we'll", "i've", "don't",
];

/// Normalises typographic apostrophes so `don’t` and `don't` count alike.
pub(crate) fn normalize(text: &str) -> String {
    text.replace(['\u{2019}', '\u{2018}'], "'")
}

/// Lowercased words (letters, digits and inner apostrophes).
pub(crate) fn words(text: &str) -> Vec<String> {
    normalize(text)
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `c` is an emoji (pictographs, symbols and dingbats).
pub(crate) fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F300..=0x1FAFF | 0x2600..=0x27BF | 0x1F000..=0x1F2FF)
}

/// Emoji in `text`, including `:)`-style smileys.
pub(crate) fn emojis(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text.chars().filter(|c| is_emoji(*c)).map(String::from).collect();
    for smiley in [":)", ":-)", ";)", ":D", "(:"] {
        out.extend(std::iter::repeat_n(smiley.to_string(), text.matches(smiley).count()));
    }
    out
}

/// Splits body text into sentences, keeping their end punctuation. An emoji followed by a
/// space ends a sentence too (casual texts use them as full stops); emoji after the end
/// punctuation stay with their sentence; pieces without letters are dropped.
pub(crate) fn sentences(body: &str) -> Vec<String> {
    let term = |c: char| matches!(c, '.' | '!' | '?' | '\u{2026}');
    let mut out: Vec<String> = Vec::new();
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let chars: Vec<char> = line.chars().collect();
        let n = chars.len();
        let (mut start, mut i) = (0, 0);
        while i < n {
            if !(term(chars[i]) || is_emoji(chars[i])) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n && (term(chars[j]) || is_emoji(chars[j]) || chars[j] == '\u{FE0F}') {
                j += 1;
            }
            if j == n || chars[j].is_whitespace() {
                // Emoji after a space still close the sentence ("Talk soon! 🙂").
                let mut k = j;
                while k < n && (chars[k] == ' ' || is_emoji(chars[k]) || chars[k] == '\u{FE0F}') {
                    k += 1;
                }
                let end = if chars[j..k].iter().any(|c| is_emoji(*c)) { k } else { j };
                push_sentence(&mut out, chars[start..end].iter().collect());
                start = end;
            }
            i = j.max(i + 1);
        }
        if start < n {
            push_sentence(&mut out, chars[start..].iter().collect());
        }
    }
    out
}

fn push_sentence(out: &mut Vec<String>, s: String) {
    let s = s.trim().to_string();
    if s.is_empty() {
        return;
    }
    if s.chars().any(char::is_alphabetic) {
        out.push(s);
    } else if let Some(last) = out.last_mut() {
        // A lone emoji or "!!" belongs to the sentence before it.
        last.push(' ');
        last.push_str(&s);
    }
}

/// The sentence's last meaningful character, skipping emoji and spaces.
pub(crate) fn end_mark(sentence: &str) -> Option<char> {
    sentence.chars().rev().find(|c| !c.is_whitespace() && !is_emoji(*c) && *c != '\u{FE0F}' && *c != ')')
}

/// A message taken apart.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Parsed {
    /// The greeting with the first name replaced by `{name}` (`Hey {name}!`), or a title and
    /// surname by `{full_name}` (`Dear {full_name},`).
    pub greeting: Option<String>,
    /// Body sentences in order.
    pub sentences: Vec<String>,
    /// The sign-off as written (`Cheers,`).
    pub sign_off: Option<String>,
    /// The name signed with.
    pub signature: Option<String>,
}

fn sign_off_phrase(line: &str) -> Option<&'static str> {
    let lower = words(line).join(" ");
    SIGN_OFFS.iter().copied().find(|p| lower == *p || lower.starts_with(&format!("{p} ")))
}

fn name_like(line: &str) -> bool {
    let l = line.trim().trim_start_matches(['-', '\u{2013}', '\u{2014}', '~']).trim();
    let ws: Vec<&str> = l.split_whitespace().collect();
    !ws.is_empty()
        && ws.len() <= 3
        && l.chars().count() <= 30
        && !l.chars().any(|c| c.is_ascii_digit())
        && ws.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase))
        && !l.ends_with(['.', '!', '?', ','])
}

fn clean_name(line: &str) -> String {
    line.trim().trim_start_matches(['-', '\u{2013}', '\u{2014}', '~']).trim().to_string()
}

/// Splits a greeting off the first line: `(template, rest of the line)`.
fn split_greeting(line: &str) -> Option<(String, String)> {
    let lower = line.to_lowercase();
    let opener = GREETING_OPENERS
        .iter()
        .find(|g| lower.starts_with(*g) && lower[g.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric()))?;
    let chars: Vec<char> = line.chars().collect();
    let mut i = opener.chars().count();
    let mut template: String = chars[..i].iter().collect();
    // Optional punctuation straight after the greeting word ("Hi, this is Sarah").
    let mut name_done = false;
    loop {
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let c = chars[i];
        if matches!(c, ',' | '!' | '.' | ':' | '-' | '\u{2014}') || is_emoji(c) {
            let mut j = i;
            while j < chars.len()
                && (matches!(chars[j], ',' | '!' | '.' | ':' | '-' | '\u{2014}') || is_emoji(chars[j]))
            {
                j += 1;
            }
            template.push_str(&chars[i..j].iter().collect::<String>());
            i = j;
            break;
        }
        if name_done {
            break;
        }
        let end = (i..chars.len())
            .find(|&k| !(chars[k].is_alphanumeric() || chars[k] == '\'' || chars[k] == '.'))
            .unwrap_or(chars.len());
        let word: String = chars[i..end].iter().collect();
        let lw = word.to_lowercase();
        if NOT_NAMES.contains(&lw.as_str()) {
            template.push(' ');
            template.push_str(&word);
            i = end;
        } else if matches!(lw.as_str(), "mr." | "ms." | "mrs." | "dr." | "mr" | "ms" | "mrs" | "dr") {
            // A title and surname: the rep addresses customers formally. The title itself is
            // not reused (a draft can't know which one applies), the full name is.
            template.push_str(" {full_name}");
            i = end;
            let mut k = i;
            while k < chars.len() && chars[k] == ' ' {
                k += 1;
            }
            let e2 =
                (k..chars.len()).find(|&m| !(chars[m].is_alphanumeric() || chars[m] == '\'')).unwrap_or(chars.len());
            if e2 > k && chars[k].is_uppercase() {
                i = e2;
            }
        } else if word.chars().next().is_some_and(char::is_uppercase) {
            template.push_str(" {name}");
            i = end;
            // A surname may follow.
            let mut k = i;
            while k < chars.len() && chars[k] == ' ' {
                k += 1;
            }
            let e2 =
                (k..chars.len()).find(|&m| !(chars[m].is_alphanumeric() || chars[m] == '\'')).unwrap_or(chars.len());
            if e2 > k && chars[k].is_uppercase() && e2 < chars.len() && matches!(chars[e2], ',' | '!' | '.' | ':') {
                i = e2;
            }
        } else {
            break;
        }
        name_done = true;
    }
    let rest: String = chars[i.min(chars.len())..].iter().collect();
    Some((template.trim().to_string(), rest.trim().to_string()))
}

/// Takes a message apart into greeting, body sentences, sign-off and signature.
pub(crate) fn parse(content: &str) -> Parsed {
    let content = normalize(content);
    let mut lines: Vec<String> = content.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
    let mut out = Parsed::default();
    if lines.is_empty() {
        return out;
    }
    if let Some((g, rest)) = split_greeting(&lines[0]) {
        out.greeting = Some(g);
        if rest.is_empty() {
            lines.remove(0);
        } else {
            lines[0] = rest;
        }
    }
    // Sign-off on its own line near the end, with the signature block after it.
    let tail_start = lines.len().saturating_sub(5);
    let mut cut = None;
    for i in (tail_start..lines.len()).rev() {
        let l = &lines[i];
        let short = l.split_whitespace().count() <= 5;
        if short && sign_off_phrase(l).is_some() {
            cut = Some(i);
            break;
        }
        if short && l.ends_with(',') && i + 1 < lines.len() && name_like(&lines[i + 1]) {
            cut = Some(i);
            break;
        }
    }
    if let Some(i) = cut {
        let line = lines[i].clone();
        // "Cheers, Jake" keeps both on one line.
        match line.split_once(',') {
            Some((so, name)) if !name.trim().is_empty() && name_like(name) => {
                out.sign_off = Some(format!("{},", so.trim()));
                out.signature = Some(clean_name(name));
            }
            _ => out.sign_off = Some(line),
        }
        if out.signature.is_none() {
            out.signature = lines.get(i + 1).filter(|l| name_like(l)).map(|l| clean_name(l));
        }
        lines.truncate(i);
    } else if let Some(last) = lines.last().cloned() {
        // A dash signature at the end of a one-line message ("... Thanks! - Jake").
        if let Some(dash) = last.rfind(" -").or_else(|| last.rfind(" \u{2014}")).or_else(|| last.rfind(" \u{2013}")) {
            if name_like(&last[dash..]) {
                out.signature = Some(clean_name(&last[dash..]));
                let n = lines.len();
                lines[n - 1] = last[..dash].trim().to_string();
            }
        }
        if name_like(lines.last().map_or("", String::as_str)) && lines.len() > 1 {
            out.signature = lines.pop().map(|l| clean_name(&l));
        }
    }
    let body = lines.join("\n");
    let mut sents = sentences(&body);
    if out.sign_off.is_none() {
        // The last sentence of a text or call is often the sign-off ("Talk soon!").
        if let Some(last) = sents.last() {
            if last.split_whitespace().count() <= 5 && sign_off_phrase(last).is_some() {
                out.sign_off = sents.pop();
            }
        }
    }
    out.sentences = sents;
    out
}

/// Whether a sentence carries nothing specific to one customer (no digits, prices, emails or
/// proper names), so a rep's generation may reuse it verbatim.
pub(crate) fn is_generic(sentence: &str) -> bool {
    let n = sentence.split_whitespace().count();
    if !(3..=20).contains(&n) || sentence.chars().any(|c| c.is_ascii_digit() || matches!(c, '$' | '@' | '%')) {
        return false;
    }
    let days = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    sentence.split_whitespace().skip(1).all(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        let lower = w.to_lowercase();
        !w.chars().next().is_some_and(char::is_uppercase) && !days.contains(&lower.as_str())
            || lower == "i"
            || lower.starts_with("i'")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_email_with_name_and_signature() {
        let p =
            parse("Hey Mike!\n\nHope your week's off to a great start. Quick one about the quote.\n\nCheers,\nJake");
        assert_eq!(p.greeting.as_deref(), Some("Hey {name}!"));
        assert_eq!(p.sign_off.as_deref(), Some("Cheers,"));
        assert_eq!(p.signature.as_deref(), Some("Jake"));
        assert_eq!(p.sentences, ["Hope your week's off to a great start.", "Quick one about the quote."]);
    }

    #[test]
    fn test_parse_formal_email_and_text() {
        let p = parse("Dear Mr. Thompson,\n\nThank you for your time today.\n\nKind regards,\nEleanor Price\nSummit");
        assert_eq!(p.greeting.as_deref(), Some("Dear {full_name},"));
        assert_eq!(p.sign_off.as_deref(), Some("Kind regards,"));
        assert_eq!(p.signature.as_deref(), Some("Eleanor Price"));
        let t = parse("hey Dana! quick heads up, the crew is running late 🙂 talk soon! - Jake");
        assert_eq!(t.greeting.as_deref(), Some("hey {name}!"));
        assert_eq!(t.signature.as_deref(), Some("Jake"));
        assert_eq!(t.sign_off.as_deref(), Some("talk soon!"));
        assert_eq!(t.sentences, ["quick heads up, the crew is running late 🙂"]);
        let call = parse("Hi, this is Sarah from ABC Company. Do you have a minute?");
        assert_eq!(call.greeting.as_deref(), Some("Hi,"));
        assert_eq!(call.sentences[0], "this is Sarah from ABC Company.");
    }

    #[test]
    fn test_generic_sentences_carry_no_specifics() {
        assert!(is_generic("Let me know if you have any questions!"));
        assert!(is_generic("I'll keep an eye on it for you."));
        assert!(!is_generic("The quote is $9,600 installed."));
        assert!(!is_generic("Great meeting you and Linda on Tuesday."));
    }
}
