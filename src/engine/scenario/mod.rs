//! The scenario toolkit: TOML text -> the header every scenario has (version, lab, demo, seed,
//! `[run]`) and a reader for the lab's table, with errors that carry a stable code, parameters
//! and a 1-based `line:col`. The registry (`engine::labs::parse`) hands each lab's table to its
//! demo's declarations.

pub mod error;
pub mod nesting;
pub mod parser_error;
pub mod reader;

pub use error::{line_col, ErrorCode, ScenarioError};

use error::names_in;
pub use reader::{Pos, TableReader};

use toml_edit::{ImDocument, Item, TableLike};

use crate::engine::i18n::{t, tf};
use crate::engine::lab::LabId;

/// Workers allowed by default; the environment page can raise it up to `MAX_WORKER_CAP`.
pub const DEFAULT_WORKER_CAP: u32 = 16;
pub const MAX_WORKER_CAP: u32 = 64;
/// Longest scenario text accepted (also the share-link limit).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The `[run]` table: how many workers, how many timed repeats, how many warm-up runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunConfig {
    pub workers: u32,
    pub repeats: u32,
    pub warmup: u32,
}

/// What every scenario has, parsed and defaulted: the part before the lab's own table.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub version: u32,
    pub lab: LabId,
    pub demo: String,
    /// Where `demo`'s value is (errors about the demo as a whole point there).
    pub demo_pos: Pos,
    pub seed: u64,
    pub run: RunConfig,
}

impl Header {
    /// The normalized text of the header and `[run]` (the lab's table follows).
    pub fn to_toml(&self) -> String {
        format!(
            "version = {}\nlab = \"{}\"\ndemo = \"{}\"\nseed = {}\n\n[run]\nworkers = {}\nrepeats = {}\nwarmup = {}\n",
            self.version,
            self.lab.as_str(),
            self.demo,
            self.seed,
            self.run.workers,
            self.run.repeats,
            self.run.warmup
        )
    }
}

/// A lab's table as its parser receives it: the table (if present) and where to point at.
pub struct LabTable<'a> {
    pub text: &'a str,
    pub table: Option<&'a dyn TableLike>,
    pub anchor: (u32, u32),
}

fn table_of<'a>(
    text: &'a str,
    top: &'a toml_edit::Table,
    key: &'static str,
) -> Result<LabTable<'a>, ScenarioError> {
    let Some((k, item)) = top.get_key_value(key) else {
        return Ok(LabTable {
            text,
            table: None,
            anchor: (1, 1),
        });
    };
    let span = match item {
        Item::Table(t) => t.span(),
        _ => None,
    }
    .or_else(|| item.span())
    .or_else(|| k.span());
    let anchor = span.map_or((1, 1), |s| line_col(text, s.start));
    match item.as_table_like() {
        Some(table) => Ok(LabTable {
            text,
            table: Some(table),
            anchor,
        }),
        None => Err(reader::wrong_type(
            key,
            "type.table",
            "type.plain-value",
            anchor,
        )),
    }
}

