//! Upgrades: a database the release before the shared migration layout
//! made opens, migrates and reads back. `tests/fixtures/release/` holds what
//! that release (commit 16dbaa0) wrote through its API: its nine migrations
//! in `_sqlx_migrations`, the administrator, app `legacy`, job `nightly`
//! and one delayed run, as a SQLite file and as PostgreSQL and MariaDB
//! dumps of schema, rows and `_sqlx_migrations` alike. The migrator of this
//! build must accept every migration recorded there (sqlx refuses to start
//! when a version, description or checksum changed) and the rows must read
//! back through the API.

use crate::jobs::cron_job;
use crate::on_every_backend;
use crate::support::{Backend, TestEnv};
use axum::http::{Method, StatusCode};

/// Dialect name in `tests/fixtures/migrations-release.tsv`.
fn dialect(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::MariaDb => "mysql",
    }
}

async fn a_release_database_migrates_and_reads_back(backend: Backend) {
    // Connects, migrates with this build's migrator, logs in with the
    // administrator password the release hashed.
    let env = TestEnv::from_release(backend).await;
    let token = Some(env.admin.as_str());

    // The release's migrations stay recorded as it wrote them, and match
    // the checksums recorded from its migration files.
    let applied: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
            .fetch_all(env.state.db.pool())
            .await
            .unwrap();
    let released: Vec<(i64, String)> = include_str!("../fixtures/migrations-release.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f[0] == dialect(backend))
        .map(|f| (f[1].parse().unwrap(), f[3].to_string()))
        .collect();
    assert!(released.len() >= 9, "the fixture lists at least the nine migrations of the first release");
    let applied: Vec<(i64, String)> = applied.into_iter().map(|(v, c)| (v, hex::encode(c))).collect();
    assert_eq!(applied[..released.len()], released[..]);

    let apps = env.call(Method::GET, "/api/v1/apps", token, None).await;
    assert_eq!(apps.status, StatusCode::OK, "{apps:?}");
    let app = apps.body.as_array().unwrap().iter().find(|a| a["name"] == "legacy").expect("app legacy").clone();
    assert_eq!(app["description"], "made by the release");
    let app = app["id"].as_str().unwrap();

    let jobs = env.call(Method::GET, &format!("/api/v1/apps/{app}/jobs"), token, None).await;
    assert_eq!(jobs.body["total"], 1, "{jobs:?}");
    let job = jobs.body["items"][0]["id"].as_str().unwrap();
    let exported = env.call(Method::GET, &format!("/api/v1/jobs/{job}/export"), token, None).await;
    assert_eq!(exported.body, cron_job("nightly"), "the job reads back as the release saved it");

    let instances = env.call(Method::GET, &format!("/api/v1/apps/{app}/instances"), token, None).await;
    assert_eq!(instances.body["total"], 1, "{instances:?}");
    let instance = instances.body["items"][0]["id"].as_str().unwrap();
    let detail = env.call(Method::GET, &format!("/api/v1/instances/{instance}"), token, None).await;
    assert_eq!(detail.status, StatusCode::OK, "{detail:?}");
    assert_eq!(detail.body["status"], "WAITING_DISPATCH");
    assert_eq!(detail.body["jobId"], job);
    assert_eq!(detail.body["instanceParams"], "{\"day\":\"2026-12-08\"}");

    // The upgraded database takes writes as well.
    env.run(job).await;
    let canceled = env.call(Method::POST, &format!("/api/v1/instances/{instance}/cancel"), token, None).await;
    assert_eq!(canceled.body["status"], "CANCELED", "{canceled:?}");
    let again = env.call(Method::GET, &format!("/api/v1/apps/{app}/instances"), token, None).await;
    assert_eq!(again.body["total"], 2, "{again:?}");
}

on_every_backend!(a_release_database_migrates_and_reads_back);
