-- An ordered word index for the inbox search. The GIN index on communication_thread.search_tsv finds the
-- threads holding a word, but not the newest of them: a search for a word in a few percent of a million
-- messages' threads read and sorted thousands of rows for a page of 25 (p99 near 80 ms at 32 concurrent
-- requests). Here each (thread, word) pair is a row keyed by the thread's latest message, so the newest
-- threads holding a word are one backwards walk of the primary key that stops after a page, whatever
-- the word's frequency; a second word is a point lookup per thread on the same key.
--
-- A row is (agency, word, thread's last_at, thread's last_message_id): the last two name the thread
-- (communication_thread_recent_idx finds it) and order the walk as the list is ordered. The rows follow
-- communication_thread through the trigger below, so every writer of thread rows (the store's refresh,
-- the cascades of a deleted client or agency) keeps them in step without knowing about them. GIN stays
-- for the sidebar counts and for searches with phrase, `or` or `-word` syntax.
create table communication_thread_word (
    agency_id uuid not null,
    word text not null,
    last_at timestamptz not null,
    last_message_id uuid not null,
    primary key (agency_id, word, last_at, last_message_id)
);

insert into communication_thread_word (agency_id, word, last_at, last_message_id)
select t.agency_id, w.word, t.last_at, t.last_message_id
from communication_thread t, unnest(tsvector_to_array(t.search_tsv)) as w(word);

-- A thread row's words are rewritten when its latest message or its text changes, and go with the row.
create function communication_thread_word_sync() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' then
        if old.last_at = new.last_at and old.last_message_id = new.last_message_id
            and old.search_tsv = new.search_tsv then
            return null;
        end if;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        delete from communication_thread_word
        where agency_id = old.agency_id and word = any (tsvector_to_array(old.search_tsv))
            and last_at = old.last_at and last_message_id = old.last_message_id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into communication_thread_word (agency_id, word, last_at, last_message_id)
        select new.agency_id, w, new.last_at, new.last_message_id
        from unnest(tsvector_to_array(new.search_tsv)) as w;
    end if;
    return null;
end
$$;

create trigger communication_thread_word_sync
after insert or update or delete on communication_thread
for each row execute function communication_thread_word_sync();
