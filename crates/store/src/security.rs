//! Users, roles, privileges and access tokens. Tokens are random, shown once, and stored
//! only as SHA-256 hashes. Resolved principals are cached in memory (by token hash, user id
//! and login name) until a security change: one made through this store drops them at
//! once, one made by another process when [`Store::watch_changes`] notices it.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use sha2::{Digest, Sha256};
use switchboard_model::ids;
use uuid::Uuid;

use crate::Store;
use crate::changes::{self, ChangeKind};
use crate::entity::{accesstoken, role, roleprivilege, systemuser, systemuserrole};

/// Who a request runs as, with what the user may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// `systemuserid`.
    pub user_id: Uuid,
    /// `domainname` (the login name).
    pub name: String,
    /// The user's business unit.
    pub business_unit_id: Uuid,
    /// Holds the System Administrator role: every privilege.
    pub is_admin: bool,
    /// Names of the roles assigned.
    pub roles: Vec<String>,
    /// Privileges granted through those roles (shared with every caller built from it).
    pub privileges: Arc<BTreeSet<String>>,
    /// The user's UI language (LCID), if set.
    pub language: Option<i32>,
}

impl Principal {
    /// Whether the user holds a privilege (administrators hold all).
    pub fn holds(&self, privilege: &str) -> bool {
        self.is_admin
            || self
                .privileges
                .iter()
                .any(|p| p.eq_ignore_ascii_case(privilege))
    }
}

/// Why a security operation was refused.
#[derive(Debug)]
pub enum SecurityError {
    /// No user, role or token of that name or id.
    NotFound(String),
    /// A user or role of that name exists.
    Exists(String),
    /// The database failed.
    Database(DbErr),
}

impl From<DbErr> for SecurityError {
    fn from(e: DbErr) -> Self {
        SecurityError::Database(e)
    }
}

/// A unique-key violation on insert is the name taken by a concurrent writer (the check
/// before the insert passed for both): the same answer as a name taken earlier.
fn exists_or(e: DbErr, name: &str) -> SecurityError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            SecurityError::Exists(name.to_owned())
        }
        _ => SecurityError::Database(e),
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Most entries one cache map holds; past it the map starts over (a flood of distinct
/// tokens or names cannot grow memory without bound).
const CACHE_LIMIT: usize = 50_000;

/// A cached value with the security generation it was read under.
#[derive(Debug, Clone)]
struct Cached<T> {
    generation: u64,
    value: T,
}

/// A map of cached values valid for one security generation.
#[derive(Debug)]
struct CacheMap<K, V>(RwLock<HashMap<K, Cached<V>>>);

impl<K, V> Default for CacheMap<K, V> {
    fn default() -> Self {
        Self(RwLock::new(HashMap::new()))
    }
}

impl<K: Eq + Hash, V: Clone> CacheMap<K, V> {
    fn get(&self, key: &K, generation: u64) -> Option<V> {
        let map = self.0.read().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|c| c.generation == generation)
            .map(|c| c.value.clone())
    }

    fn put(&self, key: K, generation: u64, value: V) {
        let mut map = self.0.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= CACHE_LIMIT {
            map.clear();
        }
        map.insert(key, Cached { generation, value });
    }
}

/// A token's owner and expiry, as stored.
#[derive(Debug, Clone, Copy)]
struct TokenOwner {
    user_id: Uuid,
    expires_on: Option<i64>,
}

/// Principals resolved from the database, valid while the security generation holds.
#[derive(Debug, Default)]
pub(crate) struct PrincipalCache {
    tokens: CacheMap<[u8; 32], TokenOwner>,
    users: CacheMap<Uuid, Arc<Principal>>,
    names: CacheMap<String, Uuid>,
}

