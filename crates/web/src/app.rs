//! The app root: session and toast contexts, the start-up `/auth/me`, the route table, the route
//! guards and the signed-in layout (sidebar + main).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route as RouteDef, Router, Routes};
use leptos_router::hooks::{use_location, use_query_map};
use leptos_router::path;

use crate::api;
use crate::components::icons::{Icon, IconName};
use crate::components::nav_toggle::NavToggle;
use crate::components::spinner::FullPageSpinner;
use crate::components::toasts::ToastStack;
use crate::components::user_menu::UserMenu;
use crate::pages::alerts::AlertsPage;
use crate::pages::clients::ClientsPage;
use crate::pages::command_center::CommandCenter;
use crate::pages::dashboard::DashboardPage;
use crate::pages::forgot_password::ForgotPasswordPage;
use crate::pages::inbox::{InboxNavLink, InboxPage};
use crate::pages::intake::IntakePage;
use crate::pages::integrations::IntegrationsPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::onboarding::board::OnboardingBoardPage;
use crate::pages::onboarding::form_builder::FormBuilderPage;
use crate::pages::onboarding::journeys::JourneysPage;
use crate::pages::onboarding::OnboardingLayout;
use crate::pages::pipeline::PipelinePage;
use crate::pages::reset_password::ResetPasswordPage;
use crate::pages::settings::account::AccountPage;
use crate::pages::settings::api_keys::ApiKeysPage;
use crate::pages::settings::audit_log::AuditLogPage;
use crate::pages::settings::onboarding::OnboardingSettingsPage;
use crate::pages::settings::pipeline::PipelineSettingsPage;
use crate::pages::settings::SettingsLayout;
use crate::pages::sign_in::SignInPage;
use crate::pages::sign_up::SignUpPage;
use crate::pages::tasks::TasksPage;
use crate::routes::{load_page, safe_next, sign_in_with_next, Route};
use crate::startup::{load_session, session_ready, StartupScreen};
use crate::state::live::provide_live;
use crate::state::session::{remember_expired, Session, SessionState, SignedOutReason};
use crate::state::toasts::{use_toasts, ToastKind, Toasts};

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    provide_context(Toasts::new());
    api::install_session(session);
    load_session(session, SignedOutReason::NotSignedIn);

    let ready = session_ready(session);
    view! {
        <Show when=move || ready.get() fallback=move || view! { <StartupScreen/> }>
            <Router>
                <Routes fallback=|| view! { <UnknownPath/> }>
                    <RouteDef path=path!("/sign-in") view=|| view! { <PublicOnly><SignInPage/></PublicOnly> }/>
                    <RouteDef path=path!("/sign-up") view=|| view! { <PublicOnly><SignUpPage/></PublicOnly> }/>
                    <RouteDef
                        path=path!("/forgot-password")
                        view=|| view! { <PublicOnly><ForgotPasswordPage/></PublicOnly> }
                    />
                    <RouteDef
                        path=path!("/reset-password")
                        view=|| view! { <PublicOnly><ResetPasswordPage/></PublicOnly> }
                    />
                    // The client's intake form: public, signed in or not, outside the app shell.
                    <RouteDef path=path!("/intake/:token") view=IntakePage/>
                    <ParentRoute path=path!("") view=PrivateLayout>
                        <RouteDef path=path!("") view=DashboardPage/>
                        <RouteDef path=path!("/pipeline") view=PipelinePage/>
                        <RouteDef path=path!("/clients") view=ClientsPage/>
                        <RouteDef path=path!("/inbox") view=InboxPage/>
                        <RouteDef path=path!("/tasks") view=TasksPage/>
                        <RouteDef path=path!("/alerts") view=AlertsPage/>
                        <ParentRoute path=path!("/onboarding") view=OnboardingLayout>
                            <RouteDef path=path!("") view=OnboardingBoardPage/>
                            <RouteDef path=path!("/journeys") view=JourneysPage/>
                            <RouteDef path=path!("/form") view=FormBuilderPage/>
                        </ParentRoute>
                        <RouteDef path=path!("/integrations") view=IntegrationsPage/>
                        <ParentRoute path=path!("/settings") view=SettingsLayout>
                            <RouteDef
                                path=path!("")
                                view=|| view! { <Redirect path=Route::SettingsAccount.path()/> }
                            />
                            <RouteDef path=path!("/account") view=AccountPage/>
                            <RouteDef path=path!("/api-keys") view=ApiKeysPage/>
                            <RouteDef path=path!("/audit-log") view=AuditLogPage/>
                            <RouteDef path=path!("/pipeline") view=PipelineSettingsPage/>
                            <RouteDef path=path!("/onboarding") view=OnboardingSettingsPage/>
                        </ParentRoute>
                    </ParentRoute>
                </Routes>
            </Router>
        </Show>
        <ToastStack/>
    }
}

