//! Privilege names as Dataverse forms them: `prv{Verb}{SchemaName}` for every table
//! (`prvReadAccount`, `prvCreatenew_myaction`), plus a few named ones.

use uuid::Uuid;

use crate::ids::{ACT_ON_BEHALF, SWITCHBOARD_NAMESPACE};

/// The verbs every table has a privilege for.
pub const VERBS: &[&str] = &[
    "Create", "Read", "Write", "Delete", "Append", "AppendTo", "Assign", "Share",
];

/// The schema name a table has in privilege names: built-in tables capitalize their logical
/// name (`account` → `Account`, `systemuser` → `User`), custom tables keep it (`new_x`).
pub fn schema_name(logical_name: &str) -> String {
    match logical_name {
        "customapi" => "CustomAPI".into(),
        "customapirequestparameter" => "CustomAPIRequestParameter".into(),
        "customapiresponseproperty" => "CustomAPIResponseProperty".into(),
        "pluginassembly" => "PluginAssembly".into(),
        "plugintype" => "PluginType".into(),
        "sdkmessage" => "SdkMessage".into(),
        "sdkmessageprocessingstep" => "SdkMessageProcessingStep".into(),
        "sdkmessageprocessingstepimage" => "SdkMessageProcessingStepImage".into(),
        "systemuser" => "User".into(),
        "plugintracelog" => "PluginTraceLog".into(),
        "businessunit" => "BusinessUnit".into(),
        "asyncoperation" => "AsyncOperation".into(),
        // Dataverse documents these in lower case (`prvReadbackgroundoperation`).
        "backgroundoperation" => "backgroundoperation".into(),
        // Switchboard's own system table, named as Dataverse names its system tables.
        "outbounddelivery" => "OutboundDelivery".into(),
        other if !other.contains('_') => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        }
        other => other.to_owned(),
    }
}

/// `prv{verb}{schema}`.
pub fn table_privilege(verb: &str, logical_name: &str) -> String {
    format!("prv{verb}{}", schema_name(logical_name))
}

/// Every privilege that exists for these tables, plus the named ones.
pub fn catalog<'a>(tables: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut all: Vec<String> = tables
        .into_iter()
        .flat_map(|t| VERBS.iter().map(move |v| table_privilege(v, t)))
        .chain([ACT_ON_BEHALF.to_owned()])
        .collect();
    all.sort();
    all.dedup();
    all
}

/// A stable id for a privilege name (shown in Dataverse-shaped privilege errors).
pub fn privilege_id(name: &str) -> Uuid {
    Uuid::new_v5(
        &SWITCHBOARD_NAMESPACE,
        format!("privilege:{}", name.to_ascii_lowercase()).as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_dataverse() {
        assert_eq!(table_privilege("Read", "customapi"), "prvReadCustomAPI");
        assert_eq!(table_privilege("Assign", "account"), "prvAssignAccount");
        assert_eq!(
            table_privilege("Create", "new_myaction"),
            "prvCreatenew_myaction"
        );
        assert_eq!(table_privilege("Read", "systemuser"), "prvReadUser");
        assert_eq!(
            table_privilege("Read", "asyncoperation"),
            "prvReadAsyncOperation"
        );
        assert_eq!(
            table_privilege("Read", "outbounddelivery"),
            "prvReadOutboundDelivery"
        );
        let all = catalog(["account", "new_x"]);
        assert_eq!(all.len(), 2 * 8 + 1);
        assert!(all.contains(&"prvAppendToAccount".to_owned()));
        assert!(all.contains(&"prvActOnBehalfOfAnotherUser".to_owned()));
    }
}
