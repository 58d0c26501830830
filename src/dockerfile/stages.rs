//! The stage graph: which stage builds on which (`FROM <stage>`), which
//! copies from which (`COPY --from`, `RUN --mount=from=`), which stage is
//! the image, and what that image ships.
//!
//! This is the one place that answers "what is the final chain": rules,
//! fixes and the plan all ask it, so they cannot disagree.

use std::collections::BTreeSet;

use super::{Dockerfile, Keyword, Stage};

#[derive(Debug, Clone)]
pub struct StageGraph {
    /// For each stage, the stage it is built FROM, if it is one.
    pub parent: Vec<Option<usize>>,
    /// For each stage, the stages it copies or mounts files from.
    pub copies_from: Vec<Vec<usize>>,
    /// The stage the image is built from: `--target`, else the last one.
    pub target: usize,
}

impl StageGraph {
    /// The graph of a Dockerfile and the stage its image is built from:
    /// the one named from outside (`df.target`), else `default_target`.
    pub fn of(df: &Dockerfile) -> StageGraph {
        Self::with_target(df, target_of(df))
    }

    /// The graph of a Dockerfile built with `--target` naming this stage.
    pub fn with_target(df: &Dockerfile, target: usize) -> StageGraph {
        let named = |name: &str, before: usize| {
            df.stage_named(name)
                .map(|s| s.index)
                .filter(|&i| i < before)
        };
        let parent = df.stages.iter().map(|s| named(&s.image, s.index)).collect();
        let copies_from = df
            .stages
            .iter()
            .map(|s| {
                let mut from: Vec<usize> = Vec::new();
                for inst in &s.instructions {
                    for source in stage_sources(inst) {
                        if let Some(i) = named(&source, s.index) {
                            if !from.contains(&i) {
                                from.push(i);
                            }
                        }
                    }
                }
                from
            })
            .collect();
        StageGraph {
            parent,
            copies_from,
            target,
        }
    }

    /// A stage and the stages it is built on, nearest first.
    pub fn chain(&self, stage: usize) -> Vec<usize> {
        let mut out = vec![stage];
        while let Some(p) = self.parent[*out.last().unwrap()] {
            if out.contains(&p) {
                break;
            }
            out.push(p);
        }
        out
    }

    /// The stages whose layers are the image: the target and its FROM
    /// ancestors, nearest first.
    pub fn shipped(&self) -> Vec<usize> {
        self.chain(self.target)
    }

    pub fn is_shipped(&self, stage: usize) -> bool {
        self.shipped().contains(&stage)
    }

    /// Every stage the target needs, built on or copied from, transitively,
    /// in file order.
    pub fn lineage(&self) -> Vec<usize> {
        self.needed_by(self.target).into_iter().collect()
    }

