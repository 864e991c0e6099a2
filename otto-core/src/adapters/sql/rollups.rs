//! The daily analytics rollups (`analytics_daily`, `lead_daily`, `objection_daily`,
//! `stage_daily`, migration 0011): the statements that keep them exact when a call's facts are
//! replaced, shared by SQLite and PostgreSQL.
//!
//! A call's contribution is computed from its own fact rows, so the same statement removes it
//! (sign -1, before the old facts are deleted) and adds it (sign +1, after the new facts are
//! inserted). Updates are relative (`x = x + excluded.x`) inside the writer's transaction, so two
//! calls landing on the same rollup row never lose each other's increments. Only the UTC day
//! expression differs between the databases; the backend passes it in.
//!
//! Rows that drop to zero calls are deleted; the readers also skip `calls = 0` rows, so a row
//! left at zero (or with a float residue in a sum) never shows up as a rep, type or stage.

use super::followups::converted;

/// `$1` company, `$2` call, `$3` sign (+1 or -1). One statement per rollup table; each selects
/// the call's facts grouped by the rollup key (zero rows when the call has no facts yet) and
/// adds them to the stored row. Rows come out in key order so concurrent writers lock rollup
/// rows in the same order.
pub(crate) fn apply_statements(day: impl Fn(&str) -> String) -> [String; 4] {
    let conv = converted("f.");
    let fday = day("f.occurred_at");
    let oday = day("o.occurred_at");
    let pday = day("occurred_at");
    let analytics = format!(
        "INSERT INTO analytics_daily (company_id, day, rep_key, calls, appointments_set, sold, converted, qualified, \
         with_objections, objections_raised, objections_handled, duration_sum, duration_n, lead_score_sum, \
         compliance_sum, compliance_n) \
         SELECT f.company_id, {fday}, COALESCE(f.rep_id, ''), $3 * COUNT(*), \
         $3 * SUM(CASE WHEN f.outcome = 'appointment_set' THEN 1 ELSE 0 END), \
         $3 * SUM(CASE WHEN f.outcome = 'sold' THEN 1 ELSE 0 END), \
         $3 * SUM(CASE WHEN {conv} THEN 1 ELSE 0 END), \
         $3 * SUM(CASE WHEN f.qualified THEN 1 ELSE 0 END), \
         $3 * SUM(CASE WHEN f.objection_count > 0 THEN 1 ELSE 0 END), \
         $3 * COALESCE(SUM(o.raised), 0), $3 * COALESCE(SUM(o.handled), 0), \
         $3 * COALESCE(SUM(f.duration_seconds), 0), $3 * COUNT(f.duration_seconds), \
         $3 * SUM(f.lead_score), $3 * COALESCE(SUM(f.compliance_score), 0), $3 * COUNT(f.compliance_score) \
         FROM call_facts f LEFT JOIN (SELECT call_id, COUNT(*) AS raised, \
         SUM(CASE WHEN handled THEN 1 ELSE 0 END) AS handled FROM call_objection_facts \
         WHERE company_id = $1 AND call_id = $2 GROUP BY call_id) o ON o.call_id = f.call_id \
         WHERE f.company_id = $1 AND f.call_id = $2 \
         GROUP BY f.company_id, {fday}, COALESCE(f.rep_id, '') \
         ON CONFLICT (company_id, day, rep_key) DO UPDATE SET \
         calls = analytics_daily.calls + excluded.calls, \
         appointments_set = analytics_daily.appointments_set + excluded.appointments_set, \
         sold = analytics_daily.sold + excluded.sold, \
         converted = analytics_daily.converted + excluded.converted, \
         qualified = analytics_daily.qualified + excluded.qualified, \
         with_objections = analytics_daily.with_objections + excluded.with_objections, \
         objections_raised = analytics_daily.objections_raised + excluded.objections_raised, \
         objections_handled = analytics_daily.objections_handled + excluded.objections_handled, \
         duration_sum = analytics_daily.duration_sum + excluded.duration_sum, \
         duration_n = analytics_daily.duration_n + excluded.duration_n, \
         lead_score_sum = analytics_daily.lead_score_sum + excluded.lead_score_sum, \
         compliance_sum = analytics_daily.compliance_sum + excluded.compliance_sum, \
         compliance_n = analytics_daily.compliance_n + excluded.compliance_n"
    );
    let leads = format!(
        "INSERT INTO lead_daily (company_id, day, rep_key, lead_status, lead_source, calls, lead_score_sum) \
         SELECT company_id, {pday}, COALESCE(rep_id, ''), lead_status, lead_source, $3 * COUNT(*), \
         $3 * SUM(lead_score) FROM call_facts WHERE company_id = $1 AND call_id = $2 \
         GROUP BY company_id, {pday}, COALESCE(rep_id, ''), lead_status, lead_source \
         ON CONFLICT (company_id, day, rep_key, lead_status, lead_source) DO UPDATE SET \
         calls = lead_daily.calls + excluded.calls, \
         lead_score_sum = lead_daily.lead_score_sum + excluded.lead_score_sum"
    );
    // Per type, the call counts once (`calls`), once if any of its objections of that type was
    // handled, and once if the call converted: objection analytics count distinct calls.
    let objections = format!(
        "INSERT INTO objection_daily (company_id, day, rep_key, objection_type, rows_raised, rows_handled, calls, \
         calls_handled, calls_converted) \
         SELECT o.company_id, {oday}, COALESCE(o.rep_id, ''), o.objection_type, $3 * COUNT(*), \
         $3 * SUM(CASE WHEN o.handled THEN 1 ELSE 0 END), $3 * COUNT(DISTINCT o.call_id), \
         $3 * MAX(CASE WHEN o.handled THEN 1 ELSE 0 END), $3 * MAX(CASE WHEN {conv} THEN 1 ELSE 0 END) \
         FROM call_objection_facts o JOIN call_facts f ON f.company_id = o.company_id AND f.call_id = o.call_id \
         WHERE o.company_id = $1 AND o.call_id = $2 \
         GROUP BY o.company_id, {oday}, COALESCE(o.rep_id, ''), o.objection_type ORDER BY o.objection_type \
         ON CONFLICT (company_id, day, rep_key, objection_type) DO UPDATE SET \
         rows_raised = objection_daily.rows_raised + excluded.rows_raised, \
         rows_handled = objection_daily.rows_handled + excluded.rows_handled, \
         calls = objection_daily.calls + excluded.calls, \
         calls_handled = objection_daily.calls_handled + excluded.calls_handled, \
         calls_converted = objection_daily.calls_converted + excluded.calls_converted"
    );
    let stages = format!(
        "INSERT INTO stage_daily (company_id, day, rep_key, stage_name, stage_order, calls, performed) \
         SELECT company_id, {pday}, COALESCE(rep_id, ''), stage_name, stage_order, $3 * COUNT(*), \
         $3 * SUM(CASE WHEN performed THEN 1 ELSE 0 END) FROM call_stage_facts \
         WHERE company_id = $1 AND call_id = $2 \
         GROUP BY company_id, {pday}, COALESCE(rep_id, ''), stage_name, stage_order \
         ORDER BY stage_name, stage_order \
         ON CONFLICT (company_id, day, rep_key, stage_name, stage_order) DO UPDATE SET \
         calls = stage_daily.calls + excluded.calls, performed = stage_daily.performed + excluded.performed"
    );
    [analytics, leads, objections, stages]
}

/// `$1` company, `$2` call: deletes the rollup rows of the call's (day, rep) that hold no call
/// any more. Run after subtracting the call and before deleting its facts (they name the key).
pub(crate) fn prune_statements(day: impl Fn(&str) -> String) -> Vec<String> {
    let pday = day("occurred_at");
    ["analytics_daily", "lead_daily", "objection_daily", "stage_daily"]
        .iter()
        .map(|table| {
            format!(
                "DELETE FROM {table} WHERE company_id = $1 AND calls = 0 \
                 AND day = (SELECT {pday} FROM call_facts WHERE company_id = $1 AND call_id = $2) \
                 AND rep_key = (SELECT COALESCE(rep_id, '') FROM call_facts WHERE company_id = $1 AND call_id = $2)"
            )
        })
        .collect()
}
