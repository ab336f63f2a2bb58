//! The inbox at scale: the thread list with each filter and with text search, at 32 concurrent
//! connections, on one agency holding `AOS_BENCH_MESSAGES` messages (default 1,000,000) in 200,000
//! threads of 5 messages across 500 clients. Issue 6's target: p99 ≤ 25 ms on Postgres.
//!
//! Seeds with one SQL statement per table (generate_series on Postgres, a recursive CTE on SQLite), then
//! builds the thread rows with the store's own refresh (`Store::rebuild_threads`), analyzes, and runs each
//! query for `AOS_BENCH_SECONDS` (default 5) with `AOS_BENCH_CONCURRENCY` (default 32) tasks sharing a
//! pool of `AOS_BENCH_POOL` connections (default 8, as the API's Postgres pool), each task issuing its
//! next query as soon as the last answered. Prints p50, p95,
//! p99 and queries per second per query, then the same for a mix of all of them, and the sidebar counts.
//!
//! Postgres: `AOS_BENCH_POSTGRES_URL` (or `AOS_TEST_POSTGRES_URL`); a database `aos_bench_threads` is
//! created and dropped. SQLite: set `AOS_BENCH_SQLITE=1` (seeding a million messages into it takes
//! minutes). Run with `cargo bench -p audienceos-api --bench thread_list` (not part of scripts/test).

// Tests and benches compare against the system clock directly.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use audienceos_api::domain::tenant::Tenant;
use audienceos_api::store::clients::NewClient;
use audienceos_api::store::threads::ThreadFilter;
use audienceos_api::store::{agencies::NewAgencyWithOwner, Db, Store};
use chrono::Utc;
use uuid::Uuid;

const THREADS: i64 = 200_000;
const CLIENTS: usize = 500;
/// A prime: numbers are multiplied and taken modulo it before the small moduli that pick a client, a
/// token or a flag, so those choices are not correlated with each other.
const MIX: i64 = 1_000_003;

struct Agency {
    id: Uuid,
    owner: Uuid,
    clients: Vec<Uuid>,
}

#[derive(Clone)]
struct Case {
    name: &'static str,
    scope: bool,
    filters: Vec<ThreadFilter>,
    /// Follow the cursor this many pages deep, timing only the last page.
    page: usize,
}

