//! The verifier's fast path: one pass over the raw body that checks the JSON syntax and finds the
//! few fields the notification schema names, without building a document and without allocating.
//!
//! It answers only when it is sure. Anything unusual (an escaped key where the schema looks, a
//! `\u` escape of a surrogate, a schema field given twice, a number with an exponent or of more
//! than 300 characters, nesting deeper than 120, or any syntax error) makes it give up, and the
//! full parse into a `serde_json::Value` decides. The two paths therefore agree by construction;
//! a differential test over mutated payloads checks it. The caller must have checked that the
//! body is UTF-8, so bytes of 0x80 and above can only be parts of characters inside strings.

/// The JSON type of a value the scanner found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Not present.
    #[default]
    Absent,
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// One value: its type and where its token is in the body. For a string the span includes the
/// quotes; `escaped` says whether it holds a backslash escape, `ascii` whether every byte is ASCII.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tok {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub escaped: bool,
    pub ascii: bool,
}

impl Tok {
    /// The string's content (without quotes) when it needs no decoding.
    pub fn plain<'a>(&self, body: &'a str) -> Option<&'a str> {
        if self.kind == Kind::String && !self.escaped {
            body.get(self.start + 1..self.end - 1)
        } else {
            None
        }
    }
}

/// The schema's fields, as found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Found {
    pub id: Tok,
    pub topic: Tok,
    pub data: Tok,
    pub archive_id: Tok,
    pub archive_subject: Tok,
    pub conference_id: Tok,
    pub sha256: Tok,
    pub status: Tok,
}

/// Where a schema field's token goes.
type Get = fn(&mut Found) -> &mut Tok;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Root,
    Data,
    Subject,
    Other,
}

const MAX_DEPTH: usize = 120;
const MAX_NUMBER_LEN: usize = 300;

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    found: Found,
}

/// Scans a UTF-8 body whose top-level value must be an object. `None`: let the full parse decide.
pub(crate) fn scan(body: &str) -> Option<Found> {
    let mut s = Scanner {
        b: body.as_bytes(),
        i: 0,
        found: Found::default(),
    };
    s.ws();
    if s.peek()? != b'{' {
        return None;
    }
    s.value(Ctx::Root, 0)?;
    s.ws();
    if s.i != s.b.len() {
        return None;
    }
    Some(s.found)
}

