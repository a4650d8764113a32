//! `EntityDefinitions`: table and column metadata in Dataverse's shapes, enough for clients'
//! start-up look-ups (set names, primary keys, picklist options).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value as Json, json};
use switchboard_model::execution::Caller;
use switchboard_model::query::Filter;
use switchboard_model::{
    BASE_LANGUAGE, ChoiceOption, Column, ColumnType, LocalizedLabel, Message, MessageId, Table, ids,
};
use switchboard_odata::names::unqualify;
use switchboard_odata::query::{parse_filter, parse_select};
use switchboard_odata::resource::ENTITY_DEFINITIONS as SET;
use switchboard_odata::rows as in_memory;
use switchboard_odata::url::{ParsedUrl, Segment};
use switchboard_odata::{ErrorKind, ODataError};

use crate::request::json_response;
use switchboard_engine::definitions::TABLES;
use switchboard_engine::registry::Registry;

type Result<T> = std::result::Result<T, ODataError>;

fn not_found(segment: &str) -> ODataError {
    ODataError::new(
        ErrorKind::ResourceNotFound,
        Message::new(MessageId::ODataResourceNotFound).arg("segment", segment),
    )
}

fn label_json(label: &LocalizedLabel, language: u32) -> Json {
    let one = |lcid: u32, text: &str| json!({ "Label": text, "LanguageCode": lcid, "IsManaged": false, "MetadataId": null, "HasChanged": null });
    let mut localized: Vec<Json> = label.labels.iter().map(|(l, t)| one(*l, t)).collect();
    if localized.is_empty()
        && let Some(d) = &label.default
    {
        localized.push(one(BASE_LANGUAGE, d));
    }
    let user = label
        .labels
        .get(&language)
        .map(|t| one(language, t))
        .or_else(|| {
            label
                .text(language, BASE_LANGUAGE)
                .map(|t| one(BASE_LANGUAGE, t))
        })
        .unwrap_or(Json::Null);
    json!({ "LocalizedLabels": localized, "UserLocalizedLabel": user })
}

/// Every table the metadata describes: record tables plus the definition and identity tables
/// (those get a table with string-typed or guid-typed columns from their published shape).
fn all_tables(registry: &Registry) -> Vec<Table> {
    let mut tables: Vec<Table> = registry.records.values().map(|t| (**t).clone()).collect();
    for def in TABLES {
        if tables.iter().any(|t| t.logical_name == def.logical_name) {
            continue;
        }
        let mut t = Table::new(def.logical_name, "name");
        t.is_custom = false;
        t.schema_name = switchboard_model::privileges::schema_name(def.logical_name);
        if let Some(info) = registry.tables.by_logical(def.logical_name) {
            t.set_name = info.set_name.clone();
        }
        for (name, edm) in def.columns {
            let name = name
                .strip_prefix('_')
                .and_then(|n| n.strip_suffix("_value"))
                .unwrap_or(name);
            let kind = match *edm {
                "Edm.Guid" => ColumnType::UniqueIdentifier,
                "Edm.Int32" => ColumnType::Integer {
                    min: i32::MIN,
                    max: i32::MAX,
                },
                "Edm.Boolean" => ColumnType::Boolean,
                "Edm.DateTimeOffset" => ColumnType::DateTime,
                "Edm.Double" => ColumnType::Float,
                _ => ColumnType::String {
                    max_length: switchboard_model::table::STRING_MAX,
                },
            };
            let mut c = Column::system(name, kind);
            c.is_custom = false;
            t.push(c);
        }
        tables.push(t);
    }
    tables.sort_by(|a, b| a.logical_name.cmp(&b.logical_name));
    tables
}

fn entity_json(table: &Table, language: u32) -> Map<String, Json> {
    let ownership = match table.ownership {
        switchboard_model::Ownership::UserOwned => "UserOwned",
        switchboard_model::Ownership::OrganizationOwned => "OrganizationOwned",
    };
    let object = json!({
        "MetadataId": ids::table_metadata_id(&table.logical_name),
        "LogicalName": table.logical_name,
        "SchemaName": table.schema_name,
        "EntitySetName": table.set_name,
        "LogicalCollectionName": table.set_name,
        "CollectionSchemaName": format!("{}s", table.schema_name),
        "PrimaryIdAttribute": table.primary_id,
        "PrimaryNameAttribute": table.primary_name,
        "IsCustomEntity": table.is_custom,
        "IsActivity": false,
        "IsIntersect": false,
        "OwnershipType": ownership,
        "TableType": "Standard",
        "DisplayName": label_json(&table.display_name, language),
        "DisplayCollectionName": label_json(&table.display_collection_name, language),
        "Description": label_json(&table.description, language),
    });
    match object {
        Json::Object(m) => m,
        _ => Map::new(),
    }
}

