//! The `shopfront` binary: parses arguments, calls the library, prints
//! findings and sets the exit status (0 success, 1 site errors, 2 usage).

// Printing to a closed pipe (`shopfront build 2>&1 | head -1`) is not a
// crash: these replace the standard macros, which panic on it, for the whole
// binary. What could not be printed is simply dropped.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, Parser};

use cli::{Cli, ColorChoice, Command};
use shopfront::diagnostics::Diagnostics;

/// glibc raises its mmap and trim thresholds each time a large block is
/// freed (up to 32 MiB on 64-bit), and a heap then keeps that much freed
/// memory from going back to the system: a build's search index or a
/// large file read once leaves every later page a bigger heap. Fixed at
/// glibc's initial 128 KiB, a build's peak memory is 6% lower at 10,000
/// posts (153 against 163 MiB) and 1 MiB lower at 1,000, for no measurable
/// time (BENCHMARKS.md, *Peak memory*). And glibc gives every thread that
/// allocates a heap (an arena) of its own: one per rendering thread is
/// enough, the main thread shares one of them, and a 1,000-post build's
/// peak is 0.6 MiB lower for no measurable time.
fn keep_freed_memory_small() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // Rayon's pools have a thread per core, unless told otherwise.
        let threads = std::env::var("RAYON_NUM_THREADS").ok().and_then(|n| n.trim().parse::<usize>().ok());
        let cores = || std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let arenas = threads.filter(|&n| n > 0).unwrap_or_else(cores);
        // SAFETY: `mallopt` only sets allocator parameters; called before
        // any other thread exists.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
            libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
            libc::mallopt(libc::M_ARENA_MAX, i32::try_from(arenas).unwrap_or(i32::MAX));
        }
    }
}

fn main() -> ExitCode {
    keep_freed_memory_small();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
    };
    let printer = Printer { color, quiet: cli.quiet, verbose: cli.verbose };
    match cli.command {
        Command::Build(args) => build(args, &printer),
        Command::Check(args) => check(args, &printer),
        Command::Serve(args) => serve(args, printer),
        Command::Init { dir, theme, deploy } => init(&dir, &theme, deploy.map(Into::into), &printer),
        Command::New { title, root } => new_post(&title, &root, &printer),
        Command::Import { generator, src, dest } => import(generator, &src, dest, &printer),
        Command::Themes => {
            for theme in shopfront::render::theme::bundled() {
                println!("{:<10} {}", theme.name, theme.description);
            }
            ExitCode::SUCCESS
        }
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics on a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "shopfront", &mut script);
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
            ExitCode::SUCCESS
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Printer {
    color: bool,
    quiet: bool,
    verbose: bool,
}

impl Printer {
    fn findings(&self, diagnostics: &Diagnostics) {
        use std::io::Write;
        // Buffered: a migrated blog can bring thousands of findings, and
        // unbuffered stderr writes each in several system calls.
        let mut out = std::io::BufWriter::new(std::io::stderr().lock());
        for diagnostic in diagnostics.iter() {
            if self.quiet && !diagnostic.is_error() {
                continue;
            }
            if writeln!(out, "{}", diagnostic.render(self.color)).is_err() {
                return;
            }
        }
        let _ = out.flush();
    }

    fn status(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }
}

fn init(dir: &std::path::Path, theme: &str, deploy: Option<shopfront::scaffold::Host>, printer: &Printer) -> ExitCode {
    use shopfront::scaffold::{self, Host, ScaffoldError};
    let fail = |err: ScaffoldError| {
        eprintln!("error: {err}");
        ExitCode::from(if matches!(err, ScaffoldError::UnknownTheme { .. }) { 2 } else { 1 })
    };
    // An existing site asks only for the deploy file.
    let existing = deploy.is_some() && dir.join("profile.toml").is_file();
    if !existing {
        match scaffold::init(dir, theme) {
            Ok(files) => printer.status(&format!("Created a site in {} ({} files).", dir.display(), files.len())),
            Err(err) => return fail(err),
        }
    }
    if let Some(host) = deploy {
        match scaffold::deploy(dir, host) {
            Ok(files) => {
                let names: Vec<String> = files.iter().map(|f| dir.join(f).display().to_string()).collect();
                printer.status(&format!("Wrote {}: {}", names.join(", "), match host {
                    Host::Github => {
                        "push to GitHub, then set Settings → Pages → Source to \"GitHub Actions\"; every push to main publishes the site"
                    }
                    Host::Netlify => "push to GitHub, GitLab or Bitbucket and import the repository in Netlify; it reads the settings from netlify.toml",
                    Host::Cloudflare => {
                        "in Cloudflare Pages, connect the repository with build command `sh cloudflare-pages.sh` and output directory `public`"
                    }
                }));
            }
            Err(err) => return fail(err),
        }
    }
    if !existing {
        printer.status(&format!("Next: put your details in {}, then:", dir.join("profile.toml").display()));
        if dir != std::path::Path::new(".") {
            printer.status(&format!("  cd {}", shell_word(&dir.display().to_string())));
        }
        printer.status("  shopfront new \"My first post\"");
        printer.status("  shopfront serve --watch --open");
    }
    ExitCode::SUCCESS
}

