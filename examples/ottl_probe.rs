fn main() {
    for line in std::env::args().skip(1) {
        let (mode, text) = line.split_at(2);
        match mode {
            "c:" => { let (t, e) = otelcheck::ottl::parse_condition_lenient(text); println!("{text}\n  => {:?}\n  {}", e, t.map(|t| t.node.to_string()).unwrap_or_default()); }
            "s:" => { let (t, e) = otelcheck::ottl::parse_statement_lenient(text); println!("{text}\n  => {:?}\n  {}", e, t.map(|t| t.to_string()).unwrap_or_default()); }
            _ => { let (t, e) = otelcheck::ottl::parse_value_lenient(text); println!("{text}\n  => {:?}\n  {}", e, t.map(|t| t.node.to_string()).unwrap_or_default()); }
        }
    }
}
