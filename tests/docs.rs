//! `docs/scenarios.md` holds a table of keys for every demo on the demo shape, generated from the
//! demo's declarations (between `<!-- keys:<lab>/<demo> -->` and `<!-- /keys -->`). This test
//! fails when a table and the declarations disagree; `UPDATE_DOCS=1 cargo test --test docs`
//! rewrites the tables.

use concurrency_playground::engine::i18n::{t, Lang};
use concurrency_playground::engine::labs::{self, LabId};
use concurrency_playground::engine::params::docs_table;

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenarios.md");

fn table_of(d: &concurrency_playground::engine::demo::Demo) -> String {
    docs_table(d.params, d.rules, |key| t(Lang::En, key).to_string())
}

#[test]
fn every_demo_has_its_generated_key_table_in_the_docs() {
    let text = std::fs::read_to_string(DOC).expect("docs/scenarios.md");
    let mut out = text.clone();
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    for lab in [LabId::Cpu, LabId::Models, LabId::Sync, LabId::Async] {
        for d in labs::demos_of(lab) {
            let open = format!("<!-- keys:{}/{} -->\n", lab.as_str(), d.id);
            let close = "<!-- /keys -->";
            let Some(start) = out.find(&open) else {
                missing.push(format!("{}/{}", lab.as_str(), d.id));
                continue;
            };
            let body_start = start + open.len();
            let Some(len) = out[body_start..].find(close) else {
                missing.push(format!("{}/{} (no closing marker)", lab.as_str(), d.id));
                continue;
            };
            let want = table_of(d);
            if out[body_start..body_start + len] != want {
                stale.push(format!("{}/{}", lab.as_str(), d.id));
                out.replace_range(body_start..body_start + len, &want);
            }
        }
    }
    if std::env::var_os("UPDATE_DOCS").is_some() && out != text {
        std::fs::write(DOC, &out).expect("docs/scenarios.md written");
        return;
    }
    assert!(
        missing.is_empty(),
        "docs/scenarios.md has no key table for {missing:?}: add `<!-- keys:<lab>/<demo> -->` \
         and `<!-- /keys -->` where it belongs, then run UPDATE_DOCS=1 cargo test --test docs"
    );
    assert!(
        stale.is_empty(),
        "the key tables of {stale:?} differ from the declarations: \
         run UPDATE_DOCS=1 cargo test --test docs"
    );
}

#[test]
fn every_declared_key_has_a_label_in_both_languages_and_every_demo_its_texts() {
    for lab in [LabId::Cpu, LabId::Models, LabId::Sync, LabId::Async] {
        for d in labs::demos_of(lab) {
            for p in d.params {
                for key in [p.label, p.help].into_iter().filter(|k| !k.is_empty()) {
                    assert!(
                        !t(Lang::En, key).is_empty() && !t(Lang::Zh, key).is_empty(),
                        "{}/{}: `{}` has no catalogue text {key}",
                        lab.as_str(),
                        d.id,
                        p.key
                    );
                }
                if p.knob.is_some() {
                    assert!(
                        !p.label.is_empty(),
                        "{}/{}: knob `{}` has no label",
                        lab.as_str(),
                        d.id,
                        p.key
                    );
                }
            }
            let what = format!("{}.{}.what", lab.as_str(), d.id);
            assert!(!t(Lang::Zh, &what).is_empty(), "{what}");
            assert!(
                !d.presets.is_empty(),
                "{}/{} has no preset",
                lab.as_str(),
                d.id
            );
            assert!(!d.python.trim().is_empty() && !d.rust.trim().is_empty());
        }
    }
}