#[tokio::main]
async fn main() {
    let n: i64 = env("AOS_BENCH_MESSAGES", 1_000_000);
    let secs: u64 = env("AOS_BENCH_SECONDS", 5);
    let concurrency: usize = env("AOS_BENCH_CONCURRENCY", 32);
    // The API's own Postgres pool (AOS_DATABASE_POOL_SIZE, default 8): the 32 concurrent requests share it.
    let pool_size: u32 = env("AOS_BENCH_POOL", audienceos_api::config::DEFAULT_POSTGRES_POOL);
    // Keep the Postgres database afterwards, and reuse a kept one instead of seeding again.
    let keep = std::env::var("AOS_BENCH_KEEP").is_ok_and(|v| v == "1");
    let pg = std::env::var("AOS_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("AOS_TEST_POSTGRES_URL"))
        .ok()
        .filter(|v| !v.is_empty());
    if let Some(pg) = pg {
        let admin = sqlx::PgPool::connect(&pg).await.expect("connect to Postgres");
        let db = "aos_bench_threads";
        let exists: bool = sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(db)
            .fetch_one(&admin)
            .await
            .unwrap();
        if !(keep && exists) {
            sqlx::query(&format!("drop database if exists {db} with (force)"))
                .execute(&admin)
                .await
                .unwrap();
            sqlx::query(&format!("create database {db}"))
                .execute(&admin)
                .await
                .unwrap();
        }
        let mut url = url::Url::parse(&pg).unwrap();
        url.set_path(db);
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(pool_size)
            .min_connections(pool_size)
            .test_before_acquire(false)
            .connect_with(audienceos_api::store::postgres_options(url.as_str()).unwrap())
            .await
            .unwrap();
        let store = Store { db: Db::Postgres(pool) };
        run("postgres", &store, n, secs, concurrency).await;
        store.close().await;
        if !keep {
            sqlx::query(&format!("drop database {db} with (force)"))
                .execute(&admin)
                .await
                .ok();
        }
    }
    if std::env::var("AOS_BENCH_SQLITE").is_ok_and(|v| v == "1") {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/bench.db", dir.path().display());
        let settings_url = audienceos_api::config::DatabaseUrl::new(url);
        let store = Store::connect(&settings_url).await.unwrap();
        run("sqlite", &store, n, secs, concurrency).await;
        store.close().await;
    }
}

/// The agency of a kept Postgres database (`AOS_BENCH_KEEP=1`), if there is one.
async fn kept_agency(store: &Store) -> Option<Agency> {
    let Db::Postgres(p) = &store.db else { return None };
    let (id, owner): (Uuid, Uuid) =
        sqlx::query_as("select agency_id, id from app_user where email = 'bench@example.test'")
            .fetch_optional(p)
            .await
            .unwrap()?;
    let clients = sqlx::query_scalar("select id from bench_client order by num")
        .fetch_all(p)
        .await
        .unwrap();
    Some(Agency { id, owner, clients })
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn run(backend: &str, store: &Store, n: i64, secs: u64, concurrency: usize) {
    store.migrate().await.unwrap();
    let started = Instant::now();
    let kept = kept_agency(store).await;
    let reused = kept.is_some();
    let agency = match kept {
        Some(a) => a,
        None => seed(store, n).await,
    };
    println!(
        "thread_list[{backend}]: seeded {n} messages in {} threads, {CLIENTS} clients in {:.0} s",
        n.min(THREADS),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    if !reused {
        store.rebuild_threads(agency.id).await.unwrap();
    }
    match &store.db {
        // As autovacuum would after a bulk load: statistics, and the visibility map, without which an
        // index-only walk (the word index) visits the table for every row.
        Db::Postgres(p) => {
            sqlx::raw_sql("vacuum analyze").execute(p).await.unwrap();
        }
        Db::Sqlite(_) => store.analyze().await.unwrap(),
    }
    println!(
        "thread_list[{backend}]: built the thread rows, vacuumed and analyzed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let cases = cases(&agency);
    println!(
        "thread_list[{backend}]: {concurrency} concurrent tasks, {secs} s per query; latency of one list page (25 threads)"
    );
    println!(
        "{:<34} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "query", "p50 ms", "p95 ms", "p99 ms", "max ms", "q/s"
    );
    for case in &cases {
        let stats = load(store, &agency, std::slice::from_ref(case), secs, concurrency).await;
        print_row(case.name, &stats[0]);
    }
    let stats = load(store, &agency, &cases, secs * 2, concurrency).await;
    println!(
        "thread_list[{backend}]: all of the above mixed, {concurrency} concurrent tasks, {} s",
        secs * 2
    );
    for (case, s) in cases.iter().zip(&stats) {
        print_row(case.name, s);
    }
    // The sidebar counts: one aggregate over the agency's threads (the API caches it per data version).
    let mut times = Vec::new();
    for q in [None, Some("budget"), Some("w17")] {
        for _ in 0..5 {
            let f = ThreadFilter {
                q: q.map(str::to_owned),
                ..Default::default()
            };
            let t = Instant::now();
            store
                .count_threads(Tenant::agency(agency.id), agency.owner, &f)
                .await
                .unwrap();
            times.push((q, t.elapsed()));
        }
    }
    for q in [None, Some("budget"), Some("w17")] {
        let mut v: Vec<Duration> = times.iter().filter(|(k, _)| *k == q).map(|(_, d)| *d).collect();
        v.sort();
        println!(
            "thread_list[{backend}]: counts{} (one at a time): median {:.1} ms",
            q.map(|w| format!(" q={w}")).unwrap_or_default(),
            ms(v[v.len() / 2])
        );
    }
}

fn print_row(name: &str, s: &Stats) {
    println!(
        "{:<34} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.0}",
        name, s.p50, s.p95, s.p99, s.max, s.rate
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One agency (with its owner, who also gets grants on a tenth of the clients for the Member case),
/// its clients, and `n` messages in `THREADS` threads.
async fn seed(store: &Store, n: i64) -> Agency {
    let now = Utc::now();
    let (agency, owner) = store
        .create_agency_with_owner(
            &NewAgencyWithOwner {
                agency_name: "Bench".into(),
                slug: "bench".into(),
                first_name: "B".into(),
                last_name: "Ench".into(),
                email: "bench@example.test".into(),
                password_hash: "x".into(),
            },
            now,
        )
        .await
        .unwrap();
    let stage = store.list_stages(agency.id).await.unwrap()[0].id;
    let mut clients = Vec::with_capacity(CLIENTS);
    for i in 0..CLIENTS {
        let c = NewClient {
            name: format!("Client {i}"),
            stage_id: stage,
            ..Default::default()
        };
        clients.push(store.insert_client(agency.id, None, &c, now).await.unwrap());
    }
    let postgres = matches!(store.db, Db::Postgres(_));
    // The member case: grants on every tenth client. Then the clients by number, so the message insert
    // can pick one by `thread % CLIENTS`, and the messages.
    let map = if postgres {
        "create table bench_client (num integer primary key, id uuid not null)"
    } else {
        "create table bench_client (num integer primary key, id blob not null)"
    };
    let words = messages_sql(postgres, n);
    // The same statements on either pool (the store's `on_db!` is internal to the crate).
    macro_rules! on_pool {
        (|$p:ident| $body:expr) => {
            match &store.db {
                Db::Postgres($p) => $body,
                Db::Sqlite($p) => $body,
            }
        };
    }
    on_pool!(|p| {
        for c in clients.iter().step_by(10) {
            sqlx::query(
                "insert into client_collaborator (client_id, user_id, agency_id, created_at) values ($1, $2, $3, $4)",
            )
            .bind(c)
            .bind(owner.id)
            .bind(agency.id)
            .bind(now)
            .execute(p)
            .await
            .unwrap();
        }
        sqlx::query(map).execute(p).await.unwrap();
        for (i, c) in clients.iter().enumerate() {
            sqlx::query("insert into bench_client values ($1, $2)")
                .bind(i as i64)
                .bind(c)
                .execute(p)
                .await
                .unwrap();
        }
        sqlx::query(&words)
            .bind(agency.id)
            .bind(owner.id)
            .bind(now)
            .execute(p)
            .await
            .unwrap();
    });
    Agency {
        id: agency.id,
        owner: owner.id,
        clients,
    }
}

/// One insert of `n` messages. Message `i` is in thread `i % THREADS` (so 5 per thread at a million),
/// 30 s apart, newest first. A fifth of the threads are Slack; two in three messages are inbound; one in
/// ten is unread; one thread in fifty is assigned to the owner. Bodies hold eight of 2,000 tokens
/// `w0..w1999` (each in about 2.5% of threads), one of two common words ("budget" in a third of the
/// messages, else "creative"), and a rare `refN` (N below 100,000: one in ten messages share it).
fn messages_sql(postgres: bool, n: i64) -> String {
    let tokens: Vec<String> = [
        7919, 104_729, 1_299_709, 15_485_863, 32_452_843, 49_979_687, 67_867_967, 86_028_121,
    ]
    .iter()
    .map(|p| format!("'w' || (((i * {p}) % {MIX}) % 2000)"))
    .collect();
    let body = format!(
        "'Hi team, about ' || {} || ' and the ' || case when ((i * 31) % {MIX}) % 3 = 0 then 'budget' else 'creative' end \
         || ' for this week. Ref ref' || (((i * 17) % {MIX}) % 100000) || '. Thanks!'",
        tokens.join(" || ' ' || ")
    );
    let (series, id, at, read_at) = if postgres {
        (
            format!("generate_series(0::bigint, {}) as s(i)", n - 1),
            "gen_random_uuid()".to_owned(),
            "$3::timestamptz - (i * interval '30 seconds')".to_owned(),
            "case when i % 10 = 0 then null else $3::timestamptz end".to_owned(),
        )
    } else {
        (
            format!(
                "(with recursive s(i) as (select 0 union all select i + 1 from s where i < {}) select i from s) as s",
                n - 1
            ),
            "randomblob(16)".to_owned(),
            // SQLite stores times as RFC 3339 text; strftime keeps the format the store writes.
            "strftime('%Y-%m-%dT%H:%M:%f+00:00', $3, '-' || (i * 30) || ' seconds')".to_owned(),
            "case when i % 10 = 0 then null else $3 end".to_owned(),
        )
    };
    format!(
        "insert into communication (id, agency_id, client_id, platform, provider_message_id, thread_id, \
         sender_email, sender_name, subject, snippet, body, is_inbound, needs_reply, received_at, created_at, \
         updated_at, read_at, assigned_to) \
         select {id}, $1, (select id from bench_client where bench_client.num = (((i % {THREADS}) * 7919) % {MIX}) % {CLIENTS}), \
         case when (((i % {THREADS}) * 13) % {MIX}) % 5 = 0 then 'slack' else 'gmail' end, 'm' || i, 't' || (i % {THREADS}), \
         'person' || (i % 20000) || '@client' || ((i % {THREADS}) % {CLIENTS}) || '.test', \
         'Person ' || (i % 20000), 'Campaign update ' || ((i % {THREADS}) % 997), \
         substr({body}, 1, 120), {body}, i % 3 <> 0, i % 3 <> 0, {at}, $3, $3, {read_at}, \
         case when (((i % {THREADS}) * 101) % {MIX}) % 50 = 0 then $2 else null end \
         from {series}"
    )
}

fn cases(a: &Agency) -> Vec<Case> {
    let f = ThreadFilter::default;
    let words = |ws: &[&str]| {
        ws.iter()
            .map(|w| ThreadFilter {
                q: Some((*w).into()),
                ..f()
            })
            .collect::<Vec<_>>()
    };
    let week_ago = Utc::now() - chrono::Duration::days(7);
    let month_ago = Utc::now() - chrono::Duration::days(30);
    let one = |name, filters: Vec<ThreadFilter>| Case {
        name,
        scope: false,
        filters,
        page: 1,
    };
    vec![
        one("all threads", vec![f()]),
        Case {
            page: 10,
            ..one("all threads, page 10", vec![f()])
        },
        one(
            "needs reply",
            vec![ThreadFilter {
                needs_reply: Some(true),
                ..f()
            }],
        ),
        one(
            "unread",
            vec![ThreadFilter {
                unread: Some(true),
                ..f()
            }],
        ),
        one(
            "assigned to me",
            vec![ThreadFilter {
                assigned_to: Some(a.owner),
                ..f()
            }],
        ),
        one(
            "one client",
            a.clients
                .iter()
                .take(50)
                .map(|c| ThreadFilter {
                    client_id: Some(*c),
                    ..f()
                })
                .collect(),
        ),
        one(
            "slack",
            vec![ThreadFilter {
                platform: Some("slack".into()),
                ..f()
            }],
        ),
        one(
            "date range (last 7 / 30 days)",
            vec![
                ThreadFilter {
                    from: Some(week_ago),
                    ..f()
                },
                ThreadFilter {
                    from: Some(month_ago),
                    to: Some(week_ago),
                    ..f()
                },
            ],
        ),
        one(
            "needs reply + unread + slack",
            vec![ThreadFilter {
                needs_reply: Some(true),
                unread: Some(true),
                platform: Some("slack".into()),
                ..f()
            }],
        ),
        one("search: common word", words(&["budget", "creative"])),
        one(
            "search: token in 2.5% of threads",
            words(&["w17", "w1234", "w999", "w421"]),
        ),
        one("search: rare ref", words(&["ref123", "ref45678", "ref99001", "ref7"])),
        one(
            "search: sender",
            words(&["person4242", "person17@client17.test", "Person 999"]),
        ),
        one(
            "search: two words",
            words(&["budget w17", "creative w999", "w1234 w421"]),
        ),
        one(
            "search + needs reply",
            ["budget", "w17", "ref123"]
                .iter()
                .map(|w| ThreadFilter {
                    q: Some((*w).into()),
                    needs_reply: Some(true),
                    ..f()
                })
                .collect(),
        ),
        one("search: no match", words(&["zzzz", "nothinglikethis"])),
        Case {
            scope: true,
            ..one("member (50 of 500 clients)", vec![f()])
        },
        Case {
            scope: true,
            ..one("member + search", words(&["budget", "w17"]))
        },
    ]
}

struct Stats {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
    rate: f64,
}

/// Run `cases` round-robin from `concurrency` tasks for `secs`; the latencies per case.
async fn load(store: &Store, a: &Agency, cases: &[Case], secs: u64, concurrency: usize) -> Vec<Stats> {
    let store = Arc::new(Store { db: store.db.clone() });
    let cases = Arc::new(cases.to_vec());
    let deadline = Instant::now() + Duration::from_secs(secs);
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let (store, cases) = (store.clone(), cases.clone());
            let (agency, owner) = (a.id, a.owner);
            tokio::spawn(async move {
                let mut times: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
                let mut i = t;
                while Instant::now() < deadline {
                    let k = i % cases.len();
                    let case = &cases[k];
                    let f = &case.filters[(i / cases.len()) % case.filters.len()];
                    let tenant = Tenant {
                        agency_id: agency,
                        client_scope: case.scope.then_some(owner),
                    };
                    let mut cursor = None;
                    for _ in 1..case.page {
                        let (_, next) = store.list_threads(tenant, f, 25, cursor.as_deref()).await.unwrap();
                        cursor = next;
                    }
                    let started = Instant::now();
                    store.list_threads(tenant, f, 25, cursor.as_deref()).await.unwrap();
                    times[k].push(started.elapsed());
                    i += 1;
                }
                times
            })
        })
        .collect();
    let mut all: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    for t in tasks {
        for (k, v) in t.await.unwrap().into_iter().enumerate() {
            all[k].extend(v);
        }
    }
    all.into_iter()
        .map(|mut v| {
            v.sort();
            let q = |p: f64| {
                v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1)))
                    .map_or(0.0, |d| ms(*d))
            };
            Stats {
                p50: q(0.50),
                p95: q(0.95),
                p99: q(0.99),
                max: v.last().map_or(0.0, |d| ms(*d)),
                rate: v.len() as f64 / secs as f64,
            }
        })
        .collect()
}
