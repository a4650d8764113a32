//! Outbound HTTP (callbacks, webhooks, trigger deliveries): one client with a timeout,
//! destinations decided by [`policy`] on the resolved address before any connection,
//! redirects followed to the same host only, response bodies read up to a cap, and one
//! delivery log row per attempt. Retrying is the caller's (the job queue's): one
//! [`Outbound::post`] is one attempt.

mod policy;
mod resolve;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION};
use switchboard_store::deliveries::{DeliveryLog, NewDelivery, outcome};
use tokio::time::Instant;
use uuid::Uuid;

pub use policy::{AllowEntry, AllowEntryError};
pub use resolve::{Lookup, SystemLookup};

use policy::{Policy, Refusal};

/// How long an attempt may take, redirects and reading the answer included (Dataverse's
/// webhooks wait 60 seconds).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The most of an answer's body that is read; the rest is ignored.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// The most redirects one attempt follows.
pub const DEFAULT_MAX_REDIRECTS: usize = 3;

/// The client's `User-Agent`.
const USER_AGENT: &str = concat!("Switchboard/", env!("CARGO_PKG_VERSION"));
/// The most of a failed answer's body quoted in its error message.
const QUOTED_BODY_MAX: usize = 200;
/// What replaces secrets in logged URLs.
const REDACTED: &str = "REDACTED";
/// `errorcode` of a refused destination in a [`DeliverySummary`]: Dataverse's
/// InvalidArgument (0x80040203), the URL given being one that may not be called.
const INVALID_ARGUMENT: i32 = 0x8004_0203_u32 as i32;

/// How outbound HTTP runs.
#[derive(Debug, Clone)]
pub struct OutboundConfig {
    /// Destinations allowed besides public addresses on ports 80 and 443.
    pub allow: Vec<AllowEntry>,
    /// How long an attempt may take unless the delivery says otherwise.
    pub timeout: Duration,
    /// The most of an answer's body kept.
    pub max_response_bytes: usize,
    /// The most redirects an attempt follows.
    pub max_redirects: usize,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        Self {
            allow: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_redirects: DEFAULT_MAX_REDIRECTS,
        }
    }
}

/// What a delivery is for (the log's `purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryPurpose {
    /// A background operation's completion callback (`odata.callback`).
    Callback,
    /// A webhook service endpoint's call.
    Webhook,
    /// A trigger subscription's notification (Logic Apps, Power Automate).
    Trigger,
}

impl DeliveryPurpose {
    /// The name the log keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Callback => "callback",
            Self::Webhook => "webhook",
            Self::Trigger => "trigger",
        }
    }
}

/// One attempt to POST a body to a URL.
#[derive(Clone)]
pub struct Delivery<'a> {
    /// Where to. Its query string's values are redacted in the log (SAS URLs carry
    /// secrets there).
    pub url: &'a str,
    /// The body, sent as is.
    pub body: Bytes,
    /// Headers to send; `Content-Type` is `application/json` unless one is given here.
    pub headers: &'a [(String, String)],
    /// What the delivery is for.
    pub purpose: DeliveryPurpose,
    /// The record the delivery is made for: (table logical name, id).
    pub regarding: Option<(&'a str, Uuid)>,
    /// The correlation id of the request that caused it.
    pub correlation_id: Option<Uuid>,
    /// Which attempt this is (1 for the first).
    pub attempt: u32,
    /// How long this attempt may take ([`OutboundConfig::timeout`] when `None`).
    pub timeout: Option<Duration>,
}

