//! Config text → YAML with positions → `${env:...}` expansion → model, settings, wiring and
//! every OTTL rule (what `validate` does). Nothing may panic or grow without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otelcheck::config::{load_config_str, LoadOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opts = LoadOptions {
        // Variables the fuzzer can reference, including self-references.
        sets: vec![
            ("A".into(), "${env:A}${env:A}".into()),
            ("B".into(), "[1, ${env:B}]".into()),
            ("C".into(), "value".into()),
        ],
        env: Default::default(),
    };
    if let Ok(loaded) = load_config_str("fuzz.yaml", text, &opts) {
        let _ = otelcheck::analyze::analyze_loaded(loaded);
    }
});
