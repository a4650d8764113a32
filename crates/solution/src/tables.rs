//! Table (entity) definitions: `Entities/<SchemaName>/Entity.xml` in unpacked folders and the
//! `<Entities>` section of `customizations.xml` in exported zips, with the global option sets
//! (`OptionSets/<name>.xml`, `<optionsets>`) and the relationships
//! (`Other/Relationships/<table>.xml`, `<EntityRelationships>`) their columns refer to.
//!
//! Real exports leave `<LookupTypes />` empty for ordinary lookups and name the target table
//! only in the relationship, so a lookup's targets come from `<LookupTypes>` when it lists
//! any (by logical name or object type code), else from the one-to-many relationships whose
//! referencing attribute is the column.

use std::collections::HashMap;

use switchboard_model::names::{LogicalName, entity_set_name};
use switchboard_model::table::{MEMO_MAX, STRING_MAX, built_in_tables};
use switchboard_model::{
    ChoiceOption, Column, ColumnType, LocalizedLabel, Message, MessageId, Ownership, Table,
};

use crate::diagnostic::Location;
use crate::reader::{Ctx, Doc, text_child};
use crate::xml::{Element, Pos};

/// A table read from a package, with where it was declared.
#[derive(Debug, Clone)]
pub struct LocatedTable {
    /// The definition, with the key and the platform columns Switchboard keeps added.
    pub table: Table,
    /// The `<entity>` element.
    pub location: Location,
    /// Logical column name → its `<attribute>` element (declared columns only).
    pub column_locations: HashMap<String, Location>,
}

impl LocatedTable {
    /// Where a column was declared; the table's location for columns the platform added.
    pub fn column_location(&self, logical_name: &str) -> &Location {
        self.column_locations
            .get(logical_name)
            .unwrap_or(&self.location)
    }
}

/// Columns every Dataverse table carries that the platform maintains. Exports list all of
/// them (a custom table's `Entity.xml` holds about twenty), so they are skipped without a
/// finding. Of these Switchboard keeps `createdon`, `modifiedon`, `createdby` and `modifiedby`,
/// which [`Table::ensure_platform_columns`] adds with the store filling them; ownership, state,
/// row versions, currency, time zones and import bookkeeping are not maintained here, so
/// declaring them would only create columns nobody fills. Money columns' `*_base` companions
/// are skipped the same way (see [`is_platform_column`]).
const PLATFORM_COLUMNS: &[&str] = &[
    "createdby",
    "createdon",
    "createdonbehalfby",
    "exchangerate",
    "importsequencenumber",
    "modifiedby",
    "modifiedon",
    "modifiedonbehalfby",
    "overriddencreatedon",
    "ownerid",
    "owningbusinessunit",
    "owningteam",
    "owninguser",
    "statecode",
    "statuscode",
    "timezoneruleversionnumber",
    "transactioncurrencyid",
    "utcconversiontimezonecode",
    "versionnumber",
];

/// Tables Switchboard serves from its own definition and identity tables (the server's
/// `definitions::TABLES`, the identity migration, solutions and publishers). A solution may
/// name them, but their definitions are Switchboard's: a declaration is skipped with a warning.
const SYSTEM_TABLES: &[&str] = &[
    "asyncoperation",
    "backgroundoperation",
    "businessunit",
    "customapi",
    "customapirequestparameter",
    "customapiresponseproperty",
    "organization",
    "outbounddelivery",
    "pluginassembly",
    "pluginpackage",
    "plugintype",
    "publisher",
    "role",
    "sdkmessage",
    "sdkmessagefilter",
    "sdkmessageprocessingstep",
    "sdkmessageprocessingstepimage",
    "solution",
    "solutioncomponent",
    "systemuser",
];

/// `RequiredLevel` values; real exports write `required` for application-required columns.
const REQUIRED_LEVELS: &str = "none, recommended, required, applicationrequired, systemrequired";

/// Whether a column is one the platform maintains (skipped silently, see [`PLATFORM_COLUMNS`]).
fn is_platform_column(logical_name: &str, kind: &str) -> bool {
    PLATFORM_COLUMNS.contains(&logical_name) || (kind == "money" && logical_name.ends_with("_base"))
}

/// The tables a `<LookupType>` may name by object type code: the fixed codes of the
/// tables Switchboard has (custom tables get installation-specific codes, which say nothing).
fn object_type_code(code: i64) -> Option<&'static str> {
    match code {
        1 => Some("account"),
        2 => Some("contact"),
        8 => Some("systemuser"),
        9 => Some("team"),
        10 => Some("businessunit"),
        _ => None,
    }
}

