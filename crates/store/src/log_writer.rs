//! The background writer of log tables (the plug-in trace log, the outbound delivery log):
//! callers queue a row and never wait; one task writes rows in batches, outside every
//! caller's transaction (on SQLite the caller may hold the only writing connection), and
//! when it falls behind drops the oldest rows of successes before any failure's.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use tokio::sync::Notify;

use crate::Store;

/// A row of a log table the writer can hold and write.
pub trait LogRow: Sized + Send + Sync + 'static {
    /// The log's name in warnings ("plug-in trace log").
    const LOG: &'static str;

    /// The table's entity.
    type Entity: EntityTrait<ActiveModel: Send>;

    /// Whether the row records a failure (kept longer when the writer falls behind).
    fn failed(&self) -> bool;

    /// The row as inserted (a new id included).
    fn active_model(&self) -> <Self::Entity as EntityTrait>::ActiveModel;
}

/// Writes rows of a log table in one statement, outside the caller's transaction (logs
/// outlive a rollback).
pub async fn write<R: LogRow, C: ConnectionTrait>(db: &C, rows: &[R]) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    R::Entity::insert_many(rows.iter().map(R::active_model))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// How the background writer buffers and writes.
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// Rows held while the writer catches up; beyond it the oldest rows of successes are
    /// dropped (a failure's row only past four times this).
    pub capacity: usize,
    /// Most rows written in one statement.
    pub batch: usize,
    /// How long rows may wait before they are written.
    pub interval: Duration,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            capacity: 10_000,
            batch: 500,
            interval: Duration::from_millis(100),
        }
    }
}

/// The rows waiting to be written: failures apart, so a full buffer drops successes first.
#[derive(Debug)]
struct Buffer<R> {
    successes: VecDeque<R>,
    failures: VecDeque<R>,
}

impl<R> Buffer<R> {
    fn len(&self) -> usize {
        self.successes.len() + self.failures.len()
    }
}

#[derive(Debug)]
struct Inner<R> {
    store: Store,
    config: LogConfig,
    buffer: Mutex<Buffer<R>>,
    wake: Notify,
    dropped_successes: AtomicU64,
    dropped_failures: AtomicU64,
    written: AtomicU64,
    stop: AtomicBool,
}

/// The background writer of one log table. Clones share one buffer and one writer task.
#[derive(Debug)]
pub struct LogWriter<R> {
    inner: Arc<Inner<R>>,
}

impl<R> Clone for LogWriter<R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<R: LogRow> LogWriter<R> {
    /// Starts the writer task on the current runtime.
    pub fn start(store: Store, config: LogConfig) -> Self {
        let inner = Arc::new(Inner {
            store,
            config,
            buffer: Mutex::new(Buffer {
                successes: VecDeque::new(),
                failures: VecDeque::new(),
            }),
            wake: Notify::new(),
            dropped_successes: AtomicU64::new(0),
            dropped_failures: AtomicU64::new(0),
            written: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        });
        let writer = inner.clone();
        tokio::spawn(async move { writer.run().await });
        Self { inner }
    }

    /// Queues a row (never waits). A full buffer drops the oldest row of a success (this
    /// one, when it is one and none is older); a failure's row is dropped only when the
    /// buffer holds four times its capacity.
    pub fn record(&self, row: R) {
        let inner = &self.inner;
        let capacity = inner.config.capacity.max(1);
        let mut buffer = inner.buffer.lock().unwrap_or_else(|p| p.into_inner());
        if buffer.len() >= capacity {
            if buffer.successes.pop_front().is_some() {
                inner.dropped_successes.fetch_add(1, Ordering::Relaxed);
            } else if !row.failed() {
                inner.dropped_successes.fetch_add(1, Ordering::Relaxed);
                return;
            } else if buffer.len() >= capacity.saturating_mul(4) {
                buffer.failures.pop_front();
                inner.dropped_failures.fetch_add(1, Ordering::Relaxed);
            }
        }
        if row.failed() {
            buffer.failures.push_back(row);
        } else {
            buffer.successes.push_back(row);
        }
        let full_batch = buffer.len() >= inner.config.batch;
        drop(buffer);
        if full_batch {
            inner.wake.notify_one();
        }
    }

    /// Writes every row queued so far.
    pub async fn flush(&self) {
        self.inner.write_all().await;
    }

    /// Stops the writer after writing what is queued (shutdown).
    pub async fn shutdown(&self) {
        self.inner.stop.store(true, Ordering::Release);
        self.inner.wake.notify_one();
        self.inner.write_all().await;
    }

    /// Rows dropped so far because the buffer was full: (successes, failures).
    pub fn dropped(&self) -> (u64, u64) {
        (
            self.inner.dropped_successes.load(Ordering::Relaxed),
            self.inner.dropped_failures.load(Ordering::Relaxed),
        )
    }

    /// Rows written so far.
    pub fn written(&self) -> u64 {
        self.inner.written.load(Ordering::Relaxed)
    }

    /// Rows waiting to be written.
    pub fn pending(&self) -> usize {
        self.inner
            .buffer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }
}

impl<R: LogRow> Inner<R> {
    async fn run(self: Arc<Self>) {
        let mut reported = (0, 0);
        loop {
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.config.interval) => {}
            }
            if self.stop.load(Ordering::Acquire) {
                return;
            }
            self.write_all().await;
            let dropped = (
                self.dropped_successes.load(Ordering::Relaxed),
                self.dropped_failures.load(Ordering::Relaxed),
            );
            if dropped != reported {
                tracing::warn!(
                    successes = dropped.0 - reported.0,
                    failures = dropped.1 - reported.1,
                    "the {} fell behind and dropped rows",
                    R::LOG
                );
                reported = dropped;
            }
        }
    }

    /// Takes the next batch: failures first, then successes, oldest first.
    fn take_batch(&self) -> Vec<R> {
        let mut buffer = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
        let n = self.config.batch.max(1);
        let from_failures = buffer.failures.len().min(n);
        let mut batch: Vec<R> = buffer.failures.drain(..from_failures).collect();
        let from_successes = buffer.successes.len().min(n - batch.len());
        batch.extend(buffer.successes.drain(..from_successes));
        batch
    }

    /// Puts a batch that could not be written back at the front, within the capacity.
    fn put_back(&self, batch: Vec<R>) {
        let mut buffer = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
        for row in batch.into_iter().rev() {
            if row.failed() {
                buffer.failures.push_front(row);
            } else if buffer.len() < self.config.capacity {
                buffer.successes.push_front(row);
            } else {
                self.dropped_successes.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    async fn write_all(&self) {
        loop {
            let batch = self.take_batch();
            if batch.is_empty() {
                return;
            }
            let n = batch.len() as u64;
            match write(self.store.connection(), &batch).await {
                Ok(()) => {
                    self.written.fetch_add(n, Ordering::Relaxed);
                }
                Err(e) => {
                    tracing::warn!(error = %e, rows = n, "could not write {} rows; retrying", R::LOG);
                    self.put_back(batch);
                    return;
                }
            }
        }
    }
}

/// `text` as a log column keeps it: U+0000 (which PostgreSQL cannot store) shown as U+FFFD
/// rather than losing the whole batch it is written with, and cut at `max` bytes on a
/// character boundary.
pub fn fit_text(mut text: String, max: usize) -> String {
    if text.contains('\0') {
        text = text.replace('\0', "\u{FFFD}");
    }
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}