/// Public auth pages: a signed-in user goes to `?next=` (if it is ours) or the dashboard.
#[component]
fn PublicOnly(children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Session>();
    let query = use_query_map();
    let signed_in = Memo::new(move |_| session.is_signed_in());
    view! {
        <Show
            when=move || !signed_in.get()
            fallback=move || {
                let next = query.with_untracked(|q| q.get("next"));
                view! { <Redirect path=safe_next(next.as_deref()).to_string()/> }
            }
        >
            {children()}
        </Show>
    }
}

/// Private pages: a signed-out user goes to sign-in with `?next=` back here (not after "Sign out").
/// Sign-in is the auth pages' module (`auth.html`), so this is a full page load; it replaces the
/// history entry, so Back does not return to a page that would only send the user here again.
#[component]
fn PrivateLayout() -> impl IntoView {
    let session = expect_context::<Session>();
    let location = use_location();
    let signed_in = Memo::new(move |_| session.is_signed_in());
    view! {
        <Show
            when=move || signed_in.get()
            fallback=move || {
                let target = match session.state_untracked() {
                    SessionState::SignedOut(SignedOutReason::ByUser) => Route::SignIn.path().to_string(),
                    state => {
                        if state == SessionState::SignedOut(SignedOutReason::Expired) {
                            remember_expired();
                        }
                        sign_in_with_next(
                            &format!(
                                "{}{}",
                                location.pathname.get_untracked(),
                                location.search.get_untracked(),
                            ),
                        )
                    }
                };
                load_page(&target);
                view! { <FullPageSpinner/> }
            }
        >
            <AppShell/>
        </Show>
    }
}

/// A path no route matches: the 404 page inside the app shell when signed in, on its own otherwise.
#[component]
fn UnknownPath() -> impl IntoView {
    let session = expect_context::<Session>();
    let signed_in = Memo::new(move |_| session.is_signed_in());
    view! {
        <Show when=move || signed_in.get() fallback=|| view! { <NotFoundPage/> }>
            <AppShell><NotFoundPage in_shell=true/></AppShell>
        </Show>
    }
}

/// The id of the main navigation, which the menu button of narrow screens shows and hides.
const MAIN_NAV_ID: &str = "main-nav";

