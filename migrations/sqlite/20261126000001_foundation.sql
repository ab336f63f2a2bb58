-- Foundation: tenants, people, roles and permissions, sessions, API keys, password resets, audit log,
-- the durable job queue and the email outbox.

create table agency (
    id blob primary key not null,
    name text not null,
    slug text not null,
    timezone text not null default 'UTC',
    created_at text not null,
    updated_at text not null,
    constraint agency_slug_key unique (slug)
);

create table role (
    id blob primary key not null,
    agency_id blob not null references agency (id) on delete cascade,
    name text not null,
    description text not null default '',
    system_role text,
    hierarchy_level integer,
    is_system boolean not null default false,
    created_at text not null,
    updated_at text not null,
    constraint role_agency_name_key unique (agency_id, name),
    constraint role_system_level_check check (is_system = false or hierarchy_level is not null)
);

create table role_permission (
    role_id blob not null references role (id) on delete cascade,
    agency_id blob not null references agency (id) on delete cascade,
    resource text not null,
    action text not null,
    created_at text not null,
    constraint role_permission_pkey primary key (role_id, resource),
    constraint role_permission_action_check check (action in ('read', 'write', 'manage'))
);

create table app_user (
    id blob primary key not null,
    agency_id blob not null references agency (id) on delete cascade,
    role_id blob not null references role (id),
    email text not null,
    first_name text not null,
    last_name text not null,
    password_hash text not null,
    is_owner boolean not null default false,
    is_active boolean not null default true,
    last_active_at text,
    created_at text not null,
    updated_at text not null,
    constraint app_user_email_key unique (email)
);
create index app_user_agency_idx on app_user (agency_id);

create table session (
    id blob primary key not null,
    user_id blob not null references app_user (id) on delete cascade,
    agency_id blob not null references agency (id) on delete cascade,
    token_hash text not null,
    csrf_token text not null,
    ip text,
    user_agent text,
    created_at text not null,
    updated_at text not null,
    last_seen_at text not null,
    idle_expires_at text not null,
    absolute_expires_at text not null,
    revoked_at text,
    constraint session_token_hash_key unique (token_hash)
);
create index session_user_idx on session (user_id);

create table api_key (
    id blob primary key not null,
    agency_id blob not null references agency (id) on delete cascade,
    created_by blob not null references app_user (id) on delete cascade,
    role_id blob not null references role (id),
    name text not null,
    prefix text not null,
    key_hash text not null,
    created_at text not null,
    updated_at text not null,
    expires_at text not null,
    last_used_at text,
    revoked_at text,
    constraint api_key_key_hash_key unique (key_hash)
);
create index api_key_agency_idx on api_key (agency_id, created_at);

create table password_reset (
    id blob primary key not null,
    user_id blob not null references app_user (id) on delete cascade,
    token_hash text not null,
    created_at text not null,
    updated_at text not null,
    expires_at text not null,
    used_at text,
    constraint password_reset_token_hash_key unique (token_hash)
);

create table audit_log (
    id blob primary key not null,
    agency_id blob references agency (id) on delete cascade,
    actor_user_id blob references app_user (id) on delete set null,
    action text not null,
    outcome text not null,
    ip text,
    metadata text not null default '{}',
    created_at text not null,
    updated_at text not null,
    constraint audit_log_outcome_check check (outcome in ('success', 'failure', 'denied'))
);
create index audit_log_agency_idx on audit_log (agency_id, created_at);

create table job (
    id blob primary key not null,
    kind text not null,
    payload text not null default '{}',
    status text not null default 'queued',
    attempts integer not null default 0,
    max_attempts integer not null default 5,
    run_at text not null,
    lease_until text,
    locked_by text,
    last_error text,
    idempotency_key text,
    created_at text not null,
    updated_at text not null,
    constraint job_idempotency_key unique (idempotency_key),
    constraint job_status_check check (status in ('queued', 'running', 'done', 'failed'))
);
create index job_due_idx on job (status, run_at);

create table email_outbox (
    id blob primary key not null,
    agency_id blob references agency (id) on delete cascade,
    to_address text not null,
    subject text not null,
    body_text text not null,
    body_html text,
    status text not null default 'queued',
    attempts integer not null default 0,
    last_error text,
    sent_at text,
    created_at text not null,
    updated_at text not null,
    constraint email_outbox_status_check check (status in ('queued', 'sent', 'failed'))
);
