//! Connections under hostile load: the header-read timeout, the connection caps, running out of file descriptors, and HTTP/1.1 keep-alive and h2c kept working.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

/// What a client that stops half-way through its request line sends.
const PARTIAL_REQUEST_LINE: &[u8] = b"GET /api/data/v9.2/ HT";

/// `host:port` of a served base URL.
fn address(base: &str) -> String {
    base.split("://").nth(1).expect("a base URL").to_owned()
}

/// Whether the server closes `stream` within `limit` (end of stream or a reset; anything it
/// answers before closing, such as hyper's 408, is read past).
async fn closed_within<S: tokio::io::AsyncRead + Unpin>(stream: &mut S, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    let mut buf = [0_u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

/// Whether `stream` is still open: nothing to read and no end of stream for `wait`.
async fn still_open(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0_u8; 1];
    tokio::time::timeout(wait, stream.read(&mut buf))
        .await
        .is_err()
}

/// A plain GET on a fresh connection that must be answered within 10 s; returns the status.
async fn status_of(url: &str) -> u16 {
    reqwest::Client::new()
        .get(url)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url} not answered: {e}"))
        .status()
        .as_u16()
}

/// Clients that send part of a request line (or nothing, or part of the HTTP/2 preface) and
/// stop are disconnected after `--header-read-timeout-ms`, while normal requests are answered
/// meanwhile; a kept-alive connection left idle is closed the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connections_are_closed_after_the_header_read_timeout() {
    let served = serve_with(&[], &["--header-read-timeout-ms", "300"]);
    let address = address(&served.base);
    let mut stalled = Vec::new();
    for i in 0..60 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        match i % 12 {
            // Nothing at all: hyper would wait for the first bytes forever.
            0 => {}
            // The start of the HTTP/2 preface: hyper would wait for the rest forever.
            1 => stream.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap(),
            _ => stream.write_all(PARTIAL_REQUEST_LINE).await.unwrap(),
        }
        stalled.push(stream);
    }
    let who = get(&served.url("WhoAmI()")).await;
    assert_eq!(who.status, 200, "answered beside 60 stalled connections");
    for (i, stream) in stalled.iter_mut().enumerate() {
        assert!(
            closed_within(stream, Duration::from_secs(5)).await,
            "stalled connection {i} still open"
        );
    }

    // A kept-alive connection: answered, then closed once idle past the timeout.
    let mut kept = TcpStream::connect(&address).await.unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0_u8; 4096];
    let n = kept.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{:?}", &buf[..n]);
    assert!(
        closed_within(&mut kept, Duration::from_secs(5)).await,
        "an idle kept-alive connection stays open"
    );
}

/// Over HTTPS the same timeout ends stalled handshakes and stalled requests after a
/// completed handshake.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_https_connections_are_closed_after_the_header_read_timeout() {
    let served = serve_tls_with(&[], &["--header-read-timeout-ms", "300"]);
    let address = address(&served.base);
    // No ClientHello at all, and half a TLS record header.
    let mut silent = TcpStream::connect(&address).await.unwrap();
    let mut half = TcpStream::connect(&address).await.unwrap();
    half.write_all(&[0x16, 0x03]).await.unwrap();
    // A completed handshake, then part of a request line.
    let pem = std::fs::read(served.cert.as_ref().unwrap()).unwrap();
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let tcp = TcpStream::connect(&address).await.unwrap();
    let mut tls = connector.connect(name, tcp).await.expect("TLS handshake");
    tls.write_all(PARTIAL_REQUEST_LINE).await.unwrap();
    tls.flush().await.unwrap();

    let health = get(&format!("{}/health", served.base)).await;
    assert_eq!(health.status, 200, "answered beside stalled connections");
    for (what, closed) in [
        (
            "silent",
            closed_within(&mut silent, Duration::from_secs(5)).await,
        ),
        (
            "half a record",
            closed_within(&mut half, Duration::from_secs(5)).await,
        ),
        (
            "partial request",
            closed_within(&mut tls, Duration::from_secs(5)).await,
        ),
    ] {
        assert!(closed, "{what} HTTPS connection still open");
    }
}

