//! The size budget of a pull-request comment: GitHub refuses a comment body longer than
//! [`COMMENT_LIMIT`]. A report is written at the most detailed [`Detail`] that fits;
//! each step down leaves out something a reviewer can find in the plan file, and
//! [`Omitted`] says what. Removals are not part of the budget's choices: they are
//! always written whole, every object named (only their layout gets denser).

use std::fmt::Write as _;

/// GitHub's limit on a comment body.
pub const COMMENT_LIMIT: usize = 65_536;

/// A text's size as GitHub counts it: UTF-16 code units, never fewer than its
/// characters.
pub fn size(text: &str) -> usize {
    text.encode_utf16().count()
}

/// How much a comment shows besides removals, most first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Detail {
    /// Everything, with each job's payload diff in a collapsed `<details>`.
    Full,
    /// Payload diffs left out.
    NoPayloadDiffs,
    /// Changed values left out: which attributes change, not from what to what.
    ChangedNames,
    /// Added and changed objects counted per job, not listed.
    CountsPerJob,
    /// One table of counts for all jobs that change; notes left out.
    JobTable,
    /// The totals only.
    Totals,
}

impl Detail {
    /// Every level, most detailed first.
    pub const ALL: [Detail; 6] = [
        Detail::Full,
        Detail::NoPayloadDiffs,
        Detail::ChangedNames,
        Detail::CountsPerJob,
        Detail::JobTable,
        Detail::Totals,
    ];
}

/// What a comment left out to stay within the budget.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Omitted {
    pub payload_diffs: usize,
    pub changed_values: usize,
    pub objects_added: usize,
    pub objects_changed: usize,
    pub job_sections: usize,
    /// Jobs left out with their counts too (only the totals are shown).
    pub job_counts: usize,
    pub unchanged_jobs: usize,
    pub notes: usize,
    pub diagnostic_texts: usize,
}

impl Omitted {
    pub fn is_empty(&self) -> bool {
        *self == Omitted::default()
    }

    /// `the payload diffs of 3 jobs; 1,200 added objects (counted, not listed)` — what
    /// was left out, or an empty string.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut part = |n: usize, one: &str, many: &str| {
            if n > 0 {
                parts.push(format!(
                    "{} {}",
                    thousands(n),
                    if n == 1 { one } else { many }
                ));
            }
        };
        part(
            self.payload_diffs,
            "job's payload diff",
            "jobs' payload diffs",
        );
        part(
            self.changed_values,
            "changed value (its name is shown)",
            "changed values (their names are shown)",
        );
        part(
            self.objects_added,
            "added object (counted, not listed)",
            "added objects (counted, not listed)",
        );
        part(
            self.objects_changed,
            "changed object (counted, not listed)",
            "changed objects (counted, not listed)",
        );
        part(
            self.job_sections,
            "job's details (its counts are in the table)",
            "jobs' details (their counts are in the table)",
        );
        part(
            self.job_counts,
            "job's details and counts (the totals are shown)",
            "jobs' details and counts (the totals are shown)",
        );
        part(
            self.unchanged_jobs,
            "job without changes (not named)",
            "jobs without changes (not named)",
        );
        part(self.notes, "note", "notes");
        part(
            self.diagnostic_texts,
            "error's source excerpt",
            "errors' source excerpts",
        );
        parts.join("; ")
    }
}

/// `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A comment written within a budget.
#[derive(Debug, Clone)]
pub struct Fitted {
    pub text: String,
    /// The level it was written at.
    pub detail: Detail,
    /// False when even the least detailed form is longer than the budget: what must
    /// never be left out (removals, refusals) does not fit in one comment.
    pub fits: bool,
}

/// The first of `attempts` whose text fits `limit` (in [`size`]); the last one when
/// none does.
pub fn fit<I>(limit: usize, attempts: I) -> Fitted
where
    I: IntoIterator<Item = (Detail, String)>,
{
    let mut last = None;
    for (detail, text) in attempts {
        if size(&text) <= limit {
            return Fitted {
                text,
                detail,
                fits: true,
            };
        }
        last = Some((detail, text));
    }
    let (detail, text) = last.unwrap_or((Detail::Totals, String::new()));
    Fitted {
        fits: size(&text) <= limit,
        text,
        detail,
    }
}

/// `n thing` or `n things`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    let mut out = thousands(n);
    let _ = write!(out, " {}", if n == 1 { one } else { many });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn the_first_attempt_that_fits_wins_and_the_last_stands_when_none_does() {
        let attempts = || {
            vec![
                (Detail::Full, "x".repeat(20)),
                (Detail::NoPayloadDiffs, "x".repeat(10)),
                (Detail::Totals, "x".repeat(5)),
            ]
        };
        let fitted = fit(12, attempts());
        assert_eq!((fitted.detail, fitted.fits), (Detail::NoPayloadDiffs, true));
        let fitted = fit(3, attempts());
        assert_eq!((fitted.detail, fitted.fits), (Detail::Totals, false));
    }

    #[test]
    fn size_counts_utf16_units() {
        assert_eq!(size("abc"), 3);
        assert_eq!(size("é"), 1);
        assert_eq!(size("⚠️"), 2);
        assert_eq!(size("😀"), 2);
    }

    #[test]
    fn omissions_are_described_in_words() {
        let omitted = Omitted {
            payload_diffs: 3,
            objects_added: 1200,
            ..Omitted::default()
        };
        assert_eq!(
            omitted.describe(),
            "3 jobs' payload diffs; 1,200 added objects (counted, not listed)"
        );
    }
}
