//! Validated names: custom API / parameter unique names and table logical names.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::message::{Message, MessageId};

/// Longest unique name Dataverse accepts for APIs, parameters and properties.
pub const UNIQUE_NAME_MAX: usize = 128;
/// Longest logical name of a table.
pub const LOGICAL_NAME_MAX: usize = 100;

/// Whether `s` is an identifier: a letter or `_`, then letters, digits or `_`.
/// Unique names become OData identifiers, so nothing else is allowed.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Trims `raw` and checks it is a non-empty identifier of at most `max` characters.
fn checked_identifier(raw: &str, max: usize) -> Result<&str, Message> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Message::new(MessageId::ApiUniqueNameEmpty));
    }
    let len = name.chars().count();
    if len > max {
        return Err(Message::new(MessageId::ApiUniqueNameTooLong)
            .arg("name", name)
            .arg("length", len)
            .arg("max", max));
    }
    if !is_identifier(name) {
        return Err(Message::new(MessageId::ApiUniqueNameCharacters).arg("name", name));
    }
    Ok(name)
}

/// The unique name of a custom API, request parameter or response property.
///
/// Case is kept as written; comparisons that decide identity use [`UniqueName::key`],
/// because Dataverse treats unique names case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UniqueName(String);

impl UniqueName {
    /// Validates length (1 to 128) and characters.
    pub fn parse(raw: &str) -> Result<Self, Message> {
        checked_identifier(raw, UNIQUE_NAME_MAX).map(|name| Self(name.to_owned()))
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identity key: the name in lower case.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// Whether the name starts with `{prefix}_` (any case), as Dataverse expects.
    pub fn has_prefix(&self, prefix: &str) -> bool {
        let lower = self.key();
        let wanted = format!("{}_", prefix.to_ascii_lowercase());
        lower.starts_with(&wanted) && lower.len() > wanted.len()
    }
}

impl fmt::Display for UniqueName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The logical name of a table (`account`, `jbe_testrun`), always lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LogicalName(String);

impl LogicalName {
    /// Validates and lower-cases a table logical name.
    pub fn parse(raw: &str) -> Result<Self, Message> {
        checked_identifier(raw, LOGICAL_NAME_MAX).map(|name| Self(name.to_ascii_lowercase()))
    }

    /// The logical name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LogicalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Tables every organization has, before any solution is imported.
pub const BUILT_IN_TABLES: &[&str] = &["account", "businessunit", "contact", "systemuser", "team"];

/// The entity set name Dataverse gives a table: its plural (`account` → `accounts`,
/// `opportunity` → `opportunities`, `jbe_testbox` → `jbe_testboxes`).
pub fn entity_set_name(logical_name: &str) -> String {
    let vowel_before_y = logical_name
        .strip_suffix('y')
        .and_then(|stem| stem.chars().last())
        .is_some_and(|c| "aeiou".contains(c));
    if let Some(stem) = logical_name.strip_suffix('y').filter(|_| !vowel_before_y) {
        format!("{stem}ies")
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|end| logical_name.ends_with(end))
    {
        format!("{logical_name}es")
    } else {
        format!("{logical_name}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_name_rules() {
        assert!(UniqueName::parse("sample_CustomAPIExample").is_ok());
        assert!(UniqueName::parse("_x1").is_ok());
        assert_eq!(
            UniqueName::parse("").unwrap_err().id,
            MessageId::ApiUniqueNameEmpty
        );
        assert_eq!(
            UniqueName::parse("1abc").unwrap_err().id,
            MessageId::ApiUniqueNameCharacters
        );
        assert_eq!(
            UniqueName::parse("a-b").unwrap_err().id,
            MessageId::ApiUniqueNameCharacters
        );
        assert_eq!(
            UniqueName::parse("a.b").unwrap_err().id,
            MessageId::ApiUniqueNameCharacters
        );
        assert_eq!(
            UniqueName::parse("née").unwrap_err().id,
            MessageId::ApiUniqueNameCharacters
        );
        assert!(UniqueName::parse(&"a".repeat(128)).is_ok());
        assert_eq!(
            UniqueName::parse(&"a".repeat(129)).unwrap_err().id,
            MessageId::ApiUniqueNameTooLong
        );
    }

    #[test]
    fn prefix_check_is_case_insensitive() {
        let name = UniqueName::parse("Driv_GetUserTimezone").unwrap();
        assert!(name.has_prefix("driv"));
        assert!(!name.has_prefix("frh"));
        assert!(!UniqueName::parse("driv_").unwrap().has_prefix("driv"));
    }

    #[test]
    fn logical_names_are_lower_case() {
        assert_eq!(LogicalName::parse("Account").unwrap().as_str(), "account");
    }
}
