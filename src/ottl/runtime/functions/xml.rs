//! `ParseXML(target)`: an XML document as a map (`tag`, `content`, `attributes`, `children`),
//! as upstream v0.156.0 builds it from Go's `encoding/xml` decoder.
//!
//! The tokenizer below reads XML the way Go's strict `encoding/xml` decoder does, so the same
//! inputs are accepted and the same errors raised with the same text (`XML syntax error on
//! line 1: element <Text> closed by </Log>`): only the five predefined entities and character
//! references, attribute values quoted, names checked, `<!...>` directives and processing
//! instructions skipped, undeclared namespace prefixes allowed (only the local name is kept).
//! `ParseXML` then keeps the root element: anything before it is skipped, anything after it
//! (even a newline) is "trailing bytes"; each element's text is its character data chunks,
//! each trimmed, concatenated.

use std::borrow::Cow;

use super::{arg, to_str, Build, Spec};
use crate::capture::model::{AnyValue, Attributes};
use crate::ottl::runtime::value::Value;

type R<T> = Result<T, String>;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "ParseXML",
        build: Build::Simple(|mut a| parse_xml(&to_str(arg(&mut a, 0))?)),
    },
    Spec {
        name: "ParseSimplifiedXML",
        build: Build::Simple(|mut a| parse_simplified_xml(&to_str(arg(&mut a, 0))?)),
    },
];

/// Upstream's `maxXMLElementDepth`.
const MAX_DEPTH: usize = 10_000;

/// How deep a tree otelcheck builds: values are dropped and encoded recursively, and a
/// 10 000-level map would overflow the stack. A deeper (but otherwise valid) document makes
/// the call fail with an error that says so.
const OWN_DEPTH: usize = 512;

/// A qualified name as Go's `nsname` splits it (`space:local`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub space: String,
    pub local: String,
}

/// A token of Go's `encoding/xml`.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Start {
        name: Name,
        attrs: Vec<(Name, String)>,
    },
    End(Name),
    /// Character data, and whether it came from a CDATA section.
    CharData(String, bool),
    /// A comment's text (between `<!--` and `-->`).
    Comment(String),
    /// A processing instruction: target and instruction text.
    ProcInst(String, String),
    /// A directive's text (between `<!` and `>`, taken as written).
    Directive(String),
}

/// Why the tokenizer stopped: the input ended where a token could end, or a Go error text.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    Eof,
    Err(String),
}

/// Go's strict `xml.Decoder` (`Token`, with the element stack that checks end tags).
pub struct Decoder<'s> {
    src: &'s [u8],
    pos: usize,
    line: usize,
    stack: Vec<Name>,
    /// The end element owed by an empty element tag (`<a/>`).
    pending_end: Option<Name>,
    /// Whether the caller set a `CharsetReader` (xmlquery does): a declared encoding other
    /// than UTF-8 is then converted upstream, which otelcheck does not do.
    pub(crate) charset_reader: bool,
}

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'.' | b'-')
}

/// XML 1.0 name characters (Go's `first`/`second` tables, close enough for non-ASCII: any
/// letter, digit or combining mark).
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start = |c: char| c == '_' || c == ':' || c.is_alphabetic();
    start(first) && chars.all(|c| start(c) || c.is_numeric() || matches!(c, '.' | '-' | '\u{b7}'))
}

fn in_char_range(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r')
        || ('\u{20}'..='\u{d7ff}').contains(&c)
        || ('\u{e000}'..='\u{fffd}').contains(&c)
        || c >= '\u{10000}'
}

impl<'s> Decoder<'s> {
    pub fn new(src: &'s str) -> Self {
        Self {
            src: src.as_bytes(),
            pos: 0,
            line: 1,
            stack: Vec::new(),
            pending_end: None,
            charset_reader: false,
        }
    }

    /// Bytes consumed so far (Go `InputOffset`).
    pub fn offset(&self) -> usize {
        self.pos
    }

    fn syntax(&self, msg: impl std::fmt::Display) -> Stop {
        Stop::Err(format!("XML syntax error on line {}: {msg}", self.line))
    }

    fn getc(&mut self) -> Option<u8> {
        let b = *self.src.get(self.pos)?;
        self.pos += 1;
        if b == b'\n' {
            self.line += 1;
        }
        Some(b)
    }

    fn must(&mut self) -> Result<u8, Stop> {
        self.getc().ok_or_else(|| self.syntax("unexpected EOF"))
    }

    fn ungetc(&mut self) {
        self.pos -= 1;
        if self.src[self.pos] == b'\n' {
            self.line -= 1;
        }
    }

