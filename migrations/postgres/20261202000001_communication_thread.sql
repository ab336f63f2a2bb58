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
create index communication_thread_search_idx on communication_thread using gin (search_tsv);

-- Search moves to the thread rows: the per-message vector and its index go.
drop index communication_search_idx;
alter table communication drop column search_tsv;

-- The rows of the threads already synced. The same statement as the store's refresh, for every thread.
with m as (
    select x.*, coalesce(x.thread_id, x.provider_message_id) as tkey,
        row_number() over (partition by x.agency_id, x.platform, coalesce(x.thread_id, x.provider_message_id)
            order by x.received_at desc, x.id desc) as rn,
        first_value(x.assigned_to) over (partition by x.agency_id, x.platform, coalesce(x.thread_id, x.provider_message_id)
            order by case when x.assigned_to is null then 1 else 0 end, x.received_at desc, x.id desc) as assignee
    from communication x
), agg as (
    select agency_id, platform, tkey, count(*) as message_count,
        sum(case when is_inbound and read_at is null then 1 else 0 end) as unread_count,
        string_agg(coalesce(subject, '') || ' ' || coalesce(sender_name, '') || ' ' || coalesce(sender_email, '')
            || ' ' || translate(coalesce(sender_email, ''), '@.', '  ') || ' ' || body, ' ') as search_text
    from m group by agency_id, platform, tkey
)
insert into communication_thread (agency_id, platform, thread_key, client_id, last_message_id, last_at,
    sender_email, sender_name, subject, snippet, needs_reply, message_count, unread_count, assigned_to, search_tsv)
select m.agency_id, m.platform, m.tkey, m.client_id, m.id, m.received_at, m.sender_email, m.sender_name, m.subject,
    m.snippet, m.needs_reply, a.message_count, a.unread_count, m.assignee,
    to_tsvector('simple', left(a.search_text, 500000))
from m join agg a on a.agency_id = m.agency_id and a.platform = m.platform and a.tkey = m.tkey
where m.rn = 1;
