//! Stage 7, write: put the files on disk, or compare them with what is there.
//!
//! The output folder belongs to the generator: files it no longer emits are removed,
//! unchanged files are not touched (so timestamps and incremental builds survive),
//! and nothing is written before every file was generated.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};

/// Folders inside the output that are never generator-owned.
const IGNORED: &[&str] = &["target"];

/// The generated files, keyed by path relative to the crate root (sorted, so output
/// order never depends on hashing).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileSet(BTreeMap<PathBuf, String>);

impl FileSet {
    /// Adds or replaces a file.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: String) {
        self.0.insert(path.into(), text);
    }

    /// A file's text.
    pub fn get(&self, path: &Path) -> Option<&str> {
        self.0.get(path).map(String::as_str)
    }

    /// Paths and texts in order.
    pub fn iter(&self) -> impl Iterator<Item = (&PathBuf, &String)> {
        self.0.iter()
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What writing (or checking) found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Files created or rewritten.
    pub written: Vec<PathBuf>,
    /// Files removed because the generator no longer emits them.
    pub removed: Vec<PathBuf>,
    /// Files left as they were.
    pub unchanged: usize,
}

impl Changes {
    /// True when the folder already matched.
    pub fn is_empty(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Output, path, e.to_string())
}

/// Every file under `root` (relative paths), skipping ignored folders.
fn existing_files(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    if !root.exists() {
        return Ok(out);
    }
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = root.join(&rel);
        for entry in std::fs::read_dir(&dir).map_err(|e| io_error(&dir, e))? {
            let entry = entry.map_err(|e| io_error(&dir, e))?;
            let name = entry.file_name();
            let child = rel.join(&name);
            let kind = entry.file_type().map_err(|e| io_error(&entry.path(), e))?;
            if kind.is_dir() {
                if !(rel.as_os_str().is_empty() && IGNORED.iter().any(|i| name == *i)) {
                    stack.push(child);
                }
            } else if rel.as_os_str().is_empty() && name == "Cargo.lock" {
                // A lock file cargo may create when the crate is built on its own.
            } else {
                out.push(child);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Compares `files` with the folder without changing anything.
pub fn check(root: &Path, files: &FileSet) -> Result<(Changes, String), Error> {
    let mut changes = Changes::default();
    let mut diff = String::new();
    for (rel, text) in files.iter() {
        let path = root.join(rel);
        match std::fs::read_to_string(&path) {
            Ok(old) if old == *text => changes.unchanged += 1,
            Ok(old) => {
                changes.written.push(rel.clone());
                diff.push_str(&unified_diff(rel, &old, text));
            }
            Err(_) => {
                changes.written.push(rel.clone());
                let _ = writeln!(
                    diff,
                    "--- /dev/null\n+++ {}\n(new file, {} lines)",
                    rel.display(),
                    text.lines().count()
                );
            }
        }
    }
    for rel in existing_files(root)? {
        if files.get(&rel).is_none() {
            let _ = writeln!(
                diff,
                "--- {}\n+++ /dev/null\n(file no longer generated)",
                rel.display()
            );
            changes.removed.push(rel);
        }
    }
    Ok((changes, diff))
}

/// Makes the folder match `files`: writes what differs, removes what is no longer
/// generated, then removes folders left empty.
pub fn write(root: &Path, files: &FileSet) -> Result<Changes, Error> {
    let (changes, _) = check(root, files)?;
    for rel in &changes.written {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
        }
        let text = files.get(rel).unwrap_or_default();
        std::fs::write(&path, text).map_err(|e| io_error(&path, e))?;
    }
    for rel in &changes.removed {
        let path = root.join(rel);
        std::fs::remove_file(&path).map_err(|e| io_error(&path, e))?;
        let mut dir = path.parent();
        while let Some(d) = dir {
            if d == root || std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(changes)
}

/// A compact unified diff: the changed region between the common prefix and suffix,
/// with a few lines of context. Enough to see what went stale without a diff library.
pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    const CONTEXT: usize = 3;
    const MAX_LINES: usize = 80;
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let start = prefix.saturating_sub(CONTEXT);
    let a_end = a.len() - suffix;
    let b_end = b.len() - suffix;
    let mut out = format!(
        "--- {p} (on disk)\n+++ {p} (generated)\n@@ -{},{} +{},{} @@\n",
        start + 1,
        (a_end + CONTEXT).min(a.len()) - start,
        start + 1,
        (b_end + CONTEXT).min(b.len()) - start,
        p = path.display()
    );
    let mut lines = 0;
    let mut push = |out: &mut String, line: String| {
        if lines < MAX_LINES {
            out.push_str(&line);
            out.push('\n');
        }
        lines += 1;
    };
    for l in &a[start..prefix] {
        push(&mut out, format!(" {l}"));
    }
    for l in &a[prefix..a_end] {
        push(&mut out, format!("-{l}"));
    }
    for l in &b[prefix..b_end] {
        push(&mut out, format!("+{l}"));
    }
    for l in &a[a_end..(a_end + CONTEXT).min(a.len())] {
        push(&mut out, format!(" {l}"));
    }
    if lines > MAX_LINES {
        let _ = writeln!(out, "... ({} more lines)", lines - MAX_LINES);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gen-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn writes_only_changes_and_removes_stale_files() {
        let dir = tempdir("changes");
        let mut files = FileSet::default();
        files.insert("src/a.rs", "a\n".to_string());
        files.insert("src/b.rs", "b\n".to_string());
        let first = write(&dir, &files).expect("write");
        assert_eq!(first.written.len(), 2);

        let mut next = FileSet::default();
        next.insert("src/a.rs", "a\n".to_string());
        next.insert("src/c/d.rs", "d\n".to_string());
        std::fs::create_dir_all(dir.join("target/debug")).expect("mkdir");
        std::fs::write(dir.join("target/debug/x"), "build output").expect("write");
        let second = write(&dir, &next).expect("write");
        assert_eq!(second.written, vec![PathBuf::from("src/c/d.rs")]);
        assert_eq!(second.removed, vec![PathBuf::from("src/b.rs")]);
        assert_eq!(second.unchanged, 1);
        assert!(dir.join("target/debug/x").exists(), "target/ is not ours");

        let (again, diff) = check(&dir, &next).expect("check");
        assert!(again.is_empty(), "{diff}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn diff_shows_the_changed_lines() {
        let d = unified_diff(Path::new("x.rs"), "a\nb\nc\n", "a\nB\nc\n");
        assert!(d.contains("-b\n+B\n"), "{d}");
    }
}
