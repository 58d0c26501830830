//! An image's layers as `docker save` writes them: each layer's bytes,
//! its size compressed with gzip as `docker push` sends it, the instruction
//! that made it, and the space it wastes as dive counts it.
//!
//! Wasted space and efficiency follow dive's definitions (its
//! `filetree/efficiency.go`): every file path is followed through the
//! layers; a path that appears in more than one layer (written again,
//! changed, or deleted by a whiteout) wastes the bytes of all its
//! appearances; efficiency is the sum, over all paths, of their smallest
//! appearance over the sum of all appearances. A layer's own `hidden`
//! bytes are those of earlier layers' files it overwrites or deletes.

use std::collections::HashMap;
use std::io::{Read, Write};

use serde::Serialize;

use crate::error::{Error, Result};

/// What to do when `docker save` wrote what dockslim cannot read.
const SAVE_HINT: &str = "verify reads the archive `docker save` writes (Docker 20.10 and later, or the containerd image store); report it with `docker version` if yours is one of those";

/// One layer of the image, oldest first.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Layer {
    /// The instruction that made it, from the image's history.
    pub instruction: String,
    /// The layer tar's bytes, as `docker save` writes it.
    pub bytes: u64,
    /// The same, gzip-compressed (level 6, as docker push compresses).
    pub compressed_bytes: u64,
    /// Bytes of earlier layers' files this layer overwrites or deletes.
    pub hidden_bytes: u64,
    /// Whether the layer comes from the base image.
    pub in_base: bool,
}

/// The layers and their totals.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImageLayers {
    pub layers: Vec<Layer>,
    pub bytes: u64,
    pub compressed_bytes: u64,
    /// What the Dockerfile adds to its base image (None when the base's
    /// layers are not known).
    pub over_base_bytes: Option<u64>,
    pub over_base_compressed_bytes: Option<u64>,
    /// dive's "potential wasted space".
    pub wasted_bytes: u64,
    /// dive's image efficiency, from 0 to 1.
    pub efficiency: f64,
}

/// What one layer tar holds: per path, its size, or a whiteout.
#[derive(Debug, Default)]
struct LayerFiles {
    files: Vec<(String, u64)>,
    whiteouts: Vec<String>,
}

/// One entry of the saved archive that may be a layer.
struct Blob {
    bytes: u64,
    compressed_bytes: u64,
    files: Option<LayerFiles>,
    /// Kept when small: the manifest and the image config are JSON.
    text: Option<Vec<u8>>,
}

/// Counts what is written to it.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads through `inner`, feeding every byte to a gzip encoder and a
/// counter, and keeping the first bytes (for JSON blobs).
struct Tee<R> {
    inner: R,
    gzip: flate2::write::GzEncoder<Counter>,
    bytes: u64,
    head: Vec<u8>,
}

const KEEP_HEAD: usize = 1 << 20;

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.gzip.write_all(&buf[..n])?;
        self.bytes += n as u64;
        if self.head.len() < KEEP_HEAD {
            let room = KEEP_HEAD - self.head.len();
            self.head.extend_from_slice(&buf[..n.min(room)]);
        }
        Ok(n)
    }
}

/// Reads one entry of the saved archive: sizes always, the file list when
/// it is a tar, the text when it is small.
fn read_blob(entry: impl Read) -> std::io::Result<Blob> {
    let mut tee = Tee {
        inner: entry,
        gzip: flate2::write::GzEncoder::new(Counter(0), flate2::Compression::new(6)),
        bytes: 0,
        head: Vec::new(),
    };
    let files = list_tar(&mut tee).ok();
    // Whatever the listing did not read (padding, or a blob that is not a
    // tar) still counts.
    std::io::copy(&mut tee, &mut std::io::sink())?;
    let compressed_bytes = tee.gzip.finish()?.0;
    let text = (tee.bytes as usize <= KEEP_HEAD).then_some(tee.head);
    Ok(Blob {
        bytes: tee.bytes,
        compressed_bytes,
        files,
        text,
    })
}

/// The files and whiteouts of a layer tar.
fn list_tar(reader: &mut impl Read) -> std::io::Result<LayerFiles> {
    let mut archive = tar::Archive::new(reader);
    let mut out = LayerFiles::default();
    for entry in archive.entries()? {
        let entry = entry?;
        let path = entry
            .path()?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        let name = path.rsplit('/').next().unwrap_or(&path);
        if let Some(hidden) = name.strip_prefix(".wh.") {
            if hidden != ".wh..opq" && name != ".wh..wh..opq" {
                let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                out.whiteouts.push(if dir.is_empty() {
                    hidden.to_string()
                } else {
                    format!("{dir}/{hidden}")
                });
            }
            continue;
        }
        if entry.header().entry_type().is_file() {
            out.files.push((path, entry.header().size()?));
        }
    }
    Ok(out)
}

#[derive(serde::Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Config {
    #[serde(default)]
    history: Vec<History>,
}

