-- Per-company settings (admins). Kept in step with the other backend's 0010_company_settings.sql.
CREATE TABLE company_settings (
    company_id TEXT NOT NULL PRIMARY KEY,
    rep_channel BIGINT,
    timezone TEXT,
    updated_at TIMESTAMPTZ NOT NULL
);
