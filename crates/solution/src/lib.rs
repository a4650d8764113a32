//! Reads Dataverse solution packages (unpacked folders or exported zips) into validated
//! model values, collecting every error with its file, line and column.

pub mod customapi;
pub mod diagnostic;
pub mod source;
pub mod tables;
pub mod xml;

mod manifest;
mod plugins;
mod reader;
mod steps;

use std::collections::HashSet;
use std::path::Path;

use switchboard_model::names::BUILT_IN_TABLES;
use switchboard_model::{
    Message, MessageId, PluginAssembly, PluginPackage, ProcessingStep, Severity, Solution,
};

pub use customapi::LocatedApi;
pub use diagnostic::{Diagnostic, Location};
pub use source::PackageSource;
pub use steps::LocatedStep;
pub use tables::LocatedTable;

use reader::{Ctx, text_child};

/// Everything a package holds that Switchboard stores.
#[derive(Debug, Clone)]
pub struct SolutionPackage {
    /// The folder or zip as the user named it.
    pub origin: String,
    /// Where the manifest was read (for errors about the solution as a whole).
    pub manifest_location: Location,
    /// The manifest.
    pub solution: Solution,
    /// Custom APIs with their source locations.
    pub apis: Vec<LocatedApi>,
    /// Plug-in assemblies with their types (and wasm bytes when present).
    pub assemblies: Vec<PluginAssembly>,
    /// Plug-in packages.
    pub packages: Vec<PluginPackage>,
    /// Processing steps.
    pub steps: Vec<ProcessingStep>,
    /// Where each step was read (same order as `steps`).
    pub step_locations: Vec<LocatedStep>,
    /// Tables the package defines (`Entities/<name>/Entity.xml`, or `<Entities>` in
    /// `customizations.xml`), with where each was read.
    pub tables: Vec<LocatedTable>,
    /// Tables the package declares (root components, `Entities/…`, the tables read), lower case.
    pub declared_tables: Vec<String>,
    /// Warnings found while reading.
    pub warnings: Vec<Diagnostic>,
}

