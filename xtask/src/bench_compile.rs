//! Compile time of generated crates (`cargo check` / `cargo build` of the Linq crate
//! and of large corpus crates), printed by `cargo xtask bench` after the generation
//! sections.
//!
//! Placeholder: this section is not measured yet.

/// The report section, as printable text.
pub fn run(quick: bool) -> Result<String, String> {
    let _ = quick;
    Ok("\n## Generated crates: compile time\n\n(not measured yet: xtask/src/bench_compile.rs is a placeholder)\n".to_string())
}
