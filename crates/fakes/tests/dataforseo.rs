//! The DataForSEO fake over HTTP: auth, the documented response shapes, determinism, recorded calls and
//! injected faults (also through the control endpoints).

use std::time::{Duration, Instant};

use audienceos_fakes::dataforseo::{Endpoint, Fault, SeoFake};
use serde_json::{json, Value};

const OVERVIEW: &str = "/v3/dataforseo_labs/google/domain_rank_overview/live";
const COMPETITORS: &str = "/v3/dataforseo_labs/google/competitors_domain/live";

fn task(target: &str) -> Value {
    json!([{ "target": target, "location_code": 2840, "language_code": "en", "limit": 5 }])
}

async fn post(fake: &SeoFake, path: &str, body: &Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{path}", fake.base_url()))
        .basic_auth(fake.login(), Some(fake.password()))
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn overview_answers_the_documented_shape_with_deterministic_numbers() {
    let fake = SeoFake::start("127.0.0.1:0").unwrap();
    let res = post(&fake, OVERVIEW, &task("acme.com")).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status_code"], 20000);
    assert_eq!(body["tasks_count"], 1);
    let t = &body["tasks"][0];
    assert_eq!(t["status_code"], 20000);
    assert!(t["cost"].as_f64().unwrap() > 0.0);
    assert_eq!(body["cost"], t["cost"]);
    let result = &t["result"][0];
    assert_eq!(result["target"], "acme.com");
    let organic = &result["items"][0]["metrics"]["organic"];
    let buckets: u64 = [
        "pos_1",
        "pos_2_3",
        "pos_4_10",
        "pos_11_20",
        "pos_21_30",
        "pos_31_40",
        "pos_41_50",
        "pos_51_60",
    ]
    .iter()
    .map(|k| organic[k].as_u64().unwrap())
    .sum();
    assert_eq!(organic["count"].as_u64().unwrap(), buckets);
    assert!(organic["etv"].is_number());

    let again: Value = post(&fake, OVERVIEW, &task("acme.com")).await.json().await.unwrap();
    assert_eq!(
        again["tasks"][0]["result"], body["tasks"][0]["result"],
        "same target, same data"
    );
    let other = SeoFake::builder().seed(7).start("127.0.0.1:0").unwrap();
    let seeded: Value = post(&other, OVERVIEW, &task("acme.com")).await.json().await.unwrap();
    assert_ne!(
        seeded["tasks"][0]["result"], body["tasks"][0]["result"],
        "another seed, other data"
    );
}

#[tokio::test]
async fn competitors_are_ranked_by_intersections_and_limited() {
    let fake = SeoFake::start("127.0.0.1:0").unwrap();
    let body: Value = post(&fake, COMPETITORS, &task("acme.com")).await.json().await.unwrap();
    let items = body["tasks"][0]["result"][0]["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 5);
    assert_eq!(
        items[0]["domain"], "acme.com",
        "the target is listed first, as the real API does"
    );
    let counts: Vec<u64> = items[1..]
        .iter()
        .map(|i| i["intersections"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert!(items[1]["full_domain_metrics"]["organic"]["count"].is_u64());
    assert!(items[1]["avg_position"].is_number());
}

#[tokio::test]
async fn wrong_or_missing_credentials_are_401_in_dataforseo_error_shape() {
    let fake = SeoFake::start("127.0.0.1:0").unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}{OVERVIEW}", fake.base_url());
    for req in [
        client.post(&url).json(&task("acme.com")),
        client
            .post(&url)
            .basic_auth(fake.login(), Some("wrong"))
            .json(&task("acme.com")),
    ] {
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status_code"], 40100);
        assert!(body["tasks"].is_null());
    }
    assert_eq!(fake.call_count(Endpoint::DomainRankOverview), 2);
    assert!(fake.calls().iter().all(|c| !c.authorized && c.status == 401));
}

#[tokio::test]
async fn an_invalid_target_is_a_task_error_inside_a_200() {
    let fake = SeoFake::start("127.0.0.1:0").unwrap();
    let res = post(&fake, OVERVIEW, &task("not a domain")).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["tasks_error"], 1);
    assert_eq!(body["tasks"][0]["status_code"], 40501);
    let res = post(&fake, OVERVIEW, &json!({ "target": "acme.com" })).await;
    assert_eq!(res.status(), 400, "the body must be an array of tasks");
}

#[tokio::test]
async fn injected_faults_apply_to_the_next_calls_then_clear() {
    let fake = SeoFake::start("127.0.0.1:0").unwrap();
    fake.rate_limit_next(1, 3);
    fake.inject(Fault {
        status: 503,
        count: 1,
        retry_after: Some(2),
        endpoint: Some(Endpoint::CompetitorsDomain),
    });
    let res = post(&fake, OVERVIEW, &task("acme.com")).await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "3");
    assert_eq!(res.json::<Value>().await.unwrap()["status_code"], 40202);
    assert_eq!(
        post(&fake, OVERVIEW, &task("acme.com")).await.status(),
        200,
        "the 503 is for competitors only"
    );
    let res = post(&fake, COMPETITORS, &task("acme.com")).await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "2");
    assert_eq!(post(&fake, COMPETITORS, &task("acme.com")).await.status(), 200);

    fake.fail_next(2, 500);
    assert_eq!(post(&fake, COMPETITORS, &task("acme.com")).await.status(), 500);
    assert_eq!(post(&fake, OVERVIEW, &task("acme.com")).await.status(), 500);
    assert_eq!(post(&fake, OVERVIEW, &task("acme.com")).await.status(), 200);
    assert_eq!(fake.call_count(Endpoint::DomainRankOverview), 4);
    assert_eq!(fake.call_count(Endpoint::CompetitorsDomain), 3);
}

#[tokio::test]
async fn control_endpoints_inject_faults_delay_and_report_calls() {
    let fake = SeoFake::start("127.0.0.1:0").unwrap();
    let client = reqwest::Client::new();
    let control = |path: &str| format!("{}/_fake/{path}", fake.base_url());
    let res = client
        .post(control("faults"))
        .json(&json!({ "status": 502, "count": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(post(&fake, OVERVIEW, &task("acme.com")).await.status(), 502);
    let res = client
        .post(control("delay"))
        .json(&json!({ "ms": 300 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let started = Instant::now();
    assert_eq!(post(&fake, COMPETITORS, &task("acme.com")).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let report: Value = client.get(control("calls")).send().await.unwrap().json().await.unwrap();
    assert_eq!(report["domain_rank_overview"], 1);
    assert_eq!(report["competitors_domain"], 1);
    assert_eq!(report["calls"][0]["status"], 502);
    assert_eq!(report["calls"][0]["target"], "acme.com");

    assert_eq!(client.post(control("reset")).send().await.unwrap().status(), 204);
    assert!(fake.calls().is_empty());
}
