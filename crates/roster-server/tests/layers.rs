//! The house rule of roster-server, checked: a module imports only modules of a lower layer
//! (or, inside `api/` and `web/`, its own area's `mod.rs` and siblings in `web/`). The layers,
//! lowest first, are written in docs/ARCHITECTURE.md too.

use std::path::Path;

/// Each top-level module and its layer.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("keys", 0),
    ("lease", 0),
    ("listen", 0),
    ("bounds", 1),
    ("extract", 1),
    ("views", 2),
    ("openapi", 2),
    ("webhooks", 1),
    ("ocsf_sinks", 2),
    ("state", 3),
    ("auth", 4),
    ("reads", 4),
    ("scheduler", 4),
    ("policy", 5),
    ("item_pages", 5),
    ("api", 6),
    ("web", 6),
];

fn layer(module: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, l)| *l)
        .unwrap_or_else(|| panic!("module {module} has no layer in LAYERS"))
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut breaches = Vec::new();
    for f in all {
        let rel = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        if rel == "lib.rs" {
            continue;
        }
        let own = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        for (at, _) in text.match_indices("crate::") {
            let name: String = text[at + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if name.is_empty() || name == own {
                continue;
            }
            if layer(&name) >= layer(&own) {
                breaches.push(format!("{rel} imports crate::{name} (layer {} ≥ {})", layer(&name), layer(&own)));
            }
        }
    }
    assert!(breaches.is_empty(), "{}", breaches.join("\n"));
}
