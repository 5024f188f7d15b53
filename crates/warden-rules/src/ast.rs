//! The syntax tree of a condition, with byte spans into the condition text.

use std::fmt;

/// A byte range in the condition text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// A boolean expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// All children hold.
    And(Vec<Expr>, Span),
    /// One child holds.
    Or(Vec<Expr>, Span),
    /// The child does not hold.
    Not(Box<Expr>, Span),
    /// A bare identifier: a macro reference.
    Ident(String, Span),
    /// `lhs exists`.
    Exists(Operand, Span),
    /// `lhs op rhs`.
    Binary(Box<Binary>),
}

/// A binary check.
#[derive(Debug, Clone, PartialEq)]
pub struct Binary {
    /// Left side.
    pub lhs: Operand,
    /// Operator.
    pub op: Op,
    /// `oneof`/`anyof`/`allof` modifier.
    pub modifier: Option<Modifier>,
    /// Right side.
    pub rhs: Rhs,
    /// Whole check.
    pub span: Span,
}

/// A field, possibly under transformers.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A plain field.
    Field(FieldRef),
    /// A transformer call.
    Transform(Box<Transform>),
}

/// A field reference `name[arg]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRef {
    /// Field name.
    pub name: String,
    /// Field argument.
    pub arg: Option<String>,
    /// Where.
    pub span: Span,
}

/// A transformer call `name(args)[arg]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Transform {
    /// Transformer name (`tolower`, `val`, `join`...).
    pub name: String,
    /// Arguments.
    pub args: Vec<TArg>,
    /// Trailing `[arg]`.
    pub arg: Option<String>,
    /// Where.
    pub span: Span,
}

/// A transformer argument.
#[derive(Debug, Clone, PartialEq)]
pub enum TArg {
    /// A field or nested transformer.
    Operand(Operand),
    /// A quoted string.
    Str(String),
    /// A number.
    Num(String),
    /// A parenthesised list of arguments.
    List(Vec<TArg>),
}

/// The right side of a binary check.
#[derive(Debug, Clone, PartialEq)]
pub enum Rhs {
    /// A single value (quoted or bare).
    Value(String, Span),
    /// A literal list `(a, b)`.
    List(Vec<String>, Span),
    /// A list name in list position.
    ListRef(String, Span),
    /// `val(field)` or a transformer.
    Operand(Operand),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=` / `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `contains`
    Contains,
    /// `icontains`
    IContains,
    /// `bcontains`
    BContains,
    /// `startswith`
    StartsWith,
    /// `bstartswith`
    BStartsWith,
    /// `endswith`
    EndsWith,
    /// `glob`
    Glob,
    /// `iglob`
    IGlob,
    /// `regex`
    Regex,
    /// `in`
    In,
    /// `intersects`
    Intersects,
    /// `pmatch`
    PMatch,
}

impl Op {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "contains",
            Op::IContains => "icontains",
            Op::BContains => "bcontains",
            Op::StartsWith => "startswith",
            Op::BStartsWith => "bstartswith",
            Op::EndsWith => "endswith",
            Op::Glob => "glob",
            Op::IGlob => "iglob",
            Op::Regex => "regex",
            Op::In => "in",
            Op::Intersects => "intersects",
            Op::PMatch => "pmatch",
        }
    }

    /// Parses an operator name as it appears in an exception's `comps`.
    pub fn from_name(s: &str) -> Option<Op> {
        Some(match s {
            "=" | "==" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "contains" => Op::Contains,
            "icontains" => Op::IContains,
            "bcontains" => Op::BContains,
            "startswith" => Op::StartsWith,
            "bstartswith" => Op::BStartsWith,
            "endswith" => Op::EndsWith,
            "glob" => Op::Glob,
            "iglob" => Op::IGlob,
            "regex" => Op::Regex,
            "in" => Op::In,
            "intersects" => Op::Intersects,
            "pmatch" => Op::PMatch,
            _ => return None,
        })
    }

    /// Whether the right side is a list.
    pub fn is_list(self) -> bool {
        matches!(self, Op::In | Op::Intersects | Op::PMatch)
    }
}

/// `oneof` / `anyof` / `allof`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    /// Exactly one element satisfies.
    OneOf,
    /// At least one element satisfies.
    AnyOf,
    /// Every element satisfies.
    AllOf,
}

impl Modifier {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            Modifier::OneOf => "oneof",
            Modifier::AnyOf => "anyof",
            Modifier::AllOf => "allof",
        }
    }
}

impl Expr {
    /// The span of the expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::And(_, s) | Expr::Or(_, s) | Expr::Not(_, s) | Expr::Ident(_, s) => *s,
            Expr::Exists(_, s) => *s,
            Expr::Binary(b) => b.span,
        }
    }
}

/// Quotes a value the way libsinsp's `as_string` does: bare when it is a plain token,
/// double-quoted with escapes otherwise.
pub fn quote_value(v: &str) -> String {
    let bare = !v.is_empty()
        && v.bytes().all(|b| {
            !matches!(
                b,
                b'(' | b')' | b'"' | b'\'' | b'=' | b',' | b' ' | b'\t' | b'\n' | b'\r'
            ) && b != 0x0b
                && b != 0x0c
        });
    if bare {
        return v.to_string();
    }
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field(fr) => fr.fmt(f),
            Operand::Transform(t) => {
                write!(f, "{}(", t.name)?;
                for (i, a) in t.args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    a.fmt(f)?;
                }
                f.write_str(")")?;
                if let Some(a) = &t.arg {
                    write!(f, "[{a}]")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(a) = &self.arg {
            write!(f, "[{a}]")?;
        }
        Ok(())
    }
}

impl fmt::Display for TArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TArg::Operand(o) => o.fmt(f),
            TArg::Str(s) => write!(f, "{}", quote_value(s)),
            TArg::Num(n) => f.write_str(n),
            TArg::List(l) => {
                f.write_str("(")?;
                for (i, a) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    a.fmt(f)?;
                }
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for Expr {
    /// Renders like libsinsp's `ast::as_string`: `and`/`or` parenthesised, lists as `(a, b)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::And(c, _) | Expr::Or(c, _) => {
                let sep = if matches!(self, Expr::And(..)) {
                    " and "
                } else {
                    " or "
                };
                f.write_str("(")?;
                for (i, e) in c.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    e.fmt(f)?;
                }
                f.write_str(")")
            }
            Expr::Not(e, _) => write!(f, "not {e}"),
            Expr::Ident(i, _) => f.write_str(i),
            Expr::Exists(o, _) => write!(f, "{o} exists"),
            Expr::Binary(b) => {
                write!(f, "{} {} ", b.lhs, b.op.as_str())?;
                if let Some(m) = b.modifier {
                    write!(f, "{} ", m.as_str())?;
                }
                match &b.rhs {
                    Rhs::Value(v, _) => f.write_str(&quote_value(v)),
                    Rhs::List(l, _) => {
                        f.write_str("(")?;
                        for (i, v) in l.iter().enumerate() {
                            if i > 0 {
                                f.write_str(", ")?;
                            }
                            f.write_str(&quote_value(v))?;
                        }
                        f.write_str(")")
                    }
                    Rhs::ListRef(n, _) => f.write_str(n),
                    Rhs::Operand(o) => o.fmt(f),
                }
            }
        }
    }
}
