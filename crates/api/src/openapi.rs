//! The OpenAPI document: info, tags and security schemes here; the paths from the route table
//! (`routes::operations`, each handler's `#[utoipa::path]`) and the shared DTOs.
//! `audienceos openapi` prints it; `openapi/openapi.json` is that output, committed, and a test fails on drift.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::Code;
use crate::{route_table, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AudienceOS API",
        description = "The command center API of a marketing agency. JSON over HTTPS; errors are RFC 9457 \
                       `application/problem+json` with a stable `code`. Authenticate with the session cookie \
                       (plus `X-CSRF-Token` on unsafe methods) or an API key as `Authorization: Bearer aos_...`.",
        license(name = "Apache-2.0")
    ),
    components(schemas(
        audienceos_shared::Problem,
        audienceos_shared::FieldError,
        // Referenced by the client list's query parameters, which do not register them themselves.
        audienceos_shared::clients::ClientSort,
        audienceos_shared::clients::SortDir
    )),
    modifiers(&SecuritySchemes, &Operations, &ErrorCodes),
    tags(
        (name = "health", description = "Liveness and deep health"),
        (name = "auth", description = "Sign-up, sign-in, sessions and passwords"),
        (name = "api_keys", description = "API keys for third-party callers"),
        (name = "audit", description = "The audit log of security events"),
        (name = "clients", description = "Clients, their pipeline stage, owner, labels and health"),
        (name = "notes", description = "Notes on a client"),
        (name = "tasks", description = "Tasks on a client, ordered, with due dates and completion; the agency's task list across clients"),
        (name = "files", description = "Files attached to a client, stored in the configured object store"),
        (name = "pipeline", description = "The agency's pipeline stages and health thresholds"),
        (name = "labels", description = "The agency's client labels"),
        (name = "team", description = "The agency's team members, for pickers"),
        (name = "alerts", description = "Alerts raised by rules: snooze, escalate, dismiss, resolve"),
        (name = "dashboard", description = "KPIs with trends, daily series and the firehose of events"),
        (name = "onboarding", description = "Journeys, the intake form builder, onboardings and their stage transitions"),
        (name = "public", description = "The public intake form behind an emailed link (no login)"),
        (name = "seo", description = "SEO enrichment of a domain or client (DataForSEO) and the provider usage report"),
        (name = "ad_performance", description = "Daily ad performance synced from Google Ads and Meta Ads, per client and agency-wide"),
        (name = "communications", description = "Messages synced from Gmail and Slack: per client, and as threads of the inbox"),
        (name = "events", description = "Live updates as Server-Sent Events: new messages, thread and reply changes, resumable with Last-Event-ID"),
        (name = "integrations", description = "Gmail, Slack, Google Ads and Meta Ads: OAuth connect, health, test, sync and disconnect"),
    )
)]
pub struct ApiDoc;

/// The paths: every operation of the route table (`routes::operations`), declared there once.
struct Operations;

impl Modify for Operations {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        route_table::document(openapi, &routes::operations());
    }
}

/// The rule the edge enforces on every text input (`audienceos_shared::validation::is_forbidden_char`),
/// stated in the document: each free-text string of a request body, and each string parameter, gets
/// a pattern refusing control characters other than tab, line feed and carriage return. Response
/// schemas are left alone (synced email bodies may hold a form feed). Applied to the document as JSON,
/// since utoipa's types do not read back what they write.
fn add_text_rule(doc: &mut serde_json::Value) {
    use serde_json::Value;
    // The component schemas request bodies reach, transitively.
    let mut request_schemas = std::collections::BTreeSet::new();
    let mut stack: Vec<Value> = doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|ops| ops.values())
        .filter_map(|op| op.get("requestBody").cloned())
        .collect();
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                let reference = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next());
                if let Some(name) = reference {
                    if request_schemas.insert(name.to_string()) {
                        stack.extend(doc.pointer(&format!("/components/schemas/{name}")).cloned());
                    }
                }
                stack.extend(map.into_values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    for name in &request_schemas {
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            add_text_pattern(schema);
        }
    }
    // `get_mut`, not indexing: indexing a missing key would insert a `null`.
    let ops = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|ops| ops.values_mut());
    for op in ops {
        for param in op
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(schema) = param.get_mut("schema") {
                add_text_pattern(schema);
            }
        }
        if let Some(body) = op.get_mut("requestBody") {
            add_text_pattern(body);
        }
    }
}

/// `is_forbidden_char` as a character class.
pub const TEXT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$";

