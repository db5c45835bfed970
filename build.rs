//! Cuts the `// excerpt:start` … `// excerpt:end` part out of every source file that has one and
//! writes it to `$OUT_DIR/excerpts/<path under src/>`, so the demo cards embed the few lines they
//! show instead of whole source files (`rust_excerpt!` in lib.rs includes them). A file without
//! the markers is written whole.

use std::fs;
use std::path::{Path, PathBuf};

fn excerpt(source: &str) -> &str {
    let start = source
        .find("// excerpt:start")
        .map(|i| i + "// excerpt:start".len())
        .unwrap_or(0);
    let end = source[start..]
        .find("// excerpt:end")
        .map(|i| start + i)
        .unwrap_or(source.len());
    source[start..end].trim_matches('\n')
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    println!("cargo:rerun-if-changed=src");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files = Vec::new();
    walk(Path::new("src"), &mut files)?;
    for file in files {
        let Ok(rel) = file.strip_prefix("src") else {
            continue;
        };
        let text = fs::read_to_string(&file)?;
        let target = out_dir.join("excerpts").join(rel);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        let cut = excerpt(&text);
        // Unchanged files keep their time stamp, so nothing that includes them is rebuilt.
        if fs::read_to_string(&target).ok().as_deref() != Some(cut) {
            fs::write(&target, cut)?;
        }
    }
    Ok(())
}