/// Parses the header of a scenario (`worker_cap` bounds `[run] workers`) and hands the lab's
/// table to `lab_table`; any top-level key nobody read is an error.
pub fn parse_with<C>(
    text: &str,
    worker_cap: u32,
    lab_table: impl FnOnce(&Header, &LabTable<'_>) -> Result<C, ScenarioError>,
) -> Result<(Header, C), ScenarioError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(ScenarioError::new(ErrorCode::TooLong, (1, 1))
            .with("size", text.len().to_string())
            .with("max", MAX_TEXT_BYTES.to_string()));
    }
    if let Some(at) = nesting::too_deep(text) {
        return Err(
            ScenarioError::new(ErrorCode::Syntax, line_col(text, at)).with_key(
                "detail",
                "scenario.toml.too-deep",
                &[("n", nesting::MAX_NESTING.to_string())],
            ),
        );
    }
    let doc = ImDocument::parse(text).map_err(|e| {
        let pos = e.span().map_or((1, 1), |s| line_col(text, s.start));
        ScenarioError::new(ErrorCode::Syntax, pos).with_text("detail", |lang| {
            parser_error::detail(lang, e.message(), pos)
        })
    })?;
    let top_table: &toml_edit::Table = doc.as_table();
    let mut top = TableReader::new(text, Some(top_table as &dyn TableLike), "", (1, 1));

    let version = match top.opt_u64_at("version", 0..=u64::MAX) {
        Ok(Some((1, _))) | Ok(None) => 1,
        Ok(Some((v, pos))) => {
            return Err(
                ScenarioError::new(ErrorCode::UnsupportedVersion, pos).with("value", v.to_string())
            )
        }
        Err(e) if e.code == ErrorCode::OutOfRange => {
            return Err(
                ScenarioError::new(ErrorCode::UnsupportedVersion, (e.line, e.col))
                    .with("value", e.param("value").unwrap_or("?").to_string()),
            )
        }
        Err(e) => return Err(e),
    };
    let all_labs = LabId::ALL.map(|l| l.as_str()).join(", ");
    let available = LabId::ALL
        .into_iter()
        .filter(|l| l.is_available())
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let (lab_name, lab_pos) = top.string("lab", |lang| {
        let labs = LabId::ALL.map(|l| l.as_str());
        tf(lang, "scenario.why.lab", &[("labs", names_in(lang, &labs))])
    })?;
    let lab = LabId::parse(&lab_name).ok_or_else(|| {
        ScenarioError::new(ErrorCode::UnknownLab, lab_pos)
            .with("value", lab_name.clone())
            .with("allowed", all_labs.clone())
    })?;
    if !lab.is_available() {
        return Err(ScenarioError::new(ErrorCode::LabNotAvailable, lab_pos)
            .with("value", lab_name)
            .with("allowed", available));
    }
    let (demo, demo_pos) = top.string("demo", |lang| t(lang, "scenario.why.demo").to_string())?;
    let seed = top.u64_in("seed", 42, 0..=i64::MAX as u64)?;

    let run_table = table_of(text, top_table, "run")?;
    let mut run_reader = TableReader::new(text, run_table.table, "run", run_table.anchor);
    let run = RunConfig {
        workers: run_reader
            .u32_in("workers", 2, 1..=worker_cap.clamp(1, MAX_WORKER_CAP))
            .map_err(|e| cap_hint(e, worker_cap))?,
        repeats: run_reader.u32_in("repeats", 1, 1..=50)?,
        warmup: run_reader.u32_in("warmup", 0, 0..=10)?,
    };
    run_reader.finish()?;

    let header = Header {
        version,
        lab,
        demo,
        demo_pos,
        seed,
        run,
    };
    let table = table_of(text, top_table, lab.as_str())?;
    let config = lab_table(&header, &table)?;
    top.skip(&["run", lab.as_str()]);
    top.finish()?;
    Ok((header, config))
}

/// Explains the worker cap in `workers` range errors.
fn cap_hint(e: ScenarioError, cap: u32) -> ScenarioError {
    if e.code == ErrorCode::OutOfRange && cap < MAX_WORKER_CAP {
        e.with_key(
            "why",
            "scenario.why.cap",
            &[
                ("cap", cap.to_string()),
                ("max", MAX_WORKER_CAP.to_string()),
            ],
        )
    } else {
        e
    }
}

/// The line `line` of `text` under a `N | ` gutter, with a caret under column `col` (1-based,
/// in characters): how the editor marks an error. None when the text has no such line.
pub fn caret_line(text: &str, line: u32, col: u32) -> Option<String> {
    let src = text.split('\n').nth(line.checked_sub(1)? as usize)?;
    let gutter = format!("{line} | ");
    let pad = gutter.chars().count() + col.saturating_sub(1) as usize;
    Some(format!("{gutter}{src}\n{}^", " ".repeat(pad)))
}

/// Sets `key = value` in `[table]` of a scenario's text (a knob moved), with `toml_edit`: the
/// value replaces the old one in place (its comments and the rest of the text kept as they
/// are); a missing key goes at the end of its table, a missing table at the end. A text that
/// is not TOML, or a value that is not a TOML value, gives the text back unchanged (the editor
/// shows that text's error; a knob never turns it into something else).
pub fn with_value(text: &str, table: &str, key: &str, value: &str) -> String {
    let Ok(mut doc) = text.parse::<toml_edit::DocumentMut>() else {
        return text.to_string();
    };
    let Ok(new) = value.parse::<toml_edit::Value>() else {
        return text.to_string();
    };
    let Some(t) = doc
        .entry(table)
        .or_insert(toml_edit::table())
        .as_table_mut()
    else {
        return text.to_string();
    };
    match t.get_mut(key).and_then(toml_edit::Item::as_value_mut) {
        Some(old) => {
            // Keep the old value's surrounding spaces and trailing comment.
            let decor = old.decor().clone();
            *old = new;
            *old.decor_mut() = decor;
        }
        None => {
            // After the table's last key, before the blank line that ends it.
            t.insert(key, toml_edit::value(new));
        }
    }
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_sits_under_the_column() {
        let text = "a = 1\nworkers = 九\n";
        assert_eq!(
            caret_line(text, 2, 11).as_deref(),
            Some("2 | workers = 九\n              ^")
        );
        assert_eq!(caret_line(text, 9, 1), None);
        assert_eq!(caret_line(text, 0, 1), None);
    }
}
