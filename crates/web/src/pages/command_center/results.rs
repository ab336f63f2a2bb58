//! The palette's rows: the pages and actions the caller may use (matched here, as they type), and the
//! clients and threads the API finds (searched by the palette, shown here with whether they are current).

use audienceos_shared::clients::{Client, ClientListQuery, ClientSort, SortDir};
use audienceos_shared::communications::{ThreadQuery, ThreadSummary};
use audienceos_shared::permissions::{Action as Perm, Resource};
use uuid::Uuid;

use super::NEW_PARAM;
use crate::api::clients::list_clients;
use crate::api::communications::list_threads;
use crate::api::ApiResult;
use crate::components::command_palette::{rank, GroupState, PaletteGroup, PaletteItem};
use crate::components::icons::IconName;
use crate::components::shortcuts::go_keys;
use crate::routes::{with_param, Route, THREAD_PARAM};
use crate::state::session::Session;

/// Results per searched group.
const SEARCH_LIMIT: u32 = 6;

/// What a palette row does.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Go to a path of the app.
    Go(String),
    /// Open a client's panel (on the current page when it has one).
    Client(Uuid),
    /// Show the shortcut sheet.
    Shortcuts,
}

/// A page the palette offers: the page, its name, its section, its icon, other words it is found by, and
/// the permission it needs (none: every member).
type PageRow = (
    Route,
    &'static str,
    Option<&'static str>,
    IconName,
    &'static str,
    Option<(Resource, Perm)>,
);

const SETTINGS: Option<&str> = Some("Settings");
const ONBOARDING: Option<&str> = Some("Onboarding");

/// Every page, in the sidebar's order.
#[rustfmt::skip]
const PAGES: &[PageRow] = &[
    (Route::Dashboard, "Dashboard", None, IconName::Home, "home overview kpis firehose", None),
    (Route::Pipeline, "Pipeline", None, IconName::Kanban, "kanban board stages", None),
    (Route::Clients, "Clients", None, IconName::Users, "accounts customers list import export csv", None),
    (Route::Inbox, "Inbox", None, IconName::Mail, "messages email gmail slack threads communications", None),
    (Route::Tasks, "Tasks", None, IconName::Check, "to-do todo due overdue", None),
    (Route::Alerts, "Alerts", None, IconName::Bell, "health risk warnings", None),
    (Route::Onboarding, "Onboarding", None, IconName::Rocket, "board welcome intake", None),
    (Route::OnboardingJourneys, "Journeys", ONBOARDING, IconName::Rocket, "stages steps",
        Some((Resource::Onboarding, Perm::Manage))),
    (Route::OnboardingForm, "Intake form", ONBOARDING, IconName::List, "questions fields builder",
        Some((Resource::Onboarding, Perm::Manage))),
    (Route::Integrations, "Integrations", None, IconName::Plug, "connections google gmail slack meta ads", None),
    (Route::SettingsAccount, "Account", SETTINGS, IconName::Settings, "settings profile password", None),
    (Route::SettingsPipeline, "Pipeline", SETTINGS, IconName::Kanban, "settings stages health thresholds",
        Some((Resource::Clients, Perm::Read))),
    (Route::SettingsOnboarding, "Onboarding", SETTINGS, IconName::Rocket, "settings welcome email",
        Some((Resource::Onboarding, Perm::Read))),
    (Route::SettingsApiKeys, "API keys", SETTINGS, IconName::Key, "settings tokens",
        Some((Resource::Settings, Perm::Read))),
    (Route::SettingsAuditLog, "Audit log", SETTINGS, IconName::List, "settings history security",
        Some((Resource::Settings, Perm::Read))),
];

/// A page or action row with the words it is also found by.
pub struct Entry {
    item: PaletteItem<Command>,
    keywords: &'static str,
}

/// The pages the caller may open.
pub fn pages(session: &Session) -> Vec<Entry> {
    PAGES
        .iter()
        .filter(|(.., needs)| needs.is_none_or(|(r, a)| session.can(r, a)))
        .map(|&(route, label, section, icon, keywords, _)| Entry {
            item: PaletteItem {
                label: label.to_string(),
                detail: section.map(str::to_string),
                icon,
                keys: go_keys(route),
                value: Command::Go(route.path().to_string()),
            },
            keywords,
        })
        .collect()
}

