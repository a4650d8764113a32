//! `customapis/<api>/customapi.xml` with its parameter and property folders.

use std::collections::{BTreeMap, HashMap};

use switchboard_model::plugin::parse_guid;
use switchboard_model::{
    AllowedStepType, ApiField, ApiItemKind, BindingType, CustomApi, CustomApiDraft, ExportKey,
    FieldType, ItemDraft, Message, MessageId, PluginTypeRef, Severity,
};

use crate::diagnostic::{Diagnostic, Location};
use crate::reader::{Ctx, Doc, text_child};
use crate::xml::Element;

const PARAMETERS: &str = "customapirequestparameters";
const PROPERTIES: &str = "customapiresponseproperties";

/// A validated custom API with where each of its values was read, so later checks (such
/// as an immutable column changed on re-import) can point at the line.
#[derive(Debug, Clone)]
pub struct LocatedApi {
    /// The definition.
    pub api: CustomApi,
    /// Field → where it was read; items fall back to their file, then to the API's.
    pub locations: HashMap<ApiField, Location>,
}

impl LocatedApi {
    /// The best location for a field of the API or of one of its items.
    pub fn location_of(&self, field: ApiField) -> Option<&Location> {
        lookup(&self.locations, field)
    }

    /// The location of a request parameter's column, by the parameter's unique name.
    pub fn parameter_location(&self, unique_name: &str, column: &'static str) -> Option<&Location> {
        let i = self
            .api
            .request_parameters
            .iter()
            .position(|p| p.unique_name.key() == unique_name.to_ascii_lowercase())?;
        self.location_of(ApiField::RequestParameter(i, column))
    }

    /// The location of a response property's column, by the property's unique name.
    pub fn property_location(&self, unique_name: &str, column: &'static str) -> Option<&Location> {
        let i = self
            .api
            .response_properties
            .iter()
            .position(|p| p.unique_name.key() == unique_name.to_ascii_lowercase())?;
        self.location_of(ApiField::ResponseProperty(i, column))
    }
}

/// The recorded location of a field, else of its item's file, else of the API's file.
fn lookup(locations: &HashMap<ApiField, Location>, field: ApiField) -> Option<&Location> {
    locations
        .get(&field)
        .or_else(|| match field {
            ApiField::RequestParameter(i, _) => locations.get(&ApiField::RequestParameter(i, "")),
            ApiField::ResponseProperty(i, _) => locations.get(&ApiField::ResponseProperty(i, "")),
            ApiField::Api(_) => None,
        })
        .or_else(|| locations.get(&ApiField::Api("")))
}

/// The API's own columns, as element names, whose positions are recorded.
const API_COLUMNS: &[&str] = &[
    "allowedcustomprocessingsteptype",
    "bindingtype",
    "boundentitylogicalname",
    "description",
    "displayname",
    "executeprivilegename",
    "iscustomizable",
    "isfunction",
    "isprivate",
    "name",
    "plugintypeid",
    "workflowsdkstepenabled",
];

const ITEM_COLUMNS: &[&str] = &[
    "description",
    "displayname",
    "iscustomizable",
    "isoptional",
    "logicalentityname",
    "name",
    "type",
];

/// Reads every custom API below `customapis/`, validating each against the model rules.
pub(crate) fn read_all(ctx: &mut Ctx<'_>, publisher_prefix: Option<&str>) -> Vec<LocatedApi> {
    // Group files by API folder: customapis/<api>/...
    let mut folders: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in ctx.src.files() {
        let parts: Vec<&str> = file.split('/').collect();
        if parts.len() >= 3 && parts[0].eq_ignore_ascii_case("customapis") {
            folders
                .entry(parts[1].to_owned())
                .or_default()
                .push(file.to_owned());
        }
    }
    let mut apis: Vec<LocatedApi> = Vec::new();
    let mut seen: HashMap<String, Location> = HashMap::new();
    for (folder, files) in folders {
        let Some(api_file) = files
            .iter()
            .find(|f| f.eq_ignore_ascii_case(&format!("customapis/{folder}/customapi.xml")))
        else {
            continue;
        };
        let Some(located) = read_one(ctx, &folder, api_file, &files, publisher_prefix) else {
            continue;
        };
        let key = located.api.unique_name.key();
        let here = located.location_of(ApiField::Api("")).cloned();
        if let Some(first) = seen.get(&key) {
            ctx.diagnostics.push(Diagnostic::error(
                here,
                Message::new(MessageId::XmlDuplicateApi)
                    .arg("name", &located.api.unique_name)
                    .arg("first", first),
            ));
            continue;
        }
        if let Some(loc) = here {
            seen.insert(key, loc);
        }
        apis.push(located);
    }
    apis
}

