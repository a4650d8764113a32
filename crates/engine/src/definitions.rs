//! The definition tables served read-only over the Web API (`customapis`, …): their
//! columns for `$metadata`.

use switchboard_odata::csdl::{EntityTypeDef, NavigationDef, PropertyDef};

/// A definition table: logical name and columns (name, Edm type).
pub struct DefinitionTable {
    /// Logical name.
    pub logical_name: &'static str,
    /// Columns besides the primary key, with their Edm types.
    pub columns: &'static [(&'static str, &'static str)],
}

const CUSTOMAPI_ITEM: &[(&str, &str)] = &[
    ("uniquename", "Edm.String"),
    ("name", "Edm.String"),
    ("displayname", "Edm.String"),
    ("description", "Edm.String"),
    ("type", "Edm.Int32"),
    ("logicalentityname", "Edm.String"),
    ("iscustomizable", "Edm.Boolean"),
    ("_customapiid_value", "Edm.Guid"),
];

/// Every definition table.
pub const TABLES: &[DefinitionTable] = &[
    DefinitionTable {
        logical_name: "customapi",
        columns: &[
            ("uniquename", "Edm.String"),
            ("name", "Edm.String"),
            ("displayname", "Edm.String"),
            ("description", "Edm.String"),
            ("bindingtype", "Edm.Int32"),
            ("boundentitylogicalname", "Edm.String"),
            ("isfunction", "Edm.Boolean"),
            ("isprivate", "Edm.Boolean"),
            ("allowedcustomprocessingsteptype", "Edm.Int32"),
            ("executeprivilegename", "Edm.String"),
            ("workflowsdkstepenabled", "Edm.Boolean"),
            ("iscustomizable", "Edm.Boolean"),
            ("ismanaged", "Edm.Boolean"),
            ("plugintypeexportkey", "Edm.String"),
            ("_plugintypeid_value", "Edm.Guid"),
            ("_sdkmessageid_value", "Edm.Guid"),
            ("solutionid", "Edm.Guid"),
        ],
    },
    DefinitionTable {
        logical_name: "customapirequestparameter",
        columns: CUSTOMAPI_ITEM_WITH_OPTIONAL,
    },
    DefinitionTable {
        logical_name: "customapiresponseproperty",
        columns: CUSTOMAPI_ITEM,
    },
    DefinitionTable {
        logical_name: "pluginassembly",
        columns: &[
            ("name", "Edm.String"),
            ("fullname", "Edm.String"),
            ("version", "Edm.String"),
            ("isolationmode", "Edm.Int32"),
            ("sourcetype", "Edm.Int32"),
            ("filename", "Edm.String"),
            ("kind", "Edm.String"),
            ("sha256", "Edm.String"),
            ("solutionid", "Edm.Guid"),
        ],
    },
    DefinitionTable {
        logical_name: "plugintype",
        columns: &[
            ("typename", "Edm.String"),
            ("name", "Edm.String"),
            ("assemblyqualifiedname", "Edm.String"),
            ("friendlyname", "Edm.String"),
            ("description", "Edm.String"),
            ("_pluginassemblyid_value", "Edm.Guid"),
        ],
    },
    DefinitionTable {
        logical_name: "systemuser",
        columns: &[
            ("domainname", "Edm.String"),
            ("fullname", "Edm.String"),
            ("_businessunitid_value", "Edm.Guid"),
            ("isdisabled", "Edm.Boolean"),
            ("uilanguageid", "Edm.Int32"),
        ],
    },
    DefinitionTable {
        logical_name: "businessunit",
        columns: &[("name", "Edm.String")],
    },
    DefinitionTable {
        logical_name: "role",
        columns: &[
            ("name", "Edm.String"),
            ("_businessunitid_value", "Edm.Guid"),
        ],
    },
    DefinitionTable {
        logical_name: "sdkmessage",
        columns: &[
            ("name", "Edm.String"),
            ("isbuiltin", "Edm.Boolean"),
            ("_customapiid_value", "Edm.Guid"),
        ],
    },
    DefinitionTable {
        logical_name: "sdkmessageprocessingstep",
        columns: &[
            ("name", "Edm.String"),
            ("description", "Edm.String"),
            ("_sdkmessageid_value", "Edm.Guid"),
            ("sdkmessagename", "Edm.String"),
            ("_plugintypeid_value", "Edm.Guid"),
            ("plugintypename", "Edm.String"),
            ("plugintypeexportkey", "Edm.String"),
            ("primaryobjecttypecode", "Edm.String"),
            ("secondaryobjecttypecode", "Edm.String"),
            ("stage", "Edm.Int32"),
            ("mode", "Edm.Int32"),
            ("rank", "Edm.Int32"),
            ("filteringattributes", "Edm.String"),
            ("configuration", "Edm.String"),
            ("asyncautodelete", "Edm.Boolean"),
            ("invocationsource", "Edm.Int32"),
            ("statecode", "Edm.Int32"),
            ("solutionid", "Edm.Guid"),
            ("_sdkmessageprocessingstepsecureconfigid_value", "Edm.Guid"),
        ],
    },
    // The entity images registered on steps.
    DefinitionTable {
        logical_name: "sdkmessageprocessingstepimage",
        columns: &[
            ("name", "Edm.String"),
            ("_sdkmessageprocessingstepid_value", "Edm.Guid"),
            ("entityalias", "Edm.String"),
            ("imagetype", "Edm.Int32"),
            ("attributes", "Edm.String"),
            ("messagepropertyname", "Edm.String"),
            ("description", "Edm.String"),
        ],
    },
    // System jobs (the queue of asynchronous steps), read-only.
    DefinitionTable {
        logical_name: "asyncoperation",
        columns: &[
            ("name", "Edm.String"),
            ("operationtype", "Edm.Int32"),
            ("statecode", "Edm.Int32"),
            ("statuscode", "Edm.Int32"),
            ("data", "Edm.String"),
            ("message", "Edm.String"),
            ("friendlymessage", "Edm.String"),
            ("errorcode", "Edm.Int32"),
            ("retrycount", "Edm.Int32"),
            ("correlationid", "Edm.Guid"),
            ("requestid", "Edm.Guid"),
            ("messagename", "Edm.String"),
            ("depth", "Edm.Int32"),
            ("_owningextensionid_value", "Edm.Guid"),
            ("primaryentitytype", "Edm.String"),
            ("_regardingobjectid_value", "Edm.Guid"),
            ("_ownerid_value", "Edm.Guid"),
            ("createdon", "Edm.DateTimeOffset"),
            ("modifiedon", "Edm.DateTimeOffset"),
            ("startedon", "Edm.DateTimeOffset"),
            ("completedon", "Edm.DateTimeOffset"),
            ("postponeuntil", "Edm.DateTimeOffset"),
            ("executiontimespan", "Edm.Double"),
            ("hostid", "Edm.String"),
            ("leaseexpireson", "Edm.DateTimeOffset"),
            ("asyncautodelete", "Edm.Boolean"),
        ],
    },
    // Custom API calls run in the background; canceled by PATCH.
    DefinitionTable {
        logical_name: "backgroundoperation",
        columns: &[
            ("backgroundoperationstatecode", "Edm.Int32"),
            ("backgroundoperationstatuscode", "Edm.Int32"),
            ("name", "Edm.String"),
            ("displayname", "Edm.String"),
            ("inputparameters", "Edm.String"),
            ("outputparameters", "Edm.String"),
            ("starttime", "Edm.DateTimeOffset"),
            ("endtime", "Edm.DateTimeOffset"),
            ("retrycount", "Edm.Int32"),
            ("errorcode", "Edm.Int32"),
            ("errormessage", "Edm.String"),
            ("runas", "Edm.String"),
            ("createdon", "Edm.DateTimeOffset"),
            ("modifiedon", "Edm.DateTimeOffset"),
            ("ttlinseconds", "Edm.Int32"),
            ("correlationid", "Edm.Guid"),
            ("_asyncoperationid_value", "Edm.Guid"),
            ("location", "Edm.String"),
            ("callbackkind", "Edm.Int32"),
            ("callbackstatecode", "Edm.Int32"),
        ],
    },
    // What plug-ins traced, one row per plug-in call, read-only.
    DefinitionTable {
        logical_name: "plugintracelog",
        columns: &[
            ("typename", "Edm.String"),
            ("messagename", "Edm.String"),
            ("primaryentity", "Edm.String"),
            ("mode", "Edm.Int32"),
            ("operationtype", "Edm.Int32"),
            ("depth", "Edm.Int32"),
            ("correlationid", "Edm.Guid"),
            ("_pluginstepid_value", "Edm.Guid"),
            ("messageblock", "Edm.String"),
            ("exceptiondetails", "Edm.String"),
            ("configuration", "Edm.String"),
            ("performanceexecutionstarttime", "Edm.Int64"),
            ("performanceexecutionduration", "Edm.Int32"),
            ("createdon", "Edm.Int64"),
            ("_createdby_value", "Edm.Guid"),
        ],
    },
    // Every outbound HTTP attempt (Switchboard's own system table), read-only.
    DefinitionTable {
        logical_name: "outbounddelivery",
        columns: &[
            ("createdon", "Edm.DateTimeOffset"),
            ("purpose", "Edm.String"),
            ("method", "Edm.String"),
            ("url", "Edm.String"),
            ("host", "Edm.String"),
            ("attempt", "Edm.Int32"),
            ("httpstatuscode", "Edm.Int32"),
            ("durationms", "Edm.Int32"),
            ("errormessage", "Edm.String"),
            ("outcome", "Edm.Int32"),
            ("_regardingobjectid_value", "Edm.Guid"),
            ("regardingobjecttypecode", "Edm.String"),
            ("correlationid", "Edm.Guid"),
        ],
    },
    // The organization's settings: one row; administrators change `plugintracelogsetting`.
    DefinitionTable {
        logical_name: "organization",
        columns: &[
            ("name", "Edm.String"),
            ("languagecode", "Edm.Int32"),
            ("plugintracelogsetting", "Edm.Int32"),
            ("modifiedon", "Edm.DateTimeOffset"),
        ],
    },
];

