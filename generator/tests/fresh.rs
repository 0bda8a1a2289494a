//! `generated/` must be exactly what the generator emits from `spec/` and `templates/`:
//! a stale checked-in client cannot land. (Same check as `cargo xtask codegen --check`.)

use std::path::Path;

#[test]
fn generated_crate_is_fresh() {
    check_fresh("spec/linq-api-v3.yaml", "generated");
}

/// The pagination fixture's client, which the client tests page through.
#[test]
fn paging_fixture_crate_is_fresh() {
    check_fresh(
        "generator/tests/fixtures/pagination.yaml",
        "client-tests/paging-api",
    );
}

/// The request-shape fixture's client, whose wire forms the client tests check.
#[test]
fn wire_fixture_crate_is_fresh() {
    check_fresh(
        "generator/tests/fixtures/wire.yaml",
        "client-tests/wire-api",
    );
}

fn check_fresh(spec: &str, out: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let options = generator::Options {
        spec: root.join(spec),
        templates: root.join("templates"),
        crate_name: None,
    };
    let mut generated = generator::generate(&options).unwrap_or_else(|e| panic!("{e}"));
    // The changelog and version follow the surface recorded in the crate's `api.json`.
    generator::api_diff::release(&mut generated, &root.join(out), &root.join("templates"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (changes, diff) =
        generator::write::check(&root.join(out), &generated.files).expect("read the crate");
    assert!(
        changes.is_empty(),
        "{out}/ is stale; run `cargo xtask codegen` and commit the result:\n{diff}"
    );
}
