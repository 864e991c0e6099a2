use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::ids::{validate_id, CompanyId};
use super::page::{PageRequest, SortOrder};
use super::transcript::{validate_segments, SegmentInput};
use crate::error::{Error, Result};

/// Where a call is in its life: created, live, being processed, done or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    /// Created, not yet processed.
    Pending,
    /// The phone call is still going on (CallRail `call.started`).
    InProgress,
    /// Audio or transcript is being processed.
    Processing,
    /// Processing finished.
    Completed,
    /// Processing failed; `failure_reason` says why.
    Failed,
}

impl CallStatus {
    /// Wire and storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Pending => "pending",
            CallStatus::InProgress => "in_progress",
            CallStatus::Processing => "processing",
            CallStatus::Completed => "completed",
            CallStatus::Failed => "failed",
        }
    }
    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => CallStatus::Pending,
            "in_progress" => CallStatus::InProgress,
            "processing" => CallStatus::Processing,
            "completed" => CallStatus::Completed,
            "failed" => CallStatus::Failed,
            other => return Err(Error::invalid("status", format!("unknown call status `{other}`"))),
        })
    }
}

/// What kind of conversation a call is; analysis weighs stages and outcomes by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallType {
    /// A customer calls in; a CSR qualifies and books.
    CsrInbound,
    /// A sales rep's appointment with the customer.
    SalesAppointment,
    /// An outbound call to an earlier lost lead.
    OutboundRehash,
}

impl CallType {
    /// Wire and storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CallType::CsrInbound => "csr_inbound",
            CallType::SalesAppointment => "sales_appointment",
            CallType::OutboundRehash => "outbound_rehash",
        }
    }
    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "csr_inbound" => CallType::CsrInbound,
            "sales_appointment" => CallType::SalesAppointment,
            "outbound_rehash" => CallType::OutboundRehash,
            other => return Err(Error::invalid("call_type", format!("unknown call type `{other}`"))),
        })
    }
}

/// State of one processing stage (fetch, transcription, diarization, analysis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageState {
    /// Not started.
    Pending,
    /// Running.
    Processing,
    /// Done.
    Completed,
    /// Failed; the call's `failure_reason` says why.
    Failed,
    /// Not needed for this call (e.g. transcription of a submitted transcript).
    Skipped,
}

