//! Canonical formatting of HCL configuration files, in the spirit of `terraform fmt`.
//!
//! # What "canonical" means
//!
//! * Every line is indented with two spaces per level of open brackets (`{`, `[`, `(` and
//!   template interpolations `${`/`%{` that span lines), where brackets opened on the same line
//!   count as one level: the body of `jsonencode({` is indented once and `})` closes it. A line
//!   that starts with closing brackets is dedented by the levels it closes into, and brackets it
//!   then reopens continue that level (`}, {` in a list of objects). Tabs in indentation become
//!   spaces.
//! * Trailing whitespace is removed (except on the verbatim lines listed below).
//! * Runs of consecutive one-line attribute assignments at the same depth (including ones that
//!   open a multi-line value, like `tags = {`) get their `=` signs aligned one space after the
//!   longest key. Keys are identifiers or (in object constructors) quoted strings. Around the `=`
//!   of an assignment there is exactly one space (plus alignment padding); everything after it is
//!   kept as written. A blank line, a comment-only line, a block header, any other line or a
//!   change of depth ends a run.
//! * Block headers (`resource "a" "b" {`) have single spaces between their tokens and exactly one
//!   space before the `{`.
//! * Two or more blank lines collapse into one; there are no blank lines right after a line that
//!   ends by opening a `{`, right before a line starting with `}`, or at the start of the file.
//!   The output ends with exactly one `\n` (an input that is empty or only whitespace formats to
//!   the empty string). Line endings are always `\n`; `\r\n` input is accepted.
//!
//! # Why line-based
//!
//! A formatter that rebuilds the file from a syntax tree has to carry every comment and every
//! byte of heredoc and string content through the tree, and any gap there silently changes a
//! user's file. Instead this module keeps the original text and only rewrites *whitespace*: a small
//! lexer walks the file once and records, per line, the indentation depth at its start (outside
//! strings, comments and heredocs), whether it starts inside a heredoc body or a `/* */` comment,
//! and whether it is an attribute assignment or a block header. The formatter then re-indents,
//! re-spaces and re-joins lines from that information. Formatting therefore never changes anything
//! but spaces, tabs and line breaks, and it is idempotent.
//!
//! # What is preserved
//!
//! * Heredoc bodies, byte for byte, and the closing marker of a plain `<<EOT` heredoc (whose
//!   indentation is left as written). The closing marker of an indented `<<-EOT` heredoc is
//!   re-indented to the surrounding depth (its body is still left alone).
//! * Lines that start inside a multi-line `/* */` comment, byte for byte.
//! * String literals, including escapes and nested template interpolations/directives.
//! * Comments (`#`, `//`, `/* */`): kept as written; a comment on its own line is re-indented, a
//!   trailing comment stays on its line.
//!
//! The input is expected to be valid HCL (the caller checks that first), but the formatter never
//! panics on any input: unterminated strings end at the end of their line, unterminated heredocs
//! and comments run to the end of the file, and unbalanced closing brackets leave the depth at 0.
//!
//! # Known differences from `terraform fmt`
//!
//! * Trailing comments keep their spacing; `terraform fmt` also aligns them.
//! * Spacing inside expressions (`a==b`, `[1,2]`, `{k=1}`) and object items written `key: value`
//!   are left as written.

use std::borrow::Cow;

/// Whitespace that HCL treats as insignificant between tokens.
const WS: [char; 3] = [' ', '\t', '\r'];

/// Whitespace allowed before a heredoc closing marker.
const INDENT_WS: [char; 2] = [' ', '\t'];

/// Formats one HCL file's text canonically. The input is already known to parse as HCL
/// (the caller checks with hcl-edit first); never panics on any input anyway.
#[must_use]
pub fn format_hcl(input: &str) -> String {
    let mut lexer = Lexer::default();
    let lines: Vec<Line<'_>> = input
        .split('\n')
        .map(|raw| lexer.line(raw.trim_end_matches('\r')))
        .collect();
    let mut lines = drop_blank_lines(lines);
    align_assignments(&mut lines);
    render(&lines, input.len())
}

// ---------------------------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------------------------

