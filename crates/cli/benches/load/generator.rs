//! The load generator: N keep-alive HTTP/1.1 connections on one thread (as `wrk -t1`), each
//! sending the same request back to back for a fixed time; latencies of every answer after
//! the warm-up are kept and the thread's own CPU time is measured.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};
use hyper_util::rt::TokioIo;

/// One request, sent again and again.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub(crate) method: Method,
    /// Path and query, e.g. `/api/data/v9.2/sb_Reverse`.
    pub(crate) target: String,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Bytes,
}

impl Request {
    pub(crate) fn get(target: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            target: target.into(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    pub(crate) fn post_json(target: impl Into<String>, body: &serde_json::Value) -> Self {
        Self {
            method: Method::POST,
            target: target.into(),
            headers: vec![(
                hyper::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body: Bytes::from(body.to_string()),
        }
    }

    pub(crate) fn bearer(mut self, token: &str) -> Self {
        self.headers.push((
            hyper::header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).expect("a token is a header value"),
        ));
        self
    }

    fn build(&self, host: &HeaderValue) -> hyper::Request<Full<Bytes>> {
        let mut request = hyper::Request::builder()
            .method(self.method.clone())
            .uri(self.target.as_str())
            .body(Full::new(self.body.clone()))
            .expect("a valid request");
        let headers = request.headers_mut();
        headers.insert(hyper::header::HOST, host.clone());
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
        request
    }
}

/// What one run measured.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// Answers received after the warm-up.
    pub(crate) requests: u64,
    /// Of those, how many were not 2xx.
    pub non_2xx: u64,
    /// Connections that failed (refused, reset); each ends its connection's run.
    pub(crate) errors: u64,
    /// The first non-2xx answer's status and body, to say what went wrong.
    pub(crate) first_failure: Option<String>,
    /// Every latency after the warm-up, in microseconds, sorted.
    pub(crate) latencies_us: Vec<u32>,
    /// The measured interval.
    pub(crate) wall: Duration,
    /// CPU time the generator's thread used during it.
    pub(crate) cpu: Duration,
}

impl Report {
    pub(crate) fn per_second(&self) -> f64 {
        self.requests as f64 / self.wall.as_secs_f64()
    }

    /// The latency below which `q` (0..1) of the answers came, in milliseconds.
    pub(crate) fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * q).round() as usize;
        f64::from(self.latencies_us[i]) / 1000.0
    }

    /// The generator's CPU use, in cores.
    pub(crate) fn cpu_cores(&self) -> f64 {
        self.cpu.as_secs_f64() / self.wall.as_secs_f64()
    }
}

/// CPU time of the calling thread (`/proc/thread-self/schedstat`, nanoseconds on a CPU).
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

#[derive(Default)]
struct Tally {
    requests: u64,
    non_2xx: u64,
    errors: u64,
    first_failure: Option<String>,
    latencies_us: Vec<u32>,
}

/// Sends `request` to `addr` over `connections` connections for `warmup + duration`,
/// counting only the answers that arrive after the warm-up; `limit` stops after that many
/// answers in all (then the run ends early).
pub(crate) fn run(
    addr: SocketAddr,
    request: &Request,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    limit: Option<u64>,
) -> Report {
    run_at(addr, request, connections, warmup, duration, limit, None)
}

/// [`run`], at most `rate` requests per second in all when given (each connection sends at
/// its share of the rate on a fixed schedule; after a late answer it catches up).
pub(crate) fn run_at(
    addr: SocketAddr,
    request: &Request,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    limit: Option<u64>,
    rate: Option<f64>,
) -> Report {
    let pace = rate
        .filter(|r| *r > 0.0)
        .map(|r| Duration::from_secs_f64(connections as f64 / r));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the generator");
    let request = request.clone();
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                runtime.block_on(drive(
                    addr,
                    request,
                    connections,
                    warmup,
                    duration,
                    limit,
                    pace,
                ))
            })
            .join()
            .expect("the generator thread")
    })
}

