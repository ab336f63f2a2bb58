//! Clients: create and read, and the one place a client row becomes its response (`client_dtos`).

use actix_web::{web, HttpRequest, HttpResponse};
use audienceos_shared::clients::{Client, CreateClientRequest, Health, Label};
use audienceos_shared::team::UserRef;
use audienceos_shared::{Money, Problem};
use serde_json::json;
use uuid::Uuid;

use crate::auth::identity::{client_ip, ClientsRead, ClientsWrite};
use crate::auth::{Authorized, Identity};
use crate::error::{validate, ApiError};
use crate::startup::AppState;
use crate::store::audit::NewAuditEvent;
use crate::store::clients::{days_between, ClientRow, NewClient};
use crate::store::StoreError;

/// Create a client
///
/// Starts in `stage_id`, or the agency's first stage. The first stage event is written with it.
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", request_body = CreateClientRequest,
    responses((status = 201, body = Client), (status = 409, body = Problem, description = "`contact_email_taken`"),
        (status = 422, body = Problem)),
    security(("session_cookie" = [], "csrf_header" = []), ("api_key" = [])))]
pub async fn create_client(
    state: web::Data<AppState>,
    req: HttpRequest,
    me: Authorized<ClientsWrite>,
    body: web::Json<CreateClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    normalise_create(&mut body);
    validate(&body)?;
    let stage_id = match body.stage_id {
        Some(id) => match state.store.get_stage(me.agency_id, id).await {
            Ok(s) => s.id,
            Err(StoreError::NotFound) => {
                return Err(ApiError::field("stage_id", "unknown", "is not a stage of this agency"))
            }
            Err(e) => return Err(e.into()),
        },
        None => state.store.first_stage(me.agency_id).await?.id,
    };
    if let Some(owner) = body.owner_id {
        check_member(&state, me.agency_id, owner, "owner_id").await?;
    }
    let now = crate::store::now();
    let new = NewClient {
        name: body.name,
        contact_name: body.contact_name,
        contact_email: body.contact_email,
        website: body.website,
        stage_id,
        install_date: body.install_date,
        total_spend_cents: body.total_spend.unwrap_or(Money::ZERO).cents(),
        lifetime_value_cents: body.lifetime_value.unwrap_or(Money::ZERO).cents(),
        due_date: body.due_date,
        owner_id: body.owner_id,
        label_ids: body.label_ids,
    };
    let id = match state
        .store
        .insert_client(me.agency_id, Some(me.user_id), &new, now)
        .await
    {
        Err(StoreError::NotFound) => {
            return Err(ApiError::field(
                "label_ids",
                "unknown",
                "names a label that does not exist",
            ))
        }
        other => other?,
    };
    state.store.refresh_health(me.agency_id, Some(id), now).await?;
    audit_client(&state, &req, &me, "client.created", id, json!({})).await;
    let row = state.store.get_client(me.agency_id, None, id).await?;
    Ok(HttpResponse::Created().json(one_dto(&state, row).await?))
}

/// Get a client
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, body = Client), (status = 404, body = Problem)),
    security(("session_cookie" = []), ("api_key" = [])))]
pub async fn get_client(
    state: web::Data<AppState>,
    me: Authorized<ClientsRead>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = state
        .store
        .get_client(me.agency_id, me.client_scope(), id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(one_dto(&state, row).await?))
}

/// Trim text fields, turn empty strings into absent values and bare domains into `https://` URLs.
pub fn normalise_create(b: &mut CreateClientRequest) {
    b.name = b.name.trim().to_string();
    b.contact_name = clean(b.contact_name.take());
    b.contact_email = clean(b.contact_email.take());
    b.website = clean(b.website.take()).map(|w| normalise_website(&w));
}

/// `Some(trimmed)` unless blank.
pub fn clean(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `acme.com` → `https://acme.com`; URLs with a scheme are kept.
pub fn normalise_website(w: &str) -> String {
    if w.starts_with("http://") || w.starts_with("https://") {
        w.to_string()
    } else {
        format!("https://{w}")
    }
}

/// 422 on `field` unless `user_id` is an active member of the agency.
pub async fn check_member(state: &AppState, agency_id: Uuid, user_id: Uuid, field: &str) -> Result<(), ApiError> {
    match state.store.get_user(agency_id, user_id).await {
        Ok(u) if u.is_active => Ok(()),
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::field(
            field,
            "unknown",
            "is not an active member of this agency",
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn audit_client(
    state: &AppState,
    req: &HttpRequest,
    me: &Identity,
    action: &'static str,
    client_id: Uuid,
    extra: serde_json::Value,
) {
    let mut metadata = json!({ "client_id": client_id });
    if let (Some(m), serde_json::Value::Object(extra)) = (metadata.as_object_mut(), extra) {
        m.extend(extra);
    }
    state
        .audit(NewAuditEvent {
            agency_id: Some(me.agency_id),
            actor_user_id: Some(me.user_id),
            action,
            outcome: "success",
            ip: Some(client_ip(req, &state.settings.trusted_proxies)),
            metadata,
        })
        .await;
}

/// One client's response.
pub async fn one_dto(state: &AppState, row: ClientRow) -> Result<Client, ApiError> {
    let mut v = client_dtos(state, vec![row]).await?;
    v.pop().ok_or(ApiError::NotFound)
}

/// Client rows (of one agency) to their responses, with collaborators, labels and task counts fetched in
/// one batch.
pub async fn client_dtos(state: &AppState, rows: Vec<ClientRow>) -> Result<Vec<Client>, ApiError> {
    let Some(agency_id) = rows.first().map(|r| r.agency_id) else {
        return Ok(Vec::new());
    };
    let now = crate::store::now();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let extras = state.store.client_extras(agency_id, &ids, now.date_naive()).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let collaborators = extras
                .collaborators
                .iter()
                .filter(|c| c.client_id == r.id)
                .map(|c| UserRef {
                    id: c.user_id,
                    name: format!("{} {}", c.first_name, c.last_name),
                })
                .collect();
            let labels = extras
                .labels
                .iter()
                .filter(|l| l.client_id == r.id)
                .map(|l| Label {
                    id: l.id,
                    name: l.name.clone(),
                    color: l.color.clone(),
                })
                .collect();
            let counts = extras.task_counts.iter().find(|t| t.client_id == r.id);
            Client {
                id: r.id,
                name: r.name,
                contact_name: r.contact_name,
                contact_email: r.contact_email,
                website: r.website,
                stage_id: r.stage_id,
                stage: r.stage_name,
                stage_entered_at: r.stage_entered_at,
                days_in_stage: days_between(r.stage_entered_at, now),
                health: Health::parse(&r.health).unwrap_or(Health::Green),
                health_reasons: r.health_reasons.0,
                install_date: r.install_date,
                total_spend: Money::from_cents(r.total_spend_cents),
                lifetime_value: Money::from_cents(r.lifetime_value_cents),
                due_date: r.due_date,
                archived_at: r.archived_at,
                owner: r.owner_id.map(|id| UserRef {
                    id,
                    name: format!(
                        "{} {}",
                        r.owner_first_name.unwrap_or_default(),
                        r.owner_last_name.unwrap_or_default()
                    ),
                }),
                collaborators,
                labels,
                open_tasks: counts.map_or(0, |c| c.open_tasks),
                overdue_tasks: counts.map_or(0, |c| c.overdue_tasks),
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect())
}
