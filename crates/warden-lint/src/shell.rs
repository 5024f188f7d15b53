//! A POSIX-shell reader for RUN: enough of the grammar to find every simple command with its
//! words, across `&&`/`||`/`;`/`|`, subshells, `$(…)`/backticks, `if`/`for`/`while`/`case` and
//! `sh -c '…'` strings. It never fails: unbalanced quotes end at the end of the text, which is
//! what a linter wants (report what can be seen) rather than what a shell would do (refuse).

/// Where a command was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// In the script itself (a subshell or control structure included).
    Top,
    /// Inside `$(…)` or backticks.
    Substitution,
    /// Inside the string of `sh -c '…'` (or bash/dash/ash/zsh).
    ShellString,
}

/// One word of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// Quotes and escapes removed, variables left as written.
    pub value: String,
    /// As written.
    pub raw: String,
    /// Byte offset of the word in the script text (approximate for nested scripts).
    pub start: usize,
}

/// A simple command: name and arguments (assignments and redirections removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The command name, as written (`/usr/bin/apt-get` stays a path).
    pub name: String,
    /// The arguments.
    pub args: Vec<Arg>,
    /// Byte offset of the name in the script text.
    pub start: usize,
    /// Part of a pipeline of more than one command.
    pub piped: bool,
    /// Where it was found.
    pub origin: Origin,
    /// `NAME=value` assignments written before the command name.
    pub env: Vec<(String, String)>,
}

impl Command {
    /// The last path component of the name (`/usr/bin/pip3` → `pip3`).
    pub fn base_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }

    /// The argument values.
    pub fn arg_values(&self) -> Vec<&str> {
        self.args.iter().map(|a| a.value.as_str()).collect()
    }

    /// Flag names hadolint-style: `--x=y` → `x`, `-abc` → `a`, `b`, `c`.
    pub fn flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        for a in &self.args {
            out.extend(flag_names(&a.value));
        }
        out
    }

    /// Whether the flag (name without dashes) is present.
    pub fn has_flag(&self, f: &str) -> bool {
        self.args
            .iter()
            .any(|a| flag_names(&a.value).iter().any(|n| n == f))
    }

    /// Whether any of the flags is present.
    pub fn has_any_flag(&self, fs: &[&str]) -> bool {
        fs.iter().any(|f| self.has_flag(f))
    }

    /// Arguments that are not flags.
    pub fn args_no_flags(&self) -> Vec<&str> {
        self.args
            .iter()
            .map(|a| a.value.as_str())
            .filter(|v| !v.starts_with('-'))
            .collect()
    }

    /// A copy without the values of the given flags (`-t foo` drops `foo`); `--x=v` keeps no
    /// separate value so nothing more is dropped.
    pub fn drop_flag_arg(&self, fs: &[&str]) -> Command {
        let mut args = Vec::with_capacity(self.args.len());
        let mut skip = false;
        for a in &self.args {
            if skip {
                skip = false;
                continue;
            }
            if a.value.starts_with('-') && !a.value.contains('=') {
                let names = flag_names(&a.value);
                if names.last().is_some_and(|n| fs.contains(&n.as_str())) {
                    skip = true;
                }
            }
            args.push(a.clone());
        }
        Command {
            args,
            ..self.clone()
        }
    }

    /// Whether the command is `name` and has every one of `args`.
    pub fn is_with_args(&self, name: &str, args: &[&str]) -> bool {
        self.name == name && args.iter().all(|x| self.args.iter().any(|a| a.value == *x))
    }

    /// The first argument that is not a flag (a subcommand such as `install`).
    pub fn subcommand(&self) -> Option<&str> {
        self.args_no_flags().into_iter().next()
    }
}

fn flag_names(v: &str) -> Vec<String> {
    if let Some(long) = v.strip_prefix("--") {
        if long.is_empty() {
            return Vec::new();
        }
        return vec![long.split('=').next().unwrap_or(long).to_string()];
    }
    if let Some(short) = v.strip_prefix('-') {
        return short.chars().map(|c| c.to_string()).collect();
    }
    Vec::new()
}

/// A parsed script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// Every simple command, in source order (nested ones after the one that contains them).
    pub commands: Vec<Command>,
    /// A `|` pipe appears somewhere (`||` is not a pipe).
    pub has_pipes: bool,
    /// Number of top-level simple commands.
    pub top_level_count: usize,
}

impl Script {
    /// Commands outside `sh -c` strings (what hadolint's ShellCheck-based rules see).
    pub fn plain(&self) -> impl Iterator<Item = &Command> {
        self.commands
            .iter()
            .filter(|c| c.origin != Origin::ShellString)
    }

