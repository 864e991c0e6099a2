//! Ask Otto (8.x): the streaming WebSocket and the query history.
//!
//! The WebSocket authenticates on the upgrade request (headers as on every API call, or
//! `?token=...&company_id=...` for browsers that can't set headers) or with a first `connect`
//! message carrying `token` and `company_id`. A session belongs to one user; another user's (or
//! tenant's) session id is refused. Idle sessions get a `timeout` warning, then close.

use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use otto_core::api::ws::{ClientMessage, QueryContext, ServerMessage};
use otto_core::api::RagQueryList;
use otto_core::domain::{DateRange, PageRequest, RagQueryFilter, RagQuerySort, SortOrder};
use otto_core::{AskInput, ErrorKind, Principal};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{authenticate, authenticate_token, Auth};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::ratelimit::Category;
use crate::state::AppState;

/// Timing of WebSocket sessions.
#[derive(Debug, Clone, Copy)]
pub struct WsTimings {
    /// Close after this long without a message.
    pub idle: Duration,
    /// Warn this long before closing.
    pub warn_before: Duration,
    /// Ping the client this often.
    pub heartbeat: Duration,
    /// Wait this long for a `connect` message when the upgrade carried no credentials.
    pub auth: Duration,
}

impl Default for WsTimings {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            warn_before: Duration::from_secs(5 * 60),
            heartbeat: Duration::from_secs(30),
            auth: Duration::from_secs(10),
        }
    }
}

/// Credentials and session a browser can pass in the URL.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsQuery {
    /// Bearer token (for clients that can't set headers).
    token: Option<String>,
    /// Company id, with `token`.
    company_id: Option<String>,
    /// Session to resume.
    session_id: Option<String>,
}

/// Ask Otto (WebSocket).
///
/// Upgrade to a WebSocket, then exchange JSON messages: `connect`, `query`, `follow_up`, `ping`,
/// `disconnect` from the client; `connected`, `processing`, `response_chunk`,
/// `response_complete` (answer, citations, confidence, suggested follow-ups), `error`,
/// `timeout` and `pong` from the server. Authenticate with the usual headers, with
/// `?token=&company_id=`, or with `token` and `company_id` in the first `connect` message.
#[utoipa::path(get, path = "/api/v1/rag/query", tag = "rag", params(WsQuery),
    responses((status = 101, description = "Switching to the WebSocket protocol"),
              (status = 401, description = "Bad credentials on the upgrade request", body = otto_core::api::ErrorBody),
              (status = 403, description = "Token and company do not match", body = otto_core::api::ErrorBody),
              (status = 426, description = "Not a WebSocket upgrade request", body = otto_core::api::ErrorBody)))]
pub async fn query_ws(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<WsQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    // Authenticate before upgrading when credentials came with the request, so a bad token is
    // an ordinary 401 with the error body.
    let principal = if headers.contains_key(axum::http::header::AUTHORIZATION) {
        match authenticate(&s, &headers).await {
            Ok(p) => Some(p),
            Err(e) => return e.into_response(),
        }
    } else if let (Some(token), Some(company)) = (&q.token, &q.company_id) {
        match authenticate_token(&s, token, company).await {
            Ok(p) => Some(p),
            Err(e) => return e.into_response(),
        }
    } else {
        None
    };
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(_) => {
            return ApiError::new(
                StatusCode::UPGRADE_REQUIRED,
                "upgrade_required",
                "This endpoint speaks WebSocket: connect with a WebSocket client (Upgrade: websocket)",
            )
            .into_response()
        }
    };
    let timings = s.ws_timings;
    upgrade.on_upgrade(move |socket| Session::run(socket, s, principal, q.session_id, timings))
}

struct Session {
    state: AppState,
    principal: Option<Principal>,
    session_id: Option<String>,
    last_query: Option<String>,
}

