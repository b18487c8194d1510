//! `spotcheck`: one binary, a subcommand per role.

use std::process::ExitCode;

use clap::Parser;
use spotcheck::{args, commands, logging};

fn main() -> ExitCode {
    few_malloc_arenas();
    all_the_open_files_allowed();
    let args = args::Cli::parse();
    logging::init_logging(&args);
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        runtime.worker_threads(n.get());
    }
    let runtime = match runtime.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("spotcheck: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::dispatch(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("spotcheck: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}

/// glibc gives each thread that allocates at the same moment an arena of its own, and keeps
/// what is freed in it: with the runtime's threads handing requests and results to each
/// other, a round's memory ends up spread over many half-empty arenas. Two are as fast here
/// and keep the peak resident memory of a round about a tenth lower. `MALLOC_ARENA_MAX` in
/// the environment still decides when it is set.
fn few_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a tuning parameter of the allocator; it is called before
        // any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

/// A worker keeps a connection per site it is checking, and a province has thousands of
/// sites; a soft limit of 1,024 open files (many systems' default) would fail its fetches
/// as if the sites were down. The soft limit goes up to the hard one, which the
/// administrator set (`LimitNOFILE=` in a unit, `ulimit -Hn`).
fn all_the_open_files_allowed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit read and write the struct given, nothing else.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0
                && limit.rlim_cur < limit.rlim_max
            {
                limit.rlim_cur = limit.rlim_max;
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    }
}
