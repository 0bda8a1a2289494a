//! The `openapi-rust-gen` binary: templates embedded, installable with `cargo install`,
//! usable from any folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use generator::templates::Templates;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("openapi-rust-gen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn run(command: &mut Command) -> Output {
    let shown = format!("{command:?}");
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The built-in templates are the `templates/` folder, file for file, so the installed
/// binary generates exactly what `cargo xtask codegen` does: `generated/` unchanged.
#[test]
fn embedded_templates_are_the_templates_folder_and_generate_the_checked_in_crate() {
    let embedded = Templates::embedded().expect("embedded templates");
    let folder = Templates::load(&repo().join("templates")).expect("templates folder");
    let a: Vec<_> = embedded.files().collect();
    let b: Vec<_> = folder.files().collect();
    assert_eq!(
        a.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        b.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    assert!(a == b, "an embedded template differs from its file");

    let mut generated =
        generator::generate_from(&repo().join("spec/linq-api-v3.yaml"), None, None, &embedded)
            .expect("generates");
    // As `cargo xtask codegen`: the changelog and version from the recorded surface.
    generator::api_diff::release_with(&mut generated, &repo().join("generated"), &embedded)
        .expect("release");
    let (changes, diff) =
        generator::write::check(&repo().join("generated"), &generated.files).expect("check");
    assert!(changes.is_empty(), "generated/ differs:\n{diff}");
}

/// `cargo install` into a temporary root, then, from an empty folder: generate a client
/// for a fixture spec with `--name` and `--config`, `--check` it (clean, then stale after
/// an edit), and `cargo check` the crate. Uses the shared target dirs (the generator's,
/// and the corpus run's for the generated crate, with its profile), so a warm run takes
/// about 20 s, nearly all of it `cargo install` linking the binary.
#[test]
fn installed_binary_generates_a_client_that_compiles_from_an_empty_folder() {
    let started = Instant::now();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"));
    let root = temp_dir("install");
    let out = run(Command::new(&cargo)
        .args([
            "install",
            "--debug",
            "--locked",
            "--offline",
            "--quiet",
            "--path",
        ])
        .arg(repo().join("generator"))
        .arg("--root")
        .arg(&root)
        .env("CARGO_TARGET_DIR", &target));
    assert!(out.status.success(), "cargo install failed: {}", text(&out));
    let exe = root
        .join("bin")
        .join(format!("openapi-rust-gen{}", std::env::consts::EXE_SUFFIX));
    assert!(exe.is_file(), "no binary at {}", exe.display());
    let installed = started.elapsed();

    // The spec and its config live elsewhere; the work folder starts empty.
    let specs = temp_dir("specs");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/operations.yaml"),
        specs.join("api.yaml"),
    )
    .expect("copy fixture");
    std::fs::write(
        specs.join("settings.yaml"),
        "version: 0.3.1\nenv:\n  api_key: SHOP_KEY\n",
    )
    .expect("config");
    let work = temp_dir("work");

    let generate = |extra: &[&str]| {
        run(Command::new(&exe)
            .arg("generate")
            .arg("--spec")
            .arg(specs.join("api.yaml"))
            .args(["--out", "my-client", "--name", "my-client", "--config"])
            .arg(specs.join("settings.yaml"))
            .args(extra)
            .current_dir(&work))
    };
    let out = generate(&[]);
    assert!(out.status.success(), "generate failed: {}", text(&out));
    let crate_dir = work.join("my-client");
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("name = \"my-client\""), "{manifest}");
    assert!(manifest.contains("version = \"0.3.1\""), "{manifest}");
    let settings = std::fs::read_to_string(crate_dir.join("src/settings.rs")).expect("settings");
    assert!(settings.contains("SHOP_KEY"), "{settings}");

    let out = generate(&["--check"]);
    assert!(
        out.status.success(),
        "fresh crate reported stale: {}",
        text(&out)
    );
    std::fs::write(crate_dir.join("src/lib.rs"), "// edited\n").expect("edit");
    let out = generate(&["--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("src/lib.rs"));
    let out = generate(&[]);
    assert!(out.status.success(), "regenerate failed: {}", text(&out));

    // The same dependency versions as the repository's own client, and the corpus
    // run's target dir and profile, so nothing is downloaded or rebuilt needlessly.
    std::fs::copy(repo().join("Cargo.lock"), crate_dir.join("Cargo.lock")).expect("lock");
    let out = run(Command::new(&cargo)
        .args(["check", "--offline", "--quiet"])
        .current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", target.join("corpus"))
        .env("CARGO_PROFILE_DEV_DEBUG", "false"));
    assert!(
        out.status.success(),
        "the generated crate does not compile: {}",
        text(&out)
    );

    for dir in [&root, &specs, &work] {
        let _ = std::fs::remove_dir_all(dir);
    }
    eprintln!(
        "install {installed:.1?}; install, generate and check {:.1?}",
        started.elapsed()
    );
}
