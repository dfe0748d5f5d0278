//! Configuration files and the diagnostics that point into them.
//!
//! Every config error is a [`ConfigError`]: a message, a stable code, the file and the
//! byte span of the token at fault, a label and a help line, rendered by miette with a
//! caret under the source. A run collects all of them into [`ConfigErrors`] instead of
//! stopping at the first.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::structure::Body;
use hcl_edit::visit::Visit;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::cloud::alibaba::Direction;

/// One configuration file.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// How messages name it (the path as given, relative to where dtsform runs).
    pub name: String,
    pub text: Arc<str>,
}

/// Index of a file in [`Sources`].
pub type FileId = usize;

/// The files of one configuration.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: PathBuf, name: String, text: String) -> FileId {
        self.files.push(SourceFile {
            path,
            name,
            text: Arc::from(text),
        });
        self.files.len() - 1
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// Replaces each byte of `spans` in the text of file `id` by `*`, so that no
    /// diagnostic's source snippet can show what was there (see [`secret_literals`]).
    /// Spans stay valid: the text keeps its length in bytes. A quoted string keeps its
    /// quotes, which show that a literal is there. The syntax tree, parsed before, keeps
    /// the real values.
    pub fn mask(&mut self, id: FileId, spans: &[Range<usize>]) {
        if spans.is_empty() {
            return;
        }
        let file = &mut self.files[id];
        let mut bytes = file.text.as_bytes().to_vec();
        for range in spans {
            let Some(text) = file.text.get(range.clone()) else {
                continue;
            };
            let inner = if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
                range.start + 1..range.end - 1
            } else {
                range.clone()
            };
            bytes[inner].fill(b'*');
        }
        // Whole characters were replaced by ASCII, so the text is still UTF-8.
        if let Ok(masked) = String::from_utf8(bytes) {
            file.text = Arc::from(masked);
        }
    }

    /// `file:line:column` of a span's start, 1-based, for messages without a caret.
    pub fn location(&self, span: Span) -> String {
        let file = self.get(span.file);
        let before = &file.text[..span.start.min(file.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{column}", file.name)
    }
}

/// The spans of literals that are secrets, for [`Sources::mask`]: every literal (string,
/// number, the text of a template) of `secret` expressions (a password written into the
/// configuration, the default of a sensitive variable, a var-file entry for one), and the
/// literals inside `sensitive(...)` calls anywhere in `body`.
pub fn secret_literals<'e>(
    secret: impl IntoIterator<Item = &'e Expression>,
    body: Option<&Body>,
) -> Vec<Range<usize>> {
    let mut literals = Literals {
        everywhere: true,
        ..Literals::default()
    };
    for expr in secret {
        literals.visit_expr(expr);
    }
    literals.everywhere = false;
    if let Some(body) = body {
        literals.visit_body(body);
    }
    literals.spans
}

/// Collects the spans of literals: all of them, or those inside `sensitive(...)`.
#[derive(Default)]
struct Literals {
    spans: Vec<Range<usize>>,
    everywhere: bool,
    /// How many `sensitive(...)` calls the visit is inside.
    in_sensitive: usize,
}

impl Literals {
    fn add(&mut self, item: &impl hcl_edit::Span) {
        if self.everywhere || self.in_sensitive > 0 {
            self.spans.extend(item.span());
        }
    }
}

impl Visit for Literals {
    fn visit_func_call(&mut self, node: &FuncCall) {
        let sensitive = !node.name.is_namespaced() && node.name.name.as_str() == "sensitive";
        self.in_sensitive += usize::from(sensitive);
        hcl_edit::visit::visit_func_call(self, node);
        self.in_sensitive -= usize::from(sensitive);
    }

    fn visit_string(&mut self, node: &hcl_edit::Decorated<String>) {
        self.add(node);
    }

    fn visit_number(&mut self, node: &hcl_edit::Formatted<hcl_edit::Number>) {
        self.add(node);
    }

    fn visit_literal(&mut self, node: &hcl_edit::Spanned<String>) {
        self.add(node);
    }
}

/// A byte range in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: range.start,
            end: range.end,
        }
    }

    /// From this span's start to the end of `item` (in the same file).
    #[must_use]
    pub fn extend_to(self, item: &impl hcl_edit::Span) -> Span {
        let end = Span::of(self.file, item).end.max(self.end);
        Span::new(self.file, self.start..end)
    }

    /// The span of an hcl-edit item, or the start of the file when it has none.
    pub fn of(file: FileId, item: &impl hcl_edit::Span) -> Span {
        Span::new(file, item.span().unwrap_or(0..0))
    }
}

/// One configuration problem, located.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub code: &'static str,
    pub message: String,
    pub location: Option<Located>,
    pub help: Option<String>,
    /// Set when the problem is a refusal to lose objects (the lost-object guard's):
    /// the job and every object it names, however many the message lists, so a report
    /// (`plan --json`, `--markdown`) can show each one.
    pub refused: Option<Box<Refused>>,
}

