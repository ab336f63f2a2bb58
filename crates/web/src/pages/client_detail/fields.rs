//! Inline editing of a client's plain fields: the value is a button; activating it shows an input that
//! saves on Enter (or the Save button) and cancels on Escape. The server's field error shows under it.

use audienceos_shared::clients::{Client, UpdateClientRequest};
use audienceos_shared::Money;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use validator::Validate;

use crate::api::clients::update_client;
use crate::components::button::{Button, ButtonKind};
use crate::components::unique_id;
use crate::format;

/// A field of the client that is edited inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditField {
    Name,
    ContactName,
    ContactEmail,
    Website,
    InstallDate,
    TotalSpend,
    LifetimeValue,
}

impl EditField {
    pub const ALL: [EditField; 7] = [
        EditField::Name,
        EditField::ContactName,
        EditField::ContactEmail,
        EditField::Website,
        EditField::InstallDate,
        EditField::TotalSpend,
        EditField::LifetimeValue,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EditField::Name => "Name",
            EditField::ContactName => "Contact name",
            EditField::ContactEmail => "Contact email",
            EditField::Website => "Website",
            EditField::InstallDate => "Install date",
            EditField::TotalSpend => "Total spend",
            EditField::LifetimeValue => "Lifetime value",
        }
    }

    /// The request JSON name, to match `Problem.errors`.
    fn json_name(self) -> &'static str {
        match self {
            EditField::Name => "name",
            EditField::ContactName => "contact_name",
            EditField::ContactEmail => "contact_email",
            EditField::Website => "website",
            EditField::InstallDate => "install_date",
            EditField::TotalSpend => "total_spend",
            EditField::LifetimeValue => "lifetime_value",
        }
    }

    fn input_type(self) -> &'static str {
        match self {
            EditField::ContactEmail => "email",
            EditField::Website => "url",
            EditField::InstallDate => "date",
            _ => "text",
        }
    }

    /// The text the input starts with.
    fn edit_value(self, c: &Client) -> String {
        match self {
            EditField::Name => c.name.clone(),
            EditField::ContactName => c.contact_name.clone().unwrap_or_default(),
            EditField::ContactEmail => c.contact_email.clone().unwrap_or_default(),
            EditField::Website => c.website.clone().unwrap_or_default(),
            EditField::InstallDate => c.install_date.map(format::iso_day).unwrap_or_default(),
            EditField::TotalSpend => c.total_spend.to_string(),
            EditField::LifetimeValue => c.lifetime_value.to_string(),
        }
    }

    /// The value as the panel shows it, `None` when empty.
    fn display(self, c: &Client) -> Option<String> {
        match self {
            EditField::InstallDate => c.install_date.map(format::day),
            EditField::TotalSpend => Some(format::money(c.total_spend)),
            EditField::LifetimeValue => Some(format::money(c.lifetime_value)),
            _ => Some(self.edit_value(c)).filter(|s| !s.is_empty()),
        }
    }

    /// The PATCH body for `text`; an empty optional field is cleared.
    pub fn request(self, text: &str) -> Result<UpdateClientRequest, String> {
        let text = text.trim();
        let optional = || (!text.is_empty()).then(|| text.to_string());
        let money = || {
            if text.is_empty() {
                Ok(Money::ZERO)
            } else {
                text.parse::<Money>().map_err(|e| e.to_string())
            }
        };
        let mut req = UpdateClientRequest::default();
        match self {
            EditField::Name => req.name = Some(text.to_string()),
            EditField::ContactName => req.contact_name = Some(optional()),
            EditField::ContactEmail => req.contact_email = Some(optional()),
            EditField::Website => req.website = Some(optional()),
            EditField::InstallDate => {
                req.install_date = Some(if text.is_empty() {
                    None
                } else {
                    Some(format::parse_day(text).ok_or("must be a date such as 2026-03-04")?)
                })
            }
            EditField::TotalSpend => req.total_spend = Some(money()?),
            EditField::LifetimeValue => req.lifetime_value = Some(money()?),
        }
        Ok(req)
    }
}

