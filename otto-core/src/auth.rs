//! Who is asking, and what they may do: roles, permissions and data scope.
//!
//! Every service method on [`crate::Otto`] takes a [`Principal`] and checks it here, so an app
//! that links otto-core directly gets the same tenant and role protection as the HTTP server.
//! The rules follow `platform-facts.md`: admins may do anything; managers read and write every
//! category; CSRs and sales reps work on their own calls and read company knowledge. CRM data
//! (`crm`), which the platform facts leave out, is written by managers and admins (integrations)
//! and read by everyone in the company.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::CompanyId;
use crate::error::{Error, Result};

/// A user's role in their company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including company settings.
    Admin,
    /// Coaches the team, owns the SOP, reads analytics.
    Manager,
    /// Customer service rep: answers inbound calls, books appointments.
    Csr,
    /// Runs appointments and outbound rehash calls.
    SalesRep,
}

impl Role {
    /// Parses the JWT `role` claim.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "admin" => Ok(Role::Admin),
            "manager" => Ok(Role::Manager),
            "csr" => Ok(Role::Csr),
            "sales_rep" => Ok(Role::SalesRep),
            other => Err(Error::invalid(
                "role",
                format!("unknown role `{other}` (expected admin, manager, csr or sales_rep)"),
            )),
        }
    }
    /// The claim spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Csr => "csr",
            Role::SalesRep => "sales_rep",
        }
    }
    /// Whether this role sees the whole company's calls and metrics, rather than its own.
    pub fn sees_all_company_data(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }
    /// The permissions a role has when the token lists none.
    pub fn default_permissions(self) -> Vec<Permission> {
        use Permission as P;
        match self {
            Role::Admin => vec![P::all()],
            Role::Manager => ["calls", "analytics", "sop", "clone", "summary", "followup", "rag", "documents", "crm"]
                .iter()
                .flat_map(|r| [P::new(*r, Action::Read), P::new(*r, Action::Write)])
                .collect(),
            Role::Csr | Role::SalesRep => {
                let mut p: Vec<Permission> = ["calls", "clone", "summary", "followup"]
                    .iter()
                    .flat_map(|r| [P::new(*r, Action::Read), P::new(*r, Action::Write)])
                    .collect();
                p.push(P::new("analytics", Action::ReadOwn));
                p.push(P::new("rag", Action::Read));
                // Company knowledge (SOP stages, documents) is readable by every role.
                p.push(P::new("sop", Action::Read));
                p.push(P::new("documents", Action::Read));
                p.push(P::new("crm", Action::Read));
                p
            }
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a permission allows on its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Read the caller's own data only (`analytics:read_own`).
    ReadOwn,
    /// Read.
    Read,
    /// Create, update, delete.
    Write,
    /// Any action (`calls:*`).
    Any,
}

/// A permission such as `calls:read`, `analytics:read_own`, `sop:*` or `*`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Permission {
    resource: String,
    action: Action,
}

impl Permission {
    /// `resource:action`.
    pub fn new(resource: impl Into<String>, action: Action) -> Self {
        Self { resource: resource.into(), action }
    }
    /// `*`: everything.
    pub fn all() -> Self {
        Self { resource: "*".into(), action: Action::Any }
    }
    /// Parses `resource:action` or `*`. Unknown actions are rejected.
    pub fn parse(s: &str) -> Result<Self> {
        if s == "*" {
            return Ok(Self::all());
        }
        let (resource, action) =
            s.split_once(':').ok_or_else(|| Error::invalid("permissions", format!("`{s}` is not resource:action")))?;
        let action = match action {
            "read" => Action::Read,
            "read_own" => Action::ReadOwn,
            "write" => Action::Write,
            "*" => Action::Any,
            other => return Err(Error::invalid("permissions", format!("unknown action `{other}` in `{s}`"))),
        };
        if resource.is_empty() {
            return Err(Error::invalid("permissions", format!("`{s}` has no resource")));
        }
        Ok(Self { resource: resource.to_string(), action })
    }
    /// Whether holding `self` grants `wanted`.
    pub fn grants(&self, resource: &str, wanted: Action) -> bool {
        let resource_ok = self.resource == "*" || self.resource == resource;
        let action_ok = matches!(
            (self.action, wanted),
            (Action::Any, _)
                | (Action::Write, Action::Write)
                | (Action::Read, Action::Read | Action::ReadOwn)
                | (Action::ReadOwn, Action::ReadOwn)
        );
        resource_ok && action_ok
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.resource == "*" {
            return f.write_str("*");
        }
        let action = match self.action {
            Action::ReadOwn => "read_own",
            Action::Read => "read",
            Action::Write => "write",
            Action::Any => "*",
        };
        write!(f, "{}:{action}", self.resource)
    }
}

