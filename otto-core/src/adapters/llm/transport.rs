//! The HTTP side both providers share: one POST with timeouts and retries, error mapping to
//! [`Error`], and SSE responses turned into a [`TextStream`].
//!
//! The retry policy follows what the providers document and their own SDKs do: retry 408, 429
//! and 5xx (Anthropic's 529 "overloaded" included), wait what `retry-after` asks, otherwise back
//! off exponentially with jitter, and never sleep longer than the configured cap: a caller told
//! "come back in ten minutes" is better served by [`ErrorKind::RateLimited`] right away.

use std::collections::VecDeque;
use std::time::Duration;

use futures::stream::BoxStream;
use futures::StreamExt;
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::{timeout, timeout_at, Instant};

use super::sse::{SseDecoder, SseEvent};
use crate::error::{Error, ErrorKind, Result};
use crate::ports::TextStream;

/// Timeouts and retries, copied from an adapter's config.
#[derive(Debug, Clone)]
pub(crate) struct RetryPolicy {
    /// Budget for one attempt (and, when streaming, for the wait between two chunks).
    pub(crate) timeout: Duration,
    /// Retries after the first attempt.
    pub(crate) max_retries: u32,
    /// Longest single wait; a provider asking for more gets `RateLimited` back at once.
    pub(crate) max_retry_wait: Duration,
    /// First backoff when the provider gives no delay; doubles on each retry.
    pub(crate) retry_base_delay: Duration,
}