/// Without secrets: the URL redacted, the headers' names only.
impl std::fmt::Debug for Delivery<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Delivery")
            .field("url", &redact_url(self.url))
            .field("body", &self.body.len())
            .field("headers", &headers)
            .field("purpose", &self.purpose)
            .field("regarding", &self.regarding)
            .field("correlation_id", &self.correlation_id)
            .field("attempt", &self.attempt)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl<'a> Delivery<'a> {
    /// A first attempt to POST `body` to `url`, with no extra headers, regarding nothing.
    pub fn new(purpose: DeliveryPurpose, url: &'a str, body: impl Into<Bytes>) -> Self {
        Self {
            url,
            body: body.into(),
            headers: &[],
            purpose,
            regarding: None,
            correlation_id: None,
            attempt: 1,
            timeout: None,
        }
    }
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The destination answered 2xx.
    Delivered {
        /// The status.
        status: u16,
        /// The body, at most [`OutboundConfig::max_response_bytes`] of it.
        body: Bytes,
    },
    /// No answer (connection, timeout), an answer other than 2xx, or a redirect that is
    /// not followed.
    Failed {
        /// The status, when the destination answered.
        status: Option<u16>,
        /// What went wrong (secrets of the URL redacted).
        error: String,
        /// Whether another attempt may succeed: connection failures, timeouts, 408, 429
        /// and 5xx ([`retryable_status`]).
        retryable: bool,
    },
    /// Not sent: the destination is not allowed. Decided before any connection; never
    /// retryable.
    Refused {
        /// Why.
        reason: String,
    },
}

/// Whether an answer with this status may succeed when sent again: 408 Request Timeout, 429
/// Too Many Requests and every 5xx. (Dataverse's webhooks retry only 502, 503 and 504, once:
/// their caller applies that rule to [`DeliveryOutcome::status`].)
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// What an operation (a background operation, a system job) shows of its delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySummary {
    /// Attempts before this one.
    pub retrycount: i32,
    /// `None` when delivered; 0 when the destination failed (the error did not come from
    /// the platform, as Dataverse's `errorcode` reads); InvalidArgument (0x80040203) when
    /// the destination was refused.
    pub errorcode: Option<i32>,
    /// The failure or refusal.
    pub errormessage: Option<String>,
}

impl DeliveryOutcome {
    /// Whether the destination answered 2xx.
    pub fn is_delivered(&self) -> bool {
        matches!(self, Self::Delivered { .. })
    }

    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Failed {
                retryable: true,
                ..
            }
        )
    }

    /// The status the destination answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Delivered { status, .. } => Some(*status),
            Self::Failed { status, .. } => *status,
            Self::Refused { .. } => None,
        }
    }

    /// The failure or refusal; `None` when delivered.
    pub fn error(&self) -> Option<&str> {
        match self {
            Self::Delivered { .. } => None,
            Self::Failed { error, .. } => Some(error),
            Self::Refused { reason } => Some(reason),
        }
    }

    /// The outcome of attempt `attempt` (1 for the first) as its operation shows it.
    pub fn summary(&self, attempt: u32) -> DeliverySummary {
        DeliverySummary {
            retrycount: i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX),
            errorcode: match self {
                Self::Delivered { .. } => None,
                Self::Failed { .. } => Some(0),
                Self::Refused { .. } => Some(INVALID_ARGUMENT),
            },
            errormessage: self.error().map(str::to_owned),
        }
    }
}

impl From<Refusal> for DeliveryOutcome {
    fn from(refusal: Refusal) -> Self {
        Self::Refused {
            reason: refusal.to_string(),
        }
    }
}

/// The outbound HTTP client: one connection pool, the destination policy, the delivery
/// log. Cheap to clone (one reference count).
#[derive(Clone)]
pub struct Outbound(Arc<Inner>);

struct Inner {
    client: reqwest::Client,
    policy: Arc<Policy>,
    config: OutboundConfig,
    log: Option<DeliveryLog>,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}

impl Outbound {
    /// A client resolving names with the system's resolver, recording attempts in `log`
    /// (none: not recorded).
    pub fn new(config: OutboundConfig, log: Option<DeliveryLog>) -> Result<Self, String> {
        Self::with_lookup(config, log, Arc::new(SystemLookup))
    }

