//! "Import clients": choose a CSV file, `POST /clients/imports` (text/csv) starts the import job, a
//! progress bar follows it (`GET /clients/imports/{id}`), then the per-row report: how many were created
//! and updated, and each refused row by line with the reason.

use std::time::Duration;

use audienceos_shared::clients::{ClientImport, ImportReport, ImportStatus, CSV_COLUMNS};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::clients::{get_import, start_import};
use crate::api::pause;
use crate::api::ApiError;
use crate::components::field::FormErrors;
use crate::components::icons::{Icon, IconName};
use crate::components::modal::ActionModal;
use crate::components::unique_id;
use audienceos_shared::Problem;

/// The import modal.
#[component]
pub fn ImportClientsModal(
    on_close: Callback<()>,
    /// Runs after an import wrote rows (refresh the list behind).
    on_imported: Callback<()>,
) -> impl IntoView {
    let chosen = RwSignal::new(None::<SendWrapper<web_sys::File>>);
    let errors = FormErrors::new();
    let import = RwSignal::new(None::<ClientImport>);
    let follow_error = RwSignal::new(None::<String>);
    let input_id = unique_id("csv");

    let submit = move || {
        let Some(file) = chosen.get_untracked() else {
            errors.set_message("Choose a CSV file first.");
            return None;
        };
        let file = file.take();
        Some(async move {
            let text = JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string());
            let Some(text) = text else {
                return Err(ApiError(Problem::client(
                    "unreadable_file",
                    "Unreadable file",
                    "The file could not be read as text.",
                )));
            };
            let started = start_import(text).await?;
            let id = started.id;
            import.set(Some(started));
            leptos::task::spawn_local(follow(id, import, follow_error, on_imported));
            Ok(())
        })
    };

    view! {
        <ActionModal
            title="Import clients"
            action_label="Import"
            on_close=on_close
            errors=errors
            submit=submit
            done=Signal::derive(move || import.with(Option::is_some))
        >
            {move || match import.get() {
                Some(i) if i.status == ImportStatus::Done => view! { <ReportView report=i.report()/> }.into_any(),
                Some(i) if i.status == ImportStatus::Failed => view! {
                    <div class="alert alert-danger" role="alert">
                        <p>{i.failure.clone().unwrap_or_else(|| "The import stopped.".into())}</p>
                    </div>
                    <ReportView report=i.report()/>
                }
                .into_any(),
                Some(i) => view! { <ImportProgress import=i error=follow_error/> }.into_any(),
                None => view! {
                    <div class="field">
                        <label class="field-label" for=input_id.clone()>"CSV file"</label>
                        <input
                            id=input_id.clone()
                            class="input input-file"
                            type="file"
                            accept=".csv,text/csv"
                            on:change=move |ev| {
                                let file = ev
                                    .target()
                                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                                    .and_then(|i| i.files())
                                    .and_then(|list| list.get(0));
                                chosen.set(file.map(SendWrapper::new));
                            }
                        />
                        <p class="field-hint">
                            "Columns: " <code>{CSV_COLUMNS.join(", ")}</code>
                            ". Only name is required. Rows with a known contact email update that client; rows with errors are skipped and listed."
                        </p>
                    </div>
                }
                .into_any(),
            }}
        </ActionModal>
    }
}

/// Poll the import until it is done or failed; refresh the list behind once rows were written.
async fn follow(
    id: uuid::Uuid,
    import: RwSignal<Option<ClientImport>>,
    error: RwSignal<Option<String>>,
    on_imported: Callback<()>,
) {
    let mut failures = 0;
    loop {
        pause(Duration::from_millis(400)).await;
        match get_import(id).await {
            Ok(i) => {
                failures = 0;
                let finished = i.status.is_finished();
                let wrote = i.created + i.updated > 0;
                error.try_set(None);
                if import.try_set(Some(i)).is_some() && !finished {
                    return; // the modal is gone; the list refreshes on its own next visit
                }
                if finished {
                    if wrote {
                        on_imported.try_run(());
                    }
                    return;
                }
            }
            Err(e) => {
                failures += 1;
                error.try_set(Some(format!(
                    "Could not check the import's progress ({}); retrying…",
                    e.message()
                )));
                if failures >= 15 {
                    error.try_set(Some(
                        "The import goes on in the background; its clients appear in the list when it is done.".into(),
                    ));
                    return;
                }
            }
        }
    }
}

/// The running import: a bar and "N of M rows".
#[component]
fn ImportProgress(import: ClientImport, error: RwSignal<Option<String>>) -> impl IntoView {
    let label = if import.status == ImportStatus::Queued {
        "Waiting to start…".to_string()
    } else {
        format!("Imported {} of {} rows…", import.processed_rows, import.total_rows)
    };
    view! {
        <div class="import-progress" role="status" aria-live="polite">
            <p>{label}</p>
            <div class="upload-progress">
                <progress max="100" value=import.percent() aria-label="Import progress"></progress>
                <span class="muted">{format!("{}%", import.percent())}</span>
            </div>
            <p class="field-hint">"You can close this window; the import goes on."</p>
            {move || error.get().map(|e| view! { <p class="field-hint">{e}</p> })}
        </div>
    }
}

#[component]
fn ReportView(report: ImportReport) -> impl IntoView {
    let ok = report.errors.is_empty();
    view! {
        <div class=if ok { "notice notice-success" } else { "notice" } role="status">
            <span class="notice-icon"><Icon name=if ok { IconName::Check } else { IconName::Alert }/></span>
            <p>
                {format!(
                    "{} created, {} updated, {} row{} skipped.",
                    report.created,
                    report.updated,
                    report.errors.len(),
                    if report.errors.len() == 1 { "" } else { "s" },
                )}
            </p>
        </div>
        {(!ok)
            .then(|| {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <caption class="sr-only">"Rows that were not imported"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Line"</th>
                                    <th scope="col">"Column"</th>
                                    <th scope="col">"Problem"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {report
                                    .errors
                                    .into_iter()
                                    .map(|e| {
                                        view! {
                                            <tr>
                                                <td>{e.line}</td>
                                                <td>{e.field.unwrap_or_else(|| "—".into())}</td>
                                                <td>{e.message}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
            })}
    }
}
