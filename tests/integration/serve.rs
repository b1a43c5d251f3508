//! `shopfront serve` over real HTTP: the binary on a free port, a site in a
//! temporary folder edited the way editors save, and plain HTTP/1.1 and
//! Server-Sent Events read off a socket.
//!
//! Waits are bounded only so a broken server fails the test instead of
//! hanging it; nothing here measures speed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::SiteTest;

/// The longest any step may take before the test gives up.
const PATIENCE: Duration = Duration::from_secs(30);

pub(crate) const POST: &str = "content/posts/2024-02-14-best-usb-microphones-for-new-streamers.md";
pub(crate) const POST_URL: &str = "/posts/best-usb-microphones-for-new-streamers/";
const LIVE_SCRIPT: &str = "<script src=\"/__shopfront/live.js\" defer></script>";

/// A running `shopfront serve`, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
    log: Arc<Mutex<String>>,
}

impl Server {
    pub(crate) fn start(root: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shopfront"))
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start shopfront serve");
        let log = Arc::new(Mutex::new(String::new()));
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Serving at http://127.0.0.1:") {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = port_tx.send(port.parse::<u16>().unwrap());
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let port =
            port_rx.recv_timeout(PATIENCE).unwrap_or_else(|_| panic!("serve did not start: {}", log.lock().unwrap()));
        Self { child, port, log }
    }

    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the terminal output satisfies `done`, and returns it.
    fn wait_for_log(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let log = self.log();
            if done(&log) {
                return log;
            }
            assert!(start.elapsed() < PATIENCE, "{what}: never printed\n{log}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, path: &str) -> Response {
        request(self.port, "GET", path)
    }

    /// GETs `path` until `done` holds for the response.
    fn wait_for(&self, path: &str, what: &str, done: impl Fn(&Response) -> bool) -> Response {
        let start = Instant::now();
        loop {
            let response = self.get(path);
            if done(&response) {
                return response;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "{what}: {path} never did; last {} {}\n{}",
                response.status,
                response.body,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Opens the live-reload event stream.
    fn events(&self) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(stream, "GET /__shopfront/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
            .unwrap();
        let mut events = Events { reader: BufReader::new(stream) };
        let mut line = String::new();
        events.reader.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        let hello = events.next();
        assert_eq!(hello.0, "hello");
        events
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Server-Sent Events stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// The next event's name and data (keep-alive comments skipped).
    fn next(&mut self) -> (String, String) {
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let mut line = String::new();
            let read = self.reader.read_line(&mut line).expect("an event before the timeout");
            assert!(read > 0, "the event stream ended");
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(value) = line.strip_prefix("event: ").or_else(|| line.strip_prefix("event:")) {
                name = value.to_owned();
            } else if let Some(value) = line.strip_prefix("data: ").or_else(|| line.strip_prefix("data:")) {
                data.push_str(value);
            } else if line.is_empty() && !name.is_empty() {
                return (name, data);
            }
        }
    }

    /// Skips events until one named `name`; returns its data.
    fn until(&mut self, name: &str) -> String {
        loop {
            let (event, data) = self.next();
            if event == name {
                return data;
            }
        }
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    bytes: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request with the path sent exactly as given.
fn request(port: u16, method: &str, path: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let bytes = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())).collect();
    Response { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
}

/// Writes `contents` to a temporary file next to `path` and renames it over
/// `path`, as most editors save.
fn atomic_save(path: &Path, contents: &str) {
    let temp = path.with_file_name(format!(".{}.tmp", path.file_name().unwrap().to_string_lossy()));
    std::fs::write(&temp, contents).unwrap();
    std::fs::rename(&temp, path).unwrap();
}

fn edit(root: &Path, file: &str, change: impl FnOnce(String) -> String) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    atomic_save(&path, &change(text));
}

fn post(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2025-01-02\ncategories: [Audio]\n---\n\n{body}\n")
}

#[test]
fn serves_pages_files_and_indexes_with_their_types() {
    let site = SiteTest::example_site().file("static/notes/readme.txt", "plain text");
    let server = Server::start(site.root(), &["--port", "0"]);

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(home.body.contains("<title>"), "{}", home.body);
    assert_eq!(home.body.matches(LIVE_SCRIPT).count(), 1, "the live-reload script, once");
    assert!(home.body.find(LIVE_SCRIPT) < home.body.rfind("</body>"));

    let post = server.get(POST_URL);
    assert_eq!(post.status, 200);
    assert!(post.body.contains("Best USB Microphones"), "{}", post.body);
    assert_eq!(server.get(&format!("{POST_URL}index.html")).bytes, post.bytes);

    let css = server.get("/style.css");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(!css.body.contains("__shopfront"), "no script outside HTML");
    assert_eq!(server.get("/notes/readme.txt").body, "plain text");
    assert_eq!(server.get("/notes/readme.txt").header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(server.get("/feed.xml").header("content-type"), Some("application/atom+xml; charset=utf-8"));
    let index = server.get("/search-index.json");
    assert_eq!(index.header("content-type"), Some("application/json; charset=utf-8"));
    assert!(serde_json::from_slice::<serde_json::Value>(&index.bytes).is_ok());
    assert_eq!(server.get("/__shopfront/live.js").header("content-type"), Some("text/javascript; charset=utf-8"));

    // A folder without its slash redirects, keeping the query.
    let bare = server.get("/posts/best-usb-microphones-for-new-streamers?utm=x");
    assert_eq!(bare.status, 301);
    assert_eq!(bare.header("location"), Some("/posts/best-usb-microphones-for-new-streamers/?utm=x"));

    // The theme's 404 page, with the script so it reloads when the page appears.
    let missing = server.get("/posts/nothing-here/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page not found"), "{}", missing.body);
    assert!(missing.body.contains(LIVE_SCRIPT));

    assert_eq!(request(server.port, "POST", "/").status, 405);
    assert_eq!(request(server.port, "HEAD", "/").status, 200);
    assert!(!site.root().join("public").exists(), "serve never writes the output folder");
}

#[test]
fn no_path_leaves_the_site() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("secret.txt"), "TOP-SECRET").unwrap();
    let root = outer.path().join("site");
    crate::support::copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("example-site"), &root);
    let _ = std::fs::remove_dir_all(root.join("public"));
    let server = Server::start(&root, &["--port", "0"]);
    for path in [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/.%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/%2e%2e%5c%2e%2e%5csecret.txt",
        "/%252e%252e/secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/..%00/secret.txt",
        "//secret.txt",
        "/static/../../secret.txt",
        "/profile.toml",
        "/content/posts/",
        "/static/",
        "/images/",
        "/../profile.toml",
        "/%2e%2e/site/profile.toml",
    ] {
        let response = request(server.port, "GET", path);
        assert!(matches!(response.status, 400 | 404), "{path}: {}", response.status);
        assert!(!response.body.contains("TOP-SECRET") && !response.body.contains("[affiliate"), "{path} leaked");
        assert!(!response.body.contains("Index of"), "{path}: no listings");
    }
}

#[test]
fn edits_new_posts_deletes_and_broken_saves_while_serving() {
    let site = SiteTest::example_site();
    let root = site.root().to_path_buf();
    let server = Server::start(&root, &["--watch", "--port", "0"]);
    let mut events = server.events();

    // An atomic save of one post: a reload event, then the new text.
    edit(&root, POST, |text| text.replacen("\n\n", "\n\nFRESH-EDIT-MARKER paragraph.\n\n", 1));
    events.until("reload");
    let page = server.get(POST_URL);
    assert!(page.body.contains("FRESH-EDIT-MARKER"), "{}", server.log());

    // A new post appears on the storefront and gets its page.
    std::fs::write(root.join("content/posts/2030-01-01-brand-new.md"), post("Brand New Widget Review", "Hello."))
        .unwrap();
    events.until("reload");
    assert!(server.get("/").body.contains("Brand New Widget Review"));
    assert_eq!(server.get("/posts/brand-new/").status, 200);

    // Deleting it answers 404 and takes it off the storefront.
    std::fs::remove_file(root.join("content/posts/2030-01-01-brand-new.md")).unwrap();
    events.until("reload");
    assert_eq!(server.get("/posts/brand-new/").status, 404);
    assert!(!server.get("/").body.contains("Brand New Widget Review"));

    // A broken save: the error (file:line) goes to the page; the last good site stays.
    edit(&root, POST, |text| text.replacen("title:", "title: [unclosed\nbroken:", 1));
    let failed = events.until("failed");
    let message: String = serde_json::from_str(&failed).unwrap();
    assert!(message.contains("content/posts/2024-02-14-best-usb-microphones-for-new-streamers.md:2:"), "{message}");
    server.wait_for_log("the failure in the terminal", |log| log.contains("still serving the last good version"));
    let still = server.get(POST_URL);
    assert_eq!(still.status, 200);
    assert!(still.body.contains("FRESH-EDIT-MARKER"), "the last good version is served");
    assert_eq!(server.get("/shop/").status, 200);
    // A page opened now learns about the failure as soon as it connects.
    let mut late = server.events();
    assert_eq!(late.next().0, "failed");

    // The next good save recovers.
    edit(&root, POST, |text| {
        text.replacen("title: [unclosed\nbroken:", "title:", 1).replace("FRESH-EDIT-MARKER", "RECOVERED-MARKER")
    });
    events.until("reload");
    assert!(server.get(POST_URL).body.contains("RECOVERED-MARKER"));
}

#[test]
fn templates_static_files_and_the_profile_are_watched() {
    let site = SiteTest::example_site().file("static/note.txt", "first");
    let root = site.root().to_path_buf();
    let server = Server::start(&root, &["--watch", "--port", "0"]);
    let mut events = server.events();

    // A template override created while serving changes every page.
    let footer = include_str!("../../themes/aisle/templates/partials/footer.html");
    std::fs::create_dir_all(root.join("templates/partials")).unwrap();
    atomic_save(
        &root.join("templates/partials/footer.html"),
        &footer.replace("<footer", "<footer data-test=\"OVERRIDE\""),
    );
    events.until("reload");
    assert!(server.get("/").body.contains("OVERRIDE"));
    assert!(server.get(POST_URL).body.contains("OVERRIDE"));

    // A static file is served as it now is.
    atomic_save(&root.join("static/note.txt"), "second");
    events.until("reload");
    assert_eq!(server.get("/note.txt").body, "second");

    // The profile: a new site title everywhere.
    edit(&root, "profile.toml", |text| text.replacen("title = ", "title = \"Renamed Shop\"\n#", 1));
    events.until("reload");
    assert!(server.get("/").body.contains("Renamed Shop"), "{}", server.log());

    // Editor swap files alone rebuild nothing.
    std::fs::write(root.join("content/posts/.draft.md.swp"), "junk").unwrap();
    std::fs::write(root.join("content/posts/draft.md~"), "junk").unwrap();
    atomic_save(&root.join("static/note.txt"), "third");
    events.until("reload");
    assert_eq!(server.get("/note.txt").body, "third");
    // The terminal line follows the reload event.
    let log = server.wait_for_log("the rebuild for note.txt", |log| {
        log.trim_end().lines().last().is_some_and(|line| line.contains("note.txt"))
    });
    assert!(!log.contains("swp") && !log.contains("draft.md~") && !log.contains(" files in "), "{log}");
}

#[test]
fn a_site_that_does_not_build_at_first_is_served_once_fixed() {
    let site = SiteTest::example_site();
    let root = site.root().to_path_buf();
    edit(&root, POST, |text| text.replacen("title:", "title: [oops\nx:", 1));

    // Without --watch there is nothing to serve.
    let output = Command::new(env!("CARGO_BIN_EXE_shopfront"))
        .args(["serve", "--port", "0", "--root"])
        .arg(&root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("best-usb-microphones-for-new-streamers.md:2:"));

    let server = Server::start(&root, &["--watch", "--port", "0"]);
    let waiting = server.get("/");
    assert_eq!(waiting.status, 503);
    assert!(waiting.body.contains("best-usb-microphones-for-new-streamers.md:2:"), "{}", waiting.body);
    assert!(waiting.body.contains(LIVE_SCRIPT));
    edit(&root, POST, |text| text.replacen("title: [oops\nx:", "title:", 1));
    server.wait_for("/", "the fixed site is served", |r| r.status == 200);
}

#[test]
fn served_pages_are_the_built_pages() {
    let site = SiteTest::example_site();
    site.build().ok();
    let server = Server::start(site.root(), &["--port", "0"]);
    let output = site.root().join("public");
    let mut compared = 0;
    for entry in walkdir::WalkDir::new(&output).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let relative: PathBuf = entry.path().strip_prefix(&output).unwrap().to_path_buf();
        if relative == Path::new(".shopfront-manifest") {
            // The build's bookkeeping, not part of the site.
            continue;
        }
        let url = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
        let url = url.strip_suffix("index.html").unwrap_or(&url).to_owned();
        let url: String = url
            .split('/')
            .map(|s| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string())
            .collect::<Vec<_>>()
            .join("/");
        let served = server.get(&url);
        assert_eq!(served.status, 200, "{url}");
        let expected = std::fs::read(entry.path()).unwrap();
        let body = if relative.extension().is_some_and(|e| e == "html") {
            String::from_utf8(served.bytes).unwrap().replace(LIVE_SCRIPT, "").into_bytes()
        } else {
            served.bytes
        };
        assert!(body == expected, "{url} differs from the built file");
        compared += 1;
    }
    assert!(compared > 30, "compared {compared} files");
}

