//! Text the fixes write that is ours, not the user's: an apt install in the
//! form the templates use, and (for DS301) a builder stage made of the
//! user's own install steps.

/// One RUN that installs Debian packages without recommends and leaves no
/// package lists behind (the templates' `apt_install`).
pub fn apt_install_run(packages: &[&str]) -> String {
    let mut out = String::from("RUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n");
    for p in packages {
        out.push_str(&format!("      {p} \\\n"));
    }
    out.push_str(" && rm -rf /var/lib/apt/lists/*");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_install_reads_like_the_templates() {
        assert_eq!(
            apt_install_run(&["libpq5", "curl"]),
            "RUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n      libpq5 \\\n      curl \\\n && rm -rf /var/lib/apt/lists/*"
        );
    }
}
