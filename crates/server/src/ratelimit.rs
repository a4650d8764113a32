//! Per-user service protection: at most N requests per window, then 429 with
//! `Retry-After`, in the shape of Dataverse's service protection limits.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

/// Fixed-window request counters per user.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    counters: Mutex<HashMap<Uuid, (Instant, u32)>>,
}

impl RateLimiter {
    /// `limit` requests per `window` for each user.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            counters: Mutex::new(HashMap::new()),
        }
    }

    /// The configured limit and window.
    pub fn limits(&self) -> (u32, Duration) {
        (self.limit, self.window)
    }

    /// Counts a request; `Err(seconds)` says how long to wait when over the limit.
    pub fn check(&self, user: Uuid) -> Result<(), u64> {
        let now = Instant::now();
        let mut counters = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let entry = counters.entry(user).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_user_and_window() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(a).is_ok());
        let wait = limiter.check(a).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limiter.check(b).is_ok(), "other users are not affected");
        let short = RateLimiter::new(1, Duration::from_millis(1));
        assert!(short.check(a).is_ok());
        std::thread::sleep(Duration::from_millis(5));
        assert!(short.check(a).is_ok(), "a new window starts over");
    }
}
