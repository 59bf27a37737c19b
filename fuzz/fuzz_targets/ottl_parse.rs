//! OTTL text → parse (condition, statement, value) → check in every context → print → parse
//! again. Nothing may panic, and a printed tree must parse back to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otelcheck::ottl::{self, CheckOptions, Context, PathMode};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opts = CheckOptions {
        mode: PathMode::Unprefixed(Context::Span),
        editors_allowed: true,
    };
    if let (Some(cond), _) = ottl::parse_condition_lenient(text) {
        let _ = ottl::check_condition(&cond, Context::Span, &opts);
        let printed = cond.node.to_string();
        if let Ok(again) = ottl::parse_condition(&printed) {
            assert_eq!(again.node.to_string(), printed);
        }
    }
    if let (Some(stmt), _) = ottl::parse_statement_lenient(text) {
        let _ = ottl::check_statement(&stmt, Context::Span, &opts);
        let _ = stmt.to_string();
    }
    if let (Some(value), _) = ottl::parse_value_lenient(text) {
        let _ = ottl::check_value(&value, Context::Resource, &opts);
    }
});
