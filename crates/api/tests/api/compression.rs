//! Compression: JSON answers above a kilobyte are compressed by `Accept-Encoding` (with `Vary`), small
//! ones and live-event streams are sent as they are, and built assets are served from the brotli or
//! gzip file the build made, with the asset's own content type, never compressed again per request.

use std::io::Read as _;

use crate::helpers::{spawn_app, Backend, TestApp};

async fn get(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.with_csrf(app.client.get(app.url(path)).header("accept-encoding", accept))
        .send()
        .await
        .unwrap()
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).and_then(|v| v.to_str().ok())
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap();
    out
}

#[tokio::test]
async fn json_is_compressed_above_a_kilobyte_and_small_answers_are_not() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc = get(&app, "/api/openapi.json", "gzip, deflate, br").await;
    assert_eq!(doc.status(), 200);
    assert_eq!(header(&doc, "content-encoding"), Some("br"));
    assert!(header(&doc, "vary").is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")));
    let body = unbrotli(&doc.bytes().await.unwrap());
    let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(parsed["paths"].is_object());

    let gz = get(&app, "/api/openapi.json", "gzip").await;
    assert_eq!(header(&gz, "content-encoding"), Some("gzip"));
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&gz.bytes().await.unwrap()[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain, body);

    // A small answer and a client that accepts nothing: no Content-Encoding at all (not even the marker).
    let small = get(&app, "/api/health/live", "gzip, br").await;
    assert_eq!(small.status(), 200);
    assert_eq!(header(&small, "content-encoding"), None);
    let none = get(&app, "/api/openapi.json", "identity").await;
    assert_eq!(header(&none, "content-encoding"), None);
    assert!(serde_json::from_slice::<serde_json::Value>(&none.bytes().await.unwrap()).is_ok());

    // Live events reach the browser as they are sent: never compressed.
    app.signup().await;
    let stream = get(&app, "/api/v1/events", "gzip, br").await;
    assert_eq!(stream.status(), 200);
    assert_eq!(header(&stream, "content-encoding"), None);
}

#[tokio::test]
async fn built_assets_are_served_from_their_precompressed_files() {
    let app = spawn_app(Backend::Sqlite).await;
    let dist = app.data_dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let wasm = vec![7u8; 4096];
    std::fs::write(dist.join("index.html"), "<!doctype html><title>AudienceOS</title>").unwrap();
    std::fs::write(dist.join("app_bg.wasm"), &wasm).unwrap();
    std::fs::write(dist.join("app_bg.wasm.br"), b"brotli-bytes").unwrap();
    std::fs::write(dist.join("app_bg.wasm.gz"), b"gzip-bytes").unwrap();
    std::fs::write(dist.join("app.css"), "body { color: red }".repeat(100)).unwrap();

    let br = get(&app, "/app_bg.wasm", "gzip, deflate, br, zstd").await;
    assert_eq!(br.status(), 200);
    assert_eq!(header(&br, "content-type"), Some("application/wasm"));
    assert_eq!(header(&br, "content-encoding"), Some("br"));
    assert_eq!(header(&br, "vary"), Some("Accept-Encoding"));
    assert!(header(&br, "cache-control").is_some_and(|c| c.contains("immutable")));
    assert_eq!(
        &br.bytes().await.unwrap()[..],
        b"brotli-bytes",
        "the build's file, not compressed again"
    );

    let gz = get(&app, "/app_bg.wasm", "gzip;q=1, br;q=0").await;
    assert_eq!(header(&gz, "content-encoding"), Some("gzip"));
    assert_eq!(&gz.bytes().await.unwrap()[..], b"gzip-bytes");

    let plain = get(&app, "/app_bg.wasm", "identity").await;
    assert_eq!(header(&plain, "content-encoding"), None);
    assert_eq!(plain.bytes().await.unwrap().to_vec(), wasm);

    // An asset without precompressed files is compressed on the way out like any answer.
    let css = get(&app, "/app.css", "br").await;
    assert!(header(&css, "content-type").is_some_and(|t| t.starts_with("text/css")));
    assert_eq!(header(&css, "content-encoding"), Some("br"));
    assert_eq!(
        unbrotli(&css.bytes().await.unwrap()),
        "body { color: red }".repeat(100).into_bytes()
    );
}
