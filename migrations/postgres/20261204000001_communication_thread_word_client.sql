-- The word index carries each thread's client, so a Member's search (their clients only) checks the client
-- on the index entry it walks and looks up only the threads that match. Without it, a search for a word
-- in a few percent of threads, by a Member granted a tenth of the clients, looked up about a thousand
-- threads for one page.
--
-- The table is rebuilt rather than altered: filling a new column would rewrite every row and index entry
-- twice. The trigger function is replaced to write the client and to follow a thread that moves to
-- another client.
create table communication_thread_word_new (
    agency_id uuid not null,
    word text not null,
    last_at timestamptz not null,
    last_message_id uuid not null,
    client_id uuid not null,
    constraint communication_thread_word_new_pkey primary key (agency_id, word, last_at, last_message_id)
        include (client_id)
);

insert into communication_thread_word_new (agency_id, word, last_at, last_message_id, client_id)
select t.agency_id, w.word, t.last_at, t.last_message_id, t.client_id
from communication_thread t, unnest(tsvector_to_array(t.search_tsv)) as w(word);

drop table communication_thread_word;
alter table communication_thread_word_new rename to communication_thread_word;
alter table communication_thread_word rename constraint communication_thread_word_new_pkey
    to communication_thread_word_pkey;

create or replace function communication_thread_word_sync() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' then
        if old.last_at = new.last_at and old.last_message_id = new.last_message_id
            and old.search_tsv = new.search_tsv and old.client_id = new.client_id then
            return null;
        end if;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        delete from communication_thread_word
        where agency_id = old.agency_id and word = any (tsvector_to_array(old.search_tsv))
            and last_at = old.last_at and last_message_id = old.last_message_id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into communication_thread_word (agency_id, word, last_at, last_message_id, client_id)
        select new.agency_id, w, new.last_at, new.last_message_id, new.client_id
        from unnest(tsvector_to_array(new.search_tsv)) as w;
    end if;
    return null;
end
$$;
