//! The operations users perform on saved connections. Tauri commands and the CLI are thin
//! adapters over `Switchboard`.
//!
//! Every write runs in one SQLite transaction that also spans the keychain call: if the
//! keychain refuses, the row change is rolled back, so the database and the keychain never
//! disagree about whether a password exists.

use std::path::Path;
use std::time::Duration;

use uuid::Uuid;

use crate::error::{CoreError, ErrorCode, FieldIssue, Result};
use crate::keychain::{Keychain, SecretRef};
use crate::model::{
    Connection, ConnectionFields, ConnectionUpdate, NewConnection, PasswordChange, PasswordSave,
};
use crate::probe::{self, ProbeTarget, TestReport, TlsMaterial};
use crate::secret::Secret;
use crate::store::{self, Store};
use crate::validation;

#[derive(Debug, Clone)]
pub struct Switchboard {
    store: Store,
    keychain: Keychain,
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Runs a blocking keychain call off the async runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::Keychain(format!("keychain task failed: {e}")))?
}

fn password_not_allowed(mode: PasswordSave) -> FieldIssue {
    let why = match mode {
        PasswordSave::Ask => {
            "this connection asks for its password every time, so it would not be saved"
        }
        _ => "this connection is set to use no password",
    };
    FieldIssue::new(
        ErrorCode::PasswordNotAllowed,
        "password",
        format!("A password was given but {why}."),
        "Choose \"save in keychain\" to keep it, or leave the password empty.",
    )
}

