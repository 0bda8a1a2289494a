//! `generated/` must be exactly what the generator emits from `spec/` and `templates/`:
//! a stale checked-in client cannot land. (Same check as `cargo xtask codegen --check`.)

use std::path::Path;

#[test]
fn generated_crate_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let options = generator::Options {
        spec: root.join("spec/linq-api-v3.yaml"),
        templates: root.join("templates"),
        crate_name: None,
    };
    let mut generated = generator::generate(&options).unwrap_or_else(|e| panic!("{e}"));
    // The changelog and version follow the surface recorded in `generated/api.json`.
    generator::api_diff::release(
        &mut generated,
        &root.join("generated"),
        &root.join("templates"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (changes, diff) = generator::write::check(&root.join("generated"), &generated.files)
        .expect("read generated/");
    assert!(
        changes.is_empty(),
        "generated/ is stale; run `cargo xtask codegen` and commit the result:\n{diff}"
    );
}
