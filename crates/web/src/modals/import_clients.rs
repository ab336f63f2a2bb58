//! "Import clients": choose a CSV file, `POST /clients/import` (text/csv), then the per-row report:
//! how many were created and updated, and each refused row by line with the reason.

use audienceos_shared::clients::{ImportReport, CSV_COLUMNS};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::clients::import_csv;
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
    let report = RwSignal::new(None::<ImportReport>);
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
            let r = import_csv(text).await?;
            if r.created + r.updated > 0 {
                on_imported.run(());
            }
            report.set(Some(r));
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
            done=Signal::derive(move || report.with(Option::is_some))
        >
            {move || match report.get() {
                Some(r) => view! { <ReportView report=r/> }.into_any(),
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
