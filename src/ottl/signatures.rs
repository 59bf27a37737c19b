//! The function registry: every editor and converter of v0.156.0 `pkg/ottl/ottlfuncs`, with
//! the parameters of its Go `...Arguments` struct (field name, kind, `Optional`), plus the
//! processor-specific converters filter adds. The checker validates calls against these;
//! the parameter names drive named-argument matching (upstream compares `ToCamel(name)`
//! with the Go field name).

use super::contexts::Context;

/// What a parameter accepts, after upstream's `buildArg` rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Any value.
    Getter,
    StringGetter,
    StringLikeGetter,
    IntGetter,
    IntLikeGetter,
    FloatGetter,
    FloatLikeGetter,
    BoolGetter,
    BoolLikeGetter,
    PMapGetter,
    PSliceGetter,
    DurationGetter,
    TimeGetter,
    ByteSliceLikeGetter,
    /// Must be a path (written to).
    Setter,
    GetSetter,
    PMapGetSetter,
    PSliceGetSetter,
    /// A bare function name (`SHA256`).
    FunctionRef,
    /// Only a literal token of this type.
    LiteralString,
    LiteralInt,
    LiteralBool,
    LiteralFloat,
    /// An enum symbol.
    Enum,
    /// A list literal whose elements are of the inner kind.
    List(&'static ParamKind),
}

impl ParamKind {
    /// Parameters that need a path (`must be a path`).
    pub fn needs_path(self) -> bool {
        matches!(
            self,
            Self::Setter | Self::GetSetter | Self::PMapGetSetter | Self::PSliceGetSetter
        )
    }

    /// The Go type name upstream prints in `must be a list of type ...`.
    pub fn go_name(self) -> &'static str {
        match self {
            Self::Getter => "Getter",
            Self::StringGetter => "StringGetter",
            Self::StringLikeGetter => "StringLikeGetter",
            Self::IntGetter => "IntGetter",
            Self::IntLikeGetter => "IntLikeGetter",
            Self::FloatGetter => "FloatGetter",
            Self::FloatLikeGetter => "FloatLikeGetter",
            Self::BoolGetter => "BoolGetter",
            Self::BoolLikeGetter => "BoolLikeGetter",
            Self::PMapGetter => "PMapGetter",
            Self::PSliceGetter => "PSliceGetter",
            Self::DurationGetter => "DurationGetter",
            Self::TimeGetter => "TimeGetter",
            Self::ByteSliceLikeGetter => "ByteSliceLikeGetter",
            Self::Setter => "Setter",
            Self::GetSetter => "GetSetter",
            Self::PMapGetSetter => "PMapGetSetter",
            Self::PSliceGetSetter => "PSliceGetSetter",
            Self::FunctionRef => "FunctionGetter",
            Self::LiteralString => "string",
            Self::LiteralInt => "int64",
            Self::LiteralBool => "bool",
            Self::LiteralFloat => "float64",
            Self::Enum => "Enum",
            Self::List(_) => "slice",
        }
    }
}

/// One parameter: the Go field name, its kind, and whether it is `Optional[...]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamKind,
    pub optional: bool,
}

impl Param {
    const fn req(name: &'static str, kind: ParamKind) -> Self {
        Self {
            name,
            kind,
            optional: false,
        }
    }
    const fn opt(name: &'static str, kind: ParamKind) -> Self {
        Self {
            name,
            kind,
            optional: true,
        }
    }
}

/// A function. `params: None` means upstream registered it without an arguments struct, so
/// any arguments given are ignored (`IsRootSpan(1, 2)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    pub name: &'static str,
    pub params: Option<&'static [Param]>,
}

impl Signature {
    const fn new(name: &'static str, params: Option<&'static [Param]>) -> Self {
        Self { name, params }
    }

    /// Editors have lower-case names.
    pub fn is_editor(&self) -> bool {
        self.name.starts_with(|c: char| c.is_ascii_lowercase())
    }

    pub fn required(&self) -> usize {
        self.params
            .map_or(0, |p| p.iter().filter(|p| !p.optional).count())
    }

    pub fn total(&self) -> usize {
        self.params.map_or(0, <[Param]>::len)
    }

    /// The parameter a named argument refers to: `ToCamel(given) == field name`.
    pub fn param_named(&self, given: &str) -> Option<(usize, &'static Param)> {
        let camel = to_camel(given);
        self.params?
            .iter()
            .enumerate()
            .find(|(_, p)| p.name == camel)
    }
}

