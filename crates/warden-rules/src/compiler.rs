//! Compiles a parsed (macro-free) condition into an evaluation tree: fields resolved through
//! the field table, literals parsed once into their field's type, regexes and sets built once,
//! and operator/type pairs checked. Every error in a condition is reported, not just the first.

use std::collections::{BTreeSet, HashSet};
use std::net::IpAddr;

use base64::Engine as _;
use regex::Regex;

use crate::ast::{Expr, FieldRef, Modifier, Op, Operand, Rhs, Span, TArg};
use crate::fields::{self, ArgSpec, Ctx, FieldArg, FieldDef};
use crate::hash::FxBuild;
use crate::parser::TRANSFORMERS;
use crate::value::{FieldType, Val, Vals};

/// A problem in a condition, located by byte span in its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong.
    pub message: String,
    /// Where in the condition text.
    pub span: Span,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Node {
    /// All hold.
    And(Vec<Node>),
    /// One holds.
    Or(Vec<Node>),
    /// Negation.
    Not(Box<Node>),
    /// The field has a value.
    Exists(COperand),
    /// A comparison.
    Check(Box<Check>),
}

/// A compiled field expression.
#[derive(Debug, Clone)]
pub enum COperand {
    /// A field with its decoded argument.
    Field(FieldDef, FieldArg),
    /// A one-input transformer.
    Unary(Tx, Box<COperand>),
    /// `join(sep, (items))`.
    Join(String, Vec<Item>),
    /// `concat(items)`.
    Concat(Vec<Item>),
    /// `getopt(args, optstring)[opt]`.
    Getopt(Box<Item>, String, String),
}

/// An item of `join`/`concat`/`getopt`.
#[derive(Debug, Clone)]
pub enum Item {
    /// A field expression.
    Op(COperand),
    /// A literal string.
    Lit(String),
    /// A literal list.
    List(Vec<String>),
}

/// One-input transformers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tx {
    /// ASCII lowercase.
    ToLower,
    /// ASCII uppercase.
    ToUpper,
    /// Base64 decode.
    B64,
    /// Last path component.
    Basename,
    /// Length in bytes (or number of values).
    Len,
}

/// A comparison.
#[derive(Debug, Clone)]
pub struct Check {
    /// Left side.
    pub lhs: COperand,
    /// Operator.
    pub op: Op,
    /// `oneof`/`anyof`/`allof`.
    pub modifier: Option<Modifier>,
    /// Right side.
    pub rhs: CRhs,
}

/// A compiled right side.
#[derive(Debug, Clone)]
pub enum CRhs {
    /// One literal.
    One(Lit),
    /// A list; `set` holds the text values for a hash lookup when the list is large.
    List(Vec<Lit>, Option<HashSet<Vec<u8>, FxBuild>>),
    /// A field read at evaluation time (`val()` or a transformer).
    Operand(COperand),
}

/// A literal parsed into its field's type.
#[derive(Debug, Clone)]
pub enum Lit {
    /// Text or bytes.
    Bytes(Vec<u8>),
    /// Text lowercased for `icontains`/`iglob`.
    Lower(Vec<u8>),
    /// Number.
    Num(i64),
    /// Boolean.
    Bool(bool),
    /// Address.
    Ip(IpAddr),
    /// Network and prefix length.
    Net(IpAddr, u8),
    /// Anchored regex.
    Regex(Regex),
}

