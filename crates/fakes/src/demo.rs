//! The demo data set: what the providers hold for the demo agency of `scripts/run` (Northwind Demo Agency,
//! `audienceos seed-demo`), so that connecting its Gmail, Slack, Google Ads and Meta Ads through the fakes
//! brings conversations and ad results that belong to its clients.
//!
//! It is served to one account only, the one given to [`crate::ProviderFakesBuilder::demo`] (the demo
//! owner's address): that account's Gmail mailbox holds the threads below, and a token granted to it sees
//! the demo Slack workspace, the demo Google Ads customers and the demo Meta ad accounts instead of the
//! default data set. Every other account sees the default data set, so tests that sign in as
//! `owner@agency.test` are not affected by the demo being loaded.
//!
//! The people and resources are in [`CAST`]; the demo seed of the API gives the same clients the same
//! contacts (a test there compares the two tables). With [`crate::ProviderFakesBuilder::demo_live_every`]
//! the fakes also add one new client message every so often ([`LIVE`], once each), so a running demo keeps
//! receiving mail and Slack messages for the scheduled syncs to bring in.

use chrono::{Duration as Days, Utc};

use crate::google::{AdsRow, GoogleData, SeedMessage};
use crate::meta::{MetaAdAccount, MetaData, MetaInsightRow};
use crate::server::{hash, today, SEED_DAYS};
use crate::slack::{SlackChannel, SlackData, SlackMessage, SlackUser};

/// A client of the demo agency as the providers know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CastMember {
    /// The client's name in the demo agency (one of the seed's brands).
    pub client: &'static str,
    /// The client's contact: name and email, on the client's own domain (`<brand>.example`).
    pub contact_name: &'static str,
    pub contact_email: &'static str,
    /// Its Slack channel in the demo workspace (name without `#`, id).
    pub slack: Option<(&'static str, &'static str)>,
    /// Its Google Ads customer id (10 digits).
    pub google_ads: Option<&'static str>,
    /// Its Meta ad account id (digits; the Graph id is `act_<id>`).
    pub meta: Option<&'static str>,
}

/// The demo agency's clients that have conversations and ad accounts at the providers.
pub const CAST: [CastMember; 8] = [
    CastMember {
        client: "Acme Outdoor",
        contact_name: "Olivia Bennett",
        contact_email: "olivia@acmeoutdoor.example",
        slack: Some(("acme-outdoor", "C0DEMO0001")),
        google_ads: Some("3021000001"),
        meta: Some("4100000001"),
    },
    CastMember {
        client: "Bluebird Coffee",
        contact_name: "Liam Carter",
        contact_email: "liam@bluebirdcoffee.example",
        slack: None,
        google_ads: Some("3021000002"),
        meta: Some("4100000002"),
    },
    CastMember {
        client: "Cedar & Sage",
        contact_name: "Emma Walsh",
        contact_email: "emma@cedarsage.example",
        slack: Some(("cedar-and-sage", "C0DEMO0002")),
        google_ads: None,
        meta: Some("4100000003"),
    },
    CastMember {
        client: "Driftwood Surf",
        contact_name: "Noah Tanaka",
        contact_email: "noah@driftwoodsurf.example",
        slack: None,
        google_ads: Some("3021000004"),
        meta: Some("4100000004"),
    },
    CastMember {
        client: "Evergreen Pets",
        contact_name: "Ava Haddad",
        contact_email: "ava@evergreenpets.example",
        slack: Some(("evergreen-pets", "C0DEMO0003")),
        google_ads: Some("3021000005"),
        meta: None,
    },
    CastMember {
        client: "Glow Skincare",
        contact_name: "Sophia Rossi",
        contact_email: "sophia@glowskincare.example",
        slack: Some(("glow-skincare", "C0DEMO0004")),
        google_ads: None,
        meta: Some("4100000006"),
    },
    CastMember {
        client: "Harbor Wine",
        contact_name: "Mateo Silva",
        contact_email: "mateo@harborwine.example",
        slack: None,
        google_ads: Some("3021000007"),
        meta: None,
    },
    CastMember {
        client: "Ironclad Fitness",
        contact_name: "Kenji Novak",
        contact_email: "kenji@ironcladfitness.example",
        slack: None,
        google_ads: Some("3021000008"),
        meta: Some("4100000008"),
    },
];

