//! The push store's two databases behind one small interface: SQLite (rusqlite; the embedded
//! default, one hub) and PostgreSQL (tokio-postgres; one database shared by several hubs).
//!
//! The SQL is written once (`migrations/*.sql` and the statements in `store.rs`), in the form
//! both accept: `?N` parameters (rewritten to PostgreSQL's `$N` once per statement), `ON
//! CONFLICT … DO NOTHING`, `RETURNING`, Unix seconds in BIGINT. What cannot be written once is
//! in [`Dialect`]: the two type names of the migrations, and `FOR UPDATE SKIP LOCKED` (SQLite
//! has one writer, so it needs no row locks).
//!
//! The store's API stays synchronous (each call is a few indexed statements or one transaction,
//! held for milliseconds, as before). PostgreSQL's connection runs on its own thread with its own
//! small runtime; calls wait on it with a plain executor, so they work from any thread, inside
//! the hub's runtime or not, without nesting runtimes.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// A value bound to or read from a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::Int(i64::from(v))
            }
        }
    )*};
}
from_int!(i64, i32, u32, u16, u8, i16);

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}
impl From<&&str> for Value {
    fn from(v: &&str) -> Value {
        Value::Text((*v).to_owned())
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}
impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::Bytes(v.to_vec())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}
macro_rules! from_ref {
    ($($t:ty),*) => {$(
        impl From<&$t> for Value {
            fn from(v: &$t) -> Value {
                (*v).into()
            }
        }
    )*};
}
from_ref!(i64, i32, u32, u16, u8, bool);

/// `vals![a, b, c]`: the parameters of a statement.
macro_rules! vals {
    ($($v:expr),* $(,)?) => {
        [$($crate::push::store::db::Value::from($v)),*]
    };
}
pub(crate) use vals;

/// A value read from a column.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Option<Self>;
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: &Value) -> Option<$t> {
                match v {
                    Value::Int(i) => <$t>::try_from(*i).ok(),
                    Value::Bool(b) => Some(<$t>::from(*b)),
                    _ => None,
                }
            }
        }
    )*};
}
int_from_value!(i64, i32, u32, u16, u8);

impl FromValue for bool {
    fn from_value(v: &Value) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            Value::Int(i) => Some(*i != 0),
            _ => None,
        }
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> Option<String> {
        match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Option<Vec<u8>> {
        match v {
            Value::Bytes(b) => Some(b.clone()),
            Value::Text(s) => Some(s.clone().into_bytes()),
            _ => None,
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Option<T>> {
        match v {
            Value::Null => Some(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(Vec<Value>);

impl Row {
    /// Column `i` as `T`; [`DbError::Column`] when it is of another type.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, DbError> {
        self.0
            .get(i)
            .and_then(T::from_value)
            .ok_or_else(|| DbError::Column(i, self.0.get(i).cloned()))
    }
}

/// A database error, from either driver.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {}", pg_text(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("PostgreSQL: {0}")]
    Connect(String),
    #[error("column {0}: unexpected value {1:?}")]
    Column(usize, Option<Value>),
}

/// A PostgreSQL error with what the server said (its `Display` alone is "db error").
fn pg_text(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut text = format!("{}: {}", db.code().code(), db.message());
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            text
        }
        None => e.to_string(),
    }
}

impl DbError {
    /// A UNIQUE (or primary key) constraint refused the row.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlite(e) => {
                e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
            }
            DbError::Postgres(e) => {
                e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
            }
            _ => false,
        }
    }

    /// The database file is not a database or is corrupt (SQLite only: moving it aside helps).
    pub fn is_damaged(&self) -> bool {
        match self {
            DbError::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
            ),
            _ => false,
        }
    }
}

/// Which database a statement runs on, for what cannot be written once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// Appended to a `SELECT` of rows to claim: PostgreSQL hubs skip the rows another hub is
    /// claiming at that moment; SQLite has a single writer.
    pub fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// A migration as this database takes it: the two type names that differ (SQLite's
    /// `INTEGER PRIMARY KEY` is its rowid; PostgreSQL has identity columns and BYTEA).
    pub fn migration(self, sql: &str) -> String {
        match self {
            Dialect::Sqlite => sql.to_owned(),
            Dialect::Postgres => sql
                .replace(
                    "INTEGER PRIMARY KEY",
                    "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                )
                .replace("BLOB", "BYTEA"),
        }
    }
}

/// What a transaction can do: run statements.
pub trait Tx {
    /// Runs a statement; returns the rows it changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;
    /// Runs a query; returns its rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError>;
    /// Runs statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;
    fn dialect(&self) -> Dialect;

