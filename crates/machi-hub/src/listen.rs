//! Accepting connections so that slow or many clients cannot exhaust the hub.
//!
//! `axum::serve` accepts every connection and waits for each as long as its client likes: a few
//! hundred clients that open a connection and send nothing (or a header a byte at a time, or half
//! a body) hold as many file descriptors, until `accept` fails with "too many open files" and the
//! hub answers no one, residents included. So the hub accepts connections itself, with hyper:
//!
//! - at most [`ServeLimits::max_connections`] at once (by default the process's open-file limit
//!   less a reserve for the hub's own files and outgoing requests); a connection beyond that is
//!   answered at once with `503 Service Unavailable` and `Retry-After`, and closed;
//! - a request's headers must arrive within [`ServeLimits::header_timeout`] (also the longest a
//!   connection may stay silent, new or between requests), else the connection is closed;
//! - a request must be read and answered within [`ServeLimits::request_timeout`], else `408`
//!   ([`crate::serve::app`] applies it with the router; only the push API reads bodies).
//!
//! A failing `accept` (out of file descriptors after all) is logged and retried after a pause
//! instead of spinning.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt as _;

/// What the hub allows its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// Connections open at once, at most.
    pub max_connections: usize,
    /// How long a request's headers may take to arrive (and an idle connection may stay open).
    pub header_timeout: Duration,
    /// How long a whole request may take, body included.
    pub request_timeout: Duration,
    /// What a refused connection is told to wait (`Retry-After`).
    pub retry_after: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            max_connections: default_max_connections(),
            header_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(20),
            retry_after: Duration::from_secs(5),
        }
    }
}

/// File descriptors kept for the hub itself: the store, SQLite, source fetches, push sends (64
/// at once) and the listener.
const RESERVED_FILES: u64 = 256;

/// The soft open-file limit less [`RESERVED_FILES`] (at least 64), or 1024 where it is unknown.
pub fn default_max_connections() -> usize {
    #[cfg(unix)]
    {
        // SAFETY: getrlimit writes into the struct we pass and reads nothing else.
        let mut limit: libc::rlimit = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            let soft = limit.rlim_cur as u64;
            return usize::try_from(soft.saturating_sub(RESERVED_FILES).clamp(64, 65_536))
                .unwrap_or(1024);
        }
    }
    1024
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves, then lets open
/// connections finish (up to `request_timeout`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut full_since: Option<std::time::Instant> = None;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // EMFILE, ENFILE, ENOBUFS …: the connection stays in the backlog; try again
                // after a pause instead of spinning.
                tracing::error!("cannot accept a connection: {e} (trying again in 100 ms)");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        match permits.clone().try_acquire_owned() {
            Ok(permit) => {
                full_since = None;
                let (router, stopping) = (router.clone(), stopping.clone());
                tokio::spawn(async move {
                    connection(stream, peer, router, limits, stopping).await;
                    drop(permit);
                });
            }
            Err(_) => {
                if full_since.is_none() {
                    tracing::warn!(
                        "{} connections open, the most this hub takes: answering 503 until some \
                         close (see --max-connections)",
                        limits.max_connections
                    );
                    full_since = Some(std::time::Instant::now());
                }
                tokio::spawn(refuse(stream, limits.retry_after));
            }
        }
    }
    // Graceful: connections finish what they are doing (within the request timeout).
    let _ = stop.send(true);
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(limits.request_timeout, permits.acquire_many(all)).await;
    Ok(())
}

/// One connection: HTTP/1.1 or HTTP/2, with the header timeout, the client's address for the
/// handlers, and a graceful end when the hub stops.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: ServeLimits,
    mut stopping: watch::Receiver<bool>,
) {
    // A client that connects and sends nothing: hyper's header timeout starts only once it has
    // seen the first byte (it waits to tell HTTP/1.1 from HTTP/2), so the wait for that byte is
    // bounded here.
    let mut first = [0u8; 1];
    match tokio::time::timeout(limits.header_timeout, stream.peek(&mut first)).await {
        Ok(Ok(n)) if n > 0 => {}
        _ => return,
    }
    let service = router.map_request(move |mut request: axum::extract::Request| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    });
    let service = TowerToHyperService::new(service.map_request(
        |request: hyper::Request<hyper::body::Incoming>| request.map(axum::body::Body::new),
    ));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.header_timeout)
        .keep_alive_timeout(limits.header_timeout);
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    let stop = async move {
        // Resolves when the hub stops (or its sender is gone).
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = stop => {
            // The hub stops: finish the request in hand, take no other.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::trace!("connection from {peer}: {e}");
    }
}

/// The answer to a connection beyond the limit: a 503 that says when to come back, then close.
async fn refuse(mut stream: TcpStream, retry_after: Duration) {
    let body = "{\"error\":\"the hub is busy; try again shortly\"}";
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: {}\r\nContent-Type: application/json\r\n\
         Cache-Control: no-store\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        retry_after.as_secs().max(1),
        body.len()
    );
    // A client that does not read even this is not waited for.
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}
