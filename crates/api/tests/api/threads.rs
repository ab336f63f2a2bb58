//! The communications hub's thread API over messages seeded through the store (no provider involved):
//! messages group into threads newest first, every filter narrows, search finds by subject, sender and a
//! body word on both backends, the cursor walks every thread once, counts match the lists, thread state
//! round-trips, and another agency's or an ungranted client's thread is 404 while Members cannot act.

use audienceos_api::store::communications::NewCommunication;
use audienceos_shared::communications::{Thread, ThreadCounts, ThreadNote, ThreadSummary};
use audienceos_shared::permissions::SystemRole;
use audienceos_shared::{Page, Problem};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::{new_client, note_thread, walk_pages};
use crate::helpers::{spawn_app, Backend, Browser, TestApp};
use crate::on_both;

on_both!(
    threads_group_messages_newest_first_with_counts,
    every_filter_narrows_and_counts_match_the_lists,
    search_finds_by_subject_sender_and_body_word,
    cursor_walks_every_thread_once,
    read_needs_reply_assignment_and_notes_round_trip,
    another_agencys_thread_is_404_on_every_route,
    members_see_only_granted_clients_threads_and_cannot_act,
    thread_rows_follow_every_write_and_match_a_rebuild,
    search_pages_newest_first_under_every_filter,
);

struct Msg<'a> {
    platform: &'static str,
    id: &'a str,
    thread: Option<&'a str>,
    inbound: bool,
    minutes_ago: i64,
    subject: &'a str,
    sender: (&'a str, &'a str),
    body: &'a str,
}

fn msg<'a>(platform: &'static str, id: &'a str, thread: Option<&'a str>, inbound: bool, minutes_ago: i64) -> Msg<'a> {
    Msg {
        platform,
        id,
        thread,
        inbound,
        minutes_ago,
        subject: "Hello",
        sender: ("Dana", "dana@acme.test"),
        body: "nothing special",
    }
}

