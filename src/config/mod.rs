//! The configuration: all `*.hcl` files of a directory → evaluated, checked job specs.
//!
//! Loading runs in phases, each reporting every problem it finds before stopping:
//!
//! 1. **syntax** — every file parses (hcl-edit keeps spans for diagnostics);
//! 2. **declarations** — top-level blocks are `provider`, `variable`, `locals`,
//!    `resource`; names are unique;
//! 3. **values** — variables get their values ([`variables`]) and pass their
//!    `validation` blocks; locals are evaluated in dependency order (a cycle is an
//!    error naming it whole);
//! 4. **resources** — provider blocks and resources decode against their schemas. What
//!    every cloud shares is in `provider.rs`, `resource.rs` and `object_list.rs`; what
//!    one cloud has, in `alibaba.rs` (`alicloud`, `alicloud_dts_job`) or `tencent.rs`
//!    (`tencentcloud`, `tencentcloud_dts_migrate_job`), each described by a
//!    `CloudSchema` (`cloud.rs`) picked by the block's cloud in one place. Object names
//!    are non-empty and distinct under their parent, without regard to case, as are
//!    rename targets; `reserved` values are scalars; an object list nests no deeper
//!    than [`model::MAX_NESTING`], so the planner can read it back;
//! 5. **references** — `provider =` and `depends_on` point at things that exist,
//!    `depends_on` has no cycle, and no two resources manage one job.
//!
//! Nothing here touches the network; `dtsform validate` is exactly this.
//!
//! Secrets stay out of every diagnostic: values are masked by sensitivity in messages
//! ([`eval`](mod@eval)), and literals that are secrets — a password written into a file,
//! the default of a sensitive variable, a var-file entry for one — are masked in the source
//! text the diagnostics show ([`Sources::mask`]) before any diagnostic is made.
//! Evaluation is bounded by [`limits`].

mod alibaba;
mod cloud;
pub mod eval;
pub mod fmt;
pub mod functions;
pub mod limits;
pub mod model;
mod object_list;
mod provider;
mod reader;
mod resource;
pub mod source;
mod tencent;
pub mod variables;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, Body, Structure};
use hcl_edit::visit::Visit;
use serde_json::Value;

use crate::env::Environment;
use crate::util::graph;
use cloud::CloudSchema;
use eval::{Evaluated, Scope, eval};
pub use model::{
    Cloud, Config, DesiredStatus, EndpointSpec, GuardSpec, JobSpec, ProviderSpec, SecretValue,
    TencentEndpoint, TencentSpec,
};
use reader::{Diag, Reader, SECRET_ATTRIBUTES};
use resource::ResourceBlock;
pub use source::{ConfigError, ConfigErrors, Sources, Span};
use source::{FileId, did_you_mean};
use variables::Type;

/// Where variable values come from besides defaults.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `-var NAME=VALUE`, in order.
    pub vars: Vec<String>,
    /// `-var-file FILE`, in order.
    pub var_files: Vec<PathBuf>,
    /// For `DTSFORM_VAR_<name>`.
    pub env: Environment,
}

const TOP_BLOCKS: &[&str] = &["provider", "variable", "locals", "resource"];

/// What the configuration knows of `cloud`: the one place that picks a cloud's part.
fn schema(cloud: Cloud) -> &'static CloudSchema {
    match cloud {
        Cloud::Alibaba => &alibaba::CLOUD,
        Cloud::Tencent => &tencent::CLOUD,
    }
}

/// Parses every `*.hcl` file of `dir` and evaluates the configuration.
pub fn load(dir: &Path, inputs: &Inputs) -> Result<Config, ConfigErrors> {
    let mut sources = Sources::default();
    let bodies = read_dir(dir, &mut sources)?;
    mask_secret_literals(&mut sources, &bodies);
    let d = Diag::new(&sources);
    // Declaration problems do not stop the run: the offending block is skipped.
    let decls = declarations(&d, &bodies);
    let mut errors = d.take();
    let mut var_sources = Sources::default();
    let variables = resolve_variables(&d, &decls.variables, inputs, &mut var_sources);
    let locals = evaluate_locals(&d, &decls.locals, &variables, dir);
    // A variable or local without a value would make every use of it an error too.
    if d.has_errors() {
        errors.extend(d.take());
        return Err(errors);
    }
    let scope = Scope::new(&variables, &locals, dir);
    let providers: Vec<ProviderSpec> = decls
        .providers
        .iter()
        .filter_map(|(file, block)| {
            let cloud = provider::cloud_of(&d, *file, block)?;
            provider::decode_provider(&d, *file, block, &scope, schema(cloud))
        })
        .collect();
    let jobs: Vec<JobSpec> = decls
        .resources
        .iter()
        .map(|res| (schema(res.cloud).decode_job)(&d, res, &scope))
        .collect();
    check_references(&d, &providers, &jobs);
    check_job_ids(&d, &providers, &jobs);
    errors.extend(d.take());
    errors.into_result(Config {
        dir: dir.to_owned(),
        sources,
        providers,
        jobs,
    })
}

