//! Exported zips: `solution.xml`/`customizations.xml` at the root, assemblies and steps
//! inline in customizations.xml, the component binary as an entry; hostile archives.

use std::io::Write;
use std::path::{Path, PathBuf};

use sea_orm::EntityTrait;
use switchboard_store::entity::{pluginassembly, sdkmessageprocessingstep};

use crate::support::*;

const TYPE_ID: &str = "0b6f7e5c-1a2b-4c3d-8e9f-a0b1c2d3e4f5";
const ASSEMBLY_ID: &str = "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
/// The sample reverse plug-in, built.
fn wasm() -> Vec<u8> {
    built_plugin("Reverse")
}

fn customizations() -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Entities />
  <SolutionPluginAssemblies>
    <PluginAssembly FullName="Reverse, Version=1.0.0.0" PluginAssemblyId="{ASSEMBLY_ID}" CustomizationLevel="1">
      <IsolationMode>2</IsolationMode>
      <SourceType>0</SourceType>
      <FileName>/PluginAssemblies/Reverse-7D1E2F3A/Reverse.wasm</FileName>
      <PluginTypes>
        <PluginType AssemblyQualifiedName="Samples.Reverse, Reverse" PluginTypeId="{TYPE_ID}" Name="Samples.Reverse">
          <FriendlyName>Reverse</FriendlyName>
        </PluginType>
      </PluginTypes>
    </PluginAssembly>
  </SolutionPluginAssemblies>
  <SdkMessageProcessingSteps>
    <SdkMessageProcessingStep Name="Reverse: Create of account" SdkMessageProcessingStepId="{{d27c4acf-a23b-ec11-a82c-0022485b751f}}">
      <SdkMessageId>{{9ebdbb1b-ea3e-db11-86a7-000a3a5473e8}}</SdkMessageId>
      <PluginTypeName>Samples.Reverse, Reverse</PluginTypeName>
      <PluginTypeId>{TYPE_ID}</PluginTypeId>
      <PrimaryEntity>account</PrimaryEntity>
      <FilteringAttributes>name,telephone1</FilteringAttributes>
      <Mode>0</Mode>
      <Rank>2</Rank>
      <Stage>20</Stage>
      <SdkMessageProcessingStepImages />
    </SdkMessageProcessingStep>
  </SdkMessageProcessingSteps>
  <Languages><Language>1033</Language></Languages>
</ImportExportXml>"#
    )
}

/// Zips the sample solution the way Dataverse exports it.
fn exported_zip(dir: &Path, tweak: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> PathBuf {
    let path = dir.join("SwitchboardSamples_1_0_0_0.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let mut add = |name: &str, bytes: Vec<u8>| {
        zip.start_file(name, options).unwrap();
        zip.write_all(&tweak(name, bytes)).unwrap();
    };
    add("[Content_Types].xml", br#"<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/octet-stream" /></Types>"#.to_vec());
    add(
        "solution.xml",
        std::fs::read(sample().join("Other/Solution.xml")).unwrap(),
    );
    add("customizations.xml", customizations().into_bytes());
    add("PluginAssemblies/Reverse-7D1E2F3A/Reverse.wasm", wasm());
    let root = sample();
    let mut stack = vec![root.join("customapis")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .replace('\\', "/");
                add(&rel, std::fs::read(&p).unwrap());
            }
        }
    }
    zip.finish().unwrap();
    path
}

fn point_greet_at_reverse(name: &str, bytes: Vec<u8>) -> Vec<u8> {
    if name == "customapis/sb_Greet/customapi.xml" {
        let text = String::from_utf8(bytes).unwrap();
        let reference = format!(
            "<plugintypeid>\n    <plugintypeid>{{{TYPE_ID}}}</plugintypeid>\n  </plugintypeid>\n  <workflowsdkstepenabled>"
        );
        return text
            .replacen("<workflowsdkstepenabled>", &reference, 1)
            .into_bytes();
    }
    bytes
}

#[tokio::test]
async fn exported_zip_with_inline_assembly_and_step() {
    let dir = tempfile::tempdir().unwrap();
    let zip = exported_zip(dir.path(), point_greet_at_reverse);
    let db = sqlite();
    let out = import_ok(&db.url, &[&zip]);
    let text = stdout(&out);
    assert!(text.contains("created pluginassembly Reverse"), "{text}");
    assert!(
        !text.contains("refers to plug-in type"),
        "the reference resolves: {text}"
    );

    let store = store(&db.url).await;
    let assembly = pluginassembly::Entity::find()
        .one(store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(assembly.kind, "wasm");
    let bytes = wasm();
    assert_eq!(assembly.content.as_deref(), Some(bytes.as_slice()));
    use sha2::Digest;
    assert_eq!(
        assembly.sha256.as_deref(),
        Some(hex::encode(sha2::Sha256::digest(&bytes)).as_str())
    );
    let step = sdkmessageprocessingstep::Entity::find()
        .one(store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(step.stage, 20);
    assert_eq!(step.rank, 2);
    assert_eq!(step.filteringattributes.as_deref(), Some("name,telephone1"));
    assert_eq!(step.plugintypeid.unwrap().to_string(), TYPE_ID);
    let list = list_json(&db.url);
    let greet = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["uniquename"] == "sb_Greet")
        .unwrap();
    assert_eq!(greet["plugintype"]["plugintypeid"], TYPE_ID);
    assert_eq!(list.as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn errors_inside_a_zip_name_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let zip = exported_zip(dir.path(), |name, bytes| {
        if name.ends_with("sb_Greet/customapirequestparameters/Name/customapirequestparameter.xml")
        {
            String::from_utf8(bytes)
                .unwrap()
                .replace("<type>10</type>", "<type>13</type>")
                .into_bytes()
        } else {
            bytes
        }
    });
    let db = sqlite();
    let out = run(&db.url, &["import", zip.to_str().unwrap()]);
    assert!(!out.status.success());
    let expected = format!(
        "{}!/customapis/sb_Greet/customapirequestparameters/Name/customapirequestparameter.xml:",
        zip.display()
    );
    assert!(
        stderr(&out)
            .lines()
            .any(|l| l.starts_with(&expected) && l.contains("unknown type code 13")),
        "{}",
        stderr(&out)
    );
    assert_eq!(counts(&db.url).await["customapi"], 0);
}

#[tokio::test]
async fn zip_slip_entries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    zip.start_file("../../evil.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"<x/>").unwrap();
    zip.finish().unwrap();
    let db = sqlite();
    let out = run(&db.url, &["import", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("points outside the archive"),
        "{}",
        stderr(&out)
    );
    assert_eq!(counts(&db.url).await["solution"], 0);
}