async fn seed(app: &TestApp, agency: Uuid, client: Uuid, msgs: &[Msg<'_>]) {
    let now = Utc::now();
    let items: Vec<NewCommunication> = msgs
        .iter()
        .map(|m| NewCommunication {
            client_id: client,
            integration_id: None,
            platform: m.platform,
            provider_message_id: m.id.into(),
            thread_id: m.thread.map(str::to_owned),
            channel_id: None,
            sender_email: Some(m.sender.1.into()),
            sender_name: Some(m.sender.0.into()),
            subject: Some(m.subject.into()),
            snippet: format!("snippet {}", m.id),
            body: m.body.into(),
            is_inbound: m.inbound,
            received_at: now - Duration::minutes(m.minutes_ago),
        })
        .collect();
    app.store.upsert_communications(agency, &items, now).await.unwrap();
    // As a sync job does after writing: cached lists and counts are outdated.
    app.store.bump_data_version(agency).await.unwrap();
}

async fn page(b: &Browser, query: &str) -> Page<ThreadSummary> {
    let res = b.get(&format!("/api/v1/communications/threads?{query}")).await;
    assert_eq!(res.status(), 200, "{query}: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn keys(b: &Browser, query: &str) -> Vec<String> {
    page(b, query).await.items.into_iter().map(|t| t.key).collect()
}

async fn counts(b: &Browser, query: &str) -> ThreadCounts {
    let res = b.get(&format!("/api/v1/communications/counts?{query}")).await;
    assert_eq!(res.status(), 200, "{query}: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// PATCH a thread, expecting `200`; the summary it answers.
async fn patched(b: &Browser, key: &str, body: serde_json::Value) -> ThreadSummary {
    let res = patch(b, key, body).await;
    assert_eq!(res.status(), 200, "PATCH {key}");
    res.json().await.unwrap()
}

async fn patch(b: &Browser, key: &str, body: serde_json::Value) -> reqwest::Response {
    b.patch(&format!("/api/v1/communications/threads/{key}"), &body).await
}

async fn threads_group_messages_newest_first_with_counts(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let acme = new_client(&app, json!({ "name": "Acme" })).await;
    seed(
        &app,
        me.agency.id,
        acme.id,
        &[
            msg("gmail", "a1", Some("ta"), true, 30),
            msg("gmail", "a2", Some("ta"), false, 20),
            msg("gmail", "a3", Some("ta"), true, 10),
            msg("slack", "b1", Some("1700.0001"), false, 5),
            msg("gmail", "solo", None, true, 40),
        ],
    )
    .await;
    let list = page(&app, "").await;
    assert_eq!(list.next_cursor, None);
    let got: Vec<(&str, i64, bool, bool, &str)> = list
        .items
        .iter()
        .map(|t| {
            (
                t.key.as_str(),
                t.message_count,
                t.unread,
                t.needs_reply,
                t.snippet.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("slack:1700.0001", 1, false, false, "snippet b1"),
            ("gmail:ta", 3, true, true, "snippet a3"),
            ("gmail:solo", 1, true, true, "snippet solo"),
        ]
    );
    let ta = &list.items[1];
    assert_eq!((ta.platform.as_str(), ta.client_id), ("gmail", acme.id));
    assert_eq!(ta.client_name, "Acme");
    assert_eq!(ta.subject.as_deref(), Some("Hello"));
    assert_eq!(ta.last_sender_email.as_deref(), Some("dana@acme.test"));
    assert_eq!(ta.assigned_to, None);
    assert!(list.items[0].last_message_at > ta.last_message_at);

    // The thread, by a percent-encoded key: messages oldest first.
    let res = app.get("/api/v1/communications/threads/gmail%3Ata").await;
    assert_eq!(res.status(), 200);
    let thread: Thread = res.json().await.unwrap();
    assert_eq!(thread.summary, *ta);
    let bodies: Vec<&str> = thread.messages.iter().map(|m| m.snippet.as_str()).collect();
    assert_eq!(bodies, ["snippet a1", "snippet a2", "snippet a3"]);
    assert!(thread.notes.is_empty());
    for missing in ["gmail:nope", "teams:ta", "ta"] {
        let res = app.get(&format!("/api/v1/communications/threads/{missing}")).await;
        assert_eq!(res.status(), 404, "{missing}");
        assert_eq!(res.json::<Problem>().await.unwrap().code, "not_found");
    }
}

async fn every_filter_narrows_and_counts_match_the_lists(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let acme = new_client(&app, json!({ "name": "Acme" })).await;
    let bright = new_client(&app, json!({ "name": "Bright" })).await;
    seed(
        &app,
        me.agency.id,
        acme.id,
        &[
            msg("gmail", "a1", Some("a"), true, 300), // needs reply, unread, old
            msg("gmail", "c1", Some("c"), true, 100), // read below; needs reply
            msg("gmail", "c2", Some("c"), false, 90), // answered: no reply needed
            msg("slack", "s1", Some("s"), true, 50),  // needs reply, unread
        ],
    )
    .await;
    seed(
        &app,
        me.agency.id,
        bright.id,
        &[
            msg("gmail", "b1", Some("b"), false, 10),
            msg("slack", "t1", Some("t"), true, 20),
        ],
    )
    .await;
    patched(&app, "gmail:c", json!({ "read": true })).await;
    patched(&app, "gmail:b", json!({ "assigned_to": me.user.id })).await;
    patched(&app, "slack:s", json!({ "assigned_to": me.user.id })).await;

    assert_eq!(
        keys(&app, "").await,
        ["gmail:b", "slack:t", "slack:s", "gmail:c", "gmail:a"]
    );
    assert_eq!(
        keys(&app, &format!("client_id={}", acme.id)).await,
        ["slack:s", "gmail:c", "gmail:a"]
    );
    assert_eq!(keys(&app, "platform=slack").await, ["slack:t", "slack:s"]);
    assert_eq!(keys(&app, "needs_reply=true").await, ["slack:t", "slack:s", "gmail:a"]);
    assert_eq!(keys(&app, "needs_reply=false").await, ["gmail:b", "gmail:c"]);
    assert_eq!(keys(&app, "unread=true").await, ["slack:t", "slack:s", "gmail:a"]);
    assert_eq!(keys(&app, "unread=false").await, ["gmail:b", "gmail:c"]);
    assert_eq!(keys(&app, "assigned=me").await, ["gmail:b", "slack:s"]);
    let at = |m: i64| (Utc::now() - Duration::minutes(m)).to_rfc3339_opts(SecondsFormat::Secs, true);
    assert_eq!(
        keys(&app, &format!("from={}", at(60))).await,
        ["gmail:b", "slack:t", "slack:s"]
    );
    assert_eq!(
        keys(&app, &format!("from={}&to={}", at(200), at(30))).await,
        ["slack:s", "gmail:c"]
    );
    assert_eq!(
        keys(&app, &format!("client_id={}&platform=gmail&needs_reply=true", acme.id)).await,
        ["gmail:a"]
    );

    // Counts: each filter's count is what its list would show with the other filters applied.
    for query in [
        String::new(),
        format!("client_id={}", acme.id),
        "platform=slack".to_owned(),
        "needs_reply=true".to_owned(),
        "unread=true&assigned=me".to_owned(),
        format!("from={}", at(60)),
    ] {
        let c = counts(&app, &query).await;
        let base: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
        let without = |name: &str| -> String {
            base.iter()
                .filter(|p| !p.starts_with(&format!("{name}=")))
                .copied()
                .collect::<Vec<_>>()
                .join("&")
        };
        let len = |q: String| {
            let app = &app;
            async move { keys(app, &q).await.len() as i64 }
        };
        assert_eq!(c.all, len(query.clone()).await, "all {query}");
        for (count, name, filter) in [
            (c.needs_reply, "needs_reply", "needs_reply=true"),
            (c.unread, "unread", "unread=true"),
            (c.assigned_to_me, "assigned", "assigned=me"),
            (c.gmail, "platform", "platform=gmail"),
            (c.slack, "platform", "platform=slack"),
        ] {
            assert_eq!(
                count,
                len(format!("{}&{filter}", without(name))).await,
                "{filter} in {query}"
            );
        }
    }
    assert_eq!(
        counts(&app, "").await,
        ThreadCounts {
            all: 5,
            needs_reply: 3,
            unread: 3,
            assigned_to_me: 2,
            gmail: 3,
            slack: 2
        }
    );

    for bad in [
        "platform=teams",
        "assigned=someone",
        "limit=0",
        "needs_reply=maybe",
        "client_id=x",
    ] {
        let res = app.get(&format!("/api/v1/communications/threads?{bad}")).await;
        assert!(matches!(res.status().as_u16(), 400 | 422), "{bad}: {}", res.status());
        assert!(!res.json::<Problem>().await.unwrap().code.is_empty());
    }
    let res = app
        .get(&format!("/api/v1/communications/counts?from={}&to={}", at(10), at(60)))
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Problem>().await.unwrap().errors[0].code, "invalid_range");
}

async fn search_finds_by_subject_sender_and_body_word(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let acme = new_client(&app, json!({ "name": "Acme" })).await;
    seed(
        &app,
        me.agency.id,
        acme.id,
        &[
            Msg {
                subject: "Quarterly invoice",
                ..msg("gmail", "m1", Some("inv"), true, 30)
            },
            Msg {
                sender: ("Priya Raman", "priya@brightpath.test"),
                ..msg("gmail", "m2", Some("pr"), true, 20)
            },
            Msg {
                body: "the landing page conversion dropped yesterday",
                ..msg("slack", "m3", Some("lp"), true, 10)
            },
            msg("gmail", "m4", Some("inv"), false, 5),
        ],
    )
    .await;
    let q = |s: &str| format!("q={}", s.replace(' ', "%20"));
    assert_eq!(keys(&app, &q("invoice")).await, ["gmail:inv"]);
    assert_eq!(keys(&app, &q("quarterly invoice")).await, ["gmail:inv"]);
    assert_eq!(keys(&app, &q("Priya")).await, ["gmail:pr"]);
    assert_eq!(keys(&app, &q("brightpath")).await, ["gmail:pr"]);
    assert_eq!(keys(&app, &q("conversion")).await, ["slack:lp"]);
    assert_eq!(keys(&app, &q("nonexistentword")).await, Vec::<String>::new());
    // The thread found by one message lists as a whole thread (its latest message and every message).
    let found = page(&app, &q("invoice")).await.items;
    assert_eq!((found[0].message_count, found[0].snippet.as_str()), (2, "snippet m4"));
    // Search syntax in the input is just text.
    let res = app.get("/api/v1/communications/threads?q=%22invoice%20OR%20(").await;
    assert_eq!(res.status(), 200);
    assert_eq!(counts(&app, &q("invoice")).await.all, 1);
    assert_eq!(
        keys(&app, &format!("{}&platform=slack", q("conversion"))).await,
        ["slack:lp"]
    );
    assert_eq!(
        keys(&app, &format!("{}&platform=gmail", q("conversion"))).await,
        Vec::<String>::new()
    );
}

async fn cursor_walks_every_thread_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let acme = new_client(&app, json!({ "name": "Acme" })).await;
    let ids: Vec<(String, String)> = (0..7).map(|i| (format!("m{i}"), format!("t{i}"))).collect();
    let mut msgs: Vec<Msg> = ids
        .iter()
        .enumerate()
        .map(|(i, (id, t))| msg("gmail", id, Some(t), true, 10 * i as i64))
        .collect();
    // Two threads whose latest messages share a time: the id breaks the tie.
    msgs.push(msg("gmail", "x1", Some("t7"), true, 25));
    msgs.push(msg("slack", "x2", Some("t8"), true, 25));
    seed(&app, me.agency.id, acme.id, &msgs).await;
    let seen = walk(&app, "", 2).await;
    assert_eq!(seen, keys(&app, "").await);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 9);
}

async fn read_needs_reply_assignment_and_notes_round_trip(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let (_, manager) = app.add_user(me.agency.id, SystemRole::Manager).await;
    let acme = new_client(&app, json!({ "name": "Acme" })).await;
    seed(
        &app,
        me.agency.id,
        acme.id,
        &[
            msg("gmail", "a1", Some("ta"), true, 30),
            msg("gmail", "a2", Some("ta"), true, 20),
        ],
    )
    .await;
    let get = |key: &'static str| {
        let app = &app;
        async move {
            let res = app.get(&format!("/api/v1/communications/threads/{key}")).await;
            assert_eq!(res.status(), 200);
            res.json::<Thread>().await.unwrap()
        }
    };
    let res = patch(&app, "gmail:ta", json!({ "read": true })).await;
    assert_eq!(res.status(), 200);
    let s: ThreadSummary = res.json().await.unwrap();
    assert!(!s.unread && s.needs_reply);
    assert!(get("gmail:ta").await.messages.iter().all(|m| m.read_at.is_some()));
    let s = patched(&app, "gmail:ta", json!({ "read": false })).await;
    assert!(s.unread);
    assert!(get("gmail:ta").await.messages.iter().all(|m| m.read_at.is_none()));

    let s = patched(&app, "gmail:ta", json!({ "needs_reply": false })).await;
    assert!(!s.needs_reply);
    assert_eq!(keys(&app, "needs_reply=true").await, Vec::<String>::new());
    let s = patched(&app, "gmail:ta", json!({ "needs_reply": true })).await;
    assert!(s.needs_reply);

    let s = patched(&app, "gmail:ta", json!({ "assigned_to": manager.user.id })).await;
    assert_eq!(s.assigned_to, Some(manager.user.id));
    // Absent fields are left alone; a new message in the thread keeps its assignee.
    let s = patched(&app, "gmail:ta", json!({})).await;
    assert_eq!(s.assigned_to, Some(manager.user.id));
    seed(&app, me.agency.id, acme.id, &[msg("gmail", "a3", Some("ta"), true, 1)]).await;
    assert_eq!(get("gmail:ta").await.summary.assigned_to, Some(manager.user.id));
    let s = patched(&app, "gmail:ta", json!({ "assigned_to": null })).await;
    assert_eq!(s.assigned_to, None);

    // The assignee must be a user of the agency.
    let other = app.new_browser();
    let (_, other_me) = other.signup().await;
    for who in [other_me.user.id, Uuid::now_v7()] {
        let res = patch(&app, "gmail:ta", json!({ "assigned_to": who, "read": true })).await;
        assert_eq!(res.status(), 422);
        let p: Problem = res.json().await.unwrap();
        assert_eq!(
            (p.errors[0].field.as_str(), p.errors[0].code.as_str()),
            ("assigned_to", "unknown_user")
        );
    }
    assert!(get("gmail:ta").await.summary.unread, "a refused update changes nothing");

    // Notes: written by the caller, listed oldest first on the thread.
    let res = note_thread(&app, "gmail:ta", "  Call them Monday  ").await;
    assert_eq!(res.status(), 201);
    let n1: ThreadNote = res.json().await.unwrap();
    assert_eq!((n1.body.as_str(), n1.author_id), ("Call them Monday", Some(me.user.id)));
    let n2: ThreadNote = note_thread(&app, "gmail:ta", "Done").await.json().await.unwrap();
    assert_eq!(get("gmail:ta").await.notes, [n1, n2]);
    let res = note_thread(&app, "gmail:ta", "   ").await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Problem>().await.unwrap().errors[0].field, "body");
}

