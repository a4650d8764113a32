//! The plug-in trace log: one row per plug-in call with what it traced (capped, as
//! Dataverse caps `messageblock`), its duration and its failure, if any. Which calls leave
//! a row is the organization's `plugintracelogsetting`; rows are written by [`TraceLog`], a
//! background writer, in batches and never in the request path.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::Store;
use crate::entity::plugintracelog;

/// The most text one plug-in call keeps in `messageblock` (Dataverse keeps 10 KB).
pub const MESSAGE_BLOCK_MAX: usize = 10_240;

/// One plug-in call's trace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewTrace {
    /// The plug-in type's name.
    pub type_name: String,
    /// The message.
    pub message_name: String,
    /// The primary table.
    pub primary_entity: Option<String>,
    /// 0 sync, 1 async.
    pub mode: i32,
    /// Nesting depth.
    pub depth: i32,
    /// The request's correlation id.
    pub correlation_id: Uuid,
    /// The step (`None` for a main operation).
    pub step_id: Option<Uuid>,
    /// Every line the plug-in traced.
    pub lines: Vec<String>,
    /// Why the call failed, if it did.
    pub exception: Option<String>,
    /// The step's unsecure configuration.
    pub configuration: Option<String>,
    /// When the call started (epoch ms).
    pub started: i64,
    /// How long it ran (ms).
    pub duration_ms: i32,
    /// The user it ran as.
    pub user_id: Option<Uuid>,
}

