//! `audienceos-fakes`: runs the loopback fakes for e2e runs and the local demo until Ctrl-C or SIGTERM.
//!
//! Each fake has its own flag naming the address it listens on; give one or more. `--http` serves every
//! HTTP fake (Google, Slack, Meta and DataForSEO) on one port under per-provider path prefixes.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use audienceos_fakes::dataforseo::SeoFake;
use audienceos_fakes::smtp::MailSink;
use audienceos_fakes::{Provider, ProviderFakes};
use clap::{ArgGroup, Parser};
use tracing_subscriber::EnvFilter;

/// Loopback fakes of the services AudienceOS talks to.
#[derive(Debug, Parser)]
#[command(name = "audienceos-fakes", version, about)]
#[command(group(ArgGroup::new("fakes").required(true).multiple(true).args(["smtp", "dataforseo", "http"])))]
struct Cli {
    /// Serve the SMTP mail sink on this address, e.g. 127.0.0.1:2525 (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    smtp: Option<String>,

    /// Write every mail the SMTP sink accepts as an .eml file into this folder (created if missing).
    #[arg(long, value_name = "DIR", requires = "smtp")]
    outbox: Option<PathBuf>,

    /// Offer SMTP AUTH and require this user name (with --smtp-password).
    #[arg(long, value_name = "USER", requires_all = ["smtp", "smtp_password"])]
    smtp_user: Option<String>,

    /// The password that goes with --smtp-user.
    #[arg(long, value_name = "PASSWORD", requires = "smtp_user")]
    smtp_password: Option<String>,

    /// Serve the DataForSEO fake on this address, e.g. 127.0.0.1:9400; its API base URL (for
    /// AOS_SEO_API_BASE) is http://ADDR/dataforseo.
    #[arg(long, value_name = "ADDR")]
    dataforseo: Option<String>,

    /// The DataForSEO API login the fake accepts (Basic auth user; AOS_SEO_CLIENT_ID).
    #[arg(long, value_name = "LOGIN", default_value = "seo-login@example.test")]
    dataforseo_login: String,

    /// The DataForSEO API password the fake accepts (AOS_SEO_CLIENT_SECRET).
    #[arg(long, value_name = "PASSWORD", default_value = "seo-password")]
    dataforseo_password: String,

    /// Serve every HTTP fake on this address, e.g. 127.0.0.1:9500: Google under /google, Slack under
    /// /slack (API base /slack/api), Meta under /meta, DataForSEO under /dataforseo, controls under /_fake.
    /// Clients are `<provider>-client-id` / `<provider>-client-secret` (google, slack, meta).
    #[arg(long, value_name = "ADDR")]
    http: Option<String>,

    /// With --http: the OAuth client a provider accepts instead of the default, e.g.
    /// `--client google=my-id:my-secret` (repeat for slack and meta).
    #[arg(long, value_name = "PROVIDER=ID:SECRET", value_parser = parse_client, requires = "http")]
    client: Vec<(Provider, String, String)>,

    /// With --http: the account the consent pages sign in as (the Gmail mailbox); default owner@agency.test.
    #[arg(long, value_name = "EMAIL", requires = "http")]
    account: Option<String>,

    /// With --http: the only Google Ads developer-token accepted (by default any non-empty one).
    #[arg(long, value_name = "TOKEN", requires = "http")]
    developer_token: Option<String>,

    /// With --http: load the demo data set for this account (the demo agency owner's address): its Gmail
    /// mailbox holds the demo's threads, and its Slack, Google Ads and Meta grants see the demo workspace,
    /// customers and ad accounts. Other accounts keep seeing the default data set.
    #[arg(long, value_name = "EMAIL", requires = "http")]
    demo: Option<String>,

    /// With --demo: a new client message (mail or Slack) arrives every SECS seconds, ten in all.
    #[arg(long, value_name = "SECS", requires = "demo", value_parser = clap::value_parser!(u64).range(1..))]
    demo_live_every: Option<u64>,

    /// With --demo: when the demo started (Unix seconds), so a restarted demo serves the same messages
    /// with the same ids and times (and the live ones due meanwhile); default: now.
    #[arg(long, value_name = "SECS", requires = "demo")]
    demo_epoch: Option<i64>,

