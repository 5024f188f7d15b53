//! Recursive-descent parser for Falco conditions, following libsinsp's grammar
//! (`libsinsp/filter/parser.h`): `not` binds tighter than `and`, `and` tighter than `or`, the
//! whole input must be consumed, and recursion is capped at a depth of 100.

use crate::ast::{Binary, Expr, FieldRef, Modifier, Op, Operand, Rhs, Span, TArg, Transform};
use crate::lexer;

/// A syntax error with its byte offset in the condition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// What went wrong, in libsinsp's words where they exist.
    pub message: String,
    /// Byte offset where it was noticed.
    pub offset: usize,
}

const MAX_DEPTH: usize = 100;

/// Transformers that take a field (or nested transformer) argument.
pub const TRANSFORMERS: &[&str] = &[
    "tolower", "toupper", "b64", "basename", "len", "join", "concat", "getopt",
];

const STR_OPS: &[(&str, Op, bool)] = &[
    ("==", Op::Eq, false),
    ("=", Op::Eq, false),
    ("!=", Op::Ne, false),
    ("glob", Op::Glob, true),
    ("iglob", Op::IGlob, true),
    ("contains", Op::Contains, true),
    ("icontains", Op::IContains, true),
    ("bcontains", Op::BContains, true),
    ("startswith", Op::StartsWith, true),
    ("bstartswith", Op::BStartsWith, true),
    ("endswith", Op::EndsWith, true),
    ("regex", Op::Regex, true),
];
const NUM_OPS: &[(&str, Op)] = &[("<=", Op::Le), ("<", Op::Lt), (">=", Op::Ge), (">", Op::Gt)];
const LIST_OPS: &[(&str, Op)] = &[
    ("intersects", Op::Intersects),
    ("in", Op::In),
    ("pmatch", Op::PMatch),
];

/// Parses a whole condition.
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    let mut p = Parser {
        s: input.as_bytes(),
        pos: 0,
        depth: 0,
        last: String::new(),
    };
    if input.is_empty() {
        return Err(p.err("filter input string is empty"));
    }
    let e = p.parse_or()?;
    if p.pos != p.s.len() {
        let last = p.last.clone();
        return Err(p.err(&format!(
            "unexpected token after '{last}', expecting 'or', 'and'"
        )));
    }
    Ok(e)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
    last: String,
}

