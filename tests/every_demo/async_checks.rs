//! The async lab's invariants, per demo, on virtual time.

use crate::Ran;

/// The preset's text as it runs natively (smaller knobs where a preset is heavy).
pub fn native_text(_name: &str, text: &str) -> String {
    text.to_string()
}

pub fn check(demo: &str, r: &Ran) {
    match demo {
        "gather" => {
            // 100, 200, 300 ms: one after another 600 ms, gathered the longest, 300 ms.
            assert_eq!(r.get("sequential_ms").as_f64(), Some(600.0), "{}", r.name);
            assert_eq!(r.get("gather_ms").as_f64(), Some(300.0), "{}", r.name);
        }
        other => panic!("no invariants written for async/{other}"),
    }
}
