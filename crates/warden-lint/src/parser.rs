//! The Dockerfile parser, following BuildKit's `frontend/dockerfile/parser` behaviour: directives,
//! both escape characters, continuations with comments and blank lines inside, heredocs, JSON and
//! shell forms and every instruction's flags. It never panics; bad input is a [`ParseError`] with
//! the line and column where parsing stopped.

use crate::ast::*;

/// Why a Dockerfile could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column} {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What went wrong, lower-case.
    pub message: String,
}

fn err(pos: Pos, message: impl Into<String>) -> ParseError {
    ParseError {
        line: pos.line,
        column: pos.column,
        message: message.into(),
    }
}

struct Line<'a> {
    text: &'a str,
    number: u32,
}

/// Parses Dockerfile bytes (UTF-8, optional BOM).
pub fn parse_bytes(bytes: &[u8]) -> Result<Dockerfile, ParseError> {
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
        let pos = byte_pos(bytes, i);
        return Err(err(pos, "binary file: NUL byte"));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => parse(s),
        Err(e) => Err(err(byte_pos(bytes, e.valid_up_to()), "invalid UTF-8")),
    }
}

fn byte_pos(bytes: &[u8], i: usize) -> Pos {
    let before = &bytes[..i.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|p| p + 1)
        .unwrap_or(0);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() as u32 + 1;
    Pos { line, column }
}

/// Parses Dockerfile text.
pub fn parse(src: &str) -> Result<Dockerfile, ParseError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let lines: Vec<Line> = src
        .split('\n')
        .enumerate()
        .map(|(i, l)| Line {
            text: l.strip_suffix('\r').unwrap_or(l),
            number: i as u32 + 1,
        })
        .collect();
    let mut df = Dockerfile {
        escape: '\\',
        ..Default::default()
    };
    let mut i = parse_directives(&lines, &mut df)?;
    let escape = df.escape;
    while i < lines.len() {
        let line = &lines[i];
        let trimmed = line.text.trim_start();
        let indent = line.text.len() - trimmed.len();
        if trimmed.trim_end().is_empty() {
            i += 1;
            continue;
        }
        if let Some(c) = trimmed.strip_prefix('#') {
            df.comments.push(Comment {
                text: c.to_string(),
                span: line_span(line, indent),
            });
            i += 1;
            continue;
        }
        let mut text = String::new();
        let mut map = SourceMap::default();
        let start = Pos {
            line: line.number,
            column: col_of(line.text, indent),
        };
        let mut end = start;
        let (piece, mut more) = continuation(trimmed, escape);
        map.push(0, line.number, start.column, piece.len());
        text.push_str(piece);
        if !piece.is_empty() {
            end = Pos {
                line: line.number,
                column: start.column + piece.chars().count() as u32 - 1,
            };
        }
        i += 1;
        while more && i < lines.len() {
            let l = &lines[i];
            i += 1;
            let t = l.text.trim_start();
            if let Some(body) = t.strip_prefix('#') {
                let ind = l.text.len() - t.len();
                df.comments.push(Comment {
                    text: body.to_string(),
                    span: line_span(l, ind),
                });
                continue;
            }
            if t.trim_end().is_empty() {
                continue;
            }
            let (piece, m) = continuation(l.text, escape);
            more = m;
            map.push(text.len(), l.number, 1, piece.len());
            text.push_str(piece);
            if !piece.is_empty() {
                end = Pos {
                    line: l.number,
                    column: piece.chars().count() as u32,
                };
            }
        }
        let (mut inst, heredoc_specs) = parse_instruction(&text, &map, start, end, escape)?;
        if !heredoc_specs.is_empty() {
            let mut heredocs = Vec::new();
            for spec in heredoc_specs {
                let mut content = String::new();
                let mut terminated = false;
                while i < lines.len() {
                    let l = &lines[i];
                    i += 1;
                    let body = if spec.strip_tabs {
                        l.text.trim_start_matches('\t')
                    } else {
                        l.text
                    };
                    if body == spec.name {
                        terminated = true;
                        end = Pos {
                            line: l.number,
                            column: l.text.chars().count().max(1) as u32,
                        };
                        break;
                    }
                    content.push_str(body);
                    content.push('\n');
                }
                if !terminated {
                    return Err(err(
                        spec.span.start,
                        format!("unterminated heredoc {}", spec.name),
                    ));
                }
                heredocs.push(Heredoc {
                    name: spec.name,
                    fd: spec.fd,
                    strip_tabs: spec.strip_tabs,
                    quoted: spec.quoted,
                    content,
                    span: Span {
                        start: spec.span.start,
                        end,
                    },
                });
            }
            inst.span.end = end;
            match &mut inst.kind {
                Kind::Onbuild(inner) => {
                    inner.heredocs = heredocs;
                    inner.span.end = end;
                }
                _ => inst.heredocs = heredocs,
            }
        }
        df.instructions.push(inst);
    }
    if df.instructions.is_empty() {
        let last = lines.last().map(|l| l.number).unwrap_or(1);
        return Err(err(
            Pos {
                line: last,
                column: 1,
            },
            "file with no instructions",
        ));
    }
    Ok(df)
}

