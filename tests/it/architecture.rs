//! The crate's layers, checked from its source rather than by eye (issue 10, point 3).
//!
//! Every file under `src/` is parsed (`syn`), the module tree is rebuilt from `mod`
//! declarations as rustc finds them (`x.rs` or `x/mod.rs`, inline modules), and every
//! path that names an item of the crate is resolved to the file that *defines* it:
//! `use crate::…`, `use super::…`, `use self::…`, `use child::…`, the same paths written
//! in code, in macro arguments and in serde's `with = "…"` strings. Paths through a
//! `use` binding (a re-export, or a module imported by name) are followed to the item's
//! own file. That gives a graph of files: A → B when A names something defined in B.
//!
//! What counts as an import cycle, and why:
//!
//! * The nodes are files, not folders. A folder is a module too, but a circle between
//!   two files of one folder (`objects/diff.rs` ↔ `objects/normalize.rs`) is exactly
//!   the kind a reader trips over, and a folder-level graph would hide it.
//! * Declaring a child (`mod x;`) is not an import: it is the module tree itself.
//! * A parent that only re-exports its children's items (`pub use x::Item;`, the
//!   folder's face) does not depend on them: a path through the re-export is resolved
//!   to the child, so the face adds no edge. A parent that *uses* a child's item in its
//!   own code does depend on it, and so does a child that uses its parent's items: when
//!   both happen, the parent is at once the folder's vocabulary and its orchestrator,
//!   and that circle is reported like any other (the cure is to give the shared
//!   vocabulary its own file, or to keep the parent a face).
//! * Test code (`#[cfg(test)]` modules and items, `tests.rs` files) is left out: a test
//!   may reach in from anywhere without making the library circular.
//!
//! A second rule: only `src/cli` (and the emulator itself) may name `crate::emulator`.
//! The emulator is a tool the command line starts; no layer of the pipeline (config,
//! objects, guard, plan, render, apply) nor the cloud clients may lean on it.
//!
//! A violation that must be tolerated for a while is listed below with a reason. The
//! lists are exact — a listed violation that no longer exists fails the test too — so
//! they cannot outlive the code they excuse. Today they are empty.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// Import cycles tolerated for now: the files of each cycle (a strongly connected
/// component of the graph, in any order), and why it still stands.
const KNOWN_CYCLES: &[(&[&str], &str)] = &[];

/// Files outside `src/cli` and `src/emulator` that still name `crate::emulator`, and why.
const KNOWN_EMULATOR_IMPORTS: &[(&str, &str)] = &[];

#[test]
fn modules_import_each_other_in_one_direction_only() {
    let crate_ = Crate::load();
    let graph = crate_.file_graph();
    let found: BTreeMap<BTreeSet<String>, String> = graph
        .cycles()
        .into_iter()
        .map(|files| {
            let report = graph.describe_cycle(&files);
            (files.into_iter().collect(), report)
        })
        .collect();
    let known: BTreeSet<BTreeSet<String>> = KNOWN_CYCLES
        .iter()
        .map(|(files, _)| files.iter().map(|f| (*f).to_owned()).collect())
        .collect();

    let mut problems = String::new();
    for (files, report) in &found {
        if !known.contains(files) {
            let _ = writeln!(problems, "a new import cycle:\n{report}");
        }
    }
    for files in &known {
        if !found.contains_key(files) {
            let _ = writeln!(
                problems,
                "KNOWN_CYCLES lists {files:?}, which is no longer a cycle: remove it from the list"
            );
        }
    }
    assert!(problems.is_empty(), "{problems}");
}

#[test]
fn only_the_command_line_starts_the_emulator() {
    let found = Crate::load().emulator_imports();
    let known: BTreeSet<&str> = KNOWN_EMULATOR_IMPORTS.iter().map(|(f, _)| *f).collect();
    let mut problems = String::new();
    for (file, lines) in &found {
        if !known.contains(file.as_str()) {
            let _ = writeln!(
                problems,
                "{file} names crate::emulator (only src/cli may):\n{}",
                lines.join("\n")
            );
        }
    }
    for file in &known {
        if !found.contains_key(*file) {
            let _ = writeln!(
                problems,
                "KNOWN_EMULATOR_IMPORTS lists {file}, which no longer names crate::emulator: remove it from the list"
            );
        }
    }
    assert!(problems.is_empty(), "{problems}");
}

