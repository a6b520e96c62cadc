//! Slow and many clients cannot exhaust the hub (issue 11): connections beyond the limit are
//! answered 503 with Retry-After at once (before, the hub accepted them all until it ran out of
//! file descriptors), a header that trickles in and an idle connection are cut off, and a body
//! that never comes ends in 408 instead of holding its connection.

use machi_hub::listen::{serve, ServeLimits};
use machi_hub::push::{Push, PushSettings};
use machi_hub::serve::{app, AppState, Paths, Setup};
use machi_hub::testing::CityToml;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const LIMITS: ServeLimits = ServeLimits {
    max_connections: 4,
    header_timeout: Duration::from_millis(400),
    request_timeout: Duration::from_millis(400),
    retry_after: Duration::from_secs(7),
};

struct Hub {
    addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

async fn hub() -> Hub {
    let dir = tempfile::tempdir().unwrap();
    CityToml::new("test")
        .area("kita", "北")
        .write(&dir.path().join("cities"));
    let push = PushSettings {
        subject: "mailto:test@example.com".into(),
        ..PushSettings::default()
    };
    let setup = Setup {
        push: Some(Push::open(&dir.path().join("state"), push).unwrap()),
        limits: LIMITS,
        ..Setup::new(Paths {
            cities: dir.path().join("cities"),
            dist: dir.path().join("dist"),
        })
        .unwrap()
    };
    let (state, _) = AppState::load(setup).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, app(state), LIMITS, async {
        let _ = stopped.await;
    }));
    Hub {
        addr,
        _stop: stop,
        _dir: dir,
    }
}

/// Everything the server sends until it closes the connection (or `within` passes).
async fn read_all(stream: &mut TcpStream, within: Duration) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(within, stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

async fn healthz(addr: SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    read_all(&mut s, Duration::from_secs(5)).await
}

#[tokio::test]
async fn connections_beyond_the_limit_get_503_with_retry_after() {
    let hub = hub().await;
    assert!(healthz(hub.addr).await.starts_with("HTTP/1.1 200"));
    // Four clients that connect and say nothing hold every place…
    let mut idle = Vec::new();
    for _ in 0..LIMITS.max_connections {
        idle.push(TcpStream::connect(hub.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    // …so the fifth is told at once to come back, not left hanging.
    let started = Instant::now();
    let answer = healthz(hub.addr).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("Retry-After: 7"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // Idle connections are closed by the hub after the header timeout (the clients here never
    // close them), and their places come back.
    let waited = Instant::now();
    for s in &mut idle {
        let rest = read_all(s, Duration::from_secs(3)).await;
        assert!(!rest.contains("200 OK"), "{rest}");
    }
    let held = waited.elapsed();
    assert!(
        held < Duration::from_secs(2),
        "idle connections held for {held:?}"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(healthz(hub.addr).await.starts_with("HTTP/1.1 200"));
    drop(idle);
}

#[tokio::test]
async fn a_header_sent_a_byte_at_a_time_is_cut_off() {
    let hub = hub().await;
    let mut s = TcpStream::connect(hub.addr).await.unwrap();
    let started = Instant::now();
    let mut closed = false;
    for byte in b"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Slow: "
        .iter()
        .cycle()
        .take(60)
    {
        if s.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        if started.elapsed() > Duration::from_secs(2) {
            break;
        }
    }
    let rest = read_all(&mut s, Duration::from_secs(2)).await;
    assert!(
        closed || !rest.contains("200 OK"),
        "the slow header was served: {rest}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the connection was held for {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_body_that_never_comes_ends_in_408() {
    let hub = hub().await;
    let mut s = TcpStream::connect(hub.addr).await.unwrap();
    s.write_all(
        b"POST /api/push/subscriptions HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n\
          Content-Length: 1000\r\n\r\n{\"subscription\":",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let answer = read_all(&mut s, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A browser's keep-alive connection that goes quiet after its request is closed too, so quiet
/// connections cannot pile up.
#[tokio::test]
async fn a_quiet_keep_alive_connection_is_closed() {
    let hub = hub().await;
    let mut s = TcpStream::connect(hub.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let answer = read_all(&mut s, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "held open for {:?} after its answer",
        started.elapsed()
    );
}
