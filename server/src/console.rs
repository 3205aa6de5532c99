//! The web console: the static build of `console-web/` (a single-page
//! app), served at `/` as the router's fallback.
//!
//! The files are public (they carry no data; everything under `/api`
//! stays authenticated). Any `GET` that is not a file and not under
//! `/api/` or `/assets/` is answered with `index.html`, so the app's own
//! routes (`/jobs/123`) survive a reload; an unknown `/api/...` path stays
//! a JSON 404. `index.html` is revalidated on every load; the hashed files
//! under `/assets/` are cached for a year. When no build is found, `/`
//! says how to make one.

use crate::error::ErrorBody;
use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::Router;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// The console's Content-Security-Policy: everything from this server, no
/// framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     connect-src 'self'; frame-ancestors 'none'";

/// Where the build lands when the console is built in a checkout.
const BUILD_DIR: &str = "console-web/dist";

/// Where packages install the console.
const SYSTEM_DIR: &str = "/usr/share/wasmjob/console";

/// How to build the console, for the page shown without it.
pub const BUILD_COMMAND: &str = "npm --prefix console-web ci && npm --prefix console-web run build";

/// The console build being served, if one was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Console {
    dir: Option<PathBuf>,
}

impl Console {
    /// The console in `configured` when set (that directory only), else the
    /// first build found in `console-web/dist` under the current directory,
    /// `<executable's dir>/../../console-web/dist` (a checkout's
    /// `target/{debug,release}/wasmjob`) or `/usr/share/wasmjob/console`.
    /// A directory is a build when it holds an `index.html`. Logs one line
    /// saying which was found, or that none was.
    pub fn locate(configured: Option<&Path>) -> Self {
        let candidates = match configured {
            Some(dir) => vec![dir.to_path_buf()],
            None => {
                let cwd = std::env::current_dir().ok();
                let exe = std::env::current_exe().ok();
                candidates(cwd.as_deref(), exe.as_deref())
            }
        };
        let found = candidates.iter().find(|dir| is_build(dir)).map(|dir| dir.canonicalize().unwrap_or(dir.clone()));
        match (&found, configured) {
            (Some(dir), _) => tracing::info!(dir = %dir.display(), "serving the web console at /"),
            (None, Some(dir)) => tracing::warn!(
                dir = %dir.display(),
                "console_dir has no index.html: the web console is not served; build it with `{BUILD_COMMAND}`"
            ),
            (None, None) => tracing::info!(
                looked_in = ?candidates,
                "the web console is not built: / shows how to build it (`{BUILD_COMMAND}`)"
            ),
        }
        Self { dir: found }
    }

    /// The console in `dir`, or none: no search, no log.
    pub fn at(dir: Option<PathBuf>) -> Self {
        Self { dir }
    }

    /// The directory served, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// A router that answers every request with the console (meant as the
    /// fallback of the API's router).
    pub fn router(self) -> Router {
        Router::new().fallback(serve).with_state(Arc::new(self))
    }
}

/// Where to look for a build when none is configured, in order.
fn candidates(cwd: Option<&Path>, exe: Option<&Path>) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Some(cwd) = cwd {
        found.push(cwd.join(BUILD_DIR));
    }
    if let Some(dir) = exe.and_then(Path::parent) {
        found.push(dir.join("../..").join(BUILD_DIR));
    }
    found.push(PathBuf::from(SYSTEM_DIR));
    found
}

fn is_build(dir: &Path) -> bool {
    dir.join("index.html").is_file()
}

/// Whether `path` belongs to the API (and must never be the console).
fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Hashed build output: safe to cache for good.
fn is_asset(path: &str) -> bool {
    path.starts_with("/assets/")
}

/// The `cache-control` of a console response.
fn cache_control(path: &str, status: StatusCode) -> &'static str {
    if is_asset(path) && (status.is_success() || status == StatusCode::NOT_MODIFIED) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

async fn serve(State(console): State<Arc<Console>>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    if is_api(&path) {
        return api_not_found(request.method(), &path);
    }
    let mut response = match console.dir() {
        Some(dir) => from_build(dir, &path, request).await,
        None => not_built(request.method(), &path),
    };
    let cache = cache_control(&path, response.status());
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    response
}