    fn space(&mut self) {
        while let Some(b) = self.getc() {
            if !matches!(b, b' ' | b'\r' | b'\n' | b'\t') {
                self.ungetc();
                break;
            }
        }
    }

    /// Go `name`: a run of name bytes (and any non-ASCII), checked as an XML name.
    fn name(&mut self) -> Result<Option<String>, Stop> {
        let start = self.pos;
        let b = self.must()?;
        if b < 0x80 && !is_name_byte(b) {
            self.ungetc();
            return Ok(None);
        }
        while let Some(b) = self.getc() {
            if b < 0x80 && !is_name_byte(b) {
                self.ungetc();
                break;
            }
        }
        let s = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
        if !is_name(&s) {
            return Err(self.syntax(format!("invalid XML name: {s}")));
        }
        Ok(Some(s))
    }

    /// Go `nsname`.
    fn nsname(&mut self) -> Result<Option<Name>, Stop> {
        let Some(s) = self.name()? else {
            return Ok(None);
        };
        let split = if s.matches(':').count() > 1 {
            None
        } else {
            s.split_once(':')
                .filter(|(sp, lo)| !sp.is_empty() && !lo.is_empty())
        };
        Ok(Some(match split {
            Some((sp, lo)) => Name {
                space: sp.to_string(),
                local: lo.to_string(),
            },
            None => Name {
                space: String::new(),
                local: s,
            },
        }))
    }

    /// Go `text(quote, cdata)`: character data up to `<` (or the closing quote, or `]]>`
    /// in a CDATA section), entities resolved, line ends normalised.
    fn text(&mut self, quote: Option<u8>, cdata: bool) -> Result<String, Stop> {
        let mut buf: Vec<u8> = Vec::new();
        let (mut b0, mut b1) = (0u8, 0u8);
        loop {
            let Some(b) = self.getc() else {
                if cdata {
                    return Err(self.syntax("unexpected EOF in CDATA section"));
                }
                break;
            };
            if b0 == b']' && b1 == b']' && b == b'>' {
                if cdata {
                    buf.truncate(buf.len() - 2);
                    break;
                }
                return Err(self.syntax("unescaped ]]> not in CDATA section"));
            }
            if b == b'<' && !cdata {
                if quote.is_some() {
                    return Err(self.syntax("unescaped < inside quoted string"));
                }
                self.ungetc();
                break;
            }
            if quote == Some(b) {
                break;
            }
            if b == b'&' && !cdata {
                buf.extend(self.entity()?.as_bytes());
                (b0, b1) = (0, 0);
                continue;
            }
            if b == b'\r' {
                buf.push(b'\n');
            } else if b1 == b'\r' && b == b'\n' {
                // Already written as the '\n' of "\r".
            } else {
                buf.push(b);
            }
            (b0, b1) = (b1, b);
        }
        let s = match String::from_utf8(buf) {
            Ok(s) => s,
            Err(_) => return Err(self.syntax("invalid UTF-8")),
        };
        if let Some(c) = s.chars().find(|c| !in_char_range(*c)) {
            return Err(self.syntax(format!("illegal character code U+{:04X}", c as u32)));
        }
        Ok(s)
    }

    /// After `&`: a character reference or one of the five predefined entities.
    fn entity(&mut self) -> Result<String, Stop> {
        let mut raw = String::from("&");
        let b = self.must()?;
        if b == b'#' {
            raw.push('#');
            let mut b = self.must()?;
            let base = if b == b'x' {
                raw.push('x');
                b = self.must()?;
                16
            } else {
                10
            };
            let start = raw.len();
            while b.is_ascii_digit() || (base == 16 && b.is_ascii_hexdigit()) {
                raw.push(char::from(b));
                b = self.must()?;
            }
            if b == b';' {
                let digits = raw[start..].to_string();
                raw.push(';');
                if let Ok(n) = u64::from_str_radix(&digits, base) {
                    if n <= 0x10_FFFF {
                        let c = u32::try_from(n)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or(char::REPLACEMENT_CHARACTER);
                        return Ok(c.to_string());
                    }
                }
            } else {
                self.ungetc();
            }
        } else {
            self.ungetc();
            let start = self.pos;
            if let Some(b) = self.src.get(self.pos) {
                if *b >= 0x80 || is_name_byte(*b) {
                    // Go reads the name even when it is not a valid one.
                    while let Some(b) = self.getc() {
                        if b < 0x80 && !is_name_byte(b) {
                            self.ungetc();
                            break;
                        }
                    }
                }
            }
            let name = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
            raw.push_str(&name);
            let b = self.must()?;
            if b == b';' {
                raw.push(';');
                let text = match name.as_str() {
                    "lt" => Some("<"),
                    "gt" => Some(">"),
                    "amp" => Some("&"),
                    "apos" => Some("'"),
                    "quot" => Some("\""),
                    _ => None,
                };
                if let Some(t) = text.filter(|_| is_name(&name)) {
                    return Ok(t.to_string());
                }
            } else {
                self.ungetc();
            }
        }
        if !raw.ends_with(';') {
            raw.push_str(" (no semicolon)");
        }
        Err(self.syntax(format!("invalid character entity {raw}")))
    }

