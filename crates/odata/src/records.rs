//! Records as the Web API writes and reads them: column values typed by the table's
//! definition, lookups set with `col@odata.bind` and read back as `_col_value`.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};
use switchboard_model::value::{EntityReference, Value, utc_seconds};
use switchboard_model::{Column, ColumnType, FieldType, Message, MessageId, Table};

use crate::csdl::{EntityTypeDef, NavigationDef, PropertyDef};
use crate::json::{ValueProblem, decode, encode, parse_odata_id};
use crate::names::qualified;
use crate::tables::Tables;
use crate::{ErrorKind, ODataError};

/// Column values by logical name.
pub type Fields = BTreeMap<String, Value>;

/// The custom API type that carries a column's values (big integers travel as decimals).
pub fn field_type(column: &ColumnType) -> FieldType {
    match column {
        ColumnType::PrimaryKey | ColumnType::UniqueIdentifier => FieldType::Guid,
        ColumnType::String { .. } | ColumnType::Memo { .. } => FieldType::String,
        ColumnType::Integer { .. } => FieldType::Integer,
        ColumnType::BigInt | ColumnType::Decimal { .. } => FieldType::Decimal,
        ColumnType::Money => FieldType::Money,
        ColumnType::Float => FieldType::Float,
        ColumnType::Boolean => FieldType::Boolean,
        ColumnType::DateTime => FieldType::DateTime,
        ColumnType::Picklist { .. } => FieldType::Picklist,
        ColumnType::Lookup { .. } => FieldType::EntityReference,
    }
}

/// The CSDL type of a column's structural property.
pub fn edm_type(column: &ColumnType) -> &'static str {
    match column {
        ColumnType::PrimaryKey | ColumnType::UniqueIdentifier | ColumnType::Lookup { .. } => {
            "Edm.Guid"
        }
        ColumnType::String { .. } | ColumnType::Memo { .. } => "Edm.String",
        ColumnType::Integer { .. } | ColumnType::Picklist { .. } => "Edm.Int32",
        ColumnType::BigInt => "Edm.Int64",
        ColumnType::Decimal { .. } | ColumnType::Money => "Edm.Decimal",
        ColumnType::Float => "Edm.Double",
        ColumnType::Boolean => "Edm.Boolean",
        ColumnType::DateTime => "Edm.DateTimeOffset",
    }
}

/// The property name a column has in JSON and `$metadata` (`_x_value` for lookups).
pub fn property_name(column: &Column) -> String {
    match column.column_type {
        ColumnType::Lookup { .. } => format!("_{}_value", column.logical_name),
        _ => column.logical_name.clone(),
    }
}

/// The navigation properties of a lookup: its schema name, or `{schema}_{target}` per target
/// of a polymorphic lookup (Dataverse's convention).
pub fn navigation_names(column: &Column) -> Vec<(String, String)> {
    match column.lookup_targets() {
        Some([target]) => vec![(column.schema_name.clone(), target.clone())],
        Some(targets) => targets
            .iter()
            .map(|t| (format!("{}_{t}", column.schema_name), t.clone()))
            .collect(),
        None => Vec::new(),
    }
}

/// A record table as a `$metadata` entity type: every column, lookups as `_x_value` plus a
/// navigation property.
pub fn entity_type(table: &Table) -> EntityTypeDef {
    EntityTypeDef {
        logical_name: table.logical_name.clone(),
        properties: table
            .columns
            .iter()
            .map(|c| PropertyDef {
                name: property_name(c),
                edm_type: edm_type(&c.column_type).to_owned(),
                nullable: c.logical_name != table.primary_id,
            })
            .collect(),
        navigation: table
            .columns
            .iter()
            .flat_map(navigation_names)
            .map(|(name, target)| NavigationDef {
                name,
                target,
                collection: false,
            })
            .collect(),
    }
}

fn bad_value(column: &str, expected: &str, detail: impl Into<String>) -> ODataError {
    ODataError::new(
        ErrorKind::InvalidParameterValue,
        Message::new(MessageId::ODataInvalidValue)
            .arg("name", column)
            .arg("expected", expected)
            .arg("detail", detail.into()),
    )
}

fn unknown(table: &Table, name: &str) -> ODataError {
    ODataError::new(
        ErrorKind::UnknownParameter,
        Message::new(MessageId::ODataUnknownProperty)
            .arg("name", name)
            .arg("type", qualified(&table.logical_name)),
    )
}

/// The lookup column a navigation property names (`parentaccountid`, `sb_AccountId`):
/// Dataverse's navigation property is the lookup's schema name; its logical name is accepted
/// too.
fn lookup_by_navigation<'t>(table: &'t Table, name: &str) -> Option<&'t Column> {
    table.columns.iter().find(|c| {
        c.lookup_targets().is_some()
            && (c.logical_name.eq_ignore_ascii_case(name)
                || navigation_names(c).iter().any(|(n, _)| n == name))
    })
}

