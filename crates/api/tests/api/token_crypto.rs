//! Provider tokens at rest: sealed per agency, integration and field, rotated to a new key by
//! `audienceos rotate-token-key`, never stored or printed in clear. SQLite and (with
//! `AOS_TEST_POSTGRES_URL`) Postgres.

use audienceos_api::clock::system_now as now;
use audienceos_api::integrations::crypto::{SecretToken, TokenContext, TokenCryptoError, TokenField, TokenKeyring};
use audienceos_api::store::integrations::{NewIntegration, TokenUpdate};
use audienceos_api::store::Store;
use base64::Engine as _;
use uuid::Uuid;

use crate::helpers::{captured_logs, spawn_app_with, Backend};
use crate::on_both;
use crate::store::new_agency;

on_both!(tokens_are_bound_to_their_row_and_rotate_to_the_newest_key);

/// 32 distinct-looking bytes (the configuration refuses weak keys).
fn key(seed: u8) -> Vec<u8> {
    (0..32u8).map(|i| i.wrapping_mul(37).wrapping_add(seed)).collect()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn agency(store: &Store, tag: &str) -> Uuid {
    let new = new_agency(&format!("{tag}-{}", Uuid::now_v7().simple()));
    store.create_agency_with_owner(&new, now()).await.unwrap().0.id
}

async fn integration(store: &Store, agency_id: Uuid, provider: &str) -> Uuid {
    let new = NewIntegration {
        agency_id,
        provider: provider.into(),
        status: "connected".into(),
        account_label: Some("ops@example.test".into()),
        scopes: "https://www.googleapis.com/auth/gmail.readonly".into(),
        token_expires_at: Some(now()),
    };
    store.insert_integration(&new, now()).await.unwrap().id
}

fn ctx(agency_id: Uuid, integration_id: Uuid, field: TokenField) -> TokenContext {
    TokenContext {
        agency_id,
        integration_id,
        field,
    }
}

/// The token a stored value opens to (the test fails when it does not).
fn open(ring: &TokenKeyring, stored: &str, c: &TokenContext) -> String {
    ring.decrypt(stored, c).unwrap().expose().to_string()
}

/// Run `audienceos rotate-token-key` against the app's database with k2 current and `old` keys.
fn rotate(db_url: &str, data_dir: &std::path::Path, old: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_audienceos"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AOS_DATA_DIR", data_dir)
        .env("AOS_DATABASE_URL", db_url)
        .env("AOS_TOKEN_ENCRYPTION_KEY", b64(&key(2)))
        .env("AOS_TOKEN_ENCRYPTION_KEY_ID", "k2")
        .env("AOS_TOKEN_ENCRYPTION_OLD_KEYS", old)
        .env("AOS_LOG", "debug")
        .arg("rotate-token-key")
        .output()
        .unwrap()
}

