use crate::auth::{Action, Principal};
use crate::domain::{CompanySettings, CompanySettingsUpdate};
use crate::error::Result;
use crate::Otto;

impl Otto {
    /// The caller's company settings (defaults when none were saved). Everyone may read them.
    pub async fn company_settings(&self, p: &Principal) -> Result<CompanySettings> {
        Ok(self.store.get_settings(p.company_id()).await?.unwrap_or_else(|| CompanySettings {
            company_id: p.company_id().clone(),
            rep_channel: None,
            timezone: None,
            updated_at: self.clock.now(),
        }))
    }

    /// Replaces the company settings. Admins only (`settings:write`).
    pub async fn update_company_settings(&self, p: &Principal, upd: CompanySettingsUpdate) -> Result<CompanySettings> {
        p.require("settings", Action::Write)?;
        upd.validate()?;
        let settings = CompanySettings {
            company_id: p.company_id().clone(),
            rep_channel: upd.rep_channel,
            timezone: upd.timezone,
            updated_at: self.clock.now(),
        };
        self.store.put_settings(&settings).await?;
        self.audit(
            p,
            "settings.update",
            "company",
            p.company_id().as_str(),
            serde_json::to_value(&settings).unwrap_or_default(),
        )
        .await;
        Ok(settings)
    }
}
