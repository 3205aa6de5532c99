//! End-to-end tests of the HTTP API, each run against SQLite, PostgreSQL
//! (127.0.0.1:5432, database `test`) and MariaDB (127.0.0.1:3306, database
//! `test`), every test in a database of its own.

mod apps;
mod auth;
mod builds;
mod console;
mod containers;
mod deploy;
mod inspect;
mod instances;
mod jobs;
mod login;
mod namespaces;
mod overview;
mod preview;
mod support;
mod system;
mod upgrade;