/// Global option sets and relationships, gathered before the tables that use them.
#[derive(Default)]
struct Shared {
    /// Lower-cased option set name → its choices.
    option_sets: HashMap<String, Vec<ChoiceOption>>,
    /// (referencing table, referencing attribute), lower case → referenced tables.
    relationships: HashMap<(String, String), Vec<String>>,
}

/// Where an `<Entity>` element came from: its own file wins over `customizations.xml`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    EntityFile,
    Customizations,
}

/// Reads every table of the package. `customizations` is the already loaded
/// `customizations.xml`, if the package has one; `publisher_prefix` is named in the error
/// for a custom table without one.
pub(crate) fn read_all(
    ctx: &mut Ctx<'_>,
    customizations: Option<&Doc>,
    publisher_prefix: Option<&str>,
) -> Vec<LocatedTable> {
    let src = ctx.src;
    let mut shared = Shared::default();

    for file in src.files() {
        let lower = file.to_ascii_lowercase();
        if lower.starts_with("optionsets/") && lower.ends_with(".xml") {
            if let Some(doc) = ctx.load(file, "optionset") {
                read_global_option_set(ctx, &doc, &doc.root, &mut shared);
            }
        } else if lower.starts_with("other/relationships/")
            && lower.ends_with(".xml")
            && let Some(doc) = ctx.load(file, "EntityRelationships")
        {
            read_relationships(&doc.root, &mut shared);
        }
    }
    if let Some(doc) = customizations {
        if let Some(list) = doc.root.child("optionsets") {
            for el in list.children_named("optionset") {
                read_global_option_set(ctx, doc, el, &mut shared);
            }
        }
        if let Some(list) = doc.root.child("EntityRelationships") {
            read_relationships(list, &mut shared);
        }
    }

    let mut tables = Vec::new();
    let mut seen: HashMap<String, (Location, Origin)> = HashMap::new();
    for file in src.files() {
        let lower = file.to_ascii_lowercase();
        let parts: Vec<&str> = lower.split('/').collect();
        if parts.len() == 3
            && parts[0] == "entities"
            && parts[2] == "entity.xml"
            && let Some(doc) = ctx.load(file, "Entity")
        {
            tables.extend(read_entity(
                ctx,
                &doc,
                &doc.root,
                Origin::EntityFile,
                &shared,
                publisher_prefix,
                &mut seen,
            ));
        }
    }
    if let Some(doc) = customizations
        && let Some(list) = doc.root.child("Entities")
    {
        for el in list.children_named("Entity") {
            tables.extend(read_entity(
                ctx,
                doc,
                el,
                Origin::Customizations,
                &shared,
                publisher_prefix,
                &mut seen,
            ));
        }
    }
    tables
}

/// `<optionset Name="…">` with `<options>` (a global option set).
fn read_global_option_set(ctx: &mut Ctx<'_>, doc: &Doc, el: &Element, shared: &mut Shared) {
    let Some(name) = el.attr_value("Name") else {
        let loc = ctx.at(&doc.rel, el.pos);
        ctx.error(
            loc,
            Message::new(MessageId::XmlMissingAttribute)
                .arg("attribute", "Name")
                .arg("element", "optionset"),
        );
        return;
    };
    let options = read_options(ctx, doc, el, name).unwrap_or_default();
    shared
        .option_sets
        .insert(name.to_ascii_lowercase(), options);
}

