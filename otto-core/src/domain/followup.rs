//! Follow-up drafts and tasks (API 10.x): what a rep sends or does after a call.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::ids::{validate_id, CompanyId};
use super::page::{PageRequest, SortOrder};
use crate::error::{Error, Result};

/// What a draft is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowupKind {
    /// A thank-you and recap after any call (`POST /ai/followup/draft`).
    #[default]
    General,
    /// A CSR keeping an inbound lead warm until (or after) it books (`/ai/followup/nurture`).
    Nurture,
    /// A sales rep re-engaging a lead that did not close (`/ai/followup/rehash`).
    Rehash,
}

impl FollowupKind {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FollowupKind::General => "general",
            FollowupKind::Nurture => "nurture",
            FollowupKind::Rehash => "rehash",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "general" => FollowupKind::General,
            "nurture" => FollowupKind::Nurture,
            "rehash" => FollowupKind::Rehash,
            _ => return None,
        })
    }
}

/// How a draft is delivered (the spec's `channel` and `content_type`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowupChannel {
    /// An email with a subject line.
    #[default]
    Email,
    /// A text message, kept under two SMS segments.
    Sms,
    /// Talking points for a phone call.
    CallScript,
}

impl FollowupChannel {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FollowupChannel::Email => "email",
            FollowupChannel::Sms => "sms",
            FollowupChannel::CallScript => "call_script",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "email" => FollowupChannel::Email,
            "sms" => FollowupChannel::Sms,
            "call_script" => FollowupChannel::CallScript,
            _ => return None,
        })
    }
}

/// Voice of a draft.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowupTone {
    /// Courteous and complete.
    #[default]
    Professional,
    /// Warm and personal.
    Friendly,
    /// Short and informal.
    Casual,
}

impl FollowupTone {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FollowupTone::Professional => "professional",
            FollowupTone::Friendly => "friendly",
            FollowupTone::Casual => "casual",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "professional" => FollowupTone::Professional,
            "friendly" => FollowupTone::Friendly,
            "casual" => FollowupTone::Casual,
            _ => return None,
        })
    }
}

/// Lifecycle of a draft: `draft -> ready -> sent`, with `cancelled` reachable until it is sent.
/// A ready draft may go back to `draft` for more edits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DraftStatus {
    /// Generated, being reviewed or edited.
    #[default]
    Draft,
    /// Reviewed and approved to send.
    Ready,
    /// Delivered (final).
    Sent,
    /// Dropped (final).
    Cancelled,
}

impl DraftStatus {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Draft => "draft",
            DraftStatus::Ready => "ready",
            DraftStatus::Sent => "sent",
            DraftStatus::Cancelled => "cancelled",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => DraftStatus::Draft,
            "ready" => DraftStatus::Ready,
            "sent" => DraftStatus::Sent,
            "cancelled" => DraftStatus::Cancelled,
            _ => return None,
        })
    }
    /// Whether `self -> to` is a legal step. Sending needs review first (`ready`), and sent or
    /// cancelled drafts are final so history stays truthful.
    pub fn can_become(self, to: DraftStatus) -> bool {
        use DraftStatus::*;
        matches!((self, to), (Draft, Ready | Cancelled) | (Ready, Sent | Cancelled | Draft))
    }
    /// Whether the content may still change.
    pub fn editable(self) -> bool {
        matches!(self, DraftStatus::Draft | DraftStatus::Ready)
    }
}

