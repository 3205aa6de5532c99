//! The web console at `/`: files of its build, `index.html` for the app's
//! own routes, cache and security headers, a JSON 404 under `/api`, and a
//! page that says how to build it when there is no build. The console
//! does not touch the database: SQLite only.

use crate::support::{Backend, TestEnv};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

const INDEX: &str = "<!doctype html><title>console</title><div id=root></div>";
const SCRIPT: &str = "console.log('wasmjob');";

/// Status, headers and body of `method path` (no token: the console is public).
async fn fetch(env: &TestEnv, method: Method, path: &str) -> (StatusCode, HeaderMap, String) {
    let request = Request::builder().method(method).uri(path).body(Body::empty()).unwrap();
    let response = env.router.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or_default()
}

fn assert_secure(path: &str, headers: &HeaderMap) {
    assert_eq!(header(headers, "x-content-type-options"), "nosniff", "{path}");
    assert_eq!(header(headers, "x-frame-options"), "DENY", "{path}");
    assert_eq!(header(headers, "referrer-policy"), "no-referrer", "{path}");
    assert_eq!(header(headers, "content-security-policy"), wasmjob_server::console::CONTENT_SECURITY_POLICY, "{path}");
    assert!(header(headers, "content-security-policy").contains("frame-ancestors 'none'"), "{path}");
}

#[tokio::test]
async fn the_build_is_served_with_its_routes_and_headers() {
    let build = tempfile::tempdir().unwrap();
    std::fs::write(build.path().join("index.html"), INDEX).unwrap();
    std::fs::create_dir(build.path().join("assets")).unwrap();
    std::fs::write(build.path().join("assets/x.js"), SCRIPT).unwrap();
    std::fs::write(build.path().join("favicon.svg"), "<svg/>").unwrap();
    let dir = build.path().to_path_buf();
    let env = TestEnv::with_config(Backend::Sqlite, move |config| config.console_dir = Some(dir)).await;

    for path in ["/", "/index.html", "/jobs/123", "/apps/1/containers/reports?tab=versions"] {
        let (status, headers, body) = fetch(&env, Method::GET, path).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, INDEX), "{path}");
        assert!(header(&headers, "content-type").starts_with("text/html"), "{path}: {headers:?}");
        assert_eq!(header(&headers, "cache-control"), "no-cache", "{path}");
        assert_secure(path, &headers);
    }
    let (status, headers, body) = fetch(&env, Method::GET, "/assets/x.js").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, SCRIPT));
    assert!(header(&headers, "content-type").contains("javascript"), "{headers:?}");
    assert_eq!(header(&headers, "cache-control"), "public, max-age=31536000, immutable");
    assert_secure("/assets/x.js", &headers);
    let (status, headers, body) = fetch(&env, Method::GET, "/favicon.svg").await;
    assert_eq!((status, body.as_str(), header(&headers, "cache-control")), (StatusCode::OK, "<svg/>", "no-cache"));
    let (status, headers, _) = fetch(&env, Method::HEAD, "/jobs/123").await;
    assert_eq!(status, StatusCode::OK, "HEAD works like GET");
    assert_secure("HEAD /jobs/123", &headers);

    // A missing asset is missing, not the page (which would be cached for good).
    let (status, headers, body) = fetch(&env, Method::GET, "/assets/gone.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(body, INDEX);
    assert_eq!(header(&headers, "cache-control"), "no-cache");
    // No escaping the build.
    let (_, _, body) = fetch(&env, Method::GET, "/assets/../../../etc/passwd").await;
    assert!(!body.contains("root:"), "{body}");

    // The API stays the API: JSON 404s, and its endpoints need a token.
    for path in ["/api/v1/nope", "/api/v2/jobs", "/api", "/api/"] {
        let (status, headers, body) = fetch(&env, Method::GET, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(header(&headers, "content-type").starts_with("application/json"), "{path}: {headers:?}");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error"], "not_found", "{path}");
    }
    let (status, _, _) = fetch(&env, Method::POST, "/api/v1/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = fetch(&env, Method::GET, "/api/v1/system/info").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the console's files are public, the API is not");
    let (status, _, body) = fetch(&env, Method::GET, "/health").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn without_a_build_the_page_says_how_to_make_one() {
    let missing = tempfile::tempdir().unwrap();
    let dir = missing.path().join("dist");
    let env = TestEnv::with_config(Backend::Sqlite, move |config| config.console_dir = Some(dir)).await;
    let (status, headers, body) = fetch(&env, Method::GET, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(header(&headers, "content-type").starts_with("text/html"), "{headers:?}");
    assert!(body.contains("not built"), "{body}");
    assert!(body.contains("npm --prefix console-web ci &amp;&amp; npm --prefix console-web run build"), "{body}");
    assert_secure("/", &headers);
    let (status, _, body) = fetch(&env, Method::GET, "/jobs/123").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("not built"));
    let (status, _, _) = fetch(&env, Method::POST, "/").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, headers, _) = fetch(&env, Method::GET, "/api/v1/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(header(&headers, "content-type").starts_with("application/json"));
}
