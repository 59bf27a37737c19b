//! Thin entry point: parse arguments, run, map the outcome to the exit-code contract.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(otelcheck::cli::main_with_args(std::env::args_os()))
}

// Decoding a capture allocates millions of small strings; mimalloc's size-class pools make
// that (and freeing them) markedly cheaper than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
