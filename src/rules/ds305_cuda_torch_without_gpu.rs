//! DS305 cuda-torch-without-gpu
//!
//! What it finds: torch (or torchvision, torchaudio) installed from PyPI,
//! whose Linux wheels are CUDA builds, in a project where nothing uses a
//! GPU: no CUDA device asked for without a CPU fallback, no nvidia base
//! image, no `torch: cuda` in the configuration.
//! Why it matters: the CUDA build pulls the nvidia-* wheels with it; the
//! install is several gigabytes where the CPU build is a few hundred
//! megabytes (data/package-sizes.yaml says how that was measured).
//! Fix: install the torch packages from PyTorch's CPU index
//! (https://download.pytorch.org/whl/cpu): `--extra-index-url` for pip, an
//! explicit `[[tool.uv.index]]` with `[tool.uv.sources]` for uv, an explicit
//! source for Poetry. `dockslim rewrite` proposes each of these.

use super::{Context, Finding, Rule, RuleDoc, RuleId, Severity};
use crate::detect::{ml, Manager};
use crate::dockerfile::shell;
use crate::edit::{Fix, FixContext, Outcome, Safety};

pub struct CudaTorchWithoutGpu;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DS305,
    name: "cuda-torch-without-gpu",
    severity: Severity::Warning,
    summary: "PyTorch comes from PyPI as the CUDA build, but nothing in the project uses a GPU.",
    why: "PyPI's Linux torch wheel is the CUDA build and brings the nvidia-* wheels: gigabytes the image carries and never uses on a CPU host.",
    fix: "Install torch from https://download.pytorch.org/whl/cpu (pip --extra-index-url, a uv index with explicit = true and tool.uv.sources, or a Poetry source with priority explicit).",
    example: "Before:\n  RUN pip install -r requirements.txt        # torch==2.5.1 -> CUDA build\nAfter:\n  RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu \\\n      -r requirements.txt                    # torch 2.5.1+cpu",
    fix_safety: Some(Safety::Unsafe),
    fix_risk: "torch becomes the CPU build: code that moves tensors to a CUDA device fails (dockslim sees none without a CPU fallback); with uv or Poetry the lock must be made again (`uv lock`, `poetry lock`) before the image builds.",
};

impl Rule for CudaTorchWithoutGpu {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context) -> Vec<Finding> {
        let Some(project) = cx.project else {
            return Vec::new();
        };
        let py = &project.python;
        let ml = &py.ml;
        let nvidia_base = cx
            .dockerfile
            .is_some_and(|df| df.image_base().starts_with("nvidia/"));
        let dockerfile_cpu = cx.dockerfile.is_some_and(|df| df.text.contains("/whl/cpu"));
        if ml.torch.is_empty() || ml.cpu_index || dockerfile_cpu || ml.wants_cuda() || nvidia_base {
            return Vec::new();
        }
        let sizes = ml::sizes();
        let (cuda, cpu) = (sizes.get("torch", "cuda"), sizes.get("torch", "cpu"));
        let estimate = match (cuda, cpu) {
            (Some(cuda), Some(cpu)) => format!(
                " (torch {}: about {} MB installed with its nvidia wheels, against {} MB for the CPU build)",
                cuda.version, cuda.installed_mb, cpu.installed_mb
            ),
            _ => String::new(),
        };
        let bytes = cuda
            .zip(cpu)
            .map(|(cuda, cpu)| (cuda.installed_mb - cpu.installed_mb) * 1_000_000);
        let declared = py.requirements.get("torch");
        let (file, line, how) = match declared {
            Some(r) => (r.file.clone(), Some(r.line), "torch is installed from PyPI"),
            None => (
                py.manager
                    .lock_file()
                    .unwrap_or("requirements.txt")
                    .to_string(),
                None,
                "torch comes in as a dependency of a dependency, from PyPI",
            ),
        };
        let mut finding = Finding::new(
            &DOC,
            file,
            line,
            format!("{how}, whose Linux wheel is the CUDA build{estimate}; no code asks for a CUDA device without a CPU fallback"),
        );
        finding.bytes = bytes;
        vec![finding]
    }

    /// pip: PyTorch's CPU index beside PyPI in the install of the
    /// requirements (a `+cpu` build outranks PyPI's CUDA build of the same
    /// version). uv and Poetry: an explicit CPU index in pyproject.toml.
    fn fix(&self, cx: &FixContext) -> Vec<Outcome> {
        if self.check(&cx.rules_context()).is_empty() {
            return Vec::new();
        }
        let py = &cx.inputs.project.python;
        if py.manager != Manager::Pip {
            return crate::edit::pyproject::fix(cx, DOC.id);
        }
        let Some(url) = cx
            .inputs
            .profile
            .python
            .as_ref()
            .map(|p| p.torch.cpu_index.clone())
        else {
            return Vec::new();
        };
        let install = match crate::edit::server::requirements_install(cx) {
            Ok(i) => i,
            Err(why) => return vec![cx.blocked(DOC.id, None, why)],
        };
        let Some(word) =
            shell::pip_subcommand(&install.words).and_then(|(_, after)| install.word(after - 1))
        else {
            return vec![cx.blocked(
                DOC.id,
                Some(install.inst.line),
                "pip's words come from a variable",
            )];
        };
        vec![Outcome::Fix(Fix {
            rule: DOC.id,
            line: install.inst.line,
            title: format!("pip install --extra-index-url {url}"),
            reason: "PyTorch's CPU index beside PyPI: pip prefers its `+cpu` build of the pinned version, a fraction of the CUDA build's size; every other package still comes from PyPI".into(),
            safety: Safety::Unsafe,
            edits: vec![cx.writer().insert_word_after(&word.span, &format!("--extra-index-url {url}"))],
            files: vec![],
            reshapes: false,
        })]
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn cuda_torch_on_a_cpu_project() {
        let fx = Fixture::new(&[
            ("requirements.txt", "flask\ntorch==2.5.1\n"),
            (
                "app.py",
                "import torch\ndevice = 'cuda' if torch.cuda.is_available() else 'cpu'\n",
            ),
        ]);
        let found = fx.check(&CudaTorchWithoutGpu);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].file.as_str(), found[0].line),
            ("requirements.txt", Some(2))
        );
        assert!(found[0].bytes.unwrap() > 1_000_000_000);
    }

    #[test]
    fn cpu_index_or_gpu_code_is_left_alone() {
        let fx = Fixture::new(&[(
            "requirements.txt",
            "--extra-index-url https://download.pytorch.org/whl/cpu\ntorch==2.5.1\n",
        )]);
        assert!(fx.check(&CudaTorchWithoutGpu).is_empty());
        let fx = Fixture::new(&[
            ("requirements.txt", "torch==2.5.1\n"),
            ("train.py", "model = model.cuda()\n"),
        ]);
        assert!(fx.check(&CudaTorchWithoutGpu).is_empty());
    }
}
