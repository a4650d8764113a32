//! Record operations (Dataverse's IOrganizationService): create, retrieve, update, delete
//! and retrieve-multiple, run by the host on behalf of the plug-in's user.
//!
//! They are methods of [`Context`]. A failure the host reports (a missing record, a missing
//! privilege, a value the table refuses, …) comes back as
//! [`PluginError::InvalidPluginExecution`] with the host's message, so `?` hands it on to the
//! caller as the plug-in's business error.

use crate::PluginError;
use crate::bindings::switchboard::plugin::{organization, types as wit};
use crate::context::Context;
use crate::value::{Entity, EntityReference, Guid, Reader, Value, from_entity_data, to_wit};

/// The implicit input parameter of a record-bound custom API.
const TARGET: &str = "Target";

/// A page of records from [`Context::retrieve_multiple`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EntityPage {
    /// The records, each with its table and id.
    pub records: Vec<Entity>,
    /// More records match than this page holds (narrow the query or use `$top`).
    pub more: bool,
}

/// A record in WIT form: the record, with the arena its attribute values point into.
fn entity_data(e: &Entity) -> wit::EntityData {
    let mut arena = Vec::new();
    let attributes = e
        .attributes
        .iter()
        .map(|(name, v)| wit::Attribute {
            name: name.clone(),
            value: to_wit(v, &mut arena),
        })
        .collect();
    wit::EntityData {
        entity: wit::Entity {
            logical_name: e.logical_name.clone(),
            id: e.id.map(Into::into),
            attributes,
        },
        arena,
    }
}

/// Reads a page of records the host sent.
fn from_entity_page(page: &wit::EntityPage) -> Result<EntityPage, PluginError> {
    let mut reader = Reader::new(&page.arena);
    let records = page
        .records
        .iter()
        .map(|i| match reader.value(&wit::Value::Entity(*i))? {
            Value::Entity(e) => Ok(*e),
            _ => unreachable!("an entity index reads as an entity"),
        })
        .collect::<Result<_, PluginError>>()?;
    Ok(EntityPage {
        records,
        more: page.more_records,
    })
}

impl Context {
    /// The record the message is about, when the context names one (a record-bound custom
    /// API's `Target`, or the record of a step on a table message): the primary table and
    /// record id.
    ///
    /// ```ignore
    /// let target = ctx.target().ok_or_else(|| PluginError::business("no record given"))?;
    /// let project = ctx.retrieve(&target.logical_name, target.id, &["sb_name"])?;
    /// ```
    pub fn target(&self) -> Option<EntityReference> {
        if let (Some(table), Some(id)) = (self.primary_entity_name(), self.primary_entity_id()) {
            return Some(EntityReference {
                logical_name: table.to_owned(),
                id,
                name: None,
            });
        }
        match self.input_value(TARGET) {
            Some(Value::EntityReference(r)) => Some(r.clone()),
            _ => None,
        }
    }

    /// Creates a record and returns its id. `entity.logical_name` names the table; an
    /// `entity.id` is used as the new record's id when given.
    ///
    /// ```ignore
    /// let id = ctx.create(
    ///     &Entity::new("sb_project")
    ///         .with("sb_name", "Apollo")
    ///         .with("sb_priority", 3),
    /// )?;
    /// ```
    pub fn create(&self, entity: &Entity) -> Result<Guid, PluginError> {
        organization::create(&entity_data(entity))
            .map(Guid::from)
            .map_err(Into::into)
    }

    /// Retrieves one record with the given columns (all columns when `columns` is empty).
    ///
    /// ```ignore
    /// let project = ctx.retrieve("sb_project", id, &["sb_name", "sb_priority"])?;
    /// let name: Option<String> = project.attribute("sb_name")?;
    /// ```
    pub fn retrieve(&self, table: &str, id: Guid, columns: &[&str]) -> Result<Entity, PluginError> {
        let columns: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
        let data = organization::retrieve(table, id.into(), &columns)?;
        from_entity_data(&data)
    }

    /// Changes the given columns of the record `entity` names (its `logical_name` and `id`
    /// are required); columns not in `entity` keep their values.
    ///
    /// ```ignore
    /// ctx.update(&Entity::new("sb_project").with_id(id).with("sb_notes", "reviewed"))?;
    /// ```
    pub fn update(&self, entity: &Entity) -> Result<(), PluginError> {
        organization::update(&entity_data(entity)).map_err(Into::into)
    }

    /// Deletes one record.
    ///
    /// ```ignore
    /// ctx.delete("sb_project", id)?;
    /// ```
    pub fn delete(&self, table: &str, id: Guid) -> Result<(), PluginError> {
        organization::delete(table, id.into()).map_err(Into::into)
    }

    /// Records of `table` matching an OData query string, as the Web API takes it after
    /// the `?` (`$select=…&$filter=…&$orderby=…&$top=…`; empty for all records, one page).
    ///
    /// ```ignore
    /// let page = ctx.retrieve_multiple("sb_project", "$select=sb_name&$filter=sb_priority ge 5")?;
    /// for project in &page.records {
    ///     ctx.trace(format!("{:?}", project.get("sb_name")));
    /// }
    /// ```
    pub fn retrieve_multiple(&self, table: &str, query: &str) -> Result<EntityPage, PluginError> {
        let page = organization::retrieve_multiple(table, query)?;
        from_entity_page(&page)
    }

    /// Executes another message — a custom API, private ones included — with these inputs,
    /// in the same transaction and one level deeper (Dataverse stops at depth 8). Returns the
    /// message's outputs.
    ///
    /// ```ignore
    /// let outputs = ctx.execute("sb_Reverse", &[("Text", "abc".into())])?;
    /// ```
    pub fn execute(
        &self,
        message: &str,
        inputs: &[(&str, Value)],
    ) -> Result<Vec<(String, Value)>, PluginError> {
        let mut entities = Vec::new();
        let items = inputs
            .iter()
            .map(|(name, v)| wit::Parameter {
                name: (*name).to_owned(),
                value: to_wit(v, &mut entities),
            })
            .collect();
        let response = organization::execute(message, &wit::ParameterBag { items, entities })?;
        let mut reader = Reader::new(&response.entities);
        response
            .items
            .iter()
            .map(|p| Ok((p.name.clone(), reader.value(&p.value)?)))
            .collect()
    }
}