    /// Go `rawToken`.
    fn raw_token(&mut self) -> Result<Token, Stop> {
        if let Some(name) = self.pending_end.take() {
            return Ok(Token::End(name));
        }
        let Some(b) = self.getc() else {
            return Err(Stop::Eof);
        };
        if b != b'<' {
            self.ungetc();
            return self.text(None, false).map(|t| Token::CharData(t, false));
        }
        match self.must()? {
            b'/' => {
                let Some(name) = self.nsname()? else {
                    return Err(self.syntax("expected element name after </"));
                };
                self.space();
                if self.must()? != b'>' {
                    return Err(
                        self.syntax(format!("invalid characters between </{} and >", name.local))
                    );
                }
                Ok(Token::End(name))
            }
            b'?' => {
                let Some(target) = self.name()? else {
                    return Err(self.syntax("expected target name after <?"));
                };
                self.space();
                let start = self.pos;
                let mut b0 = 0u8;
                loop {
                    let b = self.must()?;
                    if b0 == b'?' && b == b'>' {
                        break;
                    }
                    b0 = b;
                }
                if target == "xml" {
                    let content = String::from_utf8_lossy(&self.src[start..self.pos - 2]);
                    let ver = proc_inst("version", &content);
                    if !ver.is_empty() && ver != "1.0" {
                        return Err(Stop::Err(format!(
                            "xml: unsupported version {ver:?}; only version 1.0 is supported"
                        )));
                    }
                    let enc = proc_inst("encoding", &content);
                    if !enc.is_empty() && !enc.eq_ignore_ascii_case("utf-8") {
                        if self.charset_reader {
                            return Err(Stop::Err(format!(
                                "otelcheck cannot read XML declared as encoding {enc:?} yet"
                            )));
                        }
                        return Err(Stop::Err(format!(
                            "xml: encoding {enc:?} declared but Decoder.CharsetReader is nil"
                        )));
                    }
                }
                let inst = String::from_utf8_lossy(&self.src[start..self.pos - 2]).into_owned();
                Ok(Token::ProcInst(target, inst))
            }
            b'!' => self.bang(),
            _ => {
                self.ungetc();
                let Some(name) = self.nsname()? else {
                    return Err(self.syntax("expected element name after <"));
                };
                let mut attrs = Vec::new();
                loop {
                    self.space();
                    let b = self.must()?;
                    if b == b'/' {
                        if self.must()? != b'>' {
                            return Err(self.syntax("expected /> in element"));
                        }
                        self.pending_end = Some(name.clone());
                        break;
                    }
                    if b == b'>' {
                        break;
                    }
                    self.ungetc();
                    let Some(an) = self.nsname()? else {
                        return Err(self.syntax("expected attribute name in element"));
                    };
                    self.space();
                    if self.must()? != b'=' {
                        return Err(self.syntax("attribute name without = in element"));
                    }
                    self.space();
                    let q = self.must()?;
                    if q != b'"' && q != b'\'' {
                        return Err(self.syntax("unquoted or missing attribute value in element"));
                    }
                    let v = self.text(Some(q), false)?;
                    attrs.push((an, v));
                }
                Ok(Token::Start { name, attrs })
            }
        }
    }

