//! The server is HTTP only: it reaches the database and plug-ins through the engine, so it
//! neither depends on the crates that hold them nor names their types.

use std::path::Path;

const FORBIDDEN: &[&str] = &[
    "sea-orm",
    "sea-query",
    "sqlx",
    "wasmtime",
    "wit-component",
    "switchboard-store",
    "switchboard-wasm",
    "switchboard-pipeline",
];

#[test]
fn the_server_depends_on_no_database_or_plugin_crate() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let normal = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [dependencies] table");
    for line in normal.lines() {
        let name = line
            .split(['=', '.', ' '])
            .next()
            .unwrap_or_default()
            .trim();
        assert!(
            !FORBIDDEN.contains(&name),
            "crates/server depends on {name}"
        );
    }
}

#[test]
fn the_server_code_names_no_database_or_plugin_type() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests may build a store to serve from.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for name in [
            "switchboard_store",
            "switchboard_wasm",
            "switchboard_pipeline",
            "sea_orm",
            "wasmtime",
        ] {
            assert!(!code.contains(name), "{} names {name}", path.display());
        }
    }
}

#[test]
fn the_engine_knows_no_http_framework() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/Cargo.toml"))
            .unwrap();
    for name in ["axum", "hyper", "axum-server", "tower"] {
        assert!(
            !manifest
                .lines()
                .any(|l| l.starts_with(&format!("{name}.")) || l.starts_with(&format!("{name} "))),
            "crates/engine depends on {name}"
        );
    }
}

/// The modules a crate's module names through `crate::…` (outside its unit tests), by the
/// top-level module each file belongs to.
fn module_graph(
    src: &Path,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut graph: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap();
            let top = relative
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned();
            if top == "lib" || top == "main" {
                continue; // the crate root declares every module
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let names = graph.entry(top.clone()).or_default();
            for (i, _) in code.match_indices("crate::") {
                let name: String = code[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != top && name.chars().next().unwrap().is_lowercase() {
                    names.insert(name);
                }
            }
        }
    }
    graph
}

/// No module imports a module that imports it back, directly or around a longer loop, in
/// any crate of the workspace.
#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for entry in std::fs::read_dir(&crates).unwrap() {
        let src = entry.unwrap().path().join("src");
        if !src.is_dir() {
            continue;
        }
        let graph = module_graph(&src);
        // Depth-first search for a path from a module back to itself.
        for start in graph.keys() {
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = std::collections::BTreeSet::new();
            while let Some((at, path)) = stack.pop() {
                for next in graph.get(&at).into_iter().flatten() {
                    assert!(
                        next != start,
                        "{}: {} -> {next}",
                        src.display(),
                        path.join(" -> ")
                    );
                    if graph.contains_key(next) && seen.insert(next.clone()) {
                        let mut longer = path.clone();
                        longer.push(next.clone());
                        stack.push((next.clone(), longer));
                    }
                }
            }
        }
    }
}