/// One-to-many relationships: which table each referencing attribute points to.
fn read_relationships(list: &Element, shared: &mut Shared) {
    for rel in list.children_named("EntityRelationship") {
        if text_child(rel, "EntityRelationshipType").is_some_and(|t| t != "OneToMany") {
            continue;
        }
        let (Some(referencing), Some(referenced), Some(attribute)) = (
            text_child(rel, "ReferencingEntityName"),
            text_child(rel, "ReferencedEntityName"),
            text_child(rel, "ReferencingAttributeName"),
        ) else {
            continue;
        };
        let targets = shared
            .relationships
            .entry((
                referencing.to_ascii_lowercase(),
                attribute.to_ascii_lowercase(),
            ))
            .or_default();
        let target = referenced.to_ascii_lowercase();
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
}

/// The choices of an option set element: `<options><option>`, or the `<states>` /
/// `<statuses>` of state and status columns. `None` when a value is broken or repeated
/// (the finding is recorded).
fn read_options(
    ctx: &mut Ctx<'_>,
    doc: &Doc,
    optionset: &Element,
    name: &str,
) -> Option<Vec<ChoiceOption>> {
    let mut options: Vec<ChoiceOption> = Vec::new();
    let mut ok = true;
    for option in option_elements(optionset) {
        let Some(raw) = option.attr_value("value") else {
            let loc = ctx.at(&doc.rel, option.pos);
            ctx.error(
                loc,
                Message::new(MessageId::XmlMissingAttribute)
                    .arg("attribute", "value")
                    .arg("element", option.local_name()),
            );
            ok = false;
            continue;
        };
        let Ok(value) = raw.parse::<i32>() else {
            let loc = ctx.at(&doc.rel, option.pos);
            ctx.error(
                loc,
                Message::new(MessageId::XmlNotInteger)
                    .arg("element", option.local_name())
                    .arg("value", raw),
            );
            ok = false;
            continue;
        };
        if options.iter().any(|o| o.value == value) {
            let loc = ctx.at(&doc.rel, option.pos);
            ctx.error(
                loc,
                Message::new(MessageId::TableChoiceDuplicate)
                    .arg("name", name)
                    .arg("value", value),
            );
            ok = false;
            continue;
        }
        let label = ctx.label(doc, option.child("labels"));
        options.push(ChoiceOption { value, label });
    }
    ok.then_some(options)
}

fn option_elements(optionset: &Element) -> impl Iterator<Item = &Element> + '_ {
    [
        ("options", "option"),
        ("states", "state"),
        ("statuses", "status"),
    ]
    .into_iter()
    .flat_map(move |(list, item)| {
        optionset
            .child(list)
            .into_iter()
            .flat_map(move |l| l.children_named(item))
    })
}

/// `<LocalizedNames><LocalizedName description languagecode/>…` and the like, without the
/// empty texts real exports write for unset descriptions.
fn names(ctx: &mut Ctx<'_>, doc: &Doc, el: Option<&Element>, item: &str) -> LocalizedLabel {
    let mut label = ctx.localized_names(doc, el, item);
    label.labels.retain(|_, text| !text.trim().is_empty());
    label
}

/// The table's name as written (`sb_Project`) and where: `<entity Name>`, else `<Name>`.
fn written_name(entity: &Element) -> Option<(&str, Pos)> {
    entity_info(entity)
        .and_then(|info| info.attr("Name"))
        .filter(|a| !a.value.trim().is_empty())
        .map(|a| (a.value.trim(), a.pos))
        .or_else(|| {
            entity
                .child("Name")
                .and_then(|n| n.value().map(|v| (v, n.pos)))
        })
}

fn entity_info(entity: &Element) -> Option<&Element> {
    entity.child("EntityInfo").and_then(|i| i.child("entity"))
}