fn error(query_id: Option<String>, code: &str, message: impl Into<String>, suggestion: &str) -> ServerMessage {
    ServerMessage::Error {
        query_id,
        error: code.to_string(),
        message: message.into(),
        suggestion: suggestion.to_string(),
        retry_after: None,
        timestamp: Utc::now(),
    }
}

async fn send(socket: &mut WebSocket, msg: &ServerMessage) -> bool {
    match serde_json::to_string(msg) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(_) => false,
    }
}

impl Session {
    async fn run(
        mut socket: WebSocket,
        state: AppState,
        principal: Option<Principal>,
        session: Option<String>,
        t: WsTimings,
    ) {
        let mut me = Session { state, principal, session_id: None, last_query: None };
        if me.principal.is_some() {
            if let Err(msg) = me.open(session.as_deref()).await {
                send(&mut socket, &msg).await;
                return;
            }
            let connected = me.connected();
            if !send(&mut socket, &connected).await {
                return;
            }
        }
        let started = tokio::time::Instant::now();
        let mut last_activity = started;
        let mut warned = false;
        let mut heartbeat = tokio::time::interval(t.heartbeat);
        heartbeat.tick().await;
        loop {
            let deadline = if me.principal.is_none() { started + t.auth } else { last_activity + t.idle };
            let warn_at = deadline.checked_sub(t.warn_before).unwrap_or(deadline);
            tokio::select! {
                incoming = socket.recv() => {
                    let Some(Ok(msg)) = incoming else { return };
                    last_activity = tokio::time::Instant::now();
                    warned = false;
                    match msg {
                        Message::Text(text) => {
                            if !me.handle(&mut socket, text.as_str()).await {
                                return;
                            }
                        }
                        Message::Binary(_) => {
                            let m = error(None, "invalid_message", "binary frames are not supported", "send JSON text messages");
                            send(&mut socket, &m).await;
                        }
                        Message::Close(_) => return,
                        Message::Ping(_) | Message::Pong(_) => {}
                    }
                }
                _ = heartbeat.tick() => {
                    if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                        return;
                    }
                }
                _ = tokio::time::sleep_until(warn_at), if !warned && me.principal.is_some() => {
                    warned = true;
                    let msg = ServerMessage::Timeout {
                        session_id: me.session_id.clone().unwrap_or_default(),
                        message: format!("Session will expire in {} seconds due to inactivity", t.warn_before.as_secs()),
                        timestamp: Utc::now(),
                    };
                    send(&mut socket, &msg).await;
                }
                _ = tokio::time::sleep_until(deadline) => {
                    let msg = if me.principal.is_none() {
                        error(None, "unauthorized", "no credentials: send a `connect` message with `token` and `company_id`", "authenticate within 10 seconds of connecting")
                    } else {
                        error(None, "session_expired", "the session expired after inactivity", "reconnect with the same session_id to continue")
                    };
                    send(&mut socket, &msg).await;
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
            }
        }
    }

    fn connected(&self) -> ServerMessage {
        ServerMessage::Connected {
            session_id: self.session_id.clone().unwrap_or_default(),
            status: "ready".into(),
            timestamp: Utc::now(),
        }
    }

    async fn open(&mut self, session_id: Option<&str>) -> Result<(), ServerMessage> {
        let Some(p) = &self.principal else {
            return Err(error(
                None,
                "unauthorized",
                "not authenticated",
                "send `connect` with `token` and `company_id`",
            ));
        };
        match self.state.otto.open_rag_session(p, session_id).await {
            Ok(s) => {
                if self.session_id.as_deref() != Some(s.session_id.as_str()) {
                    self.last_query = None;
                }
                self.session_id = Some(s.session_id);
                Ok(())
            }
            Err(e) => Err(core_error(None, &e)),
        }
    }

