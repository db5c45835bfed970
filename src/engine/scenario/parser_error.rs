//! The TOML parser's own messages in the reader's language. `toml_edit` reports an error as
//! English lines — `invalid <what>`, `expected <tokens>`, or a cause such as `duplicate key
//! `x` in document root` — so the English message keeps its first line as it is, and the
//! Chinese one is made from the catalogue by the kind of each line (`scenario.toml.…`); a
//! line of a kind it does not know is left out, and with nothing left it says where the
//! syntax error is.

use crate::engine::i18n::{has, t, tf, Lang};

use super::error::or_list;

/// The `detail` of a `syntax` error for the parser's `message`, found at `pos`.
pub fn detail(lang: Lang, message: &str, (line, col): (u32, u32)) -> String {
    match lang {
        Lang::En => message.lines().next().map_or_else(
            || t(Lang::En, "scenario.toml.unexpected").to_string(),
            |l| l.trim().to_string(),
        ),
        _ => {
            let parts: Vec<String> = message
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .filter_map(|l| line_in(lang, l))
                .collect();
            if parts.is_empty() {
                tf(
                    lang,
                    "scenario.toml.generic",
                    &[("line", line.to_string()), ("col", col.to_string())],
                )
            } else {
                parts.join("；")
            }
        }
    }
}

/// One line of the parser's message in `lang`, when its kind is known.
fn line_in(lang: Lang, line: &str) -> Option<String> {
    if let Some(what) = line.strip_prefix("invalid ") {
        let key = format!("scenario.toml.what.{}", what.trim().replace(' ', "-"));
        return Some(if has(&key) {
            tf(
                lang,
                "scenario.toml.invalid",
                &[("what", t(lang, &key).into())],
            )
        } else {
            t(lang, "scenario.toml.unexpected").to_string()
        });
    }
    if let Some(tokens) = line.strip_prefix("expected ") {
        let items: Vec<String> = tokens
            .split(", ")
            .filter_map(|item| token(lang, item.trim()))
            .collect();
        if items.is_empty() {
            return None;
        }
        // Code in backticks stands apart from the words before it.
        let mut list = or_list(lang, &items);
        if list.starts_with('`') {
            list.insert(0, ' ');
        }
        return Some(tf(lang, "scenario.toml.expected", &[("items", list)]));
    }
    if let Some(rest) = line.strip_prefix("duplicate key `") {
        let (key, place) = rest.split_once('`')?;
        let key = key.to_string();
        return Some(match place.trim() {
            "in document root" => tf(lang, "scenario.toml.duplicate-key-root", &[("key", key)]),
            "" => tf(lang, "scenario.toml.duplicate-key", &[("key", key)]),
            place => {
                let table = place.strip_prefix("in table `")?.strip_suffix('`')?;
                tf(
                    lang,
                    "scenario.toml.duplicate-key-table",
                    &[("key", key), ("table", table.to_string())],
                )
            }
        });
    }
    if let Some(rest) = line.strip_prefix("dotted key `") {
        let (key, rest) = rest.split_once('`')?;
        let kind = rest
            .split_once('(')
            .and_then(|(_, k)| k.strip_suffix(')'))
            .unwrap_or("");
        return Some(tf(
            lang,
            "scenario.toml.dotted-key",
            &[("key", key.to_string()), ("type", kind.to_string())],
        ));
    }
    let key = match line {
        "value is out of range" => "scenario.toml.out-of-range",
        "recursion limit exceeded" => "scenario.toml.recursion",
        _ => return None,
    };
    Some(t(lang, key).to_string())
}

/// One token the parser expected: literal characters stay as they are (in backticks), named
/// ones (`newline`, `digit`) come from the catalogue; others are left out.
fn token(lang: Lang, item: &str) -> Option<String> {
    if item.len() >= 2 && item.starts_with('`') && item.ends_with('`') {
        return Some(item.to_string());
    }
    let key = format!("scenario.toml.token.{}", item.replace(' ', "-"));
    has(&key).then(|| t(lang, &key).to_string())
}
