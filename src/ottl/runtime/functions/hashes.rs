//! Hashes and hex: `SHA1`, `SHA256`, `SHA512`, `MD5`, `FNV`, `Murmur3Hash`, `Murmur3Hash128`,
//! `XXH3`, `XXH128`, `Hex`.
//!
//! | Converter | Parameter | Result |
//! |---|---|---|
//! | `SHA1` / `SHA256` / `SHA512` / `MD5(target)` | StringGetter | lowercase hex digest of the string's bytes |
//! | `Murmur3Hash(target)` | StringGetter | 32-bit murmur3 (seed 0), 4 bytes little-endian, hex |
//! | `Murmur3Hash128(target)` | StringGetter | x64 128-bit murmur3 (seed 0): h1 then h2, each little-endian, hex |
//! | `XXH3(target)` / `XXH128(target)` | StringGetter | XXH3 64 / 128 bits, big-endian (`Sum`/`Sum128().Bytes()`), hex |
//! | `FNV(target)` | StringGetter | FNV-1a 64-bit hash as int64 (bits reinterpreted) |
//! | `Hex(target)` | ByteSliceLikeGetter | lowercase hex; ints as 8 bytes big-endian (`200` → `00000000000000c8`) |

use std::borrow::Cow;

use md5::Md5;
use sha1::Sha1;
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
        name: "SHA1",
        build: Build::Simple(|mut a| {
            Ok(hex_str(&Sha1::digest(to_str(arg(&mut a, 0))?.as_bytes())))
        }),
    },
    Spec {
        name: "MD5",
        build: Build::Simple(|mut a| Ok(hex_str(&Md5::digest(to_str(arg(&mut a, 0))?.as_bytes())))),
    },
    Spec {
        name: "Murmur3Hash",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?;
            let h = murmur3::murmur3_32(&mut s.as_bytes(), 0).map_err(|e| e.to_string())?;
            Ok(hex_str(&h.to_le_bytes()))
        }),
    },
    Spec {
        name: "Murmur3Hash128",
        build: Build::Simple(|mut a| {
            let s = to_str(arg(&mut a, 0))?;
            let h = murmur3::murmur3_x64_128(&mut s.as_bytes(), 0).map_err(|e| e.to_string())?;
            // The crate returns h2 << 64 | h1; Go writes h1 then h2, each little-endian.
            let (h1, h2) = (h as u64, (h >> 64) as u64);
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&h1.to_le_bytes());
            b[8..].copy_from_slice(&h2.to_le_bytes());
            Ok(hex_str(&b))
        }),
    },
    Spec {
        name: "XXH3",
        build: Build::Simple(|mut a| {
            let h = xxhash_rust::xxh3::xxh3_64(to_str(arg(&mut a, 0))?.as_bytes());
            Ok(hex_str(&h.to_be_bytes()))
        }),
    },
    Spec {
        name: "XXH128",
        build: Build::Simple(|mut a| {
            let h = xxhash_rust::xxh3::xxh3_128(to_str(arg(&mut a, 0))?.as_bytes());
            Ok(hex_str(&h.to_be_bytes()))
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

    fn one(name: &str, s: &str) -> String {
        let spec = SPECS.iter().find(|x| x.name == name).unwrap();
        let Build::Simple(f) = &spec.build else {
            panic!()
        };
        match f(vec![Some(Value::Str(Cow::Owned(s.into())))]).unwrap() {
            Value::Str(s) => s.into_owned(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn digests_match_reference_vectors() {
        assert_eq!(
            one("SHA1", "abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(one("MD5", "abc"), "900150983cd24fb0d6963f7d28e17f72");
        // murmur3_32("hello", 0) = 0x248bfa47, written little-endian.
        assert_eq!(one("Murmur3Hash", "hello"), "47fa8b24");
        // XXH3-64 of the empty input is 0x2d06800538d394c2.
        assert_eq!(one("XXH3", ""), "2d06800538d394c2");
        // XXH3-128 of the empty input is 0x99aa06d3014798d86001c324468d497f.
        assert_eq!(one("XXH128", ""), "99aa06d3014798d86001c324468d497f");
    }

    #[test]
    fn fnv_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
