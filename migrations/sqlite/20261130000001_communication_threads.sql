-- The communications hub's thread state: read/unread, assignment, replies and internal notes, plus
-- full-text search over subject, sender and body.
--
-- A thread is (platform, coalesce(thread_id, provider_message_id)): a message without a thread id is a
-- thread of its own. Thread state lives on its messages: unread = an inbound message with read_at null;
-- the assignee is set on every message of the thread.
alter table communication add column read_at text;
alter table communication add column assigned_to blob references app_user (id) on delete set null;
alter table communication add column replied_at text;
alter table communication add column replied_by blob references app_user (id) on delete set null;
create index communication_received_idx on communication (agency_id, received_at);
create index communication_thread_key_idx
    on communication (agency_id, platform, coalesce(thread_id, provider_message_id));

-- Full-text search: an FTS5 external-content table over communication (the text is stored once), kept in
-- step by triggers. unicode61 splits emails on '@' and '.', so "dana" or "acme" find dana@acme.test.
-- Keyed by communication's implicit rowid: never VACUUM this database without a 'rebuild' afterwards.
create virtual table communication_fts using fts5(
    subject, sender_name, sender_email, body,
    content = 'communication'
);
create trigger communication_fts_ai after insert on communication begin
    insert into communication_fts (rowid, subject, sender_name, sender_email, body)
    values (new.rowid, new.subject, new.sender_name, new.sender_email, new.body);
end;
create trigger communication_fts_ad after delete on communication begin
    insert into communication_fts (communication_fts, rowid, subject, sender_name, sender_email, body)
    values ('delete', old.rowid, old.subject, old.sender_name, old.sender_email, old.body);
end;
create trigger communication_fts_au after update of subject, sender_name, sender_email, body on communication begin
    insert into communication_fts (communication_fts, rowid, subject, sender_name, sender_email, body)
    values ('delete', old.rowid, old.subject, old.sender_name, old.sender_email, old.body);
    insert into communication_fts (rowid, subject, sender_name, sender_email, body)
    values (new.rowid, new.subject, new.sender_name, new.sender_email, new.body);
end;
insert into communication_fts (communication_fts) values ('rebuild');

-- Internal notes on a thread: never sent to the client.
create table communication_note (
    id blob primary key not null,
    agency_id blob not null references agency (id) on delete cascade,
    platform text not null,
    thread_key text not null,
    author_id blob references app_user (id) on delete set null,
    body text not null,
    created_at text not null,
    constraint communication_note_platform_check check (platform in ('gmail', 'slack'))
);
create index communication_note_thread_idx on communication_note (agency_id, platform, thread_key, created_at);
