//! Object addresses and patterns.
//!
//! An address names an object by the source names on the path to it:
//! `shop` (a database), `shop.orders` (a table), `shop.orders.id` (a column). A
//! segment is written in double quotes when it is empty or contains a dot, a quote, a
//! backslash, a glob character or whitespace: `"my.db".orders`; inside quotes `\"` and
//! `\\` escape.
//!
//! A [`Pattern`] is an address whose bare segments may use `*` (any run of characters)
//! and `?` (one character). A pattern matches an object and everything below it:
//! `shop.orders` covers the table and its columns, `shop.*` every table of `shop`.

use std::fmt;

/// A path of source names from the top of the tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(Vec<String>);

/// Why a string is not an address or pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("an object address cannot be empty")]
    Empty,
    #[error("segment {0} of the address is empty (two dots in a row, or a dot at an end)")]
    EmptySegment(usize),
    #[error("a quoted segment is not closed")]
    Unterminated,
    #[error("expected a dot after the quoted segment, found {0:?}")]
    JunkAfterQuote(char),
    #[error(
        "{0:?} contains a glob character; only prevent_removal patterns may use * and ? (a removal may end in .* to declare a narrowing); quote the segment if the name really contains one"
    )]
    GlobNotAllowed(String),
}

fn needs_quotes(segment: &str) -> bool {
    segment.is_empty()
        || segment.chars().any(|c| {
            matches!(c, '.' | '"' | '\\' | '*' | '?') || c.is_whitespace() || c.is_control()
        })
}

fn write_segment(f: &mut fmt::Formatter<'_>, segment: &str) -> fmt::Result {
    if needs_quotes(segment) {
        f.write_str("\"")?;
        for c in segment.chars() {
            if matches!(c, '"' | '\\') {
                f.write_str("\\")?;
            }
            write!(f, "{c}")?;
        }
        f.write_str("\"")
    } else {
        f.write_str(segment)
    }
}

/// A parsed segment: its text, and whether it was quoted (quoted text is literal).
fn parse_segments(text: &str) -> Result<Vec<(String, bool)>, AddressError> {
    if text.trim().is_empty() {
        return Err(AddressError::Empty);
    }
    let mut segments = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        let mut segment = String::new();
        let quoted = chars.peek() == Some(&'"');
        if quoted {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(AddressError::Unterminated),
                    Some('"') => break,
                    Some('\\') => segment.push(chars.next().ok_or(AddressError::Unterminated)?),
                    Some(c) => segment.push(c),
                }
            }
            match chars.peek() {
                None | Some('.') => {}
                Some(c) => return Err(AddressError::JunkAfterQuote(*c)),
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                segment.push(c);
                chars.next();
            }
            if segment.is_empty() {
                return Err(AddressError::EmptySegment(segments.len() + 1));
            }
        }
        segments.push((segment, quoted));
        match chars.next() {
            None => return Ok(segments),
            Some(_dot) if chars.peek().is_none() => {
                return Err(AddressError::EmptySegment(segments.len() + 1));
            }
            Some(_dot) => {}
        }
    }
}

impl Address {
    pub fn new<'a>(segments: impl IntoIterator<Item = &'a str>) -> Address {
        Address(segments.into_iter().map(str::to_owned).collect())
    }

    /// Parses an exact address; glob characters must be quoted.
    pub fn parse(text: &str) -> Result<Address, AddressError> {
        let segments = parse_segments(text)?;
        if let Some((s, _)) = segments
            .iter()
            .find(|(s, quoted)| !quoted && s.contains(['*', '?']))
        {
            return Err(AddressError::GlobNotAllowed(s.clone()));
        }
        Ok(Address(segments.into_iter().map(|(s, _)| s).collect()))
    }

    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// The address of a child named `name`.
    #[must_use]
    pub fn child(&self, name: &str) -> Address {
        let mut segments = self.0.clone();
        segments.push(name.to_owned());
        Address(segments)
    }

    /// Whether `self` is `other` or one of its ancestors.
    pub fn covers(&self, other: &Address) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write_segment(f, segment)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Address {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Address::parse(s)
    }
}

/// What a `removed { objects = [...] }` entry or `--allow-removal` names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Removal {
    /// The object at this address and everything inside it: `shop.legacy`.
    Object(Address),
    /// What the object at this address holds beyond what the payload lists, when it
    /// is narrowed from taken whole to a list: `shop.*`.
    Rest(Address),
}

impl Removal {
    /// `shop.orders` or `shop.*`; glob characters elsewhere must be quoted.
    pub fn parse(text: &str) -> Result<Removal, AddressError> {
        let trimmed = text.trim();
        match trimmed.strip_suffix(".*") {
            Some(container) if !container.is_empty() => {
                Address::parse(container).map(Removal::Rest)
            }
            _ => Address::parse(trimmed).map(Removal::Object),
        }
    }

    /// The object it is about.
    pub fn address(&self) -> &Address {
        match self {
            Removal::Object(a) | Removal::Rest(a) => a,
        }
    }
}

impl fmt::Display for Removal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Removal::Object(a) => write!(f, "{a}"),
            Removal::Rest(a) => write!(f, "{a}.*"),
        }
    }
}

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Glob(String),
}

