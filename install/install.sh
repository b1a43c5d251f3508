#!/bin/sh
# Installs shopfront on macOS or Linux from its GitHub releases, without root:
#
#   curl -fsSL https://github.com/shopfront-ssg/shopfront/releases/latest/download/install.sh | sh
#
# It picks the build for this computer (Linux x86_64 or arm64, statically
# linked; macOS Intel or Apple silicon), downloads it with the release's
# SHA256SUMS, refuses it unless the checksum matches, and puts `shopfront`
# into ~/.local/bin (replacing an older one in a single step, so a failed or
# interrupted install leaves the old one, or nothing, never half a file).
#
# Settings, all optional, as environment variables:
#   SHOPFRONT_VERSION      a release tag such as v0.2.0 (default: the latest)
#   SHOPFRONT_INSTALL_DIR  where to put the program (default: ~/.local/bin)
#   SHOPFRONT_DOWNLOAD_URL the releases address (default: GitHub's), for a mirror
set -eu

REPOSITORY="shopfront-ssg/shopfront"
VERSION="${SHOPFRONT_VERSION:-latest}"
INSTALL_DIR="${SHOPFRONT_INSTALL_DIR:-${HOME:?HOME is not set}/.local/bin}"
RELEASES="${SHOPFRONT_DOWNLOAD_URL:-https://github.com/$REPOSITORY/releases}"
RELEASES="${RELEASES%/}"

say() {
    printf 'shopfront install: %s\n' "$*" >&2
}

fail() {
    say "error: $*"
    exit 1
}

# The release's name for this computer.
detect_target() {
    os=$(uname -s)
    machine=$(uname -m)
    case "$os" in
        Linux) system=unknown-linux-musl ;;
        Darwin) system=apple-darwin ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT)
            fail "on Windows, run this in PowerShell instead: irm https://github.com/$REPOSITORY/releases/latest/download/install.ps1 | iex" ;;
        *) fail "there is no shopfront build for $os; with Rust installed, run: cargo install shopfront" ;;
    esac
    case "$machine" in
        x86_64 | amd64) cpu=x86_64 ;;
        arm64 | aarch64 | armv8*) cpu=aarch64 ;;
        *) fail "there is no shopfront build for $machine processors; with Rust installed, run: cargo install shopfront" ;;
    esac
    # A shell running under Rosetta on an Apple silicon Mac reports x86_64:
    # the native build is the better one.
    if [ "$system" = apple-darwin ] && [ "$cpu" = x86_64 ] &&
        [ "$(sysctl -n hw.optional.arm64 2>/dev/null || echo 0)" = 1 ]; then
        cpu=aarch64
    fi
    echo "$cpu-$system"
}

# download URL FILE
download() {
    if command -v curl >/dev/null 2>&1; then
        curl --fail --silent --show-error --location --retry 2 --output "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget --quiet --output-document="$2" "$1"
    else
        fail "neither curl nor wget is installed; install one of them and try again"
    fi
}

# sha256 FILE: its SHA-256, in hexadecimal.
sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    else
        fail "cannot check the download: neither sha256sum nor shasum is installed"
    fi
}

target=$(detect_target)
archive="shopfront-$target.tar.gz"
case "$VERSION" in
    latest) base="$RELEASES/latest/download" ;;
    v*) base="$RELEASES/download/$VERSION" ;;
    *) base="$RELEASES/download/v$VERSION" ;;
esac

work=$(mktemp -d 2>/dev/null || mktemp -d -t shopfront)
staged=""
cleanup() {
    rm -rf "$work"
    if [ -n "$staged" ]; then rm -f "$staged"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "downloading $archive ($VERSION) from $base"
download "$base/$archive" "$work/$archive" || fail "could not download $base/$archive"
download "$base/SHA256SUMS" "$work/SHA256SUMS" || fail "could not download $base/SHA256SUMS"

expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$work/SHA256SUMS")
[ -n "$expected" ] || fail "SHA256SUMS of $VERSION has no line for $archive"
actual=$(sha256 "$work/$archive")
if [ "$actual" != "$expected" ]; then
    fail "the download of $archive is damaged or was tampered with (SHA-256 $actual, expected $expected); nothing was installed"
fi

tar -xzf "$work/$archive" -C "$work" || fail "could not unpack $archive"
binary="$work/shopfront-$target/shopfront"
[ -f "$binary" ] || fail "$archive holds no shopfront-$target/shopfront"

mkdir -p "$INSTALL_DIR" || fail "cannot create $INSTALL_DIR"
# Copied beside its final place, then renamed over it: all or nothing.
staged="$INSTALL_DIR/.shopfront.install.$$"
cp "$binary" "$staged" || fail "cannot write into $INSTALL_DIR"
chmod 755 "$staged"
mv -f "$staged" "$INSTALL_DIR/shopfront" || fail "cannot write $INSTALL_DIR/shopfront"
staged=""

installed=$("$INSTALL_DIR/shopfront" --version 2>/dev/null || true)
say "installed ${installed:-shopfront} to $INSTALL_DIR/shopfront"
case ":$PATH:" in
    *":$INSTALL_DIR:"*) ;;
    *) say "$INSTALL_DIR is not on your PATH; add this line to your shell's profile (~/.profile, ~/.zshrc):"
       say "  export PATH=\"$INSTALL_DIR:\$PATH\"" ;;
esac
say "start a site with: shopfront init my-shop"
