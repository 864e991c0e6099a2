use crate::auth::{Action, DataScope, Principal};
use std::collections::BTreeMap;

use crate::domain::{new_id, validate_id, Call, CallFilter, CallStatus, CallUpdate, NewCall, Page, StageState};
use crate::error::{Error, Result};
use crate::pipeline::{self, stages};
use crate::Otto;

impl Otto {
    /// Records a call. CSRs and sales reps record their own calls (`rep_id` defaults to them);
    /// managers and admins may name any rep.
    pub async fn create_call(&self, p: &Principal, req: NewCall) -> Result<Call> {
        p.require("calls", Action::Write)?;
        req.validate()?;
        if let Some(c) = &req.company_id {
            p.require_company(c)?;
        }
        let rep_id = match (req.rep_id, p.data_scope()) {
            (Some(rep), DataScope::OwnRep(me)) if rep != me => {
                return Err(Error::forbidden(format!("a {} may only record their own calls (rep_id `{me}`)", p.role())))
            }
            (None, DataScope::OwnRep(me)) => Some(me),
            (rep, _) => rep,
        };
        let now = self.clock.now();
        let has_transcript = req.segments.is_some();
        let mut processing_stages = BTreeMap::new();
        if has_transcript {
            processing_stages.insert(stages::TRANSCRIPTION.to_string(), StageState::Skipped);
            processing_stages.insert(stages::DIARIZATION.to_string(), StageState::Skipped);
            processing_stages.insert(stages::ANALYSIS.to_string(), StageState::Pending);
        } else if req.audio_url.is_some() {
            // A recording goes through the speech stage first (`call.process_audio`).
            for stage in [stages::FETCH, stages::TRANSCRIPTION, stages::DIARIZATION, stages::ANALYSIS] {
                processing_stages.insert(stage.to_string(), StageState::Pending);
            }
        }
        let mut call = Call {
            call_id: req.call_id.unwrap_or_else(|| new_id("call")),
            company_id: p.company_id().clone(),
            rep_id,
            status: CallStatus::Pending,
            processing_status: CallStatus::Pending,
            audio_url: req.audio_url,
            caller_phone: req.caller_phone,
            rep_phone: req.rep_phone,
            duration: req.duration,
            callrail_id: req.callrail_id,
            call_type: req.call_type,
            started_at: req.started_at.map(|t| t.with_timezone(&chrono::Utc)),
            utc_offset_minutes: req.started_at.map(|t| t.offset().local_minus_utc() / 60),
            // Calls without a time zone take the company's, so spoken times resolve locally.
            timezone: match req.timezone {
                Some(tz) => Some(tz),
                None => self.store.get_settings(p.company_id()).await?.and_then(|s| s.timezone),
            },
            rep_channel: req.rep_channel,
            audio_file_path: None,
            transcript_file_path: None,
            speaker_diarization_file_path: None,
            failure_reason: None,
            language: req.language,
            processing_stages,
            progress: 0,
            metadata: req.metadata.unwrap_or_default(),
            created_at: now,
            updated_at: now,
        };
        // A submitted transcript goes straight to analysis; the job commits with the call.
        let jobs = match req.segments {
            Some(segments) => {
                call.status = CallStatus::Processing;
                call.processing_status = CallStatus::Processing;
                vec![pipeline::analyze_job(&call, Some(segments), now)]
            }
            // A recording is fetched and transcribed by a durable job committed with the call.
            None if call.audio_url.is_some() => vec![pipeline::speech::process_audio_job(&call, now)],
            None => Vec::new(),
        };
        self.store.insert_call(&call, &jobs).await?;
        let details = serde_json::json!({"rep_id": call.rep_id, "has_transcript": has_transcript, "audio_url": call.audio_url.is_some()});
        self.audit(p, "call.create", "call", &call.call_id, details).await;
        tracing::info!(company = %call.company_id, call_id = %call.call_id, "call created");
        Ok(call)
    }

    /// One call. Calls of other tenants, and for CSRs and sales reps other reps' calls, are
    /// `NotFound`: their existence is not revealed.
    pub async fn get_call(&self, p: &Principal, call_id: &str) -> Result<Call> {
        p.require("calls", Action::Read)?;
        validate_id("call_id", call_id)?;
        self.store
            .get_call(p.company_id(), call_id)
            .await?
            .filter(|c| p.may_see_rep(c.rep_id.as_deref()))
            .ok_or_else(|| Error::not_found(format!("call {call_id}")))
    }

    /// Updates status, rep, type or metadata of a call the principal can see.
    pub async fn update_call(&self, p: &Principal, call_id: &str, upd: CallUpdate) -> Result<Call> {
        p.require("calls", Action::Write)?;
        upd.validate()?;
        let mut call = self.get_call(p, call_id).await?;
        if let (Some(rep), DataScope::OwnRep(me)) = (&upd.rep_id, p.data_scope()) {
            if *rep != me {
                return Err(Error::forbidden(format!("a {} may not reassign calls to another rep", p.role())));
            }
        }
        let before = (call.rep_id.clone(), call.call_type, call.metadata.clone());
        upd.apply(&mut call, self.clock.now());
        if before != (call.rep_id.clone(), call.call_type, call.metadata.clone()) {
            self.refresh_derived(&call).await?;
        } else {
            self.store.update_call(&call).await?;
        }
        self.audit(p, "call.update", "call", &call.call_id, serde_json::to_value(&upd).unwrap_or_default()).await;
        Ok(call)
    }

    /// Saves `call` and rebuilds what its analysis derived from the call itself: the facts the
    /// analytics count (rep, type, lead source; the rollups move with them in the same
    /// transaction) and the Ask Otto chunks (the rep scope and the title). Without this a
    /// reassigned call would stay in the old rep's figures and answers, and out of the new rep's.
    async fn refresh_derived(&self, call: &Call) -> Result<()> {
        let records = self.store.list_analyses(&call.company_id, &call.call_id).await?;
        let Some(analysis) = pipeline::assemble(&records)? else {
            return self.store.update_call(call).await;
        };
        self.store.save_analyses(call, &[], Some(&pipeline::facts(&analysis))).await?;
        if let Ok(transcript) = self.stored_transcript(call).await {
            let chunks = crate::knowledge::chunk_call(call, &transcript, &analysis, self.clock.now());
            self.replace_chunks(&call.company_id, crate::domain::SourceType::Call, &call.call_id, &chunks).await?;
        }
        Ok(())
    }

    /// A page of the company's calls; CSRs and sales reps get only their own (the scope is a
    /// filter of the query itself).
    pub async fn list_calls(&self, p: &Principal, mut filter: CallFilter) -> Result<Page<Call>> {
        p.require("calls", Action::Read)?;
        if let Some(rep) = &filter.rep_id {
            validate_id("rep_id", rep)?;
        }
        if let DataScope::OwnRep(me) = p.data_scope() {
            match &filter.rep_id {
                Some(rep) if *rep != me => {
                    return Err(Error::forbidden(format!("a {} may only list their own calls", p.role())))
                }
                _ => filter.rep_id = Some(me),
            }
        }
        if let (Some(a), Some(b)) = (filter.created_after, filter.created_before) {
            if a >= b {
                return Err(Error::invalid("created_after", "must be before created_before"));
            }
        }
        if let (Some(a), Some(b)) = (filter.started_after, filter.started_before) {
            if a >= b {
                return Err(Error::invalid("started_after", "must be before started_before"));
            }
        }
        self.store.list_calls(p.company_id(), &filter).await
    }
}
