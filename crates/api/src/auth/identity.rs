//! Who is calling: a middleware resolves the caller once per request (Bearer API key, else session
//! cookie) into an `Identity` in the request extensions; `AuthUser` requires one (and a valid CSRF token
//! for cookie-authenticated unsafe methods); `Authorized<P>` also enforces one cell of the permission matrix.

use std::marker::PhantomData;
use std::net::IpAddr;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage as _, HttpRequest};
use audienceos_shared::permissions::{allows, Action, Permission, Resource, SystemRole};
use futures_util::future::LocalBoxFuture;
use subtle::ConstantTimeEq as _;
use uuid::Uuid;

use super::session::{CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, SESSION_PURPOSE};
use super::tokens::{digest, API_KEY_PREFIX};
use crate::error::ApiError;
use crate::read_cache::RoleGrant;
use crate::state::AppState;

/// How the caller authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Session { session_id: Uuid, csrf_token: String },
    ApiKey { key_id: Uuid },
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user_id: Uuid,
    pub agency_id: Uuid,
    pub role_id: Uuid,
    pub role_name: String,
    pub system_role: Option<SystemRole>,
    pub permissions: Vec<Permission>,
    pub via: Via,
    /// False when a cookie-authenticated unsafe request lacks a matching CSRF token.
    pub csrf_ok: bool,
    /// The agency's data version when the request began (the key of the read caches).
    pub data_version: i64,
    /// The caller's IP (behind trusted proxies, the forwarded one), for the audit log.
    pub ip: String,
}

impl Identity {
    pub fn can(&self, resource: Resource, action: Action) -> bool {
        allows(&self.permissions, resource, action)
    }

    /// Rate limit key: the API key, else the user.
    pub fn rate_limit_key(&self) -> String {
        match &self.via {
            Via::ApiKey { key_id } => format!("key:{key_id}"),
            Via::Session { .. } => format!("user:{}", self.user_id),
        }
    }

    /// `Some(user_id)` when the caller sees only the clients they own or collaborate on (Members);
    /// `None` when they see every client of the agency.
    pub fn client_scope(&self) -> Option<Uuid> {
        match self.system_role {
            Some(SystemRole::Owner | SystemRole::Admin | SystemRole::Manager) => None,
            Some(SystemRole::Member) | None => Some(self.user_id),
        }
    }

    /// The agency and client scope this caller's reads and writes are limited to.
    pub fn tenant(&self) -> crate::domain::tenant::Tenant {
        crate::domain::tenant::Tenant {
            agency_id: self.agency_id,
            client_scope: self.client_scope(),
        }
    }

    /// Owner or Admin: may edit or delete other people's notes.
    pub fn is_admin(&self) -> bool {
        matches!(self.system_role, Some(SystemRole::Owner | SystemRole::Admin))
    }

    pub fn session_id(&self) -> Option<Uuid> {
        match &self.via {
            Via::Session { session_id, .. } => Some(*session_id),
            Via::ApiKey { .. } => None,
        }
    }
}

/// Marker in the extensions: credentials were sent but are not valid.
#[derive(Debug, Clone, Copy)]
struct BadCredentials;

/// The client's IP: the peer, or, behind a trusted proxy, the right-most untrusted `X-Forwarded-For` hop.
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    if let Some(peer_ip) = peer {
        if trusted.contains(&peer_ip) {
            if let Some(xff) = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
                if let Some(ip) = xff
                    .split(',')
                    .rev()
                    .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                    .find(|ip| !trusted.contains(ip))
                {
                    return ip.to_string();
                }
            }
        }
        return peer_ip.to_string();
    }
    "unknown".into()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Middleware: resolve the caller and put an `Identity` (or a bad-credentials marker) in the extensions.
pub async fn resolve_identity<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let mut writer = None;
    if let Some(state) = req.app_data::<web::Data<AppState>>().cloned() {
        match resolve(&state, req.request()).await {
            Ok(Some(identity)) => {
                if !is_safe(req.method()) {
                    writer = Some((state.clone(), identity.agency_id));
                }
                req.extensions_mut().insert(identity);
            }
            Ok(None) => {}
            Err(Resolve::Bad) => {
                req.extensions_mut().insert(BadCredentials);
            }
            Err(Resolve::Failed(e)) => {
                let res = actix_web::ResponseError::error_response(&ApiError::Internal(e));
                return Ok(req.into_response(res).map_into_right_body());
            }
        }
    }
    let res = next.call(req).await?;
    // Any unsafe request of a signed-in caller may have written: outdate the agency's cached reads before
    // the response leaves, so the caller (and everyone after) reads what was written.
    if let Some((state, agency_id)) = writer {
        state.data_changed(agency_id).await;
    }
    Ok(res.map_into_left_body())
}

enum Resolve {
    Bad,
    Failed(anyhow::Error),
}

impl From<crate::store::StoreError> for Resolve {
    fn from(e: crate::store::StoreError) -> Self {
        Resolve::Failed(anyhow::Error::new(e))
    }
}

