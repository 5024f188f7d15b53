//! Variable expansion as BuildKit's `shell/lex.go` does it for ADD, COPY, ENV, EXPOSE, FROM,
//! LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR: quotes, the escape character, `$v`, `${v}`, and
//! the modifiers `:-` `-` `:+` `+` `:?` `?` `#` `##` `%` `%%` `/` `//`. Checked against
//! BuildKit's `envVarTest` and `wordsTest` vectors.

/// Why a word could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExpandError(pub String);

/// Expansion settings.
#[derive(Debug, Clone, Copy)]
pub struct Lexer {
    /// The escape character (`\` or `` ` ``).
    pub escape: char,
    /// Keep quote characters in the output.
    pub raw_quotes: bool,
    /// Keep escape characters in the output.
    pub raw_escapes: bool,
    /// Leave unset variables as written instead of expanding them to nothing.
    pub skip_unset_env: bool,
}

impl Default for Lexer {
    fn default() -> Self {
        Lexer {
            escape: '\\',
            raw_quotes: false,
            raw_escapes: false,
            skip_unset_env: false,
        }
    }
}

const EOF: char = '\u{0}';

struct Words {
    words: Vec<String>,
    cur: String,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, c: char) {
        if c.is_whitespace() && self.in_word {
            if !self.cur.is_empty() {
                self.words.push(std::mem::take(&mut self.cur));
                self.in_word = false;
            }
        } else if !c.is_whitespace() {
            self.add_raw_char(c);
        }
    }
    fn add_raw_char(&mut self, c: char) {
        self.cur.push(c);
        self.in_word = true;
    }
    fn add_string(&mut self, s: &str) {
        for c in s.chars() {
            self.add_char(c);
        }
    }
    fn add_raw_string(&mut self, s: &str) {
        self.cur.push_str(s);
        self.in_word = true;
    }
    fn get(mut self) -> Vec<String> {
        if !self.cur.is_empty() {
            self.words.push(std::mem::take(&mut self.cur));
        }
        self.words
    }
}

