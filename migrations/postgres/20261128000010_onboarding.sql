-- Onboarding: journeys with ordered stages, intake form fields (per journey, or the agency's default form
-- when journey_id is null), onboarding instances with a hashed public link, per-stage statuses with
-- platform verifications, the transition history and the intake responses (drafts until submitted).
-- The link expiry is an agency policy (agency.onboarding_link_days), not a journey property: it is about
-- how long a secret lives, which does not depend on the template. Every agency gets the default journey
-- and intake form here; new agencies get them at sign-up.

alter table agency add column onboarding_link_days integer not null default 30;
alter table agency add column logo_url text;

create table onboarding_journey (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    name text not null,
    intro text,
    welcome_video_url text,
    is_default boolean not null default false,
    archived_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint onboarding_journey_agency_id_key unique (agency_id, id),
    constraint onboarding_journey_default_check check (is_default = false or archived_at is null)
);
create unique index onboarding_journey_default_key on onboarding_journey (agency_id) where is_default = true;
create index onboarding_journey_agency_idx on onboarding_journey (agency_id, archived_at, name);

create table onboarding_stage (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    journey_id uuid not null,
    name text not null,
    position integer not null,
    -- JSON array of platform codes to verify, e.g. ["FB","GA","SH"]
    platforms jsonb not null default '[]',
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint onboarding_stage_agency_id_key unique (agency_id, id),
    constraint onboarding_stage_journey_fkey foreign key (agency_id, journey_id)
        references onboarding_journey (agency_id, id) on delete cascade,
    constraint onboarding_stage_position_check check (position >= 0)
);
create index onboarding_stage_agency_journey_idx on onboarding_stage (agency_id, journey_id, position);

create table intake_form_field (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    journey_id uuid,
    label text not null,
    field_type text not null,
    placeholder text,
    required boolean not null default false,
    pattern text,
    options jsonb not null default '[]',
    position integer not null,
    archived_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint intake_form_field_agency_id_key unique (agency_id, id),
    constraint intake_form_field_journey_fkey foreign key (agency_id, journey_id)
        references onboarding_journey (agency_id, id) on delete cascade,
    constraint intake_form_field_type_check
        check (field_type in ('text', 'email', 'url', 'number', 'textarea', 'select', 'date'))
);
create index intake_form_field_agency_journey_idx on intake_form_field (agency_id, journey_id, position);

create table onboarding_instance (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    client_id uuid not null references client (id) on delete cascade,
    journey_id uuid not null,
    current_stage_id uuid not null,
    status text not null default 'pending',
    -- HMAC digest of the public link token; the token itself is never stored
    link_token_hash text not null,
    link_created_at timestamptz not null,
    link_expires_at timestamptz not null,
    link_revoked_at timestamptz,
    created_by uuid references app_user (id) on delete set null,
    submitted_at timestamptz,
    completed_at timestamptz,
    version integer not null default 1,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint onboarding_instance_agency_id_key unique (agency_id, id),
    constraint onboarding_instance_link_token_hash_key unique (link_token_hash),
    constraint onboarding_instance_journey_fkey foreign key (agency_id, journey_id)
        references onboarding_journey (agency_id, id),
    constraint onboarding_instance_stage_fkey foreign key (agency_id, current_stage_id)
        references onboarding_stage (agency_id, id),
    constraint onboarding_instance_status_check
        check (status in ('pending', 'in_progress', 'completed', 'cancelled'))
);
create index onboarding_instance_agency_idx on onboarding_instance (agency_id, created_at, id);
-- one running onboarding per client (completed and cancelled ones are history)
create unique index onboarding_instance_active_client_key on onboarding_instance (agency_id, client_id)
    where status in ('pending', 'in_progress');
create index onboarding_instance_agency_client_idx on onboarding_instance (agency_id, client_id);
create index onboarding_instance_agency_stage_idx on onboarding_instance (agency_id, current_stage_id);

create table onboarding_stage_status (
    instance_id uuid not null,
    stage_id uuid not null,
    agency_id uuid not null references agency (id) on delete cascade,
    status text not null default 'pending',
    blocked_reason text,
    -- JSON object platform code -> pending | verified | failed
    platform_statuses jsonb not null default '{}',
    completed_at timestamptz,
    completed_by uuid references app_user (id) on delete set null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint onboarding_stage_status_pkey primary key (instance_id, stage_id),
    constraint onboarding_stage_status_instance_fkey foreign key (agency_id, instance_id)
        references onboarding_instance (agency_id, id) on delete cascade,
    constraint onboarding_stage_status_stage_fkey foreign key (agency_id, stage_id)
        references onboarding_stage (agency_id, id),
    constraint onboarding_stage_status_check check (status in ('pending', 'in_progress', 'completed', 'blocked')),
    constraint onboarding_stage_status_reason_check check (status <> 'blocked' or blocked_reason is not null)
);
create index onboarding_stage_status_agency_stage_idx on onboarding_stage_status (agency_id, stage_id);