    /// Whether some plain command is named `name`.
    pub fn uses(&self, name: &str) -> bool {
        self.plain().any(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(Arg),
    /// `&&`, `||`, `;`, `;;`, `&`, newline.
    Sep,
    Pipe,
    Open,
    Close,
    Redirect,
    /// `;;` ends a case branch.
    CaseEnd,
}

const MAX_DEPTH: usize = 32;

/// Parses a script.
pub fn parse(text: &str) -> Script {
    let mut s = Script::default();
    parse_into(text, 0, Origin::Top, 0, &mut s);
    s.top_level_count = s
        .commands
        .iter()
        .filter(|c| c.origin == Origin::Top)
        .count();
    s
}

fn parse_into(text: &str, base: usize, origin: Origin, depth: usize, out: &mut Script) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut nested: Vec<(String, usize)> = Vec::new();
    let toks = tokenize(text, base, &mut nested);
    let mut cur: Vec<Arg> = Vec::new();
    let mut cur_piped = false;
    let mut after_redirect = false;
    let mut in_case = 0usize;
    let mut case_pattern = false;
    let mut skip_until_sep = false;
    let mut pending: Vec<Command> = Vec::new();
    let mut env: Vec<(String, String)> = Vec::new();
    let flush = |cur: &mut Vec<Arg>,
                 piped: bool,
                 pending: &mut Vec<Command>,
                 env: &mut Vec<(String, String)>| {
        let assigned = std::mem::take(env);
        if cur.is_empty() {
            return;
        }
        let words = std::mem::take(cur);
        let Some(first) = words.first() else { return };
        let c = Command {
            name: first.value.clone(),
            start: first.start,
            args: words[1..].to_vec(),
            piped,
            origin,
            env: assigned,
        };
        pending.push(c);
    };
    for t in toks {
        match t.clone() {
            Tok::Word(w) => {
                if after_redirect {
                    after_redirect = false;
                    continue;
                }
                if skip_until_sep {
                    if w.raw == "do" || (in_case > 0 && w.raw == "in") {
                        skip_until_sep = false;
                        if w.raw == "in" {
                            case_pattern = true;
                        }
                    }
                    continue;
                }
                if case_pattern {
                    if w.raw == "esac" {
                        in_case = in_case.saturating_sub(1);
                        case_pattern = false;
                    }
                    continue;
                }
                if cur.is_empty() {
                    match w.raw.as_str() {
                        "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "{"
                        | "time" => continue,
                        "fi" | "done" | "}" => continue,
                        "esac" => {
                            in_case = in_case.saturating_sub(1);
                            continue;
                        }
                        "for" | "select" => {
                            skip_until_sep = true;
                            continue;
                        }
                        "case" => {
                            in_case += 1;
                            skip_until_sep = true;
                            continue;
                        }
                        _ => {}
                    }
                    if is_assignment(&w.raw) {
                        if let Some((k, v)) = w.value.split_once('=') {
                            env.push((k.to_string(), v.to_string()));
                        }
                        continue;
                    }
                }
                cur.push(w);
            }
            Tok::Redirect => after_redirect = true,
            Tok::Pipe if case_pattern => {}
            Tok::CaseEnd => {
                flush(&mut cur, cur_piped, &mut pending, &mut env);
                cur_piped = false;
                case_pattern = in_case > 0;
            }
            Tok::Pipe => {
                out.has_pipes = true;
                flush(&mut cur, true, &mut pending, &mut env);
                cur_piped = true;
            }
            Tok::Sep | Tok::Open | Tok::Close => {
                if matches!(t, Tok::Close) && in_case > 0 && case_pattern {
                    case_pattern = false;
                }
                flush(&mut cur, cur_piped, &mut pending, &mut env);
                cur_piped = false;
                after_redirect = false;
                if skip_until_sep && in_case == 0 {
                    skip_until_sep = false;
                }
            }
        }
    }
    flush(&mut cur, cur_piped, &mut pending, &mut env);
    for c in pending {
        let shell_string = shell_c_string(&c);
        out.commands.push(c);
        if let Some((s, at)) = shell_string {
            parse_into(&s, at, Origin::ShellString, depth + 1, out);
        }
    }
    for (inner, at) in nested {
        let o = if origin == Origin::Top {
            Origin::Substitution
        } else {
            origin
        };
        parse_into(&inner, at, o, depth + 1, out);
    }
}

fn shell_c_string(c: &Command) -> Option<(String, usize)> {
    if !matches!(
        c.base_name(),
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh"
    ) {
        return None;
    }
    let mut it = c.args.iter();
    while let Some(a) = it.next() {
        if a.value.starts_with('-') && !a.value.starts_with("--") && a.value.contains('c') {
            return it.next().map(|s| (s.value.clone(), s.start + 1));
        }
        if !a.value.starts_with('-') {
            return None;
        }
    }
    None
}

fn is_assignment(raw: &str) -> bool {
    let Some(eq) = raw.find('=') else {
        return false;
    };
    let name = &raw[..eq];
    let name = name.strip_suffix('+').unwrap_or(name);
    !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn tokenize(text: &str, base: usize, nested: &mut Vec<(String, usize)>) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut word = String::new();
    let mut raw_start: Option<usize> = None;
    let end_word =
        |word: &mut String, raw_start: &mut Option<usize>, i: usize, toks: &mut Vec<Tok>| {
            if let Some(s) = raw_start.take() {
                toks.push(Tok::Word(Arg {
                    value: std::mem::take(word),
                    raw: text[s..i].to_string(),
                    start: base + s,
                }));
            }
        };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => {
                end_word(&mut word, &mut raw_start, i, &mut toks);
                i += 1;
            }
            b'\n' => {
                end_word(&mut word, &mut raw_start, i, &mut toks);
                toks.push(Tok::Sep);
                i += 1;
            }
            b'#' if raw_start.is_none() => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' => {
                raw_start.get_or_insert(i);
                let close = text[i + 1..]
                    .find('\'')
                    .map(|p| i + 1 + p)
                    .unwrap_or(b.len());
                word.push_str(&text[i + 1..close]);
                i = (close + 1).min(b.len());
            }
            b'"' => {
                raw_start.get_or_insert(i);
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' && i + 1 < b.len() {
                        let n = b[i + 1];
                        if matches!(n, b'"' | b'\\' | b'$' | b'`') {
                            word.push(n as char);
                            i += 2;
                            continue;
                        }
                        if n == b'\n' {
                            i += 2;
                            continue;
                        }
                    }
                    if b[i] == b'$' && b.get(i + 1) == Some(&b'(') {
                        let end = matching_paren(b, i + 1);
                        push_nested(text, i + 2, end, base, nested);
                        word.push_str(&text[i..(end + 1).min(b.len())]);
                        i = (end + 1).min(b.len());
                        continue;
                    }
                    if b[i] == b'`' {
                        let end = text[i + 1..]
                            .find('`')
                            .map(|p| i + 1 + p)
                            .unwrap_or(b.len());
                        push_nested(text, i + 1, end, base, nested);
                        word.push_str(&text[i..(end + 1).min(b.len())]);
                        i = (end + 1).min(b.len());
                        continue;
                    }
                    let ch_len = utf8_len(b[i]);
                    word.push_str(text.get(i..i + ch_len).unwrap_or(""));
                    i += ch_len;
                }
                i = (i + 1).min(b.len());
            }
            b'\\' => {
                raw_start.get_or_insert(i);
                if i + 1 < b.len() {
                    if b[i + 1] == b'\n' {
                        i += 2;
                        if raw_start == Some(i - 2) {
                            raw_start = None;
                        }
                        continue;
                    }
                    let l = utf8_len(b[i + 1]);
                    word.push_str(text.get(i + 1..i + 1 + l).unwrap_or(""));
                    i += 1 + l;
                } else {
                    i += 1;
                }
            }
            b'$' if b.get(i + 1) == Some(&b'(') => {
                raw_start.get_or_insert(i);
                let end = matching_paren(b, i + 1);
                push_nested(text, i + 2, end, base, nested);
                word.push_str(&text[i..(end + 1).min(b.len())]);
                i = (end + 1).min(b.len());
            }
            b'$' if b.get(i + 1) == Some(&b'{') => {
                raw_start.get_or_insert(i);
                let end = text[i..].find('}').map(|p| i + p).unwrap_or(b.len() - 1);
                word.push_str(&text[i..(end + 1).min(b.len())]);
                i = (end + 1).min(b.len());
            }
            b'`' => {
                raw_start.get_or_insert(i);
                let end = text[i + 1..]
                    .find('`')
                    .map(|p| i + 1 + p)
                    .unwrap_or(b.len());
                push_nested(text, i + 1, end, base, nested);
                word.push_str(&text[i..(end + 1).min(b.len())]);
                i = (end + 1).min(b.len());
            }
            b'&' | b'|' | b';' => {
                end_word(&mut word, &mut raw_start, i, &mut toks);
                let n = b.get(i + 1).copied();
                match (c, n) {
                    (b';', Some(b';')) => {
                        toks.push(Tok::CaseEnd);
                        i += 2;
                    }
                    (b'&', Some(b'&')) | (b'|', Some(b'|')) => {
                        toks.push(Tok::Sep);
                        i += 2;
                    }
                    (b'&', Some(b'>')) => {
                        toks.push(Tok::Redirect);
                        i += 2;
                        if b.get(i) == Some(&b'>') {
                            i += 1;
                        }
                    }
                    (b'|', Some(b'&')) => {
                        toks.push(Tok::Pipe);
                        i += 2;
                    }
                    (b'|', _) => {
                        toks.push(Tok::Pipe);
                        i += 1;
                    }
                    _ => {
                        toks.push(Tok::Sep);
                        i += 1;
                    }
                }
            }
            b'(' | b')' => {
                end_word(&mut word, &mut raw_start, i, &mut toks);
                toks.push(if c == b'(' { Tok::Open } else { Tok::Close });
                i += 1;
            }
            b'<' | b'>' => {
                // `2>&1`: the digits before the operator are its file descriptor, not a word.
                if raw_start.is_some()
                    && !word.is_empty()
                    && word.bytes().all(|d| d.is_ascii_digit())
                {
                    raw_start = None;
                    word.clear();
                } else {
                    end_word(&mut word, &mut raw_start, i, &mut toks);
                }
                if c == b'<' && b.get(i + 1) == Some(&b'(') {
                    let end = matching_paren(b, i + 1);
                    push_nested(text, i + 2, end, base, nested);
                    i = (end + 1).min(b.len());
                    continue;
                }
                i += 1;
                while i < b.len() && matches!(b[i], b'<' | b'>' | b'&' | b'|' | b'-') {
                    i += 1;
                }
                let target_glued = i < b.len() && b[i].is_ascii_digit() && text[..i].ends_with('&');
                if target_glued {
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                } else {
                    toks.push(Tok::Redirect);
                }
            }
            _ => {
                raw_start.get_or_insert(i);
                let l = utf8_len(c);
                word.push_str(text.get(i..i + l).unwrap_or(""));
                i += l;
            }
        }
    }
    end_word(&mut word, &mut raw_start, b.len(), &mut toks);
    toks
}

fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn push_nested(text: &str, from: usize, to: usize, base: usize, nested: &mut Vec<(String, usize)>) {
    if let Some(s) = text.get(from..to.min(text.len())) {
        nested.push((s.to_string(), base + from));
    }
}

/// Index of the `)` matching the `(` at `open`, respecting quotes; `len-1` when unbalanced.
fn matching_paren(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            b'\\' => i += 1,
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len().saturating_sub(1).max(open)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &Script) -> Vec<&str> {
        s.commands.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn chains_pipes_and_substitutions() {
        let s = parse(
            "apt-get update && apt-get install -y curl | tee x; echo $(cat /etc/os-release) 2>&1",
        );
        assert_eq!(names(&s), ["apt-get", "apt-get", "tee", "echo", "cat"]);
        assert!(s.has_pipes);
        assert_eq!(s.commands[1].args_no_flags(), ["install", "curl"]);
        assert!(s.commands[1].has_flag("y"));
        assert_eq!(s.commands[4].origin, Origin::Substitution);
    }

    #[test]
    fn control_flow_and_sh_c() {
        let s = parse(
            "if [ -f x ]; then FOO=1 make; fi; for i in a b; do rm $i; done; sh -c 'curl x | sh'",
        );
        assert_eq!(names(&s), ["[", "make", "rm", "sh", "curl", "sh"]);
        assert_eq!(s.commands[4].origin, Origin::ShellString);
        assert!(!parse("a || b").has_pipes);
    }

    #[test]
    fn quotes_and_redirections() {
        let s = parse("echo \"a b\" 'c d' e\\ f > /dev/null < in");
        assert_eq!(s.commands[0].arg_values(), ["a b", "c d", "e f"]);
        let s = parse("case $x in a) foo ;; b|c) bar ;; esac");
        assert_eq!(names(&s), ["foo", "bar"]);
    }

    #[test]
    fn unbalanced_input_does_not_panic() {
        for t in [
            "'",
            "\"",
            "$(",
            "`",
            "${",
            "\\",
            "a >",
            "echo \"$(",
            "((((",
            "é'ü",
        ] {
            let _ = parse(t);
        }
    }
}
