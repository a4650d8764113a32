//! Plug-in values as ordinary Rust types (records nest freely), converted to and from the
//! WIT arena form at the boundary.

use std::fmt;

use crate::PluginError;
use crate::bindings::switchboard::plugin::types as wit;

/// A GUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Guid(pub u128);

impl Guid {
    /// The empty GUID.
    pub const NIL: Guid = Guid(0);

    /// Parses `8-4-4-4-12` hex, braces allowed.
    pub fn parse(text: &str) -> Option<Guid> {
        let t = text.trim().trim_start_matches('{').trim_end_matches('}');
        if t.len() != 36 {
            return None;
        }
        let hex: String = t.chars().filter(|c| *c != '-').collect();
        if hex.len() != 32 {
            return None;
        }
        u128::from_str_radix(&hex, 16).ok().map(Guid)
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = format!("{:032x}", self.0);
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
}

impl From<wit::Guid> for Guid {
    fn from(g: wit::Guid) -> Self {
        Guid(((g.hi as u128) << 64) | g.lo as u128)
    }
}

impl From<Guid> for wit::Guid {
    fn from(g: Guid) -> Self {
        wit::Guid {
            hi: (g.0 >> 64) as u64,
            lo: g.0 as u64,
        }
    }
}

/// A reference to a record.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityReference {
    /// The table.
    pub logical_name: String,
    /// The record id.
    pub id: Guid,
    /// The record's primary name, when known.
    pub name: Option<String>,
}

/// A record with some columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Entity {
    /// The table, when known.
    pub logical_name: Option<String>,
    /// The record id, when known.
    pub id: Option<Guid>,
    /// Columns in order.
    pub attributes: Vec<(String, Value)>,
}

impl Entity {
    /// An empty record of a table (no id, no columns), to fill for
    /// [`Context::create`](crate::Context::create) or
    /// [`Context::update`](crate::Context::update).
    ///
    /// ```ignore
    /// let project = Entity::new("sb_project").with("sb_name", "Apollo").with("sb_priority", 3);
    /// ```
    pub fn new(logical_name: impl Into<String>) -> Self {
        Entity {
            logical_name: Some(logical_name.into()),
            id: None,
            attributes: Vec::new(),
        }
    }

    /// The same record with this id.
    pub fn with_id(mut self, id: Guid) -> Self {
        self.id = Some(id);
        self
    }

    /// The same record with a column set (see [`Entity::set`]).
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.set(name, value);
        self
    }

    /// Sets a column, replacing its value if it is there.
    pub fn set(&mut self, name: &str, value: impl Into<Value>) {
        let value = value.into();
        match self.attributes.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.attributes.push((name.to_owned(), value)),
        }
    }

    /// A column's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// A column as a Rust type; absent or null → `Ok(None)`, another type → error (as
    /// [`Context::input`](crate::Context::input)).
    ///
    /// ```ignore
    /// let priority: i32 = project.attribute("sb_priority")?.unwrap_or(0);
    /// ```
    pub fn attribute<T: FromValue>(&self, name: &str) -> Result<Option<T>, PluginError> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::from_value(v).map(Some).ok_or_else(|| {
                PluginError::Internal(format!("column {name:?} is not a {}", T::NAME))
            }),
        }
    }
}

/// A value of one of the 13 custom API types, or null.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value.
    Null,
    /// `Boolean`.
    Boolean(bool),
    /// `DateTime`: milliseconds since 1970-01-01T00:00:00Z.
    DateTime(i64),
    /// `Decimal` as canonical text.
    Decimal(String),
    /// `Entity`.
    Entity(Box<Entity>),
    /// `EntityCollection`.
    EntityCollection(Vec<Entity>),
    /// `EntityReference`.
    EntityReference(EntityReference),
    /// `Float`.
    Float(f64),
    /// `Integer`.
    Integer(i32),
    /// `Money` as canonical decimal text.
    Money(String),
    /// `Picklist`.
    Picklist(i32),
    /// `String`.
    String(String),
    /// `StringArray`.
    StringArray(Vec<String>),
    /// `Guid`.
    Guid(Guid),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Boolean(b)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Integer(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<Guid> for Value {
    fn from(g: Guid) -> Self {
        Value::Guid(g)
    }
}
impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Self {
        Value::StringArray(v)
    }
}
impl From<EntityReference> for Value {
    fn from(r: EntityReference) -> Self {
        Value::EntityReference(r)
    }
}
impl From<Entity> for Value {
    fn from(e: Entity) -> Self {
        Value::Entity(Box::new(e))
    }
}

/// Reading a typed input: `ctx.input::<String>("Name")`.
pub trait FromValue: Sized {
    /// The type's name, for error messages.
    const NAME: &'static str;
    /// The value as this type, if it is one.
    fn from_value(value: &Value) -> Option<Self>;
}