/// Compiles `expr` (macros and lists already expanded). Returns the tree and warnings, or all
/// errors found.
pub fn compile(
    expr: &Expr,
    extra: &[FieldDef],
) -> Result<(Node, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut c = Compiler {
        extra,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let node = c.expr(expr);
    if c.errors.is_empty() {
        Ok((node, c.warnings))
    } else {
        Err(c.errors)
    }
}

/// Compiles one field expression (an output template token).
pub fn compile_operand(
    o: &Operand,
    extra: &[FieldDef],
) -> Result<(COperand, FieldType), Vec<Diagnostic>> {
    let mut c = Compiler {
        extra,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    match c.operand(o, Span::default(), false) {
        Some(x) if c.errors.is_empty() => Ok(x),
        _ => Err(c.errors),
    }
}

struct Compiler<'x> {
    extra: &'x [FieldDef],
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

fn op_allowed(ty: FieldType, op: Op) -> bool {
    use Op::*;
    match ty {
        FieldType::Str => !matches!(op, BContains | BStartsWith),
        FieldType::Bytes => matches!(
            op,
            Eq | Ne | Contains | StartsWith | EndsWith | BContains | BStartsWith | In | Intersects
        ),
        t if t.is_numeric() => matches!(op, Eq | Ne | Lt | Le | Gt | Ge | In | Intersects),
        _ => matches!(op, Eq | Ne | In | Intersects),
    }
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return i64::from_str_radix(h, 16).ok();
    }
    t.parse::<i64>()
        .ok()
        .or_else(|| t.parse::<u64>().ok().map(|u| u as i64))
}

fn parse_hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() % 2 != 0 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn parse_net(s: &str) -> Option<(IpAddr, u8)> {
    match s.split_once('/') {
        Some((a, n)) => {
            let ip: IpAddr = a.parse().ok()?;
            let n: u8 = n.parse().ok()?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            (n <= max).then_some((ip, n))
        }
        None => {
            let ip: IpAddr = s.parse().ok()?;
            Some((ip, if ip.is_ipv4() { 32 } else { 128 }))
        }
    }
}

/// Regexes that are a plain literal with optional anchors or wildcards at the ends; a simpler
/// operator does the same job faster.
fn regex_is_trivial(p: &str) -> bool {
    let mut s = p;
    for pre in ["^", ".*", ".+", ".?"] {
        if let Some(r) = s.strip_prefix(pre) {
            s = r;
            break;
        }
    }
    for suf in ["$", ".*", ".+", ".?"] {
        if let Some(r) = s.strip_suffix(suf) {
            s = r;
            break;
        }
    }
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Compiler<'_> {
    fn err(&mut self, span: Span, m: impl Into<String>) {
        self.errors.push(Diagnostic {
            message: m.into(),
            span,
        });
    }

    fn expr(&mut self, e: &Expr) -> Node {
        match e {
            // Macros nest and/or groups deeply; flattening them keeps the tree walk short
            // without changing the result or the evaluation order.
            Expr::And(k, _) => {
                let mut v = Vec::with_capacity(k.len());
                for x in k {
                    match self.expr(x) {
                        Node::And(inner) => v.extend(inner),
                        n => v.push(n),
                    }
                }
                if v.len() == 1 {
                    v.remove(0)
                } else {
                    Node::And(v)
                }
            }
            Expr::Or(k, _) => {
                let mut v = Vec::with_capacity(k.len());
                for x in k {
                    match self.expr(x) {
                        Node::Or(inner) if !inner.is_empty() => v.extend(inner),
                        n => v.push(n),
                    }
                }
                if v.len() == 1 {
                    v.remove(0)
                } else {
                    Node::Or(v)
                }
            }
            Expr::Not(k, _) => match self.expr(k) {
                Node::Not(inner) => *inner,
                n => Node::Not(Box::new(n)),
            },
            Expr::Ident(name, span) => {
                self.err(*span, format!("undefined macro '{name}' used in filter"));
                Node::And(Vec::new())
            }
            Expr::Exists(o, span) => match self.operand(o, *span, false) {
                Some((c, _)) => Node::Exists(c),
                None => Node::And(Vec::new()),
            },
            Expr::Binary(b) => {
                let Some((lhs, ty)) = self.operand(&b.lhs, b.span, false) else {
                    return Node::And(Vec::new());
                };
                if !op_allowed(ty, b.op) {
                    self.err(
                        b.span,
                        format!(
                            "operator '{}' is not supported by '{}' of type {}",
                            b.op.as_str(),
                            b.lhs,
                            ty.name()
                        ),
                    );
                    return Node::And(Vec::new());
                }
                let rhs = match &b.rhs {
                    Rhs::Value(v, sp) => {
                        if b.op.is_list() {
                            self.list(std::slice::from_ref(v), ty, b.op, *sp)
                        } else {
                            self.value_warnings(v, b.op, *sp);
                            self.lit(v, ty, b.op, *sp).map(CRhs::One)
                        }
                    }
                    Rhs::List(vs, sp) => self.list(vs, ty, b.op, *sp),
                    Rhs::ListRef(n, sp) => self.list(std::slice::from_ref(n), ty, b.op, *sp),
                    Rhs::Operand(o) => {
                        if b.op == Op::Regex {
                            self.err(b.span, "operator 'regex' does not support field comparison");
                            None
                        } else {
                            match self.operand(o, b.span, true) {
                                Some((c, rty)) => {
                                    let compatible = rty == ty
                                        || (rty.is_numeric() && ty.is_numeric())
                                        || (matches!(rty, FieldType::Str | FieldType::Bytes)
                                            && matches!(ty, FieldType::Str | FieldType::Bytes))
                                        || (matches!(rty, FieldType::Ip | FieldType::Net)
                                            && matches!(ty, FieldType::Ip | FieldType::Net));
                                    if compatible {
                                        Some(CRhs::Operand(c))
                                    } else {
                                        self.err(
                                            b.span,
                                            format!(
                                                "cannot compare '{}' of type {} with '{}' of type {}",
                                                b.lhs,
                                                ty.name(),
                                                o,
                                                rty.name()
                                            ),
                                        );
                                        None
                                    }
                                }
                                None => None,
                            }
                        }
                    }
                };
                match rhs {
                    Some(rhs) => Node::Check(Box::new(Check {
                        lhs,
                        op: b.op,
                        modifier: b.modifier,
                        rhs,
                    })),
                    None => Node::And(Vec::new()),
                }
            }
        }
    }

    fn value_warnings(&mut self, v: &str, op: Op, span: Span) {
        let mut inner = v;
        while let Some(open) = inner.find('(') {
            let name = &inner[..open];
            if (name == "val" || TRANSFORMERS.contains(&name)) && inner.ends_with(')') {
                inner = &inner[open + 1..inner.len() - 1];
            } else {
                break;
            }
        }
        if fields::lookup(inner.trim(), self.extra).is_some() {
            self.warnings.push(Diagnostic {
                message: format!("'{v}' may be a valid field misused as a const string value; use val() to compare with a field"),
                span,
            });
        } else if op == Op::Regex && regex_is_trivial(v) {
            self.warnings.push(Diagnostic {
                message: format!(
                    "regex '{v}' is a plain string: use '=', 'startswith', 'endswith' or \
                     'contains' instead, they are faster"
                ),
                span,
            });
        }
    }

    fn list(&mut self, vs: &[String], ty: FieldType, op: Op, span: Span) -> Option<CRhs> {
        let elem_op = if op.is_list() && op != Op::PMatch {
            Op::Eq
        } else {
            op
        };
        let mut lits = Vec::with_capacity(vs.len());
        let mut ok = true;
        for v in vs {
            if op == Op::PMatch {
                if v.contains('\0') {
                    self.err(span, "filter values cannot contain NUL bytes");
                    ok = false;
                }
                lits.push(Lit::Bytes(v.as_bytes().to_vec()));
                continue;
            }
            match self.lit(v, ty, elem_op, span) {
                Some(l) => lits.push(l),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let set = (elem_op == Op::Eq
            && matches!(ty, FieldType::Str | FieldType::Bytes)
            && lits.len() > 4)
            .then(|| {
                lits.iter()
                    .filter_map(|l| match l {
                        Lit::Bytes(b) => Some(b.clone()),
                        _ => None,
                    })
                    .collect()
            });
        Some(CRhs::List(lits, set))
    }

    fn lit(&mut self, v: &str, ty: FieldType, op: Op, span: Span) -> Option<Lit> {
        let bad = |c: &mut Self, what: &str| {
            c.err(span, format!("'{v}' is not a valid {what} value"));
            None
        };
        match ty {
            FieldType::Str => {
                if v.contains('\0') {
                    self.err(
                        span,
                        "filter values cannot contain NUL bytes for string fields",
                    );
                    return None;
                }
                match op {
                    Op::Regex => match Regex::new(&format!("^(?:{v})$")) {
                        Ok(r) => Some(Lit::Regex(r)),
                        Err(e) => {
                            self.err(span, format!("invalid regex '{v}': {e}"));
                            None
                        }
                    },
                    Op::IContains | Op::IGlob => {
                        Some(Lit::Lower(v.to_ascii_lowercase().into_bytes()))
                    }
                    _ => Some(Lit::Bytes(v.as_bytes().to_vec())),
                }
            }
            FieldType::Bytes => match op {
                Op::BContains | Op::BStartsWith => match parse_hex(v) {
                    Some(b) => Some(Lit::Bytes(b)),
                    None => bad(self, "hex bytes"),
                },
                _ => Some(Lit::Bytes(v.as_bytes().to_vec())),
            },
            FieldType::Bool => match v {
                "true" => Some(Lit::Bool(true)),
                "false" => Some(Lit::Bool(false)),
                _ => bad(self, "boolean"),
            },
            FieldType::Ip => match v.parse::<IpAddr>() {
                Ok(ip) => Some(Lit::Ip(ip)),
                Err(_) => bad(self, "IP address"),
            },
            FieldType::Net => match parse_net(v) {
                Some((ip, n)) => Some(Lit::Net(ip, n)),
                None => bad(self, "IP network"),
            },
            _ => match parse_int(v) {
                Some(n) => Some(Lit::Num(n)),
                None => bad(self, "integer"),
            },
        }
    }

    fn field(&mut self, f: &FieldRef, span: Span) -> Option<(COperand, FieldType)> {
        let Some((def, implied)) = fields::lookup(&f.name, self.extra) else {
            self.err(
                span,
                format!("filter_check called with nonexistent field {}", f.name),
            );
            return None;
        };
        let raw = match (&implied, &f.arg) {
            (Some(_), Some(_)) => {
                self.err(
                    span,
                    format!("field '{}' does not accept an argument", f.name),
                );
                return None;
            }
            (Some(k), None) => Some(k.clone()),
            (None, a) => a.clone(),
        };
        let arg = match (def.arg, raw) {
            (ArgSpec::None, Some(_)) => {
                self.err(
                    span,
                    format!("field '{}' does not accept an argument", f.name),
                );
                return None;
            }
            (ArgSpec::Required, None) => {
                self.err(span, format!("field '{}' requires an argument", f.name));
                return None;
            }
            (_, None) => FieldArg::None,
            (_, Some(a)) if a.is_empty() => {
                self.err(span, format!("field '{}' has an empty argument", f.name));
                return None;
            }
            (_, Some(a)) => match a.parse::<usize>() {
                Ok(i) if implied.is_none() => FieldArg::Index(i),
                _ => FieldArg::Key(a),
            },
        };
        Some((COperand::Field(def, arg), def.ty))
    }

    fn item(&mut self, a: &TArg, span: Span) -> Option<Item> {
        match a {
            TArg::Operand(o) => self.operand(o, span, false).map(|(c, _)| Item::Op(c)),
            TArg::Str(s) | TArg::Num(s) => Some(Item::Lit(s.clone())),
            TArg::List(l) => {
                let mut out = Vec::new();
                for x in l {
                    match x {
                        TArg::Str(s) | TArg::Num(s) => out.push(s.clone()),
                        _ => {
                            self.err(span, "list arguments may hold only strings here");
                            return None;
                        }
                    }
                }
                Some(Item::List(out))
            }
        }
    }

    fn operand(&mut self, o: &Operand, span: Span, rhs: bool) -> Option<(COperand, FieldType)> {
        let t = match o {
            Operand::Field(f) => return self.field(f, span),
            Operand::Transform(t) => t,
        };
        if t.name == "val" && !rhs {
            self.err(
                span,
                "'val' may only appear on the right side of a comparison",
            );
            return None;
        }
        if t.arg.is_some() && t.name != "getopt" {
            self.err(
                span,
                format!(
                    "filter error: transformer '{}' does not support field arguments",
                    t.name
                ),
            );
            return None;
        }
        match t.name.as_str() {
            "val" => match t.args.as_slice() {
                [TArg::Operand(Operand::Field(f))] => self.field(f, span),
                _ => {
                    self.err(span, "'val' takes exactly one field");
                    None
                }
            },
            "join" => {
                let [TArg::Str(sep), TArg::List(items)] = t.args.as_slice() else {
                    self.err(
                        span,
                        "'join' takes a quoted separator and a list of fields or strings",
                    );
                    return None;
                };
                let mut out = Vec::new();
                for it in items {
                    match it {
                        TArg::Operand(_) | TArg::Str(_) => out.push(self.item(it, span)?),
                        _ => {
                            self.err(span, "'join' list items must be fields or quoted strings");
                            return None;
                        }
                    }
                }
                Some((COperand::Join(sep.clone(), out), FieldType::Str))
            }
            "concat" => {
                if t.args.len() < 2 {
                    self.err(span, "'concat' takes at least two arguments");
                    return None;
                }
                let mut out = Vec::new();
                for a in &t.args {
                    match a {
                        TArg::Operand(_) | TArg::Str(_) | TArg::Num(_) => {
                            out.push(self.item(a, span)?)
                        }
                        TArg::List(_) => {
                            self.err(span, "'concat' does not take lists");
                            return None;
                        }
                    }
                }
                Some((COperand::Concat(out), FieldType::Str))
            }
            "getopt" => {
                let [first, TArg::Str(opts)] = t.args.as_slice() else {
                    self.err(
                        span,
                        "'getopt' takes an argument list and a quoted option string",
                    );
                    return None;
                };
                if matches!(first, TArg::Str(_) | TArg::Num(_)) {
                    self.err(
                        span,
                        "'getopt' needs a list or a list field as first argument",
                    );
                    return None;
                }
                let key = match &t.arg {
                    Some(k) if !k.is_empty() => k.clone(),
                    _ => {
                        self.err(span, "'getopt' needs a non-empty [option] argument");
                        return None;
                    }
                };
                let first = self.item(first, span)?;
                Some((
                    COperand::Getopt(Box::new(first), opts.clone(), key),
                    FieldType::Str,
                ))
            }
            name => {
                let tx = match name {
                    "tolower" => Tx::ToLower,
                    "toupper" => Tx::ToUpper,
                    "b64" => Tx::B64,
                    "basename" => Tx::Basename,
                    "len" => Tx::Len,
                    other => {
                        self.err(span, format!("unknown transformer '{other}'"));
                        return None;
                    }
                };
                let [TArg::Operand(inner)] = t.args.as_slice() else {
                    self.err(span, format!("'{name}' takes one field"));
                    return None;
                };
                let (c, ity) = self.operand(inner, span, false)?;
                if !matches!(ity, FieldType::Str | FieldType::Bytes) {
                    self.err(
                        span,
                        format!(
                            "transformer '{name}' is not supported on field type {}",
                            ity.name()
                        ),
                    );
                    return None;
                }
                let out = if tx == Tx::Len { FieldType::Uint } else { ity };
                Some((COperand::Unary(tx, Box::new(c)), out))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

fn getopt_value(args: &[String], opts: &str, key: &str) -> Option<String> {
    let ob = opts.as_bytes();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_bytes();
        i += 1;
        if a == b"--" {
            break;
        }
        if a.len() < 2 || a[0] != b'-' || a[1] == b'-' {
            continue;
        }
        let mut j = 1;
        while j < a.len() {
            let c = a[j];
            let pos = ob.iter().position(|x| *x == c && c != b':');
            let takes = pos.is_some_and(|p| ob.get(p + 1) == Some(&b':'));
            if takes {
                let v = if j + 1 < a.len() {
                    String::from_utf8_lossy(&a[j + 1..]).into_owned()
                } else if i < args.len() {
                    i += 1;
                    args[i - 1].clone()
                } else {
                    String::new()
                };
                if key.as_bytes() == [c] {
                    return Some(v);
                }
                break;
            }
            if pos.is_some() && key.as_bytes() == [c] {
                return Some(String::new());
            }
            j += 1;
        }
    }
    None
}

fn item_strings<'a>(it: &'a Item, c: &Ctx<'a>) -> Vec<String> {
    match it {
        Item::Lit(s) => vec![s.clone()],
        Item::List(l) => l.clone(),
        Item::Op(o) => o.extract(c).iter().map(Val::render).collect(),
    }
}

impl COperand {
    /// Extracts the value(s) for an event.
    pub fn extract<'a>(&'a self, c: &Ctx<'a>) -> Vals<'a> {
        match self {
            COperand::Field(def, arg) => (def.extract)(c, arg),
            COperand::Unary(tx, inner) => {
                let v = inner.extract(c);
                if *tx == Tx::Len {
                    return match v {
                        Vals::None => Vals::None,
                        Vals::One(x) => Vals::n(x.as_bytes().map_or(0, <[u8]>::len) as i64),
                        Vals::Many(m) => Vals::n(m.len() as i64),
                    };
                }
                let f = |x: Val<'a>| -> Option<Val<'a>> {
                    let b = x.as_bytes()?;
                    Some(match tx {
                        Tx::ToLower => Val::Str(
                            String::from_utf8_lossy(&b.to_ascii_lowercase())
                                .into_owned()
                                .into(),
                        ),
                        Tx::ToUpper => Val::Str(
                            String::from_utf8_lossy(&b.to_ascii_uppercase())
                                .into_owned()
                                .into(),
                        ),
                        Tx::B64 => {
                            let d = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
                            Val::Str(String::from_utf8_lossy(&d).into_owned().into())
                        }
                        Tx::Basename => {
                            let s = String::from_utf8_lossy(b);
                            Val::Str(fields::basename(&s).to_string().into())
                        }
                        Tx::Len => Val::Num(b.len() as i64),
                    })
                };
                match v {
                    Vals::None => Vals::None,
                    Vals::One(x) => f(x).map_or(Vals::None, Vals::One),
                    Vals::Many(m) => Vals::Many(m.into_iter().filter_map(f).collect()),
                }
            }
            COperand::Join(sep, items) => {
                let parts: Vec<String> = items.iter().flat_map(|i| item_strings(i, c)).collect();
                Vals::owned(parts.join(sep))
            }
            COperand::Concat(items) => Vals::owned(
                items
                    .iter()
                    .flat_map(|i| item_strings(i, c))
                    .collect::<String>(),
            ),
            COperand::Getopt(first, opts, key) => {
                let args: Vec<String> = match &**first {
                    Item::Op(COperand::Field(def, FieldArg::None)) if def.name == "proc.args" => {
                        c.ev.proc.args.iter().map(|a| a.to_string()).collect()
                    }
                    other => item_strings(other, c)
                        .iter()
                        .flat_map(|s| s.split(' ').map(str::to_string).collect::<Vec<_>>())
                        .collect(),
                };
                getopt_value(&args, opts, key).map_or(Vals::None, Vals::owned)
            }
        }
    }
}

pub(crate) fn glob(p: &[u8], s: &[u8]) -> bool {
    // Iterative wildcard match with single-star backtracking: linear in practice and never
    // recursive, so hostile patterns cannot blow the stack.
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (usize::MAX, 0);
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star = pi;
                    mark = si;
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, len)) = class(&p[pi..], s[si]) {
                        if matched {
                            pi += len;
                            si += 1;
                            continue;
                        }
                    } else if s[si] == b'[' {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                c if c == s[si] => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
        }
        if star != usize::MAX {
            pi = star + 1;
            mark += 1;
            si = mark;
            continue;
        }
        return false;
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

fn class(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let neg = matches!(p.get(1), Some(b'!' | b'^'));
    if neg {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == b']' && !first {
            return Some((hit != neg, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            if p[i] <= c && c <= p[i + 2] {
                hit = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                hit = true;
            }
            i += 1;
        }
    }
    None
}

/// Byte equality without a libc `memcmp` call for short values: most comparisons are a
/// process name or a short path against a literal, where the call costs more than the work.
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 32 {
        return a == b;
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

#[inline]
pub(crate) fn starts_with(h: &[u8], p: &[u8]) -> bool {
    h.len() >= p.len() && bytes_eq(&h[..p.len()], p)
}

#[inline]
pub(crate) fn ends_with(h: &[u8], p: &[u8]) -> bool {
    h.len() >= p.len() && bytes_eq(&h[h.len() - p.len()..], p)
}

pub(crate) fn contains(h: &[u8], n: &[u8]) -> bool {
    let Some(&first) = n.first() else {
        return true;
    };
    if h.len() < n.len() {
        return false;
    }
    // Fields are mostly short paths and names: building a memmem searcher costs more than a
    // scan for the first byte. Long haystacks (command lines, buffers) get the SIMD searcher.
    if h.len() > 64 {
        return memchr::memmem::find(h, n).is_some();
    }
    (0..=h.len() - n.len()).any(|i| h[i] == first && bytes_eq(&h[i..i + n.len()], n))
}

/// `contains` on the ASCII-lowercased haystack, without building it; `n` is already lowercase.
pub(crate) fn icontains(h: &[u8], n: &[u8]) -> bool {
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

fn in_net(ip: &IpAddr, net: &IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let m = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits))
            };
            u32::from(*a) & m == u32::from(*b) & m
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let m = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits))
            };
            u128::from(*a) & m == u128::from(*b) & m
        }
        _ => false,
    }
}

