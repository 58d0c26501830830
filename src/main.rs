//! Parses arguments, runs the library, maps the result to an exit code:
//! 0 fine, 1 a check failed, 2 usage or input error, 101 a bug in dockslim.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    report_panics_as_bugs();
    let cli = match dockslim::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return dockslim::cli::command_line_error(e),
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
            // file): `render` escapes control characters and shortens it.
            anstream::eprint!("{}", e.render());
            ExitCode::from(if e.is_bug() { 101 } else { 2 })
        }
    }
}

/// A panic is dockslim's bug, never the user's: say so, and how to report
/// it, instead of Rust's "thread 'main' panicked". The exit status stays
/// 101, as for any panic.
fn report_panics_as_bugs() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let error = dockslim::error::Error::bug(format!("{what}{place}"));
        eprint!("{}", error.render());
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            default(info);
        }
    }));
}
