//! Ad performance, communications and integration links through the store and the API (no provider
//! involved): upserts are idempotent with created/existing counts, the series lists every day with
//! totals, ranges are bounded, Members see only their clients, the thread rule sets `needs_reply`,
//! pagination walks every message once, and another agency's rows are 404.

use audienceos_api::store::ad_performance::{AdScope, NewAdDay};
use audienceos_api::store::communications::NewCommunication;
use audienceos_api::store::integration_resources::SlackUserRow;
use audienceos_api::store::integrations::NewIntegration;
use audienceos_api::store::StoreError;
use audienceos_shared::integrations::{AdPerformance, Communication};
use audienceos_shared::permissions::SystemRole;
use chrono::{Duration, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::{new_client, walk_pages};
use crate::helpers::{spawn_app, Backend};
use crate::on_both;

on_both!(
    ad_days_upsert_counts_created_then_existing_and_keeps_one_row_per_day,
    ad_performance_lists_every_day_of_the_range_with_totals_and_previous_period,
    ad_performance_range_over_366_days_or_reversed_is_422_invalid_range,
    ad_performance_agency_wide_sums_only_a_members_clients,
    ad_performance_and_communications_of_another_agencys_client_are_404,
    communications_upsert_is_idempotent_and_marks_threads_needing_a_reply,
    communications_list_walks_every_message_once_newest_first,
    integration_links_set_replace_remove_and_refuse_foreign_clients,
    a_link_id_that_is_not_the_providers_id_shape_is_refused_and_never_stored,
    slack_users_are_cached_per_agency,
);

fn day(client_id: Uuid, platform: &'static str, campaign: &str, date: NaiveDate, spend: i64) -> NewAdDay {
    NewAdDay {
        client_id,
        platform,
        account_id: "acct".into(),
        campaign_id: campaign.into(),
        campaign_name: format!("Campaign {campaign}"),
        date,
        spend_cents: spend,
        impressions: 100,
        clicks: 10,
        conversions: 1.5,
        revenue_cents: Some(spend * 2),
        currency: Some("USD".into()),
    }
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn ad_days_upsert_counts_created_then_existing_and_keeps_one_row_per_day(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let client = new_client(&app, json!({ "name": "Acme" })).await;
    let agency = me.agency.id;
    let rows: Vec<NewAdDay> = (0..5)
        .map(|i| day(client.id, "google_ads", "c1", today() - Duration::days(i), 1000 + i))
        .collect();
    let now = Utc::now();
    let first = app.store.upsert_ad_days(agency, &rows, now).await.unwrap();
    assert_eq!((first.created, first.existing), (5, 0));
    let mut restated = rows.clone();
    restated[0].spend_cents = 9999;
    let second = app.store.upsert_ad_days(agency, &restated, now).await.unwrap();
    assert_eq!((second.created, second.existing), (0, 5));
    assert_eq!(app.store.count_ad_days(agency, "google_ads").await.unwrap(), 5);
    let sums = app
        .store
        .ad_day_sums(agency, AdScope::Client(client.id), today(), today(), None)
        .await
        .unwrap();
    assert_eq!(sums.len(), 1);
    assert_eq!(sums[0].spend_cents, 9999, "the restated day was updated in place");

    // A client of another agency is neither written nor counted.
    let other = app.new_browser();
    let (_, other_me) = other.signup().await;
    let counts = app.store.upsert_ad_days(other_me.agency.id, &rows, now).await.unwrap();
    assert_eq!((counts.created, counts.existing), (0, 0));
}

async fn ad_performance_lists_every_day_of_the_range_with_totals_and_previous_period(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let client = new_client(&app, json!({ "name": "Acme" })).await;
    let t = today();
    let rows = vec![
        day(client.id, "google_ads", "g1", t - Duration::days(1), 1000),
        day(client.id, "google_ads", "g2", t - Duration::days(1), 500),
        day(client.id, "meta_ads", "m1", t - Duration::days(3), 250),
        // The previous 7-day period.
        day(client.id, "meta_ads", "m1", t - Duration::days(10), 700),
    ];
    app.store.upsert_ad_days(me.agency.id, &rows, Utc::now()).await.unwrap();
    let from = t - Duration::days(6);
    let res = app
        .get(&format!(
            "/api/v1/clients/{}/ad-performance?from={from}&to={t}",
            client.id
        ))
        .await;
    assert_eq!(res.status(), 200);
    let p: AdPerformance = res.json().await.unwrap();
    assert_eq!(p.days.len(), 7);
    assert_eq!(p.days.first().unwrap().date, from);
    assert_eq!(p.days.last().unwrap().date, t);
    assert_eq!(p.days[5].metrics.spend.cents(), 1500);
    assert_eq!(p.days[0].metrics.spend.cents(), 0);
    assert_eq!(p.totals.spend.cents(), 1750);
    assert_eq!(p.totals.impressions, 300);
    assert_eq!(p.totals.conversions, 4.5);
    assert_eq!(p.totals.revenue.map(|m| m.cents()), Some(3500));
    assert_eq!(p.previous_totals.spend.cents(), 700);
    assert_eq!(p.by_platform.len(), 2);

    let res = app
        .get(&format!(
            "/api/v1/clients/{}/ad-performance?platform=meta_ads",
            client.id
        ))
        .await;
    let p: AdPerformance = res.json().await.unwrap();
    assert_eq!(p.days.len(), 30, "default range is the last 30 days");
    assert_eq!(p.totals.spend.cents(), 950);
    assert_eq!(p.by_platform.len(), 1);

    let res = app.get("/api/v1/ad-performance").await;
    assert_eq!(res.status(), 200);
    let p: AdPerformance = res.json().await.unwrap();
    assert_eq!(p.totals.spend.cents(), 2450);
}

async fn ad_performance_range_over_366_days_or_reversed_is_422_invalid_range(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let t = today();
    for query in [
        format!("from={}&to={t}", t - Duration::days(366)),
        format!("from={t}&to={}", t - Duration::days(1)),
        "platform=gmail".to_owned(),
    ] {
        let res = app.get(&format!("/api/v1/ad-performance?{query}")).await;
        assert_eq!(res.status(), 422, "{query}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "invalid_range", "{query}: {body}");
    }
    let res = app
        .get(&format!(
            "/api/v1/ad-performance?from={}&to={t}",
            t - Duration::days(365)
        ))
        .await;
    assert_eq!(res.status(), 200, "366 days are allowed");
}

async fn ad_performance_agency_wide_sums_only_a_members_clients(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let (member, member_me) = app.add_user(me.agency.id, SystemRole::Member).await;
    let mine = new_client(&app, json!({ "name": "Granted", "owner_id": member_me.user.id })).await;
    let theirs = new_client(&app, json!({ "name": "Not granted" })).await;
    let rows = vec![
        day(mine.id, "google_ads", "g1", today(), 100),
        day(theirs.id, "google_ads", "g2", today(), 10_000),
    ];
    app.store.upsert_ad_days(me.agency.id, &rows, Utc::now()).await.unwrap();
    let p: AdPerformance = member.get_json("/api/v1/ad-performance").await;
    assert_eq!(p.totals.spend.cents(), 100);
    let p: AdPerformance = app.get_json("/api/v1/ad-performance").await;
    assert_eq!(p.totals.spend.cents(), 10_100);
    let res = member
        .get(&format!("/api/v1/clients/{}/ad-performance", theirs.id))
        .await;
    assert_eq!(res.status(), 404);
}

async fn ad_performance_and_communications_of_another_agencys_client_are_404(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup().await;
    let client = new_client(&app, json!({ "name": "Acme" })).await;
    let other = app.new_browser();
    other.signup().await;
    for path in [
        format!("/api/v1/clients/{}/ad-performance", client.id),
        format!("/api/v1/clients/{}/communications", client.id),
    ] {
        let res = other.get(&path).await;
        assert_eq!(res.status(), 404, "{path}");
        let res = app.get(&path).await;
        assert_eq!(res.status(), 200, "{path}");
    }
}

fn message(client_id: Uuid, id: &str, thread: &str, inbound: bool, minutes_ago: i64) -> NewCommunication {
    NewCommunication {
        client_id,
        integration_id: None,
        platform: "gmail",
        provider_message_id: id.into(),
        thread_id: Some(thread.into()),
        channel_id: None,
        sender_email: Some("dana@acme.test".into()),
        sender_name: Some("Dana".into()),
        subject: Some("Hello".into()),
        snippet: format!("snippet {id}"),
        body: format!("body {id}"),
        is_inbound: inbound,
        received_at: Utc::now() - Duration::minutes(minutes_ago),
    }
}

async fn communications_upsert_is_idempotent_and_marks_threads_needing_a_reply(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let agency = me.agency.id;
    let client = new_client(&app, json!({ "name": "Acme", "contact_email": "dana@acme.test" })).await;
    let batch = vec![
        // Thread a: the client wrote last → needs a reply.
        message(client.id, "m1", "a", true, 30),
        message(client.id, "m2", "a", false, 20),
        message(client.id, "m3", "a", true, 10),
        // Thread b: we answered → no reply needed.
        message(client.id, "m4", "b", true, 30),
        message(client.id, "m5", "b", false, 5),
    ];
    let upsert = || app.store.upsert_communications(agency, &batch, Utc::now());
    let counts = upsert().await.unwrap();
    assert_eq!((counts.created, counts.existing), (5, 0));
    let again = upsert().await.unwrap();
    assert_eq!((again.created, again.existing), (0, 5));
    assert_eq!(app.store.count_communications(agency, "gmail").await.unwrap(), 5);
    let (rows, _) = app
        .store
        .list_client_communications(agency, client.id, 50, None)
        .await
        .unwrap();
    let needs: Vec<(&str, bool)> = rows
        .iter()
        .map(|r| (r.snippet.trim_start_matches("snippet "), r.needs_reply))
        .collect();
    assert_eq!(
        needs,
        vec![("m5", false), ("m3", true), ("m2", false), ("m4", false), ("m1", false)]
    );
    // Our reply arrives in a later sync: thread a no longer needs one.
    app.store
        .upsert_communications(agency, &[message(client.id, "m6", "a", false, 1)], Utc::now())
        .await
        .unwrap();
    let (rows, _) = app
        .store
        .list_client_communications(agency, client.id, 50, None)
        .await
        .unwrap();
    assert!(rows.iter().all(|r| !r.needs_reply));

    // A client of another agency is neither written nor counted.
    let other = app.new_browser();
    other.signup().await;
    let foreign = new_client(&other, json!({ "name": "Foreign" })).await;
    let counts = app
        .store
        .upsert_communications(agency, &[message(foreign.id, "f1", "f", true, 1)], Utc::now())
        .await
        .unwrap();
    assert_eq!((counts.created, counts.existing), (0, 0));
    assert_eq!(app.store.count_communications(agency, "gmail").await.unwrap(), 6);

    // Matching helpers: exact email, then domain; free mail never by domain.
    assert_eq!(
        app.store.find_client_by_email(agency, "DANA@acme.test").await.unwrap(),
        Some(client.id)
    );
    assert_eq!(
        app.store
            .find_client_by_email_domain(agency, "ops@acme.test")
            .await
            .unwrap(),
        Some(client.id)
    );
    assert_eq!(
        app.store
            .find_client_by_email_domain(agency, "x@gmail.com")
            .await
            .unwrap(),
        None
    );
}

async fn communications_list_walks_every_message_once_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let client = new_client(&app, json!({ "name": "Acme" })).await;
    let batch: Vec<NewCommunication> = (0..7)
        .map(|i| message(client.id, &format!("p{i}"), &format!("t{i}"), true, i))
        .collect();
    app.store
        .upsert_communications(me.agency.id, &batch, Utc::now())
        .await
        .unwrap();
    let path = format!("/api/v1/clients/{}/communications", client.id);
    let seen: Vec<String> = walk_pages::<Communication>(&app, &path, 3)
        .await
        .into_iter()
        .map(|c| c.snippet)
        .collect();
    let want: Vec<String> = (0..7).map(|i| format!("snippet p{i}")).collect();
    assert_eq!(seen, want);
}

async fn integration_links_set_replace_remove_and_refuse_foreign_clients(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let agency = me.agency.id;
    let a = new_client(&app, json!({ "name": "Acme" })).await;
    let b = new_client(&app, json!({ "name": "Bright" })).await;
    let now = Utc::now();
    let integration = app
        .store
        .insert_integration(
            &NewIntegration {
                agency_id: agency,
                provider: "slack".into(),
                status: "connected".into(),
                account_label: None,
                scopes: String::new(),
                token_expires_at: None,
            },
            now,
        )
        .await
        .unwrap();
    let link_to = |name: &'static str, client: Uuid| {
        app.store
            .set_integration_link(agency, integration.id, "C1", name, client, now)
    };
    let link = link_to("#acme", a.id).await.unwrap();
    assert_eq!((link.client_id, link.client_name.as_str()), (a.id, "Acme"));
    let link = link_to("#acme-renamed", b.id).await.unwrap();
    assert_eq!((link.client_id, link.external_name.as_str()), (b.id, "#acme-renamed"));
    assert_eq!(
        app.store
            .list_integration_links(agency, integration.id)
            .await
            .unwrap()
            .len(),
        1
    );

    let other = app.new_browser();
    let (_, other_me) = other.signup().await;
    let foreign = new_client(&other, json!({ "name": "Foreign" })).await;
    let err = app
        .store
        .set_integration_link(agency, integration.id, "C2", "#x", foreign.id, now)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    let err = app
        .store
        .set_integration_link(other_me.agency.id, integration.id, "C2", "#x", foreign.id, now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound),
        "another agency's integration: {err:?}"
    );

    assert!(app
        .store
        .remove_integration_link(agency, integration.id, "C1")
        .await
        .unwrap());
    assert!(!app
        .store
        .remove_integration_link(agency, integration.id, "C1")
        .await
        .unwrap());
    assert!(app
        .store
        .list_integration_links(agency, integration.id)
        .await
        .unwrap()
        .is_empty());
}