/// Reads and parses the directory's `*.hcl` files, in name order.
fn read_dir(dir: &Path, sources: &mut Sources) -> Result<Vec<(FileId, Body)>, ConfigErrors> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        ConfigError::general(
            "config_dir",
            format!(
                "cannot read the configuration directory {}: {e}",
                dir.display()
            ),
        )
        .help("pass the directory holding your *.hcl files, e.g. dtsform plan examples/quickstart")
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "hcl") && p.is_file())
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(ConfigError::general(
            "no_config",
            format!("no *.hcl files in {}", dir.display()),
        )
        .help("dtsform reads every *.hcl file of the directory given (the current one by default)")
        .into());
    }
    let mut errors = ConfigErrors::default();
    let mut bodies = Vec::new();
    for path in paths {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(
                    ConfigError::general(
                        "config_read",
                        format!("cannot read {}: {e}", path.display()),
                    )
                    .help("check that the file is readable"),
                );
                continue;
            }
        };
        let name = path.display().to_string();
        let id = sources.add(path, name, text);
        match parse(sources, id) {
            Ok(body) => bodies.push((id, body)),
            Err(e) => errors.push(e),
        }
    }
    errors.into_result(bodies)
}

/// Masks, in the source text, the literals that are secrets, so no diagnostic's snippet
/// shows them: those of resources' secret attributes, of the defaults of sensitive
/// variables, and of the arguments of `sensitive(...)` anywhere.
fn mask_secret_literals(sources: &mut Sources, bodies: &[(FileId, Body)]) {
    /// The secret expressions of a resource body.
    fn resource_body<'b>(body: &'b Body, found: &mut Vec<&'b Expression>) {
        for structure in body {
            match structure {
                Structure::Attribute(attr) if SECRET_ATTRIBUTES.contains(&attr.key.as_str()) => {
                    found.push(&attr.value);
                }
                Structure::Attribute(_) => {}
                Structure::Block(block) => resource_body(&block.body, found),
            }
        }
    }
    for (file, body) in bodies {
        let mut found = Vec::new();
        for block in body.blocks() {
            match block.ident.as_str() {
                "resource" => resource_body(&block.body, &mut found),
                "variable" if declared_sensitive(&block.body) => {
                    found.extend(block.body.get_attribute("default").map(|a| &a.value));
                }
                _ => {}
            }
        }
        sources.mask(*file, &source::secret_literals(found, Some(body)));
    }
}

/// Whether a variable block says `sensitive = true` (or `"true"`), read before evaluation.
fn declared_sensitive(body: &Body) -> bool {
    body.get_attribute("sensitive")
        .is_some_and(|a| match &a.value {
            Expression::Bool(b) => **b,
            Expression::String(s) => s.as_str() == "true",
            _ => false,
        })
}

