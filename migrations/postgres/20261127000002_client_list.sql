-- The client list: a lower-cased name to sort by (byte order, as on SQLite), and (agency, sort key, id)
-- indexes so each sort and its keyset cursor are served by an index. They replace the two-column indexes of the same sort keys.

alter table client add column name_sort text collate "C" not null default '';
update client set name_sort = lower(name);

drop index client_agency_updated_idx;
drop index client_agency_name_idx;
drop index client_agency_due_idx;
drop index client_agency_stage_idx;
drop index client_agency_health_idx;
create index client_list_updated_idx on client (agency_id, updated_at, id);
create index client_list_name_idx on client (agency_id, name_sort, id);
create index client_list_entered_idx on client (agency_id, stage_entered_at, id);
create index client_list_due_idx on client (agency_id, due_date, id);
-- the stage and health sorts read one stage (one health) at a time, in id order; also their filters
create index client_list_stage_idx on client (agency_id, stage_id, id);
create index client_list_health_idx on client (agency_id, health, id);
-- the foreign key check of a stage delete, and the stage counts of the board
create index client_stage_idx on client (stage_id, archived_at);
