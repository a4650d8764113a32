//! Identity: business units, users, roles with privileges, role assignments and access
//! tokens (stored as SHA-256 hashes only). Seeds the root business unit, the `admin`
//! user and the built-in roles. Frozen.

use sea_orm_migration::prelude::*;
use switchboard_model::ids;

use super::{big, big_null, boolean, insert, int_null, key, primary_key, table, text, text_unique, uuid};

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(table("businessunit", [key("businessunitid"), text("name")]))
        .await?;
    m.create_table(table(
        "systemuser",
        [
            key("systemuserid"),
            text_unique("domainname"),
            text("fullname"),
            uuid("businessunitid"),
            boolean("isdisabled"),
            int_null("uilanguageid"),
            big("createdon"),
        ],
    ))
    .await?;
    m.create_table(table(
        "role",
        [key("roleid"), text_unique("name"), uuid("businessunitid")],
    ))
    .await?;
    m.create_table(
        table("roleprivilege", [uuid("roleid"), text("privilegename")])
            .primary_key(&mut primary_key(&["roleid", "privilegename"]))
            .to_owned(),
    )
    .await?;
    m.create_table(
        table("systemuserrole", [uuid("systemuserid"), uuid("roleid")])
            .primary_key(&mut primary_key(&["systemuserid", "roleid"]))
            .to_owned(),
    )
    .await?;
    m.create_table(table(
        "accesstoken",
        [
            key("accesstokenid"),
            uuid("systemuserid"),
            text_unique("tokenhash"),
            big("createdon"),
            big_null("expireson"),
            boolean("revoked"),
        ],
    ))
    .await?;

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

pub(super) async fn down(_: &SchemaManager<'_>) -> Result<(), DbErr> {
    super::irreversible("m20261122_000002_identity")
}
