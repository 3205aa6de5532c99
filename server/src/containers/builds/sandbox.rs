//! The sandbox a build's commands run in. A build runs the repository's
//! code (build scripts, procedural macros), so that code sees only what
//! the build needs, through bubblewrap:
//!
//! - a new mount namespace holding `/usr` and the Rust toolchain
//!   read-only, a few files of `/etc`, and the build's own directories
//!   (the checkout, the container's target directory, a private home and
//!   cargo's home) at fixed paths under `/build`: nothing of the server's
//!   data directory, its configuration or other builds;
//! - new PID, IPC, UTS and cgroup namespaces, and a new network namespace
//!   (no network at all) while the repository's code runs: dependencies
//!   are fetched before, by cargo alone (`Phase::Fetch`), outside the
//!   repository so that none of its configuration applies;
//! - an unprivileged user (`uid`/`gid` of the configuration when the
//!   server runs as root, the server's own user mapped to `nobody` in a
//!   user namespace otherwise), no capabilities, no new privileges;
//! - limits on CPU time, address space, processes and file size
//!   (`prlimit`).
//!
//! `Jail::Unsandboxed` runs the same commands as the server's user with
//! the host's paths: only when an administrator set `unsandboxed`.

use super::config::BuildConfig;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::process::Command;

/// Where the build's directories are inside the sandbox.
const INSIDE_SRC: &str = "/build/src";
const INSIDE_TARGET: &str = "/build/target";
const INSIDE_HOME: &str = "/build/home";
const INSIDE_CARGO_HOME: &str = "/build/cargo-home";
const INSIDE_RUSTUP: &str = "/toolchain/rustup";
const INSIDE_BIN: &str = "/toolchain/bin";
const INSIDE_EXTRA: &str = "/toolchain/extra";

/// The files of `/etc` a compiler and cargo need (the dynamic linker's
/// cache, `cc`'s alternatives, name resolution and certificates for the
/// fetch). Nothing else of `/etc` is visible.
const ETC: &[&str] = &[
    "/etc/alternatives",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/ssl",
    "/etc/ca-certificates",
];

/// Which part of a build a command is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Fetching dependencies: cargo only, with the network, cargo's home
    /// writable.
    Fetch,
    /// Compiling: the repository's code runs, without the network, with
    /// cargo's home read-only.
    Compile,
}

/// A build's directories on the server's disk.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    /// The checkout.
    pub(super) src: PathBuf,
    /// The container's cargo target directory.
    pub(super) target: PathBuf,
    /// A private, empty directory: `HOME` and `TMPDIR`.
    pub(super) home: PathBuf,
    /// Cargo's home for builds (registry and git caches).
    pub(super) cargo_home: PathBuf,
}

/// How a build's commands are confined.
#[derive(Debug, Clone)]
pub(super) enum Jail {
    /// Inside bubblewrap.
    Sandboxed(Sandbox),
    /// As the server's own user (`builds.unsandboxed`).
    Unsandboxed,
}

/// The bubblewrap sandbox's settings.
#[derive(Debug, Clone)]
pub(super) struct Sandbox {
    program: String,
    /// Drop to this user and group (the server runs as root), or map the
    /// server's user to `nobody` in a user namespace (`None`).
    drop_to: Option<(u32, u32)>,
    cpu_secs: u64,
    memory_bytes: u64,
    max_processes: u64,
    max_file_bytes: u64,
    rustup_home: Option<PathBuf>,
    cargo_bin: Option<PathBuf>,
}

impl Jail {
    /// The jail `config` asks for.
    pub(super) fn from_config(config: &BuildConfig) -> Self {
        if config.unsandboxed {
            return Jail::Unsandboxed;
        }
        let (rustup_home, cargo_bin) = toolchain_dirs();
        let root = effective_uid() == 0;
        Jail::Sandboxed(Sandbox {
            program: config.bubblewrap.clone(),
            drop_to: root.then_some((config.uid, config.gid)),
            cpu_secs: config.cpu_secs,
            memory_bytes: config.memory_mib << 20,
            max_processes: config.max_processes,
            max_file_bytes: config.max_file_mib << 20,
            rustup_home,
            cargo_bin,
        })
    }

    /// Makes the build's directories usable by the sandbox's user: owned
    /// by it, so that its code can write there and nowhere else.
    pub(super) fn prepare(&self, layout: &Layout) -> std::io::Result<()> {
        let Jail::Sandboxed(Sandbox { drop_to: Some((uid, gid)), .. }) = self else { return Ok(()) };
        for dir in [&layout.src, &layout.target, &layout.home, &layout.cargo_home] {
            std::fs::create_dir_all(dir)?;
            chown_tree(dir, *uid, *gid)?;
        }
        Ok(())
    }