/// Parses one file of `sources`, turning a syntax error into a located diagnostic.
pub fn parse(sources: &Sources, id: FileId) -> Result<Body, ConfigError> {
    let text = &sources.get(id).text;
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

/// The top-level blocks, sorted by kind.
#[derive(Default)]
struct Declarations<'b> {
    providers: Vec<(FileId, &'b Block)>,
    variables: Vec<(FileId, &'b Block)>,
    locals: Vec<(FileId, &'b Attribute)>,
    resources: Vec<ResourceBlock<'b>>,
}

fn declarations<'b>(d: &Diag<'_>, bodies: &'b [(FileId, Body)]) -> Declarations<'b> {
    let mut decls = Declarations::default();
    let mut variable_names: HashMap<String, Span> = HashMap::new();
    let mut local_names: HashMap<String, Span> = HashMap::new();
    let mut resource_names: HashMap<String, Span> = HashMap::new();
    for (file, body) in bodies {
        let file = *file;
        for structure in body {
            let block = match structure {
                Structure::Attribute(attr) => {
                    d.push(
                        d.at(Span::of(file, &attr.key), "top_level_attribute", format!("{} cannot be set at the top level", attr.key.as_str()), "not inside a block")
                            .help("attributes belong inside provider, variable, locals or resource blocks"),
                    );
                    continue;
                }
                Structure::Block(block) => block,
            };
            let ident = block.ident.as_str();
            let ident_span = Span::of(file, &block.ident);
            let labels: Vec<&str> = block
                .labels
                .iter()
                .map(hcl_edit::structure::BlockLabel::as_str)
                .collect();
            let header = Span::new(
                file,
                ident_span.start
                    ..block
                        .labels
                        .last()
                        .map_or(ident_span.end, |l| Span::of(file, l).end),
            );
            let wrong_labels = |expected: &str| {
                d.push(
                    d.at(
                        header,
                        "invalid_labels",
                        format!("a {ident} block takes {expected}"),
                        "wrong labels",
                    )
                    .help(format!(
                        "write {ident} {expected_example} {{ ... }}",
                        expected_example = match ident {
                            "resource" => "\"alicloud_dts_job\" \"NAME\"",
                            "locals" => "",
                            _ => "\"NAME\"",
                        }
                    )),
                );
            };
            match ident {
                "provider" => {
                    if labels.len() == 1 {
                        decls.providers.push((file, block));
                    } else {
                        wrong_labels("one label, the provider name");
                    }
                }
                "variable" => {
                    let [name] = labels.as_slice() else {
                        wrong_labels("one label, the variable name");
                        continue;
                    };
                    if let Some(first) = variable_names.insert((*name).to_owned(), header) {
                        d.push(
                            d.at(
                                header,
                                "duplicate_variable",
                                format!("variable {name:?} is declared twice"),
                                "declared again",
                            )
                            .help(format!(
                                "the first declaration is at {}",
                                d.sources.location(first)
                            )),
                        );
                        continue;
                    }
                    decls.variables.push((file, block));
                }
                "locals" => {
                    if !labels.is_empty() {
                        wrong_labels("no labels");
                        continue;
                    }
                    for structure in &block.body {
                        match structure {
                            Structure::Attribute(attr) => {
                                let span = Span::of(file, &attr.key);
                                if let Some(first) =
                                    local_names.insert(attr.key.as_str().to_owned(), span)
                                {
                                    d.push(
                                        d.at(
                                            span,
                                            "duplicate_local",
                                            format!(
                                                "local {:?} is defined twice",
                                                attr.key.as_str()
                                            ),
                                            "defined again",
                                        )
                                        .help(format!(
                                            "the first definition is at {}",
                                            d.sources.location(first)
                                        )),
                                    );
                                    continue;
                                }
                                decls.locals.push((file, attr));
                            }
                            Structure::Block(b) => d.push(
                                d.at(
                                    Span::of(file, &b.ident),
                                    "unknown_block",
                                    "locals cannot contain blocks",
                                    "a block",
                                )
                                .help("write locals { name = value } with attributes only"),
                            ),
                        }
                    }
                }
                "resource" => {
                    let [kind, name] = labels.as_slice() else {
                        wrong_labels("two labels, the type and the name");
                        continue;
                    };
                    let types = [model::ALICLOUD_DTS_JOB, model::TENCENTCLOUD_DTS_MIGRATE_JOB];
                    let Some(cloud) = Cloud::from_resource_type(kind) else {
                        let label_span = Span::of(file, &block.labels[0]);
                        let e = d.at(
                            label_span,
                            "unknown_resource_type",
                            format!("unknown resource type {kind:?}"),
                            "unknown type",
                        );
                        let e = e.help(match did_you_mean(kind, types) {
                            Some(s) => format!("did you mean {s}?"),
                            None => format!("dtsform manages {} resources", types.join(" and ")),
                        });
                        d.push(e);
                        continue;
                    };
                    // Names are unique across types: depends_on and plans name jobs by them.
                    if let Some(first) = resource_names.insert((*name).to_owned(), header) {
                        d.push(
                            d.at(
                                header,
                                "duplicate_resource",
                                format!("resource {kind}.{name}: the name {name:?} is declared twice"),
                                "declared again",
                            )
                            .help(format!(
                                "the first declaration is at {}; resource names must be unique, across resource types too",
                                d.sources.location(first)
                            )),
                        );
                        continue;
                    }
                    decls.resources.push(ResourceBlock {
                        cloud,
                        file,
                        block,
                        name: (*name).to_owned(),
                        span: header,
                    });
                }
                other => {
                    let e = d.at(
                        ident_span,
                        "unknown_block",
                        format!("unknown block type {other:?}"),
                        "unknown block",
                    );
                    let e = e.help(match did_you_mean(other, TOP_BLOCKS.iter().copied()) {
                        Some(s) => format!("did you mean {s}?"),
                        None => format!("the top level holds {} blocks", TOP_BLOCKS.join(", ")),
                    });
                    d.push(e);
                }
            }
        }
    }
    decls
}

/// A declared variable's settings.
struct VariableDecl<'b> {
    name: String,
    file: FileId,
    block: &'b Block,
    ty: Type,
    sensitive: bool,
    default: Option<Evaluated>,
}

fn resolve_variables(
    d: &Diag<'_>,
    blocks: &[(FileId, &Block)],
    inputs: &Inputs,
    var_sources: &mut Sources,
) -> BTreeMap<String, Evaluated> {
    let no_values = BTreeMap::new();
    let empty_dir = PathBuf::new();
    let mut decls = Vec::new();
    for (file, block) in blocks {
        let name = block.labels[0].as_str().to_owned();
        let scope = Scope::new(&no_values, &no_values, &empty_dir);
        let r = Reader {
            d,
            file: *file,
            body: &block.body,
            scope,
            span: Span::of(*file, &block.ident),
            what: format!("variable {name:?}"),
        };
        r.check(
            &["default", "type", "description", "sensitive", "nullable"],
            &["validation"],
        );
        let ty = match r.attr("type") {
            None => Type::Any,
            Some(attr) => match Type::parse(&attr.value) {
                Ok(t) => t,
                Err(e) => {
                    d.push(d.at(
                        r.span_of(&attr.value),
                        "invalid_type",
                        format!("type of variable {name:?}: {e}"),
                        "not a type",
                    ).help("write type = string, list(string), map(number), object({ name = string }), ..."));
                    Type::Any
                }
            },
        };
        let sensitive = r.bool("sensitive").unwrap_or(false);
        let _description = r.string("description");
        let default = r.attr("default").and_then(|attr| {
            let v = if sensitive {
                r.eval_secret(&attr.value)?
            } else {
                r.eval(&attr.value)?
            };
            match typed(&ty, sensitive, v.value) {
                Ok(v) => Some(v),
                Err(e) => {
                    d.push(
                        d.at(
                            r.span_of(&attr.value),
                            "wrong_type",
                            format!("the default of variable {name:?} does not fit its type: {e}"),
                            "wrong type",
                        )
                        .help("change the default, or the type"),
                    );
                    None
                }
            }
        });
        decls.push(VariableDecl {
            name,
            file: *file,
            block,
            ty,
            sensitive,
            default,
        });
    }

    // Values, weakest first: environment, var files, -var.
    let mut given: BTreeMap<String, Evaluated> = BTreeMap::new();
    let find = |name: &str| decls.iter().find(|v| v.name == name);
    for decl in &decls {
        if let Some(text) = inputs.env.var(&format!("DTSFORM_VAR_{}", decl.name)) {
            match text_value(text, decl) {
                Ok(v) => {
                    given.insert(decl.name.clone(), v);
                }
                Err(e) => d.push(ConfigError::general(
                    "invalid_variable",
                    format!("DTSFORM_VAR_{}: {e}", decl.name),
                ).help(format!("give DTSFORM_VAR_{} a value of the variable's type; lists and maps in HCL syntax: [\"a\", \"b\"]", decl.name))),
            }
        }
    }
    for path in &inputs.var_files {
        read_var_file(d, path, &find, &mut given, var_sources);
    }
    for (i, assignment) in inputs.vars.iter().enumerate() {
        let Some((name, text)) = assignment.split_once('=') else {
            // Not echoed: without its "=", a value cannot be told from a name, and it may
            // be a password.
            d.push(
                ConfigError::general(
                    "invalid_var",
                    format!("-var number {} is not NAME=VALUE", i + 1),
                )
                .help(
                    "write -var 'name=value'; the argument is not shown, as it may hold a secret",
                ),
            );
            continue;
        };
        let name = name.trim();
        let Some(decl) = find(name) else {
            let e = ConfigError::general(
                "undeclared_variable",
                format!("-var {name}: no variable {name:?} is declared"),
            );
            let e = e.help(
                match did_you_mean(name, decls.iter().map(|v| v.name.as_str())) {
                    Some(s) => format!("did you mean {s}?"),
                    None => format!("declare it: variable \"{name}\" {{}}"),
                },
            );
            d.push(e);
            continue;
        };
        match text_value(text, decl) {
            Ok(v) => {
                given.insert(name.to_owned(), v);
            }
            Err(e) => d.push(ConfigError::general(
                "invalid_variable",
                format!("-var {name}: {e}"),
            ).help("give a value of the variable's type; lists and maps in HCL syntax: -var 'tables=[\"a\", \"b\"]'")),
        }
    }

    let mut values = BTreeMap::new();
    for decl in &decls {
        let value = given.remove(&decl.name).or_else(|| decl.default.clone());
        let Some(mut value) = value else {
            d.push(
                d.at(Span::of(decl.file, &decl.block.ident).extend_to(&decl.block.labels[0]), "missing_variable", format!("variable {:?} has no value", decl.name), "no default and no value given")
                    .help(format!("give one with -var '{0}=...', a -var-file, or DTSFORM_VAR_{0}; or add a default", decl.name)),
            );
            continue;
        };
        value.sensitive |= decl.sensitive;
        values.insert(decl.name.clone(), value);
    }
    validate_variables(d, &decls, &values);
    values
}

/// A value for a variable of type `ty`, from any source, converted to the type. The value
/// is marked sensitive before it is converted, so a conversion error of a sensitive
/// variable does not show it: every source (default, environment, var file, -var) goes
/// through here.
fn typed(ty: &Type, sensitive: bool, value: Value) -> Result<Evaluated, String> {
    let value = ty.convert(&Evaluated { value, sensitive })?;
    Ok(Evaluated { value, sensitive })
}

/// A value from command-line or environment text, converted to the variable's type.
fn text_value(text: &str, decl: &VariableDecl<'_>) -> Result<Evaluated, String> {
    let raw = Value::String(text.to_owned());
    let parsed = if decl.ty.takes_raw_text() {
        raw
    } else {
        hcl_edit::parser::parse_expr(text.trim())
            .ok()
            .and_then(|expr| {
                let empty = BTreeMap::new();
                let dir = PathBuf::new();
                eval(&expr, &Scope::new(&empty, &empty, &dir)).ok()
            })
            .map_or(raw, |v| v.value)
    };
    typed(&decl.ty, decl.sensitive, parsed)
}

fn read_var_file<'v>(
    d: &Diag<'_>,
    path: &Path,
    find: &dyn Fn(&str) -> Option<&'v VariableDecl<'v>>,
    given: &mut BTreeMap<String, Evaluated>,
    var_sources: &mut Sources,
) {
    let cannot = |why: String| {
        ConfigError::general(
            "var_file",
            format!("cannot read -var-file {}: {why}", path.display()),
        )
        .help("check the path given to -var-file")
    };
    // Pipes are fine (`-var-file <(...)`), but no more than the limit is read.
    let bytes = match std::fs::File::open(path).and_then(limits::read_capped) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(limit)) => {
            d.push(
                ConfigError::general(
                    "eval_limit",
                    format!("-var-file {}: {limit}", path.display()),
                )
                .help(limit.help()),
            );
            return;
        }
        Err(e) => return d.push(cannot(e.to_string())),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return d.push(cannot("it is not UTF-8 text".into()));
    };
    let id = var_sources.add(path.to_owned(), path.display().to_string(), text);
    let is_json = path.extension().is_some_and(|e| e == "json");
    let entries: Vec<(String, Value)> = if is_json {
        match serde_json::from_str::<serde_json::Map<String, Value>>(&var_sources.get(id).text) {
            Ok(map) => map.into_iter().collect(),
            Err(e) => {
                d.push(
                    ConfigError::general(
                        "var_file",
                        format!("-var-file {} is not a JSON object: {e}", path.display()),
                    )
                    .help("a .json var file holds one object: {\"name\": \"value\"}"),
                );
                return;
            }
        }
    } else {
        let body = match parse(var_sources, id) {
            Ok(b) => b,
            Err(e) => {
                // A var file holds secrets, and nothing is known yet about which line holds
                // which: say where, without showing the lines.
                let at = e.location.as_ref().map_or_else(
                    || path.display().to_string(),
                    |l| var_sources.location(Span::new(id, l.span.clone())),
                );
                d.push(
                    ConfigError::general("syntax", format!("{at}: {}", e.message)).help(
                        "fix the HCL syntax of the var file (its lines are not shown: a var file may hold secrets)",
                    ),
                );
                return;
            }
        };
        let sensitive = |name: &str| find(name).is_some_and(|decl| decl.sensitive);
        let secret = body
            .attributes()
            .filter(|a| sensitive(a.key.as_str()))
            .map(|a| &a.value);
        var_sources.mask(id, &source::secret_literals(secret, Some(&body)));
        let empty = BTreeMap::new();
        let dir = PathBuf::new();
        let scope = Scope::new(&empty, &empty, &dir);
        let mut entries = Vec::new();
        for attr in body.attributes() {
            let name = attr.key.as_str();
            match eval(&attr.value, &scope) {
                Ok(v) => entries.push((name.to_owned(), v.value)),
                // Reported below as undeclared; its value does not matter.
                Err(_) if find(name).is_none() => entries.push((name.to_owned(), Value::Null)),
                Err(e) if sensitive(name) => {
                    d.push(reader::secret_eval_error(var_sources, id, e));
                }
                Err(e) => d.push(reader::eval_error(var_sources, id, e)),
            }
        }
        entries
    };
    for (name, value) in entries {
        let Some(decl) = find(&name) else {
            d.push(
                ConfigError::general(
                    "undeclared_variable",
                    format!(
                        "{} sets {name:?}, but no such variable is declared",
                        path.display()
                    ),
                )
                .help("declare it with a variable block, or remove it from the file"),
            );
            continue;
        };
        match typed(&decl.ty, decl.sensitive, value) {
            Ok(v) => {
                given.insert(name, v);
            }
            Err(e) => d.push(
                ConfigError::general(
                    "wrong_type",
                    format!("{}: variable {name:?}: {e}", path.display()),
                )
                .help("change the value in the file, or the variable's type"),
            ),
        }
    }
}

