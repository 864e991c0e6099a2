//! The Ask Otto WebSocket client: connect, ask, and read the streamed answer.

use futures::{SinkExt, StreamExt};
use otto_core::api::ws::{ClientMessage, QueryContext, ServerMessage};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

use crate::ClientError;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A finished answer: the streamed pieces plus the final message.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamedAnswer {
    /// Query id.
    pub query_id: String,
    /// The `response_chunk` texts in order.
    pub chunks: Vec<String>,
    /// The `response_complete` message.
    pub complete: ServerMessage,
}

/// An open Ask Otto session.
pub struct AskSession {
    socket: Socket,
    session_id: String,
}

impl std::fmt::Debug for AskSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AskSession").field("session_id", &self.session_id).finish_non_exhaustive()
    }
}

impl AskSession {
    /// Connects to `base_url` (http(s) or ws(s)), authenticating with headers, and opens (or
    /// resumes) `session_id`.
    pub async fn connect(
        base_url: &str,
        token: &str,
        company_id: &str,
        session_id: Option<&str>,
    ) -> Result<Self, ClientError> {
        let url = format!(
            "{}/api/v1/rag/query{}",
            base_url.trim_end_matches('/').replacen("http", "ws", 1),
            session_id.map(|s| format!("?session_id={s}")).unwrap_or_default()
        );
        let mut req = url.into_client_request().map_err(|e| ClientError::InvalidConfig(e.to_string()))?;
        let headers = req.headers_mut();
        let bearer =
            HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| ClientError::InvalidConfig(e.to_string()))?;
        headers.insert("authorization", bearer);
        headers.insert(
            "x-company-id",
            HeaderValue::from_str(company_id).map_err(|e| ClientError::InvalidConfig(e.to_string()))?,
        );
        let (socket, _) =
            tokio_tungstenite::connect_async(req).await.map_err(|e| ClientError::Transport(e.to_string()))?;
        let mut me = AskSession { socket, session_id: String::new() };
        match me.next().await? {
            ServerMessage::Connected { session_id, .. } => me.session_id = session_id,
            other => return Err(unexpected(other)),
        }
        Ok(me)
    }

    /// The session id (resume it later with [`AskSession::connect`]).
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// Sends a raw protocol message.
    pub async fn send(&mut self, msg: &ClientMessage) -> Result<(), ClientError> {
        let text = serde_json::to_string(msg).map_err(|e| ClientError::Decode(e.to_string()))?;
        self.socket.send(Message::Text(text.into())).await.map_err(|e| ClientError::Transport(e.to_string()))
    }

    /// The next protocol message from the server (pings are answered for you).
    pub async fn next(&mut self) -> Result<ServerMessage, ClientError> {
        loop {
            match self.socket.next().await {
                Some(Ok(Message::Text(t))) => {
                    return serde_json::from_str(t.as_str()).map_err(|e| ClientError::Decode(e.to_string()))
                }
                Some(Ok(Message::Close(_))) | None => return Err(ClientError::Transport("connection closed".into())),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(ClientError::Transport(e.to_string())),
            }
        }
    }

    /// Asks a question (or a follow-up of `previous_query_id`; `Some("")` means "the last one")
    /// and collects the streamed answer. `on_chunk` sees each piece as it arrives.
    pub async fn ask(
        &mut self,
        message: &str,
        follow_up_of: Option<&str>,
        context: Option<QueryContext>,
        mut on_chunk: impl FnMut(&str),
    ) -> Result<StreamedAnswer, ClientError> {
        let msg = match follow_up_of {
            Some(prev) => ClientMessage::FollowUp {
                message: message.into(),
                previous_query_id: (!prev.is_empty()).then(|| prev.to_string()),
                context,
                session_id: None,
            },
            None => ClientMessage::Query { message: message.into(), context, session_id: None },
        };
        self.send(&msg).await?;
        let mut chunks = Vec::new();
        let mut query_id = String::new();
        loop {
            match self.next().await? {
                ServerMessage::Processing { query_id: id, .. } => query_id = id,
                ServerMessage::ResponseChunk { chunk, .. } => {
                    on_chunk(&chunk);
                    chunks.push(chunk);
                }
                done @ ServerMessage::ResponseComplete { .. } => {
                    return Ok(StreamedAnswer { query_id, chunks, complete: done });
                }
                ServerMessage::Error { error, message, .. } if error != "insufficient_data" => {
                    return Err(ClientError::Ask { code: error, message });
                }
                _ => {}
            }
        }
    }

    /// Ends the session's connection.
    pub async fn close(mut self) -> Result<(), ClientError> {
        let msg = ClientMessage::Disconnect { session_id: Some(self.session_id.clone()) };
        let _ = self.send(&msg).await;
        self.socket.close(None).await.map_err(|e| ClientError::Transport(e.to_string()))
    }
}

fn unexpected(m: ServerMessage) -> ClientError {
    match m {
        ServerMessage::Error { error, message, .. } => ClientError::Ask { code: error, message },
        other => ClientError::Decode(format!("unexpected message {other:?}")),
    }
}
