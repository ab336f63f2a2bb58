//! One declaration per operation, used twice: `mount` serves it and `document` puts it in the OpenAPI
//! document. The path and method are read from the handler's `#[utoipa::path]`, so they are written once;
//! the security requirement is not written per handler but follows from the operation's `Access`.

use std::collections::BTreeMap;

use actix_web::http::Method;
use actix_web::web;
use utoipa::openapi::path::{HttpMethod, Operation as DocOperation};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{OpenApi, RefOr, Schema};

use crate::rate_limit::{RateLimit, RouteClass};

/// Who may call an operation; it decides the security requirement the document states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No credentials (health, sign-in, the public intake form).
    Public,
    /// The signed-in session only (API keys are refused): creating API keys, password change, OAuth.
    Session,
    /// A session or an API key (the default for `/api/v1`).
    Caller,
}

impl Access {
    /// The document's `security` of an operation with this access and method: cookie-authenticated unsafe
    /// methods also need the CSRF header.
    fn security(self, method: &HttpMethod) -> Option<Vec<SecurityRequirement>> {
        let none: [&str; 0] = [];
        let session = if matches!(method, HttpMethod::Get | HttpMethod::Head | HttpMethod::Options) {
            SecurityRequirement::new("session_cookie", none)
        } else {
            SecurityRequirement::new("session_cookie", none).add("csrf_header", none)
        };
        match self {
            Access::Public => None,
            Access::Session => Some(vec![session]),
            Access::Caller => Some(vec![session, SecurityRequirement::new("api_key", none)]),
        }
    }
}

type SchemaList = Vec<(String, RefOr<Schema>)>;

/// One operation of the API: a handler with its documented path and method.
pub struct Operation {
    /// The full path as documented, e.g. `/api/v1/clients/{id}`.
    pub path: String,
    pub method: HttpMethod,
    pub access: Access,
    /// A per-IP rate limit wrapped around this operation's resource (on top of its scope's).
    limit: Option<RouteClass>,
    to: fn(actix_web::Route) -> actix_web::Route,
    doc: fn() -> DocOperation,
    schemas: fn(&mut SchemaList),
}

/// `op!(Caller, labels::list_labels)`: the operation of a handler annotated with `#[utoipa::path]`.
macro_rules! op {
    ($access:ident, $module:ident :: $handler:ident) => {
        paste::paste! {
            $crate::route_table::Operation::new::<$module::[<__path_ $handler>]>(
                $crate::route_table::Access::$access,
                |route| route.to($module::$handler),
            )
        }
    };
}
pub(crate) use op;

impl Operation {
    pub fn new<P>(access: Access, to: fn(actix_web::Route) -> actix_web::Route) -> Self
    where
        P: utoipa::Path + for<'t> utoipa::__dev::Tags<'t> + utoipa::__dev::SchemaReferences,
    {
        let mut methods = P::methods();
        assert_eq!(methods.len(), 1, "{}: one method per handler", P::path());
        Self {
            path: P::path(),
            method: methods.remove(0),
            access,
            limit: None,
            to,
            doc: doc_of::<P>,
            schemas: <P as utoipa::__dev::SchemaReferences>::schemas,
        }
    }

    /// Wrap this operation's resource in a per-IP limit of `class`.
    pub fn limited(mut self, class: RouteClass) -> Self {
        self.limit = Some(class);
        self
    }

    /// The scope the operation is mounted under: the longest of `SCOPES` that prefixes its path.
    pub fn scope(&self) -> &'static str {
        SCOPES
            .iter()
            .copied()
            .find(|s| self.path.starts_with(&format!("{s}/")))
            .unwrap_or("")
    }

    fn actix_method(&self) -> Method {
        match self.method {
            HttpMethod::Get => Method::GET,
            HttpMethod::Post => Method::POST,
            HttpMethod::Put => Method::PUT,
            HttpMethod::Delete => Method::DELETE,
            HttpMethod::Options => Method::OPTIONS,
            HttpMethod::Head => Method::HEAD,
            HttpMethod::Patch => Method::PATCH,
            HttpMethod::Trace => Method::TRACE,
        }
    }
}

/// The scopes operations live in, most specific first.
const SCOPES: [&str; 3] = ["/api/v1", "/api/public", "/api"];

fn doc_of<P: utoipa::Path + for<'t> utoipa::__dev::Tags<'t>>() -> DocOperation {
    let mut operation = P::operation();
    let tags = <P as utoipa::__dev::Tags>::tags();
    operation
        .tags
        .get_or_insert_with(Vec::new)
        .extend(tags.into_iter().map(String::from));
    operation
}