struct Sw<'a> {
    chars: Vec<char>,
    pos: usize,
    lx: Lexer,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Sw<'_> {
    fn peek(&self) -> char {
        self.chars.get(self.pos).copied().unwrap_or(EOF)
    }
    fn next(&mut self) -> char {
        let c = self.peek();
        if self.pos < self.chars.len() {
            self.pos += 1;
        }
        c
    }
    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
    ) -> Result<(String, Vec<String>), ExpandError> {
        let mut result = String::new();
        let mut words = Words {
            words: Vec::new(),
            cur: String::new(),
            in_word: false,
        };
        while !self.at_end() {
            let ch = self.peek();
            if Some(ch) == stop {
                self.next();
                return Ok((result, words.get()));
            }
            match ch {
                '$' => {
                    let t = self.process_dollar()?;
                    result.push_str(&t);
                    words.add_string(&t);
                }
                '\'' => {
                    let t = self.single_quote()?;
                    result.push_str(&t);
                    words.add_raw_string(&t);
                }
                '"' => {
                    let t = self.double_quote()?;
                    result.push_str(&t);
                    words.add_raw_string(&t);
                }
                _ => {
                    let mut ch = self.next();
                    if ch == self.lx.escape {
                        if self.lx.raw_escapes {
                            words.add_raw_char(ch);
                            result.push(ch);
                        }
                        if self.at_end() {
                            break;
                        }
                        ch = self.next();
                        words.add_raw_char(ch);
                    } else {
                        words.add_char(ch);
                    }
                    result.push(ch);
                }
            }
        }
        if let Some(s) = stop {
            return Err(ExpandError(format!(
                "unexpected end of statement while looking for matching {s}"
            )));
        }
        Ok((result, words.get()))
    }

    fn single_quote(&mut self) -> Result<String, ExpandError> {
        let mut out = String::new();
        let q = self.next();
        if self.lx.raw_quotes {
            out.push(q);
        }
        loop {
            if self.at_end() {
                return Err(ExpandError(
                    "unexpected end of statement while looking for matching single-quote".into(),
                ));
            }
            let c = self.next();
            if c == '\'' {
                if self.lx.raw_quotes {
                    out.push(c);
                }
                return Ok(out);
            }
            out.push(c);
        }
    }

    fn double_quote(&mut self) -> Result<String, ExpandError> {
        let mut out = String::new();
        let q = self.next();
        if self.lx.raw_quotes {
            out.push(q);
        }
        loop {
            if self.at_end() {
                return Err(ExpandError(
                    "unexpected end of statement while looking for matching double-quote".into(),
                ));
            }
            match self.peek() {
                '"' => {
                    let c = self.next();
                    if self.lx.raw_quotes {
                        out.push(c);
                    }
                    return Ok(out);
                }
                '$' => {
                    let v = self.process_dollar()?;
                    out.push_str(&v);
                }
                _ => {
                    let mut c = self.next();
                    if c == self.lx.escape {
                        if self.lx.raw_escapes {
                            out.push(c);
                        }
                        if self.at_end() {
                            continue;
                        }
                        let p = self.peek();
                        if p == '"' || p == '$' || p == self.lx.escape {
                            c = self.next();
                        }
                    }
                    out.push(c);
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while !self.at_end() {
            let ch = self.peek();
            if name.is_empty() && ch.is_ascii_digit() {
                while !self.at_end() && self.peek().is_ascii_digit() {
                    name.push(self.next());
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                return self.next().to_string();
            }
            if !(ch.is_alphanumeric() || ch == '_') {
                break;
            }
            name.push(self.next());
        }
        name
    }

    fn get(&self, name: &str) -> Option<String> {
        (self.env)(name)
    }

    fn process_dollar(&mut self) -> Result<String, ExpandError> {
        self.next();
        if self.peek() != '{' {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.get(&name) {
                Some(v) => v,
                None if self.lx.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        if self.at_end() {
            return Err(ExpandError("syntax error: missing '}'".into()));
        }
        if matches!(self.peek(), '{' | '}' | ':') {
            return Err(ExpandError("syntax error: bad substitution".into()));
        }
        let name = self.name();
        let missing = |sw: &Self, e: ExpandError| {
            if sw.at_end() {
                ExpandError("syntax error: missing '}'".into())
            } else {
                e
            }
        };
        let ch = self.next();
        let value = self.get(&name);
        match ch {
            '}' => Ok(match value {
                Some(v) => v,
                None if self.lx.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            '?' | '-' | '+' => {
                let (word, _) = self
                    .process_stop_on(Some('}'))
                    .map_err(|e| missing(self, e))?;
                match (ch, value) {
                    (_, None) if self.lx.skip_unset_env => Ok(format!("${{{name}{ch}{word}}}")),
                    ('?', None) => Err(ExpandError(format!(
                        "{name}: {}",
                        if word.is_empty() {
                            "is not allowed to be unset"
                        } else {
                            &word
                        }
                    ))),
                    ('-', None) => Ok(word),
                    ('+', Some(_)) => Ok(word),
                    (_, Some(v)) => Ok(v),
                    (_, None) => Ok(String::new()),
                }
            }
            ':' => {
                let modifier = self.next();
                let (word, _) = self
                    .process_stop_on(Some('}'))
                    .map_err(|e| missing(self, e))?;
                let set = value.is_some();
                let v = value.unwrap_or_default();
                if !set && self.lx.skip_unset_env && modifier != '?' {
                    return Ok(format!("${{{name}:{modifier}{word}}}"));
                }
                match modifier {
                    '+' => Ok(if v.is_empty() { v } else { word }),
                    '-' => Ok(if v.is_empty() { word } else { v }),
                    '?' => {
                        if !set {
                            Err(ExpandError(format!(
                                "{name}: {}",
                                if word.is_empty() {
                                    "is not allowed to be unset"
                                } else {
                                    &word
                                }
                            )))
                        } else if v.is_empty() {
                            Err(ExpandError(format!(
                                "{name}: {}",
                                if word.is_empty() {
                                    "is not allowed to be empty"
                                } else {
                                    &word
                                }
                            )))
                        } else {
                            Ok(v)
                        }
                    }
                    m => Err(ExpandError(format!(
                        "unsupported modifier ({m}) in substitution"
                    ))),
                }
            }
            '#' | '%' => {
                let longest = self.peek() == ch;
                if longest {
                    self.next();
                }
                let (pat, _) = self
                    .process_stop_on(Some('}'))
                    .map_err(|e| missing(self, e))?;
                let v = value.unwrap_or_default();
                Ok(trim_pattern(&v, &pat, ch == '#', longest))
            }
            '/' => {
                let all = self.peek() == '/';
                if all {
                    self.next();
                }
                let (pat, _) = self
                    .process_stop_on(Some('/'))
                    .map_err(|e| missing(self, e))?;
                let (rep, _) = self
                    .process_stop_on(Some('}'))
                    .map_err(|e| missing(self, e))?;
                let v = value.unwrap_or_default();
                Ok(replace_pattern(&v, &pat, &rep, all))
            }
            _ => {
                if self.at_end() && ch == EOF {
                    Err(ExpandError("syntax error: missing '}'".into()))
                } else {
                    Err(ExpandError("missing ':' in substitution".into()))
                }
            }
        }
    }
}

/// Glob match of `*` and `?` (`\x` is a literal x).
fn glob_match(p: &[char], s: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('*') => (0..=s.len()).any(|i| glob_match(&p[1..], &s[i..])),
        Some('?') => !s.is_empty() && glob_match(&p[1..], &s[1..]),
        Some('\\') if p.len() > 1 => s.first() == Some(&p[1]) && glob_match(&p[2..], &s[1..]),
        Some(c) => s.first() == Some(c) && glob_match(&p[1..], &s[1..]),
    }
}

fn trim_pattern(v: &str, pat: &str, prefix: bool, longest: bool) -> String {
    let s: Vec<char> = v.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    let n = s.len();
    let lens: Vec<usize> = if longest {
        (0..=n).rev().collect()
    } else {
        (0..=n).collect()
    };
    for l in lens {
        let (part, rest) = if prefix {
            (&s[..l], &s[l..])
        } else {
            (&s[n - l..], &s[..n - l])
        };
        if glob_match(&p, part) {
            return rest.iter().collect();
        }
    }
    v.to_string()
}

fn replace_pattern(v: &str, pat: &str, rep: &str, all: bool) -> String {
    let s: Vec<char> = v.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut done = false;
    while i < s.len() {
        if !done {
            if let Some(l) = (1..=s.len() - i)
                .rev()
                .find(|&l| glob_match(&p, &s[i..i + l]))
            {
                out.push_str(rep);
                i += l;
                done = !all;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

impl Lexer {
    /// Expands one word.
    pub fn process_word(
        &self,
        word: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<String, ExpandError> {
        let mut sw = Sw {
            chars: word.chars().collect(),
            pos: 0,
            lx: *self,
            env,
        };
        sw.process_stop_on(None).map(|(r, _)| r)
    }

    /// Expands and splits into words (unquoted whitespace separates).
    pub fn process_words(
        &self,
        word: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Vec<String>, ExpandError> {
        let mut sw = Sw {
            chars: word.chars().collect(),
            pos: 0,
            lx: *self,
            env,
        };
        sw.process_stop_on(None).map(|(_, w)| w)
    }
}