pub(crate) fn pmatch(v: &[u8], prefix: &[u8]) -> bool {
    let p = prefix.strip_suffix(b"/").unwrap_or(prefix);
    if p.is_empty() {
        return v.first() == Some(&b'/');
    }
    starts_with(v, p) && (v.len() == p.len() || v[p.len()] == b'/')
}

fn test(op: Op, v: &Val<'_>, lit: &Lit) -> bool {
    match (v, lit) {
        (_, Lit::Regex(r)) => v
            .as_bytes()
            .is_some_and(|b| std::str::from_utf8(b).is_ok_and(|s| r.is_match(s))),
        (Val::Str(_) | Val::Bytes(_), Lit::Bytes(l) | Lit::Lower(l)) => {
            let b = v.as_bytes().unwrap_or_default();
            match op {
                Op::Eq | Op::In | Op::Intersects => bytes_eq(b, l),
                Op::Ne => !bytes_eq(b, l),
                Op::Contains | Op::BContains => contains(b, l),
                Op::IContains => icontains(b, l),
                Op::StartsWith | Op::BStartsWith => starts_with(b, l),
                Op::EndsWith => ends_with(b, l),
                Op::Glob => glob(l, b),
                Op::IGlob => glob(l, &b.to_ascii_lowercase()),
                Op::PMatch => pmatch(b, l),
                Op::Lt => b < l.as_slice(),
                Op::Le => b <= l.as_slice(),
                Op::Gt => b > l.as_slice(),
                Op::Ge => b >= l.as_slice(),
                Op::Regex => false,
            }
        }
        (Val::Num(a), Lit::Num(b)) => match op {
            Op::Eq | Op::In | Op::Intersects => a == b,
            Op::Ne => a != b,
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            _ => false,
        },
        (Val::Bool(a), Lit::Bool(b)) => match op {
            Op::Ne => a != b,
            _ => a == b,
        },
        (Val::Ip(a), Lit::Ip(b)) => match op {
            Op::Ne => a != b,
            _ => a == b,
        },
        (Val::Ip(a), Lit::Net(n, bits)) => match op {
            Op::Ne => !in_net(a, n, *bits),
            _ => in_net(a, n, *bits),
        },
        _ => false,
    }
}

