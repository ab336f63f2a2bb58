-- Dashboard KPIs without reading client rows: the active clients' health, stage and stage entry time are
-- counted and averaged from this index alone.
create index client_kpi_idx on client (agency_id, archived_at, health, stage_id, stage_entered_at);
-- The (few) archived clients of an agency, so the KPIs subtract their open tasks from the agency's count
-- (an index-only count) instead of testing every open task's client.
create index client_archived_idx on client (agency_id) where archived_at is not null;
