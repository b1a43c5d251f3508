//! The HTTP side of `serve`: paths to files, content types, the live-reload
//! script and its event stream.
//!
//! Requests never reach the file system by their path: a path is looked up
//! in the snapshot's table of output files, so `..` in any encoding can at
//! most miss. Only `GET` and `HEAD` are answered; there are no directory
//! listings. Rendering a page and reading a copied file both block, so they
//! run on tokio's blocking threads; copied files are streamed ([`files`]).
//!
//! On a loopback address every request, the live-reload stream included,
//! must name a loopback host (`localhost`, `*.localhost`, `127.0.0.1`,
//! `[::1]`): a web page whose domain an attacker points at 127.0.0.1 (DNS
//! rebinding) sends its own name, and is refused before it can read drafts.
//!
//! [`files`]: super::files

use std::convert::Infallible;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Request, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::BroadcastStream;

use super::files::{self, FileBody};
use super::snapshot::Resource;
use super::{Live, Signal};

/// Where the live-reload script and its events are served, outside any base path.
pub const SCRIPT_PATH: &str = "/__shopfront/live.js";
/// The Server-Sent Events stream.
pub const EVENTS_PATH: &str = "/__shopfront/events";

const SCRIPT: &str = include_str!("live.js");

/// Which host names requests may be addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hosts {
    /// Only loopback names: the server listens on a loopback address, so a
    /// request for another name can only come from a rebound domain.
    Loopback,
    /// Any name: the server was asked to be reachable from the network.
    Any,
}

/// The routes.
pub(crate) fn router(live: Arc<Live>, hosts: Hosts) -> Router {
    let files = get(serve_file).layer(tower_http::timeout::TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(30),
    ));
    let router = Router::new()
        .route(SCRIPT_PATH, get(script))
        .route(EVENTS_PATH, get(events))
        .fallback_service(files.with_state(live.clone()))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(16 * 1024))
        .with_state(live);
    match hosts {
        Hosts::Loopback => router.layer(middleware::from_fn(loopback_names_only)),
        Hosts::Any => router,
    }
}

/// Refuses a request whose `Host` (or absolute request target) is not a
/// loopback name, and one that names no host at all.
async fn loopback_names_only(request: Request<Body>, next: Next) -> Response {
    let named = request.headers().get(header::HOST).map(|value| value.to_str().unwrap_or(""));
    let target = request.uri().authority().map(|authority| authority.as_str());
    let allowed = (named.is_some() || target.is_some())
        && named.is_none_or(is_loopback_host)
        && target.is_none_or(is_loopback_host);
    if allowed { next.run(request).await } else { wrong_host() }
}

/// Whether `authority` (`host` or `host:port`) names this machine's loopback:
/// `localhost` or a name under it (RFC 6761), or a loopback IP address.
pub fn is_loopback_host(authority: &str) -> bool {
    let port_ok = |port: &str| port.is_empty() || port.strip_prefix(':').is_some_and(is_port);
    if let Some(bracketed) = authority.strip_prefix('[') {
        return bracketed
            .split_once(']')
            .is_some_and(|(ip, port)| port_ok(port) && ip.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback()));
    }
    let host = match authority.split_once(':') {
        Some((host, port)) if is_port(port) => host,
        Some(_) => return false,
        None => authority,
    };
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return ip.is_loopback();
    }
    // A fully qualified `localhost.` is the same name.
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let labels_ok =
        host.split('.').all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    labels_ok && (host == "localhost" || host.ends_with(".localhost"))
}

fn is_port(text: &str) -> bool {
    (1..=5).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

fn wrong_host() -> Response {
    let text = "This preview only answers requests for localhost, 127.0.0.1 or [::1].\n\
        This request named another host, as a web page does when it points its own domain at this \
        machine (DNS rebinding) to read the preview; it was refused.\n\
        To open the preview from other devices, run `shopfront serve --bind 0.0.0.0`.\n";
    let mut response = (StatusCode::FORBIDDEN, text).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

async fn script() -> Response {
    let mut response = SCRIPT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn events(State(live): State<Arc<Live>>) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let receiver = live.events.subscribe();
    let (version, failure) = live.status();
    let mut first =
        vec![Event::default().event("hello").data(live.version_id(version)).retry(Duration::from_millis(500))];
    if let Some(failure) = failure {
        first.push(failed_event(&failure));
    }
    let updates = BroadcastStream::new(receiver)
        .filter_map(Result::ok)
        .take_while(|signal| !matches!(signal, Signal::Shutdown))
        .map(move |signal| match signal {
            Signal::Failed(text) => failed_event(&text),
            Signal::Reload(version) => Event::default().event("reload").data(version.to_string()),
            Signal::Shutdown => Event::default(),
        });
    Sse::new(tokio_stream::iter(first).chain(updates).map(Ok)).keep_alive(KeepAlive::default())
}

fn failed_event(text: &str) -> Event {
    // JSON keeps the message on one `data:` line.
    Event::default().event("failed").data(serde_json::Value::from(text).to_string())
}

/// What a request path asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// An output file, e.g. `posts/x/index.html`.
    File(String),
    /// The same path with a trailing slash, or the base path.
    Redirect(String),
}

/// Maps a request path (still percent-encoded) to an output file. `None`
/// for a path no output file can have: bad encoding, `..`, a backslash or
/// a NUL in any encoding, or outside `base_path`.
pub fn resolve(path: &str, base_path: &str) -> Option<Target> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    if !decoded.starts_with('/') || decoded.contains(['\\', '\0']) {
        return None;
    }
    if decoded.split('/').any(|segment| segment == ".." || segment == ".") {
        return None;
    }
    let relative = if base_path.is_empty() {
        &decoded[1..]
    } else if decoded == "/" || decoded == base_path {
        return Some(Target::Redirect(format!("{base_path}/")));
    } else {
        decoded.strip_prefix(base_path)?.strip_prefix('/')?
    };
    if relative.starts_with('/') || relative.contains("//") {
        return None;
    }
    Some(Target::File(if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_owned()
    }))
}