async fn another_agencys_thread_is_404_on_every_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let acme = new_client(&app, json!({ "name": "Acme" })).await;
    seed(&app, me.agency.id, acme.id, &[msg("gmail", "a1", Some("ta"), true, 30)]).await;
    let other = app.new_browser();
    other.signup().await;
    assert!(page(&other, "").await.items.is_empty());
    assert_eq!(counts(&other, "").await.all, 0);
    assert!(page(&other, "q=hello").await.items.is_empty());
    let res = other.get("/api/v1/communications/threads/gmail:ta").await;
    assert_eq!(res.status(), 404);
    let res = patch(&other, "gmail:ta", json!({ "read": true })).await;
    assert_eq!(res.status(), 404);
    let res = note_thread(&other, "gmail:ta", "x").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.json::<Problem>().await.unwrap().code, "not_found");
    // Nothing changed for the owner.
    let thread: Thread = app.get_json("/api/v1/communications/threads/gmail:ta").await;
    assert!(thread.summary.unread && thread.notes.is_empty());
}

async fn members_see_only_granted_clients_threads_and_cannot_act(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let (member, member_me) = app.add_user(me.agency.id, SystemRole::Member).await;
    let hidden = new_client(&app, json!({ "name": "Hidden" })).await;
    let owned = new_client(&app, json!({ "name": "Owned", "owner_id": member_me.user.id })).await;
    let shared = new_client(&app, json!({ "name": "Shared" })).await;
    app.set_collaborators(shared.id, &[member_me.user.id]).await;
    for (client, m) in [
        (hidden.id, msg("gmail", "h1", Some("th"), true, 30)),
        (owned.id, msg("gmail", "o1", Some("to"), true, 20)),
        (shared.id, msg("slack", "s1", Some("ts"), true, 10)),
    ] {
        seed(&app, me.agency.id, client, &[m]).await;
    }

    assert_eq!(keys(&member, "").await, ["slack:ts", "gmail:to"]);
    assert_eq!(keys(&app, "").await.len(), 3);
    assert_eq!(counts(&member, "").await.all, 2);
    assert_eq!(
        keys(&member, &format!("client_id={}", hidden.id)).await,
        Vec::<String>::new()
    );
    let res = member.get("/api/v1/communications/threads/gmail:th").await;
    assert_eq!(res.status(), 404);
    let res = member.get("/api/v1/communications/threads/gmail:to").await;
    assert_eq!(res.status(), 200);
    // Members read only.
    let res = patch(&member, "gmail:to", json!({ "read": true })).await;
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Problem>().await.unwrap().code, "forbidden");
    let res = note_thread(&member, "gmail:to", "x").await;
    assert_eq!(res.status(), 403);
}

