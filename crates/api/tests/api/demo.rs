//! The living demo: `seed_demo` creates the demo agency with onboardings, a submitted intake and alerts of
//! every kind, and `demo-connect` connects it to the demo providers through the real OAuth flow, so its
//! inbox has threads waiting for replies and its clients have ad results; run again, it changes nothing.

use audienceos_api::seed::connect::{self, DemoConnect};
use audienceos_api::seed::{self, Seeded};
use audienceos_fakes::ProviderFakes;
use audienceos_shared::integrations::IntegrationProvider;
use serde_json::Value;

use crate::fixtures::strings;
use crate::helpers::{spawn_on_fakes, Backend, Browser, TestApp, FAKE_DEVELOPER_TOKEN};
use crate::on_both;

on_both!(the_demo_agency_is_seeded_and_connected_to_the_demo_providers);

/// The app pointed at fakes that hold the demo data set for the demo owner, labelled demo providers.
async fn demo_app(backend: Backend) -> (TestApp, ProviderFakes) {
    let fakes = ProviderFakes::builder()
        .developer_token(FAKE_DEVELOPER_TOKEN)
        .demo(seed::DEMO_EMAIL)
        .start("127.0.0.1:0")
        .unwrap();
    spawn_on_fakes(backend, fakes, &[("AOS_DEMO_PROVIDERS", "google,slack,meta")]).await
}

async fn json(browser: &Browser, path: &str) -> Value {
    let res = browser.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

async fn the_demo_agency_is_seeded_and_connected_to_the_demo_providers(backend: Backend) {
    let (app, fakes) = demo_app(backend).await;
    assert_eq!(
        seed::seed_demo(&app.state.settings, &app.store).await.unwrap(),
        Seeded::Created
    );
    assert_eq!(
        seed::seed_demo(&app.state.settings, &app.store).await.unwrap(),
        Seeded::AlreadyThere
    );

    let opts = DemoConnect {
        url: app.addr.clone(),
        email: seed::DEMO_EMAIL.into(),
        password: seed::DEMO_PASSWORD.into(),
        account: None,
        timeout: std::time::Duration::from_secs(60),
    };
    let report = connect::run(&opts).await.unwrap();
    let said = |p: IntegrationProvider, what: &str| report.iter().any(|(q, w)| *q == p && w.starts_with(what));
    for p in IntegrationProvider::ALL {
        assert!(said(p, "connected as"), "{p}: {report:?}");
        assert!(said(p, "synced"), "{p}: {report:?}");
    }
    assert!(
        said(IntegrationProvider::MetaAds, "connected as")
            && report.iter().any(|(_, w)| w.contains("linked 6 ad account(s)")),
        "{report:?}"
    );

    app.sign_in(seed::DEMO_EMAIL, seed::DEMO_PASSWORD).await;
    let integrations = json(&app, "/api/v1/integrations").await;
    for i in integrations.as_array().unwrap() {
        assert_eq!(i["status"], "connected", "{i}");
        assert_eq!(i["demo"], true, "{i}");
    }

    // The cast's contact, its conversations (one waiting for a reply) and its ad results.
    let clients = json(&app, "/api/v1/clients?q=Acme%20Outdoor").await;
    let acme = &clients["items"][0];
    assert_eq!(acme["name"], "Acme Outdoor");
    assert_eq!(acme["contact_email"], "olivia@acmeoutdoor.example");
    let id = acme["id"].as_str().unwrap();
    let messages = json(&app, &format!("/api/v1/clients/{id}/communications")).await;
    let messages = messages["items"].as_array().unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m["platform"] == "gmail" && m["needs_reply"] == true),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m["platform"] == "slack"), "{messages:?}");
    assert!(messages
        .iter()
        .any(|m| m["platform"] == "gmail" && m["is_inbound"] == false));
    let ads = json(&app, &format!("/api/v1/clients/{id}/ad-performance")).await;
    let platforms = strings(&ads["by_platform"], "platform");
    assert!(
        platforms.contains(&"google_ads") && platforms.contains(&"meta_ads"),
        "{ads}"
    );

    // Onboardings in progress, three with the client's intake submitted, one blocked.
    let onboardings = json(&app, "/api/v1/onboarding/instances").await;
    let items = onboardings["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{onboardings}");
    assert_eq!(items.iter().filter(|o| !o["submitted_at"].is_null()).count(), 3);
    assert!(items
        .iter()
        .any(|o| o["client"]["name"] == "Pinecrest Pilates" && o["submitted_at"].is_null()));
    let blocked = items
        .iter()
        .flat_map(|o| o["stages"].as_array().unwrap())
        .filter(|s| s["status"] == "blocked")
        .count();
    assert_eq!(blocked, 1);

    // Alerts of every kind.
    let alerts = json(&app, "/api/v1/alerts?status=all&limit=200").await;
    let types: std::collections::BTreeSet<&str> = strings(&alerts["items"], "type").into_iter().collect();
    for t in [
        "inactivity",
        "stage_overdue",
        "overdue_tasks",
        "risk_detected",
        "kpi_drop",
        "disconnect",
    ] {
        assert!(types.contains(t), "no {t} alert in {types:?}");
    }

    // Again: everything still works, nothing is connected or linked twice.
    let again = connect::run(&opts).await.unwrap();
    for p in IntegrationProvider::ALL {
        assert!(
            again.iter().any(|(q, w)| *q == p && w == "already connected"),
            "{p}: {again:?}"
        );
    }
    assert!(!again.iter().any(|(_, w)| w.contains("linked")), "{again:?}");
    assert!(fakes.sent_mail().is_empty());
}
