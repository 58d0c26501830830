//! Findings: what is wrong today, why, and what it costs.
//!
//! One rule per file, each with its id, name, documentation and tests. Rules
//! read; they never write. The registry below is the one list of them: the
//! `explain` command, the README's rule table and the reports all read it.
//!
//! Ids are `DS` and three digits, grouped by concern:
//! DS1xx build context, DS2xx layer order and caching, DS3xx image size,
//! DS4xx security, DS5xx runtime behaviour.

pub(crate) mod ds101_secret_in_context;
mod ds102_heavy_folder_in_context;
mod ds103_model_files_in_context;
mod ds201_copy_before_dependencies;
mod ds202_apt_update_alone;
mod ds301_compilers_in_final_image;
mod ds302_package_cache_in_layer;
mod ds303_apt_recommends;
mod ds304_dev_dependencies_in_image;
mod ds305_cuda_torch_without_gpu;
mod ds306_model_download_at_build;
mod ds307_alpine_without_musl_wheels;
mod ds308_dev_tool_in_dependencies;
mod ds309_two_http_clients;
mod ds310_unused_dependency;
mod ds311_next_without_standalone;
mod ds312_static_site_served_by_node;
mod ds313_full_base_image;
mod ds314_package_manager_in_image;
mod ds315_tool_unused_at_runtime;
mod ds401_runs_as_root;
mod ds402_unpinned_base_image;
mod ds403_secret_in_env_or_arg;
mod ds404_add_instead_of_copy;
mod ds405_unpinned_package_manager;
mod ds406_no_lock_file;
mod ds501_no_healthcheck;
mod ds502_dev_server;
mod ds503_no_production_server;
mod ds504_shell_form_command;
mod ds505_worker_with_http_healthcheck;
mod ds506_mcp_server_on_loopback;

pub use ds306_model_download_at_build::downloads_model;
pub use ds307_alpine_without_musl_wheels::without_musl_wheels;
pub use ds308_dev_tool_in_dependencies::dev_tools;
pub use ds313_full_base_image::entrypoint_script;
pub use ds502_dev_server::dev_server_kind;

use serde::Serialize;

use crate::detect::Project;
use crate::dockerfile::{Dockerfile, Instruction};
use crate::repo::context::Measure;
use crate::repo::dockerignore::DockerIgnore;
use crate::repo::secrets::SecretFile;
use crate::repo::{Repo, RepoFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A rule's id: `DS` and three digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RuleId {
    DS101,
    DS102,
    DS103,
    DS201,
    DS202,
    DS301,
    DS302,
    DS303,
    DS304,
    DS305,
    DS306,
    DS307,
    DS308,
    DS309,
    DS310,
    DS311,
    DS312,
    DS313,
    DS314,
    DS315,
    DS401,
    DS402,
    DS403,
    DS404,
    DS405,
    DS406,
    DS501,
    DS502,
    DS503,
    DS504,
    DS505,
    DS506,
}