impl Switchboard {
    pub async fn open(data_dir: &Path) -> Result<Switchboard> {
        Ok(Switchboard {
            store: Store::open(data_dir).await?,
            keychain: Keychain::new(),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    pub async fn list(&self) -> Result<Vec<Connection>> {
        self.store.list().await
    }

    pub async fn get(&self, id: Uuid) -> Result<Connection> {
        self.store.get(id).await
    }

    /// A connection by id or (case-insensitive) name, as the CLI takes it.
    pub async fn find(&self, id_or_name: &str) -> Result<Connection> {
        if let Ok(id) = Uuid::parse_str(id_or_name) {
            if let Ok(c) = self.store.get(id).await {
                return Ok(c);
            }
        }
        self.store
            .find_by_name(id_or_name)
            .await?
            .ok_or_else(|| CoreError::NotFound(id_or_name.to_owned()))
    }

    /// Every issue with `fields` as they would be saved (normalised), including the
    /// unique-name rule. For validation as the user types.
    pub async fn issues(
        &self,
        fields: &ConnectionFields,
        own_id: Option<Uuid>,
    ) -> Result<Vec<FieldIssue>> {
        let mut fields = fields.clone();
        validation::normalize(&mut fields);
        let mut issues = validation::validate(&fields);
        if !fields.name.is_empty() {
            if let Some(other) = self.store.find_by_name(&fields.name).await? {
                if Some(other.id) != own_id {
                    issues.push(store::name_taken_issue(&fields.name));
                }
            }
        }
        Ok(issues)
    }

    /// Normalises `fields` in place and fails with every issue, if any.
    pub async fn check(&self, fields: &mut ConnectionFields, own_id: Option<Uuid>) -> Result<()> {
        validation::normalize(fields);
        let issues = self.issues(fields, own_id).await?;
        if issues.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Validation(issues))
        }
    }

    pub async fn create(&self, new: NewConnection) -> Result<Connection> {
        let NewConnection {
            mut fields,
            password,
        } = new;
        let password = password.filter(|p| !p.is_empty());
        let check = self.check(&mut fields, None).await;
        let mut issues = match check {
            Ok(()) => Vec::new(),
            Err(CoreError::Validation(i)) => i,
            Err(e) => return Err(e),
        };
        if password.is_some() && fields.password_save != PasswordSave::Keychain {
            issues.push(password_not_allowed(fields.password_save));
        }
        if !issues.is_empty() {
            return Err(CoreError::Validation(issues));
        }
        let stamp = now();
        let conn = Connection {
            id: Uuid::new_v4(),
            has_saved_password: password.is_some(),
            fields,
            created_at: stamp.clone(),
            updated_at: stamp,
            version: 1,
        };
        let mut tx = self.store.pool().begin().await?;
        store::insert(&mut tx, &conn).await?;
        if let Some(p) = password {
            let kc = self.keychain.clone();
            let r = SecretRef::password(conn.id, &conn.fields.name);
            blocking(move || kc.set(&r, &p)).await?;
        }
        if let Err(e) = tx.commit().await {
            self.forget_password(conn.id, &conn.fields.name).await.ok();
            return Err(e.into());
        }
        tracing::info!(id = %conn.id, name = %conn.fields.name, "connection created");
        Ok(conn)
    }

    pub async fn update(&self, u: ConnectionUpdate) -> Result<Connection> {
        let ConnectionUpdate {
            id,
            version,
            mut fields,
            password,
        } = u;
        let old = self.store.get(id).await?;
        let mut issues = match self.check(&mut fields, Some(id)).await {
            Ok(()) => Vec::new(),
            Err(CoreError::Validation(i)) => i,
            Err(e) => return Err(e),
        };
        let password = match password {
            PasswordChange::Set(p) if p.is_empty() => PasswordChange::Keep,
            other => other,
        };
        if matches!(password, PasswordChange::Set(_))
            && fields.password_save != PasswordSave::Keychain
        {
            issues.push(password_not_allowed(fields.password_save));
        }
        if !issues.is_empty() {
            return Err(CoreError::Validation(issues));
        }
        if old.version != version {
            return Err(CoreError::VersionConflict {
                expected: version,
                actual: old.version,
            });
        }
        let in_keychain = fields.password_save == PasswordSave::Keychain;
        // What the keychain must end up holding: Some(new) to write, None to remove,
        // or leave alone.
        enum Op {
            Write(Secret),
            Remove,
            Leave,
        }
        let op = match (in_keychain, password) {
            (false, _) | (true, PasswordChange::Clear) => {
                if old.has_saved_password {
                    Op::Remove
                } else {
                    Op::Leave
                }
            }
            (true, PasswordChange::Set(p)) => Op::Write(p),
            (true, PasswordChange::Keep) => Op::Leave,
        };
        let has_saved_password = match &op {
            Op::Write(_) => true,
            Op::Remove => false,
            Op::Leave => in_keychain && old.has_saved_password,
        };
        let renamed = old.fields.name != fields.name;
        let conn = Connection {
            id,
            fields,
            has_saved_password,
            created_at: old.created_at.clone(),
            updated_at: now(),
            version: version + 1,
        };
        let mut tx = self.store.pool().begin().await?;
        store::update(&mut tx, &conn, version).await?;
        let kc = self.keychain.clone();
        let r = SecretRef::password(id, &conn.fields.name);
        match op {
            Op::Write(p) => blocking(move || kc.set(&r, &p)).await?,
            Op::Remove => blocking(move || kc.delete(&r)).await?,
            // Keep the keychain label in step with the name.
            Op::Leave if renamed && has_saved_password => blocking(move || kc.relabel(&r)).await?,
            Op::Leave => {}
        }
        tx.commit().await?;
        tracing::info!(id = %conn.id, version = conn.version, "connection updated");
        Ok(conn)
    }

    /// Removes the row and its secrets, or neither.
    pub async fn delete(&self, id: Uuid) -> Result<()> {
        let old = self.store.get(id).await?;
        let mut tx = self.store.pool().begin().await?;
        store::delete(&mut tx, id).await?;
        if old.has_saved_password {
            self.forget_password(id, &old.fields.name).await?;
        }
        tx.commit().await?;
        tracing::info!(id = %id, "connection deleted");
        Ok(())
    }

    async fn forget_password(&self, id: Uuid, name: &str) -> Result<()> {
        let kc = self.keychain.clone();
        let r = SecretRef::password(id, name);
        blocking(move || kc.delete(&r)).await
    }

    async fn saved_password(&self, c: &Connection) -> Result<Option<Secret>> {
        if !c.has_saved_password {
            return Ok(None);
        }
        let kc = self.keychain.clone();
        let r = SecretRef::password(c.id, &c.fields.name);
        blocking(move || kc.get(&r)).await
    }

    /// A copy named `<name>-copy` (or `-copy-2`, …), password included.
    pub async fn duplicate(&self, id: Uuid) -> Result<Connection> {
        let src = self.store.get(id).await?;
        let base: String = src
            .fields
            .name
            .chars()
            .take(validation::NAME_MAX - 8)
            .collect();
        let mut name = format!("{base}-copy");
        let mut n = 2;
        while self.store.name_exists(&name).await? {
            name = format!("{base}-copy-{n}");
            n += 1;
        }
        let password = self.saved_password(&src).await?;
        let mut fields = src.fields.clone();
        fields.name = name;
        self.create(NewConnection { fields, password }).await
    }

    /// The saved password, for an explicit "reveal" by the user.
    pub async fn reveal_password(&self, id: Uuid) -> Result<Secret> {
        let c = self.store.get(id).await?;
        tracing::info!(id = %id, "password revealed on request");
        self.saved_password(&c)
            .await?
            .ok_or(CoreError::PasswordNotSaved)
    }

    /// Tests a saved connection. `password` overrides the saved one (and is required when
    /// the connection asks every time).
    pub async fn test(&self, id: Uuid, password: Option<Secret>) -> Result<TestReport> {
        let c = self.store.get(id).await?;
        let password = match (password.filter(|p| !p.is_empty()), c.fields.password_save) {
            (Some(p), _) => Some(p),
            (None, PasswordSave::Keychain) => {
                if c.has_saved_password {
                    Some(
                        self.saved_password(&c)
                            .await?
                            .ok_or(CoreError::PasswordNotSaved)?,
                    )
                } else {
                    None
                }
            }
            (None, PasswordSave::Ask) => return Err(CoreError::PasswordRequired),
            (None, PasswordSave::None) => None,
        };
        let report = self.test_fields(c.fields.clone(), password).await?;
        tracing::info!(
            id = %id,
            ok = report.ok,
            code = report.error.as_ref().map(|e| e.code.as_str()).unwrap_or("ok"),
            total_ms = report.total_ms,
            "connection tested"
        );
        Ok(report)
    }

    /// Tests what a form holds without saving it.
    pub async fn test_fields(
        &self,
        mut fields: ConnectionFields,
        password: Option<Secret>,
    ) -> Result<TestReport> {
        validation::normalize(&mut fields);
        let issues: Vec<FieldIssue> = validation::validate(&fields)
            .into_iter()
            .filter(|i| i.field != "name")
            .collect();
        if !issues.is_empty() {
            return Err(CoreError::Validation(issues));
        }
        let target = target_from_fields(&fields, password)?;
        Ok(probe::run(&target).await)
    }
}

pub fn target_from_fields(f: &ConnectionFields, password: Option<Secret>) -> Result<ProbeTarget> {
    let port = u16::try_from(f.port).map_err(|_| {
        CoreError::input(
            ErrorCode::PortOutOfRange,
            Some("port"),
            format!("Port {} is outside 1–65535.", f.port),
            "Use the server's port.",
        )
    })?;
    Ok(ProbeTarget {
        engine: f.engine,
        host: f.host.clone(),
        port,
        database: f.database.clone(),
        username: f.username.clone(),
        password,
        tls_mode: f.tls.mode,
        tls: TlsMaterial {
            ca_pem: f.tls.ca_pem.clone(),
            client_cert_pem: None,
            client_key_pem: None,
        },
        timeout: Duration::from_secs(u64::from(f.timeout_secs)),
    })
}
