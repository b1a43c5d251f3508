//! `shopfront serve`: a live preview in memory, on top of the build pipeline.
//!
//! 1. [`crate::prepare`] loads the site, as `build` does, into a
//!    [`snapshot::Snapshot`]; pages are rendered when a browser asks for them.
//! 2. [`connections`] accepts connections within a cap and a header
//!    timeout; [`http`] answers requests from the current snapshot (copied
//!    files streamed from disk by [`files`]) and streams reload and error
//!    events to the live-reload script in each page. [`addresses`] says
//!    where to open it.
//! 3. With `--watch`, [`watch`] reports changed files; the post cache
//!    re-reads only those, a new snapshot replaces the old one, and open
//!    pages reload. A failed rebuild keeps the last good snapshot and shows
//!    the errors over the page.
//!
//! Nothing is written to the output folder.

pub mod addresses;
pub mod connections;
pub mod files;
pub mod http;
pub mod snapshot;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use crate::diagnostics::Diagnostics;
use crate::{BuildOptions, PostCache, Prepared};
use snapshot::Snapshot;

/// The port tried first when none is given.
pub const DEFAULT_PORT: u16 = 4000;
/// How many ports after [`DEFAULT_PORT`] are tried when it is taken.
const PORT_TRIES: u16 = 100;

/// What `serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Root, drafts, theme and base URL, as for `build` (the output folder is not used).
    pub build: BuildOptions,
    /// A fixed port; without one, the first free port from 4000 up.
    pub port: Option<u16>,
    /// The address to listen on.
    pub bind: IpAddr,
    /// Rebuild on change.
    pub watch: bool,
    /// Scan for changes instead of using native events.
    pub poll: bool,
    /// Open the site in the default browser.
    pub open: bool,
}

/// What `serve` reports while it runs.
#[derive(Debug)]
pub enum Notice<'a> {
    /// The site is loaded and the server listens.
    Listening {
        /// Where to open it, the one to open first: the bind address, or
        /// with a wildcard bind (`0.0.0.0`) loopback and then each of the
        /// machine's addresses. Never empty.
        urls: &'a [String],
        /// The port that was taken, when another was used.
        taken: Option<u16>,
    },
    /// The first build worked.
    Built {
        /// Posts and pages.
        posts: usize,
        /// How long it took.
        took: Duration,
        /// Its warnings.
        warnings: &'a Diagnostics,
    },
    /// A change was built and open pages reload.
    Rebuilt {
        /// The files that changed.
        changed: &'a [PathBuf],
        /// From the change being reported to the new site being served.
        took: Duration,
        /// Its warnings.
        warnings: &'a Diagnostics,
    },
    /// A build failed: the last good site is still served.
    Failed(&'a Diagnostics),
    /// The file watcher had a problem.
    WatchError(&'a str),
    /// Ctrl-C: the server stopped.
    Stopped,
}

/// Why `serve` could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The site does not build and `--watch` was not given.
    #[error("the site does not build")]
    Build(Diagnostics),
    /// The address or port cannot be used, or the watcher cannot start.
    #[error("{0}")]
    Start(String),
}

/// A message to every open page.
#[derive(Debug, Clone)]
pub(crate) enum Signal {
    /// A new site is served.
    Reload(u64),
    /// A rebuild failed, with the errors as text.
    Failed(Arc<str>),
    /// The server is stopping: end the event streams.
    Shutdown,
}

/// The served site and its status, shared by the server and the rebuilder.
pub(crate) struct Live {
    state: RwLock<State>,
    events: broadcast::Sender<Signal>,
    /// Tells pages reconnecting after a restart that they must reload.
    boot: u64,
}

struct State {
    snapshot: Option<Arc<Snapshot>>,
    failure: Option<Arc<str>>,
    version: u64,
}

