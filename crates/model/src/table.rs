//! Table definitions (Dataverse entities): columns typed by attribute kind, choices, lookups,
//! the platform columns every record table carries, and the built-in record tables.

use serde::{Deserialize, Serialize};

use crate::label::LocalizedLabel;
use crate::names::entity_set_name;

/// Longest text a string column may declare (Dataverse's limit for single-line text).
pub const STRING_MAX: u32 = 4000;
/// Longest text a memo (multi-line) column may declare.
pub const MEMO_MAX: u32 = 1_048_576;

/// One choice of a picklist column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    /// The stored integer.
    pub value: i32,
    /// The label per language.
    pub label: LocalizedLabel,
}

/// The attribute kinds a column can have, as Dataverse's `AttributeType` names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// The table's own id.
    PrimaryKey,
    /// Single-line text of at most `max_length` characters.
    String {
        /// Maximum length in characters.
        max_length: u32,
    },
    /// Multi-line text.
    Memo {
        /// Maximum length in characters.
        max_length: u32,
    },
    /// 32-bit whole number.
    Integer {
        /// Smallest allowed value.
        min: i32,
        /// Largest allowed value.
        max: i32,
    },
    /// 64-bit whole number.
    BigInt,
    /// Fixed-point number with `precision` digits after the point.
    Decimal {
        /// Digits after the decimal point.
        precision: u32,
    },
    /// Floating-point number.
    Float,
    /// Currency amount.
    Money,
    /// Yes/no.
    Boolean,
    /// A point in time (stored in UTC).
    DateTime,
    /// A GUID that is not a reference.
    UniqueIdentifier,
    /// One value of a choice (option set).
    Picklist {
        /// The allowed choices.
        options: Vec<ChoiceOption>,
    },
    /// A reference to a record of one of the `targets` tables (usually one).
    Lookup {
        /// Logical names of the tables the lookup may point to.
        targets: Vec<String>,
    },
}

impl ColumnType {
    /// Dataverse's `AttributeType` name (`String`, `Lookup`, …) as `EntityDefinitions` reports it.
    pub fn attribute_type(&self) -> &'static str {
        match self {
            ColumnType::PrimaryKey => "Uniqueidentifier",
            ColumnType::String { .. } => "String",
            ColumnType::Memo { .. } => "Memo",
            ColumnType::Integer { .. } => "Integer",
            ColumnType::BigInt => "BigInt",
            ColumnType::Decimal { .. } => "Decimal",
            ColumnType::Float => "Double",
            ColumnType::Money => "Money",
            ColumnType::Boolean => "Boolean",
            ColumnType::DateTime => "DateTime",
            ColumnType::UniqueIdentifier => "Uniqueidentifier",
            ColumnType::Picklist { .. } => "Picklist",
            ColumnType::Lookup { .. } => "Lookup",
        }
    }

    /// The metadata type `EntityDefinitions(...)/Attributes` casts to
    /// (`PicklistAttributeMetadata`, …).
    pub fn metadata_type(&self) -> &'static str {
        match self {
            ColumnType::PrimaryKey | ColumnType::UniqueIdentifier => {
                "UniqueIdentifierAttributeMetadata"
            }
            ColumnType::String { .. } => "StringAttributeMetadata",
            ColumnType::Memo { .. } => "MemoAttributeMetadata",
            ColumnType::Integer { .. } => "IntegerAttributeMetadata",
            ColumnType::BigInt => "BigIntAttributeMetadata",
            ColumnType::Decimal { .. } => "DecimalAttributeMetadata",
            ColumnType::Float => "DoubleAttributeMetadata",
            ColumnType::Money => "MoneyAttributeMetadata",
            ColumnType::Boolean => "BooleanAttributeMetadata",
            ColumnType::DateTime => "DateTimeAttributeMetadata",
            ColumnType::Picklist { .. } => "PicklistAttributeMetadata",
            ColumnType::Lookup { .. } => "LookupAttributeMetadata",
        }
    }

    /// Whether two declarations store values the same way (a re-import may change labels,
    /// lengths and choices, not the storage kind).
    pub fn same_storage(&self, other: &ColumnType) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
            || matches!(
                (self, other),
                (ColumnType::String { .. }, ColumnType::Memo { .. })
                    | (ColumnType::Memo { .. }, ColumnType::String { .. })
            )
    }
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Logical name (lower case).
    pub logical_name: String,
    /// Schema name (as declared; the logical name otherwise).
    pub schema_name: String,
    /// The attribute kind.
    pub column_type: ColumnType,
    /// `RequiredLevel` is `systemrequired` or `applicationrequired`.
    pub required: bool,
    /// Callers may set it on create.
    pub valid_for_create: bool,
    /// Callers may change it on update.
    pub valid_for_update: bool,
    /// Declared by a solution (not a platform column).
    pub is_custom: bool,
    /// Display name per language.
    #[serde(default)]
    pub display_name: LocalizedLabel,
    /// Description per language.
    #[serde(default)]
    pub description: LocalizedLabel,
}

