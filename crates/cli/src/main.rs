//! The `switchboard` command: see `switchboard --help`.

fn main() -> std::process::ExitCode {
    switchboard::run()
}