/// A generated follow-up, stored so the rep can review, approve and send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FollowupDraft {
    /// Id.
    pub draft_id: String,
    /// Tenant.
    #[serde(skip)]
    pub company_id: Option<CompanyId>,
    /// The call it follows up.
    pub call_id: String,
    /// The rep who owns it: the call's rep, else whoever generated it.
    pub rep_id: String,
    /// general, nurture or rehash.
    pub followup_type: FollowupKind,
    /// email, sms or call_script (the spec names it `channel` when generating).
    pub channel: FollowupChannel,
    /// Same as `channel` (the spec names it `content_type` when listing).
    pub content_type: FollowupChannel,
    /// Voice used.
    pub tone: FollowupTone,
    /// Email subject (also the first line of `content`); none for SMS and call scripts.
    pub subject: Option<String>,
    /// The text to send or say.
    pub content: String,
    /// Why the draft is written the way it is (the spec's nurture `strategy`).
    pub strategy: String,
    /// The re-engagement angle, for rehash drafts (the spec's `approach`).
    pub approach: Option<String>,
    /// Lifecycle state.
    pub status: DraftStatus,
    /// When to send: derived from the call time, its time zone and business hours.
    pub suggested_send_time: DateTime<Utc>,
    /// The facts from the call analysis the draft was built from (customer, objections, next
    /// step, appointment, rehash score), so a reviewer can check it.
    #[schema(value_type = Object)]
    pub details: Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Customer details a caller may supply (the spec's nurture `customer_info`); they override
/// what the call and CRM say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomerInfo {
    /// Full name.
    pub name: Option<String>,
    /// Customer's company, for commercial accounts.
    pub company: Option<String>,
    /// Customer's industry.
    pub industry: Option<String>,
}

/// Body of `POST /api/v1/ai/followup/{draft,nurture,rehash}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FollowupRequest {
    /// The analysed call to follow up.
    pub call_id: String,
    /// general (default on `/draft`), nurture or rehash. Ignored by `/nurture` and `/rehash`.
    pub followup_type: Option<FollowupKind>,
    /// professional (default), friendly or casual.
    pub tone: Option<FollowupTone>,
    /// email (default), sms or call_script.
    pub channel: Option<FollowupChannel>,
    /// Overrides the customer's name and company.
    pub customer_info: Option<CustomerInfo>,
    /// Overrides the analysed rehash score (1-5) when choosing the approach and send time.
    #[schema(minimum = 1, maximum = 5)]
    pub rehash_score: Option<u8>,
}

impl FollowupRequest {
    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<()> {
        validate_id("call_id", &self.call_id)?;
        if let Some(s) = self.rehash_score {
            if !(1..=5).contains(&s) {
                return Err(Error::invalid("rehash_score", format!("must be 1 to 5, got {s}")));
            }
        }
        if let Some(info) = &self.customer_info {
            for (field, v) in [("customer_info.name", &info.name), ("customer_info.company", &info.company)] {
                if v.as_ref().is_some_and(|v| v.trim().is_empty() || v.len() > 200) {
                    return Err(Error::invalid(field, "must be 1 to 200 characters"));
                }
            }
        }
        Ok(())
    }
}

/// Body of `PATCH /api/v1/followup/drafts/{draft_id}`: a lifecycle step and/or edited content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DraftUpdate {
    /// The next state; illegal steps are 409.
    pub status: Option<DraftStatus>,
    /// Edited text (only while draft or ready).
    pub content: Option<String>,
}

impl DraftUpdate {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        if self.status.is_none() && self.content.is_none() {
            return Err(Error::invalid("status", "give a status or content to change"));
        }
        if let Some(c) = &self.content {
            if c.trim().is_empty() || c.len() > 20_000 {
                return Err(Error::invalid("content", "must be 1 to 20000 characters"));
            }
        }
        Ok(())
    }
}

/// Sort keys of the draft listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DraftSort {
    /// Creation time (default).
    #[default]
    CreatedAt,
    /// Call id.
    CallId,
    /// Content type (channel).
    ContentType,
}

/// Filters of the draft listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftFilter {
    /// Only this rep's drafts.
    pub rep_id: Option<String>,
    /// Only this call's.
    pub call_id: Option<String>,
    /// Only this channel.
    pub content_type: Option<FollowupChannel>,
    /// Only in this state.
    pub status: Option<DraftStatus>,
    /// Sort key.
    pub sort: DraftSort,
    /// Direction.
    pub order: SortOrder,
    /// Page.
    pub page: PageRequest,
}

/// A page of drafts (10.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DraftList {
    /// The rep asked for.
    pub rep_id: String,
    /// This page.
    pub drafts: Vec<FollowupDraft>,
    /// Matching drafts across pages.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u64,
    /// More pages follow.
    pub has_more: bool,
}

/// Kind of follow-up task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskType {
    /// Phone the customer.
    Call,
    /// Send an email.
    Email,
    /// Send a text.
    Sms,
    /// An on-site visit or appointment.
    Visit,
    /// Anything else.
    Other,
}

