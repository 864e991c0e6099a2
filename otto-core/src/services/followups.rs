//! Follow-up drafts and tasks (10.1-10.6).
//!
//! Drafts are composed offline from the call's stored analysis by [`crate::followup`]. Tasks
//! come from reps and managers, and from the analysis itself: when the `call.analyze` job
//! completes it calls [`Otto::derive_follow_up_tasks`] (idempotent per finding), so a call's
//! tasks exist as soon as its analysis does.

use serde_json::{json, Value};

use crate::analysis::CallAnalysis;
use crate::auth::{Action, DataScope, Principal};
use crate::domain::{
    new_id, validate_id, Call, CustomerInfo, DraftFilter, DraftList, DraftStatus, DraftUpdate, FollowupDraft,
    FollowupKind, FollowupRequest, FollowupTask, NewFollowupTask, TaskList, TaskStatus,
};
use crate::error::{Error, Result};
use crate::followup::{compose, derived_tasks, FollowupContext};
use crate::Otto;

/// CRM attributes that may hold a contact's name, in order of preference.
const CRM_NAME_KEYS: &[&str] = &["name", "full_name", "customer_name", "contact_name"];

impl Otto {
    /// The customer's name: what the caller supplied, else the call's `metadata.customer_name`,
    /// else the CRM entity the call points at (`metadata.crm_entity_id`, `entity_id` or
    /// `contact_id`: `name`, `full_name`, or `first_name` + `last_name`), else the name the
    /// customer gave on the call.
    async fn customer_name(
        &self,
        call: &Call,
        info: Option<&CustomerInfo>,
        analysis: &CallAnalysis,
    ) -> Result<Option<String>> {
        if let Some(n) = info.and_then(|i| i.name.as_deref()) {
            return Ok(Some(n.trim().to_string()));
        }
        let meta = |k: &str| call.metadata.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        if let Some(n) = meta("customer_name") {
            return Ok(Some(n.to_string()));
        }
        // Then the CRM entity, then the name the customer gave on the call.
        let said = analysis.summary.customer_name.clone();
        let Some(entity_id) = ["crm_entity_id", "entity_id", "contact_id"].iter().find_map(|k| meta(k)) else {
            return Ok(said);
        };
        let Some(entity) = self.store.get_entity(&call.company_id, entity_id).await? else { return Ok(said) };
        let attr = |k: &str| entity.attributes.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        if let Some(n) = CRM_NAME_KEYS.iter().find_map(|k| attr(k)) {
            return Ok(Some(n.to_string()));
        }
        Ok(match (attr("first_name"), attr("last_name")) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (Some(f), None) => Some(f.to_string()),
            _ => said,
        })
    }

    async fn draft(&self, p: &Principal, req: FollowupRequest, kind: FollowupKind) -> Result<FollowupDraft> {
        p.require("followup", Action::Write)?;
        req.validate()?;
        let (call, analysis) = self.call_analysis(p, &req.call_id).await?;
        let mut ctx = FollowupContext::new(
            &call,
            &analysis,
            self.customer_name(&call, req.customer_info.as_ref(), &analysis).await?,
        );
        ctx.customer_company = req.customer_info.as_ref().and_then(|i| i.company.clone());
        let channel = req.channel.unwrap_or_default();
        let tone = req.tone.unwrap_or_default();
        let now = self.clock.now();
        let mut c = compose(&ctx, &call, kind, channel, tone, req.rehash_score, now);
        let rep_id = call.rep_id.clone().unwrap_or_else(|| p.user_id().to_string());
        // A rep with a trained clone gets drafts that open, close and sign off the way they do.
        if let Some(style) = self.trained_style(&call.company_id, &rep_id).await {
            c.content = crate::clone::personalize(&c.content, channel, ctx.customer_name.as_deref(), &style);
            if let Some(d) = c.details.as_object_mut() {
                d.insert("personalized_with_clone".into(), json!(true));
            }
        }
        let draft = FollowupDraft {
            draft_id: new_id("draft"),
            company_id: Some(call.company_id.clone()),
            call_id: call.call_id.clone(),
            // The follow-up belongs to whoever owns the call; a manager drafting for a rep's
            // call puts it in that rep's drafts.
            rep_id,
            followup_type: kind,
            channel,
            content_type: channel,
            tone,
            subject: c.subject,
            content: c.content,
            strategy: c.strategy,
            approach: c.approach,
            status: DraftStatus::Draft,
            suggested_send_time: c.send_at,
            details: c.details,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_draft(&draft).await?;
        let details = json!({"call_id": draft.call_id, "followup_type": kind.as_str(), "channel": channel.as_str()});
        self.audit(p, "followup.draft", "followup_draft", &draft.draft_id, details).await;
        Ok(draft)
    }

    /// Generates a follow-up draft (10.1) of `followup_type` (default general).
    pub async fn followup_draft(&self, p: &Principal, req: FollowupRequest) -> Result<FollowupDraft> {
        let kind = req.followup_type.unwrap_or_default();
        self.draft(p, req, kind).await
    }

    /// Generates a nurture follow-up (10.2), typically a CSR's.
    pub async fn nurture_followup(&self, p: &Principal, req: FollowupRequest) -> Result<FollowupDraft> {
        self.draft(p, req, FollowupKind::Nurture).await
    }

    /// Generates a rehash follow-up (10.3), typically a sales rep's.
    pub async fn rehash_followup(&self, p: &Principal, req: FollowupRequest) -> Result<FollowupDraft> {
        self.draft(p, req, FollowupKind::Rehash).await
    }

    /// One draft the principal may see (their own, or any for managers and admins).
    pub async fn get_followup_draft(&self, p: &Principal, draft_id: &str) -> Result<FollowupDraft> {
        p.require("followup", Action::Read)?;
        validate_id("draft_id", draft_id)?;
        self.store
            .get_draft(p.company_id(), draft_id)
            .await?
            .filter(|d| p.may_see_rep(Some(&d.rep_id)))
            .ok_or_else(|| Error::not_found(format!("draft {draft_id}")))
    }

    /// Moves a draft through its lifecycle and/or edits its content. Illegal steps and edits of
    /// sent or cancelled drafts are `Conflict`; so is losing a race with another update.
    pub async fn update_followup_draft(
        &self,
        p: &Principal,
        draft_id: &str,
        upd: DraftUpdate,
    ) -> Result<FollowupDraft> {
        p.require("followup", Action::Write)?;
        upd.validate()?;
        let mut d = self.get_followup_draft(p, draft_id).await?;
        let was = d.status;
        if let Some(content) = &upd.content {
            if !was.editable() {
                return Err(Error::conflict(format!("draft {draft_id} is {}; its content can't change", was.as_str())));
            }
            d.subject = content.lines().next().and_then(|l| l.strip_prefix("Subject: ")).map(|s| s.trim().to_string());
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
        d.updated_at = self.clock.now();
        if !self.store.update_draft(&d, was).await? {
            return Err(Error::conflict(format!("draft {draft_id} was changed by someone else; reload it")));
        }
        let details = json!({"from": was.as_str(), "to": d.status.as_str(), "edited": upd.content.is_some()});
        self.audit(p, "followup.update", "followup_draft", draft_id, details).await;
        Ok(d)
    }

    /// A rep's drafts (10.6). CSRs and sales reps may only list their own.
    pub async fn list_followup_drafts(
        &self,
        p: &Principal,
        rep_id: &str,
        mut filter: DraftFilter,
    ) -> Result<DraftList> {
        p.require("followup", Action::Read)?;
        validate_id("rep_id", rep_id)?;
        if let DataScope::OwnRep(me) = p.data_scope() {
            if me != rep_id {
                return Err(Error::forbidden(format!("a {} may only list their own drafts", p.role())));
            }
        }
        if let Some(c) = &filter.call_id {
            validate_id("call_id", c)?;
        }
        filter.rep_id = Some(rep_id.to_string());
        let page = self.store.list_drafts(p.company_id(), &filter).await?;
        let has_more = page.has_more();
        Ok(DraftList {
            rep_id: rep_id.to_string(),
            drafts: page.items,
            total: page.total,
            limit: page.limit,
            offset: page.offset,
            has_more,
        })
    }

    /// A call's follow-up tasks (10.4), including those derived from its analysis.
    pub async fn follow_up_tasks(&self, p: &Principal, call_id: &str) -> Result<TaskList> {
        p.require("followup", Action::Read)?;
        let call = self.get_call(p, call_id).await?;
        let tasks = self.store.list_tasks(&call.company_id, &call.call_id).await?;
        Ok(TaskList { call_id: call.call_id, tasks })
    }

    /// Adds a task to a call the principal can see (10.5).
    pub async fn create_follow_up_task(
        &self,
        p: &Principal,
        call_id: &str,
        req: NewFollowupTask,
    ) -> Result<FollowupTask> {
        p.require("followup", Action::Write)?;
        req.validate()?;
        let call = self.get_call(p, call_id).await?;
        let now = self.clock.now();
        let task = FollowupTask {
            task_id: new_id("task"),
            company_id: Some(call.company_id.clone()),
            call_id: call.call_id.clone(),
            rep_id: call.rep_id.clone(),
            task_type: req.task_type,
            description: req.description.trim().to_string(),
            priority: req.priority.unwrap_or_default(),
            status: TaskStatus::Pending,
            due_date: req.due_date.map(|d| d.with_timezone(&chrono::Utc)),
            source: "manual".into(),
            source_key: None,
            created_by: p.user_id().to_string(),
            created_at: now,
            updated_at: now,
        };
        self.store.insert_task(&task).await?;
        self.audit(p, "followup.task", "followup_task", &task.task_id, json!({"call_id": task.call_id})).await;
        Ok(task)
    }

    /// Stores the tasks the analysis implies (confirm the appointment, keep each promise the rep
    /// made, call back a lead worth rehashing). Called by the pipeline when a call's analysis
    /// is saved; keyed per finding, so re-analysis adds only what is new. Returns how many.
    pub async fn derive_follow_up_tasks(&self, call: &Call, analysis: &CallAnalysis) -> Result<u64> {
        let ctx = FollowupContext::new(call, analysis, self.customer_name(call, None, analysis).await?);
        let now = self.clock.now();
        let tasks: Vec<FollowupTask> = derived_tasks(&ctx, call, now)
            .into_iter()
            .map(|t| FollowupTask {
                task_id: new_id("task"),
                company_id: Some(call.company_id.clone()),
                call_id: call.call_id.clone(),
                rep_id: call.rep_id.clone(),
                task_type: t.task_type,
                description: t.description,
                priority: t.priority,
                status: TaskStatus::Pending,
                due_date: Some(t.due),
                source: "analysis".into(),
                source_key: Some(t.key),
                created_by: "system".into(),
                created_at: now,
                updated_at: now,
            })
            .collect();
        if tasks.is_empty() {
            return Ok(0);
        }
        self.store.insert_derived_tasks(&call.company_id, &tasks).await
    }
}
