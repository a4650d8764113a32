//! Dataverse's OData names: the namespace, its alias, entity set names.

/// The schema namespace.
pub const NAMESPACE: &str = "Microsoft.Dynamics.CRM";
/// The schema alias Dataverse declares.
pub const ALIAS: &str = "mscrm";
/// The entity container.
pub const CONTAINER: &str = "System";
/// The abstract base of every entity type.
pub const BASE_ENTITY: &str = "crmbaseentity";
/// The open entity type `$metadata` gives returned records whose table is not declared.
/// Dataverse uses the keyless `crmbaseentity` there, which client generators cannot
/// handle (odata2ts needs a key, SAP's generator an entity set); see ARCHITECTURE.md.
pub const UNTYPED_ENTITY: &str = "expando";

/// `Microsoft.Dynamics.CRM.{name}`.
pub fn qualified(name: &str) -> String {
    format!("{NAMESPACE}.{name}")
}

/// Strips `Microsoft.Dynamics.CRM.` or `mscrm.`; `None` when the name is not qualified.
pub fn unqualify(name: &str) -> Option<&str> {
    name.strip_prefix(NAMESPACE)
        .or_else(|| name.strip_prefix(ALIAS))
        .and_then(|rest| rest.strip_prefix('.'))
}

/// The entity set name Dataverse gives a table: its plural (`account` → `accounts`).
pub fn entity_set_name(logical_name: &str) -> String {
    switchboard_model::names::entity_set_name(logical_name)
}

/// The primary key column Dataverse gives a table (`account` → `accountid`).
pub fn primary_id(logical_name: &str) -> String {
    format!("{logical_name}id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_set_names() {
        assert_eq!(entity_set_name("account"), "accounts");
        assert_eq!(entity_set_name("opportunity"), "opportunities");
        assert_eq!(entity_set_name("activityparty"), "activityparties");
        assert_eq!(entity_set_name("survey"), "surveys");
        assert_eq!(entity_set_name("jbe_testbox"), "jbe_testboxes");
        assert_eq!(
            entity_set_name("customapiresponseproperty"),
            "customapiresponseproperties"
        );
        assert_eq!(entity_set_name("systemuser"), "systemusers");
    }

    #[test]
    fn qualified_names() {
        assert_eq!(unqualify("Microsoft.Dynamics.CRM.sb_X"), Some("sb_X"));
        assert_eq!(unqualify("mscrm.sb_X"), Some("sb_X"));
        assert_eq!(unqualify("sb_X"), None);
        assert_eq!(unqualify("Microsoft.Dynamics.CRMsb_X"), None);
    }
}
