use std::collections::BTreeMap;

use crate::api::{ComplianceAnalytics, RepCompliance};
use crate::auth::{Action, DataScope, Principal};
use crate::domain::DateRange;
use crate::error::Result;
use crate::Otto;

/// A stage counts as an improvement area when a rep performs it less than half the time.
const WEAK_STAGE: f64 = 0.5;

impl Otto {
    /// Who may read analytics for `company_id`, and whose rows: managers and admins the whole
    /// company (`analytics:read`), CSRs and sales reps their own (`analytics:read_own`).
    pub(crate) fn analytics_scope(&self, p: &Principal, company_id: &str) -> Result<Option<String>> {
        p.require_company(company_id)?;
        if p.can("analytics", Action::Read) && p.role().sees_all_company_data() {
            return Ok(None);
        }
        p.require("analytics", Action::ReadOwn)?;
        Ok(match p.data_scope() {
            DataScope::Company => None,
            DataScope::OwnRep(me) => Some(me),
        })
    }

    /// SOP compliance analytics (11.5), SQL aggregates over the analysed calls.
    pub async fn compliance_analytics(
        &self,
        p: &Principal,
        company_id: &str,
        date_range: Option<&str>,
    ) -> Result<ComplianceAnalytics> {
        let rep = self.analytics_scope(p, company_id)?;
        let range = date_range.map(DateRange::parse).transpose()?.unwrap_or_default();
        let agg = self.store.compliance_aggregates(p.company_id(), rep.as_deref(), &range).await?;
        let mut weak: BTreeMap<Option<String>, Vec<(f64, String)>> = BTreeMap::new();
        for (rep_id, stage, rate) in agg.rep_stages {
            if rate < WEAK_STAGE {
                weak.entry(rep_id).or_default().push((rate, stage));
            }
        }
        Ok(ComplianceAnalytics {
            company_id: company_id.to_string(),
            date_range: date_range.map(str::to_string),
            scope: if rep.is_some() { "own" } else { "company" }.into(),
            calls_analyzed: agg.calls,
            overall_compliance: agg.overall.map(round3),
            stage_compliance: agg.stages.into_iter().map(|(name, _, rate)| (name, round3(rate))).collect(),
            rep_performance: agg
                .reps
                .into_iter()
                .map(|(rep_id, calls, score)| {
                    let mut areas = weak.remove(&rep_id).unwrap_or_default();
                    areas.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
                    RepCompliance {
                        rep_id,
                        calls_analyzed: calls,
                        compliance_score: score.map(round3),
                        improvement_areas: areas.into_iter().take(3).map(|(_, s)| s).collect(),
                    }
                })
                .collect(),
        })
    }
}

fn round3(v: f64) -> f32 {
    ((v * 1000.0).round() / 1000.0) as f32
}