/// Runs each variable's `validation { condition, error_message }` blocks.
fn validate_variables(
    d: &Diag<'_>,
    decls: &[VariableDecl<'_>],
    values: &BTreeMap<String, Evaluated>,
) {
    let no_locals = BTreeMap::new();
    let dir = PathBuf::new();
    for decl in decls {
        let Some(value) = values.get(&decl.name) else {
            continue;
        };
        for block in decl.block.body.get_blocks("validation") {
            let mut only = BTreeMap::new();
            only.insert(decl.name.clone(), value.clone());
            let r = Reader {
                d,
                file: decl.file,
                body: &block.body,
                scope: Scope::new(&only, &no_locals, &dir),
                span: Span::of(decl.file, &block.ident),
                what: "the validation block".into(),
            };
            r.check(&["condition", "error_message"], &[]);
            let message = r
                .string("error_message")
                .unwrap_or_else(|| format!("variable {:?} is not valid", decl.name));
            let Some((ok, span)) = r.value("condition") else {
                continue;
            };
            if ok.value != Value::Bool(true) {
                d.push(
                    d.at(
                        span,
                        "invalid_variable",
                        format!("variable {:?}: {message}", decl.name),
                        "this condition is not met",
                    )
                    .help(format!(
                        "give variable {:?} a value that meets its validation condition",
                        decl.name
                    )),
                );
            }
        }
    }
}

/// `local.NAME` references in an expression.
struct LocalRefs(Vec<String>);

impl Visit for LocalRefs {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(root) = &node.expr
            && root.as_str() == "local"
            && let Some(op) = node.operators.first()
            && let TraversalOperator::GetAttr(name) = &**op
        {
            self.0.push(name.as_str().to_owned());
        }
        hcl_edit::visit::visit_traversal(self, node);
    }
}

