use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ids::CompanyId;
use super::page::{PageRequest, SortOrder};
use crate::error::{Error, Result};

/// Longest stage name.
pub const MAX_STAGE_NAME: usize = 200;
/// Longest stage description.
pub const MAX_STAGE_DESCRIPTION: usize = 4000;

/// One stage of a company's sales process (SOP), e.g. "Introduction" or "Needs Assessment".
/// Analysis checks every call against the company's active stages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SopStage {
    /// Stage id.
    pub stage_id: String,
    /// The SOP it belongs to (one per company).
    pub sop_id: String,
    /// Tenant.
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    /// Unique within the company (case-insensitive).
    pub stage_name: String,
    /// Position in the process, from 1.
    pub stage_order: i32,
    /// What the rep is expected to do in this stage; analysis matches calls against it.
    pub stage_description: Option<String>,
    /// Inactive stages are kept but not checked.
    pub is_active: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A stage to add in `POST /api/v1/sop/stages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewSopStage {
    /// 1 to 200 characters, unique within the company.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub stage_name: String,
    /// Position, 1 to 1000.
    #[schema(minimum = 1, maximum = 1000)]
    pub stage_order: i32,
    /// What the rep should do in this stage.
    #[schema(max_length = 4000)]
    pub stage_description: Option<String>,
    /// Defaults to true.
    #[serde(default = "default_true")]
    pub is_active: bool,
}

fn default_true() -> bool {
    true
}

/// Body of `PUT /api/v1/sop/stages/{stage_id}`: fields to change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SopStageUpdate {
    /// New name.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub stage_name: Option<String>,
    /// New position.
    #[schema(minimum = 1, maximum = 1000)]
    pub stage_order: Option<i32>,
    /// New description.
    #[schema(max_length = 4000)]
    pub stage_description: Option<String>,
    /// Activate or deactivate.
    pub is_active: Option<bool>,
}

/// How to sort stages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SopStageSort {
    /// Process order (default).
    #[default]
    StageOrder,
    /// Creation time.
    CreatedAt,
    /// Name.
    StageName,
}

impl SopStageSort {
    /// Column name.
    pub fn column(self) -> &'static str {
        match self {
            SopStageSort::StageOrder => "stage_order",
            SopStageSort::CreatedAt => "created_at",
            SopStageSort::StageName => "stage_name",
        }
    }
}

/// Filters for listing stages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SopStageFilter {
    /// Only active (true) or inactive (false) stages.
    pub is_active: Option<bool>,
    /// Sort key.
    pub sort: SopStageSort,
    /// Direction.
    pub order: SortOrder,
    /// Page.
    pub page: PageRequest,
}

pub(crate) fn validate_stage_fields(
    field: &str,
    name: Option<&str>,
    order: Option<i32>,
    description: Option<&str>,
) -> Result<()> {
    if let Some(n) = name {
        if n.trim().is_empty() {
            return Err(Error::invalid(&format!("{field}stage_name"), "must not be empty"));
        }
        if n.chars().count() > MAX_STAGE_NAME {
            return Err(Error::invalid(&format!("{field}stage_name"), format!("at most {MAX_STAGE_NAME} characters")));
        }
    }
    if let Some(o) = order {
        if !(1..=1000).contains(&o) {
            return Err(Error::invalid(&format!("{field}stage_order"), format!("must be 1..=1000, got {o}")));
        }
    }
    if let Some(d) = description {
        if d.chars().count() > MAX_STAGE_DESCRIPTION {
            return Err(Error::invalid(
                &format!("{field}stage_description"),
                format!("at most {MAX_STAGE_DESCRIPTION} characters"),
            ));
        }
    }
    Ok(())
}

impl SopStageUpdate {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        if self.stage_name.is_none()
            && self.stage_order.is_none()
            && self.stage_description.is_none()
            && self.is_active.is_none()
        {
            return Err(Error::invalid(
                "body",
                "nothing to update: give stage_name, stage_order, stage_description or is_active",
            ));
        }
        validate_stage_fields("", self.stage_name.as_deref(), self.stage_order, self.stage_description.as_deref())
    }

    /// Applies the change.
    pub fn apply(&self, stage: &mut SopStage, now: DateTime<Utc>) {
        if let Some(n) = &self.stage_name {
            stage.stage_name = n.trim().to_string();
        }
        if let Some(o) = self.stage_order {
            stage.stage_order = o;
        }
        if let Some(d) = &self.stage_description {
            stage.stage_description = Some(d.clone());
        }
        if let Some(a) = self.is_active {
            stage.is_active = a;
        }
        stage.updated_at = now;
    }
}

/// Body of `POST /api/v1/sop/stages`: stages to add to the company's SOP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"stages": [
    {"stage_name": "Introduction", "stage_order": 1, "stage_description": "Introduce yourself and company", "is_active": true},
    {"stage_name": "Needs Assessment", "stage_order": 2, "stage_description": "Understand customer needs and pain points", "is_active": true}
]}))]
pub struct NewSopStages {
    /// 1 to 100 stages.
    #[schema(min_items = 1, max_items = 100)]
    pub stages: Vec<NewSopStage>,
}

impl NewSopStages {
    /// Checks every stage (errors name the index) and refuses duplicate names in the batch.
    pub fn validate(&self) -> Result<()> {
        if self.stages.is_empty() {
            return Err(Error::invalid("stages", "must contain at least one stage"));
        }
        if self.stages.len() > 100 {
            return Err(Error::invalid("stages", "at most 100 stages per request"));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, s) in self.stages.iter().enumerate() {
            let prefix = format!("stages[{i}].");
            validate_stage_fields(&prefix, Some(&s.stage_name), Some(s.stage_order), s.stage_description.as_deref())?;
            if !seen.insert(s.stage_name.trim().to_lowercase()) {
                return Err(Error::invalid(
                    &format!("{prefix}stage_name"),
                    format!("`{}` appears twice in this request", s.stage_name),
                ));
            }
        }
        Ok(())
    }
}