/// The thread rows the inbox reads follow every write of messages: a message that moves to another
/// thread leaves its old one (which disappears once empty), words from different messages of a thread
/// find it, a rebuild from the messages gives the same list, and deleting a client removes its threads.
async fn thread_rows_follow_every_write_and_match_a_rebuild(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let acme = new_client(&app, json!({ "name": "Acme" })).await;
    let globex = new_client(&app, json!({ "name": "Globex" })).await;
    seed(
        &app,
        me.agency.id,
        acme.id,
        &[
            Msg {
                subject: "Quarterly invoice",
                ..msg("gmail", "a1", Some("ta"), true, 30)
            },
            Msg {
                body: "the landing page is live",
                ..msg("gmail", "a2", Some("ta"), true, 20)
            },
            msg("gmail", "lone", Some("tb"), true, 25),
        ],
    )
    .await;
    seed(
        &app,
        me.agency.id,
        globex.id,
        &[msg("slack", "g1", Some("1700.1"), true, 5)],
    )
    .await;
    let q = |s: &str| format!("q={}", s.replace(' ', "%20"));
    // Both words, from two messages of one thread.
    assert_eq!(keys(&app, &q("invoice landing")).await, ["gmail:ta"]);

    // "lone" moves from thread tb into ta: tb has no message left and goes; ta counts three.
    seed(
        &app,
        me.agency.id,
        acme.id,
        &[msg("gmail", "lone", Some("ta"), true, 25)],
    )
    .await;
    assert_eq!(keys(&app, "").await, ["slack:1700.1", "gmail:ta"]);
    assert_eq!(page(&app, "").await.items[1].message_count, 3);

    let assigned = patch(&app, "gmail:ta", json!({ "assigned_to": me.user.id, "read": true })).await;
    assert_eq!(assigned.status(), 200);
    let before = page(&app, "").await.items;
    app.store.rebuild_threads(me.agency.id).await.unwrap();
    app.store.bump_data_version(me.agency.id).await.unwrap();
    assert_eq!(page(&app, "").await.items, before);
    assert_eq!(keys(&app, &q("landing")).await, ["gmail:ta"]);
    assert_eq!(counts(&app, "").await.assigned_to_me, 1);

    let res = app.delete(&format!("/api/v1/clients/{}", globex.id)).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(keys(&app, "").await, ["gmail:ta"]);
    assert_eq!(counts(&app, "").await.all, 1);
}

