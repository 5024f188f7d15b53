//! The engine's leaves: each distinct check compiled once into the cheapest form that decides
//! exactly what [`Node::eval`] decides.
//!
//! Most checks in Falco's rules are a string field against one literal or a list, a number
//! against a literal, or an `evt.is_open_*` flag. For those the operator, the literal's type
//! and the list's shape are resolved here at load time, so evaluating one is a field read and a
//! direct comparison instead of the generic operator/literal dispatch of [`Node::eval`]. Every
//! other shape (regexes, modifiers, field-to-field comparisons, IP checks, transformers...)
//! keeps the generic path.

use std::collections::HashSet;

use crate::ast::Op;
use crate::compiler::{self, COperand, CRhs, Lit, Node};
use crate::fields::{self, Ctx, FieldArg, FieldDef, OPEN_CREATE, OPEN_READ, OPEN_WRITE};
use crate::hash::FxBuild;
use crate::value::{Val, Vals};

/// A compiled check.
#[derive(Debug)]
pub(crate) enum Leaf {
    /// `evt.is_open_read|write|create = true|false`: a test of the bits decoded once per event.
    Open { mask: u8, want: bool },
    /// A text field against text literals.
    Str {
        get: StrGet,
        def: FieldDef,
        arg: FieldArg,
        cmp: StrCmp,
    },
    /// A numeric field against integer literals.
    Num {
        get: NumGet,
        def: FieldDef,
        arg: FieldArg,
        cmp: NumCmp,
    },
    /// A boolean field equal to `want`.
    Bool {
        def: FieldDef,
        arg: FieldArg,
        want: bool,
    },
    /// Anything else, evaluated by the compiled tree.
    Generic(Node),
}

/// The most used single-valued text fields read straight from the event, skipping the
/// extractor call and its `Vals`; each mirrors its extractor in `fields.rs` exactly (the
/// equivalence test compares them with [`Node::eval`]). `Other` calls the extractor.
#[derive(Debug, Clone, Copy)]
pub(crate) enum StrGet {
    ProcName,
    ProcExe,
    ProcExepath,
    ProcPname,
    /// `fd.name` when it is stored on the event; a socket whose name the extractor renders
    /// from the tuple goes through the extractor (see `Leaf::eval`).
    FdName,
    FdTypechar,
    FdDirectory,
    FdFilename,
    ContainerId,
    ContainerRepository,
    Other,
}

/// The same for integer fields.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NumGet {
    FdNum,
    RawRes,
    Tty,
    Vpid,
    Uid,
    Other,
}

fn str_get(name: &str, arg: &FieldArg) -> StrGet {
    if *arg != FieldArg::None {
        return StrGet::Other;
    }
    match name {
        "proc.name" => StrGet::ProcName,
        "proc.exe" => StrGet::ProcExe,
        "proc.exepath" => StrGet::ProcExepath,
        "fd.name" => StrGet::FdName,
        "proc.pname" => StrGet::ProcPname,
        "fd.typechar" => StrGet::FdTypechar,
        "fd.directory" => StrGet::FdDirectory,
        "fd.filename" => StrGet::FdFilename,
        "container.id" => StrGet::ContainerId,
        "container.image.repository" => StrGet::ContainerRepository,
        _ => StrGet::Other,
    }
}

fn num_get(name: &str, arg: &FieldArg) -> NumGet {
    if *arg != FieldArg::None {
        return NumGet::Other;
    }
    match name {
        "fd.num" => NumGet::FdNum,
        "evt.rawres" => NumGet::RawRes,
        "proc.tty" => NumGet::Tty,
        "proc.vpid" => NumGet::Vpid,
        "user.uid" => NumGet::Uid,
        _ => NumGet::Other,
    }
}

/// `container_or` of `fields.rs`: `host` (or nothing) for a host process, nothing when empty.
#[inline]
fn container_str<'a>(
    ev: &'a crate::event::Event,
    host: Option<&'static str>,
    get: fn(&'a crate::event::Container) -> &'a str,
) -> Option<&'a [u8]> {
    match &ev.container {
        Some(ct) => Some(get(ct)).filter(|v| !v.is_empty()).map(str::as_bytes),
        None => host.map(str::as_bytes),
    }
}

