//! The client's ad performance: a range picker (7/30/90 days or custom dates), a platform filter, KPI
//! tiles against the previous period, and the daily chart of spend, clicks and conversions. With no
//! ad data it points to Integrations.

use audienceos_shared::integrations::{AdPerformance, AdPerformanceQuery, IntegrationProvider};
use leptos::prelude::*;
use uuid::Uuid;

use crate::ad_metrics::{is_empty, AdKpi, DayRange};
use crate::api::ad_performance::client_ad_performance;
use crate::components::ad_chart::AdChart;
use crate::components::ad_kpis::AdKpiTiles;
use crate::components::button::{Button, ButtonKind};
use crate::components::icons::{Icon, IconName};
use crate::components::section_boundary::SectionBoundary;
use crate::components::unique_id;
use crate::format;
use crate::pages::agency_time_zone;
use crate::pages::dashboard::PeriodChoice;
use crate::routes::Route;

/// The KPI tiles of the section, in order (ROAS only shows when revenue is reported).
const KPIS: [AdKpi; 6] = [
    AdKpi::Spend,
    AdKpi::Clicks,
    AdKpi::Conversions,
    AdKpi::Ctr,
    AdKpi::Cpc,
    AdKpi::Roas,
];

/// The section.
#[component]
pub fn AdPerformanceSection(client_id: Uuid) -> impl IntoView {
    let today = format::today(&agency_time_zone());
    // 7, 30 or 90 days up to today; 0 while a custom range is applied.
    let period = RwSignal::new(30u32);
    let custom = RwSignal::new(None::<DayRange>);
    let platform = RwSignal::new(None::<IntegrationProvider>);
    let range = Memo::new(move |_| match (period.get(), custom.get()) {
        (0, Some(r)) => r,
        (0, None) => DayRange::last(today, 30),
        (days, _) => DayRange::last(today, days),
    });
    let data = LocalResource::new(move || {
        let r = range.get();
        let query = AdPerformanceQuery {
            from: Some(r.from),
            to: Some(r.to),
            platform: platform.get(),
        };
        async move { client_ad_performance(client_id, &query).await }
    });
    let platform_id = unique_id("ad-platform");
    let platform_for = platform_id.clone();
    view! {
        <section class="drawer-section" aria-labelledby="client-ads-title">
            <h3 class="drawer-section-title" id="client-ads-title">"Ad performance"</h3>
            <div class="ad-toolbar">
                <PeriodChoice value=period label="Ad performance range"/>
                <label class="inline-select" for=platform_for>
                    <span class="muted small">"Platform"</span>
                    <select
                        id=platform_id
                        class="input select input-sm"
                        on:change=move |ev| platform.set(IntegrationProvider::parse(&event_target_value(&ev)))
                    >
                        <option value="" selected=move || platform.get().is_none()>"All platforms"</option>
                        {[IntegrationProvider::GoogleAds, IntegrationProvider::MetaAds]
                            .into_iter()
                            .map(|p| view! {
                                <option value=p.as_str() selected=move || platform.get() == Some(p)>{p.label()}</option>
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
            <CustomRange range=range on_apply=Callback::new(move |r| {
                custom.set(Some(r));
                period.set(0);
            })/>
            <SectionBoundary section="Ad performance" resource=data let:d>
                <AdPerformanceBody data=d/>
            </SectionBoundary>
        </section>
    }
}

/// "From" and "To" date inputs with "Apply dates"; an invalid range is explained, not fetched.
#[component]
fn CustomRange(range: Memo<DayRange>, on_apply: Callback<DayRange>) -> impl IntoView {
    let from = RwSignal::new(format::iso_day(range.get_untracked().from));
    let to = RwSignal::new(format::iso_day(range.get_untracked().to));
    // The inputs follow the preset buttons.
    Effect::new(move |_| {
        let r = range.get();
        from.set(format::iso_day(r.from));
        to.set(format::iso_day(r.to));
    });
    let error = RwSignal::new(None::<&'static str>);
    let from_id = unique_id("ad-from");
    let to_id = unique_id("ad-to");
    let error_id = unique_id("ad-range-error");
    let described = error_id.clone();
    let describedby = move || error.get().map(|_| described.clone());
    let describedby_to = describedby.clone();
    let apply = move || match DayRange::custom(&from.get_untracked(), &to.get_untracked()) {
        Ok(r) => {
            error.set(None);
            on_apply.run(r);
        }
        Err(m) => error.set(Some(m)),
    };
    view! {
        <form
            class="ad-custom-range"
            aria-label="Custom date range"
            novalidate=true
            on:submit=move |ev| {
                ev.prevent_default();
                apply();
            }
        >
            <label for=from_id.clone() class="small muted">"From"</label>
            <input
                id=from_id
                type="date"
                class="input input-sm"
                prop:value=move || from.get()
                on:input=move |ev| from.set(event_target_value(&ev))
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=describedby
            />
            <label for=to_id.clone() class="small muted">"To"</label>
            <input
                id=to_id
                type="date"
                class="input input-sm"
                prop:value=move || to.get()
                on:input=move |ev| to.set(event_target_value(&ev))
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=describedby_to
            />
            <Button kind=ButtonKind::Secondary small=true button_type="submit">"Apply dates"</Button>
            {move || error.get().map(|m| view! { <p class="field-error" id=error_id.clone() role="alert">{m}</p> })}
        </form>
    }
}

#[component]
fn AdPerformanceBody(data: AdPerformance) -> impl IntoView {
    let range = DayRange {
        from: data.from,
        to: data.to,
    };
    if is_empty(&data.totals) && data.days.iter().all(|d| is_empty(&d.metrics)) {
        return view! {
            <div class="empty-state empty-state-compact">
                <span class="empty-icon"><Icon name=IconName::Chart/></span>
                <p class="empty-title">"No ad data yet"</p>
                <p class="muted">
                    "No ad data yet — connect Google Ads or Meta Ads and link an ad account to this client."
                </p>
                <a class="btn btn-secondary btn-sm" href=Route::Integrations.path()>"Connect ads in Integrations"</a>
            </div>
        }
        .into_any();
    }
    let platforms = (data.by_platform.len() > 1).then(|| {
        data.by_platform
            .iter()
            .map(|p| format!("{} {}", p.platform.label(), format::money(p.totals.spend)))
            .collect::<Vec<_>>()
            .join(" · ")
    });
    view! {
        <AdKpiTiles
            totals=data.totals.clone()
            previous=data.previous_totals.clone()
            kpis=KPIS.to_vec()
            period_days=range.days()
            label="Ad KPIs"
            compact=true
        />
        {platforms.map(|p| view! { <p class="muted small">{format!("Spend by platform: {p}")}</p> })}
        <AdChart
            days=data.days
            title=format!("Ad performance from {} to {}", format::day(range.from), format::day(range.to))
        />
    }
    .into_any()
}
