//! The command line (`audienceos serve | migrate | openapi | seed-demo | demo-connect | config | rotate-token-key`) and
//! the one place that writes to stdout/stderr directly; everything else logs through `tracing`.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "audienceos",
    version,
    about = "AudienceOS: the command center of a marketing agency"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API and the SPA (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi {
        /// Print the HTTP contract generated from it instead (docs/http-contract.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Create the demo agency and its owner (development only).
    SeedDemo {
        /// Do nothing when the demo owner already exists.
        #[arg(long)]
        if_missing: bool,
    },
    /// Connect the demo agency's Gmail, Slack, Google Ads and Meta Ads to the demo providers of a running
    /// server (development only): signs in as the demo owner, goes through each provider's consent page
    /// and the OAuth callback, links the demo clients' channels and ad accounts, and waits for the syncs.
    /// Providers that are not demo providers on that server, and connections that still work, are left
    /// alone, so it can run on every start.
    DemoConnect {
        /// The running server.
        #[arg(long, env = "AOS_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        url: String,
        #[arg(long, default_value = crate::seed::DEMO_EMAIL)]
        email: String,
        #[arg(long, default_value = crate::seed::DEMO_PASSWORD)]
        password: String,
        /// The account to sign in as on the consent pages (default: --email, which the demo providers hold
        /// the demo data for).
        #[arg(long)]
        account: Option<String>,
        /// Seconds to wait for the syncs.
        #[arg(long, default_value_t = 180)]
        timeout: u64,
    },
    /// Fill an existing agency with a benchmark data set (development only; used by scripts/bench).
    SeedBench {
        /// Email of a user of the agency to fill.
        #[arg(long)]
        email: String,
        #[arg(long, default_value_t = 10_000)]
        clients: usize,
        /// Notes in all.
        #[arg(long, default_value_t = 100_000)]
        notes: usize,
        /// Stage events beyond each client's own history.
        #[arg(long, default_value_t = 100_000)]
        events: usize,
    },
    /// Re-encrypt every stored provider token with the current AOS_TOKEN_ENCRYPTION_KEY (the older keys
    /// in AOS_TOKEN_ENCRYPTION_OLD_KEYS still decrypt them). Remove an old key only after this succeeds.
    RotateTokenKey,
    /// Check or explain the configuration.
    Config {
        /// Validate the environment and exit non-zero on any problem.
        #[arg(long, conflicts_with = "example")]
        check: bool,
        /// Print a commented example configuration.
        #[arg(long)]
        example: bool,
    },
}

/// Print a line on stdout.
#[allow(clippy::print_stdout)]
pub fn out(text: &str) {
    println!("{text}");
}

/// Print a line on stderr.
#[allow(clippy::print_stderr)]
pub fn err(text: &str) {
    eprintln!("{text}");
}
