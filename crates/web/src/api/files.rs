//! `/api/v1/clients/{id}/files`: list, upload (multipart through `XMLHttpRequest`, which reports upload
//! progress where `fetch` cannot), download links and delete.

use audienceos_shared::client_work::ClientFile;
use leptos::prelude::Owner;
use send_wrapper::SendWrapper;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

use super::{csrf_token, decode_response, delete, get, url, ApiError, ApiResult, CSRF_HEADER};

/// `GET /clients/{id}/files`, newest first.
pub async fn list_files(client: Uuid) -> ApiResult<Vec<ClientFile>> {
    get(&format!("/clients/{client}/files")).await
}

/// The download URL of a file (served as an attachment with its stored content type).
pub fn download_url(client: Uuid, file: Uuid) -> String {
    url(&format!("/clients/{client}/files/{file}"))
}

/// `DELETE /clients/{id}/files/{file_id}`.
pub async fn delete_file(client: Uuid, file: Uuid) -> ApiResult<()> {
    delete(&format!("/clients/{client}/files/{file}")).await
}

/// `POST /clients/{id}/files` as `multipart/form-data` with the part `file`. `on_progress` gets the
/// fraction sent (0.0 to 1.0) as the browser reports it. 413 and 415 come back as problems.
pub async fn upload_file(client: Uuid, file: File, on_progress: impl Fn(f64) + 'static) -> ApiResult<ClientFile> {
    let fail = |e: JsValue| ApiError::network(e.as_string().unwrap_or_else(|| "the upload could not start".into()));
    let xhr = XmlHttpRequest::new().map_err(fail)?;
    xhr.open("POST", &url(&format!("/clients/{client}/files")))
        .map_err(fail)?;
    xhr.set_request_header("Accept", "application/json, application/problem+json")
        .map_err(fail)?;
    if let Some(token) = csrf_token() {
        xhr.set_request_header(CSRF_HEADER, &token).map_err(fail)?;
    }
    let form = FormData::new().map_err(fail)?;
    form.append_with_blob_and_filename("file", &file, &file.name())
        .map_err(fail)?;

    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
        if ev.length_computable() && ev.total() > 0.0 {
            on_progress(ev.loaded() / ev.total());
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }

    // Settles on load (any HTTP status), and rejects on a network error or an abort.
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
        xhr.set_onabort(Some(&reject));
    });
    if Owner::current().is_some() {
        let xhr = SendWrapper::new(xhr.clone());
        Owner::on_cleanup(move || {
            let _ = xhr.abort();
        });
    }
    xhr.send_with_opt_form_data(Some(&form)).map_err(fail)?;
    let settled = wasm_bindgen_futures::JsFuture::from(done).await;
    drop(progress);
    if settled.is_err() {
        return Err(ApiError::network("the upload was interrupted"));
    }
    let status = xhr.status().unwrap_or(0);
    let request_id = xhr.get_response_header("x-request-id").ok().flatten();
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    decode_response(status, request_id, &text)
}