impl Column {
    /// A writable, optional custom column.
    pub fn new(logical_name: &str, column_type: ColumnType) -> Self {
        Self {
            logical_name: logical_name.to_owned(),
            schema_name: logical_name.to_owned(),
            column_type,
            required: false,
            valid_for_create: true,
            valid_for_update: true,
            is_custom: true,
            display_name: LocalizedLabel::default(),
            description: LocalizedLabel::default(),
        }
    }

    /// A column the platform maintains (not writable by callers).
    pub fn system(logical_name: &str, column_type: ColumnType) -> Self {
        Self {
            valid_for_create: false,
            valid_for_update: false,
            is_custom: false,
            ..Self::new(logical_name, column_type)
        }
    }

    /// The lookup's target tables, when this is a lookup.
    pub fn lookup_targets(&self) -> Option<&[String]> {
        match &self.column_type {
            ColumnType::Lookup { targets } => Some(targets),
            _ => None,
        }
    }
}

/// Who owns the records of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ownership {
    /// Records belong to a user or team (`ownerid`).
    UserOwned,
    /// Records belong to the organization.
    OrganizationOwned,
}

/// A table whose records live in the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Logical name (`account`, `sb_project`).
    pub logical_name: String,
    /// Schema name (`Account`, `sb_Project`).
    pub schema_name: String,
    /// Entity set name used in URLs (`accounts`).
    pub set_name: String,
    /// The primary key column (`accountid`).
    pub primary_id: String,
    /// The primary name column (`name`).
    pub primary_name: String,
    /// Declared by a solution.
    pub is_custom: bool,
    /// Record ownership.
    pub ownership: Ownership,
    /// Display name per language.
    #[serde(default)]
    pub display_name: LocalizedLabel,
    /// Plural display name per language.
    #[serde(default)]
    pub display_collection_name: LocalizedLabel,
    /// Description per language.
    #[serde(default)]
    pub description: LocalizedLabel,
    /// Every column, the primary key first.
    pub columns: Vec<Column>,
}

/// The platform columns every record table carries besides its key.
pub const PLATFORM_COLUMNS: &[&str] = &["createdon", "modifiedon", "createdby", "modifiedby"];

impl Table {
    /// A table with Dataverse's default names (`{name}s`, `{name}id`) and only its key and the
    /// platform columns; add declared columns with [`Table::push`].
    pub fn new(logical_name: &str, primary_name: &str) -> Self {
        let mut table = Self {
            logical_name: logical_name.to_owned(),
            schema_name: logical_name.to_owned(),
            set_name: entity_set_name(logical_name),
            primary_id: format!("{logical_name}id"),
            primary_name: primary_name.to_owned(),
            is_custom: true,
            ownership: Ownership::UserOwned,
            display_name: LocalizedLabel::default(),
            display_collection_name: LocalizedLabel::default(),
            description: LocalizedLabel::default(),
            columns: Vec::new(),
        };
        table.ensure_platform_columns();
        table
    }

    /// Adds the key and the platform columns when the declaration did not list them, so every
    /// stored table has the same bookkeeping columns.
    pub fn ensure_platform_columns(&mut self) {
        if self.column(&self.primary_id.clone()).is_none() {
            let mut key = Column::system(&self.primary_id, ColumnType::PrimaryKey);
            key.valid_for_create = true;
            key.required = true;
            self.columns.insert(0, key);
        }
        for name in PLATFORM_COLUMNS {
            if self.column(name).is_none() {
                let kind = if name.ends_with("on") {
                    ColumnType::DateTime
                } else {
                    ColumnType::Lookup {
                        targets: vec!["systemuser".into()],
                    }
                };
                self.columns.push(Column::system(name, kind));
            }
        }
    }

    /// Adds (or replaces) a declared column.
    pub fn push(&mut self, column: Column) -> &mut Self {
        match self
            .columns
            .iter_mut()
            .find(|c| c.logical_name == column.logical_name)
        {
            Some(existing) => *existing = column,
            None => self.columns.push(column),
        }
        self
    }