impl StrGet {
    /// The value, or `None` when the field has none; only for the variants other than `Other`.
    #[inline]
    fn get(self, ev: &crate::event::Event) -> Option<&[u8]> {
        use crate::event::FdType;
        let p = &ev.proc;
        match self {
            StrGet::ProcName => Some(p.name.as_bytes()),
            StrGet::ProcExe => Some(p.exe.as_bytes()),
            StrGet::ProcExepath => Some(p.exepath.as_bytes()),
            StrGet::FdName => ev.fd.as_ref().map(|f| f.name.as_bytes()),
            StrGet::ProcPname => p.ancestors.first().map(|a| a.name.as_bytes()),
            StrGet::FdTypechar => ev.fd.as_ref().map(|f| f.fd_type.as_char().as_bytes()),
            StrGet::FdDirectory => match &ev.fd {
                Some(f) if f.fd_type == FdType::Directory => Some(f.name.as_bytes()),
                Some(f) if f.fd_type == FdType::File => Some(fields::dirname(&f.name).as_bytes()),
                _ => None,
            },
            StrGet::FdFilename => match &ev.fd {
                Some(f) if f.fd_type == FdType::File => Some(fields::basename(&f.name).as_bytes()),
                _ => None,
            },
            StrGet::ContainerId => container_str(ev, Some("host"), |c| &c.id),
            StrGet::ContainerRepository => container_str(ev, None, |c| &c.image_repository),
            StrGet::Other => None,
        }
    }
}

impl NumGet {
    /// The value; only for the variants other than `Other`.
    #[inline]
    fn get(self, ev: &crate::event::Event) -> Option<i64> {
        let p = &ev.proc;
        match self {
            NumGet::FdNum => ev.fd.as_ref().map(|f| f.num),
            NumGet::RawRes => Some(ev.res),
            NumGet::Tty => Some(i64::from(p.tty)),
            NumGet::Vpid => Some(p.vpid),
            NumGet::Uid => Some(i64::from(p.uid)),
            NumGet::Other => None,
        }
    }
}

/// A text comparison with its literal(s) in their final form.
#[derive(Debug)]
pub(crate) enum StrCmp {
    Eq(Box<[u8]>),
    Ne(Box<[u8]>),
    StartsWith(Box<[u8]>),
    EndsWith(Box<[u8]>),
    Contains(Box<[u8]>),
    /// Needle already lowercase.
    IContains(Box<[u8]>),
    PMatch(Box<[u8]>),
    Glob(Box<[u8]>),
    /// `in`/`intersects` with a list long enough to hash; `lens` has bit `min(len, 63)` set
    /// for each item's length, so most values that are not in the set skip the hash.
    Set {
        lens: u64,
        set: HashSet<Vec<u8>, FxBuild>,
    },
    /// `in`/`intersects` with a short list.
    AnyEq(Box<[Box<[u8]>]>),
    /// `pmatch` with a list.
    AnyPMatch(Box<[Box<[u8]>]>),
}

/// An integer comparison.
#[derive(Debug)]
pub(crate) enum NumCmp {
    Eq(i64),
    Ne(i64),
    Lt(i64),
    Le(i64),
    Gt(i64),
    Ge(i64),
    Any(Box<[i64]>),
}

fn bytes(l: &Lit) -> Option<Box<[u8]>> {
    match l {
        Lit::Bytes(b) => Some(b.clone().into_boxed_slice()),
        _ => None,
    }
}

fn all_bytes(lits: &[Lit]) -> Option<Box<[Box<[u8]>]>> {
    lits.iter().map(bytes).collect()
}

impl Leaf {
    /// Compiles one leaf of a specialised condition (a `Check` or `Exists` node).
    pub(crate) fn new(n: &Node) -> Leaf {
        Leaf::typed(n).unwrap_or_else(|| Leaf::Generic(n.clone()))
    }

