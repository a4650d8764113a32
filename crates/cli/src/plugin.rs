//! Building plug-ins: `plugin new` scaffolds a crate, `plugin build` compiles it for
//! `wasm32-unknown-unknown` and turns the module into a component, and the demo and tests
//! build the sample plug-ins into the sample solution the same way.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The one target plug-ins are built for: no WASI, so the sandbox has only the WIT imports.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// Where this build of Switchboard found the plug-in SDK (used by the scaffold).
pub fn sdk_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plugin-sdk")
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugin-sdk"))
}

/// Adds the wasm32 target with rustup, only when it is missing.
pub fn ensure_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    if let Ok(out) = &installed
        && String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|l| l.trim() == TARGET)
    {
        return Ok(());
    }
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .map_err(|e| format!("cannot run rustup to add {TARGET}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("rustup target add {TARGET} failed"))
    }
}

fn metadata(manifest: &Path) -> Result<serde_json::Value, String> {
    let out = Command::new("cargo")
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

/// Builds the crate (or every crate of the workspace) at `path` and returns the component
/// written for each package: `(package name, component path)`.
pub fn build(path: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let manifest = path.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(format!("{} has no Cargo.toml", path.display()));
    }
    ensure_target()?;
    let meta = metadata(&manifest)?;
    let target_dir = PathBuf::from(meta["target_directory"].as_str().unwrap_or("target"));
    let manifest_abs = manifest.canonicalize().map_err(|e| e.to_string())?;
    let packages: Vec<String> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            // A crate folder builds that crate; a workspace folder builds all members.
            let m = p["manifest_path"].as_str().map(PathBuf::from);
            m.as_deref() == Some(manifest_abs.as_path())
                || meta["workspace_root"].as_str().map(Path::new) == manifest_abs.parent()
        })
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    let out = Command::new("cargo")
        .args(["build", "--release", "--target", TARGET, "--manifest-path"])
        .arg(&manifest)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
    }
    let release = target_dir.join(TARGET).join("release");
    let mut built = Vec::new();
    for name in packages {
        let core = release.join(format!("{}.wasm", name.replace('-', "_")));
        let bytes = std::fs::read(&core).map_err(|e| format!("{}: {e}", core.display()))?;
        let component = switchboard_wasm::componentize(&bytes)?;
        let target = release.join(format!("{}.component.wasm", name.replace('-', "_")));
        std::fs::write(&target, component).map_err(|e| format!("{}: {e}", target.display()))?;
        built.push((name, target));
    }
    Ok(built)
}

/// The sample plug-ins and the assembly each one is in the plug-in sample solution.
pub const SAMPLES: &[(&str, &str)] = &[
    ("reverse", "Reverse"),
    ("echo", "Echo"),
    ("faults", "Faults"),
    ("projects", "Projects"),
    ("steps", "Steps"),
];

/// Builds `plugins/` and copies each component to where `solutions/SwitchboardPlugins`
/// names it (`PluginAssemblies/<Name>-<GUID>/<Name>.wasm`). Returns the files written.
pub fn build_samples(plugins: &Path, solutions: &Path) -> Result<Vec<PathBuf>, String> {
    let built = build(plugins)?;
    let assemblies = solutions
        .join("SwitchboardPlugins")
        .join("PluginAssemblies");
    let mut written = Vec::new();
    for (crate_name, assembly) in SAMPLES {
        let Some((_, component)) = built.iter().find(|(n, _)| n == crate_name) else {
            continue;
        };
        let folder = std::fs::read_dir(&assemblies)
            .map_err(|e| format!("{}: {e}", assemblies.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{assembly}-")))
            })
            .ok_or_else(|| {
                format!(
                    "no PluginAssemblies/{assembly}-<GUID> folder in {}",
                    assemblies.display()
                )
            })?;
        let target = folder.join(format!("{assembly}.wasm"));
        // Copy then rename, so a concurrent import never reads a half-written file.
        let partial = folder.join(format!(".{assembly}.wasm.{}", std::process::id()));
        std::fs::copy(component, &partial).map_err(|e| format!("{}: {e}", partial.display()))?;
        std::fs::rename(&partial, &target).map_err(|e| format!("{}: {e}", target.display()))?;
        written.push(target);
    }
    Ok(written)
}

/// Creates `dir/name`: a plug-in crate that builds as is, outside this repository too.
pub fn scaffold(name: &str, dir: &Path) -> Result<PathBuf, String> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!(
            "{name:?} is not a crate name (letters, digits, - and _)"
        ));
    }
    let root = dir.join(name);
    if root.exists() {
        return Err(format!("{} already exists", root.display()));
    }
    std::fs::create_dir_all(root.join("src")).map_err(|e| e.to_string())?;
    let type_name: String = name
        .split(['-', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| p[..1].to_ascii_uppercase() + &p[1..])
        .collect();
    let sdk = sdk_path();
    let manifest = format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
# The Switchboard plug-in SDK is not published on crates.io; this points at the copy this
# `switchboard` was built from. Use a git dependency instead to share the crate.
switchboard-plugin = {{ path = "{sdk}" }}

[profile.release]
opt-level = "s"
lto = true
codegen-units = 1
strip = true

# A workspace of its own, so it builds wherever it is created.
[workspace]
"#,
        sdk = sdk.display()
    );
    let source = format!(
        r#"//! The {type_name} plug-in. Build it with `switchboard plugin build {name}`, reference the
//! component from a solution's `PluginAssemblies/` and name the type "{name}.{type_name}".

use switchboard_plugin::{{export_plugins, Context, Plugin, PluginError}};

struct {type_name};

impl Plugin for {type_name} {{
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {{
        let text: String = ctx.input("StringParameter")?.unwrap_or_default();
        ctx.trace(format!("{{}} called with {{}} characters", ctx.message_name(), text.len()));
        ctx.set_output("StringProperty", text.chars().rev().collect::<String>())
    }}
}}

export_plugins!("{name}.{type_name}" => {type_name});
"#
    );
    std::fs::write(root.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(root.join("src/lib.rs"), source).map_err(|e| e.to_string())?;
    std::fs::write(root.join(".gitignore"), "/target\n").map_err(|e| e.to_string())?;
    Ok(root)
}
