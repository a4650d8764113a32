//! The custom API with its request parameters and response properties, and the rules
//! that turn a draft read from a file or a request into a validated definition.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::label::LocalizedLabel;
use crate::message::{Message, MessageId};
use crate::names::{LogicalName, UniqueName};
use crate::options::{AllowedStepType, BindingType, FieldType};
use crate::plugin::PluginTypeRef;

/// Longest `name` and `displayname` Dataverse stores.
pub const NAME_MAX: usize = 100;
/// Longest `description` Dataverse stores.
pub const DESCRIPTION_MAX: usize = 300;
/// Longest `executeprivilegename`.
pub const PRIVILEGE_MAX: usize = 100;
/// The implicit parameter of an Entity-bound API.
pub const TARGET: &str = "Target";

/// How an API is bound; a bound API always names its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Binding {
    /// Called at the service root.
    Global,
    /// Called on one record of the table.
    Entity(LogicalName),
    /// Called on the table's entity set.
    EntityCollection(LogicalName),
}

impl Binding {
    /// The option-set value.
    pub fn binding_type(&self) -> BindingType {
        match self {
            Binding::Global => BindingType::Global,
            Binding::Entity(_) => BindingType::Entity,
            Binding::EntityCollection(_) => BindingType::EntityCollection,
        }
    }

    /// The bound table, for bound APIs.
    pub fn table(&self) -> Option<&LogicalName> {
        match self {
            Binding::Global => None,
            Binding::Entity(t) | Binding::EntityCollection(t) => Some(t),
        }
    }
}

/// A validated custom API (a row of `customapi` with its children).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomApi {
    /// `uniquename`: the message name.
    pub unique_name: UniqueName,
    /// `name`: free text shown in solution lists.
    pub name: String,
    /// `displayname`.
    pub display_name: LocalizedLabel,
    /// `description`.
    pub description: LocalizedLabel,
    /// `bindingtype` and `boundentitylogicalname`.
    pub binding: Binding,
    /// `isfunction`: GET function rather than POST action.
    pub is_function: bool,
    /// `isprivate`: left out of `$metadata`.
    pub is_private: bool,
    /// `allowedcustomprocessingsteptype`.
    pub allowed_step_type: AllowedStepType,
    /// `executeprivilegename`.
    pub execute_privilege: Option<String>,
    /// `workflowsdkstepenabled`.
    pub workflow_sdk_step_enabled: bool,
    /// `iscustomizable`.
    pub is_customizable: bool,
    /// `plugintypeid`: the main-operation plug-in.
    pub plugin_type: PluginTypeRef,
    /// Configuration for the main-operation plug-in (the `<configuration>` element: beyond
    /// Dataverse, which gives custom API plug-ins none).
    pub configuration: Option<String>,
    /// Request parameters (without the implicit `Target`).
    pub request_parameters: Vec<RequestParameter>,
    /// Response properties.
    pub response_properties: Vec<ResponseProperty>,
}

impl CustomApi {
    /// Whether the API can be called and published: a function needs a response property.
    pub fn is_exposable(&self) -> bool {
        !(self.is_function && self.response_properties.is_empty())
    }

    /// Every table the API names: the bound table and each `logicalentityname`.
    pub fn referenced_tables(&self) -> impl Iterator<Item = &LogicalName> {
        self.binding
            .table()
            .into_iter()
            .chain(
                self.request_parameters
                    .iter()
                    .filter_map(|p| p.logical_entity_name.as_ref()),
            )
            .chain(
                self.response_properties
                    .iter()
                    .filter_map(|p| p.logical_entity_name.as_ref()),
            )
    }

    /// The request parameters or the response properties.
    pub fn items(&self, kind: ApiItemKind) -> &[ApiItem] {
        match kind {
            ApiItemKind::RequestParameter => &self.request_parameters,
            ApiItemKind::ResponseProperty => &self.response_properties,
        }
    }

