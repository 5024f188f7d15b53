//! Field types and the values extractors return.

use std::borrow::Cow;
use std::net::IpAddr;

/// The type of a field, which decides the operators it accepts and how literals parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Text (libsinsp `PT_CHARBUF`, `PT_FSPATH`).
    Str,
    /// Raw bytes (`PT_BYTEBUF`).
    Bytes,
    /// Signed integer.
    Int,
    /// Unsigned integer.
    Uint,
    /// Port number.
    Port,
    /// Absolute time, ns since the epoch.
    AbsTime,
    /// Duration in ns.
    RelTime,
    /// Boolean.
    Bool,
    /// IP address.
    Ip,
    /// IP network (CIDR); the field yields addresses that are tested for membership.
    Net,
}

impl FieldType {
    /// Numeric types accept ordering operators.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Int
                | FieldType::Uint
                | FieldType::Port
                | FieldType::AbsTime
                | FieldType::RelTime
        )
    }

    /// Name for messages.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Str => "string",
            FieldType::Bytes => "bytebuf",
            FieldType::Int => "int64",
            FieldType::Uint => "uint64",
            FieldType::Port => "port",
            FieldType::AbsTime => "abstime",
            FieldType::RelTime => "reltime",
            FieldType::Bool => "bool",
            FieldType::Ip => "ipaddr",
            FieldType::Net => "ipnet",
        }
    }
}

/// One extracted value, borrowing from the event when it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    /// Text.
    Str(Cow<'a, str>),
    /// Any integer, time or port.
    Num(i64),
    /// Boolean.
    Bool(bool),
    /// Address.
    Ip(IpAddr),
    /// Bytes.
    Bytes(Cow<'a, [u8]>),
}

impl Val<'_> {
    /// Renders the value for output templates.
    pub fn render(&self) -> String {
        match self {
            Val::Str(s) => s.to_string(),
            Val::Num(n) => n.to_string(),
            Val::Bool(b) => b.to_string(),
            Val::Ip(ip) => ip.to_string(),
            Val::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        }
    }

    /// The value as text, if it is text or bytes.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Val::Str(s) => Some(s.as_bytes()),
            Val::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// Detaches the value from the event.
    pub fn into_owned(self) -> Val<'static> {
        match self {
            Val::Str(s) => Val::Str(Cow::Owned(s.into_owned())),
            Val::Bytes(b) => Val::Bytes(Cow::Owned(b.into_owned())),
            Val::Num(n) => Val::Num(n),
            Val::Bool(b) => Val::Bool(b),
            Val::Ip(i) => Val::Ip(i),
        }
    }
}

/// What an extractor yields: nothing (`<NA>`), one value, or several (`proc.aname` without an
/// index, `fd.ip`, `proc.args` under `getopt`).
#[derive(Debug, Clone, PartialEq)]
pub enum Vals<'a> {
    /// The field does not apply to this event.
    None,
    /// One value.
    One(Val<'a>),
    /// Several values; a comparison holds when it holds for one of them.
    Many(Vec<Val<'a>>),
}

impl<'a> Vals<'a> {
    /// Text value borrowed from the event.
    pub fn s(s: &'a str) -> Self {
        Vals::One(Val::Str(Cow::Borrowed(s)))
    }

    /// Owned text value.
    pub fn owned(s: String) -> Self {
        Vals::One(Val::Str(Cow::Owned(s)))
    }

    /// Optional borrowed text.
    pub fn opt(s: Option<&'a str>) -> Self {
        s.map_or(Vals::None, Vals::s)
    }

    /// Number.
    pub fn n(n: i64) -> Self {
        Vals::One(Val::Num(n))
    }

    /// Boolean.
    pub fn b(b: bool) -> Self {
        Vals::One(Val::Bool(b))
    }

    /// Iterates the values.
    pub fn iter(&self) -> std::slice::Iter<'_, Val<'a>> {
        match self {
            Vals::None => [].iter(),
            Vals::One(v) => std::slice::from_ref(v).iter(),
            Vals::Many(v) => v.iter(),
        }
    }

    /// Whether there is at least one value.
    pub fn exists(&self) -> bool {
        match self {
            Vals::None => false,
            Vals::One(_) => true,
            Vals::Many(v) => !v.is_empty(),
        }
    }

    /// Renders for output: `<NA>` when absent, space-separated when several.
    pub fn render(&self) -> String {
        match self {
            Vals::None => "<NA>".to_string(),
            Vals::One(v) => v.render(),
            Vals::Many(v) => v.iter().map(Val::render).collect::<Vec<_>>().join(" "),
        }
    }
}
