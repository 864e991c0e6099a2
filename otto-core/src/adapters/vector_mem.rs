//! The embedded [`VectorIndex`]: an exact cosine scan over contiguous `f32` rows, in process,
//! persisted in the data directory.
//!
//! - **Exact search.** Vectors are stored L2-normalised in one `Vec<f32>` (row-major), so a
//!   query is one pass of dot products over contiguous memory; [`dot`] keeps eight independent
//!   accumulators so the compiler turns it into SIMD. Tenant, rep scope, time range and metadata
//!   filters are checked per row *before* its score enters the top-k heap: a filtered query
//!   never loses hits to rows the caller may not see.
//! - **Persistence.** `<dir>/vectors.snapshot` holds every record; `<dir>/vectors.log` the
//!   changes since. Each change appends length-prefixed, checksummed frames to the log and
//!   syncs it before the change is applied in memory, so an acknowledged write survives a
//!   crash; a torn last frame is ignored at load. When the log outgrows the snapshot, the
//!   snapshot is rewritten atomically (temporary file, fsync, rename) and the log truncated.
//!   Replaying a log over a newer snapshot gives the same state, so a crash between the rename
//!   and the truncation is harmless.
//! - **Model changes.** Both files start with the embedder's name and the vector length; a
//!   directory written by another model is ignored (and overwritten) rather than mixed, and
//!   [`MemoryVectorIndex::is_fresh`] tells the caller to rebuild (`knowledge.reindex`).
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use otto_core::adapters::vector_mem::MemoryVectorIndex;
//! use otto_core::ports::{VectorIndex, VectorQuery, VectorRecord};
//! use otto_core::CompanyId;
//!
//! let index = MemoryVectorIndex::in_memory(2);
//! let co = CompanyId::parse("co_1").unwrap();
//! let record = |id: &str, v: Vec<f32>| VectorRecord {
//!     id: id.into(), company_id: co.clone(), vector: v, metadata: Default::default(),
//! };
//! index.upsert(vec![record("a", vec![1.0, 0.0]), record("b", vec![0.0, 1.0])]).await.unwrap();
//! let hits = index
//!     .search(&VectorQuery {
//!         company_id: co.clone(), vector: vec![0.9, 0.1], top_k: 1, filter: Default::default(),
//!         rep_scope: None, occurred_after: None, occurred_before: None,
//!     })
//!     .await
//!     .unwrap();
//! assert_eq!(hits[0].id, "a");
//! # });
//! ```

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use async_trait::async_trait;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::domain::CompanyId;
use crate::error::{Error, Result};
use crate::ports::{
    VectorHit, VectorIndex, VectorQuery, VectorRecord, META_OCCURRED_AT, META_REP_ID, META_SOURCE_TYPE,
};

const MAGIC: &[u8; 8] = b"OTTOVEC1";
const OP_UPSERT: u8 = 1;
const OP_DELETE: u8 = 2;
/// The log is compacted into the snapshot when it is larger than the snapshot and this.
const MIN_COMPACT_BYTES: u64 = 8 << 20;

/// One indexed vector's filterable fields, parsed once at insert.
#[derive(Debug, Clone)]
struct Row {
    company: u32,
    id: String,
    document: bool,
    rep_id: Option<String>,
    occurred_ms: Option<i64>,
    metadata: Map<String, Value>,
}

#[derive(Debug, Default)]
struct Inner {
    dims: usize,
    /// `rows.len() * dims` floats, row i at `i * dims`.
    data: Vec<f32>,
    rows: Vec<Row>,
    /// (company, id) -> row.
    slots: HashMap<(u32, String), usize>,
    companies: HashMap<String, u32>,
}

impl Inner {
    fn company(&mut self, c: &str) -> u32 {
        let next = self.companies.len() as u32;
        *self.companies.entry(c.to_string()).or_insert(next)
    }

