//! File picker: choose a file and upload it (multipart, with a progress bar), list the client's files
//! with download links, delete one. Upload closes the modal only when it succeeded; 413 and 415 show
//! inline.

use audienceos_shared::client_work::{ClientFile, DEFAULT_MAX_UPLOAD_BYTES};
use audienceos_shared::clients::Client;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use crate::api::files::{delete_file, download_url, list_files, upload_file};
use crate::components::error_view::ErrorView;
use crate::components::field::FormErrors;
use crate::components::icons::{Icon, IconName};
use crate::components::modal::ActionModal;
use crate::components::spinner::LoadingBlock;
use crate::components::unique_id;
use crate::format;
use crate::pages::agency_time_zone;
use crate::state::toasts::{use_toasts, ToastKind};

/// "2.4 MB", "830 KB", "12 bytes".
pub fn size_label(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KB * KB {
        format!("{:.1} MB", b / KB / KB)
    } else if b >= KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file over the upload limit is told.
fn too_large(name: &str) -> String {
    format!(
        "{name} is larger than the {} MB limit.",
        DEFAULT_MAX_UPLOAD_BYTES / 1024 / 1024
    )
}

/// The file picker for `client`.
#[component]
pub fn FilePicker(
    client: Client,
    on_close: Callback<()>,
    /// A file was uploaded or deleted.
    on_changed: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let id = client.id;
    let files = LocalResource::new(move || list_files(id));
    let chosen = RwSignal::new(None::<SendWrapper<web_sys::File>>);
    let progress = RwSignal::new(None::<f64>);
    let errors = FormErrors::new();
    let input_id = unique_id("file");

    let submit = move || {
        let Some(file) = chosen.get_untracked() else {
            errors.set_message("Choose a file to upload first.");
            return None;
        };
        let name = file.name();
        if file.size() > DEFAULT_MAX_UPLOAD_BYTES as f64 {
            errors.set_message(too_large(&name));
            return None;
        }
        let file = file.take();
        Some(async move {
            progress.set(Some(0.0));
            let result = upload_file(id, file, move |p| {
                progress.try_set(Some(p));
            })
            .await;
            progress.set(None);
            let f = result.map_err(|e| {
                if e.status == 413 {
                    e.with_message(too_large(&name))
                } else {
                    e
                }
            })?;
            toasts.success(format!("{} uploaded.", f.name));
            on_changed.run(());
            Ok(())
        })
    };

    let remove = Callback::new(move |f: ClientFile| {
        spawn_local(async move {
            match delete_file(id, f.id).await {
                Ok(()) => {
                    toasts.success(format!("{} deleted.", f.name));
                    files.refetch();
                    on_changed.run(());
                }
                Err(e) => toasts.push(
                    ToastKind::Error,
                    format!("Could not delete {}: {}", f.name, e.message()),
                ),
            }
        });
    });

    view! {
        <ActionModal
            title=format!("Files of {}", client.name)
            action_label="Upload"
            on_close=on_close
            errors=errors
            submit=submit
        >
            <div class="field">
                <label class="field-label" for=input_id.clone()>"Choose a file"</label>
                <input
                    id=input_id
                    class="input input-file"
                    type="file"
                    on:change=move |ev| {
                        let file = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                            .and_then(|i| i.files())
                            .and_then(|list| list.get(0));
                        chosen.set(file.map(SendWrapper::new));
                    }
                />
                <p class="field-hint">"Documents, images, spreadsheets and archives up to 25 MB."</p>
            </div>
            <Show when=move || progress.get().is_some()>
                <div class="upload-progress">
                    <progress
                        max="100"
                        value=move || (progress.get().unwrap_or(0.0) * 100.0).round()
                        aria-label="Upload progress"
                    ></progress>
                    <span class="muted">{move || format!("{:.0}%", progress.get().unwrap_or(0.0) * 100.0)}</span>
                </div>
            </Show>
            <h3 class="field-label">"Files"</h3>
            {move || match files.get() {
                None => view! { <LoadingBlock label="Loading files…"/> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="alert alert-danger" role="alert">
                        <ErrorView problem=e.0/>
                        <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| files.refetch()>"Retry"</button>
                    </div>
                }
                .into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No files yet."</p> }.into_any(),
                Some(Ok(list)) => view! { <FileList client_id=id files=list on_delete=remove/> }.into_any(),
            }}
        </ActionModal>
    }
}

#[component]
fn FileList(client_id: Uuid, files: Vec<ClientFile>, on_delete: Callback<ClientFile>) -> impl IntoView {
    let tz = agency_time_zone();
    view! {
        <ul class="file-list">
            {files
                .into_iter()
                .map(|f| {
                    let by = f.uploaded_by.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| "Former member".into());
                    let meta = format!("{} · {} · {}", size_label(f.size_bytes), by, format::date(&f.created_at, &tz));
                    let name = f.name.clone();
                    let file = f.clone();
                    view! {
                        <li class="file-row">
                            <Icon name=IconName::Paperclip/>
                            <div class="file-main">
                                <a href=download_url(client_id, f.id) download=f.name.clone()>{f.name.clone()}</a>
                                <span class="muted">{meta}</span>
                            </div>
                            <button
                                type="button"
                                class="icon-btn"
                                aria-label=format!("Delete {name}")
                                on:click=move |_| on_delete.run(file.clone())
                            >
                                <Icon name=IconName::Trash/>
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_readable() {
        assert_eq!(size_label(12), "12 bytes");
        assert_eq!(size_label(2048), "2 KB");
        assert_eq!(size_label(5 * 1024 * 1024 + 512 * 1024), "5.5 MB");
    }
}
