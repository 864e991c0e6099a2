//! Key case at the JS boundary: results get camelCase keys (`callId`, `totalCalls`), inputs
//! may use either case (`repId` or `rep_id`). Keys that are data rather than field names stay
//! as they are: user metadata is left untouched, and maps keyed by a value (objection types,
//! stage names, lead sources) keep their keys while their values are converted.

use serde_json::{Map, Value};

/// Fields whose whole value is user data: nothing inside is renamed.
const OPAQUE: [&str; 6] = ["metadata", "attributes", "data", "details", "payload", "context"];

/// Fields that are maps keyed by data: the keys stay, the values are converted.
const KEYED_BY_DATA: [&str; 8] = [
    "processing_stages",
    "stages",
    "objection_frequency",
    "objection_impact",
    "lead_quality_distribution",
    "lead_sources",
    "stage_compliance",
    "channel_mix",
];

/// `call_id` -> `callId`.
pub fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for (i, c) in key.chars().enumerate() {
        if c == '_' && i > 0 {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `callId` -> `call_id` (snake_case keys pass unchanged).
pub fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn convert(value: Value, rename: fn(&str) -> String) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(|v| convert(v, rename)).collect()),
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, v) in map {
                // The wire (snake_case) name decides how the value is treated.
                let wire = snake(&key);
                let v = if OPAQUE.contains(&wire.as_str()) {
                    v
                } else if KEYED_BY_DATA.contains(&wire.as_str()) {
                    match v {
                        Value::Object(m) => {
                            Value::Object(m.into_iter().map(|(k, x)| (k, convert(x, rename))).collect())
                        }
                        other => convert(other, rename),
                    }
                } else {
                    convert(v, rename)
                };
                out.insert(rename(&key), v);
            }
            Value::Object(out)
        }
        other => other,
    }
}

/// A result with camelCase keys.
pub fn to_camel(value: Value) -> Value {
    convert(value, camel)
}

/// An input with the API's snake_case keys.
pub fn to_snake(value: Value) -> Value {
    convert(value, snake)
}
