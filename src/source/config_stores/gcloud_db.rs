//! gcloud's legacy credential databases (`credentials.db`, `access_tokens.db`): SQLite files
//! holding refresh tokens, service-account keys and access tokens per account. They are opened
//! read-only and immutable (no journal or WAL file is ever created next to them), and every
//! text cell is scanned; findings name the cell as `table[row].column`.

use crate::blob::Origin;
use crate::coverage::{Coverage, SkipReason};
use crate::detect::findings_in_blob;
use crate::finding::{Finding, Location, SourceKind};
use crate::matcher::{Matcher, RuleSet};
use rusqlite::{Connection, OpenFlags, types::ValueRef};
use std::path::Path;

/// The store name reported for findings from these databases.
pub const STORE: &str = "gcloud-credentials-db";

/// True for the file names gcloud uses for its credential databases.
pub fn is_gcloud_db(path: &Path) -> bool {
    path.parent()
        .and_then(|p| p.file_name())
        .is_some_and(|p| p == "gcloud")
        && path
            .file_name()
            .is_some_and(|n| n == "credentials.db" || n == "access_tokens.db")
}

/// Scan every text cell of the database at `path` (shown as `display`).
pub fn scan(
    path: &Path,
    display: &str,
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    coverage: &Coverage,
) -> Vec<Finding> {
    match scan_cells(path, display, set, matcher, coverage) {
        Ok(found) => found,
        Err(e) => {
            coverage.skip(SkipReason::Unreadable);
            // SQLite's messages can quote the schema or data; only the error's kind is shown.
            coverage.note(format!(
                "{display}: not a readable SQLite database ({})",
                error_kind(&e)
            ));
            Vec::new()
        }
    }
}

fn scan_cells(
    path: &Path,
    display: &str,
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    coverage: &Coverage,
) -> rusqlite::Result<Vec<Finding>> {
    let uri = format!("file:{}?immutable=1", path.display());
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(uri, flags)?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let origin = Origin {
        path: display.to_string(),
        source: SourceKind::ConfigStore,
        store: Some(STORE.into()),
    };
    let mut out = Vec::new();
    for table in tables {
        let mut stmt =
            conn.prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))?;
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let mut rows = stmt.query([])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            let label = text(row.get_ref(0)?).unwrap_or_else(|| n.to_string());
            for (i, column) in columns.iter().enumerate() {
                let Some(cell) = text(row.get_ref(i)?) else {
                    continue;
                };
                coverage.scanned(cell.len());
                for mut f in findings_in_blob(set, matcher, cell.as_bytes(), &origin, coverage) {
                    f.props.config_key = Some(format!("{table}[{label}].{column}"));
                    f.location = Location {
                        path: display.to_string(),
                        start_line: 1,
                        start_column: 1,
                        end_line: 1,
                        end_column: 2,
                    };
                    out.push(f);
                }
            }
            n += 1;
        }
    }
    Ok(out)
}

/// A fixed description of a database error, without any text SQLite or the driver attached.
fn error_kind(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => format!("{:?}", f.code),
        _ => "query failed".to_string(),
    }
}

/// A cell as text: TEXT, or a BLOB that is valid UTF-8 (gcloud stores JSON in BLOB columns).
fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => std::str::from_utf8(t).ok().map(str::to_string),
        _ => None,
    }
}
