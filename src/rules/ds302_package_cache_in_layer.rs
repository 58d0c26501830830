//! DS302 package-cache-in-layer
//!
//! What it finds: `pip install` that keeps pip's download cache, and
//! `apt-get install` that leaves /var/lib/apt/lists behind, in a layer; and
//! the same for npm, yarn, bun and apk, which keep their caches unless told
//! not to.
//! Why it matters: the caches are never read again at run time but ship in
//! every pull: pip's cache is often as large as the packages themselves, apt
//! lists add 20 to 50 MB.
//! Fix: `pip install --no-cache-dir` (or a BuildKit cache mount on
//! /root/.cache/pip), and `rm -rf /var/lib/apt/lists/*` in the same RUN.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::script::Connector;
use crate::dockerfile::{key_values, shell, Keyword, RunCommand, Stage};
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct PackageCacheInLayer;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS302,
    name: "package-cache-in-layer",
    severity: Severity::Warning,
    summary: "A package manager's cache is left in a layer (pip's cache, apt lists, npm's cache).",
    why: "Caches are never read at run time, yet ship in every pull: pip's cache can be as large as the installed packages, apt lists add 20 to 50 MB. Deleting them in a later RUN does not shrink the earlier layer.",
    fix: "Use pip install --no-cache-dir or a BuildKit cache mount (RUN --mount=type=cache,target=/root/.cache/pip), and remove /var/lib/apt/lists/* in the same RUN as apt-get install.",
    example: "Before:\n  RUN apt-get update && apt-get install -y libpq5\n  RUN pip install -r requirements.txt\nAfter:\n  RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n  RUN pip install --no-cache-dir -r requirements.txt",
    fix_safety: Some(Safety::Safe),
    fix_risk: "",
};

/// Which cache a command leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cache {
    Pip,
    Apt,
    Npm,
    Yarn,
    /// Bun's global cache (/root/.bun/install/cache for root).
    Bun,
    Apk,
}

/// One command that leaves a cache in its layer.
struct Offence<'a> {
    cache: Cache,
    cmd: RunCommand<'a>,
}

/// What each RUN of the stages the image ships leaves behind.
fn offences<'a>(stages: &[&'a Stage]) -> Vec<Offence<'a>> {
    let mut out = Vec::new();
    for stage in stages {
        // An ENV earlier in the stage can switch pip's cache off.
        let pip_cache_off_from = stage
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Env)
            .find(|i| {
                key_values(i.text()).iter().any(|(k, v)| {
                    k == "PIP_NO_CACHE_DIR" && !matches!(v.as_str(), "0" | "false" | "off" | "no")
                })
            })
            .map_or(usize::MAX, |i| i.line);
        let commands = stage.run_commands();
        for inst in stage
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Run)
        {
            let cmds: Vec<&RunCommand> = commands
                .iter()
                .filter(|c| std::ptr::eq(c.inst, inst))
                .collect();
            let mount = inst
                .flags
                .iter()
                .filter(|f| f.name == "mount")
                .filter_map(|f| f.value.as_deref())
                .collect::<Vec<_>>()
                .join(" ");
            let any = |f: &dyn Fn(&[String]) -> bool| cmds.iter().any(|c| f(&c.words));
            let cleaned = |what: &str| {
                any(&|c: &[String]| {
                    let (i, p) = shell::program(c);
                    p == what
                        && c[i + 1..].windows(2).any(|w| {
                            (w[0] == "cache" && w[1] == "clean")
                                || (what == "bun" && w[0] == "cache" && w[1] == "rm")
                        })
                })
            };
            for cmd in &cmds {
                let c = &cmd.words;
                let (i, prog) = shell::program(c);
                let sub = c.get(i + 1).map(String::as_str);
                let cache = if shell::is_pip_install(c) {
                    let off = c.iter().any(|w| w == "--no-cache-dir" || w == "--no-cache")
                        || mount.contains("type=cache")
                        || inst.line > pip_cache_off_from;
                    (!off).then_some(Cache::Pip)
                } else {
                    match prog {
                        "npm"
                            if matches!(sub, Some("install" | "i" | "ci"))
                                && !cleaned("npm")
                                && !mount.contains(".npm") =>
                        {
                            Some(Cache::Npm)
                        }
                        "yarn"
                            if matches!(sub, None | Some("install"))
                                && !cleaned("yarn")
                                && !mount.contains("yarn") =>
                        {
                            Some(Cache::Yarn)
                        }
                        "bun"
                            if matches!(sub, Some("install" | "i"))
                                && !cleaned("bun")
                                && !mount.contains(".bun") =>
                        {
                            Some(Cache::Bun)
                        }
                        "apk"
                            if shell::package_subcommand(c).is_some_and(|(s, _)| s == "add")
                                && !c.iter().any(|w| w == "--no-cache")
                                && !any(&|c: &[String]| {
                                    c.iter().any(|w| w.starts_with("/var/cache/apk"))
                                })
                                && !mount.contains("/var/cache/apk") =>
                        {
                            Some(Cache::Apk)
                        }
                        _ => None,
                    }
                };
                if let Some(cache) = cache {
                    out.push(Offence {
                        cache,
                        cmd: (*cmd).clone(),
                    });
                }
            }
            let apt_install = cmds.iter().find(|c| shell::is_apt_install(&c.words));
            let lists_removed =
                any(&|c: &[String]| c.iter().any(|w| w.starts_with("/var/lib/apt/lists")));
            if let (Some(cmd), false, false) =
                (apt_install, lists_removed, mount.contains("/var/lib/apt"))
            {
                out.push(Offence {
                    cache: Cache::Apt,
                    cmd: (*cmd).clone(),
                });
            }
        }
    }
    out
}

