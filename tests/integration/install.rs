//! install/install.sh against fake releases served on 127.0.0.1: the right
//! build for the platform, the version asked for, a checksum mismatch
//! refused, and nothing half-installed or left behind when it fails.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGETS: [&str; 4] =
    ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl", "x86_64-apple-darwin", "aarch64-apple-darwin"];

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("install/install.sh")
}

/// A release as the release workflow publishes it, under `dir`: an archive
/// per target holding `shopfront-TARGET/shopfront` (here a script printing
/// its version and target), and SHA256SUMS. `damaged` lists the archives
/// whose checksum line is wrong.
fn release(dir: &Path, version: &str, damaged: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    let build = tempfile::tempdir().unwrap();
    let mut sums = String::new();
    for target in TARGETS {
        let folder = build.path().join(format!("shopfront-{target}"));
        std::fs::create_dir_all(&folder).unwrap();
        let program = folder.join("shopfront");
        std::fs::write(&program, format!("#!/bin/sh\necho \"shopfront {version} {target}\"\n")).unwrap();
        run(Command::new("chmod").arg("755").arg(&program));
        let archive = format!("shopfront-{target}.tar.gz");
        run(Command::new("tar")
            .arg("-C")
            .arg(build.path())
            .arg("-czf")
            .arg(dir.join(&archive))
            .arg(format!("shopfront-{target}")));
        let bytes = std::fs::read(dir.join(&archive)).unwrap();
        let mut hash = sha256(&bytes);
        if damaged.contains(&target) {
            hash = hash.chars().rev().collect();
        }
        sums.push_str(&format!("{hash}  {archive}\n"));
    }
    std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
}

fn sha256(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

fn run(command: &mut Command) {
    let status = command.status().unwrap();
    assert!(status.success(), "{command:?}");
}

/// Serves `root` over HTTP on 127.0.0.1 until the test ends: GET only, 404
/// for anything else. Returns the base URL.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = String::new();
            if BufReader::new(&stream).read_line(&mut request).is_err() {
                continue;
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_owned();
            let file = root.join(&path);
            let found = !path.contains("..") && file.is_file();
            let body = if found { std::fs::read(&file).unwrap() } else { b"not found".to_vec() };
            let status = if found { "200 OK" } else { "404 Not Found" };
            let head = format!("HTTP/1.0 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
        }
    });
    format!("http://127.0.0.1:{port}")
}

struct Installer {
    releases: String,
    home: tempfile::TempDir,
    /// Replaces `uname` and `sysctl` when set: (system, machine, Apple silicon).
    platform: Option<(&'static str, &'static str, bool)>,
}

struct Installed {
    ok: bool,
    stderr: String,
    /// What the installed program printed, if there is one.
    program: Option<String>,
}

impl Installer {
    fn new(releases: &str) -> Self {
        Self { releases: releases.to_owned(), home: tempfile::tempdir().unwrap(), platform: None }
    }

    fn bin(&self) -> PathBuf {
        self.home.path().join("bin")
    }

    fn tmp(&self) -> PathBuf {
        self.home.path().join("tmp")
    }

    fn install(&self, version: Option<&str>) -> Installed {
        std::fs::create_dir_all(self.tmp()).unwrap();
        let mut path = std::env::var("PATH").unwrap();
        if let Some((system, machine, apple_silicon)) = self.platform {
            let shims = self.home.path().join("shims");
            std::fs::create_dir_all(&shims).unwrap();
            let uname = format!(
                "#!/bin/sh\ncase \"$1\" in -s) echo {system} ;; -m) echo {machine} ;; *) echo {system} ;; esac\n"
            );
            std::fs::write(shims.join("uname"), uname).unwrap();
            std::fs::write(shims.join("sysctl"), format!("#!/bin/sh\necho {}\n", u8::from(apple_silicon))).unwrap();
            run(Command::new("chmod").arg("755").arg(shims.join("uname")).arg(shims.join("sysctl")));
            path = format!("{}:{path}", shims.display());
        }
        let mut command = Command::new("sh");
        command
            .arg(script())
            .env("PATH", path)
            .env("HOME", self.home.path())
            .env("TMPDIR", self.tmp())
            .env("SHOPFRONT_INSTALL_DIR", self.bin())
            .env("SHOPFRONT_DOWNLOAD_URL", &self.releases)
            .env_remove("SHOPFRONT_VERSION");
        if let Some(version) = version {
            command.env("SHOPFRONT_VERSION", version);
        }
        let output = command.output().unwrap();
        let program = self.bin().join("shopfront");
        let program = program.is_file().then(|| {
            let out = Command::new(&program).output().unwrap();
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        });
        Installed { ok: output.status.success(), stderr: String::from_utf8_lossy(&output.stderr).into_owned(), program }
    }

