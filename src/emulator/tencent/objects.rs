//! The object list of a migration job: `DatabaseInfo`, a JSON array of databases (and
//! schemas) with their tables, checked strictly; `[]` is the whole instance.

use serde_json::Value;

/// One entry of `DatabaseInfo`: a database (optionally one schema of it), whole or
/// some of its tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub database: String,
    pub schema: Option<String>,
    /// Empty: the whole database (or schema).
    pub tables: Vec<String>,
}

impl Selection {
    /// The names this entry selects: `db` (or `db.schema`) and each `db[.schema].table`.
    pub fn names(&self) -> Vec<String> {
        let base = match &self.schema {
            Some(schema) => format!("{}.{schema}", self.database),
            None => self.database.clone(),
        };
        let mut names = vec![self.database.clone()];
        if self.schema.is_some() {
            names.push(base.clone());
        }
        names.extend(self.tables.iter().map(|t| format!("{base}.{t}")));
        names
    }
}

/// Parses `DatabaseInfo`: a JSON array of objects, each with a non-empty string
/// `Database`, optionally a string `Schema` and an array of strings `Table` — nothing
/// else. `[]` is the whole instance.
pub fn parse_database_info(text: &str) -> Result<Vec<Selection>, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
    let Value::Array(entries) = value else {
        return Err("it must be a JSON array of objects".into());
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let Value::Object(entry) = entry else {
                return Err(format!("entry {i} must be an object"));
            };
            if let Some(key) = entry
                .keys()
                .find(|k| !["Database", "Schema", "Table"].contains(&k.as_str()))
            {
                return Err(format!(
                    "entry {i} has the unknown key {key:?} (allowed: Database, Schema, Table)"
                ));
            }
            let database = match entry.get("Database") {
                Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                _ => return Err(format!("entry {i} needs a non-empty string Database")),
            };
            let schema = match entry.get("Schema") {
                None => None,
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
                Some(_) => return Err(format!("entry {i}: Schema must be a non-empty string")),
            };
            let tables = match entry.get("Table") {
                None => Vec::new(),
                Some(Value::Array(tables)) => tables
                    .iter()
                    .map(|t| match t {
                        Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
                        _ => Err(format!(
                            "entry {i}: Table must be an array of non-empty strings"
                        )),
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(format!("entry {i}: Table must be an array of strings")),
            };
            Ok(Selection {
                database,
                schema,
                tables,
            })
        })
        .collect()
}

/// The first selected name (`db`, `db.table`, `db.schema.table`) that `missing` lists.
pub fn first_missing(selections: &[Selection], missing: &[String]) -> Option<String> {
    selections
        .iter()
        .flat_map(Selection::names)
        .find(|name| missing.iter().any(|m| m == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_info_is_validated_strictly() {
        let ok = parse_database_info(r#"[{"Database":"db1","Table":["t1","t2"]},{"Database":"db2"},{"Database":"db4","Schema":"s1"}]"#).unwrap();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[0].tables, ["t1", "t2"]);
        assert_eq!(ok[2].schema.as_deref(), Some("s1"));
        assert!(parse_database_info("[]").unwrap().is_empty());
        for (bad, why) in [
            ("", "not valid JSON"),
            ("{}", "JSON array"),
            ("[1]", "must be an object"),
            (r#"[{"Table":["t"]}]"#, "Database"),
            (r#"[{"Database":""}]"#, "Database"),
            (r#"[{"Database":1}]"#, "Database"),
            (r#"[{"Database":"d","Table":"t"}]"#, "array"),
            (r#"[{"Database":"d","Table":[1]}]"#, "non-empty strings"),
            (r#"[{"Database":"d","Schema":7}]"#, "Schema"),
            (
                r#"[{"Database":"d","Tables":["t"]}]"#,
                "unknown key \"Tables\"",
            ),
        ] {
            let err = parse_database_info(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn selections_name_databases_schemas_and_tables() {
        let s = parse_database_info(
            r#"[{"Database":"a","Table":["t"]},{"Database":"b","Schema":"s","Table":["u"]}]"#,
        )
        .unwrap();
        let names: Vec<_> = s.iter().flat_map(Selection::names).collect();
        assert_eq!(names, ["a", "a.t", "b", "b.s", "b.s.u"]);
        assert_eq!(
            first_missing(&s, &["b.s.u".into()]).as_deref(),
            Some("b.s.u")
        );
        assert_eq!(first_missing(&s, &["a.x".into()]), None);
    }
}