impl Live {
    fn new() -> Self {
        let boot =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        Self {
            state: RwLock::new(State { snapshot: None, failure: None, version: 0 }),
            events: broadcast::channel(64).0,
            boot,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The site being served; `None` until a first build works.
    pub(crate) fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.read().snapshot.clone()
    }

    /// The version served and the last failure, if the last build failed.
    pub(crate) fn status(&self) -> (u64, Option<Arc<str>>) {
        let state = self.read();
        (state.version, state.failure.clone())
    }

    /// An id for `version` that differs across server restarts.
    pub(crate) fn version_id(&self, version: u64) -> String {
        format!("{}-{version}", self.boot)
    }

    /// Serves `snapshot` and tells the browsers to reload. Returns the
    /// previous one: freeing a large site takes milliseconds, which the
    /// caller spends after the browsers were told, not under the lock.
    #[must_use]
    fn publish(&self, snapshot: Snapshot) -> Option<Arc<Snapshot>> {
        let (version, previous) = {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            let previous = state.snapshot.replace(Arc::new(snapshot));
            state.failure = None;
            state.version += 1;
            (state.version, previous)
        };
        let _ = self.events.send(Signal::Reload(version));
        previous
    }

    fn fail(&self, diagnostics: &Diagnostics) {
        let text: Arc<str> = diagnostics.errors().map(|d| d.render(false)).collect::<Vec<_>>().join("\n\n").into();
        self.state.write().unwrap_or_else(|e| e.into_inner()).failure = Some(text.clone());
        let _ = self.events.send(Signal::Failed(text));
    }
}

/// Builds snapshots, reusing every unchanged post between builds.
struct Builder {
    options: BuildOptions,
    cache: PostCache,
}

impl Builder {
    /// Loads the site and renders the pages of `changed` files plus one page
    /// of each kind, so that an error shows now rather than on navigation.
    fn build(&mut self, changed: &[PathBuf]) -> Result<(Snapshot, Diagnostics), Diagnostics> {
        let Prepared { pages, warnings, hiding, images, files, .. } = crate::prepare(&self.options, &mut self.cache)?;
        let snapshot = Snapshot::new(pages, hiding, files, crate::fs::SiteRoot::new(&self.options.root), images);
        // Posts know their source relative to the root; the watcher reports absolute paths.
        let changed: Vec<PathBuf> =
            changed.iter().filter_map(|p| p.strip_prefix(&self.options.root).ok()).map(Path::to_path_buf).collect();
        let mut eager = snapshot.pages().files_from(&changed);
        // A change outside content/ (a template, the profile, the first
        // build) may break any kind of page: one of each is rendered now so
        // that the error shows at once. An edited post shows its own.
        if changed.is_empty() || changed.iter().any(|path| !path.starts_with(crate::content::CONTENT_DIR)) {
            eager.extend(snapshot.pages().samples());
        }
        snapshot.prerender(&eager).map_err(|d| Diagnostics::from_iter([*d]))?;
        Ok((snapshot, warnings))
    }
}

/// Runs the server until Ctrl-C.
pub fn run(options: ServeOptions, notify: Notify) -> Result<(), ServeError> {
    let mut build = options.build.clone();
    // The watcher reports absolute paths; the post cache must use the same.
    build.root = crate::fs::site_folder(&build.root);
    let mut builder = Builder { options: build.clone(), cache: PostCache::default() };
    let live = Arc::new(Live::new());
    let started = Instant::now();
    match builder.build(&[]) {
        Ok((snapshot, warnings)) => {
            let posts = snapshot.pages().site().posts.len() + snapshot.pages().site().pages.len();
            let _ = live.publish(snapshot);
            notify(Notice::Built { posts, took: started.elapsed(), warnings: &warnings });
        }
        Err(errors) if options.watch => {
            notify(Notice::Failed(&errors));
            live.fail(&errors);
        }
        Err(errors) => return Err(ServeError::Build(errors)),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Start(format!("cannot start the server: {e}")))?;
    let (listener, taken) = runtime.block_on(listen(options.bind, options.port))?;
    let address = listener.local_addr().map_err(|e| ServeError::Start(e.to_string()))?;
    let base_path = live.snapshot().map(|s| s.base_path().to_owned()).unwrap_or_default();
    let urls = urls(&listener, address, &base_path);
    if options.watch {
        start_watching(&build.root, options.poll, builder, live.clone(), notify.clone())?;
    }
    notify(Notice::Listening { urls: &urls, taken });
    if options.open {
        let _ = open::that_detached(&urls[0]);
    }
    // A name other than localhost on a loopback address can only come from a rebound domain.
    let hosts = if address.ip().is_loopback() { http::Hosts::Loopback } else { http::Hosts::Any };
    let app = http::router(live.clone(), hosts);
    runtime.block_on(async move {
        let shutdown = async move {
            let _ = tokio::signal::ctrl_c().await;
            let _ = live.events.send(Signal::Shutdown);
        };
        connections::serve(listener, app, shutdown).await;
    });
    // A file read stuck on a hung network file system does not hold up the exit.
    runtime.shutdown_timeout(Duration::from_millis(200));
    notify(Notice::Stopped);
    Ok(())
}

/// Where the server at `address` can be opened, loopback first.
fn urls(listener: &tokio::net::TcpListener, address: SocketAddr, base_path: &str) -> Vec<String> {
    let (interfaces, dual_stack) = if address.ip().is_unspecified() {
        let dual_stack = address.is_ipv6() && socket2::SockRef::from(listener).only_v6().is_ok_and(|only| !only);
        (addresses::interface_addresses(), dual_stack)
    } else {
        (Vec::new(), false)
    };
    addresses::reachable(address.ip(), dual_stack, &interfaces)
        .into_iter()
        .map(|ip| format!("http://{}{base_path}/", display_address(SocketAddr::new(ip, address.port()))))
        .collect()
}

/// `127.0.0.1:4000`, or `[::1]:4000`.
fn display_address(address: SocketAddr) -> String {
    match address {
        SocketAddr::V4(v4) => v4.to_string(),
        SocketAddr::V6(v6) => format!("[{}]:{}", v6.ip(), v6.port()),
    }
}

/// Binds `port`, or the first free port from [`DEFAULT_PORT`]; returns the
/// listener and the default port when it was taken.
async fn listen(bind: IpAddr, port: Option<u16>) -> Result<(tokio::net::TcpListener, Option<u16>), ServeError> {
    if let Some(port) = port {
        return tokio::net::TcpListener::bind((bind, port))
            .await
            .map(|l| (l, None))
            .map_err(|e| ServeError::Start(format!("cannot listen on {}: {e}", display_address((bind, port).into()))));
    }
    let mut last = None;
    for port in DEFAULT_PORT..DEFAULT_PORT + PORT_TRIES {
        match tokio::net::TcpListener::bind((bind, port)).await {
            Ok(listener) => return Ok((listener, (port != DEFAULT_PORT).then_some(DEFAULT_PORT))),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => return Err(ServeError::Start(format!("cannot listen on {bind}: {e}"))),
        }
    }
    Err(ServeError::Start(format!(
        "ports {DEFAULT_PORT}–{} are all in use ({}); choose one with --port",
        DEFAULT_PORT + PORT_TRIES - 1,
        last.map(|e| e.to_string()).unwrap_or_default()
    )))
}

/// How `serve` reports what happens: a function the binary prints with.
pub type Notify = Arc<dyn Fn(Notice<'_>) + Send + Sync>;

/// Starts the watcher and the thread that rebuilds on each batch of changes.
fn start_watching(
    root: &Path,
    poll: bool,
    mut builder: Builder,
    live: Arc<Live>,
    notify: Notify,
) -> Result<(), ServeError> {
    let (changes_tx, changes_rx) = std::sync::mpsc::channel::<watch::Changes>();
    let (errors_tx, errors_rx) = std::sync::mpsc::channel::<String>();
    let mut watcher = watch::Watcher::start(root, poll, changes_tx, errors_tx)
        .map_err(|e| ServeError::Start(format!("cannot watch {}: {e}", root.display())))?;
    let report = notify.clone();
    std::thread::Builder::new()
        .name("shopfront-watch-errors".to_owned())
        .spawn(move || {
            while let Ok(error) = errors_rx.recv() {
                report(Notice::WatchError(&error));
            }
        })
        .map_err(|e| ServeError::Start(e.to_string()))?;
    std::thread::Builder::new()
        .name("shopfront-rebuild".to_owned())
        .spawn(move || {
            while let Ok(mut changes) = changes_rx.recv() {
                let received = Instant::now();
                // Everything that arrived meanwhile goes into the same rebuild.
                while let Ok(more) = changes_rx.try_recv() {
                    changes.paths.extend(more.paths);
                    changes.rescan |= more.rescan;
                }
                watcher.watch_new_dirs();
                if changes.rescan {
                    builder.cache.check_everything();
                }
                builder.cache.note_changes(changes.paths.iter().cloned());
                match builder.build(&changes.paths) {
                    Ok((snapshot, warnings)) => {
                        let previous = live.publish(snapshot);
                        notify(Notice::Rebuilt {
                            changed: &changes.paths,
                            took: received.elapsed(),
                            warnings: &warnings,
                        });
                        drop(previous);
                    }
                    Err(errors) => {
                        live.fail(&errors);
                        notify(Notice::Failed(&errors));
                    }
                }
            }
        })
        .map_err(|e| ServeError::Start(e.to_string()))?;
    Ok(())
}
