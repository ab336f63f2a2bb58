//! Loopback fakes of the external services AudienceOS talks to.
//!
//! Integration tests start a fake on `127.0.0.1:0` from this library; the e2e suite and the local demo run
//! the `audienceos-fakes` binary. A fake implements the subset of the real protocol or API that the product
//! uses, and product code never special-cases it (DESIGN.md section 7).
//!
//! - [`smtp`]: a mail sink that speaks enough SMTP for lettre's plain-text client, with fault injection.
//! - [`dataforseo`]: the two DataForSEO Labs endpoints of SEO enrichment (Basic auth, deterministic data,
//!   recorded calls, 429/5xx/slow faults), under the path prefix `/dataforseo`.
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
pub mod smtp;

pub use dataforseo::SeoFake;
pub use smtp::{MailSink, MailSinkBuilder, ReceivedMail};
