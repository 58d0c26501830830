//! What a simple command does: which program it runs, which system
//! packages it installs, which requirement files pip reads. The commands
//! come from `script` (a real shell parse); these readers look at words.

/// The program a simple command runs, past `env X=1`, `sudo` and the like.
pub fn program(cmd: &[String]) -> (usize, &str) {
    let mut i = 0;
    while i < cmd.len() {
        let w = cmd[i].as_str();
        if w == "sudo"
            || w == "env"
            || w == "exec"
            || w == "command"
            || (w.contains('=') && !w.starts_with('-'))
        {
            i += 1;
            continue;
        }
        return (i, w.rsplit('/').next().unwrap_or(w));
    }
    (cmd.len(), "")
}

/// A package that builds software rather than running it: compilers, make,
/// headers (`*-dev`).
pub fn is_build_tool(package: &str) -> bool {
    matches!(
        package,
        "gcc"
            | "g++"
            | "make"
            | "cmake"
            | "clang"
            | "build-essential"
            | "build-base"
            | "cargo"
            | "rustc"
            | "gfortran"
            | "autoconf"
            | "automake"
            | "libtool"
    ) || package.ends_with("-dev")
        || package.ends_with("-devel")
}

/// The subcommand of apt-get, apt or apk (`install`, `update`, `add`,
/// `purge`...) and its index, past options such as `-y`, `-qq` and
/// `-o Key=Value`.
pub fn package_subcommand(cmd: &[String]) -> Option<(&str, usize)> {
    let (i, prog) = program(cmd);
    if !matches!(prog, "apt-get" | "apt" | "apk") {
        return None;
    }
    let mut j = i + 1;
    while j < cmd.len() {
        let w = cmd[j].as_str();
        if w == "-o" || w == "-c" || w == "--option" {
            j += 2;
        } else if w.starts_with('-') {
            j += 1;
        } else {
            return Some((w, j));
        }
    }
    None
}

/// Whether a simple command runs a frontend's own tooling, which reads the
/// project's env files: `vite` or `next`, or a package manager running a
/// build, dev or start script (`npm run build`, `yarn build`, `pnpm dev`).
/// An install (`npm ci`) reads none.
pub fn runs_frontend_tooling(cmd: &[String]) -> bool {
    let (i, prog) = program(cmd);
    let rest: Vec<&str> = cmd
        .get(i + 1..)
        .unwrap_or_default()
        .iter()
        .map(String::as_str)
        .filter(|w| !w.starts_with('-'))
        .collect();
    let script = |w: &str| {
        w.starts_with("build") || matches!(w, "dev" | "start" | "preview" | "generate" | "export")
    };
    match (prog, rest.as_slice()) {
        ("vite" | "next", _) => true,
        ("npx" | "bunx" | "pnpx", [tool, ..]) => matches!(*tool, "vite" | "next"),
        ("npm" | "yarn" | "pnpm" | "bun", ["run" | "run-script", s, ..]) => script(s),
        ("npm" | "yarn" | "pnpm" | "bun", [s, ..]) => script(s),
        _ => false,
    }
}

/// Whether a simple command runs a project's tests (which reads its test
/// folders without naming them): pytest, tox, nox, coverage, unittest,
/// `manage.py test`, `make test`.
pub fn runs_tests(cmd: &[String]) -> bool {
    const RUNNERS: &[&str] = &["pytest", "py.test", "tox", "nox", "coverage", "unittest"];
    let (i, prog) = program(cmd);
    let rest: Vec<&str> = cmd
        .get(i + 1..)
        .unwrap_or_default()
        .iter()
        .map(String::as_str)
        .collect();
    match prog {
        p if RUNNERS.contains(&p) => true,
        p if p.starts_with("python") => match rest.as_slice() {
            ["-m", module, ..] => RUNNERS.contains(module),
            [script, "test", ..] => script.ends_with("manage.py"),
            _ => false,
        },
        "make" => rest.iter().any(|w| w.starts_with("test")),
        _ => false,
    }
}