/// The file the path names, else (for a `GET` outside `/assets/`)
/// `index.html`.
async fn from_build(dir: &Path, path: &str, request: Request) -> Response {
    let (method, headers) = (request.method().clone(), request.headers().clone());
    let response = match ServeDir::new(dir).oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    let page = matches!(method, Method::GET | Method::HEAD) && !is_asset(path);
    if response.status() != StatusCode::NOT_FOUND || !page {
        return response;
    }
    let mut index = Request::new(Body::empty());
    *index.method_mut() = method;
    *index.headers_mut() = headers;
    match ServeFile::new(dir.join("index.html")).oneshot(index).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

fn api_not_found(method: &Method, path: &str) -> Response {
    let path: String = path.chars().take(200).collect();
    let message = format!("there is no endpoint `{method} {path}`; the endpoints are listed at /api/v1/docs");
    (StatusCode::NOT_FOUND, Json(ErrorBody { error: "not_found", message, fields: Vec::new() })).into_response()
}

/// Without a build: a page that says how to make one, at `/` (404
/// elsewhere).
fn not_built(method: &Method, path: &str) -> Response {
    if !matches!(*method, Method::GET | Method::HEAD) {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response();
    }
    let status = if path == "/" || path == "/index.html" { StatusCode::OK } else { StatusCode::NOT_FOUND };
    (status, Html(NOT_BUILT_PAGE)).into_response()
}

const NOT_BUILT_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>wasmjob: the console is not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#222}
code,pre{background:#f3f3f3;border-radius:4px;padding:.1rem .3rem}pre{padding:.8rem;overflow-x:auto}</style></head>
<body>
<h1>The web console is not built</h1>
<p>This wasmjob server is running, but it found no build of the web console to serve here.
Build it from the repository's root:</p>
<pre>npm --prefix console-web ci &amp;&amp; npm --prefix console-web run build</pre>
<p>then restart the server. It looks in <code>console-web/dist</code> under its working directory,
next to a checkout's <code>target/{debug,release}/wasmjob</code>, and in <code>/usr/share/wasmjob/console</code>;
or name the directory with <code>console_dir</code> in the configuration file, <code>WASMJOB_CONSOLE_DIR</code>
or <code>--console-dir</code>.</p>
<p>The API works without the console: it is at <code>/api/v1</code>, listed at <a href="/api/v1/docs">/api/v1/docs</a>
(with a token from <code>POST /api/v1/auth/login</code>), and the <code>wasmjob</code> command is its client.</p>
</body>
</html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_are_looked_for_in_order() {
        let found = candidates(Some(Path::new("/work")), Some(Path::new("/repo/target/release/wasmjob")));
        assert_eq!(
            found,
            [
                PathBuf::from("/work/console-web/dist"),
                PathBuf::from("/repo/target/release/../../console-web/dist"),
                PathBuf::from("/usr/share/wasmjob/console"),
            ]
        );
        assert_eq!(candidates(None, None), [PathBuf::from("/usr/share/wasmjob/console")]);
    }

    #[test]
    fn a_build_is_a_directory_with_an_index() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_build(dir.path()));
        std::fs::write(dir.path().join("index.html"), "<!doctype html>").unwrap();
        assert!(is_build(dir.path()));
        assert_eq!(Console::locate(Some(dir.path())).dir(), Some(dir.path().canonicalize().unwrap().as_path()));
        assert_eq!(Console::locate(Some(&dir.path().join("missing"))).dir(), None);
    }

    #[test]
    fn only_hashed_assets_are_cached_for_good() {
        assert_eq!(cache_control("/assets/index-3f2a.js", StatusCode::OK), "public, max-age=31536000, immutable");
        assert_eq!(
            cache_control("/assets/index-3f2a.js", StatusCode::NOT_MODIFIED),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("/assets/missing.js", StatusCode::NOT_FOUND), "no-cache");
        assert_eq!(cache_control("/", StatusCode::OK), "no-cache");
        assert_eq!(cache_control("/jobs/123", StatusCode::OK), "no-cache");
        assert_eq!(cache_control("/assetsx.js", StatusCode::OK), "no-cache");
    }

    #[test]
    fn api_paths_are_never_the_console() {
        assert!(is_api("/api") && is_api("/api/") && is_api("/api/v1/nope"));
        assert!(!is_api("/apis") && !is_api("/") && !is_api("/jobs/api"));
    }
}
