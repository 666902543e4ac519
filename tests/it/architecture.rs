//! The layers, read from the source: every `crate::<module>` a file names must be
//! its own module or one of a lower layer, the front doors never name each
//! other, the top-level modules form no cycle, and no file grows past 400 lines.
//!
//! ```text
//! cli, server                     what starts everything
//! api, web, widget, mail          front doors: parse input, call ops, shape output
//! ops                             what the product does
//! jobs                            when work happens, and delivering what is queued
//! outbox                          queueing emails and webhooks
//! contract                        the contract's JSON shapes of stored rows
//! state, backup                   what handlers reach: config, clock, key, the store;
//!                                 backups of the data directory and restoring them
//! db                              all SQL, and the uploaded files' bytes
//! domain                          validated types
//! leaves                          error, config, clock, crypto, i18n, passwords, traffic, data_dir, metrics, workers,
//!                                 images, bodies
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's layer; a module may name only modules of lower layers
/// (leaves may name other leaves, as long as no cycle forms).
fn layer(module: &str) -> Option<u8> {
    Some(match module {
        "error" | "config" | "clock" | "crypto" | "i18n" | "passwords" | "traffic" | "data_dir" | "metrics"
        | "workers" | "images" | "bodies" => 0,
        "domain" => 1,
        "db" => 2,
        "state" | "backup" => 3,
        "contract" => 4,
        "outbox" => 5,
        "jobs" => 6,
        "ops" => 7,
        "api" | "web" | "widget" | "mail" => 8,
        "server" => 9,
        "cli" => 10,
        _ => return None,
    })
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if !path.ends_with("bin") {
                sources(&path, found);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/web/admin/login.rs` -> `web`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy().to_string();
    first.trim_end_matches(".rs").to_string()
}

/// The modules a file names as `crate::<module>` outside comments.
fn named_modules(source: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or_default();
        for piece in code.split("crate::").skip(1) {
            let name: String = piece.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                named.insert(name);
            }
        }
    }
    named
}

struct Tree {
    /// module -> (named module -> the files that name it)
    edges: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    long_files: Vec<(String, usize)>,
}

fn read_tree() -> Tree {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut long_files = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let shown = file.strip_prefix(&src).unwrap().display().to_string();
        let lines = source.lines().count();
        if lines > 400 {
            long_files.push((shown.clone(), lines));
        }
        let module = module_of(&src, &file);
        for named in named_modules(&source) {
            if named != module {
                edges.entry(module.clone()).or_default().entry(named).or_default().insert(shown.clone());
            }
        }
    }
    Tree { edges, long_files }
}

#[test]
fn every_module_names_only_modules_of_lower_layers() {
    let tree = read_tree();
    let mut wrong = Vec::new();
    for (module, named) in &tree.edges {
        if matches!(module.as_str(), "lib" | "main") {
            continue;
        }
        let Some(own) = layer(module) else {
            wrong.push(format!("{module} has no layer: add it to the architecture test"));
            continue;
        };
        for (target, files) in named {
            let allowed = match layer(target) {
                Some(0) if own == 0 => true,
                Some(theirs) => theirs < own,
                None => false,
            };
            if !allowed {
                wrong.push(format!("{module} -> {target} in {}", files.iter().cloned().collect::<Vec<_>>().join(", ")));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
}

#[test]
fn the_top_level_modules_form_no_cycle() {
    let tree = read_tree();
    let graph: BTreeMap<&str, Vec<&str>> = tree
        .edges
        .iter()
        .map(|(module, named)| (module.as_str(), named.keys().map(String::as_str).collect()))
        .collect();
    // Depth-first search for a back edge, reporting the cycle it closes.
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node);
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            panic!("the modules form a cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn no_source_file_is_longer_than_400_lines() {
    let tree = read_tree();
    assert!(tree.long_files.is_empty(), "split these by sub-family: {:?}", tree.long_files);
}