fn val_to_lit(v: &Val<'_>) -> Lit {
    match v {
        Val::Str(s) => Lit::Bytes(s.as_bytes().to_vec()),
        Val::Bytes(b) => Lit::Bytes(b.to_vec()),
        Val::Num(n) => Lit::Num(*n),
        Val::Bool(b) => Lit::Bool(*b),
        Val::Ip(i) => Lit::Ip(*i),
    }
}

impl Check {
    fn eval(&self, c: &Ctx<'_>) -> bool {
        let vals = self.lhs.extract(c);
        if !vals.exists() {
            return false;
        }
        match &self.rhs {
            CRhs::One(l) => vals.iter().any(|v| test(self.op, v, l)),
            CRhs::List(lits, set) => match self.modifier {
                Some(m) => {
                    let n = lits
                        .iter()
                        .filter(|l| vals.iter().any(|v| test(self.op, v, l)))
                        .count();
                    match m {
                        Modifier::OneOf => n == 1,
                        Modifier::AnyOf => n >= 1,
                        Modifier::AllOf => !lits.is_empty() && n == lits.len(),
                    }
                }
                None => {
                    if let Some(set) = set {
                        return vals
                            .iter()
                            .any(|v| v.as_bytes().is_some_and(|b| set.contains(b)));
                    }
                    vals.iter()
                        .any(|v| lits.iter().any(|l| test(self.op, v, l)))
                }
            },
            CRhs::Operand(o) => {
                let rv = o.extract(c);
                let lits: Vec<Lit> = rv.iter().map(val_to_lit).collect();
                !lits.is_empty()
                    && vals
                        .iter()
                        .any(|v| lits.iter().any(|l| test(self.op, v, l)))
            }
        }
    }
}

