//! Project names: the container-name rule (1 to 128 letters, digits, `.`,
//! `_`, `-`), so the project uploads under its own name, and, once
//! normalised (lowercase, `.` → `-`), a package name cargo accepts and a
//! crate name rustc accepts without a warning.

use crate::TemplateError;

/// A checked project name and the names derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectName {
    /// The name as given: the project's directory and container name.
    pub name: String,
    /// The cargo package name: lowercase, `.` replaced by `-`
    /// (`Report.Exporter` → `report-exporter`).
    pub package: String,
    /// The crate's name in Rust and of the built `.wasm`: the package
    /// name with `-` replaced by `_` (`report_exporter`).
    pub lib: String,
}

/// Names rustc or cargo refuse for a crate, or that would clash with the
/// standard library, the copied SDK or cargo's own directories.
const RESERVED: &[&str] = &[
    // Rust keywords, strict and reserved.
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    // The standard library's crates.
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    // The SDK copied into every Rust project.
    "wasmjob_sdk",
    // Cargo's build directories.
    "build",
    "deps",
    "examples",
    "incremental",
    // Device names Windows reserves for files.
    "con",
    "prn",
    "aux",
    "nul",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
];

/// Checks a project name and derives its package and crate names.
///
/// The name must be 1 to 128 letters, digits, `.`, `_` or `-` (a container
/// name), start with a letter, and not be a Rust keyword or a name a
/// crate cannot take (`std`, `test`, `wasmjob-sdk`, `build`, …).
pub fn check_name(name: &str) -> Result<ProjectName, TemplateError> {
    let invalid = |why: String| TemplateError::InvalidName(why);
    if name.is_empty() {
        return Err(invalid("the project name is empty: give 1 to 128 letters, digits, `.`, `_` or `-`".into()));
    }
    if name.len() > 128 {
        return Err(invalid(format!("the project name is {} characters long: at most 128 are allowed", name.len())));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        return Err(invalid(format!("`{bad}` is not allowed in a project name: use letters, digits, `.`, `_` or `-`")));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(invalid(format!(
            "the project name `{name}` must start with a letter (it names a Rust crate and a Python package)"
        )));
    }
    let package = name.to_ascii_lowercase().replace('.', "-");
    let lib = package.replace('-', "_");
    if RESERVED.contains(&lib.as_str()) {
        return Err(invalid(format!(
            "the project name `{name}` cannot name a crate (`{lib}` is a Rust keyword or a reserved name): choose another"
        )));
    }
    Ok(ProjectName { name: name.to_string(), package, lib })
}

impl std::fmt::Display for ProjectName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}