    /// After `<!`: a comment, a CDATA section or a directive.
    fn bang(&mut self) -> Result<Token, Stop> {
        let b = self.must()?;
        match b {
            b'-' => {
                if self.must()? != b'-' {
                    return Err(self.syntax("invalid sequence <!- not part of <!--"));
                }
                let start = self.pos;
                let (mut b0, mut b1) = (0u8, 0u8);
                loop {
                    let b = self.must()?;
                    if b0 == b'-' && b1 == b'-' {
                        if b != b'>' {
                            return Err(
                                self.syntax("invalid sequence \"--\" not allowed in comments")
                            );
                        }
                        let text = &self.src[start..self.pos - 3];
                        return Ok(Token::Comment(String::from_utf8_lossy(text).into_owned()));
                    }
                    (b0, b1) = (b1, b);
                }
            }
            b'[' => {
                for want in b"CDATA[" {
                    if self.must()? != *want {
                        return Err(self.syntax("invalid <![ sequence"));
                    }
                }
                self.text(None, true).map(|t| Token::CharData(t, true))
            }
            _ => {
                // A directive: up to the `>` that closes it, quotes and nested `<...>` kept,
                // each comment inside replaced by one space (Go's directive body).
                // Its first byte (`b`) is taken as it is.
                let mut buf = vec![b];
                let mut inquote = 0u8;
                let mut depth = 0i32;
                loop {
                    let b = self.must()?;
                    if inquote == 0 && b == b'>' && depth == 0 {
                        return Ok(Token::Directive(String::from_utf8_lossy(&buf).into_owned()));
                    }
                    buf.push(b);
                    if b == inquote {
                        inquote = 0;
                    } else if inquote != 0 {
                    } else if b == b'\'' || b == b'"' {
                        inquote = b;
                    } else if b == b'>' {
                        depth -= 1;
                    } else if b == b'<' {
                        let mut matched = 0;
                        for want in b"!--" {
                            let c = self.must()?;
                            if c != *want {
                                self.ungetc();
                                break;
                            }
                            matched += 1;
                        }
                        if matched < 3 {
                            buf.extend_from_slice(&b"!--"[..matched]);
                            depth += 1;
                            continue;
                        }
                        buf.pop();
                        let (mut b0, mut b1) = (0u8, 0u8);
                        loop {
                            let c = self.must()?;
                            if b0 == b'-' && b1 == b'-' && c == b'>' {
                                break;
                            }
                            (b0, b1) = (b1, c);
                        }
                        buf.push(b' ');
                    }
                }
            }
        }
    }

    /// Go `Token`: raw tokens with end elements checked against the open elements.
    pub fn token(&mut self) -> Result<Token, Stop> {
        let t = match self.raw_token() {
            Err(Stop::Eof) if !self.stack.is_empty() => return Err(self.syntax("unexpected EOF")),
            other => other?,
        };
        match &t {
            Token::Start { name, .. } => self.stack.push(name.clone()),
            Token::End(name) => match self.stack.pop() {
                None => {
                    return Err(self.syntax(format!("unexpected end element </{}>", name.local)))
                }
                Some(open) if open.local != name.local => {
                    return Err(self.syntax(format!(
                        "element <{}> closed by </{}>",
                        open.local, name.local
                    )))
                }
                Some(open) if open.space != name.space => {
                    let ns = if name.space.is_empty() {
                        "\"\"".to_string()
                    } else {
                        name.space.clone()
                    };
                    return Err(self.syntax(format!(
                        "element <{}> in space {} closed by </{}> in space {ns}",
                        open.local, open.space, name.local
                    )));
                }
                Some(_) => {}
            },
            _ => {}
        }
        Ok(t)
    }
}

/// Go `procInst`: the value of `param="..."` in a processing instruction.
fn proc_inst(param: &str, s: &str) -> String {
    let Some(i) = s.find(&format!("{param}=")) else {
        return String::new();
    };
    let v = &s[i + param.len() + 1..];
    let Some(q) = v.chars().next().filter(|c| *c == '\'' || *c == '"') else {
        return String::new();
    };
    v[1..]
        .split(q)
        .next()
        .map(str::to_string)
        .unwrap_or_default()
}

/// One element of the parsed tree.
#[derive(Default)]
struct Element {
    tag: String,
    attrs: Vec<(Name, String)>,
    text: String,
    children: Vec<Element>,
}

