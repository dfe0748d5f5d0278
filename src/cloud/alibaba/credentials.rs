//! Alibaba Cloud credentials and the standard lookup chain:
//!
//! 1. `ALIBABA_CLOUD_ACCESS_KEY_ID` + `ALIBABA_CLOUD_ACCESS_KEY_SECRET`
//!    (+ `ALIBABA_CLOUD_SECURITY_TOKEN` for STS);
//! 2. a profile of the Alibaba Cloud CLI's `~/.aliyun/config.json`: the one named by
//!    `ALIBABA_CLOUD_PROFILE`, else the file's `current` profile, else `default`.
//!
//! An explicitly requested profile (a provider block's `profile`, or `--profile`) skips
//! step 1. Profile modes `AK` and `StsToken` are supported; modes that need another API
//! call (RamRoleArn, EcsRamRole, ...) are reported as unsupported rather than ignored.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::env::Environment;
use crate::secret::Secret;

pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
pub const ENV_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";

/// An access key pair, optionally with an STS security token.
#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Option<Secret>,
    /// Where these came from, for messages ("environment", "profile default of ...").
    pub source: String,
    /// The profile's `region_id`, a default region when the config names none.
    pub region_hint: Option<String>,
}

impl Credentials {
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<Secret>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: None,
            source: "explicit".into(),
            region_hint: None,
        }
    }

    #[must_use]
    pub fn with_security_token(mut self, token: impl Into<Secret>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// Resolves credentials through the chain described in the module docs.
    pub fn from_chain(env: &Environment, profile: Option<&str>) -> Result<Self, CredentialsError> {
        if profile.is_none()
            && let Some(creds) = from_env(env)?
        {
            return Ok(creds);
        }
        let Some(home) = env.home() else {
            return Err(CredentialsError::NotFound { config: None });
        };
        let path = home.join(".aliyun").join("config.json");
        let wanted = profile.or_else(|| env.var(ENV_PROFILE));
        if !path.exists() {
            return Err(match wanted {
                Some(name) => CredentialsError::ProfileNotFound {
                    name: name.to_owned(),
                    path,
                    available: Vec::new(),
                },
                None => CredentialsError::NotFound { config: Some(path) },
            });
        }
        from_profile_file(&path, wanted)
    }
}

/// Shows only a prefix of the access key id; never the secret or token.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &mask_id(&self.access_key_id))
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token)
            .field("source", &self.source)
            .field("region_hint", &self.region_hint)
            .finish()
    }
}

/// `LTAI5tTestAccessKeyId` → `LTAI****`.
pub fn mask_id(id: &str) -> String {
    let prefix: String = id.chars().take(4).collect();
    format!("{prefix}****")
}

fn from_env(env: &Environment) -> Result<Option<Credentials>, CredentialsError> {
    match (env.var(ENV_ACCESS_KEY_ID), env.var(ENV_ACCESS_KEY_SECRET)) {
        (Some(id), Some(secret)) => {
            let mut creds = Credentials::new(id, secret);
            creds.security_token = env.var(ENV_SECURITY_TOKEN).map(Secret::from);
            creds.source = "environment".into();
            Ok(Some(creds))
        }
        (Some(_), None) => Err(CredentialsError::PartialEnvironment {
            set: ENV_ACCESS_KEY_ID,
            missing: ENV_ACCESS_KEY_SECRET,
        }),
        (None, Some(_)) => Err(CredentialsError::PartialEnvironment {
            set: ENV_ACCESS_KEY_SECRET,
            missing: ENV_ACCESS_KEY_ID,
        }),
        (None, None) => Ok(None),
    }
}

#[derive(Deserialize)]
struct CliConfig {
    #[serde(default)]
    current: String,
    #[serde(default)]
    profiles: Vec<CliProfile>,
}

#[derive(Deserialize)]
struct CliProfile {
    #[serde(default)]
    name: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    access_key_id: String,
    #[serde(default)]
    access_key_secret: String,
    #[serde(default)]
    sts_token: String,
    #[serde(default)]
    region_id: String,
}

