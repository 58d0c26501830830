//! Image references as FROM names them, and what the official Python and
//! Node images are: which tags are the full Debian images (compilers,
//! headers, git, curl), which are slim, and the slim tag of a full one.

/// `[registry/][namespace/]name[:tag][@digest]`, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Everything before the name: `docker.io/library/`, `mirror/`, or "".
    pub prefix: String,
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// The Debian releases the official images are built on.
pub const DEBIAN_RELEASES: &[&str] = &["buster", "bullseye", "bookworm", "trixie", "forky"];

impl ImageRef {
    pub fn parse(image: &str) -> ImageRef {
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (image, None),
        };
        // A colon after the last slash is the tag (a registry port is not).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match rest[last_slash..].split_once(':') {
            Some((name, tag)) => (
                format!("{}{name}", &rest[..last_slash]),
                Some(tag.to_string()),
            ),
            None => (rest.to_string(), None),
        };
        let slash = path.rfind('/').map_or(0, |i| i + 1);
        ImageRef {
            prefix: path[..slash].to_string(),
            name: path[slash..].to_string(),
            tag,
            digest,
        }
    }

    /// The official image (Docker Hub's library, or a mirror of it).
    fn is_official(&self, name: &str) -> bool {
        self.name == name
            && (self.prefix.is_empty()
                || self.prefix.ends_with("library/")
                || !self.prefix.contains('.') && self.prefix.matches('/').count() == 1)
    }

    pub fn is_python(&self) -> bool {
        self.is_official("python")
    }

    pub fn is_node(&self) -> bool {
        self.is_official("node")
    }

    /// The Node major line of an official node image's tag (`20` of
    /// `node:20-slim`); None for another image or a tag without one.
    pub fn node_major(&self) -> Option<u32> {
        if !self.is_node() {
            return None;
        }
        let tag = self.tag.as_deref()?;
        let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }

    /// Bun's official Debian and Alpine images (`oven/bun`, or a mirror's
    /// `.../oven/bun`), which ship Bun and its `bun` user (uid 1000) but
    /// neither node nor curl. The distroless tags, which have no shell, are
    /// not counted.
    pub fn is_bun(&self) -> bool {
        self.name == "bun"
            && (self.prefix == "oven/" || self.prefix.ends_with("/oven/"))
            && !self
                .tag
                .as_deref()
                .is_some_and(|t| t.contains("distroless"))
    }

    /// A full Debian image of Python or Node: built on buildpack-deps, with
    /// compilers, headers, git, curl and wget (about 1 GB).
    pub fn is_full(&self) -> bool {
        if !(self.is_python() || self.is_node()) {
            return false;
        }
        let tag = self.tag.as_deref().unwrap_or("latest");
        let parts: Vec<&str> = tag.split('-').collect();
        !parts.iter().any(|p| {
            p.starts_with("slim")
                || p.starts_with("alpine")
                || p.starts_with("windowsservercore")
                || p.starts_with("nanoserver")
        })
    }

    /// The Debian release a tag names (`3.12-slim-bookworm`), if it names one.
    pub fn debian_release(&self) -> Option<&'static str> {
        let tag = self.tag.as_deref()?;
        DEBIAN_RELEASES
            .iter()
            .copied()
            .find(|r| tag.split('-').any(|p| p == *r))
    }

    /// The slim tag of a full image, keeping the version and the Debian
    /// release: python `3.12` -> `3.12-slim`, `3.11-bookworm` ->
    /// `3.11-slim-bookworm`; node `22` -> `22-slim`, `20-bullseye` ->
    /// `20-bullseye-slim`. Every official version that has the full tag
    /// has this one.
    pub fn slim_tag(&self) -> Option<String> {
        if !self.is_full() {
            return None;
        }
        let tag = self.tag.as_deref().unwrap_or("latest");
        let release = self.debian_release();
        let version = match release {
            Some(r) => tag.strip_suffix(&format!("-{r}")).unwrap_or(tag),
            None => tag,
        };
        Some(match (self.is_python(), version, release) {
            (_, "latest", None) => "slim".to_string(),
            (_, "latest", Some(r)) if self.is_python() => format!("slim-{r}"),
            (_, "latest", Some(r)) => format!("{r}-slim"),
            (true, v, Some(r)) => format!("{v}-slim-{r}"),
            (false, v, Some(r)) => format!("{v}-{r}-slim"),
            (_, v, None) => format!("{v}-slim"),
        })
    }

    /// This reference with another tag, written as the original was.
    pub fn with_tag(&self, tag: &str) -> String {
        let mut out = format!("{}{}:{tag}", self.prefix, self.name);
        if let Some(d) = &self.digest {
            out.push('@');
            out.push_str(d);
        }
        out
    }
}

