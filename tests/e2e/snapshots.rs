//! Snapshots of what callers and importers see: the served `$metadata` of the sample
//! solutions and what the reader makes of each corpus root. A change in either shows up as
//! a snapshot diff to review (`cargo insta review`, or `INSTA_UPDATE=always` then `git
//! diff`), never as a guess.

use std::path::Path;

use serde_json::{Value as Json, json};

use crate::support::*;

#[tokio::test]
async fn metadata_of_the_sample_solution() {
    let s = serve_sample();
    let r = get(&s.url("$metadata")).await;
    assert_eq!(r.status, 200);
    insta::assert_snapshot!(r.text);
}

#[tokio::test]
async fn metadata_of_the_plugin_solution() {
    let s = serve(&[&plugin_solution()]);
    let r = get(&s.url("$metadata")).await;
    assert_eq!(r.status, 200);
    insta::assert_snapshot!(r.text);
}

/// What a package read gives the importer, with paths relative to `root` and binaries by
/// size and hash (they are built, not written).
fn package_json(root: &Path) -> Json {
    let package = switchboard_solution::read_package(root)
        .unwrap_or_else(|f| panic!("{} does not read: {:?}", root.display(), f.diagnostics));
    let localizer = switchboard_locale::Locales::default().pick(None, None);
    let origin = root.display().to_string();
    let assemblies: Vec<Json> = package
        .assemblies
        .iter()
        .map(|a| {
            let mut v = serde_json::to_value(a).unwrap();
            v["content"] = json!(a.content.as_ref().map(|c| format!("{} bytes", c.len())));
            v
        })
        .collect();
    let warnings: Vec<String> = package
        .warnings
        .iter()
        .map(|d| {
            let at = d
                .location
                .as_ref()
                .map(|l| l.to_string().replace(&origin, "[root]"))
                .unwrap_or_default();
            format!("{:?} {at}: {}", d.severity, localizer.render(&d.message))
        })
        .collect();
    json!({
        "solution": package.solution,
        "apis": package.apis.iter().map(|a| &a.api).collect::<Vec<_>>(),
        "assemblies": assemblies,
        "packages": package.packages,
        "steps": package.steps,
        "tables": package.tables.iter().map(|t| &t.table).collect::<Vec<_>>(),
        "declared_tables": package.declared_tables,
        "warnings": warnings,
    })
}

#[test]
fn reading_each_corpus_root() {
    let Some(shared) = shared("reading_each_corpus_root") else {
        return;
    };
    let manifest = std::fs::read_to_string(shared.join("corpus/MANIFEST.md")).unwrap();
    let roots: Vec<&str> = manifest
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1))
        .collect();
    assert_eq!(roots.len(), 5, "MANIFEST.md lists five roots");
    for root in roots {
        let name = root.replace(['/', '.'], "_");
        insta::assert_json_snapshot!(name, package_json(&shared.join("corpus").join(root)));
    }
}

#[test]
fn reading_the_sample_solution() {
    insta::assert_json_snapshot!(package_json(&sample()));
}