/// Reads one `<Entity>`; `None` when it is skipped, a duplicate, or has errors.
fn read_entity(
    ctx: &mut Ctx<'_>,
    doc: &Doc,
    entity: &Element,
    origin: Origin,
    shared: &Shared,
    publisher_prefix: Option<&str>,
    seen: &mut HashMap<String, (Location, Origin)>,
) -> Option<LocatedTable> {
    let Some((raw_name, name_pos)) = written_name(entity) else {
        let at = entity_info(entity).map_or(entity.pos, |i| i.pos);
        let loc = ctx.at(&doc.rel, at);
        ctx.error(
            loc,
            Message::new(MessageId::XmlMissingAttribute)
                .arg("attribute", "Name")
                .arg("element", "entity"),
        );
        return None;
    };
    let logical = match LogicalName::parse(raw_name) {
        Ok(n) => n.as_str().to_owned(),
        Err(m) => {
            let loc = ctx.at(&doc.rel, name_pos);
            ctx.error(loc, m);
            return None;
        }
    };
    let Some(info) = entity_info(entity) else {
        let loc = ctx.at(&doc.rel, entity.pos);
        ctx.error(
            loc,
            Message::new(MessageId::XmlMissingElement).arg("element", "EntityInfo"),
        );
        return None;
    };
    let location = ctx.at(&doc.rel, info.pos);
    match seen.get(&logical) {
        // The table's own Entity.xml wins over its copy in customizations.xml.
        Some((_, Origin::EntityFile)) if origin == Origin::Customizations => return None,
        Some((first, _)) => {
            let first = first.to_string();
            ctx.error(
                location,
                Message::new(MessageId::TableDuplicate)
                    .arg("name", &logical)
                    .arg("first", first),
            );
            return None;
        }
        None => {
            seen.insert(logical.clone(), (location.clone(), origin));
        }
    }

    if SYSTEM_TABLES.contains(&logical.as_str()) {
        ctx.warning(
            location,
            Message::new(MessageId::TableSkipped).arg("table", &logical),
        );
        return None;
    }
    let builtin = built_in_tables()
        .into_iter()
        .find(|t| t.logical_name == logical);
    let errors_before = error_count(ctx);
    let is_custom_entity = ctx.bool_child(doc, info, "IsCustomEntity");
    if builtin.is_none() && !logical.contains('_') {
        if is_custom_entity == Some(false) {
            // A Dataverse system table (lead, opportunity, …) that Switchboard does not have.
            ctx.warning(
                location,
                Message::new(MessageId::TableSkipped).arg("table", &logical),
            );
            return None;
        }
        // Custom tables carry their publisher's prefix: `sb_project`.
        let loc = ctx.at(&doc.rel, name_pos);
        ctx.error(
            loc,
            Message::new(MessageId::ApiUniqueNameNoPrefix)
                .arg("name", raw_name)
                // Dataverse's default publisher prefix when the manifest names none.
                .arg("prefix", publisher_prefix.unwrap_or("new")),
        );
    }

    let set_name = match info
        .child("EntitySetName")
        .and_then(|c| c.value().map(|v| (c.pos, v)))
    {
        Some((pos, value)) => {
            if let Err(m) = LogicalName::parse(value) {
                let loc = ctx.at(&doc.rel, pos);
                ctx.error(loc, m);
            }
            value.to_owned()
        }
        None => builtin
            .as_ref()
            .map_or_else(|| entity_set_name(&logical), |b| b.set_name.clone()),
    };
    let default_ownership = builtin
        .as_ref()
        .map_or(Ownership::UserOwned, |b| b.ownership);
    let ownership = match info
        .child("OwnershipTypeMask")
        .and_then(|c| c.value().map(|v| (c.pos, v)))
    {
        None => default_ownership,
        Some((_, "UserOwned")) => Ownership::UserOwned,
        Some((_, "OrgOwned" | "OrganizationOwned")) => Ownership::OrganizationOwned,
        Some((pos, other)) => {
            let loc = ctx.at(&doc.rel, pos);
            ctx.error(
                loc,
                Message::new(MessageId::XmlUnknownOption)
                    .arg("element", "OwnershipTypeMask")
                    .arg("value", other)
                    .arg("codes", "UserOwned, OrgOwned, OrganizationOwned"),
            );
            default_ownership
        }
    };
    let display_name = names(ctx, doc, info.child("LocalizedNames"), "LocalizedName");
    let display_collection_name = names(
        ctx,
        doc,
        info.child("LocalizedCollectionNames"),
        "LocalizedCollectionName",
    );
    let description = names(ctx, doc, info.child("Descriptions"), "Description");

    let mut columns: Vec<Column> = Vec::new();
    let mut column_locations: HashMap<String, Location> = HashMap::new();
    let mut primary_name: Option<String> = None;
    for attr in info
        .child("attributes")
        .into_iter()
        .flat_map(|a| a.children_named("attribute"))
    {
        let Some((column, is_primary_name)) =
            read_column(ctx, doc, attr, &logical, builtin.as_ref(), shared)
        else {
            continue;
        };
        let here = ctx.at(&doc.rel, attr.pos);
        if let Some(first) = column_locations.get(&column.logical_name) {
            let first = first.to_string();
            ctx.error(
                here,
                Message::new(MessageId::TableDuplicate)
                    .arg("name", format!("{logical}.{}", column.logical_name))
                    .arg("first", first),
            );
            continue;
        }
        if is_primary_name && primary_name.is_none() {
            primary_name = Some(column.logical_name.clone());
        }
        column_locations.insert(column.logical_name.clone(), here);
        columns.push(column);
    }

    let primary_id = columns
        .iter()
        .find(|c| matches!(c.column_type, ColumnType::PrimaryKey))
        .map_or_else(|| format!("{logical}id"), |c| c.logical_name.clone());
    if let Some(i) = columns.iter().position(|c| c.logical_name == primary_id) {
        let key = columns.remove(i);
        columns.insert(0, key);
    }
    let primary_name = match (primary_name, &builtin) {
        (_, Some(b)) => b.primary_name.clone(),
        (Some(name), None) => name,
        (None, None) => {
            ctx.error(
                location.clone(),
                Message::new(MessageId::TableNoPrimaryName).arg("table", &logical),
            );
            String::new()
        }
    };
    if error_count(ctx) > errors_before {
        return None;
    }
    let mut table = Table {
        logical_name: logical,
        schema_name: raw_name.to_owned(),
        set_name,
        primary_id,
        primary_name,
        is_custom: builtin.is_none(),
        ownership,
        display_name,
        display_collection_name,
        description,
        columns,
    };
    table.ensure_platform_columns();
    Some(LocatedTable {
        table,
        location,
        column_locations,
    })
}