    /// The implicit `Target` parameter of an Entity-bound API (never stored as a row).
    pub fn implicit_target(&self) -> Option<RequestParameter> {
        match &self.binding {
            Binding::Entity(table) => Some(RequestParameter {
                unique_name: UniqueName::parse(TARGET).expect("valid name"),
                name: format!("{}.{TARGET}", self.unique_name),
                display_name: LocalizedLabel::plain(TARGET),
                description: LocalizedLabel::plain(TARGET),
                field_type: FieldType::EntityReference,
                is_optional: false,
                logical_entity_name: Some(table.clone()),
                is_customizable: false,
            }),
            _ => None,
        }
    }
}

/// A validated request parameter or response property: the two tables have the same
/// columns but `isoptional`, which a response property never has (it is always `false` there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiItem {
    /// `uniquename`: the name callers use for a parameter, or the name in the response.
    pub unique_name: UniqueName,
    /// `name`.
    pub name: String,
    /// `displayname`.
    pub display_name: LocalizedLabel,
    /// `description`.
    pub description: LocalizedLabel,
    /// `type`.
    pub field_type: FieldType,
    /// `isoptional` (request parameters only).
    pub is_optional: bool,
    /// `logicalentityname`.
    pub logical_entity_name: Option<LogicalName>,
    /// `iscustomizable`.
    pub is_customizable: bool,
}

/// A validated request parameter.
pub type RequestParameter = ApiItem;
/// A validated response property (`is_optional` is always `false`).
pub type ResponseProperty = ApiItem;

/// Which of a custom API's two item tables a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiItemKind {
    /// `customapirequestparameter`.
    RequestParameter,
    /// `customapiresponseproperty`.
    ResponseProperty,
}

impl ApiItemKind {
    /// Both kinds, parameters first.
    pub const ALL: [ApiItemKind; 2] =
        [ApiItemKind::RequestParameter, ApiItemKind::ResponseProperty];

    /// The table's logical name.
    pub fn table(self) -> &'static str {
        match self {
            ApiItemKind::RequestParameter => "customapirequestparameter",
            ApiItemKind::ResponseProperty => "customapiresponseproperty",
        }
    }

    /// The table's key column.
    pub fn id_column(self) -> &'static str {
        match self {
            ApiItemKind::RequestParameter => "customapirequestparameterid",
            ApiItemKind::ResponseProperty => "customapiresponsepropertyid",
        }
    }

    /// Where a finding about column `column` of the item at `index` points.
    pub fn field(self, index: usize, column: &'static str) -> ApiField {
        match self {
            ApiItemKind::RequestParameter => ApiField::RequestParameter(index, column),
            ApiItemKind::ResponseProperty => ApiField::ResponseProperty(index, column),
        }
    }
}

/// A custom API as read, before the rules are applied.
#[derive(Debug, Clone, Default)]
pub struct CustomApiDraft {
    /// `uniquename` (attribute or element).
    pub unique_name: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `displayname`.
    pub display_name: LocalizedLabel,
    /// `description`.
    pub description: LocalizedLabel,
    /// `bindingtype` (default Global).
    pub binding_type: Option<BindingType>,
    /// `boundentitylogicalname`.
    pub bound_entity: Option<String>,
    /// `isfunction`.
    pub is_function: bool,
    /// `isprivate`.
    pub is_private: bool,
    /// `allowedcustomprocessingsteptype` (default None).
    pub allowed_step_type: Option<AllowedStepType>,
    /// `executeprivilegename`.
    pub execute_privilege: Option<String>,
    /// `workflowsdkstepenabled`.
    pub workflow_sdk_step_enabled: bool,
    /// `iscustomizable` (default true).
    pub is_customizable: Option<bool>,
    /// `plugintypeid`.
    pub plugin_type: PluginTypeRef,
    /// `<configuration>` (Switchboard's addition).
    pub configuration: Option<String>,
    /// Request parameters.
    pub request_parameters: Vec<RequestParameterDraft>,
    /// Response properties.
    pub response_properties: Vec<ResponsePropertyDraft>,
}

