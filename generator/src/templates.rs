//! The hand-written parts of the emitted crate: runtime sources copied verbatim, and
//! text templates (`Cargo.toml`, `README.md`, examples) with `{{placeholder}}`s.
//!
//! Templates know nothing of any one API: everything specific comes from the config
//! and the IR through the placeholders below.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::ir::Api;
use crate::plan::{Features, Plan};
use crate::write::FileSet;

/// The contents of a `templates/` folder.
#[derive(Debug, Clone)]
pub struct Templates {
    root: PathBuf,
    /// `runtime/*.rs`: copied to `src/runtime/`.
    runtime: Vec<(String, String)>,
    /// `tests/**/*.rs` (the contract suite's helpers): copied to the crate's `tests/`.
    tests: Vec<(PathBuf, String)>,
    /// `*.tmpl` files: rendered to `target` (see [`Templates::from_files`]).
    rendered: Vec<Rendered>,
}

/// One `*.tmpl` file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rendered {
    /// Where it goes in the crate.
    target: PathBuf,
    /// Its path below the templates folder (for messages).
    source: PathBuf,
    kind: TemplateKind,
    text: String,
}

/// What a rendered template is, declared by where it sits in the templates folder;
/// it decides whether the crate gets the file and which features an example needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TemplateKind {
    /// A file of the crate (`Cargo.toml`, `README.md`): always rendered.
    File,
    /// `examples/*.rs.tmpl`: an example using the API, declared with every resource
    /// (`full`) as its required feature.
    Example,
    /// `examples/webhooks/*.rs.tmpl`, rendered into `examples/`: an example of webhook
    /// verification, declared with `webhooks`, and left out when the config names no
    /// webhook envelope.
    WebhookExample,
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::new(ErrorKind::Io, dir, e.to_string()))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::new(ErrorKind::Io, dir, e.to_string()))?;
        out.push(entry.path());
    }
    out.sort();
    Ok(out)
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::new(ErrorKind::Io, path, e.to_string()))
}

// `EMBEDDED`: every `*.rs` and `*.tmpl` file below `templates/` at build time, as
// (path relative to `templates/`, contents), sorted by path (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/embedded_templates.rs"));

impl Templates {
    /// Reads the folder.
    pub fn load(root: &Path) -> Result<Templates, Error> {
        let mut files = Vec::new();
        let mut stack = vec![PathBuf::new()];
        while let Some(rel) = stack.pop() {
            for path in read_dir_sorted(&root.join(&rel))? {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if path.is_dir() {
                    stack.push(rel.join(&name));
                } else if name.ends_with(".rs") || name.ends_with(".tmpl") {
                    files.push((rel.join(&name), read(&path)?));
                }
            }
        }
        Templates::from_files(root, files)
    }

    /// The templates built into the library (the `templates/` folder of its source
    /// tree when it was compiled): what the installed generator uses.
    pub fn embedded() -> Result<Templates, Error> {
        let files = EMBEDDED
            .iter()
            .map(|(rel, text)| (PathBuf::from(rel), (*text).to_string()))
            .collect();
        Templates::from_files(Path::new("templates"), files)
    }

    /// Sorts files (paths relative to `root`) into the runtime (`runtime/*.rs`) and
    /// the rendered templates (`*.tmpl` outside `runtime/`).
    fn from_files(root: &Path, mut files: Vec<(PathBuf, String)>) -> Result<Templates, Error> {
        files.sort();
        let mut runtime = Vec::new();
        let mut rendered = Vec::new();
        let mut tests = Vec::new();
        for (rel, text) in files {
            let in_runtime = rel.starts_with("runtime");
            let name = rel
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if in_runtime {
                if rel.parent() == Some(Path::new("runtime")) && name.ends_with(".rs") {
                    runtime.push((name, text));
                }
            } else if rel.starts_with("tests") && name.ends_with(".rs") {
                tests.push((rel, text));
            } else if let Some(target) = name.strip_suffix(".tmpl") {
                let (kind, target) = if rel.parent() == Some(Path::new("examples/webhooks")) {
                    (
                        TemplateKind::WebhookExample,
                        Path::new("examples").join(target),
                    )
                } else if rel.parent() == Some(Path::new("examples")) {
                    (TemplateKind::Example, rel.with_file_name(target))
                } else {
                    (TemplateKind::File, rel.with_file_name(target))
                };
                rendered.push(Rendered {
                    target,
                    source: rel,
                    kind,
                    text,
                });
            }
        }
        if !runtime.iter().any(|(n, _)| n == "mod.rs") {
            return Err(Error::new(
                ErrorKind::Io,
                &root.join("runtime/mod.rs"),
                "the runtime has no mod.rs",
            ));
        }
        rendered.sort();
        Ok(Templates {
            root: root.to_path_buf(),
            runtime,
            tests,
            rendered,
        })
    }

