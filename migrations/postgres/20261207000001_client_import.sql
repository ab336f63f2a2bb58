-- A CSV import run as a durable job (issue 18): the file, how far the job has written (batches commit
-- their rows and the progress in one transaction, so a killed job resumes after its last batch, never
-- writing a row twice), the counts so far, and the per-row report once done. The file is cleared then.
create table client_import (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    created_by uuid references app_user (id) on delete set null,
    -- The creator's client scope when the import started (a Member's import may only update their clients).
    client_scope uuid,
    status text not null default 'queued',
    file_name text,
    csv text not null,
    total_rows integer not null,
    processed_rows integer not null default 0,
    -- The last file line whose batch is written (1, the header, before the first batch).
    last_line integer not null default 1,
    created_count integer not null default 0,
    updated_count integer not null default 0,
    errors jsonb not null default '[]',
    failure text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    finished_at timestamptz,
    constraint client_import_status_check check (status in ('queued', 'running', 'done', 'failed'))
);
create index client_import_agency_idx on client_import (agency_id, created_at);
