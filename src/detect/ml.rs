//! Heavy machine-learning packages, and whether the code needs a GPU.
//!
//! PyPI's Linux torch wheel is the CUDA build: with its nvidia-* wheels it
//! installs about 3.8 GB, where the CPU build is about 0.5 GB (see
//! data/package-sizes.yaml). Nothing says GPU unless the code asks for a
//! CUDA device unconditionally, the Dockerfile starts from an nvidia image,
//! or the configuration says `torch: cuda`.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// Packages whose size dominates an image.
pub const HEAVY: &[&str] = &[
    "torch",
    "torchvision",
    "torchaudio",
    "tensorflow",
    "tensorflow-cpu",
    "jax",
    "jaxlib",
    "transformers",
    "sentence-transformers",
];

/// The packages PyTorch's wheel indexes serve in CPU and CUDA builds.
pub const TORCH_FAMILY: &[&str] = &["torch", "torchvision", "torchaudio"];

/// PyTorch's CPU wheel index.
pub const CPU_INDEX: &str = "https://download.pytorch.org/whl/cpu";

/// One place that says the code wants a GPU.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GpuEvidence {
    pub file: String,
    pub line: usize,
    pub what: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct MlStack {
    /// Heavy packages the project installs, declared or pulled in.
    pub heavy: Vec<String>,
    /// torch, torchvision, torchaudio among them.
    pub torch: Vec<String>,
    /// Where the code asks for a CUDA device without a CPU fallback.
    pub gpu: Vec<GpuEvidence>,
    /// Whether the requirements, pyproject.toml or lock already take torch
    /// from PyTorch's CPU index.
    pub cpu_index: bool,
    /// `torch: cpu|cuda` from the configuration.
    pub configured: Option<crate::config::TorchBuild>,
}

impl MlStack {
    /// Whether the image should get CUDA builds: the configuration says so,
    /// or the code needs a GPU and the configuration does not say CPU.
    pub fn wants_cuda(&self) -> bool {
        match self.configured {
            Some(build) => build == crate::config::TorchBuild::Cuda,
            None => !self.gpu.is_empty(),
        }
    }

    /// Records the existing Dockerfile's base image as evidence: an nvidia
    /// image says the service runs on a GPU.
    pub fn note_base_image(&mut self, dockerfile: &str, line: usize, image: &str) {
        if image.starts_with("nvidia/") && !self.heavy.is_empty() {
            self.gpu.push(GpuEvidence {
                file: dockerfile.to_string(),
                line,
                what: format!("FROM {image}"),
            });
        }
    }
}

impl MlStack {
    /// `installed` holds every package name the image installs (declared
    /// and locked); `sources` are the Python files.
    pub fn detect(installed: &[String], sources: &[(String, String)]) -> MlStack {
        let has = |name: &&&str| installed.iter().any(|i| i == **name);
        let heavy: Vec<String> = HEAVY.iter().filter(has).map(|s| s.to_string()).collect();
        let torch = TORCH_FAMILY
            .iter()
            .filter(has)
            .map(|s| s.to_string())
            .collect();
        let gpu = if heavy.is_empty() {
            Vec::new()
        } else {
            gpu_evidence(sources)
        };
        MlStack {
            heavy,
            torch,
            gpu,
            ..Default::default()
        }
    }
}

/// `.cuda()`, `device="cuda"`, `torch.device("cuda:0")`, `.to("cuda")`, on a
/// line that does not also fall back to the CPU (`if torch.cuda.is_available()`
/// or `else "cpu"`), which runs fine without a GPU.
fn gpu_evidence(sources: &[(String, String)]) -> Vec<GpuEvidence> {
    static CUDA: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\.cuda\(\s*\)|["']cuda(:\d+)?["']|device_map\s*=\s*["']cuda"#).unwrap()
    });
    let mut out = Vec::new();
    for (file, text) in sources {
        for (i, line) in text.lines().enumerate() {
            let code = line.split('#').next().unwrap_or("");
            let Some(m) = CUDA.find(code) else {
                continue;
            };
            let falls_back =
                code.contains("is_available") || code.contains("\"cpu\"") || code.contains("'cpu'");
            if !falls_back {
                out.push(GpuEvidence {
                    file: file.clone(),
                    line: i + 1,
                    what: m.as_str().to_string(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Vec<(String, String)> {
        vec![("model.py".to_string(), text.to_string())]
    }

    #[test]
    fn cuda_with_a_cpu_fallback_is_not_a_gpu_requirement() {
        let installed = vec!["torch".to_string(), "numpy".to_string()];
        let ml = MlStack::detect(
            &installed,
            &src("device = \"cuda\" if torch.cuda.is_available() else \"cpu\"\nmodel.to(device)\n"),
        );
        assert_eq!(ml.torch, ["torch"]);
        assert!(ml.gpu.is_empty());
        let ml = MlStack::detect(
            &installed,
            &src("import torch\n\nmodel = model.cuda()\nx = x.to('cuda:0')  # fast\n"),
        );
        let lines: Vec<usize> = ml.gpu.iter().map(|g| g.line).collect();
        assert_eq!(lines, [3, 4]);
    }

    #[test]
    fn no_heavy_package_no_scan() {
        let ml = MlStack::detect(&["flask".to_string()], &src("x.cuda()\n"));
        assert!(ml.heavy.is_empty() && ml.gpu.is_empty());
    }
}

/// One row of data/package-sizes.yaml.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PackageSize {
    pub package: String,
    pub build: String,
    pub version: String,
    pub download_mb: u64,
    pub installed_mb: u64,
    pub source: String,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct SizeTable {
    pub no_musl_wheels: Vec<String>,
    pub packages: Vec<PackageSize>,
}

/// The measured sizes compiled into the binary (see the file's header for
/// where each number came from).
pub fn sizes() -> &'static SizeTable {
    static TABLE: LazyLock<SizeTable> = LazyLock::new(|| {
        serde_norway::from_str(include_str!("../../data/package-sizes.yaml"))
            .expect("data/package-sizes.yaml is valid; a unit test reads it")
    });
    &TABLE
}

impl SizeTable {
    pub fn get(&self, package: &str, build: &str) -> Option<&PackageSize> {
        self.packages
            .iter()
            .find(|p| p.package == package && p.build == build)
    }
}

#[cfg(test)]
mod size_tests {
    #[test]
    fn the_size_table_reads_and_cuda_torch_is_the_bigger_build() {
        let t = super::sizes();
        let cuda = t.get("torch", "cuda").unwrap();
        let cpu = t.get("torch", "cpu").unwrap();
        assert!(cuda.installed_mb > 5 * cpu.installed_mb);
        assert!(t.no_musl_wheels.iter().any(|p| p == "torch"));
        assert!(t
            .packages
            .iter()
            .all(|p| p.source.starts_with("measured by")));
    }
}
