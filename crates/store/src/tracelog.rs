//! The plug-in trace log: one row per plug-in call with what it traced (capped, as
//! Dataverse caps `messageblock`), its duration and its failure, if any. Which calls leave
//! a row is the organization's `plugintracelogsetting`; rows are written by [`TraceLog`], a
//! background writer ([`crate::log_writer`]), in batches and never in the request path.

use sea_orm::ActiveValue::Set;
use uuid::Uuid;

use crate::entity::plugintracelog;
use crate::log_writer::{LogRow, LogWriter, fit_text};

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
    fit_text(lines.join("\n"), MESSAGE_BLOCK_MAX)
}

/// The background writer of trace rows ([`LogWriter`]).
pub type TraceLog = LogWriter<NewTrace>;

impl LogRow for NewTrace {
    const LOG: &'static str = "plug-in trace log";
    type Entity = plugintracelog::Entity;

    fn failed(&self) -> bool {
        self.exception.is_some()
    }

    fn active_model(&self) -> plugintracelog::ActiveModel {
        plugintracelog::ActiveModel {
            plugintracelogid: Set(Uuid::new_v4()),
            typename: Set(self.type_name.clone()),
            messagename: Set(self.message_name.clone()),
            primaryentity: Set(self.primary_entity.clone()),
            mode: Set(self.mode),
            // 1: plug-in.
            operationtype: Set(1),
            depth: Set(self.depth),
            correlationid: Set(self.correlation_id),
            pluginstepid: Set(self.step_id),
            messageblock: Set(message_block(&self.lines)),
            exceptiondetails: Set(self.exception.clone()),
            configuration: Set(self.configuration.clone()),
            performanceexecutionstarttime: Set(self.started),
            performanceexecutionduration: Set(self.duration_ms),
            createdon: Set(self.started),
            createdby: Set(self.user_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use crate::log_writer::{LogConfig, write};

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
            LogConfig {
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
            LogConfig {
                interval: std::time::Duration::from_millis(10),
                ..LogConfig::default()
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
            LogConfig {
                interval: std::time::Duration::from_secs(3600),
                ..LogConfig::default()
            },
        );
        idle.record(trace("late", true));
        idle.shutdown().await;
        assert_eq!(type_names(&store).await, ["early", "late"]);
    }
}