impl RuleId {
    pub const ALL: &'static [RuleId] = &[
        RuleId::DS101,
        RuleId::DS102,
        RuleId::DS103,
        RuleId::DS201,
        RuleId::DS202,
        RuleId::DS301,
        RuleId::DS302,
        RuleId::DS303,
        RuleId::DS304,
        RuleId::DS305,
        RuleId::DS306,
        RuleId::DS307,
        RuleId::DS308,
        RuleId::DS309,
        RuleId::DS310,
        RuleId::DS311,
        RuleId::DS312,
        RuleId::DS313,
        RuleId::DS314,
        RuleId::DS315,
        RuleId::DS401,
        RuleId::DS402,
        RuleId::DS403,
        RuleId::DS404,
        RuleId::DS405,
        RuleId::DS406,
        RuleId::DS501,
        RuleId::DS502,
        RuleId::DS503,
        RuleId::DS504,
        RuleId::DS505,
        RuleId::DS506,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::DS101 => "DS101",
            RuleId::DS102 => "DS102",
            RuleId::DS103 => "DS103",
            RuleId::DS201 => "DS201",
            RuleId::DS202 => "DS202",
            RuleId::DS301 => "DS301",
            RuleId::DS302 => "DS302",
            RuleId::DS303 => "DS303",
            RuleId::DS304 => "DS304",
            RuleId::DS305 => "DS305",
            RuleId::DS306 => "DS306",
            RuleId::DS307 => "DS307",
            RuleId::DS308 => "DS308",
            RuleId::DS309 => "DS309",
            RuleId::DS310 => "DS310",
            RuleId::DS311 => "DS311",
            RuleId::DS312 => "DS312",
            RuleId::DS313 => "DS313",
            RuleId::DS314 => "DS314",
            RuleId::DS315 => "DS315",
            RuleId::DS401 => "DS401",
            RuleId::DS402 => "DS402",
            RuleId::DS403 => "DS403",
            RuleId::DS404 => "DS404",
            RuleId::DS405 => "DS405",
            RuleId::DS406 => "DS406",
            RuleId::DS501 => "DS501",
            RuleId::DS502 => "DS502",
            RuleId::DS503 => "DS503",
            RuleId::DS504 => "DS504",
            RuleId::DS505 => "DS505",
            RuleId::DS506 => "DS506",
        }
    }

    /// The id a user typed, in any case.
    pub fn parse(text: &str) -> Option<RuleId> {
        Self::ALL
            .iter()
            .copied()
            .find(|id| id.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's identity and documentation, shown by `dockslim explain`.
#[derive(Debug, Serialize)]
pub struct RuleDoc {
    pub id: RuleId,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
    pub example: &'static str,
    /// Whether `rewrite` fixes it by editing the Dockerfile, and whether
    /// that fix can change what the image does; `None` when the fix is the
    /// user's to make (or is made in another file, such as .dockerignore).
    pub fix_safety: Option<crate::edit::Safety>,
    /// What the automatic fix risks, said plainly (for unsafe fixes).
    pub fix_risk: &'static str,
}

/// One problem, where it is, and what it costs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub rule: RuleId,
    pub name: &'static str,
    pub severity: Severity,
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
    pub fix: &'static str,
    /// Bytes this problem costs, where they can be measured without a build.
    pub bytes: Option<u64>,
}

impl Finding {
    pub fn new(
        doc: &RuleDoc,
        file: impl Into<String>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: doc.id,
            name: doc.name,
            severity: doc.severity,
            file: file.into(),
            line,
            message: message.into(),
            fix: doc.fix,
            bytes: None,
        }
    }

    pub fn with_bytes(mut self, bytes: u64) -> Finding {
        self.bytes = Some(bytes);
        self
    }

    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        }
    }
}

pub trait Rule: Sync {
    fn doc(&self) -> &'static RuleDoc;
    fn check(&self, cx: &Context) -> Vec<Finding>;
    /// The fixes of this rule's findings on the Dockerfile as it is now,
    /// or why one cannot be made. Rules without an automatic fix have none.
    fn fix(&self, _cx: &crate::edit::FixContext) -> Vec<crate::edit::Outcome> {
        Vec::new()
    }
}