    fn upsert(&mut self, company: &str, id: &str, vector: &[f32], metadata: Map<String, Value>) {
        let c = self.company(company);
        let row = Row {
            company: c,
            id: id.to_string(),
            document: metadata.get(META_SOURCE_TYPE).and_then(Value::as_str) == Some("document"),
            rep_id: metadata.get(META_REP_ID).and_then(Value::as_str).map(str::to_string),
            occurred_ms: metadata
                .get(META_OCCURRED_AT)
                .and_then(Value::as_str)
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.timestamp_millis()),
            metadata,
        };
        let d = self.dims;
        match self.slots.get(&(c, id.to_string())) {
            Some(&i) => {
                self.data[i * d..(i + 1) * d].copy_from_slice(vector);
                self.rows[i] = row;
            }
            None => {
                self.slots.insert((c, id.to_string()), self.rows.len());
                self.data.extend_from_slice(vector);
                self.rows.push(row);
            }
        }
    }

    fn delete(&mut self, company: &str, id: &str) {
        let Some(&c) = self.companies.get(company) else { return };
        let Some(i) = self.slots.remove(&(c, id.to_string())) else { return };
        let last = self.rows.len() - 1;
        let d = self.dims;
        if i != last {
            self.data.copy_within(last * d..(last + 1) * d, i * d);
            let moved = &self.rows[last];
            self.slots.insert((moved.company, moved.id.clone()), i);
        }
        self.rows.swap_remove(i);
        self.data.truncate(last * d);
    }

    fn search(&self, q: &VectorQuery, query: &[f32]) -> Vec<VectorHit> {
        let Some(&c) = self.companies.get(q.company_id.as_str()) else { return Vec::new() };
        if q.top_k == 0 {
            return Vec::new();
        }
        let after = q.occurred_after.map(|t| t.timestamp_millis());
        let before = q.occurred_before.map(|t| t.timestamp_millis());
        let d = self.dims;
        let mut heap: BinaryHeap<Scored> = BinaryHeap::with_capacity(q.top_k + 1);
        for (i, row) in self.rows.iter().enumerate() {
            if row.company != c {
                continue;
            }
            if let Some(rep) = &q.rep_scope {
                if !row.document && row.rep_id.as_deref() != Some(rep.as_str()) {
                    continue;
                }
            }
            if after.is_some_and(|a| row.occurred_ms.is_none_or(|t| t < a))
                || before.is_some_and(|b| row.occurred_ms.is_none_or(|t| t >= b))
            {
                continue;
            }
            if !q.filter.iter().all(|(k, v)| row.metadata.get(k) == Some(v)) {
                continue;
            }
            let score = dot(&self.data[i * d..(i + 1) * d], query);
            if heap.len() < q.top_k {
                heap.push(Scored { score, row: i });
            } else if heap.peek().is_some_and(|worst| score > worst.score) {
                heap.pop();
                heap.push(Scored { score, row: i });
            }
        }
        let mut hits: Vec<Scored> = heap.into_vec();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| self.rows[a.row].id.cmp(&self.rows[b.row].id)));
        hits.into_iter().map(|s| VectorHit { id: self.rows[s.row].id.clone(), score: s.score }).collect()
    }
}

/// A heap entry ordered so the *worst* hit is on top (a min-heap of the best k).
#[derive(Debug, Clone, Copy)]
struct Scored {
    score: f32,
    row: usize,
}

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Scored {}
impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        other.score.total_cmp(&self.score).then(self.row.cmp(&other.row))
    }
}

/// Dot product with eight independent accumulators: without them the additions form one
/// dependency chain (floating-point addition is not reassociated), and the loop stays scalar.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ar, br) = (ac.remainder(), bc.remainder());
    for (x, y) in ac.zip(bc) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f32 = ar.iter().zip(br).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

fn normalised(v: &[f32]) -> Vec<f32> {
    let norm = dot(v, v).sqrt();
    if norm > 0.0 {
        v.iter().map(|x| x / norm).collect()
    } else {
        v.to_vec()
    }
}

/// The files of a persisted index and the open log.
struct Files {
    snapshot: PathBuf,
    log_path: PathBuf,
    log: File,
    log_bytes: u64,
    snapshot_bytes: u64,
    /// The log is compacted when larger than the snapshot and this.
    compact_at: u64,
}

/// In-process exact vector index. Cheap to share (`Arc` inside); see the module docs.
pub struct MemoryVectorIndex {
    inner: Arc<RwLock<Inner>>,
    files: Option<Arc<Mutex<Files>>>,
    header: Arc<Vec<u8>>,
    dims: usize,
    fresh: bool,
}

impl std::fmt::Debug for MemoryVectorIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryVectorIndex").field("dims", &self.dims).field("len", &self.len()).finish()
    }
}

fn io(e: std::io::Error) -> Error {
    Error::backend(e)
}

fn header(model: &str, dims: usize) -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.extend_from_slice(&(dims as u32).to_le_bytes());
    h.extend_from_slice(&(model.len() as u32).to_le_bytes());
    h.extend_from_slice(model.as_bytes());
    h
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// `[len u32][payload][first 4 bytes of SHA-256(payload)]`.
fn frame(out: &mut Vec<u8>, payload: &[u8]) {
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&Sha256::digest(payload)[..4]);
}

