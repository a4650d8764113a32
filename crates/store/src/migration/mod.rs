//! Schema migrations, applied in order on every start (`Store::connect`).

use sea_orm_migration::prelude::*;

mod m20261122_000001_initial;
mod m20261122_000002_identity;
mod m20261122_000003_tables;
mod m20261122_000004_jobs;
mod m20261122_000005_steps;
mod m20261122_000006_tracelog;
mod m20261122_000007_api_configuration;
mod m20261205_000008_step_images;
mod m20261207_000009_organization;

/// A column definition by its (Dataverse) name; the migrations add the type and constraints.
fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).to_owned()
}

/// The ordered list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_initial::Migration),
            Box::new(m20261122_000002_identity::Migration),
            Box::new(m20261122_000003_tables::Migration),
            Box::new(m20261122_000004_jobs::Migration),
            Box::new(m20261122_000005_steps::Migration),
            Box::new(m20261122_000006_tracelog::Migration),
            Box::new(m20261122_000007_api_configuration::Migration),
            Box::new(m20261205_000008_step_images::Migration),
            Box::new(m20261207_000009_organization::Migration),
        ]
    }
}
