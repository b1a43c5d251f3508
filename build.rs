//! Names the commit shopfront is built from, for `shopfront --version`:
//! `SHOPFRONT_COMMIT` when set (the release workflow sets it), else the
//! checkout's `HEAD`, else nothing (a build of the published crate).

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=SHOPFRONT_COMMIT");
    // Not on every change of the package's files (the default).
    println!("cargo:rerun-if-changed=build.rs");
    let version = env!("CARGO_PKG_VERSION");
    let commit = std::env::var("SHOPFRONT_COMMIT").ok().filter(|c| !c.trim().is_empty()).or_else(checkout_head);
    let line = match commit {
        Some(commit) => format!("{version} (commit {})", commit.trim().get(..12).unwrap_or(commit.trim())),
        None => version.to_owned(),
    };
    println!("cargo:rustc-env=SHOPFRONT_VERSION_LINE={line}");
    pack_relocations();
}

/// Linux with glibc: the binary's 32,000 relative relocations packed
/// (`DT_RELR`: glibc 2.36 and binutils 2.38 or later; an older linker or
/// glibc leaves them as they are). Unpacked, the loader maps 750 KB of them
/// at every start: 0.7 MiB of a 1,000-post build's 30 MiB peak
/// (BENCHMARKS.md, *Peak memory*).
fn pack_relocations() {
    let target = |key: &str| std::env::var(key).unwrap_or_default();
    if target("CARGO_CFG_TARGET_OS") == "linux" && target("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// `HEAD` of the repository this crate is the root of, if it is one (not of
/// a repository it happens to sit in, as a packaged copy in `target/` does).
fn checkout_head() -> Option<String> {
    // Read when the script runs: a compiled build script may be reused for
    // another copy of the package (`cargo package` verifies one).
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let root = root.as_path();
    let git = root.join(".git");
    if !git.is_dir() {
        return None;
    }
    // Built again when HEAD moves to another commit (a file that does not
    // exist would make cargo run this on every build).
    let mut watched = vec![git.join("HEAD"), git.join("packed-refs"), git.join("refs/heads")];
    if let Ok(head) = std::fs::read_to_string(git.join("HEAD"))
        && let Some(reference) = head.trim().strip_prefix("ref: ")
    {
        watched.push(git.join(reference));
    }
    for file in watched.iter().filter(|f| f.exists()) {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let output = Command::new("git").arg("-C").arg(root).args(["rev-parse", "HEAD"]).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
