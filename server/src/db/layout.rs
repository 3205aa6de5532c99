//! The rules of `server/migrations/`: which files make which dialect's
//! migrations. A migration is written once, `NNNN_description.sql`, when
//! the dialects agree, and as three overrides,
//! `NNNN_description.{sqlite,postgres,mysql}.sql`, when they do not;
//! never both, never fewer than three overrides, never three identical
//! overrides. The version is the number before the first `_`, the
//! description what follows with `_` read as a space, as `sqlx` reads a
//! migration's file name, so a file keeps the version, description and
//! checksum it had in a directory of its dialect's own.
//!
//! `build.rs` includes this file to check the directory and embed it;
//! the crate includes it for the tests of the rules.

use std::collections::BTreeMap;

/// The dialects, in the order of [`Plan::dialects`]: the name an
/// override's file carries before `.sql`.
pub const DIALECTS: [&str; 3] = ["sqlite", "postgres", "mysql"];

/// One migration of one dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The version (`sqlx`'s, stored in `_sqlx_migrations`).
    pub version: i64,
    /// The description, `_` read as a space.
    pub description: String,
    /// The file in the migrations directory that holds its SQL.
    pub file: String,
}

/// Every dialect's migrations, by version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// One list per entry of [`DIALECTS`], in that order, each sorted by version.
    pub dialects: [Vec<Planned>; 3],
}

/// Why the migrations directory does not follow the rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// A file whose name is neither a migration's nor `README.md`.
    #[error(
        "{0}: not a migration; name it NNNN_description.sql, or NNNN_description.<dialect>.sql with dialect sqlite, postgres or mysql"
    )]
    UnexpectedFile(String),
    /// A version below 1.
    #[error("{0}: the version must be at least 1")]
    BadVersion(String),
    /// A version with a shared file and overrides.
    #[error("version {version}: {shared} is shared, so {overrides} must not exist")]
    SharedAndOverride {
        /// The version.
        version: i64,
        /// The shared file.
        shared: String,
        /// The overrides, comma-separated.
        overrides: String,
    },
    /// A version with overrides for some dialects only.
    #[error(
        "version {version}: no shared file and no override for {missing}; write NNNN_description.sql once, or one override per dialect"
    )]
    MissingOverrides {
        /// The version.
        version: i64,
        /// The dialects without an override, comma-separated.
        missing: String,
    },
    /// Two files for the same version and dialect, or files of one version
    /// with different descriptions.
    #[error("version {version}: {files} clash; one version has one description and one file per dialect")]
    Clash {
        /// The version.
        version: i64,
        /// The clashing files, comma-separated.
        files: String,
    },
    /// Three overrides with the same SQL.
    #[error("version {version}: the three overrides are identical; write the migration once as {shared}")]
    IdenticalOverrides {
        /// The version.
        version: i64,
        /// The shared file to write instead.
        shared: String,
    },
}

/// One migration file, as its name reads.
#[derive(Debug, Clone, Copy)]
struct File<'a> {
    version: i64,
    description: &'a str,
    /// The index in [`DIALECTS`] of an override; `None` for a shared file.
    dialect: Option<usize>,
    name: &'a str,
    sql: &'a str,
}

/// What the file `name` holding `sql` is: `None` for `README.md`.
fn parse<'a>(name: &'a str, sql: &'a str) -> Result<Option<File<'a>>, LayoutError> {
    if name == "README.md" {
        return Ok(None);
    }
    let unexpected = || LayoutError::UnexpectedFile(name.to_string());
    let stem = name.strip_suffix(".sql").ok_or_else(unexpected)?;
    let (digits, rest) = stem.split_once('_').ok_or_else(unexpected)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(unexpected());
    }
    let version: i64 = digits.parse().map_err(|_| unexpected())?;
    if version < 1 {
        return Err(LayoutError::BadVersion(name.to_string()));
    }
    let (description, dialect) = match rest.split_once('.') {
        None => (rest, None),
        Some((description, dialect)) => {
            let index = DIALECTS.iter().position(|d| *d == dialect).ok_or_else(unexpected)?;
            (description, Some(index))
        }
    };
    if description.is_empty() {
        return Err(unexpected());
    }
    Ok(Some(File { version, description, dialect, name, sql }))
}

