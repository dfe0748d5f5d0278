//! Errors from cloud API calls. An API error always carries the cloud's own code,
//! message and RequestId, so a user can quote them to support.

use std::fmt;
use std::time::Duration;

use super::redact::Redactor;
use crate::text::{SERVER_FIELD_MAX, SERVER_TEXT_MAX};

/// Which cloud an error came from; decides which codes are retryable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Alibaba,
    Tencent,
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Alibaba => "Alibaba Cloud DTS",
            Self::Tencent => "Tencent Cloud DTS",
        })
    }
}

/// An error answer from the cloud API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub provider: Provider,
    /// The API action that failed, e.g. `ModifyDtsJob`.
    pub action: String,
    /// HTTP status, when the error came with one (a 2xx body with `Success:false` has 2xx).
    pub http_status: Option<u16>,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// The server's `x-acs-retry-after` hint, when it sent one.
    pub retry_after: Option<Duration>,
}

/// Alibaba codes that mean "the job is busy being modified; try again shortly".
pub(crate) const ALIBABA_JOB_MODIFYING_CODES: &[&str] =
    &["DTS.Msg.OperationDenied.JobStatusModifying"];

/// Tencent code families (the part before the first `.`) that a later retry can get
/// past: throttling and a resource that is briefly busy or unavailable. The Terraform
/// provider matches the same way, so `RequestLimitExceeded.UinLimitExceeded` and
/// `ResourceInUse.ResourceInUseError` retry too (reference §6).
pub(crate) const TENCENT_RETRYABLE_FAMILIES: &[&str] = &[
    "RequestLimitExceeded",
    "ResourceInUse",
    "ResourceUnavailable",
];

impl ApiError {
    /// An error answer from what the server sent: the code, message and RequestId each
    /// cleaned by `redactor` (known secrets masked, length capped, control characters
    /// escaped). Both clients build their API errors from server text here and only here.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_server(
        provider: Provider,
        action: &str,
        http_status: Option<u16>,
        code: &str,
        message: &str,
        request_id: Option<&str>,
        retry_after: Option<Duration>,
        redactor: &Redactor,
    ) -> Self {
        Self {
            provider,
            action: action.to_owned(),
            http_status,
            code: redactor.clean(code, SERVER_FIELD_MAX),
            message: redactor.clean(message, SERVER_TEXT_MAX),
            request_id: request_id.map(|id| redactor.clean(id, SERVER_FIELD_MAX)),
            retry_after,
        }
    }

    /// Whether retrying the same call later can succeed: throttling, a server-side
    /// failure, a replayed nonce (each attempt signs a fresh one), or a job that is
    /// still being modified. Everything else is terminal.
    ///
    /// Tencent (reference §6): every `RequestLimitExceeded*`, `ResourceInUse*` and
    /// `ResourceUnavailable*`, `ServiceUnavailable`, and an HTTP 5xx or 429 (the API
    /// itself always answers 200, so those come from a gateway). `InternalError*` is
    /// not retried, as in the Terraform provider: a retry does not fix it. Neither are
    /// `AuthFailure*`, `InvalidParameter*`, `MissingParameter*`, `UnknownParameter*`,
    /// `ResourceNotFound*`, `UnsupportedOperation*`, `LimitExceeded*` and
    /// `FailedOperation*` (a status conflict is re-polled by the caller, not here).
    pub fn is_retryable(&self) -> bool {
        match self.provider {
            Provider::Alibaba => {
                self.code.contains("Throttling")
                    || matches!(
                        self.code.as_str(),
                        "ServiceUnavailable" | "InternalError" | "SignatureNonceUsed"
                    )
                    || ALIBABA_JOB_MODIFYING_CODES.contains(&self.code.as_str())
                    || self.http_status.is_some_and(|s| s >= 500)
            }
            Provider::Tencent => {
                let family = self.code.split('.').next().unwrap_or_default();
                TENCENT_RETRYABLE_FAMILIES.contains(&family)
                    || self.code == "ServiceUnavailable"
                    || self.http_status.is_some_and(|s| s >= 500 || s == 429)
            }
        }
    }

    /// Whether the answer says the request was throttled (rate-limited), not looked at.
    pub fn is_throttling(&self) -> bool {
        match self.provider {
            Provider::Alibaba => self.code.contains("Throttling"),
            Provider::Tencent => self.code.starts_with("RequestLimitExceeded"),
        }
    }

    fn help_text(&self) -> Option<&'static str> {
        match self.provider {
            Provider::Alibaba => self.alibaba_help(),
            Provider::Tencent => self.tencent_help(),
        }
    }

    fn tencent_help(&self) -> Option<&'static str> {
        Some(match self.code.as_str() {
            "AuthFailure.SignatureFailure" => {
                "the secret key does not match the secret id; check TENCENTCLOUD_SECRET_KEY or the profile in ~/.tccli/<profile>.credential"
            }
            "AuthFailure.SecretIdNotFound" | "AuthFailure.InvalidSecretId" => {
                "the secret id is unknown or disabled; check TENCENTCLOUD_SECRET_ID or the profile in ~/.tccli/<profile>.credential"
            }
            "AuthFailure.SignatureExpire" => {
                "the request timestamp is more than 5 minutes off; check this machine's clock"
            }
            "AuthFailure.TokenFailure" => {
                "the session token is invalid or expired; refresh TENCENTCLOUD_SESSION_TOKEN"
            }
            "FailedOperation.StatusInConflict" | "FailedOperation.StatusInConflictError" => {
                "the job's current status does not allow this operation (ModifyMigrateJob needs status 1, 4, 5 or 10; StartMigrateJob needs 4); re-read the job and plan again"
            }
            "ResourceNotFound.JobNotExist" => {
                "check the job id and the region: a job is only found in the region it lives in"
            }
            code if code.starts_with("RequestLimitExceeded") => {
                "the API rate limit (20 requests per second per action) was hit; retry later or lower the request rate"
            }
            _ => return None,
        })
    }

    fn alibaba_help(&self) -> Option<&'static str> {
        Some(match self.code.as_str() {
            "SignatureDoesNotMatch" | "IncompleteSignature" => {
                "the access key secret does not match the access key id; check ALIBABA_CLOUD_ACCESS_KEY_SECRET or the profile in ~/.aliyun/config.json"
            }
            "InvalidAccessKeyId.NotFound" | "InvalidAccessKeyId.Inactive" => {
                "the access key id is unknown or disabled; check ALIBABA_CLOUD_ACCESS_KEY_ID or the profile in ~/.aliyun/config.json"
            }
            "InvalidTimeStamp.Expired" => {
                "the request timestamp is more than 15 minutes off; check this machine's clock"
            }
            "Forbidden.InstanceNotFound" | "InvalidJobId" => {
                "check the job id and the region: a job is only found in the region it lives in"
            }
            "Forbidden.RAM" => "the RAM user or role lacks permission for this DTS action",
            "DTS.Msg.OperationDenied.JobStatusModifying" => {
                "the job is still applying an earlier modification; wait until it leaves Modifying"
            }
            "DTS.Msg.ModifyDenied.JobStatusNotRunning" => {
                "objects can only be modified while the job is running; start it first"
            }
            code if code.contains("Throttling") => {
                "the API rate limit was hit; retry later or lower the request rate"
            }
            _ => return None,
        })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} failed: {}: {}",
            self.provider, self.action, self.code, self.message
        )?;
        match (&self.request_id, self.http_status) {
            (Some(id), Some(status)) => write!(f, " (RequestId: {id}, HTTP {status})"),
            (Some(id), None) => write!(f, " (RequestId: {id})"),
            (None, Some(status)) => write!(f, " (HTTP {status})"),
            (None, None) => Ok(()),
        }
    }
}