fn read_one(
    ctx: &mut Ctx<'_>,
    folder: &str,
    api_file: &str,
    files: &[String],
    publisher_prefix: Option<&str>,
) -> Option<LocatedApi> {
    let doc = ctx.load(api_file, "customapi")?;
    let root = &doc.root;
    let mut locations = HashMap::new();
    locations.insert(ApiField::Api(""), ctx.at(&doc.rel, root.pos));
    for column in API_COLUMNS {
        if let Some(el) = root.child(column) {
            locations.insert(ApiField::Api(column), ctx.at(&doc.rel, el.pos));
        }
    }
    let unique_name = unique_name_of(root);
    if let Some(attr) = root.attr("uniquename") {
        locations.insert(ApiField::Api("uniquename"), ctx.at(&doc.rel, attr.pos));
    }
    if let Some(name) = &unique_name
        && !name.eq_ignore_ascii_case(folder)
    {
        let loc = ctx.at(&doc.rel, root.pos);
        ctx.warning(
            loc,
            Message::new(MessageId::XmlFolderNameMismatch)
                .arg("folder", folder)
                .arg("name", name),
        );
    }
    let errors_before = error_count(ctx);
    let binding_type = ctx.option_child(
        &doc,
        root,
        "bindingtype",
        BindingType::from_code,
        BindingType::code_range(),
    );
    let allowed = ctx.option_child(
        &doc,
        root,
        "allowedcustomprocessingsteptype",
        AllowedStepType::from_code,
        AllowedStepType::code_range(),
    );
    let mut draft = CustomApiDraft {
        unique_name,
        name: text_child(root, "name").map(str::to_owned),
        display_name: ctx.label(&doc, root.child("displayname")),
        description: ctx.label(&doc, root.child("description")),
        binding_type: binding_type.unwrap_or(None),
        bound_entity: text_child(root, "boundentitylogicalname").map(str::to_owned),
        is_function: ctx.bool_child(&doc, root, "isfunction").unwrap_or(false),
        is_private: ctx.bool_child(&doc, root, "isprivate").unwrap_or(false),
        allowed_step_type: allowed.unwrap_or(None),
        execute_privilege: text_child(root, "executeprivilegename").map(str::to_owned),
        workflow_sdk_step_enabled: ctx
            .bool_child(&doc, root, "workflowsdkstepenabled")
            .unwrap_or(false),
        is_customizable: customizable(ctx, &doc, root),
        plugin_type: plugin_reference(ctx, &doc, root),
        configuration: text_child(root, "configuration").map(str::to_owned),
        request_parameters: Vec::new(),
        response_properties: Vec::new(),
    };

    let item_files = |kind: &str, file: &str| -> Vec<String> {
        let prefix = format!("customapis/{folder}/{kind}/").to_ascii_lowercase();
        let suffix = format!("/{file}");
        files
            .iter()
            .filter(|f| {
                let lower = f.to_ascii_lowercase();
                lower.starts_with(&prefix)
                    && lower.ends_with(&suffix)
                    && lower[prefix.len()..].matches('/').count() == 1
            })
            .cloned()
            .collect()
    };
    for (kind, folder) in [
        (ApiItemKind::RequestParameter, PARAMETERS),
        (ApiItemKind::ResponseProperty, PROPERTIES),
    ] {
        for file in item_files(folder, &format!("{}.xml", kind.table())) {
            let Some(item) = ctx.load(&file, kind.table()) else {
                continue;
            };
            let items = match kind {
                ApiItemKind::RequestParameter => &mut draft.request_parameters,
                ApiItemKind::ResponseProperty => &mut draft.response_properties,
            };
            let i = items.len();
            record_item(ctx, &item, &mut locations, |col| kind.field(i, col));
            let root = &item.root;
            items.push(ItemDraft {
                unique_name: unique_name_of(root),
                name: text_child(root, "name").map(str::to_owned),
                display_name: ctx.label(&item, root.child("displayname")),
                description: ctx.label(&item, root.child("description")),
                field_type: item_type(ctx, &item),
                is_optional: ctx.bool_child(&item, root, "isoptional"),
                logical_entity_name: text_child(root, "logicalentityname").map(str::to_owned),
                is_customizable: customizable(ctx, &item, root),
            });
        }
    }
    if binding_type.is_err() || allowed.is_err() {
        // The draft lacks a value that was present but wrong; the rules would report
        // follow-on errors about it, so stop at the reading errors.
        draft.binding_type = None;
    }
    let reading_failed = error_count(ctx) > errors_before;

    let validated = CustomApi::validate(draft, publisher_prefix);
    for finding in validated.findings {
        let location = lookup(&locations, finding.field).cloned();
        ctx.diagnostics.push(Diagnostic {
            severity: finding.severity,
            location,
            message: finding.message,
        });
    }
    let api = validated.value?;
    (!reading_failed).then_some(LocatedApi { api, locations })
}

