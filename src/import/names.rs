//! Resource names for imported jobs: readable (from the job's name, else its id), valid
//! HCL identifiers, unique among every resource of the configuration, and stable — the
//! same job gets the same name on every run, whatever else is imported with it.

use std::collections::HashSet;

/// Names already taken, compared as the configuration compares resource names.
#[derive(Debug, Default)]
pub struct Taken(HashSet<String>);

impl Taken {
    pub fn new(names: impl IntoIterator<Item = String>) -> Taken {
        Taken(names.into_iter().collect())
    }

    /// A name for the job `job_id` named `job_name`: the job name as an identifier
    /// (`shop-sync` → `shop_sync`); if that is taken, or the name has no letters or
    /// digits, the job id is added (`shop_sync_k2gm967v16f`) or used alone.
    pub fn name_for(&mut self, job_name: &str, job_id: &str) -> String {
        let id = slug(job_id);
        let candidates = match slug(job_name) {
            name if name.is_empty() => vec![id.clone()],
            name if name == id => vec![name],
            name => vec![name.clone(), format!("{name}_{id}")],
        };
        let mut name = candidates
            .iter()
            .find(|c| !c.is_empty() && !self.0.contains(c.as_str()))
            .cloned()
            .unwrap_or_else(|| candidates.last().cloned().unwrap_or_default());
        if name.is_empty() {
            "job".clone_into(&mut name);
        }
        // Two jobs whose ids differ only in what a slug drops: count up.
        let base = name.clone();
        let mut n = 2;
        while self.0.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.0.insert(name.clone());
        name
    }
}

/// `text` as an HCL identifier in Terraform's style: lower case, letters (any script)
/// and digits kept, every run of anything else one `_`, no `_` at either end, and `job_`
/// in front of a leading digit. Empty when `text` has no letters or digits.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() || (!c.is_ascii() && continues_identifier(c)) {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_end_matches('_');
    match trimmed.chars().next() {
        None => String::new(),
        Some(first) if !starts_identifier(first) => format!("job_{trimmed}"),
        Some(_) => trimmed.to_owned(),
    }
}

fn starts_identifier(c: char) -> bool {
    hcl::Identifier::new(c.to_string()).is_ok()
}

fn continues_identifier(c: char) -> bool {
    c.is_alphanumeric() && hcl::Identifier::new(format!("a{c}")).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_job_name_in_identifier_form() {
        assert_eq!(slug("shop-sync"), "shop_sync");
        assert_eq!(slug("  Shop Sync (prod) "), "shop_sync_prod");
        assert_eq!(slug("订单-同步"), "订单_同步");
        assert_eq!(slug("Über--Daten"), "über_daten");
        assert_eq!(slug("2024 migration"), "job_2024_migration");
        assert_eq!(slug("dts-6r2kq0mz"), "dts_6r2kq0mz");
        assert_eq!(slug("---"), "");
        for s in ["shop_sync", "订单_同步", "job_2024_migration", "über_daten"] {
            assert!(hcl::Identifier::new(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn names_are_unique_and_stable() {
        let mut taken = Taken::new(["shop_sync".to_owned()]);
        assert_eq!(
            taken.name_for("shop-sync", "k2gm967v16f"),
            "shop_sync_k2gm967v16f"
        );
        assert_eq!(taken.name_for("", "k9"), "k9");
        assert_eq!(taken.name_for("!!!", "dts-1a"), "dts_1a");
        assert_eq!(taken.name_for("crm", "m1"), "crm");
        assert_eq!(taken.name_for("crm", "m2"), "crm_m2");
        assert_eq!(taken.name_for("crm", "M2"), "crm_m2_2");
        // The same job on another run, with other jobs beside it: the same name.
        let mut again = Taken::new(["shop_sync".to_owned(), "other".to_owned()]);
        assert_eq!(
            again.name_for("shop-sync", "k2gm967v16f"),
            "shop_sync_k2gm967v16f"
        );
    }
}
