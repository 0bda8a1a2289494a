//! Spec text never becomes a doctest. `fixtures/doc_fences.yaml` puts code fences of
//! every kind (info strings rustdoc reads as Rust, tag lists, odd spacing, tildes,
//! fences in block quotes and list items, indented blocks, bare carriage returns) in
//! every place spec text reaches the docs; each would write a marker file if it ran.
//! The crate is generated into a temporary folder and `cargo test --doc` runs on it:
//! the generator's own `no_run` examples must still compile, and no marker may appear.

use std::path::{Path, PathBuf};
use std::process::Command;

fn target_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../target"));
    let target = if target.is_absolute() {
        target
    } else {
        manifest.join("..").join(target)
    };
    // One target dir for generated crates, kept between runs so their dependencies
    // build once; separate from the workspace's, which the running test holds.
    target.join("generated-crates")
}

/// Generates the fixture `name` into a temporary folder set up as a crate of its own;
/// returns the folder and a function running cargo there (asserting success, giving
/// stdout).
fn generated_crate(name: &str, crate_name: Option<&str>) -> (PathBuf, impl Fn(&[&str]) -> String) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let options = generator::Options {
        spec: manifest.join("tests/fixtures").join(name),
        templates: manifest.join("../templates"),
        crate_name: crate_name.map(str::to_string),
    };
    let generated = generator::generate(&options).expect("the fixture generates");
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    generator::write::write(&dir, &generated.files).expect("write the crate");
    // A workspace of its own, with the repository's lock file so the dependencies are
    // the versions already built and downloaded.
    let toml = dir.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&toml).expect("Cargo.toml");
    text.push_str("\n[workspace]\n");
    std::fs::write(&toml, text).expect("Cargo.toml");
    std::fs::copy(manifest.join("../Cargo.lock"), dir.join("Cargo.lock")).expect("lock file");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let at = dir.clone();
    let run = move |args: &[&str]| {
        let out = Command::new(&cargo)
            .args(args)
            .current_dir(&at)
            .env("CARGO_TARGET_DIR", target_dir())
            .env_remove("RUSTDOCFLAGS")
            .output()
            .expect("run cargo");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "cargo {args:?} failed:\n{stdout}\n{stderr}"
        );
        stdout
    };
    (dir, run)
}

/// Valid input whose names and text once broke the crate (`fixtures/odd_names.yaml`:
/// tags named like the resource files' imports, a method named like another's
/// `_with_response` twin, carriage returns and bidirectional controls in text, a
/// title with a backslash and a newline that is also a keyword): the crate compiles,
/// with its docs' examples.
#[test]
fn odd_names_and_text_compile() {
    let (dir, run) = generated_crate("odd_names.yaml", None);
    let toml = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
    assert!(toml.contains("name = \"async-api\""), "{toml}");
    // Wire names, enum values and union tags that would end a literal or a comment are
    // written escaped, in the items written as text as in those spelled as tokens.
    let types = std::fs::read_to_string(dir.join("src/types.rs")).expect("types.rs");
    for line in types.lines() {
        assert!(
            !line.trim_start().starts_with("fn evil"),
            "spec text became code: {line}"
        );
    }
    for escaped in [
        r#"object.field("a\"b\\c\nd */ e", &self.a_b_c_d_e);"#,
        r#"Self::XFnEvilValue => "x\n}\nfn evil_value() {}\n//","#,
        r#"/// `x\u{a}}\u{a}fn evil_value() {}\u{a}//`"#,
        r#""a\"\n}\nfn evil_tag() {}" => serde_json::from_value(value)"#,
        r#"/// `a"\u{a}}\u{a}fn evil_tag() {}`"#,
    ] {
        assert!(types.contains(escaped), "missing `{escaped}` in:\n{types}");
    }
    run(&["test", "--doc"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_spec_fence_runs_as_a_doctest() {
    let (dir, run) = generated_crate("doc_fences.yaml", Some("doc-fences"));
    let list = run(&["test", "--doc", "--", "--list"]);
    run(&["test", "--doc"]);

    let markers: Vec<String> = std::fs::read_dir(&dir)
        .expect("read the crate folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("MARKER"))
        .collect();
    assert!(
        markers.is_empty(),
        "spec text ran as a doctest: {markers:?}"
    );

    // Every doctest is one the generator or the runtime wrote: a `no_run` example.
    let mut own = 0;
    for line in list.lines().filter(|l| l.ends_with(": test")) {
        // `src/resources/notes.rs - resources::notes::Notes::get_note (line 12): test`
        let (file, rest) = line.split_once(" - ").expect("a doctest line");
        let number: usize = rest
            .rsplit_once("(line ")
            .and_then(|(_, n)| n.split_once(')'))
            .and_then(|(n, _)| n.parse().ok())
            .expect("a line number");
        let source = std::fs::read_to_string(dir.join(file)).expect("doctest source");
        let fence = source.lines().nth(number - 1).unwrap_or_default().trim();
        assert!(
            fence.ends_with("```no_run") || file.starts_with("src/runtime/"),
            "a doctest that is not the generator's own: {line}: {fence}"
        );
        own += usize::from(fence.ends_with("```no_run"));
    }
    // The crate docs and the two operations each have their example.
    assert_eq!(own, 3, "{list}");
    let _ = std::fs::remove_dir_all(&dir);
}
