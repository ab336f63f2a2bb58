-- The firehose's due-task branch walks the agency's open, dated tasks newest due date first and stops
-- at the page size, and its alert branch the agency's alerts newest first, instead of sorting all of
-- them on every cold read (issue 19: 15,000 open tasks and 7,000 open alerts took the statement from
-- 24 ms to about 1 ms). The keyset of both branches compares these plain columns.
create index task_agency_due_idx on task (agency_id, due_date desc, id desc)
    where done_at is null and due_date is not null;
create index alert_agency_created_idx on alert (agency_id, created_at desc, id desc);
