//! Short-lived notifications ("Password changed.") queued from anywhere and shown by `ToastStack`.

use std::time::Duration;

use leptos::prelude::*;

/// How long a toast stays up unless dismissed.
const TOAST_TTL: Duration = Duration::from_secs(5);

/// Tone of a toast; the view adds an icon and a word, never colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
}

/// One notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub kind: ToastKind,
    pub message: String,
}

/// The toast queue; `Copy`, provided as context by `App`.
#[derive(Debug, Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

impl Toasts {
    /// An empty queue.
    pub fn new() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(1),
        }
    }

    /// Tracked list of visible toasts, oldest first.
    pub fn items(&self) -> Vec<Toast> {
        self.items.get()
    }

    /// Show a toast that dismisses itself after about five seconds.
    pub fn push(&self, kind: ToastKind, message: impl Into<String>) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.items.update(|items| {
            items.push(Toast {
                id,
                kind,
                message: message.into(),
            })
        });
        let this = *self;
        set_timeout(move || this.dismiss(id), TOAST_TTL);
    }

    /// A success toast.
    pub fn success(&self, message: impl Into<String>) {
        self.push(ToastKind::Success, message);
    }

    /// Remove a toast now.
    pub fn dismiss(&self, id: u64) {
        self.items.try_update(|items| items.retain(|t| t.id != id));
    }
}

impl Default for Toasts {
    fn default() -> Self {
        Self::new()
    }
}

/// The toast queue from context.
pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}
