use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use serde_json::json;

use crate::analysis::CallAnalysis;
use crate::api::{
    AppointmentSummaryRequest, CallSummaryResponse, DailyMetrics, DailySummaryRequest, DailySummaryResponse,
    PrepSummaryRequest, PrepSummaryResponse, PriorCall, SummaryDetail, SummaryHistory,
};
use crate::auth::{Action, DataScope, Principal};
use crate::domain::{
    new_id, validate_id, Call, CallFilter, CallStatus, PageRequest, SortOrder, Summary, SummaryFilter, SummaryType,
};
use crate::error::{Error, Result};
use crate::pipeline::assemble;
use crate::Otto;

/// Most calls a daily summary or prep brief reads.
const MAX_CALLS: usize = 500;

fn customer_label(call: &Call) -> String {
    call.metadata
        .get("customer_name")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| call.caller_phone.clone())
        .unwrap_or_else(|| "the customer".into())
}

impl Otto {
    fn require_rep_access(&self, p: &Principal, rep_id: &str) -> Result<()> {
        validate_id("rep_id", rep_id)?;
        match p.data_scope() {
            DataScope::OwnRep(me) if me != rep_id => {
                Err(Error::forbidden(format!("a {} may only read their own summaries", p.role())))
            }
            _ => Ok(()),
        }
    }

    async fn analysed_calls(&self, p: &Principal, mut filter: CallFilter) -> Result<Vec<(Call, CallAnalysis)>> {
        let mut out = Vec::new();
        filter.page = PageRequest { limit: 100, offset: 0 };
        loop {
            let page = self.list_calls(p, filter.clone()).await?;
            let n = page.items.len();
            let more = page.has_more();
            for call in page.items {
                let records = self.store.list_analyses(&call.company_id, &call.call_id).await?;
                if let Some(a) = assemble(&records)? {
                    out.push((call, a));
                }
            }
            if !more || n == 0 || out.len() >= MAX_CALLS {
                break;
            }
            filter.page.offset += n as u64;
        }
        Ok(out)
    }

    /// Builds (and stores) the appointment summary of an analysed call (5.2).
    pub async fn appointment_summary(
        &self,
        p: &Principal,
        req: AppointmentSummaryRequest,
    ) -> Result<CallSummaryResponse> {
        p.require("summary", Action::Write)?;
        let (call, a) = self.call_analysis(p, &req.call_id).await?;
        let detail = req.summary_type.unwrap_or_default();
        let mut content = format!("Appointment Summary\n\nCustomer: {}\n", customer_label(&call));
        if let Some(d) = call.duration {
            let _ = writeln!(content, "Duration: {} minutes", (d + 30) / 60);
        }
        let _ = writeln!(content, "Outcome: {}", a.outcome.outcome.as_str().replace('_', " "));
        let _ = writeln!(content, "Lead: {} ({:.0}%)", a.lead.lead_status.as_str(), a.lead.lead_score * 100.0);
        if let Some(appt) = &a.appointment {
            let when = appt.scheduled_at.as_deref().unwrap_or(&appt.when_text);
            let _ = writeln!(content, "Appointment: {} ({})", appt.appointment_type.replace('_', " "), when);
        }
        let take = if detail == SummaryDetail::Brief { 3 } else { usize::MAX };
        let key_points: Vec<String> = a.summary.key_points.iter().take(take).map(|k| k.text.clone()).collect();
        let next_steps: Vec<String> = a.summary.next_steps.iter().map(|k| k.text.clone()).collect();
        if !key_points.is_empty() {
            content.push_str("\nKey Discussion Points:\n");
            for k in &key_points {
                let _ = writeln!(content, "• {k}");
            }
        }
        if detail == SummaryDetail::Detailed && !a.objections.is_empty() {
            content.push_str("\nObjections:\n");
            for o in &a.objections {
                let state = if o.handled { "handled" } else { "open" };
                let _ = writeln!(content, "• {} ({state}): \"{}\"", o.objection_type.as_str(), o.objection_text);
            }
        }
        if !next_steps.is_empty() {
            content.push_str("\nNext Steps:\n");
            for n in &next_steps {
                let _ = writeln!(content, "• {n}");
            }
        }
        let now = self.clock.now();
        let summary = Summary {
            summary_id: new_id("sum"),
            company_id: call.company_id.clone(),
            summary_type: SummaryType::Appointment,
            rep_id: call.rep_id.clone(),
            call_id: Some(call.call_id.clone()),
            date: call.local_started_at().map_or_else(|| now.date_naive(), |t| t.date_naive()),
            content: content.trim_end().to_string(),
            details: json!({"key_points": key_points, "next_steps": next_steps, "appointment": a.appointment}),
            created_at: now,
        };
        self.store.insert_summary(&summary).await?;
        Ok(CallSummaryResponse {
            call_id: call.call_id,
            rep_id: call.rep_id,
            summary_type: "appointment".into(),
            content: summary.content,
            key_points,
            next_steps,
            appointment: a.appointment,
            created_at: now,
        })
    }

