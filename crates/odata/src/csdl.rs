//! The CSDL `$metadata` document and the service document.
//!
//! Type references use full names (`Microsoft.Dynamics.CRM.x`), never the `mscrm` alias:
//! real client generators mis-read alias-qualified references.

use std::collections::BTreeSet;
use std::io;

use quick_xml::Writer;
use serde_json::{Value as Json, json};
use switchboard_model::{
    BASE_LANGUAGE, Binding, CustomApi, FieldType, LocalizedLabel, ResponseProperty,
};

use crate::json::edm_type;
use crate::names::{ALIAS, BASE_ENTITY, CONTAINER, NAMESPACE, UNTYPED_ENTITY, qualified};
use crate::tables::Tables;

/// A column of an entity type in `$metadata`.
#[derive(Debug, Clone)]
pub struct PropertyDef {
    /// Column name.
    pub name: String,
    /// Edm type (`Edm.String`).
    pub edm_type: String,
    /// Whether the value may be null.
    pub nullable: bool,
}

/// A navigation property of an entity type.
#[derive(Debug, Clone)]
pub struct NavigationDef {
    /// Navigation property name (`CustomAPIRequestParameters`).
    pub name: String,
    /// Target entity type's logical name.
    pub target: String,
    /// Whether it is collection-valued.
    pub collection: bool,
}

/// An entity type to publish with its columns (tables without a definition get only their key).
#[derive(Debug, Clone)]
pub struct EntityTypeDef {
    /// Logical name.
    pub logical_name: String,
    /// Columns besides the key.
    pub properties: Vec<PropertyDef>,
    /// Navigation properties.
    pub navigation: Vec<NavigationDef>,
}

/// What operations return, per Dataverse's rules for custom APIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnShape {
    /// An action with no response property: 204.
    Nothing,
    /// A single Entity property: that entity type.
    Entity(Option<String>),
    /// A single EntityCollection property: a collection of entities.
    EntityCollection,
    /// Anything else: the `{UniqueName}Response` complex type.
    Complex,
}

/// The return shape of an API.
pub fn return_shape(api: &CustomApi) -> ReturnShape {
    match api.response_properties.as_slice() {
        [] => ReturnShape::Nothing,
        [p] if p.field_type == FieldType::Entity => {
            ReturnShape::Entity(p.logical_entity_name.as_ref().map(|e| e.to_string()))
        }
        [p] if p.field_type == FieldType::EntityCollection => ReturnShape::EntityCollection,
        _ => ReturnShape::Complex,
    }
}

/// `{UniqueName}Response`.
pub fn response_type_name(api: &CustomApi) -> String {
    format!("{}Response", api.unique_name)
}

/// Whether an API belongs in `$metadata`: exposable and not private.
pub fn is_published(api: &CustomApi) -> bool {
    api.is_exposable() && !api.is_private
}

fn is_value_type(t: FieldType) -> bool {
    matches!(
        t,
        FieldType::Boolean
            | FieldType::DateTime
            | FieldType::Decimal
            | FieldType::Float
            | FieldType::Integer
            | FieldType::Guid
    )
}

/// Facets a type needs to be read right (`Scale="variable"` keeps decimals' fractions).
fn facets(edm: &str) -> Vec<(&'static str, &'static str)> {
    match edm {
        "Edm.String" | "Collection(Edm.String)" => vec![("Unicode", "false")],
        "Edm.Decimal" => vec![("Scale", "variable")],
        _ => vec![],
    }
}

fn element(w: &mut Writer<Vec<u8>>, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
    w.create_element(name)
        .with_attributes(attrs.iter().copied())
        .write_empty()?;
    Ok(())
}

/// An entity type's key: a non-null `Edm.Guid` property `key`, and the `Key` naming it.
fn guid_key(w: &mut Writer<Vec<u8>>, key: &str) -> io::Result<()> {
    w.create_element("Key")
        .write_inner_content(|w| element(w, "PropertyRef", &[("Name", key)]))?;
    element(
        w,
        "Property",
        &[("Name", key), ("Type", "Edm.Guid"), ("Nullable", "false")],
    )
}

