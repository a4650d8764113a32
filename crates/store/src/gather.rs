//! Requests gathered into shared statements. A statement costs two thread hand-offs and a
//! pool checkout (sqlx runs SQLite on a thread per connection, and SQLite has one writer),
//! far more than the database's own work on one row. So while a statement for a key (a
//! table and the shape of the request) is under way, further requests for that key wait,
//! and then go together as one statement: a request never waits longer than the statement
//! before it, and under load one statement serves many.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// Requests with the channels their answers go back on.
pub(crate) type Batch<T, R> = Vec<(T, oneshot::Sender<R>)>;

/// Most requests in one statement.
const BATCH: usize = 200;

/// The requests waiting, by key; a key is present while its statement is under way.
pub(crate) struct Gather<K, T, R> {
    waiting: Mutex<HashMap<K, Batch<T, R>>>,
}

impl<K, T, R> Default for Gather<K, T, R> {
    fn default() -> Self {
        Self {
            waiting: Mutex::new(HashMap::new()),
        }
    }
}

impl<K, T, R> std::fmt::Debug for Gather<K, T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gather")
    }
}

impl<K, T, R> Gather<K, T, R>
where
    K: Hash + Eq + Clone + Send + 'static,
    T: Send + 'static,
    R: Send + 'static,
{
    /// Submits `item`: runs it at once with `run` when nothing for `key` is under way,
    /// else waits to go with the next batch. `run` answers every request of its batch.
    /// `None` when the answer was lost (its statement's task ended without one).
    pub(crate) async fn submit<F, Fut>(self: &Arc<Self>, key: K, item: T, run: F) -> Option<R>
    where
        F: Fn(Batch<T, R>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let lead = {
            let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
            match waiting.get_mut(&key) {
                Some(batch) => {
                    batch.push((item, tx));
                    None
                }
                None => {
                    waiting.insert(key.clone(), Vec::new());
                    Some((item, tx))
                }
            }
        };
        if let Some(first) = lead {
            run(vec![first]).await;
            // What gathered meanwhile goes on in a task of its own: this caller is answered.
            if let Some(next) = self.next(&key) {
                let gather = self.clone();
                tokio::spawn(async move {
                    let mut batch = next;
                    loop {
                        run(batch).await;
                        match gather.next(&key) {
                            Some(next) => batch = next,
                            None => break,
                        }
                    }
                });
            }
        }
        rx.await.ok()
    }

    /// The requests waiting for `key` (at most [`BATCH`]), or `None`: then nothing for the
    /// key is under way any more.
    fn next(&self, key: &K) -> Option<Batch<T, R>> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        let batch = waiting.get_mut(key)?;
        if batch.is_empty() {
            waiting.remove(key);
            return None;
        }
        let n = batch.len().min(BATCH);
        Some(batch.drain(..n).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex as StdMutex;
    use tokio::sync::Notify;

    /// The statements a test ran: each key with the items it carried.
    type Statements = Arc<StdMutex<Vec<(&'static str, Vec<u32>)>>>;

    /// While a key's statement is under way, requests for the key wait and then go
    /// together; other keys do not wait; every request gets its own answer.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_arriving_during_a_statement_go_together_next() {
        let gather: Arc<Gather<&'static str, u32, u32>> = Arc::default();
        let batches: Statements = Arc::default();
        let release = Arc::new(Notify::new());
        let runner = |key: &'static str| {
            let (batches, release) = (batches.clone(), release.clone());
            move |batch: Batch<u32, u32>| {
                let (batches, release) = (batches.clone(), release.clone());
                async move {
                    let items: Vec<u32> = batch.iter().map(|(n, _)| *n).collect();
                    let first = batches.lock().unwrap().is_empty();
                    batches.lock().unwrap().push((key, items));
                    if first {
                        // The first statement is slow: the next requests pile up.
                        release.notified().await;
                    }
                    for (n, tx) in batch {
                        let _ = tx.send(n * 10);
                    }
                }
            }
        };
        let first = {
            let gather = gather.clone();
            let run = runner("a");
            tokio::spawn(async move { gather.submit("a", 0, run).await })
        };
        while batches.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
        let waiting: Vec<_> = (1..=10)
            .map(|n| {
                let gather = gather.clone();
                let run = runner("a");
                tokio::spawn(async move { gather.submit("a", n, run).await })
            })
            .collect();
        // Another key is not held up by the slow statement.
        let other = gather.submit("b", 7, runner("b")).await;
        assert_eq!(other, Some(70));
        // Let the waiting requests queue, then finish the slow statement.
        while gather.waiting.lock().unwrap().get("a").map_or(0, Vec::len) < 10 {
            tokio::task::yield_now().await;
        }
        release.notify_one();
        assert_eq!(first.await.unwrap(), Some(0));
        for (n, task) in (1..=10).zip(waiting) {
            assert_eq!(task.await.unwrap(), Some(n * 10), "each its own answer");
        }
        let batches = batches.lock().unwrap().clone();
        let mut of_a: Vec<Vec<u32>> = batches
            .iter()
            .filter(|(k, _)| *k == "a")
            .map(|(_, items)| items.clone())
            .collect();
        assert_eq!(
            of_a.len(),
            2,
            "two statements for eleven requests: {batches:?}"
        );
        of_a[1].sort_unstable();
        assert_eq!(of_a[1], (1..=10).collect::<Vec<u32>>());
        assert!(
            gather.waiting.lock().unwrap().is_empty(),
            "nothing left under way"
        );
    }
}
