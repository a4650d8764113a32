//! Identity: business units, users, roles with privileges, role assignments and access
//! tokens (stored as SHA-256 hashes only). Seeds the root business unit, the `admin`
//! user and the built-in roles. Frozen.

use sea_orm_migration::prelude::*;

use super::col;
use switchboard_model::ids;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("businessunit"))
                .col(col("businessunitid").uuid().not_null().primary_key())
                .col(col("name").text().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("systemuser"))
                .col(col("systemuserid").uuid().not_null().primary_key())
                .col(col("domainname").text().not_null().unique_key())
                .col(col("fullname").text().not_null())
                .col(col("businessunitid").uuid().not_null())
                .col(col("isdisabled").boolean().not_null())
                .col(col("uilanguageid").integer().null())
                .col(col("createdon").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("role"))
                .col(col("roleid").uuid().not_null().primary_key())
                .col(col("name").text().not_null().unique_key())
                .col(col("businessunitid").uuid().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("roleprivilege"))
                .col(col("roleid").uuid().not_null())
                .col(col("privilegename").text().not_null())
                .primary_key(
                    Index::create()
                        .col(Alias::new("roleid"))
                        .col(Alias::new("privilegename")),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("systemuserrole"))
                .col(col("systemuserid").uuid().not_null())
                .col(col("roleid").uuid().not_null())
                .primary_key(
                    Index::create()
                        .col(Alias::new("systemuserid"))
                        .col(Alias::new("roleid")),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("accesstoken"))
                .col(col("accesstokenid").uuid().not_null().primary_key())
                .col(col("systemuserid").uuid().not_null())
                .col(col("tokenhash").text().not_null().unique_key())
                .col(col("createdon").big_integer().not_null())
                .col(col("expireson").big_integer().null())
                .col(col("revoked").boolean().not_null())
                .to_owned(),
        )
        .await?;

        let insert = |table: &str, columns: &[&str], values: Vec<SimpleExpr>| {
            Query::insert()
                .into_table(Alias::new(table))
                .columns(columns.iter().map(|c| Alias::new(*c)))
                .values_panic(values)
                .to_owned()
        };
        m.exec_stmt(insert(
            "businessunit",
            &["businessunitid", "name"],
            vec![ids::ROOT_BUSINESS_UNIT_ID.into(), "Root".into()],
        ))
        .await?;
        m.exec_stmt(insert(
            "systemuser",
            &[
                "systemuserid",
                "domainname",
                "fullname",
                "businessunitid",
                "isdisabled",
                "createdon",
            ],
            vec![
                ids::ADMINISTRATOR_ID.into(),
                "admin".into(),
                "Administrator".into(),
                ids::ROOT_BUSINESS_UNIT_ID.into(),
                false.into(),
                0i64.into(),
            ],
        ))
        .await?;
        for (id, name) in [
            (
                ids::SYSTEM_ADMINISTRATOR_ROLE_ID,
                ids::SYSTEM_ADMINISTRATOR_ROLE,
            ),
            (ids::BASIC_USER_ROLE_ID, ids::BASIC_USER_ROLE),
        ] {
            m.exec_stmt(insert(
                "role",
                &["roleid", "name", "businessunitid"],
                vec![id.into(), name.into(), ids::ROOT_BUSINESS_UNIT_ID.into()],
            ))
            .await?;
        }
        m.exec_stmt(insert(
            "systemuserrole",
            &["systemuserid", "roleid"],
            vec![
                ids::ADMINISTRATOR_ID.into(),
                ids::SYSTEM_ADMINISTRATOR_ROLE_ID.into(),
            ],
        ))
        .await
    }
}
