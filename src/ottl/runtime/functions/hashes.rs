//! Hashes and hex: `SHA256`, `SHA512`, `FNV`, `Hex`.
//!
//! | Converter | Parameter | Result |
//! |---|---|---|
//! | `SHA256(target)` / `SHA512(target)` | StringGetter | lowercase hex digest of the string's bytes |
//! | `FNV(target)` | StringGetter | FNV-1a 64-bit hash as int64 (bits reinterpreted) |
//! | `Hex(target)` | ByteSliceLikeGetter | lowercase hex; ints as 8 bytes big-endian (`200` → `00000000000000c8`) |

use std::borrow::Cow;

use sha2::{Digest, Sha256, Sha512};

use super::{arg, bytes_like, to_str, Build, Spec};
use crate::ottl::runtime::value::Value;

fn hex_str(bytes: &[u8]) -> Value<'static> {
    Value::Str(Cow::Owned(hex::encode(bytes)))
}

pub const SPECS: &[Spec] = &[
    Spec {
        name: "SHA256",
        build: Build::Simple(|mut a| {
            Ok(hex_str(&Sha256::digest(to_str(arg(&mut a, 0))?.as_bytes())))
        }),
    },
    Spec {
        name: "SHA512",
        build: Build::Simple(|mut a| {
            Ok(hex_str(&Sha512::digest(to_str(arg(&mut a, 0))?.as_bytes())))
        }),
    },
    Spec {
        name: "FNV",
        build: Build::Simple(|mut a| {
            Ok(Value::Int(
                fnv1a64(to_str(arg(&mut a, 0))?.as_bytes()) as i64
            ))
        }),
    },
    Spec {
        name: "Hex",
        build: Build::Simple(|mut a| match bytes_like(arg(&mut a, 0))? {
            Some(b) => Ok(hex_str(&b)),
            None => Ok(hex_str(&[])),
        }),
    },
];

/// FNV-1a, 64 bit (Go `hash/fnv.New64a`).
fn fnv1a64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
