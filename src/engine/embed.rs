//! The embed protocol's requests (docs/api.md "postMessage"), read from a message as plain JSON:
//! pure, so that any value an embedding page may send is tested natively (`tests/properties.rs`).
//! Reading a request never runs anything: it only says what was asked, or why it is ignored.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// The `type` of a run request.
pub const RUN: &str = "playground:run";
/// The `type` of a request to show a scenario in the editor.
pub const SET_SCENARIO: &str = "playground:set-scenario";
/// The `type` of a cancel request.
pub const CANCEL: &str = "playground:cancel";
/// The `type`s of the playground's own replies (an embedding page may echo them back).
pub const REPLIES: [&str; 3] = ["playground:ready", "playground:report", "playground:error"];

/// The two fields of a message the playground reads, each kept only when it is a string. The
/// page deserialises it with `serde_wasm_bindgen`, which looks up these two fields by name and
/// never walks anything else, so a cyclic or huge payload (structured clone carries both) costs
/// nothing. The request's `id` is never read here: the page echoes the original JS value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Message {
    #[serde(rename = "type", default, deserialize_with = "string_only")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "string_only")]
    pub scenario: Option<String>,
}

/// A field as a string, or None for any other value (skipped shallowly, never an error).
fn string_only<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct StringOnly;
    impl<'de> Visitor<'de> for StringOnly {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("any value")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(StringOnly)
        }
        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
            Ok(None)
        }
        // Containers: their entries are passed over as `IgnoredAny` (one level, no copies).
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    d.deserialize_any(StringOnly)
}

/// A request an embedding page may send.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// Run `scenario`; the reply carries the request's `id` unchanged (`null` when absent).
    Run { scenario: String },
    /// Show `scenario` in its demo's editor (validated first).
    SetScenario { scenario: String },
    /// Cancel the run in progress.
    Cancel,
}

/// Why a message is not a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ignored {
    /// Not an object (a string, a number…): other scripts' messages, ignored silently.
    NotObject,
    /// One of the playground's own replies: ignored silently.
    Reply,
    /// An object that is not a valid request: ignored with a warning saying why.
    Invalid(String),
}

impl Ignored {
    /// Why the message is ignored, in words.
    pub fn reason(&self) -> String {
        match self {
            Ignored::NotObject => "not an object".to_string(),
            Ignored::Reply => "a reply of the playground".to_string(),
            Ignored::Invalid(why) => why.clone(),
        }
    }

    /// Whether the page warns about it (`console.warn`): only objects that are not replies.
    pub fn warns(&self) -> bool {
        matches!(self, Ignored::Invalid(_))
    }
}

/// Reads a message (None: it is not an object). `Ok` only for an object whose `type` is
/// exactly one of the request types and, for `run` and `set-scenario`, whose `scenario` is a
/// string; everything else is `Err`.
pub fn parse_request(message: Option<&Message>) -> Result<Request, Ignored> {
    let Some(m) = message else {
        return Err(Ignored::NotObject);
    };
    let Some(kind) = m.kind.as_deref() else {
        return Err(Ignored::Invalid("no string `type`".to_string()));
    };
    if REPLIES.contains(&kind) {
        return Err(Ignored::Reply);
    }
    let scenario = || {
        m.scenario.clone().ok_or_else(|| {
            Ignored::Invalid(format!("`{kind}` needs `scenario` as a string of TOML"))
        })
    };
    match kind {
        RUN => Ok(Request::Run {
            scenario: scenario()?,
        }),
        SET_SCENARIO => Ok(Request::SetScenario {
            scenario: scenario()?,
        }),
        CANCEL => Ok(Request::Cancel),
        other => Err(Ignored::Invalid(format!("unknown type `{other}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads JSON text the way the page reads a message.
    fn read(text: &str) -> Result<Request, Ignored> {
        let v: serde_json::Value = serde_json::from_str(text).expect("JSON");
        let m = v
            .is_object()
            .then(|| Message::deserialize(&v).expect("any object reads"));
        parse_request(m.as_ref())
    }

    #[test]
    fn the_three_requests_are_read() {
        assert_eq!(
            read(r#"{"type": "playground:run", "id": [1, {"a": null}], "scenario": "x"}"#),
            Ok(Request::Run {
                scenario: "x".into()
            })
        );
        assert_eq!(
            read(r#"{"type": "playground:set-scenario", "scenario": ""}"#),
            Ok(Request::SetScenario {
                scenario: String::new()
            })
        );
        assert_eq!(
            read(r#"{"type": "playground:cancel", "id": 3}"#),
            Ok(Request::Cancel)
        );
    }

    #[test]
    fn everything_else_is_ignored_with_a_reason() {
        assert_eq!(read(r#""playground:run""#), Err(Ignored::NotObject));
        assert_eq!(read(r#"["playground:run", "x"]"#), Err(Ignored::NotObject));
        assert_eq!(
            read(r#"{"type": "playground:report"}"#),
            Err(Ignored::Reply)
        );
        let bad = [
            r#"{}"#,
            r#"{"type": 1}"#,
            r#"{"type": {"a": [1, 2]}}"#,
            r#"{"type": "playground:nope"}"#,
            r#"{"type": "playground:run", "scenario": 1}"#,
            r#"{"type": "playground:run", "scenario": {"deep": [[[]]]}}"#,
            r#"{"type": "playground:set-scenario"}"#,
        ];
        for m in bad {
            let e = read(m).unwrap_err();
            assert!(e.warns() && !e.reason().is_empty(), "{m}");
        }
    }
}