/// `0x0101…01` times a byte: that byte in every lane of a word.
const fn lanes(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// Whether any byte of `w` is below `n` (n <= 0x80), or has its high bit set.
#[inline(always)]
fn any_below_or_high(w: u64, n: u8) -> bool {
    (w.wrapping_sub(lanes(n)) | w) & lanes(0x80) != 0
}

/// Whether any byte of `w` is zero.
#[inline(always)]
fn any_zero(w: u64) -> bool {
    w.wrapping_sub(lanes(1)) & !w & lanes(0x80) != 0
}

impl Scanner<'_> {
    /// Skips the bytes of a string that need no attention (printable ASCII other than `"` and
    /// `\\`), eight at a time.
    #[inline(always)]
    fn skip_plain(&mut self) {
        while let Some(chunk) = self.b.get(self.i..self.i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            let w = u64::from_le_bytes(w);
            if any_below_or_high(w, 0x20) || any_zero(w ^ lanes(b'"')) || any_zero(w ^ lanes(b'\\'))
            {
                break;
            }
            self.i += 8;
        }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline(always)]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    fn value(&mut self, ctx: Ctx, depth: usize) -> Option<Tok> {
        self.ws();
        let start = self.i;
        let kind = match self.peek()? {
            b'{' => {
                self.object(ctx, depth + 1)?;
                Kind::Object
            }
            b'[' => {
                self.array(depth + 1)?;
                Kind::Array
            }
            b'"' => return self.string(),
            b'-' | b'0'..=b'9' => {
                self.number()?;
                Kind::Number
            }
            b't' => self.literal(b"true", Kind::Bool)?,
            b'f' => self.literal(b"false", Kind::Bool)?,
            b'n' => self.literal(b"null", Kind::Null)?,
            _ => return None,
        };
        Some(Tok {
            kind,
            start,
            end: self.i,
            escaped: false,
            ascii: true,
        })
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Option<Kind> {
        if self.b.get(self.i..self.i + word.len())? == word {
            self.i += word.len();
            Some(kind)
        } else {
            None
        }
    }

    fn slot(&mut self, ctx: Ctx, key: &[u8]) -> Option<(Option<Get>, Ctx)> {
        let (get, child): (Option<Get>, Ctx) = match (ctx, key) {
            (Ctx::Root, b"id") => (Some(|f| &mut f.id), Ctx::Other),
            (Ctx::Root, b"topic") => (Some(|f| &mut f.topic), Ctx::Other),
            (Ctx::Root, b"data") => (Some(|f| &mut f.data), Ctx::Data),
            (Ctx::Data, b"archive_id") => (Some(|f| &mut f.archive_id), Ctx::Other),
            (Ctx::Data, b"archive_subject") => (Some(|f| &mut f.archive_subject), Ctx::Subject),
            (Ctx::Data, b"sha256CheckSum") => (Some(|f| &mut f.sha256), Ctx::Other),
            (Ctx::Data, b"status") => (Some(|f| &mut f.status), Ctx::Other),
            (Ctx::Subject, b"conference_id") => (Some(|f| &mut f.conference_id), Ctx::Other),
            _ => (None, Ctx::Other),
        };
        if let Some(get) = get {
            // A schema field given twice: the full parse applies JSON's last-one-wins rule.
            if get(&mut self.found).kind != Kind::Absent {
                return None;
            }
        }
        Some((get, child))
    }

    fn object(&mut self, ctx: Ctx, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.i += 1;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            let (get, child) = if ctx == Ctx::Other {
                (None, Ctx::Other)
            } else {
                if key.escaped {
                    return None;
                }
                let name = self.b.get(key.start + 1..key.end - 1)?;
                self.slot(ctx, name)?
            };
            self.eat(b':')?;
            let v = self.value(child, depth)?;
            if let Some(get) = get {
                *get(&mut self.found) = v;
            }
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.i += 1;
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.value(Ctx::Other, depth)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn string(&mut self) -> Option<Tok> {
        let start = self.i;
        self.i += 1;
        let mut escaped = false;
        let mut ascii = true;
        loop {
            self.skip_plain();
            let c = self.peek()?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Some(Tok {
                        kind: Kind::String,
                        start,
                        end: self.i,
                        escaped,
                        ascii,
                    });
                }
                b'\\' => {
                    escaped = true;
                    match self.b.get(self.i + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 2,
                        b'u' => {
                            let hex = self.b.get(self.i + 2..self.i + 6)?;
                            let mut v: u32 = 0;
                            for &h in hex {
                                v = v * 16 + char::from(h).to_digit(16)?;
                            }
                            if (0xD800..=0xDFFF).contains(&v) {
                                return None;
                            }
                            if v >= 0x80 {
                                ascii = false;
                            }
                            self.i += 6;
                        }
                        _ => return None,
                    }
                }
                0..=0x1F => return None,
                0x80.. => {
                    ascii = false;
                    self.i += 1;
                }
                _ => self.i += 1,
            }
        }
    }

    fn digits(&mut self) -> usize {
        let from = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - from
    }

    fn number(&mut self) -> Option<()> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) || self.i - start > MAX_NUMBER_LEN {
            return None;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Option<(Kind, Kind, Kind)> {
        scan(s).map(|f| (f.id.kind, f.data.kind, f.conference_id.kind))
    }

    #[test]
    fn finds_the_schema_fields() {
        let body = r#" {"id":12,"x":{"id":"no"},"data":{"archive_subject":{"conference_id":"c\n1","id":[]},"archive_id":"a"},"topic":"t"} "#;
        let f = scan(body).unwrap();
        assert_eq!(f.id.kind, Kind::Number);
        assert_eq!(&body[f.id.start..f.id.end], "12");
        assert_eq!(f.topic.plain(body), Some("t"));
        assert_eq!(f.archive_id.plain(body), Some("a"));
        assert!(f.conference_id.escaped);
        assert_eq!(
            &body[f.conference_id.start..f.conference_id.end],
            r#""c\n1""#
        );
        assert_eq!(f.archive_subject.kind, Kind::Object);
        assert_eq!(f.sha256.kind, Kind::Absent);
        let u = scan(r#"{"data":{"archive_id":"é\u00e9"}}"#).unwrap();
        assert!(!u.archive_id.ascii && u.archive_id.escaped);
    }

    #[test]
    fn gives_up_on_anything_unusual() {
        for s in [
            "",
            "[]",
            "{",
            "{}x",
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":1e5}"#,
            r#"{"a":-}"#,
            r#"{"a":tru}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\ud800"}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"id":1,"id":2}"#,
            r#"{"d\u0061ta":{}}"#,
            r#"{"a" 1}"#,
            r#"{"a":[1 2]}"#,
        ] {
            assert_eq!(scan(s), None, "{s}");
        }
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(119), "]".repeat(119));
        assert!(kinds(&deep).is_some());
        let deeper = format!("{{\"a\":{}{}}}", "[".repeat(120), "]".repeat(120));
        assert_eq!(kinds(&deeper), None);
        // Escaped keys are fine where the schema does not look.
        assert!(scan(r#"{"x":{"d\u0061ta":1}}"#).is_some());
    }
}