fn error_count(ctx: &Ctx<'_>) -> usize {
    ctx.diagnostics.iter().filter(|d| d.is_error()).count()
}

/// Reads one `<attribute>`: the column and whether it is the primary name. `None` when the
/// column is skipped (platform column, unsupported kind, a built-in table's own column) or
/// broken (the finding is recorded).
fn read_column(
    ctx: &mut Ctx<'_>,
    doc: &Doc,
    attr: &Element,
    table: &str,
    builtin: Option<&Table>,
    shared: &Shared,
) -> Option<(Column, bool)> {
    let loc = ctx.at(&doc.rel, attr.pos);
    let physical = attr.attr_value("PhysicalName");
    let (raw_name, name_pos) = match attr
        .child("LogicalName")
        .or_else(|| attr.child("Name"))
        .and_then(|c| c.value().map(|v| (v, c.pos)))
    {
        Some(found) => found,
        None => match physical {
            Some(p) => (p, attr.pos),
            None => {
                ctx.error(
                    loc,
                    Message::new(MessageId::XmlMissingElement).arg("element", "LogicalName"),
                );
                return None;
            }
        },
    };
    let name = match LogicalName::parse(raw_name) {
        Ok(n) => n.as_str().to_owned(),
        Err(m) => {
            let loc = ctx.at(&doc.rel, name_pos);
            ctx.error(loc, m);
            return None;
        }
    };
    let Some((kind_pos, kind)) = attr
        .child("Type")
        .and_then(|t| t.value().map(|v| (t.pos, v.to_ascii_lowercase())))
    else {
        ctx.error(
            loc,
            Message::new(MessageId::XmlMissingElement).arg("element", "Type"),
        );
        return None;
    };
    if is_platform_column(&name, &kind) {
        return None;
    }
    let is_custom_field = ctx.bool_child(doc, attr, "IsCustomField");
    if let Some(b) = builtin {
        // A built-in table's own columns come from the model; only added columns are read.
        if is_custom_field == Some(false) || b.column(&name).is_some() {
            return None;
        }
    }

    let column_type = match kind.as_str() {
        "primarykey" => ColumnType::PrimaryKey,
        "nvarchar" => ColumnType::String {
            max_length: length(ctx, doc, attr, &name, 100, STRING_MAX)?,
        },
        "ntext" => ColumnType::Memo {
            max_length: length(ctx, doc, attr, &name, 2000, MEMO_MAX)?,
        },
        "int" => integer(ctx, doc, attr, &name)?,
        "bigint" => ColumnType::BigInt,
        "decimal" => ColumnType::Decimal {
            precision: accuracy(ctx, doc, attr, &name)?,
        },
        "float" => ColumnType::Float,
        "money" => ColumnType::Money,
        "bit" => ColumnType::Boolean,
        "datetime" => ColumnType::DateTime,
        "uniqueidentifier" => ColumnType::UniqueIdentifier,
        "picklist" | "state" | "status" => ColumnType::Picklist {
            options: choices(ctx, doc, attr, &name, shared)?,
        },
        "lookup" | "owner" | "customer" => ColumnType::Lookup {
            targets: lookup_targets(ctx, doc, attr, table, &name, shared)?,
        },
        other => {
            let loc = ctx.at(&doc.rel, kind_pos);
            ctx.warning(
                loc,
                Message::new(MessageId::TableColumnUnsupported)
                    .arg("table", table)
                    .arg("column", &name)
                    .arg("kind", other),
            );
            return None;
        }
    };

    let mut column = Column::new(&name, column_type);
    column.schema_name = physical.unwrap_or(&name).to_owned();
    if let Some(level) = attr.child("RequiredLevel").filter(|c| c.value().is_some()) {
        let value = level.value().unwrap_or_default();
        match value.to_ascii_lowercase().as_str() {
            "none" | "recommended" => {}
            "required" | "applicationrequired" | "systemrequired" => column.required = true,
            _ => {
                let loc = ctx.at(&doc.rel, level.pos);
                ctx.error(
                    loc,
                    Message::new(MessageId::XmlUnknownOption)
                        .arg("element", "RequiredLevel")
                        .arg("value", value)
                        .arg("codes", REQUIRED_LEVELS),
                );
                return None;
            }
        }
    }
    column.valid_for_create = ctx
        .bool_child(doc, attr, "ValidForCreateApi")
        .unwrap_or(true);
    column.valid_for_update = ctx
        .bool_child(doc, attr, "ValidForUpdateApi")
        .unwrap_or(true);
    column.is_custom = is_custom_field.unwrap_or(true);
    column.display_name = names(ctx, doc, attr.child("displaynames"), "displayname");
    column.description = names(ctx, doc, attr.child("Descriptions"), "Description");
    let is_primary_name = text_child(attr, "DisplayMask").is_some_and(|mask| {
        mask.split('|')
            .any(|part| part.trim().eq_ignore_ascii_case("PrimaryName"))
    });
    Some((column, is_primary_name))
}

