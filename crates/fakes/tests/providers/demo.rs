//! The demo data set: served to the demo account only, beside the default data set every other account sees.

use audienceos_fakes::{Provider, ProviderFakes};
use serde_json::Value;

use crate::helpers::client;

const DEMO: &str = "demo@audienceos.local";

async fn customers(fakes: &ProviderFakes, token: &str) -> Value {
    client()
        .get(format!(
            "{}/v17/customers:listAccessibleCustomers",
            fakes.api_base(Provider::Google)
        ))
        .bearer_auth(token)
        .header("developer-token", "dev")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn names(list: &Value, key: &str, field: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[field].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_demo_account_sees_the_demo_workspace_mailbox_and_ad_accounts() {
    // The consent pages sign in as the demo account, as scripts/run starts the fakes.
    let fakes = ProviderFakes::builder()
        .account(DEMO)
        .demo(DEMO)
        .start("127.0.0.1:0")
        .unwrap();

    let slack = crate::slack::connect(&fakes).await;
    assert_eq!(slack["team"]["name"], "Northwind Demo Agency");
    let token = slack["access_token"].as_str().unwrap();
    let channels = crate::slack::call(&fakes, token, "conversations.list", &[]).await;
    let channels = names(&channels, "channels", "name");
    assert!(channels.contains(&"acme-outdoor".to_owned()), "{channels:?}");
    assert!(!channels.contains(&"acme-dental".to_owned()));
    let history = crate::slack::call(&fakes, token, "conversations.history", &[("channel", "C0DEMO0001")]).await;
    assert_eq!(history["messages"].as_array().unwrap().len(), 3, "{history}");
    let olivia = crate::slack::call(&fakes, token, "users.info", &[("user", "U0DEMOOLIV")]).await;
    assert_eq!(olivia["user"]["profile"]["email"], "olivia@acmeoutdoor.example");

    let meta = crate::meta::connect(&fakes).await;
    let accounts: Value = crate::meta::graph(&fakes, "/me/adaccounts", &[("access_token", &meta)])
        .await
        .json()
        .await
        .unwrap();
    let accounts = names(&accounts, "data", "name");
    assert!(accounts.contains(&"Acme Outdoor Ads".to_owned()), "{accounts:?}");
    assert!(!accounts.contains(&"Acme Dental Ads".to_owned()));

    let (google, _) = crate::google::connect(&fakes).await;
    let listed = customers(&fakes, &google).await;
    let listed: Vec<&str> = listed["resourceNames"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(listed.contains(&"customers/3021000001"), "{listed:?}");
    assert!(!listed.contains(&"customers/1234567890"));

    // The mailbox: the demo threads (the agency's own replies among them) and a newsletter.
    let mailbox = fakes.gmail_messages(DEMO);
    let subject = |m: &audienceos_fakes::google::GmailMessage| m.header("Subject").unwrap_or_default().to_owned();
    assert!(mailbox
        .iter()
        .any(|m| subject(m) == "Question about the October report"));
    assert!(mailbox.iter().any(|m| m.label_ids.contains(&"SENT".to_owned())));
    assert!(mailbox
        .iter()
        .any(|m| m.header("From").is_some_and(|f| f.contains("adweekly"))));
    let before = mailbox.len();

    // Ten live messages, then none; a follow-up joins its thread.
    assert!(fakes.demo_live_now());
    let after = fakes.gmail_messages(DEMO);
    assert_eq!(after.len(), before + 1);
    let follow_up = after.last().unwrap();
    let original = after
        .iter()
        .find(|m| subject(m) == "Question about the October report")
        .unwrap();
    assert_eq!(follow_up.thread_id, original.thread_id);
    for _ in 1..10 {
        assert!(fakes.demo_live_now());
    }
    assert!(!fakes.demo_live_now());
}

#[tokio::test]
async fn other_accounts_keep_the_default_data_set_when_the_demo_is_loaded() {
    let fakes = ProviderFakes::builder().demo(DEMO).start("127.0.0.1:0").unwrap();
    let slack = crate::slack::connect(&fakes).await;
    assert_eq!(slack["team"]["id"], "T0FAKE0001");
    let token = slack["access_token"].as_str().unwrap();
    let channels = crate::slack::call(&fakes, token, "conversations.list", &[]).await;
    assert!(names(&channels, "channels", "name").contains(&"acme-dental".to_owned()));

    let (google, _) = crate::google::connect(&fakes).await;
    let listed = customers(&fakes, &google).await;
    assert_eq!(listed["resourceNames"], serde_json::json!(["customers/1234567890"]));
    assert_eq!(fakes.gmail_messages("owner@agency.test").len(), 4);
    // Without a live interval nothing arrives on its own; the demo mailbox is filled all the same.
    assert!(!fakes.gmail_messages(DEMO).is_empty());
    assert!(fakes.slack_posts().is_empty());
}

#[tokio::test]
async fn the_same_epoch_gives_the_same_messages_and_the_live_ones_due_meanwhile() {
    use std::time::Duration;
    let epoch = chrono::Utc::now().timestamp() - 3 * 60 - 30;
    let start = || {
        ProviderFakes::builder()
            .demo(DEMO)
            .demo_epoch(epoch)
            .demo_live_every(Duration::from_secs(60))
            .start("127.0.0.1:0")
            .unwrap()
    };
    let (first, again) = (start(), start());
    let ids = |f: &ProviderFakes| {
        f.gmail_messages(DEMO)
            .into_iter()
            .map(|m| (m.id, m.internal_date))
            .collect::<Vec<_>>()
    };
    // The three live messages due since the epoch are in, at their times, in both runs alike.
    assert_eq!(ids(&first), ids(&again));
    let base = ProviderFakes::builder()
        .demo(DEMO)
        .demo_epoch(epoch)
        .start("127.0.0.1:0")
        .unwrap();
    let live = ids(&first).len() - ids(&base).len();
    assert_eq!(live, 2, "two of the first three live messages are mails");
    // A message more in one run (a reply, say) does not shift the ids of what arrives later.
    first.seed_gmail(audienceos_fakes::google::SeedMessage {
        from: "someone@elsewhere.test".into(),
        subject: "Unrelated".into(),
        body: "Hello".into(),
        ..Default::default()
    });
    assert!(first.demo_live_now() && again.demo_live_now());
    let last = |f: &ProviderFakes| f.gmail_messages(DEMO).last().map(|m| m.id.clone());
    assert_eq!(last(&first), last(&again));
}
