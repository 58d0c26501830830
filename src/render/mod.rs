//! Plan -> Dockerfile and .dockerignore text, through minijinja templates.
//!
//! Templates hold structure only; every value comes from the Plan. The
//! built-in templates are compiled into the binary; `--templates-dir`
//! overrides any of them by file name.

use std::path::{Path, PathBuf};

use minijinja::{Environment, Value};

use crate::error::{Error, Result};
use crate::plan::dockerignore::{BLOCK_END, BLOCK_START};
use crate::plan::Plan;

const BUILTIN: &[(&str, &str)] = &[
    (
        "python-pip.Dockerfile.j2",
        include_str!("../../templates/python-pip.Dockerfile.j2"),
    ),
    (
        "python-uv.Dockerfile.j2",
        include_str!("../../templates/python-uv.Dockerfile.j2"),
    ),
    (
        "python-poetry.Dockerfile.j2",
        include_str!("../../templates/python-poetry.Dockerfile.j2"),
    ),
    (
        "python-pipenv.Dockerfile.j2",
        include_str!("../../templates/python-pipenv.Dockerfile.j2"),
    ),
    (
        "partials/python.j2",
        include_str!("../../templates/partials/python.j2"),
    ),
    (
        "partials/python-development.j2",
        include_str!("../../templates/partials/python-development.j2"),
    ),
    (
        "partials/node-development.j2",
        include_str!("../../templates/partials/node-development.j2"),
    ),
    (
        "dockerignore.j2",
        include_str!("../../templates/dockerignore.j2"),
    ),
    (
        "partials/apt-install.j2",
        include_str!("../../templates/partials/apt-install.j2"),
    ),
    (
        "node-static.Dockerfile.j2",
        include_str!("../../templates/node-static.Dockerfile.j2"),
    ),
    (
        "node-next.Dockerfile.j2",
        include_str!("../../templates/node-next.Dockerfile.j2"),
    ),
    (
        "node-server.Dockerfile.j2",
        include_str!("../../templates/node-server.Dockerfile.j2"),
    ),
    (
        "partials/node-build.j2",
        include_str!("../../templates/partials/node-build.j2"),
    ),
    (
        "partials/node-runtime.j2",
        include_str!("../../templates/partials/node-runtime.j2"),
    ),
    (
        "partials/node-healthcheck.j2",
        include_str!("../../templates/partials/node-healthcheck.j2"),
    ),
    (
        "files/nginx.conf.j2",
        include_str!("../../templates/files/nginx.conf.j2"),
    ),
    (
        "files/Caddyfile.j2",
        include_str!("../../templates/files/Caddyfile.j2"),
    ),
];

/// The generated files.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub dockerfile: String,
    pub dockerignore: String,
    /// The static server's config (nginx.conf, Caddyfile).
    pub server_config: Option<String>,
    /// A separate frontend's Dockerfile, ignore file and server config.
    pub frontend: Option<RenderedFrontend>,
}

#[derive(Debug, Clone)]
pub struct RenderedFrontend {
    pub dockerfile: String,
    pub dockerignore: String,
    pub server_config: String,
}

pub fn render(plan: &Plan, templates_dir: Option<&Path>) -> Result<Rendered> {
    let env = environment(templates_dir.map(Path::to_path_buf));
    let main = Value::from_serialize(plan);
    let server_config = match (&plan.server_config, &plan.node) {
        (Some(config), Some(node)) => Some(render_file(
            &env,
            templates_dir,
            config.template,
            &main,
            node,
        )?),
        _ => None,
    };
    let frontend = match &plan.frontend {
        Some(f) => {
            // The separate frontend renders with the same templates, as a
            // plan of its own: its NodePlan and its ignore file.
            let sub = Value::from_serialize(minijinja::context! {
                node => Value::from_serialize(&f.node),
                dockerignore => Value::from_serialize(&f.dockerignore),
            });
            Some(RenderedFrontend {
                dockerfile: render_with(&env, templates_dir, "node-static.Dockerfile.j2", &sub)?,
                dockerignore: render_with(&env, templates_dir, "dockerignore.j2", &sub)?,
                server_config: render_file(
                    &env,
                    templates_dir,
                    f.server_config.template,
                    &sub,
                    &f.node,
                )?,
            })
        }
        None => None,
    };
    Ok(Rendered {
        dockerfile: render_with(&env, templates_dir, plan.template, &main)?,
        dockerignore: render_with(&env, templates_dir, "dockerignore.j2", &main)?,
        server_config,
        frontend,
    })
}

/// The .dockerignore of an edited Dockerfile's image, from its ignore plan
/// alone (the same template the generated files use).
pub fn dockerignore(
    ignore: &crate::plan::dockerignore::IgnorePlan,
    templates_dir: Option<&Path>,
) -> Result<String> {
    let env = environment(templates_dir.map(Path::to_path_buf));
    let plan = Value::from_serialize(minijinja::context! {
        dockerignore => Value::from_serialize(ignore),
    });
    render_with(&env, templates_dir, "dockerignore.j2", &plan)
}

