//! Table definitions read from packages: every attribute kind, option sets, lookups, the
//! customizations.xml (zip) layout, findings with their places, the sample and the corpus.

#![allow(missing_docs)]

use std::io::Write;
use std::path::{Path, PathBuf};

use switchboard_model::{ColumnType, MessageId, Ownership, Severity};
use switchboard_solution::{
    Diagnostic, LocatedTable, PackageSource, ReadFailure, SolutionPackage, read_package,
    read_source,
};

const SOLUTION_XML: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<ImportExportXml version="9.2" SolutionPackageVersion="9.2" languagecode="1033">
  <SolutionManifest>
    <UniqueName>TableTests</UniqueName>
    <Version>1.0.0.0</Version>
    <Managed>0</Managed>
    <Publisher>
      <UniqueName>tests</UniqueName>
      <CustomizationPrefix>sb</CustomizationPrefix>
    </Publisher>
    <RootComponents />
  </SolutionManifest>
</ImportExportXml>"#;

/// A folder package holding `Other/Solution.xml` and `files`.
fn folder(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Other/Solution.xml", SOLUTION_XML);
    for (rel, text) in files {
        write(dir.path(), rel, text);
    }
    dir
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read_ok(root: &Path) -> SolutionPackage {
    match read_package(root) {
        Ok(p) => p,
        Err(f) => panic!("read failed: {:#?}", f.diagnostics),
    }
}

fn read_err(root: &Path) -> ReadFailure {
    match read_package(root) {
        Ok(p) => panic!("read should fail; tables: {:#?}", p.tables),
        Err(f) => f,
    }
}

fn table<'a>(package: &'a SolutionPackage, name: &str) -> &'a LocatedTable {
    package
        .tables
        .iter()
        .find(|t| t.table.logical_name == name)
        .unwrap_or_else(|| panic!("table {name} read"))
}

fn column_type(t: &LocatedTable, name: &str) -> ColumnType {
    t.table
        .column(name)
        .unwrap_or_else(|| panic!("column {name}"))
        .column_type
        .clone()
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in fixture"));
    text[..at].matches('\n').count() as u32 + 1
}

fn with_id(diags: &[Diagnostic], id: MessageId) -> Vec<&Diagnostic> {
    diags.iter().filter(|d| d.message.id == id).collect()
}

/// An `<attribute>` with `<Type>` and `<LogicalName>`, on its own lines.
fn attr(physical: &str, kind: &str, inner: &str) -> String {
    format!(
        "        <attribute PhysicalName=\"{physical}\">\n          <Type>{kind}</Type>\n          <LogicalName>{}</LogicalName>\n{inner}        </attribute>\n",
        physical.to_ascii_lowercase()
    )
}

/// The primary name column every custom table needs.
fn name_attr(physical: &str) -> String {
    attr(
        physical,
        "nvarchar",
        "          <DisplayMask>PrimaryName|ValidForAdvancedFind</DisplayMask>\n          <MaxLength>100</MaxLength>\n",
    )
}

/// An `<Entity>` element (as in Entity.xml and customizations.xml).
fn entity(name: &str, entity_extra: &str, attrs: &str) -> String {
    format!(
        "<Entity>\n  <Name LocalizedName=\"{name}\" OriginalName=\"{name}\">{name}</Name>\n  <EntityInfo>\n    <entity Name=\"{name}\">\n{entity_extra}      <attributes>\n{attrs}      </attributes>\n    </entity>\n  </EntityInfo>\n</Entity>"
    )
}

fn customizations(entities: &str, rest: &str) -> String {
    format!(
        "<ImportExportXml>\n  <Entities>\n{entities}\n  </Entities>\n{rest}\n  <Languages>\n    <Language>1033</Language>\n  </Languages>\n</ImportExportXml>"
    )
}

const INLINE_OPTIONS: &str = r#"          <optionset Name="sb_thing_sb_color">
            <OptionSetType>picklist</OptionSetType>
            <options>
              <option value="100000000">
                <labels>
                  <label description="Red" languagecode="1033" />
                  <label description="Rot" languagecode="1031" />
                </labels>
              </option>
              <option value="100000001">
                <labels>
                  <label description="Blue" languagecode="1033" />
                </labels>
              </option>
            </options>
          </optionset>
"#;

