//! Live updates: the one `EventSource` on `/api/v1/events` of the signed-in app, and a version counter
//! views subscribe to. Every event (and every local change a view reports with [`Live::changed`]) bumps
//! the counter, so inbox lists, counts and the sidebar badges re-read what they show. The browser resumes
//! the stream with `Last-Event-ID` itself; when it gives up (the stream answered an error), it is
//! reopened after a growing pause, and the views reload once it is open again, since events may have
//! been missed in between.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::EventSource;

/// The stream's path.
const EVENTS_URL: &str = "/api/v1/events";
/// The event kinds the stream sends (the SSE `event:` names of `audienceos_shared::events::LiveEvent`).
const KINDS: [&str; 4] = ["messages.created", "thread.updated", "reply.updated", "reset"];
/// Pause before reopening a stream the browser closed, doubled after each failure up to the maximum.
const REOPEN_AFTER: Duration = Duration::from_secs(5);
const REOPEN_AFTER_MAX: Duration = Duration::from_secs(300);
/// Events closer together than this make one reload.
const BURST: Duration = Duration::from_millis(250);

/// Handle to the live state; `Copy`, provided as context by the signed-in layout.
#[derive(Debug, Clone, Copy)]
pub struct Live {
    version: RwSignal<u64>,
}

impl Live {
    fn new() -> Self {
        Self {
            version: RwSignal::new(0),
        }
    }

    /// Tracked: increases on every event and every local change.
    pub fn version(&self) -> u64 {
        self.version.get()
    }

    /// Something changed here (a thread marked read, a reply sent): views reload as on an event.
    pub fn changed(&self) {
        self.version.update(|v| *v += 1);
    }
}

/// The live state of the signed-in app, if there is one (views outside it work without updates).
pub fn use_live() -> Option<Live> {
    use_context::<Live>()
}

/// Opens the stream, provides [`Live`] as context and closes the stream when the caller (the
/// signed-in layout) is cleaned up, i.e. on sign-out.
pub fn provide_live() -> Live {
    let live = Live::new();
    provide_context(live);
    let stream = Rc::new(Stream {
        live,
        source: RefCell::new(None),
        closed: Cell::new(false),
        reopened: Cell::new(false),
        delay: Cell::new(REOPEN_AFTER),
        burst: Cell::new(false),
    });
    Stream::open(&stream);
    let stream = SendWrapper::new(stream);
    on_cleanup(move || stream.close());
    live
}

/// A JS event listener owned by Rust.
type Listener = Closure<dyn FnMut(web_sys::Event)>;

/// The open `EventSource` and its listeners (kept alive as long as it is open).
struct Stream {
    live: Live,
    source: RefCell<Option<(EventSource, Vec<Listener>)>>,
    closed: Cell<bool>,
    /// Opened again after the browser gave up: events may have been missed.
    reopened: Cell<bool>,
    delay: Cell<Duration>,
    /// A reload is scheduled.
    burst: Cell<bool>,
}

impl Stream {
    fn open(this: &Rc<Self>) {
        if this.closed.get() {
            return;
        }
        let Ok(source) = EventSource::new(EVENTS_URL) else {
            return;
        };
        let mut listeners = Vec::new();
        for kind in KINDS {
            let weak = Rc::downgrade(this);
            // Every kind means "re-read what you show": the views are cheap to re-read, and picking
            // which one an event concerns would leave a view stale whenever the guess is wrong.
            let on_event = Listener::new(move |_ev: web_sys::Event| {
                if let Some(stream) = weak.upgrade() {
                    stream.soon_changed();
                }
            });
            let _ = source.add_event_listener_with_callback(kind, on_event.as_ref().unchecked_ref());
            listeners.push(on_event);
        }
        let weak = Rc::downgrade(this);
        let on_open = Listener::new(move |_ev: web_sys::Event| {
            let Some(stream) = weak.upgrade() else { return };
            stream.delay.set(REOPEN_AFTER);
            if stream.reopened.replace(false) {
                stream.live.changed();
            }
        });
        let _ = source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
        listeners.push(on_open);
        let weak = Rc::downgrade(this);
        let on_error = Listener::new(move |_ev: web_sys::Event| {
            let Some(stream) = weak.upgrade() else { return };
            let gave_up = stream
                .source
                .borrow()
                .as_ref()
                .is_some_and(|(s, _)| s.ready_state() == EventSource::CLOSED);
            if gave_up {
                stream.drop_source();
                stream.reopened.set(true);
                let delay = stream.delay.get();
                stream.delay.set((delay * 2).min(REOPEN_AFTER_MAX));
                let weak = Rc::downgrade(&stream);
                set_timeout(
                    move || {
                        if let Some(stream) = weak.upgrade() {
                            Stream::open(&stream);
                        }
                    },
                    delay,
                );
            }
        });
        let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        listeners.push(on_error);
        *this.source.borrow_mut() = Some((source, listeners));
    }

    /// A burst of events (a sync storing many messages) makes one reload.
    fn soon_changed(self: &Rc<Self>) {
        if self.burst.replace(true) {
            return;
        }
        let weak = Rc::downgrade(self);
        set_timeout(
            move || {
                if let Some(stream) = weak.upgrade() {
                    stream.burst.set(false);
                    stream.live.changed();
                }
            },
            BURST,
        );
    }

    fn drop_source(&self) {
        if let Some((source, listeners)) = self.source.borrow_mut().take() {
            source.close();
            // The listeners may be running (an error handler closes its own stream): free them later.
            set_timeout(move || drop(listeners), Duration::ZERO);
        }
    }

    fn close(&self) {
        self.closed.set(true);
        self.drop_source();
    }
}