fn error_count(ctx: &Ctx<'_>) -> usize {
    ctx.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

/// The unique name from the `uniquename` attribute, or a `<uniquename>` element.
fn unique_name_of(root: &Element) -> Option<String> {
    root.attr_value("uniquename")
        .or_else(|| text_child(root, "uniquename"))
        .map(str::to_owned)
}

fn record_item(
    ctx: &Ctx<'_>,
    item: &Doc,
    locations: &mut HashMap<ApiField, Location>,
    field: impl Fn(&'static str) -> ApiField,
) {
    locations.insert(field(""), ctx.at(&item.rel, item.root.pos));
    if let Some(attr) = item.root.attr("uniquename") {
        locations.insert(field("uniquename"), ctx.at(&item.rel, attr.pos));
    }
    for column in ITEM_COLUMNS {
        if let Some(el) = item.root.child(column) {
            locations.insert(field(column), ctx.at(&item.rel, el.pos));
        }
    }
}

/// `<type>`: one of the 13 codes; anything else is an error naming the value.
fn item_type(ctx: &mut Ctx<'_>, item: &Doc) -> Option<FieldType> {
    let el = item.root.child("type")?;
    let code = ctx.int_value(item, el, "type")?;
    let t = FieldType::from_code(code);
    if t.is_none() {
        let loc = ctx.at(&item.rel, el.pos);
        ctx.error(
            loc,
            Message::new(MessageId::XmlUnknownTypeCode)
                .arg("value", code)
                .arg("max", 12),
        );
    }
    t
}

/// `<iscustomizable>` is a plain 0/1 in custom API files, but entity XML style
/// (`<iscustomizable><value>1</value></iscustomizable>`) is tolerated too.
fn customizable(ctx: &mut Ctx<'_>, doc: &Doc, el: &Element) -> Option<bool> {
    match el.child("iscustomizable") {
        Some(c) if c.child("Value").or_else(|| c.child("value")).is_some() => {
            let inner = c
                .child("Value")
                .or_else(|| c.child("value"))
                .expect("checked");
            inner.value().and_then(crate::reader::parse_bool)
        }
        Some(_) => ctx.bool_child(doc, el, "iscustomizable"),
        None => None,
    }
}

/// `<plugintypeid>`: empty, `<plugintypeid>{guid}</plugintypeid>` or
/// `<plugintypeexportkey>key</plugintypeexportkey>` inside; a bare GUID is tolerated.
fn plugin_reference(ctx: &mut Ctx<'_>, doc: &Doc, root: &Element) -> PluginTypeRef {
    let Some(wrapper) = root.child("plugintypeid") else {
        return PluginTypeRef::None;
    };
    let loc = |ctx: &Ctx<'_>, el: &Element| ctx.at(&doc.rel, el.pos);
    if let Some(inner) = wrapper.child("plugintypeid") {
        return match inner.value().map(parse_guid) {
            None => PluginTypeRef::None,
            Some(Ok(id)) => PluginTypeRef::Id(id),
            Some(Err(m)) => {
                ctx.error(loc(ctx, inner), m);
                PluginTypeRef::None
            }
        };
    }
    if let Some(inner) = wrapper.child("plugintypeexportkey") {
        return match inner.value().map(ExportKey::parse) {
            None => PluginTypeRef::None,
            Some(Ok(key)) => PluginTypeRef::ExportKey(key),
            Some(Err(m)) => {
                ctx.error(loc(ctx, inner), m);
                PluginTypeRef::None
            }
        };
    }
    if let Some(other) = wrapper.children.first() {
        ctx.error(
            loc(ctx, other),
            Message::new(MessageId::XmlBadPluginReference).arg("found", &other.name),
        );
        return PluginTypeRef::None;
    }
    match wrapper.value().map(parse_guid) {
        None => PluginTypeRef::None,
        Some(Ok(id)) => PluginTypeRef::Id(id),
        Some(Err(m)) => {
            ctx.error(loc(ctx, wrapper), m);
            PluginTypeRef::None
        }
    }
}
