-- Tenant and rep scope as full-text tokens (SQLite only; PostgreSQL filters with its planner).
--
-- FTS5 scores every row its expression matches before the tenant and rep filters of the same
-- statement can reject it, so a rep's question used to walk the whole company's (and every
-- other tenant's) matches. With the scope in the index, `fts_scope : "r..."` intersects the
-- posting lists instead. The SQL filters stay in the statement and remain authoritative: the
-- tokens only narrow the work. Tokens are hex so that any id is one token:
--   t<company>            every chunk of the company
--   d<company>            its documents
--   r<company>x<rep>      its calls of one rep (an empty rep for calls without one)
ALTER TABLE chunks ADD COLUMN fts_scope TEXT GENERATED ALWAYS AS (
    't' || hex(company_id) || ' ' ||
    CASE WHEN source_type = 'document' THEN 'd' || hex(company_id)
         ELSE 'r' || hex(company_id) || 'x' || hex(coalesce(rep_id, '')) END
) VIRTUAL;

DROP TRIGGER chunks_ai;
DROP TRIGGER chunks_ad;
DROP TRIGGER chunks_au;
DROP TABLE chunks_fts;

CREATE VIRTUAL TABLE chunks_fts USING fts5(
    title, text, fts_scope, content='chunks', content_rowid='rowid', tokenize='porter unicode61'
);
INSERT INTO chunks_fts (chunks_fts) VALUES ('rebuild');

CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, title, text, fts_scope) VALUES (new.rowid, new.title, new.text, new.fts_scope);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, title, text, fts_scope)
    VALUES ('delete', old.rowid, old.title, old.text, old.fts_scope);
END;
CREATE TRIGGER chunks_au AFTER UPDATE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, title, text, fts_scope)
    VALUES ('delete', old.rowid, old.title, old.text, old.fts_scope);
    INSERT INTO chunks_fts (rowid, title, text, fts_scope) VALUES (new.rowid, new.title, new.text, new.fts_scope);
END;
