//! Import orchestration: read every package, then store them all in one transaction,
//! turning store conflicts back into file locations.

use std::path::PathBuf;

use switchboard_model::{ApiField, Message, MessageId};
use switchboard_solution::{Diagnostic, Location, SolutionPackage, read_package};
use switchboard_store::import::ImportInput;
use switchboard_store::{
    Conflict, ImportError, ImportReport, ItemKind, StepFailure, StepRule, Store,
};

/// A package that was imported, with what the import did.
#[derive(Debug)]
pub struct Imported {
    /// The package as read.
    pub package: SolutionPackage,
    /// What the store did with it.
    pub report: ImportReport,
}

/// Why nothing was imported: every error (and warning) found.
#[derive(Debug)]
pub struct ImportFailure {
    /// Errors first.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads and imports packages: all of them, or none (one transaction).
pub async fn import_paths(
    store: &Store,
    paths: &[PathBuf],
) -> Result<Vec<Imported>, ImportFailure> {
    let mut packages: Vec<SolutionPackage> = Vec::new();
    let mut diagnostics = Vec::new();
    for path in paths {
        match read_package(path) {
            Ok(p) => packages.push(p),
            Err(failure) => diagnostics.extend(failure.diagnostics),
        }
    }
    if !diagnostics.iter().any(Diagnostic::is_error) {
        prepare_plugins(&mut packages, &mut diagnostics).await;
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        for p in &packages {
            diagnostics.extend(p.warnings.iter().cloned());
        }
        return Err(ImportFailure { diagnostics });
    }
    let tables: Vec<Vec<switchboard_model::Table>> = packages
        .iter()
        .map(|p| p.tables.iter().map(|t| t.table.clone()).collect())
        .collect();
    let api_refs: Vec<Vec<&switchboard_model::CustomApi>> = packages
        .iter()
        .map(|p| p.apis.iter().map(|a| &a.api).collect())
        .collect();
    let inputs: Vec<ImportInput<'_>> = packages
        .iter()
        .zip(&api_refs)
        .zip(&tables)
        .map(|((p, apis), tables)| ImportInput {
            solution: &p.solution,
            apis,
            assemblies: &p.assemblies,
            packages: &p.packages,
            steps: &p.steps,
            tables,
        })
        .collect();
    match store.import(&inputs).await {
        Ok(reports) => Ok(packages
            .into_iter()
            .zip(reports)
            .map(|(package, report)| Imported { package, report })
            .collect()),
        Err(e) => {
            let mut diagnostics: Vec<Diagnostic> = match e {
                ImportError::Conflicts(conflicts) => conflicts
                    .iter()
                    .map(|c| Diagnostic::error(conflict_location(&packages, c), c.message()))
                    .collect(),
                ImportError::Refused(message) => {
                    let loc = refused_location(&packages, &message);
                    vec![Diagnostic::error(loc, message)]
                }
                ImportError::Table(table, message) => {
                    vec![Diagnostic::error(
                        table_location(&packages, &table),
                        message,
                    )]
                }
                ImportError::Steps(failures) => failures
                    .into_iter()
                    .map(|f| Diagnostic::error(step_location(&packages, &f), f.message))
                    .collect(),
                ImportError::Database(e) => {
                    vec![Diagnostic::error(
                        None,
                        Message::new(MessageId::ImportDatabase).arg("detail", e),
                    )]
                }
            };
            for p in &packages {
                diagnostics.extend(p.warnings.iter().cloned());
            }
            Err(ImportFailure { diagnostics })
        }
    }
}

/// Turns WebAssembly assemblies into components (authors ship plain `wasm32` modules),
/// loads each once to learn which plug-in types it exports, and warns about types the
/// package declares that the component lacks.
async fn prepare_plugins(packages: &mut [SolutionPackage], diagnostics: &mut Vec<Diagnostic>) {
    use switchboard_model::PluginAssemblyKind;
    let has_wasm = packages
        .iter()
        .flat_map(|p| &p.assemblies)
        .any(|a| a.kind == PluginAssemblyKind::Wasm && a.content.is_some());
    if !has_wasm {
        return;
    }
    let host = match switchboard_wasm::Host::new(switchboard_wasm::HostConfig::default()) {
        Ok(h) => h,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                None,
                Message::new(MessageId::PluginLoadFailed)
                    .arg("assembly", "-")
                    .arg("detail", e),
            ));
            return;
        }
    };
    for package in packages.iter_mut() {
        let origin = package.origin.clone();
        for assembly in package
            .assemblies
            .iter_mut()
            .filter(|a| a.kind == PluginAssemblyKind::Wasm)
        {
            let Some(bytes) = assembly.content.take() else {
                continue;
            };
            let location = Some(Location {
                file: format!(
                    "{origin} ({})",
                    assembly.file_name.as_deref().unwrap_or("?")
                ),
                position: None,
            });
            let failed = |detail: String| {
                Diagnostic::error(
                    location.clone(),
                    Message::new(MessageId::PluginLoadFailed)
                        .arg("assembly", &assembly.name)
                        .arg("detail", detail),
                )
            };
            let component = match switchboard_wasm::componentize(&bytes) {
                Ok(c) => c,
                Err(e) => {
                    diagnostics.push(failed(e));
                    continue;
                }
            };
            match host.load(&component).await {
                Ok(loaded) => {
                    for t in assembly
                        .types
                        .iter()
                        .filter(|t| !loaded.plugin_types.contains(&t.name))
                    {
                        package.warnings.push(Diagnostic::warning(
                            location.clone(),
                            Message::new(MessageId::PluginTypeMissing)
                                .arg("assembly", &assembly.name)
                                .arg("type", &t.name),
                        ));
                    }
                    assembly.sha256 = Some(loaded.sha256.clone());
                    assembly.content = Some(component);
                }
                Err(f) => diagnostics.push(failed(format!("{f:?}"))),
            }
        }
    }
}

