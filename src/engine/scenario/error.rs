//! Scenario errors: a stable code, named parameters and a 1-based `line:col`, so the UI can
//! say what is wrong and where, in English or Chinese.

use std::fmt;

use serde::Serialize;

use crate::engine::i18n::Lang;

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

    /// (English, Chinese) templates; `{name}` are the error's parameters.
    fn templates(self) -> (&'static str, &'static str) {
        match self {
            ErrorCode::Syntax => (
                "this is not valid TOML: {detail}",
                "这不是有效的 TOML：{detail}",
            ),
            ErrorCode::TooLong => (
                "the scenario is {size} bytes; at most {max} bytes are accepted",
                "场景文本有 {size} 字节；最多接受 {max} 字节",
            ),
            ErrorCode::MissingKey => (
                "`{key}` is required{where}: {why}",
                "缺少必需的 `{key}`{where}：{why}",
            ),
            ErrorCode::UnknownKey => (
                "unknown key `{key}`{where}; allowed: {allowed}",
                "未知的键 `{key}`{where}；允许的键：{allowed}",
            ),
            ErrorCode::WrongType => (
                "`{key}` must be {expected}, not {found}",
                "`{key}` 必须是{expected}，而不是{found}",
            ),
            ErrorCode::OutOfRange => (
                "`{key}` = {value} is out of range: allowed {min} … {max}{why}",
                "`{key}` = {value} 超出范围：允许 {min} … {max}{why}",
            ),
            ErrorCode::UnsupportedVersion => (
                "`version` = {value} is not supported: this playground reads version 1",
                "不支持 `version` = {value}：本游乐场只读取版本 1",
            ),
            ErrorCode::UnknownLab => (
                "there is no lab `{value}`; labs: {allowed}",
                "没有名为 `{value}` 的实验室；可用的实验室：{allowed}",
            ),
            ErrorCode::LabNotAvailable => (
                "the `{value}` lab is not part of this build yet; labs you can run: {allowed}",
                "`{value}` 实验室尚未包含在此版本中；可以运行的实验室：{allowed}",
            ),
            ErrorCode::UnknownDemo => (
                "lab `{lab}` has no demo `{value}`; its demos: {allowed}",
                "`{lab}` 实验室没有 `{value}` 演示；它的演示有：{allowed}",
            ),
            ErrorCode::InvalidValue => (
                "`{key}` = {value} is not allowed: {why}",
                "`{key}` = {value} 不被允许：{why}",
            ),
        }
    }
}

/// One problem in a scenario text, at a 1-based line and column (columns count characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub code: ErrorCode,
    pub line: u32,
    pub col: u32,
    pub params: Vec<(&'static str, String)>,
}

impl ScenarioError {
    pub fn new(code: ErrorCode, (line, col): (u32, u32)) -> Self {
        ScenarioError {
            code,
            line,
            col,
            params: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.params.push((name, value.into()));
        self
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The message without position, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let (en, zh) = self.code.templates();
        let mut out = match lang {
            Lang::En => en.to_string(),
            Lang::Zh => zh.to_string(),
        };
        for (name, value) in &self.params {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        // Optional parameters that were not given leave no trace.
        for name in ["where", "why"] {
            out = out.replace(&format!("{{{name}}}"), "");
        }
        out
    }
}

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