fn evaluate_locals(
    d: &Diag<'_>,
    attrs: &[(FileId, &Attribute)],
    variables: &BTreeMap<String, Evaluated>,
    dir: &Path,
) -> BTreeMap<String, Evaluated> {
    let by_name: HashMap<&str, (FileId, &Attribute)> = attrs
        .iter()
        .map(|(f, a)| (a.key.as_str(), (*f, *a)))
        .collect();
    // Each local's references to other locals, found once.
    let deps: HashMap<&str, Vec<String>> = attrs
        .iter()
        .map(|(_, attr)| {
            let mut refs = LocalRefs(Vec::new());
            refs.visit_expr(&attr.value);
            refs.0.retain(|r| by_name.contains_key(r.as_str()));
            (attr.key.as_str(), refs.0)
        })
        .collect();
    // In name order, so diagnostics come in an order independent of the files.
    let mut names: Vec<&str> = attrs.iter().map(|(_, a)| a.key.as_str()).collect();
    names.sort_unstable();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    // Edges from each local to the locals that refer to it.
    let mut edges = Vec::new();
    for (i, name) in names.iter().enumerate() {
        edges.extend(deps[name].iter().map(|dep| (index[dep.as_str()], i)));
    }
    let order = match graph::order(names.len(), edges) {
        Ok(order) => order,
        Err(cycles) => {
            for cycle in cycles {
                let (file, attr) = by_name[names[cycle[0]]];
                let shown: Vec<String> = depends_on_order(&cycle)
                    .map(|i| format!("local.{}", names[i]))
                    .collect();
                d.push(
                    d.at(
                        Span::of(file, &attr.key),
                        "dependency_cycle",
                        format!(
                            "locals depend on each other in a cycle: {}",
                            shown.join(" → ")
                        ),
                        "part of the cycle",
                    )
                    .help("break the cycle: one of these locals must not refer back"),
                );
            }
            return BTreeMap::new();
        }
    };
    let mut locals = BTreeMap::new();
    // A local that failed, or depends on one that did: its error is reported once, where
    // it starts, not again for everything built on it.
    let mut failed: HashSet<&str> = HashSet::new();
    for name in order.into_iter().map(|i| names[i]) {
        let (file, attr) = by_name[name];
        if deps[name].iter().any(|dep| failed.contains(dep.as_str())) {
            failed.insert(name);
            continue;
        }
        let scope = Scope::new(variables, &locals, dir);
        match eval(&attr.value, &scope) {
            Ok(v) => {
                locals.insert(name.to_owned(), v);
            }
            Err(e) => {
                d.push(reader::eval_error(d.sources, file, e));
                failed.insert(name);
            }
        }
    }
    locals
}