    /// The column with this logical name.
    pub fn column(&self, logical_name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.logical_name == logical_name)
    }

    /// The name of the physical table holding the records (`{logical}base`, as Dataverse's
    /// own `AccountBase`; never clashes with Switchboard's definition tables).
    pub fn storage_name(&self) -> String {
        format!("{}base", self.logical_name)
    }
}

fn text(max_length: u32) -> ColumnType {
    ColumnType::String { max_length }
}

fn lookup(target: &str) -> ColumnType {
    ColumnType::Lookup {
        targets: vec![target.to_owned()],
    }
}

fn builtin(logical_name: &str, primary_name: &str, columns: Vec<Column>) -> Table {
    let mut table = Table::new(logical_name, primary_name);
    table.is_custom = false;
    table.schema_name = schema_case(logical_name);
    for mut c in columns {
        c.is_custom = false;
        table.push(c);
    }
    table
}

fn schema_case(logical_name: &str) -> String {
    let mut chars = logical_name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The built-in record tables (`account`, `contact`, `team`) with their usual columns.
/// `systemuser` and `businessunit` are served from the identity tables instead.
pub fn built_in_tables() -> Vec<Table> {
    let name_required = |mut c: Column| {
        c.required = true;
        c
    };
    let account = builtin(
        "account",
        "name",
        vec![
            name_required(Column::new("name", text(160))),
            Column::new("accountnumber", text(20)),
            Column::new("telephone1", text(50)),
            Column::new("emailaddress1", text(100)),
            Column::new("websiteurl", text(200)),
            Column::new("description", ColumnType::Memo { max_length: 2000 }),
            Column::new(
                "numberofemployees",
                ColumnType::Integer {
                    min: 0,
                    max: 1_000_000_000,
                },
            ),
            Column::new("revenue", ColumnType::Money),
            Column::new("creditonhold", ColumnType::Boolean),
            Column::new("parentaccountid", lookup("account")),
            Column::new("primarycontactid", lookup("contact")),
        ],
    );
    let contact = builtin(
        "contact",
        "fullname",
        vec![
            Column::new("fullname", text(160)),
            Column::new("firstname", text(50)),
            name_required(Column::new("lastname", text(50))),
            Column::new("emailaddress1", text(100)),
            Column::new("telephone1", text(50)),
            Column::new("birthdate", ColumnType::DateTime),
            Column::new("parentcustomerid", lookup("account")),
        ],
    );
    let team = builtin(
        "team",
        "name",
        vec![
            name_required(Column::new("name", text(160))),
            Column::new("description", ColumnType::Memo { max_length: 2000 }),
            Column::new("businessunitid", lookup("businessunit")),
        ],
    );
    vec![account, contact, team]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_table_has_key_and_platform_columns() {
        let t = Table::new("sb_project", "sb_name");
        assert_eq!(t.set_name, "sb_projects");
        assert_eq!(t.primary_id, "sb_projectid");
        assert_eq!(t.columns[0].logical_name, "sb_projectid");
        assert_eq!(t.columns[0].column_type, ColumnType::PrimaryKey);
        for c in PLATFORM_COLUMNS {
            let col = t.column(c).unwrap();
            assert!(!col.valid_for_create && !col.valid_for_update, "{c}");
        }
        assert_eq!(t.storage_name(), "sb_projectbase");
    }

    #[test]
    fn push_replaces_same_name() {
        let mut t = Table::new("sb_x", "sb_name");
        t.push(Column::new("sb_name", text(10)));
        t.push(Column::new("sb_name", text(20)));
        assert_eq!(
            t.column("sb_name").unwrap().column_type,
            ColumnType::String { max_length: 20 }
        );
        assert_eq!(
            t.columns
                .iter()
                .filter(|c| c.logical_name == "sb_name")
                .count(),
            1
        );
    }

    #[test]
    fn built_ins_are_well_formed() {
        let tables = built_in_tables();
        let names: Vec<&str> = tables.iter().map(|t| t.logical_name.as_str()).collect();
        assert_eq!(names, ["account", "contact", "team"]);
        for t in &tables {
            assert!(!t.is_custom);
            assert!(t.column(&t.primary_name).is_some(), "{}", t.logical_name);
            assert!(t.columns.iter().all(|c| !c.is_custom));
        }
        assert_eq!(tables[0].schema_name, "Account");
    }

    #[test]
    fn storage_kind_comparison() {
        assert!(text(10).same_storage(&ColumnType::Memo { max_length: 5 }));
        assert!(!text(10).same_storage(&ColumnType::BigInt));
        assert!(
            ColumnType::Decimal { precision: 2 }
                .same_storage(&ColumnType::Decimal { precision: 4 })
        );
    }
}
