//! The process environment as a value, so code that reads credentials or variables is
//! hermetic in tests: commands build one [`Environment`] at start-up and pass it down.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Environment variables and the home directory.
#[derive(Clone, Default)]
pub struct Environment {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
}

impl Environment {
    /// Snapshot of the real process environment.
    pub fn from_process() -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect::<BTreeMap<_, _>>();
        let home = vars.get("HOME").map(PathBuf::from);
        Self { vars, home }
    }

    /// An empty environment (no variables, no home), for tests.
    pub fn empty() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn with_var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }

    #[must_use]
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// The variable's value; an empty value counts as unset.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }
}

/// Lists variable names only: values may be secrets.
impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environment")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("home", &self.home)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_names_not_values() {
        let env = Environment::empty().with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s3cr3t");
        let shown = format!("{env:?}");
        assert!(shown.contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET"));
        assert!(!shown.contains("s3cr3t"));
    }

    #[test]
    fn empty_value_is_unset() {
        let env = Environment::empty().with_var("X", "");
        assert_eq!(env.var("X"), None);
    }
}