fn upsert_frame(out: &mut Vec<u8>, company: &str, id: &str, vector: &[f32], metadata: &Map<String, Value>) {
    let mut p = vec![OP_UPSERT];
    put_str(&mut p, company);
    put_str(&mut p, id);
    put_str(&mut p, &Value::Object(metadata.clone()).to_string());
    for x in vector {
        p.extend_from_slice(&x.to_le_bytes());
    }
    frame(out, &p);
}

fn delete_frame(out: &mut Vec<u8>, company: &str, id: &str) {
    let mut p = vec![OP_DELETE];
    put_str(&mut p, company);
    put_str(&mut p, id);
    frame(out, &p);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
}

/// Applies the frames after `header` in `bytes`. None when the header does not match (another
/// model, or not an index file); else whether every byte was consumed. A torn or corrupt frame
/// ends the replay (`Some(false)`).
fn replay(inner: &mut Inner, bytes: &[u8], header: &[u8]) -> Option<bool> {
    if !bytes.starts_with(header) {
        return None;
    }
    let mut r = Reader(&bytes[header.len()..]);
    while !r.0.is_empty() {
        let Some(n) = r.u32() else { return Some(false) };
        let (Some(payload), Some(sum)) = (r.take(n as usize), r.take(4)) else { return Some(false) };
        if Sha256::digest(payload)[..4] != *sum {
            return Some(false);
        }
        let mut p = Reader(payload);
        let (Some(op), Some(company), Some(id)) = (p.take(1), p.str(), p.str()) else { return Some(false) };
        match op[0] {
            OP_UPSERT => {
                let Some(meta) = p.str().and_then(|m| serde_json::from_str::<Map<String, Value>>(m).ok()) else {
                    return Some(false);
                };
                if p.0.len() != inner.dims * 4 {
                    return Some(false);
                }
                let v: Vec<f32> = p.0.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
                inner.upsert(company, id, &v, meta);
            }
            OP_DELETE => inner.delete(company, id),
            _ => return Some(false),
        }
    }
    Some(true)
}