/// The line of the element holding the changed value.
fn conflict_location(packages: &[SolutionPackage], c: &Conflict) -> Option<Location> {
    let api = packages
        .iter()
        .flat_map(|p| &p.apis)
        .find(|a| a.api.unique_name.as_str().eq_ignore_ascii_case(&c.api))?;
    let loc = match (c.kind, &c.item) {
        (ItemKind::CustomApi, _) | (_, None) => api.location_of(ApiField::Api(c.column)),
        (ItemKind::RequestParameter, Some(item)) => api.parameter_location(item, c.column),
        (ItemKind::ResponseProperty, Some(item)) => api.property_location(item, c.column),
    };
    loc.cloned()
}

/// The manifest of the solution a refusal names.
fn refused_location(packages: &[SolutionPackage], message: &Message) -> Option<Location> {
    let solution = message.get("solution")?;
    packages
        .iter()
        .find(|p| p.solution.unique_name == solution)
        .map(|p| p.manifest_location.clone())
}

/// Where the table with this logical name was declared.
fn table_location(packages: &[SolutionPackage], table: &str) -> Option<Location> {
    packages
        .iter()
        .flat_map(|p| &p.tables)
        .find(|t| t.table.logical_name == table)
        .map(|t| t.location.clone())
}

/// The element of the step file that holds what a refused step got wrong.
fn step_location(packages: &[SolutionPackage], f: &StepFailure) -> Option<Location> {
    let step = packages
        .iter()
        .flat_map(|p| &p.step_locations)
        .find(|s| s.id == f.id)?;
    let elements: &[&str] = match f.rule {
        StepRule::UnknownMessage => &["SdkMessageId", "SdkMessageName"],
        StepRule::UnknownPluginType => &["PluginTypeId", "PluginTypeExportKey", "PluginTypeName"],
        StepRule::StageAndMode => &["Stage"],
        StepRule::NotAllowedOnMessage => &["Mode", "Stage"],
        StepRule::Image => &["SdkMessageProcessingStepImages"],
        // The name is an attribute of the step element.
        StepRule::Name
        | StepRule::UnknownStep
        | StepRule::UnknownImage
        | StepRule::Duplicate
        | StepRule::Managed => &[],
    };
    Some(step.location_of(elements).clone())
}
