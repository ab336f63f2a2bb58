//! Spawning the real app on 127.0.0.1:0 with a fresh SQLite file, or a fresh Postgres database per test
//! when `AOS_TEST_POSTGRES_URL` is set; a log sink that captures everything the app logs.

use std::collections::HashMap;
use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::web;
use audienceos_api::config::{LogFormat, Settings};
use audienceos_api::startup::Application;
use audienceos_api::state::AppState;
use audienceos_api::store::Store;
use audienceos_shared::auth::Me;
use serde_json::{json, Value};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Run one async test body on SQLite, and again on Postgres. The Postgres variant is `#[ignore]`d so a
/// run without a server reports it as skipped (visibly, in the summary's count) rather than passed;
/// `scripts/test` runs it with `--run-ignored all` when `AOS_TEST_POSTGRES_URL` is set, and it fails
/// loudly when run without one.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
                #[tokio::test]
                #[ignore = "Postgres: needs AOS_TEST_POSTGRES_URL (scripts/test runs it when set)"]
                async fn postgres() {
                    super::$name($crate::helpers::Backend::Postgres).await;
                }
            }
        )*
    };
}

// ---- log capture ----

#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        if std::env::var_os("TEST_LOG").is_some() {
            std::io::stderr().write_all(buf)?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

static LOGS: OnceLock<LogBuffer> = OnceLock::new();

/// Everything logged so far by every test of this binary.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&logs().0.lock().unwrap()).into_owned()
}

fn logs() -> &'static LogBuffer {
    LOGS.get_or_init(|| {
        let buf = LogBuffer::default();
        let writer = buf.clone();
        audienceos_api::telemetry::init(
            LogFormat::Json,
            "debug,sqlx=info,hyper=info,h2=info,rustls=info,reqwest=info,cookie_store=off,actix_server=info",
            move || writer.clone(),
        )
        .expect("tracing initialised once");
        buf
    })
}

// ---- databases ----