fn tables_used(apis: &[&CustomApi]) -> BTreeSet<String> {
    apis.iter()
        .flat_map(|a| a.referenced_tables())
        .map(|t| t.to_string())
        .collect()
}

/// The type of a returned value: as for parameters, except that records of an undeclared
/// table are `expando` (keyed, with an entity set) instead of the keyless `crmbaseentity`.
pub fn returned_type(t: FieldType, entity: Option<&str>) -> String {
    match (t, entity) {
        (FieldType::Entity | FieldType::EntityReference, None) => qualified(UNTYPED_ENTITY),
        (FieldType::EntityCollection, _) => format!("Collection({})", qualified(UNTYPED_ENTITY)),
        _ => edm_type(t, entity),
    }
}

/// The OData Core vocabulary's description term, written in full (no alias).
pub const DESCRIPTION_TERM: &str = "Org.OData.Core.V1.Description";

/// The text for a `Core.Description`: the description in `language` (falling back to the
/// base language), else the display name.
fn description_text(
    description: &LocalizedLabel,
    display: &LocalizedLabel,
    language: u32,
) -> Option<String> {
    description
        .text(language, BASE_LANGUAGE)
        .or_else(|| display.text(language, BASE_LANGUAGE))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// An element that carries a `Core.Description` annotation when there is text.
fn described(
    w: &mut Writer<Vec<u8>>,
    name: &str,
    attrs: &[(&str, &str)],
    text: Option<&str>,
) -> io::Result<()> {
    match text {
        None => element(w, name, attrs),
        Some(text) => {
            w.create_element(name)
                .with_attributes(attrs.iter().copied())
                .write_inner_content(|w| {
                    element(
                        w,
                        "Annotation",
                        &[("Term", DESCRIPTION_TERM), ("String", text)],
                    )
                })?;
            Ok(())
        }
    }
}

fn write_property(w: &mut Writer<Vec<u8>>, p: &ResponseProperty, language: u32) -> io::Result<()> {
    let text = description_text(&p.description, &p.display_name, language);
    let entity = p.logical_entity_name.as_ref().map(|e| e.as_str());
    let edm = returned_type(p.field_type, entity);
    let name = p.unique_name.as_str();
    if matches!(
        p.field_type,
        FieldType::Entity | FieldType::EntityReference | FieldType::EntityCollection
    ) {
        // Dataverse publishes record-valued members of response types as navigation properties.
        return described(
            w,
            "NavigationProperty",
            &[("Name", name), ("Type", &edm)],
            text.as_deref(),
        );
    }
    let mut attrs = vec![("Name", name), ("Type", edm.as_str())];
    if is_value_type(p.field_type) {
        attrs.push(("Nullable", "false"));
    }
    attrs.extend(facets(&edm));
    described(w, "Property", &attrs, text.as_deref())
}

fn write_operation(w: &mut Writer<Vec<u8>>, api: &CustomApi, language: u32) -> io::Result<()> {
    let name = api.unique_name.as_str();
    let kind = if api.is_function {
        "Function"
    } else {
        "Action"
    };
    let mut attrs = vec![("Name", name)];
    if api.binding.table().is_some() {
        attrs.push(("IsBound", "true"));
    }
    w.create_element(kind)
        .with_attributes(attrs)
        .write_inner_content(|w| {
            if let Some(text) = description_text(&api.description, &api.display_name, language) {
                element(
                    w,
                    "Annotation",
                    &[("Term", DESCRIPTION_TERM), ("String", &text)],
                )?;
            }
            match &api.binding {
                Binding::Global => {}
                Binding::Entity(t) => element(
                    w,
                    "Parameter",
                    &[
                        ("Name", "entity"),
                        ("Type", &qualified(t.as_str())),
                        ("Nullable", "false"),
                    ],
                )?,
                Binding::EntityCollection(t) => element(
                    w,
                    "Parameter",
                    &[
                        ("Name", "entityset"),
                        ("Type", &format!("Collection({})", qualified(t.as_str()))),
                        ("Nullable", "false"),
                    ],
                )?,
            }
            for p in &api.request_parameters {
                let edm = edm_type(
                    p.field_type,
                    p.logical_entity_name.as_ref().map(|e| e.as_str()),
                );
                let mut attrs = vec![("Name", p.unique_name.as_str()), ("Type", edm.as_str())];
                if !p.is_optional {
                    attrs.push(("Nullable", "false"));
                }
                attrs.extend(facets(&edm));
                let text = description_text(&p.description, &p.display_name, language);
                described(w, "Parameter", &attrs, text.as_deref())?;
            }
            let return_type = match return_shape(api) {
                ReturnShape::Nothing => None,
                ReturnShape::Entity(e) => Some(returned_type(FieldType::Entity, e.as_deref())),
                ReturnShape::EntityCollection => {
                    Some(returned_type(FieldType::EntityCollection, None))
                }
                ReturnShape::Complex => Some(qualified(&response_type_name(api))),
            };
            if let Some(t) = return_type {
                element(w, "ReturnType", &[("Type", &t), ("Nullable", "false")])?;
            }
            Ok(())
        })?;
    Ok(())
}

/// Renders `$metadata` for the published APIs, the tables they use and `extra` entity types,
/// with descriptions (`Core.Description`) in `language`.
pub fn render(
    apis: &[&CustomApi],
    tables: &Tables,
    extra: &[EntityTypeDef],
    language: u32,
) -> String {
    let published: Vec<&CustomApi> = apis.iter().copied().filter(|a| is_published(a)).collect();
    write_document(&published, tables, extra, language).expect("writing XML to memory cannot fail")
}

fn write_document(
    apis: &[&CustomApi],
    tables: &Tables,
    extra: &[EntityTypeDef],
    language: u32,
) -> io::Result<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(quick_xml::events::Event::Decl(
        quick_xml::events::BytesDecl::new("1.0", Some("utf-8"), None),
    ))?;
    let mut entity_types: Vec<EntityTypeDef> = extra.to_vec();
    for table in tables_used(apis) {
        if !entity_types.iter().any(|e| e.logical_name == table) {
            entity_types.push(EntityTypeDef {
                logical_name: table,
                properties: Vec::new(),
                navigation: Vec::new(),
            });
        }
    }
    entity_types.sort_by(|a, b| a.logical_name.cmp(&b.logical_name));
    let base = qualified(BASE_ENTITY);

    w.create_element("edmx:Edmx")
        .with_attributes([
            ("Version", "4.0"),
            ("xmlns:edmx", "http://docs.oasis-open.org/odata/ns/edmx"),
        ])
        .write_inner_content(|w| {
            // The Core vocabulary, for the descriptions taken from the labels.
            w.create_element("edmx:Reference")
                .with_attribute(("Uri", "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml"))
                .write_inner_content(|w| element(w, "edmx:Include", &[("Namespace", "Org.OData.Core.V1"), ("Alias", "Core")]))?;
            w.create_element("edmx:DataServices")
                .write_inner_content(|w| {
                    w.create_element("Schema")
                        .with_attributes([
                            ("Namespace", NAMESPACE),
                            ("Alias", ALIAS),
                            ("xmlns", "http://docs.oasis-open.org/odata/ns/edm"),
                        ])
                        .write_inner_content(|w| {
                            element(
                                w,
                                "EntityType",
                                &[("Name", BASE_ENTITY), ("Abstract", "true")],
                            )?;
                            w.create_element("EntityType")
                                .with_attributes([
                                    ("Name", UNTYPED_ENTITY),
                                    ("BaseType", base.as_str()),
                                    ("OpenType", "true"),
                                ])
                                .write_inner_content(|w| {
                                    guid_key(w, &format!("{UNTYPED_ENTITY}id"))
                                })?;
                            for et in &entity_types {
                                let key = tables.by_logical(&et.logical_name).map_or_else(
                                    || format!("{}id", et.logical_name),
                                    |t| t.primary_id.clone(),
                                );
                                w.create_element("EntityType")
                                    .with_attributes([
                                        ("Name", et.logical_name.as_str()),
                                        ("BaseType", base.as_str()),
                                    ])
                                    .write_inner_content(|w| {
                                        guid_key(w, &key)?;
                                        for p in et.properties.iter().filter(|p| p.name != key) {
                                            let mut attrs = vec![
                                                ("Name", p.name.as_str()),
                                                ("Type", p.edm_type.as_str()),
                                            ];
                                            if !p.nullable {
                                                attrs.push(("Nullable", "false"));
                                            }
                                            attrs.extend(facets(&p.edm_type));
                                            element(w, "Property", &attrs)?;
                                        }
                                        for n in &et.navigation {
                                            let target = qualified(&n.target);
                                            let ty = if n.collection {
                                                format!("Collection({target})")
                                            } else {
                                                target
                                            };
                                            element(
                                                w,
                                                "NavigationProperty",
                                                &[("Name", &n.name), ("Type", &ty)],
                                            )?;
                                        }
                                        Ok(())
                                    })?;
                            }
                            w.create_element("ComplexType")
                                .with_attribute(("Name", "WhoAmIResponse"))
                                .write_inner_content(|w| {
                                    for name in ["BusinessUnitId", "UserId", "OrganizationId"] {
                                        element(
                                            w,
                                            "Property",
                                            &[
                                                ("Name", name),
                                                ("Type", "Edm.Guid"),
                                                ("Nullable", "false"),
                                            ],
                                        )?;
                                    }
                                    Ok(())
                                })?;
                            for api in apis
                                .iter()
                                .filter(|a| return_shape(a) == ReturnShape::Complex)
                            {
                                w.create_element("ComplexType")
                                    .with_attribute(("Name", response_type_name(api).as_str()))
                                    .write_inner_content(|w| {
                                        for p in &api.response_properties {
                                            write_property(w, p, language)?;
                                        }
                                        Ok(())
                                    })?;
                            }
                            w.create_element("Function")
                                .with_attribute(("Name", "WhoAmI"))
                                .write_inner_content(|w| {
                                    element(
                                        w,
                                        "ReturnType",
                                        &[
                                            ("Type", &qualified("WhoAmIResponse")),
                                            ("Nullable", "false"),
                                        ],
                                    )
                                })?;
                            for api in apis {
                                write_operation(w, api, language)?;
                            }
                            w.create_element("EntityContainer")
                                .with_attribute(("Name", CONTAINER))
                                .write_inner_content(|w| {
                                    let untyped = crate::tables::TableInfo::named(UNTYPED_ENTITY);
                                    element(
                                        w,
                                        "EntitySet",
                                        &[
                                            ("Name", &untyped.set_name),
                                            ("EntityType", &qualified(UNTYPED_ENTITY)),
                                        ],
                                    )?;
                                    for et in &entity_types {
                                        if let Some(t) = tables.by_logical(&et.logical_name) {
                                            element(
                                                w,
                                                "EntitySet",
                                                &[
                                                    ("Name", &t.set_name),
                                                    ("EntityType", &qualified(&t.logical_name)),
                                                ],
                                            )?;
                                        }
                                    }
                                    element(
                                        w,
                                        "FunctionImport",
                                        &[("Name", "WhoAmI"), ("Function", &qualified("WhoAmI"))],
                                    )?;
                                    for api in apis.iter().filter(|a| a.binding == Binding::Global)
                                    {
                                        let name = api.unique_name.as_str();
                                        if api.is_function {
                                            element(
                                                w,
                                                "FunctionImport",
                                                &[("Name", name), ("Function", &qualified(name))],
                                            )?;
                                        } else {
                                            element(
                                                w,
                                                "ActionImport",
                                                &[("Name", name), ("Action", &qualified(name))],
                                            )?;
                                        }
                                    }
                                    Ok(())
                                })?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(String::from_utf8(w.into_inner()).expect("the writer only writes UTF-8"))
}

/// The service document: every entity set (`{"name","kind":"EntitySet","url"}`).
pub fn service_document(context: &str, sets: &[String]) -> Json {
    let value: Vec<Json> = sets
        .iter()
        .map(|s| json!({ "name": s, "kind": "EntitySet", "url": s }))
        .collect();
    json!({ "@odata.context": context, "value": value })
}
