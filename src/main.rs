//! Parses arguments, runs the library, maps the result to an exit code:
//! 0 fine, 1 a check failed, 2 usage or input error.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match dockslim::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let mut out = anstream::stdout();
    let format = cli.format();
    match dockslim::cli::run(cli, &mut out) {
        Ok(dockslim::cli::Outcome::Ok) => ExitCode::SUCCESS,
        Ok(dockslim::cli::Outcome::CheckFailed) => ExitCode::from(1),
        Err(e) => {
            if let Some(document) = format.and_then(|f| dockslim::cli::error_document(f, &e)) {
                use std::io::Write;
                let _ = out.write_all(document.as_bytes());
            }
            // The message may quote the repository (a path, a line of a
            // file): never a raw control character, never megabytes.
            anstream::eprintln!(
                "dockslim: error: {}",
                dockslim::output::escape::shortened(&e.to_string(), 4_000)
            );
            ExitCode::from(2)
        }
    }
}
