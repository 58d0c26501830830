//! Reading the shell commands inside RUN: which simple commands run, which
//! system packages they install, which requirement files pip reads.
//!
//! This is a reader for the shapes Dockerfiles use (`a && b`, `a; b`,
//! `a || true`, line continuations), not a shell: nothing is expanded.

/// Splits words into simple commands at `&&`, `||`, `;` and `|`.
pub fn simple_commands(words: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for word in words {
        let (body, ends) = match word.strip_suffix(';') {
            Some(body) if !word.ends_with("\\;") => (body, true),
            _ => (word.as_str(), false),
        };
        if matches!(body, "&&" | "||" | ";" | "|") {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !body.is_empty() {
            current.push(body.to_string());
        }
        if ends && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    // `sh -c "..."` and `set -eux` wrappers: look through them.
    out.into_iter()
        .flat_map(|cmd| {
            if matches!(
                cmd.first().map(String::as_str),
                Some("sh" | "bash" | "/bin/sh" | "/bin/bash")
            ) && cmd.get(1).map(String::as_str) == Some("-c")
            {
                if let Some(inner) = cmd.get(2).and_then(|s| shlex::split(s)) {
                    return simple_commands(&inner);
                }
            }
            vec![cmd]
        })
        .collect()
}

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

/// The packages an `apt-get install` / `apt install` / `apk add` installs.
pub fn package_install(cmd: &[String]) -> Option<Vec<String>> {
    let (i, prog) = program(cmd);
    let rest = &cmd[i.min(cmd.len())..];
    let sub = match prog {
        "apt-get" | "apt" => "install",
        "apk" => "add",
        _ => return None,
    };
    let pos = rest.iter().position(|w| w == sub)?;
    Some(
        rest[pos + 1..]
            .iter()
            .filter(|w| !w.starts_with('-') && !w.starts_with('$') && !w.contains("://"))
            .map(|w| w.split('=').next().unwrap_or(w).to_string())
            .filter(|w| !w.is_empty())
            .collect(),
    )
}

/// Whether the command runs pip (pip, pip3, python -m pip, uv pip).
pub fn is_pip_install(cmd: &[String]) -> bool {
    let (i, prog) = program(cmd);
    let rest: Vec<&str> = cmd[i.min(cmd.len())..].iter().map(String::as_str).collect();
    match prog {
        p if p.starts_with("pip") => rest.get(1) == Some(&"install"),
        p if p.starts_with("python") => rest.windows(3).any(|w| w == ["-m", "pip", "install"]),
        "uv" => rest.windows(2).any(|w| w == ["pip", "install"]),
        _ => false,
    }
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
    fn splits_on_operators_and_semicolons() {
        let cmds = simple_commands(&words(
            "apt-get update && apt-get install -y gcc; rm -rf /var/lib/apt/lists/* || true",
        ));
        assert_eq!(cmds.len(), 4);
        assert_eq!(cmds[1], ["apt-get", "install", "-y", "gcc"]);
    }

    #[test]
    fn looks_through_sh_c() {
        let cmds = simple_commands(&words("sh -c 'pip install -r requirements.txt && echo ok'"));
        assert_eq!(cmds[0], ["pip", "install", "-r", "requirements.txt"]);
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
}
