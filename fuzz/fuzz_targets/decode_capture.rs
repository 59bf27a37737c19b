//! Capture bytes → every decoder through the public API: the first byte picks auto-detection
//! or one forced format. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otelcheck::capture::{decode_capture, CaptureFormat};

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = data.split_first() else {
        return;
    };
    let formats = CaptureFormat::ALL;
    let forced = formats.get(usize::from(*selector) % (formats.len() + 1)).copied();
    let _ = decode_capture("fuzz.capture", bytes, forced);
});