/// Mount the operations of `scope` on `cfg` (which is that scope): one resource per path, in the order
/// of first declaration, answering `405` to methods it does not route.
pub fn mount(cfg: &mut web::ServiceConfig, scope: &str, ops: &[Operation]) {
    let mut paths: Vec<&str> = Vec::new();
    for op in ops.iter().filter(|o| o.scope() == scope) {
        if !paths.contains(&op.path.as_str()) {
            paths.push(&op.path);
        }
    }
    for path in paths {
        let on_path: Vec<&Operation> = ops.iter().filter(|o| o.path == path).collect();
        let limit = on_path[0].limit;
        assert!(
            on_path.iter().all(|o| o.limit == limit),
            "{path}: every operation of a path shares its rate limit"
        );
        // `405` names the methods the path does answer (`Allow`, RFC 9110).
        let allow: Vec<String> = on_path.iter().map(|o| o.actix_method().to_string()).collect();
        let allow = allow.join(", ");
        let mut resource = web::resource(&path[scope.len()..]).default_service(web::to(move || {
            let allow = allow.clone();
            async move {
                let mut res = actix_web::ResponseError::error_response(&crate::error::ApiError::MethodNotAllowed);
                if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
                    res.headers_mut().insert(actix_web::http::header::ALLOW, v);
                }
                res
            }
        }));
        for op in on_path {
            resource = resource.route((op.to)(web::method(op.actix_method())));
        }
        match limit {
            Some(class) => cfg.service(resource.wrap(RateLimit::per_ip(class))),
            None => cfg.service(resource),
        };
    }
}

/// Add every operation, with its security requirement and the schemas it references, to `openapi`.
pub fn document(openapi: &mut OpenApi, ops: &[Operation]) {
    let mut schemas = SchemaList::new();
    for op in ops {
        let mut operation = (op.doc)();
        operation.security = op.access.security(&op.method);
        complete_problems(&mut operation, op);
        openapi
            .paths
            .add_path_operation(&op.path, vec![op.method.clone()], operation);
        (op.schemas)(&mut schemas);
    }
    let components = openapi.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
}

/// State in the document every problem an operation can answer, with the content type it is sent with.
/// Handlers document what is particular to them (`404`, `409 stage_conflict`...); what follows from the
/// operation's shape is added here, so it is never forgotten: `400` for a malformed id, query or body,
/// `401`/`403` for authenticated access, `413`/`415` for a JSON body, `422` where input is checked (control
/// characters at least), `429` for every rate-limited scope, `503 database_unavailable` with `Retry-After`.
fn complete_problems(operation: &mut DocOperation, op: &Operation) {
    use utoipa::openapi::path::ParameterIn;
    let params: Vec<ParameterIn> = operation
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p.parameter_in.clone()),
            RefOr::Ref(_) => None,
        })
        .collect();
    let has = |wanted: ParameterIn| {
        params
            .iter()
            .any(|p| std::mem::discriminant(p) == std::mem::discriminant(&wanted))
    };
    let json_body = matches!(&operation.request_body, Some(RefOr::T(b)) if b.content.contains_key("application/json"));
    let mut bad_request = Vec::new();
    if has(ParameterIn::Path) {
        bad_request.push("`invalid_id`: a path id is not a UUID");
    }
    if has(ParameterIn::Query) {
        bad_request.push("`invalid_query`: the query string does not parse");
    }
    if json_body {
        bad_request.push("`malformed_json` or `invalid_body`: the body is not JSON, or not of this shape");
    }
    let authenticated = op.access != Access::Public;
    let unsafe_method = !matches!(op.method, HttpMethod::Get | HttpMethod::Head | HttpMethod::Options);
    let mut add = |status: &str, description: String| {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(problem_response(description)));
    };
    if !bad_request.is_empty() {
        add("400", bad_request.join("; "));
    }
    if authenticated {
        add(
            "401",
            "`unauthorized`: no session, or an API key that is unknown, revoked or expired".into(),
        );
        add(
            "403",
            if unsafe_method {
                "`forbidden`: the caller's role lacks the permission; or `csrf_failed`: a session without its `X-CSRF-Token`".into()
            } else {
                "`forbidden`: the caller's role lacks the permission".into()
            },
        );
    }
    if json_body {
        add("413", "`payload_too_large`: the body is over the JSON limit".into());
        add(
            "415",
            "`unsupported_media_type`: the body is not sent as `application/json`".into(),
        );
    }
    if json_body || has(ParameterIn::Query) {
        add("422", "`validation_failed`: a field is invalid (each is named in `errors`); text never holds control characters such as NUL".into());
    }
    if op.scope() == "/api/v1" || op.scope() == "/api/public" || op.limit.is_some() {
        add("429", "`rate_limited`: wait `Retry-After` seconds".into());
    }
    if op.scope() == "/api/v1" || op.scope() == "/api/public" {
        add(
            "503",
            "`database_unavailable`: retry after `Retry-After` seconds".into(),
        );
    }
    // Problems are `application/problem+json`, whatever the handler's annotation said.
    for (status, response) in operation.responses.responses.iter_mut() {
        if let (true, RefOr::T(response)) = (status.as_str() >= "400", response) {
            if let Some(content) = response.content.shift_remove("application/json") {
                response
                    .content
                    .insert(audienceos_shared::problem::PROBLEM_CONTENT_TYPE.to_string(), content);
            }
        }
    }
}

/// A problem response with `description`.
fn problem_response(description: String) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            audienceos_shared::problem::PROBLEM_CONTENT_TYPE,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// The documented operations as `(path, method)` pairs, for tests that compare them with what is served.
pub fn listing(ops: &[Operation]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for op in ops {
        out.entry(op.path.clone())
            .or_default()
            .push(op.actix_method().to_string());
    }
    out
}