/// What a refusal names, whole: the job, and the objects that would have stopped
/// replicating (or, for a protected one, the object protected).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// `alicloud_dts_job.NAME`.
    pub job: String,
    /// The direction of a two-way job whose object list is refused (`Forward` for
    /// every other job).
    pub direction: Direction,
    pub objects: Vec<RefusedObject>,
}

/// One object a refusal names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedObject {
    /// As users write it: `shop.orders`, `shop.*` for a narrowing, `*` for a whole
    /// instance narrowed to a list.
    pub address: String,
    /// The address's names, outermost first (empty for a whole instance).
    pub path: Vec<String>,
    /// `database`, `table`, ... or `instance`.
    pub kind: &'static str,
    /// The object and everything inside it (1 for a narrowing: what it takes is unknown).
    pub objects: usize,
    /// Everything in the object but what the new list names would go.
    pub narrowing: bool,
}

/// Where a problem is: the named file text and the span with its label, and other places
/// in that file it involves (each with its own label).
#[derive(Clone)]
pub struct Located {
    pub file: FileId,
    pub source: NamedSource<Arc<str>>,
    pub span: Range<usize>,
    pub label: String,
    pub also: Vec<(Range<usize>, String)>,
}

impl fmt::Debug for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Located")
            .field("file", &self.source.name())
            .field("span", &self.span)
            .field("label", &self.label)
            .field("also", &self.also)
            .finish()
    }
}

/// A diagnostic still missing its help line. Every config error tells the user how to
/// proceed, so the only way to a [`ConfigError`] is [`NeedsHelp::help`].
#[must_use = "a diagnostic needs a help line: call .help(...)"]
pub struct NeedsHelp {
    error: ConfigError,
    /// Places in other files than the caret's, each named on a line after the help.
    elsewhere: Vec<String>,
}

impl NeedsHelp {
    fn new(error: ConfigError) -> NeedsHelp {
        NeedsHelp {
            error,
            elsewhere: Vec::new(),
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> ConfigError {
        let mut help = help.into();
        if !self.elsewhere.is_empty() {
            help = format!("{help}\n{}", self.elsewhere.join("\n"));
        }
        self.error.help = Some(help);
        self.error
    }

    /// Another place the problem involves, such as the first of two declarations: labelled
    /// beside the caret when it is in the same file, else named (`LABEL: file:line:col`)
    /// on a line after the help.
    pub fn also(mut self, sources: &Sources, span: Span, label: impl Into<String>) -> NeedsHelp {
        let label = label.into();
        match &mut self.error.location {
            Some(located) if located.file == span.file => {
                let end = span.end.min(sources.get(span.file).text.len());
                let range = span.start.min(end)..end;
                if range != located.span {
                    located.also.push((range, label));
                }
            }
            _ => self
                .elsewhere
                .push(format!("{label}: {}", sources.location(span))),
        }
        self
    }

    /// Marks the problem as a refusal to lose objects, naming them all (see
    /// [`ConfigError::refused`]).
    pub fn refusing(mut self, refused: Refused) -> NeedsHelp {
        self.error.refused = Some(Box::new(refused));
        self
    }

    /// `help` if there is one, else `fallback`.
    pub fn help_or(self, help: Option<String>, fallback: impl Into<String>) -> ConfigError {
        let help = help.unwrap_or_else(|| fallback.into());
        self.help(help)
    }
}

impl ConfigError {
    /// An error at `span`, labelled `label`.
    pub fn at(
        sources: &Sources,
        span: Span,
        code: &'static str,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> NeedsHelp {
        let file = sources.get(span.file);
        let end = span.end.min(file.text.len());
        NeedsHelp::new(ConfigError {
            code,
            message: message.into(),
            location: Some(Located {
                file: span.file,
                source: NamedSource::new(file.name.clone(), file.text.clone()),
                span: span.start.min(end)..end,
                label: label.into(),
                also: Vec::new(),
            }),
            help: None,
            refused: None,
        })
    }

    /// An error that belongs to no one place.
    pub fn general(code: &'static str, message: impl Into<String>) -> NeedsHelp {
        NeedsHelp::new(ConfigError {
            code,
            message: message.into(),
            location: None,
            help: None,
            refused: None,
        })
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("dtsform::{}", self.code)))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.location.as_ref().map(|l| &l.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let located = self.location.as_ref()?;
        let primary =
            LabeledSpan::new_primary_with_span(Some(located.label.clone()), located.span.clone());
        let also = located
            .also
            .iter()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), span.clone()));
        Some(Box::new(std::iter::once(primary).chain(also)))
    }
}

/// Every problem of one run.
#[derive(Debug, Clone, Default)]
pub struct ConfigErrors {
    pub errors: Vec<ConfigError>,
}

