//! Tencent Cloud credentials and the lookup chain:
//!
//! 1. `TENCENTCLOUD_SECRET_ID` + `TENCENTCLOUD_SECRET_KEY`
//!    (+ `TENCENTCLOUD_SESSION_TOKEN` for temporary STS credentials);
//! 2. a profile of the Tencent Cloud CLI, `~/.tccli/<profile>.credential` (JSON with
//!    `secretId`, `secretKey` and an optional `token`): the profile named by
//!    `TENCENTCLOUD_PROFILE`, else `default`.
//!
//! An explicitly requested profile (a provider block's `profile`, or `--profile`) skips
//! step 1, as for Alibaba: asking for a profile by name means that profile. Profiles that
//! need another API call to get keys (tccli's CVM role or role-ARN profiles) are reported
//! as incomplete rather than ignored.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::env::Environment;
use crate::secret::Secret;

pub const ENV_SECRET_ID: &str = "TENCENTCLOUD_SECRET_ID";
pub const ENV_SECRET_KEY: &str = "TENCENTCLOUD_SECRET_KEY";
pub const ENV_SESSION_TOKEN: &str = "TENCENTCLOUD_SESSION_TOKEN";
pub const ENV_PROFILE: &str = "TENCENTCLOUD_PROFILE";

/// The profile read when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// A SecretId/SecretKey pair, optionally with an STS session token.
#[derive(Clone)]
pub struct Credentials {
    secret_id: String,
    secret_key: Secret,
    token: Option<Secret>,
    source: String,
}

impl Credentials {
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<Secret>) -> Self {
        Self {
            secret_id: secret_id.into(),
            secret_key: secret_key.into(),
            token: None,
            source: "explicit".into(),
        }
    }

    /// The same credentials with an STS session token (sent as `X-TC-Token`).
    #[must_use]
    pub fn with_token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    pub fn secret_key(&self) -> &Secret {
        &self.secret_key
    }

    pub fn token(&self) -> Option<&Secret> {
        self.token.as_ref()
    }

    /// Where these came from, for messages: `explicit`, `environment`, or
    /// `profile "default" of /home/me/.tccli/default.credential`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Resolves credentials through the chain described in the module docs.
    pub fn from_chain(env: &Environment, profile: Option<&str>) -> Result<Self, CredentialsError> {
        if profile.is_none()
            && let Some(creds) = from_env(env)?
        {
            return Ok(creds);
        }
        let named = profile.or_else(|| env.var(ENV_PROFILE));
        let name = named.unwrap_or(DEFAULT_PROFILE);
        if !is_profile_name(name) {
            return Err(CredentialsError::InvalidProfileName {
                name: name.to_owned(),
            });
        }
        let Some(home) = env.home() else {
            return Err(CredentialsError::NotFound { looked: None });
        };
        let dir = home.join(".tccli");
        let path = dir.join(format!("{name}.credential"));
        if !path.exists() {
            return Err(match named {
                Some(_) => CredentialsError::ProfileNotFound {
                    name: name.to_owned(),
                    available: available_profiles(&dir),
                    path,
                },
                None => CredentialsError::NotFound { looked: Some(path) },
            });
        }
        from_profile_file(&path, name)
    }
}

/// Shows the secret id; never the secret key or the token.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &self.secret_key)
            .field("token", &self.token)
            .field("source", &self.source)
            .finish()
    }
}

fn from_env(env: &Environment) -> Result<Option<Credentials>, CredentialsError> {
    match (env.var(ENV_SECRET_ID), env.var(ENV_SECRET_KEY)) {
        (Some(id), Some(key)) => {
            let mut creds = Credentials::new(id, key);
            creds.token = env.var(ENV_SESSION_TOKEN).map(Secret::from);
            creds.source = "environment".into();
            Ok(Some(creds))
        }
        (Some(_), None) => Err(CredentialsError::PartialEnvironment {
            set: ENV_SECRET_ID,
            missing: ENV_SECRET_KEY,
        }),
        (None, Some(_)) => Err(CredentialsError::PartialEnvironment {
            set: ENV_SECRET_KEY,
            missing: ENV_SECRET_ID,
        }),
        (None, None) => Ok(None),
    }
}

