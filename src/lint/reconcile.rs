//! One coherent account per rule when the static lint and the replay disagree on the surface.
//!
//! A condition like `attributes["http.target"] =~ "/.*"` is statically a catch-all (any value
//! of the key matches), while on a capture where the key never occurs it matched nothing, so
//! the replay calls it a dead rule. Both are true, but two findings that seem to contradict
//! each other ("matches every span" / "matched none") read as a bug. They are merged into the
//! catch-all finding, which says both halves: what the rule does to traffic carrying the key,
//! and why it drops nothing in this capture. The dead-rule notes (closest keys) are kept.

use crate::diag::{codes, Diagnostic};

/// The static lint's message prefix (see `rules::catch_all`).
const STATIC_PREFIX: &str = "this condition matches every span it tests: ";

/// Merge each dead-rule finding into the static catch-all finding on the same rule.
pub fn merge_static_and_data(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let (dead, mut rest): (Vec<Diagnostic>, Vec<Diagnostic>) =
        diags.into_iter().partition(|d| d.code == codes::DEAD_RULE);
    // Only static catch-alls can take a dead rule; look among those alone, so a config with
    // tens of thousands of findings is not searched once per dead rule.
    let candidates: Vec<usize> = (0..rest.len())
        .filter(|&i| rest[i].code == codes::CATCH_ALL_RULE)
        .collect();
    let mut kept_dead = Vec::new();
    for d in dead {
        let target = candidates
            .iter()
            .copied()
            .find(|&i| is_static_catch_all_on_same_rule(&rest[i], &d));
        match target {
            Some(i) => merge(&mut rest[i], &d),
            None => kept_dead.push(d),
        }
    }
    rest.extend(kept_dead);
    crate::diag::sort(&mut rest);
    rest
}

/// The static catch-all points inside the rule's text, on the rule's line, at or right of the
/// rule's start.
fn is_static_catch_all_on_same_rule(c: &Diagnostic, dead: &Diagnostic) -> bool {
    if c.code != codes::CATCH_ALL_RULE || !c.message.starts_with(STATIC_PREFIX) {
        return false;
    }
    match (&c.location, &dead.location) {
        (Some(a), Some(b)) => a.file == b.file && a.line == b.line && a.column >= b.column,
        _ => false,
    }
}

fn merge(catch_all: &mut Diagnostic, dead: &Diagnostic) {
    let reason = catch_all
        .message
        .strip_prefix(STATIC_PREFIX)
        .unwrap_or(&catch_all.message)
        .to_owned();
    let missing_keys = dead.notes.iter().any(|n| n.contains("never occurs"));
    let today = if missing_keys {
        "in this capture the attribute it tests never occurs, so today it drops nothing; on \
         traffic that carries it, it drops every such span"
    } else {
        "in this capture it matched no span, so today it drops nothing; on traffic it does \
         match, it drops every span"
    };
    catch_all.message = format!("statically a catch-all ({reason}); {today}");
    catch_all.notes.extend(dead.notes.iter().cloned());
    // The dead rule's advice (which names the data really uses) still holds.
    catch_all.notes.extend(dead.help.iter().cloned());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Location;

    fn at(col: u32) -> Location {
        Location::new("c.yaml", 22, col)
    }

    #[test]
    fn merges_dead_rule_into_the_static_catch_all_on_the_same_rule() {
        let diags = vec![
            Diagnostic::error(
                codes::CATCH_ALL_RULE,
                format!("{STATIC_PREFIX}regex \"/.*\" matches every path"),
            )
            .at(at(41)),
            Diagnostic::warning(codes::DEAD_RULE, "matched none")
                .at(at(12))
                .with_note("attribute \"http.target\" never occurs; closest keys: http.route"),
            Diagnostic::warning(codes::DEAD_RULE, "other").at(Location::new("c.yaml", 30, 12)),
        ];
        let out = merge_static_and_data(diags);
        assert_eq!(out.len(), 2);
        assert!(
            out[0].message.starts_with("statically a catch-all (regex"),
            "{}",
            out[0].message
        );
        assert!(out[0].message.contains("today it drops nothing"));
        assert_eq!(out[0].notes.len(), 1);
        assert_eq!(out[1].message, "other");
    }
}
