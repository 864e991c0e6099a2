//! Text primitives shared by every analyzer: tokenising, sentence splitting, number-word
//! normalisation, phrase matching with small wildcards, negation and question detection.
//!
//! Transcripts come from TTS-friendly or ASR text, so numbers arrive as words ("fifteen
//! thousand"). Analyzers that look for amounts work on the normalised form; analyzers that look
//! for spoken times ("six thirty") work on the word form, because normalisation deliberately
//! leaves juxtaposed number words alone.

/// Lower-cases, folds typographic apostrophes and splits `text` into word tokens.
///
/// Letters, digits, apostrophes and decimal points inside numbers stay in a token; hyphens split
/// ("twenty-two" -> "twenty", "two") so compound number words parse like spaced ones.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let c = if c == '\u{2019}' || c == '\u{2018}' { '\'' } else { c };
        let keep = c.is_alphanumeric()
            || (c == '\'' && !cur.is_empty() && chars.get(i + 1).is_some_and(|n| n.is_alphabetic()))
            || ((c == '.' || c == ',' || c == ':')
                && cur.chars().last().is_some_and(|p| p.is_ascii_digit())
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()));
        if keep {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Splits `text` into sentences on `.`, `?` and `!` followed by whitespace (or the end).
///
/// Decimal points ("7.99") never split because they are not followed by whitespace.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        if matches!(c, '.' | '?' | '!') && chars.get(i + 1).is_none_or(|n| n.is_whitespace()) {
            let s = cur.trim().to_string();
            if !s.is_empty() {
                out.push(s);
            }
            cur.clear();
        }
    }
    let s = cur.trim().to_string();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

