//! Rendering, names and archives; building the projects is
//! `tests/build.rs`.

use super::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

fn repo(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn by_path(files: &[TemplateFile]) -> BTreeMap<&str, &TemplateFile> {
    files.iter().map(|f| (f.path.as_str(), f)).collect()
}

/// The first `{{word}}` of a text: a placeholder `fill` missed.
fn placeholder(text: &str) -> Option<&str> {
    text.match_indices("{{").find_map(|(at, _)| {
        let rest = &text[at + 2..];
        let end = rest.find("}}")?;
        let word = &rest[..end];
        (!word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(word)
    })
}

#[test]
fn placeholders_are_found() {
    assert_eq!(placeholder("a {{name}} b"), Some("name"));
    assert_eq!(placeholder(r#"format!(r"{{\"primes\":{primes}}}")"#), None);
}

#[test]
fn every_kind_and_language_renders_complete_files() {
    for lang in Lang::ALL {
        for &kind in ExecuteType::ALL {
            let files = render("report.Exporter-2", kind, lang).unwrap();
            let paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
            assert_eq!(paths.len(), files.len(), "{kind}/{lang}: a path repeats");
            for file in &files {
                assert_eq!(placeholder(&file.contents), None, "{kind}/{lang} {}: a placeholder is left", file.path);
                assert!(
                    !file.path.starts_with('/') && !file.path.split('/').any(|p| p == ".." || p.is_empty()),
                    "{kind}/{lang}: {} is not a plain relative path",
                    file.path
                );
                assert!(!file.contents.contains("/work/"), "{kind}/{lang} {}: a path of this machine", file.path);
            }
            let common = ["README.md", ".gitignore", "wit/processor.wit"];
            let own: &[&str] = match lang {
                Lang::Rust => &["Cargo.toml", ".cargo/config.toml", "src/lib.rs", "wasmjob-sdk/Cargo.toml"],
                Lang::Python => &["app.py", "task_params.py", "build.sh"],
            };
            for path in common.iter().chain(own) {
                assert!(paths.contains(path), "{kind}/{lang}: no {path}");
            }
            let readme = &by_path(&files)["README.md"].contents;
            assert!(readme.starts_with("# report.Exporter-2\n"), "{readme}");
            assert!(readme.contains(&format!("--kind {}", kind.flag())), "{readme}");
            assert!(readme.contains("wasmjob container push"), "{readme}");
            assert!(readme.contains(&format!("\"executeType\": \"{}\"", kind.name())), "{readme}");
        }
    }
}

#[test]
fn the_job_json_in_readmes_is_valid_json() {
    for &kind in ExecuteType::ALL {
        let name = check_name("demo").unwrap();
        let job: serde_json::Value = serde_json::from_str(&common::job_json(&name, kind)).unwrap();
        assert_eq!(job["processorInfo"], "demo");
        let params: serde_json::Value = serde_json::from_str(job["jobParams"].as_str().unwrap()).unwrap();
        assert!(params.is_object());
    }
}

#[test]
fn rust_projects_stand_alone_with_small_release_builds() {
    for &kind in ExecuteType::ALL {
        let files = render("Report.Exporter", kind, Lang::Rust).unwrap();
        let files = by_path(&files);
        let manifest = &files["Cargo.toml"].contents;
        assert!(manifest.contains("name = \"report-exporter\"\n"), "{manifest}");
        assert!(manifest.contains("crate-type = [\"cdylib\"]"), "{manifest}");
        assert!(manifest.contains("\n[workspace]\n"), "its own workspace: {manifest}");
        for setting in ["opt-level = \"s\"", "lto = true", "strip = true", "codegen-units = 1"] {
            assert!(manifest.contains(setting), "{setting}: {manifest}");
        }
        // The only path dependency is the copy inside the project.
        let paths: Vec<&str> = manifest.lines().filter(|l| l.contains("path =")).collect();
        assert_eq!(paths, ["wasmjob-sdk = { path = \"wasmjob-sdk\" }"]);
        assert!(!files["wasmjob-sdk/Cargo.toml"].contents.contains("path ="));

        let config = &files[".cargo/config.toml"].contents;
        assert!(config.contains("[target.wasm32-wasip2]\nrustflags = [\"-C\", \"link-arg=-zstack-size=131072\"]"));

        let lib = &files["src/lib.rs"].contents;
        let export = match kind {
            ExecuteType::Standalone => "wasmjob_sdk::export_basic!(",
            ExecuteType::Broadcast => "wasmjob_sdk::export_broadcast!(",
            ExecuteType::Map => "wasmjob_sdk::export_map!(",
            ExecuteType::MapReduce => "wasmjob_sdk::export_map_reduce!(",
        };
        assert_eq!(lib.matches("wasmjob_sdk::export_").count(), 1, "{lib}");
        assert!(lib.contains(export), "{kind}: {lib}");
        assert!(lib.starts_with("//! Report.Exporter: a "), "{lib}");
        assert_eq!(
            wasm_path("Report.Exporter", Lang::Rust).unwrap(),
            "target/wasm32-wasip2/release/report_exporter.wasm"
        );
    }
}

#[test]
fn rust_projects_carry_the_current_sdk_and_contract() {
    let files = render("demo", ExecuteType::Map, Lang::Rust).unwrap();
    let files = by_path(&files);
    assert_eq!(files["wit/processor.wit"].contents, repo("wit/processor.wit"));
    assert_eq!(files["wasmjob-sdk/README.md"].contents, repo("sdk/README.md"));
    let sources = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../src")).unwrap();
    let mut count = 0;
    for entry in sources {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".rs") {
            let copy =
                files.get(format!("wasmjob-sdk/src/{name}").as_str()).unwrap_or_else(|| panic!("no copy of {name}"));
            assert_eq!(copy.contents, repo(&format!("sdk/src/{name}")), "{name}");
            count += 1;
        }
    }
    assert!(count >= 5, "only {count} SDK sources");
    assert_eq!(files.keys().filter(|p| p.starts_with("wasmjob-sdk/src/")).count(), count);
    // The SDK reads the contract from `../wit` of its crate: the project's `wit/`.
    assert!(files["wasmjob-sdk/src/bindings.rs"].contents.contains("path: \"../wit\""));
}

/// The copied SDK's manifest is written here, not copied (the real one
/// inherits from the workspace): it must keep the real one's dependencies.
#[test]
fn the_copied_sdk_manifest_keeps_the_real_ones_dependencies() {
    fn dependencies(manifest: &str) -> BTreeSet<String> {
        let section = manifest.split("[dependencies]").nth(1).expect("a [dependencies] section");
        let section = section.split("\n[").next().unwrap_or_default();
        section
            .lines()
            .filter_map(|l| l.split_once('=').map(|(name, _)| name.trim().to_string()))
            .filter(|name| !name.is_empty() && !name.starts_with('#'))
            .collect()
    }
    let files = render("demo", ExecuteType::Standalone, Lang::Rust).unwrap();
    let copied = &by_path(&files)["wasmjob-sdk/Cargo.toml"].contents;
    assert_eq!(dependencies(copied), dependencies(&repo("sdk/Cargo.toml")));
    let workspace = repo("Cargo.toml");
    assert!(
        workspace.lines().any(|l| l.trim() == format!("wit-bindgen = \"{}\"", rust::WIT_BINDGEN)),
        "the workspace's wit-bindgen is not {}",
        rust::WIT_BINDGEN
    );
    assert!(copied.contains(&format!("version = \"{}\"", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn python_projects_export_their_world() {
    for &kind in ExecuteType::ALL {
        let files = render("py-job", kind, Lang::Python).unwrap();
        let files = by_path(&files);
        let app = &files["app.py"].contents;
        assert!(app.contains("class WitWorld(wit_world.WitWorld):"), "{app}");
        let exports: &[&str] = match kind {
            ExecuteType::Standalone | ExecuteType::Map => &["process"],
            ExecuteType::Broadcast => &["pre_process", "process", "post_process"],
            ExecuteType::MapReduce => &["process", "reduce"],
        };
        let defined: Vec<&str> = app.lines().filter_map(|l| l.strip_prefix("    def ")?.split('(').next()).collect();
        assert_eq!(defined, exports, "{kind}");
        let build = files["build.sh"];
        assert!(build.executable);
        let world = if kind == ExecuteType::Map { "%map" } else { kind.world().name() };
        assert!(build.contents.contains(&format!(" -w {world} componentize ")), "{}", build.contents);
        assert!(build.contents.contains(&format!("COMPONENTIZE_PY_VERSION={}", python::COMPONENTIZE_PY)));
        assert!(build.contents.contains("$here/py-job.wasm"));
        assert_eq!(wasm_path("py-job", Lang::Python).unwrap(), "py-job.wasm");
    }
}

/// The Python example is what build.sh's pinned version is tested with.
#[test]
fn python_projects_pin_the_componentize_py_of_the_example() {
    let example = repo("guest-examples/python-standalone/build.sh");
    assert!(example.contains(&format!("COMPONENTIZE_PY_VERSION={}", python::COMPONENTIZE_PY)));
}

#[test]
fn names_follow_the_container_rule_and_make_crate_names() {
    let name = check_name("Report.Exporter_v1-2").unwrap();
    assert_eq!((name.package.as_str(), name.lib.as_str()), ("report-exporter_v1-2", "report_exporter_v1_2"));
    assert_eq!(name.name, "Report.Exporter_v1-2");
    assert!(check_name(&format!("a{}", "b".repeat(127))).is_ok());

    let refused = |name: &str| match check_name(name) {
        Err(TemplateError::InvalidName(message)) => message,
        other => panic!("{name}: {other:?}"),
    };
    assert!(refused("").contains("empty"));
    assert!(refused(&"a".repeat(129)).contains("at most 128"));
    assert!(refused("a@b").contains("`@`"));
    assert!(refused("my job").contains("` `"));
    assert!(refused("é").contains("`é`"));
    assert!(refused("1job").contains("must start with a letter"));
    assert!(refused("-job").contains("must start with a letter"));
    assert!(refused(".job").contains("must start with a letter"));
    for reserved in ["fn", "Self", "test", "std", "wasmjob-sdk", "wasmjob_sdk", "build", "con", "gen"] {
        assert!(refused(reserved).contains("cannot name a crate"), "{reserved}");
    }
    assert!(render("fn", ExecuteType::Standalone, Lang::Python).is_err(), "one rule for both languages");
}

#[test]
fn kinds_and_languages_parse_as_the_cli_and_api_spell_them() {
    for &kind in ExecuteType::ALL {
        assert_eq!(kind.flag().parse::<ExecuteType>().unwrap(), kind);
        assert_eq!(kind.name().parse::<ExecuteType>().unwrap(), kind);
    }
    assert_eq!("Map-Reduce".parse::<ExecuteType>().unwrap(), ExecuteType::MapReduce);
    let error = "basic".parse::<ExecuteType>().unwrap_err().to_string();
    assert!(error.contains("`basic`: expected standalone, broadcast, map or map-reduce"), "{error}");
    assert_eq!("Python".parse::<Lang>().unwrap(), Lang::Python);
    assert_eq!(Lang::default(), Lang::Rust);
    assert!("go".parse::<Lang>().unwrap_err().to_string().contains("use rust or python"));
}

#[test]
fn archives_round_trip_under_one_directory() {
    let files = render("py-job", ExecuteType::MapReduce, Lang::Python).unwrap();
    let archive = tar_gz("py-job", &files).unwrap();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive.as_slice()));
    let mut seen = BTreeMap::new();
    let mut directories = BTreeSet::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_str().unwrap().to_string();
        let mode = entry.header().mode().unwrap();
        if entry.header().entry_type().is_dir() {
            assert_eq!(mode, 0o755, "{path}");
            directories.insert(path);
            continue;
        }
        let mut contents = String::new();
        entry.read_to_string(&mut contents).unwrap();
        seen.insert(path, (contents, mode));
    }
    assert_eq!(directories, BTreeSet::from(["py-job/".to_string(), "py-job/wit/".to_string()]));
    assert_eq!(seen.len(), files.len());
    for file in &files {
        let (contents, mode) = &seen[&format!("py-job/{}", file.path)];
        assert_eq!(contents, &file.contents, "{}", file.path);
        assert_eq!(*mode, if file.executable { 0o755 } else { 0o644 }, "{}", file.path);
    }
    assert_eq!(seen["py-job/build.sh"].1, 0o755);
}

#[test]
fn long_paths_survive_the_archive() {
    let name = format!("a{}", "b".repeat(127));
    let files = render(&name, ExecuteType::Standalone, Lang::Rust).unwrap();
    let archive = tar_gz(&name, &files).unwrap();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive.as_slice()));
    let paths: BTreeSet<String> =
        tar.entries().unwrap().map(|e| e.unwrap().path().unwrap().to_str().unwrap().to_string()).collect();
    assert!(paths.contains(&format!("{name}/wasmjob-sdk/src/bindings.rs")), "{paths:?}");
}