    fn typed(n: &Node) -> Option<Leaf> {
        let Node::Check(c) = n else { return None };
        let COperand::Field(def, arg) = &c.lhs else {
            return None;
        };
        if c.modifier.is_some() {
            return None;
        }
        let (def, arg) = (*def, arg.clone());
        if let (Some(mask), FieldArg::None) = (open_mask(def.name), &arg) {
            let CRhs::One(Lit::Bool(b)) = &c.rhs else {
                return None;
            };
            return match c.op {
                Op::Eq => Some(Leaf::Open { mask, want: *b }),
                Op::Ne => Some(Leaf::Open { mask, want: !*b }),
                _ => None,
            };
        }
        match &c.rhs {
            CRhs::One(Lit::Bool(b)) => match c.op {
                Op::Eq => Some(Leaf::Bool { def, arg, want: *b }),
                Op::Ne => Some(Leaf::Bool {
                    def,
                    arg,
                    want: !*b,
                }),
                _ => None,
            },
            CRhs::One(Lit::Num(x)) => {
                let cmp = match c.op {
                    Op::Eq | Op::In | Op::Intersects => NumCmp::Eq(*x),
                    Op::Ne => NumCmp::Ne(*x),
                    Op::Lt => NumCmp::Lt(*x),
                    Op::Le => NumCmp::Le(*x),
                    Op::Gt => NumCmp::Gt(*x),
                    Op::Ge => NumCmp::Ge(*x),
                    _ => return None,
                };
                Some(Leaf::Num {
                    get: num_get(def.name, &arg),
                    def,
                    arg,
                    cmp,
                })
            }
            CRhs::List(lits, _)
                if matches!(c.op, Op::In | Op::Intersects)
                    && !lits.is_empty()
                    && lits.iter().all(|l| matches!(l, Lit::Num(_))) =>
            {
                let v = lits
                    .iter()
                    .filter_map(|l| match l {
                        Lit::Num(n) => Some(*n),
                        _ => None,
                    })
                    .collect();
                Some(Leaf::Num {
                    get: num_get(def.name, &arg),
                    def,
                    arg,
                    cmp: NumCmp::Any(v),
                })
            }
            CRhs::One(Lit::Lower(b)) if c.op == Op::IContains => Some(Leaf::Str {
                get: str_get(def.name, &arg),
                def,
                arg,
                cmp: StrCmp::IContains(b.clone().into_boxed_slice()),
            }),
            CRhs::One(l @ Lit::Bytes(_)) => {
                let b = bytes(l)?;
                let cmp = match c.op {
                    Op::Eq | Op::In | Op::Intersects => StrCmp::Eq(b),
                    Op::Ne => StrCmp::Ne(b),
                    Op::StartsWith | Op::BStartsWith => StrCmp::StartsWith(b),
                    Op::EndsWith => StrCmp::EndsWith(b),
                    Op::Contains | Op::BContains => StrCmp::Contains(b),
                    Op::PMatch => StrCmp::PMatch(b),
                    Op::Glob => StrCmp::Glob(b),
                    _ => return None,
                };
                Some(Leaf::Str {
                    get: str_get(def.name, &arg),
                    def,
                    arg,
                    cmp,
                })
            }
            CRhs::List(lits, set) if !lits.is_empty() => {
                let cmp = match c.op {
                    Op::In | Op::Intersects => match set {
                        Some(s) if lits.iter().all(|l| matches!(l, Lit::Bytes(_))) => StrCmp::Set {
                            lens: s.iter().fold(0, |m, x| m | len_bit(x)),
                            set: s.clone(),
                        },
                        _ => StrCmp::AnyEq(all_bytes(lits)?),
                    },
                    Op::PMatch => StrCmp::AnyPMatch(all_bytes(lits)?),
                    _ => return None,
                };
                Some(Leaf::Str {
                    get: str_get(def.name, &arg),
                    def,
                    arg,
                    cmp,
                })
            }
            _ => None,
        }
    }

