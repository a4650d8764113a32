//! Stable ids: built-in messages' well-known ids and ids derived from unique names.
//!
//! Solution files do not carry ids for custom APIs, parameters or properties, so ids are
//! derived (UUID v5) from the unique names: re-importing the same solution, on any
//! machine, gives the same ids, and steps can name a custom API's message by id.

use uuid::Uuid;

/// The namespace of every id Switchboard derives (a fixed random UUID).
pub const SWITCHBOARD_NAMESPACE: Uuid = Uuid::from_u128(0x3f0c_9e47_6a2d_4c1b_9d5e_81a7_b2c4_f601);

fn derive(kind: &str, key: &str) -> Uuid {
    Uuid::new_v5(
        &SWITCHBOARD_NAMESPACE,
        format!("{kind}:{}", key.to_ascii_lowercase()).as_bytes(),
    )
}

/// `customapiid` of the API with this unique name.
pub fn custom_api_id(unique_name: &str) -> Uuid {
    derive("customapi", unique_name)
}

/// `sdkmessageid` of the custom API with this unique name.
pub fn custom_api_message_id(unique_name: &str) -> Uuid {
    derive("sdkmessage", unique_name)
}

/// The message fired when a background operation ends (Dataverse's own custom API of that
/// name, which allows asynchronous steps only).
pub const ON_BACKGROUND_OPERATION_COMPLETE: &str = "OnBackgroundOperationComplete";

/// `sdkmessageid` of [`ON_BACKGROUND_OPERATION_COMPLETE`] (Switchboard-assigned: derived as a
/// custom API's would be, so a step naming the message by name finds it).
pub fn on_background_operation_complete_id() -> Uuid {
    custom_api_message_id(ON_BACKGROUND_OPERATION_COMPLETE)
}

/// `customapirequestparameterid` of a parameter.
pub fn request_parameter_id(api: &str, parameter: &str) -> Uuid {
    derive("customapirequestparameter", &format!("{api}.{parameter}"))
}

/// `customapiresponsepropertyid` of a property.
pub fn response_property_id(api: &str, property: &str) -> Uuid {
    derive("customapiresponseproperty", &format!("{api}.{property}"))
}

/// `solutionid` of the solution with this unique name.
pub fn solution_id(unique_name: &str) -> Uuid {
    derive("solution", unique_name)
}

/// `publisherid` of the publisher with this unique name.
pub fn publisher_id(unique_name: &str) -> Uuid {
    derive("publisher", unique_name)
}

/// `MetadataId` of the table with this logical name (`EntityDefinitions`).
pub fn table_metadata_id(logical_name: &str) -> Uuid {
    derive("entity", logical_name)
}

/// `MetadataId` of a column (`EntityDefinitions(...)/Attributes`).
pub fn column_metadata_id(table: &str, column: &str) -> Uuid {
    derive("attribute", &format!("{table}.{column}"))
}

/// `pluginpackageid` of the package with this unique name.
pub fn plugin_package_id(unique_name: &str) -> Uuid {
    derive("pluginpackage", unique_name)
}

/// A built-in Dataverse message with its well-known `sdkmessageid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltInMessage {
    /// The message name.
    pub name: &'static str,
    /// The id every Dataverse organization uses for it.
    pub id: Uuid,
}

/// The built-in messages that exist from the first migration on, with the ids every
/// Dataverse organization uses (from Microsoft's documentation and real exported steps).
/// Associate and Disassociate have no published id; they get fixed Switchboard-assigned
/// ids (see ARCHITECTURE.md) until a confirmed value replaces them.
pub const BUILT_IN_MESSAGES: &[BuiltInMessage] = &[
    BuiltInMessage {
        name: "Assign",
        id: Uuid::from_u128(0x8cbdbb1b_ea3e_db11_86a7_000a3a5473e8),
    },
    BuiltInMessage {
        name: "Associate",
        id: Uuid::from_u128(0x1b6e_0d5c_8f1d_5a3e_9c2d_4a6b_7e8f_9001),
    },
    BuiltInMessage {
        name: "Create",
        id: Uuid::from_u128(0x9ebdbb1b_ea3e_db11_86a7_000a3a5473e8),
    },
    BuiltInMessage {
        name: "Delete",
        id: Uuid::from_u128(0xa1bdbb1b_ea3e_db11_86a7_000a3a5473e8),
    },
    BuiltInMessage {
        name: "Disassociate",
        id: Uuid::from_u128(0x1b6e_0d5c_8f1d_5a3e_9c2d_4a6b_7e8f_9002),
    },
    BuiltInMessage {
        name: "Retrieve",
        id: Uuid::from_u128(0xf2bdbb1b_ea3e_db11_86a7_000a3a5473e8),
    },
    BuiltInMessage {
        name: "RetrieveMultiple",
        id: Uuid::from_u128(0x03bebb1b_ea3e_db11_86a7_000a3a5473e8),
    },
    BuiltInMessage {
        name: "SetState",
        id: Uuid::from_u128(0x1cbebb1b_ea3e_db11_86a7_000a3a5473e8),
    },
    BuiltInMessage {
        name: "Update",
        id: Uuid::from_u128(0x20bebb1b_ea3e_db11_86a7_000a3a5473e8),
    },
];

