//! The command line (`audienceos serve | migrate | openapi | seed-demo | config | rotate-token-key`) and the one place that
//! writes to stdout/stderr directly; everything else logs through `tracing`.

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
