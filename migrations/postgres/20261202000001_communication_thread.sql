-- The inbox reads threads from one row per thread instead of grouping messages at read time: with a
-- million messages, a window over them per request is far too slow for a list that must answer in
-- milliseconds. The store keeps the rows in step: every statement that writes messages recomputes the
-- rows of the threads it touched, in the same transaction (store/threads.rs, `refresh_threads`).
--
-- A thread is (platform, coalesce(thread_id, provider_message_id)). Its row carries the latest message
-- (id, time, sender, subject, snippet, needs_reply), the message and unread counts, the assignee (the
-- latest one set on any of its messages) and the search vector of all its messages' subjects, senders and
-- bodies, so a search finds the thread by words from any of its messages.
create table communication_thread (
    agency_id uuid not null references agency (id) on delete cascade,
    platform text not null,
    thread_key text not null,
    client_id uuid not null references client (id) on delete cascade,
    last_message_id uuid not null,
    last_at timestamptz not null,
    sender_email text,
    sender_name text,
    subject text,
    snippet text not null,
    needs_reply boolean not null,
    message_count bigint not null,
    unread_count bigint not null,
    assigned_to uuid references app_user (id) on delete set null,
    search_tsv tsvector not null,
    primary key (agency_id, platform, thread_key)
);
-- Search moves to the thread rows: the per-message vector and its index go.
drop index communication_search_idx;
alter table communication drop column search_tsv;

-- The rows of the threads already synced. The same statement as the store's refresh, for every thread.
with m as (
    select x.*, coalesce(x.thread_id, x.provider_message_id) as tkey,
        row_number() over (w order by x.received_at desc, x.id desc) as rn,
        first_value(x.assigned_to) over (w order by case when x.assigned_to is null then 1 else 0 end,
            x.received_at desc, x.id desc) as assignee,
        count(*) over w as message_count,
        sum(case when x.is_inbound and x.read_at is null then 1 else 0 end) over w as unread_count,
        string_agg(coalesce(x.subject, '') || ' ' || coalesce(x.sender_name, '') || ' ' || coalesce(x.sender_email, '')
            || ' ' || translate(coalesce(x.sender_email, ''), '@.', '  ') || ' ' || x.body, ' ') over w as search_text
    from communication x
    window w as (partition by x.agency_id, x.platform, coalesce(x.thread_id, x.provider_message_id))
)
insert into communication_thread (agency_id, platform, thread_key, client_id, last_message_id, last_at,
    sender_email, sender_name, subject, snippet, needs_reply, message_count, unread_count, assigned_to, search_tsv)
select m.agency_id, m.platform, m.tkey, m.client_id, m.id, m.received_at, m.sender_email, m.sender_name, m.subject,
    m.snippet, m.needs_reply, m.message_count, m.unread_count, m.assignee,
    to_tsvector('simple', left(m.search_text, 500000))
from m
where m.rn = 1;

-- A thread's vector holds many words: sample more of them, so the planner knows a rare word from a common
-- one (a rare word it takes for common makes it walk every thread instead of reading the search index).
alter table communication_thread alter column search_tsv set statistics 1000;

-- Indexes after the backfill (one bulk build each).
-- Newest first, per filter; the list walks one of these backwards and stops after a page.
create index communication_thread_recent_idx on communication_thread (agency_id, last_at, last_message_id);
create index communication_thread_client_idx on communication_thread (agency_id, client_id, last_at, last_message_id);
create index communication_thread_platform_idx on communication_thread (agency_id, platform, last_at, last_message_id);
create index communication_thread_assigned_idx on communication_thread (agency_id, assigned_to, last_at, last_message_id)
    where assigned_to is not null;
create index communication_thread_needs_reply_idx on communication_thread (agency_id, last_at, last_message_id)
    where needs_reply;
create index communication_thread_unread_idx on communication_thread (agency_id, last_at, last_message_id)
    where unread_count > 0;
-- fastupdate off: a search never scans a pending list of unmerged entries (up to 4 MB, until a vacuum
-- merges it), at the cost of merging each thread row's words as it is written.
create index communication_thread_search_idx on communication_thread using gin (search_tsv)
    with (fastupdate = off);
