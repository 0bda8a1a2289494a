//! Property test: take real specs (the corpus in `../shared/corpus`, and the fixture
//! specs), apply random mutations (drop a field, change a type, break a `$ref`, insert
//! odd names) and run the whole generator on each result. It must never panic, and must
//! return either a crate whose every Rust file parses with `syn`, or an error that names
//! the file.
//!
//! Deterministic (a fixed-seed xorshift generator; the seed of a failure is printed).
//! By default specs over 1 MB are skipped and each spec gets a few mutations, so the
//! test stays well under a minute in the debug build. `MUTATIONS_ALL=1` includes every
//! spec; `MUTATIONS_PER_SPEC=N` changes the count; `MUTATIONS_SEED=N` the seed;
//! `CORPUS_DIR` the corpus folder.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

const DEFAULT_PER_SPEC: usize = 6;
const MAX_DEFAULT_BYTES: u64 = 1_000_000;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// JSON pointers of every object node (as segment lists), and of `$ref` holders.
fn objects(
    v: &Value,
    path: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
    refs: &mut Vec<Vec<String>>,
) {
    match v {
        Value::Object(map) => {
            out.push(path.clone());
            if map.get("$ref").is_some_and(Value::is_string) {
                refs.push(path.clone());
            }
            for (k, child) in map {
                path.push(k.clone());
                objects(child, path, out, refs);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(i.to_string());
                objects(child, path, out, refs);
                path.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(doc: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let mut node = doc;
    for s in path {
        node = match node {
            Value::Object(m) => m.get_mut(s)?,
            Value::Array(a) => a.get_mut(s.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn pointer(path: &[String]) -> String {
    let mut p = String::from("#");
    for s in path {
        p.push('/');
        p.push_str(&s.replace('~', "~0").replace('/', "~1"));
    }
    p
}

const ODD_NAMES: &[&str] = &[
    "",
    " ",
    "type",
    "$ref",
    "3d",
    "a.b",
    "✨",
    "Self",
    "self",
    "foo bar",
    "Result",
    "Error",
    "Option",
    "Box",
    "Client",
    "__proto__",
    "a/b",
    "x~y",
    "%20",
    "unknown",
    "None",
];

/// Applies one random mutation; returns what it did.
fn mutate(doc: &mut Value, rng: &mut Rng) -> String {
    let mut all = Vec::new();
    let mut refs = Vec::new();
    objects(doc, &mut Vec::new(), &mut all, &mut refs);
    let kind = rng.below(7);
    match kind {
        // Drop a field.
        0 => {
            let Some(path) = rng.pick(&all).cloned() else {
                return "nothing".into();
            };
            let Some(Value::Object(map)) = node_mut(doc, &path) else {
                return "nothing".into();
            };
            let keys: Vec<String> = map.keys().cloned().collect();
            let Some(k) = rng.pick(&keys).cloned() else {
                return "nothing".into();
            };
            map.shift_remove(&k);
            format!("drop {}", pointer(&[path, vec![k]].concat()))
        }
        // Change a type: a `type` keyword, or any member to a value of another kind.
        1 | 2 => {
            let Some(path) = rng.pick(&all).cloned() else {
                return "nothing".into();
            };
            let Some(Value::Object(map)) = node_mut(doc, &path) else {
                return "nothing".into();
            };
            let replacements = [
                json!("string"),
                json!("integer"),
                json!("object"),
                json!("array"),
                json!("null"),
                json!("bogus"),
                json!(["string", "null"]),
                json!(7),
                json!(null),
                json!({}),
                json!([]),
                json!(true),
                json!(-1.5),
            ];
            let Some(new) = rng.pick(&replacements).cloned() else {
                return "nothing".into();
            };
            let key = if kind == 1 && map.contains_key("type") {
                "type".to_string()
            } else {
                let keys: Vec<String> = map.keys().cloned().collect();
                match rng.pick(&keys) {
                    Some(k) => k.clone(),
                    None => return "nothing".into(),
                }
            };
            map.insert(key.clone(), new.clone());
            format!("set {} = {new}", pointer(&[path, vec![key]].concat()))
        }
        // Break a `$ref`, or point it somewhere arbitrary.
        3 | 4 => {
            let Some(path) = rng.pick(&refs).cloned() else {
                return "nothing".into();
            };
            let target = if kind == 3 {
                let broken = [
                    "#/components/schemas/DoesNotExist",
                    "#/bad~2escape",
                    "other.yaml#/a",
                    "#",
                    "",
                    "#/paths",
                    "#/components/schemas/%ZZ",
                    "#/info/title/0",
                ];
                rng.pick(&broken).map_or(String::new(), |s| s.to_string())
            } else {
                rng.pick(&all).map_or("#".to_string(), |p| pointer(p))
            };
            if let Some(Value::Object(map)) = node_mut(doc, &path) {
                map.insert("$ref".into(), Value::String(target.clone()));
            }
            format!("ref {} -> {target}", pointer(&path))
        }
        // Insert (or rename to) an odd name.
        5 => {
            let Some(path) = rng.pick(&all).cloned() else {
                return "nothing".into();
            };
            let name = rng.pick(ODD_NAMES).copied().unwrap_or("");
            let Some(Value::Object(map)) = node_mut(doc, &path) else {
                return "nothing".into();
            };
            let keys: Vec<String> = map.keys().cloned().collect();
            match rng.pick(&keys).cloned() {
                Some(k) if rng.below(2) == 0 => {
                    if let Some(v) = map.shift_remove(&k) {
                        map.insert(name.to_string(), v);
                    }
                    format!("rename {} -> {name:?}", pointer(&[path, vec![k]].concat()))
                }
                _ => {
                    map.insert(name.to_string(), json!({"type": "string"}));
                    format!(
                        "insert {}",
                        pointer(&[path, vec![name.to_string()]].concat())
                    )
                }
            }
        }
        // Duplicate a sibling under a name that collides after case conversion.
        _ => {
            let Some(path) = rng.pick(&all).cloned() else {
                return "nothing".into();
            };
            let Some(Value::Object(map)) = node_mut(doc, &path) else {
                return "nothing".into();
            };
            let keys: Vec<String> = map.keys().cloned().collect();
            let Some(k) = rng.pick(&keys).cloned() else {
                return "nothing".into();
            };
            let twin = if k.chars().any(|c| c.is_ascii_lowercase()) {
                k.to_ascii_uppercase()
            } else {
                format!("{k}_")
            };
            let v = map.get(&k).cloned().unwrap_or(Value::Null);
            map.insert(twin.clone(), v);
            format!("twin {} as {twin:?}", pointer(&[path, vec![k]].concat()))
        }
    }
}

fn specs() -> Vec<(PathBuf, u64)> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![manifest.join("tests/fixtures")];
    let corpus = std::env::var_os("CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../shared/corpus"));
    if corpus.is_dir() {
        dirs.push(corpus);
    } else {
        eprintln!(
            "note: no corpus at {} (set CORPUS_DIR); mutating the fixture specs only",
            corpus.display()
        );
    }
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if [".yaml", ".yml", ".json"].iter().any(|x| name.ends_with(x))
                && !name.ends_with(".codegen.yaml")
            {
                out.push((p, e.metadata().map(|m| m.len()).unwrap_or(0)));
            }
        }
    }
    out.sort();
    out
}

fn env_usize(key: &str) -> Option<usize> {
    std::env::var(key).ok().and_then(|v| v.parse().ok())
}

/// Runs the generator on `doc` written to `file`: `Err(description)` on a property
/// violation.
fn check(doc: &Value, file: &Path, templates: &Path) -> Result<(), String> {
    let text = serde_json::to_string(doc).map_err(|e| e.to_string())?;
    std::fs::write(file, text).map_err(|e| e.to_string())?;
    let options = generator::Options {
        spec: file.to_path_buf(),
        templates: templates.to_path_buf(),
        crate_name: Some("mutant".into()),
    };
    let result = std::panic::catch_unwind(|| generator::generate(&options)).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("panicked: {msg}")
    })?;
    match result {
        Ok(generated) => {
            for (path, text) in generated.files.iter() {
                if path.extension().is_some_and(|e| e == "rs") {
                    syn::parse_file(text)
                        .map_err(|e| format!("{} does not parse: {e}", path.display()))?;
                }
            }
            Ok(())
        }
        Err(e) => {
            let shown = e.to_string();
            if shown.contains(&file.display().to_string()) && !e.message().trim().is_empty() {
                Ok(())
            } else {
                Err(format!("unclear error: {shown}"))
            }
        }
    }
}

#[test]
fn mutated_specs_never_panic_and_give_parsable_code_or_a_clear_error() {
    let all = std::env::var_os("MUTATIONS_ALL").is_some();
    let per_spec = env_usize("MUTATIONS_PER_SPEC").unwrap_or(DEFAULT_PER_SPEC);
    let seed = env_usize("MUTATIONS_SEED").unwrap_or(0x5EED) as u64;
    let templates = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates");
    let scratch = std::env::temp_dir().join(format!("openapi-mutations-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("temp dir");
    let file = scratch.join("mutant.json");

    let mut failures = Vec::new();
    let mut runs = 0;
    for (spec, size) in specs() {
        if size > MAX_DEFAULT_BYTES && !all {
            eprintln!(
                "skip {} ({} KB; MUTATIONS_ALL=1 runs it)",
                spec.display(),
                size / 1000
            );
            continue;
        }
        let text = std::fs::read_to_string(&spec).expect("readable spec");
        let Ok(original) = generator::load::parse_text(&text, &spec) else {
            continue;
        };
        let name = spec
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut spec_seed = seed;
        for b in name.bytes() {
            spec_seed = spec_seed.wrapping_mul(31).wrapping_add(u64::from(b));
        }
        for i in 0..per_spec {
            let case_seed = spec_seed.wrapping_add(i as u64).max(1);
            let mut rng = Rng(case_seed);
            let mut doc = original.clone();
            let mut done = Vec::new();
            for _ in 0..1 + rng.below(3) {
                done.push(mutate(&mut doc, &mut rng));
            }
            runs += 1;
            if let Err(problem) = check(&doc, &file, &templates) {
                failures.push(format!(
                    "{name} (seed {case_seed}; {}): {problem}",
                    done.join("; ")
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    eprintln!("{runs} mutated specs generated");
    assert!(
        failures.is_empty(),
        "{} of {runs} mutants broke the generator:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn rng_is_deterministic() {
    let mut a = Rng(42);
    let mut b = Rng(42);
    assert_eq!((a.next(), a.next()), (b.next(), b.next()));
    let mut map = Map::new();
    map.insert("a".into(), json!(1));
    let mut doc = Value::Object(map);
    let mut rng = Rng(7);
    let what = mutate(&mut doc, &mut rng);
    assert!(!what.is_empty());
}