/// Every page of `query`, following the cursor, `limit` threads at a time.
async fn walk(b: &Browser, query: &str, limit: usize) -> Vec<String> {
    let all: Vec<ThreadSummary> = walk_pages(b, &format!("/api/v1/communications/threads?{query}"), limit).await;
    all.into_iter().map(|t| t.key).collect()
}

/// A search lists exactly the threads the same filters list without it that hold every word, newest
/// first, page after page; whichever word Postgres walks (a common one, a rare one) and with a client
/// filter (which walks the client's threads instead). A thread that gets a new message moves up in the
/// search too, and a deleted client's threads are no longer found.
async fn search_pages_newest_first_under_every_filter(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let acme = new_client(&app, json!({ "name": "Acme" })).await;
    let globex = new_client(&app, json!({ "name": "Globex" })).await;
    // 18 threads, each with "budget"; every third also "pelican"; odd ones Globex's; every fourth read by
    // the agency last (not inbound, so not needing a reply).
    let ids: Vec<(String, String, String)> = (0..18)
        .map(|i| {
            (
                format!("m{i}"),
                format!("t{i}"),
                format!("about the budget{}", if i % 3 == 0 { " and the pelican" } else { "" }),
            )
        })
        .collect();
    for (i, (id, t, body)) in ids.iter().enumerate() {
        let client = if i % 2 == 1 { globex.id } else { acme.id };
        let m = Msg {
            body,
            ..msg("gmail", id, Some(t), i % 4 != 0, 10 * i as i64 + 1)
        };
        seed(&app, me.agency.id, client, &[m]).await;
    }
    let all = keys(&app, "limit=100").await;
    assert_eq!(all.len(), 18);
    let with = |words: &[usize]| -> Vec<String> {
        all.iter()
            .filter(|k| {
                let n: usize = k.trim_start_matches("gmail:t").parse().unwrap();
                words.iter().all(|w| n.is_multiple_of(*w))
            })
            .cloned()
            .collect()
    };
    assert_eq!(walk(&app, "q=budget", 4).await, all);
    assert_eq!(walk(&app, "q=pelican", 2).await, with(&[3]));
    assert_eq!(walk(&app, "q=budget%20pelican", 2).await, with(&[3]));
    assert_eq!(walk(&app, "q=PELICAN%20budget", 5).await, with(&[3]));
    for filter in [
        format!("client_id={}", globex.id),
        "needs_reply=true".to_owned(),
        "needs_reply=false".to_owned(),
        "platform=gmail".to_owned(),
    ] {
        let plain = walk(&app, &filter, 100).await;
        assert_eq!(walk(&app, &format!("{filter}&q=budget"), 3).await, plain, "{filter}");
        let rare: Vec<String> = plain.iter().filter(|k| with(&[3]).contains(k)).cloned().collect();
        assert_eq!(walk(&app, &format!("{filter}&q=pelican"), 1).await, rare, "{filter}");
    }
    assert_eq!(keys(&app, "q=budget%20nowhere").await, Vec::<String>::new());
    // Phrase and exclusion syntax is accepted on either backend.
    for q in ["%22the%20pelican%22", "budget%20-pelican", "pelican%20or%20budget"] {
        let res = app.get(&format!("/api/v1/communications/threads?q={q}")).await;
        assert_eq!(res.status(), 200, "{q}");
    }

    // A Member granted Globex only finds Globex's threads, whichever word is walked.
    let (member, member_me) = app.add_user(me.agency.id, SystemRole::Member).await;
    app.set_collaborators(globex.id, &[member_me.user.id]).await;
    let globex_all = walk(&app, &format!("client_id={}", globex.id), 100).await;
    let globex_rare: Vec<String> = globex_all.iter().filter(|k| with(&[3]).contains(k)).cloned().collect();
    assert_eq!(globex_rare, ["gmail:t3", "gmail:t9", "gmail:t15"].map(String::from));
    assert_eq!(walk(&member, "q=budget", 2).await, globex_all);
    assert_eq!(walk(&member, "q=pelican", 1).await, globex_rare);
    assert_eq!(walk(&member, "q=budget%20pelican", 2).await, globex_rare);

    // The oldest pelican thread (t15, Globex's) gets a new message: it leads the search now.
    let oldest = with(&[3]).last().cloned().unwrap();
    assert_eq!(oldest, "gmail:t15");
    seed(
        &app,
        me.agency.id,
        globex.id,
        &[msg("gmail", "fresh", Some("t15"), true, 0)],
    )
    .await;
    assert_eq!(keys(&app, "q=pelican&limit=1").await, [oldest]);
    assert_eq!(walk(&app, "q=pelican", 2).await.len(), with(&[3]).len());

    // Globex goes, and with it every thread a search found among its.
    let res = app.delete(&format!("/api/v1/clients/{}", globex.id)).await;
    assert!(res.status().is_success(), "{}", res.status());
    let left = walk(&app, "q=budget", 4).await;
    assert_eq!(left, walk(&app, "", 100).await);
    assert_eq!(left.len(), 9);

    // A thread whose newest message is another client's moves to that client, in a Member's search too.
    let initech = new_client(&app, json!({ "name": "Initech" })).await;
    app.set_collaborators(initech.id, &[member_me.user.id]).await;
    assert_eq!(keys(&member, "q=pelican").await, Vec::<String>::new());
    seed(
        &app,
        me.agency.id,
        initech.id,
        &[msg("gmail", "moved", Some("t0"), true, 0)],
    )
    .await;
    assert_eq!(keys(&member, "q=pelican").await, ["gmail:t0"]);
    assert_eq!(keys(&member, "q=budget%20pelican").await, ["gmail:t0"]);
    assert_eq!(walk(&app, "q=budget", 4).await.len(), 9);
}
