//! JSON ⇄ typed values, in the shapes Dataverse's Web API reads and writes.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Value as Json};
use switchboard_model::FieldType;
use switchboard_model::value::{Entity, EntityReference, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::names::{BASE_ENTITY, qualified, unqualify};
use crate::tables::Tables;

/// Why a JSON value does not fit a type; `detail` is shown to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueProblem {
    /// What was wrong.
    pub detail: String,
}

fn problem(detail: impl Into<String>) -> ValueProblem {
    ValueProblem {
        detail: detail.into(),
    }
}

/// The CSDL type name of a custom API type, for messages and `$metadata`.
pub fn edm_type(t: FieldType, entity: Option<&str>) -> String {
    let entity_type = || qualified(entity.unwrap_or(BASE_ENTITY));
    match t {
        FieldType::Boolean => "Edm.Boolean".into(),
        FieldType::DateTime => "Edm.DateTimeOffset".into(),
        FieldType::Decimal | FieldType::Money => "Edm.Decimal".into(),
        FieldType::Float => "Edm.Double".into(),
        FieldType::Integer | FieldType::Picklist => "Edm.Int32".into(),
        FieldType::String => "Edm.String".into(),
        FieldType::StringArray => "Collection(Edm.String)".into(),
        FieldType::Guid => "Edm.Guid".into(),
        FieldType::Entity | FieldType::EntityReference => entity_type(),
        FieldType::EntityCollection => format!("Collection({})", qualified(BASE_ENTITY)),
    }
}

fn describe(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Parses an ISO 8601 date-time with an offset (`2024-05-01T10:00:00Z`).
pub fn parse_date_time(text: &str) -> Result<OffsetDateTime, ValueProblem> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|_| {
        problem(format!(
            "'{text}' is not an ISO 8601 date and time with an offset"
        ))
    })
}

/// Parses a decimal written as a number or a numeric string (exponents allowed).
pub fn parse_decimal(text: &str) -> Result<Decimal, ValueProblem> {
    let t = text.trim();
    Decimal::from_str(t)
        .or_else(|_| Decimal::from_scientific(t))
        .map_err(|_| problem(format!("'{t}' is not a decimal number in range")))
}

fn parse_int(json: &Json) -> Result<i32, ValueProblem> {
    match json {
        Json::Number(n) => match n.as_i64() {
            Some(i) => {
                i32::try_from(i).map_err(|_| problem(format!("{i} is outside the Int32 range")))
            }
            None => Err(problem(format!("{n} is not a whole number"))),
        },
        other => Err(problem(format!(
            "expected a whole number, found {}",
            describe(other)
        ))),
    }
}

fn parse_guid(text: &str) -> Result<Uuid, ValueProblem> {
    let t = text.trim();
    let inner = t
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(t);
    if inner.len() != 36 {
        return Err(problem(format!("'{t}' is not a GUID")));
    }
    Uuid::parse_str(inner).map_err(|_| problem(format!("'{t}' is not a GUID")))
}

/// `accounts(00000000-…)`, absolute or relative, → table and id.
pub fn parse_odata_id(text: &str, tables: &Tables) -> Result<EntityReference, ValueProblem> {
    let last = text.rsplit('/').next().unwrap_or(text);
    let (set, rest) = last.split_once('(').ok_or_else(|| {
        problem(format!(
            "'{text}' is not a record URL such as accounts(<id>)"
        ))
    })?;
    let key = rest
        .strip_suffix(')')
        .ok_or_else(|| problem(format!("'{text}' is not a record URL")))?;
    let table = tables
        .by_set(set)
        .ok_or_else(|| problem(format!("'{set}' is not an entity set")))?;
    let key = key.split_once('=').map_or(key, |(_, v)| v);
    Ok(EntityReference {
        logical_name: table.logical_name.clone(),
        id: parse_guid(key)?,
    })
}