impl TaskType {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskType::Call => "call",
            TaskType::Email => "email",
            TaskType::Sms => "sms",
            TaskType::Visit => "visit",
            TaskType::Other => "other",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "call" => TaskType::Call,
            "email" => TaskType::Email,
            "sms" => TaskType::Sms,
            "visit" => TaskType::Visit,
            "other" => TaskType::Other,
            _ => return None,
        })
    }
}

/// Priority of a task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskPriority {
    /// Whenever convenient.
    Low,
    /// Soon (default).
    #[default]
    Medium,
    /// First thing.
    High,
}

impl TaskPriority {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskPriority::Low => "low",
            TaskPriority::Medium => "medium",
            TaskPriority::High => "high",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "low" => TaskPriority::Low,
            "medium" => TaskPriority::Medium,
            "high" => TaskPriority::High,
            _ => return None,
        })
    }
}

/// State of a task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// To do.
    #[default]
    Pending,
    /// Done.
    Completed,
    /// Dropped.
    Cancelled,
}

impl TaskStatus {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Pending => "pending",
            TaskStatus::Completed => "completed",
            TaskStatus::Cancelled => "cancelled",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => TaskStatus::Pending,
            "completed" => TaskStatus::Completed,
            "cancelled" => TaskStatus::Cancelled,
            _ => return None,
        })
    }
}

/// A follow-up task on a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FollowupTask {
    /// Id.
    pub task_id: String,
    /// Tenant.
    #[serde(skip)]
    pub company_id: Option<CompanyId>,
    /// The call.
    pub call_id: String,
    /// Whose task it is (the call's rep).
    pub rep_id: Option<String>,
    /// call, email, sms, visit or other.
    pub task_type: TaskType,
    /// What to do.
    pub description: String,
    /// low, medium or high.
    pub priority: TaskPriority,
    /// pending, completed or cancelled.
    pub status: TaskStatus,
    /// When it is due.
    pub due_date: Option<DateTime<Utc>>,
    /// `manual`, or `analysis` for tasks made from the call's analysed next steps.
    pub source: String,
    /// For analysis tasks, which finding it came from; re-analysing never duplicates a task.
    #[serde(skip)]
    pub source_key: Option<String>,
    /// Who created it (`system` for analysis tasks).
    pub created_by: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Body of `POST /api/v1/calls/{call_id}/follow-up-tasks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewFollowupTask {
    /// call, email, sms, visit or other.
    pub task_type: TaskType,
    /// What to do, 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    /// low, medium (default) or high.
    pub priority: Option<TaskPriority>,
    /// When it is due (RFC 3339).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_date: Option<DateTime<FixedOffset>>,
}

impl NewFollowupTask {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        let d = self.description.trim();
        if d.is_empty() || d.chars().count() > 2000 {
            return Err(Error::invalid("description", "must be 1 to 2000 characters"));
        }
        Ok(())
    }
}

/// Tasks of a call (10.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskList {
    /// The call.
    pub call_id: String,
    /// Its tasks, by due date (undated last), then creation.
    pub tasks: Vec<FollowupTask>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_draft_lifecycle_steps() {
        use DraftStatus::*;
        assert!(Draft.can_become(Ready) && Ready.can_become(Sent) && Ready.can_become(Cancelled));
        assert!(Draft.can_become(Cancelled) && Ready.can_become(Draft));
        assert!(!Draft.can_become(Sent), "sending needs review first");
        for done in [Sent, Cancelled] {
            for to in [Draft, Ready, Sent, Cancelled] {
                assert!(!done.can_become(to), "{done:?} is final");
            }
        }
        for s in [Draft, Ready, Sent, Cancelled] {
            assert_eq!(DraftStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn test_request_validation_names_fields() {
        let r = FollowupRequest { call_id: "c1".into(), rehash_score: Some(9), ..Default::default() };
        assert!(r.validate().unwrap_err().message().starts_with("rehash_score"));
        let t = NewFollowupTask { task_type: TaskType::Call, description: " ".into(), priority: None, due_date: None };
        assert!(t.validate().unwrap_err().message().starts_with("description"));
    }
}
