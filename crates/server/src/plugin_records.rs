//! The record operations plug-ins call (create, retrieve, update, delete, retrieve-multiple),
//! run as the calling user: the same table privileges and checks as the Web API.

use std::sync::Arc;

use switchboard_locale::Localizer;
use switchboard_model::execution::Caller;
use switchboard_model::privileges::table_privilege;
use switchboard_model::value::{Entity, Value};
use switchboard_model::{Message, MessageId, Table};
use switchboard_odata::query::record_query;
use switchboard_store::RecordError;
use switchboard_store::Store;
use switchboard_store::records::{self, Record};
use switchboard_wasm::{RecordFailure, RecordFuture, RecordPage, RecordService};
use uuid::Uuid;

use crate::records_api::MAX_PAGE_SIZE;
use crate::registry::Registry;

/// Record access for one call, on behalf of its caller.
pub(crate) struct CallerRecords {
    store: Store,
    registry: Arc<Registry>,
    caller: Caller,
    localizer: Arc<Localizer>,
}

impl CallerRecords {
    pub(crate) fn new(
        store: Store,
        registry: Arc<Registry>,
        caller: Caller,
        localizer: Arc<Localizer>,
    ) -> Self {
        Self {
            store,
            registry,
            caller,
            localizer,
        }
    }

    fn fail(&self, message: Message) -> RecordFailure {
        RecordFailure {
            message: self.localizer.render(&message),
        }
    }

    fn store_error(&self, e: RecordError) -> RecordFailure {
        match e {
            RecordError::Rejected(_, m) => self.fail(m),
            RecordError::Database(e) => {
                let id = Uuid::new_v4();
                tracing::error!(error = %e, correlation = %id, "plug-in record operation failed");
                self.fail(Message::new(MessageId::ODataInternal).arg("id", id))
            }
        }
    }

    /// The table, once the caller is known to hold `prv{verb}{table}`.
    fn table(&self, logical_name: &str, verb: &str) -> Result<Arc<Table>, RecordFailure> {
        let table = self
            .registry
            .records
            .get(logical_name)
            .cloned()
            .ok_or_else(|| {
                self.fail(
                    Message::new(MessageId::ODataResourceNotFound).arg("segment", logical_name),
                )
            })?;
        let privilege = table_privilege(verb, logical_name);
        if !self.caller.holds(&privilege) {
            return Err(self.fail(
                Message::new(MessageId::AuthMissingPrivilege)
                    .arg("user", self.caller.user_id)
                    .arg("roles", self.caller.role_count)
                    .arg("privileges", self.caller.privileges.len())
                    .arg("privilege", &privilege)
                    .arg("privilegeid", crate::definitions::privilege_id(&privilege))
                    .arg("api", logical_name),
            ));
        }
        Ok(table)
    }

    fn entity(table: &Table, id: Uuid, record: Record) -> Entity {
        Entity {
            logical_name: Some(table.logical_name.clone()),
            id: Some(id),
            attributes: record,
        }
    }

    fn table_of(&self, entity: &Entity) -> Result<String, RecordFailure> {
        entity.logical_name.clone().ok_or_else(|| {
            self.fail(
                Message::new(MessageId::ODataMissingParameter)
                    .arg("name", "LogicalName")
                    .arg("api", "organization"),
            )
        })
    }
}

impl RecordService for CallerRecords {
    fn create(&self, entity: Entity) -> RecordFuture<'_, Uuid> {
        Box::pin(async move {
            let table = self.table(&self.table_of(&entity)?, "Create")?;
            let mut values = entity.attributes;
            if let Some(id) = entity.id {
                values.insert(table.primary_id.clone(), Value::Guid(id));
            }
            records::create(
                self.store.connection(),
                &table,
                values,
                Some(self.caller.user_id),
            )
            .await
            .map_err(|e| self.store_error(e))
        })
    }

    fn retrieve(&self, table: String, id: Uuid, columns: Vec<String>) -> RecordFuture<'_, Entity> {
        Box::pin(async move {
            let table = self.table(&table, "Read")?;
            let select = (!columns.is_empty()).then_some(columns);
            let record = records::retrieve(self.store.connection(), &table, id, select.as_deref())
                .await
                .map_err(|e| self.store_error(e))?
                .ok_or_else(|| self.store_error(records::not_found(&table.logical_name, id)))?;
            Ok(Self::entity(&table, id, record))
        })
    }

    fn update(&self, entity: Entity) -> RecordFuture<'_, ()> {
        Box::pin(async move {
            let table = self.table(&self.table_of(&entity)?, "Write")?;
            let id = entity.id.ok_or_else(|| {
                self.fail(
                    Message::new(MessageId::ODataMissingParameter)
                        .arg("name", "Id")
                        .arg("api", "Update"),
                )
            })?;
            let found = records::update(
                self.store.connection(),
                &table,
                id,
                entity.attributes,
                Some(self.caller.user_id),
            )
            .await
            .map_err(|e| self.store_error(e))?;
            if found {
                Ok(())
            } else {
                Err(self.store_error(records::not_found(&table.logical_name, id)))
            }
        })
    }

    fn delete(&self, table: String, id: Uuid) -> RecordFuture<'_, ()> {
        Box::pin(async move {
            let table = self.table(&table, "Delete")?;
            if records::delete(self.store.connection(), &table, id)
                .await
                .map_err(|e| self.store_error(e))?
            {
                Ok(())
            } else {
                Err(self.store_error(records::not_found(&table.logical_name, id)))
            }
        })
    }

    fn retrieve_multiple(&self, table: String, query: String) -> RecordFuture<'_, RecordPage> {
        Box::pin(async move {
            let table = self.table(&table, "Read")?;
            let pairs: Vec<(String, String)> =
                form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
            let mut query = record_query(&pairs).map_err(|e| {
                let e = e.into_odata_error();
                self.fail(e.message)
            })?;
            query.page_size = Some(MAX_PAGE_SIZE);
            let page = records::retrieve_multiple(self.store.connection(), &table, &query)
                .await
                .map_err(|e| self.store_error(e))?;
            let key = table.primary_id.clone();
            Ok(RecordPage {
                records: page
                    .records
                    .into_iter()
                    .map(|r| {
                        let id = match r.get(&key) {
                            Some(Value::Guid(id)) => *id,
                            _ => Uuid::nil(),
                        };
                        Self::entity(&table, id, r)
                    })
                    .collect(),
                more: page.more,
            })
        })
    }
}
