//! The committed OpenAPI document matches the code, every served route is documented, every documented
//! operation is served with exactly its methods, and every error code is described.

use crate::helpers::{spawn_app, spawn_app_with, Backend};

/// The committed file at `path` (from the repository's root) as it is; empty when missing.
fn committed(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_default()
}

/// "`path` is out of date; regenerate it with: `command` > `path`".
fn regenerate(path: &str, command: &str) -> String {
    format!("{path} is out of date; regenerate it with:\n    cargo run -q -p audienceos-api -- {command} > {path}")
}

#[test]
fn openapi_json_is_up_to_date() {
    let path = "openapi/openapi.json";
    let generated = audienceos_api::openapi::document();
    assert!(committed(path) == generated, "{}", regenerate(path, "openapi"));
}

#[test]
fn the_http_contract_is_generated_from_the_document() {
    let path = "docs/http-contract.md";
    let generated = audienceos_api::openapi::contract_markdown();
    assert!(
        committed(path).trim_end() == generated.trim_end(),
        "{}",
        regenerate(path, "openapi --markdown")
    );
    assert!(generated.contains("| POST `/api/v1/clients` | session or key | Create a client |"));
}

#[tokio::test]
async fn the_document_is_served_and_declares_both_auth_schemes() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc: serde_json::Value = app.get_json("/api/openapi.json").await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["csrf_header"]["name"], "X-CSRF-Token");
    assert_eq!(schemes["api_key"]["scheme"], "bearer");
    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().to_lowercase().contains("swagger"));
}

