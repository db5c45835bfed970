//! Scenario errors: a stable code, named parameters and a 1-based `line:col`, so the UI can
//! say what is wrong and where, in English or Chinese.

use std::fmt;

use serde::Serialize;

use crate::engine::i18n::{t, tf, Lang};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    Syntax,
    TooLong,
    MissingKey,
    UnknownKey,
    WrongType,
    OutOfRange,
    UnsupportedVersion,
    UnknownLab,
    LabNotAvailable,
    UnknownDemo,
    InvalidValue,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::Syntax,
        ErrorCode::TooLong,
        ErrorCode::MissingKey,
        ErrorCode::UnknownKey,
        ErrorCode::WrongType,
        ErrorCode::OutOfRange,
        ErrorCode::UnsupportedVersion,
        ErrorCode::UnknownLab,
        ErrorCode::LabNotAvailable,
        ErrorCode::UnknownDemo,
        ErrorCode::InvalidValue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Syntax => "syntax",
            ErrorCode::TooLong => "too-long",
            ErrorCode::MissingKey => "missing-key",
            ErrorCode::UnknownKey => "unknown-key",
            ErrorCode::WrongType => "wrong-type",
            ErrorCode::OutOfRange => "out-of-range",
            ErrorCode::UnsupportedVersion => "unsupported-version",
            ErrorCode::UnknownLab => "unknown-lab",
            ErrorCode::LabNotAvailable => "lab-not-available",
            ErrorCode::UnknownDemo => "unknown-demo",
            ErrorCode::InvalidValue => "invalid-value",
        }
    }

    /// The catalogue key of its message template; `{name}` are the error's parameters.
    fn template(self) -> String {
        format!("scenario.{}", self.as_str())
    }
}

/// One problem in a scenario text, at a 1-based line and column (columns count characters).
/// `params` are the English figures of its message; a figure that is words (a type, a reason)
/// also has its Chinese in `zh`, both made from the catalogue (identifiers and numbers are the
/// same in both languages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub code: ErrorCode,
    pub line: u32,
    pub col: u32,
    pub params: Vec<(&'static str, String)>,
    zh: Vec<(&'static str, String)>,
}

impl ScenarioError {
    pub fn new(code: ErrorCode, (line, col): (u32, u32)) -> Self {
        ScenarioError {
            code,
            line,
            col,
            params: Vec::new(),
            zh: Vec::new(),
        }
    }

    /// A figure that reads the same in every language: a key, a value, a number, a name.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.params.push((name, value.into()));
        self
    }

    /// A figure in words: `text(lang)` for each language (made from the catalogue).
    pub fn with_text(mut self, name: &'static str, text: impl Fn(Lang) -> String) -> Self {
        self.params.push((name, text(Lang::En)));
        self.zh.push((name, text(Lang::Zh)));
        self
    }

    /// A figure in words that is one catalogue entry, filled with `figures`.
    pub fn with_key(self, name: &'static str, key: &str, figures: &[(&str, String)]) -> Self {
        self.with_text(name, |lang| tf(lang, key, figures))
    }

    /// The English figure `name` (what the English message says).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The figure `name` in `lang`.
    pub fn param_in(&self, lang: Lang, name: &str) -> Option<String> {
        let zh = || self.zh.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
        match (lang, zh()) {
            (Lang::Zh, Some(v)) => Some(v.clone()),
            // A list of names reads as a Chinese list: `a`、`b`、`c`.
            (Lang::Zh, None) if name == "allowed" => self
                .param(name)
                .map(|v| names_in(lang, &v.split(", ").collect::<Vec<_>>())),
            _ => self.param(name).map(str::to_string),
        }
    }

    /// The message without position, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let mut out = t(lang, &self.code.template()).to_string();
        for (name, _) in &self.params {
            if let Some(value) = self.param_in(lang, name) {
                out = out.replace(&format!("{{{name}}}"), &value);
            }
        }
        // Optional parameters that were not given leave no trace.
        for name in ["where", "why"] {
            out = out.replace(&format!("{{{name}}}"), "");
        }
        out
    }
}

/// Names as a list in `lang`: `a, b, c`, or `` `a`、`b`、`c` `` in Chinese.
pub fn names_in(lang: Lang, names: &[&str]) -> String {
    match lang {
        Lang::En => names.join(", "),
        Lang::Zh => names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join("、"),
    }
}

pub use crate::engine::i18n::or_list;

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message(Lang::En))
    }
}

impl std::error::Error for ScenarioError {}

/// 1-based line and column (in characters) of a byte offset; offsets past the end or inside a
/// character are clamped, so any offset gives a position inside the text (or just after it).
pub fn line_col(text: &str, byte_offset: usize) -> (u32, u32) {
    let mut offset = byte_offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line as u32, col as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_message_in_both_languages() {
        for code in ErrorCode::ALL {
            let e = ScenarioError::new(code, (1, 1))
                .with("key", "workers")
                .with("value", "99")
                .with("min", "1")
                .with("max", "16")
                .with("allowed", "cpu")
                .with("expected", "an integer")
                .with("found", "a string")
                .with("detail", "x")
                .with("lab", "cpu")
                .with("size", "1")
                .with("why", "because");
            for lang in Lang::ALL {
                let m = e.message(lang);
                assert!(!m.trim().is_empty(), "{code:?} {lang:?}");
                assert!(
                    !m.contains('{'),
                    "{code:?} {lang:?}: unfilled placeholder in {m}"
                );
            }
        }
    }

    #[test]
    fn line_col_counts_characters() {
        let t = "ab\n素数 = 1\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 3 + "素数 ".len()), (2, 4));
        assert_eq!(line_col(t, 4), (2, 1)); // inside a character: clamped back
        assert_eq!(line_col(t, 999), (3, 1));
    }

    #[test]
    fn display_has_the_position() {
        let e = ScenarioError::new(ErrorCode::OutOfRange, (5, 11))
            .with("key", "workers")
            .with("value", "99")
            .with("min", "1")
            .with("max", "16");
        assert_eq!(
            e.to_string(),
            "5:11: `workers` = 99 is out of range: allowed 1 … 16"
        );
    }
}
