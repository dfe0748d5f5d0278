//! How much evaluating a configuration may build, in one place.
//!
//! Without limits a short configuration can ask for more memory than any machine has:
//! `for` expressions nested over `range(1000)`, a string or list doubled in a chain of
//! locals, `file("/dev/zero")`. Each limit below is far above what a DTS configuration
//! needs (an object list sent to DTS is at most 1 MB) and each is checked where values
//! grow, before the memory is taken where that can be known in advance, so a hostile or
//! mistaken configuration ends in a diagnostic that names the limit and points at the
//! expression that hit it, never in an allocation failure.
//!
//! * [`MAX_STRING_BYTES`] — one string (templates, `format`, `join`, `replace`, …);
//! * [`MAX_COLLECTION_LEN`] — the elements of one list or the attributes of one map;
//! * [`MAX_VALUE_DEPTH`] — how deeply lists and maps nest in one value;
//! * [`MAX_EXPRESSION_BYTES`] — everything one expression (an attribute, a local, a
//!   variable's default) builds or copies while it is evaluated, counted by [`Budget`]:
//!   this bounds both the size of its value and the work done to reach it;
//! * [`MAX_FILE_BYTES`] — what `file()` and `-var-file` read.
//!
//! Expression nesting is bounded by the parser: hcl-edit refuses more than 64 nested
//! levels and 128 chained binary operators, so evaluation cannot overflow the stack.

use std::cell::Cell;
use std::fmt;

use serde_json::Value;

/// Longest string an expression may build: 4 MiB.
pub const MAX_STRING_BYTES: usize = 4 << 20;

/// Most elements of one list, or attributes of one map: 100,000 (DTS takes at most 1 MB of
/// objects per job, well under 100,000 tables).
pub const MAX_COLLECTION_LEN: usize = 100_000;

/// Deepest nesting of lists and maps in one value: 128 (as for `jsondecode`).
pub const MAX_VALUE_DEPTH: usize = 128;

/// Most one expression may build or copy while it is evaluated: 256 MiB, counting each
/// value as [`VALUE_COST`] bytes plus its text. Copies count too (reading `local.big`
/// copies it), so the limit also bounds the work of loops that build nothing.
pub const MAX_EXPRESSION_BYTES: u64 = 256 << 20;

/// Largest file `file()` or `-var-file` reads: 4 MiB.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// What one value counts against [`MAX_EXPRESSION_BYTES`] besides its text: about the
/// memory a `serde_json::Value` takes.
pub const VALUE_COST: u64 = std::mem::size_of::<Value>() as u64;

/// A limit that was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    String,
    Collection,
    Depth,
    Expression,
    File,
}

impl Limit {
    /// What went over, naming the limit. A `&'static str`: it quotes no value, so it can
    /// be shown whatever is sensitive (a test keeps the numbers in step with the consts).
    pub fn message(self) -> &'static str {
        match self {
            Limit::String => "the string would be larger than 4 MiB, the limit for one string",
            Limit::Collection => {
                "the list or map would have more than 100000 elements, the limit for one collection"
            }
            Limit::Depth => {
                "the value would nest lists and maps more than 128 levels deep, the limit for nesting"
            }
            Limit::Expression => {
                "evaluating this expression builds or copies more than 256 MiB of values, the limit for one expression"
            }
            Limit::File => "the file is larger than 4 MiB, the limit for files dtsform reads",
        }
    }

    /// How to get under the limit.
    pub fn help(self) -> &'static str {
        match self {
            Limit::String | Limit::Collection | Limit::Depth | Limit::Expression => {
                "look for for expressions nested over large collections, or values doubled in a chain of locals; \"Limits\" in the README's configuration language section lists them all"
            }
            Limit::File => {
                "read a smaller file; \"Limits\" in the README's configuration language section lists them all"
            }
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// The size and shape of a value, measured without recursion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// What the value counts against [`MAX_EXPRESSION_BYTES`].
    pub cost: u64,
    /// 1 for a scalar, 2 for a list of scalars, ...
    pub depth: usize,
    pub longest_collection: usize,
    pub longest_string: usize,
}

impl Shape {
    pub fn of(value: &Value) -> Shape {
        let mut shape = Shape::default();
        let mut stack = vec![(value, 1usize)];
        while let Some((v, depth)) = stack.pop() {
            shape.cost += VALUE_COST;
            shape.depth = shape.depth.max(depth);
            match v {
                Value::String(s) => {
                    shape.cost += s.len() as u64;
                    shape.longest_string = shape.longest_string.max(s.len());
                }
                Value::Array(items) => {
                    shape.longest_collection = shape.longest_collection.max(items.len());
                    stack.extend(items.iter().map(|item| (item, depth + 1)));
                }
                Value::Object(map) => {
                    shape.longest_collection = shape.longest_collection.max(map.len());
                    for (key, item) in map {
                        shape.cost += VALUE_COST + key.len() as u64;
                        shape.longest_string = shape.longest_string.max(key.len());
                        stack.push((item, depth + 1));
                    }
                }
                Value::Null | Value::Bool(_) | Value::Number(_) => {}
            }
        }
        shape
    }