const CUSTOMAPI_ITEM_WITH_OPTIONAL: &[(&str, &str)] = &[
    ("uniquename", "Edm.String"),
    ("name", "Edm.String"),
    ("displayname", "Edm.String"),
    ("description", "Edm.String"),
    ("type", "Edm.Int32"),
    ("isoptional", "Edm.Boolean"),
    ("logicalentityname", "Edm.String"),
    ("iscustomizable", "Edm.Boolean"),
    ("_customapiid_value", "Edm.Guid"),
];

/// The definition tables as `$metadata` entity types.
pub fn entity_types() -> Vec<EntityTypeDef> {
    TABLES
        .iter()
        .map(|t| EntityTypeDef {
            logical_name: t.logical_name.to_owned(),
            properties: t
                .columns
                .iter()
                .map(|(name, edm)| PropertyDef {
                    name: (*name).to_owned(),
                    edm_type: (*edm).to_owned(),
                    nullable: true,
                })
                .collect(),
            navigation: if t.logical_name == "customapi" {
                vec![
                    NavigationDef {
                        name: "CustomAPIRequestParameters".into(),
                        target: "customapirequestparameter".into(),
                        collection: true,
                    },
                    NavigationDef {
                        name: "CustomAPIResponseProperties".into(),
                        target: "customapiresponseproperty".into(),
                        collection: true,
                    },
                ]
            } else {
                Vec::new()
            },
        })
        .collect()
}