#[test]
fn the_checker_sees_a_circle_between_two_files_and_ignores_a_face() {
    let crate_ = Crate::from_sources(&[
        (
            "src/lib.rs",
            "pub mod a; pub mod b; pub mod face; mod other;",
        ),
        ("src/a.rs", "use crate::b::B; pub struct A;"),
        (
            "src/b.rs",
            "pub struct B; fn f() -> crate::a::A { crate::a::A }",
        ),
        (
            "src/face/mod.rs",
            "mod inner; pub use inner::Inner; pub struct Shared;",
        ),
        (
            "src/face/inner.rs",
            "use super::Shared; pub struct Inner(Shared);",
        ),
        (
            "src/other.rs",
            "use crate::face::Inner; #[cfg(test)] mod tests { use crate::other::*; }",
        ),
    ]);
    let graph = crate_.file_graph();
    let cycles = graph.cycles();
    assert_eq!(cycles, [vec!["src/a.rs".to_owned(), "src/b.rs".to_owned()]]);
    let report = graph.describe_cycle(&cycles[0]);
    assert!(report.contains("src/a.rs:1"), "{report}");
    assert!(report.contains("src/b.rs:1"), "{report}");
    // `crate::face::Inner` resolves through the re-export to the file that defines it.
    assert!(
        graph
            .edges
            .contains_key(&("src/other.rs".to_owned(), "src/face/inner.rs".to_owned()))
    );
    assert!(
        !graph
            .edges
            .keys()
            .any(|(from, to)| from == "src/face/mod.rs" && to == "src/face/inner.rs"),
        "a re-export alone is not an import"
    );
}

#[test]
fn the_checker_finds_the_emulator_named_outside_the_command_line() {
    let crate_ = Crate::from_sources(&[
        ("src/lib.rs", "pub mod cli; pub mod emulator; pub mod plan;"),
        (
            "src/emulator/mod.rs",
            "pub mod world; pub use world::World;",
        ),
        ("src/emulator/world.rs", "pub struct World;"),
        ("src/cli/mod.rs", "use crate::emulator::World;"),
        (
            "src/plan/mod.rs",
            "use crate::emulator;\nfn f() { let _ = emulator::World; }",
        ),
    ]);
    let found = crate_.emulator_imports();
    assert_eq!(found.keys().collect::<Vec<_>>(), ["src/plan/mod.rs"]);
    assert_eq!(
        found["src/plan/mod.rs"],
        [
            "    src/plan/mod.rs:1: use crate::emulator;",
            "    src/plan/mod.rs:2: fn f() { let _ = emulator::World; }"
        ]
    );
}

// ------------------------------------------------------------------------------------
// The module tree

/// A path named somewhere in a module, as written (`super::x::Y`).
#[derive(Debug, Clone)]
struct Reference {
    segments: Vec<String>,
    line: usize,
    /// A `use` leaf (as opposed to a path in code).
    from_use: bool,
}

/// A name a `use` brings into a module, and the absolute path it stands for.
#[derive(Debug, Clone)]
struct Binding {
    target: Vec<String>,
    public: bool,
}

#[derive(Debug)]
struct Module {
    /// `crate::objects::diff`.
    path: String,
    /// `src/objects/diff.rs`; inline modules share their file's.
    file: String,
    parent: Option<usize>,
    children: BTreeMap<String, usize>,
    test: bool,
    bindings: BTreeMap<String, Binding>,
    references: Vec<Reference>,
    /// Single-name paths in code (`Behaviour { .. }`), to tell a face from a user.
    names_in_code: BTreeSet<String>,
}

struct Crate {
    modules: Vec<Module>,
    sources: BTreeMap<String, String>,
}

/// Where a path leads: a module itself, or an item defined in a module.
#[derive(Debug, Clone, Copy)]
enum Target {
    Module(usize),
    Item(usize),
}