impl Store {
    /// Adds a user in the root business unit.
    pub async fn add_user(
        &self,
        name: &str,
        full_name: &str,
        language: Option<i32>,
    ) -> Result<Uuid, SecurityError> {
        let db = self.connection();
        if systemuser::Entity::find()
            .filter(systemuser::Column::Domainname.eq(name))
            .one(db)
            .await?
            .is_some()
        {
            return Err(SecurityError::Exists(name.to_owned()));
        }
        let id = Uuid::new_v4();
        systemuser::Entity::insert(systemuser::ActiveModel {
            systemuserid: Set(id),
            domainname: Set(name.to_owned()),
            fullname: Set(full_name.to_owned()),
            businessunitid: Set(ids::ROOT_BUSINESS_UNIT_ID),
            isdisabled: Set(false),
            uilanguageid: Set(language),
            createdon: Set(now()),
        })
        .exec_without_returning(db)
        .await
        .map_err(|e| exists_or(e, name))?;
        Ok(id)
    }

    /// Sets (or clears) a user's UI language; `false` when no such user.
    pub async fn set_user_language(
        &self,
        user_id: Uuid,
        language: Option<i32>,
    ) -> Result<bool, DbErr> {
        let txn = self.connection().begin().await?;
        let result = systemuser::Entity::update_many()
            .col_expr(
                systemuser::Column::Uilanguageid,
                sea_orm::sea_query::Expr::value(language),
            )
            .filter(systemuser::Column::Systemuserid.eq(user_id))
            .exec(&txn)
            .await?;
        self.commit_security_change(txn).await?;
        Ok(result.rows_affected > 0)
    }

    /// The id of the user with this login name.
    pub async fn user_id_by_name(&self, name: &str) -> Result<Uuid, SecurityError> {
        self.user_id(name).await
    }

    /// Every user: id, login name, full name.
    pub async fn list_users(&self) -> Result<Vec<(Uuid, String, String)>, DbErr> {
        let rows = systemuser::Entity::find()
            .order_by_asc(systemuser::Column::Domainname)
            .all(self.connection())
            .await?;
        Ok(rows
            .into_iter()
            .map(|u| (u.systemuserid, u.domainname, u.fullname))
            .collect())
    }

    async fn user_id(&self, name: &str) -> Result<Uuid, SecurityError> {
        systemuser::Entity::find()
            .filter(systemuser::Column::Domainname.eq(name))
            .one(self.connection())
            .await?
            .map(|u| u.systemuserid)
            .ok_or_else(|| SecurityError::NotFound(format!("user {name}")))
    }

    async fn role_id(&self, name: &str) -> Result<Uuid, SecurityError> {
        role::Entity::find()
            .filter(role::Column::Name.eq(name))
            .one(self.connection())
            .await?
            .map(|r| r.roleid)
            .ok_or_else(|| SecurityError::NotFound(format!("role {name}")))
    }

    /// Adds a role.
    pub async fn add_role(&self, name: &str) -> Result<Uuid, SecurityError> {
        if self.role_id(name).await.is_ok() {
            return Err(SecurityError::Exists(name.to_owned()));
        }
        let id = Uuid::new_v4();
        role::Entity::insert(role::ActiveModel {
            roleid: Set(id),
            name: Set(name.to_owned()),
            businessunitid: Set(ids::ROOT_BUSINESS_UNIT_ID),
        })
        .exec_without_returning(self.connection())
        .await
        .map_err(|e| exists_or(e, name))?;
        Ok(id)
    }

    /// Every privilege that exists: the eight table privileges of every built-in table,
    /// definition table and table a stored custom API names, and the named ones.
    pub async fn privilege_catalog(&self) -> Result<Vec<String>, DbErr> {
        let mut tables: Vec<String> = switchboard_model::names::BUILT_IN_TABLES
            .iter()
            .map(|t| (*t).to_owned())
            .collect();
        tables.extend(
            [
                "customapi",
                "customapirequestparameter",
                "customapiresponseproperty",
                "pluginassembly",
                "plugintype",
                "sdkmessage",
                "sdkmessageprocessingstep",
                "sdkmessageprocessingstepimage",
                "role",
                "asyncoperation",
                "backgroundoperation",
                "plugintracelog",
                "outbounddelivery",
                "organization",
            ]
            .map(str::to_owned),
        );
        for api in self.list_apis().await? {
            tables.extend(api.api.referenced_tables().map(|t| t.to_string()));
        }
        tables.extend(self.tables().await?.into_iter().map(|t| t.logical_name));
        Ok(switchboard_model::privileges::catalog(
            tables.iter().map(String::as_str),
        ))
    }