#[test]
fn every_attribute_kind_maps_to_its_column_type() {
    let attrs = [
        attr(
            "sb_ThingId",
            "primarykey",
            "          <RequiredLevel>systemrequired</RequiredLevel>\n          <ValidForUpdateApi>0</ValidForUpdateApi>\n          <IsCustomField>0</IsCustomField>\n",
        ),
        attr(
            "sb_Name",
            "nvarchar",
            r#"          <RequiredLevel>required</RequiredLevel>
          <DisplayMask>PrimaryName|ValidForAdvancedFind|ValidForForm|ValidForGrid|RequiredForForm</DisplayMask>
          <MaxLength>150</MaxLength>
          <displaynames>
            <displayname description="Name" languagecode="1033" />
            <displayname description="名前" languagecode="1041" />
          </displaynames>
          <Descriptions>
            <Description description="" languagecode="1033" />
          </Descriptions>
"#,
        ),
        attr("sb_Short", "nvarchar", ""),
        attr("sb_Memo", "ntext", "          <MaxLength>5000</MaxLength>\n"),
        attr("sb_MemoDefault", "ntext", ""),
        attr(
            "sb_Count",
            "int",
            "          <MinValue>-5</MinValue>\n          <MaxValue>5</MaxValue>\n",
        ),
        attr("sb_CountDefault", "int", ""),
        attr(
            "sb_Big",
            "bigint",
            "          <MinValue>-9223372036854775808</MinValue>\n",
        ),
        attr("sb_Amount", "decimal", "          <Accuracy>4</Accuracy>\n"),
        attr("sb_AmountDefault", "decimal", ""),
        attr("sb_Ratio", "float", "          <Accuracy>2</Accuracy>\n"),
        attr(
            "sb_Price",
            "money",
            "          <MinValue>-922337203685477</MinValue>\n",
        ),
        attr(
            "sb_Flag",
            "bit",
            "          <ValidForCreateApi>0</ValidForCreateApi>\n          <optionset Name=\"sb_thing_sb_flag\">\n            <OptionSetType>bit</OptionSetType>\n            <options>\n              <option value=\"1\" />\n              <option value=\"0\" />\n            </options>\n          </optionset>\n",
        ),
        attr(
            "sb_When",
            "datetime",
            "          <RequiredLevel>applicationrequired</RequiredLevel>\n",
        ),
        attr("sb_External", "uniqueidentifier", ""),
        attr("sb_Color", "picklist", INLINE_OPTIONS),
        attr(
            "sb_Phase",
            "state",
            "          <optionset Name=\"sb_thing_sb_phase\">\n            <states>\n              <state value=\"0\" defaultstatus=\"1\"><labels><label description=\"Open\" languagecode=\"1033\" /></labels></state>\n              <state value=\"1\" defaultstatus=\"2\"><labels><label description=\"Closed\" languagecode=\"1033\" /></labels></state>\n            </states>\n          </optionset>\n",
        ),
        attr(
            "sb_Reason",
            "status",
            "          <optionset Name=\"sb_thing_sb_reason\">\n            <statuses>\n              <status value=\"1\" state=\"0\"><labels><label description=\"Open\" languagecode=\"1033\" /></labels></status>\n            </statuses>\n          </optionset>\n",
        ),
        attr(
            "sb_AccountId",
            "lookup",
            "          <LookupTypes>\n            <LookupType id=\"00000000-0000-0000-0000-000000000000\">account</LookupType>\n          </LookupTypes>\n",
        ),
        attr(
            "sb_CustomerId",
            "customer",
            "          <LookupTypes>\n            <LookupType id=\"00000000-0000-0000-0000-000000000000\">account</LookupType>\n            <LookupType id=\"00000000-0000-0000-0000-000000000000\">contact</LookupType>\n          </LookupTypes>\n",
        ),
        attr(
            "sb_Responsible",
            "owner",
            "          <LookupTypes>\n            <LookupType id=\"00000000-0000-0000-0000-000000000000\">8</LookupType>\n            <LookupType id=\"00000000-0000-0000-0000-000000000000\">9</LookupType>\n          </LookupTypes>\n",
        ),
    ]
    .concat();
    let extra = r#"      <LocalizedNames>
        <LocalizedName description="Thing" languagecode="1033" />
        <LocalizedName description="Ding" languagecode="1031" />
      </LocalizedNames>
      <LocalizedCollectionNames>
        <LocalizedCollectionName description="Things" languagecode="1033" />
      </LocalizedCollectionNames>
      <Descriptions>
        <Description description="A thing." languagecode="1033" />
      </Descriptions>
      <OwnershipTypeMask>OrgOwned</OwnershipTypeMask>
      <IsCustomEntity>1</IsCustomEntity>
"#;
    let dir = folder(&[(
        "Entities/sb_Thing/Entity.xml",
        entity("sb_Thing", extra, &attrs),
    )]);
    let package = read_ok(dir.path());
    assert!(package.warnings.is_empty(), "{:#?}", package.warnings);
    let t = table(&package, "sb_thing");
    let tb = &t.table;
    assert_eq!(tb.schema_name, "sb_Thing");
    assert_eq!(tb.set_name, "sb_things");
    assert_eq!(tb.primary_id, "sb_thingid");
    assert_eq!(tb.primary_name, "sb_name");
    assert!(tb.is_custom);
    assert_eq!(tb.ownership, Ownership::OrganizationOwned);
    assert_eq!(tb.display_name.labels[&1031], "Ding");
    assert_eq!(tb.display_collection_name.labels[&1033], "Things");
    assert_eq!(tb.description.labels[&1033], "A thing.");
    assert_eq!(tb.columns[0].logical_name, "sb_thingid");
    assert!(package.declared_tables.contains(&"sb_thing".to_owned()));

    let expected = [
        ("sb_thingid", ColumnType::PrimaryKey),
        ("sb_name", ColumnType::String { max_length: 150 }),
        ("sb_short", ColumnType::String { max_length: 100 }),
        ("sb_memo", ColumnType::Memo { max_length: 5000 }),
        ("sb_memodefault", ColumnType::Memo { max_length: 2000 }),
        ("sb_count", ColumnType::Integer { min: -5, max: 5 }),
        (
            "sb_countdefault",
            ColumnType::Integer {
                min: i32::MIN,
                max: i32::MAX,
            },
        ),
        ("sb_big", ColumnType::BigInt),
        ("sb_amount", ColumnType::Decimal { precision: 4 }),
        ("sb_amountdefault", ColumnType::Decimal { precision: 2 }),
        ("sb_ratio", ColumnType::Float),
        ("sb_price", ColumnType::Money),
        ("sb_flag", ColumnType::Boolean),
        ("sb_when", ColumnType::DateTime),
        ("sb_external", ColumnType::UniqueIdentifier),
        (
            "sb_accountid",
            ColumnType::Lookup {
                targets: vec!["account".into()],
            },
        ),
        (
            "sb_customerid",
            ColumnType::Lookup {
                targets: vec!["account".into(), "contact".into()],
            },
        ),
        (
            "sb_responsible",
            ColumnType::Lookup {
                targets: vec!["systemuser".into(), "team".into()],
            },
        ),
    ];
    for (name, kind) in expected {
        assert_eq!(column_type(t, name), kind, "{name}");
    }
    let ColumnType::Picklist { options } = column_type(t, "sb_color") else {
        panic!("sb_color is a picklist")
    };
    assert_eq!(
        options.iter().map(|o| o.value).collect::<Vec<_>>(),
        [100000000, 100000001]
    );
    assert_eq!(options[0].label.labels[&1031], "Rot");
    for (name, count) in [("sb_phase", 2), ("sb_reason", 1)] {
        let ColumnType::Picklist { options } = column_type(t, name) else {
            panic!("{name} is a picklist")
        };
        assert_eq!(options.len(), count, "{name}");
    }

    let name = tb.column("sb_name").unwrap();
    assert!(name.required && name.is_custom);
    assert_eq!(name.schema_name, "sb_Name");
    assert_eq!(name.display_name.labels[&1041], "名前");
    assert!(name.description.labels.is_empty(), "empty texts dropped");
    assert!(tb.column("sb_when").unwrap().required);
    assert!(!tb.column("sb_short").unwrap().required);
    assert!(!tb.column("sb_flag").unwrap().valid_for_create);
    let key = tb.column("sb_thingid").unwrap();
    assert!(!key.valid_for_update && !key.is_custom && key.required);
    // The platform columns Switchboard keeps are added.
    for c in ["createdon", "modifiedon", "createdby", "modifiedby"] {
        assert!(tb.column(c).is_some(), "{c}");
    }
    let file = dir.path().join("Entities/sb_Thing/Entity.xml");
    let text = std::fs::read_to_string(&file).unwrap();
    let loc = t.column_location("sb_count");
    assert_eq!(loc.file, file.display().to_string());
    assert_eq!(
        loc.position.unwrap().0,
        line_of(&text, "PhysicalName=\"sb_Count\"")
    );
    assert_eq!(t.location.position.unwrap().0, line_of(&text, "<entity "));
}