/// Whether the command is `apt-get install` / `apt install` (not apk).
pub fn is_apt_install(cmd: &[String]) -> bool {
    let (_, prog) = program(cmd);
    matches!(prog, "apt-get" | "apt")
        && package_subcommand(cmd).is_some_and(|(sub, _)| sub == "install")
}

/// The packages an `apt-get install` / `apt install` / `apk add` installs.
pub fn package_install(cmd: &[String]) -> Option<Vec<String>> {
    let (_, prog) = program(cmd);
    let (sub, pos) = package_subcommand(cmd)?;
    let wanted = if prog == "apk" { "add" } else { "install" };
    if sub != wanted {
        return None;
    }
    Some(
        package_words(cmd, pos)
            .into_iter()
            .map(|(_, w)| w.split('=').next().unwrap_or(w).to_string())
            .filter(|w| !w.is_empty())
            .collect(),
    )
}

/// The package words after a subcommand at `pos`, with their indexes:
/// options (and the value `-o` takes), variables and URLs left out.
pub fn package_words(cmd: &[String], pos: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut j = pos + 1;
    while j < cmd.len() {
        let w = cmd[j].as_str();
        if w == "-o" || w == "--option" || w == "-t" || w == "--target-release" {
            j += 2;
            continue;
        }
        if !w.starts_with('-') && !w.starts_with('$') && !w.contains("://") {
            out.push((j, w));
        }
        j += 1;
    }
    out
}

/// The pip subcommand a command runs (`install`, `wheel`, `cache`...) and the
/// index of the word after it, for pip, pip3, python -m pip and uv pip.
/// Global options before the subcommand (`pip --python /opt/venv/bin/python
/// install`) are skipped.
pub fn pip_subcommand(cmd: &[String]) -> Option<(&str, usize)> {
    let (i, prog) = program(cmd);
    let rest = &cmd[i.min(cmd.len())..];
    let after_pip = match prog {
        p if p.starts_with("pip") && !p.starts_with("pipenv") && !p.starts_with("pipx") => 1,
        p if p.starts_with("python") => {
            rest.windows(2)
                .position(|w| w[0] == "-m" && w[1] == "pip")?
                + 2
        }
        "uv" => rest.iter().position(|w| w == "pip")? + 1,
        _ => return None,
    };
    let takes_value = [
        "--python",
        "--log",
        "--cache-dir",
        "--proxy",
        "--timeout",
        "--retries",
        "--cert",
        "--client-cert",
        "--trusted-host",
        "--exists-action",
        "--use-feature",
    ];
    let mut j = after_pip;
    while j < rest.len() {
        let w = rest[j].as_str();
        if !w.starts_with('-') {
            return Some((w, i + j + 1));
        }
        j += if takes_value.contains(&w) { 2 } else { 1 };
    }
    None
}

/// Whether the command runs `pip install` (pip, pip3, python -m pip, uv pip).
pub fn is_pip_install(cmd: &[String]) -> bool {
    pip_subcommand(cmd).is_some_and(|(sub, _)| sub == "install")
}

/// What a `pip install` names besides requirement files: package specs
/// (`gunicorn==22.0.0`, `git+https://...`) and local paths (`.`, `-e .`,
/// `./wheels/x.whl`).
pub fn pip_install_targets(cmd: &[String]) -> Vec<String> {
    let Some(("install", start)) = pip_subcommand(cmd) else {
        return Vec::new();
    };
    let takes_value = [
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--target",
        "-t",
        "--prefix",
        "--root",
        "--python",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--src",
        "--upgrade-strategy",
        "--trusted-host",
        "--cache-dir",
        "--log",
        "--timeout",
        "--retries",
        "--proxy",
        "--no-binary",
        "--only-binary",
        "--progress-bar",
        "--config-settings",
        "-C",
        "--report",
    ];
    let mut out = Vec::new();
    let mut j = start;
    while j < cmd.len() {
        let w = cmd[j].as_str();
        if w == "-e" || w == "--editable" {
            if let Some(target) = cmd.get(j + 1) {
                out.push(target.clone());
            }
            j += 2;
            continue;
        }
        if w.starts_with('-') {
            j += if takes_value.contains(&w) { 2 } else { 1 };
            continue;
        }
        out.push(w.to_string());
        j += 1;
    }
    out
}