/// The table named by `@odata.type` (`#Microsoft.Dynamics.CRM.account` or without `#`),
/// which must be an entity type of the service (one `$metadata` declares).
fn odata_type(object: &Map<String, Json>, tables: &Tables) -> Result<Option<String>, ValueProblem> {
    match object.get("@odata.type") {
        None => Ok(None),
        Some(Json::String(t)) => {
            let t = t.trim_start_matches('#');
            let name = unqualify(t).ok_or_else(|| {
                problem(format!(
                    "@odata.type '{t}' is not a Microsoft.Dynamics.CRM type"
                ))
            })?;
            if tables.by_logical(name).is_none() {
                return Err(problem(format!(
                    "@odata.type '{t}' names no entity type of this service"
                )));
            }
            Ok(Some(name.to_owned()))
        }
        Some(other) => Err(problem(format!(
            "@odata.type must be a string, found {}",
            describe(other)
        ))),
    }
}

fn decode_reference(
    json: &Json,
    hint: Option<&str>,
    tables: &Tables,
) -> Result<EntityReference, ValueProblem> {
    let Json::Object(object) = json else {
        return Err(problem(format!(
            "expected an object with @odata.id or @odata.type and the key, found {}",
            describe(json)
        )));
    };
    if let Some(id) = object.get("@odata.id") {
        let Json::String(id) = id else {
            return Err(problem("@odata.id must be a string"));
        };
        return parse_odata_id(id, tables);
    }
    let logical = odata_type(object, tables)?.or_else(|| hint.map(str::to_owned)).ok_or_else(|| {
        problem("the record's table is unknown: give @odata.type (Microsoft.Dynamics.CRM.<table>) or @odata.id")
    })?;
    let key = tables
        .by_logical(&logical)
        .map_or_else(|| format!("{logical}id"), |t| t.primary_id.clone());
    match object.get(&key) {
        Some(Json::String(id)) => Ok(EntityReference {
            logical_name: logical,
            id: parse_guid(id)?,
        }),
        _ => Err(problem(format!("the record's key '{key}' is missing"))),
    }
}

fn decode_entity(json: &Json, hint: Option<&str>, tables: &Tables) -> Result<Entity, ValueProblem> {
    let Json::Object(object) = json else {
        return Err(problem(format!(
            "expected an object, found {}",
            describe(json)
        )));
    };
    let logical = odata_type(object, tables)?.or_else(|| hint.map(str::to_owned));
    let key = logical.as_ref().map(|l| {
        tables
            .by_logical(l)
            .map_or_else(|| format!("{l}id"), |t| t.primary_id.clone())
    });
    let mut entity = Entity {
        logical_name: logical,
        ..Entity::default()
    };
    for (name, value) in object {
        if name.starts_with('@') || name.contains("@odata.") {
            continue;
        }
        if Some(name) == key.as_ref()
            && let Json::String(id) = value
        {
            entity.id = Some(parse_guid(id)?);
            continue;
        }
        entity.attributes.insert(name.clone(), infer(value, tables));
    }
    Ok(entity)
}

/// A column value without a declared type: read by its JSON shape.
fn infer(json: &Json, tables: &Tables) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => Value::Integer(i),
            None => parse_decimal(&n.to_string())
                .map(Value::Decimal)
                .unwrap_or(Value::Float(n.as_f64().unwrap_or(0.0))),
        },
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) if items.iter().all(Json::is_string) => Value::StringArray(
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
        ),
        Json::Array(items) => Value::EntityCollection(
            items
                .iter()
                .filter_map(|i| decode_entity(i, None, tables).ok())
                .collect(),
        ),
        Json::Object(_) => match decode_reference(json, None, tables) {
            Ok(r) => Value::EntityReference(r),
            Err(_) => decode_entity(json, None, tables)
                .map(Value::Entity)
                .unwrap_or(Value::Null),
        },
    }
}