/// An address with optional `*` / `?` globs in its bare segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    segments: Vec<Segment>,
    text: String,
}

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, AddressError> {
        let segments = parse_segments(text)?
            .into_iter()
            .map(|(s, quoted)| {
                if !quoted && s.contains(['*', '?']) {
                    Segment::Glob(s)
                } else {
                    Segment::Literal(s)
                }
            })
            .collect();
        Ok(Pattern {
            segments,
            text: text.trim().to_owned(),
        })
    }

    /// Whether the pattern matches `address` or one of its ancestors.
    pub fn matches(&self, address: &Address) -> bool {
        self.segments.len() <= address.0.len()
            && self
                .segments
                .iter()
                .zip(&address.0)
                .all(|(pattern, name)| match pattern {
                    Segment::Literal(l) => l == name,
                    Segment::Glob(g) => glob_match(g, name),
                })
    }
}

impl Pattern {
    /// Whether the pattern may cover something that narrowing the object at `address`
    /// removes: the object itself (or an ancestor), or anything inside it that is not
    /// one of the children `kept` names. A glob may match objects dtsform cannot see.
    pub fn may_cover_rest(&self, address: &Address, kept: &dyn Fn(&str) -> bool) -> bool {
        let depth = address.0.len();
        if self.segments.len() <= depth {
            return self.matches(address);
        }
        let prefix = Pattern {
            segments: self.segments[..depth].to_vec(),
            text: String::new(),
        };
        prefix.matches(address)
            && match &self.segments[depth] {
                Segment::Glob(_) => true,
                Segment::Literal(name) => !kept(name),
            }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `*` matches any run of characters, `?` exactly one.
fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_quotes_only_when_needed_and_round_trips() {
        for (segments, shown) in [
            (vec!["shop", "orders"], "shop.orders"),
            (vec!["my.db", "orders"], r#""my.db".orders"#),
            (vec!["a\"b", "c\\d"], r#""a\"b"."c\\d""#),
            (vec!["", "x y"], r#"""."x y""#),
            (vec!["订单", "t_1-2$"], "订单.t_1-2$"),
            (vec!["star*"], r#""star*""#),
        ] {
            let a = Address::new(segments.iter().copied());
            assert_eq!(a.to_string(), shown);
            assert_eq!(Address::parse(shown).unwrap(), a, "{shown}");
        }
    }

    #[test]
    fn parse_errors() {
        assert_eq!(Address::parse(""), Err(AddressError::Empty));
        assert_eq!(Address::parse("a..b"), Err(AddressError::EmptySegment(2)));
        assert_eq!(Address::parse("a."), Err(AddressError::EmptySegment(2)));
        assert_eq!(Address::parse(".a"), Err(AddressError::EmptySegment(1)));
        assert_eq!(Address::parse(r#""a"#), Err(AddressError::Unterminated));
        assert_eq!(
            Address::parse(r#""a"b"#),
            Err(AddressError::JunkAfterQuote('b'))
        );
        assert!(matches!(
            Address::parse("shop.*"),
            Err(AddressError::GlobNotAllowed(_))
        ));
        assert!(Pattern::parse("shop.*").is_ok());
    }

    #[test]
    fn patterns_match_objects_and_their_descendants() {
        let p = |s: &str| Pattern::parse(s).unwrap();
        let a = |s: &str| Address::parse(s).unwrap();
        assert!(p("shop.orders").matches(&a("shop.orders")));
        assert!(p("shop.orders").matches(&a("shop.orders.id")));
        assert!(!p("shop.orders").matches(&a("shop")));
        assert!(!p("shop.orders").matches(&a("shop.orders_archive")));
        assert!(p("shop.*").matches(&a("shop.orders.id")));
        assert!(!p("shop.*").matches(&a("shop")));
        assert!(p("shop.order?").matches(&a("shop.orders")));
        assert!(p("*").matches(&a("anything.at.all")));
        assert!(p("s*p.*_log").matches(&a("shop.audit_log")));
        assert!(
            !p(r#"shop."*""#).matches(&a("shop.orders")),
            "quoted * is literal"
        );
        assert!(p(r#"shop."*""#).matches(&Address::new(["shop", "*"])));
    }

    #[test]
    fn removals_name_an_object_or_the_rest_of_one() {
        let r = |s: &str| Removal::parse(s).unwrap();
        assert_eq!(
            r("shop.orders"),
            Removal::Object(Address::new(["shop", "orders"]))
        );
        assert_eq!(r("shop.*"), Removal::Rest(Address::new(["shop"])));
        assert_eq!(r(r#""my.db".*"#), Removal::Rest(Address::new(["my.db"])));
        assert_eq!(r("shop.orders.*").to_string(), "shop.orders.*");
        assert_eq!(r(r#""a*".*"#).to_string(), r#""a*".*"#);
        assert!(Removal::parse("*").is_err());
        assert!(Removal::parse("shop.*.x").is_err());
        assert!(Removal::parse("sh*p.*").is_err());
    }

    #[test]
    fn a_pattern_may_cover_what_a_narrowing_removes() {
        let p = |s: &str| Pattern::parse(s).unwrap();
        let shop = Address::new(["shop"]);
        let kept = |name: &str| name == "orders";
        assert!(p("shop").may_cover_rest(&shop, &kept), "the object itself");
        assert!(p("*").may_cover_rest(&shop, &kept), "an ancestor pattern");
        assert!(
            p("shop.*_audit").may_cover_rest(&shop, &kept),
            "a glob inside"
        );
        assert!(
            p("shop.payments").may_cover_rest(&shop, &kept),
            "an unlisted name"
        );
        assert!(
            !p("shop.orders").may_cover_rest(&shop, &kept),
            "a kept child"
        );
        assert!(!p("shop.orders.id").may_cover_rest(&shop, &kept));
        assert!(!p("crm.*").may_cover_rest(&shop, &kept), "elsewhere");
    }

    #[test]
    fn glob() {
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        assert!(glob_match("??", "订单"));
        assert!(!glob_match("?", ""));
    }
}
