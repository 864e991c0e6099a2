use std::time::Instant;

use crate::auth::{Action, Principal};
use crate::domain::{new_id, validate_id, DateRange, Page, RagQueryFilter, RagQueryRecord, RagSession};
use crate::error::{Error, Result};
use crate::rag::{Answer, AskRequest};
use crate::Otto;

/// A question in an Ask Otto session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AskInput {
    /// The session (opened first with [`Otto::open_rag_session`]).
    pub session_id: String,
    /// The question.
    pub message: String,
    /// For follow-ups: the query this one continues.
    pub previous_query_id: Option<String>,
    /// Restrict to calls in this range.
    pub date_range: Option<DateRange>,
    /// Id to store the query under (generated when absent), so a client can be told it before
    /// the answer is ready.
    pub query_id: Option<String>,
}

/// An answered, stored question.
#[derive(Debug, Clone, PartialEq)]
pub struct AskOutcome {
    /// Id of the stored query.
    pub query_id: String,
    /// The answer.
    pub answer: Answer,
}

impl Otto {
    /// Opens a session for the caller: resumes `session_id` if it is theirs, creates it if it is
    /// new, and refuses one that belongs to someone else (as not found: ids reveal nothing).
    pub async fn open_rag_session(&self, p: &Principal, session_id: Option<&str>) -> Result<RagSession> {
        p.require("rag", Action::Read)?;
        if let Some(id) = session_id {
            validate_id("session_id", id)?;
            if let Some(s) = self.store.get_session(p.company_id(), id).await? {
                return if s.user_id == p.user_id() { Ok(s) } else { Err(Error::not_found(format!("session {id}"))) };
            }
        }
        let now = self.clock.now();
        let session = RagSession {
            session_id: session_id.map_or_else(|| new_id("session"), str::to_string),
            company_id: p.company_id().clone(),
            user_id: p.user_id().to_string(),
            created_at: now,
            last_active_at: now,
        };
        self.store.insert_session(&session).await?;
        Ok(session)
    }

    /// Answers a question in a session and stores it in the history.
    pub async fn ask(&self, p: &Principal, input: AskInput) -> Result<AskOutcome> {
        let session = self.open_rag_session(p, Some(&input.session_id)).await?;
        let previous = match &input.previous_query_id {
            Some(id) => {
                validate_id("previous_query_id", id)?;
                let q = self
                    .store
                    .get_query(p.company_id(), id)
                    .await?
                    .filter(|q| q.user_id == p.user_id())
                    .ok_or_else(|| Error::not_found(format!("query {id}")))?;
                Some((q.query_text, q.citations.into_iter().map(|c| c.source_id).collect()))
            }
            None => None,
        };
        let started = Instant::now();
        let req = AskRequest { question: input.message.clone(), date_range: input.date_range, previous };
        let answer = self.answer(p, &req).await?;
        let record = RagQueryRecord {
            query_id: input.query_id.clone().unwrap_or_else(|| new_id("query")),
            company_id: p.company_id().clone(),
            session_id: session.session_id,
            user_id: p.user_id().to_string(),
            query_text: input.message.trim().to_string(),
            response_text: answer.answer.clone(),
            citations: answer.citations.clone(),
            suggested_follow_ups: answer.suggested_follow_ups.clone(),
            mode: answer.mode.clone(),
            confidence: answer.confidence,
            processing_ms: started.elapsed().as_millis() as u64,
            created_at: self.clock.now(),
        };
        self.store.insert_query(&record).await?;
        Ok(AskOutcome { query_id: record.query_id, answer })
    }

    /// The last query of a session of the caller, if any.
    pub async fn last_rag_query(&self, p: &Principal, session_id: &str) -> Result<Option<RagQueryRecord>> {
        let filter = RagQueryFilter {
            user_id: Some(p.user_id().to_string()),
            session_id: Some(session_id.to_string()),
            order: crate::domain::SortOrder::Desc,
            page: crate::domain::PageRequest { limit: 1, offset: 0 },
            ..Default::default()
        };
        Ok(self.store.list_queries(p.company_id(), &filter).await?.items.into_iter().next())
    }

    /// Query history (8.2): the caller's own queries; managers and admins see the company's.
    pub async fn rag_queries(&self, p: &Principal, mut filter: RagQueryFilter) -> Result<Page<RagQueryRecord>> {
        p.require("rag", Action::Read)?;
        if !p.role().sees_all_company_data() {
            filter.user_id = Some(p.user_id().to_string());
        }
        if let Some(s) = &filter.search {
            if s.chars().count() > 200 {
                return Err(Error::invalid("search", "at most 200 characters"));
            }
        }
        self.store.list_queries(p.company_id(), &filter).await
    }
}