    /// The first row of a query, if any.
    fn row(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

/// An open database.
pub enum Db {
    Sqlite(Mutex<rusqlite::Connection>),
    /// A few connections: a fan-out's claims do not wait for its sends' leases and results.
    /// The first holds the leader's lock, when this hub leads ([`Db::first`]).
    Postgres(Vec<Mutex<Pg>>),
}

/// PostgreSQL connections per hub.
pub const POOL: usize = 4;

impl Db {
    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub fn tx<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        match self {
            Db::Sqlite(conn) => {
                let mut conn = lock(conn);
                let tx = conn.transaction().map_err(DbError::from)?;
                let out = f(&mut SqliteTx(&tx))?;
                tx.commit().map_err(DbError::from)?;
                Ok(out)
            }
            Db::Postgres(pool) => {
                // A free connection, or (all busy) the first to come free in turn.
                let mut pg = pool
                    .iter()
                    .find_map(|c| c.try_lock().ok())
                    .unwrap_or_else(|| {
                        static NEXT: std::sync::atomic::AtomicUsize =
                            std::sync::atomic::AtomicUsize::new(0);
                        let i = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        lock(&pool[i % pool.len()])
                    });
                run_pg(&mut pg, f)
            }
        }
    }

    /// Runs `f` in one transaction on the first connection (PostgreSQL: the session that holds
    /// the leader's lock); [`Db::tx`] otherwise.
    pub fn first<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&mut dyn Tx, &mut bool) -> Result<T, E>,
    ) -> Result<T, E> {
        match self {
            Db::Sqlite(_) => self.tx(|t| f(t, &mut true)),
            Db::Postgres(pool) => {
                let mut pg = lock(&pool[0]);
                let mut leading = pg.leading;
                let out = run_pg(&mut pg, |t| f(t, &mut leading));
                pg.leading = leading && out.is_ok();
                out
            }
        }
    }
}

/// Runs `f` in one transaction on a PostgreSQL connection, connecting again first if it closed.
fn run_pg<T, E: From<DbError>>(
    pg: &mut Pg,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
) -> Result<T, E> {
    if pg.client.is_closed() {
        // The server restarted, or the network broke: a new session (which holds no advisory
        // lock: this hub leads again only if it wins again).
        tracing::warn!("PostgreSQL: the connection closed; connecting again");
        let session = pg.session.clone();
        *pg = Pg::connect(&pg.url)?;
        if let Some(sql) = &session {
            pg.session(sql)?;
        }
    }
    let Pg { client, cache, .. } = pg;
    let tx = wait(client.transaction()).map_err(DbError::from)?;
    let mut t = PgTx { tx, cache };
    let out = f(&mut t)?;
    wait(t.tx.commit()).map_err(DbError::from)?;
    Ok(out)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic inside a statement leaves the database consistent (transactions roll back on drop).
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Waits for a future of the PostgreSQL client. Its connection is driven on its own thread, so
/// this only waits for a channel, wherever it is called from.
fn wait<F: std::future::Future>(f: F) -> F::Output {
    futures_executor::block_on(f)
}

struct SqliteTx<'a>(&'a rusqlite::Transaction<'a>);

impl Tx for SqliteTx<'_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                use rusqlite::types::ValueRef;
                row.push(match r.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::Int(i),
                    ValueRef::Real(f) => Value::Int(f as i64),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                });
            }
            out.push(Row(row));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.0.execute_batch(sql)?)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Bool(b) => ValueRef::Integer(i64::from(*b)),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Bytes(b) => ValueRef::Blob(b),
        }))
    }
}

/// A PostgreSQL connection and its prepared statements.
pub struct Pg {
    client: tokio_postgres::Client,
    cache: HashMap<String, tokio_postgres::Statement>,
    url: String,
    /// Run again on a new connection (the schema of a test store).
    session: Option<String>,
    /// Whether this session holds the leader's advisory lock.
    leading: bool,
}

