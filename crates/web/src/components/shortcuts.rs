//! The app's keyboard shortcuts: Ctrl/Cmd+K opens the command palette, `g` then a letter goes to a main
//! page, `?` opens the sheet listing every shortcut. This file holds the one table of the `g` keys (the
//! handler and the sheet both read it), the pure decision for a key press, and the sheet itself.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::icons::{Icon, IconName};
use super::unique_id;
use crate::routes::Route;

/// How long `g` waits for its letter.
pub const GO_TIMEOUT_MS: u64 = 1500;

/// `g` then the key goes to the page: (key, page, name).
pub const GO_TO: &[(&str, Route, &str)] = &[
    ("d", Route::Dashboard, "Dashboard"),
    ("p", Route::Pipeline, "Pipeline"),
    ("c", Route::Clients, "Clients"),
    ("i", Route::Inbox, "Inbox"),
    ("t", Route::Tasks, "Tasks"),
    ("a", Route::Alerts, "Alerts"),
    ("o", Route::Onboarding, "Onboarding"),
    ("s", Route::SettingsAccount, "Settings"),
];

/// The keys shown for the page's `g` shortcut, e.g. `["G", "C"]`; empty when it has none.
pub fn go_keys(route: Route) -> &'static [&'static str] {
    const KEYS: &[[&str; 2]] = &[
        ["G", "D"],
        ["G", "P"],
        ["G", "C"],
        ["G", "I"],
        ["G", "T"],
        ["G", "A"],
        ["G", "O"],
        ["G", "S"],
    ];
    GO_TO
        .iter()
        .position(|(_, r, _)| *r == route)
        .map(|i| &KEYS[i][..])
        .unwrap_or(&[])
}

/// What a key press (outside the palette and the sheet) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    OpenPalette,
    OpenSheet,
    /// `g`: wait for the page's letter.
    StartGo,
    Go(Route),
    /// The key after `g` names no page (or is typed in a field): forget the `g`.
    CancelGo,
    /// Not a shortcut (and any waiting `g` keeps waiting, e.g. for Shift).
    Nothing,
}

/// A key press, as the decision needs it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Press<'a> {
    /// `KeyboardEvent.key`.
    pub key: &'a str,
    /// Ctrl or Cmd is held.
    pub command: bool,
    pub alt: bool,
    /// The focus is in a text field (typing there is never a shortcut, except Ctrl/Cmd+K).
    pub in_field: bool,
    /// `g` came just before.
    pub go_pending: bool,
}

/// The shortcut a key press is, if any.
pub fn decide(p: Press) -> KeyAction {
    if p.command && !p.alt && p.key.eq_ignore_ascii_case("k") {
        return KeyAction::OpenPalette;
    }
    if matches!(p.key, "Shift" | "Control" | "Alt" | "Meta" | "CapsLock" | "Dead") {
        return KeyAction::Nothing;
    }
    if p.command || p.alt || p.in_field {
        return if p.go_pending {
            KeyAction::CancelGo
        } else {
            KeyAction::Nothing
        };
    }
    if p.go_pending {
        return GO_TO
            .iter()
            .find(|(k, _, _)| p.key.eq_ignore_ascii_case(k))
            .map(|(_, route, _)| KeyAction::Go(*route))
            .unwrap_or(KeyAction::CancelGo);
    }
    match p.key {
        "g" | "G" => KeyAction::StartGo,
        "?" => KeyAction::OpenSheet,
        _ => KeyAction::Nothing,
    }
}

/// True on a Mac, iPhone or iPad, where the command key is ⌘ rather than Ctrl.
pub fn is_apple() -> bool {
    window()
        .navigator()
        .platform()
        .is_ok_and(|p| p.starts_with("Mac") || p.starts_with("iP"))
}

/// The modifier's name as the sheet and the hints print it.
pub fn command_key() -> &'static str {
    if is_apple() {
        "⌘"
    } else {
        "Ctrl"
    }
}

/// True when `target` takes typed text (a text input, a text area, a select, an editable element).
pub fn is_typing_target(target: Option<&HtmlElement>) -> bool {
    let Some(el) = target else { return false };
    match el.tag_name().as_str() {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => {
            let kind = el.get_attribute("type").unwrap_or_default().to_ascii_lowercase();
            !matches!(
                kind.as_str(),
                "checkbox" | "radio" | "button" | "submit" | "reset" | "range" | "color" | "file"
            )
        }
        _ => el.is_content_editable(),
    }
}