    /// Checks that the sandbox can be entered here: a clear reason when
    /// it cannot (bubblewrap missing, namespaces refused).
    pub(super) async fn probe(&self, layout: &Layout) -> Result<(), String> {
        let Jail::Sandboxed(sandbox) = self else { return Ok(()) };
        let mut command = sandbox.command(Phase::Compile, layout, INSIDE_HOME, ("true", None), &[]);
        let output = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| {
                format!(
                    "builds run in a bubblewrap sandbox and `{}` cannot be started ({e}): install Debian's \
                     `bubblewrap` package, or set `[builds] unsandboxed = true` to run builds as the server's \
                     user (only where every app's users are trusted with the server)",
                    sandbox.program
                )
            })?;
        if output.status.success() {
            return Ok(());
        }
        let said = String::from_utf8_lossy(&output.stderr);
        Err(format!(
            "builds run in a bubblewrap sandbox and it cannot be entered on this machine ({}): allow user \
             namespaces, or set `[builds] unsandboxed = true` to run builds as the server's user",
            said.trim().chars().take(300).collect::<String>()
        ))
    }

    /// A command running `program args` in `phase`, in the directory
    /// `cwd` of the host (a directory of `layout`).
    pub(super) fn command(&self, phase: Phase, layout: &Layout, cwd: &Path, program: &str, args: &[&str]) -> Command {
        match self {
            Jail::Sandboxed(sandbox) => {
                let cwd = inside(layout, cwd).unwrap_or_else(|| INSIDE_HOME.into());
                let (program, extra) = sandbox.program_inside(program);
                sandbox.command(phase, layout, &cwd, (&program, extra.as_deref()), args)
            }
            Jail::Unsandboxed => {
                let mut command = Command::new(program);
                command.args(args).current_dir(cwd).env_clear().envs(host_toolchain_env());
                command
                    .env("HOME", &layout.home)
                    .env("TMPDIR", &layout.home)
                    .env("CARGO_HOME", &layout.cargo_home)
                    .env("CARGO_TARGET_DIR", &layout.target)
                    .env("CARGO_TERM_COLOR", "never")
                    .env("LANG", "C.UTF-8");
                if phase == Phase::Compile {
                    command.env("CARGO_NET_OFFLINE", "true");
                }
                command
            }
        }
    }

    /// The path the build's commands see for `path`, a host path inside
    /// `layout`'s directories.
    pub(super) fn inside(&self, layout: &Layout, path: &Path) -> String {
        match self {
            Jail::Sandboxed(_) => inside(layout, path).unwrap_or_else(|| path.to_string_lossy().into_owned()),
            Jail::Unsandboxed => path.to_string_lossy().into_owned(),
        }
    }

    /// The host's path of a path the build named (cargo's messages name
    /// paths inside the sandbox).
    pub(super) fn outside(&self, layout: &Layout, path: &Path) -> PathBuf {
        if let Jail::Unsandboxed = self {
            return path.to_path_buf();
        }
        for (inner, outer) in [(INSIDE_TARGET, &layout.target), (INSIDE_SRC, &layout.src), (INSIDE_HOME, &layout.home)]
        {
            if let Ok(rest) = path.strip_prefix(inner) {
                return outer.join(rest);
            }
        }
        path.to_path_buf()
    }
}

impl Sandbox {
    /// `program` as the sandbox sees it, with the host directory to show
    /// read-only at `/toolchain/extra` for it: a bare name is looked up on
    /// the sandbox's `PATH`; a path into the toolchain's `bin` is moved
    /// there; any other path is reached through `/toolchain/extra`.
    fn program_inside(&self, program: &str) -> (String, Option<PathBuf>) {
        let path = Path::new(program);
        if !program.contains('/') || path.starts_with("/usr") {
            return (program.to_string(), None);
        }
        if let Some(rest) = self.cargo_bin.as_ref().and_then(|bin| path.strip_prefix(bin).ok()) {
            return (Path::new(INSIDE_BIN).join(rest).to_string_lossy().into_owned(), None);
        }
        match (path.parent(), path.file_name()) {
            (Some(dir), Some(name)) => {
                (Path::new(INSIDE_EXTRA).join(name).to_string_lossy().into_owned(), Some(dir.to_path_buf()))
            }
            _ => (program.to_string(), None),
        }
    }