    /// As [`Self::new`], resolving names with `lookup`.
    pub fn with_lookup(
        config: OutboundConfig,
        log: Option<DeliveryLog>,
        lookup: Arc<dyn Lookup>,
    ) -> Result<Self, String> {
        let policy = Arc::new(Policy::new(config.allow.clone()));
        let client = reqwest::Client::builder()
            // Redirects are followed by `attempt`, each hop checked like the first.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would be resolved instead of the destination: the policy would check
            // the wrong address.
            .no_proxy()
            .dns_resolver(Arc::new(resolve::Guard::new(policy.clone(), lookup)))
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| format!("cannot build the outbound HTTP client: {}", chain(&e)))?;
        Ok(Self(Arc::new(Inner {
            client,
            policy,
            config,
            log,
        })))
    }

    /// How this client runs.
    pub fn config(&self) -> &OutboundConfig {
        &self.0.config
    }

    /// One attempt to POST `delivery`, recorded in the delivery log (queued: written in the
    /// background).
    pub async fn post(&self, delivery: Delivery<'_>) -> DeliveryOutcome {
        let created_on = switchboard_store::jobs::now_millis();
        let started = Instant::now();
        let limit = delivery.timeout.unwrap_or(self.0.config.timeout);
        let outcome = self
            .attempt(&delivery, started + limit)
            .await
            .unwrap_or_else(|| DeliveryOutcome::Failed {
                status: None,
                error: format!("timed out: no answer within {} ms", limit.as_millis()),
                retryable: true,
            });
        self.record(&delivery, &outcome, created_on, started.elapsed());
        outcome
    }

    /// Writes the delivery log's queued rows now.
    pub async fn flush_log(&self) {
        if let Some(log) = &self.0.log {
            log.flush().await;
        }
    }

    /// The attempt; `None` when it ran out of time before an answer came.
    async fn attempt(&self, delivery: &Delivery<'_>, deadline: Instant) -> Option<DeliveryOutcome> {
        let mut url = match Url::parse(delivery.url) {
            Ok(url) => url,
            Err(e) => {
                return Some(DeliveryOutcome::Refused {
                    reason: format!("the URL cannot be read: {e}"),
                });
            }
        };
        let headers = match header_map(delivery.headers) {
            Ok(headers) => headers,
            Err(error) => {
                return Some(DeliveryOutcome::Failed {
                    status: None,
                    error,
                    retryable: false,
                });
            }
        };
        let max_redirects = self.0.config.max_redirects;
        let mut redirects = 0;
        loop {
            let hop = match self.0.policy.check_url(&url) {
                Ok(hop) => hop,
                Err(refusal) => return Some(refusal.into()),
            };
            let request = self
                .0
                .client
                .post(url.clone())
                .headers(headers.clone())
                .body(delivery.body.clone());
            let response =
                match tokio::time::timeout_at(deadline, resolve::within(hop, request.send()))
                    .await
                    .ok()?
                {
                    Ok(response) => response,
                    Err(e) => return Some(failure(&e)),
                };
            let status = response.status();
            if matches!(status.as_u16(), 301 | 302 | 307 | 308) {
                let next = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok());
                let followed = match next {
                    None => Err("redirected without a valid Location".to_owned()),
                    Some(_) if redirects == max_redirects => {
                        Err(format!("more than {max_redirects} redirects"))
                    }
                    Some(next) => redirect_refused(&url, &next).map_or(Ok(next), Err),
                };
                match followed {
                    Ok(next) => {
                        redirects += 1;
                        url = next;
                        continue;
                    }
                    Err(why) => {
                        return Some(DeliveryOutcome::Failed {
                            status: Some(status.as_u16()),
                            error: format!("answered {status}: {why}"),
                            retryable: false,
                        });
                    }
                }
            }
            let body = read_capped(response, self.0.config.max_response_bytes, deadline).await;
            return Some(if status.is_success() {
                DeliveryOutcome::Delivered {
                    status: status.as_u16(),
                    body,
                }
            } else {
                DeliveryOutcome::Failed {
                    status: Some(status.as_u16()),
                    error: format!("answered {status}{}", quoted(&body)),
                    retryable: retryable_status(status.as_u16()),
                }
            });
        }
    }

    fn record(
        &self,
        delivery: &Delivery<'_>,
        result: &DeliveryOutcome,
        created_on: i64,
        took: Duration,
    ) {
        let Some(log) = &self.0.log else {
            return;
        };
        let code = match result {
            DeliveryOutcome::Delivered { .. } => outcome::DELIVERED,
            DeliveryOutcome::Failed { .. } => outcome::FAILED,
            DeliveryOutcome::Refused { .. } => outcome::REFUSED,
        };
        log.record(NewDelivery {
            created_on,
            purpose: delivery.purpose.as_str().to_owned(),
            method: "POST".to_owned(),
            url: redact_url(delivery.url),
            host: Url::parse(delivery.url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default(),
            attempt: i32::try_from(delivery.attempt).unwrap_or(i32::MAX),
            status: result.status().map(i32::from),
            duration_ms: i32::try_from(took.as_millis()).unwrap_or(i32::MAX),
            error: result.error().map(str::to_owned),
            outcome: code,
            regarding: delivery.regarding.map(|(table, id)| (table.to_owned(), id)),
            correlation_id: delivery.correlation_id,
        });
    }
}

