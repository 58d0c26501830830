//! DS401 runs-as-root
//!
//! What it finds: a final stage with no USER instruction, or whose last USER
//! is root.
//! Why it matters: a process that breaks out of the app runs as root in the
//! container, which with a kernel bug or a careless mount is root on the
//! host; many platforms (OpenShift, restricted Kubernetes policies) refuse
//! such images outright.
//! Fix: create a system user with a fixed UID and switch to it before CMD.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::dockerfile::image::ImageRef;
use crate::dockerfile::script::Script;
use crate::dockerfile::{shell, Keyword};
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct RunsAsRoot;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS401,
    name: "runs-as-root",
    severity: Severity::Warning,
    summary: "The container runs as root.",
    why: "A compromised app then has root inside the container, one kernel bug or careless mount away from root on the host; restricted Kubernetes and OpenShift policies reject such images.",
    fix: "Create a user with a fixed UID (useradd --uid 10001) and switch to it with USER before CMD; give it ownership only of what it must write.",
    example: "Before:\n  CMD [\"gunicorn\", \"app:app\"]\nAfter:\n  RUN useradd --system --uid 10001 app\n  USER app\n  CMD [\"gunicorn\", \"app:app\"]",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "the app can no longer write where dockslim sees no evidence that it writes; a write elsewhere fails with permission denied. The evidence: folders the Dockerfile creates or declares as VOLUME, compose mounts, log and pid files its command names, and what the code writes (os.makedirs, open for writing, log files, SQLite databases, MEDIA_ROOT and folder settings, Flask's instance folder, Node's fs writes and SQLite files), each named in the reason with its file and line.",
};