impl Parser<'_> {
    fn err(&self, m: &str) -> ParseError {
        ParseError {
            message: m.to_string(),
            offset: self.pos,
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return Err(self.err(&format!("exceeded max depth limit of {MAX_DEPTH}")));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn rest(&self) -> &[u8] {
        &self.s[self.pos..]
    }

    fn blank(&mut self) -> bool {
        let n = self
            .rest()
            .iter()
            .take_while(|b| lexer::is_blank(**b))
            .count();
        self.pos += n;
        n > 0
    }

    fn take(&mut self, n: usize) -> String {
        let t = String::from_utf8_lossy(&self.s[self.pos..self.pos + n]).into_owned();
        self.pos += n;
        self.last.clone_from(&t);
        t
    }

    fn lit(&mut self, t: &str) -> bool {
        if self.rest().starts_with(t.as_bytes()) {
            self.take(t.len());
            true
        } else {
            false
        }
    }

    /// A keyword followed by a blank (the blank is consumed).
    fn word_blank(&mut self, w: &str) -> bool {
        let r = self.rest();
        if r.starts_with(w.as_bytes()) && r.get(w.len()).is_some_and(|b| lexer::is_blank(*b)) {
            self.take(w.len());
            self.blank();
            true
        } else {
            false
        }
    }

    fn scan(&mut self, f: fn(&[u8]) -> usize) -> Option<String> {
        let n = f(self.rest());
        (n > 0).then(|| self.take(n))
    }

    fn quoted(&mut self) -> Option<String> {
        let n = lexer::quoted(self.rest());
        if n == 0 {
            return None;
        }
        let raw = String::from_utf8_lossy(&self.s[self.pos..self.pos + n]).into_owned();
        let v = lexer::unescape(&raw)?;
        self.pos += n;
        self.last.clone_from(&v);
        Some(v)
    }

    fn span(&self, start: usize) -> Span {
        Span {
            start,
            end: self.pos,
        }
    }

    fn parse_or(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let start = self.pos;
        self.blank();
        let mut kids = vec![self.parse_and()?];
        self.blank();
        while self.lit("or") {
            let k = if self.blank() {
                self.parse_and()?
            } else if self.lit("(") {
                self.embedded()?
            } else {
                return Err(self.err("expected blank or '(' after 'or'"));
            };
            kids.push(k);
            self.blank();
        }
        self.leave();
        Ok(if kids.len() == 1 {
            kids.remove(0)
        } else {
            Expr::Or(kids, self.span(start))
        })
    }

    fn parse_and(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let start = self.pos;
        self.blank();
        let mut kids = vec![self.parse_not()?];
        self.blank();
        while self.lit("and") {
            let k = if self.blank() {
                self.parse_not()?
            } else if self.lit("(") {
                self.embedded()?
            } else {
                return Err(self.err("expected blank or '(' after 'and'"));
            };
            kids.push(k);
            self.blank();
        }
        self.leave();
        Ok(if kids.len() == 1 {
            kids.remove(0)
        } else {
            Expr::And(kids, self.span(start))
        })
    }

    fn parse_not(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let start = self.pos;
        self.blank();
        let mut neg = false;
        while self.word_blank("not") {
            neg = !neg;
        }
        let child = if self.lit("not(") {
            neg = !neg;
            self.embedded()?
        } else {
            self.parse_check()?
        };
        self.leave();
        Ok(if neg {
            Expr::Not(Box::new(child), self.span(start))
        } else {
            child
        })
    }

    fn embedded(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        self.blank();
        let e = self.parse_or()?;
        self.blank();
        if !self.lit(")") {
            return Err(self.err("expected a ')' token"));
        }
        self.leave();
        Ok(e)
    }

    fn transformer_open(&mut self) -> Option<String> {
        for t in TRANSFORMERS {
            let r = self.rest();
            if r.starts_with(t.as_bytes()) && r.get(t.len()) == Some(&b'(') {
                self.take(t.len() + 1);
                return Some((*t).to_string());
            }
        }
        None
    }

    fn parse_check(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let start = self.pos;
        self.blank();
        let r = if self.lit("(") {
            self.embedded()?
        } else if let Some(name) = self.scan(lexer::field_name) {
            let f = self.field_rest(name, start)?;
            self.condition(Operand::Field(f), start)?
        } else if let Some(t) = self.transformer_open() {
            let o = self.transformer_rest(t, start)?;
            self.condition(o, start)?
        } else if let Some(id) = self.scan(lexer::identifier) {
            Expr::Ident(id, self.span(start))
        } else {
            return Err(self.err("expected a '(' token, a field check, or an identifier"));
        };
        self.leave();
        Ok(r)
    }

    fn field_rest(&mut self, name: String, start: usize) -> Result<FieldRef, ParseError> {
        let arg = self.field_arg()?;
        Ok(FieldRef {
            name,
            arg,
            span: self.span(start),
        })
    }

    fn field_arg(&mut self) -> Result<Option<String>, ParseError> {
        if !self.lit("[") {
            return Ok(None);
        }
        let a = match self.quoted() {
            Some(q) => q,
            None => match self.scan(lexer::field_arg_bare) {
                Some(b) => b,
                None => {
                    return Err(self
                        .err("expected a valid field argument: a quoted string or a bare string"))
                }
            },
        };
        if !self.lit("]") {
            return Err(self.err("expected a ']' token"));
        }
        Ok(Some(a))
    }

    /// After `name(`: arguments, `)` and an optional `[arg]`.
    fn transformer_rest(&mut self, name: String, start: usize) -> Result<Operand, ParseError> {
        self.enter()?;
        self.blank();
        let mut args = Vec::new();
        if name == "join" || name == "concat" || name == "getopt" {
            if !self.rest().starts_with(b")") {
                args.push(self.targ(false)?);
                self.blank();
                while self.lit(",") {
                    self.blank();
                    args.push(self.targ(false)?);
                    self.blank();
                }
            }
        } else {
            let astart = self.pos;
            let child = if let Some(t) = self.transformer_open() {
                self.transformer_rest(t, astart)?
            } else if let Some(n) = self.scan(lexer::field_name) {
                Operand::Field(self.field_rest(n, astart)?)
            } else {
                return Err(self.err(
                    "expected a field or a nested valid transformer: 'val', 'tolower', \
                     'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'",
                ));
            };
            args.push(TArg::Operand(child));
            self.blank();
        }
        if !self.lit(")") {
            return Err(self.err("expected a ')' token closing the transformer"));
        }
        let arg = self.field_arg()?;
        self.leave();
        Ok(Operand::Transform(Box::new(Transform {
            name,
            args,
            arg,
            span: self.span(start),
        })))
    }

    fn targ(&mut self, in_list: bool) -> Result<TArg, ParseError> {
        let start = self.pos;
        if let Some(t) = self.transformer_open() {
            return Ok(TArg::Operand(self.transformer_rest(t, start)?));
        }
        if let Some(n) = self.scan(lexer::field_name) {
            return Ok(TArg::Operand(Operand::Field(self.field_rest(n, start)?)));
        }
        if let Some(q) = self.quoted() {
            return Ok(TArg::Str(q));
        }
        if let Some(n) = self
            .scan(lexer::hex_num)
            .or_else(|| self.scan(lexer::number))
        {
            return Ok(TArg::Num(n));
        }
        if !in_list && self.lit("(") {
            self.blank();
            let mut items = Vec::new();
            if !self.rest().starts_with(b")") {
                items.push(self.targ(true)?);
                self.blank();
                while self.lit(",") {
                    self.blank();
                    items.push(self.targ(true)?);
                    self.blank();
                }
            }
            if !self.lit(")") {
                return Err(self.err("expected a ')' token closing the list"));
            }
            return Ok(TArg::List(items));
        }
        Err(self.err("expected a field, a transformer, a quoted string, a number or a list"))
    }

    fn condition(&mut self, lhs: Operand, start: usize) -> Result<Expr, ParseError> {
        self.enter()?;
        self.blank();
        if self.lit("exists") {
            self.leave();
            return Ok(Expr::Exists(lhs, self.span(start)));
        }
        for (t, op) in NUM_OPS {
            if self.lit(t) {
                let rhs = self.num_value()?;
                self.leave();
                return Ok(self.binary(lhs, *op, None, rhs, start));
            }
        }
        for (t, op, word) in STR_OPS {
            let r = self.rest();
            let matched = r.starts_with(t.as_bytes())
                && (!word || r.get(t.len()).is_some_and(|b| lexer::is_blank(*b)));
            if matched {
                self.take(t.len());
                let had_blank = self.blank() || *word;
                if had_blank {
                    if let Some(m) = self.modifier() {
                        let rhs = self.list_value()?;
                        self.leave();
                        return Ok(self.binary(lhs, *op, Some(m), rhs, start));
                    }
                }
                let rhs = self.str_value()?;
                self.leave();
                return Ok(self.binary(lhs, *op, None, rhs, start));
            }
        }
        for (t, op) in LIST_OPS {
            if self.lit(t) {
                let rhs = self.list_value()?;
                self.leave();
                return Ok(self.binary(lhs, *op, None, rhs, start));
            }
        }
        Err(self.err(
            "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', \
             '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', \
             'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'",
        ))
    }

    fn binary(&self, lhs: Operand, op: Op, modifier: Option<Modifier>, rhs: Rhs, s: usize) -> Expr {
        Expr::Binary(Box::new(Binary {
            lhs,
            op,
            modifier,
            rhs,
            span: self.span(s),
        }))
    }

    /// `oneof`/`anyof`/`allof` followed by blanks and then a list or a list name.
    fn modifier(&mut self) -> Option<Modifier> {
        for (w, m) in [
            ("oneof", Modifier::OneOf),
            ("anyof", Modifier::AnyOf),
            ("allof", Modifier::AllOf),
        ] {
            let r = self.rest();
            if !r.starts_with(w.as_bytes()) || !r.get(w.len()).is_some_and(|b| lexer::is_blank(*b))
            {
                continue;
            }
            let after = &r[w.len()..];
            let skip = after.iter().take_while(|b| lexer::is_blank(**b)).count();
            let next = &after[skip..];
            let id = lexer::identifier(next);
            let is_keyword = matches!(&next[..id], b"and" | b"or" | b"not");
            if next.first() == Some(&b'(') || (id > 0 && !is_keyword) {
                self.take(w.len());
                self.blank();
                return Some(m);
            }
        }
        None
    }

    fn val_or_transformer(&mut self) -> Result<Option<Operand>, ParseError> {
        self.blank();
        let start = self.pos;
        if self.lit("val(") {
            self.blank();
            let fstart = self.pos;
            let Some(n) = self.scan(lexer::field_name) else {
                return Err(self.err("expected a field within 'val' transformer"));
            };
            let f = self.field_rest(n, fstart)?;
            self.blank();
            if !self.lit(")") {
                return Err(self.err("expected a ')' token closing the transformer"));
            }
            let arg = self.field_arg()?;
            return Ok(Some(Operand::Transform(Box::new(Transform {
                name: "val".into(),
                args: vec![TArg::Operand(Operand::Field(f))],
                arg,
                span: self.span(start),
            }))));
        }
        if let Some(t) = self.transformer_open() {
            return Ok(Some(self.transformer_rest(t, start)?));
        }
        Ok(None)
    }

    fn num_value(&mut self) -> Result<Rhs, ParseError> {
        self.enter()?;
        self.blank();
        let start = self.pos;
        if let Some(o) = self.val_or_transformer()? {
            self.leave();
            return Ok(Rhs::Operand(o));
        }
        if let Some(n) = self
            .scan(lexer::hex_num)
            .or_else(|| self.scan(lexer::number))
        {
            self.leave();
            return Ok(Rhs::Value(n, self.span(start)));
        }
        Err(self.err("expected a number value or a field with a valid transformer"))
    }

    fn str_value(&mut self) -> Result<Rhs, ParseError> {
        self.enter()?;
        self.blank();
        let start = self.pos;
        if let Some(o) = self.val_or_transformer()? {
            self.leave();
            return Ok(Rhs::Operand(o));
        }
        if let Some(v) = self.quoted().or_else(|| self.scan(lexer::bare_str)) {
            self.leave();
            return Ok(Rhs::Value(v, self.span(start)));
        }
        Err(self.err("expected a string value or a field with a valid transformer"))
    }

    fn plain_str(&mut self) -> Option<String> {
        self.blank();
        self.quoted().or_else(|| self.scan(lexer::bare_str))
    }

    fn list_value(&mut self) -> Result<Rhs, ParseError> {
        self.enter()?;
        self.blank();
        let start = self.pos;
        if self.lit("(") {
            let mut vals = Vec::new();
            self.blank();
            if let Some(v) = self.plain_str() {
                vals.push(v);
                self.blank();
                while self.lit(",") {
                    match self.plain_str() {
                        Some(v) => vals.push(v),
                        None => return Err(self.err("expected a string value")),
                    }
                    self.blank();
                }
            }
            if !self.lit(")") {
                return Err(self.err("expected a ')' token"));
            }
            self.leave();
            return Ok(Rhs::List(vals, self.span(start)));
        }
        if let Some(o) = self.val_or_transformer()? {
            self.leave();
            return Ok(Rhs::Operand(o));
        }
        if let Some(id) = self.scan(lexer::identifier) {
            self.leave();
            return Ok(Rhs::ListRef(id, self.span(start)));
        }
        Err(self.err("expected a list, an identifier, or a field with a valid transformer"))
    }
}

impl ParseError {
    /// 1-based line and column of the error inside `text`.
    pub fn line_col(&self, text: &str) -> (usize, usize) {
        line_col(text, self.offset)
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let upto = &text.as_bytes()[..offset.min(text.len())];
    let line = 1 + upto.iter().filter(|b| **b == b'\n').count();
    let col = 1 + upto.iter().rev().take_while(|b| **b != b'\n').count();
    (line, col)
}
