//! The Dockerfile syntax tree. Every node carries a [`Span`] with 1-based line and column.

use serde::Serialize;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    /// Line, starting at 1.
    pub line: u32,
    /// Column, starting at 1.
    pub column: u32,
}

/// A range of source text, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    /// First character.
    pub start: Pos,
    /// Last character.
    pub end: Pos,
}

/// Maps byte offsets of an instruction's joined (continuation-free) text back to the source.
///
/// Continuations remove the escape character and the newline, so one logical line is stitched
/// from pieces of several physical lines; each piece remembers where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// `(offset in logical text, line, column, text of the piece)`, sorted by offset.
    pieces: Vec<(usize, u32, u32, usize)>,
}

impl SourceMap {
    pub(crate) fn push(&mut self, offset: usize, line: u32, column: u32, len: usize) {
        self.pieces.push((offset, line, column, len));
    }

    /// The source position of byte `offset` of `text` (the logical text this map was built for).
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let idx = match self.pieces.binary_search_by(|p| p.0.cmp(&offset)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let Some(&(start, line, column, _)) = self.pieces.get(idx) else {
            return Pos { line: 1, column: 1 };
        };
        let from = start.min(text.len());
        let to = offset.clamp(from, text.len());
        let chars = text
            .get(from..to)
            .map(|s| s.chars().count())
            .unwrap_or(to - from);
        Pos {
            line,
            column: column + chars as u32,
        }
    }

    /// The map for the text starting at `offset` (ONBUILD's inner instruction).
    pub(crate) fn shifted(&self, text: &str, offset: usize) -> SourceMap {
        let mut out = SourceMap::default();
        let first = self.pos(text, offset);
        out.push(0, first.line, first.column, 0);
        for &(start, line, column, len) in &self.pieces {
            if start > offset {
                out.push(start - offset, line, column, len);
            }
        }
        out
    }

    /// The span of bytes `start..end` (exclusive end) of `text`.
    pub fn span(&self, text: &str, start: usize, end: usize) -> Span {
        let s = self.pos(text, start);
        let e = if end > start {
            self.pos(text, end - 1)
        } else {
            s
        };
        Span { start: s, end: e }
    }
}

/// A parser directive at the top of the file (`# syntax=`, `# escape=`, `# check=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lower-cased name.
    pub name: String,
    /// Value, trimmed.
    pub value: String,
    /// Where it is.
    pub span: Span,
}

/// A comment line (directives are not comments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// The text after `#`, untrimmed.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// A `--name=value` flag of an instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// Name without the dashes.
    pub name: String,
    /// Value with quotes removed; `None` for a bare `--name`.
    pub value: Option<String>,
    /// Where it is.
    pub span: Span,
}

/// A word of an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Word {
    /// The text with quotes and escapes removed (variables are not expanded).
    pub value: String,
    /// The text as written.
    pub raw: String,
    /// Where it is.
    pub span: Span,
}

/// A heredoc attached to RUN, COPY or ADD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The delimiter word, quotes removed.
    pub name: String,
    /// File descriptor prefix (`3<<EOF`), if any.
    pub fd: Option<u32>,
    /// `<<-`: leading tabs are stripped.
    pub strip_tabs: bool,
    /// The delimiter was quoted, so the body is not expanded.
    pub quoted: bool,
    /// The body, without the terminator line.
    pub content: String,
    /// From the `<<` token to the terminator line.
    pub span: Span,
}

/// Shell form (a string for the shell) or exec form (a JSON array).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Arguments {
    /// `RUN echo hi`: the text after flags, continuations joined.
    Shell {
        /// The command text.
        text: String,
        /// Byte offset of `text` in the instruction's logical text.
        offset: usize,
    },
    /// `RUN ["echo", "hi"]`.
    Exec(Vec<String>),
}

impl Arguments {
    /// The arguments as one string (exec form joined by spaces).
    pub fn as_text(&self) -> String {
        match self {
            Arguments::Shell { text, .. } => text.clone(),
            Arguments::Exec(v) => v.join(" "),
        }
    }
}

/// A `key=value` pair of ENV or LABEL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    /// The key, quotes removed.
    pub key: String,
    /// The value, quotes and escapes removed.
    pub value: String,
    /// The value as written.
    pub raw_value: String,
    /// Where the pair is.
    pub span: Span,
}

/// One name of an ARG instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgDecl {
    /// The name.
    pub name: String,
    /// The default value, if given.
    pub default: Option<String>,
    /// Where it is.
    pub span: Span,
}

/// `FROM [--platform=p] image [AS name]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct From {
    /// The image reference as written.
    pub image: Word,
    /// The stage name, if any.
    pub alias: Option<Word>,
}

impl From {
    /// The image split into (registry-and-name, tag, digest) without resolving variables.
    pub fn image_parts(&self) -> ImageRef {
        ImageRef::parse(&self.image.value)
    }
}

