//! `ix_asyncoperation_retention`: the retention cleanup finds succeeded jobs completed
//! before a time through `(statecode, statuscode, completedon)`, without reading the jobs
//! still kept. Frozen.

use sea_orm_migration::prelude::*;

use super::index;

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_index(index(
        "ix_asyncoperation_retention",
        "asyncoperation",
        &["statecode", "statuscode", "completedon"],
    ))
    .await
}

pub(super) async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.drop_index(
        Index::drop()
            .name("ix_asyncoperation_retention")
            .table(Alias::new("asyncoperation"))
            .to_owned(),
    )
    .await
}
