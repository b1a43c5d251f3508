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
        let mut command = Command::new(env!("CARGO_BIN_EXE_shopfront"));
        command.arg("serve").arg("--root").arg(root).args(args);
        Self::spawn(command)
    }

    /// Starts `serve` allowed only `files` open file descriptors, the
    /// common default (`ulimit -n`) of a desktop session.
    #[cfg(unix)]
    fn start_with_fd_limit(root: &Path, args: &[&str], files: u32) -> Self {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_shopfront"))
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(args);
        Self::spawn(command)
    }

    fn spawn(mut command: Command) -> Self {
        let mut child = command
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
        self.next_before(Instant::now() + PATIENCE)
    }

    /// [`Self::next`], failing at `deadline`: keep-alive comments arrive
    /// every few seconds, so the read timeout alone would never fire.
    fn next_before(&mut self, deadline: Instant) -> (String, String) {
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            assert!(Instant::now() < deadline, "no event in time");
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

    /// Skips events until one named `name`; returns its data. The whole
    /// wait has a deadline: a `failed` event instead fails the test, not hangs it.
    fn until(&mut self, name: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            assert!(Instant::now() < deadline, "no `{name}` event in time; got {seen:?}");
            let (event, data) = self.next_before(deadline);
            if event == name {
                return data;
            }
            seen.push((event, data));
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
    request_with(port, method, path, "Host: localhost\r\n")
}

/// One HTTP/1.1 request with `headers` (each ending in CRLF).
fn request_with(port: u16, method: &str, path: &str, headers: &str) -> Response {
    let mut stream = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), PATIENCE).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(stream, "{method} {path} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n").unwrap();
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
    let elsewhere = tempfile::tempdir().unwrap();
    let built_index = site.build_with(|o| o.output = Some(elsewhere.path().join("public"))).text("search-index.json");
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
    // serve makes it whole; a build writes it as it is made: the same bytes.
    assert_eq!(index.body, built_index);
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
fn serves_the_images_a_page_shows_as_the_build_publishes_them() {
    let site = SiteTest::example_site()
        .file("static/images/desk-photo.jpg", crate::support::jpeg(1600, 1200))
        .edit("content/posts/2025-09-25-standing-desk-one-year-later.md", |p| {
            p.replacen("cover: /images/products/standing-desk.svg", "cover: /images/desk-photo.jpg", 1)
        });
    let server = Server::start(site.root(), &["--port", "0"]);
    let page = server.get("/posts/standing-desk-one-year-later/");
    assert_eq!(page.status, 200);
    let html = scraper::Html::parse_document(&page.body);
    let source = scraper::Selector::parse("picture source[type='image/webp']").unwrap();
    let srcset = html.select(&source).next().and_then(|s| s.attr("srcset")).expect("the cover is a picture").to_owned();
    for candidate in srcset.split(", ") {
        let (url, _) = candidate.rsplit_once(' ').unwrap();
        let image = server.get(url);
        assert_eq!(image.status, 200, "{url}");
        assert_eq!(image.header("content-type"), Some("image/webp"), "{url}");
        assert!(image.bytes.starts_with(b"RIFF"), "{url}");
    }
    let og = scraper::Selector::parse("meta[property='og:image']").unwrap();
    let preview = html.select(&og).next().and_then(|m| m.attr("content")).unwrap().to_owned();
    let path = preview.trim_start_matches("https://miachen.example");
    let image = server.get(path);
    assert_eq!((image.status, image.header("content-type")), (200, Some("image/jpeg")), "{preview}");
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
    let footer = include_str!("../../themes/base/templates/partials/footer.html");
    std::fs::create_dir_all(root.join("templates/partials")).unwrap();
    atomic_save(
        &root.join("templates/partials/footer.html"),
        &footer.replace("<footer class", "<footer data-test=\"OVERRIDE\" class"),
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
            let route = pages.route(&file).unwrap();
            let html = shopfront::finished_page(pages, route, false, &prepared.hiding, &prepared.images)
                .unwrap_or_else(|d| panic!("{file}: {d:?}"));
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
    // A catalogue product renamed: every post and collection that names it changes.
    edit(&root, "data/products.toml", |text| text.replace("Oakline Dual-Motor", "CATALOGUE-EDIT Oakline"));
    edit(&root, "content/collections/home-office-starter-kit.md", |text| text.replace("Everything", "COLLECTION-EDIT"));
    watched.note_changes([
        root.join(POST),
        added,
        deleted,
        renamed,
        renamed_to,
        root.join("data/products.toml"),
        root.join("content/collections/home-office-starter-kit.md"),
    ]);

    let expected = fresh(&options);
    assert!(expected.iter().any(|(_, html)| html.contains("CACHED-EDIT")));
    for (file, marker) in [
        ("posts/standing-desk-one-year-later/index.html", "CATALOGUE-EDIT"),
        ("collections/home-office-starter-kit/index.html", "CATALOGUE-EDIT"),
        ("collections/home-office-starter-kit/index.html", "COLLECTION-EDIT"),
    ] {
        assert!(expected.iter().any(|(f, html)| f == file && html.contains(marker)), "{file}: {marker}");
    }
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

// Hostile but well-formed use of the server (issue 13, items 3 and 10).

/// The `http://…` addresses `serve` printed.
fn printed_urls(log: &str) -> Vec<String> {
    log.split_whitespace()
        .filter_map(|word| word.strip_prefix("http://"))
        .map(|rest| format!("http://{}", rest.trim_end_matches([',', '.', ')'])))
        .collect()
}

#[test]
fn a_loopback_preview_answers_only_to_loopback_names() {
    let site = SiteTest::example_site();
    let server = Server::start(site.root(), &["--watch", "--port", "0"]);
    let port = server.port;
    for host in [
        "localhost".to_owned(),
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("shop.localhost:{port}"),
    ] {
        let response = request_with(port, "GET", "/", &format!("Host: {host}\r\n"));
        assert_eq!(response.status, 200, "Host: {host}");
    }
    // A page whose domain was pointed at 127.0.0.1 (DNS rebinding) sends its own name.
    for host in ["evil.example", &format!("evil.example:{port}"), "localhost.evil.example", "192.168.1.5"] {
        for path in ["/", POST_URL, "/style.css", "/feed.xml", "/__shopfront/live.js", "/__shopfront/events"] {
            let response = request_with(port, "GET", path, &format!("Host: {host}\r\nAccept: text/event-stream\r\n"));
            assert!(matches!(response.status, 403 | 421), "Host: {host} {path}: {}", response.status);
            assert!(response.header("content-type").is_some_and(|t| t.starts_with("text/plain")));
            assert!(response.body.contains("localhost"), "{}", response.body);
            assert!(!response.body.contains("<html") && !response.body.contains("data:"), "{path} leaked");
        }
    }
    // Naming no host, or another host in an absolute request target, is refused too.
    assert!(matches!(request_with(port, "GET", "/", "").status, 400 | 403 | 421));
    let absolute = request_with(port, "GET", "http://evil.example/", "Host: localhost\r\n");
    assert!(matches!(absolute.status, 400 | 403 | 421), "{}", absolute.status);
}

#[test]
fn bind_all_prints_real_addresses_and_warns_even_when_quiet() {
    let site = SiteTest::example_site();
    let server = Server::start(site.root(), &["--quiet", "--bind", "0.0.0.0", "--port", "0"]);
    let log = server.wait_for_log("the network warning", |log| log.contains("Visible to other devices"));
    let urls = printed_urls(&log);
    assert!(!urls.is_empty(), "{log}");
    assert!(!log.contains("0.0.0.0:"), "a wildcard is no address to open: {log}");
    assert_eq!(urls[0], format!("http://127.0.0.1:{}/", server.port), "loopback first: {log}");
    let machine: Vec<std::net::IpAddr> =
        if_addrs::get_if_addrs().unwrap().iter().map(if_addrs::Interface::ip).collect();
    for url in &urls {
        let authority = url.trim_start_matches("http://").trim_end_matches('/');
        let address: std::net::SocketAddr = authority.parse().unwrap_or_else(|_| panic!("{url}: {log}"));
        assert_eq!(address.port(), server.port, "{url}");
        assert!(!address.ip().is_unspecified(), "{url}");
        assert!(address.ip().is_loopback() || machine.contains(&address.ip()), "{url} is not this machine's");
    }
    // Reachable from the network on purpose: any host name is answered.
    assert_eq!(request_with(server.port, "GET", "/", "Host: shop.example:80\r\n").status, 200);
}

/// Asserts that `serve` still answers its home page.
fn still_answers(server: &Server) {
    let home = server.get("/");
    assert_eq!(home.status, 200, "{}", server.log());
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[cfg(unix)]
#[test]
fn a_fifo_among_the_static_files_blocks_no_request() {
    let site = SiteTest::example_site().file("static/swapped.txt", "a file for now");
    let root = site.root().to_path_buf();
    mkfifo(&root.join("static/there-from-the-start.txt"));
    let server = Server::start(&root, &["--port", "0"]);
    assert_eq!(server.get("/swapped.txt").body, "a file for now");
    // Replaced by a FIFO while serving (no --watch: the file table still lists it).
    std::fs::remove_file(root.join("static/swapped.txt")).unwrap();
    mkfifo(&root.join("static/swapped.txt"));

    // More requests for FIFOs than the server has worker threads.
    let port = server.port;
    let askers: Vec<_> = (0..24)
        .map(|i| {
            let path = if i % 2 == 0 { "/swapped.txt" } else { "/there-from-the-start.txt" };
            std::thread::spawn(move || request(port, "GET", path).status)
        })
        .collect();
    still_answers(&server);
    assert_eq!(server.get("/style.css").status, 200);
    for asker in askers {
        let status = asker.join().expect("a FIFO request is answered");
        assert!(matches!(status, 403 | 404), "a FIFO is not served: {status}");
    }
    still_answers(&server);
}

#[test]
fn a_link_swapped_in_while_serving_is_not_followed_out_of_the_site() {
    let site = SiteTest::example_site().file("static/notes.txt", "public notes").file(".env", "TOKEN=hidden");
    let root = site.root().to_path_buf();
    let secret = tempfile::tempdir().unwrap();
    std::fs::write(secret.path().join("secret.txt"), "TOPSECRET").unwrap();
    let server = Server::start(&root, &["--port", "0"]);
    assert_eq!(server.get("/notes.txt").body, "public notes");
    // No --watch: the file table still lists notes.txt, now a link.
    for target in [secret.path().join("secret.txt"), root.join(".env")] {
        std::fs::remove_file(root.join("static/notes.txt")).unwrap();
        std::os::unix::fs::symlink(&target, root.join("static/notes.txt")).unwrap();
        let answer = server.get("/notes.txt");
        assert_eq!(answer.status, 404, "{}", target.display());
        assert!(!answer.body.contains("TOPSECRET") && !answer.body.contains("TOKEN"), "{}", answer.body);
    }
    still_answers(&server);
}

/// Deterministic bytes that no two offsets repeat in step.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The server's resident memory in KiB (`VmRSS` or `VmHWM`), on Linux.
#[cfg(target_os = "linux")]
fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn big_static_files_are_streamed_whole_and_by_range() {
    const SIZE: usize = 48 << 20;
    let bytes = noise(SIZE);
    let site = SiteTest::example_site().file("static/media/big.bin", &bytes);
    let server = Server::start(site.root(), &["--port", "0"]);

    let whole = server.get("/media/big.bin");
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("content-length"), Some(SIZE.to_string().as_str()));
    assert!(whole.bytes == bytes, "the bytes served are the file's");

    // Eight downloads held open at once, the clients not reading yet: a
    // server that reads the file whole holds eight copies.
    #[cfg(target_os = "linux")]
    {
        let pid = server.child.id();
        // Resets the peak where allowed; elsewhere growth is measured from the old peak.
        let reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
        let before = memory_kib(pid, if reset { "VmRSS:" } else { "VmHWM:" });
        let slow: Vec<(TcpStream, Vec<u8>)> = (0..8)
            .map(|_| {
                let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
                stream.set_read_timeout(Some(PATIENCE)).unwrap();
                write!(stream, "GET /media/big.bin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
                let mut first = vec![0; 4096];
                let read = stream.read(&mut first).unwrap();
                assert!(read > 0, "the download starts");
                first.truncate(read);
                (stream, first)
            })
            .collect();
        still_answers(&server);
        let peak = memory_kib(pid, "VmHWM:");
        let grown = peak.saturating_sub(before) * 1024;
        assert!(grown < 2 * SIZE as u64, "8 downloads of {SIZE} bytes grew the server by {grown} bytes");
        // Each still gets the whole file, byte for byte.
        for (mut stream, mut raw) in slow {
            stream.read_to_end(&mut raw).unwrap();
            let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
            assert!(raw[split + 4..] == bytes[..], "a held download is the whole file");
        }
    }

    // Ranges, as static hosts serve them (video and audio seek with them).
    let part = request_with(server.port, "GET", "/media/big.bin", "Host: localhost\r\nRange: bytes=1000-1999\r\n");
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-range"), Some(format!("bytes 1000-1999/{SIZE}").as_str()));
    assert!(part.bytes == bytes[1000..2000]);
    let tail = request_with(server.port, "GET", "/media/big.bin", "Host: localhost\r\nRange: bytes=-10\r\n");
    assert!(tail.status == 206 && tail.bytes == bytes[SIZE - 10..]);
    let past = request_with(server.port, "GET", "/media/big.bin", "Host: localhost\r\nRange: bytes=999999999-\r\n");
    assert_eq!(past.status, 416);
    let head = request(server.port, "HEAD", "/media/big.bin");
    assert_eq!((head.status, head.header("content-length")), (200, Some(SIZE.to_string().as_str())));
    assert!(head.bytes.is_empty());
}

/// Raises this process's limit of open files to `files` (or the hard limit).
#[cfg(unix)]
fn allow_open_files(files: libc::rlim_t) {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: both calls get a pointer to a live, initialised `rlimit`.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < files {
            limit.rlim_cur = files.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// Opens `count` connections that each send part of a request head and then
/// nothing more, as a slowloris client (or a stuck proxy) does.
fn half_sent_requests(port: u16, count: usize) -> Vec<TcpStream> {
    (0..count)
        .filter_map(|i| {
            let mut stream = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), PATIENCE).ok()?;
            let _ = write!(stream, "GET /?n={i} HTTP/1.1\r\nHost: localhost\r\nX-Waiting: ");
            Some(stream)
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn a_flood_of_half_sent_requests_leaves_the_server_reachable() {
    const FLOOD: usize = 1100;
    allow_open_files((FLOOD + 512) as libc::rlim_t);
    let site = SiteTest::example_site();
    // The usual desktop limit: fewer descriptors than connections in the flood.
    let server = Server::start_with_fd_limit(site.root(), &["--watch", "--port", "0"], 1024);
    let mut events = server.events();
    let flood = half_sent_requests(server.port, FLOOD);
    assert!(flood.len() > 1000, "{} connections opened", flood.len());
    // A browser arriving during the flood is served, the flood still held.
    still_answers(&server);
    assert_eq!(server.get(POST_URL).status, 200);
    // So is a second wave, and the live-reload stream opened before it stays up.
    let more = half_sent_requests(server.port, FLOOD / 2);
    still_answers(&server);
    edit(site.root(), POST, |text| text.replacen("\n\n", "\n\nAFTER-THE-FLOOD paragraph.\n\n", 1));
    events.until("reload");
    assert!(server.get(POST_URL).body.contains("AFTER-THE-FLOOD"));
    drop((flood, more));
    still_answers(&server);
}

#[test]
fn a_request_head_that_never_ends_is_cut_off() {
    let site = SiteTest::example_site();
    let server = Server::start(site.root(), &["--port", "0"]);
    let mut stalled = half_sent_requests(server.port, 1).pop().unwrap();
    let mut silent = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    for stream in [&mut stalled, &mut silent] {
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        // The server closes it (maybe after a 408) well before the patience runs out.
        let mut rest = Vec::new();
        let closed = stream.read_to_end(&mut rest);
        assert!(
            closed.is_ok() || closed.is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
            "never closed"
        );
        assert!(rest.is_empty() || rest.starts_with(b"HTTP/1.1 408"), "{}", String::from_utf8_lossy(&rest));
    }
    still_answers(&server);
}