/// The registry: every rule, in id order.
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &ds101_secret_in_context::SecretInContext,
        &ds102_heavy_folder_in_context::HeavyFolderInContext,
        &ds103_model_files_in_context::ModelFilesInContext,
        &ds201_copy_before_dependencies::CopyBeforeDependencies,
        &ds202_apt_update_alone::AptUpdateAlone,
        &ds301_compilers_in_final_image::CompilersInFinalImage,
        &ds302_package_cache_in_layer::PackageCacheInLayer,
        &ds303_apt_recommends::AptRecommends,
        &ds304_dev_dependencies_in_image::DevDependenciesInImage,
        &ds305_cuda_torch_without_gpu::CudaTorchWithoutGpu,
        &ds306_model_download_at_build::ModelDownloadAtBuild,
        &ds307_alpine_without_musl_wheels::AlpineWithoutMuslWheels,
        &ds308_dev_tool_in_dependencies::DevToolInDependencies,
        &ds309_two_http_clients::TwoHttpClients,
        &ds310_unused_dependency::UnusedDependency,
        &ds311_next_without_standalone::NextWithoutStandalone,
        &ds312_static_site_served_by_node::StaticSiteServedByNode,
        &ds313_full_base_image::FullBaseImage,
        &ds314_package_manager_in_image::PackageManagerInImage,
        &ds315_tool_unused_at_runtime::ToolUnusedAtRuntime,
        &ds401_runs_as_root::RunsAsRoot,
        &ds402_unpinned_base_image::UnpinnedBaseImage,
        &ds403_secret_in_env_or_arg::SecretInEnvOrArg,
        &ds404_add_instead_of_copy::AddInsteadOfCopy,
        &ds405_unpinned_package_manager::UnpinnedPackageManager,
        &ds406_no_lock_file::NoLockFile,
        &ds501_no_healthcheck::NoHealthcheck,
        &ds502_dev_server::DevServer,
        &ds503_no_production_server::NoProductionServer,
        &ds504_shell_form_command::ShellFormCommand,
        &ds505_worker_with_http_healthcheck::WorkerWithHttpHealthcheck,
        &ds506_mcp_server_on_loopback::McpServerOnLoopback,
    ]
}

/// Fixes that depend on what the image finally holds (the folders its app
/// writes, its port and command): applied once every other fix is done.
pub const LAST: &[RuleId] = &[RuleId::DS401, RuleId::DS501];

/// Fixes that go before all others, in rounds of their own: the install
/// hygiene, so that the steps a builder stage takes over are already clean
/// when they move, and so are the steps that stay.
pub const FIRST: &[RuleId] = &[RuleId::DS202, RuleId::DS302, RuleId::DS303];

/// The rules with fixes, in the order their fixes win when two touch the
/// same bytes: the install hygiene (see [`FIRST`]), then the fixes that
/// restructure (a builder stage, the order of the dependency layer) before
/// those that tune one instruction.
pub fn fix_order() -> Vec<&'static dyn Rule> {
    const ORDER: &[RuleId] = &[
        RuleId::DS202,
        RuleId::DS302,
        RuleId::DS303,
        RuleId::DS301,
        RuleId::DS314,
        RuleId::DS312,
        RuleId::DS311,
        RuleId::DS201,
        RuleId::DS313,
        RuleId::DS315,
        RuleId::DS402,
        RuleId::DS405,
        RuleId::DS304,
        RuleId::DS305,
        RuleId::DS308,
        RuleId::DS306,
        RuleId::DS502,
        RuleId::DS503,
        RuleId::DS504,
        // The command settled, the MCP server's address before its probe.
        RuleId::DS506,
        RuleId::DS404,
        RuleId::DS403,
        RuleId::DS401,
        RuleId::DS501,
    ];
    ORDER
        .iter()
        .filter_map(|id| all().iter().copied().find(|r| r.doc().id == *id))
        .collect()
}

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    all()
        .iter()
        .copied()
        .find(|r| r.doc().id.as_str().eq_ignore_ascii_case(id))
}

/// What the rules look at.
pub struct Context<'a> {
    pub repo: &'a Repo,
    pub project: Option<&'a Project>,
    /// The profile the proposal would use (its table of packages that
    /// compile against system libraries).
    pub profile: &'a crate::profile::Profile,
    pub dockerfile: Option<&'a Dockerfile>,
    /// The ignore file Docker uses today (empty when there is none), and its name.
    pub ignore: &'a DockerIgnore,
    pub ignore_file: &'a str,
    /// The build context under today's ignore file.
    pub context: &'a Measure,
    /// Secret files of the repository, sent or not.
    pub secrets: &'a [SecretFile],
    /// The team's settings (dockslim.yaml, `--set`).
    pub config: &'a crate::config::Config,
}

