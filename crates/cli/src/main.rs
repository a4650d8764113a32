//! The `switchboard` command: see `switchboard --help`.

/// mimalloc: a request allocates and frees dozens of small blocks, which it does in a
/// fraction of glibc malloc's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    switchboard::run()
}