macro_rules! from_value {
    ($t:ty, $name:literal, $($pat:pat => $out:expr),+) => {
        impl FromValue for $t {
            const NAME: &'static str = $name;
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    $($pat => Some($out),)+
                    _ => None,
                }
            }
        }
    };
}
from_value!(String, "String", Value::String(s) => s.clone());
from_value!(bool, "Boolean", Value::Boolean(b) => *b);
from_value!(i32, "Integer", Value::Integer(i) => *i, Value::Picklist(i) => *i);
from_value!(f64, "Float", Value::Float(f) => *f);
from_value!(Guid, "Guid", Value::Guid(g) => *g);
from_value!(Vec<String>, "StringArray", Value::StringArray(v) => v.clone());
from_value!(EntityReference, "EntityReference", Value::EntityReference(r) => r.clone());
from_value!(Entity, "Entity", Value::Entity(e) => (**e).clone());
from_value!(Vec<Entity>, "EntityCollection", Value::EntityCollection(v) => v.clone());
impl FromValue for Value {
    const NAME: &'static str = "any value";
    fn from_value(value: &Value) -> Option<Self> {
        Some(value.clone())
    }
}

/// Resolves arena indices, refusing indices out of range and cycles.
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

    fn entity(&mut self, index: u32) -> Result<Entity, PluginError> {
        if self.path.contains(&index) {
            return Err(PluginError::Internal(format!(
                "entity arena has a cycle through index {index}"
            )));
        }
        let raw = self.arena.get(index as usize).ok_or_else(|| {
            PluginError::Internal(format!("entity index {index} is outside the arena"))
        })?;
        self.path.push(index);
        let mut attributes = Vec::with_capacity(raw.attributes.len());
        for a in &raw.attributes {
            attributes.push((a.name.clone(), self.value(&a.value)?));
        }
        self.path.pop();
        Ok(Entity {
            logical_name: raw.logical_name.clone(),
            id: raw.id.map(Guid::from),
            attributes,
        })
    }

    pub(crate) fn value(&mut self, v: &wit::Value) -> Result<Value, PluginError> {
        Ok(match v {
            wit::Value::Null => Value::Null,
            wit::Value::Boolean(b) => Value::Boolean(*b),
            wit::Value::DateTime(ms) => Value::DateTime(*ms),
            wit::Value::Decimal(d) => Value::Decimal(d.clone()),
            wit::Value::Entity(i) => Value::Entity(Box::new(self.entity(*i)?)),
            wit::Value::EntityCollection(items) => Value::EntityCollection(
                items
                    .iter()
                    .map(|i| self.entity(*i))
                    .collect::<Result<_, _>>()?,
            ),
            wit::Value::EntityReference(r) => Value::EntityReference(EntityReference {
                logical_name: r.logical_name.clone(),
                id: r.id.into(),
                name: r.name.clone(),
            }),
            wit::Value::Float(f) => Value::Float(*f),
            wit::Value::Integer(i) => Value::Integer(*i),
            wit::Value::Money(m) => Value::Money(m.clone()),
            wit::Value::Picklist(p) => Value::Picklist(*p),
            wit::Value::Text(s) => Value::String(s.clone()),
            wit::Value::StringArray(a) => Value::StringArray(a.clone()),
            wit::Value::Guid(g) => Value::Guid((*g).into()),
        })
    }
}

/// Flattens a value into WIT form, appending its records to `arena`.
pub(crate) fn to_wit(value: &Value, arena: &mut Vec<wit::Entity>) -> wit::Value {
    match value {
        Value::Null => wit::Value::Null,
        Value::Boolean(b) => wit::Value::Boolean(*b),
        Value::DateTime(ms) => wit::Value::DateTime(*ms),
        Value::Decimal(d) => wit::Value::Decimal(d.clone()),
        Value::Entity(e) => wit::Value::Entity(push_entity(e, arena)),
        Value::EntityCollection(items) => {
            wit::Value::EntityCollection(items.iter().map(|e| push_entity(e, arena)).collect())
        }
        Value::EntityReference(r) => wit::Value::EntityReference(wit::EntityReference {
            logical_name: r.logical_name.clone(),
            id: r.id.into(),
            name: r.name.clone(),
        }),
        Value::Float(f) => wit::Value::Float(*f),
        Value::Integer(i) => wit::Value::Integer(*i),
        Value::Money(m) => wit::Value::Money(m.clone()),
        Value::Picklist(p) => wit::Value::Picklist(*p),
        Value::String(s) => wit::Value::Text(s.clone()),
        Value::StringArray(a) => wit::Value::StringArray(a.clone()),
        Value::Guid(g) => wit::Value::Guid((*g).into()),
    }
}

fn push_entity(e: &Entity, arena: &mut Vec<wit::Entity>) -> u32 {
    // Reserve the slot first so nested records get later indices.
    let index = arena.len();
    arena.push(wit::Entity {
        logical_name: e.logical_name.clone(),
        id: e.id.map(Into::into),
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

/// Reads a record the host sent.
pub(crate) fn from_entity_data(data: &wit::EntityData) -> Result<Entity, PluginError> {
    let mut reader = Reader::new(&data.arena);
    let mut attributes = Vec::with_capacity(data.entity.attributes.len());
    for a in &data.entity.attributes {
        attributes.push((a.name.clone(), reader.value(&a.value)?));
    }
    Ok(Entity {
        logical_name: data.entity.logical_name.clone(),
        id: data.entity.id.map(Guid::from),
        attributes,
    })
}
