//! What a decision is about: the part of the output it explains.

use std::borrow::Cow;
use std::fmt;

use serde::{Serialize, Serializer};

use crate::rules::RuleId;

/// The part of the output a decision explains: a line or block of the
/// Dockerfile, or another file the proposal writes. Reports show it as
/// text (`base image`, `port`, ...), the same text in every format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topic {
    // Both stacks.
    /// `port`: the port the server listens on and the image exposes.
    Port,
    /// `healthcheck`: the HEALTHCHECK, or why there is none.
    Healthcheck,
    /// `command`: the CMD.
    Command,

    // Python.
    /// `base image`: the Python image the stages start from.
    BaseImage,
    /// `user`: the non-root user the image runs as.
    User,
    /// `server package`: a production server added to the install.
    ServerPackage,
    /// `builder packages`: system packages only the builder stage installs.
    BuilderPackages,
    /// `runtime packages`: system packages the final image keeps.
    RuntimePackages,
    /// `collectstatic`: Django's static files, collected at build time.
    Collectstatic,
    /// `PyTorch build`: CPU or CUDA wheels of PyTorch.
    PytorchBuild,
    /// `virtualenv`: where the dependencies are installed.
    Virtualenv,
    /// `dependency layer`: the install of the dependencies alone.
    DependencyLayer,
    /// `workspace member`: the uv workspace package the image installs.
    WorkspaceMember,
    /// `project install`: the install of the project itself.
    ProjectInstall,

    // Node.
    /// `node image`: the Node image of the build (and runtime) stages.
    NodeImage,
    /// `bun image`: the Bun image of a Bun project's stages.
    BunImage,
    /// `install`: how the package manager installs the dependencies.
    Install,
    /// `.npmrc`: the registry configuration the install needs.
    Npmrc,
    /// `install scripts`: package.json's own scripts the install runs.
    InstallScripts,
    /// `build`: the build script and where it writes the site.
    Build,
    /// `runtime`: what the final stage holds and runs.
    Runtime,
    /// `static server`: the web server of a static site.
    StaticServer,
    /// `dependencies`: the production dependencies the image keeps.
    Dependencies,

    // A Python repository's frontend.
    /// `frontend`: where a Python repository's frontend is built.
    Frontend,
    /// `frontend node image`, `frontend install`, ...: a part of the
    /// Node stage that builds a Python image's frontend.
    FrontendStage(FrontendPart),

    // Other files.
    /// `build context`: what the .dockerignore keeps out of the context.
    BuildContext,
    /// `left out`: a .dockerignore line left out because it would exclude
    /// a path the image needs.
    LeftOut,
    /// `standalone output`: the line added to next.config.
    StandaloneOutput,
    /// `development tools`: tools moved out of pyproject.toml's main
    /// dependencies.
    DevelopmentTools,
    /// `PyTorch index`: the PyTorch index added to pyproject.toml.
    PytorchIndex,
    /// `compose`: the compose service that builds an image the proposal adds.
    Compose,

    // Both stacks, with `targets: [development]`.
    /// `development target`: the development stages and their install.
    DevelopmentTarget,
    /// `development command`: the reloading server the development stage runs.
    DevelopmentCommand,

    /// A fix the edit engine applied, shown as its rule's name
    /// (`runs-as-root`, `no-healthcheck`, ...).
    Fix(RuleId),
}

/// A part of the Node stage that builds a Python image's frontend; its
/// decision is reported as `frontend` and the Node topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontendPart {
    NodeImage,
    BunImage,
    Install,
    Build,
    Npmrc,
    InstallScripts,
}

impl FrontendPart {
    /// The part a Node stage's topic names, if the frontend reports it.
    pub fn of(topic: &Topic) -> Option<FrontendPart> {
        match topic {
            Topic::NodeImage => Some(FrontendPart::NodeImage),
            Topic::BunImage => Some(FrontendPart::BunImage),
            Topic::Install => Some(FrontendPart::Install),
            Topic::Build => Some(FrontendPart::Build),
            Topic::Npmrc => Some(FrontendPart::Npmrc),
            Topic::InstallScripts => Some(FrontendPart::InstallScripts),
            _ => None,
        }
    }

