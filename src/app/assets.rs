//! The built web client, embedded in the binary (read from disk in debug builds).

use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "web-client/dist"]
struct Dist;

const NOT_BUILT: &str = "<!doctype html><html lang=\"it\"><meta charset=\"utf-8\">\
<title>sportello</title><h1>Client web non compilato</h1>\
<p>The web client was not built into this binary. Run <code>scripts/run.sh</code> \
(or <code>npm ci &amp;&amp; npm run build</code> in <code>web-client/</code>) and rebuild.</p></html>";

/// Serves a file of the client, or `index.html` for client-side routes.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    if let Some(file) = Dist::get(path) {
        return file_response(path, file);
    }
    // Missing assets are 404; other paths are client routes.
    if path.starts_with("assets/") || path.starts_with("v1/") || path.contains('.') {
        return StatusCode::NOT_FOUND.into_response();
    }
    match Dist::get("index.html") {
        Some(file) => file_response("index.html", file),
        None => Html(NOT_BUILT).into_response(),
    }
}

fn file_response(path: &str, file: rust_embed::EmbeddedFile) -> Response {
    let mime = file.metadata.mimetype().to_owned();
    let cache = if path.starts_with("assets/") {
        // Vite puts a content hash in asset names.
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = file.data.into_owned().into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}