impl Pg {
    /// Connects to `url` (`postgres://user@host:port/db`, plain TCP or a Unix socket
    /// directory as `host`; TLS to a remote database is the job of the network, see
    /// docs/deploy.md). The connection is driven by a thread of its own, which ends when the
    /// client is dropped.
    pub fn connect(url: &str) -> Result<Pg, DbError> {
        let keep = url.to_owned();
        let url = url.to_owned();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("machi-postgres".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = tx.send(Err(DbError::Connect(e.to_string())));
                        return;
                    }
                };
                rt.block_on(async move {
                    match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
                        Ok((client, connection)) => {
                            let _ = tx.send(Ok(client));
                            if let Err(e) = connection.await {
                                tracing::error!("PostgreSQL connection: {e}");
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(DbError::Postgres(e)));
                        }
                    }
                });
            })
            .map_err(|e| DbError::Connect(e.to_string()))?;
        let client = rx
            .recv()
            .map_err(|_| DbError::Connect("the connection thread stopped".into()))??;
        Ok(Pg {
            client,
            cache: HashMap::new(),
            url: keep,
            session: None,
            leading: false,
        })
    }

    /// Runs `sql` now and on every new connection (`SET search_path …`).
    pub fn session(&mut self, sql: &str) -> Result<(), DbError> {
        wait(self.client.batch_execute(sql))?;
        self.session = Some(sql.to_owned());
        Ok(())
    }
}

/// `?N` → `$N` (and a bare `?` → the next number), outside quoted text.
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 1;
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    digits = next.to_string();
                }
                next = digits.parse::<usize>().unwrap_or(next) + 1;
                out.push('$');
                out.push_str(&digits);
            }
            c => out.push(c),
        }
    }
    out
}

struct PgTx<'a> {
    tx: tokio_postgres::Transaction<'a>,
    cache: &'a mut HashMap<String, tokio_postgres::Statement>,
}

impl PgTx<'_> {
    fn statement(&mut self, sql: &str) -> Result<tokio_postgres::Statement, DbError> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let s = wait(self.tx.prepare(&numbered(sql)))?;
        self.cache.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

fn pg_params(params: &[Value]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|v| v as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect()
}

impl Tx for PgTx<'_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let stmt = self.statement(sql)?;
        Ok(wait(self.tx.execute(&stmt, &pg_params(params)))?)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        use tokio_postgres::types::Type;
        let stmt = self.statement(sql)?;
        let rows = wait(self.tx.query(&stmt, &pg_params(params)))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut row = Vec::with_capacity(r.len());
            for (i, col) in r.columns().iter().enumerate() {
                let t = col.type_();
                let v = if *t == Type::INT2 {
                    r.try_get::<_, Option<i16>>(i)?
                        .map(|v| Value::Int(v.into()))
                } else if *t == Type::INT4 {
                    r.try_get::<_, Option<i32>>(i)?
                        .map(|v| Value::Int(v.into()))
                } else if *t == Type::INT8 {
                    r.try_get::<_, Option<i64>>(i)?.map(Value::Int)
                } else if *t == Type::BOOL {
                    r.try_get::<_, Option<bool>>(i)?.map(Value::Bool)
                } else if *t == Type::VOID {
                    None
                } else if *t == Type::BYTEA {
                    r.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Bytes)
                } else {
                    r.try_get::<_, Option<String>>(i)?.map(Value::Text)
                };
                row.push(v.unwrap_or(Value::Null));
            }
            out.push(Row(row));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(wait(self.tx.batch_execute(sql))?)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
}

impl tokio_postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &tokio_postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use tokio_postgres::types::{IsNull, ToSql, Type};
        // SQLite is loosely typed and the statements are shared: the value takes the
        // parameter's type here (a number for a SMALLINT, a flag for a BOOLEAN, …).
        let mut int = |i: i64| -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
            if *ty == Type::INT2 {
                i16::try_from(i)?.to_sql(ty, out)
            } else if *ty == Type::INT4 {
                i32::try_from(i)?.to_sql(ty, out)
            } else if *ty == Type::BOOL {
                (i != 0).to_sql(ty, out)
            } else {
                i.to_sql(ty, out)
            }
        };
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => int(*i),
            Value::Bool(b) if *ty == Type::BOOL => b.to_sql(ty, out),
            Value::Bool(b) => int(i64::from(*b)),
            Value::Text(s) if <&str as ToSql>::accepts(ty) => s.as_str().to_sql(ty, out),
            Value::Bytes(b) if <&[u8] as ToSql>::accepts(ty) => b.as_slice().to_sql(ty, out),
            v => Err(format!("{v:?} given for a parameter of type {ty}").into()),
        }
    }

    fn accepts(_: &tokio_postgres::types::Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_for_postgresql() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ?1 AND c = ?2 OR d = ?1"),
            "SELECT a FROM t WHERE b = $1 AND c = $2 OR d = $1"
        );
        assert_eq!(numbered("VALUES (?, ?, '?')"), "VALUES ($1, $2, '?')");
    }

    #[test]
    fn migrations_take_each_databases_type_names() {
        let sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, p BLOB)";
        assert_eq!(Dialect::Sqlite.migration(sql), sql);
        assert_eq!(
            Dialect::Postgres.migration(sql),
            "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, p BYTEA)"
        );
    }
}
