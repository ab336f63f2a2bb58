-- The communications hub's thread state: read/unread, assignment, replies and internal notes, plus
-- full-text search over subject, sender and body.
--
-- A thread is (platform, coalesce(thread_id, provider_message_id)): a message without a thread id is a
-- thread of its own. Thread state lives on its messages: unread = an inbound message with read_at null;
-- the assignee is set on every message of the thread.
alter table communication add column read_at timestamptz;
alter table communication add column assigned_to uuid references app_user (id) on delete set null;
alter table communication add column replied_at timestamptz;
alter table communication add column replied_by uuid references app_user (id) on delete set null;
-- Emails are also indexed split on '@' and '.', so "dana" or "acme" find dana@acme.test.
alter table communication add column search_tsv tsvector generated always as (
    to_tsvector('simple',
        coalesce(subject, '') || ' ' || coalesce(sender_name, '') || ' ' || coalesce(sender_email, '') || ' '
        || translate(coalesce(sender_email, ''), '@.', '  ') || ' ' || body)
) stored;
create index communication_search_idx on communication using gin (search_tsv);
create index communication_received_idx on communication (agency_id, received_at);
create index communication_thread_key_idx
    on communication (agency_id, platform, (coalesce(thread_id, provider_message_id)));

-- Internal notes on a thread: never sent to the client.
create table communication_note (
    id uuid primary key not null,
    agency_id uuid not null references agency (id) on delete cascade,
    platform text not null,
    thread_key text not null,
    author_id uuid references app_user (id) on delete set null,
    body text not null,
    created_at timestamptz not null,
    constraint communication_note_platform_check check (platform in ('gmail', 'slack'))
);
create index communication_note_thread_idx on communication_note (agency_id, platform, thread_key, created_at);