/// An image reference split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    /// Registry host, if the first path component looks like one.
    pub registry: Option<String>,
    /// Repository path without registry.
    pub name: String,
    /// Tag, if any.
    pub tag: Option<String>,
    /// Digest, if any.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Splits `reg/name:tag@digest`.
    pub fn parse(s: &str) -> ImageRef {
        let (rest, digest) = match s.split_once('@') {
            Some((a, d)) => (a, Some(d.to_string())),
            None => (s, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, tail))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), tail)
            }
            _ => (None, rest),
        };
        let (name, tag) = match path.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') => (n.to_string(), Some(t.to_string())),
            _ => (path.to_string(), None),
        };
        ImageRef {
            registry,
            name,
            tag,
            digest,
        }
    }
}

/// ADD and COPY.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyArgs {
    /// Sources (heredoc sources appear as `<<NAME`).
    pub sources: Vec<Word>,
    /// Destination.
    pub dest: Option<Word>,
    /// Written as a JSON array.
    pub json: bool,
}

/// HEALTHCHECK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`.
    None,
    /// `HEALTHCHECK CMD ...`.
    Cmd(Arguments),
    /// Anything else BuildKit's parser accepts and its builder rejects (`HEALTHCHECK` alone,
    /// `HEALTHCHECK CONNECT …`): kept so that a lint run still sees the rest of the file.
    Other {
        /// The type word (empty when there is none).
        kind: String,
        /// The rest of the line.
        args: String,
    },
}

/// What an instruction says, by keyword.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// FROM.
    From(From),
    /// RUN.
    Run(Arguments),
    /// CMD.
    Cmd(Arguments),
    /// ENTRYPOINT.
    Entrypoint(Arguments),
    /// SHELL (always exec form).
    Shell(Vec<String>),
    /// LABEL.
    Label(Vec<KeyValue>),
    /// ENV.
    Env(Vec<KeyValue>),
    /// ARG.
    Arg(Vec<ArgDecl>),
    /// ADD.
    Add(CopyArgs),
    /// COPY.
    Copy(CopyArgs),
    /// EXPOSE.
    Expose(Vec<Word>),
    /// VOLUME.
    Volume(Vec<Word>),
    /// USER.
    User(Word),
    /// WORKDIR.
    Workdir(Word),
    /// STOPSIGNAL.
    Stopsignal(Word),
    /// MAINTAINER.
    Maintainer(String),
    /// HEALTHCHECK.
    Healthcheck(Healthcheck),
    /// ONBUILD and the instruction it triggers.
    Onbuild(Box<Instruction>),
}

/// One instruction with its flags, arguments and heredocs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instruction {
    /// The keyword as written (`run`, `RUN`).
    pub keyword: String,
    /// From the keyword to the last character (heredoc terminators included).
    pub span: Span,
    /// Flags in order.
    pub flags: Vec<Flag>,
    /// What it says.
    pub kind: Kind,
    /// Heredocs, in order.
    pub heredocs: Vec<Heredoc>,
    /// The logical text after the keyword, continuations joined.
    pub text: String,
    /// Maps offsets of `text` back to the source.
    #[serde(skip)]
    pub map: SourceMap,
}

impl Instruction {
    /// The upper-cased keyword.
    pub fn name(&self) -> &'static str {
        match &self.kind {
            Kind::From(_) => "FROM",
            Kind::Run(_) => "RUN",
            Kind::Cmd(_) => "CMD",
            Kind::Entrypoint(_) => "ENTRYPOINT",
            Kind::Shell(_) => "SHELL",
            Kind::Label(_) => "LABEL",
            Kind::Env(_) => "ENV",
            Kind::Arg(_) => "ARG",
            Kind::Add(_) => "ADD",
            Kind::Copy(_) => "COPY",
            Kind::Expose(_) => "EXPOSE",
            Kind::Volume(_) => "VOLUME",
            Kind::User(_) => "USER",
            Kind::Workdir(_) => "WORKDIR",
            Kind::Stopsignal(_) => "STOPSIGNAL",
            Kind::Maintainer(_) => "MAINTAINER",
            Kind::Healthcheck(_) => "HEALTHCHECK",
            Kind::Onbuild(_) => "ONBUILD",
        }
    }

    /// The value of flag `name` (last one wins, as in BuildKit).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// Source position of byte `offset` of [`Instruction::text`].
    pub fn pos(&self, offset: usize) -> Pos {
        self.map.pos(&self.text, offset)
    }

    /// The line the instruction starts on.
    pub fn line(&self) -> u32 {
        self.span.start.line
    }
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dockerfile {
    /// Parser directives.
    pub directives: Vec<Directive>,
    /// The escape character (`\` or `` ` ``).
    pub escape: char,
    /// Comment lines, including those inside continuations.
    pub comments: Vec<Comment>,
    /// Instructions in order.
    pub instructions: Vec<Instruction>,
}
