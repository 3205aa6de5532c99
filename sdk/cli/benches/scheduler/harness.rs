//! A running server with the bench app, its component and one connected worker, on SQLite or in a fresh PostgreSQL schema.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum DbKind {
    Sqlite,
    Postgres,
}

/// A fresh PostgreSQL schema, dropped when the scenario ends.
pub(crate) struct PgSchema {
    pub(crate) base: String,
    pub(crate) name: String,
}

impl PgSchema {
    pub(crate) fn create() -> Result<PgSchema> {
        let base =
            std::env::var("WASMJOB_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let name = format!("wjb_bench_{}_{nanos}", std::process::id());
        pg_execute(&base, &format!("CREATE SCHEMA {name}"))
            .with_context(|| format!("cannot create a schema in {base} (set WASMJOB_BENCH_PG)"))?;
        Ok(PgSchema { base, name })
    }

    pub(crate) fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}", self.base, self.name)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Err(e) = pg_execute(&self.base, &format!("DROP SCHEMA {} CASCADE", self.name)) {
            eprintln!("warning: could not drop schema {}: {e:#}", self.name);
        }
    }
}

pub(crate) fn pg_execute(url: &str, sql: &str) -> Result<()> {
    use sqlx::Connection;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let mut conn = tokio::time::timeout(Duration::from_secs(10), sqlx::PgConnection::connect(url))
            .await
            .map_err(|_| anyhow!("connecting to PostgreSQL timed out"))??;
        sqlx::raw_sql(sql).execute(&mut conn).await?;
        conn.close().await?;
        Ok(())
    })
}

/// A running server with the `bench` app, its `standalone` container and
/// one connected worker of that app.
pub(crate) struct Bench {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) state: AppState,
    pub(crate) admin: Api,
    pub(crate) app_id: String,
    pub(crate) database: String,
    pub(crate) stop_worker: Option<tokio::sync::oneshot::Sender<()>>,
    pub(crate) worker: Option<tokio::task::JoinHandle<wasmjob_host::Result<()>>>,
    // Dropped after the runtime: the schema goes once the pool is gone.
    pub(crate) _schema: Option<PgSchema>,
    pub(crate) _dir: tempfile::TempDir,
}

impl Bench {
    pub(crate) fn start(kind: DbKind, wasm: &[u8]) -> Result<Bench> {
        let dir = tempfile::tempdir()?;
        let schema = match kind {
            DbKind::Sqlite => None,
            DbKind::Postgres => Some(PgSchema::create()?),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        // The server listens for Ctrl-C to shut down gracefully, which
        // takes the signal from the process: end the bench on it instead.
        runtime.spawn(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("interrupted");
                std::process::exit(130);
            }
        });
        let config = ServerConfig {
            listen: ([127, 0, 0, 1], 0).into(),
            data_dir: dir.path().join("server"),
            database_url: schema.as_ref().map(PgSchema::url),
            admin_password: Some(ADMIN_PASSWORD.into()),
            ..ServerConfig::default()
        };
        let started = runtime.block_on(wasmjob_server::start(config)).context("starting the server")?;
        let base = format!("http://{}", started.listener.local_addr()?);
        let state = started.state.clone();
        let database = runtime.block_on(describe_database(&state, kind, &dir))?;
        runtime.spawn(async move {
            if let Err(e) = wasmjob_server::serve(started).await {
                eprintln!("the server stopped: {e:#}");
            }
        });
        let admin = Api::login(&base)?;
        let created = admin.post("/apps", &json!({"name": APP}))?;
        let app_id = created["app"]["id"].as_str().ok_or_else(|| anyhow!("no app id in {created}"))?.to_string();
        let secret = created["secret"].as_str().ok_or_else(|| anyhow!("no secret in {created}"))?.to_string();
        admin.post_bytes(&format!("/apps/{app_id}/containers/standalone/versions"), wasm)?;
        // A worker is built inside the runtime it will run on.
        let _inside = runtime.enter();
        let worker = Worker::new(WorkerConfig::new(
            base.clone(),
            Credentials::App { name: APP.into(), secret },
            dir.path().join("worker"),
        ))?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let worker = runtime.spawn(worker.run(async move {
            let _ = stop_rx.await;
        }));
        let app = Id(app_id.parse()?);
        wait_until(Duration::from_secs(30), Duration::from_millis(10), "the worker to connect", || {
            if worker.is_finished() {
                bail!("the worker stopped before connecting");
            }
            Ok((!state.workers.of_app(app).is_empty(), "not registered".into()))
        })?;
        Ok(Bench {
            runtime,
            state,
            admin,
            app_id,
            database,
            stop_worker: Some(stop_tx),
            worker: Some(worker),
            _schema: schema,
            _dir: dir,
        })
    }

    pub(crate) fn api_job(&self, name: &str) -> Result<String> {
        let job = self.admin.post(
            &format!("/apps/{}/jobs", self.app_id),
            &json!({
                "name": name, "timeExpressionType": "API", "executeType": "STANDALONE",
                "processorType": "WASM", "processorInfo": "standalone", "jobParams": "{\"bench\":true}"
            }),
        )?;
        Ok(job["id"].as_str().ok_or_else(|| anyhow!("no job id in {job}"))?.to_string())
    }

    /// Runs a query on the server's own pool.
    pub(crate) fn query<T>(&self, sql: &'static str, binds: &[i64]) -> Result<Vec<T>>
    where
        T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let db = &self.state.db;
        let text = db.sql(sql);
        let mut query = sqlx::query_as::<_, T>(&text);
        for bind in binds {
            query = query.bind(*bind);
        }
        Ok(self.runtime.block_on(query.fetch_all(db.pool()))?)
    }

    pub(crate) fn finish(mut self) {
        if let Some(stop) = self.stop_worker.take() {
            let _ = stop.send(());
        }
        if let Some(worker) = self.worker.take() {
            match self.runtime.block_on(async { tokio::time::timeout(Duration::from_secs(10), worker).await }) {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => eprintln!("warning: the worker ended with an error: {e}"),
                Ok(Err(e)) => eprintln!("warning: the worker task failed: {e}"),
                Err(_) => eprintln!("warning: the worker did not stop within 10 s"),
            }
        }
        let Bench { runtime, state, admin, _schema, _dir, .. } = self;
        drop((state, admin));
        runtime.shutdown_timeout(Duration::from_secs(5));
        drop(_schema);
        drop(_dir);
    }
}

pub(crate) async fn describe_database(state: &AppState, kind: DbKind, dir: &tempfile::TempDir) -> Result<String> {
    let sql = match kind {
        DbKind::Sqlite => "SELECT sqlite_version()",
        DbKind::Postgres => "SELECT version()",
    };
    let version: String = sqlx::query_scalar(sql).fetch_one(state.db.pool()).await?;
    Ok(match kind {
        DbKind::Sqlite => {
            format!("SQLite {version}, file in {} (WAL, synchronous=NORMAL, pool of 4)", dir.path().display())
        }
        DbKind::Postgres => {
            let short: String = version.split(" on ").next().unwrap_or(&version).to_string();
            format!("{short} at 127.0.0.1:5432 (fresh schema, pool of 16)")
        }
    })
}

pub(crate) type Times = (i64, Option<i64>, Option<i64>, i64, String);
