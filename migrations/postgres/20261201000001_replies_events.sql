-- Replies sent from the communications hub, and the event log live updates are read from.

-- The outbox of replies. A reply is saved `queued` before the provider is called, then `sent` (with the
-- provider's message id) or `failed` (with the reason, retryable). The Idempotency-Key of the request that
-- created it is unique per agency, so a repeated request finds the first reply and never sends twice;
-- request_hash tells a replay from a different request reusing the key.
create table communication_reply (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    client_id uuid not null references client (id) on delete cascade,
    platform text not null,
    thread_key text not null,
    in_reply_to uuid references communication (id) on delete set null,
    author_id uuid references app_user (id) on delete set null,
    idempotency_key text not null,
    request_hash text not null,
    body text not null,
    status text not null,
    error text,
    provider_message_id text,
    attempts integer not null default 0,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    sent_at timestamptz,
    constraint communication_reply_idempotency_key unique (agency_id, idempotency_key),
    constraint communication_reply_platform_check check (platform in ('gmail', 'slack')),
    constraint communication_reply_status_check check (status in ('queued', 'sent', 'failed'))
);
create index communication_reply_thread_idx on communication_reply (agency_id, platform, thread_key, created_at);

-- What happened, per agency, for `GET /api/v1/events` (Server-Sent Events). The id is the SSE event id a
-- client resumes from (Last-Event-ID); client_id scopes an event to the users who may see that client.
-- Rows older than a day are pruned by the scheduler.
create table app_event (
    id bigserial primary key,
    agency_id uuid not null references agency (id) on delete cascade,
    client_id uuid,
    kind text not null,
    payload jsonb not null,
    created_at timestamptz not null
);
create index app_event_agency_idx on app_event (agency_id, id);
create index app_event_created_idx on app_event (created_at);
