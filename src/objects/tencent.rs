//! Tencent Cloud's `DatabaseInfo` (ModifyMigrateJob, API 2018-03-30) ⇄ the canonical
//! object tree, so Tencent jobs get the same diff, guard and rendering as Alibaba's.
//!
//! `DatabaseInfo` is a JSON array held in a string (reference §4.2):
//!
//! * `{"Database":"db2"}` — the whole database;
//! * `{"Database":"db1","Table":["t1","t2"]}` — these tables of it;
//! * `{"Database":"db1","Schema":"s1"}` / `{"Database":"db1","Schema":"s1","Table":[...]}`
//!   — the same one level down, for database → schema → table engines;
//! * `[]` — the **whole instance**. It is its own value ([`DatabaseInfo::WholeInstance`]),
//!   never an empty tree: an empty list of objects is not a way to say "everything", and
//!   [`render`] refuses to produce one. An absent or empty string is not `[]`: it says
//!   nothing, and is refused (a job whose list cannot be read is never written to).
//!
//! In the tree a database, schema or table is a node whose `name` is its own name (DTS
//! has no renames here) and whose `all` says whether it is taken whole. Entries naming
//! the same database or schema twice are merged, and everything is sorted, so two
//! spellings of one list give one tree. A key dtsform does not know (a `View` list, say)
//! may name objects the tree would not see, which a write would drop: such a list is
//! refused, never read.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Kind, Node, ObjectTree};

/// A parsed `DatabaseInfo`.
#[derive(Debug, Clone, PartialEq)]
pub enum DatabaseInfo {
    /// `[]`: every database of the source instance.
    WholeInstance,
    /// These objects.
    Objects(ObjectTree),
}

/// The keys of an entry dtsform interprets.
const KNOWN: &[&str] = &["Database", "Schema", "Table"];

/// Parses `DatabaseInfo` text.
pub fn parse(text: &str) -> Result<DatabaseInfo, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(
            "DatabaseInfo is empty; it must list objects, or be [] for the whole instance".into(),
        );
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("DatabaseInfo is not valid JSON: {e}"))?;
    from_value(&value)
}

/// Parses a `DatabaseInfo` array (or a string holding one).
pub fn from_value(value: &Value) -> Result<DatabaseInfo, String> {
    let entries = match value {
        Value::String(text) => return parse(text),
        Value::Array(entries) => entries,
        _ => return Err("DatabaseInfo must be a JSON array of {\"Database\": ...} entries".into()),
    };
    if entries.is_empty() {
        return Ok(DatabaseInfo::WholeInstance);
    }
    let mut tree = ObjectTree::default();
    for (i, entry) in entries.iter().enumerate() {
        let Value::Object(entry) = entry else {
            return Err(format!("DatabaseInfo entry {i} is not a JSON object"));
        };
        let name = |key: &str| -> Result<Option<&str>, String> {
            match entry.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
                Some(_) => Err(format!(
                    "DatabaseInfo entry {i}: {key} must be a non-empty string"
                )),
            }
        };
        let database =
            name("Database")?.ok_or_else(|| format!("DatabaseInfo entry {i} has no Database"))?;
        let schema = name("Schema")?;
        let tables: Option<Vec<&str>> = match entry.get("Table") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|t| match t {
                        Value::String(s) if !s.is_empty() => Ok(s.as_str()),
                        _ => Err(format!(
                            "DatabaseInfo entry {i}: Table must list non-empty names"
                        )),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Some(_) => {
                return Err(format!(
                    "DatabaseInfo entry {i}: Table must be an array of names"
                ));
            }
        };
        if let Some(key) = entry.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(format!(
                "DatabaseInfo entry {i} has {key:?}, which dtsform does not know: it may name objects that a new list would drop"
            ));
        }

        let db = tree
            .databases
            .entry(database.to_owned())
            .or_insert_with(|| object(database, false));
        let holder = match schema {
            None => db,
            Some(schema) => db
                .container_mut(Kind::Schema)
                .nodes
                .entry(schema.to_owned())
                .or_insert_with(|| object(schema, false)),
        };
        match tables {
            // An empty Table list names nothing; taken as the whole database or schema.
            None => {
                holder.attrs.insert("all".into(), Value::Bool(true));
            }
            Some(tables) if tables.is_empty() => {
                holder.attrs.insert("all".into(), Value::Bool(true));
            }
            Some(tables) => {
                let container = holder.container_mut(Kind::Table);
                for t in tables {
                    container.nodes.insert(t.to_owned(), object(t, true));
                }
            }
        }
    }
    Ok(DatabaseInfo::Objects(tree))
}