    /// The latest appointment summary of a call (5.5), made now if there is none yet.
    pub async fn call_summary(&self, p: &Principal, call_id: &str) -> Result<CallSummaryResponse> {
        p.require("summary", Action::Read)?;
        let call = self.get_call(p, call_id).await?;
        if let Some(s) = self.store.latest_call_summary(&call.company_id, call_id, SummaryType::Appointment).await? {
            let list = |k: &str| -> Vec<String> {
                s.details.get(k).and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
            };
            return Ok(CallSummaryResponse {
                call_id: call.call_id,
                rep_id: s.rep_id.clone(),
                summary_type: "appointment".into(),
                key_points: list("key_points"),
                next_steps: list("next_steps"),
                appointment: s.details.get("appointment").and_then(|v| serde_json::from_value(v.clone()).ok()),
                content: s.content,
                created_at: s.created_at,
            });
        }
        if !p.can("summary", Action::Write) {
            return Err(Error::not_found(format!("summary of call {call_id}")));
        }
        self.appointment_summary(p, AppointmentSummaryRequest { call_id: call_id.into(), summary_type: None }).await
    }

    /// A rep's daily recap (5.1) from that day's analysed calls.
    pub async fn daily_summary(&self, p: &Principal, req: DailySummaryRequest) -> Result<DailySummaryResponse> {
        p.require("summary", Action::Write)?;
        self.require_rep_access(p, &req.rep_id)?;
        let day = req.date;
        let start = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).ok_or_else(|| Error::invalid("date", "bad date"))?;
        // Calls are matched on their local day, so read a day either side in UTC.
        let filter = CallFilter {
            rep_id: Some(req.rep_id.clone()),
            status: Some(CallStatus::Completed),
            started_after: Some(start - Duration::days(1)),
            started_before: Some(start + Duration::days(2)),
            order: SortOrder::Asc,
            ..Default::default()
        };
        let calls: Vec<(Call, CallAnalysis)> =
            self.analysed_calls(p, filter).await?.into_iter().filter(|(c, _)| local_day(c) == day).collect();
        let mut m = DailyMetrics { calls_completed: calls.len() as u64, ..Default::default() };
        let mut compliance = Vec::new();
        for (_, a) in &calls {
            m.qualified_leads += u64::from(a.lead.qualified);
            m.hot_leads += u64::from(a.lead.lead_status.as_str() == "hot");
            m.appointments_scheduled += u64::from(a.appointment.as_ref().is_some_and(|x| x.booked));
            m.sales_closed += u64::from(a.outcome.outcome.as_str() == "sold");
            m.objections_raised += a.objections.len() as u64;
            m.objections_handled += a.objections.iter().filter(|o| o.handled).count() as u64;
            if !a.sop.stages.is_empty() {
                compliance.push(a.sop.compliance_score);
            }
        }
        m.avg_compliance = (!compliance.is_empty()).then(|| compliance.iter().sum::<f32>() / compliance.len() as f32);
        let mut content = format!(
            "Daily Summary for {} on {day}\n\n• {} calls completed\n• {} qualified leads ({} hot)\n• {} appointments scheduled\n• {} sales closed\n• {} objections raised, {} handled\n",
            req.rep_id,
            m.calls_completed,
            m.qualified_leads,
            m.hot_leads,
            m.appointments_scheduled,
            m.sales_closed,
            m.objections_raised,
            m.objections_handled
        );
        if let Some(c) = m.avg_compliance {
            let _ = writeln!(content, "• SOP compliance {:.0}%", c * 100.0);
        }
        if req.summary_type.unwrap_or_default() == SummaryDetail::Detailed && !calls.is_empty() {
            content.push_str("\nCalls:\n");
            for (c, a) in &calls {
                let time = c.local_started_at().map(|t| t.format("%H:%M ").to_string()).unwrap_or_default();
                let mut line =
                    format!("• {time}{}: {}", customer_label(c), a.outcome.outcome.as_str().replace('_', " "));
                if let Some(appt) = &a.appointment {
                    let _ = write!(line, ", {} {}", appt.appointment_type.replace('_', " "), appt.when_text);
                }
                let open: Vec<&str> =
                    a.objections.iter().filter(|o| !o.handled).map(|o| o.objection_type.as_str()).collect();
                if !open.is_empty() {
                    let _ = write!(line, "; open objections: {}", open.join(", "));
                }
                let _ = writeln!(content, "{line}");
            }
        }
        let now = self.clock.now();
        let summary = Summary {
            summary_id: new_id("sum"),
            company_id: p.company_id().clone(),
            summary_type: SummaryType::Daily,
            rep_id: Some(req.rep_id.clone()),
            call_id: None,
            date: day,
            content: content.trim_end().to_string(),
            details: json!({"metrics": m, "call_ids": calls.iter().map(|(c, _)| &c.call_id).collect::<Vec<_>>()}),
            created_at: now,
        };
        self.store.insert_summary(&summary).await?;
        Ok(DailySummaryResponse {
            summary_id: summary.summary_id,
            date: day,
            rep_id: req.rep_id,
            content: summary.content,
            metrics: m,
            call_ids: calls.into_iter().map(|(c, _)| c.call_id).collect(),
            created_at: now,
        })
    }

    /// A pre-call brief (5.3) from the customer's earlier analysed calls and CRM history.
    pub async fn prep_summary(&self, p: &Principal, req: PrepSummaryRequest) -> Result<PrepSummaryResponse> {
        p.require("summary", Action::Write)?;
        self.require_rep_access(p, &req.rep_id)?;
        let ctx = req.customer_context.clone().unwrap_or_default();
        let anchor = match &req.call_id {
            Some(id) => Some(self.get_call(p, id).await?),
            None => None,
        };
        let phone = ctx.phone.clone().or_else(|| anchor.as_ref().and_then(|c| c.caller_phone.clone()));
        let mut prior: Vec<(Call, CallAnalysis)> = match &phone {
            Some(phone) => {
                let f = CallFilter { caller_phone: Some(phone.clone()), order: SortOrder::Desc, ..Default::default() };
                self.analysed_calls(p, f).await?
            }
            None => Vec::new(),
        };
        prior.retain(|(c, _)| Some(&c.call_id) != req.call_id.as_ref());
        prior.truncate(10);
        let events = match &req.entity_id {
            Some(e) if p.can("crm", Action::Read) => self.entity_events(p, e, 10).await.unwrap_or_default(),
            _ => Vec::new(),
        };

        let name =
            ctx.name.clone().or_else(|| anchor.as_ref().map(customer_label)).unwrap_or_else(|| "the customer".into());
        let mut insights = Vec::new();
        let mut open_types: Vec<&str> = Vec::new();
        for (_, a) in &prior {
            for o in a.objections.iter().filter(|o| !o.handled) {
                if !open_types.contains(&o.objection_type.as_str()) {
                    open_types.push(o.objection_type.as_str());
                }
            }
        }
        if let Some(last) = &ctx.last_objection {
            let t = last.trim_end_matches("_concern");
            if !open_types.contains(&t) {
                insights.push(format!("Last objection on record: {}", last.replace('_', " ")));
            }
        }
        for t in &open_types {
            insights.push(format!("Unresolved {t} objection from an earlier call"));
        }
        if let Some((_, a)) = prior.first() {
            insights.push(format!(
                "Last call ended {} with a {} lead (score {:.0}%)",
                a.outcome.outcome.as_str().replace('_', " "),
                a.lead.lead_status.as_str(),
                a.lead.lead_score * 100.0
            ));
            if a.lead.bant.authority < 0.5 {
                insights.push("Decision maker not confirmed: invite everyone who decides".into());
            }
            for f in a.property.iter().take(3) {
                insights.push(format!("Property: {} {}", f.fact_type.replace('_', " "), f.value));
            }
        }
        if let Some(n) = ctx.previous_interactions {
            insights.push(format!("{n} earlier interactions"));
        }
        for e in events.iter().take(3) {
            insights.push(format!("CRM {} on {}", e.event_type, e.timestamp.date_naive()));
        }
        let approach = match open_types
            .first()
            .copied()
            .or(ctx.last_objection.as_deref().map(|l| l.trim_end_matches("_concern")))
        {
            Some("price") => {
                "Lead with value: restate the problem's cost, then offer options and financing before price comes up"
            }
            Some("financing") => "Bring financing options and monthly figures; confirm what payment works",
            Some("timing") => "Confirm what changed since the last call and offer a concrete date",
            Some("authority") => "Make sure every decision maker is on the call; offer a time that suits both",
            Some("competitor") => "Compare on scope, warranty and credentials, not just price",
            Some("trust") => "Open with credentials, reviews and warranty terms",
            Some("need") => "Revisit the problem in the customer's own words before proposing anything",
            _ if prior.is_empty() => "First conversation: discover the need, qualify, and agree a concrete next step",
            _ => "Pick up from the agreed next step and move to a decision",
        };
        let mut content = format!("Pre-Call Brief for {name}");
        if let Some(co) = &ctx.company {
            let _ = write!(content, " ({co})");
        }
        content.push_str("\n\nPrevious Interactions:\n");
        if prior.is_empty() && events.is_empty() {
            content.push_str("• None on record\n");
        }
        for (c, a) in &prior {
            let _ = writeln!(
                content,
                "• {}: {}{}",
                c.started_at.unwrap_or(c.created_at).date_naive(),
                a.outcome.outcome.as_str().replace('_', " "),
                a.summary.next_steps.first().map(|n| format!(" (next: {})", n.text)).unwrap_or_default()
            );
        }
        if !insights.is_empty() {
            content.push_str("\nKey Insights:\n");
            for i in &insights {
                let _ = writeln!(content, "• {i}");
            }
        }
        let _ = write!(content, "\nSuggested Approach:\n• {approach}");
        let now = self.clock.now();
        let summary = Summary {
            summary_id: new_id("sum"),
            company_id: p.company_id().clone(),
            summary_type: SummaryType::Prep,
            rep_id: Some(req.rep_id.clone()),
            call_id: req.call_id.clone(),
            date: now.date_naive(),
            content: content.clone(),
            details: json!({"key_insights": insights, "suggested_approach": approach}),
            created_at: now,
        };
        self.store.insert_summary(&summary).await?;
        Ok(PrepSummaryResponse {
            summary_id: summary.summary_id,
            call_id: req.call_id,
            rep_id: req.rep_id,
            content,
            key_insights: insights,
            suggested_approach: approach.to_string(),
            history: prior
                .iter()
                .map(|(c, a)| PriorCall {
                    call_id: c.call_id.clone(),
                    date: c.started_at.unwrap_or(c.created_at),
                    outcome: Some(a.outcome.outcome.as_str().to_string()),
                    open_objections: a
                        .objections
                        .iter()
                        .filter(|o| !o.handled)
                        .map(|o| o.objection_type.as_str().to_string())
                        .collect(),
                })
                .collect(),
            created_at: now,
        })
    }

    /// A rep's summary history (5.4).
    pub async fn summary_history(
        &self,
        p: &Principal,
        rep_id: &str,
        mut filter: SummaryFilter,
    ) -> Result<SummaryHistory> {
        p.require("summary", Action::Read)?;
        self.require_rep_access(p, rep_id)?;
        filter.rep_id = Some(rep_id.to_string());
        let page = self.store.list_summaries(p.company_id(), &filter).await?;
        let has_more = page.has_more();
        Ok(SummaryHistory {
            rep_id: rep_id.to_string(),
            summaries: page.items,
            total: page.total,
            limit: page.limit,
            offset: page.offset,
            has_more,
        })
    }
}

fn local_day(c: &Call) -> NaiveDate {
    c.local_started_at().map_or_else(|| c.created_at.date_naive(), |t| t.date_naive())
}