/// Plans every dialect's migrations from the directory's files, given as
/// name and SQL; lists every rule broken.
pub fn plan<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Plan, Vec<LayoutError>> {
    let mut errors = Vec::new();
    let mut versions: BTreeMap<i64, Vec<File<'a>>> = BTreeMap::new();
    for (name, sql) in files {
        match parse(name, sql) {
            Ok(Some(file)) => versions.entry(file.version).or_default().push(file),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    let mut dialects: [Vec<Planned>; 3] = Default::default();
    for (version, mut files) in versions {
        // The shared file first, then the overrides in the order of `DIALECTS`.
        files.sort_by_key(|f| f.dialect);
        let names = |files: &[File]| files.iter().map(|f| f.name).collect::<Vec<_>>().join(", ");
        let description = files[0].description;
        let per_dialect = |d: usize| files.iter().filter(|f| f.dialect == Some(d)).count();
        if files.iter().any(|f| f.description != description)
            || files.iter().filter(|f| f.dialect.is_none()).count() > 1
            || (0..DIALECTS.len()).any(|d| per_dialect(d) > 1)
        {
            errors.push(LayoutError::Clash { version, files: names(&files) });
            continue;
        }
        let planned =
            |file: &File| Planned { version, description: description.replace('_', " "), file: file.name.to_string() };
        match files.iter().find(|f| f.dialect.is_none()) {
            Some(shared) if files.len() > 1 => errors.push(LayoutError::SharedAndOverride {
                version,
                shared: shared.name.to_string(),
                overrides: names(&files[1..]),
            }),
            Some(shared) => {
                for list in &mut dialects {
                    list.push(planned(shared));
                }
            }
            None if files.len() < DIALECTS.len() => {
                let missing: Vec<&str> =
                    (0..DIALECTS.len()).filter(|d| per_dialect(*d) == 0).map(|d| DIALECTS[d]).collect();
                errors.push(LayoutError::MissingOverrides { version, missing: missing.join(", ") });
            }
            None if files.iter().all(|f| f.sql == files[0].sql) => errors.push(LayoutError::IdenticalOverrides {
                version,
                shared: files[0].name.split_once('.').map(|(stem, _)| format!("{stem}.sql")).unwrap_or_default(),
            }),
            None => {
                for (list, file) in dialects.iter_mut().zip(&files) {
                    list.push(planned(file));
                }
            }
        }
    }
    if errors.is_empty() { Ok(Plan { dialects }) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::{LayoutError, plan};

    fn versions(files: &[(&str, &str)]) -> [Vec<(i64, String, String)>; 3] {
        let plan = plan(files.iter().copied()).unwrap();
        plan.dialects.map(|list| list.into_iter().map(|m| (m.version, m.description, m.file)).collect())
    }

    #[test]
    fn a_shared_file_serves_every_dialect_and_overrides_serve_their_own() {
        let [sqlite, postgres, mysql] = versions(&[
            ("0002_add_owner.sqlite.sql", "a"),
            ("0001_init.sql", "shared"),
            ("0002_add_owner.mysql.sql", "c"),
            ("0002_add_owner.postgres.sql", "b"),
            ("README.md", "how to"),
        ]);
        let row = |v, d: &str, f: &str| (v, d.to_string(), f.to_string());
        assert_eq!(sqlite, [row(1, "init", "0001_init.sql"), row(2, "add owner", "0002_add_owner.sqlite.sql")]);
        assert_eq!(postgres, [row(1, "init", "0001_init.sql"), row(2, "add owner", "0002_add_owner.postgres.sql")]);
        assert_eq!(mysql, [row(1, "init", "0001_init.sql"), row(2, "add owner", "0002_add_owner.mysql.sql")]);
    }

    #[test]
    fn a_version_needs_a_shared_file_or_all_three_overrides() {
        let errors = plan([("0003_x.sqlite.sql", "a"), ("0003_x.mysql.sql", "b")]).unwrap_err();
        assert_eq!(errors, [LayoutError::MissingOverrides { version: 3, missing: "postgres".into() }]);
        let errors = plan([("0003_x.sql", "a"), ("0003_x.postgres.sql", "b")]).unwrap_err();
        assert_eq!(
            errors,
            [LayoutError::SharedAndOverride {
                version: 3,
                shared: "0003_x.sql".into(),
                overrides: "0003_x.postgres.sql".into()
            }]
        );
        let same = [("0004_y.sqlite.sql", "s"), ("0004_y.postgres.sql", "s"), ("0004_y.mysql.sql", "s")];
        assert_eq!(
            plan(same).unwrap_err(),
            [LayoutError::IdenticalOverrides { version: 4, shared: "0004_y.sql".into() }]
        );
    }

    #[test]
    fn clashes_and_strange_names_are_refused() {
        let errors = plan([
            ("0005_a.sql", ""),
            ("5_b.sql", ""),
            ("0006_c.up.sql", ""),
            ("0007_d.oracle.sql", ""),
            ("notes.txt", ""),
            ("0000_zero.sql", ""),
            ("x1_e.sql", ""),
        ])
        .unwrap_err();
        assert_eq!(
            errors,
            [
                LayoutError::UnexpectedFile("0006_c.up.sql".into()),
                LayoutError::UnexpectedFile("0007_d.oracle.sql".into()),
                LayoutError::UnexpectedFile("notes.txt".into()),
                LayoutError::BadVersion("0000_zero.sql".into()),
                LayoutError::UnexpectedFile("x1_e.sql".into()),
                LayoutError::Clash { version: 5, files: "0005_a.sql, 5_b.sql".into() },
            ]
        );
    }
}