async fn slack_users_are_cached_per_agency(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let other = app.new_browser();
    let (_, other_me) = other.signup().await;
    let user = SlackUserRow {
        slack_user_id: "U1".into(),
        name: "Dana Reed".into(),
        email: Some("dana@acme.test".into()),
    };
    assert_eq!(app.store.get_slack_user(me.agency.id, "U1").await.unwrap(), None);
    app.store.put_slack_user(me.agency.id, &user, Utc::now()).await.unwrap();
    let renamed = SlackUserRow {
        name: "Dana R.".into(),
        ..user.clone()
    };
    app.store
        .put_slack_user(me.agency.id, &renamed, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        app.store.get_slack_user(me.agency.id, "U1").await.unwrap(),
        Some(renamed)
    );
    assert_eq!(app.store.get_slack_user(other_me.agency.id, "U1").await.unwrap(), None);
}

/// An id that would change the provider URL's path (found by an outside probe: the next Meta sync sent the
/// agency's token to another path on the provider host) is a 422 on `external_id`, for every provider.
async fn a_link_id_that_is_not_the_providers_id_shape_is_refused_and_never_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, me) = app.signup().await;
    let agency = me.agency.id;
    let acme = new_client(&app, json!({ "name": "Acme" })).await;
    for (provider, good, bads) in [
        (
            "meta_ads",
            "act_1111111111",
            &[
                "1%2F..%2F..%2F..%2Fgoogle%2Foauth2%2Fv3%2Fuserinfo%3Fx%3D",
                "act_1%3Fx%3D1",
            ][..],
        ),
        ("google_ads", "123-456-7890", &["123%2F..%2Fcustomers"][..]),
        ("slack", "C0FAKE0001", &["C0FAKE%2F..%2Fauth.revoke"][..]),
    ] {
        let integration = app
            .store
            .insert_integration(
                &NewIntegration {
                    agency_id: agency,
                    provider: provider.into(),
                    status: "connected".into(),
                    account_label: None,
                    scopes: String::new(),
                    token_expires_at: None,
                },
                Utc::now(),
            )
            .await
            .unwrap();
        let base = format!("/api/v1/integrations/{}/links", integration.id);
        for bad in bads {
            let res = app
                .put(&format!("{base}/{bad}"), &json!({ "client_id": acme.id, "name": "x" }))
                .await;
            assert_eq!(res.status(), 422, "{provider} {bad}");
            let problem: serde_json::Value = res.json().await.unwrap();
            assert_eq!(problem["errors"][0]["field"], "external_id", "{provider} {bad}");
        }
        let res = app
            .put(
                &format!("{base}/{good}"),
                &json!({ "client_id": acme.id, "name": "ok" }),
            )
            .await;
        assert_eq!(res.status(), 200, "{provider} {good}");
        let stored = app.store.list_integration_links(agency, integration.id).await.unwrap();
        assert_eq!(
            stored.iter().map(|l| l.external_id.as_str()).collect::<Vec<_>>(),
            [good],
            "{provider}: only the good id is stored"
        );
    }
}