    /// Evaluates the leaf on one event.
    #[inline(always)]
    pub(crate) fn eval(&self, c: &Ctx<'_>) -> bool {
        match self {
            Leaf::Open { mask, want } => (c.open_bits & mask != 0) == *want,
            Leaf::Str { get, cmp, .. }
                if !matches!(get, StrGet::Other | StrGet::FdName)
                    || (matches!(get, StrGet::FdName) && fd_name_stored(c.ev)) =>
            {
                get.get(c.ev).is_some_and(|b| cmp.test(b))
            }
            Leaf::Num { get, cmp, .. } if !matches!(get, NumGet::Other) => {
                get.get(c.ev).is_some_and(|n| cmp.test(n))
            }
            Leaf::Str { def, arg, cmp, .. } => match (def.extract)(c, arg) {
                Vals::None => false,
                Vals::One(v) => v.as_bytes().is_some_and(|b| cmp.test(b)),
                Vals::Many(m) => m.iter().any(|v| v.as_bytes().is_some_and(|b| cmp.test(b))),
            },
            Leaf::Num { def, arg, cmp, .. } => match (def.extract)(c, arg) {
                Vals::None => false,
                Vals::One(Val::Num(n)) => cmp.test(n),
                Vals::One(_) => false,
                Vals::Many(m) => m.iter().any(|v| matches!(v, Val::Num(n) if cmp.test(*n))),
            },
            Leaf::Bool { def, arg, want } => (def.extract)(c, arg)
                .iter()
                .any(|v| matches!(v, Val::Bool(b) if b == want)),
            Leaf::Generic(n) => n.eval(c),
        }
    }
}

/// Whether `fd.name` is the stored name (or absent), as opposed to a socket's tuple that
/// `fields::fd_name` renders.
#[inline]
fn fd_name_stored(ev: &crate::event::Event) -> bool {
    ev.fd
        .as_ref()
        .is_none_or(|f| !f.name.is_empty() || !f.fd_type.is_ip())
}

#[inline]
fn len_bit(b: &[u8]) -> u64 {
    1 << b.len().min(63)
}

fn open_mask(name: &str) -> Option<u8> {
    match name {
        "evt.is_open_read" => Some(OPEN_READ),
        "evt.is_open_write" => Some(OPEN_WRITE),
        "evt.is_open_create" => Some(OPEN_CREATE),
        _ => None,
    }
}

impl StrCmp {
    #[inline(always)]
    fn test(&self, b: &[u8]) -> bool {
        match self {
            StrCmp::Eq(l) => compiler::bytes_eq(b, l),
            StrCmp::Ne(l) => !compiler::bytes_eq(b, l),
            StrCmp::StartsWith(l) => compiler::starts_with(b, l),
            StrCmp::EndsWith(l) => compiler::ends_with(b, l),
            StrCmp::Contains(l) => compiler::contains(b, l),
            StrCmp::IContains(l) => compiler::icontains(b, l),
            StrCmp::PMatch(l) => compiler::pmatch(b, l),
            StrCmp::Glob(l) => compiler::glob(l, b),
            StrCmp::Set { lens, set } => lens & len_bit(b) != 0 && set.contains(b),
            StrCmp::AnyEq(ls) => ls.iter().any(|l| compiler::bytes_eq(b, l)),
            StrCmp::AnyPMatch(ls) => ls.iter().any(|l| compiler::pmatch(b, l)),
        }
    }
}

