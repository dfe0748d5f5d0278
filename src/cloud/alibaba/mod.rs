//! Alibaba Cloud DTS, OpenAPI 2020-01-01 (the "reference §N" notes cite the sections of
//! the wire-protocol reference the client was written from: Alibaba's API pages, the
//! official SDK's source and its test vectors).
//!
//! * [`sign`] — V3 `ACS3-HMAC-SHA256` and V1 `HMAC-SHA1`, pure, pinned to the reference vectors;
//! * [`request`] — parameters → signed HTTP request, pure;
//! * [`actions`] — the typed actions dtsform uses and where each parameter goes;
//! * [`model`] — jobs, statuses and endpoints as the API returns them;
//! * [`credentials`], [`endpoint`] — where keys and hosts come from;
//! * [`limits`] — what the API accepts (the 1 MB `DbList`);
//! * [`client`] — sends, classifies answers, retries.

pub mod actions;
pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod limits;
pub mod model;
pub mod request;
pub mod sign;

pub use actions::{
    Action, DescribeDtsJobDetail, DescribeDtsJobs, EndpointSide, JobStatusChange, ModifyDtsJob,
    ModifyDtsJobChange, ModifyDtsJobEndpoint, StartDtsJob, SuspendDtsJob, WriteResponse,
};
pub use client::{AlibabaClient, ClientConfig};
pub use credentials::{Credentials, CredentialsError};
pub use model::{Direction, DtsJob, EndpointInfo, JobStatus, JobType, MigrationMode};
pub use request::{Params, SignatureVersion};
