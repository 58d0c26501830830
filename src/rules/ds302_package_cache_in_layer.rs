//! DS302 package-cache-in-layer
//!
//! What it finds: `pip install` that keeps pip's download cache, and
//! `apt-get install` that leaves /var/lib/apt/lists behind, in a layer; and
//! the same for npm, yarn and apk, which keep their caches unless told not to.
//! Why it matters: the caches are never read again at run time but ship in
//! every pull: pip's cache is often as large as the packages themselves, apt
//! lists add 20 to 50 MB.
//! Fix: `pip install --no-cache-dir` (or a BuildKit cache mount on
//! /root/.cache/pip), and `rm -rf /var/lib/apt/lists/*` in the same RUN.

use super::{RuleId, Context, Finding, Rule, RuleDoc, Severity};
use crate::dockerfile::shell;

pub struct PackageCacheInLayer;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS302,
    name: "package-cache-in-layer",
    severity: Severity::Warning,
    summary: "A package manager's cache is left in a layer (pip's cache, apt lists, npm's cache).",
    why: "Caches are never read at run time, yet ship in every pull: pip's cache can be as large as the installed packages, apt lists add 20 to 50 MB. Deleting them in a later RUN does not shrink the earlier layer.",
    fix: "Use pip install --no-cache-dir or a BuildKit cache mount (RUN --mount=type=cache,target=/root/.cache/pip), and remove /var/lib/apt/lists/* in the same RUN as apt-get install.",
    example: "Before:\n  RUN apt-get update && apt-get install -y libpq5\n  RUN pip install -r requirements.txt\nAfter:\n  RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n  RUN pip install --no-cache-dir -r requirements.txt",
    fix_safety: None,
    fix_risk: "",
};

impl Rule for PackageCacheInLayer {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for stage in &df.stages {
            // An ENV earlier in the stage can switch pip's cache off.
            let mut pip_cache_off_from = usize::MAX;
            for inst in &stage.instructions {
                if inst.keyword == crate::dockerfile::Keyword::Env
                    && crate::dockerfile::key_values(inst.text())
                        .iter()
                        .any(|(k, v)| {
                            k == "PIP_NO_CACHE_DIR"
                                && !matches!(v.as_str(), "0" | "false" | "off" | "no")
                        })
                {
                    pip_cache_off_from = pip_cache_off_from.min(inst.line);
                }
            }
            for (inst, cmds) in stage.runs() {
                let mount = inst
                    .flags
                    .iter()
                    .filter(|f| f.name == "mount")
                    .filter_map(|f| f.value.as_deref())
                    .collect::<Vec<_>>()
                    .join(" ");
                for cmd in &cmds {
                    if shell::is_pip_install(cmd)
                        && !cmd
                            .iter()
                            .any(|w| w == "--no-cache-dir" || w == "--no-cache")
                        && !mount.contains("type=cache")
                        && inst.line < pip_cache_off_from
                    {
                        out.push(Finding::new(
                            &DOC,
                            df.path.clone(),
                            Some(inst.line),
                            "pip keeps its download cache in this layer",
                        ));
                    }
                }
                let cleaned = |what: &str| {
                    cmds.iter().any(|c| {
                        let (i, p) = shell::program(c);
                        p == what
                            && c[i + 1..]
                                .windows(2)
                                .any(|w| w[0] == "cache" && w[1] == "clean")
                    })
                };
                for cmd in &cmds {
                    let (i, prog) = shell::program(cmd);
                    let sub = cmd.get(i + 1).map(String::as_str);
                    let leaves_cache = match prog {
                        "npm" => {
                            matches!(sub, Some("install" | "i" | "ci"))
                                && !cleaned("npm")
                                && !mount.contains(".npm")
                        }
                        "yarn" => {
                            matches!(sub, None | Some("install"))
                                && !cleaned("yarn")
                                && !mount.contains("yarn")
                        }
                        "apk" => {
                            sub == Some("add")
                                && !cmd.iter().any(|w| w == "--no-cache")
                                && !cmds
                                    .iter()
                                    .any(|c| c.iter().any(|w| w.starts_with("/var/cache/apk")))
                                && !mount.contains("/var/cache/apk")
                        }
                        _ => false,
                    };
                    if leaves_cache {
                        out.push(Finding::new(
                            &DOC,
                            df.path.clone(),
                            Some(inst.line),
                            format!("{prog} keeps its package cache in this layer"),
                        ));
                    }
                }
                let apt_install = cmds.iter().any(|c| {
                    let (i, p) = shell::program(c);
                    matches!(p, "apt-get" | "apt") && c.get(i + 1).is_some_and(|s| s == "install")
                });
                let lists_removed = cmds
                    .iter()
                    .any(|c| c.iter().any(|w| w.starts_with("/var/lib/apt/lists")));
                if apt_install && !lists_removed && !mount.contains("/var/lib/apt") {
                    out.push(Finding::new(
                        &DOC,
                        df.path.clone(),
                        Some(inst.line),
                        "apt-get install leaves /var/lib/apt/lists in this layer",
                    ));
                }
            }
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
    fn clean_forms_pass() {
        let fx = Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nRUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\nRUN pip install --no-cache-dir flask\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\nENV PIP_NO_CACHE_DIR=1\nRUN pip install gunicorn\n",
        )]);
        assert!(fx.check(&PackageCacheInLayer).is_empty());
    }
}