async fn drive(
    addr: SocketAddr,
    request: Request,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    limit: Option<u64>,
    pace: Option<Duration>,
) -> Report {
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + duration;
    let host = HeaderValue::from_str(&addr.to_string()).expect("an address is a header value");
    let sent = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let local = tokio::task::LocalSet::new();
    let cpu_at = std::rc::Rc::new(std::cell::Cell::new(None::<Duration>));
    let tasks: Vec<_> = (0..connections)
        .map(|n| {
            let (request, host, sent, cpu_at) =
                (request.clone(), host.clone(), sent.clone(), cpu_at.clone());
            local.spawn_local(async move {
                let mut tally = Tally::default();
                // Paced connections start spread over one interval, not all at once.
                let mut next = pace.map(|p| {
                    tokio::time::Instant::now() + p.mul_f64(n as f64 / connections as f64)
                });
                let stream = match tokio::net::TcpStream::connect(addr).await {
                    Ok(s) => s,
                    Err(_) => {
                        tally.errors += 1;
                        return tally;
                    }
                };
                let _ = stream.set_nodelay(true);
                let (mut sender, mut connection) = match hyper::client::conn::http1::Builder::new()
                    .writev(false)
                    .handshake(TokioIo::new(stream))
                    .await
                {
                    Ok(pair) => pair,
                    Err(_) => {
                        tally.errors += 1;
                        return tally;
                    }
                };
                // The connection is driven by this task too (no second task to wake per
                // request): each request is polled together with it until it completes.
                loop {
                    if let (Some(at), Some(pace)) = (next.as_mut(), pace) {
                        tokio::time::sleep_until(*at).await;
                        *at += pace;
                    }
                    let now = Instant::now();
                    if now >= end || limit.is_some_and(|l| sent.get() >= l) {
                        break;
                    }
                    sent.set(sent.get() + 1);
                    let began = now;
                    let exchange = async {
                        sender.ready().await?;
                        let response = sender.send_request(request.build(&host)).await?;
                        let status = response.status();
                        // The body is read to its end; only a failure's is kept (for the
                        // report), so a success costs no copy.
                        let mut body = response.into_body();
                        let mut kept = Vec::new();
                        while let Some(frame) = body.frame().await {
                            if !status.is_success()
                                && let Ok(data) = frame?.into_data()
                            {
                                kept.extend_from_slice(&data);
                            }
                        }
                        let body = Bytes::from(kept);
                        Ok::<_, hyper::Error>((status, body))
                    };
                    let outcome = tokio::select! {
                        biased;
                        outcome = exchange => outcome,
                        closed = &mut connection => match closed {
                            Ok(()) => break,
                            Err(e) => Err(e),
                        },
                    };
                    let finished = Instant::now();
                    if finished < measure_from && limit.is_none() {
                        continue;
                    }
                    if cpu_at.get().is_none() {
                        cpu_at.set(Some(thread_cpu()));
                    }
                    match outcome {
                        Ok((status, body)) => {
                            tally.requests += 1;
                            if !status.is_success() {
                                tally.non_2xx += 1;
                                if tally.first_failure.is_none() {
                                    tally.first_failure = Some(format!(
                                        "{status}: {}",
                                        String::from_utf8_lossy(&body[..body.len().min(300)])
                                    ));
                                }
                            }
                            let micros = finished.duration_since(began).as_micros();
                            tally
                                .latencies_us
                                .push(u32::try_from(micros).unwrap_or(u32::MAX));
                        }
                        Err(_) => {
                            tally.errors += 1;
                            break;
                        }
                    }
                }
                tally
            })
        })
        .collect();
    let tallies = local
        .run_until(async {
            let mut all = Vec::new();
            for t in tasks {
                all.push(t.await.unwrap_or_default());
            }
            all
        })
        .await;
    let cpu_end = thread_cpu();
    let measured_from = if limit.is_some() { start } else { measure_from };
    let wall = Instant::now().duration_since(measured_from);
    let mut report = Report {
        wall,
        cpu: cpu_end.saturating_sub(cpu_at.get().unwrap_or(cpu_end)),
        ..Report::default()
    };
    for t in tallies {
        report.requests += t.requests;
        report.non_2xx += t.non_2xx;
        report.errors += t.errors;
        if report.first_failure.is_none() {
            report.first_failure = t.first_failure;
        }
        report.latencies_us.extend(t.latencies_us);
    }
    report.latencies_us.sort_unstable();
    report
}
