-- Postgres's word index gains each thread's client in this migration (see its file). SQLite has no word
-- index; nothing changes here. The file exists because both backends keep the same list of migrations.
select 1;
