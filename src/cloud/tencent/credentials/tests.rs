use miette::Diagnostic;

use super::*;

fn home_with(profiles: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".tccli")).unwrap();
    for (name, json) in profiles {
        std::fs::write(dir.path().join(format!(".tccli/{name}.credential")), json).unwrap();
    }
    dir
}

const DEFAULT: &str = r#"{"secretId": "AKIDdefault", "secretKey": "default-key"}"#;
const STS: &str =
    r#"{"secretId": "AKIDsts", "secretKey": "sts-key", "token": "sts-token", "extra": 1}"#;
const ROLE: &str = r#"{"type": "cvm-role", "role-arn": "qcs::cam::uin/1:roleName/x"}"#;

#[test]
fn environment_comes_first() {
    let home = home_with(&[("default", DEFAULT)]);
    let env = Environment::empty()
        .with_home(home.path())
        .with_var(ENV_SECRET_ID, "AKIDenv")
        .with_var(ENV_SECRET_KEY, "env-key")
        .with_var(ENV_SESSION_TOKEN, "env-token");
    let c = Credentials::from_chain(&env, None).unwrap();
    assert_eq!(c.secret_id(), "AKIDenv");
    assert_eq!(c.secret_key().expose(), "env-key");
    assert_eq!(c.token().unwrap().expose(), "env-token");
    assert_eq!(c.source(), "environment");
}

#[test]
fn half_set_environment_is_an_error_not_a_fallthrough() {
    let home = home_with(&[("default", DEFAULT)]);
    for (set, missing) in [
        (ENV_SECRET_ID, ENV_SECRET_KEY),
        (ENV_SECRET_KEY, ENV_SECRET_ID),
    ] {
        let env = Environment::empty()
            .with_home(home.path())
            .with_var(set, "only-this-one");
        let err = Credentials::from_chain(&env, None).unwrap_err();
        assert!(
            matches!(err, CredentialsError::PartialEnvironment { missing: m, .. } if m == missing),
            "{err:?}"
        );
        assert!(!err.to_string().contains("only-this-one"));
        assert!(err.help().unwrap().to_string().contains("neither"));
    }
}

#[test]
fn profile_file_default_then_env_then_explicit() {
    let home = home_with(&[("default", DEFAULT), ("sts", STS)]);
    let env = Environment::empty().with_home(home.path());
    let c = Credentials::from_chain(&env, None).unwrap();
    assert_eq!(c.secret_id(), "AKIDdefault");
    assert_eq!(c.secret_key().expose(), "default-key");
    assert!(c.token().is_none());
    assert!(c.source().contains("profile \"default\""), "{}", c.source());

    let env = env.with_var(ENV_PROFILE, "sts");
    let c = Credentials::from_chain(&env, None).unwrap();
    assert_eq!(c.secret_id(), "AKIDsts");
    assert_eq!(c.token().unwrap().expose(), "sts-token");

    let env = env
        .with_var(ENV_SECRET_ID, "AKIDenv")
        .with_var(ENV_SECRET_KEY, "env-key");
    let c = Credentials::from_chain(&env, Some("default")).unwrap();
    assert_eq!(
        c.secret_id(),
        "AKIDdefault",
        "an explicit profile beats the environment"
    );
}

#[test]
fn missing_profile_names_the_ones_there_are() {
    let home = home_with(&[("default", DEFAULT), ("sts", STS)]);
    let env = Environment::empty().with_home(home.path());
    let err = Credentials::from_chain(&env, Some("prod")).unwrap_err();
    match &err {
        CredentialsError::ProfileNotFound {
            name, available, ..
        } => {
            assert_eq!(name, "prod");
            assert_eq!(available, &["default", "sts"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("prod.credential"));
    assert_eq!(
        err.help().unwrap().to_string(),
        "profiles in ~/.tccli: default, sts"
    );

    let empty = tempfile::tempdir().unwrap();
    let env = Environment::empty()
        .with_home(empty.path())
        .with_var(ENV_PROFILE, "prod");
    let err = Credentials::from_chain(&env, None).unwrap_err();
    assert!(
        err.help()
            .unwrap()
            .to_string()
            .contains("tccli configure --profile")
    );
}

#[test]
fn nothing_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let env = Environment::empty().with_home(dir.path());
    let err = Credentials::from_chain(&env, None).unwrap_err();
    assert!(matches!(
        err,
        CredentialsError::NotFound { looked: Some(_) }
    ));
    let help = err.help().unwrap().to_string();
    assert!(help.contains("TENCENTCLOUD_SECRET_ID"), "{help}");
    assert!(help.contains("default.credential"), "{help}");
    assert!(matches!(
        Credentials::from_chain(&Environment::empty(), None).unwrap_err(),
        CredentialsError::NotFound { looked: None }
    ));
}

#[test]
fn bad_profile_files_never_leak_their_contents() {
    let home = home_with(&[
        ("role", ROLE),
        ("broken", r#"{"secretId": "AKIDx", "secretKey": "leak-me" "#),
        ("typed", r#"{"secretId": "AKIDx", "secretKey": 12345678}"#),
        ("array", r#"["leak-me"]"#),
    ]);
    let env = Environment::empty().with_home(home.path());
    assert!(matches!(
        Credentials::from_chain(&env, Some("role")).unwrap_err(),
        CredentialsError::ProfileIncomplete {
            field: "secretId",
            ..
        }
    ));
    for name in ["broken", "typed", "array"] {
        let err = Credentials::from_chain(&env, Some(name)).unwrap_err();
        assert!(
            matches!(err, CredentialsError::ProfileParse { .. }),
            "{name}: {err:?}"
        );
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("leak-me"), "{shown}");
        assert!(!shown.contains("12345678"), "{shown}");
    }
}

#[test]
fn profile_names_cannot_escape_the_directory() {
    let env = Environment::empty().with_home("/nonexistent");
    for bad in ["../x", "a/b", ".hidden", "", "a\\b"] {
        assert!(
            matches!(
                Credentials::from_chain(&env, Some(bad)).unwrap_err(),
                CredentialsError::InvalidProfileName { .. }
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn debug_shows_the_id_only() {
    let c = Credentials::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "TopSecretValue")
        .with_token("TokenValue");
    let shown = format!("{c:?}");
    assert!(shown.contains("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"));
    assert!(!shown.contains("TopSecretValue"));
    assert!(!shown.contains("TokenValue"));
}
