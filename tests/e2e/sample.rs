//! The sample solution covers what the README promises: all bindings, functions and
//! actions, a private API, an execute privilege, all 13 types both ways, three languages.

use std::collections::BTreeSet;

use crate::support::*;

#[tokio::test]
async fn sample_solution_covers_every_type_binding_and_language() {
    let db = sqlite();
    import_ok(&db.url, &[&sample()]);
    let list = list_json(&db.url);
    let apis = list.as_array().unwrap();
    assert!(apis.len() >= 6, "at least six APIs");

    let bindings: BTreeSet<i64> = apis
        .iter()
        .map(|a| a["bindingtype"].as_i64().unwrap())
        .collect();
    assert_eq!(bindings, BTreeSet::from([0, 1, 2]));
    assert!(apis.iter().any(|a| a["isfunction"] == true));
    assert!(apis.iter().any(|a| a["isfunction"] == false));
    assert!(apis.iter().any(|a| a["isprivate"] == true));
    assert!(
        apis.iter()
            .any(|a| a["executeprivilegename"] == "prvAssignAccount")
    );

    let types = |key: &str| -> BTreeSet<i64> {
        apis.iter()
            .flat_map(|a| a[key].as_array().unwrap())
            .map(|p| p["type"].as_i64().unwrap())
            .collect()
    };
    let all: BTreeSet<i64> = (0..=12).collect();
    assert_eq!(
        types("requestparameters"),
        all,
        "every type as a request parameter"
    );
    assert_eq!(
        types("responseproperties"),
        all,
        "every type as a response property"
    );

    for a in apis {
        for lcid in ["1033", "1031", "1041"] {
            assert!(
                a["displayname"]["labels"][lcid].is_string(),
                "{} displayname in {lcid}",
                a["uniquename"]
            );
        }
    }
    // One label is missing on purpose, so fallback can be shown later.
    let greet = apis.iter().find(|a| a["uniquename"] == "sb_Greet").unwrap();
    let name = greet["requestparameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["uniquename"] == "Name")
        .unwrap();
    assert!(name["displayname"]["labels"]["1031"].is_null());
    assert_eq!(name["displayname"]["labels"]["1041"], "名前");
    assert_eq!(name["isoptional"], false);
}

#[tokio::test]
async fn sample_files_use_the_exact_export_format() {
    // Custom-API files as real exports write them: no BOM, no XML declaration, LF only.
    let mut checked = 0;
    let mut stack = vec![sample().join("customapis")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.starts_with(b"\xEF\xBB\xBF"),
                "{} has a BOM",
                path.display()
            );
            assert!(
                !bytes.starts_with(b"<?xml"),
                "{} has a declaration",
                path.display()
            );
            assert!(!bytes.contains(&b'\r'), "{} has CR", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 50);
}
