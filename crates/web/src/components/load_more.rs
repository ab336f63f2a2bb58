//! A list loaded page by page with "Load more": the items so far, the next page's cursor, the request
//! that fetches it, and its error. Lists that page (tasks, alerts, the firehose) share this rather than
//! each wiring an action, a cursor and a button.

use std::future::Future;

use audienceos_shared::Page;
use leptos::prelude::*;

use super::button::{Button, ButtonKind};
use super::field::FormAlert;
use crate::api::ApiResult;

/// The pages loaded so far of one list.
pub struct Pager<T: Send + Sync + 'static> {
    /// The items of every page loaded, in order; a list may also update an item in place.
    pub items: RwSignal<Vec<T>>,
    cursor: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
    more: Action<String, ()>,
}

impl<T: Send + Sync + 'static> Clone for Pager<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Pager<T> {}

impl<T: Clone + Send + Sync + 'static> Pager<T> {
    /// Starts from the first page; `fetch` gets the page after a cursor. An item whose `key` is already
    /// loaded is not added twice (a list that shifted between two pages).
    pub fn new<F, Fut, K>(first: Page<T>, fetch: F, key: fn(&T) -> K) -> Self
    where
        F: Fn(String) -> Fut + 'static,
        Fut: Future<Output = ApiResult<Page<T>>> + 'static,
        K: PartialEq + 'static,
    {
        let items = RwSignal::new(first.items);
        let cursor = RwSignal::new(first.next_cursor);
        let error = RwSignal::new(None::<String>);
        let more = Action::new_local(move |c: &String| {
            let next = fetch(c.clone());
            async move {
                match next.await {
                    Ok(p) => {
                        items.update(|list| {
                            let fresh: Vec<T> = p
                                .items
                                .into_iter()
                                .filter(|i| !list.iter().any(|x| key(x) == key(i)))
                                .collect();
                            list.extend(fresh);
                        });
                        cursor.set(p.next_cursor);
                    }
                    Err(e) => error.set(Some(format!("{} Try again.", e.message()))),
                }
            }
        });
        Self {
            items,
            cursor,
            error,
            more,
        }
    }
}

/// The "Load more" button while there is a next page, and the error of the last attempt.
#[component]
pub fn LoadMore<T: Clone + Send + Sync + 'static>(pager: Pager<T>) -> impl IntoView {
    view! {
        <FormAlert message=pager.error/>
        <Show when=move || pager.cursor.with(Option::is_some)>
            <div class="load-more">
                <Button
                    kind=ButtonKind::Secondary
                    small=true
                    pending=pager.more.pending()
                    on_click=Callback::new(move |_| {
                        pager.error.set(None);
                        if let Some(c) = pager.cursor.get_untracked() {
                            pager.more.dispatch(c);
                        }
                    })
                >
                    "Load more"
                </Button>
            </div>
        </Show>
    }
}