fn col_of(text: &str, byte: usize) -> u32 {
    text.get(..byte).map(|s| s.chars().count()).unwrap_or(byte) as u32 + 1
}

fn line_span(line: &Line, indent: usize) -> Span {
    let start = Pos {
        line: line.number,
        column: col_of(line.text, indent),
    };
    let end = Pos {
        line: line.number,
        column: line.text.chars().count().max(1) as u32,
    };
    Span { start, end }
}

/// Splits off a trailing escape: BuildKit's `([^\\])\\[ \t]*$|^\\[ \t]*$`, so an escaped escape
/// at the end of a line (`C:\\`) ends the instruction.
fn continuation(line: &str, escape: char) -> (&str, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    if let Some(before) = t.strip_suffix(escape) {
        if before.is_empty() || !before.ends_with(escape) {
            return (before, true);
        }
    }
    (line, false)
}

fn parse_directives(lines: &[Line], df: &mut Dockerfile) -> Result<usize, ParseError> {
    let mut i = 0;
    while i < lines.len() {
        let l = &lines[i];
        let Some(body) = l.text.trim_start().strip_prefix('#') else {
            break;
        };
        let Some((k, v)) = body.split_once('=') else {
            break;
        };
        let k = k.trim().to_ascii_lowercase();
        if !matches!(k.as_str(), "syntax" | "escape" | "check") || k.contains(char::is_whitespace) {
            break;
        }
        let pos = Pos {
            line: l.number,
            column: 1,
        };
        if df.directives.iter().any(|d| d.name == k) {
            return Err(err(
                pos,
                format!("only one {k} parser directive can be used"),
            ));
        }
        let value = v.trim().to_string();
        if k == "escape" {
            df.escape = match value.as_str() {
                "\\" => '\\',
                "`" => '`',
                other => {
                    return Err(err(
                        pos,
                        format!("invalid escape token '{other}' does not match ` or \\"),
                    ))
                }
            };
        }
        df.directives.push(Directive {
            name: k,
            value,
            span: line_span(l, 0),
        });
        i += 1;
    }
    Ok(i)
}

struct HeredocSpec {
    name: String,
    fd: Option<u32>,
    strip_tabs: bool,
    quoted: bool,
    span: Span,
}

/// A raw word of `text` with byte offsets (quotes kept).
#[derive(Debug, Clone)]
pub(crate) struct RawWord {
    pub start: usize,
    pub end: usize,
}