/// What the Web API writes to a definition table besides reading it (administrators only;
/// steps and images through the store's registration rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// Read only.
    Nothing,
    /// Processing steps: `POST`, `PATCH` and `DELETE`.
    Steps,
    /// Processing step images: `POST`, `PATCH` and `DELETE`.
    StepImages,
    /// Users: created by `POST`, a user's language changed by `PATCH`.
    Users,
    /// Roles: created by `POST`.
    Roles,
    /// The organization row: its settings changed by `PATCH`.
    Organization,
    /// Background operations: canceled by `PATCH` (SPEC Integrations §3.5).
    BackgroundOperations,
}

/// What the Web API may write to the definition table `logical_name`.
pub fn writes(logical_name: &str) -> Writes {
    match logical_name {
        "sdkmessageprocessingstep" => Writes::Steps,
        "sdkmessageprocessingstepimage" => Writes::StepImages,
        "systemuser" => Writes::Users,
        "role" => Writes::Roles,
        "organization" => Writes::Organization,
        "backgroundoperation" => Writes::BackgroundOperations,
        _ => Writes::Nothing,
    }
}

/// The privilege reading a table requires (`prvReadCustomAPI`).
pub fn read_privilege(logical_name: &str) -> String {
    switchboard_model::privileges::table_privilege("Read", logical_name)
}

/// A stable id for a privilege name (shown in Dataverse-shaped privilege errors).
pub fn privilege_id(name: &str) -> uuid::Uuid {
    switchboard_model::privileges::privilege_id(name)
}