    /// Handles one text message; false when the connection should close.
    async fn handle(&mut self, socket: &mut WebSocket, text: &str) -> bool {
        let msg: ClientMessage = match serde_json::from_str(text) {
            Ok(m) => m,
            Err(e) => {
                let m = error(
                    None,
                    "invalid_message",
                    format!("not a valid message: {e}"),
                    "send JSON with a `type` of connect, query, follow_up, ping or disconnect",
                );
                return send(socket, &m).await;
            }
        };
        match msg {
            ClientMessage::Ping => send(socket, &ServerMessage::Pong { timestamp: Utc::now() }).await,
            ClientMessage::Disconnect { .. } => {
                let _ = socket.send(Message::Close(None)).await;
                false
            }
            ClientMessage::Connect { session_id, token, company_id } => {
                if self.principal.is_none() {
                    let (Some(token), Some(company)) = (token, company_id) else {
                        let m = error(
                            None,
                            "unauthorized",
                            "`connect` needs `token` and `company_id` on this connection",
                            "pass them, or connect with an Authorization header",
                        );
                        send(socket, &m).await;
                        return false;
                    };
                    match authenticate_token(&self.state, &token, &company).await {
                        Ok(p) => self.principal = Some(p),
                        Err(e) => {
                            let m = error(None, "unauthorized", e_message(&e), "get a fresh token");
                            send(socket, &m).await;
                            return false;
                        }
                    }
                }
                match self.open(session_id.as_deref()).await {
                    Ok(()) => send(socket, &self.connected()).await,
                    Err(m) => send(socket, &m).await,
                }
            }
            ClientMessage::Query { message, context, session_id } => {
                self.ask(socket, message, context, session_id, None, false).await
            }
            ClientMessage::FollowUp { message, previous_query_id, context, session_id } => {
                self.ask(socket, message, context, session_id, previous_query_id, true).await
            }
        }
    }

    async fn ask(
        &mut self,
        socket: &mut WebSocket,
        message: String,
        context: Option<QueryContext>,
        session_id: Option<String>,
        previous_query_id: Option<String>,
        follow_up: bool,
    ) -> bool {
        let Some(p) = self.principal.clone() else {
            let m =
                error(None, "unauthorized", "not authenticated", "send `connect` with `token` and `company_id` first");
            return send(socket, &m).await;
        };
        if let Some(id) = session_id.as_deref().filter(|id| Some(*id) != self.session_id.as_deref()) {
            if let Err(m) = self.open(Some(id)).await {
                return send(socket, &m).await;
            }
        }
        if self.session_id.is_none() {
            if let Err(m) = self.open(None).await {
                return send(socket, &m).await;
            }
        }
        let key = format!("{}/{}", p.company_id(), p.user_id());
        if let Err(secs) = self.state.limiter.check(Category::Rag, &key) {
            let mut m = error(
                None,
                "rate_limit_exceeded",
                format!("Rate limit exceeded. Retry after {secs} seconds."),
                "wait before asking again",
            );
            if let ServerMessage::Error { retry_after, .. } = &mut m {
                *retry_after = Some(secs.max(1));
            }
            return send(socket, &m).await;
        }
        let date_range = context.and_then(|c| c.date_range).map(|r| DateRange { from: r.start, to: r.end });
        if let Some(DateRange { from: Some(a), to: Some(b) }) = date_range {
            if a > b {
                let m = error(None, "bad_request", "context.date_range ends before it starts", "swap start and end");
                return send(socket, &m).await;
            }
        }
        let previous = if follow_up { previous_query_id.or_else(|| self.last_query.clone()) } else { None };
        let query_id = otto_core::domain::new_id("query");
        let processing =
            ServerMessage::Processing { query_id: query_id.clone(), status: "searching".into(), timestamp: Utc::now() };
        if !send(socket, &processing).await {
            return false;
        }
        let input = AskInput {
            session_id: self.session_id.clone().unwrap_or_default(),
            message,
            previous_query_id: previous,
            date_range,
            query_id: Some(query_id.clone()),
        };
        let outcome = match tokio::time::timeout(Category::Rag.timeout(), self.state.otto.ask(&p, input)).await {
            Ok(Ok(o)) => o,
            Ok(Err(e)) => return send(socket, &core_error(Some(query_id), &e)).await,
            Err(_) => {
                let m = error(
                    Some(query_id),
                    "timeout",
                    "the answer took too long",
                    "ask a narrower question or a shorter date range",
                );
                return send(socket, &m).await;
            }
        };
        self.last_query = Some(outcome.query_id.clone());
        let a = outcome.answer;
        if a.mode == "none" {
            let m = error(
                Some(outcome.query_id.clone()),
                "insufficient_data",
                a.answer.clone(),
                "try other words, a customer's name, or a wider date range",
            );
            if !send(socket, &m).await {
                return false;
            }
        }
        let total = a.chunks.len();
        for (i, chunk) in a.chunks.iter().enumerate() {
            let m = ServerMessage::ResponseChunk {
                query_id: outcome.query_id.clone(),
                chunk: chunk.clone(),
                chunk_index: i,
                total_chunks: total,
                timestamp: Utc::now(),
            };
            if !send(socket, &m).await {
                return false;
            }
        }
        let done = ServerMessage::ResponseComplete {
            query_id: outcome.query_id,
            session_id: self.session_id.clone().unwrap_or_default(),
            answer: a.answer,
            citations: a.citations,
            confidence: a.confidence,
            suggested_follow_ups: a.suggested_follow_ups,
            mode: a.mode,
            timestamp: Utc::now(),
        };
        send(socket, &done).await
    }
}