/// One input line, classified.
#[derive(Debug)]
enum Line<'a> {
    /// Left exactly as written (without its line ending): heredoc bodies, the closing marker of a
    /// `<<EOT` heredoc, lines that start inside a `/* */` comment.
    Verbatim(&'a str),
    /// A whitespace-only line outside heredocs and comments.
    Blank,
    /// Everything else; re-indented and re-spaced.
    Code(CodeLine<'a>),
}

#[derive(Debug)]
struct CodeLine<'a> {
    /// Indentation level (two spaces each).
    indent: usize,
    /// The line without indentation and trailing whitespace (used when `assign` is `None`).
    text: Cow<'a, str>,
    /// Set when the line is an attribute assignment `key = value`.
    assign: Option<Assign<'a>>,
    /// The last token of the line (ignoring comments) opens a `{`.
    opens_brace: bool,
    /// The line starts with `}`.
    starts_with_close_brace: bool,
}

#[derive(Debug)]
struct Assign<'a> {
    /// The key, an identifier or a quoted string.
    key: &'a str,
    /// Everything after the `=`, without leading whitespace (may be empty).
    value: &'a str,
    /// Whether this line can take part in `=` alignment (it does not close more than it opens).
    alignable: bool,
    /// Extra spaces between key and `=`, set by [`align_assignments`].
    pad: usize,
}

impl Assign<'_> {
    fn key_width(&self) -> usize {
        self.key.chars().count()
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

/// An open construct on the lexer's stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Brace,
    Bracket,
    Paren,
    /// A template interpolation `${ ... }` or directive `%{ ... }` inside a quoted string.
    Interp,
    /// A quoted string (template). Never survives the end of a line.
    Str,
}

/// What the start of the next line is inside of.
#[derive(Debug, Default)]
enum Mode<'a> {
    #[default]
    Code,
    BlockComment,
    Heredoc {
        marker: &'a str,
        flush: bool,
    },
}

#[derive(Debug, Default)]
struct Lexer<'a> {
    /// Open constructs, each with the indentation group it belongs to: brackets opened
    /// on one line form one group and indent the lines inside them by one level, as
    /// `jsonencode({` ... `})` is laid out.
    stack: Vec<(Frame, u32)>,
    /// The next group id.
    groups: u32,
    mode: Mode<'a>,
}

/// What scanning one line found out.
#[derive(Debug, Default)]
struct Scan {
    /// Indentation groups that closing brackets at the start of the line closed into
    /// (wholly or partly); the line is dedented by one level for each.
    touched_groups: Vec<u32>,
    /// The group brackets opened later on this line join.
    line_group: Option<u32>,
    /// The last token outside comments was a `{` opening a brace.
    opens_brace: bool,
}

impl<'a> Lexer<'a> {
    /// Current indentation depth: the number of groups with an open bracket (strings do
    /// not count).
    fn depth(&self) -> usize {
        let mut depth = 0;
        let mut last = None;
        for (frame, group) in &self.stack {
            if *frame != Frame::Str && last != Some(*group) {
                depth += 1;
                last = Some(*group);
            }
        }
        depth
    }

    /// Opens `frame` in this line's group.
    fn open(&mut self, frame: Frame, scan: &mut Scan) {
        let group = *scan.line_group.get_or_insert_with(|| {
            self.groups = self.groups.wrapping_add(1);
            self.groups
        });
        self.stack.push((frame, group));
    }

