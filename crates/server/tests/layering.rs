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
