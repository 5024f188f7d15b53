use std::path::PathBuf;

/// Everything that can go wrong while compiling a policy, reading a report or rendering one.
///
/// Every variant names where: the file, and the line or field when one is known.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// A file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file's syntax or a value in it is wrong; `line` is 1-based, 0 when unknown.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The file (or the label the caller gave the text).
        file: String,
        /// 1-based line, 0 when the parser could not tell.
        line: usize,
        /// What is wrong, naming the field when there is one.
        message: String,
    },
    /// A file parsed but is not a document of the kind expected.
    #[error("{file}: {message}")]
    Unsupported {
        /// The file.
        file: String,
        /// Why it was not accepted.
        message: String,
    },
    /// A command-line value is wrong (severity list, format name, exit code).
    #[error("invalid {what}: {message}")]
    Usage {
        /// Which option or value.
        what: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The vulnerability database could not be read while matching (corrupt record).
    #[error("vulnerability database: {message}")]
    Database {
        /// What the database layer reported.
        message: String,
    },
    /// A report could not be produced.
    #[error("rendering {format}: {message}")]
    Render {
        /// The format name.
        format: &'static str,
        /// What failed.
        message: String,
    },
}

impl ScanError {
    pub(crate) fn syntax(file: &str, line: usize, message: impl Into<String>) -> Self {
        ScanError::Syntax {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }

    /// serde_yaml places value errors at the start of the enclosing mapping; when the message
    /// quotes the offending value, the line is moved to where that value is written.
    pub(crate) fn from_yaml(file: &str, text: &str, e: &serde_yaml::Error) -> Self {
        let mut line = e.location().map(|l| l.line()).unwrap_or(0);
        let mut msg = e.to_string();
        if let Some(at) = msg.rfind(" at line ") {
            msg.truncate(at);
        }
        let quoted = msg.split('\'').nth(1).filter(|q| !q.is_empty());
        if let (Some(q), true) = (quoted, line > 0) {
            if let Some(l) = crate::util::find_line(text, line, &[q]) {
                line = l;
            }
        }
        ScanError::syntax(file, line, msg)
    }

    pub(crate) fn from_json(file: &str, e: &serde_json::Error) -> Self {
        ScanError::syntax(file, e.line(), e.to_string())
    }
}

pub(crate) fn read_text(path: &std::path::Path) -> Result<String, ScanError> {
    std::fs::read_to_string(path).map_err(|source| ScanError::Io {
        path: path.to_path_buf(),
        source,
    })
}