#[test]
fn platform_columns_are_skipped_silently() {
    let attrs = [
        name_attr("sb_Name"),
        attr("CreatedOn", "datetime", ""),
        attr("CreatedBy", "lookup", "          <LookupTypes />\n"),
        attr("OwnerId", "owner", "          <LookupTypes />\n"),
        attr("statecode", "state", ""),
        attr("statuscode", "status", ""),
        attr("VersionNumber", "bigint", ""),
        attr("ExchangeRate", "decimal", ""),
        attr(
            "TransactionCurrencyId",
            "lookup",
            "          <LookupTypes />\n",
        ),
        attr("sb_Price", "money", ""),
        attr("sb_price_Base", "money", ""),
        attr("UTCConversionTimeZoneCode", "int", ""),
    ]
    .concat();
    let dir = folder(&[("Entities/sb_Item/Entity.xml", entity("sb_Item", "", &attrs))]);
    let package = read_ok(dir.path());
    assert!(package.warnings.is_empty(), "{:#?}", package.warnings);
    let t = &table(&package, "sb_item").table;
    for skipped in [
        "ownerid",
        "statecode",
        "statuscode",
        "versionnumber",
        "exchangerate",
        "transactioncurrencyid",
        "sb_price_base",
        "utcconversiontimezonecode",
    ] {
        assert!(t.column(skipped).is_none(), "{skipped}");
    }
    assert_eq!(t.column("sb_price").unwrap().column_type, ColumnType::Money);
    // Kept platform columns come from the model, not from the file.
    assert!(!t.column("createdby").unwrap().valid_for_create);
}