/// A package that could not be read: all its errors (and the warnings found on the way).
#[derive(Debug, Clone)]
pub struct ReadFailure {
    /// The folder or zip as the user named it.
    pub origin: String,
    /// Errors first, then warnings.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a solution folder or zip. Returns every error at once when anything is wrong.
pub fn read_package(path: &Path) -> Result<SolutionPackage, ReadFailure> {
    let origin = path.display().to_string();
    let src = PackageSource::open(path).map_err(|m| ReadFailure {
        origin: origin.clone(),
        diagnostics: vec![Diagnostic::error(None, m)],
    })?;
    read_source(&src)
}

/// Reads a package from an already opened source (a folder, a zip, or files in memory).
pub fn read_source(src: &PackageSource) -> Result<SolutionPackage, ReadFailure> {
    let origin = src.origin();
    let mut ctx = Ctx::new(src);
    let result = read_from(&mut ctx);
    let mut diagnostics = ctx.diagnostics;
    match result {
        Some(mut package) if !diagnostics.iter().any(Diagnostic::is_error) => {
            package.warnings = diagnostics;
            Ok(package)
        }
        _ => {
            if !diagnostics.iter().any(Diagnostic::is_error) {
                diagnostics.push(Diagnostic::error(
                    None,
                    Message::new(MessageId::ImportFailed).arg("path", &origin),
                ));
            }
            diagnostics.sort_by_key(|d| d.severity == Severity::Warning);
            Err(ReadFailure {
                origin,
                diagnostics,
            })
        }
    }
}

fn read_from(ctx: &mut Ctx<'_>) -> Option<SolutionPackage> {
    let src = ctx.src;
    let Some(manifest_rel) = src
        .find("Other/Solution.xml")
        .or_else(|| src.find("solution.xml"))
        .map(str::to_owned)
    else {
        ctx.diagnostics.push(Diagnostic::error(
            Some(Location {
                file: src.origin(),
                position: None,
            }),
            Message::new(MessageId::PackageNoSolutionXml),
        ));
        return None;
    };
    let manifest_doc = ctx.load(&manifest_rel, "ImportExportXml");
    let manifest = manifest_doc
        .as_ref()
        .and_then(|doc| manifest::read(ctx, doc));
    let prefix = manifest
        .as_ref()
        .map(|m| m.solution.publisher.prefix.clone());
    let apis = customapi::read_all(ctx, prefix.as_deref());

    let mut assemblies: Vec<PluginAssembly> = Vec::new();
    let mut steps: Vec<ProcessingStep> = Vec::new();
    let mut step_locations: Vec<LocatedStep> = Vec::new();
    let mut declared: Vec<String> = manifest
        .as_ref()
        .map(|m| m.declared_tables.clone())
        .unwrap_or_default();

    for file in src.files() {
        let lower = file.to_ascii_lowercase();
        if lower.starts_with("pluginassemblies/") && lower.ends_with(".data.xml") {
            if let Some(doc) = ctx.load(file, "PluginAssembly") {
                assemblies.extend(plugins::read_assembly(ctx, &doc, &doc.root));
            }
        } else if lower.starts_with("sdkmessageprocessingsteps/") && lower.ends_with(".xml") {
            if let Some(doc) = ctx.load(file, "SdkMessageProcessingStep")
                && let Some((step, located)) = steps::read_located_step(ctx, &doc, &doc.root)
            {
                steps.push(step);
                step_locations.push(located);
            }
        } else if lower.starts_with("entities/")
            && lower.ends_with("/entity.xml")
            && let Some(table) = file.split('/').nth(1)
        {
            declared.push(table.to_ascii_lowercase());
        }
    }
    let packages: Vec<PluginPackage> = src
        .files()
        .into_iter()
        .filter(|f| {
            let lower = f.to_ascii_lowercase();
            lower.starts_with("pluginpackages/") && lower.ends_with("/pluginpackage.xml")
        })
        .filter_map(|f| plugins::read_package(ctx, f))
        .collect();

    // Exported zips carry assemblies and steps inline in customizations.xml.
    let customizations = src
        .find("Other/Customizations.xml")
        .or_else(|| src.find("customizations.xml"))
        .map(str::to_owned);
    let customizations_doc = customizations.and_then(|rel| ctx.load(&rel, "ImportExportXml"));
    if let Some(doc) = &customizations_doc {
        if let Some(list) = doc.root.child("SolutionPluginAssemblies") {
            for el in list.children_named("PluginAssembly") {
                if let Some(a) = plugins::read_assembly(ctx, doc, el)
                    && !assemblies.iter().any(|x| x.id == a.id)
                {
                    assemblies.push(a);
                }
            }
        }
        if let Some(list) = doc.root.child("SdkMessageProcessingSteps") {
            for el in list.children_named("SdkMessageProcessingStep") {
                if let Some((s, located)) = steps::read_located_step(ctx, doc, el)
                    && !steps.iter().any(|x| x.id == s.id)
                {
                    steps.push(s);
                    step_locations.push(located);
                }
            }
        }
        if let Some(list) = doc.root.child("Entities") {
            for entity in list.children_named("Entity") {
                if let Some(name) = text_child(entity, "Name").or_else(|| {
                    entity
                        .child("Name")
                        .and_then(|n| n.attr_value("LocalizedName"))
                }) {
                    declared.push(name.to_ascii_lowercase());
                }
            }
        }
    }
    let tables = tables::read_all(ctx, customizations_doc.as_ref(), prefix.as_deref());
    declared.extend(tables.iter().map(|t| t.table.logical_name.clone()));
    declared.sort();
    declared.dedup();

    // Steps may name tables no solution declares: kept, with a warning.
    let known: HashSet<&str> = BUILT_IN_TABLES
        .iter()
        .copied()
        .chain(declared.iter().map(String::as_str))
        .collect();
    let mut step_warnings = Vec::new();
    for step in &steps {
        if let Some(table) = &step.primary_entity
            && !known.contains(table.as_str())
        {
            step_warnings.push(Diagnostic::warning(
                Some(Location {
                    file: src.origin(),
                    position: None,
                }),
                Message::new(MessageId::PackageStepUnknownTable)
                    .arg("step", &step.name)
                    .arg("table", table),
            ));
        }
    }
    ctx.diagnostics.extend(step_warnings);

    let manifest = manifest?;
    Some(SolutionPackage {
        origin: src.origin(),
        manifest_location: ctx.file(&manifest_rel),
        solution: manifest.solution,
        apis,
        assemblies,
        packages,
        steps,
        step_locations,
        tables,
        declared_tables: declared,
        warnings: Vec::new(),
    })
}