/// BuildKit's `parseWords`: whitespace-separated, quotes group, the escape character escapes.
pub(crate) fn split_words(text: &str, escape: char) -> Vec<RawWord> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if start.is_none() {
            if c.is_whitespace() {
                continue;
            }
            start = Some(i);
        }
        if escaped {
            escaped = false;
            continue;
        }
        if c == escape && quote != Some('\'') {
            escaped = true;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    out.push(RawWord { start: s, end: i });
                }
            }
            None => {}
        }
    }
    if let Some(s) = start {
        out.push(RawWord {
            start: s,
            end: text.len(),
        });
    }
    out
}

/// Removes quotes and escapes the way the shell lexer does, without expanding variables.
pub fn unquote(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    out.push(c);
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    if c == '"' {
                        break;
                    }
                    if c == escape {
                        match chars.peek() {
                            Some(&n) if n == '"' || n == '$' || n == escape || n == '\n' => {
                                out.push(n);
                                chars.next();
                                continue;
                            }
                            _ => {}
                        }
                    }
                    out.push(c);
                }
            }
            c if c == escape => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn word(text: &str, map: &SourceMap, w: &RawWord, escape: char) -> Word {
    let raw = text[w.start..w.end].to_string();
    Word {
        value: unquote(&raw, escape),
        raw,
        span: map.span(text, w.start, w.end),
    }
}

/// Splits leading `--flag[=value]` words off; returns the flags and the offset of the rest.
fn extract_flags(text: &str, from: usize, map: &SourceMap, escape: char) -> (Vec<Flag>, usize) {
    let mut flags = Vec::new();
    let mut rest = skip_ws(text, from);
    for w in split_words(&text[from..], escape) {
        let (s, e) = (w.start + from, w.end + from);
        let raw = &text[s..e];
        if !raw.starts_with("--") {
            break;
        }
        rest = skip_ws(text, e);
        if raw == "--" {
            break;
        }
        let body = &raw[2..];
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(unquote(v, escape))),
            None => (body.to_string(), None),
        };
        flags.push(Flag {
            name,
            value,
            span: map.span(text, s, e),
        });
    }
    (flags, rest)
}

fn skip_ws(text: &str, from: usize) -> usize {
    let rest = &text[from.min(text.len())..];
    from + (rest.len() - rest.trim_start().len())
}

fn parse_json_array(s: &str) -> Option<Vec<String>> {
    let t = s.trim();
    if !t.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(t).ok()
}

/// Exec form when the text is a JSON array of strings, shell form otherwise. A valid JSON array
/// holding something other than strings is an error, as in BuildKit.
fn arguments(text: &str, at: usize, map: &SourceMap) -> Result<Arguments, ParseError> {
    let rest = &text[at.min(text.len())..];
    if let Some(v) = parse_json_array(rest) {
        return Ok(Arguments::Exec(v));
    }
    if rest.trim_start().starts_with('[') {
        if let Ok(serde_json::Value::Array(_)) =
            serde_json::from_str::<serde_json::Value>(rest.trim())
        {
            return Err(err(
                map.pos(text, at),
                "exec form must be a JSON array of strings",
            ));
        }
    }
    Ok(Arguments::Shell {
        text: rest.to_string(),
        offset: at,
    })
}

const HEREDOC_KEYWORDS: [&str; 3] = ["RUN", "COPY", "ADD"];