#[test]
fn global_option_sets_from_customizations_and_the_option_sets_folder() {
    let from_customizations = r#"  <optionsets>
    <optionset Name="sb_size" localizedName="Size">
      <OptionSetType>picklist</OptionSetType>
      <IsGlobal>1</IsGlobal>
      <options>
        <option value="1"><labels><label description="Small" languagecode="1033" /></labels></option>
        <option value="2"><labels><label description="Large" languagecode="1033" /></labels></option>
      </options>
    </optionset>
  </optionsets>"#;
    let option_set_file = r#"<optionset Name="sb_Shape" localizedName="Shape" description="">
  <OptionSetType>picklist</OptionSetType>
  <IsGlobal>1</IsGlobal>
  <options>
    <option value="10"><labels><label description="Round" languagecode="1033" /></labels></option>
    <option value="20"><labels><label description="Square" languagecode="1033" /></labels></option>
    <option value="30"><labels><label description="Oval" languagecode="1033" /></labels></option>
  </options>
</optionset>"#;
    let attrs = [
        name_attr("sb_Name"),
        attr(
            "sb_Size",
            "picklist",
            "          <OptionSetName>sb_size</OptionSetName>\n",
        ),
        // Also the form with an option-less inline element naming the global set.
        attr(
            "sb_Shape",
            "picklist",
            "          <optionset Name=\"sb_shape\">\n            <IsGlobal>1</IsGlobal>\n          </optionset>\n",
        ),
        attr("sb_Color", "picklist", INLINE_OPTIONS),
    ]
    .concat();
    let dir = folder(&[
        ("Entities/sb_Box/Entity.xml", entity("sb_Box", "", &attrs)),
        (
            "Other/Customizations.xml",
            customizations("", from_customizations),
        ),
        ("OptionSets/sb_Shape.xml", option_set_file.to_owned()),
    ]);
    let package = read_ok(dir.path());
    let t = table(&package, "sb_box");
    let values = |name: &str| match column_type(t, name) {
        ColumnType::Picklist { options } => options.iter().map(|o| o.value).collect::<Vec<_>>(),
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(values("sb_size"), [1, 2]);
    assert_eq!(values("sb_shape"), [10, 20, 30]);
    assert_eq!(values("sb_color"), [100000000, 100000001]);
}

#[test]
fn lookup_targets_from_lookup_types_codes_and_relationships() {
    let relationship = |name: &str, referenced: &str, attribute: &str| {
        format!(
            "  <EntityRelationship Name=\"{name}\">\n    <EntityRelationshipType>OneToMany</EntityRelationshipType>\n    <ReferencingEntityName>sb_Task</ReferencingEntityName>\n    <ReferencedEntityName>{referenced}</ReferencedEntityName>\n    <ReferencingAttributeName>{attribute}</ReferencingAttributeName>\n  </EntityRelationship>\n"
        )
    };
    let relationships_file = format!(
        "<EntityRelationships>\n{}</EntityRelationships>",
        relationship("sb_Account_sb_Task", "Account", "sb_AccountId")
    );
    let in_customizations = format!(
        "  <EntityRelationships>\n{}  </EntityRelationships>",
        relationship("sb_Project_sb_Task", "sb_Project", "sb_ProjectId")
    );
    let attrs = [
        name_attr("sb_Name"),
        attr(
            "sb_AccountId",
            "lookup",
            "          <LookupStyle>single</LookupStyle>\n          <LookupTypes />\n",
        ),
        attr("sb_ProjectId", "lookup", "          <LookupTypes />\n"),
        attr(
            "sb_ContactId",
            "lookup",
            "          <LookupTypes>\n            <LookupType id=\"00000000-0000-0000-0000-000000000000\">2</LookupType>\n          </LookupTypes>\n",
        ),
        attr(
            "sb_TeamId",
            "lookup",
            "          <LookupTypes>\n            <LookupType>Team</LookupType>\n          </LookupTypes>\n",
        ),
    ]
    .concat();
    let dir = folder(&[
        ("Entities/sb_Task/Entity.xml", entity("sb_Task", "", &attrs)),
        ("Other/Relationships/Account.xml", relationships_file),
        (
            "Other/Customizations.xml",
            customizations("", &in_customizations),
        ),
    ]);
    let package = read_ok(dir.path());
    let t = table(&package, "sb_task");
    let targets = |name: &str| {
        t.table
            .column(name)
            .unwrap()
            .lookup_targets()
            .unwrap()
            .to_vec()
    };
    assert_eq!(targets("sb_accountid"), ["account"]);
    assert_eq!(targets("sb_projectid"), ["sb_project"]);
    assert_eq!(targets("sb_contactid"), ["contact"]);
    assert_eq!(targets("sb_teamid"), ["team"]);
}

#[test]
fn a_lookup_without_target_is_an_error_naming_the_attribute() {
    let attrs = [
        name_attr("sb_Name"),
        attr("sb_OtherId", "lookup", "          <LookupTypes />\n"),
    ]
    .concat();
    let text = entity("sb_Task", "", &attrs);
    let dir = folder(&[("Entities/sb_Task/Entity.xml", text.clone())]);
    let failure = read_err(dir.path());
    let found = with_id(&failure.diagnostics, MessageId::TableLookupNoTarget);
    assert_eq!(found.len(), 1, "{:#?}", failure.diagnostics);
    assert_eq!(found[0].message.get("column"), Some("sb_otherid"));
    assert_eq!(found[0].message.get("table"), Some("sb_task"));
    let loc = found[0].location.as_ref().unwrap();
    assert_eq!(
        loc.position.unwrap().0,
        line_of(&text, "PhysicalName=\"sb_OtherId\"")
    );
}

#[test]
fn unsupported_kinds_are_warnings_with_file_and_line() {
    let attrs = [
        name_attr("sb_Name"),
        attr("sb_Picture", "image", ""),
        attr("sb_Tags", "multiselectpicklist", ""),
        attr("sb_Count", "int", ""),
    ]
    .concat();
    let text = entity("sb_Album", "", &attrs);
    let dir = folder(&[("Entities/sb_Album/Entity.xml", text.clone())]);
    let package = read_ok(dir.path());
    let t = table(&package, "sb_album");
    assert!(t.table.column("sb_picture").is_none());
    assert!(t.table.column("sb_tags").is_none());
    assert!(t.table.column("sb_count").is_some());
    let warnings = with_id(&package.warnings, MessageId::TableColumnUnsupported);
    assert_eq!(warnings.len(), 2, "{:#?}", package.warnings);
    let w = warnings
        .iter()
        .find(|w| w.message.get("column") == Some("sb_picture"))
        .unwrap();
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.message.get("kind"), Some("image"));
    assert_eq!(w.message.get("table"), Some("sb_album"));
    let loc = w.location.as_ref().unwrap();
    let file = dir.path().join("Entities/sb_Album/Entity.xml");
    assert_eq!(loc.file, file.display().to_string());
    let image_line = text.find("<Type>image</Type>").unwrap();
    assert_eq!(
        loc.position.unwrap().0,
        text[..image_line].matches('\n').count() as u32 + 1
    );
    assert!(loc.to_string().starts_with(&format!("{}:", file.display())));
}