impl Target {
    fn module(self) -> usize {
        match self {
            Self::Module(m) | Self::Item(m) => m,
        }
    }
}

impl Crate {
    /// The library crate, from `src/lib.rs`.
    fn load() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = BTreeMap::new();
        collect_sources(root, Path::new("src"), &mut sources);
        Self::from_map(sources)
    }

    fn from_sources(files: &[(&str, &str)]) -> Self {
        Self::from_map(
            files
                .iter()
                .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
                .collect(),
        )
    }

    fn from_map(sources: BTreeMap<String, String>) -> Self {
        let mut crate_ = Self {
            modules: Vec::new(),
            sources,
        };
        let file = crate_.parse("src/lib.rs");
        crate_.add_module("crate", "src/lib.rs", None, false, "src", &file.items);
        crate_
    }

    fn parse(&self, path: &str) -> syn::File {
        let text = self
            .sources
            .get(path)
            .unwrap_or_else(|| panic!("{path} is declared as a module but does not exist"));
        syn::parse_file(text).unwrap_or_else(|e| {
            let at = e.span().start();
            panic!("{path}:{}:{}: cannot parse: {e}", at.line, at.column + 1)
        })
    }

    /// Adds a module and, recursively, its children. `child_dir` is where the files of
    /// `mod x;` declared in it live.
    fn add_module(
        &mut self,
        path: &str,
        file: &str,
        parent: Option<usize>,
        test: bool,
        child_dir: &str,
        items: &[syn::Item],
    ) -> usize {
        let index = self.modules.len();
        self.modules.push(Module {
            path: path.to_owned(),
            file: file.to_owned(),
            parent,
            children: BTreeMap::new(),
            test,
            bindings: BTreeMap::new(),
            references: Vec::new(),
            names_in_code: BTreeSet::new(),
        });
        let mut collector = Collector::default();
        for item in items {
            let item_test = test || is_cfg_test(item_attrs(item));
            match item {
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    let child_path = format!("{path}::{name}");
                    let child = if let Some((_, inner)) = &m.content {
                        let dir = format!("{child_dir}/{name}");
                        self.add_module(&child_path, file, Some(index), item_test, &dir, inner)
                    } else {
                        let (child_file, dir) = self.module_file(child_dir, &name, &m.attrs);
                        let parsed = self.parse(&child_file);
                        self.add_module(
                            &child_path,
                            &child_file,
                            Some(index),
                            item_test,
                            &dir,
                            &parsed.items,
                        )
                    };
                    self.modules[index].children.insert(name, child);
                }
                syn::Item::Use(u) => {
                    let public = !matches!(u.vis, syn::Visibility::Inherited);
                    let mut leaves = Vec::new();
                    flatten_use(&u.tree, &mut Vec::new(), &mut leaves);
                    for (segments, alias) in leaves {
                        let line = u.use_token.span.start().line;
                        if !item_test {
                            self.modules[index].references.push(Reference {
                                segments: segments.clone(),
                                line,
                                from_use: true,
                            });
                        }
                        if let Some(alias) = alias {
                            // Resolved to absolute form once the whole tree is known.
                            self.modules[index].bindings.insert(
                                alias,
                                Binding {
                                    target: segments,
                                    public,
                                },
                            );
                        }
                    }
                }
                other if !item_test => collector.visit_item(other),
                _ => {}
            }
        }
        let module = &mut self.modules[index];
        module.references.extend(collector.references);
        module.names_in_code = collector.names;
        if parent.is_none() {
            self.absolutize_bindings();
        }
        index
    }

    /// The file of `mod name;` declared in a module whose children live in `dir`, and
    /// where that file's own children live.
    fn module_file(&self, dir: &str, name: &str, attrs: &[syn::Attribute]) -> (String, String) {
        if let Some(path) = attrs.iter().find_map(path_attribute) {
            let file = format!("{dir}/{path}");
            let child_dir = file.trim_end_matches(".rs").to_owned();
            return (file, child_dir);
        }
        let flat = format!("{dir}/{name}.rs");
        if self.sources.contains_key(&flat) {
            (flat, format!("{dir}/{name}"))
        } else {
            (format!("{dir}/{name}/mod.rs"), format!("{dir}/{name}"))
        }
    }

    /// Rewrites every binding's target from "as written" to an absolute `crate::…` path;
    /// bindings of other crates' names are dropped.
    fn absolutize_bindings(&mut self) {
        for index in 0..self.modules.len() {
            let bindings = std::mem::take(&mut self.modules[index].bindings);
            let absolute = bindings
                .into_iter()
                .filter_map(|(name, binding)| {
                    let target = self.absolute(index, &binding.target)?;
                    Some((name, Binding { target, ..binding }))
                })
                .collect();
            self.modules[index].bindings = absolute;
        }
    }

    /// `segments`, written in module `from`, as a path from the crate root; `None` for a
    /// path into another crate. Bindings are not expanded.
    fn absolute(&self, from: usize, segments: &[String]) -> Option<Vec<String>> {
        let (mut module, mut rest) = match segments.first().map(String::as_str) {
            Some("crate") => (0, &segments[1..]),
            Some("self") => (from, &segments[1..]),
            Some("super") => (self.modules[from].parent?, &segments[1..]),
            Some(first) if self.modules[from].children.contains_key(first) => (from, segments),
            _ => return None,
        };
        while rest.first().map(String::as_str) == Some("super") {
            module = self.modules[module].parent?;
            rest = &rest[1..];
        }
        let mut path: Vec<String> = self.modules[module]
            .path
            .split("::")
            .map(str::to_owned)
            .collect();
        path.extend(rest.iter().cloned());
        Some(path)
    }

    /// Where a path written in module `from` leads, following `use` bindings.
    fn resolve(&self, from: usize, segments: &[String]) -> Option<Target> {
        let absolute = self.absolute(from, segments).or_else(|| {
            // A path through a name the module imported (`alibaba::JobStatus`).
            let (first, rest) = segments.split_first()?;
            let binding = self.modules[from].bindings.get(first)?;
            let mut path = binding.target.clone();
            path.extend(rest.iter().cloned());
            Some(path)
        })?;
        self.resolve_absolute(&absolute, 0)
    }

    fn resolve_absolute(&self, path: &[String], depth: usize) -> Option<Target> {
        if depth > 32 || path.first().map(String::as_str) != Some("crate") {
            return None;
        }
        let mut module = 0;
        for (i, segment) in path.iter().enumerate().skip(1) {
            if let Some(child) = self.modules[module].children.get(segment) {
                module = *child;
                continue;
            }
            if let Some(binding) = self.modules[module].bindings.get(segment) {
                let mut next = binding.target.clone();
                next.extend(path[i + 1..].iter().cloned());
                return self.resolve_absolute(&next, depth + 1);
            }
            return Some(Target::Item(module));
        }
        Some(Target::Module(module))
    }

    /// Every non-test reference, with the module it is written in.
    fn references(&self) -> impl Iterator<Item = (usize, Reference)> + '_ {
        self.modules
            .iter()
            .enumerate()
            .filter(|(_, m)| !m.test)
            .flat_map(|(i, m)| m.references.iter().map(move |r| (i, r.clone())))
    }

    fn is_descendant(&self, mut module: usize, ancestor: usize) -> bool {
        while let Some(parent) = self.modules[module].parent {
            if parent == ancestor {
                return true;
            }
            module = parent;
        }
        false
    }

    /// A re-export of a descendant's item that the module's own code does not use: the
    /// folder's face, not a dependency.
    fn is_face(&self, module: usize, reference: &Reference, target: Target) -> bool {
        let m = &self.modules[module];
        let Some(name) = reference.segments.last() else {
            return false;
        };
        let bound = m
            .bindings
            .iter()
            .find(|(alias, b)| b.public && (*alias == name || b.target.last() == Some(name)))
            .map(|(alias, _)| alias);
        reference.from_use
            && bound.is_some_and(|alias| !m.names_in_code.contains(alias))
            && self.is_descendant(target.module(), module)
    }

    fn file_graph(&self) -> FileGraph {
        let mut edges: BTreeMap<(String, String), BTreeSet<(bool, usize)>> = BTreeMap::new();
        for (module, reference) in self.references() {
            let Some(target) = self.resolve(module, &reference.segments) else {
                continue;
            };
            let Target::Item(defined_in) = target else {
                continue;
            };
            let (from, to) = (&self.modules[module].file, &self.modules[defined_in].file);
            if from == to
                || self.modules[defined_in].test
                || self.is_face(module, &reference, target)
            {
                continue;
            }
            edges
                .entry((from.clone(), to.clone()))
                .or_default()
                .insert((!reference.from_use, reference.line));
        }
        FileGraph {
            edges,
            sources: self.sources.clone(),
        }
    }

    /// Files outside `src/cli` and `src/emulator` that name anything of
    /// `crate::emulator`, with the lines that do.
    fn emulator_imports(&self) -> BTreeMap<String, Vec<String>> {
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (module, reference) in self.references() {
            let file = &self.modules[module].file;
            if file.starts_with("src/cli/") || file.starts_with("src/emulator/") {
                continue;
            }
            let Some(target) = self.resolve(module, &reference.segments) else {
                continue;
            };
            if self.modules[target.module()]
                .path
                .starts_with("crate::emulator")
            {
                found
                    .entry(file.clone())
                    .or_default()
                    .push(self.line(file, reference.line));
            }
        }
        found
    }

    /// `src/x.rs:12: use crate::…;` — the line as written.
    fn line(&self, file: &str, line: usize) -> String {
        source_line(&self.sources, file, line)
    }
}