    /// Grants privileges to a role (idempotent); every name must exist.
    pub async fn grant(&self, role_name: &str, privileges: &[String]) -> Result<(), SecurityError> {
        let role = self.role_id(role_name).await?;
        let catalog = self.privilege_catalog().await?;
        if let Some(unknown) = privileges
            .iter()
            .find(|p| !catalog.iter().any(|c| c.eq_ignore_ascii_case(p)))
        {
            return Err(SecurityError::NotFound(format!("privilege {unknown}")));
        }
        let txn = self.connection().begin().await?;
        for p in privileges {
            let exists = roleprivilege::Entity::find_by_id((role, p.clone()))
                .one(&txn)
                .await?
                .is_some();
            if !exists {
                roleprivilege::Entity::insert(roleprivilege::ActiveModel {
                    roleid: Set(role),
                    privilegename: Set(p.clone()),
                })
                .exec_without_returning(&txn)
                .await?;
            }
        }
        Ok(self.commit_security_change(txn).await?)
    }

    /// Assigns a role to a user (idempotent).
    pub async fn assign(&self, user_name: &str, role_name: &str) -> Result<(), SecurityError> {
        let (user, role) = (
            self.user_id(user_name).await?,
            self.role_id(role_name).await?,
        );
        let txn = self.connection().begin().await?;
        if systemuserrole::Entity::find_by_id((user, role))
            .one(&txn)
            .await?
            .is_none()
        {
            systemuserrole::Entity::insert(systemuserrole::ActiveModel {
                systemuserid: Set(user),
                roleid: Set(role),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        Ok(self.commit_security_change(txn).await?)
    }

    /// Creates an access token for a user; returns its id and the token, which is not
    /// stored and cannot be shown again.
    pub async fn create_token(
        &self,
        user_name: &str,
        valid_seconds: Option<i64>,
    ) -> Result<(Uuid, String), SecurityError> {
        let user = self.user_id(user_name).await?;
        let token = format!("sbt_{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        let id = Uuid::new_v4();
        accesstoken::Entity::insert(accesstoken::ActiveModel {
            accesstokenid: Set(id),
            systemuserid: Set(user),
            tokenhash: Set(token_hash(&token)),
            createdon: Set(now()),
            expireson: Set(valid_seconds.map(|s| now() + s)),
            revoked: Set(false),
        })
        .exec_without_returning(self.connection())
        .await?;
        Ok((id, token))
    }

    /// Revokes a token by id.
    pub async fn revoke_token(&self, id: Uuid) -> Result<(), SecurityError> {
        let txn = self.connection().begin().await?;
        let row = accesstoken::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| SecurityError::NotFound(format!("token {id}")))?;
        let mut active: accesstoken::ActiveModel = row.into();
        active.revoked = Set(true);
        accesstoken::Entity::update(active).exec(&txn).await?;
        Ok(self.commit_security_change(txn).await?)
    }

    /// The user a presented token belongs to, if it is valid (known, not revoked, not
    /// expired, user not disabled). Served from memory after the first time.
    pub async fn principal_for_token(&self, token: &str) -> Result<Option<Arc<Principal>>, DbErr> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let cache = &self.shared.principals;
        let generation = self.generation(ChangeKind::Security);
        let owner = match cache.tokens.get(&digest, generation) {
            Some(owner) => owner,
            None => {
                let Some(row) = accesstoken::Entity::find()
                    .filter(accesstoken::Column::Tokenhash.eq(hex::encode(digest)))
                    .one(self.reader())
                    .await?
                else {
                    return Ok(None);
                };
                if row.revoked {
                    return Ok(None);
                }
                let owner = TokenOwner {
                    user_id: row.systemuserid,
                    expires_on: row.expireson,
                };
                cache.tokens.put(digest, generation, owner);
                owner
            }
        };
        if owner.expires_on.is_some_and(|e| e <= now()) {
            return Ok(None);
        }
        self.principal(owner.user_id).await
    }

    /// The user with this login name, if enabled.
    pub async fn principal_by_name(&self, name: &str) -> Result<Option<Arc<Principal>>, DbErr> {
        let cache = &self.shared.principals;
        let generation = self.generation(ChangeKind::Security);
        let user_id = match cache.names.get(&name.to_owned(), generation) {
            Some(id) => id,
            None => {
                let Some(user) = systemuser::Entity::find()
                    .filter(systemuser::Column::Domainname.eq(name))
                    .one(self.reader())
                    .await?
                else {
                    return Ok(None);
                };
                cache
                    .names
                    .put(name.to_owned(), generation, user.systemuserid);
                user.systemuserid
            }
        };
        self.principal(user_id).await
    }

    /// A user with roles and privileges, if the user exists and is enabled.
    pub async fn principal(&self, user_id: Uuid) -> Result<Option<Arc<Principal>>, DbErr> {
        self.principal_through(self.reader(), user_id).await
    }

    /// [`Self::principal`], reading through `db` when it is not cached (a job's open
    /// transaction: with one SQLite connection, the pools wait for it).
    pub async fn principal_through<C: ConnectionTrait>(
        &self,
        db: &C,
        user_id: Uuid,
    ) -> Result<Option<Arc<Principal>>, DbErr> {
        let cache = &self.shared.principals;
        let generation = self.generation(ChangeKind::Security);
        if let Some(p) = cache.users.get(&user_id, generation) {
            return Ok(Some(p));
        }
        let Some(principal) = principal_in(db, user_id).await? else {
            return Ok(None);
        };
        let principal = Arc::new(principal);
        cache.users.put(user_id, generation, principal.clone());
        Ok(Some(principal))
    }

    /// Records a security change in `txn` and commits it; this process's cached principals
    /// are dropped at once (other processes' when they notice the change stamp).
    async fn commit_security_change(&self, txn: sea_orm::DatabaseTransaction) -> Result<(), DbErr> {
        changes::record(&txn, ChangeKind::Security).await?;
        txn.commit().await?;
        self.changed_here(ChangeKind::Security);
        Ok(())
    }

    /// Whether any token row stores this exact text (used by tests to prove tokens are hashed).
    pub async fn token_rows_contain(&self, text: &str) -> Result<bool, DbErr> {
        let rows = accesstoken::Entity::find().all(self.connection()).await?;
        Ok(rows.iter().any(|r| r.tokenhash.contains(text)))
    }
}

/// [`Store::principal`] through a given connection (a job's open transaction).
pub async fn principal_in<C: sea_orm::ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<Option<Principal>, DbErr> {
    {
        let Some(user) = systemuser::Entity::find_by_id(user_id).one(db).await? else {
            return Ok(None);
        };
        if user.isdisabled {
            return Ok(None);
        }
        let role_ids: Vec<Uuid> = systemuserrole::Entity::find()
            .filter(systemuserrole::Column::Systemuserid.eq(user_id))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.roleid)
            .collect();
        let roles = role::Entity::find()
            .filter(role::Column::Roleid.is_in(role_ids.clone()))
            .all(db)
            .await?;
        let privileges = roleprivilege::Entity::find()
            .filter(roleprivilege::Column::Roleid.is_in(role_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.privilegename)
            .collect();
        Ok(Some(Principal {
            user_id,
            name: user.domainname,
            business_unit_id: user.businessunitid,
            is_admin: role_ids.contains(&ids::SYSTEM_ADMINISTRATOR_ROLE_ID),
            roles: roles.into_iter().map(|r| r.name).collect(),
            privileges: Arc::new(privileges),
            language: user.uilanguageid,
        }))
    }
}
