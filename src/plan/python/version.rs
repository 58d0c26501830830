//! Which Python: the configuration, a pinned version in the repository or
//! the existing FROM, checked against requires-python; the profile's
//! default otherwise.

use crate::detect::python_version::{minor_satisfies, Minor, VersionSays};
use crate::error::{Error, Result};
use crate::plan::Inputs;

/// The Python minor version and the sentence that says where it came from.
pub(crate) fn python_version(
    inputs: &Inputs,
    p: &crate::profile::PythonProfile,
) -> Result<(Minor, String)> {
    let supported: Vec<Minor> = p
        .supported
        .iter()
        .filter_map(|v| Minor::parse_loose(v))
        .collect();
    let default = Minor::parse_loose(&p.default_version).ok_or_else(|| {
        Error::usage(
            format!(
                "profile default_version `{}` is not a Python version",
                p.default_version
            ),
            "write it as a minor version such as \"3.12\" in the profile (`dockslim profiles show NAME` prints it)",
        )
    })?;
    if let Some(v) = &inputs.config.python {
        let minor = Minor::parse_loose(v).ok_or_else(|| {
            Error::usage(
                format!("python = `{v}`: expected a Python version"),
                "write a minor version such as python: \"3.12\" (in quotes: YAML reads 3.10 as 3.1)",
            )
        })?;
        return Ok((minor, "as the configuration pins".into()));
    }
    let mut pins: Vec<(Minor, String)> = Vec::new();
    let mut ranges: Vec<(String, String)> = Vec::new();
    for e in &inputs.project.python.version_evidence {
        match &e.says {
            VersionSays::Pin(m) => pins.push((*m, format!("{}:{}", e.file, e.line))),
            VersionSays::Range(r) => ranges.push((r.clone(), format!("{}:{}", e.file, e.line))),
        }
    }
    if let Some(df) = inputs.dockerfile {
        if let Some(m) = crate::dockerfile::python_minor_of_image(&df.image_base()) {
            pins.push((
                m,
                format!("the existing FROM at {}:{}", df.path, df.image_stage().line),
            ));
        }
    }
    let fits = |m: Minor| ranges.iter().all(|(r, _)| minor_satisfies(m, r));
    if let Some((minor, source)) = pins.first() {
        let mut reason = format!("from {source}");
        let others: Vec<String> = pins[1..]
            .iter()
            .filter(|(m, _)| m != minor)
            .map(|(m, s)| format!("{s} says {m}"))
            .collect();
        if !others.is_empty() {
            reason.push_str(&format!(" (which wins over {})", others.join(", ")));
        }
        if !fits(*minor) {
            reason.push_str(&format!(
                ", although it is outside requires-python {}",
                ranges
                    .iter()
                    .map(|(r, _)| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        return Ok((*minor, reason));
    }
    if !ranges.is_empty() {
        let range_text = ranges
            .iter()
            .map(|(r, s)| format!("{r} at {s}"))
            .collect::<Vec<_>>()
            .join(", ");
        if fits(default) {
            return Ok((
                default,
                format!("(the profile default) satisfies requires-python {range_text}"),
            ));
        }
        let best = supported.iter().rev().find(|m| fits(**m)).ok_or_else(|| {
            Error::unsupported(
                format!(
                    "requires-python {range_text} allows none of the supported Python versions ({})",
                    p.supported.join(", ")
                ),
                "widen requires-python to include one of them, or pin one with `python` in dockslim.yaml",
            )
        })?;
        return Ok((
            *best,
            format!("is the newest supported version within requires-python {range_text}"),
        ));
    }
    Ok((
        default,
        "is the profile default; nothing in the repository names a version".into(),
    ))
}