#[test]
fn errors_are_collected_with_their_locations() {
    let broken = [
        name_attr("sb_Name"),
        // Duplicate column.
        attr("sb_Name", "nvarchar", "          <MaxLength>10</MaxLength>\n"),
        // Beyond STRING_MAX.
        attr("sb_Long", "nvarchar", "          <MaxLength>4001</MaxLength>\n"),
        // Beyond MEMO_MAX.
        attr("sb_Huge", "ntext", "          <MaxLength>2000000</MaxLength>\n"),
        // Picklist without options.
        attr("sb_Empty", "picklist", ""),
        // Duplicate option values.
        attr(
            "sb_Twice",
            "picklist",
            "          <optionset Name=\"sb_twice\">\n            <options>\n              <option value=\"1\" />\n              <option value=\"1\" />\n            </options>\n          </optionset>\n",
        ),
        // Not a number.
        attr("sb_Bad", "int", "          <MinValue>abc</MinValue>\n"),
        // Minimum above maximum.
        attr(
            "sb_Upside",
            "int",
            "          <MinValue>5</MinValue>\n          <MaxValue>1</MaxValue>\n",
        ),
        // Decimal precision beyond 10.
        attr("sb_Precise", "decimal", "          <Accuracy>11</Accuracy>\n"),
        // Invalid logical name.
        attr("sb_Bad-Name", "nvarchar", ""),
        // Unknown global option set.
        attr(
            "sb_Missing",
            "picklist",
            "          <OptionSetName>sb_nowhere</OptionSetName>\n",
        ),
    ]
    .concat();
    let broken_text = entity("sb_Broken", "", &broken);
    let no_primary = entity("sb_NoName", "", &attr("sb_Code", "nvarchar", ""));
    let no_prefix = entity("project", "", &name_attr("Name"));
    let no_name = "<Entity>\n  <EntityInfo>\n    <entity>\n      <attributes />\n    </entity>\n  </EntityInfo>\n</Entity>".to_owned();
    let dir = folder(&[
        ("Entities/sb_Broken/Entity.xml", broken_text.clone()),
        ("Entities/sb_NoName/Entity.xml", no_primary),
        ("Entities/project/Entity.xml", no_prefix),
        ("Entities/Nameless/Entity.xml", no_name),
    ]);
    let failure = read_err(dir.path());
    let d = &failure.diagnostics;
    let broken_file = dir.path().join("Entities/sb_Broken/Entity.xml");
    let at = |diag: &Diagnostic| {
        let loc = diag.location.as_ref().expect("a location");
        (loc.file.clone(), loc.position.expect("a position").0)
    };
    let in_broken = |needle: &str| {
        (
            broken_file.display().to_string(),
            line_of(&broken_text, needle),
        )
    };

    let dup = with_id(d, MessageId::TableDuplicate);
    assert_eq!(dup.len(), 1, "{d:#?}");
    assert_eq!(dup[0].message.get("name"), Some("sb_broken.sb_name"));
    let second = broken_text.rfind("PhysicalName=\"sb_Name\"").unwrap();
    assert_eq!(
        at(dup[0]).1,
        broken_text[..second].matches('\n').count() as u32 + 1
    );

    let ranges = with_id(d, MessageId::TableValueOutOfRange);
    let range = |column: &str| {
        *ranges
            .iter()
            .find(|r| r.message.get("column") == Some(column))
            .unwrap_or_else(|| panic!("range finding for {column}: {d:#?}"))
    };
    assert_eq!(at(range("sb_long")), in_broken("<MaxLength>4001"));
    assert_eq!(range("sb_long").message.get("max"), Some("4000"));
    assert_eq!(at(range("sb_huge")), in_broken("<MaxLength>2000000"));
    assert_eq!(at(range("sb_upside")), in_broken("<MinValue>5"));
    assert_eq!(at(range("sb_precise")), in_broken("<Accuracy>11"));

    let empty = with_id(d, MessageId::TableChoiceEmpty);
    assert_eq!(empty.len(), 1);
    assert_eq!(at(empty[0]), in_broken("PhysicalName=\"sb_Empty\""));
    let twice = with_id(d, MessageId::TableChoiceDuplicate);
    assert_eq!(twice.len(), 1);
    assert_eq!(twice[0].message.get("value"), Some("1"));
    let second_option = broken_text.rfind("<option value=\"1\"").unwrap();
    assert_eq!(
        at(twice[0]).1,
        broken_text[..second_option].matches('\n').count() as u32 + 1
    );
    let not_int = with_id(d, MessageId::XmlNotInteger);
    assert_eq!(at(not_int[0]), in_broken("<MinValue>abc"));
    let bad_name = with_id(d, MessageId::ApiUniqueNameCharacters);
    assert_eq!(at(bad_name[0]), in_broken("<LogicalName>sb_bad-name"));
    let unknown = with_id(d, MessageId::TableOptionSetUnknown);
    assert_eq!(unknown[0].message.get("name"), Some("sb_nowhere"));
    assert_eq!(at(unknown[0]), in_broken("<OptionSetName>"));

    let no_primary = with_id(d, MessageId::TableNoPrimaryName);
    assert_eq!(no_primary.len(), 1);
    assert_eq!(no_primary[0].message.get("table"), Some("sb_noname"));
    let no_prefix = with_id(d, MessageId::ApiUniqueNameNoPrefix);
    assert_eq!(no_prefix.len(), 1);
    assert_eq!(no_prefix[0].message.get("prefix"), Some("sb"));
    assert!(
        at(no_prefix[0])
            .0
            .ends_with(&format!("project{}Entity.xml", std::path::MAIN_SEPARATOR))
    );
    let missing = with_id(d, MessageId::XmlMissingAttribute);
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].message.get("element"), Some("entity"));
    assert!(at(missing[0]).0.contains("Nameless"));
    assert!(d.iter().all(|x| x.location.is_some()));
}

