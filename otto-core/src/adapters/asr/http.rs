//! The HTTP side the cloud ASR adapters share: timeouts, bounded retries of 408/429/5xx with the
//! provider's `retry-after` honoured, and error mapping to core kinds (the same policy as the LLM
//! adapters: 429 -> `RateLimited`, 5xx/timeouts -> `Unavailable`, other 4xx -> `Backend`).

use std::time::Duration;

use rand::Rng;
use reqwest::{RequestBuilder, StatusCode};

use crate::error::{Error, ErrorKind, Result};

/// Timeouts and retries of a cloud ASR adapter.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpPolicy {
    /// Budget of one attempt, upload included (long calls take a while to upload).
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Longest wait before a retry; a provider asking for more gets `RateLimited` at once.
    pub max_retry_wait: Duration,
    /// First backoff without a provider hint; doubles per retry.
    pub retry_base_delay: Duration,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            max_retries: 3,
            max_retry_wait: Duration::from_secs(30),
            retry_base_delay: Duration::from_millis(500),
        }
    }
}

/// A provider failure that retrying can't fix, kept as the source of a `Backend` error.
#[derive(Debug, thiserror::Error)]
#[error("the speech provider {provider} answered HTTP {status}: {message}")]
pub(crate) struct ProviderError {
    pub(crate) provider: &'static str,
    pub(crate) status: u16,
    pub(crate) message: String,
}

fn retry_hint(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0).map(Duration::from_secs_f64)
}

/// The provider's error message from a JSON body (`error.message`, `err_msg`, `message`), or
/// the start of the body.
fn provider_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let found = parsed.as_ref().and_then(|v| {
        v.pointer("/error/message")
            .or_else(|| v.get("err_msg"))
            .or_else(|| v.get("message"))
            .or_else(|| v.get("error"))
            .and_then(|m| m.as_str())
            .map(str::to_string)
    });
    found.unwrap_or_else(|| body.chars().take(300).collect())
}

/// Sends the request `build` makes (called again for each attempt) and returns the 2xx body.
pub(crate) async fn send(
    provider: &'static str,
    policy: &HttpPolicy,
    build: impl Fn() -> Result<RequestBuilder>,
) -> Result<Vec<u8>> {
    let mut attempt = 0u32;
    loop {
        let outcome = tokio::time::timeout(policy.timeout, async {
            let response = build()?.send().await;
            let response = match response {
                Ok(r) => r,
                Err(e) => return Ok(Err((None, false, format!("could not reach {provider}: {}", e.without_url())))),
            };
            let status = response.status();
            let hint = retry_hint(response.headers());
            let body = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            if status.is_success() {
                return Ok(Ok(body));
            }
            let message = provider_message(&String::from_utf8_lossy(&body));
            match status {
                StatusCode::TOO_MANY_REQUESTS => Ok(Err((hint, true, format!("{provider} rate limit: {message}")))),
                StatusCode::REQUEST_TIMEOUT => Ok(Err((hint, false, format!("{provider} timed out: {message}")))),
                s if s.is_server_error() => {
                    Ok(Err((hint, false, format!("{provider} is unavailable (HTTP {}): {message}", s.as_u16()))))
                }
                s => Err(Error::backend(ProviderError { provider, status: s.as_u16(), message })),
            }
        })
        .await;
        let (hint, rate_limited, message) = match outcome {
            Err(_) => {
                return Err(Error::new(
                    ErrorKind::Unavailable,
                    format!("{provider} did not answer within {} s", policy.timeout.as_secs()),
                ))
            }
            Ok(Err(e)) => return Err(e),
            Ok(Ok(Ok(body))) => return Ok(body),
            Ok(Ok(Err(failure))) => failure,
        };
        let backoff = policy.retry_base_delay.saturating_mul(2u32.saturating_pow(attempt));
        let jitter = Duration::from_millis(rand::thread_rng().gen_range(0..=50));
        let wait = hint.unwrap_or(backoff + jitter);
        if attempt >= policy.max_retries || wait > policy.max_retry_wait {
            return Err(if rate_limited {
                Error::rate_limited(wait.as_secs_f64().ceil().max(1.0) as u64)
            } else {
                Error::new(ErrorKind::Unavailable, message)
            });
        }
        tracing::warn!(provider, attempt, wait_ms = wait.as_millis() as u64, %message, "retrying ASR request");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// Encodes 16 kHz mono samples as a WAV upload.
pub(crate) fn wav_upload(samples: &[f32]) -> Vec<u8> {
    crate::speech::decode::encode_wav_pcm16(crate::speech::TARGET_RATE, &[samples.to_vec()])
}

pub(crate) fn client(policy: &HttpPolicy, provider: &'static str) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(policy.timeout.min(Duration::from_secs(30)))
        .build()
        .map_err(|e| Error::new(ErrorKind::Backend, format!("cannot set up the HTTP client for {provider}: {e}")))
}