/// The runtime stage of a Node image (`static_runtime` or `next_runtime`
/// of partials/node-runtime.j2), named `name`, built from stage `from`.
pub fn node_runtime(
    n: &crate::plan::node::NodePlan,
    name: &str,
    from: &str,
    templates_dir: Option<&Path>,
) -> Result<String> {
    let env = environment(templates_dir.map(Path::to_path_buf));
    let macro_name = if n.kind == crate::plan::node::NodeKind::Next {
        "next_runtime"
    } else {
        "static_runtime"
    };
    let source = format!(
        "{{%- from \"partials/node-runtime.j2\" import {macro_name} -%}}{{{{ {macro_name}(n, name, from) }}}}"
    );
    let ctx = minijinja::context! {
        n => Value::from_serialize(n),
        name => name,
        from => from,
    };
    let text = env
        .render_str(&source, ctx)
        .map_err(|e| template_error("partials/node-runtime.j2", templates_dir, e))?;
    Ok(text)
}

/// The static server's config file (nginx.conf or Caddyfile) for a plan.
pub fn server_config(
    n: &crate::plan::node::NodePlan,
    config: &crate::plan::node::ServerConfig,
    templates_dir: Option<&Path>,
) -> Result<String> {
    let env = environment(templates_dir.map(Path::to_path_buf));
    let plan = Value::from_serialize(minijinja::context! { node => Value::from_serialize(n) });
    render_file(&env, templates_dir, config.template, &plan, n)
}

/// A config file template, which sees the NodePlan as `n`.
fn render_file(
    env: &Environment<'static>,
    templates_dir: Option<&Path>,
    name: &str,
    plan: &Value,
    node: &crate::plan::node::NodePlan,
) -> Result<String> {
    render_context(env, templates_dir, name, plan, Some(node))
}

fn render_with(
    env: &Environment<'static>,
    templates_dir: Option<&Path>,
    name: &str,
    plan: &Value,
) -> Result<String> {
    render_context(env, templates_dir, name, plan, None)
}

/// Renders one template; every generated file ends with a newline.
fn render_context(
    env: &Environment<'static>,
    templates_dir: Option<&Path>,
    name: &str,
    plan: &Value,
    node: Option<&crate::plan::node::NodePlan>,
) -> Result<String> {
    let ctx = minijinja::context! {
        plan => plan.clone(),
        n => node.map(Value::from_serialize),
        version => env!("CARGO_PKG_VERSION"),
        block_start => BLOCK_START,
        block_end => BLOCK_END,
    };
    let template = env
        .get_template(name)
        .map_err(|e| template_error(name, templates_dir, e))?;
    let mut text = template
        .render(&ctx)
        .map_err(|e| template_error(name, templates_dir, e))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

fn template_error(name: &str, dir: Option<&Path>, e: minijinja::Error) -> Error {
    let file = match dir {
        Some(d) if d.join(name).exists() => d.join(name).display().to_string(),
        _ => format!("templates/{name} (built in)"),
    };
    Error::input(
        file,
        e.line(),
        format!("template error: {e}"),
        "templates are minijinja (Jinja2) text: check the `{{ }}` and `{% %}` on that line, or run without --templates-dir",
    )
}

fn environment(dir: Option<PathBuf>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_loader(move |name| {
        if let Some(dir) = &dir {
            let path = dir.join(name);
            if path.is_file() {
                // Never blocks on a FIFO, never reads megabytes (see repo::read).
                return crate::repo::read_text_file(&path, &path.display().to_string()).map_err(
                    |e| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            format!("cannot read {}: {e}", path.display()),
                        )
                    },
                );
            }
        }
        Ok(BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.to_string()))
    });
    env.add_filter("exec", exec_form);
    env.add_filter("env_value", env_value);
    env
}

/// A list of words as a Dockerfile exec-form JSON array.
pub fn exec_form(words: Vec<String>) -> String {
    let parts: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).expect("strings serialise"))
        .collect();
    format!("[{}]", parts.join(", "))
}

/// A value for ENV or LABEL: bare when it is safe, double-quoted otherwise.
/// `$` stays unescaped so variables expand exactly as in the original file.
pub fn env_value(value: String) -> String {
    let safe = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+,=".contains(c));
    if safe {
        value
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_form_is_json() {
        assert_eq!(
            exec_form(vec![
                "python".into(),
                "-c".into(),
                "print('a \"b\"')".into()
            ]),
            r#"["python", "-c", "print('a \"b\"')"]"#
        );
    }

    #[test]
    fn env_values_are_quoted_when_needed() {
        assert_eq!(env_value("production".into()), "production");
        assert_eq!(env_value("my app".into()), "\"my app\"");
        assert_eq!(
            env_value("$HOME/x".into()),
            "\"$HOME/x\"",
            "Docker expands variables as the original did"
        );
        assert_eq!(env_value(String::new()), "\"\"");
    }
}
