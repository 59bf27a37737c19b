//! The pest parser generated from `grammar/ottl.pest`. This is the only place that derives it;
//! `lower.rs` is the only consumer of its pairs.

use pest_derive::Parser;

/// The OTTL grammar (contrib v0.156.0 plus the reported-but-parsed `=~` / `!~`).
#[derive(Parser)]
#[grammar = "grammar/ottl.pest"]
pub struct OttlParser;

impl Rule {
    /// A name for the rule that reads well in "expected ..." messages.
    pub fn friendly_name(self) -> &'static str {
        match self {
            Rule::EOI => "end of input",
            Rule::statement | Rule::statement_input => "a statement",
            Rule::bool_expr | Rule::term | Rule::bool_value | Rule::condition_input => {
                "a boolean expression"
            }
            Rule::comparison => "a comparison",
            Rule::const_expr => "a boolean or converter call",
            Rule::value | Rule::value_input => "a value",
            Rule::math_literal | Rule::math_value | Rule::math_expr => "a math operand",
            Rule::editor => "an editor call",
            Rule::converter => "a converter call",
            Rule::argument => "an argument",
            Rule::lambda => "a lambda",
            Rule::lambda_param => "a lambda parameter",
            Rule::lambda_body | Rule::body_and | Rule::body_or => "a lambda body",
            Rule::body_compare => "a comparison",
            Rule::path | Rule::path_context | Rule::field => "a path",
            Rule::key => "a key `[...]`",
            Rule::map_lit => "a map literal",
            Rule::map_item => "a map item `\"key\": value`",
            Rule::list_lit => "a list literal",
            Rule::lower_name => "a lower-case name",
            Rule::upper_name => "an upper-case name",
            Rule::enum_sym => "an enum symbol",
            Rule::kw_where => "`where`",
            Rule::nil => "`nil`",
            Rule::boolean => "`true` or `false`",
            Rule::op_not => "`not`",
            Rule::op_and => "`and`",
            Rule::op_or => "`or`",
            Rule::lowercase => "a lower-case identifier",
            Rule::uppercase => "an upper-case identifier",
            Rule::underscore => "`_`",
            Rule::bytes => "a bytes literal",
            Rule::float => "a float",
            Rule::int => "an int",
            Rule::string => "a string",
            Rule::cmp_op => "a comparison operator",
            Rule::regex_op => "`=~` or `!~`",
            Rule::arrow => "`=>`",
            Rule::equal => "`=`",
            Rule::dot => "`.`",
            Rule::add => "`+`",
            Rule::sub => "`-`",
            Rule::mul => "`*`",
            Rule::div => "`/`",
            _ => "a token",
        }
    }
}