    /// `program` (inside, with its extra directory) run as the sandbox
    /// says, in `cwd` (inside).
    fn command(
        &self,
        phase: Phase,
        layout: &Layout,
        cwd: &str,
        (program, extra): (&str, Option<&Path>),
        args: &[&str],
    ) -> Command {
        let mut command = Command::new(&self.program);
        let mut arg = |a: &[&str]| {
            command.args(a);
        };
        arg(&["--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid", "--unshare-uts"]);
        arg(&["--unshare-cgroup-try"]);
        arg(&[if phase == Phase::Fetch { "--share-net" } else { "--unshare-net" }]);
        if self.drop_to.is_none() {
            arg(&["--unshare-user", "--uid", "65534", "--gid", "65534"]);
        }
        arg(&["--ro-bind", "/usr", "/usr"]);
        for dir in ["/bin", "/lib", "/lib64", "/lib32", "/sbin"] {
            let path = Path::new(dir);
            match std::fs::read_link(path) {
                Ok(target) => arg(&["--symlink", &target.to_string_lossy(), dir]),
                Err(_) if path.is_dir() => arg(&["--ro-bind", dir, dir]),
                Err(_) => {}
            }
        }
        arg(&["--perms", "0755", "--dir", "/etc"]);
        for file in ETC {
            arg(&["--ro-bind-try", file, file]);
        }
        arg(&["--proc", "/proc", "--dev", "/dev", "--perms", "01777", "--tmpfs", "/tmp"]);
        arg(&["--perms", "0755", "--dir", "/toolchain"]);
        if let Some(rustup) = &self.rustup_home {
            arg(&["--ro-bind", &rustup.to_string_lossy(), INSIDE_RUSTUP]);
        }
        if let Some(bin) = &self.cargo_bin {
            arg(&["--ro-bind", &bin.to_string_lossy(), INSIDE_BIN]);
        }
        if let Some(dir) = extra {
            arg(&["--ro-bind", &dir.to_string_lossy(), INSIDE_EXTRA]);
        }
        arg(&["--perms", "0755", "--dir", "/build"]);
        arg(&["--bind", &layout.src.to_string_lossy(), INSIDE_SRC]);
        arg(&["--bind", &layout.target.to_string_lossy(), INSIDE_TARGET]);
        arg(&["--bind", &layout.home.to_string_lossy(), INSIDE_HOME]);
        let cargo_home = if phase == Phase::Fetch { "--bind" } else { "--ro-bind" };
        arg(&[cargo_home, &layout.cargo_home.to_string_lossy(), INSIDE_CARGO_HOME]);
        arg(&["--chdir", cwd, "--clearenv"]);
        let path = format!("{INSIDE_BIN}:/usr/local/bin:/usr/bin:/bin");
        let mut env = vec![
            ("PATH", path.as_str()),
            ("HOME", INSIDE_HOME),
            ("TMPDIR", INSIDE_HOME),
            ("CARGO_HOME", INSIDE_CARGO_HOME),
            ("CARGO_TARGET_DIR", INSIDE_TARGET),
            ("CARGO_TERM_COLOR", "never"),
            ("LANG", "C.UTF-8"),
            // A `rust-toolchain.toml` must not make rustup download.
            ("RUSTUP_AUTO_INSTALL", "0"),
        ];
        if self.rustup_home.is_some() {
            env.push(("RUSTUP_HOME", INSIDE_RUSTUP));
        }
        if phase == Phase::Compile {
            env.push(("CARGO_NET_OFFLINE", "true"));
        }
        let toolchain = std::env::var("RUSTUP_TOOLCHAIN").ok();
        if let Some(toolchain) = &toolchain {
            env.push(("RUSTUP_TOOLCHAIN", toolchain));
        }
        for (name, value) in env {
            arg(&["--setenv", name, value]);
        }
        arg(&["--", "prlimit"]);
        let limits = [
            format!("--cpu={}", self.cpu_secs),
            format!("--as={}", self.memory_bytes),
            format!("--fsize={}", self.max_file_bytes),
            // Core dumps of build scripts are not wanted anywhere.
            "--core=0".to_string(),
        ];
        arg(&limits.iter().map(String::as_str).collect::<Vec<_>>());
        if let Some((uid, gid)) = self.drop_to {
            // The count is per user: it means something only for the
            // build's own user.
            let nproc = format!("--nproc={}", self.max_processes);
            let (uid, gid) = (format!("--reuid={uid}"), format!("--regid={gid}"));
            arg(&[&nproc, "--", "setpriv", &uid, &gid, "--clear-groups", "--no-new-privs"]);
            arg(&["--inh-caps=-all", "--bounding-set=-all"]);
        }
        arg(&["--", program]);
        arg(args);
        command
    }
}

/// The path inside the sandbox of a host directory of `layout`.
fn inside(layout: &Layout, dir: &Path) -> Option<String> {
    for (outer, inner) in [(&layout.src, INSIDE_SRC), (&layout.target, INSIDE_TARGET), (&layout.home, INSIDE_HOME)] {
        if let Ok(rest) = dir.strip_prefix(outer) {
            return Some(Path::new(inner).join(rest).to_string_lossy().into_owned());
        }
    }
    None
}

