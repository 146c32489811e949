//! The `repere` binary: see `repere --help`.

fn main() -> std::process::ExitCode {
    repere_server::cli::main()
}