/// One address cannot hold more than `--max-connections-per-ip` connections: the ones over
/// it are closed at once (other addresses are still served), and once it lets go, its
/// requests are served again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_per_address_cap_are_closed_at_once() {
    let served = serve_with(
        &[],
        &[
            "--max-connections-per-ip",
            "8",
            "--header-read-timeout-ms",
            "60000",
        ],
    );
    let address = address(&served.base);
    let health = format!("{}/health", served.base);
    // The connection that seeded the database is closed by now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(TcpStream::connect(&address).await.unwrap());
    }
    for (i, stream) in held.iter_mut().enumerate() {
        assert!(
            still_open(stream, Duration::from_millis(100)).await,
            "connection {i} within the cap was closed"
        );
    }
    for i in 0..4 {
        let mut extra = TcpStream::connect(&address).await.unwrap();
        assert!(
            closed_within(&mut extra, Duration::from_secs(2)).await,
            "connection {i} over the cap still open"
        );
    }
    let refused = reqwest::Client::new()
        .get(&health)
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(refused.is_err(), "a request over the cap: {refused:?}");
    // Another address on the loopback network is not limited by this one's connections.
    #[cfg(target_os = "linux")]
    {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        let mut other = socket.connect(address.parse().unwrap()).await.unwrap();
        other
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        other.read_to_end(&mut answer).await.unwrap();
        assert!(answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
    }
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let reply = reqwest::Client::new()
            .get(&health)
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if reply.as_ref().is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still refused after the held connections closed: {reply:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `--max-connections` caps the whole process, whatever the addresses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_process_cap_are_closed_at_once() {
    let served = serve_with(
        &[],
        &[
            "--max-connections",
            "5",
            "--header-read-timeout-ms",
            "60000",
        ],
    );
    let address = address(&served.base);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(TcpStream::connect(&address).await.unwrap());
    }
    for stream in &mut held {
        assert!(still_open(stream, Duration::from_millis(100)).await);
    }
    let mut extra = TcpStream::connect(&address).await.unwrap();
    assert!(closed_within(&mut extra, Duration::from_secs(2)).await);
    held.pop();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let reply = reqwest::Client::new()
            .get(format!("{}/health", served.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if reply.as_ref().is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {reply:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A server whose process may open only a few files (`ulimit -n` in its shell, never in
/// this process): stalled clients take every descriptor, `accept` fails with EMFILE, and the
/// server keeps accepting, logs it once, and answers again once the timeout freed them.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_survives_running_out_of_file_descriptors() {
    let db = sqlite();
    let log_path = db.data_dir().with_extension("log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"ulimit -n "$0" && exec "$@""#)
        .arg(FILE_LIMIT.to_string())
        .arg(bin())
        .args(["--database", &db.url, "--data-dir"])
        .arg(db.data_dir())
        .args(["--job-workers", "0", "--header-read-timeout-ms", "1000"])
        .args(["serve", "--listen", "127.0.0.1:0", "--create"]);
    let (server, base, _) = crate::server::start_with_log(cmd, Stdio::from(log));
    let address = address(&base);
    // More stalled clients than the server has descriptors: the rest wait in the backlog.
    let mut stalled = Vec::new();
    for _ in 0..FILE_LIMIT {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream.write_all(PARTIAL_REQUEST_LINE).await.unwrap();
        stalled.push(stream);
    }
    // Answered once the stalled connections have timed out (no database needed for a 404).
    assert_eq!(status_of(&format!("{base}/nothing-here")).await, 404);
    drop(stalled);
    assert_eq!(status_of(&format!("{base}/nothing-here")).await, 404);
    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    let errors = log.lines().filter(|l| l.contains("accept error")).count();
    assert!(
        (1..=2).contains(&errors),
        "EMFILE logged at most once per 10 s, not per attempt: {errors} lines\n{log}"
    );
    assert!(log.contains("Too many open files"), "{log}");
}

/// The descriptors the server of [`the_server_survives_running_out_of_file_descriptors`]
/// may open: enough to start (database files, runtime), too few for as many clients.
#[cfg(unix)]
const FILE_LIMIT: usize = 64;

/// Several HTTP/1.1 requests share one connection, and HTTP/2 with prior knowledge (h2c)
/// is served on the plain port, as before the server had its own accept loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_and_h2c_are_served() {
    let served = serve_with(&[], &[]);
    let mut stream = TcpStream::connect(address(&served.base)).await.unwrap();
    for round in 0..3 {
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0_u8; 4096];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(
            buf[..n].starts_with(b"HTTP/1.1 200"),
            "round {round}: {:?}",
            String::from_utf8_lossy(&buf[..n])
        );
    }
    let out = Command::new("curl")
        .args(["-s", "--http2-prior-knowledge", "-w", "\n%{http_version}"])
        .arg(format!("{}/health", served.base))
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.ends_with("\n2"), "HTTP/2: {text}");
    assert!(text.contains(r#""status":"ok""#), "{text}");
}