/// Reads a create/update body into column values. Annotations (`@odata.type`, …) are ignored;
/// lookups must be set with `nav@odata.bind: "/set(id)"` (or null to clear).
pub fn decode_record(
    table: &Table,
    body: &Map<String, Json>,
    tables: &Tables,
) -> Result<Fields, ODataError> {
    let mut fields = Fields::new();
    for (key, json) in body {
        if let Some(navigation) = key.strip_suffix("@odata.bind") {
            let column = lookup_by_navigation(table, navigation)
                .ok_or_else(|| unknown(table, navigation))?;
            let value = match json {
                Json::Null => Value::Null,
                Json::String(text) => Value::EntityReference(
                    parse_odata_id(text, tables).map_err(|ValueProblem { detail }| {
                        bad_value(navigation, "an entity reference (/set(id))", detail)
                    })?,
                ),
                _ => {
                    return Err(bad_value(
                        navigation,
                        "an entity reference (/set(id))",
                        "expected a string such as \"/accounts(00000000-0000-0000-0000-000000000001)\"",
                    ));
                }
            };
            fields.insert(column.logical_name.clone(), value);
            continue;
        }
        if key.contains('@') {
            continue;
        }
        let column = table.column(key).ok_or_else(|| unknown(table, key))?;
        if let ColumnType::Lookup { .. } = column.column_type {
            return Err(bad_value(
                key,
                "a lookup",
                format!(
                    "set it with \"{}@odata.bind\": \"/set(id)\"",
                    column.schema_name
                ),
            ));
        }
        let t = field_type(&column.column_type);
        let value = match (&column.column_type, json) {
            // Big integers must stay whole.
            (ColumnType::BigInt, Json::Number(n)) if n.as_i64().is_none() => {
                return Err(bad_value(
                    key,
                    "Edm.Int64",
                    format!("{n} is not a whole number"),
                ));
            }
            _ => decode(t, None, json, tables).map_err(|ValueProblem { detail }| {
                bad_value(key, edm_type(&column.column_type), detail)
            })?,
        };
        fields.insert(column.logical_name.clone(), value);
    }
    Ok(fields)
}

/// Writes a record's columns as JSON members (lookups as `_x_value` with the table in the
/// `Microsoft.Dynamics.CRM.lookuplogicalname` annotation).
pub fn encode_record(table: &Table, fields: &Fields, tables: &Tables) -> Map<String, Json> {
    let mut object = Map::new();
    for (name, value) in fields {
        let Some(column) = table.column(name) else {
            continue;
        };
        let property = property_name(column);
        match (value, &column.column_type) {
            (Value::EntityReference(EntityReference { logical_name, id }), _) => {
                object.insert(property.clone(), Json::String(id.to_string()));
                object.insert(
                    format!("{property}@Microsoft.Dynamics.CRM.lookuplogicalname"),
                    Json::String(logical_name.clone()),
                );
            }
            (Value::Decimal(d), ColumnType::BigInt) => {
                object.insert(
                    property,
                    serde_json::from_str(&d.trunc().to_string()).unwrap_or(Json::Null),
                );
            }
            (Value::DateTime(dt), _) => {
                object.insert(property, Json::String(utc_seconds(*dt)));
            }
            _ => {
                object.insert(property, encode(value, tables));
            }
        }
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::TableInfo;
    use rust_decimal::Decimal;
    use serde_json::json;

    fn table() -> Table {
        let mut t = Table::new("sb_project", "sb_name");
        t.push(Column::new(
            "sb_name",
            ColumnType::String { max_length: 10 },
        ));
        t.push(Column::new("sb_big", ColumnType::BigInt));
        t.push(Column::new("sb_on", ColumnType::DateTime));
        let mut lookup = Column::new(
            "sb_accountid",
            ColumnType::Lookup {
                targets: vec!["account".into()],
            },
        );
        lookup.schema_name = "sb_AccountId".into();
        t.push(lookup);
        t
    }

    fn tables() -> Tables {
        let mut t = Tables::default();
        t.insert(TableInfo::named("account"));
        t
    }

    #[test]
    fn decodes_columns_and_binds() {
        let id = uuid::Uuid::new_v4();
        let body = json!({
            "@odata.type": "Microsoft.Dynamics.CRM.sb_project",
            "sb_name": "A",
            "sb_big": 9_000_000_000_i64,
            "sb_on": "2024-01-02T03:04:05Z",
            "sb_AccountId@odata.bind": format!("/accounts({id})"),
        });
        let fields = decode_record(&table(), body.as_object().unwrap(), &tables()).unwrap();
        assert_eq!(fields["sb_name"], Value::String("A".into()));
        assert_eq!(
            fields["sb_big"],
            Value::Decimal(Decimal::from(9_000_000_000_i64))
        );
        assert_eq!(
            fields["sb_accountid"],
            Value::EntityReference(EntityReference {
                logical_name: "account".into(),
                id
            })
        );
        let json = encode_record(&table(), &fields, &tables());
        assert_eq!(json["sb_big"], json!(9_000_000_000_i64));
        assert_eq!(json["_sb_accountid_value"], json!(id.to_string()));
        assert_eq!(json["sb_on"], json!("2024-01-02T03:04:05Z"));
    }

    #[test]
    fn rejects_unknown_columns_plain_lookups_and_bad_values() {
        for body in [
            json!({"sb_nope": 1}),
            json!({"sb_accountid": "x"}),
            json!({"sb_name": 5}),
            json!({"sb_big": 1.5}),
            json!({"sb_AccountId@odata.bind": "/nothere(1)"}),
            json!({"sb_AccountId@odata.bind": 5}),
        ] {
            assert!(
                decode_record(&table(), body.as_object().unwrap(), &tables()).is_err(),
                "{body}"
            );
        }
    }
}
