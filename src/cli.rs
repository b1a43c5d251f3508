//! Command-line arguments. Parsing only: the work is in the library.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A static-site generator for affiliate creators: Markdown posts in, a fast,
/// compliant storefront out.
#[derive(Debug, Parser)]
#[command(name = "shopfront", version = env!("SHOPFRONT_VERSION_LINE"), about, after_help = EXAMPLES)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Print only errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

const EXAMPLES: &str = "\
Examples:
  shopfront build                          build ./ into ./public
  shopfront build --root my-site --base-url https://me.github.io/shop
  shopfront build --drafts --output /tmp/preview
  shopfront check --format json            compliance report without writing";

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// When writing to a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Render the site into the output folder.
    #[command(after_help = "\
Examples:
  shopfront build
  shopfront build --root example-site
  shopfront build --output dist --base-url https://user.github.io/shop")]
    Build(BuildArgs),
    /// Create a new site that builds at once.
    #[command(after_help = "\
Examples:
  shopfront init my-shop
  shopfront init my-shop --theme linkpage
  shopfront init my-shop --deploy github
  shopfront init . --deploy netlify      (in an existing site: only the deploy file)")]
    Init {
        /// The folder to create (must be empty or not exist; with --deploy,
        /// an existing site gets only the deploy file).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The theme (see `shopfront themes`).
        #[arg(long, default_value = "aisle")]
        theme: String,
        /// Also write what a host needs to build and publish the site on
        /// every push (it installs this version of shopfront).
        #[arg(long, value_name = "HOST")]
        deploy: Option<DeployHost>,
    },
    /// Create a post with a front-matter skeleton.
    #[command(after_help = "\
Examples:
  shopfront new \"Best USB Microphones\"
  shopfront new \"Travel Kit 2025\" --root my-shop")]
    New {
        /// The post's title.
        title: String,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Preview the site at http://127.0.0.1:4000/, rendered in memory.
    #[command(after_help = "\
Examples:
  shopfront serve --watch                  rebuild and reload the browser on every save
  shopfront serve --watch --open --drafts
  shopfront serve --port 8080 --bind 0.0.0.0   reachable from phones on your network")]
    Serve(ServeArgs),
    /// Move a Hexo or Jekyll blog over: a new site with its posts, pages,
    /// files and settings (the blog itself is only read).
    #[command(after_help = "\
Examples:
  shopfront import hexo my-hexo-blog my-shop
  shopfront import jekyll ~/blog my-shop

Then: shopfront build --root my-shop")]
    Import {
        /// The blog's generator.
        generator: ImportFrom,
        /// The blog's folder (with _config.yml).
        src: PathBuf,
        /// The new site's folder (must be empty or not exist); default SRC-shopfront beside SRC.
        dest: Option<PathBuf>,
    },
    /// List the bundled themes.
    Themes,
    /// Check the site and report compliance findings, without writing output.
    #[command(after_help = "\
Examples:
  shopfront check
  shopfront check --root my-site --format json")]
    Check(CheckArgs),
    /// Print a completion script for a shell.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Where `init --deploy` prepares the site to be published.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum DeployHost {
    /// GitHub Pages: .github/workflows/deploy.yml.
    Github,
    /// Netlify: netlify.toml.
    Netlify,
    /// Cloudflare Pages: cloudflare-pages.sh, the build command.
    Cloudflare,
}

impl From<DeployHost> for shopfront::scaffold::Host {
    fn from(host: DeployHost) -> Self {
        match host {
            DeployHost::Github => Self::Github,
            DeployHost::Netlify => Self::Netlify,
            DeployHost::Cloudflare => Self::Cloudflare,
        }
    }
}

/// The generators `import` reads.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum ImportFrom {
    /// Hexo: _config.yml, source/_posts/ and source/.
    Hexo,
    /// Jekyll: _config.yml, _posts/ and the site's other folders.
    Jekyll,
}

/// `shopfront serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The site folder (with profile.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Rebuild when a file changes and reload open pages.
    #[arg(long, short)]
    pub watch: bool,
    /// Watch by scanning the files (for network and container file systems).
    #[arg(long, requires = "watch")]
    pub poll: bool,
    /// The port [default: 4000, or the next free one].
    #[arg(long, short)]
    pub port: Option<u16>,
    /// The address to listen on; 0.0.0.0 makes the preview visible to your network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Include drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Use this theme instead of `[site] theme`.
    #[arg(long)]
    pub theme: Option<String>,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
}

/// `shopfront check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The site folder (with profile.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Check drafts too.
    #[arg(long)]
    pub drafts: bool,
    /// Use this theme instead of `[site] theme` (see `shopfront themes`).
    #[arg(long)]
    pub theme: Option<String>,
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// rustc-style messages.
    Text,
    /// A JSON array: one `{severity, code, file, line, message}` object per finding.
    Json,
}

/// `shopfront build`.
#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// The site folder (with profile.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site [default: ROOT/public].
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Replace the profile's base_url (e.g. for a preview deploy).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include posts marked `draft: true` or `published: false`.
    #[arg(long)]
    pub drafts: bool,
    /// Use this theme instead of `[site] theme` (see `shopfront themes`).
    #[arg(long)]
    pub theme: Option<String>,
    /// Minify the HTML: drop comments and collapse whitespace (not in pre, script, style).
    #[arg(long)]
    pub minify: bool,
    /// Fail on what `shopfront init` wrote for you to replace (sample tag, name, ASINs, example.com), as `check` does.
    #[arg(long)]
    pub strict: bool,
}