/// "1 post", "2 posts".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `word` as a shell reads it: quoted when it has spaces or quotes.
fn shell_word(word: &str) -> String {
    if word.chars().all(|c| c.is_alphanumeric() || "/._-~".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

fn import(
    from: cli::ImportFrom,
    src: &std::path::Path,
    dest: Option<std::path::PathBuf>,
    printer: &Printer,
) -> ExitCode {
    use shopfront::import::Generator;
    let generator = match from {
        cli::ImportFrom::Hexo => Generator::Hexo,
        cli::ImportFrom::Jekyll => Generator::Jekyll,
    };
    let dest = dest.unwrap_or_else(|| {
        let name = src.canonicalize().ok().and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
        src.with_file_name(format!("{}-shopfront", name.as_deref().unwrap_or("blog")))
    });
    match shopfront::import::import(generator, src, &dest) {
        Ok(report) => {
            printer.status(&format!(
                "Imported {} posts, {} pages and {} other files from {} into {}.",
                report.posts,
                report.pages,
                report.files,
                src.display(),
                dest.display()
            ));
            if !report.mapped.is_empty() {
                printer.status(&format!("Carried over: {}.", report.mapped.join("; ")));
            }
            if !report.not_mapped.is_empty() {
                printer.status("Left behind (noted in profile.toml where it is a setting):");
                for item in &report.not_mapped {
                    printer.status(&format!("  - {item}"));
                }
            }
            printer.status(&format!("Next: shopfront build --root {}", dest.display()));
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(1)
        }
    }
}

fn new_post(title: &str, root: &std::path::Path, printer: &Printer) -> ExitCode {
    // The date is today's in the site's time zone; a broken profile still gets its post.
    let settings = shopfront::read_profile(root)
        .ok()
        .and_then(|text| shopfront::profile::parse(&text, std::path::Path::new("profile.toml"), None).ok());
    let timezone = settings.as_ref().map_or(jiff::tz::TimeZone::UTC, |s| s.timezone.clone());
    let today = jiff::Timestamp::now().to_zoned(timezone).date();
    let mode = settings.map(|s| s.slugs).unwrap_or_default();
    match shopfront::scaffold::new_post(root, title, today, mode) {
        Ok(path) => {
            printer.status(&format!("Created {}", path.display()));
            printer.status("Preview it while you write: shopfront serve --watch --open");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(1)
        }
    }
}

fn check(args: cli::CheckArgs, printer: &Printer) -> ExitCode {
    let options =
        shopfront::BuildOptions { root: args.root, drafts: args.drafts, theme: args.theme, ..Default::default() };
    let findings = shopfront::check(&options);
    match args.format {
        cli::Format::Json => println!("{}", shopfront::compliance::report::to_json(&findings)),
        cli::Format::Text => {
            printer.findings(&findings);
            let (errors, warnings) = (findings.error_count(), findings.warning_count());
            if errors == 0 && warnings == 0 {
                printer.status("No problems found.");
            } else {
                printer.status(&format!("{errors} error(s), {warnings} warning(s)."));
            }
        }
    }
    ExitCode::from(findings.exit_status())
}

fn serve(args: cli::ServeArgs, printer: Printer) -> ExitCode {
    use shopfront::serve::{Notice, ServeError, ServeOptions};
    let options = ServeOptions {
        build: shopfront::BuildOptions {
            root: args.root,
            drafts: args.drafts,
            theme: args.theme,
            ..Default::default()
        },
        port: args.port,
        bind: args.bind,
        watch: args.watch,
        poll: args.poll,
        open: args.open,
    };
    let watching = args.watch;
    let notify = std::sync::Arc::new(move |notice: Notice<'_>| match notice {
        Notice::Listening { urls, taken } => {
            if let Some(port) = taken {
                printer.status(&format!("Port {port} is in use; using the next free one."));
            }
            let how = if watching { ", rebuilding on every save" } else { "" };
            // Always shown, even with --quiet: where to look is the one thing the command is for.
            if let Some((first, others)) = urls.split_first() {
                eprintln!("Serving at {first}{how} (Ctrl-C to stop).");
                for url in others {
                    eprintln!("  also at {url}");
                }
            }
            if !args.bind.is_loopback() {
                // Always shown too: drafts become readable by anyone on the network.
                eprintln!(
                    "Visible to other devices on your network (--bind {}): anyone who can reach this machine can read the preview.",
                    args.bind
                );
            }
        }
        Notice::Built { posts, took, warnings } => {
            if printer.verbose {
                printer.findings(warnings);
            }
            printer.status(&format!("Loaded {posts} posts and pages in {} ms.", took.as_millis()));
        }
        Notice::Rebuilt { changed, took, warnings } => {
            if printer.verbose {
                printer.findings(warnings);
            }
            let what = match changed {
                [one] => one.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                many => format!("{} files", many.len()),
            };
            printer.status(&format!("Rebuilt after a change to {what} in {} ms.", took.as_millis()));
        }
        Notice::Failed(diagnostics) => {
            let shown: Diagnostics = diagnostics.iter().filter(|d| d.is_error() || printer.verbose).cloned().collect();
            printer.findings(&shown);
            eprintln!("Build failed: still serving the last good version. Fix the error and save again.");
        }
        Notice::WatchError(error) => eprintln!("warning: file watcher: {error}"),
        Notice::Stopped => printer.status("Stopped."),
    });
    match shopfront::serve::run(options, notify) {
        Ok(()) => ExitCode::SUCCESS,
        Err(ServeError::Build(diagnostics)) => {
            let shown: Diagnostics = diagnostics.iter().filter(|d| d.is_error() || printer.verbose).cloned().collect();
            printer.findings(&shown);
            eprintln!("The site does not build; nothing to serve. (With --watch, serve waits for a fix.)");
            ExitCode::from(1)
        }
        Err(err @ ServeError::Start(_)) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

/// On Ctrl-C or `kill`, removes the build's staging folder (after a commit
/// under way has finished, so the output is always a complete site) and
/// exits with 128 + the signal's number, as shells expect: 130 or 143.
#[cfg(unix)]
fn stop_cleanly_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            shopfront::output::writer::abandon_all();
            eprintln!("Stopped: the output folder holds a complete site, and no staging files are left.");
            std::process::exit(128 + signal);
        }
    });
}