#[test]
fn a_taken_port_moves_to_the_next_and_ctrl_c_stops_cleanly() {
    let site = SiteTest::example_site();
    // Hold the default port (or find it already held by something else).
    let _holder = std::net::TcpListener::bind(("127.0.0.1", 4000));
    let mut server = Server::start(site.root(), &[]);
    assert_ne!(server.port, 4000);
    assert!(server.log().contains("Port 4000 is in use"), "{}", server.log());
    assert_eq!(server.get("/").status, 200);

    // An explicit port that is taken is an error, not a surprise port.
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let refused = Command::new(env!("CARGO_BIN_EXE_shopfront"))
        .args(["serve", "--port", &port, "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains(&port));

    // Ctrl-C with a live-reload stream open.
    let _events = server.events();
    let status = Command::new("kill").args(["-INT", &server.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let start = Instant::now();
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(start.elapsed() < PATIENCE, "serve did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn the_watcher_survives_files_and_folders_vanishing_mid_rebuild() {
    let site = SiteTest::example_site();
    let root = site.root().to_path_buf();
    let server = Server::start(&root, &["--watch", "--port", "0"]);
    let mut events = server.events();

    // Posts, a bundle folder and static files appear and vanish while the
    // rebuilds they trigger are running: some rebuilds find a file gone
    // between listing and reading it.
    for round in 0..30 {
        let churn = root.join(format!("content/posts/churn-{round}.md"));
        std::fs::write(&churn, post(&format!("Churn {round}"), "Body.")).unwrap();
        let bundle = root.join(format!("content/posts/bundle-{round}"));
        std::fs::create_dir_all(&bundle).unwrap();
        std::fs::write(bundle.join("index.md"), post("Bundle", "Body.")).unwrap();
        std::fs::write(bundle.join("photo.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
        std::fs::write(root.join(format!("static/churn-{round}.txt")), "x").unwrap();
        std::thread::sleep(Duration::from_millis(3));
        std::fs::remove_file(&churn).unwrap();
        std::fs::remove_dir_all(&bundle).unwrap();
        std::fs::remove_file(root.join(format!("static/churn-{round}.txt"))).unwrap();
    }

    // Once things settle, the next save is served as usual.
    edit(&root, POST, |text| text.replacen("\n\n", "\n\nAFTER-THE-CHURN paragraph.\n\n", 1));
    server.wait_for(POST_URL, "the edit after the churn", |r| r.status == 200 && r.body.contains("AFTER-THE-CHURN"));
    events.until("reload");
    assert_eq!(server.get("/posts/churn-3/").status, 404);
    assert_eq!(server.get("/churn-3.txt").status, 404);
    assert_eq!(server.get("/posts/bundle-3/photo.svg").status, 404);
    assert_eq!(server.get("/").status, 200);
    let log = server.log();
    assert!(!log.contains("panicked"), "{log}");
}

/// Every page of the site as `prepare` renders it with `cache`.
fn rendered_with(options: &shopfront::BuildOptions, cache: &mut shopfront::PostCache) -> Vec<(String, String)> {
    let prepared = shopfront::prepare(options, cache).unwrap_or_else(|d| panic!("{d:?}"));
    let pages = &prepared.pages;
    let mut files: Vec<String> = pages.files().map(str::to_owned).collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let html = pages.render(&file).unwrap().unwrap_or_else(|d| panic!("{file}: {d:?}"));
            (file, html)
        })
        .collect()
}

#[test]
fn the_post_cache_renders_exactly_what_a_fresh_build_does() {
    let site = SiteTest::example_site()
        .file("content/posts/2024-01-01-to-delete.md", post("To Delete", "Gone soon."))
        .file("content/posts/2024-01-02-to-rename.md", post("To Rename", "Moving."));
    let root = site.root().to_path_buf();
    let options = shopfront::BuildOptions { root: root.clone(), ..Default::default() };
    let fresh = |options: &shopfront::BuildOptions| rendered_with(options, &mut shopfront::PostCache::default());
    let mut watched = shopfront::PostCache::default();
    let mut unwatched = shopfront::PostCache::default();
    assert!(rendered_with(&options, &mut watched) == fresh(&options));
    rendered_with(&options, &mut unwatched);

    // An edit, a new post, a deleted post and a renamed one, as a watcher reports them.
    edit(&root, POST, |text| text.replacen("\n\n", "\n\nCACHED-EDIT paragraph.\n\n", 1));
    let added = root.join("content/posts/2031-05-05-cache-check.md");
    std::fs::write(&added, post("Cache Check", "A [link](/shop/).")).unwrap();
    let deleted = root.join("content/posts/2024-01-01-to-delete.md");
    std::fs::remove_file(&deleted).unwrap();
    let (renamed, renamed_to) =
        (root.join("content/posts/2024-01-02-to-rename.md"), root.join("content/posts/2031-06-06-renamed.md"));
    std::fs::rename(&renamed, &renamed_to).unwrap();
    watched.note_changes([root.join(POST), added, deleted, renamed, renamed_to]);

    let expected = fresh(&options);
    assert!(expected.iter().any(|(_, html)| html.contains("CACHED-EDIT")));
    assert!(expected.iter().any(|(file, _)| file == "posts/renamed/index.html"));
    for (name, cache) in [("with a watcher", &mut watched), ("without one", &mut unwatched)] {
        let got = rendered_with(&options, cache);
        let files = |pages: &[(String, String)]| pages.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>();
        assert_eq!(files(&got), files(&expected), "{name}: the same pages");
        for ((file, got), (_, want)) in got.iter().zip(&expected) {
            assert!(got == want, "{name}: {file} differs from a fresh build");
        }
    }
}

#[test]
fn a_saved_post_names_its_own_page_for_prerendering() {
    let site = SiteTest::example_site();
    let options = shopfront::BuildOptions { root: site.root().to_path_buf(), ..Default::default() };
    let prepared = shopfront::prepare(&options, &mut shopfront::PostCache::default()).unwrap();
    let page = format!("{}index.html", POST_URL.trim_start_matches('/'));
    assert_eq!(prepared.pages.files_from(&[PathBuf::from(POST)]), [page]);
    assert!(prepared.pages.files_from(&[PathBuf::from("static/style.css")]).is_empty());
    assert!(prepared.pages.files_from(&[]).is_empty());
}
