//! The sync lab's invariants, per demo.

use crate::Ran;

/// The preset's text as it runs natively (smaller knobs where a preset is heavy).
pub fn native_text(_name: &str, text: &str) -> String {
    text.to_string()
}

pub fn check(demo: &str, r: &Ran) {
    match demo {
        "race" => {
            let expected = r.get("expected").as_u64().unwrap_or(0);
            for m in r.get("methods").as_array().into_iter().flatten() {
                let actual = m["actual"].as_u64().unwrap_or(0);
                assert!(actual <= expected, "{}: the race never over-counts", r.name);
                if m["method"] != "none" {
                    assert_eq!(actual, expected, "{}: exact with {}", r.name, m["method"]);
                }
            }
        }
        other => panic!("no invariants written for sync/{other}"),
    }
}
