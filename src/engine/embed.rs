//! The embed protocol's requests (docs/api.md "postMessage"), read from a message as plain JSON:
//! pure, so that any value an embedding page may send is tested natively (`tests/properties.rs`).
//! Reading a request never runs anything: it only says what was asked, or why it is ignored.

use serde_json::Value;

/// The `type` of a run request.
pub const RUN: &str = "playground:run";
/// The `type` of a request to show a scenario in the editor.
pub const SET_SCENARIO: &str = "playground:set-scenario";
/// The `type` of a cancel request.
pub const CANCEL: &str = "playground:cancel";
/// The `type`s of the playground's own replies (an embedding page may echo them back).
pub const REPLIES: [&str; 3] = ["playground:ready", "playground:report", "playground:error"];

/// A request an embedding page may send.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// Run `scenario`; the reply carries `id` unchanged (`null` when absent).
    Run { id: Value, scenario: String },
    /// Show `scenario` in its demo's editor (validated first).
    SetScenario { id: Value, scenario: String },
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

/// Reads a message. `Ok` only for an object whose `type` is exactly one of the request types
/// and, for `run` and `set-scenario`, whose `scenario` is a string; everything else is `Err`.
pub fn parse_request(message: &Value) -> Result<Request, Ignored> {
    let Value::Object(fields) = message else {
        return Err(Ignored::NotObject);
    };
    let Some(kind) = fields.get("type").and_then(Value::as_str) else {
        return Err(Ignored::Invalid("no string `type`".to_string()));
    };
    if REPLIES.contains(&kind) {
        return Err(Ignored::Reply);
    }
    let id = || fields.get("id").cloned().unwrap_or(Value::Null);
    let scenario = || match fields.get("scenario") {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(Ignored::Invalid(format!(
            "`{kind}` needs `scenario` as a string of TOML"
        ))),
    };
    match kind {
        RUN => Ok(Request::Run {
            id: id(),
            scenario: scenario()?,
        }),
        SET_SCENARIO => Ok(Request::SetScenario {
            id: id(),
            scenario: scenario()?,
        }),
        CANCEL => Ok(Request::Cancel),
        other => Err(Ignored::Invalid(format!("unknown type `{other}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_three_requests_are_read() {
        assert_eq!(
            parse_request(&json!({"type": RUN, "id": [1, {"a": null}], "scenario": "x"})),
            Ok(Request::Run {
                id: json!([1, {"a": null}]),
                scenario: "x".into()
            })
        );
        assert_eq!(
            parse_request(&json!({"type": SET_SCENARIO, "scenario": ""})),
            Ok(Request::SetScenario {
                id: Value::Null,
                scenario: String::new()
            })
        );
        assert_eq!(
            parse_request(&json!({"type": CANCEL, "id": 3})),
            Ok(Request::Cancel)
        );
    }

    #[test]
    fn everything_else_is_ignored_with_a_reason() {
        assert_eq!(
            parse_request(&json!("playground:run")),
            Err(Ignored::NotObject)
        );
        assert_eq!(
            parse_request(&json!({"type": "playground:report"})),
            Err(Ignored::Reply)
        );
        let bad = [
            json!({}),
            json!({"type": 1}),
            json!({"type": "playground:nope"}),
            json!({"type": RUN, "scenario": 1}),
            json!({"type": SET_SCENARIO}),
        ];
        for m in bad {
            let e = parse_request(&m).unwrap_err();
            assert!(e.warns() && !e.reason().is_empty(), "{m}");
        }
    }
}
