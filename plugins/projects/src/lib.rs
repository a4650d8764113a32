//! Plug-ins that use records through the organization service, on the sample table
//! `sb_project` (defined by the `SwitchboardSamples` solution).

use switchboard_plugin::{Context, Entity, Plugin, PluginError, export_plugins};

/// The table both plug-ins work on.
const PROJECT: &str = "sb_project";

/// `sb_ProjectSummary` (bound to `sb_project`): returns the project's `Name` and `Priority`
/// and, when `Touch` is true, writes a note on the record.
struct ProjectSummary;

impl Plugin for ProjectSummary {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        let target = ctx
            .target()
            .ok_or_else(|| PluginError::business("ProjectSummary needs a project record"))?;
        let project = ctx.retrieve(PROJECT, target.id, &["sb_name", "sb_priority"])?;
        let name: String = project.attribute("sb_name")?.unwrap_or_default();
        let priority: i32 = project.attribute("sb_priority")?.unwrap_or_default();
        ctx.trace(format!(
            "project {} {name:?} has priority {priority}",
            target.id
        ));
        if ctx.input::<bool>("Touch")?.unwrap_or(false) {
            ctx.update(
                &Entity::new(PROJECT)
                    .with_id(target.id)
                    .with("sb_notes", "touched by ProjectSummary"),
            )?;
        }
        ctx.set_output("Name", name)?;
        ctx.set_output("Priority", priority)
    }
}

/// `sb_CountProjects`: counts the projects whose priority is at least `MinPriority`.
struct CountProjects;

impl Plugin for CountProjects {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        let min: i32 = ctx.input("MinPriority")?.unwrap_or_default();
        let page = ctx.retrieve_multiple(PROJECT, &format!("$filter=sb_priority ge {min}"))?;
        if page.more {
            ctx.trace("more projects match than one page holds; counting the first page");
        }
        let count = i32::try_from(page.records.len()).unwrap_or(i32::MAX);
        ctx.set_output("Count", count)
    }
}

export_plugins!(
    "Switchboard.Samples.ProjectSummary" => ProjectSummary,
    "Switchboard.Samples.CountProjects" => CountProjects,
);