/// Add `TEXT_PATTERN` to every plain string schema under `node` (no enum, format, pattern or const),
/// without following references.
fn add_text_pattern(node: &mut serde_json::Value) {
    use serde_json::Value;
    match node {
        Value::Object(map) => {
            let is_string = match map.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                _ => false,
            };
            let plain = !["enum", "format", "pattern", "const", "$ref", "contentMediaType"]
                .iter()
                .any(|k| map.contains_key(*k));
            if is_string && plain {
                map.insert("pattern".into(), Value::String(TEXT_PATTERN.into()));
            }
            for v in map.values_mut() {
                add_text_pattern(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(add_text_pattern),
        _ => {}
    }
}

/// The table of error codes, appended to the document's description: what each `code` of a problem means.
struct ErrorCodes;

impl Modify for ErrorCodes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut table = String::from(
            "\n\n## Error codes\n\nEvery error is a problem whose `code` is one of these; each code always comes with \
             the same status.\n\n| code | status | title |\n|---|---|---|\n",
        );
        for code in Code::ALL {
            table.push_str(&format!(
                "| `{}` | {} | {} |\n",
                code.as_str(),
                code.status(),
                code.title()
            ));
        }
        let description = openapi.info.description.get_or_insert_with(String::new);
        description.push_str(&table);
    }
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "aos_session",
                "Session cookie set by sign-in and sign-up (HttpOnly).",
            ))),
        );
        components.add_security_scheme(
            "csrf_header",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "Required with the session cookie on POST/PUT/PATCH/DELETE: the value of the aos_csrf cookie.",
            ))),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("aos_...")
                    .description(Some("An API key created in Settings > API keys. No CSRF token needed."))
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON with a trailing newline (the committed form).
pub fn document() -> String {
    let mut json = serde_json::to_string_pretty(&document_value()).expect("the OpenAPI document serialises");
    json.push('\n');
    json
}

/// The document as served and committed: utoipa's, with the text rule stated (`add_text_rule`).
pub fn document_value() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serialises");
    add_text_rule(&mut doc);
    doc
}

/// `docs/http-contract.md`: the contract in prose plus one line per operation, generated from the document
/// (`audienceos openapi --markdown`), so it cannot fall behind the server; a test fails on drift.
pub fn contract_markdown() -> String {
    let doc: serde_json::Value = serde_json::from_str(&document()).expect("the document is JSON");
    let mut out = String::from(
        "# HTTP contract\n\n\
         Generated from the OpenAPI document by `audienceos openapi --markdown > docs/http-contract.md`; do not edit.\n\
         The document itself is served at `/api/openapi.json` (committed as `openapi/openapi.json`), with a docs UI\n\
         at `/api/docs/`.\n\n\
         - Everything under `/api/v1` is JSON, snake_case; ids are UUIDv7; timestamps RFC 3339 UTC. Lists take\n  \
         `?limit=` (default 50, at most 200) and `&cursor=`, and answer `{ \"items\": [...], \"next_cursor\": ... }`.\n\
         - Every error is `application/problem+json` with a stable `code` (table below), the request id (also in\n  \
         `X-Request-Id`) and, for 422, per-field `errors`.\n\
         - Auth: the SPA's session cookie `aos_session`, with `X-CSRF-Token` equal to the `aos_csrf` cookie on\n  \
         every unsafe method (else 403 `csrf_failed`); third parties send `Authorization: Bearer aos_...` API keys\n  \
         and no CSRF token. *Access* below: `public` needs nothing, `session` only a signed-in browser session,\n  \
         `session or key` either.\n\n\
         | Method and path | Access | Summary | Request body | Success | Problems |\n|---|---|---|---|---|---|\n",
    );
    let schema_name = |v: &serde_json::Value| -> String {
        let content = &v["content"];
        let Some((_, media)) = content.as_object().and_then(|c| c.iter().next()) else {
            return String::new();
        };
        let schema = &media["schema"];
        let name = |r: &serde_json::Value| {
            r["$ref"]
                .as_str()
                .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
        };
        name(schema)
            .or_else(|| name(&schema["items"]).map(|n| format!("[{n}]")))
            .map(|n| format!("`{n}`"))
            .unwrap_or_default()
    };
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let access = match op["security"].as_array().map(Vec::len) {
                None | Some(0) => "public",
                Some(1) => "session",
                _ => "session or key",
            };
            let summary = op["summary"].as_str().unwrap_or_default();
            let body = schema_name(&op["requestBody"]);
            let mut success = Vec::new();
            let mut problems = Vec::new();
            for (status, res) in op["responses"].as_object().into_iter().flatten() {
                if status.starts_with('2') || status.starts_with('3') {
                    success.push(format!("{status} {}", schema_name(res)).trim().to_string());
                } else {
                    let codes = res["description"].as_str().unwrap_or_default();
                    problems.push(format!("{status} {codes}").trim().to_string());
                }
            }
            out.push_str(&format!(
                "| {} `{path}` | {access} | {summary} | {body} | {} | {} |\n",
                method.to_uppercase(),
                success.join(", "),
                problems.join(", ").replace('|', "\\|"),
            ));
        }
    }
    out.push_str("\n## Error codes\n\n| code | status | title |\n|---|---|---|\n");
    for code in Code::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            code.as_str(),
            code.status(),
            code.title()
        ));
    }
    out
}
