//! Personal AI clone (9.1-9.5): train a rep's clone from their samples, read its profile and
//! status, generate content in the rep's style, and list and review the drafts.
//!
//! A rep works on their own clone only (`rep_id` is their user id); managers and admins on any
//! rep's of their company. A clone lives in one company: another tenant's rep is `NotFound`.
//! Training runs on the job queue (`clone.train`), so a request returns at once with a
//! `training_id` and `status` follows it.

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::auth::{Action, DataScope, Principal};
use crate::clone::{self, Brief};
use crate::domain::{
    new_id, normalize_sample, validate_id, CloneCharacteristics, CloneDraft, CloneDraftFilter, CloneDraftList,
    ClonePerformance, CloneProfileResponse, CloneProfileView, CloneSample, CloneStatus, CompanyId, DraftStatus,
    DraftUpdate, GenerateRequest, GeneratedContent, NewJob, PersonalClone, SampleType, StyleProfile, TrainCloneRequest,
    TrainingStarted, TrainingStatus,
};
use crate::error::{Error, Result};
use crate::pipeline::TRAIN_CLONE;
use crate::ports::{CompletionRequest, TrainingRequest};
use crate::Otto;

/// Hex SHA-256 of the normalised sample: the same sample resubmitted is stored once.
fn content_hash(content: &str) -> String {
    hex::encode(Sha256::digest(normalize_sample(content).as_bytes()))
}

impl Otto {
    /// Checks `clone:<action>` and that the principal may act for `rep_id`.
    fn clone_access(&self, p: &Principal, rep_id: &str, action: Action) -> Result<()> {
        p.require("clone", action)?;
        validate_id("rep_id", rep_id)?;
        if let DataScope::OwnRep(me) = p.data_scope() {
            if me != rep_id {
                return Err(Error::forbidden(format!("a {} may only use their own clone", p.role())));
            }
        }
        Ok(())
    }