fn source_line(sources: &BTreeMap<String, String>, file: &str, line: usize) -> String {
    let text = sources
        .get(file)
        .and_then(|s| s.lines().nth(line.saturating_sub(1)))
        .unwrap_or_default();
    format!("    {file}:{line}: {}", text.trim())
}

struct FileGraph {
    /// (importer, defining file) → the importer's lines that name it: (written in code
    /// rather than in a `use`, line).
    edges: BTreeMap<(String, String), BTreeSet<(bool, usize)>>,
    sources: BTreeMap<String, String>,
}

impl FileGraph {
    /// Each import cycle: the files of a strongly connected component, in an order that
    /// follows the imports.
    fn cycles(&self) -> Vec<Vec<String>> {
        let files: Vec<&String> = self
            .edges
            .keys()
            .flat_map(|(a, b)| [a, b])
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let index = |f: &String| files.binary_search(&f).unwrap_or_default();
        let edges = self.edges.keys().map(|(a, b)| (index(a), index(b)));
        match dtsform::util::graph::order(files.len(), edges) {
            Ok(_) => Vec::new(),
            Err(cycles) => cycles
                .into_iter()
                .map(|cycle| cycle.into_iter().map(|i| files[i].clone()).collect())
                .collect(),
        }
    }

    /// The cycle whole: every import between its files, with the lines that make it
    /// (its `use` lines; the first paths written in code when there is no `use`).
    fn describe_cycle(&self, files: &[String]) -> String {
        const SHOWN: usize = 3;
        let mut out = format!("  {}\n", files.join(" → "));
        for ((from, to), lines) in &self.edges {
            if !(files.contains(from) && files.contains(to)) {
                continue;
            }
            let _ = writeln!(out, "  {from} imports {to}:");
            let uses: Vec<usize> = lines
                .iter()
                .filter(|(code, _)| !code)
                .map(|l| l.1)
                .collect();
            let shown: Vec<usize> = if uses.is_empty() {
                lines.iter().map(|l| l.1).collect()
            } else {
                uses
            };
            for line in shown.iter().take(SHOWN) {
                let _ = writeln!(out, "{}", source_line(&self.sources, from, *line));
            }
            if shown.len() > SHOWN {
                let _ = writeln!(out, "    … and {} more", shown.len() - SHOWN);
            }
        }
        out
    }
}

