//! The engine's layers (README "How it is built"): each module imports only modules of its own
//! layer or of layers below it, no two module groups import each other (directly or round a
//! cycle), and the engine never imports the browser shell. A static scan of `src/engine`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module groups by layer, lowest first. A module belongs to the group with the longest
/// matching prefix.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "core",
        &[
            "trace", "clock", "stats", "rng", "params", "control", "lab", "i18n", "lesson",
            "chart", "amdahl", "report", "result", "route", "workload", "embed",
        ],
    ),
    ("toolkit", &["scenario"]),
    ("runtime", &["aio", "ports", "native", "demo"]),
    ("demos", &["aio::demos", "sync", "models", "runner", "cpu"]),
    ("registry", &["labs"]),
];

fn group_of(module: &str) -> Option<(usize, &'static str)> {
    let mut best: Option<(usize, &'static str)> = None;
    for (layer, (_, groups)) in LAYERS.iter().enumerate() {
        for g in groups.iter() {
            let matches = module == *g || module.starts_with(&format!("{g}::"));
            if matches && best.is_none_or(|(_, b)| g.len() > b.len()) {
                best = Some((layer, g));
            }
        }
    }
    best
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src/engine") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `aio::demos::gather` for `src/engine/aio/demos/gather.rs` (`aio::demos` for its `mod.rs`).
fn module_of(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).expect("under src/engine");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// Every engine module a source text names: `crate::engine::a::b`, `crate::engine::{a, b}`
/// and `super::x` (relative to `module`, a file's own module).
fn references(module: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            .collect::<String>()
            .trim_end_matches(':')
            .to_string()
    };
    for (i, _) in text.match_indices("crate::engine::") {
        let rest = &text[i + "crate::engine::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let list = &list[..list.find('}').unwrap_or(0)];
            out.extend(
                list.split(',')
                    .map(|x| ident(x.trim()))
                    .filter(|x| !x.is_empty()),
            );
        } else {
            out.push(ident(rest));
        }
    }
    // `super` of module `a::b` (file `a/b.rs` or `a/b/mod.rs`) is `a`.
    let parts: Vec<&str> = module.split("::").collect();
    let base = parts[..parts.len().saturating_sub(1)].join("::");
    for (i, _) in text.match_indices("super::") {
        // Tests inside a file (`mod tests { use super::* }`) refer to the file itself.
        let before = &text[..i];
        if before.ends_with("use ") && text[i..].starts_with("super::*") {
            continue;
        }
        let name = ident(&text[i + "super::".len()..]);
        if name.is_empty() || base.is_empty() {
            continue;
        }
        out.push(format!("{base}::{name}"));
    }
    out
}

#[test]
fn no_module_imports_a_layer_above_it_and_no_groups_form_a_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let mut all = Vec::new();
    files(&root, &mut all);
    let mut edges: BTreeMap<&'static str, BTreeSet<&'static str>> = BTreeMap::new();
    let mut violations = Vec::new();
    for file in &all {
        let module = module_of(&root, file);
        let text = std::fs::read_to_string(file).expect("readable source");
        assert!(
            !text.contains("crate::web"),
            "{module} imports the browser shell"
        );
        if module.is_empty() {
            continue; // engine/mod.rs only declares the modules
        }
        let Some((layer, group)) = group_of(&module) else {
            violations.push(format!("{module} is in no layer: add it to LAYERS"));
            continue;
        };
        for target in references(&module, &text) {
            let Some((t_layer, t_group)) = group_of(&target) else {
                continue; // not an engine module (a type or function of the crate root)
            };
            if t_layer > layer {
                violations.push(format!(
                    "{module} ({}) imports {target} ({})",
                    LAYERS[layer].0, LAYERS[t_layer].0
                ));
            }
            if t_group != group {
                edges.entry(group).or_default().insert(t_group);
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
    // No cycle among groups: a depth-first search finds no back edge.
    fn visit(
        g: &'static str,
        edges: &BTreeMap<&'static str, BTreeSet<&'static str>>,
        path: &mut Vec<&'static str>,
        done: &mut BTreeSet<&'static str>,
    ) {
        if let Some(i) = path.iter().position(|p| *p == g) {
            panic!("a cycle among modules: {} → {g}", path[i..].join(" → "));
        }
        if done.contains(g) {
            return;
        }
        path.push(g);
        for next in edges.get(g).into_iter().flatten() {
            visit(next, edges, path, done);
        }
        path.pop();
        done.insert(g);
    }
    let mut done = BTreeSet::new();
    for g in edges.keys() {
        visit(g, &edges, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_scan_sees_imports_of_every_form() {
    let text =
        "use crate::engine::{aio, sync};\nuse crate::engine::trace::Span;\nuse super::rt::Rt;";
    let refs = references("aio::prims", text);
    assert_eq!(refs, ["aio", "sync", "trace::Span", "aio::rt::Rt"]);
    assert_eq!(group_of("aio::demos::gather"), Some((3, "aio::demos")));
    assert_eq!(group_of("aio::rt"), Some((2, "aio")));
    assert_eq!(group_of("labs"), Some((4, "labs")));
}