/// Why a provider call failed in a way the caller cannot retry. Kept as the `source` of the
/// [`ErrorKind::Backend`] error; the provider's own message is in it so logs show the cause.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProviderError {
    /// 401 or 403.
    #[error("the LLM provider rejected the API key ({provider}, HTTP {status}): {message}")]
    Auth { provider: &'static str, status: u16, message: String },
    /// Any other 4xx: the request itself is wrong (bad model name, schema the provider refuses...).
    #[error("the LLM provider rejected the request ({provider}, HTTP {status}): {message}")]
    Rejected { provider: &'static str, status: u16, message: String },
    /// A 2xx whose body is not what the provider documents.
    #[error("the LLM provider sent an unreadable answer ({provider}): {detail}")]
    Unreadable { provider: &'static str, detail: String },
    /// An error reported inside a stream, or a refusal.
    #[error("the LLM provider reported an error ({provider}): {message}")]
    Reported { provider: &'static str, message: String },
    /// The HTTP client could not be built (bad TLS setup).
    #[error("could not set up the HTTP client for {provider}: {detail}")]
    Client { provider: &'static str, detail: String },
}

/// A failure worth another attempt.
enum Transient {
    /// 429.
    RateLimited { hint: Option<Duration>, message: String },
    /// 408, 5xx, 529 or a connection that could not be made.
    Unavailable { hint: Option<Duration>, message: String },
}

/// One provider endpoint: URL, fixed headers (auth included) and the retry policy.
pub(crate) struct Transport {
    client: Client,
    provider: &'static str,
    url: String,
    headers: HeaderMap,
    policy: RetryPolicy,
    secret: Option<String>,
}

impl Transport {
    /// A transport posting to `url` with `headers`. `secret` is the API key, only kept so it can
    /// be scrubbed from provider messages (OpenAI echoes part of a wrong key back).
    pub(crate) fn new(
        provider: &'static str,
        url: String,
        mut headers: HeaderMap,
        policy: RetryPolicy,
        secret: Option<String>,
    ) -> Result<Self> {
        for value in headers.values_mut() {
            // Sensitive values print as `Sensitive` in reqwest's and http's Debug output, so a
            // debug log of a request never shows the key.
            value.set_sensitive(true);
        }
        let client = Client::builder()
            .connect_timeout(policy.timeout)
            .build()
            .map_err(|e| Error::backend(ProviderError::Client { provider, detail: e.to_string() }))?;
        Ok(Self { client, provider, url, headers, policy, secret: secret.filter(|s| !s.is_empty()) })
    }

    /// Provider label used in messages.
    pub(crate) fn provider(&self) -> &'static str {
        self.provider
    }

    /// POSTs `body` and reads the JSON answer, retrying transient failures.
    pub(crate) async fn post_json<T: DeserializeOwned>(&self, body: &Value) -> Result<T> {
        let (response, deadline) = self.post(body).await?;
        let bytes = match timeout_at(deadline, response.bytes()).await {
            Err(_) => return Err(self.timed_out()),
            Ok(Err(e)) if e.is_timeout() => return Err(self.timed_out()),
            Ok(Err(e)) => return Err(self.dropped(e)),
            Ok(Ok(bytes)) => bytes,
        };
        serde_json::from_slice(&bytes).map_err(|e| self.unreadable(e))
    }

    /// POSTs `body` (which asks for a stream) and decodes the answer as server-sent events.
    /// Retries happen only before the first byte: once text has reached the caller, replaying
    /// the request would duplicate it.
    pub(crate) async fn post_sse(&self, body: &Value) -> Result<BoxStream<'static, Result<SseEvent>>> {
        let (response, _) = self.post(body).await?;
        let is_sse = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !is_sse {
            return Err(self.unreadable("a stream was requested but the answer is not text/event-stream"));
        }
        Ok(self.events(response))
    }

    /// Sends with retries; returns a 2xx response and the deadline of the attempt that got it.
    async fn post(&self, body: &Value) -> Result<(Response, Instant)> {
        let mut attempt: u32 = 0;
        loop {
            let deadline = Instant::now() + self.policy.timeout;
            let request = self.client.post(&self.url).headers(self.headers.clone()).json(body);
            let failure = match timeout_at(deadline, request.send()).await {
                // A timeout is the caller's latency budget running out, so it is not retried:
                // three attempts would triple a wait the caller already found too long.
                Err(_) => return Err(self.timed_out()),
                Ok(Err(e)) if e.is_timeout() => return Err(self.timed_out()),
                Ok(Err(e)) => Transient::Unavailable {
                    hint: None,
                    message: format!("could not reach {}: {}", self.provider, e.without_url()),
                },
                Ok(Ok(response)) if response.status().is_success() => return Ok((response, deadline)),
                Ok(Ok(response)) => self.classify(response, deadline).await?,
            };
            let (hint, message) = match &failure {
                Transient::RateLimited { hint, message } | Transient::Unavailable { hint, message } => (*hint, message),
            };
            let wait = hint.unwrap_or_else(|| self.backoff(attempt));
            let too_long = hint.is_some_and(|h| h > self.policy.max_retry_wait);
            if attempt >= self.policy.max_retries || too_long {
                return Err(match failure {
                    Transient::RateLimited { .. } => Error::rate_limited(ceil_secs(wait)),
                    Transient::Unavailable { message, .. } => Error::new(ErrorKind::Unavailable, message),
                });
            }
            tracing::warn!(provider = self.provider, attempt, wait_ms = wait.as_millis() as u64, %message, "retrying LLM request");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Turns a non-2xx answer into a retryable failure, or the final error.
    async fn classify(&self, response: Response, deadline: Instant) -> Result<Transient> {
        let status = response.status();
        let hint = retry_hint(response.headers());
        // The body only carries the message; if it is slow or broken the status still decides.
        let body = match timeout_at(deadline, response.text()).await {
            Ok(Ok(text)) => text,
            _ => String::new(),
        };
        let message = self.scrub(provider_message(&body));
        let provider = self.provider;
        let code = status.as_u16();
        match status {
            StatusCode::TOO_MANY_REQUESTS => {
                Ok(Transient::RateLimited { hint, message: format!("{provider} rate limit (HTTP 429): {message}") })
            }
            StatusCode::REQUEST_TIMEOUT => {
                Ok(Transient::Unavailable { hint, message: format!("{provider} timed out (HTTP 408): {message}") })
            }
            s if s.is_server_error() || code == 529 => Ok(Transient::Unavailable {
                hint,
                message: format!("{provider} is unavailable (HTTP {code}): {message}"),
            }),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                Err(Error::backend(ProviderError::Auth { provider, status: code, message }))
            }
            _ => Err(Error::backend(ProviderError::Rejected { provider, status: code, message })),
        }
    }

    /// Decodes an SSE body; each wait for the next chunk gets the full timeout, so a long answer
    /// that keeps flowing is never cut, while a stalled one is.
    fn events(&self, response: Response) -> BoxStream<'static, Result<SseEvent>> {
        struct State {
            body: BoxStream<'static, reqwest::Result<Vec<u8>>>,
            decoder: SseDecoder,
            pending: VecDeque<SseEvent>,
            done: bool,
        }
        let idle = self.policy.timeout;
        let provider = self.provider;
        let state = State {
            body: response.bytes_stream().map(|chunk| chunk.map(Vec::from)).boxed(),
            decoder: SseDecoder::default(),
            pending: VecDeque::new(),
            done: false,
        };
        futures::stream::unfold(state, move |mut st| async move {
            loop {
                if let Some(event) = st.pending.pop_front() {
                    return Some((Ok(event), st));
                }
                if st.done {
                    return None;
                }
                match timeout(idle, st.body.next()).await {
                    Err(_) => {
                        st.done = true;
                        let message = format!("{provider} stream stalled for more than {idle:?}");
                        return Some((Err(Error::new(ErrorKind::Unavailable, message)), st));
                    }
                    Ok(Some(Err(e))) => {
                        st.done = true;
                        let message = format!("{provider} stream broke off: {}", e.without_url());
                        return Some((Err(Error::new(ErrorKind::Unavailable, message)), st));
                    }
                    Ok(Some(Ok(chunk))) => st.pending.extend(st.decoder.push(&chunk)),
                    Ok(None) => {
                        st.done = true;
                        st.pending.extend(st.decoder.finish());
                    }
                }
            }
        })
        .boxed()
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.policy.retry_base_delay.saturating_mul(2u32.saturating_pow(attempt));
        // Jitter spreads the retries of many workers hit by the same outage.
        exp.min(self.policy.max_retry_wait).mul_f64(rand::thread_rng().gen_range(0.75..=1.0))
    }

    fn timed_out(&self) -> Error {
        Error::new(ErrorKind::Unavailable, format!("{} did not answer within {:?}", self.provider, self.policy.timeout))
    }

    fn dropped(&self, e: reqwest::Error) -> Error {
        // Messages leave the URL out: it holds no key here, but a gateway's query string might.
        Error::new(ErrorKind::Unavailable, format!("{} connection dropped: {}", self.provider, e.without_url()))
    }

    /// A [`ErrorKind::Backend`] error for an answer that does not parse.
    pub(crate) fn unreadable(&self, detail: impl std::fmt::Display) -> Error {
        Error::backend(ProviderError::Unreadable { provider: self.provider, detail: detail.to_string() })
    }

    /// A [`ErrorKind::Backend`] error for a failure the provider reported in a 2xx answer.
    pub(crate) fn reported(&self, message: impl Into<String>) -> Error {
        Error::backend(ProviderError::Reported { provider: self.provider, message: self.scrub(message.into()) })
    }

    fn scrub(&self, message: String) -> String {
        match &self.secret {
            Some(secret) if message.contains(secret.as_str()) => message.replace(secret.as_str(), "[redacted]"),
            _ => message,
        }
    }
}

/// The delay a 429/5xx answer asks for, from the headers providers send, most precise first:
/// `retry-after-ms` (OpenAI), `retry-after` (seconds or an HTTP date, both providers), then
/// OpenAI's `x-ratelimit-reset-requests` / `-tokens` (`1s`, `6m0s`, `20ms`).
pub(crate) fn retry_hint(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(Duration::from_secs_f64(ms / 1000.0));
        }
    }
    if let Some(value) = text("retry-after") {
        if let Ok(secs) = value.parse::<f64>() {
            if secs.is_finite() && secs >= 0.0 {
                return Some(Duration::from_secs_f64(secs));
            }
        }
        if let Ok(at) = chrono::DateTime::parse_from_rfc2822(value) {
            let secs = (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_milliseconds().max(0);
            return Some(Duration::from_millis(secs as u64));
        }
    }
    ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"]
        .into_iter()
        .find_map(|name| text(name).and_then(parse_go_duration))
}

/// Parses a Go-style duration (`1h2m3.5s`, `20ms`, `6m0s`), the format of OpenAI's reset headers.
pub(crate) fn parse_go_duration(text: &str) -> Option<Duration> {
    let mut total = 0.0_f64;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    Some(Duration::from_secs_f64(total))
}

/// Whole seconds to report in `RateLimited`, rounded up and at least one: "retry after 0
/// seconds" would invite a busy loop.
fn ceil_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// The human message in an error body. Both providers document `{"error": {"message", "type"}}`;
/// OpenAI-compatible servers vary (`{"error": "text"}` from some, `{"message"}` from vLLM,
/// `{"detail"}` from FastAPI-based gateways), so those are read too, then the raw text.
pub(crate) fn provider_message(body: &str) -> String {
    if let Ok(value) = serde_json::from_str::<Value>(body) {
        let error = value.get("error");
        if let Some(message) = error.and_then(|e| e.get("message")).and_then(Value::as_str) {
            let kind = error.and_then(|e| e.get("type")).and_then(Value::as_str);
            let code = error.and_then(|e| e.get("code")).and_then(Value::as_str);
            return match (kind, code) {
                (Some(kind), Some(code)) => format!("{message} ({kind}, {code})"),
                (Some(tag), None) | (None, Some(tag)) => format!("{message} ({tag})"),
                (None, None) => message.to_owned(),
            };
        }
        let direct = [error, value.get("message"), value.get("detail")].into_iter().flatten().find_map(Value::as_str);
        if let Some(message) = direct {
            return message.to_owned();
        }
    }
    let trimmed = body.trim();
    if trimmed.is_empty() {
        "no error message".to_owned()
    } else {
        // Gateways sometimes answer with a whole HTML page; the start is enough to recognise it.
        trimmed.chars().take(300).collect()
    }
}

/// A schema name both providers accept (`^[a-zA-Z0-9_-]{1,64}$`), so a caller's
/// `"call summary"` does not turn into a 400.
pub(crate) fn schema_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
        .take(64)
        .collect();
    if clean.is_empty() {
        "answer".to_owned()
    } else {
        clean
    }
}

