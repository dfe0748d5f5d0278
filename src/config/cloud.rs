//! The shape of each cloud's part of the configuration: what the shared decoding needs
//! to know of a cloud. `alibaba.rs` and `tencent.rs` each define one [`CloudSchema`];
//! `config/mod.rs` picks it by the block's cloud, in one place.

use reqwest::Url;

use super::eval::Scope;
use super::model::{Cloud, JobSpec};
use super::reader::{Diag, Reader};
use super::resource::ResourceBlock;
use crate::cloud::alibaba::SignatureVersion;

/// One cloud, as the configuration sees it: its provider block and its resource type.
pub struct CloudSchema {
    pub cloud: Cloud,
    /// Every attribute the provider block takes, in the order help lines list them.
    pub provider_attributes: &'static [&'static str],
    /// A region id for help lines: `cn-hangzhou`, `ap-guangzhou`.
    pub region_example: &'static str,
    /// Checks a region id as the cloud's client will.
    pub validate_region: fn(&str) -> Result<(), crate::cloud::Error>,
    /// Parses and checks an endpoint override.
    pub parse_endpoint: fn(&str) -> Result<Url, crate::cloud::Error>,
    /// Reads how requests are signed, where the provider lets the user choose (Alibaba's
    /// `signature_version`). Tencent signs one way (TC3): its providers keep the default,
    /// which only Alibaba's client reads.
    pub signature: Option<fn(&Reader<'_, '_>) -> SignatureVersion>,
    /// The resource attribute holding the job's id.
    pub job_id_attribute: &'static str,
    /// Decodes a resource of the cloud's type. Errors go to the `Diag`; the spec is
    /// returned regardless (with what could be read), so checks across resources still
    /// run and report their own problems. A configuration with errors is never planned.
    pub decode_job: fn(&Diag<'_>, &ResourceBlock<'_>, &Scope<'_>) -> JobSpec,
}
