-- The inbox reads threads from one row per thread instead of grouping messages at read time: with a
-- million messages, a window over them per request is far too slow for a list that must answer in
-- milliseconds. The store keeps the rows in step: every statement that writes messages recomputes the
-- rows of the threads it touched, in the same transaction (store/threads.rs, `refresh_threads`).
--
-- A thread is (platform, coalesce(thread_id, provider_message_id)). Its row carries the latest message
-- (id, time, sender, subject, snippet, needs_reply), the message and unread counts and the assignee (the
-- latest one set on any of its messages). Its search text, all its messages' subjects, senders and bodies,
-- is in the FTS5 table communication_thread_fts under the thread row's rowid.
create table communication_thread (
    agency_id blob not null references agency (id) on delete cascade,
    platform text not null,
    thread_key text not null,
    client_id blob not null references client (id) on delete cascade,
    last_message_id blob not null,
    last_at text not null,
    sender_email text,
    sender_name text,
    subject text,
    snippet text not null,
    needs_reply boolean not null,
    message_count integer not null,
    unread_count integer not null,
    assigned_to blob references app_user (id) on delete set null,
    primary key (agency_id, platform, thread_key)
);
-- Contentless (the text is not stored twice); rows are deleted by rowid. unicode61 splits emails on '@'
-- and '.', so "dana" or "acme" find dana@acme.test.
create virtual table communication_thread_fts using fts5(text, content = '', contentless_delete = 1);
create trigger communication_thread_fts_ad after delete on communication_thread begin
    delete from communication_thread_fts where rowid = old.rowid;
end;

-- Search moves to the thread rows: the per-message FTS table and its triggers go.
drop trigger communication_fts_ai;
drop trigger communication_fts_ad;
drop trigger communication_fts_au;
drop table communication_fts;

-- The rows of the threads already synced. The same statements as the store's refresh, for every thread.
with m as (
    select x.*, coalesce(x.thread_id, x.provider_message_id) as tkey,
        row_number() over (w order by x.received_at desc, x.id desc) as rn,
        first_value(x.assigned_to) over (w order by case when x.assigned_to is null then 1 else 0 end,
            x.received_at desc, x.id desc) as assignee,
        count(*) over w as message_count,
        sum(case when x.is_inbound and x.read_at is null then 1 else 0 end) over w as unread_count
    from communication x
    window w as (partition by x.agency_id, x.platform, coalesce(x.thread_id, x.provider_message_id))
)
insert into communication_thread (agency_id, platform, thread_key, client_id, last_message_id, last_at,
    sender_email, sender_name, subject, snippet, needs_reply, message_count, unread_count, assigned_to)
select m.agency_id, m.platform, m.tkey, m.client_id, m.id, m.received_at, m.sender_email, m.sender_name, m.subject,
    m.snippet, m.needs_reply, m.message_count, m.unread_count, m.assignee
from m
where m.rn = 1;
insert into communication_thread_fts (rowid, text)
select t.rowid, group_concat(coalesce(x.subject, '') || ' ' || coalesce(x.sender_name, '') || ' '
    || coalesce(x.sender_email, '') || ' ' || x.body, ' ')
from communication_thread t
join communication x on x.agency_id = t.agency_id and x.platform = t.platform
    and coalesce(x.thread_id, x.provider_message_id) = t.thread_key
group by t.rowid;

-- Indexes after the backfill (one bulk build each).
create index communication_thread_recent_idx on communication_thread (agency_id, last_at, last_message_id);
create index communication_thread_client_idx on communication_thread (agency_id, client_id, last_at, last_message_id);
create index communication_thread_platform_idx on communication_thread (agency_id, platform, last_at, last_message_id);
create index communication_thread_assigned_idx on communication_thread (agency_id, assigned_to, last_at, last_message_id)
    where assigned_to is not null;
create index communication_thread_needs_reply_idx on communication_thread (agency_id, last_at, last_message_id)
    where needs_reply;
create index communication_thread_unread_idx on communication_thread (agency_id, last_at, last_message_id)
    where unread_count > 0;