-- Stage names are copied so history survives a renamed or removed stage.
create table onboarding_transition (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    instance_id uuid not null,
    stage_id uuid not null,
    stage_name text not null,
    action text not null,
    from_status text,
    to_status text,
    reason text,
    -- null: the client, through the public form
    actor_user_id uuid references app_user (id) on delete set null,
    created_at timestamptz not null,
    constraint onboarding_transition_instance_fkey foreign key (agency_id, instance_id)
        references onboarding_instance (agency_id, id) on delete cascade
);
create index onboarding_transition_agency_instance_idx on onboarding_transition (agency_id, instance_id, created_at);

-- The composite foreign keys make a response of one agency's instance to another agency's field impossible.
create table intake_response (
    instance_id uuid not null,
    field_id uuid not null,
    agency_id uuid not null references agency (id) on delete cascade,
    value text not null,
    -- null while it is a draft
    submitted_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint intake_response_pkey primary key (instance_id, field_id),
    constraint intake_response_instance_fkey foreign key (agency_id, instance_id)
        references onboarding_instance (agency_id, id) on delete cascade,
    constraint intake_response_field_fkey foreign key (agency_id, field_id)
        references intake_form_field (agency_id, id) on delete cascade
);
create index intake_response_agency_field_idx on intake_response (agency_id, field_id);

-- The defaults for agencies that exist already (new ones get them at sign-up, with UUIDv7 ids).
insert into onboarding_journey (id, agency_id, name, intro, welcome_video_url, is_default, created_at, updated_at)
select gen_random_uuid(), a.id, 'Standard onboarding',
       'Welcome! Tell us about your business so we can set up your accounts.', null, true, a.created_at, a.created_at
from agency a;

insert into onboarding_stage (id, agency_id, journey_id, name, position, platforms, created_at, updated_at)
select gen_random_uuid(), j.agency_id, j.id, s.name, s.position, cast(s.platforms as jsonb), j.created_at, j.created_at
from onboarding_journey j,
     (select 'Intake Received' as name, 0 as position, '[]' as platforms
      union all select 'Access Verified', 1, '["FB","GA","SH"]'
      union all select 'Pixel Install', 2, '[]'
      union all select 'Audit Complete', 3, '[]'
      union all select 'Live Support', 4, '[]') s;

insert into intake_form_field (id, agency_id, journey_id, label, field_type, placeholder, required, pattern, options, position, created_at, updated_at)
select gen_random_uuid(), a.id, null, f.label, f.field_type, f.placeholder, f.required, f.pattern, cast(f.options as jsonb), f.position, a.created_at, a.created_at
from agency a,
     (select 'Business name' as label, 'text' as field_type, 'Acme Outdoor Co.' as placeholder, true as required, cast(null as text) as pattern, '[]' as options, 0 as position
      union all select 'Contact email', 'email', 'you@example.com', true, null, '[]', 1
      union all select 'Website', 'url', 'https://example.com', true, null, '[]', 2
      union all select 'Store platform', 'select', null, true, null, '["Shopify","WooCommerce","BigCommerce","Custom"]', 3
      union all select 'Monthly ad budget (USD)', 'number', '5000', false, null, '[]', 4
      union all select 'Meta Pixel ID', 'text', '123456789012345', false, '[0-9]{15,16}', '[]', 5
      union all select 'Google Tag Manager ID', 'text', 'GTM-5K7QZ2M', false, 'GTM-[A-Z0-9]{4,10}', '[]', 6
      union all select 'Preferred launch date', 'date', null, false, null, '[]', 7
      union all select 'Goals for the first 90 days', 'textarea', null, false, null, '[]', 8) f;

-- Grant the new onboarding resource to the system roles of existing agencies (as at sign-up).
insert into role_permission (role_id, agency_id, resource, action, created_at)
select r.id, r.agency_id, 'onboarding',
       case r.system_role when 'owner' then 'manage' when 'admin' then 'manage' when 'manager' then 'write' else 'read' end,
       r.created_at
from role r where r.system_role in ('owner', 'admin', 'manager', 'member');