/// A recorded sales or service call of one company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Call {
    /// Caller-chosen or generated id, unique within the company.
    pub call_id: String,
    /// Tenant.
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    /// The rep (user id) who handled the call, if known.
    pub rep_id: Option<String>,
    /// Lifecycle status.
    pub status: CallStatus,
    /// Status of the processing pipeline (fetch, transcription, analysis).
    pub processing_status: CallStatus,
    /// Where the recording came from.
    pub audio_url: Option<String>,
    /// Customer's phone number.
    pub caller_phone: Option<String>,
    /// Rep's phone number.
    pub rep_phone: Option<String>,
    /// Length in seconds, when known.
    pub duration: Option<i64>,
    /// CallRail's id for the call.
    pub callrail_id: Option<String>,
    /// Kind of conversation.
    pub call_type: Option<CallType>,
    /// When the call started (UTC).
    pub started_at: Option<DateTime<Utc>>,
    /// UTC offset the start time was given in, in minutes (spoken times resolve against it when
    /// no `timezone` is known).
    pub utc_offset_minutes: Option<i32>,
    /// IANA time zone the call took place in.
    pub timezone: Option<String>,
    /// For stereo recordings: the channel carrying the rep (0 = left, 1 = right).
    pub rep_channel: Option<u8>,
    /// Blob path of the stored recording.
    pub audio_file_path: Option<String>,
    /// Blob path of the stored transcript.
    pub transcript_file_path: Option<String>,
    /// Blob path of the stored speaker diarization.
    pub speaker_diarization_file_path: Option<String>,
    /// Why processing failed, when it did.
    pub failure_reason: Option<String>,
    /// Spoken language (BCP 47), when known.
    pub language: Option<String>,
    /// State of each processing stage, by stage name.
    pub processing_stages: BTreeMap<String, StageState>,
    /// Processing progress, 0 to 100.
    pub progress: u8,
    /// Free-form metadata (source, campaign, notes, tags...).
    #[schema(value_type = Object)]
    pub metadata: Map<String, Value>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Body of `POST /api/v1/calls`: a call to record (and, with `audio_url`, to process).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "call_id": "call_12345",
    "audio_url": "https://recordings.example.com/call_12345.wav",
    "caller_phone": "+15551234567",
    "rep_phone": "+15557654321",
    "duration": 300,
    "rep_id": "rep_1",
    "metadata": {"source": "callrail", "campaign": "summer_sale"}
}))]
pub struct NewCall {
    /// Must equal the caller's company when given.
    pub company_id: Option<String>,
    /// Id to use; generated when absent. Letters, digits, `_ - . :`, at most 128.
    #[schema(min_length = 1, max_length = 128, pattern = r"^[A-Za-z0-9_\-:][A-Za-z0-9_.\-:]*$")]
    pub call_id: Option<String>,
    /// Recording location (http, https, s3 or file URL).
    #[schema(max_length = 2048, pattern = r"^(https?|s3|file)://\S+$")]
    pub audio_url: Option<String>,
    /// Customer's phone number: 7 to 15 digits, optionally with `+ - ( ) .` and spaces.
    #[schema(min_length = 7, max_length = 32, pattern = r"^\+?[0-9][0-9 ().-]{6,30}$")]
    pub caller_phone: Option<String>,
    /// Rep's phone number.
    #[schema(min_length = 7, max_length = 32, pattern = r"^\+?[0-9][0-9 ().-]{6,30}$")]
    pub rep_phone: Option<String>,
    /// Length in seconds (0..=86400).
    #[schema(minimum = 0, maximum = 86400)]
    pub duration: Option<i64>,
    /// CallRail's id for the call.
    #[schema(min_length = 1, max_length = 128, pattern = r"^[A-Za-z0-9_\-:][A-Za-z0-9_.\-:]*$")]
    pub callrail_id: Option<String>,
    /// The rep who handled the call. CSRs and sales reps may only name themselves; when
    /// absent it defaults to them.
    #[schema(min_length = 1, max_length = 128, pattern = r"^[A-Za-z0-9_\-:][A-Za-z0-9_.\-:]*$")]
    pub rep_id: Option<String>,
    /// Kind of conversation.
    pub call_type: Option<CallType>,
    /// When the call started, RFC 3339 with offset.
    pub started_at: Option<DateTime<FixedOffset>>,
    /// IANA time zone name, e.g. `America/Chicago`.
    #[schema(max_length = 64, pattern = r"^(UTC|[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)+)$")]
    pub timezone: Option<String>,
    /// Stereo channel carrying the rep: 0 (left) or 1 (right).
    #[schema(minimum = 0, maximum = 1)]
    pub rep_channel: Option<u8>,
    /// Free-form metadata object.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Map<String, Value>>,
    /// A ready transcript (from a VOIP or CRM system): the call skips speech recognition and
    /// goes straight to analysis.
    #[schema(max_items = 5000)]
    pub segments: Option<Vec<SegmentInput>>,
    /// Spoken language (BCP 47, e.g. `en-US`); default `en-US`.
    #[schema(max_length = 35, pattern = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    pub language: Option<String>,
}

/// Body of `PUT /api/v1/calls/{call_id}`. Absent fields stay as they are; `metadata` is merged
/// key by key, and a key set to `null` is removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "processing", "metadata": {"notes": "High priority lead", "tags": ["qualified"]}}))]
pub struct CallUpdate {
    /// New lifecycle status.
    pub status: Option<CallStatus>,
    /// Reassign the call to a rep (managers and admins).
    #[schema(min_length = 1, max_length = 128, pattern = r"^[A-Za-z0-9_\-:][A-Za-z0-9_.\-:]*$")]
    pub rep_id: Option<String>,
    /// Kind of conversation.
    pub call_type: Option<CallType>,
    /// Metadata keys to set (or remove with `null`).
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Map<String, Value>>,
}

/// How to sort a call listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallSort {
    /// Creation time (default).
    #[default]
    CreatedAt,
    /// Last change.
    UpdatedAt,
    /// Call start time.
    StartedAt,
    /// Duration.
    Duration,
}

