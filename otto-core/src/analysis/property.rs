//! Property facts: ages of the roof, system and home, materials and system types, square
//! footage, stories, energy usage and bills, and how long the owners have lived there.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::text::{find_phrase, has_any, numbers_in, words};
use super::{conf, Evidence, Role, Transcript, Turn};

/// One fact about the property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PropertyFact {
    /// roof_age, system_age, home_age, roof_material, system_type, efficiency_rating,
    /// square_footage, stories, annual_usage_kwh, monthly_bill, years_owned.
    pub fact_type: String,
    /// The value as text, e.g. "22 years", "asphalt shingles", "1900 sq ft".
    pub value: String,
    /// Confidence in the fact.
    pub confidence: f32,
    /// Where it was said.
    pub evidence: Vec<Evidence>,
}

const ASSETS: &[(&str, &str)] = &[
    ("roof", "roof_age"),
    ("shingle*", "roof_age"),
    ("water heater", "system_age"),
    ("heater", "system_age"),
    ("system", "system_age"),
    ("unit", "system_age"),
    ("ac", "system_age"),
    ("furnace", "system_age"),
    ("air conditioner", "system_age"),
    ("boiler", "system_age"),
    ("panel*", "system_age"),
    ("window*", "system_age"),
    ("house", "home_age"),
    ("home", "home_age"),
];

fn asset_kind(tokens: &[String]) -> Option<&'static str> {
    // The asset named closest to the start of the sentence is usually its subject.
    ASSETS.iter().filter_map(|(p, k)| find_phrase(tokens, p).map(|i| (i, *k))).min_by_key(|(i, _)| *i).map(|(_, k)| k)
}

fn fact(kind: &str, value: String, c: f32, turn: &Turn, quote: &str) -> PropertyFact {
    PropertyFact { fact_type: kind.into(), value, confidence: conf(c), evidence: vec![turn.evidence_quote(quote)] }
}

/// Extracts property facts, keeping the first mention of each fact type.
pub(crate) fn extract(t: &Transcript) -> Vec<PropertyFact> {
    let mut out: Vec<PropertyFact> = Vec::new();
    let add = |f: PropertyFact, out: &mut Vec<PropertyFact>| {
        if !out.iter().any(|o| o.fact_type == f.fact_type) {
            out.push(f);
        }
    };
    for turn in &t.turns {
        let prev_asset = if turn.role == Role::Customer && turn.index > 0 {
            asset_kind(&t.turns[turn.index - 1].tokens)
        } else {
            None
        };
        for s in &turn.sentences {
            let nt = words(&s.norm_text);
            let nums = numbers_in(&s.norm_text);
            // Ages: "<n> years old", "about <n> years" in answer to "how old".
            if let Some(i) = find_phrase(&nt, "years|year old").or_else(|| {
                find_phrase(&nt, "~ years").filter(|_| {
                    prev_asset.is_some() && has_any(&t.turns[turn.index.saturating_sub(1)].tokens, &["how old"])
                })
            }) {
                // Prefer "<n> now" (a corrected age) over the first number.
                let age = find_phrase(&nt, "_ now")
                    .and_then(|k| nt[k].parse::<f64>().ok())
                    .or_else(|| nt[..i.min(nt.len())].iter().rev().find_map(|w| w.parse::<f64>().ok()))
                    .or_else(|| nums.first().copied());
                if let Some(age) = age.filter(|a| *a > 0.0 && *a < 150.0) {
                    let kind = asset_kind(&s.tokens).or(prev_asset).unwrap_or("system_age");
                    let own_years =
                        has_any(&s.tokens, &["owned", "lived", "been here", "bought"]) && !has_any(&s.tokens, &["old"]);
                    let kind = if own_years { "years_owned" } else { kind };
                    add(fact(kind, format!("{age} years"), 0.75, turn, &s.text), &mut out);
                }
            }
            if has_any(&s.tokens, &["owned ~ years", "lived ~ years", "owned it"]) {
                if let Some(n) = nums.first() {
                    add(fact("years_owned", format!("{n} years"), 0.7, turn, &s.text), &mut out);
                }
            }
            for (pat, val) in [
                ("asphalt", "asphalt shingles"),
                ("architectural shingle*", "architectural shingles"),
                ("composition shingle*", "composition shingles"),
                ("tile roof", "tile"),
                ("metal roof", "metal"),
                ("slate", "slate"),
                ("cedar|wood shake*", "wood shakes"),
            ] {
                if find_phrase(&s.tokens, pat).is_some() {
                    add(fact("roof_material", val.into(), 0.8, turn, &s.text), &mut out);
                }
            }
            for (pat, val) in [
                ("tankless", "tankless water heater"),
                ("gas water heater", "gas water heater"),
                ("electric water heater", "electric water heater"),
                ("heat pump", "heat pump"),
                ("furnace", "furnace"),
                ("central air", "central air"),
                ("boiler", "boiler"),
                ("mini split", "mini split"),
            ] {
                if find_phrase(&s.tokens, pat).is_some() && turn.role == Role::Customer {
                    add(fact("system_type", val.into(), 0.7, turn, &s.text), &mut out);
                }
            }
            if let Some(i) = find_phrase(&nt, "seer") {
                if let Some(n) = i.checked_sub(1).and_then(|k| nt[k].parse::<f64>().ok()) {
                    if has_any(&s.tokens, &["current", "your", "existing", "is a", "it's a"]) {
                        add(fact("efficiency_rating", format!("{n} SEER"), 0.7, turn, &s.text), &mut out);
                    }
                }
            }
            if let Some(i) = find_phrase(&nt, "square feet|foot|ft") {
                if let Some(n) = i.checked_sub(1).and_then(|k| nt[k].parse::<f64>().ok()) {
                    add(fact("square_footage", format!("{n} sq ft"), 0.85, turn, &s.text), &mut out);
                }
            } else if turn.role == Role::Customer
                && turn.index > 0
                && has_any(&t.turns[turn.index - 1].tokens, &["square feet", "square footage"])
            {
                if let Some(n) = nums.first().filter(|n| **n >= 300.0) {
                    add(fact("square_footage", format!("{n} sq ft"), 0.75, turn, &s.text), &mut out);
                }
            }
            for (pat, val) in
                [("single story", "1"), ("one story", "1"), ("two story", "2"), ("2 story", "2"), ("three story", "3")]
            {
                if find_phrase(&s.tokens, pat).is_some() || find_phrase(&nt, pat).is_some() {
                    add(fact("stories", val.into(), 0.8, turn, &s.text), &mut out);
                }
            }
            if let Some(i) = find_phrase(&nt, "kilowatt hours|kwh") {
                if let Some(n) = i.checked_sub(1).and_then(|k| nt[k].parse::<f64>().ok()) {
                    add(fact("annual_usage_kwh", format!("{n} kWh"), 0.7, turn, &s.text), &mut out);
                }
            }
            if turn.role == Role::Customer && has_any(&s.tokens, &["bill", "bills"]) {
                if let Some(i) = find_phrase(&nt, "dollars") {
                    if let Some(n) = i.checked_sub(1).and_then(|k| nt[k].parse::<f64>().ok()) {
                        add(fact("monthly_bill", format!("${n}"), 0.7, turn, &s.text), &mut out);
                    }
                }
            }
        }
    }
    out
}