/// How a row's keys are pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keys {
    /// Together: Ctrl + K.
    Chord(&'static [&'static str]),
    /// One after the other: G then D.
    Sequence(&'static [&'static str]),
    /// Either one: J or K.
    Either(&'static [&'static str]),
}

struct Row {
    keys: Keys,
    what: &'static str,
}

/// Every shortcut, in the sheet's sections. `command` is the modifier's name (⌘ or Ctrl).
fn sections(command: &'static str) -> Vec<(&'static str, Vec<Row>)> {
    let cmd_k: &'static [&'static str] = if command == "⌘" {
        &["⌘", "K"]
    } else {
        &["Ctrl", "K"]
    };
    let go = GO_TO
        .iter()
        .map(|(_, route, name)| Row {
            keys: Keys::Sequence(go_keys(*route)),
            what: name,
        })
        .collect();
    vec![
        (
            "Anywhere",
            vec![
                Row {
                    keys: Keys::Chord(cmd_k),
                    what: "Open the command palette",
                },
                Row {
                    keys: Keys::Chord(&["?"]),
                    what: "Show these shortcuts",
                },
                Row {
                    keys: Keys::Chord(&["Esc"]),
                    what: "Close a dialog, panel or menu",
                },
            ],
        ),
        ("Go to", go),
        (
            "Command palette",
            vec![
                Row {
                    keys: Keys::Either(&["↑", "↓"]),
                    what: "Move through the results",
                },
                Row {
                    keys: Keys::Chord(&["Enter"]),
                    what: "Open the result",
                },
            ],
        ),
        (
            "Inbox",
            vec![
                Row {
                    keys: Keys::Either(&["J", "K"]),
                    what: "Next or previous thread",
                },
                Row {
                    keys: Keys::Chord(&["R"]),
                    what: "Reply",
                },
                Row {
                    keys: Keys::Chord(&["E"]),
                    what: "Mark done",
                },
                Row {
                    keys: Keys::Chord(&["/"]),
                    what: "Search messages",
                },
            ],
        ),
        (
            "Pipeline and onboarding boards",
            vec![
                Row {
                    keys: Keys::Chord(&["Alt", "→"]),
                    what: "Move the focused card to the next stage",
                },
                Row {
                    keys: Keys::Chord(&["Alt", "←"]),
                    what: "Move it back a stage",
                },
            ],
        ),
    ]
}

fn keys_view(keys: Keys) -> impl IntoView {
    let (list, joiner) = match keys {
        Keys::Chord(k) => (k, "+"),
        Keys::Sequence(k) => (k, "then"),
        Keys::Either(k) => (k, "or"),
    };
    list.iter()
        .enumerate()
        .map(|(i, k)| {
            view! {
                {(i > 0).then(|| view! { <span class="shortcut-joiner">{joiner}</span> })}
                <kbd>{*k}</kbd>
            }
        })
        .collect_view()
}