/// A request parameter or response property as read.
#[derive(Debug, Clone, Default)]
pub struct ItemDraft {
    /// `uniquename`.
    pub unique_name: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `displayname`.
    pub display_name: LocalizedLabel,
    /// `description`.
    pub description: LocalizedLabel,
    /// `type`; `None` when missing.
    pub field_type: Option<FieldType>,
    /// `isoptional` when given (a response property must not give it).
    pub is_optional: Option<bool>,
    /// `logicalentityname`.
    pub logical_entity_name: Option<String>,
    /// `iscustomizable` (default true).
    pub is_customizable: Option<bool>,
}

/// A request parameter as read.
pub type RequestParameterDraft = ItemDraft;
/// A response property as read.
pub type ResponsePropertyDraft = ItemDraft;

/// Which part of a draft a finding is about; the strings are the XML element names,
/// so readers can point at the line that holds the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiField {
    /// A column of the API itself.
    Api(&'static str),
    /// A column of the request parameter at this index of the draft.
    RequestParameter(usize, &'static str),
    /// A column of the response property at this index of the draft.
    ResponseProperty(usize, &'static str),
}

/// Whether a finding stops the import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    /// The definition is refused.
    Error,
    /// Kept, but the user should know.
    Warning,
}

/// One rule outcome about a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Where in the draft.
    pub field: ApiField,
    /// What is wrong.
    pub message: Message,
}

/// The result of validating a draft: the definition when no error was found, and every
/// finding either way (all errors are collected, not only the first).
#[derive(Debug, Clone)]
pub struct Validated<T> {
    /// The validated value, present when there are no errors.
    pub value: Option<T>,
    /// Errors and warnings.
    pub findings: Vec<Finding>,
}

/// Collects findings while a draft is checked.
struct Checker {
    findings: Vec<Finding>,
}

impl Checker {
    fn error(&mut self, field: ApiField, message: Message) {
        self.findings.push(Finding {
            severity: Severity::Error,
            field,
            message,
        });
    }

    fn warning(&mut self, field: ApiField, message: Message) {
        self.findings.push(Finding {
            severity: Severity::Warning,
            field,
            message,
        });
    }

    fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    fn unique_name(&mut self, field: ApiField, raw: Option<&str>) -> Option<UniqueName> {
        match raw {
            None => {
                self.error(
                    field,
                    Message::new(MessageId::XmlMissingElement).arg("element", "uniquename"),
                );
                None
            }
            Some(raw) => UniqueName::parse(raw)
                .map_err(|m| self.error(field, m))
                .ok(),
        }
    }

    fn logical_name(&mut self, field: ApiField, raw: Option<&str>) -> Option<LogicalName> {
        let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
        LogicalName::parse(raw)
            .map_err(|m| self.error(field, m))
            .ok()
    }

    fn text_len(&mut self, field: ApiField, column: &str, len: usize, max: usize) {
        if len > max {
            self.error(
                field,
                Message::new(MessageId::ApiTextTooLong)
                    .arg("column", column)
                    .arg("length", len)
                    .arg("max", max),
            );
        }
    }