    /// The same part in a Node image of its own.
    fn topic(self) -> Topic {
        match self {
            FrontendPart::NodeImage => Topic::NodeImage,
            FrontendPart::BunImage => Topic::BunImage,
            FrontendPart::Install => Topic::Install,
            FrontendPart::Build => Topic::Build,
            FrontendPart::Npmrc => Topic::Npmrc,
            FrontendPart::InstallScripts => Topic::InstallScripts,
        }
    }
}

impl Topic {
    /// The text reports show.
    fn text(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Topic::BaseImage => "base image",
            Topic::Port => "port",
            Topic::Healthcheck => "healthcheck",
            Topic::Command => "command",
            Topic::User => "user",
            Topic::ServerPackage => "server package",
            Topic::BuilderPackages => "builder packages",
            Topic::RuntimePackages => "runtime packages",
            Topic::Collectstatic => "collectstatic",
            Topic::PytorchBuild => "PyTorch build",
            Topic::Virtualenv => "virtualenv",
            Topic::DependencyLayer => "dependency layer",
            Topic::WorkspaceMember => "workspace member",
            Topic::ProjectInstall => "project install",
            Topic::NodeImage => "node image",
            Topic::BunImage => "bun image",
            Topic::Install => "install",
            Topic::Npmrc => ".npmrc",
            Topic::InstallScripts => "install scripts",
            Topic::Build => "build",
            Topic::Runtime => "runtime",
            Topic::StaticServer => "static server",
            Topic::Dependencies => "dependencies",
            Topic::Frontend => "frontend",
            Topic::FrontendStage(part) => return Cow::Owned(format!("frontend {}", part.topic())),
            Topic::BuildContext => "build context",
            Topic::LeftOut => "left out",
            Topic::StandaloneOutput => "standalone output",
            Topic::DevelopmentTools => "development tools",
            Topic::PytorchIndex => "PyTorch index",
            Topic::DevelopmentTarget => "development target",
            Topic::DevelopmentCommand => "development command",
            Topic::Compose => "compose",
            Topic::Fix(rule) => crate::rules::find(rule.as_str()).map_or("", |r| r.doc().name),
        })
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.text())
    }
}

/// As its text, so reports read as they did when topics were strings.
impl Serialize for Topic {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_each_kind() {
        assert_eq!(Topic::BaseImage.to_string(), "base image");
        assert_eq!(Topic::PytorchBuild.to_string(), "PyTorch build");
        assert_eq!(Topic::Npmrc.to_string(), ".npmrc");
        assert_eq!(
            Topic::FrontendStage(FrontendPart::NodeImage).to_string(),
            "frontend node image"
        );
        assert_eq!(
            Topic::FrontendStage(FrontendPart::Npmrc).to_string(),
            "frontend .npmrc"
        );
        assert_eq!(Topic::Fix(RuleId::DS401).to_string(), "runs-as-root");
    }

    #[test]
    fn serialized_as_text() {
        let json = serde_json::to_string(&Topic::Fix(RuleId::DS501)).unwrap();
        assert_eq!(json, "\"no-healthcheck\"");
        let json = serde_json::to_string(&Topic::DependencyLayer).unwrap();
        assert_eq!(json, "\"dependency layer\"");
    }

    #[test]
    fn frontend_parts_round_trip() {
        for part in [
            FrontendPart::NodeImage,
            FrontendPart::BunImage,
            FrontendPart::Install,
            FrontendPart::Build,
            FrontendPart::Npmrc,
            FrontendPart::InstallScripts,
        ] {
            assert_eq!(FrontendPart::of(&part.topic()), Some(part));
        }
        assert_eq!(FrontendPart::of(&Topic::Port), None);
    }
}