    /// The runtime sources and rendered templates, by path relative to the
    /// templates folder: two `Templates` with equal files generate equal crates.
    pub fn files(&self) -> impl Iterator<Item = (PathBuf, &str)> {
        self.runtime
            .iter()
            .map(|(name, text)| (Path::new("runtime").join(name), text.as_str()))
            .chain(
                self.tests
                    .iter()
                    .map(|(rel, text)| (rel.clone(), text.as_str())),
            )
            .chain(
                self.rendered
                    .iter()
                    .map(|r| (r.source.clone(), r.text.as_str())),
            )
    }

    /// Adds the runtime and rendered templates to `files`.
    pub fn render_into(
        &self,
        config: &Config,
        api: &Api,
        plan: &Plan,
        files: &mut FileSet,
    ) -> Result<(), Error> {
        for (name, text) in &self.runtime {
            files.insert(Path::new("src/runtime").join(name), text.clone());
        }
        for (rel, text) in &self.tests {
            files.insert(rel.clone(), text.clone());
        }
        let mut vars = variables(config, api, plan);
        vars.push(("examples", self.example_sections(config, plan)));
        for r in &self.rendered {
            if r.kind == TemplateKind::WebhookExample && plan.webhook_envelope.is_none() {
                continue;
            }
            let source = self.root.join(&r.source);
            files.insert(r.target.clone(), render(&r.text, &vars, &source)?);
        }
        for (name, text) in &config.examples {
            let target = Path::new("examples").join(name);
            if files.get(&target).is_some() {
                return Err(Error::new(
                    ErrorKind::Config,
                    Path::new(name),
                    format!("examples: `{name}` has the name of a built-in example"),
                ));
            }
            files.insert(target, text.clone());
        }
        Ok(())
    }

    /// `[[example]]` sections of `Cargo.toml`: each example needs the features it uses
    /// (`webhooks` for webhook examples, every resource for the others), so that builds
    /// without default features still compile.
    fn example_sections(&self, config: &Config, plan: &Plan) -> String {
        let mut out = String::new();
        for r in &self.rendered {
            let feature = match r.kind {
                TemplateKind::File => continue,
                TemplateKind::Example => "full",
                TemplateKind::WebhookExample if plan.webhook_envelope.is_none() => continue,
                TemplateKind::WebhookExample => "webhooks",
            };
            let Some(name) = r
                .target
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
            else {
                continue;
            };
            out.push_str(&format!(
                "[[example]]\nname = \"{name}\"\nrequired-features = [\"{feature}\"]\n\n"
            ));
        }
        // Examples from the config may use anything: every resource, and webhook
        // verification when the API has it.
        for (name, _) in &config.examples {
            let name = name.trim_end_matches(".rs");
            let features = if config.webhook_envelope.is_some() {
                "\"full\", \"webhooks\""
            } else {
                "\"full\""
            };
            out.push_str(&format!(
                "[[example]]\nname = \"{name}\"\nrequired-features = [{features}]\n\n"
            ));
        }
        out
    }
}