/// Programs the full Python and Node images have and their slim images do
/// not, with the Debian packages that provide them.
pub const FULL_ONLY_PROGRAMS: &[(&str, &[&str])] = &[
    ("gcc", &["gcc", "build-essential"]),
    ("cc", &["gcc", "build-essential"]),
    ("g++", &["g++", "build-essential"]),
    ("c++", &["g++", "build-essential"]),
    ("make", &["make", "build-essential"]),
    ("cmake", &["cmake"]),
    ("git", &["git"]),
    ("curl", &["curl"]),
    ("wget", &["wget"]),
    ("ssh", &["openssh-client"]),
    ("scp", &["openssh-client"]),
    ("svn", &["subversion"]),
    ("hg", &["mercurial"]),
    ("patch", &["patch", "build-essential"]),
    ("pkg-config", &["pkg-config", "pkgconf"]),
    ("unzip", &["unzip"]),
    ("bzip2", &["bzip2"]),
    ("gpg", &["gnupg", "gpg"]),
    ("ps", &["procps"]),
    ("file", &["file"]),
];

/// The packages that provide a program the slim image lacks, if it lacks it.
pub fn full_only(program: &str) -> Option<&'static [&'static str]> {
    FULL_ONLY_PROGRAMS
        .iter()
        .find(|(p, _)| *p == program)
        .map(|(_, pkgs)| *pkgs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slim(image: &str) -> Option<String> {
        let r = ImageRef::parse(image);
        r.slim_tag().map(|t| r.with_tag(&t))
    }

    #[test]
    fn slim_tags_keep_version_and_release() {
        assert_eq!(slim("python:3.12").as_deref(), Some("python:3.12-slim"));
        assert_eq!(slim("python:3.7").as_deref(), Some("python:3.7-slim"));
        assert_eq!(
            slim("python:3.11.9-bookworm").as_deref(),
            Some("python:3.11.9-slim-bookworm")
        );
        assert_eq!(slim("python").as_deref(), Some("python:slim"));
        assert_eq!(slim("node:20").as_deref(), Some("node:20-slim"));
        assert_eq!(
            slim("node:20-bullseye").as_deref(),
            Some("node:20-bullseye-slim")
        );
        assert_eq!(slim("node:lts").as_deref(), Some("node:lts-slim"));
        assert_eq!(
            slim("docker.io/library/python:${PY}").as_deref(),
            Some("docker.io/library/python:${PY}-slim")
        );
        assert_eq!(slim("python:3.12-slim"), None);
        assert_eq!(slim("python:3.12-alpine"), None);
        assert_eq!(slim("node:22-bookworm-slim"), None);
        assert_eq!(slim("ghcr.io/acme/python:3.12"), None);
        assert_eq!(slim("nginx:1.27"), None);
    }

    #[test]
    fn references_split() {
        let r = ImageRef::parse("localhost:5000/team/python:3.12@sha256:ab");
        assert_eq!(r.prefix, "localhost:5000/team/");
        assert_eq!(r.name, "python");
        assert_eq!(r.tag.as_deref(), Some("3.12"));
        assert_eq!(r.digest.as_deref(), Some("sha256:ab"));
        assert_eq!(
            ImageRef::parse("python:3.11-bookworm").debian_release(),
            Some("bookworm")
        );
    }
}
