//! The `audienceos` binary: configuration problems stop it before it binds.

use std::process::Command;

fn audienceos() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_audienceos"));
    cmd.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

#[test]
fn production_without_secrets_exits_before_binding_and_names_every_variable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = audienceos()
        .env("AOS_ENV", "production")
        .env("AOS_BIND", format!("127.0.0.1:{port}"))
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for var in [
        "AOS_SESSION_SECRET",
        "AOS_OAUTH_STATE_SECRET",
        "AOS_TOKEN_ENCRYPTION_KEY",
        "AOS_PUBLIC_URL",
        "AOS_SMTP_URL",
    ] {
        assert!(stderr.contains(var), "{var} not named in:\n{stderr}");
    }
    assert!(stderr.contains("fix:"), "each problem says how to fix it");
    assert!(
        std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(),
        "nothing was bound"
    );
}

#[test]
fn config_check_and_example() {
    let dir = tempfile::tempdir().unwrap();
    let out = audienceos()
        .env("AOS_DATA_DIR", dir.path())
        .args(["config", "--check"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        dir.path().join("dev-secrets.toml").exists(),
        "development secrets generated once"
    );
    let out = audienceos().args(["config", "--example"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("AOS_SESSION_SECRET=") && text.contains("AOS_DATABASE_URL="));
    let out = audienceos()
        .env("AOS_BIND", "nonsense")
        .env("AOS_DATA_DIR", dir.path())
        .args(["config", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn production_refuses_plaintext_smtp() {
    let dir = tempfile::tempdir().unwrap();
    let out = audienceos()
        .env("AOS_ENV", "production")
        .env("AOS_DATA_DIR", dir.path())
        .env("AOS_SMTP_URL", "smtp://mail.example.test:25")
        .args(["config", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("AOS_SMTP_URL") && stderr.contains("plain text"),
        "{stderr}"
    );
}

#[test]
fn the_demo_agency_is_never_seeded_in_production() {
    let dir = tempfile::tempdir().unwrap();
    let secret = |b: u8| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(
            (0..32u8)
                .map(|i| i.wrapping_mul(31).wrapping_add(b))
                .collect::<Vec<_>>(),
        )
    };
    let out = audienceos()
        .env("AOS_ENV", "production")
        .env("AOS_DATA_DIR", dir.path())
        .env("AOS_PUBLIC_URL", "https://app.example.test")
        .env("AOS_SMTP_URL", "smtp://127.0.0.1:2525?tls=required")
        .env("AOS_SESSION_SECRET", secret(1))
        .env("AOS_OAUTH_STATE_SECRET", secret(2))
        .env("AOS_TOKEN_ENCRYPTION_KEY", secret(3))
        .args(["seed-demo"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("never created in production"), "{stderr}");
}
