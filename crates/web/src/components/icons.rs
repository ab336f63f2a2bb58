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
    Close,
    Alert,
    SignOut,
    Copy,
    Book,
    Plus,
    Selector,
    Kanban,
    Users,
    User,
    Tag,
    Paperclip,
    Calendar,
    ArrowUp,
    ArrowDown,
    ArrowRight,
    ChevronLeft,
    ChevronRight,
    Upload,
    Download,
    Trash,
    Edit,
    Archive,
    Clock,
    Search,
    Octagon,
    Bell,
    Rocket,
    Link,
    Send,
    Grip,
    Lock,
    Plug,
    Refresh,
    Mail,
    Message,
    Chart,
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
            IconName::Kanban => &["M4 4h4v16H4Z", "M10 4h4v10h-4Z", "M16 4h4v13h-4Z"],
            IconName::Users => &[
                "M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2",
                "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Z",
                "M22 21v-2a4 4 0 0 0-3-3.9",
                "M16 3.1a4 4 0 0 1 0 7.8",
            ],
            IconName::User => &["M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2", "M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Z"],
            IconName::Tag => &["M20.6 13.4 13.4 20.6a2 2 0 0 1-2.8 0L3 13V3h10l7.6 7.6a2 2 0 0 1 0 2.8Z", "M7.5 7.5h.01"],
            IconName::Paperclip => &["m21.4 11-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5"],
            IconName::Calendar => &["M5 4h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2Z", "M16 2v4", "M8 2v4", "M3 10h18"],
            IconName::ArrowUp => &["M12 19V5", "M5 12l7-7 7 7"],
            IconName::ArrowDown => &["M12 5v14", "M19 12l-7 7-7-7"],
            IconName::ArrowRight => &["M5 12h14", "M12 5l7 7-7 7"],
            IconName::ChevronLeft => &["M15 18l-6-6 6-6"],
            IconName::ChevronRight => &["M9 18l6-6-6-6"],
            IconName::Upload => &["M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4", "M17 8l-5-5-5 5", "M12 3v12"],
            IconName::Download => &["M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4", "M7 10l5 5 5-5", "M12 15V3"],
            IconName::Trash => &["M3 6h18", "M8 6V4h8v2", "M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6"],
            IconName::Edit => &["M12 20h9", "M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z"],
            IconName::Archive => &["M21 8v13H3V8", "M1 3h22v5H1Z", "M10 12h4"],
            IconName::Clock => &["M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20Z", "M12 6v6l4 2"],
            IconName::Search => &["M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16Z", "M21 21l-4.3-4.3"],
            IconName::Octagon => &["M7.9 2h8.2L22 7.9v8.2L16.1 22H7.9L2 16.1V7.9Z", "M12 8v4", "M12 16h.01"],
            IconName::Bell => &["M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9", "M10.3 21a1.9 1.9 0 0 0 3.4 0"],
            IconName::Rocket => &[
                "M4.5 16.5c-1.5 1.3-2 5-2 5s3.7-.5 5-2c.7-.8.7-2.1-.1-2.9a2.2 2.2 0 0 0-2.9-.1Z",
                "M12 15l-3-3a22 22 0 0 1 2-3.9A12.9 12.9 0 0 1 22 2c0 2.7-.8 7.5-6 11a22.4 22.4 0 0 1-4 2Z",
                "M9 12H4s.6-3 2-4c1.6-1.1 5 0 5 0",
                "M12 15v5s3-.6 4-2c1.1-1.6 0-5 0-5",
            ],
            IconName::Link => &[
                "M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7",
                "M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7",
            ],
            IconName::Send => &["M22 2 11 13", "M22 2 15 22l-4-9-9-4Z"],
            IconName::Grip => &["M9 5h.01", "M9 12h.01", "M9 19h.01", "M15 5h.01", "M15 12h.01", "M15 19h.01"],
            IconName::Lock => &["M5 11h14v10H5Z", "M8 11V7a4 4 0 0 1 8 0v4"],
            IconName::Plug => &["M9 2v6", "M15 2v6", "M6 8h12v4a6 6 0 0 1-12 0Z", "M12 18v4"],
            IconName::Refresh => &["M21 12a9 9 0 0 1-15.5 6.2L3 16", "M3 12a9 9 0 0 1 15.5-6.2L21 8", "M21 3v5h-5", "M3 21v-5h5"],
            IconName::Mail => &["M4 5h16a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1Z", "M3 7l9 6 9-6"],
            IconName::Message => &["M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2Z"],
            IconName::Chart => &["M3 3v18h18", "M7 15l4-4 3 3 5-6"],
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