#[test]
fn customizations_xml_alone_defines_tables_and_entity_xml_wins() {
    let in_customizations = [
        entity(
            "sb_Order",
            "      <EntitySetName>sb_orderlist</EntitySetName>\n",
            &[name_attr("sb_Name"), attr("sb_Total", "money", "")].concat(),
        ),
        entity(
            "sb_Project",
            "",
            &[
                name_attr("sb_Name"),
                attr("sb_FromCustomizations", "bit", ""),
            ]
            .concat(),
        ),
    ]
    .join("\n");
    let dir = folder(&[
        (
            "Other/Customizations.xml",
            customizations(&in_customizations, ""),
        ),
        (
            "Entities/sb_Project/Entity.xml",
            entity(
                "sb_Project",
                "",
                &[name_attr("sb_Name"), attr("sb_FromFile", "bit", "")].concat(),
            ),
        ),
    ]);
    let package = read_ok(dir.path());
    assert_eq!(package.tables.len(), 2);
    let order = table(&package, "sb_order");
    assert_eq!(order.table.set_name, "sb_orderlist");
    assert!(order.location.file.ends_with("Customizations.xml"));
    let project = &table(&package, "sb_project").table;
    assert!(project.column("sb_fromfile").is_some());
    assert!(project.column("sb_fromcustomizations").is_none());
    assert!(package.declared_tables.contains(&"sb_order".to_owned()));
}