fn object(name: &str, all: bool) -> Node {
    let mut node = Node::default();
    node.attrs.insert("name".into(), Value::String(name.into()));
    node.attrs.insert("all".into(), Value::Bool(all));
    node
}

/// Writes `info` as compact `DatabaseInfo` text, sorted (the form dtsform sends).
pub fn render(info: &DatabaseInfo) -> Result<String, Vec<String>> {
    Ok(Value::Array(entries(info)?).to_string())
}

/// Writes `info` pretty-printed, one key per line (for diffs).
pub fn render_pretty(info: &DatabaseInfo) -> Result<String, Vec<String>> {
    serde_json::to_string_pretty(&Value::Array(entries(info)?)).map_err(|e| vec![e.to_string()])
}

/// Reads a tree as Tencent would store it, i.e. through [`render`] and [`parse`]:
/// the canonical form to compare with a live `DatabaseInfo`.
pub fn canonical(tree: &ObjectTree) -> Result<ObjectTree, Vec<String>> {
    let text = render(&DatabaseInfo::Objects(tree.clone()))?;
    match parse(&text) {
        Ok(DatabaseInfo::Objects(tree)) => Ok(tree),
        Ok(DatabaseInfo::WholeInstance) => Err(vec!["the object list is empty".into()]),
        Err(e) => Err(vec![e]),
    }
}