async fn serve_file(State(live): State<Arc<Live>>, request: Request<Body>) -> Response {
    let (parts, _) = request.into_parts();
    // `If-Range` wants the range only from an unchanged file; no validators
    // are sent to compare with, so such a request gets the whole file.
    let range = (!parts.headers.contains_key(header::IF_RANGE))
        .then(|| parts.headers.get(header::RANGE)?.to_str().ok().map(str::to_owned))
        .flatten();
    match tokio::task::spawn_blocking(move || answer(&live, &parts.uri, range.as_deref())).await {
        Ok(Answer::Ready(response)) => response,
        Ok(Answer::File { status, body, content_type }) => {
            with_common_headers(body.into_response(status), &content_type)
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A response, or a file to stream (opened off the async threads).
enum Answer {
    Ready(Response),
    File { status: StatusCode, body: FileBody, content_type: String },
}

/// Looks `uri` up in the current snapshot, renders or opens what it names.
/// Blocks: runs on tokio's blocking threads.
fn answer(live: &Live, uri: &Uri, range: Option<&str>) -> Answer {
    let Some(snapshot) = live.snapshot() else {
        // The first build failed: every page explains why until a save fixes it.
        return Answer::Ready(error_page(StatusCode::SERVICE_UNAVAILABLE, &live.status().1.unwrap_or_default()));
    };
    let file = match resolve(uri.path(), snapshot.base_path()) {
        Some(Target::File(file)) => file,
        Some(Target::Redirect(to)) => return Answer::Ready(redirect(&to, uri.query())),
        None => return not_found(live),
    };
    match snapshot.get(&file) {
        Some(resource) => respond(live, StatusCode::OK, &file, resource, range),
        // A folder asked for without its slash: send the browser to it, as static hosts do.
        None if snapshot.contains(&format!("{file}/index.html")) => {
            Answer::Ready(redirect(&format!("{}/", uri.path()), uri.query()))
        }
        None => not_found(live),
    }
}

fn redirect(to: &str, query: Option<&str>) -> Response {
    let location = match query {
        Some(query) => format!("{to}?{query}"),
        None => to.to_owned(),
    };
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn not_found(live: &Live) -> Answer {
    let not_found = crate::site::routes::NOT_FOUND;
    match live.snapshot().and_then(|snapshot| snapshot.get(not_found)) {
        Some(resource) => respond(live, StatusCode::NOT_FOUND, not_found, resource, None),
        None => Answer::Ready(error_page(StatusCode::NOT_FOUND, "Not found.")),
    }
}

fn respond(live: &Live, status: StatusCode, file: &str, resource: Resource, range: Option<&str>) -> Answer {
    let (body, content_type): (Body, String) = match resource {
        Resource::Html(html) => (Body::from(inject(&html)), "text/html; charset=utf-8".to_owned()),
        Resource::Failed(diagnostic) => {
            return Answer::Ready(error_page(StatusCode::INTERNAL_SERVER_ERROR, &diagnostic.render(false)));
        }
        Resource::Bytes(bytes) => (Body::from(bytes.to_vec()), content_type(file)),
        // Gone, or no longer a regular file (a FIFO, a device): as if it were not there.
        Resource::File(path) => {
            return match files::open(&path, range) {
                Ok(body) => Answer::File { status, body, content_type: content_type(file) },
                Err(_) if status == StatusCode::NOT_FOUND => {
                    Answer::Ready(error_page(StatusCode::NOT_FOUND, "Not found."))
                }
                Err(_) => not_found(live),
            };
        }
    };
    Answer::Ready(with_common_headers((status, body).into_response(), &content_type))
}

fn with_common_headers(mut response: Response, content_type: &str) -> Response {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// The `Content-Type` for an output file, with a charset for text.
pub fn content_type(file: &str) -> String {
    let mime = mime_guess::from_path(file).first_or_octet_stream();
    let essence = match mime.essence_str() {
        _ if file.ends_with("feed.xml") => "application/atom+xml",
        other => other,
    };
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(essence, "application/json" | "application/atom+xml" | "application/xml" | "image/svg+xml")
        || essence.ends_with("javascript");
    if text { format!("{essence}; charset=utf-8") } else { essence.to_owned() }
}

/// `html` with the live-reload script before `</body>` (or at the end).
pub fn inject(html: &str) -> String {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" defer></script>");
    let at = html.rfind("</body>").or_else(|| html.to_ascii_lowercase().rfind("</body>")).unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + tag.len());
    out.push_str(&html[..at]);
    out.push_str(&tag);
    out.push_str(&html[at..]);
    out
}

/// A page that shows an error until the live-reload script replaces it.
fn error_page(status: StatusCode, text: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>shopfront: {status}</title></head>\
         <body><main><h1>{}</h1><pre>{}</pre></main></body></html>",
        status.canonical_reason().unwrap_or("Error"),
        crate::html::escape_attr(text),
    );
    let mut response = (status, inject(&html)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> Option<Target> {
        Some(Target::File(path.to_owned()))
    }

    #[test]
    fn paths_map_to_output_files() {
        assert_eq!(resolve("/", ""), file("index.html"));
        assert_eq!(resolve("/posts/x/", ""), file("posts/x/index.html"));
        assert_eq!(resolve("/style.css", ""), file("style.css"));
        assert_eq!(resolve("/caf%C3%A9/", ""), file("café/index.html"));
        assert_eq!(resolve("/shop/posts/x/", "/shop"), file("posts/x/index.html"));
        assert_eq!(resolve("/", "/shop"), Some(Target::Redirect("/shop/".to_owned())));
        assert_eq!(resolve("/shop", "/shop"), Some(Target::Redirect("/shop/".to_owned())));
        assert_eq!(resolve("/other/", "/shop"), None);
        assert_eq!(resolve("/shopping/", "/shop"), None);
    }

    #[test]
    fn traversal_in_any_encoding_resolves_to_nothing() {
        for path in [
            "/../etc/passwd",
            "/posts/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/.%2e/etc/passwd",
            "/..%2fetc%2fpasswd",
            "/..%5c..%5cetc%5cpasswd",
            "/posts%5c..%5c..%5cprofile.toml",
            "/%00/etc/passwd",
            "/%c0%ae%c0%ae/etc/passwd",
            "//etc/passwd",
            "/./profile.toml",
        ] {
            assert_eq!(resolve(path, ""), None, "{path}");
        }
        // Double encoding decodes once: a harmless name no output file has.
        assert_eq!(resolve("/%252e%252e/x", ""), file("%2e%2e/x"));
    }

    #[test]
    fn only_loopback_names_pass_on_a_loopback_bind() {
        for host in [
            "localhost",
            "localhost:4000",
            "LocalHost:4000",
            "localhost.",
            "shop.localhost",
            "a.b.localhost:8080",
            "127.0.0.1",
            "127.0.0.1:4000",
            "127.9.9.9:1",
            "[::1]",
            "[::1]:4000",
            "[0:0:0:0:0:0:0:1]:4000",
        ] {
            assert!(is_loopback_host(host), "{host} is allowed");
        }
        for host in [
            "",
            "evil.example",
            "evil.example:4000",
            "localhost.evil.example",
            "evillocalhost",
            "evil-localhost:4000",
            ".localhost",
            "a..localhost",
            "localhost:4000:1",
            "localhost:port",
            "localhost:123456",
            "user@localhost",
            "192.168.1.5:4000",
            "0.0.0.0:4000",
            "[::]:4000",
            "[::1",
            "[::1]x",
            "::1",
            "[fe80::1]:4000",
            "127.0.0.1.nip.io",
            "127.1",
        ] {
            assert!(!is_loopback_host(host), "{host} is refused");
        }
    }

    #[test]
    fn content_types_carry_a_charset_for_text() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("search-index.json"), "application/json; charset=utf-8");
        assert_eq!(content_type("feed.xml"), "application/atom+xml; charset=utf-8");
        assert_eq!(content_type("favicon.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("a.png"), "image/png");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
    }

    #[test]
    fn the_script_goes_before_the_body_end() {
        assert_eq!(
            inject("<p>x</p></body></html>"),
            format!("<p>x</p><script src=\"{SCRIPT_PATH}\" defer></script></body></html>")
        );
        assert!(inject("<p>no body</p>").ends_with("defer></script>"));
    }
}