/// A cycle of [`graph::order`] over edges from each dependency to what depends on it, read
/// the other way round: from its first item along "depends on", back to it.
fn depends_on_order(cycle: &[usize]) -> impl Iterator<Item = usize> + '_ {
    let first = cycle.first().copied();
    first
        .into_iter()
        .chain(cycle.iter().skip(1).rev().copied())
        .chain(first)
}

/// Providers are unique; `provider =` and `depends_on` name existing things; no cycles.
fn check_references(d: &Diag<'_>, providers: &[ProviderSpec], jobs: &[JobSpec]) {
    let mut seen: Vec<&ProviderSpec> = Vec::new();
    for p in providers {
        if let Some(first) = seen
            .iter()
            .find(|q| q.cloud == p.cloud && q.alias == p.alias)
        {
            d.push(
                d.at(
                    p.span,
                    "duplicate_provider",
                    format!("provider {} is configured twice", p.name()),
                    "configured again",
                )
                .help(format!(
                    "the first is at {}; give each extra provider block a distinct alias",
                    d.sources.location(first.span)
                )),
            );
        }
        seen.push(p);
    }
    for job in jobs {
        let label = job.cloud.provider_label();
        let found = providers
            .iter()
            .any(|p| p.cloud == job.cloud && p.alias == job.provider);
        if !found {
            let aliases: Vec<&str> = providers
                .iter()
                .filter(|p| p.cloud == job.cloud)
                .filter_map(|p| p.alias.as_deref())
                .collect();
            let example = schema(job.cloud).region_example;
            let e = match &job.provider {
                None => d.at(job.span, "missing_provider", format!("{} needs a provider \"{label}\" block without alias", job.address()), "no default provider")
                    .help(format!("add provider \"{label}\" {{ region = \"{example}\" }}, or set provider = {label}.ALIAS")),
                Some(alias) => {
                    let e = d.at(job.span, "unknown_provider", format!("{} uses provider {label}.{alias}, which is not configured", job.address()), "unknown provider");
                    e.help(match did_you_mean(alias, aliases.iter().copied()) {
                        Some(s) => format!("did you mean {label}.{s}?"),
                        None => format!("add a provider \"{label}\" block with alias = \"{alias}\""),
                    })
                }
            };
            d.push(e);
        }
        for (target, span) in &job.depends_on {
            let (kind, name) = target
                .split_once('.')
                .unwrap_or((model::ALICLOUD_DTS_JOB, target.as_str()));
            match jobs.iter().find(|j| j.name == name) {
                Some(j) if j.cloud.resource_type() == kind => {}
                Some(j) => d.push(
                    d.at(
                        *span,
                        "unknown_reference",
                        format!(
                            "depends_on names {kind}.{name}, but {name} is a {}",
                            j.cloud.resource_type()
                        ),
                        "wrong resource type",
                    )
                    .help(format!("write {}", j.address())),
                ),
                None => {
                    let e = d.at(
                        *span,
                        "unknown_reference",
                        format!("depends_on names {kind}.{name}, which is not declared"),
                        "unknown resource",
                    );
                    let e = e.help(
                        match did_you_mean(name, jobs.iter().map(|j| j.name.as_str())) {
                            Some(s) => {
                                let j = jobs
                                    .iter()
                                    .find(|j| j.name == s)
                                    .map_or_else(String::new, JobSpec::address);
                                format!("did you mean {j}?")
                            }
                            None => "declare that resource, or remove it from depends_on".into(),
                        },
                    );
                    d.push(e);
                }
            }
        }
    }
    // Edges from each job to the jobs that depend on it, in declaration order.
    let index: HashMap<&str, usize> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.name.as_str(), i))
        .collect();
    let edges = jobs.iter().enumerate().flat_map(|(i, job)| {
        job.depends_on
            .iter()
            .filter_map(|(entry, _)| index.get(dependency_name(entry)))
            .map(move |&dep| (dep, i))
    });
    if let Err(cycles) = graph::order(jobs.len(), edges) {
        for cycle in cycles {
            let shown: Vec<String> = depends_on_order(&cycle)
                .map(|i| jobs[i].address())
                .collect();
            d.push(
                d.at(jobs[cycle[0]].span, "dependency_cycle", format!("depends_on forms a cycle: {}", shown.join(" → ")), "part of the cycle")
                    .help("remove one of these depends_on entries; jobs can only be applied in an order without cycles"),
            );
        }
    }
}

