//! The process's secrets: session and OAuth state keys, the token key ring (current key, its id, earlier keys),
//! and in development the generated `data/dev-secrets.toml` that fills in whichever are unset.

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretBox};
use serde::{Deserialize, Serialize};

use super::env::Env;
use crate::random::random_bytes;

/// Length in bytes of every generated secret.
pub const SECRET_LEN: usize = 32;

/// A secret key of raw bytes; `Debug` prints nothing of it.
pub struct SecretKey(SecretBox<[u8]>);

impl SecretKey {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(SecretBox::new(bytes.into_boxed_slice()))
    }
    pub fn expose(&self) -> &[u8] {
        self.0.expose_secret()
    }
}

impl Clone for SecretKey {
    fn clone(&self) -> Self {
        Self::new(self.expose().to_vec())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([REDACTED])")
    }
}

/// The process's secrets.
#[derive(Debug, Clone)]
pub struct Secrets {
    /// Keys session, CSRF, API key and reset token digests (HMAC-SHA256).
    pub session_key: SecretKey,
    /// Signs OAuth `state` values.
    pub oauth_state_key: SecretKey,
    /// AES-256-GCM key for provider tokens at rest; exactly 32 bytes. Every new write uses it.
    pub token_encryption_key: SecretKey,
    /// Id of `token_encryption_key`, recorded in each stored token (`AOS_TOKEN_ENCRYPTION_KEY_ID`).
    pub token_key_id: String,
    /// Earlier token keys `(id, key)` that still decrypt what they sealed (`AOS_TOKEN_ENCRYPTION_OLD_KEYS`).
    pub old_token_keys: Vec<(String, SecretKey)>,
}

/// Whether `id` may name a key: 1-32 of `[A-Za-z0-9_-]` (so it never contains the `:` of the stored form).
pub fn valid_key_id(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Contents of `data/dev-secrets.toml`.
#[derive(Serialize, Deserialize)]
struct DevSecrets {
    session_secret: String,
    oauth_state_secret: String,
    token_encryption_key: String,
}

/// Where unset secrets come from in development: `dev-secrets.toml`, read (or created) on first need.
struct DevFallback<'p> {
    data_dir: &'p Path,
    loaded: Option<Result<DevSecrets, String>>,
}

impl DevFallback<'_> {
    fn get(&mut self) -> &Result<DevSecrets, String> {
        let data_dir = self.data_dir;
        self.loaded.get_or_insert_with(|| load_or_create_dev_secrets(data_dir))
    }
}

/// Secrets from env; in development missing ones come from (or are generated into) data/dev-secrets.toml.
pub(super) fn read(env: &mut Env, prod: bool, data_dir: &Path) -> Secrets {
    let mut dev = DevFallback { data_dir, loaded: None };
    let session_key = secret(env, prod, &mut dev, "AOS_SESSION_SECRET", false, |d| &d.session_secret);
    let oauth_state_key = secret(env, prod, &mut dev, "AOS_OAUTH_STATE_SECRET", false, |d| {
        &d.oauth_state_secret
    });
    let token_encryption_key = secret(env, prod, &mut dev, "AOS_TOKEN_ENCRYPTION_KEY", true, |d| {
        &d.token_encryption_key
    });
    let (token_key_id, old_token_keys) = token_key_ring(env, &token_encryption_key);
    if session_key.expose() == oauth_state_key.expose() && env.get("AOS_SESSION_SECRET").is_some() {
        env.bad(
            "AOS_OAUTH_STATE_SECRET",
            "is the same as AOS_SESSION_SECRET".into(),
            "use a different random value for each secret",
        );
    }
    Secrets {
        session_key,
        oauth_state_key,
        token_encryption_key,
        token_key_id,
        old_token_keys,
    }
}

/// One secret: from `var`, else (in development) picked from the dev secrets; checked either way.
fn secret(
    env: &mut Env,
    prod: bool,
    dev: &mut DevFallback,
    var: &str,
    exact: bool,
    pick: fn(&DevSecrets) -> &String,
) -> SecretKey {
    let fix = if exact {
        "generate one with `openssl rand -base64 32` (exactly 32 bytes)"
    } else {
        "generate one with `openssl rand -base64 32` (at least 32 bytes)"
    };
    let value = match env.get(var) {
        Some(v) => v,
        None if prod => {
            env.bad(var, "is not set (required in production)".into(), fix);
            return SecretKey::new(vec![0; SECRET_LEN]);
        }
        None => match dev.get() {
            Ok(d) => pick(d).clone(),
            Err(e) => {
                env.bad(
                    var,
                    format!("could not generate a development secret: {e}"),
                    "make AOS_DATA_DIR writable or set the variable",
                );
                return SecretKey::new(vec![0; SECRET_LEN]);
            }
        },
    };
    match check_secret(&value, exact) {
        Ok(bytes) => SecretKey::new(bytes),
        Err(problem) => {
            env.bad(var, problem, fix);
            SecretKey::new(vec![0; SECRET_LEN])
        }
    }
}

