//! Performance and analytics (API 12.x): query parameters, the raw aggregates the store
//! computes in SQL, and the response documents.
//!
//! Every figure is over **analysed calls** (calls with stored analytics facts) whose start time
//! (else creation time) falls in the requested `date_range`. Definitions used throughout:
//!
//! - **converted**: the call's outcome is `appointment_set` or `sold`.
//! - **conversion rate**: converted calls / analysed calls.
//! - **objection rate**: calls where the customer raised at least one objection / analysed calls.
//! - **lead quality score**: mean lead score (0..=1) of the analysed calls.
//! - **handling rate**: objections the rep handled / objections raised (1.0 when none were raised:
//!   nothing was left open).
//! - **performance score** (per rep, 0..=1): `0.5 × conversion rate + 0.25 × handling rate +
//!   0.25 × mean SOP compliance`; without an SOP (no compliance scores) the compliance weight
//!   moves to conversion: `0.75 × conversion rate + 0.25 × handling rate`.
//! - **objection frequency**: calls in which that objection type was raised (once per call).
//! - **objection impact**: share of those calls that did not convert (0 = never cost a
//!   conversion, 1 = every call with it failed to convert).
//! - **lead source**: the call's `metadata.lead_source`, else `metadata.source`, lowercased;
//!   `unknown` when neither is set. Captured when the call is analysed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::page::{PageRequest, SortOrder};

/// Sort keys of rep performance (12.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepSort {
    /// Performance score (default).
    #[default]
    PerformanceScore,
    /// Analysed calls.
    CallsHandled,
    /// Conversion rate.
    ConversionRate,
}

/// Sort keys of objection analytics (12.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionSort {
    /// Calls raising it (default).
    #[default]
    Frequency,
    /// Share of those calls that did not convert.
    ImpactScore,
    /// Type name.
    ObjectionType,
}

/// Sort keys of lead analytics (12.4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeadSort {
    /// Lead score (default).
    #[default]
    QualityScore,
    /// Lead source.
    Source,
    /// When the call happened.
    CreatedAt,
}

/// Lead quality buckets (the lead status of the analysis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeadQuality {
    /// Ready to buy.
    Hot,
    /// Interested.
    Warm,
    /// Unlikely.
    Cold,
}

impl LeadQuality {
    /// Storage spelling (as in `call_facts.lead_status`).
    pub fn as_str(self) -> &'static str {
        match self {
            LeadQuality::Hot => "hot",
            LeadQuality::Warm => "warm",
            LeadQuality::Cold => "cold",
        }
    }
}

/// Rep performance query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepQuery {
    /// Only reps scoring at least this (0..=1).
    pub min_performance_score: Option<f64>,
    /// Sort key.
    pub sort: RepSort,
    /// Direction.
    pub order: SortOrder,
    /// Page.
    pub page: PageRequest,
}

/// Objection analytics query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectionQuery {
    /// Only types raised on at least this many calls.
    pub min_frequency: Option<u64>,
    /// Sort key.
    pub sort: ObjectionSort,
    /// Direction.
    pub order: SortOrder,
    /// Page.
    pub page: PageRequest,
}

/// Lead analytics query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadQuery {
    /// Only leads of this quality.
    pub quality: Option<LeadQuality>,
    /// Only leads from this source (case-insensitive).
    pub source: Option<String>,
    /// Sort key.
    pub sort: LeadSort,
    /// Direction.
    pub order: SortOrder,
    /// Page.
    pub page: PageRequest,
}

/// Company (or own) totals over analysed calls, as counted by the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PerformanceTotals {
    /// Analysed calls.
    pub calls: u64,
    /// Outcome `appointment_set`.
    pub appointments_set: u64,
    /// Outcome `sold`.
    pub sold: u64,
    /// Qualified leads.
    pub qualified: u64,
    /// Calls with at least one objection.
    pub calls_with_objections: u64,
    /// Mean duration in seconds of calls whose duration is known.
    pub avg_duration_seconds: Option<f64>,
    /// Mean lead score.
    pub avg_lead_score: Option<f64>,
    /// Mean SOP compliance of calls checked against an SOP.
    pub avg_compliance: Option<f64>,
}

/// One rep's aggregates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepAggregate {
    /// The rep.
    pub rep_id: String,
    /// Analysed calls.
    pub calls: u64,
    /// Converted calls.
    pub converted: u64,
    /// converted / calls.
    pub conversion_rate: f64,
    /// Objections raised on the rep's calls.
    pub objections_raised: u64,
    /// Of those, handled.
    pub objections_handled: u64,
    /// handled / raised (1.0 when none).
    pub handling_rate: f64,
    /// Mean SOP compliance, if any call was checked.
    pub compliance: Option<f64>,
    /// Mean lead score.
    pub avg_lead_score: Option<f64>,
    /// See the module docs.
    pub performance_score: f64,
    /// Unhandled objections by type, most first.
    pub open_objections: Vec<(String, u64)>,
    /// Share of calls each SOP stage was performed, lowest first.
    pub stage_rates: Vec<(String, f64)>,
}

/// One objection type's aggregates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectionAggregate {
    /// Type.
    pub objection_type: String,
    /// Calls raising it.
    pub frequency: u64,
    /// Calls where the rep handled it.
    pub handled: u64,
    /// Calls raising it that converted.
    pub converted: u64,
    /// Share of calls raising it that did not convert.
    pub impact_score: f64,
}

