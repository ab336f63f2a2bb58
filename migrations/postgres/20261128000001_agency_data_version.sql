-- A counter bumped after every write to an agency's data (by the request middleware, the jobs and the CLI).
-- Hot reads (the client list, the dashboard) are cached under it, so a write makes them stale at once, on
-- every API instance, without any instance having to tell the others.
alter table agency add column data_version bigint not null default 0;