/// The traced lines joined, cut at [`MESSAGE_BLOCK_MAX`] bytes (on a character boundary).
pub fn message_block(lines: &[String]) -> String {
    // U+0000 cannot be stored on PostgreSQL; a trace shows it as U+FFFD rather than losing
    // the whole batch it is written with.
    let mut text = lines.join("\n");
    if text.contains('\0') {
        text = text.replace('\0', "\u{FFFD}");
    }
    if text.len() > MESSAGE_BLOCK_MAX {
        let mut cut = MESSAGE_BLOCK_MAX;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

/// Writes trace rows (outside the execution's transaction: traces outlive a rollback).
pub async fn write<C: ConnectionTrait>(db: &C, traces: &[NewTrace]) -> Result<(), DbErr> {
    if traces.is_empty() {
        return Ok(());
    }
    let rows = traces.iter().map(|t| plugintracelog::ActiveModel {
        plugintracelogid: Set(Uuid::new_v4()),
        typename: Set(t.type_name.clone()),
        messagename: Set(t.message_name.clone()),
        primaryentity: Set(t.primary_entity.clone()),
        mode: Set(t.mode),
        // 1: plug-in.
        operationtype: Set(1),
        depth: Set(t.depth),
        correlationid: Set(t.correlation_id),
        pluginstepid: Set(t.step_id),
        messageblock: Set(message_block(&t.lines)),
        exceptiondetails: Set(t.exception.clone()),
        configuration: Set(t.configuration.clone()),
        performanceexecutionstarttime: Set(t.started),
        performanceexecutionduration: Set(t.duration_ms),
        createdon: Set(t.started),
        createdby: Set(t.user_id),
    });
    plugintracelog::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

impl NewTrace {
    /// Whether the call failed.
    pub fn failed(&self) -> bool {
        self.exception.is_some()
    }
}

/// How the background writer buffers and writes.
#[derive(Debug, Clone)]
pub struct TraceLogConfig {
    /// Rows held while the writer catches up; beyond it the oldest rows of successful
    /// calls are dropped (a failure's row only past four times this).
    pub capacity: usize,
    /// Most rows written in one statement.
    pub batch: usize,
    /// How long rows may wait before they are written.
    pub interval: Duration,
}

impl Default for TraceLogConfig {
    fn default() -> Self {
        Self {
            capacity: 10_000,
            batch: 500,
            interval: Duration::from_millis(100),
        }
    }
}

/// The rows waiting to be written: failures apart, so a full buffer drops successes first.
#[derive(Debug, Default)]
struct Buffer {
    successes: VecDeque<NewTrace>,
    failures: VecDeque<NewTrace>,
}

impl Buffer {
    fn len(&self) -> usize {
        self.successes.len() + self.failures.len()
    }
}

#[derive(Debug)]
struct Inner {
    store: Store,
    config: TraceLogConfig,
    buffer: Mutex<Buffer>,
    wake: Notify,
    dropped_successes: AtomicU64,
    dropped_failures: AtomicU64,
    written: AtomicU64,
    stop: AtomicBool,
}

/// The background writer of trace rows. Clones share one buffer and one writer task.
#[derive(Debug, Clone)]
pub struct TraceLog {
    inner: Arc<Inner>,
}

impl TraceLog {
    /// Starts the writer task on the current runtime.
    pub fn start(store: Store, config: TraceLogConfig) -> Self {
        let inner = Arc::new(Inner {
            store,
            config,
            buffer: Mutex::new(Buffer::default()),
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

    /// Queues a row (never waits). A full buffer drops the oldest row of a successful call
    /// (this one, when it is one and none is older); a failure's row is dropped only when
    /// the buffer holds four times its capacity.
    pub fn record(&self, trace: NewTrace) {
        let inner = &self.inner;
        let capacity = inner.config.capacity.max(1);
        let mut buffer = inner.buffer.lock().unwrap_or_else(|p| p.into_inner());
        if buffer.len() >= capacity {
            if buffer.successes.pop_front().is_some() {
                inner.dropped_successes.fetch_add(1, Ordering::Relaxed);
            } else if !trace.failed() {
                inner.dropped_successes.fetch_add(1, Ordering::Relaxed);
                return;
            } else if buffer.len() >= capacity.saturating_mul(4) {
                buffer.failures.pop_front();
                inner.dropped_failures.fetch_add(1, Ordering::Relaxed);
            }
        }
        if trace.failed() {
            buffer.failures.push_back(trace);
        } else {
            buffer.successes.push_back(trace);
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

impl Inner {
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
                    "the plug-in trace log fell behind and dropped rows"
                );
                reported = dropped;
            }
        }
    }

    /// Takes the next batch: failures first, then successes, oldest first.
    fn take_batch(&self) -> Vec<NewTrace> {
        let mut buffer = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
        let n = self.config.batch.max(1);
        let from_failures = buffer.failures.len().min(n);
        let mut batch: Vec<NewTrace> = buffer.failures.drain(..from_failures).collect();
        let from_successes = buffer.successes.len().min(n - batch.len());
        batch.extend(buffer.successes.drain(..from_successes));
        batch
    }

    /// Puts a batch that could not be written back at the front, within the capacity.
    fn put_back(&self, batch: Vec<NewTrace>) {
        let mut buffer = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
        for trace in batch.into_iter().rev() {
            if trace.failed() {
                buffer.failures.push_front(trace);
            } else if buffer.len() < self.config.capacity {
                buffer.successes.push_front(trace);
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
                    tracing::warn!(error = %e, rows = n, "could not write plug-in trace rows; retrying");
                    self.put_back(batch);
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_blocks_are_capped_on_a_character_boundary() {
        let lines = vec!["é".repeat(MESSAGE_BLOCK_MAX)];
        let block = message_block(&lines);
        assert!(block.len() <= MESSAGE_BLOCK_MAX);
        assert!(block.chars().all(|c| c == 'é'));
        assert_eq!(message_block(&["a".into(), "b".into()]), "a\nb");
        // PostgreSQL cannot store U+0000: it is kept visible as U+FFFD.
        assert_eq!(message_block(&["a\0b".into()]), "a\u{FFFD}b");
    }

    #[tokio::test]
    async fn traces_are_written_and_read_back() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        write(
            store.connection(),
            &[NewTrace {
                type_name: "T".into(),
                message_name: "sb_X".into(),
                lines: vec!["hello".into()],
                depth: 1,
                ..Default::default()
            }],
        )
        .await
        .unwrap();
        let rows = trace_rows(&store).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["messageblock"], "hello");
        assert_eq!(rows[0]["typename"], "T");
    }

    fn trace(name: &str, failed: bool) -> NewTrace {
        NewTrace {
            type_name: name.into(),
            message_name: "sb_X".into(),
            exception: failed.then(|| "it failed".to_owned()),
            ..Default::default()
        }
    }

    async fn trace_rows(store: &Store) -> crate::Rows {
        let everything = switchboard_model::query::RecordQuery::default();
        let page = store.definition_page("plugintracelog", &everything).await;
        page.unwrap().unwrap().rows
    }

    async fn type_names(store: &Store) -> Vec<String> {
        let mut names: Vec<String> = trace_rows(store)
            .await
            .iter()
            .map(|r| r["typename"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    }

    /// A full buffer drops the oldest rows of successful calls first and keeps every
    /// failure; the drops are counted; flushing writes what is left.
    #[tokio::test]
    async fn a_full_buffer_drops_successes_first_and_keeps_failures() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let log = TraceLog::start(
            store.clone(),
            TraceLogConfig {
                capacity: 3,
                batch: 100,
                // The writer waits: rows pile up in the buffer.
                interval: std::time::Duration::from_secs(3600),
            },
        );
        log.record(trace("ok 1", false));
        log.record(trace("fail 1", true));
        log.record(trace("ok 2", false));
        // Full: the oldest success goes.
        log.record(trace("fail 2", true));
        assert_eq!(log.dropped(), (1, 0));
        // Full of failures and one success: the success goes, then the new success itself.
        log.record(trace("fail 3", true));
        log.record(trace("ok 3", false));
        assert_eq!(log.dropped(), (3, 0));
        // Failures are kept past the capacity.
        log.record(trace("fail 4", true));
        assert_eq!(log.pending(), 4);
        assert_eq!(
            type_names(&store).await,
            Vec::<String>::new(),
            "nothing written yet"
        );
        log.flush().await;
        assert_eq!(log.pending(), 0);
        assert_eq!(log.written(), 4);
        assert_eq!(
            type_names(&store).await,
            ["fail 1", "fail 2", "fail 3", "fail 4"]
        );
    }

    /// Rows are written in the background without a flush, and shutdown writes the rest.
    #[tokio::test]
    async fn the_writer_writes_in_the_background_and_at_shutdown() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let log = TraceLog::start(
            store.clone(),
            TraceLogConfig {
                interval: std::time::Duration::from_millis(10),
                ..TraceLogConfig::default()
            },
        );
        log.record(trace("early", false));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while log.written() < 1 {
            assert!(
                std::time::Instant::now() < deadline,
                "not written in the background"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let idle = TraceLog::start(
            store.clone(),
            TraceLogConfig {
                interval: std::time::Duration::from_secs(3600),
                ..TraceLogConfig::default()
            },
        );
        idle.record(trace("late", true));
        idle.shutdown().await;
        assert_eq!(type_names(&store).await, ["early", "late"]);
    }
}