#[test]
fn an_exported_zip_with_customizations_xml() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Tables_1_0_0_0.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let entities = entity(
        "sb_Ticket",
        "",
        &[
            name_attr("sb_Title"),
            attr(
                "sb_Severity",
                "picklist",
                "          <OptionSetName>sb_severity</OptionSetName>\n",
            ),
            attr("sb_Attachment", "file", ""),
        ]
        .concat(),
    );
    let option_sets = "  <optionsets>\n    <optionset Name=\"sb_severity\">\n      <options>\n        <option value=\"1\"><labels><label description=\"Low\" languagecode=\"1033\" /></labels></option>\n      </options>\n    </optionset>\n  </optionsets>";
    for (name, text) in [
        ("[Content_Types].xml", "<Types />".to_owned()),
        ("solution.xml", SOLUTION_XML.to_owned()),
        ("customizations.xml", customizations(&entities, option_sets)),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();

    let package = read_ok(&path);
    let t = table(&package, "sb_ticket");
    assert_eq!(t.table.primary_name, "sb_title");
    assert!(matches!(
        column_type(t, "sb_severity"),
        ColumnType::Picklist { ref options } if options.len() == 1
    ));
    assert!(
        t.location
            .file
            .ends_with("Tables_1_0_0_0.zip!/customizations.xml")
    );
    let w = with_id(&package.warnings, MessageId::TableColumnUnsupported);
    assert_eq!(w.len(), 1);
    let loc = w[0].location.as_ref().unwrap().to_string();
    assert!(loc.contains("!/customizations.xml:"), "{loc}");

    // The same bytes as an upload.
    let bytes = std::fs::read(&path).unwrap();
    let src = PackageSource::zip_from_bytes("upload.zip", &bytes).unwrap();
    let package = read_source(&src).unwrap();
    assert_eq!(package.tables.len(), 1);
}

#[test]
fn built_in_and_system_tables() {
    // Real exports carry Entity.xml for built-in tables a solution adds columns to.
    let account = r#"<Entity>
  <Name LocalizedName="Account" OriginalName="">Account</Name>
  <EntityInfo>
    <entity Name="Account">
      <attributes>
        <attribute PhysicalName="sb_VatNumber">
          <Type>nvarchar</Type>
          <LogicalName>sb_vatnumber</LogicalName>
          <IsCustomField>1</IsCustomField>
          <MaxLength>30</MaxLength>
        </attribute>
        <attribute PhysicalName="Name">
          <Type>nvarchar</Type>
          <LogicalName>name</LogicalName>
          <IsCustomField>0</IsCustomField>
          <MaxLength>160</MaxLength>
        </attribute>
        <attribute PhysicalName="AccountNumber">
          <Type>nvarchar</Type>
          <LogicalName>accountnumber</LogicalName>
          <MaxLength>20</MaxLength>
        </attribute>
      </attributes>
    </entity>
  </EntityInfo>
</Entity>"#;
    let dir = folder(&[
        ("Entities/Account/Entity.xml", account.to_owned()),
        (
            "Entities/SystemUser/Entity.xml",
            entity("SystemUser", "", &attr("sb_Badge", "nvarchar", "")),
        ),
        (
            "Entities/Lead/Entity.xml",
            entity(
                "Lead",
                "      <IsCustomEntity>0</IsCustomEntity>\n",
                &attr("sb_Score", "int", ""),
            ),
        ),
    ]);
    let package = read_ok(dir.path());
    assert_eq!(package.tables.len(), 1, "{:#?}", package.tables);
    let account = &table(&package, "account").table;
    assert!(!account.is_custom);
    assert_eq!(account.primary_name, "name");
    assert_eq!(account.set_name, "accounts");
    assert_eq!(account.schema_name, "Account");
    let vat = account.column("sb_vatnumber").unwrap();
    assert!(vat.is_custom);
    assert_eq!(vat.column_type, ColumnType::String { max_length: 30 });
    assert!(
        account.column("name").is_none(),
        "own columns are the model's"
    );
    assert!(account.column("accountnumber").is_none());
    let skipped = with_id(&package.warnings, MessageId::TableSkipped);
    let names: Vec<_> = skipped
        .iter()
        .filter_map(|w| w.message.get("table"))
        .collect();
    assert_eq!(names.len(), 2, "{:#?}", package.warnings);
    assert!(names.contains(&"systemuser") && names.contains(&"lead"));
}