    /// Classifies one line (without its line ending) and advances the lexer past it.
    fn line(&mut self, raw: &'a str) -> Line<'a> {
        match std::mem::take(&mut self.mode) {
            Mode::Heredoc { marker, flush } => {
                let trimmed = raw.trim_start_matches(INDENT_WS);
                if trimmed != marker {
                    self.mode = Mode::Heredoc { marker, flush };
                    Line::Verbatim(raw)
                } else if flush {
                    Line::Code(CodeLine {
                        indent: self.depth(),
                        text: Cow::Borrowed(trimmed),
                        assign: None,
                        opens_brace: false,
                        starts_with_close_brace: false,
                    })
                } else {
                    Line::Verbatim(raw)
                }
            }
            Mode::BlockComment => {
                self.mode = Mode::BlockComment;
                self.scan(raw);
                Line::Verbatim(raw)
            }
            Mode::Code => self.code_line(raw),
        }
    }

    fn code_line(&mut self, raw: &'a str) -> Line<'a> {
        let start_depth = self.depth();
        let in_body = matches!(self.top(), None | Some(Frame::Brace));
        let scan = self.scan(raw);
        let end_depth = self.depth();

        let content = raw.trim_matches(WS);
        if content.is_empty() {
            return Line::Blank;
        }
        let mut line = CodeLine {
            indent: start_depth.saturating_sub(scan.touched_groups.len()),
            text: Cow::Borrowed(content),
            assign: None,
            opens_brace: scan.opens_brace,
            starts_with_close_brace: content.starts_with('}'),
        };
        if in_body {
            if let Some((key, value)) = parse_assignment(content) {
                line.assign = Some(Assign {
                    key,
                    value,
                    alignable: end_depth >= start_depth,
                    pad: 0,
                });
            } else if let Some(header) = normalize_block_header(content) {
                line.text = Cow::Owned(header);
            }
        }
        Line::Code(line)
    }

    /// Lexes one line, updating the bracket stack and mode.
    fn scan(&mut self, line: &'a str) -> Scan {
        let b = line.as_bytes();
        let mut scan = Scan::default();
        let mut leading = true;
        let mut heredoc = None;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let next = b.get(i + 1).copied();
            if matches!(self.mode, Mode::BlockComment) {
                if c == b'*' && next == Some(b'/') {
                    self.mode = Mode::Code;
                    i += 2;
                } else {
                    i += 1;
                }
                continue;
            }
            if self.top() == Some(Frame::Str) {
                scan.opens_brace = false;
                i += self.string_char(c, next, b.get(i + 2).copied(), &mut scan);
                continue;
            }
            match c {
                b' ' | b'\t' | b'\r' => {}
                b'#' => break,
                b'/' if next == Some(b'/') => break,
                b'/' if next == Some(b'*') => {
                    self.mode = Mode::BlockComment;
                    leading = false;
                    i += 2;
                    continue;
                }
                b'{' | b'[' | b'(' | b'"' => {
                    let frame = match c {
                        b'{' => Frame::Brace,
                        b'[' => Frame::Bracket,
                        b'(' => Frame::Paren,
                        _ => Frame::Str,
                    };
                    self.open(frame, &mut scan);
                    leading = false;
                    scan.opens_brace = c == b'{';
                }
                b'}' | b']' | b')' => {
                    if let Some(group) = self.close(c)
                        && leading
                    {
                        if !scan.touched_groups.contains(&group) {
                            scan.touched_groups.push(group);
                        }
                        // Brackets reopened on this line (`}, {`) continue the group.
                        scan.line_group = Some(group);
                    }
                    scan.opens_brace = false;
                }
                _ => {
                    leading = false;
                    scan.opens_brace = false;
                    if c == b'<' && next == Some(b'<') {
                        heredoc = heredoc_opener(&line[i + 2..]);
                        if heredoc.is_some() {
                            break;
                        }
                        i += 1;
                    }
                }
            }
            i += 1;
        }
        // Quoted strings cannot span lines: an unterminated one ends here.
        while self.top() == Some(Frame::Str) {
            self.stack.pop();
        }
        if let Some(mode) = heredoc {
            self.mode = mode;
        }
        scan
    }

    fn top(&self) -> Option<Frame> {
        self.stack.last().map(|(frame, _)| *frame)
    }

    /// Handles one byte inside a quoted string; returns how many bytes were consumed.
    fn string_char(
        &mut self,
        c: u8,
        next: Option<u8>,
        after: Option<u8>,
        scan: &mut Scan,
    ) -> usize {
        match c {
            b'\\' => 2,
            b'"' => {
                self.stack.pop();
                1
            }
            // `$${` and `%%{` are escapes for a literal `${` / `%{`.
            b'$' | b'%' if next == Some(c) && after == Some(b'{') => 3,
            b'$' | b'%' if next == Some(b'{') => {
                self.open(Frame::Interp, scan);
                2
            }
            _ => 1,
        }
    }

    /// Handles a closing bracket; returns the group of the frame it closed, if any.
    fn close(&mut self, c: u8) -> Option<u32> {
        match self.stack.last().copied() {
            Some((Frame::Interp, _)) if c != b'}' => None,
            Some((Frame::Brace | Frame::Bracket | Frame::Paren | Frame::Interp, group)) => {
                self.stack.pop();
                Some(group)
            }
            Some((Frame::Str, _)) | None => None,
        }
    }
}

/// `rest` follows a `<<`; if it is `-`? IDENT and then only whitespace, returns the heredoc mode.
fn heredoc_opener(rest: &str) -> Option<Mode<'_>> {
    let (flush, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let n = ident_len(rest)?;
    rest[n..]
        .trim_matches(WS)
        .is_empty()
        .then_some(Mode::Heredoc {
            marker: &rest[..n],
            flush,
        })
}

// ---------------------------------------------------------------------------------------------
// Line-level syntax
// ---------------------------------------------------------------------------------------------

/// Byte length of the HCL identifier at the start of `s`, if any.
fn ident_len(s: &str) -> Option<usize> {
    let mut chars = s.char_indices();
    let (_, first) = chars.next()?;
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    Some(
        chars
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .map_or(s.len(), |(i, _)| i),
    )
}

/// Byte length of the simple quoted string (no template sequences) at the start of `s`, if any.
fn quoted_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            b'$' | b'%' if b.get(i + 1) == Some(&b'{') => return None,
            _ => i += 1,
        }
    }
    None
}

