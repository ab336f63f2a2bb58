//! `/`: what exists so far, honestly: the agency, the caller's role with its permission matrix, and
//! where to start (API keys, API docs). No made-up numbers.

use audienceos_shared::auth::Me;
use audienceos_shared::permissions::{allows, Action, Permission, Resource};
use leptos::prelude::*;

use super::use_fresh_me;
use crate::components::icons::{Icon, IconName};
use crate::components::section_boundary::SectionBoundary;
use crate::format::resource_name;
use crate::routes::Route;
use crate::state::session::use_session;

/// The dashboard.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = use_session();
    let me = use_fresh_me();
    let first_name = move || session.with_me(|m| m.user.first_name.clone()).unwrap_or_default();
    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1 class="page-title">{move || format!("Welcome, {}", first_name())}</h1>
                    <p class="page-subtitle">"Here's what is set up for your agency so far."</p>
                </div>
            </header>
            <SectionBoundary section="Dashboard" resource=me let:me>
                <DashboardCards me=me/>
            </SectionBoundary>
        </div>
    }
}

#[component]
fn DashboardCards(me: Me) -> impl IntoView {
    let can_write_settings = allows(&me.permissions, Resource::Settings, Action::Write);
    let role_description = me.role.system_role.map(|r| r.description());
    view! {
        <div class="dashboard-grid">
            <section class="card" aria-labelledby="agency-card-title">
                <div class="card-header">
                    <span class="card-icon"><Icon name=IconName::Building/></span>
                    <h2 class="card-title" id="agency-card-title">"Agency"</h2>
                </div>
                <dl class="detail-list">
                    <div><dt>"Name"</dt><dd>{me.agency.name.clone()}</dd></div>
                    <div><dt>"Time zone"</dt><dd>{me.agency.timezone.clone()}</dd></div>
                    <div><dt>"Workspace"</dt><dd><code>{me.agency.slug.clone()}</code></dd></div>
                </dl>
            </section>
            <section class="card" aria-labelledby="start-card-title">
                <div class="card-header">
                    <span class="card-icon"><Icon name=IconName::Book/></span>
                    <h2 class="card-title" id="start-card-title">"Getting started"</h2>
                </div>
                <ul class="start-list">
                    <li>
                        <span class="start-icon"><Icon name=IconName::Key/></span>
                        <div>
                            {if can_write_settings {
                                view! { <a href=Route::SettingsApiKeys.path()>"Create an API key"</a> }.into_any()
                            } else {
                                view! { <span class="start-title">"API keys"</span> }.into_any()
                            }}
                            <p>
                                {if can_write_settings {
                                    "Let scripts and other tools call the AudienceOS API with a key scoped to a role."
                                } else {
                                    "Ask an Owner or Admin of your agency to create a key for you."
                                }}
                            </p>
                        </div>
                    </li>
                    <li>
                        <span class="start-icon"><Icon name=IconName::Book/></span>
                        <div>
                            <a href=Route::ApiDocs.path() rel="external">"Read the API docs"</a>
                            <p>"Every endpoint, its parameters and its errors, in one place."</p>
                        </div>
                    </li>
                </ul>
            </section>
            <section class="card card-wide" aria-labelledby="role-card-title">
                <div class="card-header">
                    <span class="card-icon"><Icon name=IconName::Shield/></span>
                    <h2 class="card-title" id="role-card-title">"Your role"</h2>
                    <span class="badge badge-accent">{me.role.name.clone()}</span>
                </div>
                {role_description.map(|d| view! { <p class="card-text">{d}</p> })}
                <PermissionMatrix permissions=me.permissions.clone()/>
            </section>
        </div>
    }
}

/// Resource rows x read/write/manage columns, each cell an icon plus a word for screen readers.
#[component]
fn PermissionMatrix(permissions: Vec<Permission>) -> impl IntoView {
    let columns = [Action::Read, Action::Write, Action::Manage];
    let rows = Resource::ALL
        .into_iter()
        .map(|resource| {
            let cells = columns
                .into_iter()
                .map(|action| {
                    let allowed = allows(&permissions, resource, action);
                    view! {
                        <td class="matrix-cell" class:matrix-yes=allowed>
                            {if allowed {
                                view! {
                                    <Icon name=IconName::Check/>
                                    <span class="sr-only">"Allowed"</span>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <Icon name=IconName::Minus/>
                                    <span class="sr-only">"Not allowed"</span>
                                }
                                    .into_any()
                            }}
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{resource_name(resource)}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table matrix">
                <caption class="sr-only">"What your role may do, per resource"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Resource"</th>
                        <th scope="col">"Read"</th>
                        <th scope="col">"Write"</th>
                        <th scope="col">"Manage"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="matrix-legend">
            <Icon name=IconName::Check/>" allowed "<Icon name=IconName::Minus/>
            " not allowed. Manage includes write, and write includes read."
        </p>
    }
}