impl CallSort {
    /// Column name.
    pub fn column(self) -> &'static str {
        match self {
            CallSort::CreatedAt => "created_at",
            CallSort::UpdatedAt => "updated_at",
            CallSort::StartedAt => "started_at",
            CallSort::Duration => "duration",
        }
    }
}

/// Filters for listing a company's calls. `rep_id` narrows to one rep; services force it to
/// the caller for CSRs and sales reps, so the scope is applied inside the query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallFilter {
    /// Only this rep's calls.
    pub rep_id: Option<String>,
    /// Only calls in this status.
    pub status: Option<CallStatus>,
    /// Only calls of this type.
    pub call_type: Option<CallType>,
    /// Only the call with this CallRail id.
    pub callrail_id: Option<String>,
    /// Only calls from this customer phone number (exact match).
    pub caller_phone: Option<String>,
    /// Created at or after.
    pub created_after: Option<DateTime<Utc>>,
    /// Created before.
    pub created_before: Option<DateTime<Utc>>,
    /// Started at or after (calls without a start time count by creation time).
    pub started_after: Option<DateTime<Utc>>,
    /// Started before (same fallback).
    pub started_before: Option<DateTime<Utc>>,
    /// Sort key.
    pub sort: CallSort,
    /// Sort direction (default newest first is `desc`; the API default is `desc`).
    pub order: SortOrder,
    /// Page.
    pub page: PageRequest,
}

fn validate_phone(field: &str, phone: &str) -> Result<()> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '.'));
    if !allowed || !(7..=15).contains(&digits) || phone.len() > 32 {
        return Err(Error::invalid(
            field,
            format!("`{phone}` is not a phone number (7 to 15 digits, e.g. +15551234567)"),
        ));
    }
    Ok(())
}

/// Checks an IANA time zone name against the tz database.
pub(crate) fn validate_timezone(tz: &str) -> Result<()> {
    if tz.parse::<chrono_tz::Tz>().is_ok() {
        Ok(())
    } else {
        Err(Error::invalid("timezone", format!("`{tz}` is not an IANA time zone name such as America/Chicago")))
    }
}

fn validate_audio_url(url: &str) -> Result<()> {
    let scheme_ok = ["http://", "https://", "s3://", "file://"].iter().any(|s| url.starts_with(s));
    if !scheme_ok || url.len() > 2048 || url.chars().any(char::is_whitespace) {
        return Err(Error::invalid(
            "audio_url",
            "must be an http(s), s3 or file URL without spaces, at most 2048 characters",
        ));
    }
    Ok(())
}

fn validate_metadata(meta: &Map<String, Value>) -> Result<()> {
    if meta.len() > 200 {
        return Err(Error::invalid("metadata", "at most 200 keys"));
    }
    if let Some(k) = meta.keys().find(|k| k.is_empty() || k.len() > 128) {
        return Err(Error::invalid("metadata", format!("key `{k}` must be 1 to 128 characters")));
    }
    Ok(())
}

impl Call {
    /// The start time in the call's local time: its IANA `timezone` when known (DST-aware), else
    /// the offset it was submitted with, else UTC.
    pub fn local_started_at(&self) -> Option<DateTime<FixedOffset>> {
        let start = self.started_at?;
        if let Some(tz) = self.timezone.as_deref().and_then(|t| t.parse::<chrono_tz::Tz>().ok()) {
            return Some(start.with_timezone(&tz).fixed_offset());
        }
        let offset = self
            .utc_offset_minutes
            .and_then(|m| FixedOffset::east_opt(m * 60))
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero is a valid offset"));
        Some(start.with_timezone(&offset))
    }
}

