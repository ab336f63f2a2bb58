//! `audienceos`: parse the command line, load and validate the configuration, then run the command.

use std::process::ExitCode;

use audienceos_api::cli::{self, Cli, Command};
use audienceos_api::config::Settings;
use audienceos_api::seed::{self, Seeded};
use audienceos_api::startup::Application;
use audienceos_api::store::Store;
use audienceos_api::telemetry;
use clap::Parser as _;

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    // A client of a running server: it needs none of the server's settings.
    if matches!(command, Command::DemoConnect { .. }) {
        return demo_connect(command).await;
    }
    match &command {
        Command::Openapi { markdown } => {
            let text = if *markdown {
                audienceos_api::openapi::contract_markdown()
            } else {
                audienceos_api::openapi::document()
            };
            cli::out(text.trim_end());
            return ExitCode::SUCCESS;
        }
        Command::Config { example: true, .. } => {
            cli::out(&Settings::example());
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            cli::err(&e.to_string());
            return ExitCode::from(2);
        }
    };
    if let Err(e) = telemetry::init(settings.log_format, &settings.log_filter, std::io::stderr) {
        cli::err(&format!("could not start logging: {e}"));
        return ExitCode::FAILURE;
    }
    match run(command, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error.cause_chain = ?e, "audienceos failed");
            cli::err(&format!("error: {e:#}"));
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Config { .. } => {
            cli::out(&format!("configuration is valid ({:?} environment)", settings.env));
            Ok(())
        }
        Command::Migrate => {
            let store = Store::for_settings(&settings).await?;
            store.migrate().await?;
            cli::out("migrations applied");
            Ok(())
        }
        Command::SeedDemo { if_missing } => {
            let store = Store::for_settings(&settings).await?;
            store.migrate().await?;
            match seed::seed_demo(&settings, &store).await? {
                Seeded::Created => cli::out(&format!(
                    "demo agency created: {} / {}",
                    seed::DEMO_EMAIL,
                    seed::DEMO_PASSWORD
                )),
                Seeded::AlreadyThere if if_missing => {}
                Seeded::AlreadyThere => cli::out("demo agency already exists"),
            }
            Ok(())
        }
        Command::SeedBench {
            email,
            clients,
            notes,
            events,
        } => {
            anyhow::ensure!(!settings.env.is_production(), "seed-bench never runs in production");
            let store = Store::for_settings(&settings).await?;
            store.migrate().await?;
            let size = seed::generate::Size {
                clients,
                notes,
                extra_events: events,
                tasks_per_client: 3,
            };
            seed::seed_bench(&store, &email, size).await?;
            cli::out(&format!(
                "seeded {clients} clients, {notes} notes, {events} extra stage events"
            ));
            Ok(())
        }
        Command::RotateTokenKey => {
            let keys = audienceos_api::integrations::crypto::TokenKeyring::from_secrets(&settings.secrets)?;
            let store = Store::for_settings(&settings).await?;
            store.migrate().await?;
            let r = audienceos_api::integrations::rotate_token_key(&store, &keys, audienceos_api::clock::system_now())
                .await?;
            cli::out(&format!(
                "token key {}: {} integration(s) with tokens, {} re-encrypted, {} changed meanwhile (run again)",
                keys.current_key_id(),
                r.examined,
                r.rotated,
                r.skipped
            ));
            Ok(())
        }
        Command::Serve => {
            let env = settings.env;
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), ?env, "AudienceOS is listening");
            app.run_until_stopped().await
        }
        Command::Openapi { .. } | Command::DemoConnect { .. } => Ok(()),
    }
}

async fn demo_connect(command: Command) -> ExitCode {
    let Command::DemoConnect {
        url,
        email,
        password,
        account,
        timeout,
    } = command
    else {
        return ExitCode::FAILURE;
    };
    if std::env::var("AOS_ENV").is_ok_and(|e| e.trim() == "production") {
        cli::err("demo-connect never runs in production");
        return ExitCode::FAILURE;
    }
    let opts = seed::connect::DemoConnect {
        url,
        email,
        password,
        account,
        timeout: std::time::Duration::from_secs(timeout),
    };
    match seed::connect::run(&opts).await {
        Ok(report) => {
            for (provider, what) in report {
                cli::out(&format!("{}: {what}", provider.label()));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            cli::err(&format!("demo-connect: {e:#}"));
            ExitCode::FAILURE
        }
    }
}