/// A profile name is a file name stem: letters, digits, `_`, `-` and inner dots, so it
/// cannot climb out of `~/.tccli`.
fn is_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The profiles `~/.tccli` holds, sorted; empty if it cannot be read.
fn available_profiles(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".credential").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

fn from_profile_file(path: &Path, name: &str) -> Result<Credentials, CredentialsError> {
    let text = std::fs::read_to_string(path).map_err(|e| CredentialsError::ProfileRead {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    // Parsed as a generic value first: a syntax error names only a line and column,
    // never the text around it, and a field of the wrong type is reported by name
    // without its value, so no key from the file can end up in a message.
    let value: Value = serde_json::from_str(&text).map_err(|e| CredentialsError::ProfileParse {
        path: path.to_owned(),
        reason: format!("invalid JSON at line {} column {}", e.line(), e.column()),
    })?;
    if !value.is_object() {
        return Err(CredentialsError::ProfileParse {
            path: path.to_owned(),
            reason: "expected a JSON object".into(),
        });
    }
    let field = |key: &'static str| -> Result<Option<&str>, CredentialsError> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.is_empty())),
            Some(_) => Err(CredentialsError::ProfileParse {
                path: path.to_owned(),
                reason: format!("{key} is not a string"),
            }),
        }
    };
    let missing = |field: &'static str| CredentialsError::ProfileIncomplete {
        name: name.to_owned(),
        path: path.to_owned(),
        field,
    };
    let id = field("secretId")?.ok_or_else(|| missing("secretId"))?;
    let key = field("secretKey")?.ok_or_else(|| missing("secretKey"))?;
    let mut creds = Credentials::new(id, key);
    creds.token = field("token")?.map(Secret::from);
    creds.source = format!("profile {name:?} of {}", path.display());
    Ok(creds)
}

/// Why no credentials could be found. Never contains a key, secret or token.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CredentialsError {
    #[error("{set} is set but {missing} is not")]
    #[diagnostic(
        code(dtsform::credentials::tencent::partial_environment),
        help(
            "set both TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, or neither to use ~/.tccli/<profile>.credential"
        )
    )]
    PartialEnvironment {
        set: &'static str,
        missing: &'static str,
    },

    #[error("{name:?} is not a Tencent Cloud CLI profile name")]
    #[diagnostic(
        code(dtsform::credentials::tencent::invalid_profile_name),
        help(
            "profile names are file names in ~/.tccli: letters, digits, '_', '-' and '.', not starting with '.'"
        )
    )]
    InvalidProfileName { name: String },

    #[error("could not read {}: {reason}", path.display())]
    #[diagnostic(code(dtsform::credentials::tencent::profile_read))]
    ProfileRead { path: PathBuf, reason: String },

    #[error("{} is not a valid Tencent Cloud CLI credential file: {reason}", path.display())]
    #[diagnostic(
        code(dtsform::credentials::tencent::profile_parse),
        help("the file is written by `tccli configure`; fix or recreate it")
    )]
    ProfileParse { path: PathBuf, reason: String },

    #[error("Tencent Cloud CLI profile {name:?} not found (no {})", path.display())]
    #[diagnostic(
        code(dtsform::credentials::tencent::profile_not_found),
        help("{}", if available.is_empty() { "create it with `tccli configure --profile NAME`".to_owned() } else { format!("profiles in ~/.tccli: {}", available.join(", ")) })
    )]
    ProfileNotFound {
        name: String,
        path: PathBuf,
        available: Vec<String>,
    },

    #[error("profile {name:?} in {} has no {field}", path.display())]
    #[diagnostic(
        code(dtsform::credentials::tencent::profile_incomplete),
        help(
            "dtsform reads secretId/secretKey (and token) profiles only; role profiles (CVM role, role ARN) are not supported — set TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY (/ TENCENTCLOUD_SESSION_TOKEN) instead"
        )
    )]
    ProfileIncomplete {
        name: String,
        path: PathBuf,
        field: &'static str,
    },

    #[error("no Tencent Cloud credentials found")]
    #[diagnostic(
        code(dtsform::credentials::tencent::not_found),
        help("set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, or run `tccli configure`{}", looked.as_ref().map(|p| format!(" (looked for {})", p.display())).unwrap_or_default())
    )]
    NotFound { looked: Option<PathBuf> },
}

#[cfg(test)]
mod tests;
