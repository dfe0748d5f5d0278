//! The `dtsform` binary: all of it lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    dtsform::cli::main()
}
