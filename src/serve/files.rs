//! Copied files (`static/`, a theme's files on disk, bundle files) streamed
//! from disk as they are at the moment of the request.
//!
//! 1. [`open`] runs on a blocking thread, never on an async worker: a slow
//!    network file system delays only its own request. It opens only a
//!    regular file. A FIFO, a device or a socket put where a file was would
//!    block its reader forever or never end, so it is refused before it is
//!    opened, and the open itself cannot block (`O_NONBLOCK`) in case one is
//!    swapped in between the look and the open.
//! 2. A single byte range (`Range: bytes=…`) is honoured, as static hosts do,
//!    so video and audio can seek; several ranges get the whole file.
//! 3. [`FileBody::into_response`] streams the bytes in chunks, so a large
//!    file costs a chunk of memory per request, not its size.

use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::Path;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::io::AsyncReadExt as _;

/// How much of a file is read at a time.
const CHUNK: usize = 64 * 1024;

/// What a `Range` header asks of a file of a given length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// The whole file: no range, or one that is ignored (several ranges, bad syntax).
    Whole,
    /// The bytes `start..=end`.
    Part {
        /// The first byte.
        start: u64,
        /// The last byte (inclusive).
        end: u64,
    },
    /// A range that starts past the end (answered 416).
    Unsatisfiable,
}

/// Reads a `Range` header (RFC 9110 §14) for a file of `len` bytes.
pub fn byte_range(header: Option<&str>, len: u64) -> ByteRange {
    let Some(header) = header else { return ByteRange::Whole };
    let Some((unit, spec)) = header.split_once('=') else { return ByteRange::Whole };
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return ByteRange::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else { return ByteRange::Whole };
    let number = |text: &str| -> Option<Option<u64>> {
        match text.trim() {
            "" => Some(None),
            digits if digits.bytes().all(|b| b.is_ascii_digit()) => digits.parse().ok().map(Some),
            _ => None,
        }
    };
    match (number(first), number(last)) {
        // `bytes=-N`: the last N bytes.
        (Some(None), Some(Some(suffix))) => {
            if suffix == 0 || len == 0 {
                ByteRange::Unsatisfiable
            } else {
                ByteRange::Part { start: len - suffix.min(len), end: len - 1 }
            }
        }
        (Some(Some(start)), Some(last)) => match last {
            Some(last) if last < start => ByteRange::Whole,
            _ if start >= len => ByteRange::Unsatisfiable,
            last => ByteRange::Part { start, end: last.map_or(len - 1, |last| last.min(len - 1)) },
        },
        _ => ByteRange::Whole,
    }
}

/// A regular file opened for one response, positioned at its first byte to send.
#[derive(Debug)]
pub struct FileBody {
    file: File,
    len: u64,
    range: ByteRange,
}

/// Opens `path` if it is a regular file (links followed) and positions it
/// for `range` (the request's `Range` header). Blocks: call it off the async
/// threads.
pub fn open(path: &Path, range: Option<&str>) -> io::Result<FileBody> {
    // Look before opening: a FIFO is never opened, so nothing waits for a writer.
    if !std::fs::metadata(path)?.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    // Should a FIFO replace the file between the look and the open, the open
    // returns at once and the file is refused.
    let mut file = crate::fs::open_regular(path)?;
    let len = file.metadata()?.len();
    let range = byte_range(range, len);
    if let ByteRange::Part { start, .. } = range {
        file.seek(SeekFrom::Start(start))?;
    }
    Ok(FileBody { file, len, range })
}

impl FileBody {
    /// The response: `status` with the whole file, `206 Partial Content` with
    /// a range of it (when `status` is `200 OK`), or `416` for a range past the end.
    pub fn into_response(self, status: StatusCode) -> Response {
        let FileBody { file, len, range } = self;
        let range = if status == StatusCode::OK { range } else { ByteRange::Whole };
        let (status, start, end) = match range {
            ByteRange::Whole => (status, 0, len.checked_sub(1)),
            ByteRange::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, Some(end)),
            ByteRange::Unsatisfiable => {
                let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    response.headers_mut().insert(header::CONTENT_RANGE, value);
                }
                return response;
            }
        };
        let count = end.map_or(0, |end| end + 1 - start);
        // tokio's file reads run on the blocking pool, one chunk at a time.
        let reader = tokio::fs::File::from_std(file).take(count);
        let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(reader, CHUNK));
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
        headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        if let (StatusCode::PARTIAL_CONTENT, Some(end)) = (status, end)
            && let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}"))
        {
            headers.insert(header::CONTENT_RANGE, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(start: u64, end: u64) -> ByteRange {
        ByteRange::Part { start, end }
    }

    #[test]
    fn ranges_follow_rfc_9110() {
        for (header, len, expected) in [
            (None, 100, ByteRange::Whole),
            (Some("bytes=0-9"), 100, part(0, 9)),
            (Some("bytes=10-"), 100, part(10, 99)),
            (Some("bytes=90-200"), 100, part(90, 99)),
            (Some("bytes=-10"), 100, part(90, 99)),
            (Some("bytes=-500"), 100, part(0, 99)),
            (Some("BYTES = 5-5"), 100, part(5, 5)),
            (Some("bytes=100-"), 100, ByteRange::Unsatisfiable),
            (Some("bytes=100-200"), 100, ByteRange::Unsatisfiable),
            (Some("bytes=-0"), 100, ByteRange::Unsatisfiable),
            (Some("bytes=0-"), 0, ByteRange::Unsatisfiable),
            (Some("bytes=-5"), 0, ByteRange::Unsatisfiable),
            // Ignored: the whole file is sent.
            (Some("bytes=9-3"), 100, ByteRange::Whole),
            (Some("bytes=0-1,5-6"), 100, ByteRange::Whole),
            (Some("bytes=a-b"), 100, ByteRange::Whole),
            (Some("bytes=+1-2"), 100, ByteRange::Whole),
            (Some("bytes=-"), 100, ByteRange::Whole),
            (Some("lines=1-2"), 100, ByteRange::Whole),
            (Some("bytes 0-9"), 100, ByteRange::Whole),
            (Some("bytes=99999999999999999999999-"), 100, ByteRange::Whole),
        ] {
            assert_eq!(byte_range(header, len), expected, "{header:?} of {len}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        // Would block forever if it were opened for reading without a writer.
        assert_eq!(open(&fifo, None).unwrap_err().kind(), io::ErrorKind::InvalidInput);
        assert_eq!(open(dir.path(), None).unwrap_err().kind(), io::ErrorKind::InvalidInput);
        assert!(open(Path::new("/dev/null"), None).is_err());
        assert!(open(&dir.path().join("missing"), None).is_err());
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "hello").unwrap();
        let body = open(&file, Some("bytes=1-")).unwrap();
        assert_eq!((body.len, body.range), (5, part(1, 4)));
    }
}
