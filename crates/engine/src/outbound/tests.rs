//! Outbound deliveries against receivers on 127.0.0.1 (allowed by the allow-list) and
//! names given fixed addresses by a test lookup: refusals are shown to happen before any
//! connection, and no test connects to another private address.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

/// What a receiver answers a request (given its head: request line and headers) with:
/// raw HTTP, or `None` to never answer.
type Answer = Arc<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync>;

/// A receiver on 127.0.0.1 counting the connections it accepted and keeping what it read.
struct Receiver {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    async fn start(answer: impl Fn(&str) -> Option<Vec<u8>> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let answer: Answer = Arc::new(answer);
        let (count, kept) = (accepted.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let (answer, kept) = (answer.clone(), kept.clone());
                tokio::spawn(async move {
                    let request = read_request(&mut socket).await;
                    kept.lock().unwrap().push(request.clone());
                    match answer(&request) {
                        Some(bytes) => {
                            let _ = socket.write_all(&bytes).await;
                            let _ = socket.shutdown().await;
                        }
                        None => tokio::time::sleep(Duration::from_secs(3600)).await,
                    }
                });
            }
        });
        Self {
            addr,
            accepted,
            requests,
        }
    }

    /// Answers every request with `status` and `body`.
    async fn answering(status: &'static str, body: &'static str) -> Self {
        Self::start(move |_| Some(response(status, &[], body.as_bytes()))).await
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// The request's head and body as text (the body read by its Content-Length).
async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                return text;
            }
        }
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&bytes).into_owned(),
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
        }
    }
}

fn response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Names with fixed addresses; counts its lookups.
#[derive(Default)]
struct FixedLookup {
    names: HashMap<String, Vec<SocketAddr>>,
    lookups: AtomicUsize,
}

impl FixedLookup {
    fn with(names: &[(&str, SocketAddr)]) -> Arc<Self> {
        let mut map: HashMap<String, Vec<SocketAddr>> = HashMap::new();
        for (name, addr) in names {
            map.entry((*name).to_owned()).or_default().push(*addr);
        }
        Arc::new(Self {
            names: map,
            lookups: AtomicUsize::new(0),
        })
    }

    fn lookups(&self) -> usize {
        self.lookups.load(Ordering::SeqCst)
    }
}

impl Lookup for FixedLookup {
    fn lookup(
        &self,
        host: &str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>>
    {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        let found = self.names.get(host).cloned();
        let host = host.to_owned();
        Box::pin(async move {
            found.ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::NotFound, format!("no such name {host}"))
            })
        })
    }
}

fn client(allow: &[String], lookup: Arc<FixedLookup>) -> Outbound {
    client_with(
        OutboundConfig {
            allow: allow.iter().map(|e| e.parse().unwrap()).collect(),
            ..OutboundConfig::default()
        },
        lookup,
    )
}

fn client_with(config: OutboundConfig, lookup: Arc<FixedLookup>) -> Outbound {
    Outbound::with_lookup(config, None, lookup).unwrap()
}

/// An outbound client allowed to reach `receiver` only.
fn allowed(receiver: &Receiver) -> Outbound {
    client(
        &[receiver.addr.to_string()],
        Arc::new(FixedLookup::default()),
    )
}

async fn post(outbound: &Outbound, url: &str) -> DeliveryOutcome {
    outbound
        .post(Delivery::new(DeliveryPurpose::Callback, url, "{}"))
        .await
}