    /// Once every fake listens, write their addresses as JSON (`{"smtp": "127.0.0.1:2525", "dataforseo": "http://127.0.0.1:9400/dataforseo"}`;
    /// with --http also `http`, `google`, `slack`, `meta` bases) to this file.
    #[arg(long, value_name = "FILE")]
    ready_file: Option<PathBuf>,
}

/// The fakes started by [`run`]; each stops when dropped.
struct Running {
    _smtp: Option<MailSink>,
    _dataforseo: Option<SeoFake>,
    _http: Option<ProviderFakes>,
    addresses: BTreeMap<&'static str, String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let running = run(&cli)?;
    for (name, addr) in &running.addresses {
        announce(&format!("{name} fake listening on {addr}"));
    }
    if let Some(path) = &cli.ready_file {
        let json = serde_json::to_string_pretty(&running.addresses)?;
        // Written then renamed, so a script polling for the file never reads half of it.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, json).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    }
    shutdown_signal().await?;
    tracing::info!("stopping the fakes");
    drop(running);
    Ok(())
}

fn run(cli: &Cli) -> anyhow::Result<Running> {
    let mut addresses = BTreeMap::new();
    let smtp = match &cli.smtp {
        Some(addr) => {
            let mut builder = MailSink::builder();
            if let Some(dir) = &cli.outbox {
                builder = builder.outbox(dir);
            }
            if let (Some(user), Some(password)) = (&cli.smtp_user, &cli.smtp_password) {
                builder = builder.auth(user, password);
            }
            let sink = builder.start(addr)?;
            addresses.insert("smtp", sink.addr().to_string());
            Some(sink)
        }
        None => None,
    };
    let dataforseo = match &cli.dataforseo {
        Some(addr) => {
            let fake = SeoFake::builder()
                .credentials(&cli.dataforseo_login, &cli.dataforseo_password)
                .start(addr)?;
            addresses.insert("dataforseo", fake.base_url());
            Some(fake)
        }
        None => None,
    };
    let http = match &cli.http {
        Some(addr) => {
            let seo = SeoFake::builder().credentials(&cli.dataforseo_login, &cli.dataforseo_password);
            let mut builder = ProviderFakes::builder().dataforseo(seo);
            for (provider, id, secret) in &cli.client {
                builder = builder.client(*provider, id, secret);
            }
            if let Some(account) = &cli.account {
                builder = builder.account(account);
            }
            if let Some(token) = &cli.developer_token {
                builder = builder.developer_token(token);
            }
            if let Some(account) = &cli.demo {
                builder = builder.demo(account);
            }
            if let Some(secs) = cli.demo_epoch {
                builder = builder.demo_epoch(secs);
            }
            if let Some(secs) = cli.demo_live_every {
                builder = builder.demo_live_every(std::time::Duration::from_secs(secs));
            }
            let fakes = builder.start(addr)?;
            addresses.insert("http", fakes.base_url());
            addresses.insert("google", fakes.api_base(Provider::Google));
            addresses.insert("slack", fakes.api_base(Provider::Slack));
            addresses.insert("meta", fakes.api_base(Provider::Meta));
            if cli.dataforseo.is_none() {
                addresses.insert("dataforseo", fakes.dataforseo_base());
            }
            Some(fakes)
        }
        None => None,
    };
    Ok(Running {
        _smtp: smtp,
        _dataforseo: dataforseo,
        _http: http,
        addresses,
    })
}

fn parse_client(value: &str) -> Result<(Provider, String, String), String> {
    let (provider, pair) = value.split_once('=').ok_or("expected PROVIDER=ID:SECRET")?;
    let provider = match provider {
        "google" => Provider::Google,
        "slack" => Provider::Slack,
        "meta" => Provider::Meta,
        other => return Err(format!("unknown provider {other:?}: google, slack or meta")),
    };
    let (id, secret) = pair.split_once(':').ok_or("expected PROVIDER=ID:SECRET")?;
    Ok((provider, id.to_owned(), secret.to_owned()))
}

/// The binary's only stdout output: one line per fake, for people and scripts that start it.
fn announce(line: &str) {
    use std::io::Write as _;
    // A closed stdout (the reader went away) is not a reason to stop serving.
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

async fn shutdown_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}
