//! Shared state of the HTTP layer.

use std::sync::Arc;

use otto_core::Otto;

use crate::auth::Authenticator;
use crate::ratelimit::RateLimiter;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The engine.
    pub otto: Otto,
    /// Token verification.
    pub auth: Arc<Authenticator>,
    /// Rate limits.
    pub limiter: Arc<RateLimiter>,
    /// Ask Otto WebSocket timing.
    pub ws_timings: crate::routes::rag::WsTimings,
    /// Playback link signing, fetch rules and webhook settings of the speech routes.
    pub speech: Arc<crate::speech::SpeechState>,
}