async fn tokens_are_bound_to_their_row_and_rotate_to_the_newest_key(backend: Backend) {
    let k1 = b64(&key(1));
    let app = spawn_app_with(backend, &[("AOS_TOKEN_ENCRYPTION_KEY", &k1)]).await;
    let store = &app.store;
    let secrets = &app.state.settings.secrets;
    assert_eq!(secrets.token_key_id, "k1", "the default key id");
    let debug = format!("{:?}", app.state.settings);
    assert!(!debug.contains(&k1) && !debug.contains(&b64(&key(1))[..12]), "{debug}");
    let ring1 = TokenKeyring::from_secrets(secrets).unwrap();

    let a = agency(store, "a").await;
    let b = agency(store, "b").await;
    let a_gmail = integration(store, a, "gmail").await;
    let a_slack = integration(store, a, "slack").await;
    let b_gmail = integration(store, b, "gmail").await;
    let plain = |who: &str, field: TokenField| format!("tok-{who}-{}-0123456789abcdef", field.as_str());

    // Write: every token sealed under k1 for its own row and field.
    for (agency_id, id, who, with_refresh) in [
        (a, a_gmail, "ag", true),
        (a, a_slack, "as", false),
        (b, b_gmail, "bg", true),
    ] {
        let access = ring1
            .encrypt_to_stored(
                &SecretToken::new(plain(who, TokenField::Access)),
                &ctx(agency_id, id, TokenField::Access),
            )
            .unwrap();
        let refresh = with_refresh.then(|| {
            ring1
                .encrypt_to_stored(
                    &SecretToken::new(plain(who, TokenField::Refresh)),
                    &ctx(agency_id, id, TokenField::Refresh),
                )
                .unwrap()
        });
        store
            .set_integration_tokens(agency_id, id, Some(&access), refresh.as_deref(), now())
            .await
            .unwrap();
    }
    let raw = store.get_integration_tokens(a, a_gmail).await.unwrap();
    let access = raw.access_token_enc.clone().unwrap();
    let refresh = raw.refresh_token_enc.clone().unwrap();
    assert!(
        access.starts_with("v1:k1:") && refresh.starts_with("v1:k1:"),
        "{access}"
    );
    assert!(
        !access.contains("tok-") && !refresh.contains("tok-"),
        "the column holds no plaintext"
    );
    assert_eq!(
        open(&ring1, &access, &ctx(a, a_gmail, TokenField::Access)),
        plain("ag", TokenField::Access)
    );
    assert!(
        store.get_integration_tokens(b, a_gmail).await.is_err(),
        "another agency's row is not found"
    );

    // A row copied to another agency, another integration or the other field does not decrypt.
    for wrong in [
        ctx(b, b_gmail, TokenField::Access),
        ctx(b, a_gmail, TokenField::Access),
        ctx(a, a_slack, TokenField::Access),
        ctx(a, a_gmail, TokenField::Refresh),
    ] {
        assert_eq!(ring1.decrypt(&access, &wrong).unwrap_err(), TokenCryptoError::Decrypt);
    }
    let b_raw = store.get_integration_tokens(b, b_gmail).await.unwrap();
    store
        .set_integration_tokens(b, b_gmail, Some(&access), Some(&refresh), now())
        .await
        .unwrap();
    let copied = store.get_integration_tokens(b, b_gmail).await.unwrap();
    let err = ring1
        .decrypt(
            copied.access_token_enc.as_deref().unwrap(),
            &ctx(b, b_gmail, TokenField::Access),
        )
        .unwrap_err();
    assert_eq!(err, TokenCryptoError::Decrypt);

    // k2 current, k1 old: k1 values still decrypt. Rotation refuses to run while a value does not open
    // (the copied row), and writes nothing.
    let ring2 = TokenKeyring::new(("k2", &key(2)), &[("k1", &key(1))]).unwrap();
    assert!(ring2.needs_rotation(&access));
    assert_eq!(
        open(&ring2, &access, &ctx(a, a_gmail, TokenField::Access)),
        plain("ag", TokenField::Access)
    );
    let db_url = app.state.settings.database_url.expose().to_string();
    let old = format!("k1:{k1}");
    let out = rotate(&db_url, app.data_dir.path(), &old);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&b_gmail.to_string()) && stderr.contains("does not open"),
        "{stderr}"
    );
    assert_eq!(
        store.get_integration_tokens(a, a_gmail).await.unwrap(),
        raw,
        "nothing was written"
    );

    // Put B's own tokens back; now the command re-encrypts every token under k2.
    store
        .set_integration_tokens(
            b,
            b_gmail,
            b_raw.access_token_enc.as_deref(),
            b_raw.refresh_token_enc.as_deref(),
            now(),
        )
        .await
        .unwrap();
    let out = rotate(&db_url, app.data_dir.path(), &old);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("3 integration(s) with tokens, 3 re-encrypted, 0 changed"),
        "{stdout}"
    );
    let again = rotate(&db_url, app.data_dir.path(), &old);
    assert!(String::from_utf8_lossy(&again.stdout).contains("3 integration(s) with tokens, 0 re-encrypted"));

    // k1 removed: every rotated row decrypts with k2 alone; no plaintext anywhere.
    let ring_k2 = TokenKeyring::new(("k2", &key(2)), &[]).unwrap();
    let rows = store.integration_token_rows().await.unwrap();
    assert_eq!(rows.len(), 3);
    for (agency_id, id, who) in [(a, a_gmail, "ag"), (a, a_slack, "as"), (b, b_gmail, "bg")] {
        let row = store.get_integration_tokens(agency_id, id).await.unwrap();
        let access = row.access_token_enc.unwrap();
        assert!(access.starts_with("v1:k2:") && !access.contains("tok-"), "{access}");
        assert_eq!(
            open(&ring_k2, &access, &ctx(agency_id, id, TokenField::Access)),
            plain(who, TokenField::Access)
        );
        if let Some(refresh) = row.refresh_token_enc {
            assert!(refresh.starts_with("v1:k2:"), "{refresh}");
            assert_eq!(
                open(&ring_k2, &refresh, &ctx(agency_id, id, TokenField::Refresh)),
                plain(who, TokenField::Refresh)
            );
        } else {
            assert_eq!(who, "as", "a missing refresh token stays missing");
        }
    }

    // A row changed after it was read (a concurrent refresh) is left to its writer.
    let stale = store.get_integration_tokens(a, a_slack).await.unwrap();
    store
        .set_integration_tokens(a, a_slack, None, None, now())
        .await
        .unwrap();
    let update = TokenUpdate {
        row: stale,
        new_access: Some("v1:k2:AAAA".into()),
        new_refresh: None,
    };
    assert_eq!(store.replace_integration_tokens(&[update], now()).await.unwrap(), 0);
    assert_eq!(
        store.get_integration_tokens(a, a_slack).await.unwrap().access_token_enc,
        None
    );

    // No token in the app's logs or the command's output.
    let printed = format!("{}{stdout}{stderr}", captured_logs());
    for who in ["ag", "as", "bg"] {
        for field in [TokenField::Access, TokenField::Refresh] {
            assert!(!printed.contains(&plain(who, field)), "a token was printed");
        }
    }
    assert!(
        !printed.contains(&k1) && !printed.contains(&b64(&key(2))),
        "a key was printed"
    );
}
