//! The per-user budget of long-running plug-in calls: past a threshold a call needs one of
//! its user's few permits to go on running, so a handful of looping calls cannot take the
//! processors from everyone else, while short calls never touch the budget.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

/// How many users' semaphores are kept before the idle ones are dropped.
const PRUNE_AT: usize = 1024;

/// Permits per user for calls that ran past the threshold.
#[derive(Debug)]
pub(crate) struct LongCalls {
    per_user: usize,
    users: Mutex<HashMap<Uuid, Arc<Semaphore>>>,
    /// Calls that found no permit free and had to wait (see [`Self::waits`]).
    waits: AtomicU64,
}

impl LongCalls {
    pub(crate) fn new(per_user: u32) -> Self {
        Self {
            per_user: usize::try_from(per_user.max(1)).unwrap_or(usize::MAX),
            users: Mutex::new(HashMap::new()),
            waits: AtomicU64::new(0),
        }
    }

    /// How many times a long-running call found none of its user's permits free.
    pub(crate) fn waits(&self) -> u64 {
        self.waits.load(Ordering::Relaxed)
    }

    /// The permits of `user`.
    fn semaphore(&self, user: Uuid) -> Arc<Semaphore> {
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        if users.len() >= PRUNE_AT {
            // A semaphore nobody holds a permit of nor waits on is only a counter at rest.
            users.retain(|_, s| Arc::strong_count(s) > 1);
        }
        users
            .entry(user)
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_user)))
            .clone()
    }

    /// The budget of one call made for `user`.
    pub(crate) fn for_call(self: &Arc<Self>, user: Uuid) -> CallBudget {
        CallBudget {
            calls: self.clone(),
            user,
            semaphore: None,
            permit: Arc::new(Mutex::new(None)),
        }
    }
}

/// One call's share of its user's budget: the permit, once it needed and got one (held until
/// the call's sandbox is dropped).
pub(crate) struct CallBudget {
    calls: Arc<LongCalls>,
    user: Uuid,
    semaphore: Option<Arc<Semaphore>>,
    permit: Arc<Mutex<Option<OwnedSemaphorePermit>>>,
}

/// What a long-running call does at an epoch tick.
pub(crate) enum LongCallTurn {
    /// It holds a permit: run on.
    Run,
    /// No permit is free: wait for one (at most until the call's deadline), running nothing.
    Wait(Pin<Box<dyn Future<Output = ()> + Send>>),
}

impl CallBudget {
    /// Takes a permit when one is free; otherwise the future that waits for one.
    pub(crate) fn turn(&mut self, for_at_most: Duration) -> LongCallTurn {
        let mut held = self.permit.lock().unwrap_or_else(|e| e.into_inner());
        if held.is_some() {
            return LongCallTurn::Run;
        }
        let semaphore = self
            .semaphore
            .get_or_insert_with(|| self.calls.semaphore(self.user))
            .clone();
        match semaphore.clone().try_acquire_owned() {
            Ok(permit) => {
                *held = Some(permit);
                LongCallTurn::Run
            }
            Err(_) => {
                self.calls.waits.fetch_add(1, Ordering::Relaxed);
                let slot = self.permit.clone();
                LongCallTurn::Wait(Box::pin(async move {
                    // Past the wait the deadline has passed: the next tick stops the call.
                    if let Ok(Ok(permit)) =
                        tokio::time::timeout(for_at_most, semaphore.acquire_owned()).await
                    {
                        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(permit);
                    }
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_user_runs_at_most_its_permits_of_long_calls_and_others_are_not_counted() {
        let calls = Arc::new(LongCalls::new(2));
        let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let mut a1 = calls.for_call(alice);
        let mut a2 = calls.for_call(alice);
        let mut a3 = calls.for_call(alice);
        let mut b1 = calls.for_call(bob);
        assert!(matches!(a1.turn(Duration::ZERO), LongCallTurn::Run));
        assert!(matches!(a2.turn(Duration::ZERO), LongCallTurn::Run));
        assert!(matches!(a1.turn(Duration::ZERO), LongCallTurn::Run), "held");
        assert!(
            matches!(b1.turn(Duration::ZERO), LongCallTurn::Run),
            "bob's own"
        );
        let LongCallTurn::Wait(wait) = a3.turn(Duration::from_secs(5)) else {
            panic!("alice's third long call must wait");
        };
        // Alice's first call ends: the waiting one gets its permit.
        drop(a1);
        wait.await;
        assert!(matches!(a3.turn(Duration::ZERO), LongCallTurn::Run));
    }

    #[tokio::test]
    async fn a_wait_ends_at_its_limit_without_a_permit() {
        let calls = Arc::new(LongCalls::new(1));
        let user = Uuid::new_v4();
        let mut first = calls.for_call(user);
        let mut second = calls.for_call(user);
        assert!(matches!(first.turn(Duration::ZERO), LongCallTurn::Run));
        let LongCallTurn::Wait(wait) = second.turn(Duration::from_millis(20)) else {
            panic!("must wait");
        };
        wait.await;
        assert!(second.permit.lock().unwrap().is_none());
    }
}
