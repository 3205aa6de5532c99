//! A browsable page of the API, rendered from the OpenAPI document at
//! start: every operation with its method, path, summary and whether it
//! needs a token. Self-contained (no scripts from elsewhere), so it works
//! on networks without internet access.

use utoipa::openapi::OpenApi;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The page's HTML.
pub fn render(doc: &OpenApi) -> String {
    let mut rows = String::new();
    for (path, item) in &doc.paths.paths {
        let operations = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, operation) in operations {
            let Some(op) = operation else { continue };
            let summary = op.summary.as_deref().or(op.description.as_deref()).unwrap_or("");
            let secured = if op.security.is_some() { "token" } else { "public" };
            rows.push_str(&format!(
                "<tr><td class=m>{method}</td><td><code>/api/v1{}</code></td><td>{}</td><td>{secured}</td></tr>\n",
                escape(path),
                escape(summary)
            ));
        }
    }
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}\
         td{{padding:.3rem .8rem;border-bottom:1px solid #ddd}}.m{{font-weight:600}}</style></head>\
         <body><h1>{title} {version}</h1><p>{description}</p>\
         <p>Machine-readable: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI 3).</p>\
         <table><tr><th>method</th><th>path</th><th>what</th><th>auth</th></tr>\n{rows}</table></body></html>",
        title = escape(&doc.info.title),
        version = escape(&doc.info.version),
        description = escape(doc.info.description.as_deref().unwrap_or("")),
    )
}