fn parse_instruction(
    text: &str,
    map: &SourceMap,
    start: Pos,
    end: Pos,
    escape: char,
) -> Result<(Instruction, Vec<HeredocSpec>), ParseError> {
    let kw_end = text.find(char::is_whitespace).unwrap_or(text.len());
    let keyword = &text[..kw_end];
    let upper = keyword.to_ascii_uppercase();
    let here = |off: usize| map.pos(text, off);
    let args_at = skip_ws(text, kw_end);
    let known = [
        "FROM",
        "RUN",
        "CMD",
        "ENTRYPOINT",
        "SHELL",
        "LABEL",
        "ENV",
        "ARG",
        "ADD",
        "COPY",
        "EXPOSE",
        "VOLUME",
        "USER",
        "WORKDIR",
        "STOPSIGNAL",
        "MAINTAINER",
        "HEALTHCHECK",
        "ONBUILD",
    ];
    if !known.contains(&upper.as_str()) {
        return Err(err(start, format!("unknown instruction: {keyword}")));
    }
    let (flags, rest_at) = if upper == "ONBUILD" {
        (Vec::new(), args_at)
    } else {
        extract_flags(text, args_at, map, escape)
    };
    let rest = &text[rest_at..];
    let words = || -> Vec<Word> {
        split_words(rest, escape)
            .iter()
            .map(|w| {
                word(
                    text,
                    map,
                    &RawWord {
                        start: w.start + rest_at,
                        end: w.end + rest_at,
                    },
                    escape,
                )
            })
            .collect()
    };
    let need_args = |n: usize, got: usize| -> Result<(), ParseError> {
        if got < n {
            let what = if n == 1 {
                "at least one argument".to_string()
            } else {
                format!("at least {n} arguments")
            };
            Err(err(start, format!("{upper} requires {what}")))
        } else {
            Ok(())
        }
    };
    let mut heredoc_specs = Vec::new();
    if HEREDOC_KEYWORDS.contains(&upper.as_str()) {
        heredoc_specs = find_heredocs(text, rest_at, map);
    }
    let kind = match upper.as_str() {
        "FROM" => {
            let ws = words();
            match ws.len() {
                1 => Kind::From(From {
                    image: ws[0].clone(),
                    alias: None,
                }),
                3 if ws[1].value.eq_ignore_ascii_case("as") => Kind::From(From {
                    image: ws[0].clone(),
                    alias: Some(ws[2].clone()),
                }),
                _ => return Err(err(start, "FROM requires either one or three arguments")),
            }
        }
        "RUN" => {
            if rest.trim().is_empty() {
                return Err(err(start, "RUN requires at least one argument"));
            }
            Kind::Run(arguments(text, rest_at, map)?)
        }
        "CMD" => Kind::Cmd(arguments(text, rest_at, map)?),
        "ENTRYPOINT" => Kind::Entrypoint(arguments(text, rest_at, map)?),
        "SHELL" => match parse_json_array(rest) {
            Some(v) if !v.is_empty() => Kind::Shell(v),
            _ => {
                return Err(err(
                    here(rest_at),
                    "SHELL requires the arguments to be in JSON form",
                ))
            }
        },
        "LABEL" => Kind::Label(name_values(text, rest_at, map, escape, start, &upper)?),
        "ENV" => Kind::Env(name_values(text, rest_at, map, escape, start, &upper)?),
        "ARG" => {
            let ws = words();
            need_args(1, ws.len())?;
            Kind::Arg(
                ws.into_iter()
                    .map(|w| match w.value.split_once('=') {
                        Some((n, v)) => ArgDecl {
                            name: n.to_string(),
                            default: Some(v.to_string()),
                            span: w.span,
                        },
                        None => ArgDecl {
                            name: w.value.clone(),
                            default: None,
                            span: w.span,
                        },
                    })
                    .collect(),
            )
        }
        "ADD" | "COPY" => {
            let (mut all, json) = match parse_json_array(rest) {
                Some(v) => {
                    let span = map.span(text, rest_at, text.len());
                    (
                        v.into_iter()
                            .map(|s| Word {
                                raw: s.clone(),
                                value: s,
                                span,
                            })
                            .collect::<Vec<_>>(),
                        true,
                    )
                }
                // Paths keep their backslashes (Windows); only surrounding quotes go.
                None => (ws_words(text, rest_at, map), false),
            };
            need_args(2, all.len())?;
            let dest = all.pop();
            let c = CopyArgs {
                sources: all,
                dest,
                json,
            };
            if upper == "ADD" {
                Kind::Add(c)
            } else {
                Kind::Copy(c)
            }
        }
        "EXPOSE" => Kind::Expose(ws_words(text, rest_at, map)),
        "VOLUME" => match parse_json_array(rest) {
            Some(v) => {
                let span = map.span(text, rest_at, text.len());
                Kind::Volume(
                    v.into_iter()
                        .map(|s| Word {
                            raw: s.clone(),
                            value: s,
                            span,
                        })
                        .collect(),
                )
            }
            None => Kind::Volume(ws_words(text, rest_at, map)),
        },
        "USER" | "WORKDIR" | "STOPSIGNAL" => {
            let t = rest.trim_end();
            if t.is_empty() {
                return Err(err(start, format!("{upper} requires exactly one argument")));
            }
            let w = word(
                text,
                map,
                &RawWord {
                    start: rest_at,
                    end: rest_at + t.len(),
                },
                escape,
            );
            match upper.as_str() {
                "USER" => Kind::User(w),
                "WORKDIR" => Kind::Workdir(w),
                _ => Kind::Stopsignal(w),
            }
        }
        "MAINTAINER" => Kind::Maintainer(rest.trim().to_string()),
        "HEALTHCHECK" => {
            let ws = split_words(rest, escape);
            let Some(first) = ws.first() else {
                return Ok((
                    finish(
                        keyword,
                        start,
                        end,
                        flags,
                        Kind::Healthcheck(Healthcheck::Other {
                            kind: String::new(),
                            args: String::new(),
                        }),
                        text,
                        map,
                    ),
                    heredoc_specs,
                ));
            };
            let typ = rest[first.start..first.end].to_ascii_uppercase();
            match typ.as_str() {
                "NONE" => {
                    if ws.len() > 1 {
                        return Err(err(start, "HEALTHCHECK NONE takes no arguments"));
                    }
                    Kind::Healthcheck(Healthcheck::None)
                }
                "CMD" => {
                    let at = skip_ws(text, rest_at + first.end);
                    Kind::Healthcheck(Healthcheck::Cmd(arguments(text, at, map)?))
                }
                other => Kind::Healthcheck(Healthcheck::Other {
                    kind: other.to_string(),
                    args: rest[first.end..].trim().to_string(),
                }),
            }
        }
        "ONBUILD" => {
            if rest.trim().is_empty() {
                return Err(err(start, "ONBUILD requires at least one argument"));
            }
            let sub_text = rest.to_string();
            let sub_map = map.shifted(text, rest_at);
            let sub_start = map.pos(text, rest_at);
            let (inner, specs) = parse_instruction(&sub_text, &sub_map, sub_start, end, escape)?;
            heredoc_specs = specs;
            Kind::Onbuild(Box::new(inner))
        }
        _ => return Err(err(start, format!("unknown instruction: {keyword}"))),
    };
    Ok((
        finish(keyword, start, end, flags, kind, text, map),
        heredoc_specs,
    ))
}

