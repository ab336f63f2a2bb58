//! Loopback fakes of the external services AudienceOS talks to.
//!
//! Integration tests start a fake on `127.0.0.1:0` from this library; the e2e suite and the local demo run
//! the `audienceos-fakes` binary. A fake implements the subset of the real protocol or API that the product
//! uses, and product code never special-cases it (DESIGN.md section 7).
//!
//! - [`smtp`]: a mail sink that speaks enough SMTP for lettre's plain-text client, with fault injection.
//! - [`dataforseo`]: the two DataForSEO Labs endpoints of SEO enrichment (Basic auth, deterministic data,
//!   recorded calls, 429/5xx/slow faults), under the path prefix `/dataforseo`.
//! - [`server`]: one HTTP server for Google (`/google`), Slack (`/slack`), Meta (`/meta`) and DataForSEO
//!   (`/dataforseo`), with shared fault injection, call recording and `/_fake/` control endpoints;
//!   [`oauth`] is the OAuth machinery the providers share; [`google`], [`slack`] and [`meta`] are the APIs.
//!
//! | prefix (`AOS_*_API_BASE`) | stands for | paths |
//! |---|---|---|
//! | `/google` (`AOS_GOOGLE_API_BASE`) | accounts.google.com, oauth2.googleapis.com, gmail.googleapis.com (= www.googleapis.com/gmail), www.googleapis.com/oauth2, googleads.googleapis.com | `/o/oauth2/v2/auth`, `/token`, `/revoke`, `/oauth2/v3/userinfo`, `/gmail/v1/users/{user}/...`, `/v{N}/customers:listAccessibleCustomers`, `/v{N}/customers/{id}/googleAds:searchStream` |
//! | `/slack/api` (`AOS_SLACK_API_BASE`) | slack.com/api (the consent page is `/slack/oauth/v2/authorize`, slack.com/oauth/v2/authorize) | `/{method}` |
//! | `/meta` (`AOS_META_API_BASE`) | graph.facebook.com and www.facebook.com (the dialog) | `/v{N}/dialog/oauth`, `/v{N}/oauth/access_token`, `/v{N}/me`, `/v{N}/me/adaccounts`, `/v{N}/act_{id}/insights` |
//! | `/dataforseo` (`AOS_SEO_API_BASE`) | api.dataforseo.com | see [`dataforseo`] |
//!
//! [`demo`] is the demo data set of `scripts/run` (`--demo ACCOUNT`): the demo agency's conversations and
//! ad accounts, served to that one account beside the default data set.
//!
//! Control endpoints (no auth) sit under `/_fake/`: `faults`, `delay`, `expire-tokens`, `token-lifetime`,
//! `revoke-consent`, `calls`, `reset`, `demo/live`, and per provider `google/{messages,sent,expire-history,ads}`,
//! `slack/{channels,users,messages,posts}`, `meta/{adaccounts,insights}`.
//!
//! ```no_run
//! # async fn providers() -> anyhow::Result<()> {
//! use audienceos_fakes::{Provider, ProviderFakes};
//! let fakes = ProviderFakes::start("127.0.0.1:0")?;
//! // AOS_GOOGLE_API_BASE = fakes.api_base(Provider::Google), and so on; after the code under test ran:
//! assert_eq!(fakes.refresh_calls(Provider::Slack), 1);
//! # Ok(()) }
//! ```
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use std::time::Duration;
//! let sink = audienceos_fakes::smtp::MailSink::start("127.0.0.1:0")?;
//! // point the code under test at `sink.addr()`, send one mail, then:
//! let mails = sink.wait_for(1, Duration::from_secs(5)).await?;
//! assert_eq!(mails[0].to, vec!["owner@example.com".to_owned()]);
//! # Ok(()) }
//! ```

pub mod dataforseo;
pub mod demo;
pub mod google;
pub mod meta;
pub mod oauth;
pub mod server;
pub mod slack;
pub mod smtp;

pub use dataforseo::SeoFake;
pub use server::{Call, Fault, Provider, ProviderFakes, ProviderFakesBuilder};
pub use smtp::{MailSink, MailSinkBuilder, ReceivedMail};
