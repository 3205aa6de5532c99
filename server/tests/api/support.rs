//! The test environment: a fresh database per test on the chosen backend,
//! the real router, and helpers to call it.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;
use wasmjob_server::containers::{ArtifactStore, Inspector};
use wasmjob_server::ids::IdGenerator;
use wasmjob_server::{AppState, Database, ServerConfig};

pub const ADMIN_PASSWORD: &str = "test-admin-password";

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
    MariaDb,
}

/// Runs a test function once per backend, each in its own test.
#[macro_export]
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name($crate::support::Backend::Sqlite).await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::$name($crate::support::Backend::Postgres).await } )* }
        mod mariadb { $( #[tokio::test] async fn $name() { super::$name($crate::support::Backend::MariaDb).await } )* }
    };
}

/// Drops the test's database when the test ends.
struct Scratch {
    backend: Backend,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let (backend, name) = (self.backend, self.name.clone());
        let statement = match backend {
            Backend::Sqlite => return,
            Backend::Postgres => format!("DROP SCHEMA IF EXISTS {name} CASCADE"),
            Backend::MariaDb => format!("DROP DATABASE IF EXISTS {name}"),
        };
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                if let Ok(db) = Database::connect(admin_url(backend)).await {
                    let _ = sqlx::query(&statement).execute(db.pool()).await;
                }
            });
        })
        .join();
    }
}

fn admin_url(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => unreachable!(),
        Backend::Postgres => "postgres://postgres@127.0.0.1:5432/test",
        Backend::MariaDb => "mysql://root@127.0.0.1:3306/test",
    }
}

async fn scratch_database(backend: Backend) -> (String, Scratch) {
    let name = format!("wjt_{:016x}", rand_u64());
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            (url, Scratch { backend, name, _dir: Some(dir) })
        }
        Backend::Postgres => {
            let admin = Database::connect(admin_url(backend)).await.expect("PostgreSQL at 127.0.0.1:5432");
            sqlx::query(&format!("CREATE SCHEMA {name}")).execute(admin.pool()).await.unwrap();
            let url = format!("{}?options=-c%20search_path%3D{name}", admin_url(backend));
            (url, Scratch { backend, name, _dir: None })
        }
        Backend::MariaDb => {
            let admin = Database::connect(admin_url(backend)).await.expect("MariaDB at 127.0.0.1:3306");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(admin.pool()).await.unwrap();
            (format!("mysql://root@127.0.0.1:3306/{name}"), Scratch { backend, name, _dir: None })
        }
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// A migrated database, the router and an administrator's token.
pub struct TestEnv {
    pub router: Router,
    pub state: AppState,
    pub admin: String,
    /// Where the artifact store writes.
    pub artifacts_dir: tempfile::TempDir,
    _scratch: Scratch,
}

/// A response: status and JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl TestEnv {
    pub async fn new(backend: Backend) -> Self {
        Self::with_config(backend, |_| {}).await
    }

    /// [`TestEnv::new`] with the server configuration changed by `edit`.
    pub async fn with_config(backend: Backend, edit: impl FnOnce(&mut ServerConfig)) -> Self {
        let (url, scratch) = scratch_database(backend).await;
        Self::start(url, scratch, edit).await
    }

    /// [`TestEnv::new`] on a copy of the database the release before the
    /// shared migration layout made (`tests/fixtures/release/`, see
    /// `upgrade.rs`), migrated by this build.
    pub async fn from_release(backend: Backend) -> Self {
        let (url, scratch) = scratch_database(backend).await;
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release");
        match backend {
            Backend::Sqlite => {
                let dir = scratch._dir.as_ref().unwrap().path();
                std::fs::copy(fixtures.join("sqlite.db"), dir.join("test.db")).unwrap();
            }
            Backend::Postgres | Backend::MariaDb => {
                let name = if matches!(backend, Backend::Postgres) { "postgres.sql" } else { "mariadb.sql" };
                let dump = std::fs::read_to_string(fixtures.join(name)).unwrap();
                let db = Database::connect(&url).await.unwrap();
                sqlx::raw_sql(&dump).execute(db.pool()).await.unwrap();
                db.pool().close().await;
            }
        }
        Self::start(url, scratch, |_| {}).await
    }

    /// Opens and migrates the database at `url`, then logs the administrator in.
    async fn start(url: String, scratch: Scratch, edit: impl FnOnce(&mut ServerConfig)) -> Self {
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn").try_init();
        let db = Database::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let ids = Arc::new(IdGenerator::random());
        wasmjob_server::auth::ensure_admin(&db, &ids, Some(ADMIN_PASSWORD)).await.unwrap();
        let mut config = ServerConfig { database_url: Some(url), ..ServerConfig::default() };
        edit(&mut config);
        let artifacts_dir = tempfile::tempdir().unwrap();
        // Compiled components are shared by every test: each compiles once per machine.
        let inspector = Inspector::new(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasmjob-compiled"));
        let artifacts = Arc::new(ArtifactStore::directory(artifacts_dir.path(), inspector).unwrap());
        let state = AppState::new(db, ids, Arc::new(config), artifacts);
        let router = wasmjob_server::api::app(state.clone());
        let mut env = TestEnv { router, state, admin: String::new(), artifacts_dir, _scratch: scratch };
        let login = env
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD})),
            )
            .await;
        assert_eq!(login.status, StatusCode::OK, "{login:?}");
        env.admin = login.body["token"].as_str().unwrap().to_string();
        env
    }

    /// Calls the router with an optional token and JSON body.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request.header("content-type", "application/json").body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        self.send(request).await
    }

    /// Sends a prepared request.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, body }
    }

    /// Creates a job in `app` as the administrator; returns its id.
    pub async fn job(&self, app: &str, spec: Value) -> String {
        let created = self.call(Method::POST, &format!("/api/v1/apps/{app}/jobs"), Some(&self.admin), Some(spec)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
        created.body["id"].as_str().unwrap().to_string()
    }

    /// Runs a job through the API as the administrator; returns the instance id.
    pub async fn run(&self, job: &str) -> String {
        let run = self
            .call(Method::POST, &format!("/api/v1/jobs/{job}/run"), Some(&self.admin), Some(serde_json::json!({})))
            .await;
        assert_eq!(run.status, StatusCode::CREATED, "{run:?}");
        run.body["id"].as_str().unwrap().to_string()
    }

    /// Creates an app; returns its id and a token from its name + secret.
    pub async fn app(&self, name: &str) -> (String, String) {
        let created =
            self.call(Method::POST, "/api/v1/apps", Some(&self.admin), Some(serde_json::json!({"name": name}))).await;
        assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
        let id = created.body["app"]["id"].as_str().unwrap().to_string();
        let secret = created.body["secret"].as_str().unwrap();
        let login = self
            .call(Method::POST, "/api/v1/auth/login", None, Some(serde_json::json!({"app": name, "secret": secret})))
            .await;
        assert_eq!(login.status, StatusCode::OK, "{login:?}");
        (id, login.body["token"].as_str().unwrap().to_string())
    }
}