fn finish(
    keyword: &str,
    start: Pos,
    end: Pos,
    flags: Vec<Flag>,
    kind: Kind,
    text: &str,
    map: &SourceMap,
) -> Instruction {
    Instruction {
        keyword: keyword.to_string(),
        span: Span { start, end },
        flags,
        kind,
        heredocs: Vec::new(),
        text: text.to_string(),
        map: map.clone(),
    }
}

/// Words of ADD, COPY, EXPOSE and VOLUME: whitespace-separated, a quoted path may hold spaces
/// (`"C:\Program Files\x"`), backslashes are kept. With an unbalanced quote this falls back to
/// BuildKit's plain `parseStringsWhitespaceDelimited`.
fn ws_words(text: &str, at: usize, map: &SourceMap) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    for (i, c) in text[at..].char_indices() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                continue;
            }
            Some(_) => continue,
            None if (c == '"' || c == '\'') && start.is_none_or(|s| s < i) => {
                if start.is_none() {
                    start = Some(i);
                }
                quote = Some(c);
                continue;
            }
            None => {}
        }
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                let raw = &text[at + s..at + i];
                out.push(Word {
                    value: strip_quotes(raw).to_string(),
                    raw: raw.to_string(),
                    span: map.span(text, at + s, at + i),
                });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if quote.is_some() {
        return plain_ws_words(text, at, map);
    }
    if let Some(s) = start {
        let raw = &text[at + s..];
        out.push(Word {
            value: strip_quotes(raw).to_string(),
            raw: raw.to_string(),
            span: map.span(text, at + s, text.len()),
        });
    }
    out
}