/// The inside of a TOML basic string (`"..."`) holding `text`: backslashes, quotes and
/// control characters escaped, so spec text (a title with a newline or a backslash)
/// cannot break `Cargo.toml`.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The `[features]` entries of `Cargo.toml`: `default`, `full` and one per resource.
pub(crate) fn features_toml(features: &Features) -> String {
    let quoted = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = format!("default = [{}]\n", quoted(&features.default));
    out.push_str(
        "# Every resource. To compile only some, turn default features off and name them\n\
         # (`default-features = false, features = [\"<resource>\"]`): each resource's\n\
         # module and the types it uses are compiled, nothing else.\n",
    );
    let _ = writeln!(out, "full = [{}]", quoted(&features.resources));
    if !features.resources.is_empty() {
        out.push_str("# One per resource: `client.<resource>()`.\n");
    }
    for (f, enables) in features.resources.iter().zip(&features.enables) {
        match enables {
            Some(e) => {
                let _ = writeln!(out, "{f} = [\"{e}\"]");
            }
            None => {
                let _ = writeln!(out, "{f} = []");
            }
        }
    }
    if let Some(u) = &features.umbrella {
        let _ = writeln!(
            out,
            "# Enabled by every resource: what all of them need (the error type and its parts).\n{u} = []"
        );
    }
    out.trim_end().to_string()
}

fn variables(config: &Config, api: &Api, plan: &Plan) -> Vec<(&'static str, String)> {
    // `default`, `full` and one feature per resource.
    let features = features_toml(&plan.features);
    vec![
        ("crate_name", config.crate_name.clone()),
        ("lib_name", config.lib_name()),
        ("version", config.version.clone()),
        ("description", config.description.replace('"', "'")),
        (
            "description_toml",
            toml_string(&config.description.replace('"', "'")),
        ),
        ("title", api.info.title.clone()),
        ("api_version", api.info.version.clone()),
        ("base_url", api.info.base_url.clone()),
        ("api_key_env", config.api_key_env.clone()),
        ("base_url_env", config.base_url_env.clone()),
        ("webhook_secret_env", config.webhook_secret_env.clone()),
        ("features", features),
        (
            "webhook_envelope",
            plan.webhook_envelope
                .map(|id| api.type_def(id).name.clone())
                .unwrap_or_default(),
        ),
    ]
}

/// Replaces `{{name}}` placeholders; an unknown name is an error (a typo in a
/// template must not ship as literal braces).
pub fn render(text: &str, vars: &[(&str, String)], source: &Path) -> Result<String, Error> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start + 2..].find("}}") else {
            return Err(Error::new(
                ErrorKind::Config,
                source,
                "unclosed `{{` in template",
            ));
        };
        let name = rest[start + 2..start + 2 + len].trim();
        let value = vars
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Config,
                    source,
                    format!("unknown template placeholder `{{{{{name}}}}}`"),
                )
            })?;
        out.push_str(value);
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_placeholders() {
        let vars = vec![("name", "linq-api".to_string())];
        assert_eq!(
            render("name = \"{{ name }}\"", &vars, Path::new("t")).expect("ok"),
            "name = \"linq-api\""
        );
    }

    #[test]
    fn a_template_kind_is_declared_by_its_folder_not_its_name() {
        let file = |p: &str| (PathBuf::from(p), String::new());
        let t = Templates::from_files(
            Path::new("t"),
            vec![
                file("runtime/mod.rs"),
                file("Cargo.toml.tmpl"),
                file("examples/webhook_free.rs.tmpl"),
                file("examples/webhooks/verify.rs.tmpl"),
            ],
        )
        .expect("templates");
        let kinds: Vec<(&Path, TemplateKind)> = t
            .rendered
            .iter()
            .map(|r| (r.target.as_path(), r.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                (Path::new("Cargo.toml"), TemplateKind::File),
                (
                    Path::new("examples/verify.rs"),
                    TemplateKind::WebhookExample
                ),
                (Path::new("examples/webhook_free.rs"), TemplateKind::Example),
            ]
        );
    }

    #[test]
    fn unknown_placeholders_are_errors() {
        let e = render("{{nope}}", &[], Path::new("Cargo.toml.tmpl")).expect_err("unknown");
        assert!(e.to_string().contains("nope"), "{e}");
    }
}