fn parse_xml(src: &str) -> R<Value<'static>> {
    let wrap = |e: Stop| match e {
        Stop::Eof => "unmarshal xml: EOF".to_string(),
        Stop::Err(m) => format!("unmarshal xml: {m}"),
    };
    let mut d = Decoder::new(src);
    // `Decode` skips every token before the first start element.
    let root = loop {
        if let Token::Start { name, attrs } = d.token().map_err(wrap)? {
            break Element {
                tag: name.local,
                attrs,
                ..Element::default()
            };
        }
    };
    let mut stack = vec![root];
    // Elements open below `OWN_DEPTH` (read, not kept), and whether there ever were any.
    let (mut deep, mut too_deep) = (0usize, false);
    let done = loop {
        let tok = d
            .token()
            .map_err(|e| wrap(Stop::Err(format!("decode next token: {}", msg(e)))))?;
        match tok {
            Token::Start { name, attrs } => {
                if stack.len() + deep > MAX_DEPTH {
                    return Err(format!(
                        "unmarshal xml: exceeded maximum XML nesting depth of {MAX_DEPTH}"
                    ));
                }
                if stack.len() >= OWN_DEPTH {
                    deep += 1;
                    too_deep = true;
                    continue;
                }
                stack.push(Element {
                    tag: name.local,
                    attrs,
                    ..Element::default()
                });
            }
            Token::End(_) if deep > 0 => deep -= 1,
            Token::End(_) => {
                let el = stack.pop().unwrap_or_default();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => break el,
                }
            }
            Token::CharData(..) if deep > 0 => {}
            Token::CharData(t, _) => {
                if let Some(el) = stack.last_mut() {
                    el.text
                        .push_str(t.trim_matches(|c: char| c.is_whitespace()));
                }
            }
            Token::Comment(_) | Token::ProcInst(..) | Token::Directive(_) => {}
        }
    };
    if d.offset() != src.len() {
        return Err("trailing bytes after parsing xml".into());
    }
    if too_deep {
        return Err(format!(
            "otelcheck cannot build an XML tree deeper than {OWN_DEPTH} elements (upstream \
             allows {MAX_DEPTH})"
        ));
    }
    Ok(Value::Map(Cow::Owned(into_map(done))))
}

fn msg(e: Stop) -> String {
    match e {
        Stop::Eof => "EOF".into(),
        Stop::Err(m) => m,
    }
}

fn into_map(el: Element) -> Attributes {
    let mut m = Attributes::with_capacity(4);
    m.upsert("tag", AnyValue::Str(el.tag.as_str().into()));
    if !el.text.is_empty() {
        m.upsert("content", AnyValue::Str(el.text.as_str().into()));
    }
    if !el.attrs.is_empty() {
        let mut attrs = Attributes::with_capacity(el.attrs.len());
        for (name, v) in el.attrs {
            attrs.upsert(name.local.as_str(), AnyValue::Str(v.as_str().into()));
        }
        m.upsert("attributes", AnyValue::Map(attrs));
    }
    if !el.children.is_empty() {
        let children = el
            .children
            .into_iter()
            .map(|c| AnyValue::Map(into_map(c)))
            .collect();
        m.upsert("children", AnyValue::Slice(children));
    }
    m
}

/// A node of xmlquery's tree, as far as `ParseSimplifiedXML` reads it.
#[derive(Debug)]
enum QNode {
    Element {
        name: String,
        children: Vec<usize>,
    },
    /// Text or CDATA (the first one is an element's leaf value).
    Text(String),
    /// Comments, processing instructions, directives: they only make an element non-empty.
    Other,
}

/// The document node's children and every node, as xmlquery's `Parse` builds them (several
/// top-level elements and text allowed, the input may end after any complete token).
struct QTree {
    nodes: Vec<QNode>,
    top: Vec<usize>,
}

