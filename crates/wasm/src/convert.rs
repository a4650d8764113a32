//! Values between the model (`switchboard_model::Value`) and the WIT arena form, with the
//! arena checked: indices in range and no cycles.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use switchboard_model::value::{Entity, EntityReference, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::bindings::switchboard::plugin::types as wit;

pub(crate) fn guid(id: Uuid) -> wit::Guid {
    let n = id.as_u128();
    wit::Guid {
        hi: (n >> 64) as u64,
        lo: n as u64,
    }
}

pub(crate) fn uuid(g: wit::Guid) -> Uuid {
    Uuid::from_u128(((g.hi as u128) << 64) | g.lo as u128)
}

/// Flattens a value, appending its records to `arena`.
pub(crate) fn to_wit(value: &Value, arena: &mut Vec<wit::Entity>) -> wit::Value {
    match value {
        Value::Null => wit::Value::Null,
        Value::Boolean(b) => wit::Value::Boolean(*b),
        Value::DateTime(d) => wit::Value::DateTime((d.unix_timestamp_nanos() / 1_000_000) as i64),
        Value::Decimal(d) => wit::Value::Decimal(d.normalize().to_string()),
        Value::Float(f) => wit::Value::Float(*f),
        Value::Integer(i) => wit::Value::Integer(*i),
        Value::Money(m) => wit::Value::Money(m.normalize().to_string()),
        Value::Picklist(p) => wit::Value::Picklist(*p),
        Value::String(s) => wit::Value::Text(s.clone()),
        Value::StringArray(a) => wit::Value::StringArray(a.clone()),
        Value::Guid(g) => wit::Value::Guid(guid(*g)),
        Value::EntityReference(r) => wit::Value::EntityReference(wit::EntityReference {
            logical_name: r.logical_name.clone(),
            id: guid(r.id),
            name: None,
        }),
        Value::Entity(e) => wit::Value::Entity(push_entity(e, arena)),
        Value::EntityCollection(items) => {
            wit::Value::EntityCollection(items.iter().map(|e| push_entity(e, arena)).collect())
        }
    }
}

fn push_entity(e: &Entity, arena: &mut Vec<wit::Entity>) -> u32 {
    let index = arena.len();
    arena.push(wit::Entity {
        logical_name: e.logical_name.clone(),
        id: e.id.map(guid),
        attributes: Vec::new(),
    });
    let attributes = e
        .attributes
        .iter()
        .map(|(name, v)| wit::Attribute {
            name: name.clone(),
            value: to_wit(v, arena),
        })
        .collect();
    arena[index].attributes = attributes;
    index as u32
}

/// A record in WIT form: the record itself, with the arena its attribute values point into.
pub(crate) fn entity_data(e: &Entity) -> wit::EntityData {
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
            id: e.id.map(guid),
            attributes,
        },
        arena,
    }
}

/// A page of records in WIT form: one arena for all of them, the records by index.
pub(crate) fn entity_page(records: &[Entity], more: bool) -> wit::EntityPage {
    let mut arena = Vec::new();
    let records = records.iter().map(|e| push_entity(e, &mut arena)).collect();
    wit::EntityPage {
        records,
        arena,
        more_records: more,
    }
}

/// A bag of named values in WIT form.
pub(crate) fn bag(values: &BTreeMap<String, Value>) -> wit::ParameterBag {
    let mut entities = Vec::new();
    let items = values
        .iter()
        .map(|(name, v)| wit::Parameter {
            name: name.clone(),
            value: to_wit(v, &mut entities),
        })
        .collect();
    wit::ParameterBag { items, entities }
}

