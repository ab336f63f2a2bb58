-- SEO enrichment: the latest summary fetched for a client (one row per client, replaced on every
-- enrichment), and every call made to the provider per agency (each try of each endpoint), for the cost
-- report. `cost_micros` is what the provider reported charging, in millionths of a USD.

create table client_seo (
    client_id uuid primary key not null references client (id) on delete cascade,
    agency_id uuid not null references agency (id) on delete cascade,
    domain text not null,
    summary jsonb not null,
    fetched_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index client_seo_agency_idx on client_seo (agency_id);

create table seo_call (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    at timestamptz not null,
    endpoint text not null,
    outcome text not null,
    cost_micros bigint not null default 0,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint seo_call_outcome_check check (outcome in ('ok', 'rate_limited', 'server_error', 'timeout', 'network_error', 'rejected')),
    constraint seo_call_cost_check check (cost_micros >= 0)
);
create index seo_call_agency_at_idx on seo_call (agency_id, at);