/// `strcase.ToCamel`, which upstream applies to a named argument before comparing it with
/// the Go field name.
pub fn to_camel(name: &str) -> String {
    super::strcase::to_camel(name)
}

/// Look a function up by its exact name.
pub fn lookup(name: &str) -> Option<&'static Signature> {
    ALL.iter().find(|s| s.name == name)
}

/// Every registered function.
pub fn all() -> &'static [Signature] {
    ALL
}

/// Whether `sig` exists for a parser in `ctx`: converters everywhere, editors only where
/// statements run, `IsRootSpan` only in the span context, the datapoint helpers only in the
/// metric context.
pub fn available(sig: &Signature, ctx: Context, editors_allowed: bool) -> bool {
    match sig.name {
        "IsRootSpan" => ctx == Context::Span,
        "HasAttrOnDatapoint" | "HasAttrKeyOnDatapoint" => {
            ctx == Context::Metric && !editors_allowed
        }
        _ => editors_allowed || !sig.is_editor(),
    }
}

use Param as P;
use ParamKind::{
    BoolGetter, BoolLikeGetter, ByteSliceLikeGetter, DurationGetter, FloatGetter, FloatLikeGetter,
    FunctionRef, GetSetter, Getter, IntGetter, IntLikeGetter, List, LiteralBool, LiteralInt,
    LiteralString, PMapGetSetter, PMapGetter, PSliceGetSetter, PSliceGetter, Setter, StringGetter,
    StringLikeGetter, TimeGetter,
};

