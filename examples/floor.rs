//! A raw floor as a program, for `scripts/compare.sh` (CPU, wall and peak RSS under
//! `/usr/bin/time -v`): `cargo run --release --example floor -- FORMAT FILE`, FORMAT one of
//! `msgpack` (DataDog streams), `protobuf` (OTLP length-prefixed streams), `json` (OTLP JSON
//! lines). Reads the file in chunks and walks every value, building nothing; prints bytes/s.

#[path = "../benches/floors/mod.rs"]
mod floors;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [format, file] = args.as_slice() else {
        eprintln!("usage: floor msgpack|protobuf|json FILE");
        return ExitCode::from(2);
    };
    let Some(walker) = floors::walker(format) else {
        eprintln!("unknown format `{format}`: expected msgpack, protobuf or json");
        return ExitCode::from(2);
    };
    let started = Instant::now();
    match floors::chunked::walk_file(walker, Path::new(file)) {
        Ok(walk) => {
            let secs = started.elapsed().as_secs_f64();
            let bytes = std::fs::metadata(file).map_or(0, |m| m.len());
            println!(
                "{format} {file}: {bytes} bytes in {secs:.3} s = {:.0} MB/s; {} units, {} values, {} strings ({} bytes)",
                bytes as f64 / secs / 1e6,
                walk.units,
                walk.values,
                walk.strings,
                walk.string_bytes
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{file}: {e}");
            ExitCode::from(2)
        }
    }
}
