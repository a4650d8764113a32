//! A solution's manifest: unique name, version, managed flag and publisher.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::label::LocalizedLabel;
use crate::message::{Message, MessageId};

/// A solution version: up to four dot-separated numbers (`1.2021.05.41`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SolutionVersion {
    parts: Vec<u32>,
    text: String,
}

impl SolutionVersion {
    /// Parses `major.minor[.build[.revision]]`.
    pub fn parse(raw: &str) -> Result<Self, Message> {
        let text = raw.trim();
        let parts: Option<Vec<u32>> = text.split('.').map(|p| p.parse().ok()).collect();
        match parts {
            Some(parts) if (2..=4).contains(&parts.len()) => Ok(Self {
                parts,
                text: text.to_owned(),
            }),
            _ => Err(Message::new(MessageId::PackageBadVersion).arg("value", text)),
        }
    }

    /// The version as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn padded(&self) -> [u32; 4] {
        let mut out = [0; 4];
        for (slot, part) in out.iter_mut().zip(&self.parts) {
            *slot = *part;
        }
        out
    }
}

impl PartialOrd for SolutionVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SolutionVersion {
    /// Numeric comparison, missing parts counting as 0 (`1.2` = `1.2.0.0`).
    fn cmp(&self, other: &Self) -> Ordering {
        self.padded().cmp(&other.padded())
    }
}

impl fmt::Display for SolutionVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The publisher of a solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publisher {
    /// `UniqueName`.
    pub unique_name: String,
    /// `LocalizedNames`.
    pub names: LocalizedLabel,
    /// `Descriptions`.
    pub descriptions: LocalizedLabel,
    /// `CustomizationPrefix`.
    pub prefix: String,
    /// `CustomizationOptionValuePrefix`.
    pub option_value_prefix: Option<i32>,
}

/// A solution manifest (`Other/Solution.xml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solution {
    /// `UniqueName`.
    pub unique_name: String,
    /// `LocalizedNames`.
    pub names: LocalizedLabel,
    /// `Descriptions`.
    pub descriptions: LocalizedLabel,
    /// `Version`.
    pub version: SolutionVersion,
    /// `Managed`.
    pub managed: bool,
    /// `Publisher`.
    pub publisher: Publisher,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        let a = SolutionVersion::parse("1.2021.05.41").unwrap();
        let b = SolutionVersion::parse("1.2021.5.100").unwrap();
        assert!(a < b);
        assert_eq!(
            SolutionVersion::parse("1.2")
                .unwrap()
                .cmp(&SolutionVersion::parse("1.2.0.0").unwrap()),
            Ordering::Equal
        );
        assert!(SolutionVersion::parse("1").is_err());
        assert!(SolutionVersion::parse("1.x").is_err());
    }
}