fn plain_ws_words(text: &str, at: usize, map: &SourceMap) -> Vec<Word> {
    let mut out = Vec::new();
    let rest = &text[at..];
    let mut offset = 0;
    for piece in rest.split_whitespace() {
        let Some(found) = rest[offset..].find(piece) else {
            break;
        };
        let s = offset + found;
        offset = s + piece.len();
        out.push(Word {
            value: strip_quotes(piece).to_string(),
            raw: piece.to_string(),
            span: map.span(text, at + s, at + offset),
        });
    }
    out
}

/// BuildKit's `parseNameVal` for ENV and LABEL: `k=v k2="v 2"` or the legacy `k the rest`.
fn name_values(
    text: &str,
    at: usize,
    map: &SourceMap,
    escape: char,
    start: Pos,
    upper: &str,
) -> Result<Vec<KeyValue>, ParseError> {
    let rest = &text[at..];
    let ws = split_words(rest, escape);
    let Some(first) = ws.first() else {
        return Err(err(
            start,
            format!("{upper} requires at least one argument"),
        ));
    };
    if !rest[first.start..first.end].contains('=') {
        let key_raw = &rest[first.start..first.end];
        let value_at = skip_ws(rest, first.end);
        let raw_value = rest[value_at..].trim_end();
        if raw_value.is_empty() {
            return Err(err(
                start,
                format!("{upper} names can not be blank / {upper} must have two arguments"),
            ));
        }
        return Ok(vec![KeyValue {
            key: unquote(key_raw, escape),
            value: unquote(raw_value, escape),
            raw_value: raw_value.to_string(),
            span: map.span(text, at + first.start, at + value_at + raw_value.len()),
        }]);
    }
    let mut out = Vec::new();
    for w in ws {
        let raw = &rest[w.start..w.end];
        let Some((k, v)) = raw.split_once('=') else {
            return Err(err(
                map.pos(text, at + w.start),
                format!("syntax error - can't find = in {raw:?}. Must be of the form: name=value"),
            ));
        };
        if k.is_empty() {
            return Err(err(
                map.pos(text, at + w.start),
                format!("{upper} names can not be blank"),
            ));
        }
        out.push(KeyValue {
            key: unquote(k, escape),
            value: unquote(v, escape),
            raw_value: v.to_string(),
            span: map.span(text, at + w.start, at + w.end),
        });
    }
    Ok(out)
}

fn find_heredocs(text: &str, at: usize, map: &SourceMap) -> Vec<HeredocSpec> {
    let mut out = Vec::new();
    let rest = &text[at..];
    for w in split_words(rest, '\\') {
        let raw = &rest[w.start..w.end];
        let digits = raw.chars().take_while(|c| c.is_ascii_digit()).count();
        let Some(after) = raw[digits..].strip_prefix("<<") else {
            continue;
        };
        let (strip_tabs, after) = match after.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let name_raw = after.trim_start();
        if name_raw.is_empty() || name_raw.contains('<') {
            continue;
        }
        let name = unquote(name_raw, '\\');
        if name.is_empty() {
            continue;
        }
        let quoted = name != name_raw;
        let fd = if digits > 0 {
            raw[..digits].parse().ok()
        } else {
            None
        };
        out.push(HeredocSpec {
            name,
            fd,
            strip_tabs,
            quoted,
            span: map.span(text, at + w.start, at + w.end),
        });
    }
    out
}

fn strip_quotes(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner;
        }
    }
    s
}