/// A Postgres database made for one test, dropped afterwards.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create() -> Self {
        use sqlx::Connection as _;
        let admin_url = std::env::var("AOS_TEST_POSTGRES_URL").expect("AOS_TEST_POSTGRES_URL");
        let name = format!("aos_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to AOS_TEST_POSTGRES_URL");
        sqlx::query(&format!("create database {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let mut url = url::Url::parse(&admin_url).expect("AOS_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Self {
            admin_url,
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sqlx::Connection as _;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("drop database if exists {name} with (force)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

// ---- the app ----

/// A browser: a cookie jar and the CSRF token of its session.
pub struct Browser {
    pub addr: String,
    pub client: reqwest::Client,
    pub csrf: Mutex<Option<String>>,
}

pub struct TestApp {
    /// The default browser (`app.get(..)` and friends go through it).
    pub browser: Browser,
    pub store: Store,
    pub state: web::Data<AppState>,
    pub data_dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

impl std::ops::Deref for TestApp {
    type Target = Browser;
    fn deref(&self) -> &Browser {
        &self.browser
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// Spawn with extra `AOS_*` variables (for example tighter rate limits).
pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    logs();
    let data_dir = tempfile::tempdir().unwrap();
    let pg = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(PgDatabase::create().await),
    };
    let db_url = match &pg {
        Some(pg) => pg.url.clone(),
        None => format!("sqlite://{}/test.db", data_dir.path().display()),
    };
    let mut vars: HashMap<String, String> = [
        ("AOS_DATA_DIR", data_dir.path().to_str().unwrap()),
        ("AOS_DATABASE_URL", db_url.as_str()),
        ("AOS_BIND", "127.0.0.1:0"),
        ("AOS_PUBLIC_URL", "http://app.test"),
        ("AOS_JOB_POLL_MS", "50"),
        // No periodic alert-rules job unless a test asks for one: it would race tests that claim jobs.
        ("AOS_ALERT_RULES_INTERVAL_SECS", "0"),
        // Likewise no scheduled integration syncs: tests sync with "Sync now" or by running the job.
        ("AOS_INTEGRATION_SYNC_INTERVAL_SECS", "0"),
        ("AOS_RATE_LIMIT_AUTH_IP", "1000/minute"),
        ("AOS_RATE_LIMIT_AUTH_ACCOUNT", "1000/minute"),
        ("AOS_WEB_DIST", data_dir.path().join("dist").to_str().unwrap()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    let settings = Settings::from_vars(&vars).expect("test settings are valid");
    let store = Store::for_settings(&settings).await.expect("connect");
    store.migrate().await.expect("migrate");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::with_store(settings, store.clone(), listener).expect("build app");
    let addr = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        browser: Browser::new(&addr),
        store,
        state,
        data_dir,
        _pg: pg,
    }
}

impl TestApp {
    /// A second API process on the same database, with its own caches, limiter and clock (a deployment of
    /// several instances); returns its base address.
    pub async fn second_instance(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let app =
            Application::with_store((*self.state.settings).clone(), self.store.clone(), listener).expect("build app");
        let addr = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        addr
    }
}

/// A unique, valid sign-up body.
pub fn signup_body() -> Value {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    json!({
        "agency_name": format!("Agency {}", &tag[..6]),
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": format!("grace+{}@example.test", &tag[..12]),
        "password": format!("pw-{}", &tag[..16]),
    })
}

impl TestApp {
    /// Another browser on the same server, with its own cookies.
    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.browser.addr)
    }

    /// A new active user of the agency with a system role, signed in in a browser of their own.
    pub async fn add_user(
        &self,
        agency_id: uuid::Uuid,
        role: audienceos_shared::permissions::SystemRole,
    ) -> (Browser, Me) {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let email = format!("{}+{}@example.test", role.name().to_lowercase(), &tag[..12]);
        let password = format!("pw-{}", &tag[..16]);
        let hash = self.state.hasher.hash(password.clone().into()).await.unwrap();
        let role_row = self.store.get_system_role(agency_id, role).await.unwrap();
        self.store
            .insert_user(
                agency_id,
                role_row.id,
                &email,
                role.name(),
                "Tester",
                &hash,
                audienceos_api::clock::system_now(),
            )
            .await
            .unwrap();
        let browser = self.new_browser();
        let me = browser.sign_in(&email, &password).await;
        (browser, me)
    }

    /// Make `users` the collaborators of `client` (granting a Member its threads and list entry), as an
    /// admin would through the API.
    pub async fn set_collaborators(&self, client: uuid::Uuid, users: &[uuid::Uuid]) {
        let res = self
            .put(
                &format!("/api/v1/clients/{client}/collaborators"),
                &json!({ "user_ids": users }),
            )
            .await;
        assert_eq!(res.status(), 200);
    }

    /// Wait until the job worker has written `n` emails into the development outbox; returns their text.
    pub async fn outbox(&self, n: usize) -> Vec<String> {
        let dir = self.data_dir.path().join("outbox");
        for _ in 0..200 {
            let mut mails: Vec<String> = std::fs::read_dir(&dir)
                .map(|it| {
                    it.filter_map(|e| e.ok())
                        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                        .collect()
                })
                .unwrap_or_default();
            if mails.len() >= n {
                mails.sort();
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("expected {n} email(s) in {}", dir.display());
    }
}

impl Browser {
    pub fn new(addr: &str) -> Self {
        Self {
            addr: addr.to_string(),
            client: reqwest::Client::builder().cookie_store(true).build().unwrap(),
            csrf: Mutex::new(None),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GET and read the body as JSON (whatever the status).
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let res = self.get(path).await;
        res.json().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// POST JSON with the session's CSRF token.
    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = self.csrf.lock().unwrap().clone() {
            req = req.header("X-CSRF-Token", t);
        }
        req.send().await.unwrap()
    }

    /// A request with an API key (`Authorization: Bearer`), without this browser's cookies or CSRF token.
    pub fn key_request(&self, method: reqwest::Method, path: &str, secret: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .request(method, self.url(path))
            .bearer_auth(secret)
    }

    /// GET with an API key only.
    pub async fn key_get(&self, path: &str, secret: &str) -> reqwest::Response {
        self.key_request(reqwest::Method::GET, path, secret)
            .send()
            .await
            .unwrap()
    }

    /// DELETE with an API key only.
    pub async fn key_delete(&self, path: &str, secret: &str) -> reqwest::Response {
        self.key_request(reqwest::Method::DELETE, path, secret)
            .send()
            .await
            .unwrap()
    }

    /// A request by method name ("GET", "POST", "PATCH", "PUT" or "DELETE"); `body` goes with the three that
    /// take one.
    pub async fn send(&self, method: &str, path: &str, body: &Value) -> reqwest::Response {
        match method {
            "GET" => self.get(path).await,
            "POST" => self.post(path, body).await,
            "PATCH" => self.patch(path, body).await,
            "PUT" => self.put(path, body).await,
            "DELETE" => self.delete(path).await,
            _ => panic!("no such method in the tests: {method}"),
        }
    }

    /// POST JSON and read the answer as JSON (whatever the status).
    pub async fn post_json<T: serde::de::DeserializeOwned>(&self, path: &str, body: &Value) -> T {
        let res = self.post(path, body).await;
        res.json().await.unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// POST JSON, expect `status`, and read the answer as JSON.
    pub async fn post_expecting<T: serde::de::DeserializeOwned>(&self, path: &str, body: &Value, status: u16) -> T {
        let res = self.post(path, body).await;
        assert_eq!(res.status(), status, "POST {path}");
        res.json().await.unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// PATCH JSON and read the answer as JSON (whatever the status).
    pub async fn patch_json<T: serde::de::DeserializeOwned>(&self, path: &str, body: &Value) -> T {
        let res = self.patch(path, body).await;
        res.json().await.unwrap_or_else(|e| panic!("PATCH {path}: {e}"))
    }

    /// PATCH JSON with the session's CSRF token.
    pub async fn patch(&self, path: &str, body: &Value) -> reqwest::Response {
        self.with_csrf(self.client.patch(self.url(path)).json(body))
            .send()
            .await
            .unwrap()
    }

    /// PUT JSON with the session's CSRF token.
    pub async fn put(&self, path: &str, body: &Value) -> reqwest::Response {
        self.with_csrf(self.client.put(self.url(path)).json(body))
            .send()
            .await
            .unwrap()
    }

    /// Any request builder with the session's CSRF token added (for raw bodies and multipart).
    pub fn with_csrf(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.csrf.lock().unwrap().clone() {
            Some(t) => req.header("X-CSRF-Token", t),
            None => req,
        }
    }

    /// Sign in and keep the session and its CSRF token.
    pub async fn sign_in(&self, email: &str, password: &str) -> Me {
        let res = self.login(email, password).await;
        assert_eq!(res.status(), 200, "login failed: {}", res.text().await.unwrap());
        let me: Me = res.json().await.unwrap();
        *self.csrf.lock().unwrap() = Some(me.csrf_token.clone());
        me
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        let mut req = self.client.delete(self.url(path));
        if let Some(t) = self.csrf.lock().unwrap().clone() {
            req = req.header("X-CSRF-Token", t);
        }
        req.send().await.unwrap()
    }

    /// Sign up a new agency and keep the session; returns the body used and the `Me`.
    pub async fn signup(&self) -> (Value, Me) {
        let body = signup_body();
        let res = self.post_signup(&body).await;
        assert_eq!(res.status(), 201, "signup failed: {}", res.text().await.unwrap());
        let me: Me = res.json().await.unwrap();
        *self.csrf.lock().unwrap() = Some(me.csrf_token.clone());
        (body, me)
    }

    /// POST a sign-up body as it is (no session needed); the raw response.
    pub async fn post_signup(&self, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/signup"))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        let res = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        res
    }
}

/// Decode quoted-printable soft breaks and `=3D` enough to read links.
pub fn unfold_qp(eml: &str) -> String {
    eml.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// The token that follows `marker` (e.g. `/intake/`) in a link of an email.
pub fn link_token(eml: &str, marker: &str) -> String {
    let text = unfold_qp(eml);
    let start = text.find(marker).unwrap_or_else(|| panic!("a link with {marker}")) + marker.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The reset token in an email.
pub fn reset_token(eml: &str) -> String {
    link_token(eml, "/reset-password?token=")
}

/// The app pointed at a fresh set of provider fakes (Google, Slack, Meta) with their OAuth clients and a
/// Google Ads developer token configured.
pub async fn spawn_with_fakes(backend: Backend) -> (TestApp, audienceos_fakes::ProviderFakes) {
    spawn_with_fakes_and(backend, &[]).await
}

/// [`spawn_with_fakes`] with extra `AOS_*` variables.
pub async fn spawn_with_fakes_and(
    backend: Backend,
    extra: &[(&str, &str)],
) -> (TestApp, audienceos_fakes::ProviderFakes) {
    let fakes = audienceos_fakes::ProviderFakes::builder()
        .developer_token(FAKE_DEVELOPER_TOKEN)
        .start("127.0.0.1:0")
        .expect("start the provider fakes");
    spawn_on_fakes(backend, fakes, extra).await
}

/// The app pointed at the given provider fakes: their OAuth clients and API bases, the Google Ads developer
/// token, and extra `AOS_*` variables.
pub async fn spawn_on_fakes(
    backend: Backend,
    fakes: audienceos_fakes::ProviderFakes,
    extra: &[(&str, &str)],
) -> (TestApp, audienceos_fakes::ProviderFakes) {
    use audienceos_fakes::Provider;
    let mut vars: Vec<(String, String)> = Vec::new();
    for (name, p) in [
        ("GOOGLE", Provider::Google),
        ("SLACK", Provider::Slack),
        ("META", Provider::Meta),
    ] {
        let (id, secret) = fakes.client(p);
        vars.push((format!("AOS_{name}_CLIENT_ID"), id));
        vars.push((format!("AOS_{name}_CLIENT_SECRET"), secret));
        vars.push((format!("AOS_{name}_API_BASE"), fakes.api_base(p)));
    }
    vars.push(("AOS_GOOGLE_ADS_DEVELOPER_TOKEN".into(), FAKE_DEVELOPER_TOKEN.into()));
    let mut all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    all.extend_from_slice(extra);
    (spawn_app_with(backend, &all).await, fakes)
}

/// The Google Ads developer token the fakes accept.
pub const FAKE_DEVELOPER_TOKEN: &str = "fake-developer-token";

/// The consent step of an OAuth connect, done as a person on the fake's consent page would: returns the
/// callback URL (on the app's address) the provider redirected to.
pub async fn consent(browser: &Browser, authorize_url: &str, decision: &str) -> String {
    let url = url::Url::parse(authorize_url).unwrap();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("decision".into(), decision.into()));
    let mut action = url.clone();
    action.set_query(None);
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The page renders (as a browser would see it) ...
    let page = plain.get(authorize_url).send().await.unwrap();
    assert_eq!(page.status(), 200, "consent page");
    // ... and its Allow/Deny button posts the form back.
    let res = plain.post(action.as_str()).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 302, "consent decision redirects back");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    // The provider redirects to AOS_PUBLIC_URL; the test app listens on its own address.
    let back = url::Url::parse(&location).unwrap();
    browser.url(&format!("{}?{}", back.path(), back.query().unwrap_or_default()))
}

impl Browser {
    /// Connect `provider` through the fake consent page; returns the integration as the callback answers it.
    pub async fn connect(&self, provider: &str) -> Value {
        let res = self
            .post("/api/v1/integrations/connect", &json!({ "provider": provider }))
            .await;
        assert_eq!(res.status(), 200, "connect {provider}");
        let body: Value = res.json().await.unwrap();
        let callback = consent(self, body["authorize_url"].as_str().unwrap(), "allow").await;
        let res = self.callback(&callback).await;
        assert_eq!(res.status(), 200, "callback of {provider}");
        res.json().await.unwrap()
    }

    /// Follow an OAuth callback URL asking for JSON, as the SPA does.
    pub async fn callback(&self, url: &str) -> reqwest::Response {
        self.client
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .unwrap()
    }
}
