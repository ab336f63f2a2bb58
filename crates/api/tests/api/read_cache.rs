//! The read cache never serves what a write has outdated: not on the instance that wrote, nor on another
//! instance of the same database. (Writes outside requests, by the rules job, are covered by the dashboard
//! and alert tests, which read the KPIs and alerts before and after running the rules.)

use audienceos_shared::clients::Client;
use audienceos_shared::dashboard::DashboardKpis;
use audienceos_shared::Page;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend};
use crate::on_both;

on_both!(writes_on_one_instance_are_read_fresh_on_another);

struct Api {
    http: reqwest::Client,
    key: String,
}

impl Api {
    async fn get<T: serde::de::DeserializeOwned>(&self, base: &str, path: &str) -> T {
        let res = self
            .http
            .get(format!("{base}{path}"))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.unwrap()
    }

    async fn send(&self, method: reqwest::Method, base: &str, path: &str, body: Value) -> Value {
        let res = self
            .http
            .request(method, format!("{base}{path}"))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap_or(Value::Null)
    }
}

fn active_clients(k: &DashboardKpis) -> f64 {
    k.kpis.iter().find(|k| k.key == "active_clients").unwrap().value
}

async fn writes_on_one_instance_are_read_fresh_on_another(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let key = crate::fixtures::new_api_key(&app, "cache", "admin", 1).await;
    let api = Api {
        http: reqwest::Client::new(),
        key: key.secret,
    };
    let a = app.browser.addr.clone();
    let b = app.second_instance().await;
    let list = "/api/v1/clients?sort=name";

    let created = api
        .send(
            reqwest::Method::POST,
            &a,
            "/api/v1/clients",
            json!({ "name": "Alpha Co" }),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    // B reads (and caches) the list and the KPIs twice.
    for _ in 0..2 {
        let page: Page<Client> = api.get(&b, list).await;
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].name, "Alpha Co");
        let kpis: DashboardKpis = api.get(&b, "/api/v1/dashboard/kpis").await;
        assert_eq!(active_clients(&kpis), 1.0);
    }

    // A writes; B's next reads see it, though their cached entries are still young.
    api.send(
        reqwest::Method::PATCH,
        &a,
        &format!("/api/v1/clients/{id}"),
        json!({ "name": "Beta Co" }),
    )
    .await;
    api.send(
        reqwest::Method::POST,
        &a,
        "/api/v1/clients",
        json!({ "name": "Gamma Co" }),
    )
    .await;
    let page: Page<Client> = api.get(&b, list).await;
    let names: Vec<&str> = page.items.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Beta Co", "Gamma Co"]);
    let kpis: DashboardKpis = api.get(&b, "/api/v1/dashboard/kpis").await;
    assert_eq!(active_clients(&kpis), 2.0);
}