#[derive(serde::Deserialize)]
struct History {
    #[serde(default)]
    created_by: String,
    #[serde(default)]
    empty_layer: bool,
}

/// The instruction a history entry records, as the Dockerfile wrote it.
fn instruction(created_by: &str) -> String {
    let text = created_by.trim();
    let text = text.strip_suffix("# buildkit").unwrap_or(text).trim_end();
    // The classic builder: `/bin/sh -c #(nop)  COPY ...` for metadata and
    // copies, `|2 A=1 B=2 /bin/sh -c apt-get ...` for RUN with build args.
    // BuildKit: `RUN /bin/sh -c apt-get ... # buildkit`.
    let text = text
        .strip_prefix("RUN /bin/sh -c ")
        .map_or(text.to_string(), |rest| format!("RUN {rest}"));
    let text = text.as_str();
    let text = match text.find("/bin/sh -c ") {
        Some(at) if text[..at].trim().is_empty() || text.starts_with('|') => {
            let rest = &text[at + "/bin/sh -c ".len()..];
            match rest.strip_prefix("#(nop)") {
                Some(meta) => meta.trim().to_string(),
                None => format!("RUN {}", rest.trim()),
            }
        }
        _ => text.to_string(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads a `docker save` archive of one image. `base_layers` is how many
/// of its first layers are the base image's, when known.
pub fn read_saved(archive: impl Read, base_layers: Option<usize>) -> Result<ImageLayers> {
    let bad = |e: std::io::Error| {
        Error::unsupported(
            format!("docker save wrote an archive dockslim cannot read: {e}"),
            SAVE_HINT,
        )
    };
    let mut blobs: HashMap<String, Blob> = HashMap::new();
    let mut outer = tar::Archive::new(archive);
    for entry in outer.entries().map_err(bad)? {
        let entry = entry.map_err(bad)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(bad)?.to_string_lossy().into_owned();
        blobs.insert(path, read_blob(entry).map_err(bad)?);
    }
    let json_of = |path: &str| -> Result<&[u8]> {
        blobs
            .get(path)
            .and_then(|b| b.text.as_deref())
            .ok_or_else(|| Error::unsupported(format!("docker save wrote no {path}"), SAVE_HINT))
    };
    let manifest: Vec<ManifestEntry> = serde_json::from_slice(json_of("manifest.json")?)
        .map_err(|e| Error::unsupported(format!("docker save's manifest.json: {e}"), SAVE_HINT))?;
    let manifest = manifest.into_iter().next().ok_or_else(|| {
        Error::unsupported("docker save's manifest.json names no image", SAVE_HINT)
    })?;
    let config: Config = serde_json::from_slice(json_of(&manifest.config)?).map_err(|e| {
        Error::unsupported(
            format!("the image config {}: {e}", manifest.config),
            SAVE_HINT,
        )
    })?;
    let instructions: Vec<String> = config
        .history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| instruction(&h.created_by))
        .collect();

    let mut seen: HashMap<String, Vec<u64>> = HashMap::new();
    let mut layers = Vec::new();
    for (i, path) in manifest.layers.iter().enumerate() {
        let blob = blobs.get(path).ok_or_else(|| {
            Error::unsupported(format!("docker save wrote no layer {path}"), SAVE_HINT)
        })?;
        let files = blob.files.as_ref().ok_or_else(|| {
            Error::unsupported(
                format!("the layer {path} of docker save is not a tar"),
                SAVE_HINT,
            )
        })?;
        let mut hidden = 0;
        for (file, size) in &files.files {
            let earlier = seen.entry(file.clone()).or_default();
            hidden += earlier.last().copied().unwrap_or(0);
            earlier.push(*size);
        }
        for gone in &files.whiteouts {
            // A deleted file, or a deleted folder with everything below it.
            let below = format!("{gone}/");
            let mut deleted = Vec::new();
            for (path, sizes) in seen.iter_mut() {
                if path == gone || path.starts_with(&below) {
                    let size = sizes.last().copied().unwrap_or(0);
                    hidden += size;
                    deleted.push((path.clone(), size));
                }
            }
            for (path, size) in deleted {
                seen.get_mut(&path).expect("seen").push(size);
            }
        }
        layers.push(Layer {
            instruction: instructions.get(i).cloned().unwrap_or_default(),
            bytes: blob.bytes,
            compressed_bytes: blob.compressed_bytes,
            hidden_bytes: hidden,
            in_base: base_layers.is_some_and(|n| i < n),
        });
    }
    let (mut minimum, mut all, mut wasted) = (0u64, 0u64, 0u64);
    for sizes in seen.values() {
        let sum: u64 = sizes.iter().sum();
        minimum += sizes.iter().min().copied().unwrap_or(0);
        all += sum;
        if sizes.len() > 1 {
            wasted += sum;
        }
    }
    let over = |f: fn(&Layer) -> u64| {
        base_layers.map(|_| layers.iter().filter(|l| !l.in_base).map(f).sum())
    };
    Ok(ImageLayers {
        bytes: layers.iter().map(|l| l.bytes).sum(),
        compressed_bytes: layers.iter().map(|l| l.compressed_bytes).sum(),
        over_base_bytes: over(|l| l.bytes),
        over_base_compressed_bytes: over(|l| l.compressed_bytes),
        wasted_bytes: wasted,
        efficiency: if all == 0 {
            1.0
        } else {
            minimum as f64 / all as f64
        },
        layers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer tar of `(path, bytes)`; an empty `bytes` with a `.wh.` name
    /// is a whiteout.
    fn layer_tar(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, bytes) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, path, *bytes).unwrap();
        }
        builder.into_inner().unwrap()
    }

    /// A `docker save` archive in the classic layout: `<id>/layer.tar`.
    fn saved(layers: &[Vec<u8>], history: &[(&str, bool)]) -> Vec<u8> {
        let names: Vec<String> = (0..layers.len())
            .map(|i| format!("l{i}/layer.tar"))
            .collect();
        let config = serde_json::json!({
            "history": history.iter().map(|(c, empty)| serde_json::json!({"created_by": c, "empty_layer": empty})).collect::<Vec<_>>()
        });
        let manifest =
            serde_json::json!([{"Config": "cfg.json", "RepoTags": ["x:y"], "Layers": names}]);
        let mut builder = tar::Builder::new(Vec::new());
        let mut add = |path: &str, bytes: &[u8]| {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, path, bytes).unwrap();
        };
        for (name, layer) in names.iter().zip(layers) {
            add(name, layer);
        }
        add("cfg.json", config.to_string().as_bytes());
        add("manifest.json", manifest.to_string().as_bytes());
        builder.into_inner().unwrap()
    }

    #[test]
    fn layers_sizes_instructions_and_waste() {
        let big = vec![7u8; 10_000];
        let base = layer_tar(&[("etc/os-release", b"debian"), ("usr/bin/python3", &big)]);
        let install = layer_tar(&[("app/cache/a.bin", &big), ("app/main.py", b"print(1)\n")]);
        // Deletes the cache folder and rewrites main.py: 10,000 + 9 bytes hidden.
        let cleanup = layer_tar(&[("app/.wh.cache", b""), ("app/main.py", b"print(2)\n")]);
        let archive = saved(
            &[base.clone(), install.clone(), cleanup.clone()],
            &[
                ("/bin/sh -c #(nop) ADD file:abc in / ", false),
                ("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
                ("|1 V=1 /bin/sh -c pip install -r requirements.txt", false),
                ("RUN /bin/sh -c rm -rf /app/cache # buildkit", false),
            ],
        );
        let image = read_saved(archive.as_slice(), Some(1)).unwrap();
        let instructions: Vec<&str> = image
            .layers
            .iter()
            .map(|l| l.instruction.as_str())
            .collect();
        assert_eq!(
            instructions,
            [
                "ADD file:abc in /",
                "RUN pip install -r requirements.txt",
                "RUN rm -rf /app/cache"
            ]
        );
        assert_eq!(image.layers[0].bytes, base.len() as u64);
        assert!(image.layers[0].in_base && !image.layers[1].in_base);
        assert_eq!(
            image.over_base_bytes,
            Some((install.len() + cleanup.len()) as u64)
        );
        // Compressed sizes are gzip's, and runs of one byte compress well.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        gz.write_all(&install).unwrap();
        assert_eq!(
            image.layers[1].compressed_bytes,
            gz.finish().unwrap().len() as u64
        );
        assert!(image.compressed_bytes < image.bytes / 3);
        assert_eq!(image.layers[2].hidden_bytes, 10_000 + 9);
        assert_eq!(image.layers[1].hidden_bytes, 0);
        // dive: a.bin (10,000 twice) and main.py (9 + 9) are the waste.
        assert_eq!(image.wasted_bytes, 20_000 + 18);
        let all = 6 + 10_000 + 20_000 + 18;
        let minimum = 6 + 10_000 + 10_000 + 9;
        assert!((image.efficiency - minimum as f64 / all as f64).abs() < 1e-9);
    }

    #[test]
    fn without_a_known_base_there_is_no_over_base() {
        let archive = saved(&[layer_tar(&[("a", b"x")])], &[("ADD a /", false)]);
        let image = read_saved(archive.as_slice(), None).unwrap();
        assert_eq!(image.over_base_bytes, None);
        assert_eq!(image.efficiency, 1.0);
    }

    #[test]
    fn an_archive_without_a_manifest_is_an_error() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(1);
        header.set_cksum();
        builder.append_data(&mut header, "x", &b"x"[..]).unwrap();
        let err = read_saved(builder.into_inner().unwrap().as_slice(), None).unwrap_err();
        assert!(err.to_string().contains("manifest.json"), "{err}");
    }
}
