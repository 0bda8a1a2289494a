//! Embeds the `templates/` folder (runtime sources, `*.tmpl` files) into the library,
//! so that the installed `openapi-rust-gen` binary needs no files of this repository.
//! Writes `$OUT_DIR/embedded_templates.rs`: one `(relative path, include_str!(..))`
//! pair per file, sorted by path. Any change below `templates/` reruns this script.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = rel.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            files(&entry.path(), &name, out)?;
        } else if name.extension().is_some_and(|e| e == "rs" || e == "tmpl") {
            out.push(name);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest.join("../templates").canonicalize()?;
    println!("cargo:rerun-if-changed={}", root.display());
    let mut found = Vec::new();
    files(&root, Path::new(""), &mut found)?;
    found.sort();
    let mut code = String::from("pub(crate) const EMBEDDED: &[(&str, &str)] = &[\n");
    for rel in found {
        let rel_text = rel
            .to_str()
            .ok_or("template paths must be UTF-8")?
            .replace('\\', "/");
        let full = root.join(&rel);
        writeln!(
            code,
            "    ({rel_text:?}, include_str!({:?})),",
            full.to_str().ok_or("template paths must be UTF-8")?
        )?;
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("embedded_templates.rs");
    std::fs::write(out, code)?;
    Ok(())
}