    /// Files left in the install folder besides `shopfront`, and in the temporary folder.
    fn leftovers(&self) -> Vec<String> {
        let mut left = Vec::new();
        for dir in [self.bin(), self.tmp()] {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !(dir == self.bin() && name == "shopfront") {
                    left.push(entry.path().display().to_string());
                }
            }
        }
        left
    }
}

fn releases() -> (tempfile::TempDir, String) {
    let root = tempfile::tempdir().unwrap();
    release(&root.path().join("latest/download"), "2.0.0", &[]);
    release(&root.path().join("download/v2.0.0"), "2.0.0", &[]);
    release(&root.path().join("download/v1.5.0"), "1.5.0", &[]);
    release(&root.path().join("download/v1.6.0"), "1.6.0", &TARGETS);
    let url = serve(root.path().to_path_buf());
    (root, url)
}

#[test]
fn the_installer_picks_this_platforms_build_and_the_version_asked_for() {
    let (_root, url) = releases();
    let native = match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => "x86_64-unknown-linux-musl",
    };
    let installer = Installer::new(&url);
    let done = installer.install(None);
    assert!(done.ok, "{}", done.stderr);
    assert_eq!(done.program.as_deref(), Some(format!("shopfront 2.0.0 {native}").as_str()), "{}", done.stderr);
    assert!(installer.leftovers().is_empty(), "{:?}", installer.leftovers());
    // The PATH hint names the folder, which is not on PATH here.
    assert!(done.stderr.contains("is not on your PATH"), "{}", done.stderr);

    // A pinned version, with or without its `v`, replaces the one installed.
    for version in ["v1.5.0", "1.5.0"] {
        let done = installer.install(Some(version));
        assert!(done.ok, "{}", done.stderr);
        assert_eq!(done.program.as_deref(), Some(format!("shopfront 1.5.0 {native}").as_str()));
    }

    for (platform, expected) in [
        (("Darwin", "arm64", true), "aarch64-apple-darwin"),
        (("Darwin", "x86_64", false), "x86_64-apple-darwin"),
        // An x86_64 shell under Rosetta on Apple silicon gets the native build.
        (("Darwin", "x86_64", true), "aarch64-apple-darwin"),
        (("Linux", "aarch64", false), "aarch64-unknown-linux-musl"),
        (("Linux", "x86_64", false), "x86_64-unknown-linux-musl"),
    ] {
        let installer = Installer { platform: Some(platform), ..Installer::new(&url) };
        let done = installer.install(Some("v2.0.0"));
        assert!(done.ok, "{platform:?}: {}", done.stderr);
        assert_eq!(done.program.as_deref(), Some(format!("shopfront 2.0.0 {expected}").as_str()), "{platform:?}");
    }
}

#[test]
fn the_installer_refuses_a_damaged_download_and_leaves_nothing_behind() {
    let (_root, url) = releases();
    let installer = Installer::new(&url);
    assert!(installer.install(Some("v1.5.0")).ok);
    let done = installer.install(Some("v1.6.0"));
    assert!(!done.ok, "a checksum mismatch was installed");
    assert!(done.stderr.contains("damaged or was tampered with") && done.stderr.contains("nothing was installed"));
    assert!(done.program.as_deref().is_some_and(|p| p.starts_with("shopfront 1.5.0")), "the previous one stays");
    assert!(installer.leftovers().is_empty(), "{:?}", installer.leftovers());

    // No previous install: nothing at all.
    let fresh = Installer::new(&url);
    let done = fresh.install(Some("v1.6.0"));
    assert!(!done.ok && done.program.is_none());
    assert!(fresh.leftovers().is_empty(), "{:?}", fresh.leftovers());

    // A release that does not exist, and a system there is no build for.
    let done = fresh.install(Some("v9.9.9"));
    assert!(!done.ok && done.stderr.contains("could not download"), "{}", done.stderr);
    let other = Installer { platform: Some(("FreeBSD", "amd64", false)), ..Installer::new(&url) };
    let done = other.install(None);
    assert!(!done.ok && done.stderr.contains("no shopfront build for FreeBSD"), "{}", done.stderr);
    assert!(fresh.leftovers().is_empty() && other.leftovers().is_empty());
}