/// A child's whole number: `Ok(None)` when absent or empty, `Err` when not a number (recorded).
fn number(ctx: &mut Ctx<'_>, doc: &Doc, el: &Element, name: &str) -> Result<Option<i64>, ()> {
    match el.child(name).filter(|c| c.value().is_some()) {
        None => Ok(None),
        Some(child) => ctx.int_value(doc, child, name).map(Some).ok_or(()),
    }
}

/// Records that `<element>` of `column` is `value`, outside `min..=max`.
fn out_of_range(
    ctx: &mut Ctx<'_>,
    doc: &Doc,
    attr: &Element,
    element: &str,
    column: &str,
    value: i64,
    (min, max): (i64, i64),
) {
    let pos = attr.child(element).map_or(attr.pos, |c| c.pos);
    let loc = ctx.at(&doc.rel, pos);
    ctx.error(
        loc,
        Message::new(MessageId::TableValueOutOfRange)
            .arg("element", element)
            .arg("column", column)
            .arg("value", value)
            .arg("min", min)
            .arg("max", max),
    );
}

/// `<MaxLength>` of a text column: 1 to `max`, `default` when absent.
fn length(
    ctx: &mut Ctx<'_>,
    doc: &Doc,
    attr: &Element,
    column: &str,
    default: u32,
    max: u32,
) -> Option<u32> {
    let value = number(ctx, doc, attr, "MaxLength").ok()?;
    match value {
        None => Some(default),
        Some(n) if (1..=i64::from(max)).contains(&n) => Some(n as u32),
        Some(n) => {
            out_of_range(ctx, doc, attr, "MaxLength", column, n, (1, i64::from(max)));
            None
        }
    }
}

/// Most digits after the point a decimal column may keep (Dataverse's limit).
const DECIMAL_PRECISION_MAX: i64 = 10;

/// `<Accuracy>` of a decimal column: 0 to 10, 2 when absent.
fn accuracy(ctx: &mut Ctx<'_>, doc: &Doc, attr: &Element, column: &str) -> Option<u32> {
    match number(ctx, doc, attr, "Accuracy").ok()? {
        None => Some(2),
        Some(n) if (0..=DECIMAL_PRECISION_MAX).contains(&n) => Some(n as u32),
        Some(n) => {
            out_of_range(
                ctx,
                doc,
                attr,
                "Accuracy",
                column,
                n,
                (0, DECIMAL_PRECISION_MAX),
            );
            None
        }
    }
}

