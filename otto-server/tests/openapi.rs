//! `openapi.yaml` is generated from the routes and committed. These tests fail in CI when the
//! committed file is stale (and rewrite it locally), and check it against the original team's
//! OpenAPI 3.0 reference in `../shared/spec`.
//!
//! utoipa emits OpenAPI 3.1, which `openapiv3` (3.0 only) can't read, so our own file is read as
//! plain YAML values and `openapiv3` reads the 3.0 reference. See ARCHITECTURE.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn canonical(yaml: &str) -> serde_json::Value {
    serde_norway::from_str(yaml).expect("openapi.yaml is valid YAML")
}

#[test]
fn test_openapi_yaml_is_current() {
    let path = repo_root().join("openapi.yaml");
    let generated = otto_server::openapi_yaml();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if !committed.is_empty() && canonical(&committed) == canonical(&generated) {
        return;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("openapi.yaml is stale: run `cargo xtask openapi` and commit the result");
    }
    std::fs::write(&path, generated).unwrap();
    eprintln!("openapi.yaml was stale and has been rewritten; commit it");
}

/// Design endpoints that later issues implement. Shrinks as they land; the test below fails if
/// an entry here is in fact documented, so the list can't go stale.
const NOT_YET_IMPLEMENTED: &[&str] = &[];

fn ours() -> BTreeSet<String> {
    let doc = canonical(&otto_server::openapi_yaml());
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."), "an OpenAPI document");
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                ops.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    ops
}

#[test]
fn test_reference_endpoints_are_documented_or_listed_as_pending() {
    let reference_path = repo_root().join("../shared/spec/otto-openapi-reference.yaml");
    let Ok(text) = std::fs::read_to_string(&reference_path) else {
        eprintln!("skipping: {} not found", reference_path.display());
        return;
    };
    let reference: openapiv3::OpenAPI = serde_norway::from_str(&text).expect("the reference is OpenAPI 3.0");
    let ours = ours();
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    for (path, item) in reference.paths.iter() {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        for (method, _) in item.iter() {
            let op = format!("{} {path}", method.to_uppercase());
            let pending = NOT_YET_IMPLEMENTED.contains(&op.as_str());
            match (ours.contains(&op), pending) {
                (false, false) => missing.push(op),
                (true, true) => stale.push(op),
                _ => {}
            }
        }
    }
    assert!(missing.is_empty(), "reference operations neither documented nor pending: {missing:?}");
    assert!(stale.is_empty(), "documented now, remove from NOT_YET_IMPLEMENTED: {stale:?}");
}

#[test]
fn test_every_api_operation_documents_errors_and_security() {
    let doc = canonical(&otto_server::openapi_yaml());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("400") && responses.contains_key("500"), "{method} {path}");
            if path.starts_with("/api/v1") {
                assert!(responses.contains_key("401") && responses.contains_key("403"), "{method} {path}");
                assert!(op["security"].is_array(), "{method} {path} declares its auth");
            }
        }
    }
}
