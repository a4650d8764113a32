//! The plug-in trace log: one row per plug-in call with what it traced (capped, as
//! Dataverse caps `messageblock`), its duration and its failure, if any.

use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

use crate::Store;
use crate::entity::plugintracelog;
use crate::read::Rows;

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
    let mut text = lines.join("\n");
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
pub async fn write<C: ConnectionTrait>(db: &C, traces: Vec<NewTrace>) -> Result<(), DbErr> {
    if traces.is_empty() {
        return Ok(());
    }
    let rows = traces.into_iter().map(|t| plugintracelog::ActiveModel {
        plugintracelogid: Set(Uuid::new_v4()),
        typename: Set(t.type_name),
        messagename: Set(t.message_name),
        primaryentity: Set(t.primary_entity),
        mode: Set(t.mode),
        // 1: plug-in.
        operationtype: Set(1),
        depth: Set(t.depth),
        correlationid: Set(t.correlation_id),
        pluginstepid: Set(t.step_id),
        messageblock: Set(message_block(&t.lines)),
        exceptiondetails: Set(t.exception),
        configuration: Set(t.configuration),
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

impl Store {
    /// Every trace row, as the Web API shows them.
    pub async fn trace_rows(&self) -> Result<Rows, DbErr> {
        Ok(plugintracelog::Entity::find()
            .all(self.connection())
            .await?
            .into_iter()
            .filter_map(|m| match serde_json::to_value(m) {
                Ok(serde_json::Value::Object(o)) => Some(o),
                _ => None,
            })
            .collect())
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
    }

    #[tokio::test]
    async fn traces_are_written_and_read_back() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        write(
            store.connection(),
            vec![NewTrace {
                type_name: "T".into(),
                message_name: "sb_X".into(),
                lines: vec!["hello".into()],
                depth: 1,
                ..Default::default()
            }],
        )
        .await
        .unwrap();
        let rows = store.trace_rows().await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["messageblock"], "hello");
        assert_eq!(rows[0]["typename"], "T");
    }
}