/// The sheet of every shortcut. Escape, `?` and the close button close it; focus goes back to what
/// opened it.
#[component]
pub fn ShortcutsSheet(on_close: Callback<()>) -> impl IntoView {
    let title_id = unique_id("shortcuts-title");
    let labelledby = title_id.clone();
    let close_ref = NodeRef::<leptos::html::Button>::new();
    let body_ref = NodeRef::<leptos::html::Div>::new();
    let backdrop_ref = NodeRef::<leptos::html::Div>::new();
    let opener = document()
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        .map(SendWrapper::new);
    request_animation_frame(move || {
        if let Some(b) = close_ref.get_untracked() {
            let _ = b.focus();
        }
    });
    on_cleanup(move || {
        if let Some(o) = opener {
            if o.is_connected() {
                let _ = o.focus();
            }
        }
    });
    let on_keydown = move |ev: KeyboardEvent| {
        let command = ev.ctrl_key() || ev.meta_key();
        match ev.key().as_str() {
            "Escape" | "?" if !command => {
                ev.prevent_default();
                ev.stop_propagation();
                on_close.run(());
            }
            // Two stops: the close button and the (scrollable) list.
            "Tab" => {
                ev.prevent_default();
                let on_close_button = close_ref
                    .get_untracked()
                    .is_some_and(|b| document().active_element().is_some_and(|a| a.is_same_node(Some(&b))));
                if on_close_button {
                    if let Some(body) = body_ref.get_untracked() {
                        let _ = body.focus();
                    }
                } else if let Some(b) = close_ref.get_untracked() {
                    let _ = b.focus();
                }
            }
            // Plain keys stay in the sheet (a page's own shortcuts must not act behind it).
            _ if !command => ev.stop_propagation(),
            _ => {}
        }
    };
    let command = command_key();
    let body = sections(command)
        .into_iter()
        .map(|(title, rows)| {
            let rows = rows
                .into_iter()
                .map(|row| {
                    view! {
                        <div class="shortcut-row">
                            <dt class="shortcut-keys">{keys_view(row.keys)}</dt>
                            <dd>{row.what}</dd>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <section class="shortcut-section">
                    <h3 class="shortcut-section-title">{title}</h3>
                    <dl class="shortcut-list">{rows}</dl>
                </section>
            }
        })
        .collect_view();
    view! {
        <div
            class="modal-backdrop"
            node_ref=backdrop_ref
            on:mousedown=move |ev| {
                let on_backdrop = match (ev.target(), backdrop_ref.get_untracked()) {
                    (Some(target), Some(backdrop)) => backdrop.is_same_node(target.dyn_ref::<web_sys::Node>()),
                    _ => false,
                };
                if on_backdrop {
                    ev.prevent_default();
                    on_close.run(());
                }
            }
        >
            <div
                class="modal shortcuts-sheet"
                role="dialog"
                aria-modal="true"
                aria-labelledby=labelledby
                on:keydown=on_keydown
            >
                <header class="modal-header">
                    <h2 class="modal-title" id=title_id>"Keyboard shortcuts"</h2>
                    <button
                        type="button"
                        class="icon-btn"
                        aria-label="Close"
                        node_ref=close_ref
                        on:click=move |_| on_close.run(())
                    >
                        <Icon name=IconName::Close/>
                    </button>
                </header>
                <div class="shortcuts-body" tabindex="0" role="region" aria-label="Every shortcut" node_ref=body_ref>
                    {body}
                </div>
                <footer class="shortcuts-footer">
                    "Letter shortcuts work when you are not typing in a field."
                </footer>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: &str) -> Press<'_> {
        Press {
            key,
            ..Default::default()
        }
    }

    #[test]
    fn g_then_a_letter_goes_to_a_page() {
        assert_eq!(decide(key("g")), KeyAction::StartGo);
        let after_g = |k| {
            decide(Press {
                go_pending: true,
                ..key(k)
            })
        };
        assert_eq!(after_g("c"), KeyAction::Go(Route::Clients));
        assert_eq!(after_g("D"), KeyAction::Go(Route::Dashboard));
        assert_eq!(after_g("s"), KeyAction::Go(Route::SettingsAccount));
        assert_eq!(after_g("t"), KeyAction::Go(Route::Tasks));
        assert_eq!(after_g("x"), KeyAction::CancelGo);
        // Shift on its way to a capital keeps the `g` waiting.
        assert_eq!(after_g("Shift"), KeyAction::Nothing);
    }

    #[test]
    fn typing_in_a_field_is_never_a_shortcut_except_the_palette() {
        let typing = |k| Press {
            in_field: true,
            ..key(k)
        };
        assert_eq!(decide(typing("g")), KeyAction::Nothing);
        assert_eq!(decide(typing("?")), KeyAction::Nothing);
        assert_eq!(
            decide(Press {
                command: true,
                ..typing("k")
            }),
            KeyAction::OpenPalette
        );
        assert_eq!(
            decide(Press {
                command: true,
                ..key("K")
            }),
            KeyAction::OpenPalette
        );
        assert_eq!(
            decide(Press {
                command: true,
                alt: true,
                ..key("k")
            }),
            KeyAction::Nothing
        );
        assert_eq!(
            decide(Press {
                command: true,
                ..key("g")
            }),
            KeyAction::Nothing
        );
    }

    #[test]
    fn question_mark_opens_the_sheet() {
        assert_eq!(decide(key("?")), KeyAction::OpenSheet);
        assert_eq!(decide(key("k")), KeyAction::Nothing);
    }

    #[test]
    fn every_go_to_page_has_its_own_letter_and_keys() {
        for (i, (k, route, _)) in GO_TO.iter().enumerate() {
            assert!(GO_TO[i + 1..].iter().all(|(other, _, _)| other != k), "{k} twice");
            assert_eq!(go_keys(*route), &["G", &k.to_uppercase()[..]][..]);
        }
        assert!(go_keys(Route::Integrations).is_empty());
    }
}