/// Decode and judge a base64 secret.
fn check_secret(value: &str, exact: bool) -> Result<Vec<u8>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(value))
        .map_err(|_| "is not valid base64".to_string())?;
    if exact && bytes.len() != SECRET_LEN {
        return Err(format!(
            "decodes to {} bytes; exactly {SECRET_LEN} are required",
            bytes.len()
        ));
    }
    if bytes.len() < SECRET_LEN {
        return Err(format!(
            "decodes to {} bytes; at least {SECRET_LEN} are required",
            bytes.len()
        ));
    }
    let distinct: std::collections::HashSet<u8> = bytes.iter().copied().collect();
    if distinct.len() < 8 {
        return Err("is too weak (it repeats a few byte values; it was not randomly generated)".into());
    }
    Ok(bytes)
}

/// The current token key's id and the older token keys, each checked: valid and unique ids, exactly 32
/// strong bytes, none equal to the current key.
fn token_key_ring(env: &mut Env, current: &SecretKey) -> (String, Vec<(String, SecretKey)>) {
    const ID_FIX: &str = "use 1-32 characters of A-Z a-z 0-9 _ -, e.g. k2";
    let id = env.get("AOS_TOKEN_ENCRYPTION_KEY_ID").unwrap_or_else(|| "k1".into());
    if !valid_key_id(&id) {
        env.bad(
            "AOS_TOKEN_ENCRYPTION_KEY_ID",
            format!("`{id}` is not a valid key id"),
            ID_FIX,
        );
    }
    let var = "AOS_TOKEN_ENCRYPTION_OLD_KEYS";
    let old = env.get(var);
    let mut keys: Vec<(String, SecretKey)> = Vec::new();
    for entry in old
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let Some((key_id, value)) = entry.split_once(':') else {
            env.bad(
                var,
                "an entry is not `id:base64`".into(),
                "list earlier keys as id:base64, comma-separated",
            );
            continue;
        };
        let key_id = key_id.trim();
        if !valid_key_id(key_id) {
            env.bad(var, format!("`{key_id}` is not a valid key id"), ID_FIX);
        } else if key_id == id || keys.iter().any(|(k, _)| k == key_id) {
            env.bad(
                var,
                format!("key id `{key_id}` is used twice"),
                "give every token key its own id",
            );
        }
        match check_secret(value.trim(), true) {
            Ok(bytes) if bytes == current.expose() => env.bad(
                var,
                format!("key `{key_id}` is the current AOS_TOKEN_ENCRYPTION_KEY"),
                "list only earlier keys here",
            ),
            Ok(bytes) => keys.push((key_id.to_string(), SecretKey::new(bytes))),
            Err(problem) => env.bad(
                var,
                format!("key `{key_id}` {problem}"),
                "each key is base64 of exactly 32 random bytes",
            ),
        }
    }
    (id, keys)
}

fn random_secret() -> String {
    base64::engine::general_purpose::STANDARD.encode(random_bytes::<SECRET_LEN>())
}