impl ConfigErrors {
    pub fn push(&mut self, error: ConfigError) {
        self.errors.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn extend(&mut self, other: ConfigErrors) {
        self.errors.extend(other.errors);
    }

    /// `Err(self)` if there are errors, else `Ok(value)`.
    pub fn into_result<T>(self, value: T) -> Result<T, ConfigErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Each error as its own report, ready to print.
    pub fn into_reports(self) -> Vec<miette::Report> {
        self.errors.into_iter().map(miette::Report::new).collect()
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(error: ConfigError) -> Self {
        ConfigErrors {
            errors: vec![error],
        }
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.len() {
            1 => write!(f, "{}", self.errors[0]),
            n => write!(f, "{n} errors in the configuration"),
        }
    }
}

impl std::error::Error for ConfigErrors {}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Parses one file of `sources`, turning a syntax error into a located diagnostic.
pub fn parse(sources: &Sources, id: FileId) -> Result<Body, ConfigError> {
    let text = &sources.get(id).text;
    // Editors that save "UTF-8 with BOM" put U+FEFF first; the parser would only say
    // "syntax error" at 1:1, about a character nobody can see.
    if text.starts_with('\u{feff}') {
        return Err(ConfigError::at(
            sources,
            Span::new(id, 0..'\u{feff}'.len_utf8()),
            "syntax",
            "the file starts with a UTF-8 byte-order mark (BOM), which the HCL parser does not accept",
            "an invisible byte-order mark",
        )
        .help("save the file as UTF-8 without a BOM (editors call it \"UTF-8\" rather than \"UTF-8 with BOM\")"));
    }
    hcl_edit::parser::parse_body(text).map_err(|e| {
        let offset = e.location().offset().min(text.len());
        // Underline the whole word at the error, or one character.
        let word = text[offset..]
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
            .map_or(text.len() - offset, |(i, _)| i);
        let end = if word > 0 {
            offset + word
        } else {
            text[offset..]
                .chars()
                .next()
                .map_or(offset, |c| offset + c.len_utf8())
        };
        ConfigError::at(
            sources,
            Span::new(id, offset..end),
            "syntax",
            format!("syntax error: {}", e.message()),
            "here",
        )
        .help("fix the HCL syntax; `dtsform fmt` only formats files that parse")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_named_not_a_bare_syntax_error() {
        let mut s = Sources::default();
        let id = s.add(
            "main.hcl".into(),
            "main.hcl".into(),
            "\u{feff}provider \"alicloud\" {}\n".into(),
        );
        let e = parse(&s, id).unwrap_err();
        assert!(e.message.contains("byte-order mark"), "{}", e.message);
        let help = e.help.as_deref().unwrap_or_default();
        assert!(help.contains("without a BOM"), "{help}");
        // The same text without it parses.
        let plain = s.add(
            "plain.hcl".into(),
            "plain.hcl".into(),
            "provider \"alicloud\" {}\n".into(),
        );
        assert!(parse(&s, plain).is_ok());
    }

    #[test]
    fn suggestions_for_typos_only() {
        let known = ["dts_job_id", "dts_instance_id", "status", "database"];
        assert_eq!(did_you_mean("dts_jobid", known), Some("dts_job_id"));
        assert_eq!(did_you_mean("statsu", known), Some("status"));
        assert_eq!(did_you_mean("completely_else", known), None);
    }

    #[test]
    fn other_places_are_labelled_in_the_same_file_and_named_from_another() {
        let mut s = Sources::default();
        let a = s.add(
            "a.hcl".into(),
            "a.hcl".into(),
            "id = \"x\"\nid = \"x\"\n".into(),
        );
        let b = s.add("b.hcl".into(), "b.hcl".into(), "id = \"x\"\n".into());
        let e = ConfigError::at(&s, Span::new(a, 16..19), "dup", "twice", "again")
            .also(&s, Span::new(a, 5..8), "first")
            .also(
                &s,
                Span::new(a, 16..19),
                "the caret's own span is not repeated",
            )
            .also(&s, Span::new(b, 5..8), "also")
            .help("keep one");
        let located = e.location.as_ref().unwrap();
        assert_eq!(located.also, [(5..8, "first".to_owned())]);
        assert_eq!(e.help.as_deref(), Some("keep one\nalso: b.hcl:1:6"));
        let labels: Vec<_> = Diagnostic::labels(&e).unwrap().collect();
        assert_eq!(labels.len(), 2);
        assert!(labels[0].primary() && !labels[1].primary());
    }

    #[test]
    fn masking_hides_literals_and_keeps_spans() {
        let mut s = Sources::default();
        let text =
            "pw = \"sé-cret\"\nother = format(\"%s:${sensitive(\"x\")}-42\", sensitive(7))\n";
        let id = s.add("a.hcl".into(), "a.hcl".into(), text.into());
        let body = hcl_edit::parser::parse_body(text).unwrap();
        let pw = body.get_attribute("pw").map(|a| &a.value);
        s.mask(id, &secret_literals(pw, Some(&body)));
        let masked = &s.get(id).text;
        assert_eq!(masked.len(), text.len());
        assert_eq!(
            &**masked,
            "pw = \"********\"\nother = format(\"%s:${sensitive(\"*\")}-42\", sensitive(*))\n"
        );
    }

    #[test]
    fn locations_are_one_based() {
        let mut s = Sources::default();
        let id = s.add("a.hcl".into(), "a.hcl".into(), "x = 1\n  y = 2\n".into());
        assert_eq!(s.location(Span::new(id, 8..9)), "a.hcl:2:3");
    }
}