impl std::error::Error for ApiError {}

impl miette::Diagnostic for ApiError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help_text()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}

/// Everything a cloud call can fail with.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Api(#[from] ApiError),

    /// The request did not get an HTTP answer. Never includes the URL: its query can
    /// hold a signature or a password.
    #[error("{action}: could not reach {endpoint}: {reason}")]
    #[diagnostic(
        code(dtsform::transport),
        help(
            "check the network and the endpoint; transport failures are retried until the deadline"
        )
    )]
    Transport {
        action: String,
        endpoint: String,
        reason: String,
    },

    /// An answer that is not what the API documents (not JSON, wrong shape).
    #[error("{action}: unexpected response (HTTP {status}): {reason}")]
    #[diagnostic(code(dtsform::decode))]
    Decode {
        action: String,
        status: u16,
        reason: String,
    },

    /// The endpoint answered with a redirect. Never followed: a signed request (and the
    /// password it may carry) must not be sent to another address.
    #[error("{action}: the endpoint answered HTTP {status}, a redirect{}; dtsform does not follow redirects", .location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default())]
    #[diagnostic(
        code(dtsform::redirect),
        help(
            "a signed request is never sent on to another address; set the endpoint to the address that serves the API itself"
        )
    )]
    Redirected {
        action: String,
        status: u16,
        /// Where the redirect pointed: its origin (`https://host:port`) only.
        location: Option<String>,
    },

    /// An answer about another job than the one asked for: not used for anything.
    #[error(
        "{action}: asked about job {asked:?}, but the service answered about {answered}; the answer was not used"
    )]
    #[diagnostic(
        code(dtsform::other_job),
        help(
            "nothing was written; check the endpoint (a proxy or cache answering for the wrong job?) and run again"
        )
    )]
    OtherJob {
        action: String,
        asked: String,
        /// What the answer named instead, cleaned: `job "x"` or `no job id`.
        answered: String,
    },

    /// Retries ran out; the last failure is the source.
    #[error("{action}: gave up after {attempts} attempts in {elapsed:.1?}")]
    #[diagnostic(code(dtsform::retries_exhausted))]
    GaveUp {
        action: String,
        attempts: u32,
        elapsed: Duration,
        #[source]
        last: Box<Error>,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Credentials(#[from] crate::cloud::alibaba::CredentialsError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    TencentCredentials(#[from] crate::cloud::tencent::CredentialsError),

    #[error("invalid client configuration: {0}")]
    #[diagnostic(code(dtsform::config))]
    Config(String),
}

impl Error {
    /// An unexpected answer; `reason` may quote the server (a decoder's message names the
    /// value it choked on), so it is cleaned like every server text (see
    /// [`ApiError::from_server`]).
    pub(crate) fn decode(action: &str, status: u16, reason: &str, redactor: &Redactor) -> Self {
        Self::Decode {
            action: action.to_owned(),
            status,
            reason: redactor.clean(reason, SERVER_TEXT_MAX),
        }
    }

    /// The cloud's error answer, looking through a [`Error::GaveUp`].
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            Self::GaveUp { last, .. } => last.api(),
            _ => None,
        }
    }

    /// Whether a retry may succeed (see [`ApiError::is_retryable`]); transport failures are.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(e) => e.is_retryable(),
            Self::Transport { .. } => true,
            _ => false,
        }
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(e) => e.retry_after,
            _ => None,
        }
    }
}
