//! The recording on disk: payload bodies appended back to back to FILE, and the
//! `FILE.headers.json` sidecar (the format `capture::headers` reads) rewritten after each one.
//!
//! Invariant: when [`Recording::append`] returns, the body is in the file (written through to
//! the OS, no user-space buffer) and the sidecar on disk lists it; the sidecar is replaced by an
//! atomic rename, so an interrupted recorder leaves either the old or the new sidecar, never a
//! truncated one. The caller answers the client only after that, so a payload that was
//! answered is never missing from the recording.

use serde::Serialize;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What the sidecar says about one payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayloadMeta {
    pub method: String,
    pub path: String,
    /// Request headers in arrival order, names as the client spelled them.
    pub headers: Vec<(String, String)>,
    pub received_unix_nano: u64,
    /// The `Content-Encoding` undone before storing (the stored bytes are the payload itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_encoding_removed: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct Entry<'a> {
    index: usize,
    offset: u64,
    length: u64,
    method: &'a str,
    path: &'a str,
    headers: &'a [(String, String)],
    received_unix_nano: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_encoding_removed: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct Sidecar<'a> {
    file: &'a str,
    framing: &'static str,
    recorded_by: &'static str,
    payloads: Vec<Entry<'a>>,
}

pub struct Recording {
    path: PathBuf,
    sidecar: PathBuf,
    file: File,
    /// (offset, length, meta) per payload, in file order.
    payloads: Vec<(u64, u64, PayloadMeta)>,
    len: u64,
}

impl Recording {
    /// Create (or truncate) FILE and write an empty sidecar next to it.
    pub fn create(path: &Path) -> std::io::Result<Self> {
        let file = File::create(path)?;
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".headers.json");
        let rec = Recording {
            path: path.to_path_buf(),
            sidecar: path.with_file_name(name),
            file,
            payloads: Vec::new(),
            len: 0,
        };
        rec.write_sidecar()?;
        Ok(rec)
    }

    pub fn sidecar_path(&self) -> &Path {
        &self.sidecar
    }

    pub fn payload_count(&self) -> usize {
        self.payloads.len()
    }

    pub fn byte_len(&self) -> u64 {
        self.len
    }

    /// Append one payload and publish it in the sidecar; see the module invariant.
    pub fn append(&mut self, body: &[u8], meta: PayloadMeta) -> std::io::Result<()> {
        self.file.write_all(body)?;
        self.file.flush()?;
        self.payloads.push((self.len, body.len() as u64, meta));
        if let Err(e) = self.write_sidecar() {
            // Keep memory and sidecar in step: the body stays in the file, unlisted, and the
            // next append starts after it.
            self.payloads.pop();
            self.len += body.len() as u64;
            return Err(e);
        }
        self.len += body.len() as u64;
        Ok(())
    }

    fn write_sidecar(&self) -> std::io::Result<()> {
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let sidecar = Sidecar {
            file: &file_name,
            framing: "payload bodies back to back, no separators",
            recorded_by: concat!("otelcheck record ", env!("CARGO_PKG_VERSION")),
            payloads: self
                .payloads
                .iter()
                .enumerate()
                .map(|(index, (offset, length, m))| Entry {
                    index,
                    offset: *offset,
                    length: *length,
                    method: &m.method,
                    path: &m.path,
                    headers: &m.headers,
                    received_unix_nano: m.received_unix_nano,
                    content_encoding_removed: m.content_encoding_removed,
                })
                .collect(),
        };
        let dir = match self.sidecar.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer_pretty(&mut tmp, &sidecar)?;
        tmp.write_all(b"\n")?;
        // A temporary file is private (0600); the sidecar gets the recording's permissions.
        tmp.as_file()
            .set_permissions(self.file.metadata()?.permissions())?;
        tmp.persist(&self.sidecar).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::CaptureHeaders;

    fn meta(path: &str) -> PayloadMeta {
        PayloadMeta {
            method: "PUT".into(),
            path: path.into(),
            headers: vec![("Content-Type".into(), "application/msgpack".into())],
            received_unix_nano: 1_700_000_000_000_000_000,
            content_encoding_removed: None,
        }
    }

    #[test]
    fn bodies_are_back_to_back_and_the_sidecar_is_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rec.bin");
        let mut rec = Recording::create(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"");
        rec.append(b"abc", meta("/v0.4/traces")).unwrap();
        let mut gz = meta("/v1/traces");
        gz.content_encoding_removed = Some("gzip");
        rec.append(b"defgh", gz).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"abcdefgh");

        let text = std::fs::read_to_string(rec.sidecar_path()).unwrap();
        let read = CaptureHeaders::parse(&text).unwrap();
        let spans: Vec<_> = read.payloads.iter().map(|p| (p.offset, p.length)).collect();
        assert_eq!(spans, [(0, 3), (3, 5)]);
        assert_eq!(read.at_offset(3).unwrap().path, "/v1/traces");
        assert_eq!(
            read.at_offset(0).unwrap().get("content-type"),
            "application/msgpack"
        );

        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["file"], "rec.bin");
        assert_eq!(v["payloads"][1]["content_encoding_removed"], "gzip");
        assert!(v["payloads"][0].get("content_encoding_removed").is_none());
        assert_eq!(
            v["payloads"][0]["received_unix_nano"],
            1_700_000_000_000_000_000u64
        );
    }
}