/// The full patterns of every resource actix serves, read from the app's resource map: the map is only
/// printable (its tree is private), so its `Debug` form is walked, keeping each node's pattern on a stack.
fn served_patterns() -> std::collections::BTreeSet<String> {
    use actix_web::{test, App, HttpResponse};
    use std::sync::{Arc, Mutex};
    let captured = Arc::new(Mutex::new(String::new()));
    let sink = captured.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let app = test::init_service(
            App::new()
                .wrap_fn(move |req, _srv| {
                    *sink.lock().unwrap() = format!("{:?}", req.resource_map());
                    let res = req.into_response(HttpResponse::Ok().finish());
                    async move { Ok(res) }
                })
                .configure(|cfg| audienceos_api::routes::configure(cfg, false)),
        )
        .await;
        test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
    });
    let dump = captured.lock().unwrap().clone();
    assert!(
        dump.contains("ResourceMap {"),
        "the resource map's Debug form changed: {dump:.200}"
    );

    // Walk the dump: `ResourceMap {` opens a node, its first `patterns: Single("..")` is its pattern, and the
    // matching `}` closes it; a node without children (`nodes: None`) is a served resource.
    let bytes = dump.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    let mut stack: Vec<(usize, Option<String>, bool)> = Vec::new(); // (depth opened at, pattern, leaf)
    let mut out = std::collections::BTreeSet::new();
    while i < bytes.len() {
        let rest = &dump[i..];
        if rest.starts_with('"') {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            i = j + 1;
            continue;
        }
        if rest.starts_with("ResourceMap {") {
            depth += 1;
            stack.push((depth, None, false));
            i += "ResourceMap {".len();
            continue;
        }
        if let Some(top) = stack.last_mut() {
            if top.1.is_none() && rest.starts_with("patterns: Single(\"") {
                let start = i + "patterns: Single(\"".len();
                let end = start + dump[start..].find('"').unwrap();
                top.1 = Some(dump[start..end].to_string());
                i = end + 1;
                continue;
            }
            if top.0 == depth && rest.starts_with("nodes: None") {
                top.2 = true;
            }
        }
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                if stack.last().is_some_and(|t| t.0 == depth) {
                    let (_, _, leaf) = stack.last().cloned().unwrap();
                    if leaf {
                        out.insert(stack.iter().filter_map(|t| t.1.clone()).collect::<String>());
                    }
                    stack.pop();
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[test]
fn every_served_route_is_documented() {
    let doc: serde_json::Value = serde_json::from_str(&audienceos_api::openapi::document()).unwrap();
    let documented: std::collections::BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let served = served_patterns();
    // The docs UI and the document itself are the only undocumented `/api` resources.
    let undocumented: Vec<_> = served
        .iter()
        .filter(|p| p.starts_with("/api") && !documented.contains(*p))
        .filter(|p| !p.starts_with("/api/docs/") && *p != "/api/openapi.json")
        .collect();
    assert!(
        undocumented.is_empty(),
        "served but not in the OpenAPI document: {undocumented:?}"
    );
    let unserved: Vec<_> = documented.iter().filter(|p| !served.contains(*p)).collect();
    assert!(unserved.is_empty(), "documented but not served: {unserved:?}");
    assert!(served.len() > 60, "the walk found too few resources: {served:?}");
}

#[tokio::test]
async fn every_documented_path_serves_exactly_its_documented_methods() {
    let limits = [
        ("AOS_RATE_LIMIT_PUBLIC", "1000/minute"),
        ("AOS_RATE_LIMIT_API", "5000/minute"),
    ];
    let app = spawn_app_with(Backend::Sqlite, &limits).await;
    let doc: serde_json::Value = app.get_json("/api/openapi.json").await;
    let client = reqwest::Client::new();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    "00000000-0000-0000-0000-000000000000"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in ["get", "post", "put", "patch", "delete"] {
            let res = client
                .request(
                    method.to_uppercase().parse().unwrap(),
                    format!("{}{concrete}", app.addr),
                )
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            if item.get(method).is_some() {
                assert_ne!(status, 405, "{method} {path} is documented but answers 405");
            } else {
                assert_eq!(status, 405, "{method} {path} is not documented but answers {status}");
                // `Allow` lists exactly the documented methods.
                let allow = res.headers()["allow"].to_str().unwrap().to_lowercase();
                let mut allowed: Vec<&str> = allow.split(", ").collect();
                let mut documented: Vec<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
                allowed.sort_unstable();
                documented.sort_unstable();
                assert_eq!(allowed, documented, "{method} {path}: Allow");
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "only {checked} undocumented methods were probed");
}

/// Every problem answer is documented as `application/problem+json`, and what follows from an
/// operation's shape is stated: `401`/`403` when authenticated, `400`/`413`/`415`/`422` with a JSON body,
/// `503` under `/api/v1`.
#[test]
fn problems_are_documented_as_sent() {
    let doc: serde_json::Value = serde_json::from_str(&audienceos_api::openapi::document()).unwrap();
    let mut ops = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            for (status, response) in responses {
                if status.as_str() >= "400" {
                    let content = response["content"].as_object();
                    assert!(
                        content.is_some_and(
                            |c| c.contains_key("application/problem+json") && !c.contains_key("application/json")
                        ),
                        "{method} {path} {status}: {response}"
                    );
                }
            }
            let has = |s: &str| responses.contains_key(s);
            if op.get("security").is_some() {
                assert!(has("401") && has("403"), "{method} {path}");
            }
            if op["requestBody"]["content"].get("application/json").is_some() {
                assert!(has("400") && has("413") && has("415") && has("422"), "{method} {path}");
            }
            if path.starts_with("/api/v1/") {
                assert!(has("429") && has("503"), "{method} {path}");
            }
            ops += 1;
        }
    }
    assert!(ops > 100);
}

#[test]
fn every_error_code_is_described_in_the_document() {
    let doc: serde_json::Value = serde_json::from_str(&audienceos_api::openapi::document()).unwrap();
    let description = doc["info"]["description"].as_str().unwrap();
    for code in audienceos_api::error::Code::ALL {
        let row = format!("| `{}` | {} | {} |", code.as_str(), code.status(), code.title());
        assert!(description.contains(&row), "{} is not described", code.as_str());
    }
}
