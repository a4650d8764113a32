//! Every solution root of the shared corpus imports into a fresh database, and what is
//! read back from the store matches the manifest and the files.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use switchboard_store::entity::{localizedlabel, sdkmessageprocessingstep, solution};

use crate::support::*;

/// One row of corpus/MANIFEST.md.
struct Root {
    path: String,
    apis: u64,
    params: u64,
    props: u64,
    steps: u64,
}

fn manifest(shared: &std::path::Path) -> Vec<Root> {
    let text = std::fs::read_to_string(shared.join("corpus/MANIFEST.md")).unwrap();
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let n = |i: usize| {
                cells[i]
                    .parse::<u64>()
                    .unwrap_or_else(|_| panic!("count in {l}"))
            };
            Root {
                path: cells[1].trim_matches('`').to_owned(),
                apis: n(3),
                params: n(4),
                props: n(5),
                steps: n(6),
            }
        })
        .collect()
}

#[tokio::test]
async fn every_corpus_root_imports_with_the_manifest_counts() {
    let Some(shared) = shared("every_corpus_root_imports_with_the_manifest_counts") else {
        return;
    };
    let roots = manifest(&shared);
    assert_eq!(roots.len(), 5, "MANIFEST.md lists five roots");
    for root in roots {
        let db = sqlite();
        let path = shared.join("corpus").join(&root.path);
        import_ok(&db.url, &[&path]);
        let c = counts(&db.url).await;
        assert_eq!(c["customapi"], root.apis, "{}: APIs", root.path);
        assert_eq!(
            c["customapirequestparameter"], root.params,
            "{}: request parameters",
            root.path
        );
        assert_eq!(
            c["customapiresponseproperty"], root.props,
            "{}: response properties",
            root.path
        );
        assert_eq!(
            c["sdkmessageprocessingstep"], root.steps,
            "{}: steps",
            root.path
        );
        assert_eq!(c["solution"], 1);
        // Built-in messages (OnBackgroundOperationComplete among them) plus one per custom API.
        assert_eq!(c["sdkmessage"], 10 + root.apis);
    }
}

fn find<'a>(list: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["uniquename"] == name)
        .unwrap_or_else(|| panic!("{name} listed"))
}

#[tokio::test]
async fn drivardxrm_values_read_back() {
    let Some(shared) = shared("drivardxrm_values_read_back") else {
        return;
    };
    let db = sqlite();
    import_ok(
        &db.url,
        &[&shared.join("corpus/drivardxrm__Dataverse-CustomApis/Solution")],
    );
    let list = list_json(&db.url);
    let tz = find(&list, "driv_GetUserTimezone");
    assert_eq!(tz["bindingtype"], 1);
    assert_eq!(tz["boundentitylogicalname"], "systemuser");
    assert_eq!(tz["isfunction"], false);
    assert_eq!(tz["name"], "GetUserTimezone");
    assert_eq!(
        tz["plugintype"]["plugintypeid"],
        "56915356-e10a-49f3-9f4a-77d51264cd35"
    );
    assert_eq!(
        tz["requestparameters"].as_array().unwrap().len(),
        0,
        "Target is implicit, not stored"
    );
    let age = find(&list, "driv_AgeCalculation");
    assert_eq!(age["displayname"]["labels"]["1033"], "AgeCalculation");
    let types: Vec<i64> = age["requestparameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_i64().unwrap())
        .collect();
    assert_eq!(types, vec![1, 1], "two DateTime parameters");
    assert_eq!(age["responseproperties"][0]["uniquename"], "Age");
    assert_eq!(age["responseproperties"][0]["typename"], "Integer");
    // The .dll is recorded as a foreign assembly with its nine types.
    let c = counts(&db.url).await;
    assert_eq!(c["pluginassembly"], 1);
    assert_eq!(c["plugintype"], 9);

    let managed = sqlite();
    import_ok(
        &managed.url,
        &[&shared.join("corpus/drivardxrm__Dataverse-CustomApis/Solution_Managed")],
    );
    let list = list_json(&managed.url);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|a| a["ismanaged"] == true)
    );
}

