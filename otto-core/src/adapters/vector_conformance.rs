//! The vector index port's conformance suite. Every [`VectorIndex`] adapter runs the same checks
//! through [`vector_index_conformance_tests!`]: the in-process index today, pgvector next. An
//! adapter supplies a [`VectorFixture`] whose `open` connects to the *same* storage each time it
//! is called (that is how persistence is checked). Vectors have 4 dimensions, and each check
//! works in its own fresh companies, so adapters can share one database across checks.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use serde_json::{json, Map, Value};

use crate::domain::{new_id, CompanyId};
use crate::error::ErrorKind;
use crate::ports::{VectorIndex, VectorQuery, VectorRecord};

/// Opens an adapter on one test's storage.
#[async_trait]
pub(crate) trait VectorFixture: Send + Sync {
    /// The index on this fixture's storage (the same storage on every call).
    async fn open(&self) -> Arc<dyn VectorIndex>;
}

fn company() -> CompanyId {
    CompanyId::parse(new_id("co")).unwrap()
}

fn record(company: &CompanyId, id: &str, vector: [f32; 4], metadata: Value) -> VectorRecord {
    VectorRecord {
        id: id.into(),
        company_id: company.clone(),
        vector: vector.to_vec(),
        metadata: metadata.as_object().cloned().unwrap_or_default(),
    }
}

fn query(company: &CompanyId, vector: [f32; 4], top_k: usize) -> VectorQuery {
    VectorQuery {
        company_id: company.clone(),
        vector: vector.to_vec(),
        top_k,
        filter: Map::new(),
        rep_scope: None,
        occurred_after: None,
        occurred_before: None,
    }
}

async fn ids(index: &dyn VectorIndex, q: &VectorQuery) -> Vec<String> {
    index.search(q).await.unwrap().into_iter().map(|h| h.id).collect()
}

pub(crate) async fn nearest_first_and_upsert_replaces(fx: &dyn VectorFixture) {
    let index = fx.open().await;
    let a = company();
    index
        .upsert(vec![
            record(&a, "x", [1.0, 0.0, 0.0, 0.0], json!({})),
            record(&a, "y", [0.7, 0.7, 0.0, 0.0], json!({})),
            record(&a, "z", [0.0, 0.0, 1.0, 0.0], json!({})),
        ])
        .await
        .unwrap();
    let hits = index.search(&query(&a, [2.0, 0.1, 0.0, 0.0], 2)).await.unwrap();
    assert_eq!(hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["x", "y"], "best first, top_k hits");
    assert!(hits[0].score > 0.99 && hits[0].score <= 1.0001, "scores are cosine similarities: {}", hits[0].score);
    // Upserting an existing id replaces its vector.
    index.upsert(vec![record(&a, "x", [0.0, 0.0, 0.0, 1.0], json!({}))]).await.unwrap();
    assert_eq!(ids(&*index, &query(&a, [1.0, 0.0, 0.0, 0.0], 3)).await[0], "y");
    assert_eq!(ids(&*index, &query(&a, [1.0, 0.0, 0.0, 0.0], 10)).await.len(), 3, "no duplicate after replace");
}

pub(crate) async fn tenants_are_isolated(fx: &dyn VectorFixture) {
    let index = fx.open().await;
    let (a, b) = (company(), company());
    index.upsert(vec![record(&a, "same", [1.0, 0.0, 0.0, 0.0], json!({}))]).await.unwrap();
    index.upsert(vec![record(&b, "same", [0.0, 1.0, 0.0, 0.0], json!({}))]).await.unwrap();
    index.upsert(vec![record(&b, "only_b", [1.0, 0.0, 0.0, 0.0], json!({}))]).await.unwrap();
    assert_eq!(ids(&*index, &query(&a, [1.0, 0.0, 0.0, 0.0], 10)).await, ["same"], "b's records never show for a");
    assert!(ids(&*index, &query(&company(), [1.0, 0.0, 0.0, 0.0], 10)).await.is_empty());
    // The same id in two tenants is two records: deleting a's leaves b's.
    index.delete(&a, &["same".into(), "only_b".into()]).await.unwrap();
    assert!(ids(&*index, &query(&a, [1.0, 0.0, 0.0, 0.0], 10)).await.is_empty());
    assert_eq!(ids(&*index, &query(&b, [1.0, 0.0, 0.0, 0.0], 10)).await, ["only_b", "same"]);
}