impl Rule for PackageCacheInLayer {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        offences(&df.shipped_stages())
            .into_iter()
            .map(|o| {
                let message = match o.cache {
                    Cache::Pip => "pip keeps its download cache in this layer".to_string(),
                    Cache::Apt => {
                        "apt-get install leaves /var/lib/apt/lists in this layer".to_string()
                    }
                    Cache::Npm => "npm keeps its package cache in this layer".to_string(),
                    Cache::Yarn => "yarn keeps its package cache in this layer".to_string(),
                    Cache::Bun => "bun keeps its package cache in this layer".to_string(),
                    Cache::Apk => "apk keeps its package cache in this layer".to_string(),
                };
                Finding::new(&DOC, df.path.clone(), Some(o.cmd.inst.line), message)
            })
            .collect()
    }

    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        let w = cx.writer();
        let mut out = Vec::new();
        for o in offences(&cx.shipped()) {
            let line = o.cmd.inst.line;
            let Some((script, _)) = o.cmd.at else {
                out.push(cx.blocked(DOC.id, Some(line), "the command is inside an exec-form RUN or `sh -c \"...\"`, whose words dockslim does not edit"));
                continue;
            };
            // Text added to a script the shell reads differently than its
            // parse (an unclosed quote or backtick) would land inside it.
            if !script.clean {
                out.push(cx.blocked(
                    DOC.id,
                    Some(line),
                    "the RUN's shell does not parse (an unclosed quote, backtick or bracket?), so nothing is added to it",
                ));
                continue;
            }
            if cx.user_at(o.cmd.inst).is_some() && o.cache != Cache::Pip {
                out.push(cx.blocked(
                    DOC.id,
                    Some(line),
                    "the RUN runs as a non-root USER, which cannot clean the system's caches",
                ));
                continue;
            }
            let (edit, title) = match o.cache {
                Cache::Pip => {
                    let Some((_, after)) = shell::pip_subcommand(&o.cmd.words) else {
                        continue;
                    };
                    let Some(install) = o.cmd.word(after - 1) else {
                        out.push(cx.blocked(
                            DOC.id,
                            Some(line),
                            "pip's words come from a variable",
                        ));
                        continue;
                    };
                    (
                        w.insert_word_after(&install.span, "--no-cache-dir"),
                        "pip install --no-cache-dir",
                    )
                }
                Cache::Apk => {
                    let Some((_, at)) = shell::package_subcommand(&o.cmd.words) else {
                        continue;
                    };
                    let Some(add) = o.cmd.word(at) else {
                        continue;
                    };
                    (
                        w.insert_word_after(&add.span, "--no-cache"),
                        "apk add --no-cache",
                    )
                }
                Cache::Apt | Cache::Npm | Cache::Yarn | Cache::Bun => {
                    if script
                        .commands
                        .last()
                        .is_some_and(|c| c.after == Some(Connector::Background))
                    {
                        out.push(cx.blocked(
                            DOC.id,
                            Some(line),
                            "the RUN ends with a command in the background",
                        ));
                        continue;
                    }
                    let (clean, title) = match o.cache {
                        Cache::Apt => (
                            "rm -rf /var/lib/apt/lists/*",
                            "apt lists removed in the same RUN",
                        ),
                        Cache::Npm => (
                            "npm cache clean --force",
                            "npm's cache cleaned in the same RUN",
                        ),
                        Cache::Bun => ("bun pm cache rm", "bun's cache removed in the same RUN"),
                        _ => ("yarn cache clean", "yarn's cache cleaned in the same RUN"),
                    };
                    (w.append_command(o.cmd.inst, script, clean), title)
                }
            };
            out.push(Outcome::Fix(Fix {
                rule: DOC.id,
                line,
                title: title.to_string(),
                reason:
                    "the cache is never read at run time, and a later RUN cannot shrink this layer"
                        .into(),
                safety: Safety::Safe,
                edits: vec![edit],
                files: vec![],
                reshapes: false,
            }));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn finds_pip_and_apt_caches() {
        let fx = Fixture::new(&[("Dockerfile", "FROM python:3.12\nRUN apt-get update && apt-get install -y libpq5\nRUN pip install -r requirements.txt\n")]);
        assert_eq!(fx.lines(&PackageCacheInLayer), [Some(2), Some(3)]);
    }

    #[test]
    fn finds_npm_yarn_and_apk_caches() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM node:20\nRUN npm ci\nRUN yarn install --frozen-lockfile\nRUN apk add curl\nRUN npm ci && npm cache clean --force\nRUN --mount=type=cache,target=/root/.npm npm ci\nRUN apk add --no-cache curl\n",
        )]);
        assert_eq!(fx.lines(&PackageCacheInLayer), [Some(2), Some(3), Some(4)]);
    }

    #[test]
    fn bun_keeps_its_cache_unless_removed_or_mounted() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM oven/bun:1\nRUN bun install --frozen-lockfile\nRUN bun install && bun pm cache rm\nRUN --mount=type=cache,target=/root/.bun/install/cache bun install\nRUN bun run build\n",
        )]);
        assert_eq!(fx.lines(&PackageCacheInLayer), [Some(2)]);
        let (text, _) = fx.fixed(RuleId::DS302);
        assert!(
            text.contains("RUN bun install --frozen-lockfile && bun pm cache rm\n"),
            "{text}"
        );
    }

    #[test]
    fn clean_forms_pass() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nRUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\nRUN pip install --no-cache-dir flask\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\nENV PIP_NO_CACHE_DIR=1\nRUN pip install gunicorn\n",
        )]);
        assert!(fx.check(&PackageCacheInLayer).is_empty());
    }

    /// Appended to `A=\`` the clean-up would run inside the backtick: a
    /// script that does not parse is left alone, with the reason (found by
    /// fuzzing: the append repeated every round, never settling).
    #[test]
    fn an_unparsed_script_is_not_edited() {
        let fx = Fixture::new(&[
            ("requirements.txt", "flask\ngunicorn\n"),
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "Dockerfile",
                "FROM python:3.12-slim\nRUN apt-get install -y gcc && apt-get update && A=`\n",
            ),
        ]);
        let (text, _) = fx.fixed(RuleId::DS302);
        assert!(!text.contains("rm -rf /var/lib/apt/lists"), "{text}");
        let reasons = fx.blocked_reasons(RuleId::DS302);
        assert!(
            reasons.iter().any(|r| r.contains("does not parse")),
            "{reasons:?}"
        );
    }
}
