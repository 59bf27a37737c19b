//! Reading a request body under a size limit and undoing its `Content-Encoding`.
//!
//! The limit applies twice: to the bytes on the wire and to the decompressed bytes, so a small
//! gzip body that inflates past `--max-body` is refused like a large one. A recording stores
//! the payload itself (decompressed), because that is what the receivers decode.

use flate2::read::{GzDecoder, ZlibDecoder};
use std::io::Read;

#[derive(Debug)]
pub enum BodyError {
    /// Larger than the limit, as sent or once decompressed.
    TooLarge,
    /// The connection failed or the compressed stream was corrupt.
    Unreadable(std::io::Error),
    /// A `Content-Encoding` other than gzip, deflate or identity.
    UnsupportedEncoding(String),
}

/// Read at most `max` bytes from `reader`; `declared` is the Content-Length, when sent, so an
/// oversized body is refused before any of it is read.
pub fn read_limited(
    reader: &mut dyn Read,
    declared: Option<usize>,
    max: u64,
) -> Result<Vec<u8>, BodyError> {
    if declared.is_some_and(|n| n as u64 > max) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    reader
        .take(max.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(BodyError::Unreadable)?;
    if body.len() as u64 > max {
        return Err(BodyError::TooLarge);
    }
    Ok(body)
}

/// Undo `content_encoding`; returns the payload and the encoding removed, if any.
pub fn decode(
    body: Vec<u8>,
    content_encoding: &str,
    max: u64,
) -> Result<(Vec<u8>, Option<&'static str>), BodyError> {
    match content_encoding.trim().to_ascii_lowercase().as_str() {
        "" | "identity" => Ok((body, None)),
        "gzip" | "x-gzip" => {
            inflate(GzDecoder::new(body.as_slice()), max).map(|b| (b, Some("gzip")))
        }
        // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2).
        "deflate" => inflate(ZlibDecoder::new(body.as_slice()), max).map(|b| (b, Some("deflate"))),
        other => Err(BodyError::UnsupportedEncoding(other.to_owned())),
    }
}

fn inflate(mut decoder: impl Read, max: u64) -> Result<Vec<u8>, BodyError> {
    read_limited(&mut decoder, None, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn limits_the_wire_size_before_reading() {
        let mut r: &[u8] = b"0123456789";
        assert!(matches!(
            read_limited(&mut r, Some(10), 9),
            Err(BodyError::TooLarge)
        ));
        let mut r: &[u8] = b"0123456789";
        assert!(matches!(
            read_limited(&mut r, None, 9),
            Err(BodyError::TooLarge)
        ));
        let mut r: &[u8] = b"0123456789";
        assert_eq!(read_limited(&mut r, None, 10).unwrap(), b"0123456789");
    }

    #[test]
    fn gzip_is_removed_and_limited_after_inflation() {
        let payload = vec![7u8; 4096];
        let (out, removed) = decode(gzip(&payload), "gzip", 4096).unwrap();
        assert_eq!((out, removed), (payload.clone(), Some("gzip")));
        assert!(matches!(
            decode(gzip(&payload), "gzip", 4095),
            Err(BodyError::TooLarge)
        ));
        assert!(matches!(
            decode(b"not gzip".to_vec(), "gzip", 99),
            Err(BodyError::Unreadable(_))
        ));
        assert!(
            matches!(decode(vec![1], "br", 99), Err(BodyError::UnsupportedEncoding(e)) if e == "br")
        );
        assert_eq!(decode(vec![1, 2], "", 99).unwrap(), (vec![1, 2], None));
    }
}
