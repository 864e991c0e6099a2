//! Remote mode: the same operations over the REST and WebSocket API with otto-client.

use std::sync::Arc;

use otto_client::{AskSession, OttoClient};
use otto_core::api::ws::ServerMessage;
use otto_core::domain::DocumentType;
use otto_core::NewCall;
use tokio::sync::Mutex;

use crate::{
    AnalyticsQuery, AskAnswer, AskEvent, AskStream, Call, CallAnalysisResponse, Document, ErrorKind, LeadAnalytics,
    ObjectionAnalytics, ObjectionsResponse, PerformanceMetrics, RemoteOptions, RepPerformanceList, Result, SdkError,
};

pub(crate) struct Remote {
    client: OttoClient,
    options: RemoteOptions,
    /// The Ask Otto connection, opened on the first question and kept for follow-ups.
    session: Arc<Mutex<Option<AskSession>>>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").field("base_url", &self.options.base_url).finish_non_exhaustive()
    }
}

impl Remote {
    pub(crate) async fn connect(options: RemoteOptions) -> Result<Self> {
        let client = OttoClient::builder(&options.base_url, &options.token, &options.company_id)
            .timeout(options.timeout)
            .build()?;
        client.health().await?;
        Ok(Self { client, options, session: Arc::default() })
    }

    pub(crate) async fn close(&self) {
        if let Some(s) = self.session.lock().await.take() {
            let _ = s.close().await;
        }
    }

    pub(crate) async fn submit_call(&self, call: NewCall) -> Result<Call> {
        Ok(self.client.create_call(&call).await?)
    }

    pub(crate) async fn call(&self, call_id: &str) -> Result<Call> {
        Ok(self.client.get_call(call_id).await?)
    }

    pub(crate) async fn analysis(&self, call_id: &str) -> Result<CallAnalysisResponse> {
        Ok(self.client.analysis(call_id).await?)
    }

    pub(crate) async fn objections(&self, call_id: &str) -> Result<ObjectionsResponse> {
        Ok(self.client.objections(call_id).await?)
    }

    pub(crate) async fn ingest_document(&self, file_name: &str, bytes: Vec<u8>, t: DocumentType) -> Result<Document> {
        let started = self.client.upload_document(file_name, bytes, t).await?;
        Ok(self.client.document(&started.document_id).await?)
    }

    pub(crate) async fn document(&self, document_id: &str) -> Result<Document> {
        Ok(self.client.document(document_id).await?)
    }

    pub(crate) async fn ask_stream(&self, question: &str, follow_up: bool) -> Result<AskStream> {
        let (tx, stream) = AskStream::channel();
        let session = Arc::clone(&self.session);
        let o = self.options.clone();
        let question = question.to_string();
        tokio::spawn(async move {
            let mut guard = session.lock().await;
            if guard.is_none() {
                match AskSession::connect(&o.base_url, &o.token, &o.company_id, None).await {
                    Ok(s) => *guard = Some(s),
                    Err(e) => {
                        let _ = tx.send(AskEvent::Failed(e.into())).await;
                        return;
                    }
                }
            }
            let Some(s) = guard.as_mut() else { return };
            let session_id = s.session_id().to_string();
            let chunks = tx.clone();
            // Chunks are forwarded as they arrive; the channel has room for a whole answer.
            let result = s
                .ask(&question, follow_up.then_some(""), None, move |c| {
                    let _ = chunks.try_send(AskEvent::Chunk(c.to_string()));
                })
                .await;
            let event = match result {
                Ok(a) => match a.complete {
                    ServerMessage::ResponseComplete {
                        query_id,
                        answer,
                        citations,
                        confidence,
                        suggested_follow_ups,
                        mode,
                        ..
                    } => AskEvent::Complete(AskAnswer {
                        query_id,
                        session_id,
                        answer,
                        citations,
                        confidence,
                        suggested_follow_ups,
                        mode,
                    }),
                    _ => AskEvent::Failed(SdkError::new(ErrorKind::Internal, "unexpected Ask Otto message")),
                },
                Err(e) => {
                    // A broken connection is reopened on the next question.
                    if e.kind() == ErrorKind::Unavailable {
                        *guard = None;
                    }
                    AskEvent::Failed(e.into())
                }
            };
            let _ = tx.send(event).await;
        });
        Ok(stream)
    }

    pub(crate) async fn performance(&self, q: &AnalyticsQuery) -> Result<PerformanceMetrics> {
        let range: Vec<(&str, &str)> = q.date_range.as_deref().map(|d| ("date_range", d)).into_iter().collect();
        Ok(self.client.performance_metrics(&range).await?)
    }

    pub(crate) async fn rep_performance(&self, q: &AnalyticsQuery) -> Result<RepPerformanceList> {
        let pairs = q.pairs();
        Ok(self.client.rep_performance(&refs(&pairs)).await?)
    }

    pub(crate) async fn objection_analytics(&self, q: &AnalyticsQuery) -> Result<ObjectionAnalytics> {
        let pairs = q.pairs();
        Ok(self.client.objection_analytics(&refs(&pairs)).await?)
    }

    pub(crate) async fn lead_analytics(&self, q: &AnalyticsQuery) -> Result<LeadAnalytics> {
        let pairs = q.pairs();
        Ok(self.client.lead_analytics(&refs(&pairs)).await?)
    }
}

/// Query pairs as otto-client takes them.
fn refs<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
