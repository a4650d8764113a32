//! The tables the OData surface knows: logical name, entity set, primary key.

use std::collections::BTreeMap;

use crate::names::{entity_set_name, primary_id};

/// One table as OData sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    /// Logical name (`account`).
    pub logical_name: String,
    /// Entity set name (`accounts`).
    pub set_name: String,
    /// Primary key column (`accountid`).
    pub primary_id: String,
}

impl TableInfo {
    /// A table with Dataverse's default set and key names.
    pub fn named(logical_name: &str) -> Self {
        Self {
            logical_name: logical_name.to_owned(),
            set_name: entity_set_name(logical_name),
            primary_id: primary_id(logical_name),
        }
    }
}

/// Tables by logical name and by entity set name.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    by_logical: BTreeMap<String, TableInfo>,
    by_set: BTreeMap<String, String>,
}

impl Tables {
    /// Adds a table (idempotent).
    pub fn insert(&mut self, table: TableInfo) {
        self.by_set
            .insert(table.set_name.clone(), table.logical_name.clone());
        self.by_logical.insert(table.logical_name.clone(), table);
    }

    /// The table with this logical name.
    pub fn by_logical(&self, logical_name: &str) -> Option<&TableInfo> {
        self.by_logical.get(logical_name)
    }

    /// The table with this entity set name (case-sensitive, as Dataverse).
    pub fn by_set(&self, set_name: &str) -> Option<&TableInfo> {
        self.by_set
            .get(set_name)
            .and_then(|l| self.by_logical.get(l))
    }

    /// Every table, by logical name.
    pub fn iter(&self) -> impl Iterator<Item = &TableInfo> {
        self.by_logical.values()
    }
}