/// `<MinValue>`/`<MaxValue>` of a whole-number column: within 32 bits, minimum ≤ maximum.
fn integer(ctx: &mut Ctx<'_>, doc: &Doc, attr: &Element, column: &str) -> Option<ColumnType> {
    let i32_range = (i64::from(i32::MIN), i64::from(i32::MAX));
    let min = number(ctx, doc, attr, "MinValue");
    let max = number(ctx, doc, attr, "MaxValue");
    let (min, max) = (min.ok()?, max.ok()?);
    let min = min.unwrap_or(i64::from(i32::MIN));
    let max = max.unwrap_or(i64::from(i32::MAX));
    let mut ok = true;
    for (element, value) in [("MinValue", min), ("MaxValue", max)] {
        if i32::try_from(value).is_err() {
            out_of_range(ctx, doc, attr, element, column, value, i32_range);
            ok = false;
        }
    }
    if ok && min > max {
        out_of_range(ctx, doc, attr, "MinValue", column, min, (i32_range.0, max));
        ok = false;
    }
    ok.then_some(ColumnType::Integer {
        min: min as i32,
        max: max as i32,
    })
}

/// A picklist's choices: inline `<optionset>` options, else the global option set named by
/// `<OptionSetName>` (or by an inline `<optionset Name>` without options).
fn choices(
    ctx: &mut Ctx<'_>,
    doc: &Doc,
    attr: &Element,
    column: &str,
    shared: &Shared,
) -> Option<Vec<ChoiceOption>> {
    let inline = attr.child("optionset");
    let inline_has_options = inline.is_some_and(|o| option_elements(o).next().is_some());
    if !inline_has_options {
        let global = attr
            .child("OptionSetName")
            .and_then(|c| c.value().map(|v| (c.pos, v)))
            .or_else(|| inline.and_then(|o| o.attr_value("Name").map(|v| (o.pos, v))));
        if let Some((pos, name)) = global {
            return match shared.option_sets.get(&name.to_ascii_lowercase()) {
                Some(options) if !options.is_empty() => Some(options.clone()),
                Some(_) => {
                    let loc = ctx.at(&doc.rel, attr.pos);
                    ctx.error(
                        loc,
                        Message::new(MessageId::TableChoiceEmpty).arg("column", column),
                    );
                    None
                }
                None if inline.is_some() && attr.child("OptionSetName").is_none() => {
                    let loc = ctx.at(&doc.rel, attr.pos);
                    ctx.error(
                        loc,
                        Message::new(MessageId::TableChoiceEmpty).arg("column", column),
                    );
                    None
                }
                None => {
                    let loc = ctx.at(&doc.rel, pos);
                    ctx.error(
                        loc,
                        Message::new(MessageId::TableOptionSetUnknown)
                            .arg("column", column)
                            .arg("name", name),
                    );
                    None
                }
            };
        }
    }
    let options = match inline {
        Some(o) => {
            let name = o.attr_value("Name").unwrap_or(column);
            read_options(ctx, doc, o, name)?
        }
        None => Vec::new(),
    };
    if options.is_empty() {
        let loc = ctx.at(&doc.rel, attr.pos);
        ctx.error(
            loc,
            Message::new(MessageId::TableChoiceEmpty).arg("column", column),
        );
        return None;
    }
    Some(options)
}

/// A lookup's target tables: `<LookupTypes>` (names or object type codes), else the
/// relationships that name the column as their referencing attribute.
fn lookup_targets(
    ctx: &mut Ctx<'_>,
    doc: &Doc,
    attr: &Element,
    table: &str,
    column: &str,
    shared: &Shared,
) -> Option<Vec<String>> {
    let mut targets: Vec<String> = Vec::new();
    for t in attr
        .child("LookupTypes")
        .into_iter()
        .flat_map(|l| l.children_named("LookupType"))
    {
        let Some(value) = t.value() else { continue };
        let target = if let Ok(code) = value.parse::<i64>() {
            match object_type_code(code) {
                Some(name) => name.to_owned(),
                // An installation-specific code: the relationship says which table it is.
                None => continue,
            }
        } else {
            match LogicalName::parse(value) {
                Ok(n) => n.as_str().to_owned(),
                Err(m) => {
                    let loc = ctx.at(&doc.rel, t.pos);
                    ctx.error(loc, m);
                    return None;
                }
            }
        };
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    if targets.is_empty()
        && let Some(related) = shared
            .relationships
            .get(&(table.to_owned(), column.to_owned()))
    {
        targets = related.clone();
    }
    if targets.is_empty() {
        let loc = ctx.at(&doc.rel, attr.pos);
        ctx.error(
            loc,
            Message::new(MessageId::TableLookupNoTarget)
                .arg("table", table)
                .arg("column", column),
        );
        return None;
    }
    Some(targets)
}
