//! Base64 for OTLP JSON `bytesValue`, with the collector's semantics: pdata's JSON reader decodes
//! with Go's `base64.StdEncoding` — standard alphabet, padding required, non-zero trailing bits
//! accepted (Go's non-strict default), and `\r`/`\n` anywhere in the text skipped.

use base64::alphabet::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

const GO_STD_ENCODING: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

pub fn encode(bytes: &[u8]) -> String {
    GO_STD_ENCODING.encode(bytes)
}

/// Decode as Go's `base64.StdEncoding.DecodeString` does; `None` where Go reports an error.
pub fn decode(s: &str) -> Option<Vec<u8>> {
    if s.contains(['\r', '\n']) {
        let compact: String = s.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
        return GO_STD_ENCODING.decode(compact).ok();
    }
    GO_STD_ENCODING.decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};

    #[test]
    fn round_trips_all_lengths() {
        for len in 0..10u8 {
            let data: Vec<u8> = (0..len)
                .map(|i| i.wrapping_mul(37).wrapping_add(200))
                .collect();
            assert_eq!(decode(&encode(&data)), Some(data));
        }
        assert_eq!(encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode(b"fo"), "Zm8=");
    }

    #[test]
    fn rejects_what_go_std_encoding_rejects() {
        assert_eq!(decode("Zm8"), None, "padding is required");
        assert_eq!(decode("Z=m8"), None, "padding only at the end");
        assert_eq!(decode("Zm-_"), None, "URL-safe alphabet is not standard");
    }

    #[test]
    fn accepts_what_go_std_encoding_accepts() {
        // "Zm9=" has non-zero trailing bits (canonical is "Zm8="): Go's non-strict decoder keeps "fo".
        assert_eq!(decode("Zm9="), Some(b"fo".to_vec()));
        assert_eq!(decode("Zm9v\r\nYmFy"), Some(b"foobar".to_vec()));
    }
}