/// xmlquery `Parse` (through `parseNodesXML`): Go's strict decoder plus xmlquery's own check
/// that every element prefix is declared.
fn parse_nodes(src: &str) -> R<QTree> {
    let fail = |m: String| format!("parse xml: {m}");
    let mut d = Decoder::new(src);
    d.charset_reader = true;
    let mut tree = QTree {
        nodes: Vec::new(),
        top: Vec::new(),
    };
    // Open elements: node index and the prefixes each one binds.
    let mut open: Vec<(usize, Vec<(String, String)>)> = Vec::new();
    // Every namespace URI declared so far (xmlquery never forgets one) and the xml URI.
    let mut known: Vec<String> = vec!["http://www.w3.org/XML/1998/namespace".into()];
    let mut deep = 0usize;
    let mut too_deep = false;
    loop {
        let tok = match d.token() {
            Ok(t) => t,
            Err(Stop::Eof) => break,
            Err(Stop::Err(m)) => return Err(fail(m)),
        };
        let node = match tok {
            Token::Start { name, attrs } => {
                let mut binds = Vec::new();
                for (an, v) in &attrs {
                    if an.space == "xmlns" {
                        binds.push((an.local.clone(), v.clone()));
                        known.push(v.clone());
                    } else if an.space.is_empty() && an.local == "xmlns" {
                        binds.push((String::new(), v.clone()));
                        known.push(v.clone());
                    }
                }
                // Go's `translate` of the element name.
                let lookup = |p: &str| {
                    binds
                        .iter()
                        .rev()
                        .chain(open.iter().rev().flat_map(|(_, b)| b.iter().rev()))
                        .find(|(k, _)| k == p)
                        .map(|(_, v)| v.clone())
                };
                let space = match name.space.as_str() {
                    "xmlns" => name.space.clone(),
                    "xml" => "http://www.w3.org/XML/1998/namespace".into(),
                    p => lookup(p).unwrap_or_else(|| p.to_string()),
                };
                if !space.is_empty() && !known.contains(&space) {
                    return Err(fail(format!(
                        "xmlquery: invalid XML document, namespace {space} is missing"
                    )));
                }
                if deep > 0 || open.len() >= OWN_DEPTH {
                    deep += 1;
                    too_deep = true;
                    if open.len() + deep > MAX_DEPTH + 1 {
                        return Err(format!("exceeded maximum XML nesting depth of {MAX_DEPTH}"));
                    }
                    continue;
                }
                let i = tree.nodes.len();
                tree.nodes.push(QNode::Element {
                    name: name.local,
                    children: Vec::new(),
                });
                attach(&mut tree, &open, i);
                open.push((i, binds));
                continue;
            }
            Token::End(_) => {
                if deep > 0 {
                    deep -= 1;
                } else {
                    open.pop();
                }
                continue;
            }
            _ if deep > 0 => continue,
            Token::CharData(t, _) => QNode::Text(t),
            Token::Comment(_) | Token::ProcInst(..) | Token::Directive(_) => QNode::Other,
        };
        let i = tree.nodes.len();
        tree.nodes.push(node);
        attach(&mut tree, &open, i);
    }
    if too_deep {
        return Err(format!(
            "otelcheck cannot build an XML tree deeper than {OWN_DEPTH} elements (upstream \
             allows {MAX_DEPTH})"
        ));
    }
    Ok(tree)
}

fn attach(tree: &mut QTree, open: &[(usize, Vec<(String, String)>)], i: usize) {
    match open.last() {
        Some((p, _)) => {
            if let QNode::Element { children, .. } = &mut tree.nodes[*p] {
                children.push(i);
            }
        }
        None => tree.top.push(i),
    }
}

fn parse_simplified_xml(src: &str) -> R<Value<'static>> {
    let tree = parse_nodes(src)?;
    Ok(Value::Map(Cow::Owned(simplify(&tree, &tree.top))))
}

/// Upstream's `parseElement`: element children by name, a name seen more than once becomes
/// a slice, a leaf becomes its first text, empty elements are left out.
fn simplify(tree: &QTree, children: &[usize]) -> Attributes {
    let elements: Vec<(&str, &[usize])> = children
        .iter()
        .filter_map(|c| match &tree.nodes[*c] {
            QNode::Element { name, children } => Some((name.as_str(), children.as_slice())),
            _ => None,
        })
        .collect();
    let mut out = Attributes::with_capacity(elements.len());
    for (name, kids) in &elements {
        if kids.is_empty() {
            continue;
        }
        let repeated = elements.iter().filter(|(n, _)| n == name).count() > 1;
        let leaf = leaf_value(tree, kids);
        let value = if leaf.is_empty() {
            let m = simplify(tree, kids);
            (!m.is_empty()).then_some(AnyValue::Map(m))
        } else {
            Some(AnyValue::Str(leaf.into()))
        };
        if repeated {
            if !matches!(out.get(name), Some(AnyValue::Slice(_))) {
                out.upsert(*name, AnyValue::Slice(Vec::new()));
            }
            if let (Some(v), Some(AnyValue::Slice(items))) = (value, out.get_mut(name)) {
                items.push(v);
            }
        } else if let Some(v) = value {
            out.upsert(*name, v);
        }
    }
    out
}

