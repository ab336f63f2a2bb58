//! Replies as the API shows them (sending them is `integrations::reply`).

use audienceos_shared::communications::{Reply, ReplyStatus};

use crate::domain::stored::Stored as _;
use crate::store::replies::ReplyRow;

pub fn to_reply(r: ReplyRow) -> Reply {
    Reply {
        thread_key: format!("{}:{}", r.platform, r.thread_key),
        id: r.id,
        platform: r.platform,
        client_id: r.client_id,
        in_reply_to: r.in_reply_to,
        author_id: r.author_id,
        body: r.body,
        status: ReplyStatus::from_stored(&r.status),
        error: r.error,
        provider_message_id: r.provider_message_id,
        attempts: r.attempts,
        created_at: r.created_at,
        updated_at: r.updated_at,
        sent_at: r.sent_at,
    }
}