#[tokio::test]
async fn fredrikhr_values_read_back() {
    let Some(shared) = shared("fredrikhr_values_read_back") else {
        return;
    };
    let db = sqlite();
    let root = shared.join(
        "corpus/fredrikhr__powerplatform-customapis/solutions/PowerPlatformRuntimeExtensions/src",
    );
    let out = import_ok(&db.url, &[&root]);
    assert!(
        stdout(&out).contains("does not start with the publisher prefix \"frh_\""),
        "prefix warning shown"
    );
    let list = list_json(&db.url);
    let functions: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["isfunction"] == true)
        .map(|a| a["uniquename"].as_str().unwrap())
        .collect();
    assert_eq!(functions, vec!["pwrplatf_GetRuntimeInformation"]);
    let hash = find(&list, "pwrplatf_ComputeHash");
    assert_eq!(hash["name"], "Compute Hash");
    assert_eq!(
        hash["plugintype"]["plugintypeexportkey"],
        "CD9462D7F80A3003A678470EB2D31102EFBDFDD00E9692E7F06D028255DEE683"
    );
    let encode = find(&list, "pwrplatf_EncodeCompoundLayoutUuid");
    let layout = encode["requestparameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["uniquename"] == "LayoutParameters")
        .unwrap();
    assert_eq!(
        layout["type"], 3,
        "Entity-typed parameter without logicalentityname"
    );
    assert_eq!(layout["logicalentityname"], serde_json::Value::Null);

    // The solution's names in 1033 and 1044 are stored as labels.
    let store = store(&db.url).await;
    let sol = solution::Entity::find()
        .one(store.connection())
        .await
        .unwrap()
        .unwrap();
    let names = localizedlabel::Entity::find()
        .filter(localizedlabel::Column::Objectid.eq(sol.solutionid))
        .filter(localizedlabel::Column::Attributename.eq("friendlyname"))
        .all(store.connection())
        .await
        .unwrap();
    let mut langs: Vec<(i32, String)> = names
        .into_iter()
        .map(|l| (l.languagecode, l.label))
        .collect();
    langs.sort();
    assert_eq!(
        langs,
        vec![
            (1033, "Power Platform Runtime Extensions".into()),
            (1044, "Power Platform Runtime Utvidelser".into())
        ]
    );

    let empty = sqlite();
    import_ok(
        &empty.url,
        &[&shared.join("corpus/fredrikhr__powerplatform-customapis/solutions/PowerPlatformSolutionManagementExtensions/src")],
    );
    assert_eq!(counts(&empty.url).await["solution"], 1);
}

#[tokio::test]
async fn juergenbeck_values_read_back() {
    let Some(shared) = shared("juergenbeck_values_read_back") else {
        return;
    };
    let db = sqlite();
    import_ok(
        &db.url,
        &[&shared.join("corpus/juergenbeck__D365TestCenter/solution/src")],
    );
    let list = list_json(&db.url);
    let recover = find(&list, "jbe_RecoverStaleChunks");
    assert_eq!(
        recover["plugintype"],
        serde_json::Value::Null,
        "API without <plugintypeid>"
    );
    assert_eq!(recover["allowedcustomprocessingsteptype"], 1);
    let run = find(&list, "jbe_RunIntegrationTests");
    let test_run = run["requestparameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["uniquename"] == "TestRunId")
        .unwrap();
    assert_eq!(test_run["type"], 5);
    assert_eq!(test_run["logicalentityname"], "jbe_testrun");

    let store = store(&db.url).await;
    let mut steps = sdkmessageprocessingstep::Entity::find()
        .all(store.connection())
        .await
        .unwrap();
    steps.sort_by_key(|s| s.name.clone());
    assert_eq!(steps.len(), 2);
    let create = &steps[0];
    assert_eq!(
        create.name,
        "D365TestCenter.RunTestsOnStatusChange: Create of jbe_testrun"
    );
    assert_eq!(
        create.sdkmessageid.unwrap().to_string(),
        "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8"
    );
    assert_eq!(create.stage, 40);
    assert_eq!(create.mode, 1);
    assert_eq!(create.primaryobjecttypecode.as_deref(), Some("jbe_testrun"));
    assert_eq!(
        create.plugintypeexportkey.as_deref(),
        Some("2CB787D23396CEB8B99A2F36327D8A5DDDC86288F4DDA8598B2FC1B02E327E3F")
    );
    // The Update step's pre-image, as the export registers it.
    let images = switchboard_store::entity::sdkmessageprocessingstepimage::Entity::find()
        .all(store.connection())
        .await
        .unwrap();
    assert_eq!(images.len(), 1);
    let image = &images[0];
    assert_eq!(
        image.sdkmessageprocessingstepimageid.to_string(),
        "711bebe9-3d38-f111-88b4-7c1e5272e12a"
    );
    assert_eq!(
        image.sdkmessageprocessingstepid,
        steps[1].sdkmessageprocessingstepid
    );
    assert_eq!(image.entityalias, "PreImage");
    assert_eq!(image.imagetype, 0);
    assert_eq!(image.attributes.as_deref(), Some("jbe_teststatus"));
    assert_eq!(image.messagepropertyname, "Target");
}
