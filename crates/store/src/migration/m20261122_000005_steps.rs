//! Processing-step registration: secure configuration in its own table
//! (`sdkmessageprocessingstepsecureconfig`, as Dataverse keeps it), referenced from the step
//! by `sdkmessageprocessingstepsecureconfigid`. Frozen.

use sea_orm_migration::prelude::*;

use super::{drop, key, table, text, uuid_null};

const SECURE_CONFIG: &str = "sdkmessageprocessingstepsecureconfig";
const SECURE_CONFIG_ID: &str = "sdkmessageprocessingstepsecureconfigid";

fn step() -> TableAlterStatement {
    Table::alter()
        .table(Alias::new("sdkmessageprocessingstep"))
        .to_owned()
}

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(table(
        SECURE_CONFIG,
        [key(SECURE_CONFIG_ID), text("secureconfig")],
    ))
    .await?;
    m.alter_table(step().add_column(uuid_null(SECURE_CONFIG_ID)).to_owned())
        .await
}

pub(super) async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.alter_table(step().drop_column(Alias::new(SECURE_CONFIG_ID)).to_owned())
        .await?;
    m.drop_table(drop(SECURE_CONFIG)).await
}
