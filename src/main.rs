//! The `podcatalog` binary: parse the command line, start logging, run, and
//! print the whole error chain once on failure.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // Warnings, and the request log of `serve` (one line a request).
                // Symphonia's own warnings ("skipped 4 bytes of junk") are
                // decoder diagnostics; the loudness measurement reports damage
                // in a producer's words instead.
                .unwrap_or_else(|_| {
                    tracing_subscriber::EnvFilter::new(
                        "warn,podcatalog::access=info,symphonia=error",
                    )
                }),
        )
        .with_writer(std::io::stderr)
        // Colours for a terminal only: the request log goes to journals and files.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    survive_file_size_limit();
    let cli = podcatalog::cli::Cli::parse();
    match podcatalog::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// By default the kernel kills a process with SIGXFSZ when a write passes
/// the file-size limit (`ulimit -f`), before it can say what happened or
/// clean up its temporary file. With a handler installed the write fails
/// with `EFBIG` instead, which the copy turns into a clear message.
/// signal-hook's safe `flag::register` installs that handler (it only sets
/// a flag nobody needs to read), so no `unsafe` is needed here.
fn survive_file_size_limit() {
    #[cfg(unix)]
    {
        use std::sync::Arc;
        use std::sync::atomic::AtomicBool;
        let flag = Arc::new(AtomicBool::new(false));
        if let Err(e) = signal_hook::flag::register(signal_hook::consts::SIGXFSZ, flag) {
            tracing::warn!(error = %e, "cannot handle SIGXFSZ; a file-size limit kills the process");
        }
    }
}
