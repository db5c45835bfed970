//! Every Python file the demo cards show must run: a page that teaches broken code is worse
//! than none. Runs each `src/python/*.py` with `python3` (required by the test suite).

use std::process::Command;

#[test]
fn every_python_file_runs() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/python");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("src/python exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no Python files found in {dir}");
    for f in files {
        let out = Command::new("python3")
            .arg(&f)
            .output()
            .expect("python3 must be installed to run the test suite");
        assert!(
            out.status.success(),
            "{} failed:\n{}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