/// No two resources manage one cloud job. Each writes the job's whole object list (and its
/// settings), so two would undo each other on every apply. The key is the cloud and the id,
/// compared without case, whatever the providers: DTS job ids are unique across regions,
/// so one id under two regions is one job (or a mistake in one of them).
fn check_job_ids(d: &Diag<'_>, providers: &[ProviderSpec], jobs: &[JobSpec]) {
    let region = |job: &JobSpec| {
        providers
            .iter()
            .find(|p| p.cloud == job.cloud && p.alias == job.provider)
            .map(|p| p.region.as_str())
    };
    let mut seen: HashMap<(Cloud, String), &JobSpec> = HashMap::new();
    for job in jobs.iter().filter(|j| !j.dts_job_id.is_empty()) {
        let key = (job.cloud, job.dts_job_id.to_lowercase());
        let Some(first) = seen.get(&key) else {
            seen.insert(key, job);
            continue;
        };
        let attribute = schema(job.cloud).job_id_attribute;
        let regions = match (region(first), region(job)) {
            (Some(a), Some(b)) if a != b => {
                format!(" (a job id names one job, so {a} and {b} cannot both be right)")
            }
            _ => String::new(),
        };
        d.push(
            d.at(
                job.job_id_span,
                "duplicate_job",
                format!(
                    "{} and {} manage the same job {:?}",
                    first.address(),
                    job.address(),
                    job.dts_job_id
                ),
                "managed again here",
            )
            .also(d.sources, first.job_id_span, "also managed here")
            .help(format!(
                "keep one resource per job{regions}: two would each write the job's whole object list and undo each other; merge them, or correct the {attribute} of the one meant for another job"
            )),
        );
    }
}

/// The resource name of a `depends_on` entry (`TYPE.NAME`, or a bare name).
pub fn dependency_name(entry: &str) -> &str {
    entry.split_once('.').map_or(entry, |(_, name)| name)
}

#[cfg(test)]
mod tests;