    async fn existing_clone(&self, p: &Principal, rep_id: &str) -> Result<PersonalClone> {
        self.store
            .get_clone(p.company_id(), rep_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("clone of rep {rep_id} (train it first)")))
    }

    /// Stores the samples as exemplars and queues a training (9.4). Retraining adds the new
    /// samples to those already stored; the job measures all of them.
    pub async fn train_clone(&self, p: &Principal, rep_id: &str, req: TrainCloneRequest) -> Result<TrainingStarted> {
        self.clone_access(p, rep_id, Action::Write)?;
        req.validate()?;
        let now = self.clock.now();
        let training_id = new_id("training");
        let company = p.company_id().clone();
        let samples: Vec<CloneSample> = req
            .communication_samples
            .iter()
            .map(|s| CloneSample {
                sample_id: new_id("sample"),
                company_id: company.clone(),
                rep_id: rep_id.to_string(),
                sample_type: s.sample_type,
                content: s.content.trim().to_string(),
                content_hash: content_hash(&s.content),
                training_id: training_id.clone(),
                created_at: now,
            })
            .collect();
        let payload = json!({"company_id": company.as_str(), "rep_id": rep_id, "training_id": training_id});
        let job = NewJob::new(TRAIN_CLONE, payload, now)
            .company(company.clone())
            .dedupe_key(format!("{TRAIN_CLONE}:{company}:{training_id}"));
        let (clone, added) = self
            .store
            .begin_clone_training(TrainingRequest {
                company_id: &company,
                rep_id,
                training_id: &training_id,
                new_clone_id: &new_id("clone"),
                samples: &samples,
                job: &job,
                now,
            })
            .await?;
        let details = json!({"rep_id": rep_id, "samples": samples.len(), "added": added});
        self.audit(p, "clone.train", "clone", &clone.clone_id, details).await;
        Ok(TrainingStarted {
            training_id,
            status: "started".into(),
            rep_id: rep_id.to_string(),
            samples_received: samples.len() as u32,
            samples_added: added as u32,
            samples_total: clone.samples,
        })
    }

    /// Training status (9.5).
    pub async fn clone_status(&self, p: &Principal, rep_id: &str) -> Result<CloneStatus> {
        self.clone_access(p, rep_id, Action::Read)?;
        let c = self.existing_clone(p, rep_id).await?;
        Ok(CloneStatus {
            rep_id: c.rep_id.clone(),
            is_trained: c.is_trained(),
            training_status: c.training_status,
            last_trained: c.last_trained,
            model_version: c.version_label(),
            training_id: c.training_id.clone(),
            samples_count: c.samples,
            failure_reason: c.failure_reason.clone(),
        })
    }

    /// The clone's measured profile and how its drafts fare (9.1).
    pub async fn clone_profile(&self, p: &Principal, rep_id: &str) -> Result<CloneProfileResponse> {
        self.clone_access(p, rep_id, Action::Read)?;
        let c = self.existing_clone(p, rep_id).await?;
        let (generated, approved) = self.store.clone_draft_counts(p.company_id(), rep_id).await?;
        let approval_rate = if generated == 0 { 0.0 } else { approved as f64 / generated as f64 };
        Ok(CloneProfileResponse {
            rep_id: c.rep_id.clone(),
            profile: CloneProfileView {
                clone_id: c.clone_id.clone(),
                is_trained: c.is_trained(),
                training_status: c.training_status,
                model_version: c.version_label(),
                characteristics: c.profile.as_ref().map(CloneCharacteristics::from),
                performance_metrics: ClonePerformance {
                    drafts_generated: generated,
                    approval_rate: (approval_rate * 1000.0).round() / 1000.0,
                    user_satisfaction: None,
                },
                last_trained: c.last_trained,
            },
        })
    }

    /// The rep's trained style, if any: used to personalise follow-ups. Errors reading it are
    /// logged and treated as "no clone", so a follow-up never fails because of the clone.
    pub(crate) async fn trained_style(&self, company: &CompanyId, rep_id: &str) -> Option<StyleProfile> {
        match self.store.get_clone(company, rep_id).await {
            Ok(Some(c)) if c.is_trained() => c.profile,
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, rep_id, "could not read the rep's clone; drafting without it");
                None
            }
        }
    }

    /// Generates content in the rep's style and stores it as a draft (9.2). With a language
    /// model configured, it writes from the profile and the nearest exemplars (few-shot) and
    /// the offline composer takes over if the model fails.
    pub async fn generate_with_clone(
        &self,
        p: &Principal,
        rep_id: &str,
        req: GenerateRequest,
    ) -> Result<GeneratedContent> {
        self.clone_access(p, rep_id, Action::Write)?;
        req.validate()?;
        let c = self.existing_clone(p, rep_id).await?;
        let Some(profile) = c.profile.clone().filter(|_| c.is_trained()) else {
            return Err(Error::conflict(format!(
                "the clone of rep {rep_id} is not trained yet (training is {}); try again when status is completed",
                c.training_status.as_str()
            )));
        };
        let mut customer_name = req.context.customer_name.clone();
        if let Some(call_id) = &req.context.call_id {
            let call = self.get_call(p, call_id).await?;
            if customer_name.is_none() {
                customer_name = call
                    .metadata
                    .get("customer_name")
                    .and_then(|v| v.as_str())
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from);
            }
        }
        let brief = Brief {
            channel: req.content_type,
            prompt: req.prompt.trim(),
            customer_name: customer_name.as_deref().map(str::trim),
            company: req.context.company.as_deref().map(str::trim),
            previous_interaction: req.context.previous_interaction.as_deref().map(str::trim),
        };
        let samples = self.store.list_clone_samples(p.company_id(), rep_id).await?;
        let exemplars = clone::nearest(&samples, &brief, 3);
        let has_channel = samples.iter().any(|s| s.sample_type.channel() == req.content_type);
        let mut engine = "offline".to_string();
        let mut content = None;
        if let Some(llm) = &self.llm {
            let mut r = CompletionRequest::new(clone::llm_messages(&profile, &exemplars, &brief));
            r.temperature = 0.4;
            r.max_tokens = 700;
            match llm.complete(r).await {
                Ok(done) if !done.text.trim().is_empty() => {
                    content = Some(done.text.trim().to_string());
                    engine = llm.name();
                }
                Ok(_) => tracing::warn!(rep_id, "the language model answered nothing; composing offline"),
                Err(e) => tracing::warn!(error = %e, rep_id, "the language model failed; composing offline"),
            }
        }
        let content = content.unwrap_or_else(|| clone::compose(&profile, &exemplars, &brief));
        let confidence = clone::confidence(&profile, &content, has_channel);
        let now = self.clock.now();
        let draft = CloneDraft {
            draft_id: new_id("draft"),
            company_id: Some(p.company_id().clone()),
            rep_id: rep_id.to_string(),
            content_type: req.content_type,
            content,
            status: DraftStatus::Draft,
            prompt: brief.prompt.to_string(),
            context: serde_json::to_value(&req.context).unwrap_or_default(),
            confidence,
            engine: engine.clone(),
            model_version: c.version_label(),
            call_id: req.context.call_id.clone(),
            approved_at: None,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_clone_draft(&draft).await?;
        let details = json!({"rep_id": rep_id, "content_type": req.content_type.as_str(), "engine": engine});
        self.audit(p, "clone.generate", "clone_draft", &draft.draft_id, details).await;
        Ok(GeneratedContent {
            content: draft.content,
            confidence,
            draft_id: draft.draft_id,
            engine,
            model_version: draft.model_version,
        })
    }

    /// A page of the clone's drafts (9.3).
    pub async fn list_clone_drafts(
        &self,
        p: &Principal,
        rep_id: &str,
        mut filter: CloneDraftFilter,
    ) -> Result<CloneDraftList> {
        self.clone_access(p, rep_id, Action::Read)?;
        self.existing_clone(p, rep_id).await?;
        filter.rep_id = Some(rep_id.to_string());
        let page = self.store.list_clone_drafts(p.company_id(), &filter).await?;
        let has_more = page.has_more();
        Ok(CloneDraftList {
            rep_id: rep_id.to_string(),
            drafts: page.items,
            total: page.total,
            limit: page.limit,
            offset: page.offset,
            has_more,
        })
    }

    /// Reviews a clone draft: moves it through the follow-up draft lifecycle (`draft -> ready
    /// -> sent`, `cancelled` until sent) and/or edits it. Reaching ready or sent counts as an
    /// approval in the clone's `approval_rate`.
    pub async fn update_clone_draft(
        &self,
        p: &Principal,
        rep_id: &str,
        draft_id: &str,
        upd: DraftUpdate,
    ) -> Result<CloneDraft> {
        self.clone_access(p, rep_id, Action::Write)?;
        validate_id("draft_id", draft_id)?;
        upd.validate()?;
        let mut d = self
            .store
            .get_clone_draft(p.company_id(), draft_id)
            .await?
            .filter(|d| d.rep_id == rep_id)
            .ok_or_else(|| Error::not_found(format!("draft {draft_id} of rep {rep_id}")))?;
        let was = d.status;
        if let Some(content) = &upd.content {
            if !was.editable() {
                return Err(Error::conflict(format!("draft {draft_id} is {}; its content can't change", was.as_str())));
            }
            d.content = content.clone();
        }
        if let Some(to) = upd.status {
            if to != was && !was.can_become(to) {
                return Err(Error::conflict(format!(
                    "draft {draft_id} is {}; it can't become {} (allowed: draft -> ready -> sent, cancelled until sent)",
                    was.as_str(),
                    to.as_str()
                )));
            }
            d.status = to;
        }
        let now = self.clock.now();
        if matches!(d.status, DraftStatus::Ready | DraftStatus::Sent) && d.approved_at.is_none() {
            d.approved_at = Some(now);
        }
        d.updated_at = now;
        if !self.store.update_clone_draft(&d, was).await? {
            return Err(Error::conflict(format!("draft {draft_id} was changed by someone else; reload it")));
        }
        let details = json!({"from": was.as_str(), "to": d.status.as_str(), "edited": upd.content.is_some()});
        self.audit(p, "clone.draft_update", "clone_draft", draft_id, details).await;
        Ok(d)
    }

    /// Runs one training: measures every stored sample of the rep and stores the profile as a
    /// new model version. Called by the `clone.train` job.
    pub(crate) async fn run_clone_training(&self, company: &CompanyId, rep_id: &str, training_id: &str) -> Result<()> {
        let now = self.clock.now();
        self.store.set_clone_training_status(company, rep_id, training_id, TrainingStatus::Training, None, now).await?;
        let samples = self.store.list_clone_samples(company, rep_id).await?;
        if samples.is_empty() {
            return Err(Error::invalid("communication_samples", format!("rep {rep_id} has no stored samples")));
        }
        // Measuring is CPU work over every sample; keep it off the async workers.
        let profile = tokio::task::spawn_blocking(move || {
            let refs: Vec<(SampleType, &str)> = samples.iter().map(|s| (s.sample_type, s.content.as_str())).collect();
            clone::measure(&refs)
        })
        .await
        .map_err(|e| Error::internal(format!("style measurement panicked: {e}")))?;
        self.store.finish_clone_training(company, rep_id, training_id, &profile, self.clock.now()).await?;
        Ok(())
    }

    /// Marks a training failed (the job gave up).
    pub(crate) async fn fail_clone_training(
        &self,
        company: &CompanyId,
        rep_id: &str,
        training_id: &str,
        reason: &str,
    ) -> Result<()> {
        let now = self.clock.now();
        self.store
            .set_clone_training_status(company, rep_id, training_id, TrainingStatus::Failed, Some(reason), now)
            .await?;
        Ok(())
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;

    use crate::domain::{CommunicationSample, FollowupChannel, GenerateContext};
    use crate::error::ErrorKind;
    use crate::ports::{Completion, LlmEngine, TextStream};
    use crate::{Role, SampleType};

    use super::*;

    /// A language model that answers `answer` (or fails when None) and records its requests.
    struct FakeLlm {
        answer: Option<String>,
        seen: Mutex<Vec<CompletionRequest>>,
    }

    #[async_trait]
    impl LlmEngine for FakeLlm {
        fn name(&self) -> String {
            "fake:model".into()
        }
        async fn complete(&self, req: CompletionRequest) -> Result<Completion> {
            self.seen.lock().unwrap().push(req);
            match &self.answer {
                Some(text) => Ok(Completion {
                    text: text.clone(),
                    model: "model".into(),
                    finish_reason: Some("stop".into()),
                    input_tokens: None,
                    output_tokens: None,
                }),
                None => Err(Error::new(ErrorKind::Unavailable, "the provider is overloaded")),
            }
        }
        async fn stream(&self, _req: CompletionRequest) -> Result<TextStream> {
            Err(Error::new(ErrorKind::Unavailable, "not streaming"))
        }
    }

    const SAMPLES: &[&str] = &[
        "Hey Mike!\n\nHope your week's off to a great start! I'll get the quote over tonight 🙂 Holler if anything comes up!\n\nCheers,\nJake",
        "Hey Sarah!\n\nHope your week's off to a great start! No worries at all if you need a day to think. Holler if anything comes up!\n\nCheers,\nJake",
        "hey Tom! crew's running about 20 min late 🙂 no worries at all, just lmk! - Jake",
    ];

    async fn trained(llm: Option<FakeLlm>) -> (Otto, Arc<FakeLlm>, Principal, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let mut otto = Otto::open_embedded(dir.path()).await.unwrap();
        let fake = Arc::new(llm.unwrap_or(FakeLlm { answer: None, seen: Mutex::new(Vec::new()) }));
        otto.llm = Some(fake.clone());
        let me = Principal::new("rep_jake", CompanyId::parse("acme").unwrap(), Role::SalesRep);
        let req = TrainCloneRequest {
            communication_samples: SAMPLES
                .iter()
                .map(|c| CommunicationSample { content: (*c).into(), sample_type: SampleType::Email })
                .collect(),
        };
        let started = otto.train_clone(&me, "rep_jake", req).await.unwrap();
        otto.run_clone_training(me.company_id(), "rep_jake", &started.training_id).await.unwrap();
        (otto, fake, me, dir)
    }

    fn brief() -> GenerateRequest {
        GenerateRequest {
            content_type: FollowupChannel::Email,
            prompt: "Follow up on the revised roof quote".into(),
            context: GenerateContext { customer_name: Some("John Smith".into()), ..Default::default() },
        }
    }

    #[tokio::test]
    async fn test_llm_writes_from_profile_and_nearest_exemplars() {
        let answer = "Hey John!\n\nQuick one on the revised quote. Holler if anything comes up!\n\nCheers,\nJake";
        let (otto, fake, me, _dir) =
            trained(Some(FakeLlm { answer: Some(answer.into()), seen: Mutex::new(Vec::new()) })).await;
        let out = otto.generate_with_clone(&me, "rep_jake", brief()).await.unwrap();
        assert_eq!(
            (out.engine.as_str(), out.content.as_str(), out.model_version.as_str()),
            ("fake:model", answer, "v1")
        );
        let seen = fake.seen.lock().unwrap().clone();
        let system = &seen[0].messages[0].content;
        assert!(system.contains("Hey {name}!") && system.contains("Cheers,"), "the profile is in the prompt: {system}");
        assert!(system.contains("I'll get the quote over tonight"), "the nearest exemplar is a few-shot example");
        assert!(seen[0].messages[1].content.contains("Customer: John Smith"));
        let stored = otto.store.get_clone_draft(me.company_id(), &out.draft_id).await.unwrap().unwrap();
        assert_eq!(stored.engine, "fake:model");
    }

    #[tokio::test]
    async fn test_llm_failure_falls_back_to_the_offline_composer() {
        let (otto, fake, me, _dir) = trained(None).await;
        let out = otto.generate_with_clone(&me, "rep_jake", brief()).await.unwrap();
        assert_eq!(fake.seen.lock().unwrap().len(), 1, "the model was tried first");
        assert_eq!(out.engine, "offline");
        assert!(out.content.starts_with("Hey John!") && out.content.ends_with("Cheers,\nJake"), "{}", out.content);
    }
}