/// Requirement files given to pip with `-r`.
pub fn pip_requirement_files(cmd: &[String]) -> Vec<String> {
    if !is_pip_install(cmd) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut iter = cmd.iter().peekable();
    while let Some(w) = iter.next() {
        if w == "-r" || w == "--requirement" {
            if let Some(f) = iter.next() {
                out.push(f.trim_start_matches("./").to_string());
            }
        } else if let Some(f) = w
            .strip_prefix("--requirement=")
            .or_else(|| w.strip_prefix("-r").filter(|f| !f.is_empty()))
        {
            out.push(f.trim_start_matches("./").to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        shlex::split(s).unwrap()
    }

    #[test]
    fn test_runners() {
        for yes in [
            "pytest -q",
            "python -m pytest tests/",
            "python3 manage.py test --parallel",
            "coverage run -m pytest",
            "make test-unit",
        ] {
            assert!(runs_tests(&words(yes)), "{yes}");
        }
        for no in [
            "python manage.py migrate",
            "python app.py",
            "pip install pytest",
            "make build",
        ] {
            assert!(!runs_tests(&words(no)), "{no}");
        }
    }

    #[test]
    fn frontend_tooling_is_a_build_dev_or_start_script() {
        for yes in [
            "npm run build",
            "yarn build",
            "pnpm run build:prod",
            "npx vite build",
            "next build",
            "npm run dev -- --host 0.0.0.0",
        ] {
            assert!(runs_frontend_tooling(&words(yes)), "{yes}");
        }
        for no in [
            "npm ci",
            "yarn",
            "npm install --omit=dev",
            "npm run lint",
            "pip install -r requirements.txt",
            "npx prettier --check .",
        ] {
            assert!(!runs_frontend_tooling(&words(no)), "{no}");
        }
    }

    #[test]
    fn finds_packages_and_requirement_files() {
        assert_eq!(
            package_install(&words(
                "apt-get install -y --no-install-recommends libpq5=15.* curl"
            ))
            .unwrap(),
            ["libpq5", "curl"]
        );
        assert_eq!(
            package_install(&words("apk add --no-cache musl-dev")).unwrap(),
            ["musl-dev"]
        );
        assert!(package_install(&words("apt-get update")).is_none());
        assert_eq!(
            pip_requirement_files(&words(
                "python -m pip install --no-cache-dir -r ./requirements/prod.txt"
            )),
            ["requirements/prod.txt"]
        );
        assert_eq!(
            pip_requirement_files(&words("pip3 install -rrequirements.txt")),
            ["requirements.txt"]
        );
        assert!(pip_requirement_files(&words("npm install -r x")).is_empty());
    }

    #[test]
    fn pip_forms() {
        assert!(is_pip_install(&words(
            "pip --python /opt/venv/bin/python install -r r.txt"
        )));
        assert!(is_pip_install(&words(
            "python3 -m pip install --no-cache-dir flask"
        )));
        assert!(is_pip_install(&words("uv pip install --system -r r.txt")));
        assert!(!is_pip_install(&words("pip cache purge")));
        assert!(!is_pip_install(&words("pipenv install --system")));
        assert_eq!(
            pip_install_targets(&words("pip install --no-cache-dir -r r.txt -i https://x gunicorn==22.0 -e . ./wheels/a.whl")),
            ["gunicorn==22.0", ".", "./wheels/a.whl"]
        );
    }
}