static ALL: &[Signature] = &[
    Signature::new(
        "HasAttrOnDatapoint",
        Some(&[
            P::req("Key", LiteralString),
            P::req("ExpectedVal", LiteralString),
        ]),
    ),
    Signature::new(
        "HasAttrKeyOnDatapoint",
        Some(&[P::req("Key", LiteralString)]),
    ),
    Signature::new("Base64Decode", Some(&[P::req("Target", StringGetter)])),
    Signature::new(
        "Base64Encode",
        Some(&[
            P::req("Target", StringGetter),
            P::opt("Variant", StringGetter),
        ]),
    ),
    Signature::new("Bool", Some(&[P::req("Target", BoolLikeGetter)])),
    Signature::new("Coalesce", Some(&[P::req("Values", List(&Getter))])),
    Signature::new(
        "CommunityID",
        Some(&[
            P::req("SourceIP", StringGetter),
            P::req("SourcePort", IntGetter),
            P::req("DestinationIP", StringGetter),
            P::req("DestinationPort", IntGetter),
            P::opt("Protocol", StringGetter),
            P::opt("Seed", IntGetter),
        ]),
    ),
    Signature::new(
        "Concat",
        Some(&[
            P::req("Vals", List(&StringLikeGetter)),
            P::req("Delimiter", StringGetter),
        ]),
    ),
    Signature::new(
        "ContainsValue",
        Some(&[P::req("Target", PSliceGetter), P::req("Item", Getter)]),
    ),
    Signature::new(
        "ConvertAttributesToElementsXML",
        Some(&[
            P::req("Target", StringGetter),
            P::opt("XPath", LiteralString),
        ]),
    ),
    Signature::new(
        "ConvertCase",
        Some(&[
            P::req("Target", StringGetter),
            P::req("ToCase", LiteralString),
        ]),
    ),
    Signature::new(
        "ConvertTextToElementsXML",
        Some(&[
            P::req("Target", StringGetter),
            P::opt("XPath", LiteralString),
            P::opt("ElementName", LiteralString),
        ]),
    ),
    Signature::new("Day", Some(&[P::req("Time", TimeGetter)])),
    Signature::new(
        "Decode",
        Some(&[P::req("Target", Getter), P::req("Encoding", StringGetter)]),
    ),
    Signature::new("Double", Some(&[P::req("Target", FloatLikeGetter)])),
    Signature::new("Duration", Some(&[P::req("Duration", StringGetter)])),
    Signature::new(
        "ExtractGrokPatterns",
        Some(&[
            P::req("Target", StringGetter),
            P::req("Pattern", StringGetter),
            P::opt("NamedCapturesOnly", LiteralBool),
            P::opt("PatternDefinitions", List(&LiteralString)),
        ]),
    ),
    Signature::new(
        "ExtractPatterns",
        Some(&[
            P::req("Target", StringGetter),
            P::req("Pattern", StringGetter),
        ]),
    ),
    Signature::new("FNV", Some(&[P::req("Target", StringGetter)])),
    Signature::new(
        "Format",
        Some(&[
            P::req("Format", LiteralString),
            P::req("Vals", List(&Getter)),
        ]),
    ),
    Signature::new(
        "FormatTime",
        Some(&[P::req("Time", TimeGetter), P::req("Format", LiteralString)]),
    ),
    Signature::new(
        "GetXML",
        Some(&[
            P::req("Target", StringGetter),
            P::req("XPath", LiteralString),
        ]),
    ),
    Signature::new(
        "HasPrefix",
        Some(&[
            P::req("Target", StringGetter),
            P::req("Prefix", StringGetter),
        ]),
    ),
    Signature::new(
        "HasSuffix",
        Some(&[
            P::req("Target", StringGetter),
            P::req("Suffix", StringGetter),
        ]),
    ),
    Signature::new("Hex", Some(&[P::req("Target", ByteSliceLikeGetter)])),
    Signature::new("Hour", Some(&[P::req("Time", TimeGetter)])),
    Signature::new("Hours", Some(&[P::req("Duration", DurationGetter)])),
    Signature::new(
        "Index",
        Some(&[P::req("Target", Getter), P::req("Value", Getter)]),
    ),
    Signature::new(
        "InsertXML",
        Some(&[
            P::req("Target", StringGetter),
            P::req("XPath", LiteralString),
            P::req("SubDocument", StringGetter),
        ]),
    ),
    Signature::new("Int", Some(&[P::req("Target", IntLikeGetter)])),
    Signature::new("IsBool", Some(&[P::req("Target", BoolGetter)])),
    Signature::new("IsDouble", Some(&[P::req("Target", FloatGetter)])),
    Signature::new(
        "IsInCIDR",
        Some(&[
            P::req("Target", StringGetter),
            P::req("Networks", List(&StringGetter)),
        ]),
    ),
    Signature::new("IsInt", Some(&[P::req("Target", IntGetter)])),
    Signature::new("IsList", Some(&[P::req("Target", Getter)])),
    Signature::new("IsMap", Some(&[P::req("Target", PMapGetter)])),
    Signature::new(
        "IsMatch",
        Some(&[
            P::req("Target", StringLikeGetter),
            P::req("Pattern", StringGetter),
        ]),
    ),
    Signature::new("IsRootSpan", None),
    Signature::new("IsString", Some(&[P::req("Target", StringGetter)])),
    Signature::new("IsValidLuhn", Some(&[P::req("Target", StringLikeGetter)])),
    Signature::new("Keys", Some(&[P::req("Target", PMapGetter)])),
    Signature::new("Len", Some(&[P::req("Target", Getter)])),
    Signature::new("Log", Some(&[P::req("Target", FloatLikeGetter)])),
    Signature::new("MD5", Some(&[P::req("Target", StringGetter)])),
    Signature::new("Microseconds", Some(&[P::req("Duration", DurationGetter)])),
    Signature::new("Milliseconds", Some(&[P::req("Duration", DurationGetter)])),
    Signature::new("Minute", Some(&[P::req("Time", TimeGetter)])),
    Signature::new("Minutes", Some(&[P::req("Duration", DurationGetter)])),
    Signature::new("Month", Some(&[P::req("Time", TimeGetter)])),
    Signature::new("Murmur3Hash", Some(&[P::req("Target", StringGetter)])),
    Signature::new("Murmur3Hash128", Some(&[P::req("Target", StringGetter)])),
    Signature::new("Nanosecond", Some(&[P::req("Time", TimeGetter)])),
    Signature::new("Nanoseconds", Some(&[P::req("Duration", DurationGetter)])),
    Signature::new("Now", None),
    Signature::new(
        "ParseCSV",
        Some(&[
            P::req("Target", StringGetter),
            P::req("Header", StringGetter),
            P::opt("Delimiter", LiteralString),
            P::opt("HeaderDelimiter", LiteralString),
            P::opt("Mode", LiteralString),
        ]),
    ),
    Signature::new(
        "ParseInt",
        Some(&[P::req("Target", StringGetter), P::req("Base", IntGetter)]),
    ),
    Signature::new("ParseJSON", Some(&[P::req("Target", StringGetter)])),
    Signature::new(
        "ParseKeyValue",
        Some(&[
            P::req("Target", StringGetter),
            P::opt("Delimiter", LiteralString),
            P::opt("PairDelimiter", LiteralString),
        ]),
    ),
    Signature::new(
        "ParseSeverity",
        Some(&[P::req("Target", Getter), P::req("Mapping", PMapGetter)]),
    ),
    Signature::new(
        "ParseSimplifiedXML",
        Some(&[P::req("Target", StringGetter)]),
    ),
    Signature::new("ParseXML", Some(&[P::req("Target", StringGetter)])),
    Signature::new("ProfileID", Some(&[P::req("Target", ByteSliceLikeGetter)])),
    Signature::new(
        "RemoveXML",
        Some(&[
            P::req("Target", StringGetter),
            P::req("XPath", LiteralString),
        ]),
    ),
    Signature::new("SHA1", Some(&[P::req("Target", StringGetter)])),
    Signature::new("SHA256", Some(&[P::req("Target", StringGetter)])),
    Signature::new("SHA512", Some(&[P::req("Target", StringGetter)])),
    Signature::new("Second", Some(&[P::req("Time", TimeGetter)])),
    Signature::new("Seconds", Some(&[P::req("Duration", DurationGetter)])),
    Signature::new(
        "SliceToMap",
        Some(&[
            P::req("Target", PSliceGetter),
            P::opt("KeyPath", List(&LiteralString)),
            P::opt("ValuePath", List(&LiteralString)),
        ]),
    ),
    Signature::new(
        "Sort",
        Some(&[P::req("Target", Getter), P::opt("Order", LiteralString)]),
    ),
    Signature::new("SpanID", Some(&[P::req("Target", ByteSliceLikeGetter)])),
    Signature::new(
        "Split",
        Some(&[
            P::req("Target", StringGetter),
            P::req("Delimiter", StringGetter),
        ]),
    ),
    Signature::new("String", Some(&[P::req("Target", StringLikeGetter)])),
    Signature::new(
        "Substring",
        Some(&[
            P::req("Target", StringGetter),
            P::req("Start", IntGetter),
            P::req("Length", IntGetter),
            P::opt("Utf8Safe", LiteralBool),
        ]),
    ),
    Signature::new(
        "Time",
        Some(&[
            P::req("Time", StringGetter),
            P::req("Format", LiteralString),
            P::opt("Location", LiteralString),
            P::opt("Locale", LiteralString),
        ]),
    ),
    Signature::new("ToCamelCase", Some(&[P::req("Target", StringGetter)])),
    Signature::new(
        "ToKeyValueString",
        Some(&[
            P::req("Target", PMapGetter),
            P::opt("Delimiter", LiteralString),
            P::opt("PairDelimiter", LiteralString),
            P::opt("SortOutput", LiteralBool),
        ]),
    ),
    Signature::new("ToLowerCase", Some(&[P::req("Target", StringGetter)])),
    Signature::new("ToSnakeCase", Some(&[P::req("Target", StringGetter)])),
    Signature::new("ToUpperCase", Some(&[P::req("Target", StringGetter)])),
    Signature::new("TraceID", Some(&[P::req("Target", ByteSliceLikeGetter)])),
    Signature::new(
        "Trim",
        Some(&[
            P::req("Target", StringGetter),
            P::opt("Replacement", LiteralString),
        ]),
    ),
    Signature::new(
        "TrimPrefix",
        Some(&[
            P::req("Target", StringGetter),
            P::req("Prefix", StringGetter),
        ]),
    ),
    Signature::new(
        "TrimSuffix",
        Some(&[
            P::req("Target", StringGetter),
            P::req("Suffix", StringGetter),
        ]),
    ),
    Signature::new(
        "TruncateTime",
        Some(&[
            P::req("Time", TimeGetter),
            P::req("Duration", DurationGetter),
        ]),
    ),
    Signature::new("URL", Some(&[P::req("URI", StringGetter)])),
    Signature::new("UUID", None),
    Signature::new("UUIDv7", None),
    Signature::new(
        "Unix",
        Some(&[
            P::req("Seconds", IntGetter),
            P::opt("Nanoseconds", IntGetter),
        ]),
    ),
    Signature::new("UnixMicro", Some(&[P::req("Time", TimeGetter)])),
    Signature::new("UnixMilli", Some(&[P::req("Time", TimeGetter)])),
    Signature::new("UnixNano", Some(&[P::req("Time", TimeGetter)])),
    Signature::new("UnixSeconds", Some(&[P::req("Time", TimeGetter)])),
    Signature::new("UserAgent", Some(&[P::req("UserAgent", StringGetter)])),
    Signature::new("Values", Some(&[P::req("Target", PMapGetter)])),
    Signature::new("Weekday", Some(&[P::req("Time", TimeGetter)])),
    Signature::new("XXH128", Some(&[P::req("Target", StringGetter)])),
    Signature::new("XXH3", Some(&[P::req("Target", StringGetter)])),
    Signature::new("Year", Some(&[P::req("Time", TimeGetter)])),
    Signature::new(
        "append",
        Some(&[
            P::req("Target", GetSetter),
            P::opt("Value", Getter),
            P::opt("Values", List(&Getter)),
        ]),
    ),
    Signature::new(
        "delete_index",
        Some(&[
            P::req("Target", PSliceGetSetter),
            P::req("StartIndex", IntGetter),
            P::opt("EndIndex", IntGetter),
        ]),
    ),
    Signature::new(
        "delete_key",
        Some(&[P::req("Target", PMapGetSetter), P::req("Key", StringGetter)]),
    ),
    Signature::new(
        "delete_matching_keys",
        Some(&[
            P::req("Target", PMapGetSetter),
            P::req("Pattern", StringGetter),
        ]),
    ),
    Signature::new(
        "flatten",
        Some(&[
            P::req("Target", PMapGetSetter),
            P::opt("Prefix", LiteralString),
            P::opt("Depth", LiteralInt),
            P::opt("ResolveConflicts", LiteralBool),
        ]),
    ),
    Signature::new(
        "keep_keys",
        Some(&[
            P::req("Target", PMapGetSetter),
            P::req("Keys", List(&StringGetter)),
        ]),
    ),
    Signature::new(
        "keep_matching_keys",
        Some(&[
            P::req("Target", PMapGetSetter),
            P::req("Pattern", StringGetter),
        ]),
    ),
    Signature::new(
        "limit",
        Some(&[
            P::req("Target", PMapGetSetter),
            P::req("Limit", LiteralInt),
            P::req("PriorityKeys", List(&LiteralString)),
        ]),
    ),
    Signature::new(
        "merge_maps",
        Some(&[
            P::req("Target", PMapGetSetter),
            P::req("Source", PMapGetter),
            P::req("Strategy", LiteralString),
        ]),
    ),
    Signature::new(
        "replace_all_matches",
        Some(&[
            P::req("Target", PMapGetSetter),
            P::req("Pattern", StringGetter),
            P::req("Replacement", StringGetter),
            P::opt("Function", FunctionRef),
            P::opt("ReplacementFormat", StringGetter),
        ]),
    ),
    Signature::new(
        "replace_all_patterns",
        Some(&[
            P::req("Target", PMapGetSetter),
            P::req("Mode", LiteralString),
            P::req("RegexPattern", StringGetter),
            P::req("Replacement", StringGetter),
            P::opt("Function", FunctionRef),
            P::opt("ReplacementFormat", StringGetter),
        ]),
    ),
    Signature::new(
        "replace_match",
        Some(&[
            P::req("Target", GetSetter),
            P::req("Pattern", StringGetter),
            P::req("Replacement", StringGetter),
            P::opt("Function", FunctionRef),
            P::opt("ReplacementFormat", StringGetter),
        ]),
    ),
    Signature::new(
        "replace_pattern",
        Some(&[
            P::req("Target", GetSetter),
            P::req("RegexPattern", StringGetter),
            P::req("Replacement", StringGetter),
            P::opt("Function", FunctionRef),
            P::opt("ReplacementFormat", StringGetter),
        ]),
    ),
    Signature::new(
        "set",
        Some(&[P::req("Target", Setter), P::req("Value", Getter)]),
    ),
    Signature::new("stringify_all", Some(&[P::req("Target", PMapGetSetter)])),
    Signature::new(
        "truncate_all",
        Some(&[
            P::req("Target", PMapGetSetter),
            P::req("Limit", LiteralInt),
            P::opt("Utf8Safe", LiteralBool),
        ]),
    ),
];
