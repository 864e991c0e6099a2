//! HTTP routes, one module per API category of the design.

pub mod analytics;
pub mod asr;
pub mod calls;
pub mod clone;
pub mod crm;
pub mod documents;
pub mod followup;
pub mod media;
pub mod rag;
pub mod sop;
pub mod summary;
pub mod system;
pub mod voice;
pub mod webhooks;

use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

/// The error responses every authenticated operation may answer, added to each operation of
/// the OpenAPI document so clients and contract tests know their shape.
pub(crate) fn add_error_responses(op: &mut Operation, authenticated: bool) {
    let mut codes: Vec<(&str, &str)> = vec![
        ("400", "Invalid input; `message` names the field"),
        ("429", "Rate limit exceeded; retry after `retry_after` seconds"),
        ("500", "Unexpected error; `request_id` identifies it in the logs"),
        ("503", "Timed out or a dependency is unavailable"),
    ];
    if op.request_body.is_some() {
        codes.extend([("413", "The body exceeds the 10 MB JSON limit"), ("415", "The body is not `application/json`")]);
    }
    if authenticated {
        codes.extend([
            ("401", "Missing, malformed, forged or expired token"),
            ("403", "Role lacks the permission, or X-Company-ID does not match the token"),
            ("404", "No such object in the caller's scope"),
        ]);
    }
    for (code, description) in codes {
        op.responses.responses.entry(code.to_string()).or_insert_with(|| error_response(description));
    }
}

fn error_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
            .build(),
    )
}