fn read_file(path: &Path) -> Result<Option<Vec<u8>>> {
    match File::open(path) {
        Ok(mut f) => {
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).map_err(io)?;
            Ok(Some(buf))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(e)),
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, synced, then
/// renamed over the target, then the directory synced.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent() {
            // Not every platform can open a directory for syncing; the rename is done anyway.
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

impl MemoryVectorIndex {
    /// An index that lives only in memory (tests, throwaway indexes).
    pub fn in_memory(dims: usize) -> Self {
        MemoryVectorIndex {
            inner: Arc::new(RwLock::new(Inner { dims, ..Default::default() })),
            files: None,
            header: Arc::new(header("", dims)),
            dims,
            fresh: true,
        }
    }

    /// Opens (or creates) the index persisted in `dir` for vectors of `model` with `dims`
    /// dimensions, loading the snapshot and replaying the log. Files written for another model
    /// or length are ignored and replaced on the first write; [`Self::is_fresh`] is then true.
    pub fn open(dir: &Path, model: &str, dims: usize) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(io)?;
        let header = header(model, dims);
        let snapshot = dir.join("vectors.snapshot");
        let log_path = dir.join("vectors.log");
        let mut inner = Inner { dims, ..Default::default() };
        let snap = read_file(&snapshot)?;
        let fresh = match snap.as_deref().map(|b| replay(&mut inner, b, &header)) {
            Some(Some(_)) => false,
            other => {
                if other.is_some() {
                    tracing::warn!(dir = %dir.display(), model, "the vector index on disk is for another model; starting empty");
                }
                inner = Inner { dims, ..Default::default() };
                write_atomic(&snapshot, &header)?;
                write_atomic(&log_path, &header)?;
                true
            }
        };
        if !fresh {
            let log = read_file(&log_path)?;
            match log.as_deref().map(|b| replay(&mut inner, b, &header)) {
                Some(Some(true)) => {}
                Some(Some(false)) => {
                    // A torn tail (a crash mid-append): keep what was replayed, in a new
                    // snapshot, and start a clean log so later frames don't follow the tear.
                    write_atomic(&snapshot, &snapshot_bytes(&inner, &header))?;
                    write_atomic(&log_path, &header)?;
                }
                _ => write_atomic(&log_path, &header)?,
            }
        }
        let index_bytes: u64 = std::fs::metadata(&snapshot).map_err(io)?.len();
        let log_file = OpenOptions::new().append(true).open(&log_path).map_err(io)?;
        let log_bytes = log_file.metadata().map_err(io)?.len();
        Ok(MemoryVectorIndex {
            inner: Arc::new(RwLock::new(inner)),
            files: Some(Arc::new(Mutex::new(Files {
                snapshot,
                log_path,
                log: log_file,
                log_bytes,
                snapshot_bytes: index_bytes,
                compact_at: MIN_COMPACT_BYTES,
            }))),
            header: Arc::new(header),
            dims,
            fresh,
        })
    }

    /// Compacts as soon as the log outgrows the snapshot (tests).
    #[cfg(test)]
    fn compact_eagerly(self) -> Self {
        if let Some(f) = &self.files {
            f.lock().unwrap().compact_at = 0;
        }
        self
    }

    /// True when the index started empty because no index (or one for another model) was on
    /// disk: vectors of existing chunks must be rebuilt (`knowledge.reindex`).
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.inner.read().map(|i| i.rows.len()).unwrap_or(0)
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Vector length.
    pub fn dimensions(&self) -> usize {
        self.dims
    }

    /// Logs `frames`, then applies `apply` in memory; compacts when the log has grown.
    async fn change(&self, frames: Vec<u8>, apply: impl FnOnce(&mut Inner) + Send + 'static) -> Result<()> {
        let inner = Arc::clone(&self.inner);
        let files = self.files.clone();
        let header = Arc::clone(&self.header);
        tokio::task::spawn_blocking(move || -> Result<()> {
            let Some(files) = files else {
                let mut guard = inner.write().map_err(|_| Error::internal("vector index lock poisoned"))?;
                apply(&mut guard);
                return Ok(());
            };
            // The file lock orders changes: log order is apply order.
            let mut f = files.lock().map_err(|_| Error::internal("vector index lock poisoned"))?;
            f.log.write_all(&frames).map_err(io)?;
            f.log.sync_data().map_err(io)?;
            f.log_bytes += frames.len() as u64;
            {
                let mut guard = inner.write().map_err(|_| Error::internal("vector index lock poisoned"))?;
                apply(&mut guard);
            }
            if f.log_bytes > f.snapshot_bytes.max(f.compact_at) {
                let bytes = {
                    let guard = inner.read().map_err(|_| Error::internal("vector index lock poisoned"))?;
                    snapshot_bytes(&guard, &header)
                };
                write_atomic(&f.snapshot, &bytes)?;
                write_atomic(&f.log_path, &header)?;
                f.log = OpenOptions::new().append(true).open(&f.log_path).map_err(io)?;
                f.log_bytes = header.len() as u64;
                f.snapshot_bytes = bytes.len() as u64;
            }
            Ok(())
        })
        .await
        .map_err(|e| Error::internal(format!("vector index write panicked: {e}")))?
    }
}

fn snapshot_bytes(inner: &Inner, header: &[u8]) -> Vec<u8> {
    let names: HashMap<u32, &str> = inner.companies.iter().map(|(k, v)| (*v, k.as_str())).collect();
    let d = inner.dims;
    let mut out = header.to_vec();
    out.reserve(inner.rows.len() * (d * 4 + 128));
    for (i, row) in inner.rows.iter().enumerate() {
        upsert_frame(&mut out, names[&row.company], &row.id, &inner.data[i * d..(i + 1) * d], &row.metadata);
    }
    out
}