fn options_json(options: &[ChoiceOption], language: u32) -> Json {
    Json::Array(
        options
            .iter()
            .map(|o| {
                json!({
                    "Value": o.value,
                    "Label": label_json(&o.label, language),
                    "Description": label_json(&LocalizedLabel::default(), language),
                })
            })
            .collect(),
    )
}

fn attribute_json(table: &Table, column: &Column, language: u32) -> Map<String, Json> {
    let kind = &column.column_type;
    let required = if column.logical_name == table.primary_id {
        "SystemRequired"
    } else if column.required {
        "ApplicationRequired"
    } else {
        "None"
    };
    let type_name = match kind {
        ColumnType::PrimaryKey | ColumnType::UniqueIdentifier => "UniqueidentifierType",
        ColumnType::String { .. } => "StringType",
        ColumnType::Memo { .. } => "MemoType",
        ColumnType::Integer { .. } => "IntegerType",
        ColumnType::BigInt => "BigIntType",
        ColumnType::Decimal { .. } => "DecimalType",
        ColumnType::Float => "DoubleType",
        ColumnType::Money => "MoneyType",
        ColumnType::Boolean => "BooleanType",
        ColumnType::DateTime => "DateTimeType",
        ColumnType::Picklist { .. } => "PicklistType",
        ColumnType::Lookup { .. } => "LookupType",
    };
    let mut object = Map::new();
    let mut put = |k: &str, v: Json| {
        object.insert(k.to_owned(), v);
    };
    put(
        "@odata.type",
        Json::String(format!("#Microsoft.Dynamics.CRM.{}", kind.metadata_type())),
    );
    put(
        "MetadataId",
        json!(ids::column_metadata_id(
            &table.logical_name,
            &column.logical_name
        )),
    );
    put("LogicalName", json!(column.logical_name));
    put("SchemaName", json!(column.schema_name));
    put("EntityLogicalName", json!(table.logical_name));
    put("AttributeType", json!(kind.attribute_type()));
    put("AttributeTypeName", json!({ "Value": type_name }));
    put(
        "IsPrimaryId",
        json!(column.logical_name == table.primary_id),
    );
    put(
        "IsPrimaryName",
        json!(column.logical_name == table.primary_name),
    );
    put("IsCustomAttribute", json!(column.is_custom));
    put("IsValidForCreate", json!(column.valid_for_create));
    put("IsValidForUpdate", json!(column.valid_for_update));
    put("IsValidForRead", json!(true));
    put(
        "RequiredLevel",
        json!({ "Value": required, "CanBeChanged": true }),
    );
    put("DisplayName", label_json(&column.display_name, language));
    put("Description", label_json(&column.description, language));
    match kind {
        ColumnType::String { max_length } | ColumnType::Memo { max_length } => {
            put("MaxLength", json!(max_length));
        }
        ColumnType::Integer { min, max } => {
            put("MinValue", json!(min));
            put("MaxValue", json!(max));
        }
        ColumnType::Decimal { precision } => put("Precision", json!(precision)),
        ColumnType::Money => put("Precision", json!(2)),
        ColumnType::Lookup { targets } => put("Targets", json!(targets)),
        ColumnType::Picklist { options } => put(
            "OptionSet",
            json!({
                "Name": format!("{}_{}", table.logical_name, column.logical_name),
                "IsGlobal": false,
                "OptionSetType": "Picklist",
                "Options": options_json(options, language),
            }),
        ),
        _ => {}
    }
    object
}

/// Keeps only the `$select`ed members (annotations and keys of nested objects stay).
fn project(
    object: Map<String, Json>,
    select: Option<&[String]>,
    keep: &[&str],
) -> Map<String, Json> {
    let Some(select) = select else {
        return object;
    };
    object
        .into_iter()
        .filter(|(k, _)| {
            k.starts_with('@') || keep.contains(&k.as_str()) || select.iter().any(|s| s == k)
        })
        .collect()
}

struct Options {
    select: Option<Vec<String>>,
    filter: Option<Filter>,
}

fn options(parsed: &ParsedUrl) -> Result<Options> {
    let mut out = Options {
        select: None,
        filter: None,
    };
    for (k, v) in &parsed.options {
        match k.as_str() {
            "$select" => out.select = Some(parse_select(v).map_err(|e| e.into_odata_error())?),
            "$filter" => out.filter = Some(parse_filter(v).map_err(|e| e.into_odata_error())?),
            // `$expand=OptionSet(...)`: option sets are always included in picklist columns.
            _ => {}
        }
    }
    Ok(out)
}