/// Reads a JSON value as the given type (`entity` is the declared `logicalentityname`).
pub fn decode(
    t: FieldType,
    entity: Option<&str>,
    json: &Json,
    tables: &Tables,
) -> Result<Value, ValueProblem> {
    if json.is_null() {
        return Ok(Value::Null);
    }
    let wrong = || {
        problem(format!(
            "expected {}, found {}",
            edm_type(t, entity),
            describe(json)
        ))
    };
    Ok(match t {
        FieldType::Boolean => Value::Boolean(json.as_bool().ok_or_else(wrong)?),
        FieldType::DateTime => Value::DateTime(parse_date_time(json.as_str().ok_or_else(wrong)?)?),
        FieldType::Decimal | FieldType::Money => {
            let d = match json {
                Json::Number(n) => parse_decimal(&n.to_string())?,
                Json::String(s) => parse_decimal(s)?,
                _ => return Err(wrong()),
            };
            if t == FieldType::Money {
                Value::Money(d)
            } else {
                Value::Decimal(d)
            }
        }
        FieldType::Float => match json {
            Json::Number(n) => Value::Float(n.as_f64().ok_or_else(wrong)?),
            Json::String(s) => Value::Float(match s.as_str() {
                "INF" => f64::INFINITY,
                "-INF" => f64::NEG_INFINITY,
                "NaN" => f64::NAN,
                _ => return Err(wrong()),
            }),
            _ => return Err(wrong()),
        },
        FieldType::Integer => Value::Integer(parse_int(json)?),
        FieldType::Picklist => Value::Picklist(parse_int(json)?),
        FieldType::String => Value::String(json.as_str().ok_or_else(wrong)?.to_owned()),
        FieldType::StringArray => {
            let items = json.as_array().ok_or_else(wrong)?;
            let strings: Option<Vec<String>> = items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect();
            Value::StringArray(
                strings.ok_or_else(|| problem("every item of a string array must be a string"))?,
            )
        }
        FieldType::Guid => Value::Guid(parse_guid(json.as_str().ok_or_else(wrong)?)?),
        FieldType::EntityReference => {
            Value::EntityReference(decode_reference(json, entity, tables)?)
        }
        FieldType::Entity => Value::Entity(decode_entity(json, entity, tables)?),
        FieldType::EntityCollection => {
            let items = json.as_array().ok_or_else(wrong)?;
            Value::EntityCollection(
                items
                    .iter()
                    .map(|i| decode_entity(i, None, tables))
                    .collect::<Result<_, _>>()?,
            )
        }
    })
}

fn number(text: &str) -> Json {
    serde_json::from_str::<Json>(text).unwrap_or(Json::Null)
}

/// The primary key column of a table.
fn key_of(logical: &str, tables: &Tables) -> String {
    tables
        .by_logical(logical)
        .map_or_else(|| format!("{logical}id"), |t| t.primary_id.clone())
}

/// Writes an entity as `{"@odata.type": "#Microsoft.Dynamics.CRM.x", "xid": …, columns…}`.
pub fn encode_entity(entity: &Entity, tables: &Tables) -> Json {
    let mut object = Map::new();
    if let Some(l) = &entity.logical_name {
        object.insert(
            "@odata.type".into(),
            Json::String(format!("#{}", qualified(l))),
        );
        if let Some(id) = entity.id {
            object.insert(key_of(l, tables), Json::String(id.to_string()));
        }
    }
    for (name, value) in &entity.attributes {
        object.insert(name.clone(), encode(value, tables));
    }
    Json::Object(object)
}

/// Writes a value in Dataverse's JSON shape.
pub fn encode(value: &Value, tables: &Tables) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::DateTime(d) => Json::String(d.format(&Rfc3339).unwrap_or_default()),
        Value::Decimal(d) | Value::Money(d) => number(&d.normalize().to_string()),
        Value::Float(f) if f.is_nan() => Json::String("NaN".into()),
        Value::Float(f) if f.is_infinite() => {
            Json::String(if *f > 0.0 { "INF" } else { "-INF" }.into())
        }
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Integer(i) | Value::Picklist(i) => Json::from(*i),
        Value::String(s) => Json::String(s.clone()),
        Value::StringArray(items) => Json::Array(items.iter().cloned().map(Json::String).collect()),
        Value::Guid(g) => Json::String(g.to_string()),
        Value::EntityReference(r) => {
            let mut object = Map::new();
            object.insert(
                "@odata.type".into(),
                Json::String(format!("#{}", qualified(&r.logical_name))),
            );
            object.insert(
                key_of(&r.logical_name, tables),
                Json::String(r.id.to_string()),
            );
            Json::Object(object)
        }
        Value::Entity(e) => encode_entity(e, tables),
        Value::EntityCollection(items) => {
            Json::Array(items.iter().map(|e| encode_entity(e, tables)).collect())
        }
    }
}

