//! Hostile OTTL (issue 11, items 1 and 2): inputs mutation fuzzing found that made `validate`
//! run for minutes (exponential backtracking) or abort (stack overflow). Each must now end by
//! itself with a clear message; the runs are bounded by CPU time and address space
//! (`common::bounded`), so a regression is a killed process, not a slow test.

use crate::common;

use common::bounded::{assert_exit, filter_config, otelcheck_bounded, temp_file};

fn validate(conditions: &[String]) -> common::Run {
    let (dir, path) = temp_file("config.yaml", filter_config(conditions).as_bytes());
    otelcheck_bounded(
        dir.path(),
        &["validate", path.to_str().expect("utf-8 path")],
    )
}

#[test]
fn nested_unclosed_calls_fail_fast_with_a_syntax_error() {
    // 22 levels took > 20 s before (time doubled per level).
    let run = validate(&[format!("{}name", "IsMatch(".repeat(22))]);
    assert_exit(&run, &[1]);
    assert!(run.stdout.contains("invalid-ottl"), "{}", run.stdout);
}

#[test]
fn balanced_nesting_with_an_error_at_the_innermost_call_fails_fast() {
    let cond = format!("{}name, 1{}x", "IsMatch(".repeat(20), ")".repeat(19));
    let run = validate(&[cond]);
    assert_exit(&run, &[1]);
    assert!(run.stdout.contains("unexpected token"), "{}", run.stdout);
}

#[test]
fn chained_lambdas_and_nested_keys_fail_fast() {
    let lambdas = format!("IsMatch({}1", "(x) => ".repeat(30));
    let keys = format!("{}name", "attributes[".repeat(30));
    let run = validate(&[lambdas, keys]);
    assert_exit(&run, &[1]);
}

#[test]
fn deep_nesting_is_refused_with_the_depth_limit_not_a_stack_overflow() {
    let cases = [
        format!("{}true{}", "(".repeat(3000), ")".repeat(3000)),
        format!(
            "{}\"a\"{} == \"a\"",
            "Concat([".repeat(2000),
            "], \"\")".repeat(2000)
        ),
        format!("{} == 1", vec!["1"; 15_000].join(" + ")),
        format!(
            "{}\"a\"{} == \"a\"",
            "attributes[".repeat(4000),
            "]".repeat(4000)
        ),
    ];
    for case in cases {
        let run = validate(std::slice::from_ref(&case));
        assert_exit(&run, &[1]);
        assert!(
            run.stdout.contains("nested too deeply") && run.stdout.contains("more than 64 levels"),
            "{}",
            &run.stdout[..run.stdout.len().min(3000)]
        );
    }
}

#[test]
fn nesting_just_inside_the_limit_is_checked_normally() {
    // 30 nested Concat calls (60 brackets) are within the limit and valid OTTL.
    let cond = format!(
        "{}\"a\"{} == \"a\"",
        "Concat([".repeat(30),
        "], \"\")".repeat(30)
    );
    let run = validate(&[cond]);
    assert_exit(&run, &[0]);
}

#[test]
fn fifty_thousand_conditions_validate() {
    // Quadratic in the number of rules before (50,000 conditions: 9 s); linear now, so this
    // stays far inside the CPU bound.
    let conds: Vec<String> = (0..50_000).map(|i| format!("name == \"x{i}\"")).collect();
    let run = validate(&conds);
    assert_exit(&run, &[0]);
}

#[test]
fn a_fuzzer_found_backtracking_input_stops_at_the_step_budget() {
    // cargo fuzz (ottl_parse, 2026-12-08) found this 217-byte text: the grammar backtracks on
    // it until the parser's step budget (linear in the text's length), then refuses it with a
    // plain message.
    let text = "s ([setg  ss(tt tg  ss([se ses setv  settrDDD(at([st tg  ss([se ses setv  settrDDD(at([stttrDDD(at([stvetv  settrDDDDDDDD(at([sstttrDDD(at([stvetv  settrDDDDDDDD(at([ss etvunvetv  wettrDDDDDttrDDDDDDDD(at([ss etvunt t";
    let run = validate(&[text.to_owned()]);
    assert_exit(&run, &[1]);
    assert!(
        run.stdout.contains("condition is too complex to parse"),
        "{}",
        run.stdout
    );
}