#[test]
fn the_sample_solution_defines_sb_project() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../solutions/SwitchboardSamples");
    let package = read_ok(&sample);
    assert!(package.warnings.is_empty(), "{:#?}", package.warnings);
    assert_eq!(package.tables.len(), 1);
    let t = table(&package, "sb_project");
    let tb = &t.table;
    assert_eq!(tb.schema_name, "sb_Project");
    assert_eq!(tb.set_name, "sb_projects");
    assert_eq!(tb.primary_id, "sb_projectid");
    assert_eq!(tb.primary_name, "sb_name");
    assert_eq!(tb.ownership, Ownership::UserOwned);
    assert!(tb.is_custom);
    for lcid in [1033, 1031, 1041] {
        assert!(tb.display_name.labels.contains_key(&lcid), "{lcid}");
        assert!(
            tb.display_collection_name.labels.contains_key(&lcid),
            "{lcid}"
        );
    }
    let expected = [
        ("sb_projectid", ColumnType::PrimaryKey),
        ("sb_name", ColumnType::String { max_length: 100 }),
        ("sb_code", ColumnType::String { max_length: 20 }),
        ("sb_notes", ColumnType::Memo { max_length: 2000 }),
        ("sb_priority", ColumnType::Integer { min: 0, max: 10 }),
        ("sb_hours", ColumnType::Decimal { precision: 2 }),
        ("sb_budget", ColumnType::Money),
        ("sb_ratio", ColumnType::Float),
        ("sb_active", ColumnType::Boolean),
        ("sb_start", ColumnType::DateTime),
        ("sb_externalid", ColumnType::UniqueIdentifier),
        ("sb_big", ColumnType::BigInt),
        (
            "sb_accountid",
            ColumnType::Lookup {
                targets: vec!["account".into()],
            },
        ),
    ];
    for (name, kind) in &expected {
        assert_eq!(&column_type(t, name), kind, "{name}");
    }
    let ColumnType::Picklist { options } = column_type(t, "sb_stage") else {
        panic!("sb_stage is a picklist")
    };
    assert_eq!(
        options.iter().map(|o| o.value).collect::<Vec<_>>(),
        [100000000, 100000001, 100000002]
    );
    for o in &options {
        for lcid in [1033, 1031, 1041] {
            assert!(o.label.labels.contains_key(&lcid), "{} {lcid}", o.value);
        }
    }
    // 14 declared columns, each with a location and labels in the three languages.
    assert_eq!(t.column_locations.len(), 14);
    for name in t.column_locations.keys() {
        let c = tb.column(name).unwrap();
        for lcid in [1033, 1031, 1041] {
            assert!(c.display_name.labels.contains_key(&lcid), "{name} {lcid}");
        }
    }
    assert!(tb.column("sb_name").unwrap().required);
    assert!(!tb.column("sb_code").unwrap().required);
    assert!(tb.column("sb_budget_base").is_none());
    assert!(tb.column("ownerid").is_none());
    // The 14 declared columns plus the four platform columns Switchboard keeps.
    assert_eq!(tb.columns.len(), 18);
    assert!(package.declared_tables.contains(&"sb_project".to_owned()));
}

fn corpus_roots() -> Option<Vec<PathBuf>> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.md")).ok()?;
    Some(
        manifest
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| corpus.join(l.split('`').nth(1).unwrap()))
            .collect(),
    )
}

#[test]
fn corpus_roots_read_without_table_findings() {
    let Some(roots) = corpus_roots() else {
        eprintln!("shared corpus not present; skipped");
        return;
    };
    assert_eq!(roots.len(), 5);
    for root in roots {
        let package = read_ok(&root);
        assert!(package.tables.is_empty(), "{}", root.display());
        let table_warnings: Vec<_> = package
            .warnings
            .iter()
            .filter(|w| w.message.id.as_str().starts_with("table-"))
            .collect();
        assert!(table_warnings.is_empty(), "{table_warnings:#?}");
    }
}
