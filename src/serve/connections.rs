//! Accepting connections so that no client can make the preview unreachable.
//!
//! `axum::serve` accepts without limit and waits for request headers
//! forever: a thousand half-sent requests use up the process's file
//! descriptors and nobody else gets in. Here:
//!
//! 1. The headers of each request must arrive within [`HEADER_TIMEOUT`]
//!    (an idle keep-alive connection waits for its next request's headers,
//!    so it is closed after that long too).
//! 2. At most [`MAX_CONNECTIONS`] are open. The listener keeps accepting,
//!    and a connection over the cap closes the oldest one that has no
//!    request in progress: a half-sent request first, then an idle
//!    keep-alive one. A browser arriving in a flood of idle connections is
//!    served at once, not after the flood times out; a request being
//!    answered (a page, a download, a live-reload stream) is closed only
//!    when every open connection is busy.
//! 3. On shutdown, connections finish their response for a moment (the
//!    live-reload streams end by themselves), then close.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::Request;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// How long a client may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The most connections open at once. A browser opens about six per site.
pub const MAX_CONNECTIONS: usize = 256;
/// How long open responses may run on after Ctrl-C.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Serves `app` on `listener` until `shutdown` completes.
pub(crate) async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let open = Arc::new(Open::default());
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
    let mut shutdown = pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) if is_per_connection(&e) => continue,
                Err(_) => {
                    // Out of file descriptors, most likely: free one and try again shortly.
                    open.close_oldest(open.len().saturating_sub(1));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        open.close_oldest(MAX_CONNECTIONS - 1);
        let (id, connection) = open.add();
        let app = app.clone();
        let tracked = connection.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let in_progress = InProgress::new(tracked.clone());
            let app = app.clone();
            async move {
                let response = app.oneshot(request.map(Body::new)).await.unwrap_or_else(|never| match never {});
                Ok::<_, Infallible>(response.map(|body| Tracked { body, _in_progress: in_progress }))
            }
        });
        let http = http.clone();
        let open = open.clone();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let mut served = pin!(http.serve_connection(TokioIo::new(stream), service));
            tokio::select! {
                _ = served.as_mut() => {}
                // Dropping the connection closes its socket.
                () = connection.close.notified() => {}
                _ = stopping.changed() => {
                    served.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, served).await;
                }
            }
            open.remove(id);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    while open.len() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Errors of one connection that went away before it was accepted.
fn is_per_connection(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset, Interrupted};
    matches!(error.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset | Interrupted)
}

/// The open connections, oldest first.
#[derive(Default)]
struct Open {
    by_age: Mutex<BTreeMap<u64, Arc<Connection>>>,
    next_id: std::sync::atomic::AtomicU64,
}

/// One open connection, as the cap sees it.
#[derive(Default)]
struct Connection {
    /// Requests whose response is not sent yet.
    in_progress: AtomicUsize,
    /// Whether a whole request head ever arrived.
    had_request: AtomicBool,
    /// Closes the connection.
    close: tokio::sync::Notify,
}

impl Open {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Connection>>> {
        self.by_age.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    fn add(&self) -> (u64, Arc<Connection>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let connection = Arc::new(Connection::default());
        self.lock().insert(id, connection.clone());
        (id, connection)
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Closes connections until at most `keep` are open, the least useful
    /// first: half-sent requests, then idle keep-alives, then the oldest.
    fn close_oldest(&self, keep: usize) {
        let mut open = self.lock();
        while open.len() > keep {
            let idle = |c: &Connection| c.in_progress.load(Ordering::Acquire) == 0;
            let victim = open
                .iter()
                .find(|(_, c)| idle(c) && !c.had_request.load(Ordering::Acquire))
                .or_else(|| open.iter().find(|(_, c)| idle(c)))
                .or_else(|| open.iter().next())
                .map(|(id, _)| *id);
            let Some(connection) = victim.and_then(|id| open.remove(&id)) else { return };
            connection.close.notify_one();
        }
    }
}

/// Marks a request of a connection as in progress until dropped.
struct InProgress(Arc<Connection>);

impl InProgress {
    fn new(connection: Arc<Connection>) -> Self {
        connection.had_request.store(true, Ordering::Release);
        connection.in_progress.fetch_add(1, Ordering::AcqRel);
        Self(connection)
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.in_progress.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request in progress until it is sent
/// (or dropped when the client goes away).
struct Tracked {
    body: Body,
    _in_progress: InProgress,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_the_cap_the_least_useful_connection_closes() {
        let open = Open::default();
        let (busy, first) = open.add();
        let _request = InProgress::new(first);
        let (keep_alive, second) = open.add();
        drop(InProgress::new(second));
        let _half_sent = open.add();
        let (newest, _) = open.add();
        let ids = |open: &Open| open.lock().keys().copied().collect::<Vec<_>>();

        open.close_oldest(3);
        assert_eq!(ids(&open), [busy, keep_alive, newest], "a half-sent request goes first");
        open.close_oldest(2);
        assert_eq!(ids(&open), [busy, keep_alive], "every half-sent one before a keep-alive");
        open.close_oldest(1);
        assert_eq!(ids(&open), [busy], "then the oldest idle one");
        open.close_oldest(0);
        assert!(ids(&open).is_empty(), "a busy one only when nothing else is left");
    }
}
