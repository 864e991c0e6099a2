//! Embedded mode: otto-core on a data directory, acting as one user, with pipeline workers in
//! the background (the same workers the server runs).

use std::sync::Arc;

use otto_core::domain::{CompanyId, DocumentType, LeadQuery, ObjectionQuery, PageRequest, RepQuery};
use otto_core::{AskInput, DocumentUpload, NewCall, Principal, Role};
use tokio::sync::{watch, Mutex};
use tokio::task::JoinHandle;

use crate::{
    AnalyticsQuery, AskAnswer, AskEvent, AskStream, Call, CallAnalysisResponse, Document, EmbeddedOptions,
    LeadAnalytics, ObjectionAnalytics, ObjectionsResponse, PerformanceMetrics, RepPerformanceList, Result,
};

pub(crate) struct Embedded {
    otto: otto_core::Otto,
    me: Principal,
    stop: watch::Sender<bool>,
    workers: Mutex<Vec<JoinHandle<()>>>,
    /// The Ask Otto session and the last query, for follow-ups.
    session: Arc<Mutex<(Option<String>, Option<String>)>>,
}

impl std::fmt::Debug for Embedded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedded").field("user", &self.me.user_id()).finish_non_exhaustive()
    }
}

impl Embedded {
    pub(crate) async fn open(o: EmbeddedOptions) -> Result<Self> {
        let company = CompanyId::parse(&o.company_id)?;
        let role = Role::parse(&o.role)?;
        let id_ok = |c: char| c.is_ascii_alphanumeric() || "_-.:@".contains(c);
        if o.user_id.is_empty() || o.user_id.len() > 128 || !o.user_id.chars().all(id_ok) {
            return Err(crate::SdkError::new(
                crate::ErrorKind::InvalidInput,
                "user_id: 1 to 128 letters, digits or `_ - . : @`",
            ));
        }
        let me = Principal::new(o.user_id.clone(), company, role);
        let otto = otto_core::Otto::open_embedded(&o.data_dir).await?;
        let (stop, stop_rx) = watch::channel(false);
        // A local app may hand over recordings on its own disk.
        let mut speech = otto_core::pipeline::speech::SpeechConfig::from_env();
        speech.fetch.allow_file_urls = true;
        let workers = (0..o.workers.max(1))
            .map(|_| {
                let w = otto_core::pipeline::speech::register(
                    otto_core::pipeline::worker(&otto, otto_core::jobs::WorkerConfig::default()),
                    &otto,
                    speech.clone(),
                );
                tokio::spawn(w.run(stop_rx.clone()))
            })
            .collect();
        Ok(Self { otto, me, stop, workers: Mutex::new(workers), session: Arc::default() })
    }

    pub(crate) async fn close(&self) {
        let _ = self.stop.send(true);
        let handles: Vec<_> = self.workers.lock().await.drain(..).collect();
        for h in handles {
            let _ = h.await;
        }
    }

    pub(crate) async fn submit_call(&self, call: NewCall) -> Result<Call> {
        Ok(self.otto.create_call(&self.me, call).await?)
    }

    pub(crate) async fn call(&self, call_id: &str) -> Result<Call> {
        Ok(self.otto.get_call(&self.me, call_id).await?)
    }

    pub(crate) async fn analysis(&self, call_id: &str) -> Result<CallAnalysisResponse> {
        Ok(self.otto.analysis_response(&self.me, call_id).await?)
    }

    pub(crate) async fn objections(&self, call_id: &str) -> Result<ObjectionsResponse> {
        Ok(self.otto.objections(&self.me, call_id).await?)
    }

    pub(crate) async fn ingest_document(&self, file_name: &str, bytes: Vec<u8>, t: DocumentType) -> Result<Document> {
        let up = DocumentUpload {
            file_name: file_name.to_string(),
            bytes,
            document_type: t,
            audience_role: None,
            namespace: None,
            metadata: Default::default(),
        };
        Ok(self.otto.ingest_document(&self.me, up).await?)
    }

    pub(crate) async fn document(&self, document_id: &str) -> Result<Document> {
        Ok(self.otto.document(&self.me, document_id).await?)
    }

    pub(crate) async fn ask_stream(&self, question: &str, follow_up: bool) -> Result<AskStream> {
        let (tx, stream) = AskStream::channel();
        let (otto, me, session) = (self.otto.clone(), self.me.clone(), Arc::clone(&self.session));
        let question = question.to_string();
        tokio::spawn(async move {
            let mut s = session.lock().await;
            let result = async {
                let opened = otto.open_rag_session(&me, s.0.as_deref()).await?;
                let input = AskInput {
                    session_id: opened.session_id.clone(),
                    message: question,
                    previous_query_id: if follow_up { s.1.clone() } else { None },
                    ..Default::default()
                };
                let outcome = otto.ask(&me, input).await?;
                Ok::<_, otto_core::Error>((opened.session_id, outcome))
            }
            .await;
            match result {
                Ok((session_id, outcome)) => {
                    *s = (Some(session_id.clone()), Some(outcome.query_id.clone()));
                    drop(s);
                    let a = outcome.answer;
                    for chunk in a.chunks {
                        if tx.send(AskEvent::Chunk(chunk)).await.is_err() {
                            return;
                        }
                    }
                    let done = AskAnswer {
                        query_id: outcome.query_id,
                        session_id,
                        answer: a.answer,
                        citations: a.citations,
                        confidence: a.confidence,
                        suggested_follow_ups: a.suggested_follow_ups,
                        mode: a.mode,
                    };
                    let _ = tx.send(AskEvent::Complete(done)).await;
                }
                Err(e) => {
                    let _ = tx.send(AskEvent::Failed(e.into())).await;
                }
            }
        });
        Ok(stream)
    }

    fn range(q: &AnalyticsQuery) -> Option<&str> {
        q.date_range.as_deref()
    }

    fn page(q: &AnalyticsQuery) -> Result<PageRequest> {
        Ok(PageRequest::new(q.limit.map(i64::from), q.offset.map(|o| o as i64))?)
    }

    pub(crate) async fn performance(&self, q: &AnalyticsQuery) -> Result<PerformanceMetrics> {
        let company = self.me.company_id().to_string();
        Ok(self.otto.performance_metrics(&self.me, &company, Self::range(q)).await?)
    }

    pub(crate) async fn rep_performance(&self, q: &AnalyticsQuery) -> Result<RepPerformanceList> {
        let company = self.me.company_id().to_string();
        let query = RepQuery { page: Self::page(q)?, ..Default::default() };
        Ok(self.otto.rep_performance(&self.me, &company, Self::range(q), query).await?)
    }

    pub(crate) async fn objection_analytics(&self, q: &AnalyticsQuery) -> Result<ObjectionAnalytics> {
        let company = self.me.company_id().to_string();
        let query = ObjectionQuery { page: Self::page(q)?, ..Default::default() };
        Ok(self.otto.objection_analytics(&self.me, &company, Self::range(q), query).await?)
    }

    pub(crate) async fn lead_analytics(&self, q: &AnalyticsQuery) -> Result<LeadAnalytics> {
        let company = self.me.company_id().to_string();
        let query = LeadQuery { page: Self::page(q)?, ..Default::default() };
        Ok(self.otto.lead_analytics(&self.me, &company, Self::range(q), query).await?)
    }
}
