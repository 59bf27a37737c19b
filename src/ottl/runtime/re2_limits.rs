//! The limits Go's `regexp/syntax` (RE2) puts on a pattern, which the `regex` crate does not
//! share: a repeat count is at most 1000, nested repeats may not multiply past 1000 copies of
//! the innermost thing, the program may not grow past 128 MiB of instructions and the tree may
//! not nest deeper than 1000. A pattern Go refuses must be refused here too, with Go's words,
//! or a config otelcheck passes would not start.
//!
//! Sizes follow Go's `calcSize` on its parse tree: a literal costs one per character, a
//! capture or `*` two plus its operand, `+`/`?` one plus it, an alternation the sum plus one
//! per `|`, `x{n,m}` is `m` copies plus `m - n`, anything else one.

use regex_syntax::ast::{self, Ast, RepetitionKind, RepetitionRange};

/// Go's `maxSize`: 128 MiB of 40-byte instructions.
const MAX_SIZE: u64 = (128 << 20) / 40;
/// Go's `maxHeight`.
pub const MAX_HEIGHT: u32 = 1000;
/// Go's largest repeat count.
const MAX_REPEAT: u32 = 1000;

/// Go's error text for the first limit `pattern` (already in `regex` syntax) breaks.
pub fn check(pattern: &str) -> Result<(), String> {
    let parsed = ast::parse::ParserBuilder::new()
        .nest_limit(MAX_HEIGHT)
        .build()
        .parse(pattern);
    let Ok(tree) = parsed else {
        // Syntax errors are reported by the compile that follows, in its words.
        return Ok(());
    };
    repeats_valid(&tree, pattern)?;
    if size(&tree) > MAX_SIZE {
        return Err("expression too large".to_string());
    }
    Ok(())
}

/// `{n,m}` bounds of a repetition, when it is a counted one (`m` = `None` for `{n,}`).
fn counted(rep: &ast::Repetition) -> Option<(u32, Option<u32>)> {
    match &rep.op.kind {
        RepetitionKind::Range(RepetitionRange::Exactly(n)) => Some((*n, Some(*n))),
        RepetitionKind::Range(RepetitionRange::AtLeast(n)) => Some((*n, None)),
        RepetitionKind::Range(RepetitionRange::Bounded(n, m)) => Some((*n, Some(*m))),
        _ => None,
    }
}

/// Go's checks when it parses a `{n,m}`: each count at most 1000, and (for `n` or `m` ≥ 2)
/// the product of the nested counts at most 1000.
fn repeats_valid(node: &Ast, pattern: &str) -> Result<(), String> {
    if let Ast::Repetition(rep) = node {
        if let Some((min, max)) = counted(rep) {
            let op_text = pattern.get(rep.op.span.start.offset..rep.op.span.end.offset);
            let invalid = || format!("invalid repeat count: `{}`", op_text.unwrap_or_default());
            if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
                return Err(invalid());
            }
            if (min >= 2 || max.is_some_and(|m| m >= 2)) && !within_copies(node, MAX_REPEAT) {
                return Err(invalid());
            }
        }
    }
    children(node).try_for_each(|c| repeats_valid(c, pattern))
}

/// Go's `repeatIsValid`: the nested counted repeats under `node` make at most `n` copies.
fn within_copies(node: &Ast, mut n: u32) -> bool {
    if let Ast::Repetition(rep) = node {
        if let Some((min, max)) = counted(rep) {
            let m = max.unwrap_or(min);
            if m == 0 && max.is_some() {
                return true;
            }
            if m > n {
                return false;
            }
            n = n.checked_div(m).unwrap_or(n);
        }
    }
    children(node).all(|c| within_copies(c, n))
}

/// Go's `calcSize` (see the module doc), saturating.
fn size(node: &Ast) -> u64 {
    let own = match node {
        Ast::Literal(_) => 1,
        Ast::Group(g) => {
            let inner = size(&g.ast);
            match g.kind {
                ast::GroupKind::NonCapturing(_) => inner,
                _ => inner.saturating_add(2),
            }
        }
        Ast::Concat(c) => c.asts.iter().map(size).fold(0, u64::saturating_add),
        Ast::Alternation(a) => {
            let sum = a.asts.iter().map(size).fold(0, u64::saturating_add);
            sum.saturating_add(a.asts.len().saturating_sub(1) as u64)
        }
        Ast::Repetition(rep) => {
            let sub = size(&rep.ast);
            match (&rep.op.kind, counted(rep)) {
                (RepetitionKind::ZeroOrMore, _) => sub.saturating_add(2),
                (RepetitionKind::OneOrMore | RepetitionKind::ZeroOrOne, _) => sub.saturating_add(1),
                (_, Some((0, None))) => sub.saturating_add(2),
                (_, Some((min, None))) => u64::from(min).saturating_mul(sub).saturating_add(1),
                (_, Some((min, Some(max)))) => u64::from(max)
                    .saturating_mul(sub)
                    .saturating_add(u64::from(max.saturating_sub(min))),
                (_, None) => sub,
            }
        }
        _ => 1,
    };
    own.max(1)
}

fn children(node: &Ast) -> Box<dyn Iterator<Item = &Ast> + '_> {
    match node {
        Ast::Group(g) => Box::new(std::iter::once(&*g.ast)),
        Ast::Repetition(r) => Box::new(std::iter::once(&*r.ast)),
        Ast::Concat(c) => Box::new(c.asts.iter()),
        Ast::Alternation(a) => Box::new(a.asts.iter()),
        _ => Box::new(std::iter::empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn repeat_counts_follow_go() {
        assert!(check("a{1000}").is_ok());
        assert_eq!(
            check("a{1001}").unwrap_err(),
            "invalid repeat count: `{1001}`"
        );
        assert_eq!(
            check("a{2,1001}").unwrap_err(),
            "invalid repeat count: `{2,1001}`"
        );
        // Nested: 100 × 10 copies is fine, 100 × 11 is not.
        assert!(check("(a{10}){100}").is_ok());
        assert_eq!(
            check("(a{11}){100}").unwrap_err(),
            "invalid repeat count: `{100}`"
        );
        assert!(check("((a|b|c|d){1000}){1000}").is_err());
        // `*` and `+` are not counted repeats.
        assert!(check("(a*)*(b+){1000}").is_ok());
    }

    #[test]
    fn program_size_follows_go() {
        // (a|b|c|d) costs 2 + 4 + 3 = 9; 1000 copies of 400 of them is 3.6M > 3,355,443.
        let big = format!("({}){{1000}}", "(a|b|c|d)".repeat(400));
        assert_eq!(check(&big).unwrap_err(), "expression too large");
        let fits = format!("({}){{1000}}", "(a|b|c|d)".repeat(300));
        assert!(check(&fits).is_ok());
    }
}