fn entries(info: &DatabaseInfo) -> Result<Vec<Value>, Vec<String>> {
    let DatabaseInfo::Objects(tree) = info else {
        return Ok(Vec::new());
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    if tree.databases.is_empty() {
        errors.push(
            "the object list is empty; the whole instance must be asked for explicitly".into(),
        );
    }
    for (db, node) in &tree.databases {
        let address = db.clone();
        check_node(&address, Kind::Database, db, node, &mut errors);
        let mut wrote = false;
        let mut schemas = BTreeMap::new();
        let mut tables = Vec::new();
        for (kind, name, child) in node.children() {
            match kind {
                Kind::Schema => {
                    schemas.insert(name, child);
                }
                Kind::Table => {
                    check_node(&format!("{db}.{name}"), kind, name, child, &mut errors);
                    tables.push(name);
                }
                other => errors.push(format!(
                    "{other} {db}.{name}: Tencent DTS migrates databases, schemas and tables only"
                )),
            }
        }
        let whole = node.attrs.get("all") == Some(&Value::Bool(true));
        if whole && (!tables.is_empty() || !schemas.is_empty()) {
            errors.push(format!(
                "database {db} is taken whole (all = true) and also lists its objects; do one or the other"
            ));
        }
        if whole || !tables.is_empty() {
            let mut entry = base(db, None);
            if !whole {
                tables.sort_unstable();
                entry.insert(
                    "Table".into(),
                    Value::Array(tables.iter().map(|t| Value::String((*t).into())).collect()),
                );
            }
            out.push(Value::Object(entry));
            wrote = true;
        }
        for (schema, child) in schemas {
            let at = format!("{db}.{schema}");
            check_node(&at, Kind::Schema, schema, child, &mut errors);
            let mut tables = Vec::new();
            for (kind, name, table) in child.children() {
                if kind == Kind::Table {
                    check_node(&format!("{at}.{name}"), kind, name, table, &mut errors);
                    tables.push(name);
                } else {
                    errors.push(format!(
                        "{kind} {at}.{name}: Tencent DTS migrates databases, schemas and tables only"
                    ));
                }
            }
            let whole = child.attrs.get("all") == Some(&Value::Bool(true));
            if whole && !tables.is_empty() {
                errors.push(format!(
                    "schema {at} is taken whole (all = true) and also lists tables; do one or the other"
                ));
            }
            if !whole && tables.is_empty() {
                errors.push(format!(
                    "schema {at} lists no tables and is not taken whole"
                ));
            }
            let mut entry = base(db, Some(schema));
            if !whole {
                tables.sort_unstable();
                entry.insert(
                    "Table".into(),
                    Value::Array(tables.iter().map(|t| Value::String((*t).into())).collect()),
                );
            }
            out.push(Value::Object(entry));
            wrote = true;
        }
        if !wrote {
            errors.push(format!(
                "database {db} lists no tables or schemas and is not taken whole"
            ));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// An entry's `Database` (and `Schema`) keys.
fn base(db: &str, schema: Option<&str>) -> Map<String, Value> {
    let mut entry = Map::new();
    entry.insert("Database".into(), Value::String(db.into()));
    if let Some(schema) = schema {
        entry.insert("Schema".into(), Value::String(schema.into()));
    }
    entry
}

/// What `DatabaseInfo` cannot say about a node: a rename, a filter, operation lists.
fn check_node(address: &str, kind: Kind, key: &str, node: &Node, errors: &mut Vec<String>) {
    if let Some(name) = node.attrs.get("name")
        && name.as_str() != Some(key)
    {
        errors.push(format!(
            "{kind} {address}: Tencent DTS migrates objects under their own names; it cannot rename to {name}"
        ));
    }
    // Anything else would not be sent: DatabaseInfo says nothing but names.
    for attr in node.attrs.keys() {
        if !matches!(attr.as_str(), "name" | "all" | "state") {
            errors.push(format!(
                "{kind} {address}: Tencent DTS migration takes no {attr}"
            ));
        }
    }
    if kind == Kind::Table
        && node
            .containers
            .values()
            .any(|c| matches!(c.kind, Kind::Column | Kind::AttachColumn) && !c.nodes.is_empty())
    {
        errors.push(format!(
            "table {address}: Tencent DTS migration cannot select columns"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(text: &str) -> ObjectTree {
        match parse(text).unwrap() {
            DatabaseInfo::Objects(tree) => tree,
            DatabaseInfo::WholeInstance => panic!("whole instance"),
        }
    }

    #[test]
    fn both_documented_forms_parse_into_the_tree_and_back() {
        for text in [
            r#"[{"Database":"db1","Table":["table1","table2"]},{"Database":"db2"}]"#,
            r#"[{"Database":"db1","Schema":"s1","Table":["table1","table2"]},{"Database":"db1","Schema":"s2","Table":["table1","table2"]},{"Database":"db2","Schema":"s1","Table":["table1","table2"]},{"Database":"db3"},{"Database":"db4","Schema":"s1"}]"#,
        ] {
            let tree = objects(text);
            let back = render(&DatabaseInfo::Objects(tree.clone())).unwrap();
            assert_eq!(back, text, "already canonical");
            assert_eq!(objects(&back), tree);
        }
        let tree = objects(r#"[{"Database":"db1","Table":["t1","t2"]},{"Database":"db2"}]"#);
        assert_eq!(tree.count(), 4);
        let db1 = &tree.databases["db1"];
        assert_eq!(db1.attrs["all"], Value::Bool(false));
        assert!(db1.child(Kind::Table, "t2").is_some());
        assert_eq!(tree.databases["db2"].attrs["all"], Value::Bool(true));
    }

    #[test]
    fn spellings_of_one_list_give_one_tree() {
        let a = objects(r#"[{"Database":"b"},{"Database":"a","Table":["y","x"]}]"#);
        let b = objects(
            r#"[ {"Table":["x"],"Database":"a"}, {"Database":"a","Table":["y","x"]}, {"Database":"b","Table":[]} ]"#,
        );
        assert_eq!(a, b);
        assert_eq!(
            render(&DatabaseInfo::Objects(a)).unwrap(),
            r#"[{"Database":"a","Table":["x","y"]},{"Database":"b"}]"#
        );
    }

    #[test]
    fn the_whole_instance_is_its_own_value_and_never_an_accident() {
        for text in ["[]", " [ ] ", "\"[]\""] {
            assert_eq!(
                parse(text).unwrap(),
                DatabaseInfo::WholeInstance,
                "{text:?}"
            );
        }
        assert_eq!(render(&DatabaseInfo::WholeInstance).unwrap(), "[]");
        let errors = render(&DatabaseInfo::Objects(ObjectTree::default())).unwrap_err();
        assert!(errors[0].contains("explicitly"), "{errors:?}");
    }

    #[test]
    fn what_database_info_cannot_say_is_refused_by_name() {
        let tree = ObjectTree::from_json(
            r#"{"shop":{"name":"shop_copy","all":false,"Table":{"orders":{"name":"orders","all":true,"filter":"id > 3","column":{"id":{"name":"id"}}}}},"empty":{"name":"empty","all":false},"both":{"name":"both","all":true,"Table":{"t":{"name":"t","all":true}}},"v":{"name":"v","all":false,"View":{"x":{"name":"x","all":true}}}}"#,
        )
        .unwrap();
        let errors = render(&DatabaseInfo::Objects(tree)).unwrap_err().join("\n");
        for expected in [
            "database shop: Tencent DTS migrates objects under their own names; it cannot rename to \"shop_copy\"",
            "table shop.orders: Tencent DTS migration takes no filter",
            "table shop.orders: Tencent DTS migration cannot select columns",
            "database empty lists no tables or schemas",
            "database both is taken whole (all = true) and also lists its objects",
            "view v.x: Tencent DTS migrates databases, schemas and tables only",
        ] {
            assert!(errors.contains(expected), "{expected}\nin\n{errors}");
        }
    }

    #[test]
    fn malformed_lists_are_errors_not_panics() {
        for text in [
            "{",
            "{}",
            "[1]",
            r#"[{"Table":["t"]}]"#,
            r#"[{"Database":""}]"#,
            r#"[{"Database":"d","Table":"t"}]"#,
            r#"[{"Database":"d","Table":[1]}]"#,
            r#"[{"Database":"d","Schema":3}]"#,
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    /// A key dtsform does not know may name objects (a `View` list): the list is
    /// refused rather than read without them, so that no write can drop them.
    #[test]
    fn unknown_keys_make_the_list_unreadable() {
        for text in [
            r#"[{"Database":"d","Table":["t"],"View":["v1"]}]"#,
            r#"[{"Database":"d","table":["t"]}]"#,
            r#"[{"Database":"d","NewDatabase":"d2"}]"#,
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains("dtsform does not know"), "{text}: {e}");
        }
    }

    #[test]
    fn an_empty_or_missing_list_is_not_the_whole_instance() {
        for text in ["", "  ", "\"\""] {
            assert!(parse(text).is_err(), "{text:?}");
        }
        let e = from_value(&Value::Null).unwrap_err();
        assert!(e.contains("array"), "{e}");
    }

    #[test]
    fn a_config_tree_reads_back_as_the_live_one_would() {
        // As database blocks decode: all = true only where nothing is listed.
        let config = ObjectTree::from_json(
            r#"{"shop":{"name":"shop","all":false,"Table":{"orders":{"name":"orders","all":true}}},"audit":{"name":"audit","all":true}}"#,
        )
        .unwrap();
        let live = objects(r#"[{"Database":"audit"},{"Database":"shop","Table":["orders"]}]"#);
        assert_eq!(canonical(&config).unwrap(), live);
    }
}
