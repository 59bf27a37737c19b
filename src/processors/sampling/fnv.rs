//! FNV-1a, as Go's `hash/fnv` computes it (`New32a`, `New64a`). The samplers hash a few bytes
//! per trace; the exact offset basis and prime are what make the kept set match upstream's.

const OFFSET_32: u32 = 0x811c_9dc5;
const PRIME_32: u32 = 0x0100_0193;
const OFFSET_64: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME_64: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 32-bit over the concatenation of `parts`.
pub fn fnv1a_32(parts: &[&[u8]]) -> u32 {
    let mut h = OFFSET_32;
    for b in parts.iter().flat_map(|p| p.iter()) {
        h ^= u32::from(*b);
        h = h.wrapping_mul(PRIME_32);
    }
    h
}

/// FNV-1a 64-bit over the concatenation of `parts`.
pub fn fnv1a_64(parts: &[&[u8]]) -> u64 {
    let mut h = OFFSET_64;
    for b in parts.iter().flat_map(|p| p.iter()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(PRIME_64);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        // Published FNV-1a test vectors.
        assert_eq!(fnv1a_32(&[b""]), 0x811c_9dc5);
        assert_eq!(fnv1a_32(&[b"a"]), 0xe40c_292c);
        assert_eq!(fnv1a_32(&[b"foo", b"bar"]), 0xbf9c_f968);
        assert_eq!(fnv1a_64(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(&[b"foobar"]), 0x8594_4171_f739_67e8);
    }
}
