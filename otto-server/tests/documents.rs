//! Document ingestion, search over documents, replacement, deletion and reindexing.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use otto_core::rag::AskRequest;
use otto_core::{CompanyId, Principal, Role};
use serde_json::Value;

const BOUNDARY: &str = "otto-test-boundary";

fn multipart(file_name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &TestApp, tok: &str, path: &str, file: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Resp {
    let req = Request::post(path)
        .header("authorization", format!("Bearer {tok}"))
        .header("x-company-id", "co")
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(multipart(file, bytes, fields)))
        .unwrap();
    app.send(req).await
}

async fn wait_status(app: &TestApp, tok: &str, id: &str) -> Value {
    for _ in 0..400 {
        let r = app.call("GET", &format!("/api/v1/ingestion/documents/{id}"), tok, "co", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        if r.body["status"] != "processing" {
            return r.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("document {id} still processing");
}

const GUIDE_V1: &str = "# Handling Price Objections\n\nWhen a homeowner says the quote is too high, acknowledge it, then walk through the line items.\n\n## Financing\n\nOffer the 18 month zero percent plan before discounting.\n";
const GUIDE_V2: &str = "# Handling Price Objections\n\nNever discount on the first visit. Offer the 12 month same-as-cash plan and compare warranties.\n";

#[tokio::test]
async fn test_upload_index_search_replace_and_delete() {
    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    let r = upload(
        &app,
        &mgr,
        "/api/v1/ingestion/training-documents",
        "price-guide.md",
        GUIDE_V1.as_bytes(),
        &[("role", "sales_rep"), ("metadata", r#"{"category": "objections"}"#)],
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.body["document_id"].as_str().unwrap().to_string();
    let doc = wait_status(&app, &mgr, &id).await;
    assert_eq!(doc["status"], "indexed", "{doc}");
    assert_eq!(doc["title"], "Handling Price Objections");
    assert!(doc["chunks_created"].as_u64().unwrap() >= 1);

    // Company knowledge is visible to a sales rep's questions, with the document cited.
    let rep = Principal::new("rep_1", CompanyId::parse("co").unwrap(), Role::SalesRep);
    let ask = |q: &str| AskRequest { question: q.into(), ..Default::default() };
    let a = app.otto.answer(&rep, &ask("How should I handle financing when the quote is too high?")).await.unwrap();
    assert_eq!(a.citations[0].source_type, "document");
    assert_eq!(a.citations[0].source_id, id);
    assert!(a.answer.contains("zero percent") || a.answer.contains("0 percent"), "{}", a.answer);

    // Re-uploading the same file replaces it: same id, old text gone.
    let r =
        upload(&app, &mgr, "/api/v1/ingestion/training-documents", "price-guide.md", GUIDE_V2.as_bytes(), &[]).await;
    assert_eq!(r.body["document_id"], id.as_str());
    wait_status(&app, &mgr, &id).await;
    let a = app.otto.answer(&rep, &ask("eighteen month zero percent plan")).await.unwrap();
    assert!(
        !a.answer.contains("18 month") && !a.answer.to_lowercase().contains("eighteen"),
        "stale chunk: {}",
        a.answer
    );
    let a = app.otto.answer(&rep, &ask("same-as-cash plan warranties")).await.unwrap();
    assert_eq!(a.citations[0].source_id, id);

    // Deleting the entity's vectors removes it from every answer path.
    let r = app.call("DELETE", &format!("/api/v1/maintenance/vectors/{id}"), &mgr, "co", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["vectors_deleted"].as_u64().unwrap() >= 1);
    let a = app.otto.answer(&rep, &ask("same-as-cash plan warranties")).await.unwrap();
    assert!(a.citations.iter().all(|c| c.source_id != id));
    assert_eq!(
        app.call("GET", &format!("/api/v1/ingestion/documents/{id}"), &mgr, "co", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn test_bad_uploads_fail_with_a_reason() {
    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    let csr = token("co", "csr", "csr", 600);
    let r = upload(&app, &csr, "/api/v1/ingestion/sop-documents", "sop.md", b"# SOP", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r =
        upload(&app, &mgr, "/api/v1/ingestion/sop-documents", "blob.bin", &[0xff, 0xfe, 0x00, 0x81, 0x90], &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["message"].as_str().unwrap().contains("not a supported document"), "{}", r.body);
    let r = upload(&app, &mgr, "/api/v1/ingestion/sop-documents", "empty.txt", b"", &[]).await;
    assert!(r.body["message"].as_str().unwrap().contains("empty"), "{}", r.body);
    let r = upload(&app, &mgr, "/api/v1/ingestion/sop-documents", "sop.md", b"# SOP", &[("document_type", "training")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r =
        upload(&app, &mgr, "/api/v1/ingestion/sop-documents", "sop.md", b"# SOP", &[("metadata", "not json")]).await;
    assert!(r.body["message"].as_str().unwrap().starts_with("metadata"), "{}", r.body);
    // A damaged PDF is accepted for processing and fails with the reason, never a panic.
    let r =
        upload(&app, &mgr, "/api/v1/ingestion/reference-documents", "broken.pdf", b"%PDF-1.4\n1 0 obj garbage", &[])
            .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let doc = wait_status(&app, &mgr, r.body["document_id"].as_str().unwrap()).await;
    assert_eq!(doc["status"], "failed");
    assert!(doc["failure_reason"].as_str().unwrap().contains("PDF"), "{doc}");
    let r = app
        .send(
            Request::post("/api/v1/ingestion/sop-documents")
                .header("authorization", format!("Bearer {mgr}"))
                .header("x-company-id", "co")
                .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
                .body(Body::from(format!("--{BOUNDARY}--\r\n")))
                .unwrap(),
        )
        .await;
    assert!(r.body["message"].as_str().unwrap().starts_with("file"), "{}", r.body);
}

#[tokio::test]
async fn test_reindex_rebuilds_in_the_background_with_progress() {
    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    let r = upload(
        &app,
        &mgr,
        "/api/v1/ingestion/reference-documents",
        "warranty.txt",
        b"Workmanship warranty: ten years on every install.",
        &[],
    )
    .await;
    wait_status(&app, &mgr, r.body["document_id"].as_str().unwrap()).await;
    let r = app
        .call(
            "POST",
            "/api/v1/maintenance/vectors/reindex",
            &mgr,
            "co",
            Some(serde_json::json!({"force_reindex": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body["total_entities"], 1);
    let id = r.body["reindex_id"].as_str().unwrap().to_string();
    let mut last = Value::Null;
    for _ in 0..200 {
        last = app.call("GET", &format!("/api/v1/maintenance/vectors/reindex/{id}"), &mgr, "co", None).await.body;
        if last["status"] == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!((last["status"].as_str(), last["progress"].as_u64()), (Some("completed"), Some(100)), "{last}");
    let other = token("other", "mgr", "manager", 600);
    assert_eq!(
        app.call("GET", &format!("/api/v1/maintenance/vectors/reindex/{id}"), &other, "other", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn test_upload_by_url_then_completion_callback() {
    // The document server is on loopback, which only an explicit setting allows.
    std::env::set_var("OTTO_ALLOW_PRIVATE_URLS", "true");
    let doc_server = axum::Router::new().route(
        "/policy.md",
        axum::routing::get(|| async {
            "# Cancellation Policy\n\nCustomers may cancel within three days for a full refund."
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, doc_server).await.unwrap() });

    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    let body = serde_json::json!({"document_name": "policy.md", "url": format!("http://{addr}/policy.md"), "category": "policy"});
    let r = app.call("POST", "/api/v1/ingestion/documents/upload", &mgr, "co", Some(body)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let upload_id = r.body["upload_id"].as_str().unwrap().to_string();
    let complete = serde_json::json!({"upload_id": upload_id, "processing_job_id": upload_id, "status": "completed",
        "chunks_created": 1, "vector_embeddings": 1, "metadata_extracted": {"title": "Cancellation Policy (2025)", "pages": 1, "language": "en"}});
    let mut ack = Value::Null;
    // Up to 30 s: the fetch job runs in the background and CI machines can be busy.
    for _ in 0..1200 {
        let r = app.call("POST", "/api/v1/ingestion/documents/complete", &mgr, "co", Some(complete.clone())).await;
        if r.status == StatusCode::OK {
            ack = r.body;
            break;
        }
        assert_eq!(r.status, StatusCode::CONFLICT, "not fetched yet is a 409: {}", r.body);
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(ack["status"], "acknowledged", "{ack}");
    let doc = wait_status(&app, &mgr, ack["document_id"].as_str().unwrap()).await;
    assert_eq!((doc["status"].as_str(), doc["document_type"].as_str()), (Some("indexed"), Some("policy")));
    let rep = Principal::new("rep_1", CompanyId::parse("co").unwrap(), Role::SalesRep);
    let a = app
        .otto
        .answer(&rep, &AskRequest { question: "Can customers cancel for a refund?".into(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(a.citations[0].source_id, ack["document_id"].as_str().unwrap());
    let r = app
        .call(
            "POST",
            "/api/v1/ingestion/documents/complete",
            &token("other", "m", "manager", 600),
            "other",
            Some(complete),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another tenant's upload");
}