fn e_message(e: &ApiError) -> String {
    format!("authentication failed ({})", e.status())
}

fn core_error(query_id: Option<String>, e: &otto_core::Error) -> ServerMessage {
    let (code, suggestion) = match e.kind() {
        ErrorKind::NotFound => ("not_found", "check the id; sessions and queries belong to the user who opened them"),
        ErrorKind::InvalidInput => ("bad_request", "fix the message and send it again"),
        ErrorKind::Forbidden => ("forbidden", "ask an admin for the permission"),
        ErrorKind::RateLimited => ("rate_limit_exceeded", "wait before asking again"),
        ErrorKind::Unavailable => ("service_unavailable", "try again shortly"),
        _ => ("internal_error", "try again; if it persists, contact support with the query id"),
    };
    let message = match e.kind() {
        ErrorKind::Backend | ErrorKind::Internal => {
            tracing::error!(error = %e, "Ask Otto failed");
            "An unexpected error occurred".to_string()
        }
        _ => e.message().to_string(),
    };
    error(query_id, code, message, suggestion)
}

/// Query parameters of the history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
    /// Sort key (default `created_at`).
    sort: Option<RagQuerySort>,
    /// Direction (default `desc`).
    order: Option<SortOrder>,
    /// Case-insensitive text to find in the questions.
    search: Option<String>,
    /// Only this session's queries.
    session_id: Option<String>,
}

/// Get query history.
///
/// The caller's questions and answers (managers and admins: the company's), newest first.
#[utoipa::path(get, path = "/api/v1/rag/queries", tag = "rag", params(HistoryQuery),
    responses((status = 200, description = "A page of queries", body = RagQueryList)))]
pub async fn queries(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<RagQueryList>, ApiError> {
    let filter = RagQueryFilter {
        user_id: None,
        session_id: q.session_id,
        search: q.search.filter(|s| !s.trim().is_empty()),
        sort: q.sort.unwrap_or_default(),
        order: q.order.unwrap_or(SortOrder::Desc),
        page: PageRequest::new(q.limit, q.offset)?,
    };
    let page = s.otto.rag_queries(&p, filter).await?;
    let has_more = page.has_more();
    Ok(Json(RagQueryList { queries: page.items, total: page.total, limit: page.limit, offset: page.offset, has_more }))
}

/// The WebSocket route (authenticates itself).
pub fn ws_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(query_ws))
}

/// Authenticated routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(queries))
}