/// Splits `key = value` (the whole trimmed line) into key and value.
///
/// The key is an identifier or a simple quoted string; the `=` must not be part of `==` or `=>`.
fn parse_assignment(content: &str) -> Option<(&str, &str)> {
    let n = ident_len(content).or_else(|| quoted_len(content))?;
    let rest = content[n..].trim_start_matches(WS).strip_prefix('=')?;
    if rest.starts_with(['=', '>']) {
        return None;
    }
    Some((&content[..n], rest.trim_start_matches(WS)))
}

/// Rewrites a block header `type "label" ident {...` with single spaces between the header tokens
/// and one space before `{`. Returns `None` if `content` is not a block header.
fn normalize_block_header(content: &str) -> Option<String> {
    let first = ident_len(content)?;
    let mut header = String::with_capacity(content.len() + 2);
    header.push_str(&content[..first]);
    let mut rest = &content[first..];
    loop {
        let token = rest.trim_start_matches(WS);
        if let Some(after) = token.strip_prefix('{') {
            header.push_str(" {");
            header.push_str(after);
            return Some(header);
        }
        let n = ident_len(token).or_else(|| quoted_len(token))?;
        header.push(' ');
        header.push_str(&token[..n]);
        rest = &token[n..];
    }
}

// ---------------------------------------------------------------------------------------------
// Whole-file passes
// ---------------------------------------------------------------------------------------------

/// Applies the blank-line rules.
fn drop_blank_lines(lines: Vec<Line<'_>>) -> Vec<Line<'_>> {
    let mut out: Vec<Line<'_>> = Vec::with_capacity(lines.len());
    for line in lines {
        match &line {
            Line::Blank => match out.last() {
                None | Some(Line::Blank) => continue,
                Some(Line::Code(prev)) if prev.opens_brace => continue,
                _ => {}
            },
            Line::Code(code) if code.starts_with_close_brace => {
                if matches!(out.last(), Some(Line::Blank)) {
                    out.pop();
                }
            }
            _ => {}
        }
        out.push(line);
    }
    // Trailing blank lines (also whitespace-only lines of an unterminated heredoc or comment).
    while out.last().is_some_and(|line| match line {
        Line::Blank => true,
        Line::Verbatim(text) => text.trim_matches(WS).is_empty(),
        Line::Code(_) => false,
    }) {
        out.pop();
    }
    out
}

/// The indentation and key width of a line that can take part in `=` alignment.
fn alignable(line: &Line<'_>) -> Option<(usize, usize)> {
    match line {
        Line::Code(CodeLine {
            indent,
            assign: Some(assign),
            ..
        }) if assign.alignable => Some((*indent, assign.key_width())),
        _ => None,
    }
}

/// Aligns the `=` of runs of consecutive assignments at the same depth.
fn align_assignments(lines: &mut [Line<'_>]) {
    let mut start = 0;
    while start < lines.len() {
        let Some((indent, _)) = alignable(&lines[start]) else {
            start += 1;
            continue;
        };
        let mut end = start;
        let mut width = 0;
        while let Some((d, w)) = lines.get(end).and_then(alignable) {
            if d != indent {
                break;
            }
            width = width.max(w);
            end += 1;
        }
        for line in &mut lines[start..end] {
            if let Line::Code(CodeLine {
                assign: Some(assign),
                ..
            }) = line
            {
                assign.pad = width.saturating_sub(assign.key_width());
            }
        }
        start = end;
    }
}

fn render(lines: &[Line<'_>], size_hint: usize) -> String {
    let mut out = String::with_capacity(size_hint + size_hint / 4);
    for line in lines {
        match line {
            Line::Verbatim(text) => out.push_str(text),
            Line::Blank => {}
            Line::Code(code) => {
                for _ in 0..code.indent {
                    out.push_str("  ");
                }
                match &code.assign {
                    Some(assign) => {
                        out.push_str(assign.key);
                        for _ in 0..assign.pad {
                            out.push(' ');
                        }
                        out.push_str(" =");
                        if !assign.value.is_empty() {
                            out.push(' ');
                            out.push_str(assign.value);
                        }
                    }
                    None => out.push_str(&code.text),
                }
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