impl Node {
    /// Evaluates the condition on an event.
    pub fn eval(&self, c: &Ctx<'_>) -> bool {
        match self {
            Node::And(k) => k.iter().all(|n| n.eval(c)),
            Node::Or(k) => k.iter().any(|n| n.eval(c)),
            Node::Not(k) => !k.eval(c),
            Node::Exists(o) => o.extract(c).exists(),
            Node::Check(ch) => ch.eval(c),
        }
    }

    /// Simplifies the condition for events of type `t`: `evt.type` checks become constants and
    /// the and/or around them fold. `Err(b)` means the whole condition is the constant `b`.
    /// The engine keeps one specialised copy per event-type bucket, so a rule never re-checks
    /// the type its bucket already guarantees. A comparison with an empty list folds to false.
    pub fn specialize(&self, t: &str) -> Result<Node, bool> {
        match self {
            Node::And(k) | Node::Or(k) => {
                let is_and = matches!(self, Node::And(_));
                let mut v = Vec::with_capacity(k.len());
                for n in k {
                    match n.specialize(t) {
                        // Folding can leave an `and` directly under an `and`: flatten it, which
                        // keeps the evaluation order.
                        Ok(Node::And(inner)) if is_and => v.extend(inner),
                        Ok(Node::Or(inner)) if !is_and && !inner.is_empty() => v.extend(inner),
                        Ok(x) => v.push(x),
                        Err(b) if b != is_and => return Err(b),
                        Err(_) => {}
                    }
                }
                match v.len() {
                    0 => Err(is_and),
                    1 => Ok(v.remove(0)),
                    _ => Ok(if is_and { Node::And(v) } else { Node::Or(v) }),
                }
            }
            Node::Not(k) => match k.specialize(t) {
                Ok(x) => Ok(Node::Not(Box::new(x))),
                Err(b) => Err(!b),
            },
            // A comparison with an empty list holds for no value, whatever the operator and
            // modifier (Falco's `x in ()` of an empty user list), so it is the constant false.
            Node::Check(ch) if matches!(&ch.rhs, CRhs::List(l, _) if l.is_empty()) => Err(false),
            Node::Check(ch) => {
                let COperand::Field(def, FieldArg::None) = &ch.lhs else {
                    return Ok(self.clone());
                };
                if def.name != "evt.type" || ch.modifier.is_some() {
                    return Ok(self.clone());
                }
                let is = |l: &Lit| matches!(l, Lit::Bytes(b) if b.as_slice() == t.as_bytes());
                match (&ch.op, &ch.rhs) {
                    (Op::Eq, CRhs::One(l)) => Err(is(l)),
                    (Op::Ne, CRhs::One(l)) => Err(!is(l)),
                    (Op::In | Op::Intersects, CRhs::List(l, _)) => Err(l.iter().any(is)),
                    _ => Ok(self.clone()),
                }
            }
            Node::Exists(_) => Ok(self.clone()),
        }
    }