impl Context<'_> {
    /// Files Docker sends with today's ignore file.
    pub fn sent_files(&self) -> impl Iterator<Item = &RepoFile> {
        self.repo
            .files
            .iter()
            .zip(&self.context.sent)
            .filter(|(_, sent)| **sent)
            .map(|(f, _)| f)
    }

    pub fn is_sent(&self, path: &str) -> bool {
        self.repo
            .files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .is_ok_and(|i| self.context.sent[i])
    }

    /// The first COPY or ADD of the whole context in the final stage.
    pub fn whole_context_copy(&self) -> Option<&Instruction> {
        let df = self.dockerfile?;
        df.lineage_stages()
            .into_iter()
            .flat_map(|s| s.instructions.iter())
            .find(|i| i.copies_whole_context())
    }
}

/// Runs every rule, then drops suppressed findings: `# dockslim ignore=DS402`
/// on the line above, or an id in `ignored`.
pub fn check(cx: &Context, ignored: &[String]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = all().iter().flat_map(|r| r.check(cx)).collect();
    findings.retain(|f| {
        !ignored
            .iter()
            .any(|i| i.eq_ignore_ascii_case(f.rule.as_str()))
    });
    if let Some(df) = cx.dockerfile {
        let lines: Vec<&str> = df.text.lines().collect();
        findings.retain(|f| {
            if f.file != df.path {
                return true;
            }
            let Some(line) = f.line else { return true };
            let above = line
                .checked_sub(2)
                .and_then(|i| lines.get(i))
                .copied()
                .unwrap_or("");
            !suppresses(above, f.rule.as_str())
        });
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.rule.cmp(&b.rule))
            .then(a.file.cmp(&b.file))
            .then(a.line.cmp(&b.line))
    });
    findings
}