/// The built-in message with this name (case-insensitive).
pub fn built_in_by_name(name: &str) -> Option<&'static BuiltInMessage> {
    BUILT_IN_MESSAGES
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(name))
}

/// The built-in message with this id.
pub fn built_in_by_id(id: Uuid) -> Option<&'static BuiltInMessage> {
    BUILT_IN_MESSAGES.iter().find(|m| m.id == id)
}

/// The organization's id (one organization per installation).
pub const ORGANIZATION_ID: Uuid = Uuid::from_u128(0x5b0c_2f6e_1d4a_4e8b_9a37_c1d2_e3f4_a501);
/// The root business unit.
pub const ROOT_BUSINESS_UNIT_ID: Uuid = Uuid::from_u128(0x5b0c_2f6e_1d4a_4e8b_9a37_c1d2_e3f4_a502);
/// The built-in administrator (`admin`), created by the first identity migration.
pub const ADMINISTRATOR_ID: Uuid = Uuid::from_u128(0x5b0c_2f6e_1d4a_4e8b_9a37_c1d2_e3f4_a503);
/// The built-in "System Administrator" role: every privilege.
pub const SYSTEM_ADMINISTRATOR_ROLE_ID: Uuid =
    Uuid::from_u128(0x5b0c_2f6e_1d4a_4e8b_9a37_c1d2_e3f4_a504);
/// The built-in "Basic User" role.
pub const BASIC_USER_ROLE_ID: Uuid = Uuid::from_u128(0x5b0c_2f6e_1d4a_4e8b_9a37_c1d2_e3f4_a505);
/// Name of the built-in all-privileges role.
pub const SYSTEM_ADMINISTRATOR_ROLE: &str = "System Administrator";
/// Name of the built-in basic role.
pub const BASIC_USER_ROLE: &str = "Basic User";
/// The privilege that allows impersonation with `MSCRMCallerID`.
pub const ACT_ON_BEHALF: &str = "prvActOnBehalfOfAnotherUser";
/// Dataverse's "Active" solution: where unmanaged components created outside any solution
/// (steps registered with the CLI or the Web API) live. Its well-known id.
pub const ACTIVE_SOLUTION_ID: Uuid = Uuid::from_u128(0xfd14_0aae_4df4_11dd_bd17_0019_b931_2238);
/// Unique name of the Active solution.
pub const ACTIVE_SOLUTION: &str = "Active";
/// Dataverse's default publisher (the Active solution's publisher): its well-known id.
pub const DEFAULT_PUBLISHER_ID: Uuid = Uuid::from_u128(0xd21a_ab71_79e7_11dd_8874_0018_8b01_e34f);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_case_insensitive() {
        assert_eq!(custom_api_id("sb_Echo"), custom_api_id("SB_ECHO"));
        assert_ne!(custom_api_id("sb_Echo"), custom_api_message_id("sb_Echo"));
        assert_ne!(
            request_parameter_id("a", "b"),
            response_property_id("a", "b")
        );
        // Pinned: changing the derivation would orphan every stored row.
        assert_eq!(
            custom_api_message_id("sb_Echo"),
            custom_api_message_id("sb_echo")
        );
        assert_eq!(custom_api_id("x").get_version_num(), 5);
    }

    #[test]
    fn create_has_its_well_known_id() {
        let create = built_in_by_name("create").unwrap();
        assert_eq!(
            create.id.to_string(),
            "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8"
        );
        assert_eq!(built_in_by_id(create.id).unwrap().name, "Create");
        let ids: std::collections::HashSet<_> = BUILT_IN_MESSAGES.iter().map(|m| m.id).collect();
        assert_eq!(ids.len(), BUILT_IN_MESSAGES.len());
    }
}
