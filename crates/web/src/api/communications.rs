//! The communications hub: the inbox's threads (list, counts, detail, state, notes) and replies sent
//! through the thread's provider.

use audienceos_shared::communications::{
    NewReply, NewThreadNote, Reply, Thread, ThreadCounts, ThreadNote, ThreadQuery, ThreadSummary, UpdateThread,
};
use audienceos_shared::Page;
use uuid::Uuid;

use super::{get, patch, post, post_empty, post_with_headers, query_string, routes_segment, ApiResult};

/// `GET /communications/threads?..`: one page of threads, newest first.
pub async fn list_threads(query: &ThreadQuery) -> ApiResult<Page<ThreadSummary>> {
    get(&format!("/communications/threads{}", query_string(query))).await
}

/// `GET /communications/counts?..`: how many threads each filter would list.
pub async fn thread_counts(query: &ThreadQuery) -> ApiResult<ThreadCounts> {
    get(&format!("/communications/counts{}", query_string(query))).await
}

/// `GET /communications/threads/{key}`: messages, notes and replies.
pub async fn get_thread(key: &str) -> ApiResult<Thread> {
    get(&format!("/communications/threads/{}", routes_segment(key))).await
}

/// `PATCH /communications/threads/{key}`: read, needs reply, assignee; answers the new summary.
pub async fn update_thread(key: &str, body: &UpdateThread) -> ApiResult<ThreadSummary> {
    patch(&format!("/communications/threads/{}", routes_segment(key)), body).await
}

/// `POST /communications/threads/{key}/notes`: an internal note (never sent).
pub async fn add_thread_note(key: &str, body: String) -> ApiResult<ThreadNote> {
    post(
        &format!("/communications/threads/{}/notes", routes_segment(key)),
        &NewThreadNote { body },
    )
    .await
}

/// `POST /communications/{message_id}/reply` with `Idempotency-Key`: the same key returns the same reply
/// and never sends twice.
pub async fn send_reply(message_id: Uuid, idempotency_key: Uuid, body: String) -> ApiResult<Reply> {
    let key = idempotency_key.to_string();
    post_with_headers(
        &format!("/communications/{message_id}/reply"),
        &NewReply { body },
        &[("Idempotency-Key", &key)],
    )
    .await
}

/// `POST /communications/replies/{id}/retry`: sends a failed reply again.
pub async fn retry_reply(reply_id: Uuid) -> ApiResult<Reply> {
    post_empty(&format!("/communications/replies/{reply_id}/retry")).await
}