#[cfg(not(unix))]
fn stop_cleanly_on_signals() {}

fn build(args: cli::BuildArgs, printer: &Printer) -> ExitCode {
    stop_cleanly_on_signals();
    let started = Instant::now();
    let options = shopfront::BuildOptions {
        root: args.root,
        output: args.output,
        base_url: args.base_url,
        drafts: args.drafts,
        theme: args.theme,
        minify: args.minify,
        strict: args.strict,
        progress: !printer.quiet && std::io::stderr().is_terminal(),
    };
    match shopfront::build(&options) {
        Ok(report) => {
            if printer.verbose {
                printer.findings(&report.warnings);
                for (stage, took) in &report.timings {
                    eprintln!("  {stage:<8} {:>6} ms", took.as_millis());
                }
                let shopfront::PageCounts { rendered, reused } = report.rendered;
                eprintln!("  pages: {rendered} rendered, {reused} unchanged since the last build");
                let shopfront::cache::ParseCounts { parsed, reused } = report.parsed;
                eprintln!("  files: {parsed} parsed, {reused} unchanged since the last build");
            } else {
                // A post without a cover or summary is routine, and a blog has
                // thousands: counted on one line, so the warnings that matter show.
                let (routine, shown): (Vec<_>, Vec<_>) =
                    report.warnings.iter().cloned().partition(|d| d.code == "no-cover" || d.code == "no-summary");
                printer.findings(&shown.into_iter().collect());
                if let Some(line) = routine_summary(&routine) {
                    printer.status(&line);
                }
            }
            let warnings = report.warnings.warning_count();
            let note = match warnings {
                0 => String::new(),
                1 => " with 1 warning (see `shopfront check` or --verbose)".to_owned(),
                n => format!(" with {n} warnings (see `shopfront check` or --verbose)"),
            };
            printer.status(&format!(
                "Built {}, {} and {} into {} in {} ms{note}.",
                count(report.posts, "post", "posts"),
                count(report.pages, "page", "pages"),
                count(report.products, "product", "products"),
                report.output.display(),
                started.elapsed().as_millis()
            ));
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            // Warnings would bury the errors that stop the build; --verbose shows them.
            let shown: Diagnostics = diagnostics.iter().filter(|d| d.is_error() || printer.verbose).cloned().collect();
            printer.findings(&shown);
            let count = diagnostics.error_count();
            let output = if shopfront::partly_updated(&diagnostics) {
                "the output may hold part of the new site until the next build"
            } else {
                "the previous output was left untouched"
            };
            eprintln!("Build failed with {count} error{}; {output}.", if count == 1 { "" } else { "s" });
            ExitCode::from(diagnostics.exit_status())
        }
    }
}

/// One line for the posts without a cover or a summary, or `None`.
fn routine_summary(routine: &[shopfront::diagnostics::Diagnostic]) -> Option<String> {
    let count = |code: &str| routine.iter().filter(|d| d.code == code).count();
    let (covers, summaries) = (count("no-cover"), count("no-summary"));
    let posts = |n: usize| if n == 1 { "1 post has".to_owned() } else { format!("{n} posts have") };
    let what = match (covers, summaries) {
        (0, 0) => return None,
        (c, 0) => format!("{} no `cover`", posts(c)),
        (0, s) => format!("{} no `summary`", posts(s)),
        (c, s) => format!("{} no `cover` and {s} no `summary`", posts(c)),
    };
    Some(format!("note: {what} (listed with --verbose and by `shopfront check --format json`)"))
}
