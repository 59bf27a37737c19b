//! Map a byte offset inside a string value back to the file's line and column.
//!
//! OTTL statements live in YAML strings; a parse error at byte 17 of the statement must point
//! at the right character of the file. The value and its source text differ: quotes, escapes
//! (`\t` is two source characters for one value byte), `''` in single quotes, folded line
//! breaks, and the indentation of block scalars. We walk the source text the way a YAML
//! parser does and stop when the value offset is reached.
//!
//! `Node::offset` (from serde-saphyr) points at the opening quote of a quoted scalar, at the
//! first character of a plain scalar, and at the first content character of a block scalar.

use super::node::Node;
use crate::diag::Location;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

/// The file position of byte `byte_in_value` of `node`'s string value. Falls back to the
/// node's own position (shifted along its line) when the node has no source offset, e.g. a
/// value produced by `${env:...}` expansion.
pub fn location_in_scalar(node: &Node, source_text: &str, byte_in_value: usize) -> Location {
    let Some(offset) = node
        .offset
        .filter(|o| source_text.is_char_boundary(*o) && *o < source_text.len())
    else {
        return fallback(node, byte_in_value);
    };
    let style = style_at(source_text, offset);
    let pos = match style {
        Style::Double => walk_flow(source_text, offset + 1, byte_in_value, style),
        Style::Single => walk_flow(source_text, offset + 1, byte_in_value, style),
        Style::Plain => walk_flow(source_text, offset, byte_in_value, style),
        Style::Literal | Style::Folded => walk_block(source_text, offset, byte_in_value, style),
    };
    position(node, source_text, offset, pos)
}

fn fallback(node: &Node, byte: usize) -> Location {
    let chars = match node.as_str() {
        Some(s) => s.char_indices().take_while(|(i, _)| *i < byte).count(),
        None => 0,
    };
    let column = node
        .loc
        .column
        .saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
    Location::new(node.loc.file.clone(), node.loc.line, column)
}

fn style_at(src: &str, offset: usize) -> Style {
    match src[offset..].chars().next() {
        Some('"') => return Style::Double,
        Some('\'') => return Style::Single,
        _ => {}
    }
    // A block scalar's header (`|`, `>-`, `|2` ...) ends the last non-blank line before it.
    let before = &src[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if !before[line_start..].trim().is_empty() {
        return Style::Plain;
    }
    let header = before[..line_start]
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let header = header.split(" #").next().unwrap_or("").trim_end();
    let token = header.rsplit([' ', '\t']).next().unwrap_or("");
    let indicators_ok = token.len() > 1
        && token[1..]
            .chars()
            .all(|c| matches!(c, '-' | '+' | '0'..='9'));
    match token.chars().next() {
        Some('|') if token.len() == 1 || indicators_ok => Style::Literal,
        Some('>') if token.len() == 1 || indicators_ok => Style::Folded,
        _ => Style::Plain,
    }
}

/// Plain and quoted scalars: escapes, `''`, and line folding (a line break plus the next
/// line's indentation is one space; trailing spaces before a break vanish).
fn walk_flow(src: &str, start: usize, target: usize, style: Style) -> usize {
    let mut produced = 0usize;
    let mut i = start;
    while i < src.len() {
        let rest = &src[i..];
        let Some(c) = rest.chars().next() else { break };
        if (c == ' ' || c == '\t')
            && rest
                .trim_start_matches([' ', '\t'])
                .starts_with(['\n', '\r'])
        {
            i += rest.len() - rest.trim_start_matches([' ', '\t']).len();
            continue;
        }
        let (source_len, value_len) = match (style, c) {
            (_, '\n') | (_, '\r') => fold(rest),
            (Style::Double, '\\') => escape(rest),
            (Style::Single, '\'') if rest.starts_with("''") => (2, 1),
            _ => (c.len_utf8(), c.len_utf8()),
        };
        if value_len > 0 && target < produced + value_len {
            return i;
        }
        produced += value_len;
        i += source_len;
    }
    src.len()
}

/// A line break with the following blank lines and indentation: one space, or one `\n` per
/// empty line. Returns (source bytes, value bytes).
fn fold(rest: &str) -> (usize, usize) {
    let mut consumed = 0;
    let mut breaks = 0;
    for c in rest.chars() {
        match c {
            '\n' => breaks += 1,
            ' ' | '\t' | '\r' => {}
            _ => break,
        }
        consumed += c.len_utf8();
    }
    (consumed, if breaks > 1 { breaks - 1 } else { 1 })
}

/// A backslash escape in a double-quoted scalar: (source bytes, value bytes).
fn escape(rest: &str) -> (usize, usize) {
    let mut chars = rest.chars();
    chars.next();
    let Some(e) = chars.next() else { return (1, 1) };
    let hex = |n: usize| -> (usize, usize) {
        let digits = rest.get(2..2 + n).unwrap_or("");
        let ch = u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{fffd}');
        (2 + digits.len(), ch.len_utf8())
    };
    match e {
        'x' => hex(2),
        'u' => hex(4),
        'U' => hex(8),
        'N' | '_' => (2, 2),
        'L' | 'P' => (2, 3),
        '\n' | '\r' => {
            let (skip, _) = fold(&rest[1..]);
            (1 + skip, 0)
        }
        other => (1 + other.len_utf8(), 1),
    }
}

/// Block scalars: strip the content indentation of each line; each line break is one value
/// byte (in folded style, a break before an empty line folds away).
fn walk_block(src: &str, offset: usize, target: usize, style: Style) -> usize {
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let indent = offset - line_start;
    let mut produced = 0usize;
    let mut line = line_start;
    while line < src.len() {
        let end = src[line..].find('\n').map_or(src.len(), |i| line + i);
        let text = &src[line..end];
        let content_start = line + indent.min(text.len());
        if !text.trim().is_empty() && text.len() < indent {
            break; // less indented: the scalar has ended
        }
        let content = &src[content_start..end];
        if target < produced + content.len() {
            return content_start + (target - produced);
        }
        produced += content.len();
        let next_blank = src
            .get(end + 1..)
            .and_then(|r| r.lines().next())
            .is_some_and(|l| l.trim().is_empty());
        let break_len = usize::from(!(style == Style::Folded && next_blank && !content.is_empty()));
        if target < produced + break_len {
            return end;
        }
        produced += break_len;
        line = end + 1;
    }
    src.len()
}

/// Lines are counted from the scalar's own start (whose line `node.loc` already holds), not
/// from the top of the file: a config with 50,000 rules would otherwise cost n² to locate.
fn position(node: &Node, src: &str, offset: usize, pos: usize) -> Location {
    let pos = (0..=pos.min(src.len()))
        .rev()
        .find(|p| src.is_char_boundary(*p))
        .unwrap_or(0);
    let from = offset.min(pos);
    let before = &src[..pos];
    let breaks = before[from..].bytes().filter(|b| *b == b'\n').count();
    let line = usize::try_from(node.loc.line)
        .unwrap_or(usize::MAX)
        .saturating_add(breaks);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Location::new(
        node.loc.file.clone(),
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}