impl NumCmp {
    #[inline]
    fn test(&self, a: i64) -> bool {
        match self {
            NumCmp::Eq(b) => a == *b,
            NumCmp::Ne(b) => a != *b,
            NumCmp::Lt(b) => a < *b,
            NumCmp::Le(b) => a <= *b,
            NumCmp::Gt(b) => a > *b,
            NumCmp::Ge(b) => a >= *b,
            NumCmp::Any(v) => v.contains(&a),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Memory-level parallelism. An event's data lives in its struct plus a few separate heap blocks
// (argument list, ancestors, `proc.args`, and any string longer than the 24 bytes a `Str` holds
// inline, typically paths). Evaluated one check at a time, each
// first touch is a cache miss that the next check's branch waits for, so misses are paid one
// after another. Touching, up front, the first byte of every block the event type's rules will
// read issues those loads together: they are independent, so the CPU overlaps their misses and
// the checks then read from cache. What is touched is decided at load time from the fields the
// checks name (the union over event types, so the touches start before, and overlap, the type
// lookup's own miss); data no rule looks at is never loaded.

/// Argument names and values.
pub(crate) const T_ARGS: u16 = 1;
/// `fd.name` (and the descriptor itself).
pub(crate) const T_FD: u16 = 1 << 1;
/// `proc.name`.
pub(crate) const T_NAME: u16 = 1 << 2;
/// `proc.exe`, `proc.exepath`.
pub(crate) const T_EXE: u16 = 1 << 3;
/// `proc.cwd`.
pub(crate) const T_CWD: u16 = 1 << 4;
/// `proc.args`.
pub(crate) const T_PARGS: u16 = 1 << 5;
/// The parent: name, exe.
pub(crate) const T_PARENT: u16 = 1 << 6;
/// Container id and image repository.
pub(crate) const T_CONTAINER: u16 = 1 << 7;
/// `user.name`.
pub(crate) const T_USER: u16 = 1 << 8;

/// The blocks a field reads.
pub(crate) fn touch_bits(field: &str) -> u16 {
    match field {
        "proc.name" => T_NAME,
        "proc.exe" | "proc.exepath" => T_EXE,
        "proc.cwd" => T_CWD,
        "proc.args" | "proc.cmdline" => T_NAME | T_PARGS,
        "user.name" => T_USER,
        f if f.starts_with("proc.p") || f.starts_with("proc.a") => T_PARENT,
        f if f.starts_with("fd.") => T_FD,
        f if f.starts_with("evt.arg") || f.starts_with("evt.rawarg") || f.starts_with("fs.") => {
            T_ARGS
        }
        f if f.starts_with("container.") || f.starts_with("k8s.") => T_CONTAINER,
        _ => 0,
    }
}

/// The field names a leaf reads.
pub(crate) fn leaf_fields(n: &Node, out: &mut Vec<&'static str>) {
    fn operand(o: &COperand, out: &mut Vec<&'static str>) {
        match o {
            COperand::Field(d, _) => out.push(d.name),
            COperand::Unary(_, i) => operand(i, out),
            COperand::Join(_, items) | COperand::Concat(items) => {
                items.iter().for_each(|i| item(i, out))
            }
            COperand::Getopt(i, _, _) => item(i, out),
        }
    }
    fn item(i: &compiler::Item, out: &mut Vec<&'static str>) {
        if let compiler::Item::Op(o) = i {
            operand(o, out);
        }
    }
    match n {
        Node::And(k) | Node::Or(k) => k.iter().for_each(|x| leaf_fields(x, out)),
        Node::Not(k) => leaf_fields(k, out),
        Node::Exists(o) => operand(o, out),
        Node::Check(c) => {
            operand(&c.lhs, out);
            if let CRhs::Operand(o) = &c.rhs {
                operand(o, out);
            }
        }
    }
}

/// Touches a string: its own bytes when it has a heap block, else only the struct word that
/// holds it inline (which says which of the two it is).
#[inline]
fn first(s: &crate::event::Str) -> u8 {
    if s.is_heap_allocated() {
        s.as_bytes().first().copied().unwrap_or(0)
    } else {
        0
    }
}

/// Loads the first byte of every block `bits` names and returns them folded together; the
/// caller passes the result to `black_box` so the loads are not optimised away.
#[inline]
pub(crate) fn touch(ev: &crate::event::Event, bits: u16) -> u8 {
    let mut acc = 0u8;
    if bits & T_ARGS != 0 {
        for a in &ev.args {
            acc ^= first(&a.name) ^ first(&a.value);
        }
    }
    if bits & T_FD != 0 {
        if let Some(fd) = &ev.fd {
            acc ^= first(&fd.name);
        }
    }
    let p = &ev.proc;
    if bits & T_NAME != 0 {
        acc ^= first(&p.name);
    }
    if bits & T_EXE != 0 {
        acc ^= first(&p.exe) ^ first(&p.exepath);
    }
    if bits & T_CWD != 0 {
        acc ^= first(&p.cwd);
    }
    if bits & T_PARGS != 0 {
        for a in &p.args {
            acc ^= first(a);
        }
    }
    if bits & T_PARENT != 0 {
        if let Some(a) = p.ancestors.first() {
            acc ^= first(&a.name) ^ first(&a.exe);
        }
    }
    if bits & T_USER != 0 {
        acc ^= p.user.as_ref().map_or(0, first);
    }
    if bits & T_CONTAINER != 0 {
        if let Some(c) = &ev.container {
            acc ^= first(&c.id) ^ first(&c.image_repository);
        }
    }
    acc
}
