//! Dataverse option sets used by custom APIs and steps, with their exact codes.

use serde::{Deserialize, Serialize};

/// Defines an option-set enum whose variants carry Dataverse's integer codes.
macro_rules! option_set {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every option, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The option for a Dataverse code, if the code is defined.
            pub fn from_code(code: i64) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// Dataverse's integer code of this option.
            pub fn code(self) -> i32 {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// The option's label as Dataverse shows it.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }

            /// The codes this set accepts, for error messages ("0, 1 or 2").
            pub fn code_range() -> String {
                let codes: Vec<String> = Self::ALL.iter().map(|o| o.code().to_string()).collect();
                codes.join(", ")
            }
        }
    };
}

option_set! {
    /// `customapi.bindingtype` (global choice `customapi_bindingtype`).
    BindingType {
        /// Not bound: called at the service root.
        Global = 0 => "Global",
        /// Bound to one record of a table; gets the implicit `Target` parameter.
        Entity = 1 => "Entity",
        /// Bound to a table's entity set.
        EntityCollection = 2 => "EntityCollection",
    }
}

option_set! {
    /// `customapi.allowedcustomprocessingsteptype`: who may register steps on the message.
    AllowedStepType {
        /// No steps may be registered.
        None = 0 => "None",
        /// Only asynchronous post-operation steps.
        AsyncOnly = 1 => "Async Only",
        /// Any step.
        SyncAndAsync = 2 => "Sync and Async",
    }
}

option_set! {
    /// `customapifieldtype`: the type of a request parameter or response property.
    FieldType {
        /// `bool`
        Boolean = 0 => "Boolean",
        /// `DateTime`
        DateTime = 1 => "DateTime",
        /// `decimal`
        Decimal = 2 => "Decimal",
        /// `Entity`
        Entity = 3 => "Entity",
        /// `EntityCollection`
        EntityCollection = 4 => "EntityCollection",
        /// `EntityReference`
        EntityReference = 5 => "EntityReference",
        /// `double`
        Float = 6 => "Float",
        /// `int`
        Integer = 7 => "Integer",
        /// `Money`
        Money = 8 => "Money",
        /// `OptionSetValue`
        Picklist = 9 => "Picklist",
        /// `string`
        String = 10 => "String",
        /// `string[]`
        StringArray = 11 => "StringArray",
        /// `Guid`
        Guid = 12 => "Guid",
    }
}

option_set! {
    /// `sdkmessageprocessingstep.stage`: where in the pipeline a step runs.
    StepStage {
        /// Before the platform's checks, outside the transaction.
        PreValidation = 10 => "PreValidation",
        /// Inside the transaction, before the main operation.
        PreOperation = 20 => "PreOperation",
        /// The main operation itself (the custom API's plug-in); not for registered steps.
        MainOperation = 30 => "MainOperation",
        /// Inside the transaction, after the main operation.
        PostOperation = 40 => "PostOperation",
    }
}

impl StepStage {
    /// Whether a plug-in running at this stage may change the message's inputs: only before
    /// the main operation (10, 20), as Dataverse honours `InputParameters` changes.
    pub fn may_change_inputs(self) -> bool {
        matches!(self, Self::PreValidation | Self::PreOperation)
    }

    /// Whether a plug-in running at this stage may set the message's outputs: the main
    /// operation and after (30, 40).
    pub fn may_set_outputs(self) -> bool {
        matches!(self, Self::MainOperation | Self::PostOperation)
    }
}

option_set! {
    /// `sdkmessageprocessingstep.mode`.
    StepMode {
        /// Runs in the caller's request.
        Synchronous = 0 => "Synchronous",
        /// Queued and run after commit.
        Asynchronous = 1 => "Asynchronous",
    }
}

option_set! {
    /// `sdkmessageprocessingstepimage.imagetype`: which snapshot of the record a step receives.
    ImageType {
        /// The record before the main operation.
        PreImage = 0 => "PreImage",
        /// The record after the main operation.
        PostImage = 1 => "PostImage",
        /// Both snapshots, under the same alias.
        Both = 2 => "Both",
    }
}

impl ImageType {
    /// Whether the step receives the pre-image.
    pub fn has_pre(self) -> bool {
        matches!(self, ImageType::PreImage | ImageType::Both)
    }