impl NewCall {
    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<()> {
        if let Some(id) = &self.call_id {
            validate_id("call_id", id)?;
        }
        if let Some(url) = &self.audio_url {
            validate_audio_url(url)?;
        }
        if let Some(p) = &self.caller_phone {
            validate_phone("caller_phone", p)?;
        }
        if let Some(p) = &self.rep_phone {
            validate_phone("rep_phone", p)?;
        }
        if let Some(d) = self.duration {
            if !(0..=86_400).contains(&d) {
                return Err(Error::invalid("duration", format!("must be 0..=86400 seconds, got {d}")));
            }
        }
        if let Some(id) = &self.callrail_id {
            validate_id("callrail_id", id)?;
        }
        if let Some(id) = &self.rep_id {
            validate_id("rep_id", id)?;
        }
        if let Some(tz) = &self.timezone {
            validate_timezone(tz)?;
        }
        if let Some(ch) = self.rep_channel {
            if ch > 1 {
                return Err(Error::invalid("rep_channel", format!("must be 0 (left) or 1 (right), got {ch}")));
            }
        }
        if let Some(m) = &self.metadata {
            validate_metadata(m)?;
        }
        if let Some(segments) = &self.segments {
            validate_segments(segments)?;
        }
        if let Some(lang) = &self.language {
            let ok = lang.len() <= 35
                && lang.split('-').enumerate().all(|(i, part)| {
                    let len_ok = if i == 0 { (2..=3).contains(&part.len()) } else { (2..=8).contains(&part.len()) };
                    len_ok && part.chars().all(|c| c.is_ascii_alphanumeric())
                });
            if !ok {
                return Err(Error::invalid("language", format!("`{lang}` is not a language tag such as en-US")));
            }
        }
        Ok(())
    }
}

impl CallUpdate {
    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<()> {
        if let Some(id) = &self.rep_id {
            validate_id("rep_id", id)?;
        }
        if let Some(m) = &self.metadata {
            validate_metadata(m)?;
        }
        if self.status.is_none() && self.rep_id.is_none() && self.call_type.is_none() && self.metadata.is_none() {
            return Err(Error::invalid("body", "nothing to update: give status, rep_id, call_type or metadata"));
        }
        Ok(())
    }

    /// Applies the update to `call` (metadata merged key by key; `null` removes a key).
    pub fn apply(&self, call: &mut Call, now: DateTime<Utc>) {
        if let Some(s) = self.status {
            call.status = s;
        }
        if let Some(r) = &self.rep_id {
            call.rep_id = Some(r.clone());
        }
        if let Some(t) = self.call_type {
            call.call_type = Some(t);
        }
        if let Some(meta) = &self.metadata {
            for (k, v) in meta {
                if v.is_null() {
                    call.metadata.remove(k);
                } else {
                    call.metadata.insert(k.clone(), v.clone());
                }
            }
        }
        call.updated_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_new_call_validation_names_the_field() {
        let bad = NewCall { caller_phone: Some("call me maybe".into()), ..Default::default() };
        assert!(bad.validate().unwrap_err().message().starts_with("caller_phone:"));
        let bad = NewCall { audio_url: Some("ftp://x".into()), ..Default::default() };
        assert!(bad.validate().unwrap_err().message().starts_with("audio_url:"));
        let bad = NewCall { rep_channel: Some(2), ..Default::default() };
        assert!(bad.validate().unwrap_err().message().starts_with("rep_channel:"));
        let ok = NewCall {
            call_id: Some("call_1".into()),
            caller_phone: Some("+1 (555) 123-4567".into()),
            timezone: Some("America/Chicago".into()),
            ..Default::default()
        };
        ok.validate().unwrap();
    }

    #[test]
    fn test_update_merges_metadata_and_null_removes() {
        let now = Utc::now();
        let mut call = Call {
            call_id: "c".into(),
            company_id: CompanyId::parse("co").unwrap(),
            rep_id: None,
            status: CallStatus::Pending,
            processing_status: CallStatus::Pending,
            audio_url: None,
            caller_phone: None,
            rep_phone: None,
            duration: None,
            callrail_id: None,
            call_type: None,
            started_at: None,
            utc_offset_minutes: None,
            timezone: None,
            rep_channel: None,
            audio_file_path: None,
            transcript_file_path: None,
            speaker_diarization_file_path: None,
            failure_reason: None,
            language: None,
            processing_stages: BTreeMap::new(),
            progress: 0,
            metadata: serde_json::json!({"a": 1, "b": 2}).as_object().unwrap().clone(),
            created_at: now,
            updated_at: now,
        };
        let upd: CallUpdate = serde_json::from_value(serde_json::json!({"metadata": {"a": null, "c": 3}})).unwrap();
        upd.apply(&mut call, now);
        assert_eq!(serde_json::Value::Object(call.metadata), serde_json::json!({"b": 2, "c": 3}));
        assert!(CallUpdate::default().validate().is_err());
    }
}