/// Upstream's `leafValueFromElement`: no element children, then the first text's data.
fn leaf_value<'t>(tree: &'t QTree, kids: &[usize]) -> &'t str {
    if kids
        .iter()
        .any(|k| matches!(tree.nodes[*k], QNode::Element { .. }))
    {
        return "";
    }
    kids.iter()
        .find_map(|k| match &tree.nodes[*k] {
            QNode::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(src: &str) -> R<serde_json::Value> {
        let v = parse_xml(src)?;
        let Value::Map(m) = v else {
            return Err("not a map".into());
        };
        Ok(to_json(&AnyValue::Map(m.into_owned())))
    }

    fn to_json(v: &AnyValue) -> serde_json::Value {
        match v {
            AnyValue::Str(s) => json!(&**s),
            AnyValue::Slice(items) => items.iter().map(to_json).collect(),
            AnyValue::Map(m) => m
                .iter()
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            other => json!(format!("{other:?}")),
        }
    }

    /// Upstream `Test_ParseXML` rows.
    #[test]
    fn upstream_rows() {
        let nested = json!({"tag": "Log", "children": [
            {"tag": "User", "children": [
                {"tag": "ID", "content": "00001"},
                {"tag": "Name", "content": "Joe"},
                {"tag": "Email", "content": "joe.smith@example.com"}]},
            {"tag": "Text", "content": "User did a thing"}]});
        assert_eq!(
            parsed("<Log><User><ID>00001</ID><Name>Joe</Name><Email>joe.smith@example.com</Email></User><Text>User did a thing</Text></Log>"),
            Ok(nested.clone())
        );
        assert_eq!(
            parsed("\n\t\t\t\t\t\t<Log>\n\t\t\t\t\t\t  <User>\n\t\t\t\t\t\t    <ID>00001</ID>\n\t\t\t\t\t\t\t<Name>Joe</Name>\n\t\t\t\t\t\t\t<Email>joe.smith@example.com</Email>\n\t\t\t\t\t\t  </User>\n\t\t\t\t\t\t  <Text>User did a thing</Text>\n\t\t\t\t\t\t</Log>"),
            Ok(nested)
        );
        assert_eq!(
            parsed(r#"<Log>This record has a collision<User id="0001"/><User id="0002"/></Log>"#),
            Ok(
                json!({"tag": "Log", "content": "This record has a collision", "children": [
                {"tag": "User", "attributes": {"id": "0001"}},
                {"tag": "User", "attributes": {"id": "0002"}}]})
            )
        );
        assert_eq!(
            parsed("<Log>\n\t\t\t\t\t\tThis record has multiple lines of\n\t\t\t\t\t\t<User id=\"0001\"/>\n\t\t\t\t\t\ttext content\n\t\t\t\t\t\t</Log>"),
            Ok(json!({"tag": "Log", "content": "This record has multiple lines oftext content",
                "children": [{"tag": "User", "attributes": {"id": "0001"}}]}))
        );
        assert_eq!(
            parsed(r#"<HostInfo hostname="example.com" zone="east-1" cloudprovider="aws" />"#),
            Ok(json!({"tag": "HostInfo", "attributes":
                {"hostname": "example.com", "zone": "east-1", "cloudprovider": "aws"}}))
        );
        let plain = Ok(json!({"tag": "Log", "content": "Log content"}));
        assert_eq!(
            parsed(r#"<?xml version="1.0" encoding="UTF-8" ?><Log>Log content</Log>"#),
            plain
        );
        assert_eq!(
            parsed("<Log>This has a comment <!-- This is comment text --></Log>"),
            Ok(json!({"tag": "Log", "content": "This has a comment"}))
        );
        assert_eq!(
            parsed(r#"<Log><?xml-stylesheet type="text/xsl" href="style.xsl"?>Log content</Log>"#),
            plain
        );
        assert_eq!(
            parsed("<Log><!ELEMENT xi:fallback ANY>Log content</Log>"),
            plain
        );
    }

    #[test]
    fn upstream_error_rows() {
        assert_eq!(
            parsed(r#"<Log id="1">"#).unwrap_err(),
            "unmarshal xml: decode next token: XML syntax error on line 1: unexpected EOF"
        );
        assert_eq!(
            parsed("<Log><Text></Log>").unwrap_err(),
            "unmarshal xml: decode next token: XML syntax error on line 1: element <Text> closed by </Log>"
        );
        assert_eq!(
            parsed("<Log></Log><Log></Log>").unwrap_err(),
            "trailing bytes after parsing xml"
        );
        let depth = MAX_DEPTH + 2;
        let deep = "<a>".repeat(depth) + &"</a>".repeat(depth);
        assert!(parsed(&deep)
            .unwrap_err()
            .contains("exceeded maximum XML nesting depth"));
        // Under upstream's limit but deeper than otelcheck builds: said plainly.
        let ok = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(parsed(&ok)
            .unwrap_err()
            .starts_with("otelcheck cannot build an XML tree deeper than 512"));
        let ok = "<a>".repeat(OWN_DEPTH) + &"</a>".repeat(OWN_DEPTH);
        assert!(parsed(&ok).is_ok());
    }

    #[test]
    fn go_decoder_details() {
        // Entities and character references; CDATA is its own chunk; namespaces keep the
        // local name.
        assert_eq!(
            parsed("<a x='&lt;&#65;&#x42;'>&amp;<![CDATA[ <raw> ]]></a>"),
            Ok(json!({"tag": "a", "content": "&<raw>", "attributes": {"x": "<AB"}}))
        );
        assert_eq!(
            parsed(r#"<ns:a xmlns:ns="urn:x" ns:k="v"/>"#),
            Ok(json!({"tag": "a", "attributes": {"ns": "urn:x", "k": "v"}}))
        );
        assert_eq!(
            parsed("<a>&nbsp;</a>").unwrap_err(),
            "unmarshal xml: decode next token: XML syntax error on line 1: invalid character entity &nbsp;"
        );
        assert_eq!(
            parsed("<a b=1/>").unwrap_err(),
            "unmarshal xml: XML syntax error on line 1: unquoted or missing attribute value in element"
        );
        assert_eq!(
            parsed("<a>\n</b>").unwrap_err(),
            "unmarshal xml: decode next token: XML syntax error on line 2: element <a> closed by </b>"
        );
        // A newline after the root is trailing, text before it is skipped.
        assert_eq!(
            parsed("<a/>\n").unwrap_err(),
            "trailing bytes after parsing xml"
        );
        assert_eq!(parsed("junk <a/>"), Ok(json!({"tag": "a"})));
        assert_eq!(parsed("").unwrap_err(), "unmarshal xml: EOF");
    }

    fn simplified(src: &str) -> R<serde_json::Value> {
        let Value::Map(m) = parse_simplified_xml(src)? else {
            return Err("not a map".into());
        };
        Ok(to_json(&AnyValue::Map(m.into_owned())))
    }

    /// Upstream `Test_ParseSimplifiedXML` rows.
    #[test]
    fn simplified_upstream_rows() {
        let rows: &[(&str, serde_json::Value)] = &[
            ("<a>b</a>", json!({"a": "b"})),
            ("<a>b</a><a>c</a>", json!({"a": ["b", "c"]})),
            ("<a><b>1</b></a>", json!({"a": {"b": "1"}})),
            (
                "<a>1</a><a><![CDATA[2]]></a><a><b>3</b></a>",
                json!({"a": ["1", "2", {"b": "3"}]}),
            ),
            ("<a><![CDATA[b]]></a>", json!({"a": "b"})),
            (
                r#"<a foo="bar"><b hello="world">c</b></a>"#,
                json!({"a": {"b": "c"}}),
            ),
            (
                r#"<?xml version="1.0" encoding="UTF-8"?><a>b</a>"#,
                json!({"a": "b"}),
            ),
            ("<a><!-- ignore -->b</a><!-- ignore -->", json!({"a": "b"})),
            (
                "<a><b>2</b><c><!-- c is empty --></c></a>",
                json!({"a": {"b": "2"}}),
            ),
            (
                "<a><b>2</b><c>4</c><c><!-- this c is empty --></c></a>",
                json!({"a": {"b": "2", "c": ["4"]}}),
            ),
            ("<a>extra1<b>3</b>extra2</a>", json!({"a": {"b": "3"}})),
            (
                "<a><![CDATA[1]]><b>3</b><![CDATA[2]]></a>",
                json!({"a": {"b": "3"}}),
            ),
            ("<a><b>3</b><c/></a>", json!({"a": {"b": "3"}})),
            ("<a><b><c/></b><d>2</d></a>", json!({"a": {"d": "2"}})),
            ("<a><b>3</b><b/></a>", json!({"a": {"b": ["3"]}})),
        ];
        for (doc, want) in rows {
            assert_eq!(simplified(doc).as_ref(), Ok(want), "{doc}");
        }
    }

    #[test]
    fn simplified_errors() {
        assert!(simplified("<a><b></a>")
            .unwrap_err()
            .starts_with("parse xml: XML syntax error on line 1: element <b> closed by </a>"));
        assert_eq!(
            simplified("<p:a>x</p:a>").unwrap_err(),
            "parse xml: xmlquery: invalid XML document, namespace p is missing"
        );
        assert_eq!(
            simplified(r#"<p:a xmlns:p="urn:p">x</p:a>"#),
            Ok(json!({"a": "x"}))
        );
        let depth = MAX_DEPTH + 2;
        let deep = "<a>".repeat(depth) + &"</a>".repeat(depth);
        assert!(simplified(&deep)
            .unwrap_err()
            .contains("exceeded maximum XML nesting depth"));
        assert_eq!(simplified(""), Ok(json!({})));
    }
}