/// The actions the caller may run. An action opens its page's "new" form with `?new=1`.
pub fn actions(session: &Session) -> Vec<Entry> {
    let new_form = |route: Route| Command::Go(format!("{}?{NEW_PARAM}=1", route.path()));
    let can_clients = session.can(Resource::Clients, Perm::Write);
    let can_onboard = session.can(Resource::Onboarding, Perm::Write);
    [
        (
            can_clients,
            "New client",
            IconName::Plus,
            new_form(Route::Clients),
            "create add client",
        ),
        (
            can_onboard,
            "Start onboarding",
            IconName::Rocket,
            new_form(Route::Onboarding),
            "welcome intake link",
        ),
        (
            can_clients,
            "New task",
            IconName::Plus,
            new_form(Route::Tasks),
            "create add task to-do todo",
        ),
        (
            true,
            "Keyboard shortcuts",
            IconName::Book,
            Command::Shortcuts,
            "help keys hotkeys",
        ),
    ]
    .into_iter()
    .filter(|(allowed, ..)| *allowed)
    .map(|(_, label, icon, value, keywords)| Entry {
        item: PaletteItem {
            label: label.to_string(),
            detail: None,
            icon,
            keys: if value == Command::Shortcuts { &["?"] } else { &[] },
            value,
        },
        keywords,
    })
    .collect()
}

/// The entries matching `query`, best first (ties keep their order), with the best rank (4 when none).
/// The label (with its section) decides the order; the other words only let a row in.
pub fn local_group(title: &'static str, entries: Vec<Entry>, query: &str) -> (u8, PaletteGroup<Command>) {
    let mut ranked: Vec<(u8, PaletteItem<Command>)> = entries
        .into_iter()
        .filter_map(|e| {
            let label = format!("{} {}", e.item.label, e.item.detail.as_deref().unwrap_or_default());
            let text = format!("{label} {}", e.keywords);
            rank(&text, query).map(|_| (rank(&label, query).unwrap_or(3), e.item))
        })
        .collect();
    ranked.sort_by_key(|(r, _)| *r);
    let best = ranked.first().map_or(4, |(r, _)| *r);
    let group = PaletteGroup {
        title,
        items: ranked.into_iter().map(|(_, item)| item).collect(),
        state: GroupState::Ready,
    };
    (best, group)
}

/// A searched group: its rows, and whether they are for `wanted` (the query in the input) yet.
pub fn searched_group<R>(
    title: &'static str,
    answer: Option<(String, ApiResult<Vec<R>>)>,
    wanted: &str,
    item: fn(R) -> PaletteItem<Command>,
) -> PaletteGroup<Command> {
    let (items, state) = match answer {
        None => (Vec::new(), GroupState::Loading),
        Some((for_query, result)) => {
            let current = for_query == wanted;
            match result {
                Ok(rows) => (
                    rows.into_iter().map(item).collect(),
                    if current {
                        GroupState::Ready
                    } else {
                        GroupState::Loading
                    },
                ),
                Err(e) if current => (Vec::new(), GroupState::Failed(e.message())),
                Err(_) => (Vec::new(), GroupState::Loading),
            }
        }
    };
    PaletteGroup { title, items, state }
}

/// Clients whose name, contact or website matches, by name.
pub async fn search_clients(q: String) -> ApiResult<Vec<Client>> {
    let page = list_clients(&ClientListQuery {
        q: Some(q),
        sort: Some(ClientSort::Name),
        dir: Some(SortDir::Asc),
        limit: Some(SEARCH_LIMIT),
        ..Default::default()
    })
    .await?;
    Ok(page.items)
}

/// Threads whose subject, sender or text matches, newest first.
pub async fn search_threads(q: String) -> ApiResult<Vec<ThreadSummary>> {
    let page = list_threads(&ThreadQuery {
        q: Some(q),
        limit: Some(SEARCH_LIMIT),
        ..Default::default()
    })
    .await?;
    Ok(page.items)
}

pub fn client_item(c: Client) -> PaletteItem<Command> {
    let detail = match &c.contact_name {
        Some(contact) => format!("{} · {contact}", c.stage),
        None => c.stage.clone(),
    };
    PaletteItem {
        label: c.name,
        detail: Some(detail),
        icon: IconName::User,
        keys: &[],
        value: Command::Client(c.id),
    }
}

pub fn thread_item(t: ThreadSummary) -> PaletteItem<Command> {
    let (platform, icon) = if t.platform == "slack" {
        ("Slack", IconName::Message)
    } else {
        ("Gmail", IconName::Mail)
    };
    let title = t
        .subject
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| t.snippet.clone());
    let label = if title.chars().count() > 90 {
        format!("{}…", title.chars().take(89).collect::<String>())
    } else {
        title
    };
    PaletteItem {
        label,
        detail: Some(format!("{} · {platform}", t.client_name)),
        icon,
        keys: &[],
        value: Command::Go(format!(
            "{}{}",
            Route::Inbox.path(),
            with_param("", THREAD_PARAM, Some(&t.key))
        )),
    }
}

/// The input's name and placeholder, naming only what the caller may search.
pub fn placeholder(clients: bool, threads: bool) -> String {
    match (clients, threads) {
        (true, true) => "Search pages, actions, clients and threads…",
        (true, false) => "Search pages, actions and clients…",
        (false, true) => "Search pages, actions and threads…",
        (false, false) => "Search pages and actions…",
    }
    .to_string()
}