    /// The event types this condition can match, or `None` when it may match any.
    pub fn event_types(&self) -> Option<BTreeSet<String>> {
        match self {
            Node::And(k) => {
                let mut acc: Option<BTreeSet<String>> = None;
                for n in k {
                    if let Some(s) = n.event_types() {
                        acc = Some(match acc {
                            None => s,
                            Some(a) => a.intersection(&s).cloned().collect(),
                        });
                    }
                }
                acc
            }
            Node::Or(k) => {
                let mut acc = BTreeSet::new();
                for n in k {
                    acc.extend(n.event_types()?);
                }
                Some(acc)
            }
            Node::Not(_) | Node::Exists(_) => None,
            Node::Check(ch) => {
                let COperand::Field(def, FieldArg::None) = &ch.lhs else {
                    return None;
                };
                // `evt.num = 0` is Falco's never_true idiom: no event has number 0.
                if def.name == "evt.num"
                    && ch.op == Op::Eq
                    && matches!(ch.rhs, CRhs::One(Lit::Num(0)))
                {
                    return Some(BTreeSet::new());
                }
                if def.name != "evt.type" || ch.modifier.is_some() {
                    return None;
                }
                let lits: Vec<&Lit> = match (&ch.op, &ch.rhs) {
                    (Op::Eq, CRhs::One(l)) => vec![l],
                    (Op::In | Op::Intersects, CRhs::List(l, _)) => l.iter().collect(),
                    _ => return None,
                };
                Some(
                    lits.into_iter()
                        .filter_map(|l| match l {
                            Lit::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
                            _ => None,
                        })
                        .collect(),
                )
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Canonical text. Two leaves print the same only when they test the same thing, so the engine
// uses this text to find a check that several rules share and evaluate it once per event.

use std::fmt;

impl fmt::Display for Lit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lit::Bytes(b) => write!(f, "\"{}\"", b.escape_ascii()),
            Lit::Lower(b) => write!(f, "lower\"{}\"", b.escape_ascii()),
            Lit::Num(n) => write!(f, "{n}"),
            Lit::Bool(b) => write!(f, "{b}"),
            Lit::Ip(i) => write!(f, "ip:{i}"),
            Lit::Net(i, n) => write!(f, "net:{i}/{n}"),
            Lit::Regex(r) => write!(f, "re\"{}\"", r.as_str().escape_default()),
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Op(o) => write!(f, "{o}"),
            Item::Lit(s) => write!(f, "{s:?}"),
            Item::List(l) => write!(f, "{l:?}"),
        }
    }
}

fn items(f: &mut fmt::Formatter<'_>, v: &[Item]) -> fmt::Result {
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{x}")?;
    }
    Ok(())
}

