//! Walking untrusted JSON with the JSON pointer of every field at hand, so a wrong type is
//! reported as `file: /components/3/purl: ...` instead of a panic or a vague serde message.

use serde_json::{Map, Value};

use crate::SbomError;

/// The document being read, for error messages.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub source: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn err(&self, pointer: &str, message: impl Into<String>) -> SbomError {
        SbomError::Field {
            source_name: self.source.to_string(),
            pointer: if pointer.is_empty() {
                "/".to_string()
            } else {
                pointer.to_string()
            },
            message: message.into(),
        }
    }

    /// The object at `ptr`, or an error naming what was there instead.
    pub(crate) fn object<'v>(
        &self,
        v: &'v Value,
        ptr: &str,
    ) -> Result<&'v Map<String, Value>, SbomError> {
        v.as_object()
            .ok_or_else(|| self.err(ptr, format!("expected an object, found {}", kind(v))))
    }

    /// An optional string member. Absent and `null` both mean `None` (Trivy writes `null`s).
    pub(crate) fn opt_str<'v>(
        &self,
        obj: &'v Map<String, Value>,
        ptr: &str,
        key: &str,
    ) -> Result<Option<&'v str>, SbomError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(self.err(
                &child(ptr, key),
                format!("expected a string, found {}", kind(other)),
            )),
        }
    }

    /// An optional array member; absent or `null` is empty.
    pub(crate) fn opt_array<'v>(
        &self,
        obj: &'v Map<String, Value>,
        ptr: &str,
        key: &str,
    ) -> Result<&'v [Value], SbomError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a.as_slice()),
            Some(other) => Err(self.err(
                &child(ptr, key),
                format!("expected an array, found {}", kind(other)),
            )),
        }
    }

    /// An optional object member.
    pub(crate) fn opt_object<'v>(
        &self,
        obj: &'v Map<String, Value>,
        ptr: &str,
        key: &str,
    ) -> Result<Option<&'v Map<String, Value>>, SbomError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(other) => Err(self.err(
                &child(ptr, key),
                format!("expected an object, found {}", kind(other)),
            )),
        }
    }
}

/// `ptr` extended by one member name, escaped as RFC 6901 requires.
pub(crate) fn child(ptr: &str, key: &str) -> String {
    format!("{ptr}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// `ptr` extended by an array index.
pub(crate) fn index(ptr: &str, i: usize) -> String {
    format!("{ptr}/{i}")
}

/// A short name for a JSON value's type, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
