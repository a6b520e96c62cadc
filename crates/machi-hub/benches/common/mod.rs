//! What the push benchmarks share: CPU time of this process, a throw-away certificate authority,
//! and the local push service (a child process: the hub's CPU is measured apart from it).

#![allow(dead_code)]

use std::time::Duration;

pub fn cpu_time() -> Duration {
    // SAFETY: getrusage writes into the struct we pass and reads nothing else.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// A throw-away certificate authority and a certificate it signs for 127.0.0.1, written to `dir`
/// as `ca.pem`, `cert.der` and `key.der`.
pub fn tls_material(dir: &std::path::Path) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // Distinct names, or a client takes the leaf (issuer = subject) for self-signed.
    ca.distinguished_name
        .push(DnType::CommonName, "Machi push benchmark CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let mut leaf = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("cert.der"), leaf_cert.der()).unwrap();
    std::fs::write(dir.join("key.der"), leaf_key.serialize_der()).unwrap();
}

/// A TLS listener for axum: TCP, then the handshake (a failed one is dropped).
pub struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// The child: a push service that answers 201 to everything, over TLS (HTTP/2 or 1.1), on
/// `MACHI_BENCH_SINK_PORTS` free ports (1 by default; each is an origin of its own, as FCM's,
/// Mozilla's and Apple's are) it prints on one line. One thread: a real push service is not on
/// the hub's machine, so the stand-in should take as little of it as it can.
///
/// With `MACHI_BENCH_SINK_EXPECT=N` it also prints `first <unix ms>` at the first message,
/// `at <count> <unix ms>` at each tenth of N, and `done <unix ms>` at the N-th.
pub fn sink(tls_dir: &std::path::Path) {
    use tokio_rustls::rustls;
    let cert =
        rustls::pki_types::CertificateDer::from(std::fs::read(tls_dir.join("cert.der")).unwrap());
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(
        std::fs::read(tls_dir.join("key.der")).unwrap().into(),
    );
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ports: usize = std::env::var("MACHI_BENCH_SINK_PORTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let expect: usize = std::env::var("MACHI_BENCH_SINK_EXPECT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let config = std::sync::Arc::new(config);
    runtime.block_on(async {
        let mut listeners = Vec::new();
        for _ in 0..ports {
            listeners.push(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap());
        }
        let line: Vec<String> = listeners
            .iter()
            .map(|l| l.local_addr().unwrap().port().to_string())
            .collect();
        println!("{}", line.join(" "));
        let mut served = tokio::task::JoinSet::new();
        for tcp in listeners {
            let listener = TlsListener {
                tcp,
                acceptor: tokio_rustls::TlsAcceptor::from(config.clone()),
            };
            let count = count.clone();
            let router = axum::Router::new().route(
                "/push/{id}",
                axum::routing::post(move |_body: axum::body::Bytes| async move {
                    let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                    if expect > 0 {
                        let ms = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .unwrap()
                            .as_millis();
                        if n == 1 {
                            println!("first {ms}");
                        }
                        if n.is_multiple_of((expect / 10).max(1)) && n < expect {
                            println!("at {n} {ms}");
                        }
                        if n == expect {
                            println!("done {ms}");
                        }
                    }
                    axum::http::StatusCode::CREATED
                }),
            );
            served.spawn(async move { axum::serve(listener, router).await.unwrap() });
        }
        served.join_next().await;
    });
}
