//! Plug-in assemblies, plug-in types and packages, and how a custom API refers to one.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::message::{Message, MessageId};

/// A `plugintypeexportkey`: a GUID (classic assemblies) or 64 hex digits (plug-in packages).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExportKey {
    /// The plug-in type id, used as key by classic assemblies.
    Guid(Uuid),
    /// A SHA-256 style key, kept in upper case, used by plug-in packages.
    Hex(String),
}

impl ExportKey {
    /// Parses either form; braces and case are tolerated.
    pub fn parse(raw: &str) -> Result<Self, Message> {
        let s = raw.trim();
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(ExportKey::Hex(s.to_ascii_uppercase()));
        }
        parse_guid(s)
            .map(ExportKey::Guid)
            .map_err(|_| Message::new(MessageId::XmlBadExportKey).arg("value", s))
    }
}

impl fmt::Display for ExportKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportKey::Guid(g) => write!(f, "{g}"),
            ExportKey::Hex(h) => f.write_str(h),
        }
    }
}

/// Parses a GUID written with or without braces, in any case.
pub fn parse_guid(raw: &str) -> Result<Uuid, Message> {
    let s = raw.trim();
    let inner = s
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(s);
    // Only the hyphenated form appears in solution files; reject others so a typo in a
    // key is not silently read as a different GUID.
    if inner.len() != 36 {
        return Err(Message::new(MessageId::XmlNotGuid).arg("value", s));
    }
    Uuid::parse_str(inner).map_err(|_| Message::new(MessageId::XmlNotGuid).arg("value", s))
}

/// How a custom API (or step) names its plug-in type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PluginTypeRef {
    /// No plug-in: outputs come back as their type's default.
    #[default]
    None,
    /// `<plugintypeid><plugintypeid>{id}</plugintypeid></plugintypeid>`.
    Id(Uuid),
    /// `<plugintypeid><plugintypeexportkey>key</plugintypeexportkey></plugintypeid>`.
    ExportKey(ExportKey),
}

/// What kind of binary an assembly holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PluginAssemblyKind {
    /// A WebAssembly component or core module: runnable here.
    Wasm,
    /// A .NET assembly or anything else: recorded, never run.
    Foreign,
}

impl PluginAssemblyKind {
    /// Decides from the file name the assembly names.
    pub fn from_file_name(file_name: Option<&str>) -> Self {
        match file_name {
            Some(f) if f.to_ascii_lowercase().ends_with(".wasm") => PluginAssemblyKind::Wasm,
            _ => PluginAssemblyKind::Foreign,
        }
    }

    /// From its stored form (anything but `wasm` is never run).
    pub fn from_stored(kind: &str) -> Self {
        if kind == "wasm" {
            PluginAssemblyKind::Wasm
        } else {
            PluginAssemblyKind::Foreign
        }
    }

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            PluginAssemblyKind::Wasm => "wasm",
            PluginAssemblyKind::Foreign => "foreign",
        }
    }
}

/// A `pluginassembly` with its types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginAssembly {
    /// `PluginAssemblyId`.
    pub id: Uuid,
    /// `FullName` (`Name, Version=…, Culture=…, PublicKeyToken=…`).
    pub full_name: String,
    /// The name part of the full name.
    pub name: String,
    /// `Version=` of the full name, if given.
    pub version: Option<String>,
    /// `IsolationMode` (2 = sandbox).
    pub isolation_mode: i32,
    /// `SourceType` (0 = database).
    pub source_type: i32,
    /// `FileName` as written (`/PluginAssemblies/…/X.wasm`).
    pub file_name: Option<String>,
    /// Wasm or foreign.
    pub kind: PluginAssemblyKind,
    /// The binary, when the package carried it.
    pub content: Option<Vec<u8>>,
    /// SHA-256 of the binary, lower-case hex.
    pub sha256: Option<String>,
    /// The types the assembly holds.
    pub types: Vec<PluginType>,
}

impl PluginAssembly {
    /// Splits `FullName` into its name and version.
    pub fn split_full_name(full_name: &str) -> (String, Option<String>) {
        let mut parts = full_name.split(',').map(str::trim);
        let name = parts.next().unwrap_or_default().to_owned();
        let version = parts
            .find_map(|p| p.strip_prefix("Version="))
            .map(str::to_owned);
        (name, version)
    }
}

/// A `plugintype`: one class (or one exported name of a component) in an assembly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginType {
    /// `PluginTypeId`.
    pub id: Uuid,
    /// `Name`: the type name; for wasm, the name the component exports it under.
    pub name: String,
    /// `AssemblyQualifiedName`.
    pub assembly_qualified_name: Option<String>,
    /// `FriendlyName`.
    pub friendly_name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
}

/// A `pluginpackage` (NuGet package of plug-ins); its types live inside the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginPackage {
    /// `uniquename`.
    pub unique_name: String,
    /// `name`.
    pub name: String,
    /// `version`.
    pub version: Option<String>,
    /// The package file it names.
    pub file_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_keys_in_both_forms() {
        let hex = "1ed803463c0f9c10beb999d39b311d7fd219e7d3fbf8db7a785bdef0736fe1ba";
        assert_eq!(
            ExportKey::parse(hex).unwrap(),
            ExportKey::Hex(hex.to_ascii_uppercase())
        );
        let g = ExportKey::parse("{81AADD88-ACA6-F111-AAAC-E4FADE069307}").unwrap();
        assert_eq!(g.to_string(), "81aadd88-aca6-f111-aaac-e4fade069307");
        assert_eq!(
            ExportKey::parse("nope").unwrap_err().id,
            MessageId::XmlBadExportKey
        );
    }

    #[test]
    fn guids_with_braces() {
        assert!(parse_guid("{eef2b1e9-3d38-f111-88b3-000d3a384ada}").is_ok());
        assert!(parse_guid("eef2b1e93d38f11188b3000d3a384ada").is_err());
    }

    #[test]
    fn full_name_split() {
        let (n, v) =
            PluginAssembly::split_full_name("Driv.CustomApis, Version=1.0.0.0, Culture=neutral");
        assert_eq!(n, "Driv.CustomApis");
        assert_eq!(v.as_deref(), Some("1.0.0.0"));
    }
}