/// `LogicalName='x'` or a MetadataId.
fn find_table<'a>(tables: &'a [Table], key: &str) -> Option<&'a Table> {
    let key = key.trim();
    if let Some(rest) = key.strip_prefix("LogicalName=") {
        let name = switchboard_odata::literal::unquote(rest.trim())?;
        return tables.iter().find(|t| t.logical_name == name);
    }
    let id = uuid::Uuid::parse_str(key.trim_matches('\'')).ok()?;
    tables
        .iter()
        .find(|t| ids::table_metadata_id(&t.logical_name) == id)
}

fn find_column<'a>(table: &'a Table, key: &str) -> Option<&'a Column> {
    let key = key.trim();
    if let Some(rest) = key.strip_prefix("LogicalName=") {
        let name = switchboard_odata::literal::unquote(rest.trim())?;
        return table.column(&name);
    }
    let id = uuid::Uuid::parse_str(key.trim_matches('\'')).ok()?;
    table
        .columns
        .iter()
        .find(|c| ids::column_metadata_id(&table.logical_name, &c.logical_name) == id)
}

/// Serves `EntityDefinitions…` (GET only; the caller checked the method).
pub(crate) fn handle(
    registry: &Registry,
    caller: &Caller,
    root: &str,
    segments: &[Segment],
    parsed: &ParsedUrl,
) -> Result<Response> {
    let language = caller.language.unwrap_or(BASE_LANGUAGE);
    let tables = all_tables(registry);
    let opts = options(parsed)?;
    let select = opts.select.as_deref();
    let collection = |items: Vec<Map<String, Json>>, context: String| {
        let value: Vec<Json> = items
            .into_iter()
            .filter(|o| {
                opts.filter
                    .as_ref()
                    .is_none_or(|f| in_memory::matches(o, f))
            })
            .map(Json::Object)
            .collect();
        json_response(
            StatusCode::OK,
            json!({ "@odata.context": context, "value": value }),
        )
    };
    let entity = |key: &str| {
        find_table(&tables, key).ok_or_else(|| {
            ODataError::new(
                ErrorKind::RecordNotFound,
                Message::new(MessageId::ODataRecordNotFound)
                    .arg("table", "EntityMetadata")
                    .arg("id", key),
            )
        })
    };
    match segments {
        [s] if s.parens.is_none() => Ok(collection(
            tables
                .iter()
                .map(|t| project(entity_json(t, language), select, &["MetadataId"]))
                .collect(),
            format!("{root}$metadata#{SET}"),
        )),
        [s] => {
            let table = entity(s.parens.as_deref().unwrap_or_default())?;
            let mut object = project(entity_json(table, language), select, &["MetadataId"]);
            object.insert(
                "@odata.context".into(),
                json!(format!("{root}$metadata#{SET}/$entity")),
            );
            Ok(json_response(StatusCode::OK, Json::Object(object)))
        }
        [s, attrs, rest @ ..] if attrs.name == "Attributes" && s.parens.is_some() => {
            let table = entity(s.parens.as_deref().unwrap_or_default())?;
            // An optional cast segment keeps only columns of that metadata type.
            let (cast, key) = match (rest, attrs.parens.as_deref()) {
                ([], key) => (None, key),
                ([c], None) => {
                    let name = unqualify(&c.name).ok_or_else(|| not_found(&c.name))?;
                    (Some(name.to_owned()), c.parens.as_deref())
                }
                ([c, ..], _) => return Err(not_found(&c.name)),
            };
            let context = format!(
                "{root}$metadata#{SET}('{}')/Attributes{}",
                table.logical_name,
                cast.as_ref()
                    .map(|c| format!("/Microsoft.Dynamics.CRM.{c}"))
                    .unwrap_or_default()
            );
            let wanted = |c: &&Column| {
                cast.as_deref()
                    .is_none_or(|cast| c.column_type.metadata_type() == cast)
            };
            if let Some(key) = key {
                let column = find_column(table, key)
                    .filter(|c| wanted(c))
                    .ok_or_else(|| not_found(key))?;
                let mut object = project(
                    attribute_json(table, column, language),
                    select,
                    &["MetadataId"],
                );
                object.insert("@odata.context".into(), json!(format!("{context}/$entity")));
                return Ok(json_response(StatusCode::OK, Json::Object(object)));
            }
            Ok(collection(
                table
                    .columns
                    .iter()
                    .filter(wanted)
                    .map(|c| {
                        project(
                            attribute_json(table, c, language),
                            select,
                            &["MetadataId", "OptionSet"],
                        )
                    })
                    .collect(),
                context,
            ))
        }
        [_, other, ..] => Err(not_found(&other.name)),
        [] => Err(not_found(SET)),
    }
}