/// What one SSE event means for the text stream.
pub(crate) enum Step {
    /// Text to hand to the caller.
    Text(String),
    /// Nothing to hand over (keep-alives, bookkeeping events).
    Skip,
    /// The provider's end-of-stream marker.
    Done,
    /// The provider reported an error inside the stream.
    Fail(Error),
}

/// A provider's reading of its own stream events.
pub(crate) trait StreamHandler: Send + 'static {
    /// Interprets one event.
    fn on_event(&mut self, event: SseEvent) -> Step;
    /// The connection closed before [`Step::Done`]: `Some` error if that means the answer is cut.
    fn on_eof(&mut self) -> Option<Error>;
}

/// Turns SSE events into the port's [`TextStream`] using `handler`; the stream ends after the
/// first error.
pub(crate) fn text_stream(events: BoxStream<'static, Result<SseEvent>>, handler: impl StreamHandler) -> TextStream {
    futures::stream::unfold(Some((events, handler)), |state| async move {
        let (mut events, mut handler) = state?;
        loop {
            match events.next().await {
                None => return handler.on_eof().map(|e| (Err(e), None)),
                Some(Err(e)) => return Some((Err(e), None)),
                Some(Ok(event)) => match handler.on_event(event) {
                    Step::Text(text) => return Some((Ok(text), Some((events, handler)))),
                    Step::Skip => continue,
                    Step::Done => return None,
                    Step::Fail(e) => return Some((Err(e), None)),
                },
            }
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parses_go_durations() {
        assert_eq!(parse_go_duration("1s"), Some(Duration::from_secs(1)));
        assert_eq!(parse_go_duration("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(parse_go_duration("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(parse_go_duration("1h2m3.5s"), Some(Duration::from_secs_f64(3723.5)));
        assert_eq!(parse_go_duration(""), None);
        assert_eq!(parse_go_duration("soon"), None);
        assert_eq!(parse_go_duration("5"), None);
    }

    #[test]
    fn test_retry_hint_prefers_precise_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-reset-requests", HeaderValue::from_static("6m0s"));
        assert_eq!(retry_hint(&headers), Some(Duration::from_secs(360)));
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_hint(&headers), Some(Duration::from_secs(7)));
        headers.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_hint(&headers), Some(Duration::from_millis(250)));
        let mut past = HeaderMap::new();
        past.insert("retry-after", HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(retry_hint(&past), Some(Duration::ZERO));
        assert_eq!(retry_hint(&HeaderMap::new()), None);
    }

    #[test]
    fn test_provider_message_reads_documented_and_common_shapes() {
        let openai =
            r#"{"error":{"message":"bad key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#;
        assert_eq!(provider_message(openai), "bad key (invalid_request_error, invalid_api_key)");
        let anthropic = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert_eq!(provider_message(anthropic), "Overloaded (overloaded_error)");
        assert_eq!(provider_message(r#"{"error":"model not found"}"#), "model not found");
        assert_eq!(provider_message(r#"{"object":"error","message":"too long"}"#), "too long");
        assert_eq!(provider_message(""), "no error message");
        assert_eq!(provider_message("<html>bad gateway</html>"), "<html>bad gateway</html>");
    }

    #[test]
    fn test_schema_name_is_provider_safe() {
        assert_eq!(schema_name("call summary"), "call_summary");
        assert_eq!(schema_name("ok-name_1"), "ok-name_1");
        assert_eq!(schema_name(""), "answer");
        assert_eq!(schema_name(&"x".repeat(80)).len(), 64);
    }

    #[test]
    fn test_ceil_secs_never_reports_zero() {
        assert_eq!(ceil_secs(Duration::ZERO), 1);
        assert_eq!(ceil_secs(Duration::from_millis(1500)), 2);
        assert_eq!(ceil_secs(Duration::from_secs(120)), 120);
    }
}
