//! Whole-table reads for the catalogue's start-up (a million practices, two million links).
//!
//! On PostgreSQL the rows stream through the pool. On SQLite they are read on a blocking thread through
//! a native read-only connection to the same file: sqlx's SQLite driver hands each row from its worker
//! thread to the caller through a channel, duplicating every value under the database mutex, and that
//! hand-over (not SQLite) was most of the start-up time. One conversion per table serves both paths,
//! through [`Columns`].

use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// A row of either path, read by column name.
pub(crate) trait Columns {
    fn int(&self, name: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError>;
    fn opt_float(&self, name: &str) -> Result<Option<f64>, StoreError>;
    fn text(&self, name: &str) -> Result<String, StoreError>;
    fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError>;
    /// A text column borrowed from the row (`None` for NULL): for values that are parsed, not kept.
    fn opt_str(&self, name: &str) -> Result<Option<&str>, StoreError>;
    /// A text column that may not be NULL, borrowed from the row.
    fn str(&self, name: &str) -> Result<&str, StoreError> {
        self.opt_str(name)?
            .ok_or_else(|| crate::corrupt("?", &name, "NULL where a text was expected"))
    }
}

/// Both row types read a column by name with one getter generic in the value's type, and borrow text
/// with a second (rusqlite's `FromSql` cannot lend a `&str`).
macro_rules! columns {
    ($row:ty, |$r:ident, $name:ident| $get:expr, |$sr:ident, $sname:ident| $get_str:expr) => {
        impl Columns for $row {
            fn int(&self, $name: &str) -> Result<i64, StoreError> {
                let $r = self;
                Ok($get?)
            }
            fn opt_int(&self, $name: &str) -> Result<Option<i64>, StoreError> {
                let $r = self;
                Ok($get?)
            }
            fn opt_float(&self, $name: &str) -> Result<Option<f64>, StoreError> {
                let $r = self;
                Ok($get?)
            }
            fn text(&self, $name: &str) -> Result<String, StoreError> {
                let $r = self;
                Ok($get?)
            }
            fn opt_text(&self, $name: &str) -> Result<Option<String>, StoreError> {
                let $r = self;
                Ok($get?)
            }
            fn opt_str(&self, $sname: &str) -> Result<Option<&str>, StoreError> {
                let $sr = self;
                $get_str
            }
        }
    };
}

columns!(
    AnyRow,
    |row, name| row.try_get(name),
    |row, name| Ok(row.try_get(name)?)
);

/// A native row with the statement's column names, looked up once per statement rather than through
/// SQLite for every value.
struct NativeRow<'a, 'r> {
    row: &'a rusqlite::Row<'r>,
    names: &'a [String],
}

impl NativeRow<'_, '_> {
    fn index(&self, name: &str) -> Result<usize, StoreError> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| StoreError::NativeRead(rusqlite::Error::InvalidColumnName(name.to_string())))
    }
}

columns!(
    NativeRow<'_, '_>,
    |native, name| native.row.get(native.index(name)?),
    |native, name| {
        let i = native.index(name)?;
        let value = native.row.get_ref(i)?;
        value.as_str_or_null().map_err(|e| {
            StoreError::NativeRead(rusqlite::Error::FromSqlConversionFailure(
                i,
                value.data_type(),
                Box::new(e),
            ))
        })
    }
);

/// Rows handed over at a time by [`read_range`].
pub(crate) const BATCH: usize = 8192;

/// Every row of `sql` (a whole-table `SELECT`), each converted by `convert`.
pub(crate) async fn read_all<T: Send + 'static>(
    store: &Store,
    sql: &'static str,
    convert: fn(&dyn Columns) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let (send, mut receive) = tokio::sync::mpsc::channel(4);
    let reading = read_range(store, sql, &[], convert, send);
    let collecting = async {
        let mut out = Vec::new();
        while let Some(batch) = receive.recv().await {
            out.extend(batch);
        }
        out
    };
    let (read, out) = tokio::join!(reading, collecting);
    read.map(|()| out)
}

/// Every row of `sql` (a `SELECT` whose integer parameters `$1`, `$2`… are `params`: none for a whole
/// table, a range of ids when a table is read in parts side by side), each converted by `convert`, sent
/// through `out` in batches of [`BATCH`] rows as they are read, so that the receiver works while the
/// table is read. Fails if the receiver goes away before the end.
pub(crate) async fn read_range<T: Send + 'static>(
    store: &Store,
    sql: &'static str,
    params: &[i64],
    convert: fn(&dyn Columns) -> Result<T, StoreError>,
    out: tokio::sync::mpsc::Sender<Vec<T>>,
) -> Result<(), StoreError> {
    if let Some(file) = store.sqlite_file.clone() {
        let params = params.to_vec();
        return tokio::task::spawn_blocking(move || {
            read_sqlite(&file, sql, &params, convert, |batch| out.blocking_send(batch).is_ok())
        })
        .await
        .map_err(crate::load_task_failed)?;
    }
    let mut query = sqlx::query(sql);
    for p in params {
        query = query.bind(*p);
    }
    let mut rows = query.fetch(store.pool());
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(row) = rows.try_next().await? {
        if let Some(full) = fill(&mut batch, convert(&row)?) {
            out.send(full).await.map_err(|_| receiver_gone())?;
        }
    }
    if !batch.is_empty() {
        out.send(batch).await.map_err(|_| receiver_gone())?;
    }
    Ok(())
}

/// Adds `row` to `batch`; once the batch holds [`BATCH`] rows, hands it over and leaves an empty one.
fn fill<T>(batch: &mut Vec<T>, row: T) -> Option<Vec<T>> {
    batch.push(row);
    (batch.len() == BATCH).then(|| std::mem::replace(batch, Vec::with_capacity(BATCH)))
}

fn receiver_gone() -> StoreError {
    crate::corrupt(
        "catalogue",
        &"",
        "the rows' receiver stopped before the end of the table",
    )
}

fn read_sqlite<T>(
    file: &str,
    sql: &str,
    params: &[i64],
    convert: fn(&dyn Columns) -> Result<T, StoreError>,
    mut emit: impl FnMut(Vec<T>) -> bool,
) -> Result<(), StoreError> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let mut statement = conn.prepare(sql)?;
    let names: Vec<String> = statement.column_names().into_iter().map(str::to_owned).collect();
    let mut rows = statement.query(rusqlite::params_from_iter(params))?;
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(row) = rows.next()? {
        if let Some(full) = fill(&mut batch, convert(&NativeRow { row, names: &names })?)
            && !emit(full)
        {
            return Err(receiver_gone());
        }
    }
    if !batch.is_empty() && !emit(batch) {
        return Err(receiver_gone());
    }
    Ok(())
}