/// Sidebar (agency, main navigation, user menu) and the routed page, or `children` when given (the 404
/// page, which no route owns). Below the breakpoint of `app.css` the sidebar is a top bar and the
/// navigation opens from its menu button.
#[component]
fn AppShell(#[prop(optional)] children: Option<Children>) -> impl IntoView {
    let session = expect_context::<Session>();
    let toasts = use_toasts();
    let location = use_location();
    // The live-update stream lives as long as the signed-in layout: sign-out unmounts it and closes it.
    provide_live();
    let agency = move || session.with_me(|me| me.agency.name.clone()).unwrap_or_default();
    let initials = Signal::derive(move || session.with_me(|me| me.user.initials()).unwrap_or_default());
    let name = Signal::derive(move || session.with_me(|me| me.user.full_name()).unwrap_or_default());
    let role = Signal::derive(move || session.with_me(|me| me.role.name.clone()).unwrap_or_default());
    let nav_open = RwSignal::new(false);

    let sign_out = Callback::new(move |_| {
        spawn_local(async move {
            match api::auth::logout().await {
                Ok(()) => session.sign_out(SignedOutReason::ByUser),
                // Already signed out on the server: the same outcome.
                Err(e) if e.status == 401 => session.sign_out(SignedOutReason::ByUser),
                Err(e) => toasts.push(ToastKind::Error, format!("Could not sign out: {}", e.message())),
            }
        });
    });

    let current = move |route: Route| {
        let path = location.pathname.get();
        let active = match route {
            Route::Dashboard => path == Route::Dashboard.path(),
            Route::Pipeline | Route::Clients | Route::Inbox | Route::Tasks | Route::Alerts | Route::Integrations => {
                path == route.path()
            }
            Route::Onboarding => path.starts_with(Route::Onboarding.path()),
            _ => path.starts_with(Route::Settings.path()),
        };
        active.then_some("page")
    };

    view! {
        // The router would take `#main` for a navigation: move focus to the page's content instead.
        <a class="skip-link" href="#main" on:click=move |ev| {
            ev.prevent_default();
            if let Some(main) = document().get_element_by_id("main") {
                let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(main).focus();
            }
        }>"Skip to content"</a>
        <div class="app-shell">
            <aside class="sidebar" class:nav-open=move || nav_open.get()>
                <div class="sidebar-header">
                    <NavToggle open=nav_open controls=MAIN_NAV_ID content="main"/>
                    <span class="logo-mark" aria-hidden="true">"A"</span>
                    <span class="sidebar-agency" title=agency>{agency}</span>
                </div>
                <CommandCenter/>
                <nav aria-label="Main" class="sidebar-nav" id=MAIN_NAV_ID>
                    <a class="nav-link" href=Route::Dashboard.path() aria-current=move || current(Route::Dashboard)>
                        <Icon name=IconName::Home/>
                        "Dashboard"
                    </a>
                    <a class="nav-link" href=Route::Pipeline.path() aria-current=move || current(Route::Pipeline)>
                        <Icon name=IconName::Kanban/>
                        "Pipeline"
                    </a>
                    <a class="nav-link" href=Route::Clients.path() aria-current=move || current(Route::Clients)>
                        <Icon name=IconName::Users/>
                        "Clients"
                    </a>
                    <InboxNavLink current=Signal::derive(move || current(Route::Inbox))/>
                    <a class="nav-link" href=Route::Tasks.path() aria-current=move || current(Route::Tasks)>
                        <Icon name=IconName::Check/>
                        "Tasks"
                    </a>
                    <a class="nav-link" href=Route::Alerts.path() aria-current=move || current(Route::Alerts)>
                        <Icon name=IconName::Bell/>
                        "Alerts"
                    </a>
                    <a
                        class="nav-link"
                        href=Route::Onboarding.path()
                        aria-current=move || current(Route::Onboarding)
                    >
                        <Icon name=IconName::Rocket/>
                        "Onboarding"
                    </a>
                    <a
                        class="nav-link"
                        href=Route::Integrations.path()
                        aria-current=move || current(Route::Integrations)
                    >
                        <Icon name=IconName::Plug/>
                        "Integrations"
                    </a>
                    <a
                        class="nav-link"
                        href=Route::SettingsAccount.path()
                        aria-current=move || current(Route::Settings)
                    >
                        <Icon name=IconName::Settings/>
                        "Settings"
                    </a>
                </nav>
                <div class="sidebar-footer">
                    <UserMenu initials=initials name=name role=role on_sign_out=sign_out/>
                </div>
            </aside>
            <main class="main" id="main" tabindex="-1">
                {match children {
                    Some(page) => page(),
                    None => view! { <Outlet/> }.into_any(),
                }}
            </main>
        </div>
    }
}