/// The demo Slack workspace.
pub const SLACK_TEAM: (&str, &str) = ("T0DEMO0001", "Northwind Demo Agency");

/// Agency people in the demo Slack workspace (the demo seed's team members).
const STAFF: [(&str, &str, &str, &str); 2] = [
    ("U0DEMOPRIY", "priya", "Priya Patel", "priya@audienceos.local"),
    ("U0DEMOMARC", "marcus", "Marcus Lee", "marcus@audienceos.local"),
];

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// Who writes a message of a demo thread: the mailbox owner (the agency) or the thread's client.
#[derive(Debug, Clone, Copy)]
enum Who {
    Agency,
    Client,
}

/// One Gmail message of a demo thread: who, how long ago (seconds), the text.
type Mail = (Who, i64, &'static str);

/// The demo mailbox: (thread key, the client by [`CAST`] index, subject, messages oldest first). Threads
/// whose last message is the client's are waiting for a reply.
const THREADS: [(&str, usize, &str, &[Mail]); 9] = [
    (
        "acme-sale",
        0,
        "Anniversary sale creatives: final sign-off",
        &[
            (Who::Client, 3 * DAY, "Hi Dana,\n\nWe went through the anniversary sale creatives with the team and love the direction. Two asks: can the hero image use the new tent colourway, and can we get a 15-second cut for Reels? We would like to launch on the 14th.\n\nThanks,\nOlivia"),
            (Who::Agency, 3 * DAY - 5 * HOUR, "Thanks Olivia! Swapping the hero image today; the 15-second cut will be with you on Thursday.\n\nDana"),
            (Who::Client, 5 * HOUR, "Perfect, thank you. One more thing: the warehouse is out of the two-person tent until the 20th, so please pause that ad set until then. Can you confirm?\n\nOlivia"),
        ],
    ),
    (
        "acme-weekly",
        0,
        "Weekly report: Acme Outdoor",
        &[(Who::Agency, DAY + 2 * HOUR, "Hi Olivia,\n\nThis week's numbers: spend $3,412, 96 purchases, ROAS 4.2 (up from 3.8). Brand search is carrying most of the conversions; the prospecting ad sets are warming up.\n\nDana")],
    ),
    (
        "bluebird-report",
        1,
        "Question about the October report",
        &[(Who::Client, 28 * HOUR, "Hi team,\n\nThe October report shows a ROAS of 3.1, but Shopify says revenue was down 8% on September. Could you help us reconcile the two before our board meeting on Friday?\n\nBest,\nLiam")],
    ),
    (
        "cedar-pixel",
        2,
        "Pixel firing twice on checkout?",
        &[(Who::Client, 2 * HOUR, "Hello,\n\nOur developer noticed the Meta pixel Purchase event firing twice on the thank-you page. Could that be inflating the numbers in our reports?\n\nEmma")],
    ),
    (
        "driftwood-budget",
        3,
        "Budget increase",
        &[
            (Who::Client, 4 * DAY, "Hi Dana,\n\nGood news: we would like to raise the budget to $12k a month from next month. Can you suggest how to split it?\n\nNoah"),
            (Who::Agency, 4 * DAY - 3 * HOUR, "Great news, Noah. I will put together a plan with the split across Google and Meta and send it by Wednesday.\n\nDana"),
            (Who::Agency, 3 * DAY, "Plan attached: 60% Meta prospecting, 40% Google search, with a two-week test on Performance Max. Happy to walk you through it.\n\nDana"),
        ],
    ),
    (
        "evergreen-launch",
        4,
        "New product line launch",
        &[(Who::Client, 45 * 60, "Hi!\n\nWe are launching a grain-free cat food line next month. What would you need from us to start a campaign for it?\n\nAva")],
    ),
    (
        "glow-invoice",
        5,
        "Invoice 2026-041",
        &[
            (Who::Client, 6 * DAY, "Hi, could you resend the invoice with our new billing address (48 Harbour Lane)?\n\nSophia"),
            (Who::Agency, 6 * DAY - HOUR, "Done: it went out from our billing system a minute ago with the new address.\n\nDana"),
        ],
    ),
    (
        "harbor-gifts",
        6,
        "Gift guide placement",
        &[(Who::Client, 3 * DAY, "Hello,\n\nIs there still time to get our new gift sets into the Google Shopping feed before the summer sale? We have three new bundles.\n\nMateo")],
    ),
    (
        "ironclad-austin",
        7,
        "New location: geo targeting",
        &[(Who::Client, 9 * HOUR, "Hi Dana,\n\nWe open our third gym in Austin on the 1st. Could we set up a campaign targeting a 10-mile radius around it?\n\nKenji")],
    ),
];

/// Mail for the mailbox that belongs to no client (it is skipped by a sync).
const NEWSLETTER: (&str, &str, &str) = (
    "AdWeekly Digest <digest@adweekly.example>",
    "This week in paid social",
    "Five things that changed in Meta's Advantage+ campaigns this week.",
);

/// Slack messages of the demo workspace: (channel id, user id, how long ago, text), oldest first per channel.
const SLACK_MESSAGES: [(&str, &str, i64, &str); 9] = [
    (
        "C0DEMO0001",
        "U0DEMOOLIV",
        2 * DAY,
        "Morning! Are the anniversary sale ads scheduled for the 14th?",
    ),
    (
        "C0DEMO0001",
        "U0DEMOPRIY",
        2 * DAY - 1800,
        "Yes, 6am on the 14th. We'll share a preview link tomorrow.",
    ),
    (
        "C0DEMO0001",
        "U0DEMOOLIV",
        3 * HOUR,
        "Preview looks great. Could we change the button to \"Shop the sale\"?",
    ),
    (
        "C0DEMO0002",
        "U0DEMOEMMA",
        DAY,
        "Heads up: we're switching checkout apps on Monday. Will that break tracking?",
    ),
    (
        "C0DEMO0003",
        "U0DEMOMARC",
        5 * DAY,
        "Kicked off the new prospecting campaign this morning.",
    ),
    (
        "C0DEMO0003",
        "U0DEMOAVA0",
        4 * DAY,
        "Thanks! The first sales already came in.",
    ),
    (
        "C0DEMO0003",
        "U0DEMOMARC",
        4 * DAY - 1200,
        "Great to hear. We'll review the numbers together on Friday.",
    ),
    (
        "C0DEMO0004",
        "U0DEMOSOPH",
        6 * HOUR,
        "Could we get the creative calendar for next month?",
    ),
    (
        "C0DEMO0005",
        "U0DEMOPRIY",
        2 * DAY,
        "Reminder: monthly reports go out on Friday.",
    ),
];

/// The Slack users of the clients in [`CAST`] (by cast index).
const CLIENT_SLACK_USERS: [(usize, &str, &str); 4] = [
    (0, "U0DEMOOLIV", "olivia"),
    (2, "U0DEMOEMMA", "emma"),
    (4, "U0DEMOAVA0", "ava"),
    (5, "U0DEMOSOPH", "sophia"),
];

/// What arrives while the demo runs, one at a time: a client's mail (into a thread of [`THREADS`] when
/// named) or a Slack message.
#[derive(Debug, Clone, Copy)]
enum Live {
    Mail {
        client: usize,
        thread: Option<&'static str>,
        subject: &'static str,
        body: &'static str,
    },
    Slack {
        channel: &'static str,
        user: &'static str,
        text: &'static str,
    },
}

const LIVE: [Live; 10] = [
    Live::Mail {
        client: 1,
        thread: Some("bluebird-report"),
        subject: "Re: Question about the October report",
        body: "Following up on this one: the board meets tomorrow morning. Even a short summary would help.\n\nLiam",
    },
    Live::Slack {
        channel: "C0DEMO0001",
        user: "U0DEMOOLIV",
        text: "The first sales from the new ads just came in!",
    },
    Live::Mail {
        client: 5,
        thread: None,
        subject: "Influencer whitelisting",
        body: "Hi Dana,\n\nTwo of our creators agreed to whitelisting. What access do you need from them to run ads from their handles?\n\nSophia",
    },
    Live::Mail {
        client: 6,
        thread: Some("harbor-gifts"),
        subject: "Re: Gift guide placement",
        body: "Quick nudge on this: our merchandiser needs an answer by Thursday.\n\nMateo",
    },
    Live::Slack {
        channel: "C0DEMO0003",
        user: "U0DEMOAVA0",
        text: "Can we add the new cat food SKUs to the catalog before the launch?",
    },
    Live::Mail {
        client: 7,
        thread: Some("ironclad-austin"),
        subject: "Re: New location: geo targeting",
        body: "The address is 2100 S Congress Ave, in case you need it for the radius.\n\nKenji",
    },
    Live::Mail {
        client: 3,
        thread: None,
        subject: "Surf competition sponsorship",
        body: "Hi Dana,\n\nWe are sponsoring the Pacific Classic next month. Could we run a short awareness push around it?\n\nNoah",
    },
    Live::Slack {
        channel: "C0DEMO0002",
        user: "U0DEMOEMMA",
        text: "Update: the checkout switch moved to Wednesday.",
    },
    Live::Mail {
        client: 0,
        thread: None,
        subject: "Photos from the catalog shoot",
        body: "Hi Dana,\n\nThe photos from last week's catalog shoot are ready. Shall I share the folder with your designer?\n\nOlivia",
    },
    Live::Slack {
        channel: "C0DEMO0004",
        user: "U0DEMOSOPH",
        text: "Also: we have a 20% promo code for the weekend if it helps the ads.",
    },
];

/// The demo data of one account, held beside the default data set.
#[derive(Debug)]
pub(crate) struct Demo {
    /// The account (lower case) the demo data is served to.
    pub account: String,
    pub slack: SlackData,
    pub meta: MetaData,
    pub ads: Vec<AdsRow>,
    /// Gmail thread ids by the keys of [`THREADS`].
    threads: Vec<(&'static str, String)>,
    /// How many of [`LIVE`] have arrived.
    live_sent: usize,
    /// With a schedule, message `k` of [`LIVE`] is due at `epoch + (k + 1) * every` (Unix seconds).
    schedule: Option<(i64, i64)>,
}

impl Demo {
    /// The demo data for `account` as it stands `epoch` (Unix seconds; ages are counted back from it); its
    /// mailbox is filled in `google`. With `live_every` (seconds), the live messages due by now have
    /// arrived already, at their times: the same epoch gives the same data, ids and timestamps in every
    /// run, so a restarted demo does not bring its messages in twice.
    pub fn seeded(account: &str, google: &mut GoogleData, epoch: i64, live_every: Option<i64>) -> Demo {
        let account = account.trim().to_lowercase();
        let now = epoch;
        let mut demo = Demo {
            account: account.clone(),
            slack: slack_workspace(now),
            meta: meta_accounts(),
            ads: google_ads(),
            threads: Vec::new(),
            live_sent: 0,
            schedule: live_every.filter(|e| *e > 0).map(|every| (epoch, every)),
        };
        let me = format!("Dana Demo <{account}>");
        for (key, client, subject, mails) in THREADS {
            let them = format!("{} <{}>", CAST[client].contact_name, CAST[client].contact_email);
            let mut thread_id: Option<String> = None;
            for (i, (who, age, body)) in mails.iter().enumerate() {
                let subject = if i == 0 {
                    subject.to_owned()
                } else {
                    format!("Re: {subject}")
                };
                let (from, to, labels) = match who {
                    Who::Agency => (me.clone(), them.clone(), vec!["SENT".to_owned()]),
                    Who::Client => (them.clone(), me.clone(), vec!["INBOX".to_owned(), "UNREAD".to_owned()]),
                };
                let m = google.insert(SeedMessage {
                    mailbox: Some(account.clone()),
                    from,
                    to: Some(to),
                    subject,
                    body: (*body).to_owned(),
                    thread_id: thread_id.clone(),
                    date: Some(now - age),
                    label_ids: Some(labels),
                });
                thread_id.get_or_insert(m.thread_id);
            }
            if let Some(t) = thread_id {
                demo.threads.push((key, t));
            }
        }
        let (from, subject, body) = NEWSLETTER;
        google.insert(SeedMessage {
            mailbox: Some(account.clone()),
            from: from.into(),
            to: Some(account.clone()),
            subject: subject.into(),
            body: body.into(),
            thread_id: None,
            date: Some(now - 20 * HOUR),
            label_ids: None,
        });
        let current = Utc::now().timestamp();
        while let Some(due) = demo.next_due().filter(|d| *d <= current) {
            demo.next_live(google, due);
        }
        demo
    }

    /// When the next live message is due (Unix seconds), on a schedule with messages left.
    pub fn next_due(&self) -> Option<i64> {
        let (epoch, every) = self.schedule?;
        (self.live_sent < LIVE.len()).then(|| epoch + (self.live_sent as i64 + 1) * every)
    }

    /// The next of [`LIVE`] arrives at `at` (Unix seconds; a mail into the demo mailbox or a Slack
    /// message), with an id that depends on its place in [`LIVE`] only; false when all of them have.
    pub fn next_live(&mut self, google: &mut GoogleData, at: i64) -> bool {
        let k = self.live_sent;
        let Some(live) = LIVE.get(k).copied() else {
            return false;
        };
        self.live_sent += 1;
        let now = at;
        match live {
            Live::Mail {
                client,
                thread,
                subject,
                body,
            } => {
                let c = CAST[client];
                let thread_id =
                    thread.and_then(|k| self.threads.iter().find(|(key, _)| *key == k).map(|(_, t)| t.clone()));
                google.insert_keyed(
                    SeedMessage {
                        mailbox: Some(self.account.clone()),
                        from: format!("{} <{}>", c.contact_name, c.contact_email),
                        to: Some(format!("Dana Demo <{}>", self.account)),
                        subject: subject.into(),
                        body: body.into(),
                        thread_id,
                        date: Some(now),
                        label_ids: None,
                    },
                    Some(&format!("demo-live-{k}")),
                );
            }
            Live::Slack { channel, user, text } => {
                self.slack.add_message(
                    SlackMessage {
                        channel: channel.into(),
                        user: user.into(),
                        text: text.into(),
                        ts: format!("{now}.{:06}", 900_000 + k),
                        thread_ts: None,
                    },
                    now,
                );
            }
        }
        true
    }
}

/// `Cedar & Sage` → `cedarsage`, as the seed derives a client's domain.
pub fn slug(client: &str) -> String {
    client
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

fn slack_workspace(now: i64) -> SlackData {
    let mut data = SlackData::empty(SLACK_TEAM);
    for c in CAST {
        if let Some((name, id)) = c.slack {
            data.add_channel(SlackChannel {
                id: id.into(),
                name: name.into(),
                is_private: false,
                is_member: true,
                is_archived: false,
            });
        }
    }
    for (id, name, is_member) in [("C0DEMO0005", "general", true), ("C0DEMO0006", "random", false)] {
        data.add_channel(SlackChannel {
            id: id.into(),
            name: name.into(),
            is_private: false,
            is_member,
            is_archived: false,
        });
    }
    for (id, name, real, email) in STAFF {
        data.add_user(SlackUser {
            id: id.into(),
            name: name.into(),
            real_name: real.into(),
            email: Some(email.into()),
            is_bot: false,
        });
    }
    for (cast, id, name) in CLIENT_SLACK_USERS {
        data.add_user(SlackUser {
            id: id.into(),
            name: name.into(),
            real_name: CAST[cast].contact_name.into(),
            email: Some(CAST[cast].contact_email.into()),
            is_bot: false,
        });
    }
    data.add_bot();
    for (channel, user, age, text) in SLACK_MESSAGES {
        data.add_message(
            SlackMessage {
                channel: channel.into(),
                user: user.into(),
                text: text.into(),
                ts: String::new(),
                thread_ts: None,
            },
            now - age,
        );
    }
    data
}

/// A day's multiplier: weekends are quieter, and the last weeks grow a little (the campaigns are working).
fn shape(days_ago: i64, date: chrono::NaiveDate) -> f64 {
    use chrono::Datelike as _;
    let weekend = matches!(date.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun);
    let growth = 1.0 + (SEED_DAYS - days_ago) as f64 / SEED_DAYS as f64 * 0.35;
    growth * if weekend { 0.7 } else { 1.0 }
}

fn google_ads() -> Vec<AdsRow> {
    let mut rows = Vec::new();
    for (n, c) in CAST.iter().enumerate() {
        let Some(customer) = c.google_ads else { continue };
        // Bigger and smaller accounts, so the dashboard's spend has a spread.
        let scale = 0.6 + (n % 4) as f64 * 0.35;
        let campaigns = [
            (1, format!("{} - Brand search", c.client), 60.0, 1.1, 0.09),
            (2, format!("{} - Shopping", c.client), 45.0, 0.8, 0.05),
            (3, format!("{} - Performance Max", c.client), 35.0, 0.6, 0.04),
        ];
        for days_ago in 1..=SEED_DAYS {
            let date = today() - Days::days(days_ago);
            let k = shape(days_ago, date) * scale;
            for (i, name, clicks_base, cpc, cvr) in &campaigns {
                let id = customer.parse::<u64>().unwrap_or(0) * 10 + i;
                let h = hash(&format!("{id}{date}"));
                let jitter = 0.8 + (h % 40) as f64 / 100.0;
                let clicks = (clicks_base * k * jitter).round().max(1.0) as u64;
                let conversions = (clicks as f64 * cvr * (0.7 + ((h >> 8) % 60) as f64 / 100.0)).round();
                rows.push(AdsRow {
                    customer_id: customer.into(),
                    campaign_id: id,
                    campaign_name: name.clone(),
                    date,
                    cost_micros: (clicks as f64 * cpc * (0.85 + ((h >> 16) % 30) as f64 / 100.0) * 1_000_000.0) as u64,
                    impressions: clicks * (18 + (h >> 24) % 25),
                    clicks,
                    conversions,
                    conversions_value: conversions * (48.0 + ((h >> 32) % 40) as f64),
                });
            }
        }
    }
    rows
}

fn meta_accounts() -> MetaData {
    let mut accounts = Vec::new();
    let mut insights = Vec::new();
    for (n, c) in CAST.iter().enumerate() {
        let Some(account) = c.meta else { continue };
        accounts.push(MetaAdAccount {
            account_id: account.into(),
            name: format!("{} Ads", c.client),
            currency: "USD".into(),
        });
        let scale = 0.7 + (n % 3) as f64 * 0.4;
        let campaigns = [
            (1, format!("{} - Prospecting", c.client), 80.0),
            (2, format!("{} - Retargeting", c.client), 35.0),
        ];
        for days_ago in 1..=SEED_DAYS {
            let date = today() - Days::days(days_ago);
            let k = shape(days_ago, date) * scale;
            for (i, name, clicks_base) in &campaigns {
                let id = format!("1202{account}{i:04}");
                let h = hash(&format!("{id}{date}"));
                let clicks = (clicks_base * k * (0.8 + (h % 40) as f64 / 100.0)).round().max(1.0) as u64;
                let purchases = (clicks as f64 * if *i == 2 { 0.06 } else { 0.025 }).round() as u64;
                insights.push(MetaInsightRow {
                    account_id: account.into(),
                    campaign_id: id,
                    campaign_name: name.clone(),
                    date,
                    spend: ((clicks as f64 * (0.55 + ((h >> 8) % 50) as f64 / 100.0)) * 100.0).round() / 100.0,
                    impressions: clicks * (30 + (h >> 16) % 30),
                    clicks,
                    purchases,
                    purchase_value: purchases as f64 * (52.0 + ((h >> 24) % 30) as f64),
                });
            }
        }
    }
    MetaData::new(accounts, insights)
}
