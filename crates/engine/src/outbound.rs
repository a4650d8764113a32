//! PLACEHOLDER until the outbound module lands: posts JSON with reqwest, no policy.
#![allow(missing_docs, unreachable_pub)]

use std::time::Duration;
use uuid::Uuid;

#[derive(Clone, Default)]
pub struct Outbound {
    client: reqwest::Client,
}

pub enum DeliveryPurpose {
    Callback,
}

pub struct Delivery<'a> {
    pub url: &'a str,
    pub body: &'a serde_json::Value,
    pub headers: &'a [(String, String)],
    pub purpose: DeliveryPurpose,
    pub regarding: Option<(&'a str, Uuid)>,
    pub correlation_id: Option<Uuid>,
    pub attempt: u32,
    pub timeout: Option<Duration>,
}

pub enum DeliveryOutcome {
    Delivered {
        status: u16,
    },
    Failed {
        status: Option<u16>,
        error: String,
        retryable: bool,
    },
    Refused {
        reason: String,
    },
}

impl Outbound {
    pub async fn post(&self, d: Delivery<'_>) -> DeliveryOutcome {
        match self.client.post(d.url).json(d.body).send().await {
            Ok(r) if r.status().is_success() => DeliveryOutcome::Delivered {
                status: r.status().as_u16(),
            },
            Ok(r) => DeliveryOutcome::Failed {
                status: Some(r.status().as_u16()),
                error: format!("HTTP {}", r.status()),
                retryable: r.status().is_server_error(),
            },
            Err(e) => DeliveryOutcome::Failed {
                status: None,
                error: e.to_string(),
                retryable: true,
            },
        }
    }
}