/// Drops speech fillers and stutters from a token list, so ASR transcripts ("um my my breaker
/// keeps uh tripping you know") match the same phrases as clean text: "um", "uh", "er", "hmm",
/// a "you know" or "i mean" used as a filler, and a word or two-word group repeated back to back
/// ("the the", "we got we got"). Number words and digits are never collapsed ("two two").
pub fn clean_tokens(tokens: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let w = tokens[i].as_str();
        let next = tokens.get(i + 1).map(String::as_str);
        let prev = out.last().map(String::as_str);
        if matches!(w, "um" | "umm" | "uh" | "uhh" | "uhm" | "er" | "erm" | "hmm" | "mm" | "mhm") {
            i += 1;
            continue;
        }
        if w == "you"
            && next == Some("know")
            && !matches!(
                prev,
                Some("do" | "did" | "don't" | "didn't" | "would" | "if" | "let" | "will" | "to" | "i'll")
            )
            && !matches!(tokens.get(i + 2).map(String::as_str), Some("what" | "how" | "if" | "that" | "when" | "where"))
        {
            i += 2;
            continue;
        }
        if w == "i" && next == Some("mean") && !matches!(prev, Some("what" | "if")) && tokens.get(i + 2).is_some() {
            i += 2;
            continue;
        }
        let numeric =
            |x: &str| x.chars().any(|c| c.is_ascii_digit()) || unit_value(x).is_some() || tens_value(x).is_some();
        if prev == Some(w) && !numeric(w) {
            i += 1;
            continue;
        }
        if out.len() >= 2 && next.is_some() {
            let (a, b) = (&out[out.len() - 2], &out[out.len() - 1]);
            if a == w && Some(b.as_str()) == next && !numeric(w) && !numeric(b) {
                i += 2;
                continue;
            }
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

/// Words that, after a discourse marker, open a new question in unpunctuated speech.
const ASR_QUESTION_STARTS: &[&str] = &[
    "how", "what", "what's", "when", "where", "why", "who", "which", "is", "are", "do", "does", "did", "can", "could",
    "would", "will", "have", "has",
];
/// Pronouns and articles that follow an auxiliary that opens a question ("is there", "do you").
const ASR_QUESTION_SUBJECTS: &[&str] =
    &["you", "there", "it", "this", "that", "your", "anyone", "anybody", "he", "she", "they", "we", "the", "someone"];
/// Discourse markers after which a new sentence may start in unpunctuated speech.
const ASR_BREAKS: &[&str] =
    &["so", "and", "okay", "ok", "alright", "um", "uh", "yeah", "right", "gotcha", "cool", "great", "now", "but"];

/// Splits a long unpunctuated stretch of ASR text into sentences where a discourse marker
/// ("so", "and", "um", "okay") is followed by a question opener ("how big", "is there",
/// "do you"), so questions asked mid-turn are still recognised. Text with sentence punctuation
/// is returned unchanged.
pub fn split_unpunctuated(sentence: &str) -> Vec<String> {
    let body = sentence.trim_end_matches(['.', '?', '!']);
    let raw: Vec<&str> = sentence.split_whitespace().collect();
    if raw.len() < 10 || body.contains(['.', '?', '!', ';']) || sentence.trim_end().ends_with('?') {
        return vec![sentence.to_string()];
    }
    let norm: Vec<String> =
        raw.iter().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').to_lowercase()).collect();
    let mut cuts = Vec::new();
    for i in 2..raw.len().saturating_sub(2) {
        let prev = norm[i - 1].as_str();
        let w = norm[i].as_str();
        let next = norm[i + 1].as_str();
        if !ASR_BREAKS.contains(&prev) || !ASR_QUESTION_STARTS.contains(&w) {
            continue;
        }
        let wh = matches!(w, "how" | "what" | "what's" | "when" | "where" | "why" | "who" | "which");
        if wh || ASR_QUESTION_SUBJECTS.contains(&next) {
            // The marker opens the new sentence.
            let cut = i - 1;
            if cut >= 3 && cuts.last().is_none_or(|&c| cut >= c + 3) {
                cuts.push(cut);
            }
        }
    }
    if cuts.is_empty() {
        return vec![sentence.to_string()];
    }
    let mut out = Vec::new();
    let mut from = 0;
    for c in cuts.into_iter().chain(std::iter::once(raw.len())) {
        out.push(raw[from..c].join(" "));
        from = c;
    }
    out
}

/// Value of a units or teens number word ("zero" ..= "nineteen").
pub fn unit_value(w: &str) -> Option<u64> {
    Some(match w {
        "zero" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        _ => return None,
    })
}

/// Value of a tens number word ("twenty" ..= "ninety").
pub fn tens_value(w: &str) -> Option<u64> {
    Some(match w {
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

fn scale_value(w: &str) -> Option<u64> {
    Some(match w {
        "hundred" => 100,
        "thousand" => 1_000,
        "million" => 1_000_000,
        _ => return None,
    })
}

fn is_number_word(w: &str) -> bool {
    unit_value(w).is_some() || tens_value(w).is_some()
}

/// One whitespace- or hyphen-separated piece of the original text, with the punctuation around
/// it kept so the text can be rebuilt byte for byte apart from replaced numbers.
#[derive(Debug)]
struct Piece {
    sep: String,
    pre: String,
    core: String,
    post: String,
}

fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut sep = String::new();
    for chunk in text.split_inclusive(char::is_whitespace) {
        let trimmed = chunk.trim_end_matches(char::is_whitespace);
        let trailing_ws = &chunk[trimmed.len()..];
        if trimmed.is_empty() {
            sep.push_str(trailing_ws);
            continue;
        }
        for (k, part) in trimmed.split('-').enumerate() {
            let start = part.find(|c: char| c.is_alphanumeric()).unwrap_or(part.len());
            let end = part
                .rfind(|c: char| c.is_alphanumeric())
                .map_or(start, |e| e + part[e..].chars().next().map_or(1, char::len_utf8));
            let (pre, rest) = part.split_at(start);
            let (core, post) = rest.split_at(end.saturating_sub(start));
            out.push(Piece {
                sep: if k == 0 { std::mem::take(&mut sep) } else { "-".to_string() },
                pre: pre.to_string(),
                core: core.to_string(),
                post: post.to_string(),
            });
        }
        sep.push_str(trailing_ws);
    }
    if !sep.is_empty() {
        out.push(Piece { sep, pre: String::new(), core: String::new(), post: String::new() });
    }
    out
}

/// Parses a number phrase starting at `pieces[i]`. Returns the value (as display text) and the
/// index one past the last consumed piece. Parsing stops where two units or two tens would be
/// juxtaposed ("four eighteen"), which the caller then treats as spoken digits, not a sum.
fn parse_number(ps: &[Piece], i: usize) -> Option<(String, usize)> {
    let lw = |k: usize| ps.get(k).map(|p| p.core.to_lowercase());
    let mut total: u64 = 0;
    let mut group: u64 = 0;
    // What the group already holds below 100: 0 nothing, 1 a tens word only, 2 a unit/teen.
    let mut low: u8 = 0;
    let mut any = false;
    let mut k = i;
    while let Some(w) = lw(k) {
        // Punctuation before this piece (other than the separating hyphen/space) ends the phrase.
        if k > i && (!ps[k].pre.is_empty() || !ps[k - 1].post.is_empty()) {
            break;
        }
        if w == "a" && !any {
            if lw(k + 1).as_deref().and_then(scale_value).is_some() {
                group = 1;
                low = 2;
                any = true;
                k += 1;
                continue;
            }
            return None;
        }
        if w == "and" && any && group.is_multiple_of(100) && (group > 0 || total > 0) {
            // "four hundred and ten" joins; "twenty-two hundred and twenty-eight hundred" is a
            // range of two numbers, so a scale word after the next number stops the join.
            let scale_follows = (k + 2..k + 4).any(|j| lw(j).as_deref().and_then(scale_value).is_some());
            if lw(k + 1).as_deref().is_some_and(is_number_word) && !scale_follows {
                k += 1;
                continue;
            }
            break;
        }
        if let Some(v) = unit_value(&w) {
            match low {
                0 => group += v,
                1 if v < 10 && v > 0 => group += v,
                _ => break,
            }
            low = 2;
        } else if let Some(v) = tens_value(&w) {
            if low != 0 {
                break;
            }
            group += v;
            low = 1;
        } else if let Some(s) = scale_value(&w) {
            if !any {
                return None;
            }
            if s == 100 {
                if group >= 100 || group == 0 {
                    break;
                }
                group *= 100;
            } else {
                total += group.max(1) * s;
                group = 0;
            }
            low = 0;
        } else {
            break;
        }
        any = true;
        k += 1;
    }
    if !any {
        return None;
    }
    let value = total + group;
    let mut text = value.to_string();
    // "eight point two", "seven point nine nine"
    if lw(k).as_deref() == Some("point") && ps[k - 1].post.is_empty() {
        let mut j = k + 1;
        let mut digits = String::new();
        while let Some(w) = lw(j) {
            match unit_value(&w) {
                Some(d) if d < 10 && ps[j].pre.is_empty() && ps[j - 1].post.is_empty() => {
                    digits.push_str(&d.to_string());
                    j += 1;
                }
                _ => break,
            }
        }
        if !digits.is_empty() {
            text = format!("{text}.{digits}");
            k = j;
        }
    }
    Some((text, k))
}

fn hundreds_pair(ps: &[Piece], i: usize, end: usize, first: &str) -> Option<(String, usize)> {
    let hi: u64 = first.parse().ok().filter(|v| (11..=99).contains(v))?;
    let (second, end2) = parse_number(ps, end)?;
    let lo: u64 = second.parse().ok().filter(|v| (10..=99).contains(v))?;
    let more = ps.get(end2).is_some_and(|n| is_number_word(&n.core.to_lowercase()) && ps[end2 - 1].post.is_empty());
    let time_prep = i > 0
        && matches!(
            ps[i - 1].core.to_lowercase().as_str(),
            "at" | "around" | "by" | "until" | "till" | "from" | "between" | "about" | "after" | "before"
        );
    let meridiem =
        ps.get(end2).is_some_and(|n| matches!(n.core.to_lowercase().as_str(), "am" | "pm" | "a" | "p" | "o'clock"));
    (!more && !time_prep && !meridiem).then(|| ((hi * 100 + lo).to_string(), end2))
}

/// Rewrites number words as digits: "fifteen thousand" -> "15000", "twenty-two" -> "22",
/// "eight point two" -> "8.2", "four hundred and ten" -> "410".
///
/// Juxtaposed number words are how people say addresses, prices and times ("four eighteen Elm",
/// "thirteen eight", "six thirty"); summing them would be wrong, so such runs stay as words.
/// A lone "one" or "a" also stays, because it is usually an article or pronoun.
pub fn normalize_numbers(text: &str) -> String {
    let ps = pieces(text);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let is_num = |p: &Piece| {
        let w = p.core.to_lowercase();
        is_number_word(&w) || w == "oh"
    };
    while i < ps.len() {
        let p = &ps[i];
        let starts_number = {
            let w = p.core.to_lowercase();
            is_number_word(&w) || w == "a"
        };
        if starts_number {
            if let Some((val, end)) = parse_number(&ps, i) {
                let juxtaposed_next = ps
                    .get(end)
                    .is_some_and(|n| is_num(n) && n.sep != "-" && n.pre.is_empty() && ps[end - 1].post.is_empty());
                let juxtaposed_prev = i > 0
                    && is_num(&ps[i - 1])
                    && ps[i - 1].post.is_empty()
                    && p.pre.is_empty()
                    && !ps[i - 1].core.eq_ignore_ascii_case("oh");
                let lone_one = end == i + 1 && p.core.eq_ignore_ascii_case("one");
                if !juxtaposed_next && !juxtaposed_prev && !lone_one {
                    out.push_str(&p.sep);
                    out.push_str(&p.pre);
                    out.push_str(&val);
                    out.push_str(&ps[end - 1].post);
                    i = end;
                    continue;
                }
                if juxtaposed_next {
                    // "sixteen fifty" (a price) and "twenty nineteen" (a year) are hundreds
                    // spoken in pairs: exactly two parts, the first 11-99, the second 10-99.
                    // Times ("at eleven thirty") and addresses ("four eighteen") are excluded.
                    if let Some(pair) = hundreds_pair(&ps, i, end, &val) {
                        out.push_str(&p.sep);
                        out.push_str(&p.pre);
                        out.push_str(&pair.0);
                        out.push_str(&ps[pair.1 - 1].post);
                        i = pair.1;
                        continue;
                    }
                    // Copy the whole run of spoken digits unchanged.
                    let mut j = i;
                    while j < ps.len()
                        && (j == i || (is_num(&ps[j]) && ps[j].pre.is_empty() && ps[j - 1].post.is_empty()))
                    {
                        let q = &ps[j];
                        out.push_str(&q.sep);
                        out.push_str(&q.pre);
                        out.push_str(&q.core);
                        out.push_str(&q.post);
                        j += 1;
                    }
                    i = j;
                    continue;
                }
            }
        }
        out.push_str(&p.sep);
        out.push_str(&p.pre);
        out.push_str(&p.core);
        out.push_str(&p.post);
        i += 1;
    }
    out
}

/// Extracts every numeric value that appears as digits in already-normalised text.
pub fn numbers_in(normalised: &str) -> Vec<f64> {
    words(normalised)
        .iter()
        .filter_map(|w| {
            let digits: String = w.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
            if digits.is_empty() || !w.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            digits.trim_end_matches('.').parse().ok()
        })
        .collect()
}

/// Finds `pattern` in `tokens` and returns the index of its first token.
///
/// Pattern syntax (space separated): a plain word matches exactly; `word*` matches a prefix;
/// `_` matches any one token; `~` skips zero to three tokens; `a|b` matches either word.
pub fn find_phrase(tokens: &[String], pattern: &str) -> Option<usize> {
    let pat: Vec<&str> = pattern.split_whitespace().collect();
    (0..tokens.len()).find(|&s| match_at(tokens, s, &pat))
}

fn token_matches(tok: &str, p: &str) -> bool {
    p.split('|').any(|alt| {
        if alt == "_" {
            true
        } else if let Some(prefix) = alt.strip_suffix('*') {
            tok.starts_with(prefix)
        } else {
            tok == alt
        }
    })
}

fn match_at(tokens: &[String], start: usize, pat: &[&str]) -> bool {
    let Some((&first, rest)) = pat.split_first() else {
        return true;
    };
    if first == "~" {
        return (0..=3).any(|skip| start + skip <= tokens.len() && match_at(tokens, start + skip, rest));
    }
    match tokens.get(start) {
        Some(t) if token_matches(t, first) => match_at(tokens, start + 1, rest),
        _ => false,
    }
}

/// True if any of `patterns` occurs in `tokens` (see [`find_phrase`]).
pub fn has_any(tokens: &[String], patterns: &[&str]) -> bool {
    patterns.iter().any(|p| find_phrase(tokens, p).is_some())
}

/// Counts how many of `patterns` occur in `tokens`.
pub fn count_any(tokens: &[String], patterns: &[&str]) -> usize {
    patterns.iter().filter(|p| find_phrase(tokens, p).is_some()).count()
}

const NEGATORS: &[&str] = &[
    "not",
    "no",
    "never",
    "don't",
    "doesn't",
    "didn't",
    "isn't",
    "wasn't",
    "aren't",
    "weren't",
    "won't",
    "wouldn't",
    "can't",
    "cannot",
    "couldn't",
    "shouldn't",
    "haven't",
    "hasn't",
    "hadn't",
    "nobody",
    "nothing",
    "without",
    "hardly",
    "neither",
    "nor",
    "ain't",
];

/// True when the token at `idx` sits in the scope of a negator: one of the three tokens before
/// it negates, and no clause break ("but", "although") intervenes.
pub fn negated_at(tokens: &[String], idx: usize) -> bool {
    let from = idx.saturating_sub(3);
    for j in (from..idx).rev() {
        let t = tokens[j].as_str();
        if matches!(t, "but" | "although" | "though" | "however" | "and") {
            return false;
        }
        if NEGATORS.contains(&t) {
            return true;
        }
    }
    false
}

/// True if `pattern` occurs in `tokens` outside the scope of a negator.
pub fn has_affirmed(tokens: &[String], pattern: &str) -> bool {
    let pat: Vec<&str> = pattern.split_whitespace().collect();
    (0..tokens.len()).any(|s| match_at(tokens, s, &pat) && !negated_at(tokens, s))
}

/// True if any of `patterns` occurs outside the scope of a negator.
pub fn has_any_affirmed(tokens: &[String], patterns: &[&str]) -> bool {
    patterns.iter().any(|p| has_affirmed(tokens, p))
}

const QUESTION_OPENERS: &[&str] = &[
    "what", "when", "where", "why", "how", "who", "which", "do", "does", "did", "is", "are", "was", "were", "can",
    "could", "would", "will", "should", "have", "has", "any", "anything",
];

/// True if `sentence` is a question: it ends with `?`, or opens with an interrogative or
/// auxiliary verb (ASR output often drops question marks).
pub fn is_question(sentence: &str) -> bool {
    if sentence.trim_end().ends_with('?') {
        return true;
    }
    let w = clean_tokens(words(sentence));
    // Unpunctuated tag questions: "you own it right", "looking to get this done soon or".
    let unpunctuated = !sentence.trim_end().ends_with(['.', '!']);
    if unpunctuated
        && w.len() > 3
        && (matches!(w.last().map(String::as_str), Some("right" | "or" | "correct"))
            || w.ends_with(&["does".to_string(), "that".to_string(), "work".to_string()]))
    {
        return true;
    }
    // "So", "And", "Okay" often preface a question without changing it.
    let first = w.iter().find(|t| !matches!(t.as_str(), "so" | "and" | "okay" | "ok" | "um" | "uh" | "alright"));
    first.is_some_and(|f| QUESTION_OPENERS.contains(&f.as_str())) && w.len() > 2 && !sentence.trim_end().ends_with('.')
}

const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "if",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "as",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "it",
    "its",
    "it's",
    "this",
    "that",
    "these",
    "those",
    "i",
    "you",
    "he",
    "she",
    "we",
    "they",
    "me",
    "him",
    "her",
    "us",
    "them",
    "my",
    "your",
    "his",
    "our",
    "their",
    "do",
    "does",
    "did",
    "have",
    "has",
    "had",
    "so",
    "such",
    "what",
    "which",
    "who",
    "whom",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "no",
    "not",
    "only",
    "own",
    "same",
    "than",
    "too",
    "very",
    "can",
    "will",
    "just",
    "should",
    "now",
    "there",
    "here",
    "about",
    "into",
    "over",
    "under",
    "again",
    "then",
    "once",
    "also",
    "up",
    "down",
    "out",
    "off",
    "would",
    "could",
    "may",
    "might",
    "must",
    "shall",
    "am",
    "pm",
    "per",
    "via",
    "e",
    "g",
    "eg",
    "etc",
    "i'm",
    "you're",
    "we're",
    "they're",
    "that's",
    "there's",
    "what's",
    "let's",
    "i'll",
    "we'll",
    "you'll",
    "i've",
    "we've",
    "i'd",
    "we'd",
    "don't",
    "okay",
    "yes",
    "yeah",
    "like",
    "get",
    "got",
    "one",
    "whether",
    "something",
    "such",
    "either",
    "else",
];

/// True for function words that carry no content.
pub fn is_stopword(w: &str) -> bool {
    STOPWORDS.contains(&w)
}

/// A crude suffix-stripping stem, enough to match "leaking"/"leak" and "quotes"/"quoted".
pub fn stem(w: &str) -> String {
    let w = w.trim_end_matches("'s");
    for suf in ["ings", "ing", "edly", "ed", "es", "s", "ly"] {
        if let Some(base) = w.strip_suffix(suf) {
            if base.chars().count() >= 3 {
                return base.to_string();
            }
        }
    }
    w.to_string()
}

/// Content-word stems of `text`: lower-cased, stopwords removed, stemmed.
pub fn content_stems(text: &str) -> Vec<String> {
    words(text).into_iter().filter(|w| !is_stopword(w) && w.len() > 1).map(|w| stem(&w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        words(s)
    }

    #[test]
    fn test_number_words_sum_scales() {
        assert_eq!(normalize_numbers("about fifteen thousand set aside"), "about 15000 set aside");
        assert_eq!(normalize_numbers("twenty-one thousand four hundred."), "21400.");
        assert_eq!(normalize_numbers("four hundred and ten dollars"), "410 dollars");
        assert_eq!(normalize_numbers("a hundred and fifteen degree day"), "115 degree day");
        assert_eq!(normalize_numbers("About nineteen hundred. Single story."), "About 1900. Single story.");
        assert_eq!(normalize_numbers("fifty-five hundred North"), "5500 North");
        assert_eq!(normalize_numbers("it's twenty-two now"), "it's 22 now");
    }

    #[test]
    fn test_number_words_keep_spoken_digits() {
        assert_eq!(normalize_numbers("It's four eighteen Elm Street."), "It's four eighteen Elm Street.");
        assert_eq!(normalize_numbers("Thirteen eight. Man."), "Thirteen eight. Man.");
        assert_eq!(normalize_numbers("Monday at six thirty"), "Monday at six thirty");
        assert_eq!(normalize_numbers("one of our managers"), "one of our managers");
        assert_eq!(normalize_numbers("seven or eight years"), "7 or 8 years");
        assert_eq!(normalize_numbers("between two and four"), "between 2 and 4");
        assert_eq!(normalize_numbers("they said sixteen fifty for it"), "they said 1650 for it");
        assert_eq!(normalize_numbers("in twenty nineteen"), "in 2019");
        assert_eq!(normalize_numbers("at eleven thirty"), "at eleven thirty");
        assert_eq!(normalize_numbers("between twenty-two hundred and twenty-eight hundred"), "between 2200 and 2800");
    }

    #[test]
    fn test_number_words_decimals_and_hyphen_suffix() {
        assert_eq!(normalize_numbers("an eight point two kilowatt system"), "an 8.2 kilowatt system");
        assert_eq!(normalize_numbers("seven point nine nine percent"), "7.99 percent");
        assert_eq!(normalize_numbers("the eighteen-month plan"), "the 18-month plan");
        assert_eq!(numbers_in("21400 and 7.99, then 1,900"), vec![21400.0, 7.99, 1900.0]);
    }

    #[test]
    fn test_negation_scope() {
        let t = toks("It's not leaking or anything");
        assert!(negated_at(&t, find_phrase(&t, "leaking").unwrap()));
        let t = toks("I don't know, but it's leaking");
        assert!(!negated_at(&t, find_phrase(&t, "leaking").unwrap()));
        assert!(!has_affirmed(&toks("we don't need a new system"), "need ~ system"));
        assert!(has_affirmed(&toks("we need a new system"), "need ~ system"));
    }

    #[test]
    fn test_question_detection() {
        assert!(is_question("Do you own the home?"));
        assert!(is_question("So how old is the unit"));
        assert!(!is_question("I think about eleven years."));
    }

    #[test]
    fn test_phrase_wildcards() {
        let t = toks("That's a lot more than I was thinking.");
        assert!(find_phrase(&t, "more than ~ thinking|expecting").is_some());
        assert!(find_phrase(&t, "lot mor*").is_some());
        assert!(find_phrase(&t, "less than").is_none());
    }

    #[test]
    fn test_asr_fillers_and_stutters() {
        let t = clean_tokens(words("um my my breaker uh keeps tripping you know and we got we got mice"));
        assert_eq!(t.join(" "), "my breaker keeps tripping and we got mice");
        assert_eq!(clean_tokens(words("do you know how old it is")).join(" "), "do you know how old it is");
        assert_eq!(clean_tokens(words("two two five")).join(" "), "two two five");
    }

    #[test]
    fn test_asr_question_splitting() {
        let s = split_unpunctuated(
            "congrats on the new place so how big is the yard roughly and is there irrigation back there",
        );
        assert_eq!(s.len(), 3);
        assert!(is_question(&s[1]) && is_question(&s[2]));
        assert!(is_question("okay and you own it you said you just bought it right"));
        assert_eq!(
            split_unpunctuated("And you're the homeowner, so you can okay any repairs if he finds something?").len(),
            1
        );
    }

    #[test]
    fn test_sentences_keep_decimals() {
        assert_eq!(sentences("It is 7.99 percent. Okay? Yes"), vec!["It is 7.99 percent.", "Okay?", "Yes"]);
    }
}