fn suppresses(comment_line: &str, rule: &str) -> bool {
    let Some(rest) = comment_line.trim().strip_prefix('#') else {
        return false;
    };
    let Some(list) = rest.trim().strip_prefix("dockslim ignore=") else {
        return false;
    };
    list.split(',')
        .any(|id| id.trim().eq_ignore_ascii_case(rule))
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for rule tests: a repository on disk and a context over it.
    use super::*;

    /// A Hono server on Bun that writes `uploads/` and answers /health on
    /// 8080, without its Dockerfile: the rules' oven/bun tests add theirs.
    pub const BUN_HONO: &[(&str, &str)] = &[
        (
            "package.json",
            "{\"name\": \"api\", \"scripts\": {\"start\": \"bun run index.ts\"}, \"dependencies\": {\"hono\": \"4\"}}",
        ),
        ("bun.lock", "{}\n"),
        (
            "index.ts",
            "import { mkdirSync } from 'node:fs';\nimport { Hono } from 'hono';\nmkdirSync('uploads', { recursive: true });\nconst app = new Hono();\napp.get('/health', (c) => c.text('ok'));\nexport default { port: 8080, fetch: app.fetch };\n",
        ),
    ];

    pub struct Fixture {
        _dir: tempfile::TempDir,
        pub repo: Repo,
        pub dockerfile: Option<Dockerfile>,
        pub ignore: DockerIgnore,
        pub project: Option<Project>,
        pub context: Measure,
        pub secrets: Vec<SecretFile>,
        pub profile: crate::profile::Profile,
        pub config: crate::config::Config,
    }

    impl Fixture {
        pub fn new(files: &[(&str, &str)]) -> Fixture {
            let (dir, repo) = crate::repo::temp_repo(files);
            let dockerfile = repo
                .read_text("Dockerfile")
                .unwrap()
                .map(|t| Dockerfile::parse(&t, "Dockerfile").unwrap());
            let ignore = repo
                .read_text(".dockerignore")
                .unwrap()
                .map(|t| DockerIgnore::parse(&t, ".dockerignore").unwrap())
                .unwrap_or_default();
            let project = crate::detect::detect(&repo, &Default::default(), &[]).ok();
            let context = crate::repo::context::measure(&repo, &ignore);
            let secrets = crate::repo::secrets::scan(&repo);
            let profile = crate::profile::ProfileSource::new(None)
                .unwrap()
                .load("python")
                .unwrap();
            let config = crate::config::load(&repo, &[]).unwrap().config;
            Fixture {
                config,
                profile,
                _dir: dir,
                repo,
                dockerfile,
                ignore,
                project,
                context,
                secrets,
            }
        }

        pub fn check(&self, rule: &dyn Rule) -> Vec<Finding> {
            let cx = Context {
                repo: &self.repo,
                profile: &self.profile,
                project: self.project.as_ref(),
                dockerfile: self.dockerfile.as_ref(),
                ignore: &self.ignore,
                ignore_file: ".dockerignore",
                context: &self.context,
                secrets: &self.secrets,
                config: &self.config,
            };
            rule.check(&cx)
        }

        pub fn lines(&self, rule: &dyn Rule) -> Vec<Option<usize>> {
            self.check(rule).iter().map(|f| f.line).collect()
        }

        /// The proposal of `rewrite --only rule`: a fix tested through the
        /// whole edit engine.
        fn proposal_of(&self, rule: RuleId) -> crate::Proposal {
            let opts = crate::Options {
                dir: self._dir.path().to_path_buf(),
                only: vec![rule.as_str().to_string()],
                ..Default::default()
            };
            crate::propose(&crate::analyze(&opts).unwrap(), &opts).unwrap()
        }

        /// The Dockerfile after `rewrite --only rule`, and the rules whose
        /// fix was held back.
        pub fn fixed(&self, rule: RuleId) -> (String, Vec<RuleId>) {
            let proposal = self.proposal_of(rule);
            let blocked = proposal.blocked.iter().map(|b| b.rule).collect();
            (proposal.dockerfile().new.clone(), blocked)
        }

        /// Why `rule`'s fix was held back, for each place it was.
        pub fn blocked_reasons(&self, rule: RuleId) -> Vec<String> {
            let proposal = self.proposal_of(rule);
            let reasons = proposal.blocked.iter().filter(|b| b.rule == rule);
            reasons.map(|b| b.why.clone()).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_ids_are_unique_sorted_and_documented() {
        let ids: Vec<RuleId> = all().iter().map(|r| r.doc().id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for rule in all() {
            let doc = rule.doc();
            assert!(doc.id.as_str().len() == 5, "{}", doc.id);
            for (what, text) in [
                ("summary", doc.summary),
                ("why", doc.why),
                ("fix", doc.fix),
                ("example", doc.example),
            ] {
                assert!(!text.trim().is_empty(), "{} has no {what}", doc.id);
            }
        }
    }

    #[test]
    fn inline_comment_suppresses_the_line_below() {
        let fx = testing::Fixture::new(&[
            ("requirements.txt", "flask\ngunicorn\n"),
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            (
                "Dockerfile",
                "# dockslim ignore=DS402\nFROM python\nCMD [\"gunicorn\", \"app:app\"]\n",
            ),
        ]);
        let cx = Context {
            repo: &fx.repo,
            profile: &fx.profile,
            project: fx.project.as_ref(),
            dockerfile: fx.dockerfile.as_ref(),
            ignore: &fx.ignore,
            ignore_file: ".dockerignore",
            context: &fx.context,
            secrets: &fx.secrets,
            config: &fx.config,
        };
        let ids: Vec<_> = check(&cx, &[]).iter().map(|f| f.rule).collect();
        assert!(!ids.contains(&RuleId::DS402), "{ids:?}");
        assert!(ids.contains(&RuleId::DS401), "{ids:?}");
        let ids: Vec<_> = check(&cx, &["ds401".to_string()])
            .iter()
            .map(|f| f.rule)
            .collect();
        assert!(!ids.contains(&RuleId::DS401));
    }
}