/// An authenticated caller: user, company, role and effective permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    user_id: String,
    company_id: CompanyId,
    role: Role,
    permissions: BTreeSet<Permission>,
}

/// Which rows of the company a read may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataScope {
    /// Every row of the company.
    Company,
    /// Only rows whose rep is this user.
    OwnRep(String),
}

impl Principal {
    /// A principal with the role's default permissions.
    pub fn new(user_id: impl Into<String>, company_id: CompanyId, role: Role) -> Self {
        Self::with_permissions(user_id, company_id, role, role.default_permissions())
    }
    /// A principal with an explicit permission list (the token's `permissions` claim). An
    /// explicit list replaces the role's defaults, so an identity provider can narrow a token.
    pub fn with_permissions(
        user_id: impl Into<String>,
        company_id: CompanyId,
        role: Role,
        permissions: impl IntoIterator<Item = Permission>,
    ) -> Self {
        Self { user_id: user_id.into(), company_id, role, permissions: permissions.into_iter().collect() }
    }
    /// The user id (`sub` / `user_id` claim). A rep's user id is their `rep_id`.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    /// The tenant.
    pub fn company_id(&self) -> &CompanyId {
        &self.company_id
    }
    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// Effective permissions.
    pub fn permissions(&self) -> impl Iterator<Item = &Permission> {
        self.permissions.iter()
    }
    /// Whether the principal holds `resource:action`.
    pub fn can(&self, resource: &str, action: Action) -> bool {
        self.permissions.iter().any(|p| p.grants(resource, action))
    }
    /// Fails with [`crate::ErrorKind::Forbidden`] unless the principal holds `resource:action`.
    pub fn require(&self, resource: &str, action: Action) -> Result<()> {
        if self.can(resource, action) {
            return Ok(());
        }
        let verb = match action {
            Action::ReadOwn | Action::Read => "read",
            Action::Write | Action::Any => "write",
        };
        Err(Error::forbidden(format!(
            "role `{}` may not {verb} {resource} (needs permission {})",
            self.role,
            Permission::new(resource, action)
        )))
    }
    /// Fails with [`crate::ErrorKind::Forbidden`] when `company_id` is another tenant.
    pub fn require_company(&self, company_id: &str) -> Result<()> {
        if company_id == self.company_id.as_str() {
            Ok(())
        } else {
            Err(Error::forbidden("company_id does not match the caller's company"))
        }
    }
    /// The rows of the company this principal may read: managers and admins see the whole
    /// company, CSRs and sales reps their own.
    pub fn data_scope(&self) -> DataScope {
        if self.role.sees_all_company_data() {
            DataScope::Company
        } else {
            DataScope::OwnRep(self.user_id.clone())
        }
    }
    /// Whether a row owned by `rep_id` (None: unassigned) is visible under [`Self::data_scope`].
    /// Unassigned calls belong to the company, not to a rep, so only company-wide roles see them.
    pub fn may_see_rep(&self, rep_id: Option<&str>) -> bool {
        match self.data_scope() {
            DataScope::Company => true,
            DataScope::OwnRep(me) => rep_id == Some(me.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company() -> CompanyId {
        CompanyId::parse("acme").unwrap()
    }

    #[test]
    fn test_csr_cannot_write_sop_but_reads_it() {
        let p = Principal::new("u1", company(), Role::Csr);
        assert!(p.require("sop", Action::Write).is_err());
        assert!(p.require("sop", Action::Read).is_ok());
        assert!(p.can("analytics", Action::ReadOwn));
        assert!(!p.can("analytics", Action::Read));
    }

    #[test]
    fn test_admin_star_grants_everything() {
        let p = Principal::new("u1", company(), Role::Admin);
        assert!(p.can("sop", Action::Write));
        assert!(p.can("anything", Action::Read));
    }

    #[test]
    fn test_explicit_permissions_narrow_a_role() {
        let p = Principal::with_permissions("u1", company(), Role::Manager, [Permission::parse("calls:read").unwrap()]);
        assert!(p.can("calls", Action::Read));
        assert!(!p.can("calls", Action::Write));
    }

    #[test]
    fn test_permission_parse_roundtrip() {
        for s in ["*", "calls:read", "analytics:read_own", "sop:write", "rag:*"] {
            assert_eq!(Permission::parse(s).unwrap().to_string(), s);
        }
        assert!(Permission::parse("calls").is_err());
        assert!(Permission::parse("calls:fly").is_err());
    }

    #[test]
    fn test_rep_scope_hides_other_reps_and_unassigned() {
        let rep = Principal::new("rep_1", company(), Role::SalesRep);
        assert!(rep.may_see_rep(Some("rep_1")));
        assert!(!rep.may_see_rep(Some("rep_2")));
        assert!(!rep.may_see_rep(None));
        let mgr = Principal::new("m", company(), Role::Manager);
        assert!(mgr.may_see_rep(None));
    }
}