fn refused(outcome: &DeliveryOutcome) -> &str {
    match outcome {
        DeliveryOutcome::Refused { reason } => {
            assert!(reason.ends_with("refused before connecting"), "{reason}");
            reason
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A name resolving to a loopback, private or link-local address is refused after its
/// lookup and before any connection: the receiver the loopback address leads to accepts
/// nothing, until the allow-list names the host (the same lookup then delivers, so the test
/// would see a connection).
#[tokio::test]
async fn names_resolving_to_private_addresses_are_refused_before_connecting() {
    let receiver = Receiver::answering("200 OK", "").await;
    // Without a port in the URL, the port the lookup gives is the one connected to.
    let loopback = SocketAddr::new("127.0.0.1".parse().unwrap(), receiver.addr.port());
    for addr in [
        loopback,
        "10.1.2.3:0".parse().unwrap(),
        "[::1]:0".parse().unwrap(),
        "169.254.169.254:0".parse().unwrap(),
        "[::ffff:192.168.0.1]:0".parse().unwrap(),
    ] {
        let lookup = FixedLookup::with(&[("hooks.example.test", addr)]);
        let outbound = client(&[], lookup.clone());
        let outcome = post(&outbound, "http://hooks.example.test/in").await;
        let reason = refused(&outcome);
        assert!(
            reason.contains(&format!("resolves to {}", addr.ip())),
            "{reason}"
        );
        assert_eq!(lookup.lookups(), 1, "resolved, then refused");
        assert!(!outcome.is_retryable());
    }
    assert_eq!(receiver.accepted(), 0, "nothing connected");

    let lookup = FixedLookup::with(&[("hooks.example.test", loopback)]);
    let outbound = client(&["hooks.example.test".to_owned()], lookup);
    let outcome = post(&outbound, "http://hooks.example.test/in").await;
    assert!(outcome.is_delivered(), "{outcome:?}");
    assert_eq!(receiver.accepted(), 1);
}

/// Public destinations off the list use ports 80 and 443 only: another port is refused
/// before the name is even looked up.
#[tokio::test]
async fn public_destinations_off_the_list_need_port_80_or_443() {
    let lookup = FixedLookup::with(&[("hooks.example.test", "93.184.216.34:0".parse().unwrap())]);
    let outbound = client(&[], lookup.clone());
    let reason = refused(&post(&outbound, "https://hooks.example.test:8443/in").await).to_owned();
    assert!(reason.contains("80 and 443"), "{reason}");
    let reason = refused(&post(&outbound, "http://93.184.216.34:8080/in").await).to_owned();
    assert!(reason.contains("80 and 443"), "{reason}");
    let reason = refused(&post(&outbound, "ftp://hooks.example.test/in").await).to_owned();
    assert!(reason.contains("http and https only"), "{reason}");
    assert_eq!(lookup.lookups(), 0);
}

/// IP literals are never resolved (reqwest connects to them directly): they are checked
/// before the request is sent.
#[tokio::test]
async fn ip_literals_are_refused_without_a_lookup() {
    let receiver = Receiver::answering("200 OK", "").await;
    let lookup = Arc::new(FixedLookup::default());
    let outbound = client(&[], lookup.clone());
    for url in [
        receiver.url("/in"),
        format!("http://[::1]:{}/in", receiver.addr.port()),
        format!("http://0x7f.1:{}/in", receiver.addr.port()),
    ] {
        let reason = refused(&post(&outbound, &url).await).to_owned();
        assert!(reason.contains("not a public address"), "{url}: {reason}");
    }
    assert_eq!((lookup.lookups(), receiver.accepted()), (0, 0));
}

/// An allowed receiver gets the body, the caller's headers and JSON by default; its answer
/// comes back.
#[tokio::test]
async fn an_allowed_receiver_gets_the_delivery() {
    let receiver = Receiver::answering("202 Accepted", "{\"ok\":true}").await;
    let outbound = allowed(&receiver);
    let headers = [("x-ms-test".to_owned(), "yes".to_owned())];
    let outcome = outbound
        .post(Delivery {
            headers: &headers,
            ..Delivery::new(
                DeliveryPurpose::Webhook,
                &receiver.url("/hook?code=secret"),
                "{\"a\":1}",
            )
        })
        .await;
    assert_eq!(
        outcome,
        DeliveryOutcome::Delivered {
            status: 202,
            body: Bytes::from_static(b"{\"ok\":true}")
        }
    );
    let request = receiver.requests().pop().unwrap().to_ascii_lowercase();
    for part in [
        "post /hook?code=secret http/1.1\r\n",
        "\r\ncontent-type: application/json\r\n",
        "\r\nx-ms-test: yes\r\n",
        "\r\nuser-agent: switchboard/",
        "\r\n\r\n{\"a\":1}",
    ] {
        assert!(request.contains(part), "{part:?} in {request}");
    }
    assert_eq!(outcome.summary(1).errorcode, None);
}

/// Only the first `max_response_bytes` of an answer are read; the rest is not an error.
#[tokio::test]
async fn answers_are_read_up_to_the_cap() {
    let big = "x".repeat(200 * 1024);
    let receiver = Receiver::start(move |_| Some(response("200 OK", &[], big.as_bytes()))).await;
    let outbound = client_with(
        OutboundConfig {
            allow: vec![receiver.addr.to_string().parse().unwrap()],
            max_response_bytes: 1024,
            ..OutboundConfig::default()
        },
        Arc::new(FixedLookup::default()),
    );
    match post(&outbound, &receiver.url("/")).await {
        DeliveryOutcome::Delivered { status, body } => {
            assert_eq!(status, 200);
            assert_eq!(body.len(), 1024);
        }
        other => panic!("{other:?}"),
    }
}

/// 5xx, 408 and 429 may succeed later; other 4xx will not.
#[tokio::test]
async fn statuses_are_classified_for_retries() {
    for (status, retryable) in [
        ("500 Internal Server Error", true),
        ("502 Bad Gateway", true),
        ("503 Service Unavailable", true),
        ("408 Request Timeout", true),
        ("429 Too Many Requests", true),
        ("400 Bad Request", false),
        ("404 Not Found", false),
        ("410 Gone", false),
    ] {
        let receiver = Receiver::answering(status, "nope").await;
        let outcome = post(&allowed(&receiver), &receiver.url("/")).await;
        let code: u16 = status[..3].parse().unwrap();
        assert_eq!(
            outcome,
            DeliveryOutcome::Failed {
                status: Some(code),
                error: format!("answered {status}: nope"),
                retryable,
            }
        );
        assert_eq!(retryable_status(code), retryable);
    }
}

/// No answer within the timeout, or no connection at all, may succeed later.
#[tokio::test]
async fn timeouts_and_connection_failures_are_retryable() {
    let silent = Receiver::start(|_| None).await;
    let outbound = allowed(&silent);
    let started = std::time::Instant::now();
    let outcome = outbound
        .post(Delivery {
            timeout: Some(Duration::from_millis(200)),
            ..Delivery::new(DeliveryPurpose::Callback, &silent.url("/"), "{}")
        })
        .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    match &outcome {
        DeliveryOutcome::Failed {
            status: None,
            error,
            retryable: true,
        } => assert!(error.contains("timed out"), "{error}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(outcome.summary(3).retrycount, 2);
    assert_eq!(outcome.summary(3).errorcode, Some(0));

    // A port nothing listens on (bound, then closed).
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let outbound = client(&[closed.to_string()], Arc::new(FixedLookup::default()));
    let outcome = post(&outbound, &format!("http://{closed}/")).await;
    assert!(outcome.is_retryable(), "{outcome:?}");
    assert_eq!(outcome.status(), None);
}

/// Redirects are followed to the same host only, each hop checked by the policy; others
/// fail naming the redirect, and a loop stops after the limit.
#[tokio::test]
async fn redirects_stay_on_the_same_host_and_pass_the_policy() {
    let receiver = Receiver::start(|request| {
        let path = request.split(' ').nth(1).unwrap_or_default().to_owned();
        Some(match path.as_str() {
            "/moved" => response(
                "308 Permanent Redirect",
                &[("Location", "/final".into())],
                b"",
            ),
            "/away" => response(
                "307 Temporary Redirect",
                &[("Location", "http://other.example.test/in?sig=abc".into())],
                b"",
            ),
            "/loop" => response("302 Found", &[("Location", "/loop".into())], b""),
            "/see" => response("303 See Other", &[("Location", "/final".into())], b""),
            "/elsewhere" => response(
                "307 Temporary Redirect",
                &[("Location", "http://127.0.0.1:1/in".into())],
                b"",
            ),
            _ => response("200 OK", &[], b"done"),
        })
    })
    .await;
    let lookup = Arc::new(FixedLookup::default());
    let outbound = client(&[receiver.addr.to_string()], lookup.clone());

    let outcome = post(&outbound, &receiver.url("/moved")).await;
    assert_eq!(
        outcome,
        DeliveryOutcome::Delivered {
            status: 200,
            body: Bytes::from_static(b"done")
        }
    );
    assert!(
        receiver.requests()[1].starts_with("POST /final "),
        "the POST is repeated: {:?}",
        receiver.requests()
    );

    match post(&outbound, &receiver.url("/away")).await {
        DeliveryOutcome::Failed {
            status: Some(307),
            error,
            retryable: false,
        } => {
            assert!(error.contains("another host"), "{error}");
            assert!(
                error.contains("http://other.example.test/in?sig=REDACTED"),
                "{error}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(lookup.lookups(), 0, "the other host is not even resolved");

    // The same host on a port the allow-list does not give: refused before connecting.
    refused(&post(&outbound, &receiver.url("/elsewhere")).await);

    let before = receiver.accepted();
    match post(&outbound, &receiver.url("/loop")).await {
        DeliveryOutcome::Failed {
            status: Some(302),
            error,
            retryable: false,
        } => assert!(error.contains("more than 3 redirects"), "{error}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        receiver.accepted() - before,
        4,
        "the first request and 3 redirects"
    );

    // 303 tells the caller to GET elsewhere: the POST is not repeated.
    let outcome = post(&outbound, &receiver.url("/see")).await;
    assert_eq!(outcome.status(), Some(303));
    assert!(!outcome.is_delivered() && !outcome.is_retryable());
}

/// The resolver needs the hop's port: a name resolved outside a delivery (nothing does
/// that today) is refused, whatever the allow-list says.
#[tokio::test]
async fn names_resolved_outside_a_delivery_are_refused() {
    use reqwest::dns::Resolve;
    let lookup = FixedLookup::with(&[("hooks.example.test", "93.184.216.34:0".parse().unwrap())]);
    let guard = resolve::Guard::new(
        Arc::new(Policy::new(vec!["hooks.example.test".parse().unwrap()])),
        lookup.clone(),
    );
    let error = match guard.resolve("hooks.example.test".parse().unwrap()).await {
        Ok(_) => panic!("resolved outside a delivery"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("outside a delivery"), "{error}");
    assert_eq!(lookup.lookups(), 0);
}

#[test]
fn redirects_never_leave_https() {
    let from = Url::parse("https://hooks.example.test/a").unwrap();
    let same = Url::parse("https://HOOKS.example.test:8443/b").unwrap();
    assert_eq!(redirect_refused(&from, &same), None);
    let down = Url::parse("http://hooks.example.test/b").unwrap();
    assert!(
        redirect_refused(&from, &down)
            .unwrap()
            .contains("from https")
    );
    let up = Url::parse("http://hooks.example.test/a").unwrap();
    assert_eq!(redirect_refused(&up, &from), None);
}

#[test]
fn logged_urls_keep_no_secrets() {
    for (url, logged) in [
        (
            "https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s3cr3t",
            "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=REDACTED&sp=REDACTED&sv=REDACTED&sig=REDACTED",
        ),
        (
            "https://user:pass@hooks.example.test/in?code=abc&flag#frag",
            "https://REDACTED@hooks.example.test/in?code=REDACTED&flag",
        ),
        (
            "http://127.0.0.1:7071/api/hook",
            "http://127.0.0.1:7071/api/hook",
        ),
        ("not a url?sig=abc", "(REDACTED: not a URL)"),
    ] {
        assert_eq!(redact_url(url), logged, "{url}");
    }
}

#[test]
fn bad_headers_fail_without_a_retry() {
    assert!(header_map(&[("bad header".into(), "x".into())]).is_err());
    assert!(header_map(&[("x-ok".into(), "line\nbreak".into())]).is_err());
    let map = header_map(&[("Content-Type".into(), "text/plain".into())]).unwrap();
    assert_eq!(map[CONTENT_TYPE], "text/plain");
}

/// Every attempt leaves one row, its URL redacted, whatever its outcome.
#[tokio::test]
async fn every_attempt_is_logged() {
    use switchboard_model::query::{OrderBy, RecordQuery};
    let store = switchboard_store::Store::connect("sqlite::memory:")
        .await
        .unwrap();
    let log = DeliveryLog::start(
        store.clone(),
        switchboard_store::log_writer::LogConfig::default(),
    );
    let receiver = Receiver::answering("503 Service Unavailable", "busy").await;
    let outbound = Outbound::with_lookup(
        OutboundConfig {
            allow: vec![receiver.addr.to_string().parse().unwrap()],
            ..OutboundConfig::default()
        },
        Some(log),
        Arc::new(FixedLookup::default()),
    )
    .unwrap();
    let job = Uuid::new_v4();
    let url = receiver.url("/in?sig=s3cr3t");
    for attempt in 1..=2 {
        outbound
            .post(Delivery {
                regarding: Some(("asyncoperation", job)),
                attempt,
                ..Delivery::new(DeliveryPurpose::Callback, &url, "{}")
            })
            .await;
    }
    post(&outbound, "http://10.0.0.1/in").await;
    outbound.flush_log().await;
    let page = store
        .definition_page(
            "outbounddelivery",
            &RecordQuery {
                order_by: vec![OrderBy {
                    column: "createdon".into(),
                    descending: false,
                }],
                ..RecordQuery::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    let rows = page.rows;
    assert_eq!(rows.len(), 3);
    let mut by_attempt: Vec<_> = rows.iter().filter(|r| r["outcome"] == 1).collect();
    by_attempt.sort_by_key(|r| r["attempt"].as_i64());
    assert_eq!(by_attempt.len(), 2);
    for (i, row) in by_attempt.iter().enumerate() {
        assert_eq!(row["attempt"], i as i64 + 1);
        assert_eq!(row["httpstatuscode"], 503);
        assert_eq!(
            row["errormessage"],
            "answered 503 Service Unavailable: busy"
        );
        assert_eq!(
            row["url"],
            format!("http://{}/in?sig=REDACTED", receiver.addr)
        );
        assert_eq!(row["host"], "127.0.0.1");
        assert_eq!(row["purpose"], "callback");
        assert_eq!(row["method"], "POST");
        assert_eq!(row["_regardingobjectid_value"], job.to_string());
        assert_eq!(row["regardingobjecttypecode"], "asyncoperation");
    }
    let refusal = rows.iter().find(|r| r["outcome"] == 2).unwrap();
    assert_eq!(refusal["httpstatuscode"], serde_json::Value::Null);
    assert!(
        refusal["errormessage"]
            .as_str()
            .unwrap()
            .contains("10.0.0.1 is not a public address (private)")
    );
}
