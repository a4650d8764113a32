//! Typed values of custom API parameters and properties: one variant per Dataverse type.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::options::FieldType;

/// A reference to one record: table and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityReference {
    /// The table's logical name.
    pub logical_name: String,
    /// The record id.
    pub id: Uuid,
}

/// A record with some of its columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Entity {
    /// The table, when known.
    pub logical_name: Option<String>,
    /// The record id, when known.
    pub id: Option<Uuid>,
    /// Column values by logical name.
    pub attributes: BTreeMap<String, Value>,
}

/// A value of one of the 13 custom API types, or null. Serializes (for queued asynchronous
/// steps) with the type as the key: `{"Integer": 5}`, `{"DateTime": "2024-…Z"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// No value.
    Null,
    /// `bool`.
    Boolean(bool),
    /// A point in time with its offset.
    DateTime(#[serde(with = "time::serde::rfc3339")] OffsetDateTime),
    /// `decimal`.
    Decimal(Decimal),
    /// `double`.
    Float(f64),
    /// `int`.
    Integer(i32),
    /// A currency amount.
    Money(Decimal),
    /// An option-set value.
    Picklist(i32),
    /// `string`.
    String(String),
    /// `string[]`.
    StringArray(Vec<String>),
    /// `Guid`.
    Guid(Uuid),
    /// A reference to a record.
    EntityReference(EntityReference),
    /// A record.
    Entity(Entity),
    /// Several records.
    EntityCollection(Vec<Entity>),
}

/// Why text holding U+0000 is refused: PostgreSQL cannot store it in a text column, and
/// SQLite would, so both refuse it alike (a clear 400 instead of a database error).
pub const NUL_REFUSED: &str = "text may not contain the NUL character (U+0000)";

/// Whether `text` holds U+0000 (see [`NUL_REFUSED`]).
pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

/// A date-time as record columns store and the Web API writes it: UTC, whole seconds, fixed
/// width (`2024-01-31T09:30:00Z`), so text order is time order.
pub fn utc_seconds(value: OffsetDateTime) -> String {
    let utc = value.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

/// `0001-01-01T00:00:00Z`, Dataverse's default DateTime.
pub fn min_date_time() -> OffsetDateTime {
    time::macros::datetime!(0001-01-01 00:00:00 UTC)
}

impl Value {
    /// The value Dataverse returns for an output nobody set: value types their zero,
    /// reference types null.
    pub fn default_for(t: FieldType) -> Value {
        match t {
            FieldType::Boolean => Value::Boolean(false),
            FieldType::DateTime => Value::DateTime(min_date_time()),
            FieldType::Decimal => Value::Decimal(Decimal::ZERO),
            FieldType::Float => Value::Float(0.0),
            FieldType::Integer => Value::Integer(0),
            FieldType::Guid => Value::Guid(Uuid::nil()),
            FieldType::Money
            | FieldType::Picklist
            | FieldType::String
            | FieldType::StringArray
            | FieldType::EntityReference
            | FieldType::Entity
            | FieldType::EntityCollection => Value::Null,
        }
    }

    /// The custom API type of this value (`None` for null).
    pub fn field_type(&self) -> Option<FieldType> {
        Some(match self {
            Value::Null => return None,
            Value::Boolean(_) => FieldType::Boolean,
            Value::DateTime(_) => FieldType::DateTime,
            Value::Decimal(_) => FieldType::Decimal,
            Value::Float(_) => FieldType::Float,
            Value::Integer(_) => FieldType::Integer,
            Value::Money(_) => FieldType::Money,
            Value::Picklist(_) => FieldType::Picklist,
            Value::String(_) => FieldType::String,
            Value::StringArray(_) => FieldType::StringArray,
            Value::Guid(_) => FieldType::Guid,
            Value::EntityReference(_) => FieldType::EntityReference,
            Value::Entity(_) => FieldType::Entity,
            Value::EntityCollection(_) => FieldType::EntityCollection,
        })
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_dataverse() {
        assert_eq!(
            Value::default_for(FieldType::Boolean),
            Value::Boolean(false)
        );
        assert_eq!(Value::default_for(FieldType::Integer), Value::Integer(0));
        assert_eq!(
            Value::default_for(FieldType::Guid),
            Value::Guid(Uuid::nil())
        );
        assert_eq!(
            Value::default_for(FieldType::DateTime),
            Value::DateTime(min_date_time())
        );
        for t in [
            FieldType::String,
            FieldType::Money,
            FieldType::Picklist,
            FieldType::EntityCollection,
        ] {
            assert!(Value::default_for(t).is_null(), "{t:?}");
        }
        for t in FieldType::ALL {
            let v = Value::default_for(*t);
            assert!(v.is_null() || v.field_type() == Some(*t));
        }
    }
}