/// One inline-editable field.
#[component]
pub fn InlineField(
    field: EditField,
    client: RwSignal<Client>,
    saved: Callback<Client>,
    can_edit: Memo<bool>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let edit_button = NodeRef::<leptos::html::Button>::new();
    let id = unique_id("inline");
    let error_id = format!("{id}-error");
    let label = field.label();

    let start = move || {
        draft.set(client.with_untracked(|c| field.edit_value(c)));
        error.set(None);
        editing.set(true);
        request_animation_frame(move || {
            if let Some(i) = input.get_untracked() {
                let _ = i.focus();
                i.select();
            }
        });
    };
    let stop = move || {
        editing.set(false);
        error.set(None);
        request_animation_frame(move || {
            if let Some(b) = edit_button.get_untracked() {
                let _ = b.focus();
            }
        });
    };
    let save = move || {
        if saving.get_untracked() {
            return;
        }
        let req = match field.request(&draft.get_untracked()) {
            Ok(r) => r,
            Err(m) => {
                error.set(Some(format!("{label} {m}")));
                return;
            }
        };
        if let Err(v) = req.validate() {
            let msg = audienceos_shared::problem::field_errors(&v)
                .into_iter()
                .next()
                .map(|e| format!("{label} {}", e.message))
                .unwrap_or_else(|| format!("{label} is invalid"));
            error.set(Some(msg));
            return;
        }
        let client_id = client.with_untracked(|c| c.id);
        saving.set(true);
        spawn_local(async move {
            let result = update_client(client_id, &req).await;
            saving.try_set(false);
            match result {
                Ok(c) => {
                    saved.run(c);
                    stop();
                }
                Err(e) => {
                    let msg = e
                        .errors
                        .iter()
                        .find(|f| f.field == field.json_name())
                        .map(|f| format!("{label} {}", f.message))
                        .unwrap_or_else(|| e.message());
                    error.try_set(Some(msg));
                }
            }
        });
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            save();
        }
        "Escape" => {
            ev.prevent_default();
            ev.stop_propagation();
            stop();
        }
        _ => {}
    };

    view! {
        <div class="inline-field">
            <span class="prop-label" id=format!("{id}-label")>{label}</span>
            <Show
                when=move || editing.get()
                fallback=move || {
                    let text = move || client.with(|c| field.display(c)).unwrap_or_else(|| "—".into());
                    view! {
                        <button
                            type="button"
                            class="inline-value"
                            node_ref=edit_button
                            disabled=move || !can_edit.get()
                            aria-label=move || format!("{label}: {}. Edit", text())
                            on:click=move |_| start()
                        >
                            {text}
                        </button>
                    }
                }
            >
                <div class="inline-edit">
                    <input
                        class="input input-sm"
                        type=field.input_type()
                        aria-label=label
                        node_ref=input
                        aria-invalid=move || error.with(Option::is_some).then_some("true")
                        aria-describedby=error_id.clone()
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                        on:keydown=on_keydown
                    />
                    <Button small=true pending=saving on_click=Callback::new(move |_| save())>"Save"</Button>
                    <Button kind=ButtonKind::Ghost small=true disabled=saving on_click=Callback::new(move |_| stop())>
                        "Cancel"
                    </Button>
                </div>
                <p class="field-error" id=error_id.clone() role="alert" hidden=move || error.with(Option::is_none)>
                    {move || error.get()}
                </p>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_optional_fields_clear_and_amounts_parse() {
        let req = EditField::ContactName.request("  ").unwrap();
        assert_eq!(req.contact_name, Some(None));
        let req = EditField::TotalSpend.request("$1,250.5").unwrap();
        assert_eq!(req.total_spend.map(|m| m.cents()), Some(125_050));
        assert!(EditField::LifetimeValue.request("abc").is_err());
        assert!(EditField::InstallDate.request("2026-13-01").is_err());
        let req = EditField::InstallDate.request("").unwrap();
        assert_eq!(req.install_date, Some(None));
    }
}
