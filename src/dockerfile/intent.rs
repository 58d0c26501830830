//! What the image a Dockerfile builds promises: its ports, command,
//! environment, volumes, working folder and user, as the final stage
//! inherits them through its FROM chain.

use serde::Serialize;

use super::stages::StageGraph;
use super::{key_values, Args, Command, Dockerfile, Keyword};

/// What the image means: the metadata the fixes keep.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Intent {
    pub expose: Vec<(String, usize)>,
    pub cmd: Option<(Command, usize)>,
    pub entrypoint: Option<(Command, usize)>,
    pub env: Vec<(String, String, usize)>,
    pub volumes: Vec<(String, usize)>,
    pub workdir: Option<String>,
    pub user: Option<(String, usize)>,
}

impl Dockerfile {
    /// The intent of the image the last stage builds.
    pub fn intent(&self) -> Intent {
        self.intent_of(&StageGraph::of(self))
    }

    /// The intent of the image a stage graph's target builds. Metadata
    /// (EXPOSE, ENV, CMD...) is inherited through FROM, so the whole
    /// shipped chain counts, the farthest ancestor first.
    pub fn intent_of(&self, graph: &StageGraph) -> Intent {
        let mut intent = Intent::default();
        let mut shipped = graph.shipped();
        shipped.reverse();
        for &index in &shipped {
            // Docker resets an inherited CMD when a stage sets ENTRYPOINT
            // without setting CMD itself.
            let mut cmd_set_here = false;
            for inst in &self.stages[index].instructions {
                match inst.keyword {
                    Keyword::Cmd => cmd_set_here = true,
                    Keyword::Entrypoint if !cmd_set_here => intent.cmd = None,
                    _ => {}
                }
                intent.note_metadata(inst);
            }
        }
        intent
    }
}

impl Dockerfile {
    /// The environment the image sets, as detection takes it: what the
    /// deployment runs with (DJANGO_SETTINGS_MODULE, say).
    pub fn deployed_env(&self) -> Vec<crate::detect::DeployedVar> {
        self.intent()
            .env
            .into_iter()
            .map(|(name, value, line)| crate::detect::DeployedVar {
                name,
                value,
                from: format!("{}:{line}", self.path),
            })
            .collect()
    }
}

impl Intent {
    fn note_metadata(&mut self, inst: &super::Instruction) {
        let line = inst.line;
        match (inst.keyword, &inst.args) {
            (Keyword::Expose, Args::Words { words }) => {
                self.expose.extend(words.iter().map(|w| (w.clone(), line)))
            }
            (Keyword::Cmd, Args::Command { command, .. }) => {
                self.cmd = Some((command.clone(), line))
            }
            (Keyword::Entrypoint, Args::Command { command, .. }) => {
                self.entrypoint = Some((command.clone(), line))
            }
            (Keyword::Env, Args::Text { text, .. }) => self
                .env
                .extend(key_values(text).into_iter().map(|(k, v)| (k, v, line))),
            (Keyword::Volume, Args::Words { words }) => {
                self.volumes.extend(words.iter().map(|w| (w.clone(), line)))
            }
            (Keyword::Workdir, Args::Text { text, .. }) => {
                let dir = text.trim().to_string();
                self.workdir = Some(match (&self.workdir, dir.starts_with('/')) {
                    (Some(prev), false) => format!("{}/{}", prev.trim_end_matches('/'), dir),
                    _ => dir,
                });
            }
            (Keyword::User, Args::Text { text, .. }) => {
                self.user = Some((text.trim().to_string(), line))
            }
            _ => {}
        }
    }

    /// The last value of an environment variable the image sets.
    pub fn env_value(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOATED: &str = "\u{feff}FROM python:3.11\r\nWORKDIR /app\r\nCOPY . .\r\nRUN apt-get update && apt-get install -y gcc libpq-dev \\\r\n    postgresql-client\r\nRUN pip install -r requirements.txt\r\nENV FLASK_ENV=production APP_NAME=\"my app\"\r\nEXPOSE 5000\r\nLABEL org.opencontainers.image.source=https://example.com/repo\r\nVOLUME [\"/app/instance\"]\r\nCMD flask run --host=0.0.0.0\r\n";

    #[test]
    fn reads_intent_with_bom_and_crlf() {
        let df = Dockerfile::parse(BLOATED, "Dockerfile").unwrap();
        let intent = df.intent();
        assert_eq!(intent.expose, [("5000".to_string(), 8)]);
        assert_eq!(intent.workdir.as_deref(), Some("/app"));
        assert_eq!(intent.env[1], ("APP_NAME".into(), "my app".into(), 7));
        assert_eq!(intent.volumes[0].0, "/app/instance");
        assert!(matches!(intent.cmd, Some((Command::Shell(_), 11))));
    }

    #[test]
    fn parent_stage_metadata_is_inherited() {
        let text = "FROM python:3.12 AS base\nENV FLASK_RUN_PORT=8000\nEXPOSE 8000\nWORKDIR /srv/shop\n\
FROM base AS builder\nRUN apt-get install -y git\n\
FROM base AS production\nCOPY --from=builder /opt/venv /opt/venv\nCMD [\"gunicorn\", \"app:app\"]\n";
        let df = Dockerfile::parse(text, "Dockerfile").unwrap();
        let intent = df.intent();
        assert_eq!(intent.expose, [("8000".to_string(), 3)]);
        assert_eq!(intent.env_value("FLASK_RUN_PORT"), Some("8000"));
        assert_eq!(intent.workdir.as_deref(), Some("/srv/shop"));
    }

    #[test]
    fn multi_stage_heredoc_and_args() {
        let text = "ARG PY=3.12\nFROM python:${PY}-slim AS build\nRUN <<EOF\npip install flask\nEOF\nFROM build\nCOPY --from=build /opt/venv /opt/venv\nCMD [\"gunicorn\", \"app:app\"]\n";
        let df = Dockerfile::parse(text, "Dockerfile").unwrap();
        assert_eq!(df.stages.len(), 2);
        assert_eq!(df.image_base(), "python:3.12-slim");
        assert_eq!(StageGraph::of(&df).lineage().len(), 2);
        let intent = df.intent();
        assert_eq!(
            intent.cmd.unwrap().0,
            Command::Exec(vec!["gunicorn".into(), "app:app".into()])
        );
    }
}