/// The effective user id, read from `/proc` (the crate forbids `unsafe`).
fn effective_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX)
}

/// Changes the owner of `dir` and everything under it (symbolic links
/// themselves, never what they point to), unless `dir` already has it.
fn chown_tree(dir: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(dir)?;
    if meta.uid() == uid && meta.gid() == gid {
        return Ok(());
    }
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        std::os::unix::fs::lchown(&path, Some(uid), Some(gid))?;
        if std::fs::symlink_metadata(&path)?.is_dir() {
            for entry in std::fs::read_dir(&path)? {
                pending.push(entry?.path());
            }
        }
    }
    Ok(())
}

/// Where the server's Rust toolchain lives: rustup's home and cargo's
/// `bin` directory (its proxies and `cargo-component`), when present.
fn toolchain_dirs() -> (Option<PathBuf>, Option<PathBuf>) {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let dir = |name: &str, default: &str| {
        std::env::var_os(name).map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(default)))
    };
    let rustup = dir("RUSTUP_HOME", ".rustup").filter(|d| d.is_dir());
    let bin = dir("CARGO_HOME", ".cargo").map(|d| d.join("bin")).filter(|d| d.is_dir());
    (rustup, bin)
}

/// The toolchain's locations for an unsandboxed build, kept from the
/// server's environment (a rustup install finds its toolchains through
/// them even with another `HOME`).
fn host_toolchain_env() -> Vec<(&'static str, OsString)> {
    let (rustup, bin) = toolchain_dirs();
    let mut env = vec![("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into()))];
    if let Some(rustup) = rustup {
        env.push(("RUSTUP_HOME", rustup.into_os_string()));
    }
    if let Some(bin) = bin {
        // Cargo's proxies are found on PATH; keep them first.
        let mut path = bin.into_os_string();
        path.push(":");
        path.push(&env[0].1);
        env[0].1 = path;
    }
    if let Some(toolchain) = std::env::var_os("RUSTUP_TOOLCHAIN") {
        env.push(("RUSTUP_TOOLCHAIN", toolchain));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(root: &Path) -> Layout {
        Layout {
            src: root.join("src"),
            target: root.join("target"),
            home: root.join("home"),
            cargo_home: root.join("cargo-home"),
        }
    }

    #[test]
    fn paths_map_between_the_host_and_the_sandbox() {
        let jail = Jail::from_config(&BuildConfig::default());
        let layout = layout(Path::new("/data/builds/work/build-1"));
        assert_eq!(inside(&layout, &layout.src.join("guests/a")).as_deref(), Some("/build/src/guests/a"));
        assert_eq!(inside(&layout, Path::new("/elsewhere")), None);
        let wasm = Path::new("/build/target/wasm32-wasip2/release/a.wasm");
        assert_eq!(jail.outside(&layout, wasm), layout.target.join("wasm32-wasip2/release/a.wasm"));
        assert_eq!(Jail::Unsandboxed.outside(&layout, wasm), wasm);
    }

    #[test]
    fn the_compile_phase_has_no_network_and_a_read_only_cargo_home() {
        let jail = Jail::from_config(&BuildConfig::default());
        let layout = layout(Path::new("/d"));
        let args = |phase| {
            let command = jail.command(phase, &layout, &layout.src, "cargo", &["build"]);
            command.as_std().get_args().map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ")
        };
        let compile = args(Phase::Compile);
        assert!(compile.contains("--unshare-net") && !compile.contains("--share-net"), "{compile}");
        assert!(compile.contains("--ro-bind /d/cargo-home /build/cargo-home"), "{compile}");
        assert!(compile.contains("--setenv CARGO_NET_OFFLINE true"), "{compile}");
        assert!(compile.contains("--chdir /build/src"), "{compile}");
        let fetch = args(Phase::Fetch);
        assert!(fetch.contains("--share-net") && fetch.contains("--bind /d/cargo-home /build/cargo-home"), "{fetch}");
        // Nothing of the data directory beyond the build's own.
        assert!(!compile.contains("/d "), "{compile}");
    }

    #[test]
    fn ownership_is_handed_to_the_build_user_without_following_links() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::NamedTempFile::new().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/f"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("a/link")).unwrap();
        if effective_uid() != 0 {
            return; // Only root can give files away.
        }
        chown_tree(dir.path(), 65534, 65534).unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_eq!(std::fs::metadata(dir.path().join("a/b/f")).unwrap().uid(), 65534);
        assert_eq!(std::fs::symlink_metadata(dir.path().join("a/link")).unwrap().uid(), 65534);
        assert_eq!(std::fs::metadata(outside.path()).unwrap().uid(), 0, "the link's target is not touched");
    }
}
