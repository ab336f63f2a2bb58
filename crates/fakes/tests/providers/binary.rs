//! The `audienceos-fakes` binary with `--http`: it announces its bases in the ready file and serves them.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::helpers::client;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn http_flag_serves_every_provider_with_the_client_given_on_the_command_line() {
    let dir = std::env::temp_dir().join(format!("aos-fakes-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ready = dir.join("ready.json");
    let _ = std::fs::remove_file(&ready);
    let _child = Killed(
        Command::new(env!("CARGO_BIN_EXE_audienceos-fakes"))
            .args([
                "--http",
                "127.0.0.1:0",
                "--client",
                "google=cli-id:cli-secret",
                "--ready-file",
            ])
            .arg(&ready)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut bases = None;
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(&ready) {
            bases = Some(serde_json::from_str::<Value>(&text).unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let bases = bases.expect("the ready file appears");
    let google = bases["google"].as_str().unwrap();
    let page = client()
        .get(format!("{google}/o/oauth2/v2/auth"))
        .query(&[
            ("client_id", "cli-id"),
            ("redirect_uri", "http://localhost/cb"),
            ("response_type", "code"),
            ("scope", "email"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    for key in ["slack", "meta", "dataforseo", "http"] {
        assert!(
            bases[key]
                .as_str()
                .unwrap()
                .starts_with(bases["http"].as_str().unwrap()),
            "{key}"
        );
    }
    let calls = client()
        .get(format!("{}/_fake/calls", bases["http"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(calls.status(), 200);
    std::fs::remove_dir_all(&dir).unwrap();
}
