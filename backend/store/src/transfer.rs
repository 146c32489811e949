//! Moving a whole database: a consistent copy of a running SQLite database (`repere backup`), and a
//! copy of every table from one store into another, empty one (`repere migrate-to`, SQLite →
//! PostgreSQL or back), with the row counts of both compared.

use sqlx::any::AnyRow;
use sqlx::{Connection, Executor, Row};

use crate::{AnyConnection, Backend, Store, StoreError};

pub use crate::schema::{Column, Kind, TABLES};
use Kind::{Int, Real, Text};

/// Rows per INSERT while copying.
const ROWS_PER_INSERT: usize = 100;

/// Row counts of one table in the source and the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: &'static str,
    pub source: i64,
    pub target: i64,
}

/// Why a migration was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("la base cible n'est pas vide ({table} : {rows} lignes) ; Repère ne copie que vers une base neuve")]
    TargetNotEmpty { table: &'static str, rows: i64 },
    #[error("les comptes diffèrent après la copie : {0}")]
    CountsDiffer(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TransferError {
    fn from(e: sqlx::Error) -> Self {
        TransferError::Store(e.into())
    }
}

async fn count(conn: &mut AnyConnection, table: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(conn)
        .await
}

/// Copies every table of `source` into `target` (migrated, and empty of data), in one transaction on
/// the target: either everything is copied and the counts match, or nothing is. The source is read
/// in one transaction too, so the copy is consistent even while the source takes writes.
pub async fn copy_all(source: &Store, target: &Store) -> Result<Vec<TableCount>, TransferError> {
    let mut out = target.pool().acquire().await?;
    for (table, _) in TABLES {
        // The change log and meta rows written by migrations do not count as data.
        if matches!(*table, "meta" | "changes") {
            continue;
        }
        let rows = count(&mut out, table).await?;
        if rows > 0 {
            return Err(TransferError::TargetNotEmpty { table, rows });
        }
    }
    drop(out);
    let mut read = source.pool().begin().await?;
    if source.backend() == Backend::Postgres {
        read.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").await?;
    }
    let mut write = target.pool().begin().await?;
    if target.backend() == Backend::Sqlite {
        write.execute("PRAGMA defer_foreign_keys = ON").await?;
    }
    let mut counts = Vec::new();
    for (table, columns) in TABLES {
        let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
        let select = format!("SELECT {} FROM {table} ORDER BY 1", names.join(", "));
        let rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch_all(&mut *read).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *write)
            .await?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            insert_rows(&mut write, table, columns, chunk).await?;
        }
        counts.push(TableCount {
            table,
            source: rows.len() as i64,
            target: 0,
        });
    }
    if target.backend() == Backend::Postgres {
        for (table, columns) in TABLES {
            if columns.iter().any(|c| c.0 == "id" && c.1 == Int) {
                write
                    .execute(sqlx::AssertSqlSafe(format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                    )))
                    .await?;
            }
        }
    }
    for c in &mut counts {
        c.target = count(&mut write, c.table).await?;
    }
    let differ: Vec<String> = counts
        .iter()
        .filter(|c| c.source != c.target)
        .map(|c| format!("{} {} → {}", c.table, c.source, c.target))
        .collect();
    if !differ.is_empty() {
        return Err(TransferError::CountsDiffer(differ.join(", ")));
    }
    write.commit().await?;
    read.rollback().await?;
    Ok(counts)
}

async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[Column],
    rows: &[AnyRow],
) -> Result<(), StoreError> {
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let mut values = Vec::with_capacity(rows.len());
    for row in rows {
        let mut out = Vec::with_capacity(columns.len());
        for (i, (_, kind, _)) in columns.iter().enumerate() {
            out.push(match kind {
                Text => row.try_get::<Option<String>, _>(i)?.map_or(Param::Null, Param::Text),
                Int => row.try_get::<Option<i64>, _>(i)?.map_or(Param::Null, Param::Int),
                Real => row.try_get::<Option<f64>, _>(i)?.map_or(Param::Null, Param::Real),
            });
        }
        values.push(out);
    }
    insert_batch(conn, table, &names, &values).await
}

/// Writes a consistent copy of the running SQLite database to `dest` (SQLite's `VACUUM INTO`: one read
/// transaction, so every write committed before it started is in the copy, and none half-done), then
/// opens the copy and checks its integrity. PostgreSQL is backed up with `pg_dump`.
pub async fn backup_sqlite(store: &Store, dest: &std::path::Path) -> Result<Vec<TableCount>, StoreError> {
    if store.backend() != Backend::Sqlite {
        return Err(StoreError::UnsupportedUrl(
            "backup copies SQLite databases; use pg_dump".into(),
        ));
    }
    let dest_text = dest.to_string_lossy().to_string();
    sqlx::query("VACUUM INTO $1")
        .bind(&dest_text)
        .execute(store.pool())
        .await?;
    let mut copy = sqlx::AnyConnection::connect(&format!("sqlite://{dest_text}?mode=ro")).await?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut copy)
        .await?;
    if check != "ok" {
        return Err(crate::corrupt("backup", &dest_text, check));
    }
    let mut counts = Vec::new();
    for (table, _) in TABLES {
        counts.push(TableCount {
            table,
            source: 0,
            target: count(&mut copy, table).await?,
        });
    }
    copy.close().await?;
    Ok(counts)
}

/// A value bound by [`insert_batch`].
#[derive(Debug, Clone)]
pub enum Param {
    Text(String),
    Int(i64),
    Real(f64),
    Null,
}

/// Inserts `rows` (each with one value per column) into `table` with one multi-row INSERT. For bulk
/// generators; `table` and `columns` must be trusted identifiers.
pub async fn insert_batch(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Param>],
) -> Result<(), StoreError> {
    write_batch(conn, table, columns, rows, "").await
}

/// Like [`insert_batch`], followed by `on_conflict` (a trusted `ON CONFLICT … DO UPDATE …` clause): one
/// statement upserts every row. The rows must not repeat a key.
pub async fn upsert_batch(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Param>],
    on_conflict: &'static str,
) -> Result<(), StoreError> {
    write_batch(conn, table, columns, rows, on_conflict).await
}

async fn write_batch(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Param>],
    suffix: &str,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    // SQLite looks numbered parameters up by name, one by one: with thousands of them, anonymous `?`
    // placeholders are much faster there.
    let anonymous = !conn.backend_name().eq_ignore_ascii_case("postgresql");
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for (r, row) in rows.iter().enumerate() {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for (c, value) in row.iter().enumerate() {
            if c > 0 {
                sql.push_str(", ");
            }
            if matches!(value, Param::Null) {
                sql.push_str("NULL");
            } else if anonymous {
                sql.push('?');
            } else {
                n += 1;
                sql.push_str(&format!("${n}"));
            }
        }
        sql.push(')');
    }
    if !suffix.is_empty() {
        sql.push(' ');
        sql.push_str(suffix);
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for value in rows.iter().flatten() {
        q = match value {
            Param::Text(s) => q.bind(s.clone()),
            Param::Int(i) => q.bind(*i),
            Param::Real(f) => q.bind(*f),
            Param::Null => q,
        };
    }
    q.persistent(false).execute(conn).await?;
    Ok(())
}
