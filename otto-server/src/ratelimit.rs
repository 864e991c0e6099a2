//! Per-category rate limits from the SLA table (requests per minute per caller), answering 429
//! with `Retry-After` and `retry_after`, plus the category's request timeout.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use otto_core::Principal;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// API categories of the design, each with its own limit and timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// `/health` and friends.
    System,
    /// Calls and CRM ingestion.
    Calls,
    /// Document ingestion.
    Documents,
    /// Voice intelligence.
    Voice,
    /// Ask Otto.
    Rag,
    /// Personal AI.
    PersonalAi,
    /// Follow-ups.
    Followup,
    /// SOP management.
    Sop,
    /// Analytics.
    Analytics,
    /// Inbound webhooks.
    Webhooks,
}

/// Requests per minute per caller for each category; 0 disables the limit. Defaults are the
/// SLA table's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimits {
    /// System.
    pub system: u32,
    /// Calls and CRM ingestion.
    pub calls: u32,
    /// Document ingestion.
    pub documents: u32,
    /// Voice intelligence.
    pub voice: u32,
    /// Ask Otto.
    pub rag: u32,
    /// Personal AI.
    pub personal_ai: u32,
    /// Follow-ups.
    pub followup: u32,
    /// SOP management.
    pub sop: u32,
    /// Analytics.
    pub analytics: u32,
    /// Webhooks.
    pub webhooks: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            system: 1000,
            calls: 100,
            documents: 50,
            voice: 20,
            rag: 30,
            personal_ai: 40,
            followup: 100,
            sop: 200,
            analytics: 50,
            webhooks: 500,
        }
    }
}

impl RateLimits {
    fn per_minute(&self, c: Category) -> u32 {
        match c {
            Category::System => self.system,
            Category::Calls => self.calls,
            Category::Documents => self.documents,
            Category::Voice => self.voice,
            Category::Rag => self.rag,
            Category::PersonalAi => self.personal_ai,
            Category::Followup => self.followup,
            Category::Sop => self.sop,
            Category::Analytics => self.analytics,
            Category::Webhooks => self.webhooks,
        }
    }
}

impl Category {
    /// The SLA table's timeout.
    pub fn timeout(self) -> Duration {
        Duration::from_secs(match self {
            Category::System => 5,
            Category::Calls | Category::Followup => 30,
            Category::Documents | Category::Rag | Category::Analytics => 60,
            Category::Voice => 120,
            Category::PersonalAi => 90,
            Category::Sop => 15,
            Category::Webhooks => 10,
        })
    }
}

/// One keyed limiter per category.
pub struct RateLimiter {
    limiters: Vec<(Category, Option<DefaultKeyedRateLimiter<String>>)>,
}

impl RateLimiter {
    /// Limiters for every category from `limits`.
    pub fn new(limits: &RateLimits) -> Self {
        use Category::*;
        let limiters = [System, Calls, Documents, Voice, Rag, PersonalAi, Followup, Sop, Analytics, Webhooks]
            .into_iter()
            .map(|c| {
                let limiter =
                    NonZeroU32::new(limits.per_minute(c)).map(|n| governor::RateLimiter::keyed(Quota::per_minute(n)));
                (c, limiter)
            })
            .collect();
        Self { limiters }
    }

    /// Ok, or the whole seconds until `key` may call `category` again.
    pub fn check(&self, category: Category, key: &str) -> Result<(), u64> {
        let Some((_, Some(limiter))) = self.limiters.iter().find(|(c, _)| *c == category) else {
            return Ok(());
        };
        limiter.check_key(&key.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// Middleware state: the shared limiter and this route group's category.
#[derive(Clone)]
pub struct Limit {
    /// Shared limiter.
    pub limiter: Arc<RateLimiter>,
    /// Category of the routes behind this layer.
    pub category: Category,
}

/// Applies the category's rate limit (keyed by company and user when authenticated, else by
/// client address) and timeout.
pub async fn limit(State(limit): State<Limit>, req: Request, next: Next) -> Response {
    let key = match req.extensions().get::<Principal>() {
        Some(p) => format!("{}/{}", p.company_id(), p.user_id()),
        None => req
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "anonymous".to_string(), |c| c.0.ip().to_string()),
    };
    if let Err(secs) = limit.limiter.check(limit.category, &key) {
        return ApiError::rate_limited(secs.max(1)).into_response();
    }
    let timeout = limit.category.timeout();
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            format!("The request did not finish within {} seconds", timeout.as_secs()),
        )
        .into_response(),
    }
}
