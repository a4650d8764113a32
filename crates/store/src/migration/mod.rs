//! Schema migrations, applied in order on every start (`Store::connect`).
//!
//! Each migration is a module with `up` and `down` functions; `frozen!` below registers them
//! under the module's name, which is what the `seaql_migrations` table records (so a module is
//! never renamed). Migrations are frozen once committed: a later change is a new module.

use sea_orm_migration::prelude::*;

/// Declares the migration modules and registers each, in order, with the migrator.
macro_rules! frozen {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*

        /// One registered migration per module, named as the module.
        mod registered {
            use sea_orm_migration::prelude::*;
            $(
                #[allow(non_camel_case_types)]
                pub(super) struct $module;

                impl MigrationName for $module {
                    fn name(&self) -> &str {
                        stringify!($module)
                    }
                }

                #[async_trait::async_trait]
                impl MigrationTrait for $module {
                    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
                        super::$module::up(m).await
                    }

                    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
                        super::$module::down(m).await
                    }
                }
            )*
        }

        /// The ordered list of migrations.
        pub struct Migrator;

        #[async_trait::async_trait]
        impl MigratorTrait for Migrator {
            fn migrations() -> Vec<Box<dyn MigrationTrait>> {
                vec![$(Box::new(registered::$module)),*]
            }
        }
    };
}

frozen![
    m20261122_000001_initial,
    m20261122_000002_identity,
    m20261122_000003_tables,
    m20261122_000004_jobs,
    m20261122_000005_steps,
    m20261122_000006_tracelog,
    m20261122_000007_api_configuration,
    m20261205_000008_step_images,
    m20261207_000009_organization,
    m20261215_000010_job_retention,
    m20261220_000011_outbound_delivery,
    m20261221_000012_background_operations,
];

/// A column definition by its (Dataverse) name; the helpers below add type and nullability.
fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).to_owned()
}

/// A table's primary key: a non-null uuid.
fn key(name: &str) -> ColumnDef {
    col(name).uuid().not_null().primary_key().to_owned()
}

fn uuid(name: &str) -> ColumnDef {
    col(name).uuid().not_null().to_owned()
}

fn uuid_null(name: &str) -> ColumnDef {
    col(name).uuid().null().to_owned()
}

fn text(name: &str) -> ColumnDef {
    col(name).text().not_null().to_owned()
}

fn text_null(name: &str) -> ColumnDef {
    col(name).text().null().to_owned()
}

/// A non-null, unique text column (a unique name).
fn text_unique(name: &str) -> ColumnDef {
    col(name).text().not_null().unique_key().to_owned()
}

fn int(name: &str) -> ColumnDef {
    col(name).integer().not_null().to_owned()
}

fn int_null(name: &str) -> ColumnDef {
    col(name).integer().null().to_owned()
}

/// Times are epoch milliseconds in a 64-bit integer.
fn big(name: &str) -> ColumnDef {
    col(name).big_integer().not_null().to_owned()
}

fn big_null(name: &str) -> ColumnDef {
    col(name).big_integer().null().to_owned()
}

fn boolean(name: &str) -> ColumnDef {
    col(name).boolean().not_null().to_owned()
}

/// `CREATE TABLE name (columns…)`.
fn table(name: &str, columns: impl IntoIterator<Item = ColumnDef>) -> TableCreateStatement {
    let mut statement = Table::create().table(Alias::new(name)).to_owned();
    for mut column in columns {
        statement.col(&mut column);
    }
    statement
}

/// A composite primary key over `columns`.
fn primary_key(columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    for column in columns {
        index.col(Alias::new(*column));
    }
    index
}

/// A foreign key `table.column → to.to_column`, named `fk_{table}_{column}`.
fn foreign_key(
    (table, column): (&str, &str),
    (to, to_column): (&str, &str),
    on_delete_cascade: bool,
) -> ForeignKeyCreateStatement {
    let mut key = ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(to), Alias::new(to_column))
        .to_owned();
    if on_delete_cascade {
        key.on_delete(ForeignKeyAction::Cascade);
    }
    key
}

/// A (non-unique) index named `name` over `columns` of `table`.
fn index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create()
        .name(name)
        .table(Alias::new(table))
        .to_owned();
    for column in columns {
        index.col(Alias::new(*column));
    }
    index
}

/// `DROP TABLE name`.
fn drop(name: &str) -> TableDropStatement {
    Table::drop().table(Alias::new(name)).to_owned()
}

/// One seeded row: `INSERT INTO table (columns…) VALUES (values…)`.
fn insert(table: &str, columns: &[&str], values: Vec<SimpleExpr>) -> InsertStatement {
    Query::insert()
        .into_table(Alias::new(table))
        .columns(columns.iter().map(|c| Alias::new(*c)))
        .values_panic(values)
        .to_owned()
}

/// The `down` of a migration that seeds or reshapes data and cannot be undone.
fn irreversible(name: &str) -> Result<(), DbErr> {
    Err(DbErr::Migration(format!(
        "migration {name} cannot be reverted"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are what existing databases recorded in `seaql_migrations`: a changed name
    /// would run a migration again on every database that already has it.
    #[test]
    fn migrations_keep_the_names_databases_recorded() {
        let names: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "m20261122_000001_initial",
                "m20261122_000002_identity",
                "m20261122_000003_tables",
                "m20261122_000004_jobs",
                "m20261122_000005_steps",
                "m20261122_000006_tracelog",
                "m20261122_000007_api_configuration",
                "m20261205_000008_step_images",
                "m20261207_000009_organization",
                "m20261215_000010_job_retention",
                "m20261220_000011_outbound_delivery",
                "m20261221_000012_background_operations",
            ]
        );
    }
}
