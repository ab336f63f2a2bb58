//! The client's SEO section: the last DataForSEO summary of its website (organic keywords and traffic,
//! ranking spread, top competitors) with its fetch time, and "Fetch SEO data" / "Refresh".

use audienceos_shared::seo::{ClientSeo, SeoSummary};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::seo::{client_seo, enrich};
use crate::api::ApiError;
use crate::components::button::{Button, ButtonKind};
use crate::components::section_boundary::SectionBoundary;
use crate::format;
use crate::pages::agency_time_zone;

/// The section; `website` is the client's website (the domain to look up).
#[component]
pub fn SeoSection(
    client_id: Uuid,
    #[prop(into)] website: Signal<Option<String>>,
    can_write: Signal<bool>,
) -> impl IntoView {
    let stored = LocalResource::new(move || client_seo(client_id));
    view! {
        <section class="drawer-section" aria-labelledby="client-seo-title">
            <h3 class="drawer-section-title" id="client-seo-title">"SEO"</h3>
            <SectionBoundary section="SEO" resource=stored let:data>
                <SeoBody data=data client_id=client_id website=website can_write=can_write/>
            </SectionBoundary>
        </section>
    }
}

#[component]
fn SeoBody(
    data: ClientSeo,
    client_id: Uuid,
    website: Signal<Option<String>>,
    can_write: Signal<bool>,
) -> impl IntoView {
    let summary = RwSignal::new(data.summary);
    let error = RwSignal::new(None::<String>);
    let fetch = Action::new_local(move |domain: &String| {
        let domain = domain.clone();
        async move {
            error.set(None);
            match enrich(domain, Some(client_id)).await {
                Ok(s) => summary.set(Some(s)),
                Err(e) => error.set(Some(explain(&e))),
            }
        }
    });
    let has_site = move || website.with(|w| w.as_deref().is_some_and(|w| !w.trim().is_empty()));
    view! {
        {move || match summary.get() {
            Some(s) => view! { <SeoSummaryView summary=s/> }.into_any(),
            None => view! {
                <p class="muted">
                    {move || if has_site() {
                        "No SEO data yet: fetch the website's organic keywords, traffic and competitors."
                    } else {
                        "Add the client's website to fetch its SEO data."
                    }}
                </p>
            }
            .into_any(),
        }}
        {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        <Show when=move || can_write.get() && has_site()>
            <div class="stage-actions">
                <Button
                    kind=ButtonKind::Secondary
                    small=true
                    pending=fetch.pending()
                    pending_label="Fetching…"
                    on_click=Callback::new(move |_| {
                        if let Some(w) = website.get_untracked() {
                            fetch.dispatch(w);
                        }
                    })
                >
                    {move || if summary.with(Option::is_some) { "Refresh SEO data" } else { "Fetch SEO data" }}
                </Button>
            </div>
        </Show>
    }
}

#[component]
fn SeoSummaryView(summary: SeoSummary) -> impl IntoView {
    let tz = agency_time_zone();
    let number = |n: f64| format::count(n.round() as i64);
    view! {
        <p class="muted small">
            {format!("{} · fetched {}", summary.domain, format::date_time(&summary.fetched_at, &tz))}
        </p>
        <dl class="seo-stats">
            <div><dt>"Organic keywords"</dt><dd>{format::count(summary.organic_keywords)}</dd></div>
            <div><dt>"Monthly organic traffic"</dt><dd>{number(summary.organic_traffic)}</dd></div>
            <div><dt>"Traffic value"</dt><dd>{format!("${}", number(summary.organic_traffic_value_usd))}</dd></div>
            <div><dt>"Top 3 / top 10"</dt><dd>{format!("{} / {}", format::count(summary.top_3_keywords), format::count(summary.top_10_keywords))}</dd></div>
        </dl>
        {(!summary.competitors.is_empty()).then(|| view! {
            <table class="table table-compact">
                <caption class="sr-only">"Top competitors"</caption>
                <thead>
                    <tr><th scope="col">"Competitor"</th><th scope="col">"Shared keywords"</th><th scope="col">"Avg. position"</th></tr>
                </thead>
                <tbody>
                    {summary.competitors.iter().map(|c| view! {
                        <tr>
                            <th scope="row">{c.domain.clone()}</th>
                            <td>{format::count(c.intersecting_keywords)}</td>
                            <td>{format!("{:.1}", c.avg_position)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

/// What a failed fetch means to the user.
fn explain(e: &ApiError) -> String {
    match e.code.as_str() {
        "provider_not_configured" => {
            "SEO data is not set up for this agency: an administrator must add the DataForSEO login to the server's settings.".into()
        }
        "rate_limited" => format!("Your agency has used its 10 SEO lookups for this hour. {}", e.message()),
        "upstream_failed" => format!("DataForSEO did not answer after 3 tries; try again later. ({})", e.message()),
        _ => e.message(),
    }
}
