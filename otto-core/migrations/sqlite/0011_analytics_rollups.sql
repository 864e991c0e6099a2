-- Daily rollups of the analytics facts, so the analytics endpoints sum a few hundred rows per
-- rep instead of scanning every fact. Kept in step with ../postgres/0011_analytics_rollups.sql.
--
-- Grain: company, UTC calendar day of `occurred_at` (a `DateRange` is whole UTC days, so a
-- range is answered exactly) and rep (`rep_key`, '' for calls without a rep: a primary key
-- column can't be NULL). Each row holds the sums the queries in `adapters/sql` need; averages
-- are sum / n. The store keeps them exact in the transaction that replaces a call's facts
-- (subtract the old facts, add the new), see `apply_rollups_on`. `day` is 'YYYY-MM-DD' text
-- here (what `date()` returns and how sqlx binds a `NaiveDate`), a DATE on PostgreSQL.

CREATE TABLE analytics_daily (
    company_id TEXT NOT NULL,
    day TEXT NOT NULL,
    rep_key TEXT NOT NULL,
    calls INTEGER NOT NULL,
    appointments_set INTEGER NOT NULL,
    sold INTEGER NOT NULL,
    converted INTEGER NOT NULL,
    qualified INTEGER NOT NULL,
    with_objections INTEGER NOT NULL,
    objections_raised INTEGER NOT NULL,
    objections_handled INTEGER NOT NULL,
    duration_sum INTEGER NOT NULL,
    duration_n INTEGER NOT NULL,
    lead_score_sum REAL NOT NULL,
    compliance_sum REAL NOT NULL,
    compliance_n INTEGER NOT NULL,
    PRIMARY KEY (company_id, day, rep_key)
);
-- Rep-scoped reads (CSRs and sales reps) filter on the rep before the day.
CREATE INDEX analytics_daily_rep ON analytics_daily (company_id, rep_key, day);

-- Lead counts per quality and source: the lead analytics' totals and distributions.
CREATE TABLE lead_daily (
    company_id TEXT NOT NULL,
    day TEXT NOT NULL,
    rep_key TEXT NOT NULL,
    lead_status TEXT NOT NULL,
    lead_source TEXT NOT NULL,
    calls INTEGER NOT NULL,
    lead_score_sum REAL NOT NULL,
    PRIMARY KEY (company_id, day, rep_key, lead_status, lead_source)
);
CREATE INDEX lead_daily_rep ON lead_daily (company_id, rep_key, day);

-- Per objection type: objection rows (rep performance counts rows) and distinct calls (objection
-- analytics count calls). A call falls on one day and one rep, so distinct calls add up over days.
CREATE TABLE objection_daily (
    company_id TEXT NOT NULL,
    day TEXT NOT NULL,
    rep_key TEXT NOT NULL,
    objection_type TEXT NOT NULL,
    rows_raised INTEGER NOT NULL,
    rows_handled INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    calls_handled INTEGER NOT NULL,
    calls_converted INTEGER NOT NULL,
    PRIMARY KEY (company_id, day, rep_key, objection_type)
);
CREATE INDEX objection_daily_rep ON objection_daily (company_id, rep_key, day);

-- Per SOP stage: calls checked and calls where the stage was performed. The order is part of
-- the key because compliance reports the lowest order a stage had in the range.
CREATE TABLE stage_daily (
    company_id TEXT NOT NULL,
    day TEXT NOT NULL,
    rep_key TEXT NOT NULL,
    stage_name TEXT NOT NULL,
    stage_order INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    performed INTEGER NOT NULL,
    PRIMARY KEY (company_id, day, rep_key, stage_name, stage_order)
);
CREATE INDEX stage_daily_rep ON stage_daily (company_id, rep_key, day);

-- The leads page still lists individual calls (`ORDER BY key dir, call_id ASC LIMIT n`): an index
-- per sort key, with rep and quality variants, lets a page be an index scan that stops at LIMIT.
-- Score and time rarely tie, so their few ties are sorted on the fly; a source is shared by many
-- calls, so call_id is in the index in both directions.
CREATE INDEX call_facts_company_score ON call_facts (company_id, lead_score, call_id);
CREATE INDEX call_facts_company_rep_score ON call_facts (company_id, rep_id, lead_score, call_id);
CREATE INDEX call_facts_company_quality_time ON call_facts (company_id, lead_status, occurred_at);
CREATE INDEX call_facts_company_source_asc ON call_facts (company_id, lead_source, call_id);
CREATE INDEX call_facts_company_source_desc ON call_facts (company_id, lead_source DESC, call_id);

-- rollup backfill begin (`cargo xtask bench analytics` runs this part after seeding raw facts)
INSERT INTO analytics_daily (company_id, day, rep_key, calls, appointments_set, sold, converted, qualified,
    with_objections, objections_raised, objections_handled, duration_sum, duration_n, lead_score_sum,
    compliance_sum, compliance_n)
SELECT f.company_id, date(f.occurred_at), COALESCE(f.rep_id, ''), COUNT(*),
    SUM(CASE WHEN f.outcome = 'appointment_set' THEN 1 ELSE 0 END),
    SUM(CASE WHEN f.outcome = 'sold' THEN 1 ELSE 0 END),
    SUM(CASE WHEN f.outcome IN ('appointment_set', 'sold') THEN 1 ELSE 0 END),
    SUM(CASE WHEN f.qualified THEN 1 ELSE 0 END),
    SUM(CASE WHEN f.objection_count > 0 THEN 1 ELSE 0 END),
    COALESCE(SUM(o.raised), 0), COALESCE(SUM(o.handled), 0),
    COALESCE(SUM(f.duration_seconds), 0), COUNT(f.duration_seconds),
    SUM(f.lead_score), COALESCE(SUM(f.compliance_score), 0), COUNT(f.compliance_score)
FROM call_facts f LEFT JOIN (
    SELECT company_id, call_id, COUNT(*) AS raised, SUM(CASE WHEN handled THEN 1 ELSE 0 END) AS handled
    FROM call_objection_facts GROUP BY company_id, call_id
) o ON o.company_id = f.company_id AND o.call_id = f.call_id
GROUP BY f.company_id, date(f.occurred_at), COALESCE(f.rep_id, '');

INSERT INTO lead_daily (company_id, day, rep_key, lead_status, lead_source, calls, lead_score_sum)
SELECT company_id, date(occurred_at), COALESCE(rep_id, ''), lead_status, lead_source,
    COUNT(*), SUM(lead_score)
FROM call_facts
GROUP BY company_id, date(occurred_at), COALESCE(rep_id, ''), lead_status, lead_source;

INSERT INTO objection_daily (company_id, day, rep_key, objection_type, rows_raised, rows_handled, calls,
    calls_handled, calls_converted)
SELECT o.company_id, date(o.occurred_at), COALESCE(o.rep_id, ''), o.objection_type,
    SUM(o.raised), SUM(o.handled), COUNT(*), SUM(CASE WHEN o.handled > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN f.outcome IN ('appointment_set', 'sold') THEN 1 ELSE 0 END)
FROM (
    SELECT company_id, call_id, objection_type, MIN(rep_id) AS rep_id, MIN(occurred_at) AS occurred_at,
        COUNT(*) AS raised, SUM(CASE WHEN handled THEN 1 ELSE 0 END) AS handled
    FROM call_objection_facts GROUP BY company_id, call_id, objection_type
) o JOIN call_facts f ON f.company_id = o.company_id AND f.call_id = o.call_id
GROUP BY o.company_id, date(o.occurred_at), COALESCE(o.rep_id, ''), o.objection_type;

INSERT INTO stage_daily (company_id, day, rep_key, stage_name, stage_order, calls, performed)
SELECT company_id, date(occurred_at), COALESCE(rep_id, ''), stage_name, stage_order,
    COUNT(*), SUM(CASE WHEN performed THEN 1 ELSE 0 END)
FROM call_stage_facts
GROUP BY company_id, date(occurred_at), COALESCE(rep_id, ''), stage_name, stage_order;
-- rollup backfill end
