//! Localized labels: text per language (LCID) with the base-language default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A Windows language code identifier, as Dataverse uses for labels (1033 = en-US).
pub type Lcid = u32;

/// The organization base language unless configured otherwise (English, United States).
pub const BASE_LANGUAGE: Lcid = 1033;

/// A localizable text: one string per language plus the default written in the solution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalizedLabel {
    /// The `default` attribute: base-language text used when no language matches.
    pub default: Option<String>,
    /// Text per language code.
    pub labels: BTreeMap<Lcid, String>,
}

impl LocalizedLabel {
    /// A label that has only a default text.
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            default: Some(text.into()),
            labels: BTreeMap::new(),
        }
    }

    /// Whether neither a default nor any language has text.
    pub fn is_empty(&self) -> bool {
        self.default.is_none() && self.labels.is_empty()
    }

    /// The text for `language`, else the base language's, else the default.
    pub fn text(&self, language: Lcid, base: Lcid) -> Option<&str> {
        self.labels
            .get(&language)
            .or_else(|| self.labels.get(&base))
            .map(String::as_str)
            .or(self.default.as_deref())
    }

    /// The base-language text as stored in the entity's own column.
    pub fn base_text(&self, base: Lcid) -> Option<&str> {
        self.text(base, base)
    }

    /// The longest text among all languages and the default, in characters.
    pub fn max_chars(&self) -> usize {
        self.labels
            .values()
            .chain(self.default.iter())
            .map(|t| t.chars().count())
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_base_language_then_default() {
        let mut label = LocalizedLabel::plain("Default");
        label.labels.insert(1033, "English".into());
        label.labels.insert(1041, "日本語".into());
        assert_eq!(label.text(1041, 1033), Some("日本語"));
        assert_eq!(label.text(1031, 1033), Some("English"));
        label.labels.remove(&1033);
        assert_eq!(label.text(1031, 1033), Some("Default"));
        assert_eq!(LocalizedLabel::default().text(1033, 1033), None);
    }
}
