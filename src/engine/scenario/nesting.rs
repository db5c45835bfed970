//! A guard against texts nested so deeply that reading them would overflow the stack. The TOML
//! parser bounds inline tables and arrays to 80 levels and a dotted key to 80 parts, but not
//! their product: 70 inline tables, each behind a key of 79 dotted parts, are 5,500 tables
//! inside each other, and building or dropping them overflows a 2 MB stack (a share link of
//! 13 KB could crash the page). This scan, linear in the text, bounds the nesting from above
//! before the parser sees it.

/// Most tables and arrays inside each other a scenario may have (a real one has 2 or 3).
pub const MAX_NESTING: u32 = 200;

/// The byte offset of the first bracket that would be nested deeper than `MAX_NESTING`, if
/// any. Strings and comments are skipped the way TOML reads them; every `[` or `{` opens a
/// level that costs 1, plus 1 for each dot since the last newline, bracket or comma (an upper
/// bound on the dotted key that leads to it); a table header's own cost stays under the keys
/// that follow it.
pub fn too_deep(text: &str) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum In {
        Code,
        Comment,
        Basic,
        Literal,
        MultiBasic,
        MultiLiteral,
    }
    let bytes = text.as_bytes();
    let mut state = In::Code;
    // Cost of each open bracket; the header's cost for the keys of its table.
    let mut open: Vec<u32> = Vec::new();
    let mut header = 0u32;
    let mut header_line = false;
    let mut dots = 0u32;
    let mut line_start = true;
    let run = |i: usize, quote: u8| bytes[i..].iter().take_while(|b| **b == quote).count();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            dots = 0;
            line_start = true;
            if matches!(state, In::Comment | In::Basic | In::Literal) {
                state = In::Code;
            }
            i += 1;
            continue;
        }
        match state {
            In::Comment => {}
            In::Basic | In::MultiBasic if b == b'\\' => i += 1,
            In::Basic if b == b'"' => state = In::Code,
            In::Literal if b == b'\'' => state = In::Code,
            In::MultiBasic | In::MultiLiteral => {
                let quote = if state == In::MultiBasic { b'"' } else { b'\'' };
                let n = run(i, quote);
                if n >= 3 {
                    // Up to two quotes before the closing three belong to the string.
                    state = In::Code;
                    i += n;
                    continue;
                }
                i += n.max(1);
                continue;
            }
            In::Basic | In::Literal => {}
            In::Code => match b {
                b'#' => state = In::Comment,
                b'"' | b'\'' => {
                    let n = run(i, b);
                    if n >= 3 {
                        state = if b == b'"' {
                            In::MultiBasic
                        } else {
                            In::MultiLiteral
                        };
                        i += 3;
                        continue;
                    }
                    if n == 2 {
                        i += 2; // an empty string
                        continue;
                    }
                    state = if b == b'"' { In::Basic } else { In::Literal };
                }
                b'.' => dots += 1,
                b'[' | b'{' => {
                    if b == b'[' && open.is_empty() && line_start {
                        header = 0;
                        header_line = true;
                    }
                    let base = open.last().copied().unwrap_or(header);
                    let cost = base + dots + 1;
                    if cost > MAX_NESTING {
                        return Some(i);
                    }
                    open.push(cost);
                    dots = 0;
                }
                b']' | b'}' => {
                    let cost = open.pop().unwrap_or(0);
                    if header_line {
                        header = header.max(cost + dots);
                        header_line = !open.is_empty();
                    }
                    dots = 0;
                }
                b',' => dots = 0,
                _ => {}
            },
        }
        if !matches!(b, b' ' | b'\t' | b'\r') {
            line_start = false;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize, key: &str) -> String {
        format!(
            "[t]\n{}z = 1{}\n",
            format!("{key} = {{ ").repeat(depth),
            " }".repeat(depth)
        )
    }

    #[test]
    fn ordinary_texts_pass() {
        let t = "# a [comment { with . dots\nlab = \"a.b[{\"\n[run]\nworkers = 2\n[sync]\nx = 0.5\ny = '''[{.'''\nz = \"\"\"\n{{{\"\"\"\n";
        assert_eq!(too_deep(t), None);
        assert_eq!(too_deep(&nested(70, "k")), None);
    }

    #[test]
    fn dotted_keys_times_inline_tables_are_caught_at_the_bracket() {
        let key = vec!["k"; 79].join(".");
        let t = nested(70, &key);
        let at = too_deep(&t).expect("too deep");
        assert_eq!(t.as_bytes()[at], b'{');
        // A long header counts for the keys of its table.
        let t = format!("[{key}]\n{key} = {{ {key} = {{ {key} = 1 }} }}\n");
        assert_eq!(too_deep(&t), Some(t.rfind('{').unwrap()));
    }

    #[test]
    fn strings_and_comments_hide_nothing_they_do_not_contain() {
        // Closing quotes runs of a multi-line string (`""""` ends it with one quote inside).
        let key = vec!["k"; 79].join(".");
        let deep = format!("{key} = {{ ").repeat(5);
        let t = format!("[t]\na = \"\"\"x\"\"\"\"\nb = [ \"\"\"y\"\"\"\", {deep} ]\n");
        assert!(too_deep(&t).is_some());
        let t = format!("[t]\na = 'x'\nb = '''y''''\nc = [ \"\\\"\", {deep} ]\n");
        assert!(too_deep(&t).is_some());
    }
}
