//! The accept loop: HTTP/1.1 and HTTP/2 connections (HTTPS too) with a header-read deadline, caps on open connections, and accept errors that never stop it.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::time::Instant;

/// How many connections the server keeps open, and how long a connection may take to send
/// a request's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Longest a client may take to send a request's headers: counted from the connection's
    /// accept (TLS handshake included) for its first request, and from the previous response
    /// for the next ones on a kept-alive HTTP/1.1 connection. The connection is closed after
    /// it, so a client that connects and stalls holds no descriptor for long.
    pub header_read_timeout: Duration,
    /// Connections open at once in this process; more are closed as soon as they are accepted.
    pub max_connections: usize,
    /// Connections open at once from one IP address; more are closed as soon as they are
    /// accepted (one client cannot take every connection).
    pub max_connections_per_ip: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 10_000,
            max_connections_per_ip: 256,
        }
    }
}

/// The largest HTTP/2 header list accepted (hyper's default is 16 KiB): room for a URL of
/// [`switchboard_odata::url::MAX_URL`] and headers of [`crate::MAX_HEADER_BYTES`], so the
/// server's own checks answer them with the error JSON instead of h2's bare 431.
const H2_MAX_HEADER_LIST: u32 = 128 * 1024;

/// The pause after an accept error that is not the peer's doing (out of descriptors, of
/// buffers, anything unexpected): connections closing meanwhile give the resources back, and
/// the loop does not spin on an error that repeats.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The least time between two log lines about refused connections or failed accepts: a flood
/// of them must not become a flood of log lines.
const LOG_INTERVAL: Duration = Duration::from_secs(10);

/// What the accept loop does after `accept` failed: `None` to accept again at once (the peer
/// reset or aborted its connection before it was accepted: nothing is wrong here), or how long
/// to pause first (out of file descriptors, `EMFILE`/`ENFILE`, out of buffers or memory, or
/// anything unexpected). The loop never ends on an error.
pub(crate) fn accept_backoff(error: &io::Error) -> Option<Duration> {
    use io::ErrorKind::*;
    match error.kind() {
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock => None,
        _ => Some(ACCEPT_BACKOFF),
    }
}

/// Serves `app` on `listener` (over TLS when `tls` is set) until `shutdown` completes; then
/// stops accepting and waits for the open connections to finish their requests.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let builder = Arc::new(builder(&limits));
    let tls = tls.map(tokio_rustls::TlsAcceptor::from);
    let open = Arc::new(Open::new(limits));
    let graceful = GracefulShutdown::new();
    // One line per interval however the errors come: under a flood, descriptors are freed and
    // exhausted again many times a second.
    let mut failed = Throttled::default();
    let mut refused = Throttled::default();
    let mut failing = 0_u64;
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                let Some(pause) = accept_backoff(&error) else {
                    tracing::debug!(%error, "a connection was gone before it was accepted");
                    continue;
                };
                failing += 1;
                if let Some(unlogged) = failed.log_now() {
                    tracing::error!(
                        %error,
                        unlogged,
                        pause_ms = pause.as_millis() as u64,
                        "accept error: pausing, then accepting again"
                    );
                }
                tokio::time::sleep(pause).await;
                continue;
            }
        };
        if failing > 0 {
            tracing::debug!(errors = failing, "accepting connections again");
            failing = 0;
        }
        let slot = match open.admit(peer.ip()) {
            Ok(slot) => slot,
            Err(cap) => {
                if let Some(unlogged) = refused.log_now() {
                    tracing::warn!(
                        peer = %peer.ip(),
                        cap = %cap,
                        unlogged,
                        "connection refused: too many open connections"
                    );
                }
                // Dropping the stream closes it: nothing is read, nothing is answered.
                drop(stream);
                continue;
            }
        };
        tokio::spawn(connection(
            stream,
            tls.clone(),
            builder.clone(),
            app.clone(),
            limits.header_read_timeout,
            graceful.watcher(),
            slot,
        ));
    }
    // Refuse new connections at once rather than leave them waiting in the backlog.
    drop(listener);
    graceful.shutdown().await;
}

