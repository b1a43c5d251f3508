//! The modules form layers (listed in `src/lib.rs`, "Layers"): a module may
//! use only modules of lower layers, so there are no import cycles and each
//! stage can be read, tested and changed without the ones above it. This
//! reads every `crate::` path outside comments and unit tests in `src/` and
//! fails on one that points at the same or a higher layer. A sub-module may
//! have a layer of its own (`compliance::content`): its file is judged by
//! it, and paths into it are.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers as `src/lib.rs` lists them: module name → layer.
fn layers(lib: &str) -> BTreeMap<String, usize> {
    let mut layers = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.strip_prefix("//! - layer ") else { continue };
        let (number, modules) = rest.split_once(':').expect("`layer N: a, b`");
        let number: usize = number.trim().parse().expect("a layer number");
        for module in modules.split(',') {
            layers.insert(module.trim().trim_matches('`').to_owned(), number);
        }
    }
    layers
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    files
}

/// The modules a file's code names as `crate::NAME`, with the line; a path
/// `crate::NAME::SUB…` also gives `NAME::SUB`, for sub-modules with a layer
/// of their own.
fn uses(text: &str) -> Vec<(usize, String)> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    let mut found = Vec::new();
    for (number, line) in code.lines().enumerate() {
        let line = line.split("//").next().unwrap_or_default();
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + 7..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let sub: String = rest[name.len()..]
                .strip_prefix("::")
                .unwrap_or_default()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.push((number + 1, if sub.is_empty() { name } else { format!("{name}::{sub}") }));
        }
        // `use crate::{a, b}` names several at once.
        if let Some(group) = line.trim_start().strip_prefix("use crate::{") {
            for name in group.split([',', '}']) {
                let name: String = name.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    found.push((number + 1, name));
                }
            }
        }
    }
    found
}

#[test]
fn every_module_uses_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let layers = layers(&lib);
    assert!(layers.len() >= 14, "the layer list in src/lib.rs was not found: {layers:?}");
    let mut problems = Vec::new();
    for file in sources(&src) {
        let relative = file.strip_prefix(&src).unwrap();
        let mut parts =
            relative.components().map(|c| c.as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned());
        let top = parts.next().unwrap();
        // A file of a sub-module with its own layer is judged by that layer.
        let sub = parts.next().map(|sub| format!("{top}::{sub}")).filter(|sub| layers.contains_key(sub));
        let module = sub.as_deref().unwrap_or(&top);
        if matches!(module, "lib" | "main" | "cli") {
            continue;
        }
        let Some(&own) = layers.get(module) else {
            problems.push(format!("src/{module}: not in the layer list of src/lib.rs"));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, used) in uses(&text) {
            // `crate::a::b` is judged by `a::b` when that has a layer of its own, else by `a`.
            let used = if layers.contains_key(&used) { used } else { used.split("::").next().unwrap().to_owned() };
            if used == module || used.is_empty() {
                continue;
            }
            // Not a module: an item of `lib.rs` itself, the top of the crate.
            let layer = layers.get(&used).copied().unwrap_or(usize::MAX);
            if layer >= own {
                problems.push(format!(
                    "{}:{line}: `{module}` (layer {own}) uses `{used}` (layer {})",
                    relative.display(),
                    if layer == usize::MAX { "the crate root".to_owned() } else { layer.to_string() }
                ));
            }
        }
    }
    // The top layer may use the crate root's pipeline functions.
    let top = layers.values().max().copied().unwrap_or_default();
    problems.retain(|p| !(p.contains(&format!("(layer {top}) uses")) && p.ends_with("the crate root)")));
    assert!(problems.is_empty(), "imports against the layers:\n{}", problems.join("\n"));
}

#[test]
fn the_layer_check_sees_grouped_and_inline_paths() {
    let found = uses(
        "use crate::{a, b::c};\nfn f() { crate::d::e(); } // crate::comment\n#[cfg(test)]\nmod tests {\n use crate::z;\n}\n",
    );
    let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["", "a", "b", "d::e"]);
}