fn from_profile_file(path: &Path, wanted: Option<&str>) -> Result<Credentials, CredentialsError> {
    let text = std::fs::read_to_string(path).map_err(|e| CredentialsError::ConfigRead {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    // serde_json's message carries only line/column and the expected shape, never the
    // text around it, so it cannot leak a key from the file.
    let config: CliConfig =
        serde_json::from_str(&text).map_err(|e| CredentialsError::ConfigParse {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    let name = match wanted {
        Some(name) => name.to_owned(),
        None if !config.current.is_empty() => config.current.clone(),
        None => "default".to_owned(),
    };
    let Some(profile) = config.profiles.iter().find(|p| p.name == name) else {
        return Err(CredentialsError::ProfileNotFound {
            name,
            path: path.to_owned(),
            available: config.profiles.iter().map(|p| p.name.clone()).collect(),
        });
    };
    let mode = if profile.mode.is_empty() {
        "AK"
    } else {
        profile.mode.as_str()
    };
    let needs_token = match mode {
        "AK" => false,
        "StsToken" => true,
        other => {
            return Err(CredentialsError::UnsupportedMode {
                name,
                path: path.to_owned(),
                mode: other.to_owned(),
            });
        }
    };
    let missing = |field: &'static str| CredentialsError::ProfileIncomplete {
        name: name.clone(),
        path: path.to_owned(),
        field,
    };
    if profile.access_key_id.is_empty() {
        return Err(missing("access_key_id"));
    }
    if profile.access_key_secret.is_empty() {
        return Err(missing("access_key_secret"));
    }
    if needs_token && profile.sts_token.is_empty() {
        return Err(missing("sts_token"));
    }
    let mut creds = Credentials::new(&profile.access_key_id, profile.access_key_secret.as_str());
    if needs_token {
        creds.security_token = Some(profile.sts_token.as_str().into());
    }
    creds.source = format!("profile {name:?} of {}", path.display());
    creds.region_hint = Some(profile.region_id.clone()).filter(|r| !r.is_empty());
    Ok(creds)
}

/// Why no credentials could be found. Never contains a key or secret.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CredentialsError {
    #[error("{set} is set but {missing} is not")]
    #[diagnostic(
        code(dtsform::credentials::partial_environment),
        help(
            "set both ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or neither to use ~/.aliyun/config.json"
        )
    )]
    PartialEnvironment {
        set: &'static str,
        missing: &'static str,
    },

    #[error("could not read {}: {reason}", path.display())]
    #[diagnostic(code(dtsform::credentials::config_read))]
    ConfigRead { path: PathBuf, reason: String },

    #[error("{} is not a valid Alibaba Cloud CLI configuration: {reason}", path.display())]
    #[diagnostic(
        code(dtsform::credentials::config_parse),
        help("the file is written by `aliyun configure`; fix or recreate it")
    )]
    ConfigParse { path: PathBuf, reason: String },

    #[error("profile {name:?} not found in {}", path.display())]
    #[diagnostic(
        code(dtsform::credentials::profile_not_found),
        help("{}", if available.is_empty() { "create it with `aliyun configure --profile NAME`".to_owned() } else { format!("profiles in the file: {}", available.join(", ")) })
    )]
    ProfileNotFound {
        name: String,
        path: PathBuf,
        available: Vec<String>,
    },

    #[error("profile {name:?} in {} uses mode {mode:?}, which dtsform does not support", path.display())]
    #[diagnostic(
        code(dtsform::credentials::unsupported_mode),
        help(
            "use a profile with mode AK or StsToken, or set ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (/ ALIBABA_CLOUD_SECURITY_TOKEN)"
        )
    )]
    UnsupportedMode {
        name: String,
        path: PathBuf,
        mode: String,
    },

    #[error("profile {name:?} in {} has no {field}", path.display())]
    #[diagnostic(code(dtsform::credentials::profile_incomplete))]
    ProfileIncomplete {
        name: String,
        path: PathBuf,
        field: &'static str,
    },

    #[error("no Alibaba Cloud credentials found")]
    #[diagnostic(
        code(dtsform::credentials::not_found),
        help("set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or run `aliyun configure`{}", config.as_ref().map(|p| format!(" (looked for {})", p.display())).unwrap_or_default())
    )]
    NotFound { config: Option<PathBuf> },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home_with_config(json: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".aliyun")).unwrap();
        std::fs::write(dir.path().join(".aliyun/config.json"), json).unwrap();
        dir
    }

    const CONFIG: &str = r#"{
      "current": "work",
      "profiles": [
        {"name": "default", "mode": "AK", "access_key_id": "LTAIdefault", "access_key_secret": "default-secret", "region_id": "cn-hangzhou"},
        {"name": "work", "mode": "StsToken", "access_key_id": "STS.work", "access_key_secret": "work-secret", "sts_token": "work-token", "region_id": ""},
        {"name": "role", "mode": "RamRoleArn", "access_key_id": "LTAIrole", "access_key_secret": "role-secret"},
        {"name": "half", "mode": "AK", "access_key_id": "LTAIhalf"}
      ]
    }"#;

    #[test]
    fn environment_comes_first() {
        let home = home_with_config(CONFIG);
        let env = Environment::empty()
            .with_home(home.path())
            .with_var(ENV_ACCESS_KEY_ID, "LTAIenv")
            .with_var(ENV_ACCESS_KEY_SECRET, "env-secret")
            .with_var(ENV_SECURITY_TOKEN, "env-token");
        let c = Credentials::from_chain(&env, None).unwrap();
        assert_eq!(c.access_key_id, "LTAIenv");
        assert_eq!(c.access_key_secret.expose(), "env-secret");
        assert_eq!(c.security_token.unwrap().expose(), "env-token");
        assert_eq!(c.source, "environment");
    }

    #[test]
    fn half_set_environment_is_an_error_not_a_fallthrough() {
        let env = Environment::empty().with_var(ENV_ACCESS_KEY_ID, "LTAIenv");
        let err = Credentials::from_chain(&env, None).unwrap_err();
        assert!(matches!(
            err,
            CredentialsError::PartialEnvironment {
                missing: ENV_ACCESS_KEY_SECRET,
                ..
            }
        ));
    }

    #[test]
    fn profile_selection_current_then_env_then_explicit() {
        let home = home_with_config(CONFIG);
        let env = Environment::empty().with_home(home.path());
        let c = Credentials::from_chain(&env, None).unwrap();
        assert_eq!(c.access_key_id, "STS.work", "the file's current profile");
        assert_eq!(c.security_token.unwrap().expose(), "work-token");

        let env = env.with_var(ENV_PROFILE, "default");
        let c = Credentials::from_chain(&env, None).unwrap();
        assert_eq!(c.access_key_id, "LTAIdefault");
        assert_eq!(c.region_hint.as_deref(), Some("cn-hangzhou"));
        assert!(c.security_token.is_none());

        let env = env
            .with_var(ENV_ACCESS_KEY_ID, "LTAIenv")
            .with_var(ENV_ACCESS_KEY_SECRET, "env-secret");
        let c = Credentials::from_chain(&env, Some("work")).unwrap();
        assert_eq!(
            c.access_key_id, "STS.work",
            "an explicit profile beats the environment"
        );
    }

    #[test]
    fn profile_errors_are_specific() {
        let home = home_with_config(CONFIG);
        let env = Environment::empty().with_home(home.path());
        let err = Credentials::from_chain(&env, Some("nope")).unwrap_err();
        match &err {
            CredentialsError::ProfileNotFound { available, .. } => {
                assert_eq!(available, &["default", "work", "role", "half"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Credentials::from_chain(&env, Some("role")).unwrap_err(),
            CredentialsError::UnsupportedMode { .. }
        ));
        assert!(matches!(
            Credentials::from_chain(&env, Some("half")).unwrap_err(),
            CredentialsError::ProfileIncomplete {
                field: "access_key_secret",
                ..
            }
        ));
        let broken = home_with_config(
            "{\"profiles\": [ {\"name\": \"x\", \"access_key_secret\": \"leak-me\" ",
        );
        let env = Environment::empty().with_home(broken.path());
        let err = Credentials::from_chain(&env, None).unwrap_err();
        assert!(matches!(err, CredentialsError::ConfigParse { .. }));
        assert!(!err.to_string().contains("leak-me"));
    }

    #[test]
    fn nothing_anywhere() {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment::empty().with_home(dir.path());
        assert!(matches!(
            Credentials::from_chain(&env, None).unwrap_err(),
            CredentialsError::NotFound { config: Some(_) }
        ));
    }

    #[test]
    fn debug_masks_everything_secret() {
        let c = Credentials::new("LTAI5tTestAccessKeyId", "TopSecretValue")
            .with_security_token("TokenValue");
        let shown = format!("{c:?}");
        assert!(!shown.contains("TopSecretValue"));
        assert!(!shown.contains("TokenValue"));
        assert!(!shown.contains("LTAI5tTestAccessKeyId"));
        assert!(shown.contains("LTAI****"));
    }
}
