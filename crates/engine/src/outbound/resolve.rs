//! Name resolution for outbound HTTP: reqwest resolves every host name it connects to
//! through [`Guard`], which looks the name up and checks every address against the
//! destination policy, so a refused address is never handed to the connector.
//!
//! reqwest hands a resolver the name only, but the policy also depends on the port (an
//! allow-list entry may name one; off the list only 80 and 443 are allowed). The delivery
//! sets the port of the hop it sends in a task-local ([`within`]); the connection is opened
//! while that request is polled, so the resolver reads it there. A name resolved anywhere
//! else finds no port and is refused.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::policy::{Hop, Policy, Refusal};

/// Resolves host names to addresses. The system's resolver by default; tests give names
/// fixed addresses (a port in an address is kept when the URL names none).
pub trait Lookup: Send + Sync {
    /// The addresses of `host`.
    fn lookup(
        &self,
        host: &str,
    ) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send>>;
}

/// The operating system's resolver (`getaddrinfo`, on tokio's blocking threads).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(
        &self,
        host: &str,
    ) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send>> {
        let host = host.to_owned();
        Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), 0)).await?.collect()) })
    }
}

tokio::task_local! {
    /// The hop being sent by the request polled on this task.
    static HOP: Hop;
}

/// Sends `request` with `hop` known to the resolver.
pub(super) async fn within<F: Future>(hop: Hop, request: F) -> F::Output {
    HOP.scope(hop, request).await
}

/// The resolver reqwest's client uses: a lookup, then the policy.
pub(super) struct Guard {
    policy: Arc<Policy>,
    lookup: Arc<dyn Lookup>,
}

impl Guard {
    pub(super) fn new(policy: Arc<Policy>, lookup: Arc<dyn Lookup>) -> Self {
        Self { policy, lookup }
    }
}

impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        // Read now: the future below may be polled after the request's task-local scope.
        let hop = HOP.try_with(|hop| *hop).ok();
        let host = name.as_str().to_owned();
        let (policy, lookup) = (self.policy.clone(), self.lookup.clone());
        Box::pin(async move {
            let Some(hop) = hop else {
                return Err(Refusal::outside_a_delivery(&host).into());
            };
            let addrs = lookup.lookup(&host).await?;
            policy.check_resolved(&host, hop.port, &addrs)?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