/// The caller's headers, with `Content-Type: application/json` unless they set one.
fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("{name:?} is not a valid header name"))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| format!("the value of header {name} is not valid"))?;
        map.append(name, value);
    }
    if !map.contains_key(CONTENT_TYPE) {
        map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    Ok(map)
}

/// Why a redirect from `from` to `to` is not followed; `None` when it is: to the same host
/// only (a destination the caller did not choose gets neither the body nor the headers),
/// and never from https to http.
fn redirect_refused(from: &Url, to: &Url) -> Option<String> {
    let same_host = match (from.host_str(), to.host_str()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    };
    if !same_host {
        return Some(format!(
            "redirected to another host ({}); only redirects to the same host are followed",
            redact_url(to.as_str())
        ));
    }
    if from.scheme() == "https" && to.scheme() != "https" {
        return Some(format!(
            "redirected from https to {}",
            redact_url(to.as_str())
        ));
    }
    None
}

/// Reads at most `cap` bytes of the body, before `deadline`; the rest, a failure reading it
/// or running out of time are not errors (the status decided the outcome already).
async fn read_capped(mut response: reqwest::Response, cap: usize, deadline: Instant) -> Bytes {
    let mut body: Vec<u8> = Vec::new();
    while body.len() < cap {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Ok(Ok(Some(chunk))) => {
                let room = cap - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            _ => break,
        }
    }
    Bytes::from(body)
}

/// The start of a failed answer's body, for its error message.
fn quoted(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(QUOTED_BODY_MAX)]);
    let text = text.trim();
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

/// A request that got no answer: refused by the resolver (the policy), or failed on the
/// way (connection, DNS, TLS, a connection closed early: worth another attempt), or never
/// built (not).
fn failure(e: &reqwest::Error) -> DeliveryOutcome {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(cause) = source {
        if let Some(refusal) = cause.downcast_ref::<Refusal>() {
            return refusal.clone().into();
        }
        source = cause.source();
    }
    DeliveryOutcome::Failed {
        status: None,
        error: chain(e),
        retryable: !e.is_builder(),
    }
}

/// An error and its causes, without the URL (reqwest's errors show it whole, secrets
/// included).
fn chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(&format!(" for url ({url})"), "");
    }
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.ends_with(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

/// `url` as the log keeps it: the values of its query string and any user name and
/// password replaced by `REDACTED` (SAS and Logic Apps callback URLs carry their
/// signatures there), the parameter names kept, the fragment dropped.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        // Not a URL: nothing can be told apart from a secret.
        return format!("({REDACTED}: not a URL)");
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        let _ = parsed.set_username(REDACTED);
        let _ = parsed.set_password(None);
    }
    if let Some(query) = parsed.query() {
        let redacted: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) => format!("{name}={REDACTED}"),
                None => pair.to_owned(),
            })
            .collect();
        parsed.set_query(Some(&redacted.join("&")));
    }
    parsed.set_fragment(None);
    parsed.into()
}
