//! "Escalate alert": choose the team member who takes it over and add a note; `POST /alerts/{id}/escalate`
//! raises the severity one step and notifies them. Closes only on success.

use audienceos_shared::alerts::{Alert, EscalateAlertRequest};
use leptos::prelude::*;
use validator::Validate;

use crate::api::alerts::escalate_alert;
use crate::api::team::list_members;
use crate::components::error_view::ErrorView;
use crate::components::field::{Field, FormErrors};
use crate::components::member_list::MemberList;
use crate::components::modal::ActionModal;
use crate::components::spinner::LoadingBlock;
use crate::components::unique_id;
use crate::state::toasts::use_toasts;

/// The escalation modal for `alert`.
#[component]
pub fn EscalateAlertModal(alert: Alert, on_close: Callback<()>, on_saved: Callback<Alert>) -> impl IntoView {
    let toasts = use_toasts();
    let members = LocalResource::new(|| list_members(None));
    let search = RwSignal::new(String::new());
    let choice = RwSignal::new(None::<uuid::Uuid>);
    let note = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let note_id = unique_id("escalate-note");
    let id = alert.id;
    view! {
        <ActionModal
            title=format!("Escalate “{}”", alert.title)
            action_label="Escalate"
            on_close=on_close
            errors=errors
            submit=move || {
                let Some(to) = choice.get_untracked() else {
                    errors.set_message("Choose who takes this alert over.");
                    return None;
                };
                let text = note.get_untracked().trim().to_string();
                let req = EscalateAlertRequest {
                    to_user_id: to,
                    note: (!text.is_empty()).then_some(text),
                };
                if req.validate().is_err() {
                    errors.set_message("The note can be at most 1000 characters.");
                    return None;
                }
                Some(async move {
                    let a = escalate_alert(id, &req).await?;
                    toasts.success(format!(
                        "Escalated to {}.",
                        a.escalated_to
                            .as_ref()
                            .map(|u| u.name.clone())
                            .unwrap_or_else(|| "the team".into())
                    ));
                    on_saved.run(a);
                    Ok(())
                })
            }
        >
            <p class="muted">
                {format!("Severity goes from {} to {}; the person you choose is notified.", alert.severity.as_str(), alert.severity.raised().as_str())}
            </p>
            <Field label="Search the team" value=search error=Signal::stored(None::<String>) input_type="search" autocomplete="off"/>
            {move || match members.get() {
                None => view! { <LoadingBlock label="Loading the team…"/> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="alert alert-danger" role="alert">
                        <ErrorView problem=e.0/>
                        <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| members.refetch()>"Retry"</button>
                    </div>
                }
                .into_any(),
                Some(Ok(list)) => view! { <MemberList members=list choice=choice filter=search legend="Escalate to"/> }.into_any(),
            }}
            <div class="field">
                <label class="field-label" for=note_id.clone()>"Note"</label>
                <textarea
                    id=note_id
                    class="input textarea"
                    rows="3"
                    prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))
                ></textarea>
            </div>
        </ActionModal>
    }
}
