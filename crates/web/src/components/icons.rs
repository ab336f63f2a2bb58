//! Inline SVG icons (stroke, 16 px, `currentColor`), decorative: the text next to them carries the meaning.

use leptos::prelude::*;

/// The icons the app draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconName {
    Home,
    Settings,
    Key,
    List,
    Check,
    Minus,
    Close,
    Alert,
    SignOut,
    Copy,
    Book,
    Plus,
    Selector,
    Building,
    Shield,
}

impl IconName {
    fn paths(self) -> &'static [&'static str] {
        match self {
            IconName::Home => &["M3 10.5 12 3l9 7.5", "M5 9v11h5v-6h4v6h5V9"],
            IconName::Settings => &[
                "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Z",
                "M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1Z",
            ],
            IconName::Key => &[
                "M15.5 7.5a3 3 0 1 1-6 0 3 3 0 0 1 6 0Z",
                "M10.3 9.7 3 17v4h4v-2h2v-2h2l1.3-1.3",
            ],
            IconName::List => &["M8 6h13", "M8 12h13", "M8 18h13", "M3 6h.01", "M3 12h.01", "M3 18h.01"],
            IconName::Check => &["M20 6 9 17l-5-5"],
            IconName::Minus => &["M5 12h14"],
            IconName::Close => &["M18 6 6 18", "M6 6l12 12"],
            IconName::Alert => &[
                "M12 9v4",
                "M12 17h.01",
                "M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z",
            ],
            IconName::SignOut => &["M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4", "M16 17l5-5-5-5", "M21 12H9"],
            IconName::Copy => &[
                "M20 9h-9a2 2 0 0 0-2 2v9a2 2 0 0 0 2 2h9a2 2 0 0 0 2-2v-9a2 2 0 0 0-2-2Z",
                "M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1",
            ],
            IconName::Book => &["M4 19.5A2.5 2.5 0 0 1 6.5 17H20", "M6.5 2H20v20H6.5A2.5 2.5 0 0 1 4 19.5v-15A2.5 2.5 0 0 1 6.5 2Z"],
            IconName::Plus => &["M12 5v14", "M5 12h14"],
            IconName::Selector => &["M7 15l5 5 5-5", "M7 9l5-5 5 5"],
            IconName::Building => &["M3 21h18", "M5 21V5a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2v16", "M9 7h2", "M13 7h2", "M9 11h2", "M13 11h2", "M10 21v-4h4v4"],
            IconName::Shield => &["M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10Z"],
        }
    }
}

/// One icon, hidden from assistive technology.
#[component]
pub fn Icon(name: IconName) -> impl IntoView {
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            width="16"
            height="16"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            {name.paths().iter().map(|d| view! { <path d=*d></path> }).collect_view()}
        </svg>
    }
}