/// The HTTP/1.1 and HTTP/2 settings of every connection. HTTP/2 comes with its preface
/// (h2c) on the plain port and through ALPN on the HTTPS one, as `axum::serve` did.
fn builder(limits: &ConnectionLimits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Without a timer hyper's header-read timeout is off (as under `axum::serve`).
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(H2_MAX_HEADER_LIST);
    builder
}

/// One accepted connection, from the TLS handshake to its close. Its `slot` in the caps is
/// given back when it ends.
async fn connection(
    stream: TcpStream,
    tls: Option<tokio_rustls::TlsAcceptor>,
    builder: Arc<auto::Builder<TokioExecutor>>,
    app: Router,
    header_read_timeout: Duration,
    watcher: Watcher,
    _slot: Slot,
) {
    // hyper's own timeout starts only once it reads a request line; before that the TLS
    // handshake and hyper's look for the HTTP/2 preface would wait forever for a client that
    // sends nothing. One deadline from the accept covers both.
    let deadline = Instant::now() + header_read_timeout;
    match tls {
        None => serve_connection(stream, &builder, app, deadline, watcher).await,
        Some(acceptor) => match tokio::time::timeout_at(deadline, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => serve_connection(stream, &builder, app, deadline, watcher).await,
            Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
            Err(_) => tracing::debug!("TLS handshake not done within the header-read timeout"),
        },
    }
}

/// Serves HTTP on an open (decrypted) stream; closes it when no request started by
/// `deadline`.
async fn serve_connection<I>(
    io: I,
    builder: &auto::Builder<TokioExecutor>,
    app: Router,
    deadline: Instant,
    watcher: Watcher,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let started = Arc::new(Notify::new());
    let service = Service {
        app,
        started: started.clone(),
    };
    let connection = watcher.watch(builder.serve_connection(TokioIo::new(io), service));
    tokio::pin!(connection);
    tokio::select! {
        result = &mut connection => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
            return;
        }
        () = started.notified() => {}
        () = tokio::time::sleep_until(deadline) => {
            // Dropping the connection closes its socket.
            tracing::debug!("no request within the header-read timeout: connection closed");
            return;
        }
    }
    if let Err(error) = connection.await {
        tracing::debug!(%error, "connection ended with an error");
    }
}

/// The router as one connection's hyper service; it says when the first request arrived.
#[derive(Clone)]
struct Service {
    app: Router,
    started: Arc<Notify>,
}

impl hyper::service::Service<hyper::Request<Incoming>> for Service {
    type Response = axum::response::Response;
    type Error = Infallible;
    type Future = axum::routing::future::RouteFuture<Infallible>;

    fn call(&self, request: hyper::Request<Incoming>) -> Self::Future {
        // After the first request nobody waits: this is one atomic operation.
        self.started.notify_one();
        tower_service::Service::call(&mut self.app.clone(), request)
    }
}

/// Which cap refused a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cap {
    /// `max_connections`.
    Process(usize),
    /// `max_connections_per_ip`.
    Peer(usize),
}

impl std::fmt::Display for Cap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cap::Process(n) => write!(f, "{n} per process"),
            Cap::Peer(n) => write!(f, "{n} per IP address"),
        }
    }
}

/// The connections open now, in all and by peer address.
#[derive(Debug)]
pub(crate) struct Open {
    limits: ConnectionLimits,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_peer: HashMap<IpAddr, usize>,
}

impl Open {
    pub(crate) fn new(limits: ConnectionLimits) -> Self {
        Self {
            limits,
            counts: Mutex::new(Counts::default()),
        }
    }

    /// A place for one more connection from `peer`, or the cap it would exceed.
    pub(crate) fn admit(self: &Arc<Self>, peer: IpAddr) -> Result<Slot, Cap> {
        // An IPv4 client reaching a dual-stack listener shows as ::ffff:a.b.c.d: one address.
        let peer = peer.to_canonical();
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.total >= self.limits.max_connections {
            return Err(Cap::Process(self.limits.max_connections));
        }
        let mine = counts.by_peer.entry(peer).or_default();
        if *mine >= self.limits.max_connections_per_ip {
            return Err(Cap::Peer(self.limits.max_connections_per_ip));
        }
        *mine += 1;
        counts.total += 1;
        Ok(Slot {
            open: self.clone(),
            peer,
        })
    }