/// Reads values from a plug-in, resolving arena indices.
pub(crate) struct Reader<'a> {
    arena: &'a [wit::Entity],
    path: Vec<u32>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(arena: &'a [wit::Entity]) -> Self {
        Self {
            arena,
            path: Vec::new(),
        }
    }

    fn entity(&mut self, index: u32) -> Result<Entity, String> {
        if self.path.contains(&index) {
            return Err(format!(
                "the record arena has a cycle through index {index}"
            ));
        }
        let raw = self.arena.get(index as usize).ok_or_else(|| {
            format!(
                "record index {index} is outside the arena of {} records",
                self.arena.len()
            )
        })?;
        self.path.push(index);
        let mut attributes = BTreeMap::new();
        for a in &raw.attributes {
            attributes.insert(a.name.clone(), self.value(&a.value)?);
        }
        self.path.pop();
        Ok(Entity {
            logical_name: raw.logical_name.clone(),
            id: raw.id.map(uuid),
            attributes,
        })
    }

    /// Reads a record sent as `entity-data` (its attribute values point into `arena`, which
    /// this reader must have been made with).
    pub(crate) fn entity_data(&mut self, raw: &wit::Entity) -> Result<Entity, String> {
        let mut attributes = BTreeMap::new();
        for a in &raw.attributes {
            attributes.insert(a.name.clone(), self.value(&a.value)?);
        }
        Ok(Entity {
            logical_name: raw.logical_name.clone(),
            id: raw.id.map(uuid),
            attributes,
        })
    }

    pub(crate) fn value(&mut self, v: &wit::Value) -> Result<Value, String> {
        let decimal = |text: &str| {
            Decimal::from_str(text).map_err(|_| format!("{text:?} is not a decimal number"))
        };
        Ok(match v {
            wit::Value::Null => Value::Null,
            wit::Value::Boolean(b) => Value::Boolean(*b),
            wit::Value::DateTime(ms) => Value::DateTime(
                OffsetDateTime::from_unix_timestamp_nanos(*ms as i128 * 1_000_000)
                    .map_err(|_| format!("{ms} ms is outside the date range"))?,
            ),
            wit::Value::Decimal(d) => Value::Decimal(decimal(d)?),
            wit::Value::Money(m) => Value::Money(decimal(m)?),
            wit::Value::Float(f) => Value::Float(*f),
            wit::Value::Integer(i) => Value::Integer(*i),
            wit::Value::Picklist(p) => Value::Picklist(*p),
            wit::Value::Text(s) => Value::String(s.clone()),
            wit::Value::StringArray(a) => Value::StringArray(a.clone()),
            wit::Value::Guid(g) => Value::Guid(uuid(*g)),
            wit::Value::EntityReference(r) => Value::EntityReference(EntityReference {
                logical_name: r.logical_name.clone(),
                id: uuid(r.id),
            }),
            wit::Value::Entity(i) => Value::Entity(self.entity(*i)?),
            wit::Value::EntityCollection(items) => Value::EntityCollection(
                items
                    .iter()
                    .map(|i| self.entity(*i))
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_records_round_trip_and_cycles_are_refused() {
        let inner = Entity {
            logical_name: Some("activityparty".into()),
            id: None,
            attributes: BTreeMap::new(),
        };
        let mut email = Entity {
            logical_name: Some("email".into()),
            id: Some(Uuid::from_u128(7)),
            ..Entity::default()
        };
        email
            .attributes
            .insert("to".into(), Value::EntityCollection(vec![inner]));
        email
            .attributes
            .insert("subject".into(), Value::String("hi".into()));
        let value = Value::EntityCollection(vec![email]);
        let mut arena = Vec::new();
        let w = to_wit(&value, &mut arena);
        assert_eq!(arena.len(), 2);
        assert_eq!(Reader::new(&arena).value(&w).unwrap(), value);

        let cyclic = vec![wit::Entity {
            logical_name: None,
            id: None,
            attributes: vec![wit::Attribute {
                name: "self".into(),
                value: wit::Value::Entity(0),
            }],
        }];
        assert!(
            Reader::new(&cyclic)
                .value(&wit::Value::Entity(0))
                .unwrap_err()
                .contains("cycle")
        );
        assert!(
            Reader::new(&cyclic)
                .value(&wit::Value::Entity(3))
                .unwrap_err()
                .contains("outside")
        );
    }

    #[test]
    fn records_and_pages_round_trip() {
        let mut contact = Entity {
            logical_name: Some("contact".into()),
            id: Some(Uuid::from_u128(2)),
            ..Entity::default()
        };
        contact
            .attributes
            .insert("fullname".into(), Value::String("Ada".into()));
        let mut account = Entity {
            logical_name: Some("account".into()),
            id: Some(Uuid::from_u128(1)),
            ..Entity::default()
        };
        account
            .attributes
            .insert("primarycontact".into(), Value::Entity(contact.clone()));
        account
            .attributes
            .insert("name".into(), Value::String("Contoso".into()));

        let data = entity_data(&account);
        assert_eq!(
            data.arena.len(),
            1,
            "only the nested record is in the arena"
        );
        let read = Reader::new(&data.arena).entity_data(&data.entity).unwrap();
        assert_eq!(read, account);

        let page = entity_page(&[account.clone(), contact.clone()], true);
        assert!(page.more_records);
        let mut reader = Reader::new(&page.arena);
        let records: Vec<Value> = page
            .records
            .iter()
            .map(|i| reader.value(&wit::Value::Entity(*i)).unwrap())
            .collect();
        assert_eq!(records, [Value::Entity(account), Value::Entity(contact)]);
    }

    #[test]
    fn scalars_round_trip() {
        let values = [
            Value::Boolean(true),
            Value::DateTime(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()),
            Value::Decimal(Decimal::from_str("12.5").unwrap()),
            Value::Money(Decimal::from_str("0.01").unwrap()),
            Value::Float(1.25),
            Value::Integer(-3),
            Value::Picklist(100000001),
            Value::String("é".into()),
            Value::StringArray(vec!["a".into()]),
            Value::Guid(Uuid::from_u128(u128::MAX - 5)),
            Value::EntityReference(EntityReference {
                logical_name: "account".into(),
                id: Uuid::from_u128(9),
            }),
            Value::Null,
        ];
        for v in values {
            let mut arena = Vec::new();
            let w = to_wit(&v, &mut arena);
            assert_eq!(Reader::new(&arena).value(&w).unwrap(), v);
        }
    }
}
