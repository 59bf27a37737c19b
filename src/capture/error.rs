//! The one error type every capture decoder returns.
//!
//! A capture is user input, so a bad one is an ordinary outcome, not a bug: the error names the
//! file, the byte offset where decoding stopped (when one is meaningful), what was expected
//! there and what was found, and ends with a hint. Decoders never return partial results.

use std::fmt;

/// A capture that could not be read or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureError {
    /// The file as the user named it.
    pub path: String,
    /// Byte offset in the file where decoding failed, when it failed inside the content.
    pub offset: Option<u64>,
    /// What was expected and what was found.
    pub message: String,
}

impl CaptureError {
    pub fn new(path: impl Into<String>, offset: Option<u64>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            offset,
            message: message.into(),
        }
    }

    /// The same error with its offset shifted by `base` (a payload's start inside a stream).
    #[must_use]
    pub fn shifted(mut self, base: u64) -> Self {
        self.offset = self.offset.map(|o| o.saturating_add(base));
        self
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read capture {}", self.path)?;
        if let Some(offset) = self.offset {
            write!(f, " at byte offset {offset}")?;
        }
        write!(
            f,
            ": {}. Hint: captures are detected by content (DataDog v0.4/v0.5 msgpack, OTLP protobuf \
             or length-prefixed protobuf stream, OTLP JSON); if the file is one of these but detection \
             picked the wrong one, use --capture-format.",
            self.message
        )
    }
}

impl std::error::Error for CaptureError {}