/// Response members in declaration order, as a JSON object body.
pub fn encode_members(members: &BTreeMap<String, Value>, tables: &Tables) -> Map<String, Json> {
    members
        .iter()
        .map(|(k, v)| (k.clone(), encode(v, tables)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::TableInfo;
    use serde_json::json;

    fn tables() -> Tables {
        let mut t = Tables::default();
        t.insert(TableInfo::named("account"));
        t.insert(TableInfo::named("contact"));
        t
    }

    #[test]
    fn every_type_round_trips() {
        let t = tables();
        let id = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
        let cases = [
            (FieldType::Boolean, json!(true)),
            (FieldType::DateTime, json!("2024-05-01T10:00:00+02:00")),
            (FieldType::Decimal, json!(12.5)),
            (FieldType::Float, json!(1.25)),
            (FieldType::Integer, json!(-7)),
            (FieldType::Money, json!(99.99)),
            (FieldType::Picklist, json!(100000001)),
            (FieldType::String, json!("héllo")),
            (FieldType::StringArray, json!(["a", "b"])),
            (FieldType::Guid, json!(id)),
            (
                FieldType::EntityReference,
                json!({"@odata.type": "#Microsoft.Dynamics.CRM.account", "accountid": id}),
            ),
            (
                FieldType::Entity,
                json!({"@odata.type": "#Microsoft.Dynamics.CRM.contact", "contactid": id, "firstname": "Ada"}),
            ),
            (
                FieldType::EntityCollection,
                json!([{"@odata.type": "#Microsoft.Dynamics.CRM.contact", "fullname": "Ada"}]),
            ),
        ];
        for (ty, input) in cases {
            let value = decode(ty, None, &input, &t).unwrap_or_else(|e| panic!("{ty:?}: {e:?}"));
            assert_eq!(value.field_type(), Some(ty));
            assert_eq!(encode(&value, &t), input, "{ty:?}");
        }
    }

    #[test]
    fn references_by_odata_id_or_hint() {
        let t = tables();
        let id = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
        let by_id = decode(
            FieldType::EntityReference,
            None,
            &json!({"@odata.id": format!("http://x/api/data/v9.2/accounts({id})")}),
            &t,
        )
        .unwrap();
        let by_hint = decode(
            FieldType::EntityReference,
            Some("account"),
            &json!({"accountid": id}),
            &t,
        )
        .unwrap();
        assert_eq!(by_id, by_hint);
        assert!(
            decode(
                FieldType::EntityReference,
                None,
                &json!({"accountid": id}),
                &t
            )
            .is_err()
        );
        // A type the service does not declare is refused, as a reference and as an entity.
        for ty in [FieldType::EntityReference, FieldType::Entity] {
            let e = decode(
                ty,
                None,
                &json!({"@odata.type": "Microsoft.Dynamics.CRM.nope", "nopeid": id}),
                &t,
            )
            .expect_err("an undeclared type");
            assert!(format!("{e:?}").contains("names no entity type"), "{e:?}");
        }
        assert!(
            decode(
                FieldType::EntityReference,
                None,
                &json!({"@odata.id": "nosuch(1)"}),
                &t
            )
            .is_err()
        );
    }

    #[test]
    fn wrong_types_and_ranges_are_refused() {
        let t = tables();
        assert!(decode(FieldType::Integer, None, &json!("5"), &t).is_err());
        assert!(decode(FieldType::Integer, None, &json!(2147483648i64), &t).is_err());
        assert!(decode(FieldType::Integer, None, &json!(1.5), &t).is_err());
        assert!(decode(FieldType::DateTime, None, &json!("2024-05-01"), &t).is_err());
        assert!(decode(FieldType::Guid, None, &json!("nope"), &t).is_err());
        assert!(decode(FieldType::StringArray, None, &json!(["a", 1]), &t).is_err());
        assert_eq!(
            decode(FieldType::String, None, &Json::Null, &t).unwrap(),
            Value::Null
        );
    }

    #[test]
    fn edm_types() {
        assert_eq!(
            edm_type(FieldType::EntityReference, Some("account")),
            "Microsoft.Dynamics.CRM.account"
        );
        assert_eq!(
            edm_type(FieldType::Entity, None),
            "Microsoft.Dynamics.CRM.crmbaseentity"
        );
        assert_eq!(
            edm_type(FieldType::EntityCollection, Some("contact")),
            "Collection(Microsoft.Dynamics.CRM.crmbaseentity)"
        );
        assert_eq!(edm_type(FieldType::Money, None), "Edm.Decimal");
    }
}
