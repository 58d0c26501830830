//! How sizes and counts read in reports and reasons: decimal units as
//! `docker images` prints them.

/// "1 file", "3 files".
pub fn files(n: usize) -> String {
    if n == 1 {
        "1 file".to_string()
    } else {
        format!("{n} files")
    }
}

/// 1234567 -> "1.2 MB" (decimal units, as `docker images` prints).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: &[&str] = &["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A size a user writes: `400MB`, `1.5 GB`, `350MiB`, `2000000` (bytes).
/// Decimal units as `docker images` prints them; `KiB`, `MiB`, `GiB` are
/// binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ByteSize(pub u64);

impl std::str::FromStr for ByteSize {
    type Err = String;

    fn from_str(text: &str) -> Result<ByteSize, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = (&text[..split], text[split..].trim());
        let expected = || {
            format!("`{text}`: expected a size such as 400MB, 1.5GB, 350MiB or a number of bytes")
        };
        let value: f64 = number.parse().map_err(|_| expected())?;
        let scale: f64 = match unit.to_ascii_lowercase().as_str() {
            "" | "b" => 1.0,
            "k" | "kb" => 1e3,
            "m" | "mb" => 1e6,
            "g" | "gb" => 1e9,
            "t" | "tb" => 1e12,
            "kib" => 1024.0,
            "mib" => 1024.0 * 1024.0,
            "gib" => 1024.0 * 1024.0 * 1024.0,
            _ => return Err(expected()),
        };
        Ok(ByteSize((value * scale).round() as u64))
    }
}

impl<'de> serde::Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ByteSize, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ByteSize;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a size such as 400MB, 1.5GB, 350MiB or a number of bytes")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ByteSize, E> {
                Ok(ByteSize(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ByteSize, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_users_write_them() {
        let size = |s: &str| s.parse::<ByteSize>().map(|b| b.0);
        assert_eq!(size("400MB"), Ok(400_000_000));
        assert_eq!(size("1.5 GB"), Ok(1_500_000_000));
        assert_eq!(size("350MiB"), Ok(350 * 1024 * 1024));
        assert_eq!(size("2000000"), Ok(2_000_000));
        assert_eq!(size("400mb"), Ok(400_000_000));
        assert!(size("400 parsecs").unwrap_err().contains("expected a size"));
        assert!(size("MB").is_err());
        let yaml: ByteSize = serde_norway::from_str("400MB").unwrap();
        assert_eq!(yaml.0, 400_000_000);
        let yaml: ByteSize = serde_norway::from_str("12345").unwrap();
        assert_eq!(yaml.0, 12345);
    }

    #[test]
    fn bytes_read_like_docker() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_234_567), "1.2 MB");
        assert_eq!(human_bytes(13_000_000_000), "13.0 GB");
        assert_eq!(files(1), "1 file");
    }
}