#[async_trait]
impl VectorIndex for MemoryVectorIndex {
    async fn upsert(&self, records: Vec<VectorRecord>) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let mut frames = Vec::new();
        let mut rows = Vec::with_capacity(records.len());
        for r in records {
            if r.vector.len() != self.dims {
                return Err(Error::invalid(
                    "vector",
                    format!("vector {} has {} dimensions; the index holds {}", r.id, r.vector.len(), self.dims),
                ));
            }
            if r.vector.iter().any(|x| !x.is_finite()) {
                return Err(Error::invalid("vector", format!("vector {} is not finite", r.id)));
            }
            let v = normalised(&r.vector);
            if self.files.is_some() {
                upsert_frame(&mut frames, r.company_id.as_str(), &r.id, &v, &r.metadata);
            }
            rows.push((r.company_id, r.id, v, r.metadata));
        }
        self.change(frames, move |inner| {
            for (c, id, v, m) in rows {
                inner.upsert(c.as_str(), &id, &v, m);
            }
        })
        .await
    }

    async fn delete(&self, company: &CompanyId, ids: &[String]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut frames = Vec::new();
        if self.files.is_some() {
            for id in ids {
                delete_frame(&mut frames, company.as_str(), id);
            }
        }
        let (company, ids) = (company.as_str().to_string(), ids.to_vec());
        self.change(frames, move |inner| {
            for id in &ids {
                inner.delete(&company, id);
            }
        })
        .await
    }

    async fn search(&self, query: &VectorQuery) -> Result<Vec<VectorHit>> {
        if query.vector.len() != self.dims {
            return Err(Error::invalid(
                "vector",
                format!("the query has {} dimensions; the index holds {}", query.vector.len(), self.dims),
            ));
        }
        let inner = Arc::clone(&self.inner);
        let q = query.clone();
        // A scan of 100k rows takes milliseconds: keep it off the async worker threads.
        tokio::task::spawn_blocking(move || {
            let v = normalised(&q.vector);
            let guard = inner.read().map_err(|_| Error::internal("vector index lock poisoned"))?;
            Ok(guard.search(&q, &v))
        })
        .await
        .map_err(|e| Error::internal(format!("vector search panicked: {e}")))?
    }

    fn name(&self) -> &'static str {
        "memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_dot_matches_the_naive_sum() {
        let a: Vec<f32> = (0..387).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..387).map(|i| (i as f32 * 0.11).cos()).collect();
        let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-3);
    }

    struct Dir(tempfile::TempDir);

    #[async_trait]
    impl crate::adapters::vector_conformance::VectorFixture for Dir {
        async fn open(&self) -> Arc<dyn VectorIndex> {
            Arc::new(MemoryVectorIndex::open(self.0.path(), "test-model", 4).unwrap())
        }
    }

    fn fixture() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    crate::adapters::vector_conformance::vector_index_conformance_tests!(fixture());

    #[tokio::test]
    async fn test_another_model_starts_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let co = CompanyId::parse("co").unwrap();
        let index = MemoryVectorIndex::open(dir.path(), "model-a", 4).unwrap();
        assert!(index.is_fresh());
        let rec =
            VectorRecord { id: "x".into(), company_id: co, vector: vec![1.0, 0.0, 0.0, 0.0], metadata: Map::new() };
        index.upsert(vec![rec]).await.unwrap();
        drop(index);
        let again = MemoryVectorIndex::open(dir.path(), "model-a", 4).unwrap();
        assert!(!again.is_fresh());
        assert_eq!(again.len(), 1);
        let other = MemoryVectorIndex::open(dir.path(), "model-b", 4).unwrap();
        assert!(other.is_fresh());
        assert_eq!(other.len(), 0, "vectors of another model are never mixed in");
    }

    #[tokio::test]
    async fn test_torn_log_tail_is_ignored_and_compaction_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let co = CompanyId::parse("co").unwrap();
        let rec = |id: &str| VectorRecord {
            id: id.into(),
            company_id: co.clone(),
            vector: vec![1.0, 2.0, 0.0, 0.0],
            metadata: Map::new(),
        };
        {
            let index = MemoryVectorIndex::open(dir.path(), "m", 4).unwrap();
            index.upsert(vec![rec("a"), rec("b")]).await.unwrap();
        }
        // A crash mid-append leaves half a frame.
        let mut log = OpenOptions::new().append(true).open(dir.path().join("vectors.log")).unwrap();
        log.write_all(&[200, 0, 0, 0, 1, 2, 3]).unwrap();
        drop(log);
        let index = MemoryVectorIndex::open(dir.path(), "m", 4).unwrap().compact_eagerly();
        assert_eq!(index.len(), 2);
        index.upsert(vec![rec("c")]).await.unwrap();
        for _ in 0..3 {
            index.upsert(vec![rec("d")]).await.unwrap();
        }
        index.delete(&co, &["d".into()]).await.unwrap();
        let log = std::fs::metadata(dir.path().join("vectors.log")).unwrap().len();
        let snapshot = std::fs::metadata(dir.path().join("vectors.snapshot")).unwrap().len();
        assert!(log < snapshot, "the log was compacted into the snapshot ({log} vs {snapshot} bytes)");
        drop(index);
        let index = MemoryVectorIndex::open(dir.path(), "m", 4).unwrap();
        assert_eq!(index.len(), 3, "writes after a torn tail are not lost behind it");
    }
}