// ------------------------------------------------------------------------------------
// Reading source

fn collect_sources(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let relative = path.strip_prefix(root).unwrap().to_path_buf();
        if path.is_dir() {
            collect_sources(root, &relative, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            let key = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.insert(key, text);
        }
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// `#[cfg(test)]`, alone or inside `all(..)`.
fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta.require_list().is_ok_and(|list| {
                let text = list.tokens.to_string();
                text == "test" || (text.starts_with("all") && text.contains("test"))
            })
    })
}

/// The file named by `#[path = "…"]`.
fn path_attribute(attr: &syn::Attribute) -> Option<String> {
    let syn::Meta::NameValue(nv) = &attr.meta else {
        return None;
    };
    if !nv.path.is_ident("path") {
        return None;
    }
    match &nv.value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// Each leaf of a `use` tree: its full path and the name it binds (`None` for a glob).
fn flatten_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                out.push((prefix.clone(), prefix.last().cloned()));
            } else {
                let mut path = prefix.clone();
                path.push(name.clone());
                out.push((path, Some(name)));
            }
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            let name = r.ident.to_string();
            if name != "self" {
                path.push(name);
            }
            out.push((path, Some(r.rename.to_string())));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), None)),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                flatten_use(tree, prefix, out);
            }
        }
    }
}