/// Read `dev-secrets.toml`, creating it (0600) with fresh secrets when absent.
fn load_or_create_dev_secrets(data_dir: &Path) -> Result<DevSecrets, String> {
    let path = data_dir.join("dev-secrets.toml");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return toml::from_str(&text).map_err(|e| format!("{} is unreadable: {e}", path.display()));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let secrets = DevSecrets {
        session_secret: random_secret(),
        oauth_state_secret: random_secret(),
        token_encryption_key: random_secret(),
    };
    let text = format!(
        "# Development secrets, generated once by AudienceOS. Never used when AOS_ENV=production.\n{}",
        toml::to_string(&secrets).map_err(|e| e.to_string())?
    );
    write_private(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "generated development secrets");
    Ok(secrets)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::super::env::vars;
    use super::super::Settings;
    use base64::Engine as _;

    #[test]
    fn weak_and_short_secrets_are_rejected() {
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
        let weak = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        let err = Settings::from_vars(&vars(&[
            ("AOS_ENV", "production"),
            ("AOS_SESSION_SECRET", &short),
            ("AOS_OAUTH_STATE_SECRET", &weak),
            ("AOS_TOKEN_ENCRYPTION_KEY", "not base64!!"),
        ]))
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("AOS_SESSION_SECRET: decodes to 16 bytes"), "{text}");
        assert!(text.contains("AOS_OAUTH_STATE_SECRET: is too weak"), "{text}");
        assert!(text.contains("AOS_TOKEN_ENCRYPTION_KEY: is not valid base64"), "{text}");
    }

    #[test]
    fn development_generates_secrets_once_and_debug_is_safe() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let a = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_DATABASE_URL", "postgres://u:hunter2@localhost/x"),
        ]))
        .unwrap();
        let b = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d)])).unwrap();
        assert_eq!(a.secrets.session_key.expose(), b.secrets.session_key.expose());
        let debug = format!("{a:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        let encoded = base64::engine::general_purpose::STANDARD.encode(a.secrets.session_key.expose());
        assert!(!debug.contains(&encoded));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("dev-secrets.toml"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn token_keys_rotate_through_configuration_and_never_print() {
        let key = crate::integrations::crypto::tests::test_key;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let dev = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d)])).unwrap();
        assert_eq!(dev.secrets.token_key_id, "k1");
        assert!(dev.secrets.old_token_keys.is_empty());

        let (k1, k2, k3) = (key(1), key(2), key(3));
        let old = format!("k1:{k1}, k0:{k3}");
        let s = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_TOKEN_ENCRYPTION_KEY", &k2),
            ("AOS_TOKEN_ENCRYPTION_KEY_ID", "k2"),
            ("AOS_TOKEN_ENCRYPTION_OLD_KEYS", &old),
        ]))
        .unwrap();
        assert_eq!(s.secrets.token_key_id, "k2");
        let ids: Vec<_> = s.secrets.old_token_keys.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["k1", "k0"]);
        let debug = format!("{s:?}");
        for k in [&k1, &k2, &k3] {
            assert!(!debug.contains(k.as_str()) && !debug.contains(&k[..16]), "{debug}");
        }

        let short = base64::engine::general_purpose::STANDARD.encode((0..31u8).collect::<Vec<_>>());
        let err = Settings::from_vars(&vars(&[("AOS_DATA_DIR", d), ("AOS_TOKEN_ENCRYPTION_KEY", &short)])).unwrap_err();
        assert!(
            err.to_string()
                .contains("AOS_TOKEN_ENCRYPTION_KEY: decodes to 31 bytes"),
            "{err}"
        );

        let bad_old = format!("k1:{short},k2:{k1},k3:{k3},k3:{k1},nocolon,bad id:{k1},k4:{k2}");
        let err = Settings::from_vars(&vars(&[
            ("AOS_DATA_DIR", d),
            ("AOS_TOKEN_ENCRYPTION_KEY", &k2),
            ("AOS_TOKEN_ENCRYPTION_KEY_ID", "k2"),
            ("AOS_TOKEN_ENCRYPTION_OLD_KEYS", &bad_old),
        ]))
        .unwrap_err();
        let text = err.to_string();
        for expected in [
            "key `k1` decodes to 31 bytes",
            "key id `k2` is used twice",
            "key id `k3` is used twice",
            "an entry is not `id:base64`",
            "`bad id` is not a valid key id",
            "key `k4` is the current AOS_TOKEN_ENCRYPTION_KEY",
        ] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
        assert!(
            !text.contains(&k1) && !text.contains(&k2) && !text.contains(&short),
            "{text}"
        );
        let err =
            Settings::from_vars(&vars(&[("AOS_DATA_DIR", d), ("AOS_TOKEN_ENCRYPTION_KEY_ID", "k:1")])).unwrap_err();
        assert_eq!(err.0[0].var, "AOS_TOKEN_ENCRYPTION_KEY_ID");

        // Production: no generated fallback, even with old keys configured.
        let err = Settings::from_vars(&vars(&[
            ("AOS_ENV", "production"),
            ("AOS_TOKEN_ENCRYPTION_OLD_KEYS", &format!("k0:{k1}")),
        ]))
        .unwrap_err();
        let missing = err
            .0
            .iter()
            .find(|p| p.var == "AOS_TOKEN_ENCRYPTION_KEY")
            .expect("the key is required");
        assert!(missing.problem.contains("required in production"), "{missing:?}");
    }
}
