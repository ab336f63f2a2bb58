//! "Import clients": choose a CSV file, `POST /clients/import` (text/csv), then the per-row report:
//! how many were created and updated, and each refused row by line with the reason.

use audienceos_shared::clients::{ImportReport, CSV_COLUMNS};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::clients::import_csv;
use crate::api::ApiError;
use crate::components::icons::{Icon, IconName};
use crate::components::modal::Modal;
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
    let error = RwSignal::new(None::<String>);
    let report = RwSignal::new(None::<ImportReport>);
    let input_id = unique_id("csv");

    let import = Action::new_local(move |file: &SendWrapper<web_sys::File>| {
        let file = (**file).clone();
        async move {
            let text = match JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()) {
                Some(t) => t,
                None => {
                    error.set(Some("The file could not be read as text.".into()));
                    return;
                }
            };
            match import_csv(text).await {
                Ok(r) => {
                    if r.created + r.updated > 0 {
                        on_imported.run(());
                    }
                    report.set(Some(r));
                }
                Err(ApiError(p)) => error.set(Some(problem_text(&p))),
            }
        }
    });

    view! {
        <Modal
            title="Import clients"
            action_label="Import"
            on_action=Callback::new(move |_| {
                error.set(None);
                match chosen.get_untracked() {
                    Some(f) => {
                        import.dispatch(f);
                    }
                    None => error.set(Some("Choose a CSV file first.".into())),
                }
            })
            on_close=on_close
            pending=import.pending()
            error=error
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
        </Modal>
    }
}

fn problem_text(p: &Problem) -> String {
    p.detail.clone().unwrap_or_else(|| p.title.clone())
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