impl Rule for RunsAsRoot {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(df) = cx.dockerfile else {
            return Vec::new();
        };
        let chain = df.shipped_stages();
        let last_user = chain.iter().find_map(|s| {
            s.instructions
                .iter()
                .rev()
                .find(|i| i.keyword == crate::dockerfile::Keyword::User)
        });
        match last_user {
            None => vec![Finding::new(
                &DOC,
                df.path.clone(),
                Some(df.image_stage().line),
                "no USER instruction: the app runs as root",
            )],
            Some(u) => {
                let user = u.text().trim().split(':').next().unwrap_or("");
                if user == "root" || user == "0" {
                    vec![Finding::new(
                        &DOC,
                        df.path.clone(),
                        Some(u.line),
                        "USER switches to root for the final image",
                    )]
                } else {
                    Vec::new()
                }
            }
        }
    }

    /// A system user with a fixed UID (the image's own `node` user for
    /// Node images), owning only the folders the app writes, and USER
    /// after the last step that needs root.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        if let Some(user) = cx.effective(Keyword::User) {
            let who = user.text().trim().split(':').next().unwrap_or("");
            if who == "root" || who == "0" {
                return vec![cx.blocked(DOC.id, Some(user.line), "the Dockerfile switches to root on purpose; dockslim leaves that choice to you")];
            }
            return Vec::new();
        }
        let target = cx.target();
        // Stages built FROM the image's stage (a dev stage on top of
        // production) would inherit the USER: they get root back first
        // thing, so they run as they did. Numeric, as hadolint's DL3066
        // asks; hadolint's DL3002 (last USER is root) is silenced with a
        // comment saying why, since that stage is not the image.
        let heirs: Vec<&crate::dockerfile::Stage> = cx
            .graph
            .descendants(target.index)
            .into_iter()
            .map(|i| &cx.df.stages[i])
            .filter(|s| cx.graph.parent[s.index] == Some(target.index))
            .collect();
        if let Some(why) = drops_privileges(cx) {
            return vec![cx.blocked(DOC.id, Some(target.line), why)];
        }
        if let Some((port, from)) = crate::edit::facts::port(cx).filter(|(p, _)| *p < 1024) {
            return vec![cx.blocked(DOC.id, Some(target.line), format!("the app listens on port {port} ({from}): a non-root user may bind it under Docker 20.10 and later, but not under Kubernetes or older engines; move the app to a port above 1023 first"))];
        }
        let workdir = cx
            .df
            .intent_of(&cx.graph)
            .workdir
            .unwrap_or_else(|| "/".into());
        if let Some(why) = writes_in_root(cx, &workdir) {
            return vec![cx.blocked(DOC.id, Some(target.line), format!("the app writes in / ({why}): no user but root can create files there; give what it writes a folder of its own (a setting or volume), then run as a user"))];
        }
        if let Some(line) = model_in_roots_cache(cx) {
            return vec![cx.blocked(DOC.id, Some(line), "this RUN downloads a model into root's cache at build time, which the app user would not find; DS306 moves the download to the first start")];
        }
        if let Some((line, stage)) = root_local_of_other_tools(cx) {
            return vec![cx.blocked(DOC.id, Some(line), format!("this COPY takes /root/.local from stage {stage}, where no pip install --user put it (uv's managed Python and tools live there, and a venv's interpreter may link into it); root's home is private to other users, so install them elsewhere (UV_PYTHON_INSTALL_DIR=/opt/python, a venv under /opt) before running as a user"))];
        }
        if let Some(line) = user_install_as_root(cx) {
            return vec![cx.blocked(DOC.id, Some(line), "this RUN installs with pip --user into /root/.local, which no other user can read (root's home is private); install without --user (into the image's Python or a venv), then run as a user")];
        }
        let image = ImageRef::parse(&cx.df.base_image_of(target));
        if matches!(
            image.name.as_str(),
            "nginx" | "httpd" | "haproxy" | "traefik" | "php" | "tomcat"
        ) {
            return vec![cx.blocked(DOC.id, Some(target.line), format!("{} starts as root and hands its work to an unprivileged worker itself; running it as a user needs a config with a port above 1023 and its temporary files elsewhere (the -unprivileged images do this)", image.name))];
        }
        let alpine = image.tag.as_deref().is_some_and(|t| t.contains("alpine"))
            || image.name == "alpine"
            || cx
                .shipped()
                .iter()
                .flat_map(|s| s.run_commands())
                .any(|c| shell::program(&c.words).1 == "apk");
        let config = cx.inputs.config.user.as_ref();
        let profile = &cx.inputs.profile.user;
        let uid = config.and_then(|u| u.uid).unwrap_or(profile.uid);
        let wanted = config
            .and_then(|u| u.name.clone())
            .unwrap_or_else(|| profile.name.clone());
        let create = if alpine {
            format!("RUN addgroup -S -g {uid} {wanted} \\\n && adduser -S -D -u {uid} -G {wanted} -h /home/{wanted} -s /sbin/nologin {wanted}")
        } else {
            format!("RUN groupadd --system --gid {uid} {wanted} \\\n && useradd --system --uid {uid} --gid {wanted} --no-log-init \\\n      --create-home --home-dir /home/{wanted} --shell /usr/sbin/nologin {wanted}")
        };
        // A COPY --chown to the user the fix creates, before any step
        // creates it, fails to build ("unable to find user"): the user must
        // exist before that line.
        let chowned_early = target.instructions.iter().find(|i| {
            i.flag("chown").is_some_and(|c| {
                let who = c.split(':').next().unwrap_or(c);
                who == wanted
            })
        });
        let dirs = writable_dirs(cx);
        let dir_list: Vec<&str> = dirs.iter().map(|(d, _)| d.as_str()).collect();
        // The user the base image ships for its apps: node's, or Bun's.
        let shipped = if image.is_node() {
            Some(("node", "the Node image"))
        } else if image.is_bun() {
            Some(("bun", "the oven/bun image"))
        } else {
            None
        };
        let (text, who) = match (existing_user(cx), shipped) {
            (Some(name), _) => {
                let mut text = String::new();
                if !dirs.is_empty() {
                    text.push_str(&format!(
                        "RUN mkdir -p {0} \\\n && chown {name}:{name} {0}\n",
                        dir_list.join(" ")
                    ));
                }
                text.push_str(&format!("USER {name}"));
                (
                    text,
                    format!("{name}, the user the Dockerfile already creates"),
                )
            }
            (None, Some((user, image))) => {
                let mut text = String::new();
                if !dirs.is_empty() {
                    text.push_str(&format!(
                        "RUN mkdir -p {0} \\\n && chown {user}:{user} {0}\n",
                        dir_list.join(" ")
                    ));
                }
                text.push_str("USER 1000:1000");
                (text, format!("{user} (uid 1000), the user {image} ships"))
            }
            (None, None) if chowned_early.is_some() => {
                // The user is created before the first COPY --chown to it
                // (below); here the folders it writes, and USER.
                let mut text = String::new();
                if !dirs.is_empty() {
                    text.push_str(&format!(
                        "RUN mkdir -p {0} \\\n && chown {wanted}:{wanted} {0}\n",
                        dir_list.join(" ")
                    ));
                }
                text.push_str(&format!("USER {uid}:{uid}"));
                (text, format!("{wanted} (uid {uid}), a system user, created before the first COPY --chown to it (that line failed to build without it); USER names the UID so Kubernetes' runAsNonRoot can verify it"))
            }
            (None, None) => {
                let mut text = create.clone();
                if !dirs.is_empty() {
                    text.push_str(&format!(
                        " \\\n && mkdir -p {0} \\\n && chown {wanted}:{wanted} {0}",
                        dir_list.join(" ")
                    ));
                }
                text.push_str(&format!("\nUSER {uid}:{uid}"));
                (text, format!("{wanted} (uid {uid}), a system user; USER names the UID so Kubernetes' runAsNonRoot can verify it"))
            }
        };
        // After the last step that builds the image, before its metadata.
        let anchor = target
            .instructions
            .iter()
            .rev()
            .find(|i| {
                matches!(
                    i.keyword,
                    Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Workdir
                )
            })
            .unwrap_or(&target.from);
        let mut reason = format!("the app runs as {who}");
        let binds: Vec<String> =
            crate::detect::compose::building(&cx.inputs.project.compose, &cx.original.path)
                .into_iter()
                .flat_map(|s| s.volumes.iter().filter(|m| m.bind).map(move |m| (s, m)))
                .filter(|(_, m)| {
                    dirs.iter()
                        .any(|(d, _)| d.starts_with(m.target.trim_end_matches('/')))
                })
                .map(|(s, m)| {
                    format!(
                        "{} mounts {} at {}",
                        s.name,
                        m.source.clone().unwrap_or_default(),
                        m.target
                    )
                })
                .collect();
        if dirs.is_empty() {
            reason.push_str("; nothing shows the app writing anywhere, so it owns no folder and the source stays read-only to it");
        } else {
            reason.push_str(&format!(
                "; it owns only what it writes: {}",
                dirs.iter()
                    .map(|(d, why)| format!("{d} ({why})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !binds.is_empty() {
            reason.push_str(&format!(
                "; compose bind-mounts host folders where the app writes ({}): the host folder must be writable by that user's UID (chown it, or set `user:` in compose)",
                binds.join(", ")
            ));
        }
        let mut edits = vec![cx.writer().insert_after(anchor, &text)];
        if let (Some(first), None, None) = (chowned_early, existing_user(cx), shipped) {
            edits.push(cx.writer().insert_before(first, &create));
        }
        let home = match (existing_user(cx), shipped) {
            (Some(name), _) => format!("/home/{name}"),
            (None, Some((user, _))) => format!("/home/{user}"),
            (None, None) => format!("/home/{wanted}"),
        };
        let moved = user_site_moved(cx, &home);
        if !moved.is_empty() {
            reason.push_str(&format!(
                "; the packages pip installed with --user move from /root/.local (root's home, which no other user can read) to {home}/.local, the user's own, where Python looks for them"
            ));
            edits.extend(moved);
        }
        for heir in &heirs {
            let text = format!(
                "# `{}` ran as root before the image's stage got a user; it still does\n# hadolint ignore=DL3002\nUSER 0",
                heir.name()
            );
            edits.push(cx.writer().insert_after(&heir.from, &text));
        }
        if !heirs.is_empty() {
            reason.push_str(&format!(
                "; stage {} is built FROM it and gets `USER 0` (root) back, so it runs as it did",
                heirs
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        vec![Outcome::Fix(Fix {
            rule: DOC.id,
            line: target.line,
            title: "a non-root user runs the app".into(),
            reason,
            safety: Safety::Unsafe,
            edits,
            files: vec![],
            reshapes: false,
        })]
    }
}

/// The image drops root itself: its entrypoint switches user with gosu,
/// su-exec, setpriv, runuser, chpst or su, which fail without root.
fn drops_privileges(cx: &FixContext) -> Option<String> {
    const SWITCHERS: &[&str] = &[
        "gosu",
        "su-exec",
        "setpriv",
        "runuser",
        "chpst",
        "su",
        "s6-setuidgid",
        "setuidgid",
    ];
    for keyword in [Keyword::Entrypoint, Keyword::Cmd] {
        let Some(inst) = cx.effective(keyword) else {
            continue;
        };
        let Some(command) = inst.command() else {
            continue;
        };
        let words = command.words();
        if let Some(why) = server_switches_user(cx, &words) {
            return Some(why);
        }
        let mut texts = vec![words.join(" ")];
        if let Some(script) = crate::rules::entrypoint_script(cx, &words) {
            texts.push(script);
        }
        for text in texts {
            for c in &Script::parse(&text).commands {
                let words = c.texts();
                let prog = shell::program(&words).1;
                if SWITCHERS.contains(&prog) {
                    return Some(format!(
                        "the {} runs {prog}, which switches to a user of its own and needs to start as root",
                        keyword.as_str()
                    ));
                }
            }
        }
    }
    None
}

/// gunicorn or uWSGI told to switch user (`--user`, a config file's
/// `user =`, `--uid`): they start as root to do it.
fn server_switches_user(cx: &FixContext, words: &[String]) -> Option<String> {
    let program = words.first().map(|w| w.rsplit('/').next().unwrap_or(w))?;
    let cmd = cx
        .effective(Keyword::Cmd)
        .and_then(|i| i.command())
        .map(|c| c.words())
        .unwrap_or_default();
    let all: Vec<&String> = words.iter().chain(cmd.iter()).collect();
    let flag = all.iter().any(|w| {
        matches!(
            w.as_str(),
            "--user" | "-u" | "--group" | "-g" | "--uid" | "--gid"
        ) || w.starts_with("--user=")
            || w.starts_with("--uid=")
    });
    let is_server = |p: &str| matches!(p, "gunicorn" | "uwsgi");
    if flag
        && (is_server(program)
            || all
                .iter()
                .any(|w| is_server(w.rsplit('/').next().unwrap_or(w))))
    {
        return Some(
            "the server is told to switch user itself (--user), which needs it to start as root"
                .into(),
        );
    }
    let config = all
        .windows(2)
        .find(|w| matches!(w[0].as_str(), "--config" | "-c"))
        .map(|w| w[1].clone())
        .or_else(|| {
            all.iter()
                .find_map(|w| w.strip_prefix("--config=").map(str::to_string))
        })?;
    let rel = config.trim_start_matches("./");
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let file = cx
        .inputs
        .repo
        .files
        .iter()
        .find(|f| f.path == rel || f.path.ends_with(&format!("/{name}")))?;
    let text = cx.inputs.repo.read_text(&file.path).ok().flatten()?;
    text.lines()
        .any(|l| {
            let l = l.trim_start();
            l.starts_with("user =")
                || l.starts_with("user=")
                || l.starts_with("group =")
                || l.starts_with("uid =")
        })
        .then(|| {
            format!(
                "{} sets the user the server switches to, which needs it to start as root",
                file.path
            )
        })
}

/// A RUN that loads a Hub model into the default cache (under /root) at
/// build time, with no cache folder set.
fn model_in_roots_cache(cx: &FixContext) -> Option<usize> {
    let cache_set = cx.df.intent_of(&cx.graph).env.iter().any(|(k, _, _)| {
        matches!(
            k.as_str(),
            "HF_HOME" | "HF_HUB_CACHE" | "TRANSFORMERS_CACHE" | "SENTENCE_TRANSFORMERS_HOME"
        )
    });
    if cache_set {
        return None;
    }
    cx.shipped()
        .iter()
        .flat_map(|s| s.runs())
        .find_map(|(inst, cmds)| {
            cmds.iter()
                .any(|c| {
                    crate::rules::downloads_model(&c.join(" ")).is_some_and(|w| w.contains("Hub"))
                })
                .then_some(inst.line)
        })
}

/// A RUN of the shipped stages that installs with `pip install --user`
/// as root: the packages land in /root/.local, which the app user can
/// neither read nor find (Python looks in its own home's .local).
fn user_install_as_root(cx: &FixContext) -> Option<usize> {
    cx.shipped()
        .iter()
        .flat_map(|s| s.run_commands())
        .find(|c| is_user_install(&c.words))
        .map(|c| c.inst.line)
}

/// `pip install --user ...` (or `python -m pip`).
fn is_user_install(words: &[String]) -> bool {
    let (i, prog) = shell::program(words);
    let rest = &words[(i + 1).min(words.len())..];
    let pip = matches!(prog, "pip" | "pip3")
        || (prog.starts_with("python") && rest.starts_with(&["-m".into(), "pip".into()]));
    pip && rest.iter().any(|w| w == "install") && rest.iter().any(|w| w == "--user")
}

/// A `COPY --from=STAGE /root/.local ...` of something other than pip's
/// user site (uv's managed Python and tools live there too, and a venv's
/// interpreter may point into it): root's home is private, and moving it
/// would break those links. The line, and the stage it copies from.
fn root_local_of_other_tools(cx: &FixContext) -> Option<(usize, String)> {
    use crate::dockerfile::Args;
    cx.shipped()
        .iter()
        .flat_map(|s| s.instructions.iter())
        .find_map(|inst| {
            let from = inst.flag("from")?;
            let Args::Copy { sources, .. } = &inst.args else {
                return None;
            };
            if !sources
                .iter()
                .any(|s| s.trim_end_matches('/') == "/root/.local")
            {
                return None;
            }
            let stage = cx
                .df
                .stage_named(from)
                .or_else(|| from.parse::<usize>().ok().and_then(|i| cx.df.stages.get(i)));
            let pip_user =
                stage.is_some_and(|s| s.run_commands().iter().any(|c| is_user_install(&c.words)));
            (!pip_user).then(|| (inst.line, from.to_string()))
        })
}

/// Edits that move root's user site (`COPY --from=builder /root/.local
/// /root/.local`, the builder's `pip install --user`) to the app user's
/// home, and the ENV lines (PATH, PYTHONUSERBASE) that name it: Python
/// finds user packages under `$HOME/.local`, and root's home is private.
fn user_site_moved(cx: &FixContext, home: &str) -> Vec<crate::edit::Edit> {
    use crate::dockerfile::Args;
    let mut edits = Vec::new();
    for stage in cx.shipped() {
        for inst in &stage.instructions {
            match (&inst.keyword, &inst.args) {
                (
                    Keyword::Copy,
                    Args::Copy {
                        dest, dest_span, ..
                    },
                ) if inst.flag("from").is_some()
                    && dest.trim_end_matches('/') == "/root/.local" =>
                {
                    let slash = if dest.ends_with('/') { "/" } else { "" };
                    edits.push(
                        cx.writer()
                            .replace(dest_span.clone(), &format!("{home}/.local{slash}")),
                    );
                }
                (Keyword::Env, Args::Text { text, span }) if text.contains("/root/.local") => {
                    edits.push(cx.writer().replace(
                        span.clone(),
                        &text.replace("/root/.local", &format!("{home}/.local")),
                    ));
                }
                _ => {}
            }
        }
    }
    edits
}

/// The user the shipped stages create (`useradd app`, `adduser -D app`).
fn existing_user(cx: &FixContext) -> Option<String> {
    for stage in cx.shipped() {
        for c in stage.run_commands() {
            let (i, prog) = shell::program(&c.words);
            if matches!(prog, "useradd" | "adduser") {
                if let Some(name) = c.words[i + 1..].iter().rev().find(|w| !w.starts_with('-')) {
                    return Some(name.clone());
                }
            }
        }
    }
    None
}

/// The folders the app writes at run time, absolute, with the evidence:
/// what the shipped stages create (mkdir) or declare (VOLUME), what compose
/// mounts, and Flask's instance folder when the app keeps SQLite there.
pub fn writable_dirs(cx: &FixContext) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |dir: String, why: String| {
        let dir = crate::repo::dockerignore::go_clean(&dir);
        let dir = if dir.starts_with('/') {
            dir
        } else {
            format!("/{dir}")
        };
        if !matches!(dir.as_str(), "/" | "/tmp" | "/var/tmp") && !out.iter().any(|(d, _)| *d == dir)
        {
            out.push((dir, why));
        }
    };
    let target = cx.target();
    let intent = cx.df.intent_of(&cx.graph);
    let workdir = intent.workdir.clone().unwrap_or_else(|| "/".into());
    let abs = |dir: &str, base: &str| {
        if dir.starts_with('/') {
            dir.to_string()
        } else if dir == "." {
            base.to_string()
        } else {
            format!(
                "{}/{}",
                base.trim_end_matches('/'),
                dir.trim_start_matches("./")
            )
        }
    };
    for stage in cx.shipped() {
        let mut wd = "/".to_string();
        for inst in &stage.instructions {
            if inst.keyword == Keyword::Workdir {
                wd = abs(inst.text().trim(), &wd);
            }
            for c in inst.commands() {
                let (i, prog) = shell::program(&c);
                if prog == "mkdir" {
                    for d in c[i + 1..].iter().filter(|w| !w.starts_with('-')) {
                        add(abs(d, &wd), format!("created at line {}", inst.line));
                    }
                }
                // `chown owner path...`: the file meant someone to write it.
                if prog == "chown" {
                    let mut operands = c[i + 1..].iter().filter(|w| !w.starts_with('-'));
                    let _owner = operands.next();
                    for d in operands {
                        add(abs(d, &wd), format!("chowned at line {}", inst.line));
                    }
                }
            }
        }
    }
    for (key, value, line) in &intent.env {
        let cache = matches!(
            key.as_str(),
            "HF_HOME"
                | "HF_HUB_CACHE"
                | "TRANSFORMERS_CACHE"
                | "SENTENCE_TRANSFORMERS_HOME"
                | "TORCH_HOME"
                | "XDG_CACHE_HOME"
        );
        if cache && value.starts_with('/') {
            add(
                value.clone(),
                format!("{key} at line {line}, a cache the app fills"),
            );
        }
    }
    for (volume, line) in &intent.volumes {
        add(abs(volume, &workdir), format!("VOLUME at line {line}"));
    }
    let services = crate::detect::compose::building(&cx.inputs.project.compose, &cx.original.path);
    for service in services {
        let target_stage = service.build.as_ref().and_then(|b| b.target.as_deref());
        if target_stage.is_some_and(|t| !t.eq_ignore_ascii_case(&target.name())) {
            continue;
        }
        for m in &service.volumes {
            if m.target.trim_end_matches('/') == workdir.trim_end_matches('/')
                || !m.target.starts_with('/')
            {
                continue;
            }
            add(
                m.target.clone(),
                format!("mounted by {} in {}", service.name, service.file),
            );
        }
    }
    // Files the commands write: the image's and those compose runs it with.
    let mut commands: Vec<(Vec<String>, String)> = Vec::new();
    for keyword in [Keyword::Entrypoint, Keyword::Cmd] {
        if let Some(inst) = cx.effective(keyword) {
            if let Some(c) = inst.command() {
                commands.push((
                    c.words(),
                    format!("the {} at line {}", keyword.as_str(), inst.line),
                ));
            }
        }
    }
    for service in crate::detect::compose::building(&cx.inputs.project.compose, &cx.original.path) {
        for text in service.command.iter().chain(&service.entrypoint) {
            let words = shlex::split(text).unwrap_or_default();
            commands.push((words, format!("the command compose gives {}", service.name)));
        }
    }
    for (words, whose) in &commands {
        for (dir, what) in written_by_command(words) {
            add(abs(&dir, &workdir), format!("{what}, by {whose}"));
        }
    }
    // What the team says the app writes (`writable:`).
    for dir in &cx.inputs.config.writable {
        add(
            abs(dir, &workdir),
            "named in `writable:` in the configuration".into(),
        );
    }
    // What the app's code writes, placed where the image has the code.
    let copied = |p: &str| crate::edit::facts::repo_path_in_image(cx, p);
    let env = crate::edit::facts::image_env(cx);
    for write in &cx.inputs.project.writes {
        if let Some(folder) = write.folder_in_image(&copied, &workdir, &env) {
            add(folder, write.reason());
        }
    }
    out
}

/// Folders a command writes: the folder of a log or pid file it is told to
/// write (`--logfile=logs/celery.log`, `--access-logfile /var/log/x.log`),
/// and the working folder for `celery beat`, whose schedule file goes there
/// unless `--schedule` says otherwise.
fn written_by_command(words: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    const FILE_FLAGS: &[&str] = &[
        "--logfile",
        "--log-file",
        "--access-logfile",
        "--error-logfile",
        "--pidfile",
        "--pid",
        "-f",
    ];
    let mut it = words.iter().peekable();
    while let Some(w) = it.next() {
        let (flag, value) = match w.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (w.as_str(), None),
        };
        if !FILE_FLAGS.contains(&flag) || flag == "-f" && !words.iter().any(|x| x == "celery") {
            continue;
        }
        let Some(path) = value.or_else(|| it.next().cloned()) else {
            continue;
        };
        if path == "-" || path.starts_with('$') || path.starts_with("/dev/") {
            continue;
        }
        let dir = match path.rsplit_once('/') {
            Some((d, _)) if !d.is_empty() => d.to_string(),
            Some(_) => "/".to_string(),
            None => ".".to_string(),
        };
        out.push((dir, format!("{path} is written")));
    }
    let beat = words.iter().any(|w| w == "beat") && words.iter().any(|w| w.ends_with("celery"))
        || words.iter().any(|w| w == "-B" || w == "--beat");
    if beat
        && !words
            .iter()
            .any(|w| w == "-s" || w.starts_with("--schedule"))
    {
        out.push((
            ".".to_string(),
            "celery beat writes celerybeat-schedule in the working folder".to_string(),
        ));
    }
    out
}

/// The first write of the app's code that lands in `/` itself (its code
/// copied to / with no WORKDIR, and a database or log beside it).
fn writes_in_root(cx: &FixContext, workdir: &str) -> Option<String> {
    let copied = |p: &str| crate::edit::facts::repo_path_in_image(cx, p);
    let env = crate::edit::facts::image_env(cx);
    cx.inputs
        .project
        .writes
        .iter()
        .find(|w| w.folder_in_image(&copied, workdir, &env).as_deref() == Some("/"))
        .map(|w| w.reason())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn before_and_after() {
        assert_eq!(
            Fixture::new(&[("Dockerfile", "FROM python:3.12\nCMD [\"python\"]\n")])
                .lines(&RunsAsRoot),
            [Some(1)]
        );
        assert_eq!(
            Fixture::new(&[("Dockerfile", "FROM python:3.12\nUSER app\nUSER 0:0\n")])
                .lines(&RunsAsRoot),
            [Some(3)]
        );
        assert!(Fixture::new(&[(
            "Dockerfile",
            "FROM python:3.12\nUSER root\nRUN x\nUSER 10001\n"
        )])
        .check(&RunsAsRoot)
        .is_empty());
    }

    const APP: (&str, &str) = ("app.py", "from flask import Flask\napp = Flask(__name__)\n");

    #[test]
    fn oven_bun_images_run_as_their_bun_user() {
        let mut files = crate::rules::testing::BUN_HONO.to_vec();
        files.extend_from_slice(&[
            (
                "Dockerfile",
                "FROM oven/bun:1\nWORKDIR /usr/src/app\nCOPY . .\nRUN bun install\nCMD [\"bun\", \"run\", \"index.ts\"]\n",
            ),
        ]);
        let fx = Fixture::new(&files);
        let (text, blocked) = fx.fixed(RuleId::DS401);
        assert!(!blocked.contains(&RuleId::DS401), "{blocked:?}");
        assert!(
            text.contains("RUN mkdir -p /usr/src/app/uploads \\\n && chown bun:bun /usr/src/app/uploads\nUSER 1000:1000\n"),
            "{text}"
        );
        assert!(
            !text.contains("useradd"),
            "the image ships its user:\n{text}"
        );
    }

    #[test]
    fn packages_installed_with_user_move_to_the_users_home() {
        let fx = Fixture::new(&[
            APP,
            ("requirements.txt", "flask\ngunicorn\n"),
            (
                "Dockerfile",
                "FROM python:3.11-slim AS builder\nCOPY requirements.txt .\nRUN pip install --user -r requirements.txt\n\nFROM python:3.11-slim\nWORKDIR /app\nCOPY --from=builder /root/.local /root/.local\nENV PATH=/root/.local/bin:$PATH\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n",
            ),
        ]);
        let (text, blocked) = fx.fixed(RuleId::DS401);
        assert!(!blocked.contains(&RuleId::DS401), "{blocked:?}");
        assert!(
            text.contains("COPY --from=builder /root/.local /home/app/.local\n"),
            "{text}"
        );
        assert!(
            text.contains("ENV PATH=/home/app/.local/bin:$PATH\n"),
            "{text}"
        );
        // The builder installs as root, as before.
        assert!(text.contains("RUN pip install --user -r requirements.txt\n"));
    }

    #[test]
    fn roots_local_from_other_tools_is_left_with_a_reason() {
        let fx = Fixture::new(&[
            APP,
            ("requirements.txt", "flask\n"),
            (
                "Dockerfile",
                "FROM python:3.12-slim AS uv\nRUN pip install uv && uv python install 3.12\n\nFROM python:3.12-slim\nWORKDIR /app\nCOPY --from=uv /root/.local /root/.local\nCOPY . .\nCMD [\"python\", \"app.py\"]\n",
            ),
        ]);
        let reasons = fx.blocked_reasons(RuleId::DS401);
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("takes /root/.local from stage uv")),
            "{reasons:?}"
        );
    }

    #[test]
    fn a_user_created_after_a_copy_chown_to_it_comes_before_it() {
        let fx = Fixture::new(&[
            APP,
            ("requirements.txt", "flask\n"),
            (
                "Dockerfile",
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY --chown=app:app . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
            ),
        ]);
        let (text, blocked) = fx.fixed(RuleId::DS401);
        assert!(!blocked.contains(&RuleId::DS401), "{blocked:?}");
        let created = text.find("useradd").expect("a user is created");
        let chown = text.find("COPY --chown=app:app").unwrap();
        assert!(created < chown, "{text}");
        assert!(text.contains("\nUSER 10001:10001\n"), "{text}");
    }

    #[test]
    fn a_user_install_in_the_image_itself_is_left_with_a_reason() {
        let fx = Fixture::new(&[
            APP,
            ("requirements.txt", "flask\n"),
            (
                "Dockerfile",
                "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --user -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
            ),
        ]);
        let (text, blocked) = fx.fixed(RuleId::DS401);
        assert!(blocked.contains(&RuleId::DS401), "{blocked:?}");
        assert!(!text.contains("USER"), "{text}");
    }

    #[test]
    fn a_stage_built_from_the_image_keeps_running_as_root() {
        let fx = Fixture::new(&[
            APP,
            ("requirements.txt", "flask\n"),
            (
                "Dockerfile",
                "FROM python:3.12-slim AS production\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n\nFROM production AS dev\nRUN pip install pytest\n",
            ),
        ]);
        let (text, blocked) = fx.fixed(RuleId::DS401);
        assert!(!blocked.contains(&RuleId::DS401), "{blocked:?}");
        let dev = &text[text.find("FROM production AS dev\n").unwrap()..];
        assert!(
            dev.starts_with("FROM production AS dev\n# `dev` ran as root before the image's stage got a user; it still does\n# hadolint ignore=DL3002\nUSER 0\nRUN pip install pytest\n"),
            "{text}"
        );
        assert!(text.contains("USER 10001:10001\nCMD"), "{text}");
    }

    #[test]
    fn folders_the_team_names_are_made_the_users() {
        let fx = Fixture::new(&[
            APP,
            ("dockslim.yaml", "writable: [/var/cache/thumbs, data]\n"),
            (
                "Dockerfile",
                "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nCMD [\"python\", \"app.py\"]\n",
            ),
        ]);
        let (text, _) = fx.fixed(RuleId::DS401);
        assert!(
            text.contains("mkdir -p /var/cache/thumbs /srv/data \\\n && chown app:app /var/cache/thumbs /srv/data"),
            "{text}"
        );
    }

    #[test]
    fn folders_the_dockerfile_chowns_stay_writable() {
        let fx = Fixture::new(&[
            APP,
            (
                "Dockerfile",
                "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN mkdir -p /var/log/shop && chown -R www-data:www-data /var/log/shop data\nCMD [\"python\", \"app.py\"]\n",
            ),
        ]);
        let (text, _) = fx.fixed(RuleId::DS401);
        assert!(text.contains("mkdir -p /var/log/shop /srv/data"), "{text}");
    }

    #[test]
    fn an_explicit_root_user_is_left_alone_with_a_reason() {
        let fx = Fixture::new(&[
            APP,
            (
                "Dockerfile",
                "FROM python:3.12-slim\nUSER root\nCMD [\"python\", \"app.py\"]\n",
            ),
        ]);
        let (text, blocked) = fx.fixed(RuleId::DS401);
        assert!(blocked.contains(&RuleId::DS401), "{blocked:?}");
        assert!(!text.contains("useradd"), "{text}");
    }
}