impl fmt::Display for COperand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            COperand::Field(d, FieldArg::None) => f.write_str(d.name),
            COperand::Field(d, FieldArg::Index(i)) => write!(f, "{}[{i}]", d.name),
            // Quoted so that `evt.arg.2` (a key) and `evt.arg[2]` (an index) differ.
            COperand::Field(d, FieldArg::Key(k)) => write!(f, "{}[{k:?}]", d.name),
            COperand::Unary(tx, inner) => write!(f, "{tx:?}({inner})"),
            COperand::Join(sep, v) => {
                write!(f, "join({sep:?}, (")?;
                items(f, v)?;
                f.write_str("))")
            }
            COperand::Concat(v) => {
                f.write_str("concat(")?;
                items(f, v)?;
                f.write_str(")")
            }
            COperand::Getopt(first, opts, key) => {
                write!(f, "getopt({first}, {opts:?})[{key:?}]")
            }
        }
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::And(k) | Node::Or(k) => {
                let sep = if matches!(self, Node::And(_)) {
                    " and "
                } else {
                    " or "
                };
                f.write_str("(")?;
                for (i, n) in k.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    write!(f, "{n}")?;
                }
                f.write_str(")")
            }
            Node::Not(k) => write!(f, "not {k}"),
            Node::Exists(o) => write!(f, "{o} exists"),
            Node::Check(c) => {
                write!(f, "{} {}", c.lhs, c.op.as_str())?;
                if let Some(m) = c.modifier {
                    write!(f, " {}", m.as_str())?;
                }
                match &c.rhs {
                    CRhs::One(l) => write!(f, " {l}"),
                    CRhs::List(l, _) => {
                        f.write_str(" (")?;
                        for (i, x) in l.iter().enumerate() {
                            if i > 0 {
                                f.write_str(", ")?;
                            }
                            write!(f, "{x}")?;
                        }
                        f.write_str(")")
                    }
                    CRhs::Operand(o) => write!(f, " val({o})"),
                }
            }
        }
    }
}