    /// Whether the step receives the post-image.
    pub fn has_post(self) -> bool {
        matches!(self, ImageType::PostImage | ImageType::Both)
    }
}

impl FieldType {
    /// Whether `logicalentityname` may be set on a request parameter of this type.
    pub fn allows_entity_name_on_parameter(self) -> bool {
        matches!(
            self,
            FieldType::Entity | FieldType::EntityReference | FieldType::EntityCollection
        )
    }

    /// Whether `logicalentityname` may be set on a response property of this type
    /// (Dataverse forbids it for EntityCollection).
    pub fn allows_entity_name_on_property(self) -> bool {
        matches!(self, FieldType::Entity | FieldType::EntityReference)
    }

    /// Whether an API enabled for workflow may use this type.
    pub fn allowed_in_workflow(self) -> bool {
        !matches!(
            self,
            FieldType::Entity | FieldType::EntityCollection | FieldType::StringArray
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_type_codes_match_dataverse() {
        let expected = [
            "Boolean",
            "DateTime",
            "Decimal",
            "Entity",
            "EntityCollection",
            "EntityReference",
            "Float",
            "Integer",
            "Money",
            "Picklist",
            "String",
            "StringArray",
            "Guid",
        ];
        assert_eq!(FieldType::ALL.len(), 13);
        for (code, label) in expected.iter().enumerate() {
            let t = FieldType::from_code(code as i64).expect("defined");
            assert_eq!(t.label(), *label);
            assert_eq!(t.code(), code as i32);
        }
        assert_eq!(FieldType::from_code(13), None);
        assert_eq!(FieldType::from_code(-1), None);
    }

    #[test]
    fn binding_and_step_type_codes() {
        assert_eq!(
            BindingType::from_code(2),
            Some(BindingType::EntityCollection)
        );
        assert_eq!(
            AllowedStepType::from_code(1),
            Some(AllowedStepType::AsyncOnly)
        );
        assert_eq!(AllowedStepType::code_range(), "0, 1, 2");
        assert_eq!(StepStage::from_code(40), Some(StepStage::PostOperation));
        assert_eq!(StepStage::from_code(30), Some(StepStage::MainOperation));
        assert_eq!(StepMode::from_code(1), Some(StepMode::Asynchronous));
        assert_eq!(ImageType::from_code(2), Some(ImageType::Both));
        assert!(ImageType::Both.has_pre() && ImageType::Both.has_post());
        assert!(!ImageType::PreImage.has_post() && !ImageType::PostImage.has_pre());
    }
}

/// `plugintracelogsetting`: which plug-in calls leave a row in the trace log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TraceLogSetting {
    /// 0: none.
    Off,
    /// 1: calls that failed (Dataverse's default).
    #[default]
    Exception,
    /// 2: every call.
    All,
}

impl TraceLogSetting {
    /// The option value Dataverse stores.
    pub fn code(self) -> i32 {
        match self {
            TraceLogSetting::Off => 0,
            TraceLogSetting::Exception => 1,
            TraceLogSetting::All => 2,
        }
    }

    /// The setting with this option value.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(TraceLogSetting::Off),
            1 => Some(TraceLogSetting::Exception),
            2 => Some(TraceLogSetting::All),
            _ => None,
        }
    }

    /// Dataverse's label of the option.
    pub fn label(self) -> &'static str {
        match self {
            TraceLogSetting::Off => "Off",
            TraceLogSetting::Exception => "Exception",
            TraceLogSetting::All => "All",
        }
    }

    /// Whether a call that failed (or not) is written to the trace log.
    pub fn keeps(self, failed: bool) -> bool {
        match self {
            TraceLogSetting::Off => false,
            TraceLogSetting::Exception => failed,
            TraceLogSetting::All => true,
        }
    }
}

/// The kinds of record errors, which the Web API maps to status and code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordErrorKind {
    /// A column the table does not have.
    UnknownColumn,
    /// A value that does not fit its column (or a column callers cannot set).
    InvalidValue,
    /// A query (filter, order) that cannot run against this table.
    BadQuery,
    /// The record (or a looked-up record) does not exist.
    NotFound,
    /// A record with that id exists.
    Duplicate,
}