/// Paths of two or more segments in code, macro arguments and attribute strings, and
/// single names in code.
#[derive(Default)]
struct Collector {
    references: Vec<Reference>,
    names: BTreeSet<String>,
}

impl Collector {
    fn push(&mut self, segments: Vec<String>, line: usize) {
        if segments.len() >= 2 {
            self.references.push(Reference {
                segments,
                line,
                from_use: false,
            });
        }
    }

    /// `a::b::c` sequences in a token stream (macro arguments are not parsed as Rust).
    fn scan(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                TokenTree::Group(g) => {
                    self.scan(g.stream());
                    i += 1;
                }
                TokenTree::Ident(first) => {
                    let line = first.span().start().line;
                    let mut segments = vec![first.to_string()];
                    let mut j = i + 1;
                    while let (
                        Some(TokenTree::Punct(a)),
                        Some(TokenTree::Punct(b)),
                        Some(TokenTree::Ident(next)),
                    ) = (tokens.get(j), tokens.get(j + 1), tokens.get(j + 2))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        segments.push(next.to_string());
                        j += 3;
                    }
                    self.names.insert(first.to_string());
                    self.push(segments, line);
                    i = j;
                }
                TokenTree::Literal(lit) => {
                    self.string_path(&lit.to_string(), lit.span().start().line);
                    i += 1;
                }
                TokenTree::Punct(_) => i += 1,
            }
        }
    }

    /// A string literal that holds a path (`deserialize_with = "lenient::opt_i64"`).
    fn string_path(&mut self, literal: &str, line: usize) {
        let Some(text) = literal.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
            return;
        };
        let segments: Vec<String> = text.split("::").map(str::to_owned).collect();
        let is_path = segments.len() >= 2
            && segments.iter().all(|s| {
                !s.is_empty()
                    && s.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
                    && !s.starts_with(|c: char| c.is_ascii_digit())
            });
        if is_path {
            self.push(segments, line);
        }
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() {
            let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if let [name] = segments.as_slice() {
                self.names.insert(name.clone());
            }
            let line = path
                .segments
                .first()
                .map_or(0, |s| s.ident.span().start().line);
            self.push(segments, line);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.scan(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let syn::Meta::List(list) = &attr.meta {
            self.scan(list.tokens.clone());
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        // A `use` inside a function body: an import like any other.
        let mut leaves = Vec::new();
        flatten_use(&item.tree, &mut Vec::new(), &mut leaves);
        let line = item.use_token.span.start().line;
        for (segments, _) in leaves {
            self.references.push(Reference {
                segments,
                line,
                from_use: true,
            });
        }
    }

    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {}

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_cfg_test(&item.attrs) {
            syn::visit::visit_item_fn(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        if !is_cfg_test(&item.attrs) {
            syn::visit::visit_impl_item_fn(self, item);
        }
    }
}