pub(crate) async fn scope_and_filters_apply_inside_the_search(fx: &dyn VectorFixture) {
    let index = fx.open().await;
    let a = company();
    let day = |d: u32| Utc.with_ymd_and_hms(2025, 1, d, 12, 0, 0).unwrap().to_rfc3339();
    let mut records = Vec::new();
    // Twenty of rep_2's chunks sit closer to the query than anything rep_1 may see: a search
    // that took the top k first and filtered afterwards would return nothing for rep_1.
    for i in 0..20 {
        records.push(record(
            &a,
            &format!("r2_{i:02}"),
            [1.0, 0.01 * i as f32, 0.0, 0.0],
            json!({"source_type": "call", "rep_id": "rep_2", "occurred_at": day(2), "chunk_kind": "window"}),
        ));
    }
    records.push(record(
        &a,
        "r1",
        [0.5, 0.5, 0.0, 0.0],
        json!({"source_type": "call", "rep_id": "rep_1", "occurred_at": day(5), "chunk_kind": "summary"}),
    ));
    records.push(record(&a, "doc", [0.4, 0.0, 0.6, 0.0], json!({"source_type": "document"})));
    records.push(record(&a, "unassigned", [1.0, 0.0, 0.0, 0.0], json!({"source_type": "call"})));
    index.upsert(records).await.unwrap();

    let mut q = query(&a, [1.0, 0.0, 0.0, 0.0], 2);
    q.rep_scope = Some("rep_1".into());
    assert_eq!(ids(&*index, &q).await, ["r1", "doc"], "own calls plus documents, never another rep's");
    q.rep_scope = Some("rep_3".into());
    assert_eq!(ids(&*index, &q).await, ["doc"], "a rep with no calls sees documents only");

    let mut q = query(&a, [1.0, 0.0, 0.0, 0.0], 3);
    q.filter.insert("chunk_kind".into(), json!("summary"));
    assert_eq!(ids(&*index, &q).await, ["r1"], "metadata filters apply before the top k");
    q.filter.insert("rep_id".into(), json!("rep_2"));
    assert!(ids(&*index, &q).await.is_empty(), "all filters must match");

    let mut q = query(&a, [1.0, 0.0, 0.0, 0.0], 50);
    q.occurred_after = Some(Utc.with_ymd_and_hms(2025, 1, 3, 0, 0, 0).unwrap());
    assert_eq!(ids(&*index, &q).await, ["r1"], "records without a time never match a range");
    q.occurred_after = None;
    q.occurred_before = Some(Utc.with_ymd_and_hms(2025, 1, 5, 12, 0, 0).unwrap());
    let hits = ids(&*index, &q).await;
    assert_eq!(hits.len(), 20);
    assert!(hits.iter().all(|h| h.starts_with("r2_")), "the end of a range is exclusive");
}

pub(crate) async fn delete_removes_by_id(fx: &dyn VectorFixture) {
    let index = fx.open().await;
    let a = company();
    index
        .upsert(vec![
            record(&a, "keep", [1.0, 0.0, 0.0, 0.0], json!({})),
            record(&a, "drop_1", [1.0, 0.1, 0.0, 0.0], json!({})),
            record(&a, "drop_2", [1.0, 0.2, 0.0, 0.0], json!({})),
        ])
        .await
        .unwrap();
    index.delete(&a, &["drop_1".into(), "drop_2".into(), "never_there".into()]).await.unwrap();
    assert_eq!(ids(&*index, &query(&a, [1.0, 0.0, 0.0, 0.0], 10)).await, ["keep"]);
    index.delete(&a, &[]).await.unwrap();
    index.delete(&a, &["keep".into()]).await.unwrap();
    assert!(ids(&*index, &query(&a, [1.0, 0.0, 0.0, 0.0], 10)).await.is_empty());
}

pub(crate) async fn changes_survive_reopening(fx: &dyn VectorFixture) {
    let a = company();
    let q = |k| query(&a, [1.0, 0.0, 0.0, 0.0], k);
    let mut before = q(10);
    before.rep_scope = Some("rep_1".into());
    {
        let index = fx.open().await;
        index
            .upsert(vec![
                record(&a, "one", [1.0, 0.0, 0.0, 0.0], json!({"source_type": "call", "rep_id": "rep_1"})),
                record(&a, "two", [0.9, 0.1, 0.0, 0.0], json!({"source_type": "call", "rep_id": "rep_2"})),
                record(&a, "three", [0.8, 0.2, 0.0, 0.0], json!({"source_type": "document"})),
            ])
            .await
            .unwrap();
        index.delete(&a, &["three".into()]).await.unwrap();
        index.upsert(vec![record(&a, "two", [0.0, 1.0, 0.0, 0.0], json!({"source_type": "call"}))]).await.unwrap();
    }
    let index = fx.open().await;
    let hits = index.search(&q(10)).await.unwrap();
    assert_eq!(hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["one", "two"]);
    assert!((hits[1].score - 0.0).abs() < 1e-5, "the replaced vector is the one reloaded");
    assert_eq!(ids(&*index, &before).await, ["one"], "metadata survives too");
}

pub(crate) async fn wrong_dimensions_are_rejected(fx: &dyn VectorFixture) {
    let index = fx.open().await;
    let a = company();
    let bad = VectorRecord { id: "x".into(), company_id: a.clone(), vector: vec![1.0; 3], metadata: Map::new() };
    assert_eq!(index.upsert(vec![bad]).await.unwrap_err().kind(), ErrorKind::InvalidInput);
    let mut q = query(&a, [1.0, 0.0, 0.0, 0.0], 1);
    q.vector.push(0.0);
    assert_eq!(index.search(&q).await.unwrap_err().kind(), ErrorKind::InvalidInput);
}

/// Generates one `#[tokio::test]` per conformance check. `$make` is an expression yielding a
/// fresh fixture (a value implementing [`VectorFixture`]), or an `Option` of one to skip.
macro_rules! vector_index_conformance_tests {
    ($make:expr) => {
        $crate::adapters::vector_conformance::vector_index_conformance_tests!(@tests $make;
            nearest_first_and_upsert_replaces,
            tenants_are_isolated,
            scope_and_filters_apply_inside_the_search,
            delete_removes_by_id,
            changes_survive_reopening,
            wrong_dimensions_are_rejected);
    };
    (@tests $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let fixture = $make;
                $crate::adapters::vector_conformance::$name(&fixture).await;
            }
        )*
    };
}
pub(crate) use vector_index_conformance_tests;
