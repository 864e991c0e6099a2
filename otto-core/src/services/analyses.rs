use chrono::{DateTime, Utc};

use crate::analysis::{CallAnalysis, StageResult};
use crate::api::{
    CallAnalysisResponse, CoachingResponse, ComplianceRequest, ComplianceResult, LeadClassificationResponse,
    MeetingSegmentsResponse, ObjectionsResponse, RehashScoreResponse, SopAnalysisResponse, SopStageDetected,
};
use crate::auth::{Action, Principal};
use crate::domain::{validate_id, Call, PageRequest, SopStageFilter};
use crate::error::{Error, Result};
use crate::pipeline::{analysis_input, assemble, facts, records};
use crate::Otto;

impl Otto {
    /// A visible call and its stored analysis, or `NotFound` saying the call isn't analysed yet.
    pub async fn call_analysis(&self, p: &Principal, call_id: &str) -> Result<(Call, CallAnalysis)> {
        let call = self.get_call(p, call_id).await?;
        let records = self.store.list_analyses(&call.company_id, &call.call_id).await?;
        match assemble(&records)? {
            Some(a) => Ok((call, a)),
            None => Err(Error::not_found(format!(
                "analysis of call {call_id} (the call is {}{})",
                call.processing_status.as_str(),
                call.failure_reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default()
            ))),
        }
    }

    /// Every analysis in one document.
    pub async fn analysis_response(&self, p: &Principal, call_id: &str) -> Result<CallAnalysisResponse> {
        let (call, analysis) = self.call_analysis(p, call_id).await?;
        Ok(CallAnalysisResponse { call_id: call.call_id, analysis })
    }

    /// Lead classification (7.3).
    pub async fn lead_classification(&self, p: &Principal, call_id: &str) -> Result<LeadClassificationResponse> {
        let (call, a) = self.call_analysis(p, call_id).await?;
        let lead = a.lead;
        Ok(LeadClassificationResponse {
            call_id: call.call_id,
            lead_score: lead.lead_score,
            lead_status: lead.lead_status,
            qualified: lead.qualified,
            bant: lead.bant,
            qualification_reasons: lead.qualification_reasons.iter().map(|r| r.text.clone()).collect(),
            confidence_score: lead.confidence,
            reasons: lead.qualification_reasons,
            engine: a.engine,
        })
    }

    /// Objections (7.4).
    pub async fn objections(&self, p: &Principal, call_id: &str) -> Result<ObjectionsResponse> {
        let (call, a) = self.call_analysis(p, call_id).await?;
        Ok(ObjectionsResponse { call_id: call.call_id, objections: a.objections })
    }

    /// SOP analysis (7.5).
    pub async fn sop_analysis(&self, p: &Principal, call_id: &str) -> Result<SopAnalysisResponse> {
        let (call, a) = self.call_analysis(p, call_id).await?;
        let sop = a.sop;
        Ok(SopAnalysisResponse {
            stages_detected: detected(&call, &sop.stages),
            gaps: sop.gaps.iter().map(|g| g.recommendation.clone()).collect(),
            gap_details: sop.gaps,
            compliance_score: sop.compliance_score,
            call_id: call.call_id,
        })
    }

    /// Coaching (7.6): improvements by priority, then strengths.
    pub async fn coaching(&self, p: &Principal, call_id: &str) -> Result<CoachingResponse> {
        let (call, a) = self.call_analysis(p, call_id).await?;
        let mut feedback = a.coaching.improvements;
        feedback.extend(a.coaching.strengths);
        Ok(CoachingResponse { call_id: call.call_id, feedback })
    }

    /// Meeting segmentation (7.7).
    pub async fn meeting_segments(&self, p: &Principal, call_id: &str) -> Result<MeetingSegmentsResponse> {
        let (call, a) = self.call_analysis(p, call_id).await?;
        Ok(MeetingSegmentsResponse { call_id: call.call_id, segments: a.phases })
    }

    /// Rehash score (7.8).
    pub async fn rehash_score(&self, p: &Principal, call_id: &str) -> Result<RehashScoreResponse> {
        let (call, a) = self.call_analysis(p, call_id).await?;
        Ok(RehashScoreResponse {
            call_id: call.call_id,
            rehash_score: a.rehash.rehash_score,
            confidence: a.rehash.confidence,
            reasons: a.rehash.reasons.iter().map(|r| r.text.clone()).collect(),
            reason_details: a.rehash.reasons,
            outcome: a.outcome,
        })
    }

    /// Checks a call against the company's current SOP now (11.6) and stores the result as the
    /// call's SOP analysis.
    pub async fn analyze_compliance(&self, p: &Principal, req: ComplianceRequest) -> Result<ComplianceResult> {
        p.require("sop", Action::Read)?;
        validate_id("call_id", &req.call_id)?;
        let call = self.get_call(p, &req.call_id).await?;
        let sop_id = self.store.ensure_sop(p.company_id(), self.clock.now()).await?;
        if let Some(given) = &req.sop_id {
            if *given != sop_id {
                return Err(Error::not_found(format!("SOP {given}")));
            }
        }
        let transcript = self.stored_transcript(&call).await?;
        let filter =
            SopStageFilter { is_active: Some(true), page: PageRequest { limit: 100, offset: 0 }, ..Default::default() };
        let stages = self.store.list_sop_stages(&call.company_id, &filter).await?.items;
        if stages.is_empty() {
            return Err(Error::invalid(
                "sop_id",
                "the company has no active SOP stages; add some with POST /api/v1/sop/stages",
            ));
        }
        let specs = stages
            .into_iter()
            .map(|s| crate::analysis::StageSpec {
                name: s.stage_name,
                description: s.stage_description.unwrap_or_default(),
                order: u32::try_from(s.stage_order).unwrap_or(0),
            })
            .collect();
        let started = std::time::Instant::now();
        let fresh = self.analyzer.analyze(&analysis_input(&call, &transcript, specs)).await?;
        let now = self.clock.now();
        let sop_record = records(&fresh, started.elapsed().as_millis() as u64, now)?
            .into_iter()
            .filter(|r| r.analysis_type == "sop_compliance")
            .collect::<Vec<_>>();
        // Keep the other stored analyses as they are; only the SOP part (and its facts) changes.
        let stored = assemble(&self.store.list_analyses(&call.company_id, &call.call_id).await?)?;
        let merged = stored.map(|mut a| {
            a.sop = fresh.sop.clone();
            facts(&a)
        });
        self.store.save_analyses(&call, &sop_record, merged.as_ref()).await?;
        let sop = fresh.sop;
        Ok(ComplianceResult {
            stages: detected(&call, &sop.stages),
            call_id: call.call_id,
            sop_id,
            compliance_score: sop.compliance_score,
            stages_completed: sop.stages_completed,
            stages_missing: sop.stages_missing,
            recommendations: sop.gaps.into_iter().map(|g| g.recommendation).collect(),
        })
    }
}

fn detected(call: &Call, stages: &[StageResult]) -> Vec<SopStageDetected> {
    stages
        .iter()
        .filter(|s| s.performed)
        .map(|s| SopStageDetected {
            stage_name: s.stage_name.clone(),
            stage_order: s.stage_order,
            detected_at: at(call.started_at, s.detected_at),
            seconds_into_call: s.detected_at,
            confidence_score: s.confidence,
            quality: s.quality,
            evidence: s.evidence.clone(),
        })
        .collect()
}

fn at(start: Option<DateTime<Utc>>, secs: Option<f64>) -> Option<DateTime<Utc>> {
    Some(start? + chrono::Duration::milliseconds((secs? * 1000.0) as i64))
}
