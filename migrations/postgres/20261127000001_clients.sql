-- Clients and their pipeline: per-agency stages and health thresholds, clients with owner,
-- collaborators and labels, stage history, notes, tasks, files, alerts, notifications and daily KPI
-- snapshots. Money is whole cents (bigint) so it is exact on both backends.

alter table agency add column health_yellow_days integer not null default 7;
alter table agency add column health_red_days integer not null default 14;

create table pipeline_stage (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    name text not null,
    position integer not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint pipeline_stage_agency_name_key unique (agency_id, name)
);
create index pipeline_stage_agency_idx on pipeline_stage (agency_id, position);

create table client (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    name text not null,
    contact_name text,
    contact_email text,
    -- lower-cased contact email: the key of CSV upserts, unique per agency
    contact_email_norm text,
    website text,
    -- lower-cased name, contact and website, for search
    search_text text not null default '',
    stage_id uuid not null references pipeline_stage (id),
    stage_entered_at timestamptz not null,
    health text not null default 'green',
    health_reasons jsonb not null default '[]',
    install_date date,
    total_spend_cents bigint not null default 0,
    lifetime_value_cents bigint not null default 0,
    due_date date,
    owner_id uuid references app_user (id) on delete set null,
    archived_at timestamptz,
    last_activity_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint client_health_check check (health in ('green', 'yellow', 'red')),
    constraint client_money_check check (total_spend_cents >= 0 and lifetime_value_cents >= 0)
);
create unique index client_contact_email_key on client (agency_id, contact_email_norm) where contact_email_norm is not null;
create index client_agency_updated_idx on client (agency_id, updated_at);
create index client_agency_stage_idx on client (agency_id, stage_id);
create index client_agency_health_idx on client (agency_id, health);
create index client_agency_owner_idx on client (agency_id, owner_id);
create index client_agency_due_idx on client (agency_id, due_date);
create index client_agency_name_idx on client (agency_id, name);

create table client_collaborator (
    client_id uuid not null references client (id) on delete cascade,
    user_id uuid not null references app_user (id) on delete cascade,
    agency_id uuid not null references agency (id) on delete cascade,
    created_at timestamptz not null,
    constraint client_collaborator_pkey primary key (client_id, user_id)
);
create index client_collaborator_user_idx on client_collaborator (user_id);

create table label (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    name text not null,
    color text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint label_agency_name_key unique (agency_id, name)
);

create table client_label (
    client_id uuid not null references client (id) on delete cascade,
    label_id uuid not null references label (id) on delete cascade,
    agency_id uuid not null references agency (id) on delete cascade,
    created_at timestamptz not null,
    constraint client_label_pkey primary key (client_id, label_id)
);
create index client_label_label_idx on client_label (label_id);

-- Stage names are copied so history survives a renamed or deleted stage.
create table stage_event (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    client_id uuid not null references client (id) on delete cascade,
    from_stage_id uuid,
    from_stage_name text,
    to_stage_id uuid not null,
    to_stage_name text not null,
    moved_by uuid references app_user (id) on delete set null,
    moved_at timestamptz not null,
    note text,
    created_at timestamptz not null
);
create index stage_event_client_idx on stage_event (client_id, moved_at);
create index stage_event_agency_idx on stage_event (agency_id, moved_at);

create table note (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    client_id uuid not null references client (id) on delete cascade,
    author_id uuid references app_user (id) on delete set null,
    body text not null,
    edited_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index note_client_idx on note (client_id, created_at);
create index note_agency_idx on note (agency_id, created_at);

create table task (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    client_id uuid not null references client (id) on delete cascade,
    title text not null,
    description text,
    assignee_id uuid references app_user (id) on delete set null,
    due_date date,
    done_at timestamptz,
    done_by uuid references app_user (id) on delete set null,
    position integer not null default 0,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index task_client_idx on task (client_id, position);
create index task_agency_open_idx on task (agency_id, done_at, due_date);

create table client_file (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    client_id uuid not null references client (id) on delete cascade,
    name text not null,
    content_type text not null,
    size_bytes bigint not null,
    sha256 text not null,
    -- the object's key in the object store
    object_key text not null,
    uploaded_by uuid references app_user (id) on delete set null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index client_file_client_idx on client_file (client_id, created_at);

create table alert (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    client_id uuid references client (id) on delete cascade,
    alert_type text not null,
    severity text not null,
    status text not null default 'active',
    title text not null,
    description text not null default '',
    reasons jsonb not null default '[]',
    -- the condition the alert is about (e.g. `stage_overdue:<client>:<stage>`): one open alert per condition
    dedupe_key text not null,
    snoozed_until timestamptz,
    escalated_to uuid references app_user (id) on delete set null,
    escalated_by uuid references app_user (id) on delete set null,
    escalated_at timestamptz,
    closed_at timestamptz,
    closed_by uuid references app_user (id) on delete set null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint alert_severity_check check (severity in ('low', 'medium', 'high', 'critical')),
    constraint alert_status_check check (status in ('active', 'snoozed', 'escalated', 'dismissed', 'resolved'))
);
create unique index alert_open_condition_key on alert (agency_id, dedupe_key) where status in ('active', 'snoozed', 'escalated');
create index alert_agency_idx on alert (agency_id, status, created_at);
create index alert_client_idx on alert (client_id, status);

create table notification (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    user_id uuid not null references app_user (id) on delete cascade,
    kind text not null,
    title text not null,
    body text not null default '',
    link text,
    read_at timestamptz,
    created_at timestamptz not null
);
create index notification_user_idx on notification (user_id, created_at);

create table kpi_snapshot (
    agency_id uuid not null references agency (id) on delete cascade,
    day date not null,
    metrics jsonb not null default '{}',
    created_at timestamptz not null,
    constraint kpi_snapshot_pkey primary key (agency_id, day)
);
