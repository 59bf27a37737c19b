//! `otelcheck explain`: one trace's (or one span's) journey through the config — every
//! pipeline, processor and rule it met, whether each rule matched, what it changed (masked
//! where the config protects a value) and where the span ended.

pub mod model;
pub mod observer;
pub mod render;

pub use model::{SpanStory, TraceIdQuery, TraceQuery};
pub use observer::ExplainObserver;

/// `--trace-id`: 32 hex digits (an OTLP trace id); 16 hex digits or a decimal number (a
/// DataDog trace id as the DataDog UI shows it: the low 64 bits of the translated id).
pub fn parse_trace_id(text: &str) -> Result<TraceIdQuery, String> {
    let t = text.trim();
    if t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut id = [0u8; 16];
        hex::decode_to_slice(t, &mut id).map_err(|e| e.to_string())?;
        return Ok(TraceIdQuery::Full(id));
    }
    parse_u64_id(t, "trace id")
        .map(|low| TraceIdQuery::Low(low.to_be_bytes()))
        .map_err(|why| {
            format!(
                "--trace-id {text:?} is not a trace id: {why}; give the 32 hex digits of an OTLP \
                 trace id, or a DataDog trace id (decimal, or 16 hex digits)"
            )
        })
}

/// `--span-id`: 16 hex digits, or a decimal number (DataDog).
pub fn parse_span_id(text: &str) -> Result<[u8; 8], String> {
    parse_u64_id(text.trim(), "span id")
        .map(u64::to_be_bytes)
        .map_err(|why| {
            format!(
                "--span-id {text:?} is not a span id: {why}; give 16 hex digits, or a DataDog \
                 span id in decimal"
            )
        })
}

/// All digits: decimal (how DataDog shows ids). Otherwise exactly 16 hex digits.
fn parse_u64_id(t: &str, what: &str) -> Result<u64, String> {
    if !t.is_empty() && t.len() <= 20 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<u64>()
            .map_err(|_| format!("the decimal {what} does not fit in 64 bits"));
    }
    if t.len() == 16 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return u64::from_str_radix(t, 16).map_err(|e| e.to_string());
    }
    Err(format!(
        "expected hex digits or a decimal number, got {} characters",
        t.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_in_every_spelling() {
        let full = "0000000000000000000000000000002a";
        assert_eq!(
            parse_trace_id(full),
            Ok(TraceIdQuery::Full({
                let mut id = [0; 16];
                id[15] = 42;
                id
            }))
        );
        assert_eq!(
            parse_trace_id("42"),
            Ok(TraceIdQuery::Low(42u64.to_be_bytes()))
        );
        assert_eq!(
            parse_trace_id("00000000000000ff"),
            Ok(TraceIdQuery::Low(255u64.to_be_bytes()))
        );
        assert!(parse_trace_id("xyz").is_err());
        assert!(parse_trace_id("99999999999999999999").is_err());
        assert_eq!(parse_span_id("000000000000000a"), Ok(10u64.to_be_bytes()));
        assert_eq!(parse_span_id("10"), Ok(10u64.to_be_bytes()));
    }
}
