-- Postgres gains an ordered word index for the inbox search in this migration (see its file). SQLite's
-- search stays on the contentless FTS5 table communication_thread_fts; nothing changes here. The file
-- exists because both backends keep the same list of migrations.
select 1;