    fn labels(
        &mut self,
        field: impl Fn(&'static str) -> ApiField,
        display: &LocalizedLabel,
        description: &LocalizedLabel,
    ) {
        self.text_len(
            field("displayname"),
            "displayname",
            display.max_chars(),
            NAME_MAX,
        );
        self.text_len(
            field("description"),
            "description",
            description.max_chars(),
            DESCRIPTION_MAX,
        );
    }

    /// The `name` column, defaulting to the unique name with a warning when absent.
    /// A parameter's or property's unique name, reported when another item of the same
    /// kind (`seen`: key → index) already has it.
    fn item_unique_name(
        &mut self,
        field: impl Fn(&'static str) -> ApiField,
        raw: Option<&str>,
        (seen, index): (&mut HashMap<String, usize>, usize),
        duplicate: MessageId,
    ) -> Option<UniqueName> {
        let unique = self.unique_name(field("uniquename"), raw)?;
        if seen.insert(unique.key(), index).is_some() {
            self.error(
                field("uniquename"),
                Message::new(duplicate).arg("name", &unique),
            );
        }
        Some(unique)
    }

    /// What a parameter and a property check alike after their name: labels, a type that is
    /// given and fits a workflow-enabled or entity-bound API, an entity name only where the
    /// type `allows_entity` one. `None` without a type.
    fn item_type(
        &mut self,
        field: impl Fn(&'static str) -> ApiField + Copy,
        item: &ItemDraft,
        allows_entity: fn(FieldType) -> bool,
        (workflow, bound_to_entity): (bool, bool),
    ) -> Option<(FieldType, Option<LogicalName>)> {
        self.labels(field, &item.display_name, &item.description);
        let Some(field_type) = item.field_type else {
            self.error(
                field("type"),
                Message::new(MessageId::XmlMissingElement).arg("element", "type"),
            );
            return None;
        };
        check_workflow_type(self, workflow, bound_to_entity, field("type"), field_type);
        let entity = self.logical_name(
            field("logicalentityname"),
            item.logical_entity_name.as_deref(),
        );
        if entity.is_some() && !allows_entity(field_type) {
            self.error(
                field("logicalentityname"),
                Message::new(MessageId::ApiEntityNameNotAllowed).arg("type", field_type.label()),
            );
        }
        Some((field_type, entity))
    }

    fn name(&mut self, field: ApiField, raw: Option<&str>, unique: &UniqueName) -> String {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            Some(name) => {
                self.text_len(field, "name", name.chars().count(), NAME_MAX);
                name.to_owned()
            }
            None => {
                self.warning(
                    field,
                    Message::new(MessageId::ApiNameMissing).arg("name", unique),
                );
                unique.to_string()
            }
        }
    }
}

impl Checker {
    /// Checks a draft's request parameters or response properties: unique names (and the
    /// reserved `Target` of an entity-bound API), `isoptional` only on parameters, then
    /// what both check alike.
    fn items(
        &mut self,
        kind: ApiItemKind,
        drafts: Vec<ItemDraft>,
        (workflow, bound_to_entity): (bool, bool),
    ) -> Vec<ApiItem> {
        let (duplicate, allows_entity): (_, fn(FieldType) -> bool) = match kind {
            ApiItemKind::RequestParameter => (
                MessageId::ApiDuplicateParameter,
                FieldType::allows_entity_name_on_parameter,
            ),
            ApiItemKind::ResponseProperty => (
                MessageId::ApiDuplicateProperty,
                FieldType::allows_entity_name_on_property,
            ),
        };
        let mut items = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, item) in drafts.into_iter().enumerate() {
            let field = |column| kind.field(i, column);
            let unique = self.item_unique_name(
                field,
                item.unique_name.as_deref(),
                (&mut seen, i),
                duplicate,
            );
            match kind {
                ApiItemKind::RequestParameter
                    if bound_to_entity
                        && unique
                            .as_ref()
                            .is_some_and(|u| u.key() == TARGET.to_ascii_lowercase()) =>
                {
                    self.error(
                        field("uniquename"),
                        Message::new(MessageId::ApiTargetReserved),
                    );
                }
                ApiItemKind::ResponseProperty if item.is_optional.is_some() => {
                    self.error(
                        field("isoptional"),
                        Message::new(MessageId::ApiResponseOptional),
                    );
                }
                _ => {}
            }
            let Some((field_type, entity)) =
                self.item_type(field, &item, allows_entity, (workflow, bound_to_entity))
            else {
                continue;
            };
            if let Some(unique) = unique {
                let name = self.name(field("name"), item.name.as_deref(), &unique);
                items.push(ApiItem {
                    unique_name: unique,
                    name,
                    display_name: item.display_name,
                    description: item.description,
                    field_type,
                    is_optional: kind == ApiItemKind::RequestParameter
                        && item.is_optional.unwrap_or(false),
                    logical_entity_name: entity,
                    is_customizable: item.is_customizable.unwrap_or(true),
                });
            }
        }
        items
    }
}

impl CustomApi {
    /// Applies every rule of Dataverse's custom API tables to a draft.
    ///
    /// `publisher_prefix` is the customization prefix of the solution's publisher; a unique
    /// name without it is a warning (real solutions do this), not an error.
    pub fn validate(draft: CustomApiDraft, publisher_prefix: Option<&str>) -> Validated<CustomApi> {
        let mut c = Checker {
            findings: Vec::new(),
        };
        let api = ApiField::Api;

        let unique_name = c.unique_name(api("uniquename"), draft.unique_name.as_deref());
        if let (Some(name), Some(prefix)) = (&unique_name, publisher_prefix)
            && !name.has_prefix(prefix)
        {
            c.warning(
                api("uniquename"),
                Message::new(MessageId::ApiUniqueNameNoPrefix)
                    .arg("name", name)
                    .arg("prefix", prefix),
            );
        }
        let name = unique_name
            .as_ref()
            .map(|u| c.name(api("name"), draft.name.as_deref(), u));
        c.labels(api, &draft.display_name, &draft.description);

        let binding_type = draft.binding_type.unwrap_or(BindingType::Global);
        let bound = c.logical_name(api("boundentitylogicalname"), draft.bound_entity.as_deref());
        let binding = match (binding_type, bound) {
            (BindingType::Global, None) => Some(Binding::Global),
            (BindingType::Global, Some(table)) => {
                c.error(
                    api("boundentitylogicalname"),
                    Message::new(MessageId::ApiGlobalHasTable).arg("table", &table),
                );
                None
            }
            (BindingType::Entity, Some(table)) => Some(Binding::Entity(table)),
            (BindingType::EntityCollection, Some(table)) => Some(Binding::EntityCollection(table)),
            (other, None) => {
                c.error(
                    api("bindingtype"),
                    Message::new(MessageId::ApiBindingNeedsTable)
                        .arg("binding", other.label())
                        .arg("code", other.code()),
                );
                None
            }
        };

        if let Some(privilege) = &draft.execute_privilege {
            c.text_len(
                api("executeprivilegename"),
                "executeprivilegename",
                privilege.chars().count(),
                PRIVILEGE_MAX,
            );
        }

        if draft.is_function
            && draft.response_properties.is_empty()
            && let Some(name) = &unique_name
        {
            c.warning(
                api("isfunction"),
                Message::new(MessageId::ApiFunctionWithoutResponse).arg("name", name),
            );
        }
        let workflow = draft.workflow_sdk_step_enabled;
        if workflow && draft.is_function {
            c.error(
                api("workflowsdkstepenabled"),
                Message::new(MessageId::ApiWorkflowFunction),
            );
        }
        let bound_to_entity = binding_type == BindingType::Entity;

        let rules = (workflow, bound_to_entity);
        let request_parameters = c.items(
            ApiItemKind::RequestParameter,
            draft.request_parameters,
            rules,
        );
        let response_properties = c.items(
            ApiItemKind::ResponseProperty,
            draft.response_properties,
            rules,
        );

        let value = match (c.has_errors(), unique_name, name, binding) {
            (false, Some(unique_name), Some(name), Some(binding)) => Some(CustomApi {
                unique_name,
                name,
                display_name: draft.display_name,
                description: draft.description,
                binding,
                is_function: draft.is_function,
                is_private: draft.is_private,
                allowed_step_type: draft.allowed_step_type.unwrap_or(AllowedStepType::None),
                execute_privilege: draft.execute_privilege.filter(|p| !p.trim().is_empty()),
                workflow_sdk_step_enabled: workflow,
                is_customizable: draft.is_customizable.unwrap_or(true),
                plugin_type: draft.plugin_type,
                configuration: draft.configuration.filter(|c| !c.is_empty()),
                request_parameters,
                response_properties,
            }),
            _ => None,
        };
        Validated {
            value,
            findings: c.findings,
        }
    }
}

/// Types an API enabled for workflow may not use (SPEC §1.7).
fn check_workflow_type(
    c: &mut Checker,
    workflow: bool,
    bound_to_entity: bool,
    field: ApiField,
    t: FieldType,
) {
    if !workflow {
        return;
    }
    if !t.allowed_in_workflow() {
        c.error(
            field,
            Message::new(MessageId::ApiWorkflowType).arg("type", t.label()),
        );
    } else if t == FieldType::EntityReference && !bound_to_entity {
        c.error(field, Message::new(MessageId::ApiWorkflowEntityReference));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(name: &str, t: FieldType) -> RequestParameterDraft {
        RequestParameterDraft {
            unique_name: Some(name.into()),
            name: Some(name.into()),
            field_type: Some(t),
            ..Default::default()
        }
    }

    fn prop(name: &str, t: FieldType) -> ResponsePropertyDraft {
        ResponsePropertyDraft {
            unique_name: Some(name.into()),
            name: Some(name.into()),
            field_type: Some(t),
            ..Default::default()
        }
    }

    fn draft(name: &str) -> CustomApiDraft {
        CustomApiDraft {
            unique_name: Some(name.into()),
            name: Some(name.into()),
            ..Default::default()
        }
    }

    fn errors(v: &Validated<CustomApi>) -> Vec<(ApiField, MessageId)> {
        v.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| (f.field, f.message.id))
            .collect()
    }

    #[test]
    fn valid_global_action() {
        let mut d = draft("sb_Do");
        d.request_parameters.push(param("In", FieldType::String));
        d.response_properties.push(prop("In", FieldType::String));
        let v = CustomApi::validate(d, Some("sb"));
        assert!(v.findings.is_empty(), "{:?}", v.findings);
        let api = v.value.unwrap();
        assert_eq!(api.binding, Binding::Global);
        assert!(api.is_exposable());
        assert!(api.implicit_target().is_none());
    }

    #[test]
    fn missing_prefix_is_a_warning() {
        let v = CustomApi::validate(draft("pwrplatf_X"), Some("frh"));
        assert!(v.value.is_some());
        assert_eq!(v.findings.len(), 1);
        assert_eq!(v.findings[0].severity, Severity::Warning);
        assert_eq!(v.findings[0].message.id, MessageId::ApiUniqueNameNoPrefix);
    }

    #[test]
    fn entity_binding_needs_table_and_gets_target() {
        let mut d = draft("sb_Bound");
        d.binding_type = Some(BindingType::Entity);
        let v = CustomApi::validate(d.clone(), None);
        assert_eq!(
            errors(&v),
            vec![(
                ApiField::Api("bindingtype"),
                MessageId::ApiBindingNeedsTable
            )]
        );
        d.bound_entity = Some("account".into());
        let api = CustomApi::validate(d, None).value.unwrap();
        let target = api.implicit_target().unwrap();
        assert_eq!(target.unique_name.as_str(), "Target");
        assert_eq!(target.field_type, FieldType::EntityReference);
        assert_eq!(target.logical_entity_name.unwrap().as_str(), "account");
        assert!(
            api.request_parameters.is_empty(),
            "Target is not a stored parameter"
        );
    }

    #[test]
    fn collection_binding_needs_table_and_global_must_not_have_one() {
        let mut d = draft("sb_Coll");
        d.binding_type = Some(BindingType::EntityCollection);
        assert_eq!(errors(&CustomApi::validate(d.clone(), None)).len(), 1);
        d.bound_entity = Some("contact".into());
        assert!(
            CustomApi::validate(d, None)
                .value
                .unwrap()
                .implicit_target()
                .is_none()
        );
        let mut g = draft("sb_G");
        g.bound_entity = Some("account".into());
        assert_eq!(
            errors(&CustomApi::validate(g, None))[0].1,
            MessageId::ApiGlobalHasTable
        );
    }

    #[test]
    fn function_without_response_is_kept_but_not_exposable() {
        let mut d = draft("sb_F");
        d.is_function = true;
        let v = CustomApi::validate(d, None);
        assert_eq!(
            v.findings[0].message.id,
            MessageId::ApiFunctionWithoutResponse
        );
        assert_eq!(v.findings[0].severity, Severity::Warning);
        assert!(!v.value.unwrap().is_exposable());
    }

    #[test]
    fn workflow_rules() {
        let mut d = draft("sb_W");
        d.workflow_sdk_step_enabled = true;
        d.is_function = true;
        d.response_properties.push(prop("P", FieldType::Boolean));
        d.request_parameters.push(param("E", FieldType::Entity));
        d.request_parameters
            .push(param("C", FieldType::EntityCollection));
        d.request_parameters
            .push(param("S", FieldType::StringArray));
        d.request_parameters
            .push(param("R", FieldType::EntityReference));
        let got = errors(&CustomApi::validate(d, None));
        assert_eq!(
            got,
            vec![
                (
                    ApiField::Api("workflowsdkstepenabled"),
                    MessageId::ApiWorkflowFunction
                ),
                (
                    ApiField::RequestParameter(0, "type"),
                    MessageId::ApiWorkflowType
                ),
                (
                    ApiField::RequestParameter(1, "type"),
                    MessageId::ApiWorkflowType
                ),
                (
                    ApiField::RequestParameter(2, "type"),
                    MessageId::ApiWorkflowType
                ),
                (
                    ApiField::RequestParameter(3, "type"),
                    MessageId::ApiWorkflowEntityReference
                ),
            ]
        );
    }

    #[test]
    fn logical_entity_name_only_where_allowed() {
        let mut d = draft("sb_L");
        let mut p = param("S", FieldType::String);
        p.logical_entity_name = Some("account".into());
        d.request_parameters.push(p);
        let mut c = param("C", FieldType::EntityCollection);
        c.logical_entity_name = Some("account".into());
        d.request_parameters.push(c);
        let mut rc = prop("RC", FieldType::EntityCollection);
        rc.logical_entity_name = Some("account".into());
        d.response_properties.push(rc);
        let mut re = prop("RE", FieldType::Entity);
        re.logical_entity_name = Some("account".into());
        d.response_properties.push(re);
        let got = errors(&CustomApi::validate(d, None));
        assert_eq!(
            got,
            vec![
                (
                    ApiField::RequestParameter(0, "logicalentityname"),
                    MessageId::ApiEntityNameNotAllowed
                ),
                (
                    ApiField::ResponseProperty(0, "logicalentityname"),
                    MessageId::ApiEntityNameNotAllowed
                ),
            ]
        );
    }

    #[test]
    fn optional_response_and_duplicates_are_errors() {
        let mut d = draft("sb_D");
        d.request_parameters.push(param("X", FieldType::String));
        d.request_parameters.push(param("x", FieldType::Integer));
        let mut p = prop("X", FieldType::String);
        p.is_optional = Some(false);
        d.response_properties.push(p);
        d.response_properties.push(prop("Y", FieldType::String));
        d.response_properties.push(prop("Y", FieldType::String));
        let got = errors(&CustomApi::validate(d, None));
        assert_eq!(
            got,
            vec![
                (
                    ApiField::RequestParameter(1, "uniquename"),
                    MessageId::ApiDuplicateParameter
                ),
                (
                    ApiField::ResponseProperty(0, "isoptional"),
                    MessageId::ApiResponseOptional
                ),
                (
                    ApiField::ResponseProperty(2, "uniquename"),
                    MessageId::ApiDuplicateProperty
                ),
            ]
        );
    }

    #[test]
    fn target_is_reserved_on_entity_bound_apis() {
        let mut d = draft("sb_T");
        d.binding_type = Some(BindingType::Entity);
        d.bound_entity = Some("account".into());
        d.request_parameters
            .push(param("Target", FieldType::String));
        assert_eq!(
            errors(&CustomApi::validate(d, None))[0].1,
            MessageId::ApiTargetReserved
        );
    }

    #[test]
    fn missing_unique_name_and_long_texts() {
        let mut d = CustomApiDraft {
            description: LocalizedLabel::plain("x".repeat(301)),
            ..Default::default()
        };
        d.display_name.labels.insert(1031, "y".repeat(101));
        let got = errors(&CustomApi::validate(d, None));
        assert_eq!(
            got,
            vec![
                (ApiField::Api("uniquename"), MessageId::XmlMissingElement),
                (ApiField::Api("displayname"), MessageId::ApiTextTooLong),
                (ApiField::Api("description"), MessageId::ApiTextTooLong),
            ]
        );
    }
}
