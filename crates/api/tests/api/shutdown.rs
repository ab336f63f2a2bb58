//! SIGTERM under load: the process drains (health fails, answers close their connections), closes its
//! live-update streams with a retry hint, finishes what is in flight and exits 0, and no request sent
//! to it goes unanswered. The load generator behaves like a load balancer: it polls `/api/health` and
//! stops routing new requests to the instance once it fails.

use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::helpers::{signup_body, Browser};

#[tokio::test]
async fn sigterm_under_load_drains_and_drops_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_audienceos"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AOS_DATA_DIR", dir.path())
        .env("AOS_BIND", format!("127.0.0.1:{port}"))
        .env("AOS_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("AOS_SHUTDOWN_DRAIN_SECS", "2")
        .env("AOS_SHUTDOWN_GRACE_SECS", "5")
        .env("AOS_RATE_LIMIT_AUTH_IP", "1000/minute")
        .env("AOS_RATE_LIMIT_API", "1000000/minute")
        .env("AOS_LOG", "warn")
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let addr = format!("http://127.0.0.1:{port}");
    let app = Browser::new(&addr);
    let mut up = false;
    for _ in 0..200 {
        if app.client.get(app.url("/api/health/live")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the server did not start");
    let res = app.post_signup(&signup_body()).await;
    assert_eq!(res.status(), 201);
    let created = app.post("/api/v1/clients", &json!({ "name": "Acme" })).await;
    assert!(created.status().is_client_error() || created.status().is_success());

    // A live-update stream, open across the shutdown.
    let stream = app.client.get(app.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let stream_end = tokio::spawn(async move {
        let mut stream = stream;
        let mut last = Vec::new();
        while let Some(chunk) = stream.chunk().await.map_err(|e| e.to_string())? {
            last = chunk.to_vec();
        }
        Ok::<_, String>(String::from_utf8_lossy(&last).to_string())
    });

    // The balancer.
    let out_of_rotation = Arc::new(AtomicBool::new(false));
    let balancer = {
        let out = out_of_rotation.clone();
        let client = reqwest::Client::new();
        let url = app.url("/api/health");
        tokio::spawn(async move {
            while !out.load(Ordering::SeqCst) {
                match client.get(&url).send().await {
                    Ok(res) if res.status() == 200 => {}
                    _ => out.store(true, Ordering::SeqCst),
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    // The load: 32 clients reading the client list as fast as they are answered.
    let (answered, dropped) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let terminated = Arc::new(AtomicBool::new(false));
    let answered_after_term = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let mut load = Vec::new();
    for _ in 0..32 {
        let (app_client, url) = (app.client.clone(), app.url("/api/v1/clients"));
        let (out, answered, dropped) = (out_of_rotation.clone(), answered.clone(), dropped.clone());
        let (terminated, after) = (terminated.clone(), answered_after_term.clone());
        let first_error = first_error.clone();
        load.push(tokio::spawn(async move {
            while !out.load(Ordering::SeqCst) {
                match app_client.get(&url).send().await.and_then(|r| r.error_for_status()) {
                    Ok(res) => {
                        let _ = res.bytes().await;
                        answered.fetch_add(1, Ordering::SeqCst);
                        if terminated.load(Ordering::SeqCst) {
                            after.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    Err(e) => {
                        dropped.fetch_add(1, Ordering::SeqCst);
                        first_error.lock().unwrap().get_or_insert(e.to_string());
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    terminated.store(true, Ordering::SeqCst);
    for task in load {
        task.await.unwrap();
    }
    balancer.await.unwrap();

    let mut status = None;
    for _ in 0..200 {
        status = child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("the process did not exit after the drain and grace periods");
    };
    assert!(status.success(), "{status:?}");
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        0,
        "requests without an answer; the first: {:?}",
        first_error.lock().unwrap()
    );
    assert!(answered.load(Ordering::SeqCst) > 0);
    assert!(
        answered_after_term.load(Ordering::SeqCst) > 0,
        "the instance kept answering while draining"
    );
    let last = stream_end.await.unwrap().expect("the stream ended cleanly, not reset");
    assert!(
        last.contains("retry: 3000"),
        "the stream's last words are a retry hint: {last:?}"
    );
}