    /// The first limit this value breaks, if any (not counting [`MAX_EXPRESSION_BYTES`]).
    pub fn check(&self) -> Result<(), Limit> {
        if self.longest_string > MAX_STRING_BYTES {
            Err(Limit::String)
        } else if self.longest_collection > MAX_COLLECTION_LEN {
            Err(Limit::Collection)
        } else if self.depth > MAX_VALUE_DEPTH {
            Err(Limit::Depth)
        } else {
            Ok(())
        }
    }
}

/// What is left of one expression's [`MAX_EXPRESSION_BYTES`].
#[derive(Debug)]
pub struct Budget {
    left: Cell<u64>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            left: Cell::new(MAX_EXPRESSION_BYTES),
        }
    }
}

impl Budget {
    /// Takes `cost` from the budget, or says it is spent (and stays spent).
    pub fn charge(&self, cost: u64) -> Result<(), Limit> {
        if let Some(left) = self.left.get().checked_sub(cost) {
            self.left.set(left);
            Ok(())
        } else {
            self.left.set(0);
            Err(Limit::Expression)
        }
    }

    /// Checks a value against the limits on one value and charges its cost.
    pub fn admit(&self, value: &Value) -> Result<(), Limit> {
        let shape = Shape::of(value);
        shape.check()?;
        self.charge(shape.cost)
    }
}

/// Whether a string of `len` bytes is within [`MAX_STRING_BYTES`].
pub fn check_string(len: usize) -> Result<(), Limit> {
    if len > MAX_STRING_BYTES {
        Err(Limit::String)
    } else {
        Ok(())
    }
}

/// Whether a collection of `len` elements is within [`MAX_COLLECTION_LEN`].
pub fn check_collection(len: usize) -> Result<(), Limit> {
    if len > MAX_COLLECTION_LEN {
        Err(Limit::Collection)
    } else {
        Ok(())
    }
}

/// Reads at most [`MAX_FILE_BYTES`] from `reader`: more is [`Limit::File`], found after
/// reading one byte past the limit, whatever the source (a pipe, a device).
pub fn read_capped(reader: impl std::io::Read) -> std::io::Result<Result<Vec<u8>, Limit>> {
    crate::fsutil::read_at_most(reader, MAX_FILE_BYTES).map(|bytes| bytes.ok_or(Limit::File))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn shapes_are_measured_without_recursion() {
        let mut deep = json!(1);
        for _ in 0..100_000 {
            deep = Value::Array(vec![deep]);
        }
        let shape = Shape::of(&deep);
        assert_eq!(shape.depth, 100_001);
        assert_eq!(shape.check(), Err(Limit::Depth));
        // Dropping a value this deep would itself overflow the stack: take it apart.
        while let Value::Array(mut items) = deep {
            deep = items.pop().unwrap_or_default();
        }
        let s = json!({"ab": ["xyz", 1]});
        let shape = Shape::of(&s);
        assert_eq!(shape.cost, 5 * VALUE_COST + 2 + 3);
        assert_eq!((shape.depth, shape.longest_collection), (3, 2));
        assert_eq!(shape.check(), Ok(()));
    }

    #[test]
    fn messages_name_the_limits_as_set() {
        let mib = |n: u64| format!("{} MiB", n >> 20);
        let cases = [
            (Limit::String, mib(MAX_STRING_BYTES as u64)),
            (Limit::Collection, MAX_COLLECTION_LEN.to_string()),
            (Limit::Depth, MAX_VALUE_DEPTH.to_string()),
            (Limit::Expression, mib(MAX_EXPRESSION_BYTES)),
            (Limit::File, mib(MAX_FILE_BYTES)),
        ];
        for (limit, number) in cases {
            assert!(limit.message().contains(&number), "{limit:?}: {number}");
        }
    }

    #[test]
    fn a_spent_budget_stays_spent() {
        let b = Budget::default();
        assert_eq!(b.charge(MAX_EXPRESSION_BYTES - 1), Ok(()));
        assert_eq!(b.charge(2), Err(Limit::Expression));
        assert_eq!(b.charge(0), Ok(()));
        assert_eq!(b.charge(1), Err(Limit::Expression));
    }

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        let endless = std::io::repeat(b'x');
        assert_eq!(read_capped(endless).unwrap(), Err(Limit::File));
        let small = read_capped(&b"abc"[..]).unwrap();
        assert_eq!(small, Ok(b"abc".to_vec()));
    }
}