async fn resolve(state: &AppState, req: &HttpRequest) -> Result<Option<Identity>, Resolve> {
    let now = crate::clock::system_now();
    let key = state.settings.secrets.session_key.expose();
    if let Some(auth) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| t.starts_with(API_KEY_PREFIX))
            .ok_or(Resolve::Bad)?;
        let row = state
            .store
            .find_active_api_key(&digest(key, "api_key", token), now)
            .await?
            .ok_or(Resolve::Bad)?;
        if row.last_used_at.is_none_or(|t| now - t > chrono::Duration::seconds(60)) {
            state.store.touch_api_key(row.id, now).await?;
        }
        let grant = role_grant(state, row.agency_id, row.role_id, row.data_version).await?;
        return Ok(Some(Identity {
            user_id: row.created_by,
            agency_id: row.agency_id,
            role_id: grant.role_id,
            system_role: grant.system_role,
            role_name: grant.role_name.clone(),
            permissions: grant.permissions.clone(),
            via: Via::ApiKey { key_id: row.id },
            csrf_ok: true,
            data_version: row.data_version,
            ip: client_ip(req, &state.settings.trusted_proxies),
        }));
    }
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = state
        .store
        .find_active_session(&digest(key, SESSION_PURPOSE, cookie.value()), now)
        .await?
    else {
        return Err(Resolve::Bad);
    };
    if now - session.last_seen_at > chrono::Duration::seconds(60) {
        let idle = now + chrono::Duration::minutes(state.settings.session_idle_minutes);
        state.store.touch_session(session.id, now, idle).await?;
        state.store.touch_user(session.user_id, now).await?;
    }
    let csrf_ok = is_safe(req.method()) || {
        let header = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let cookie = req
            .cookie(CSRF_COOKIE)
            .map(|c| c.value().to_string())
            .unwrap_or_default();
        !header.is_empty()
            && bool::from(header.as_bytes().ct_eq(cookie.as_bytes()))
            && bool::from(header.as_bytes().ct_eq(session.csrf_token.as_bytes()))
    };
    let grant = role_grant(state, session.agency_id, session.role_id, session.data_version).await?;
    Ok(Some(Identity {
        user_id: session.user_id,
        agency_id: session.agency_id,
        role_id: grant.role_id,
        system_role: grant.system_role,
        role_name: grant.role_name.clone(),
        permissions: grant.permissions.clone(),
        via: Via::Session {
            session_id: session.id,
            csrf_token: session.csrf_token,
        },
        csrf_ok,
        data_version: session.data_version,
        ip: client_ip(req, &state.settings.trusted_proxies),
    }))
}

/// The role and permissions of a request, from the read cache (keyed by the agency's data version, so a
/// changed role or matrix is seen by the next request) or the store.
async fn role_grant(
    state: &AppState,
    agency_id: Uuid,
    role_id: Uuid,
    version: i64,
) -> Result<std::sync::Arc<RoleGrant>, Resolve> {
    state
        .reads
        .role(agency_id, role_id, version, async {
            let role = state.store.get_role(agency_id, role_id).await?;
            let permissions = state.store.role_permissions(agency_id, role_id).await?;
            Ok(RoleGrant {
                role_id: role.id,
                system_role: role.system(),
                role_name: role.name,
                permissions,
            })
        })
        .await
        .map_err(|e| Resolve::Failed(anyhow::Error::new(e)))
}

/// An authenticated caller (any permission).
#[derive(Debug, Clone)]
pub struct AuthUser(pub Identity);

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(authenticated(req).map(AuthUser))
    }
}

fn authenticated(req: &HttpRequest) -> Result<Identity, ApiError> {
    let ext = req.extensions();
    if ext.get::<BadCredentials>().is_some() {
        return Err(ApiError::Unauthorized);
    }
    let identity = ext.get::<Identity>().cloned().ok_or(ApiError::Unauthorized)?;
    if !identity.csrf_ok {
        return Err(ApiError::CsrfFailed);
    }
    Ok(identity)
}

/// One cell of the permission matrix, as a type.
pub trait Permit {
    const RESOURCE: Resource;
    const ACTION: Action;
}

/// Declare permit marker types: `permits! { SettingsRead = Settings, Read; }`.
macro_rules! permits {
    ($($name:ident = $res:ident, $act:ident;)*) => {$(
        #[doc = concat!("Requires `", stringify!($res), ":", stringify!($act), "`.")]
        pub struct $name;
        impl Permit for $name {
            const RESOURCE: Resource = Resource::$res;
            const ACTION: Action = Action::$act;
        }
    )*};
}

permits! {
    ClientsRead = Clients, Read;
    ClientsWrite = Clients, Write;
    ClientsManage = Clients, Manage;
    SettingsRead = Settings, Read;
    SettingsWrite = Settings, Write;
    UsersManage = Users, Manage;
    OnboardingRead = Onboarding, Read;
    OnboardingWrite = Onboarding, Write;
    OnboardingManage = Onboarding, Manage;
    IntegrationsRead = Integrations, Read;
    IntegrationsWrite = Integrations, Write;
    IntegrationsManage = Integrations, Manage;
    CommunicationsRead = Communications, Read;
    CommunicationsWrite = Communications, Write;
}

/// An authenticated caller holding permission `P`; otherwise `401`, `403 csrf_failed` or `403 forbidden`.
/// Denials are written to the audit log.
pub struct Authorized<P: Permit>(pub Identity, PhantomData<P>);

impl<P: Permit> std::ops::Deref for Authorized<P> {
    type Target = Identity;
    fn deref(&self) -> &Identity {
        &self.0
    }
}

impl<P: Permit + 'static> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = authenticated(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let identity = result?;
            if identity.can(P::RESOURCE, P::ACTION) {
                return Ok(Authorized(identity, PhantomData));
            }
            if let Some(state) = state {
                let required = format!("{}:{}", P::RESOURCE.as_str(), P::ACTION.as_str());
                crate::services::audit::Audit::by(&identity, "permission.denied")
                    .outcome("denied")
                    .with("required", required)
                    .record(&state)
                    .await;
            }
            Err(ApiError::forbidden(format!(
                "This needs the {}:{} permission.",
                P::RESOURCE.as_str(),
                P::ACTION.as_str()
            )))
        })
    }
}