    /// Connections open now: in all, and from `peer`.
    #[cfg(test)]
    fn count(&self, peer: IpAddr) -> (usize, usize) {
        let counts = self.counts.lock().unwrap();
        let mine = counts.by_peer.get(&peer.to_canonical()).copied();
        (counts.total, mine.unwrap_or_default())
    }
}

/// One open connection's place in [`Open`], given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    open: Arc<Open>,
    peer: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self
            .open
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        counts.total -= 1;
        if let Some(mine) = counts.by_peer.get_mut(&self.peer) {
            *mine -= 1;
            // The map holds only peers with open connections: it cannot grow without bound.
            if *mine == 0 {
                counts.by_peer.remove(&self.peer);
            }
        }
    }
}

/// At most one log line per [`LOG_INTERVAL`] for a kind of event, counting those not logged.
#[derive(Debug, Default)]
struct Throttled {
    last: Option<Instant>,
    unlogged: u64,
}

impl Throttled {
    /// `Some(events not logged since the last line)` when this event is to be logged.
    fn log_now(&mut self) -> Option<u64> {
        self.log_at(Instant::now())
    }

    fn log_at(&mut self, now: Instant) -> Option<u64> {
        if self.last.is_some_and(|last| now - last < LOG_INTERVAL) {
            self.unlogged += 1;
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.unlogged))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Running out of file descriptors pauses the loop briefly; it never ends it, and a
    /// connection reset before its accept costs no pause at all.
    #[test]
    fn accept_errors_pause_or_retry_and_never_stop_the_loop() {
        #[cfg(unix)]
        {
            // EMFILE and ENFILE (the same numbers on Linux, the BSDs and macOS).
            for errno in [24, 23] {
                let error = io::Error::from_raw_os_error(errno);
                let pause = accept_backoff(&error).expect("a pause, not a spin");
                assert!(pause >= Duration::from_millis(50), "{error}");
                assert!(pause <= Duration::from_millis(100), "{error}");
            }
        }
        for kind in [
            io::ErrorKind::OutOfMemory,
            io::ErrorKind::InvalidInput,
            io::ErrorKind::Other,
        ] {
            assert_eq!(accept_backoff(&kind.into()), Some(ACCEPT_BACKOFF), "{kind}");
        }
        for kind in [
            io::ErrorKind::ConnectionAborted,
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::Interrupted,
        ] {
            assert_eq!(accept_backoff(&kind.into()), None, "{kind}");
        }
    }

    #[test]
    fn caps_count_per_process_and_per_address() {
        let open = Arc::new(Open::new(ConnectionLimits {
            max_connections: 3,
            max_connections_per_ip: 2,
            ..ConnectionLimits::default()
        }));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let a_mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        let first = open.admit(a).unwrap();
        let second = open.admit(a_mapped).unwrap();
        assert_eq!(
            open.admit(a).unwrap_err(),
            Cap::Peer(2),
            "one address, two forms"
        );
        let third = open.admit(b).unwrap();
        assert_eq!(open.admit(b).unwrap_err(), Cap::Process(3));
        assert_eq!(open.count(a), (3, 2));
        drop(first);
        assert_eq!(open.count(a), (2, 1));
        let again = open.admit(a).unwrap();
        drop((second, third, again));
        assert_eq!(open.count(a), (0, 0));
        assert!(open.counts.lock().unwrap().by_peer.is_empty());
    }

    #[test]
    fn floods_of_events_are_logged_once_per_interval() {
        let start = Instant::now();
        let mut throttled = Throttled::default();
        assert_eq!(throttled.log_at(start), Some(0));
        for _ in 0..1000 {
            assert_eq!(throttled.log_at(start + Duration::from_secs(1)), None);
        }
        let later = start + LOG_INTERVAL;
        assert_eq!(throttled.log_at(later), Some(1000));
        assert_eq!(throttled.log_at(later), None);
    }
}