/// One analysed call seen as a lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LeadRecord {
    /// The call.
    pub call_id: String,
    /// Its rep.
    pub rep_id: Option<String>,
    /// hot, warm or cold.
    pub lead_quality: String,
    /// Lead score 0..=1.
    pub quality_score: f32,
    /// Lead source.
    pub source: String,
    /// Meets basic criteria.
    pub qualified: bool,
    /// How the call ended.
    pub outcome: String,
    /// When the call happened.
    pub created_at: DateTime<Utc>,
}

/// Lead aggregates plus a page of leads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadAggregates {
    /// Leads matching the filters.
    pub total: u64,
    /// Mean lead score.
    pub avg_score: Option<f64>,
    /// Count per lead status.
    pub by_quality: Vec<(String, u64)>,
    /// Count per source.
    pub by_source: Vec<(String, u64)>,
    /// The requested page.
    pub leads: Vec<LeadRecord>,
}

/// Company performance metrics (12.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PerformanceMetrics {
    /// The company.
    pub company_id: String,
    /// `company` for managers and admins, `own` for CSRs and sales reps.
    pub scope: String,
    /// The range applied, as given.
    pub date_range: Option<String>,
    /// Analysed calls.
    pub total_calls: u64,
    /// (appointments set + sold) / analysed calls; 0 without calls.
    pub conversion_rate: f32,
    /// Mean call length in minutes, over calls with a known duration.
    pub average_call_duration: Option<f32>,
    /// Mean lead score 0..=1.
    pub lead_quality_score: Option<f32>,
    /// Calls with at least one objection / analysed calls.
    pub objection_rate: f32,
    /// Calls whose outcome is `appointment_set`.
    pub appointments_set: u64,
    /// Calls whose outcome is `sold`.
    pub sold: u64,
    /// Qualified leads / analysed calls.
    pub qualified_rate: f32,
    /// Mean SOP compliance over calls checked against an SOP.
    pub average_compliance: Option<f32>,
}

/// One rep's performance (12.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RepPerformance {
    /// The rep.
    pub rep_id: String,
    /// Display name, when a directory provides one (none yet: Otto has no user table).
    pub name: Option<String>,
    /// 0..=1, see the metric definitions.
    pub performance_score: f32,
    /// Analysed calls.
    pub calls_handled: u64,
    /// Converted / analysed calls.
    pub conversion_rate: f32,
    /// Objections handled / raised.
    pub objection_handling_rate: f32,
    /// Mean SOP compliance, when the company has an SOP.
    pub compliance_score: Option<f32>,
    /// Mean lead score of the rep's calls.
    pub average_lead_score: Option<f32>,
    /// What to work on, derived from the aggregates (at most three).
    pub coaching_recommendations: Vec<String>,
}

/// Rep performance page (12.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RepPerformanceList {
    /// The company.
    pub company_id: String,
    /// `company` or `own`.
    pub scope: String,
    /// The range applied, as given.
    pub date_range: Option<String>,
    /// This page.
    pub reps: Vec<RepPerformance>,
    /// Reps matching across pages.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u64,
    /// More pages follow.
    pub has_more: bool,
}

/// One objection type (12.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ObjectionStat {
    /// Type.
    pub objection_type: String,
    /// Calls raising it.
    pub frequency: u64,
    /// Share of those calls that did not convert.
    pub impact_score: f32,
    /// Share of those calls where the rep handled it.
    pub handled_rate: f32,
    /// Share of those calls that converted.
    pub conversion_rate: f32,
}

/// Objection analytics (12.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ObjectionAnalytics {
    /// The company.
    pub company_id: String,
    /// `company` or `own`.
    pub scope: String,
    /// The range applied, as given.
    pub date_range: Option<String>,
    /// Calls per type, every type passing `min_frequency`.
    pub objection_frequency: BTreeMap<String, u64>,
    /// Impact per type, every type passing `min_frequency`.
    pub objection_impact: BTreeMap<String, f32>,
    /// The requested page, sorted.
    pub top_objections: Vec<ObjectionStat>,
    /// Types matching across pages.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u64,
    /// More pages follow.
    pub has_more: bool,
}

/// Lead analytics (12.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LeadAnalytics {
    /// The company.
    pub company_id: String,
    /// `company` or `own`.
    pub scope: String,
    /// The range applied, as given.
    pub date_range: Option<String>,
    /// Leads per quality.
    pub lead_quality_distribution: BTreeMap<String, u64>,
    /// Leads per source.
    pub lead_sources: BTreeMap<String, u64>,
    /// Mean lead score (null without leads).
    pub average_lead_score: Option<f32>,
    /// The requested page of leads, sorted.
    pub leads: Vec<LeadRecord>,
    /// Leads matching across pages.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u64,
    /// More pages follow.
    pub has_more: bool,
}

/// The lead source recorded for a call: `metadata.lead_source`, else `metadata.source`,
/// trimmed and lowercased (at most 64 characters); `unknown` when neither is a non-empty string.
pub fn lead_source_of(call: &super::Call) -> String {
    ["lead_source", "source"]
        .iter()
        .filter_map(|k| call.metadata.get(*k).and_then(|v| v.as_str()))
        .map(|s| s.trim().to_lowercase())
        .find(|s| !s.is_empty())
        .map_or_else(|| "unknown".to_string(), |s| s.chars().take(64).collect())
}
