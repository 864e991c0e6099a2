//! Performance and analytics (12.1-12.4): SQL aggregates over the analysed calls' facts.
//!
//! The metric definitions are in [`crate::domain`]'s performance module docs (and on each
//! response field). Managers and admins read the whole company; CSRs and sales reps get the
//! same documents computed over their own calls only (`analytics:read_own`), with the rep
//! condition inside the SQL.

use crate::auth::Principal;
use crate::domain::{
    DateRange, LeadAnalytics, LeadQuery, ObjectionAnalytics, ObjectionQuery, ObjectionStat, PerformanceMetrics,
    RepAggregate, RepPerformance, RepPerformanceList, RepQuery,
};
use crate::error::{Error, Result};
use crate::Otto;

/// Below this a component of the performance score earns a coaching recommendation.
const WEAK: f64 = 0.5;

fn r3(v: f64) -> f32 {
    ((v * 1000.0).round() / 1000.0) as f32
}

fn rate(part: u64, whole: u64) -> f32 {
    if whole == 0 {
        0.0
    } else {
        r3(part as f64 / whole as f64)
    }
}

fn scope_label(rep: &Option<String>) -> String {
    if rep.is_some() { "own" } else { "company" }.into()
}

/// Up to three concrete recommendations from a rep's aggregates, weakest area first.
fn coaching(r: &RepAggregate) -> Vec<String> {
    let mut out: Vec<(f64, String)> = Vec::new();
    if r.objections_raised > 0 && r.handling_rate < WEAK {
        let open = r.objections_raised - r.objections_handled;
        let most = r.open_objections.first().map(|(t, _)| format!(", most often {t}")).unwrap_or_default();
        out.push((
            r.handling_rate,
            format!("Improve objection handling: {open} of {} objections were left open{most}", r.objections_raised),
        ));
    }
    if r.conversion_rate < WEAK {
        out.push((
            r.conversion_rate,
            format!("Ask for the appointment or the sale: {} of {} calls converted", r.converted, r.calls),
        ));
    }
    if let Some((stage, share)) = r.stage_rates.first().filter(|(_, s)| *s < WEAK) {
        out.push((*share, format!("Follow the SOP stage \"{stage}\": performed on {:.0}% of calls", share * 100.0)));
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out.into_iter().take(3).map(|(_, s)| s).collect()
}

impl Otto {
    fn analytics_range(&self, date_range: Option<&str>) -> Result<DateRange> {
        date_range.map(DateRange::parse).transpose().map(Option::unwrap_or_default)
    }

    /// Company performance metrics (12.1).
    pub async fn performance_metrics(
        &self,
        p: &Principal,
        company_id: &str,
        date_range: Option<&str>,
    ) -> Result<PerformanceMetrics> {
        let rep = self.analytics_scope(p, company_id)?;
        let range = self.analytics_range(date_range)?;
        let t = self.store.performance_totals(p.company_id(), rep.as_deref(), &range).await?;
        Ok(PerformanceMetrics {
            company_id: company_id.to_string(),
            scope: scope_label(&rep),
            date_range: date_range.map(str::to_string),
            total_calls: t.calls,
            conversion_rate: rate(t.appointments_set + t.sold, t.calls),
            average_call_duration: t.avg_duration_seconds.map(|s| r3(s / 60.0)),
            lead_quality_score: t.avg_lead_score.map(r3),
            objection_rate: rate(t.calls_with_objections, t.calls),
            appointments_set: t.appointments_set,
            sold: t.sold,
            qualified_rate: rate(t.qualified, t.calls),
            average_compliance: t.avg_compliance.map(r3),
        })
    }

    /// Per-rep performance (12.2), sorted and paged by the database.
    pub async fn rep_performance(
        &self,
        p: &Principal,
        company_id: &str,
        date_range: Option<&str>,
        query: RepQuery,
    ) -> Result<RepPerformanceList> {
        let rep = self.analytics_scope(p, company_id)?;
        let range = self.analytics_range(date_range)?;
        if let Some(m) = query.min_performance_score {
            if !(0.0..=1.0).contains(&m) {
                return Err(Error::invalid("min_performance_score", format!("must be between 0 and 1, got {m}")));
            }
        }
        let page = self.store.rep_performance(p.company_id(), rep.as_deref(), &range, &query).await?;
        let has_more = page.has_more();
        Ok(RepPerformanceList {
            company_id: company_id.to_string(),
            scope: scope_label(&rep),
            date_range: date_range.map(str::to_string),
            reps: page
                .items
                .iter()
                .map(|r| RepPerformance {
                    rep_id: r.rep_id.clone(),
                    name: None,
                    performance_score: r3(r.performance_score),
                    calls_handled: r.calls,
                    conversion_rate: r3(r.conversion_rate),
                    objection_handling_rate: r3(r.handling_rate),
                    compliance_score: r.compliance.map(r3),
                    average_lead_score: r.avg_lead_score.map(r3),
                    coaching_recommendations: coaching(r),
                })
                .collect(),
            total: page.total,
            limit: page.limit,
            offset: page.offset,
            has_more,
        })
    }

    /// Objection frequency and impact (12.3).
    pub async fn objection_analytics(
        &self,
        p: &Principal,
        company_id: &str,
        date_range: Option<&str>,
        query: ObjectionQuery,
    ) -> Result<ObjectionAnalytics> {
        let rep = self.analytics_scope(p, company_id)?;
        let range = self.analytics_range(date_range)?;
        let (page, all) = self.store.objection_stats(p.company_id(), rep.as_deref(), &range, &query).await?;
        let has_more = page.has_more();
        Ok(ObjectionAnalytics {
            company_id: company_id.to_string(),
            scope: scope_label(&rep),
            date_range: date_range.map(str::to_string),
            objection_frequency: all.iter().map(|o| (o.objection_type.clone(), o.frequency)).collect(),
            objection_impact: all.iter().map(|o| (o.objection_type.clone(), r3(o.impact_score))).collect(),
            top_objections: page
                .items
                .iter()
                .map(|o| ObjectionStat {
                    objection_type: o.objection_type.clone(),
                    frequency: o.frequency,
                    impact_score: r3(o.impact_score),
                    handled_rate: rate(o.handled, o.frequency),
                    conversion_rate: rate(o.converted, o.frequency),
                })
                .collect(),
            total: page.total,
            limit: page.limit,
            offset: page.offset,
            has_more,
        })
    }

    /// Lead quality and sources (12.4), with a sorted page of the leads themselves.
    pub async fn lead_analytics(
        &self,
        p: &Principal,
        company_id: &str,
        date_range: Option<&str>,
        query: LeadQuery,
    ) -> Result<LeadAnalytics> {
        let rep = self.analytics_scope(p, company_id)?;
        let range = self.analytics_range(date_range)?;
        if let Some(s) = &query.source {
            if s.trim().is_empty() || s.len() > 64 {
                return Err(Error::invalid("source_filter", "must be 1 to 64 characters"));
            }
        }
        let agg = self.store.lead_stats(p.company_id(), rep.as_deref(), &range, &query).await?;
        let shown = agg.leads.len() as u64;
        Ok(LeadAnalytics {
            company_id: company_id.to_string(),
            scope: scope_label(&rep),
            date_range: date_range.map(str::to_string),
            lead_quality_distribution: agg.by_quality.into_iter().collect(),
            lead_sources: agg.by_source.into_iter().collect(),
            average_lead_score: agg.avg_score.map(r3),
            leads: agg.leads,
            total: agg.total,
            limit: query.page.limit,
            offset: query.page.offset,
            has_more: query.page.offset + shown < agg.total,
        })
    }
}