    /// The stages a stage needs (itself included).
    pub fn needed_by(&self, stage: usize) -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![stage];
        while let Some(s) = todo.pop() {
            if !seen.insert(s) {
                continue;
            }
            todo.extend(self.parent[s]);
            todo.extend(self.copies_from[s].iter().copied());
        }
        seen
    }

    /// The stages whose installed packages reach the image: the shipped
    /// chain, and stages it copies an environment from (a virtualenv,
    /// site-packages, /usr/local, a wheel or install folder, node_modules,
    /// or everything). A test stage copied from for a marker file is not one.
    pub fn installing(&self, df: &Dockerfile) -> Vec<usize> {
        let mut out = self.shipped();
        let mut todo = out.clone();
        while let Some(s) = todo.pop() {
            for inst in &df.stages[s].instructions {
                let Some(from) = inst.flag("from") else {
                    continue;
                };
                let Some(source) = df.stage_named(from).filter(|x| x.index < s) else {
                    continue;
                };
                let super::Args::Copy { sources, .. } = &inst.args else {
                    continue;
                };
                let env_like = sources.iter().any(|p| {
                    let p = p.trim_end_matches('/');
                    p.is_empty()
                        || p == "/"
                        || [
                            "venv",
                            "site-packages",
                            "/usr/local",
                            "/install",
                            "wheels",
                            "node_modules",
                            "/root/.local",
                            "/opt/",
                        ]
                        .iter()
                        .any(|m| p.contains(m))
                });
                if env_like {
                    for c in self.chain(source.index) {
                        if !out.contains(&c) {
                            out.push(c);
                            todo.push(c);
                        }
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// Stages built FROM this one, transitively (not those copying from it).
    pub fn descendants(&self, stage: usize) -> Vec<usize> {
        (0..self.parent.len())
            .filter(|&s| s != stage && self.chain(s).contains(&stage))
            .collect()
    }

    /// Stages that neither are the image nor feed it: development, test
    /// and tool stages, built only with `--target`.
    pub fn side_stages(&self) -> Vec<usize> {
        let needed = self.needed_by(self.target);
        (0..self.parent.len())
            .filter(|s| !needed.contains(s))
            .collect()
    }
}

impl Dockerfile {
    /// The stages the image ships (the last stage and its FROM ancestors),
    /// nearest first.
    pub fn shipped_stages(&self) -> Vec<&Stage> {
        StageGraph::of(self)
            .shipped()
            .into_iter()
            .map(|i| &self.stages[i])
            .collect()
    }

    /// Every stage the image needs, built on or copied from, in file order.
    pub fn lineage_stages(&self) -> Vec<&Stage> {
        StageGraph::of(self)
            .lineage()
            .into_iter()
            .map(|i| &self.stages[i])
            .collect()
    }
}

/// Stage names that say a stage is for development or tests, not the
/// image that ships.
pub fn is_dev_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.split(['-', '_', '.']).any(|w| {
        matches!(
            w,
            "dev"
                | "develop"
                | "development"
                | "debug"
                | "test"
                | "tests"
                | "testing"
                | "e2e"
                | "ci"
                | "lint"
                | "local"
                | "devcontainer"
                | "envs"
                | "playground"
                | "docs"
        )
    })
}

/// Stage names that say a stage is the image that ships.
fn is_production_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "production"
            | "prod"
            | "release"
            | "runtime"
            | "final"
            | "runner"
            | "run"
            | "app"
            | "server"
            | "web"
            | "deploy"
            | "dist"
            | "api"
            | "service"
            | "main"
            | "image"
    )
}

/// The stage the image is built from: a stage named from outside
/// (`df.target`), else the last stage, unless the last stage is a
/// development or test stage (`dev`, `test`, `dev-envs`): then the last
/// stage named like production, else the last one not named for
/// development.
pub fn target_of(df: &Dockerfile) -> usize {
    if let Some(stage) = df.target.as_deref().and_then(|t| df.stage_named(t)) {
        return stage.index;
    }
    let last = df.stages.len() - 1;
    let dev = |s: &Stage| s.alias.as_deref().is_some_and(is_dev_name);
    if !dev(&df.stages[last]) {
        return last;
    }
    df.stages
        .iter()
        .rev()
        .find(|s| s.alias.as_deref().is_some_and(is_production_name))
        .or_else(|| df.stages.iter().rev().find(|s| !dev(s)))
        .map_or(last, |s| s.index)
}

/// The stage names (or external images) an instruction reads files from:
/// `COPY --from=x`, `RUN --mount=...,from=x`.
pub fn stage_sources(inst: &super::Instruction) -> Vec<String> {
    let mut out = Vec::new();
    if matches!(inst.keyword, Keyword::Copy | Keyword::Add) {
        if let Some(from) = inst.flag("from") {
            out.push(from.to_string());
        }
    }
    if inst.keyword == Keyword::Run {
        for flag in inst.flags.iter().filter(|f| f.name == "mount") {
            let value = flag.value.as_deref().unwrap_or("");
            for part in value.split(',') {
                if let Some(from) = part.strip_prefix("from=") {
                    out.push(from.to_string());
                }
            }
        }
    }
    out
}

/// A stage name the Dockerfile does not use yet: `wanted`, else
/// `wanted-2`, `wanted-3`... Stage names are case-insensitive.
pub fn free_name(df: &Dockerfile, wanted: &str) -> String {
    let taken = |name: &str| {
        df.stages.iter().any(|s: &Stage| {
            s.alias
                .as_deref()
                .is_some_and(|a| a.eq_ignore_ascii_case(name))
        })
    };
    if !taken(wanted) {
        return wanted.to_string();
    }
    (2..)
        .map(|n| format!("{wanted}-{n}"))
        .find(|n| !taken(n))
        .expect("an unused name exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTI: &str = "FROM python:3.12 AS base\nWORKDIR /app\n\
FROM base AS builder\nRUN pip wheel -w /wheels flask\n\
FROM base AS dev\nCMD [\"flask\", \"run\"]\n\
FROM node:22 AS assets\nRUN npm run build\n\
FROM base AS production\nCOPY --from=builder /wheels /wheels\nRUN --mount=type=bind,from=assets,source=/dist,target=/dist cp -r /dist /app/static\n";

    #[test]
    fn final_chain_lineage_and_side_stages() {
        let df = Dockerfile::parse(MULTI, "Dockerfile").unwrap();
        let graph = StageGraph::of(&df);
        assert_eq!(graph.target, 4);
        assert_eq!(graph.shipped(), [4, 0]);
        assert_eq!(graph.lineage(), [0, 1, 3, 4]);
        assert_eq!(graph.side_stages(), [2]);
        assert_eq!(graph.descendants(0), [1, 2, 4]);
        let dev = StageGraph::with_target(&df, 2);
        assert_eq!(dev.shipped(), [2, 0]);
    }

    #[test]
    fn a_development_stage_last_is_not_the_image() {
        let text = "FROM python:3.12 AS base\nFROM base AS test\nRUN pytest\nFROM base AS production\nCMD [\"gunicorn\"]\nFROM base AS dev\nCMD [\"flask\", \"run\"]\n";
        let df = Dockerfile::parse(text, "Dockerfile").unwrap();
        assert_eq!(StageGraph::of(&df).target, 2);
        let text =
            "FROM python:3.12 AS builder\nCMD [\"gunicorn\"]\nFROM builder AS dev-envs\nRUN true\n";
        let mut df = Dockerfile::parse(text, "Dockerfile").unwrap();
        assert_eq!(StageGraph::of(&df).target, 0);
        df.target = Some("dev-envs".into());
        assert_eq!(StageGraph::of(&df).target, 1);
        let df = Dockerfile::parse(MULTI, "Dockerfile").unwrap();
        assert_eq!(StageGraph::of(&df).target, 4);
    }

    #[test]
    fn free_names_never_collide() {
        let df = Dockerfile::parse(MULTI, "Dockerfile").unwrap();
        assert_eq!(free_name(&df, "builder"), "builder-2");
        assert_eq!(free_name(&df, "python-deps"), "python-deps");
        assert_eq!(free_name(&df, "BASE"), "BASE-2");
    }

    #[test]
    fn external_images_are_not_stages() {
        let df = Dockerfile::parse(
            "FROM python:3.12\nCOPY --from=ghcr.io/astral-sh/uv:0.9 /uv /bin/uv\n",
            "Dockerfile",
        )
        .unwrap();
        assert!(StageGraph::of(&df).copies_from[0].is_empty());
    }
}
