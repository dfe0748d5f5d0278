//! `provider "alicloud"` and `provider "tencentcloud"` blocks: what every provider takes
//! (region, endpoint, profile, alias, rate limit). What only one cloud's provider has is
//! read by that cloud's [`CloudSchema`] (`alibaba.rs`, `tencent.rs`).

use hcl_edit::structure::Block;

use super::cloud::CloudSchema;
use super::eval::Scope;
use super::model::{Cloud, ProviderSpec};
use super::reader::{Diag, Reader};
use super::source::{FileId, Span, did_you_mean};
use crate::cloud::alibaba::SignatureVersion;

/// The cloud a provider block's label names, or an error at the label.
pub fn cloud_of(d: &Diag<'_>, file: FileId, block: &Block) -> Option<Cloud> {
    let label = &block.labels[0];
    let cloud = Cloud::from_provider_label(label.as_str());
    if cloud.is_none() {
        let known = ["alicloud", "tencentcloud"];
        d.push(
            d.at(
                Span::of(file, label),
                "unknown_provider",
                format!("unknown provider {:?}", label.as_str()),
                "unknown provider",
            )
            .help(match did_you_mean(label.as_str(), known) {
                Some(s) => format!("did you mean {s}?"),
                None => "dtsform knows the alicloud (Alibaba Cloud DTS) and tencentcloud (Tencent Cloud DTS) providers".into(),
            }),
        );
    }
    cloud
}

/// Decodes a provider block of `schema`'s cloud; `None` (the errors reported) without a
/// region.
pub fn decode_provider(
    d: &Diag<'_>,
    file: FileId,
    block: &Block,
    scope: &Scope<'_>,
    schema: &CloudSchema,
) -> Option<ProviderSpec> {
    let span = Span::of(file, &block.ident).extend_to(&block.labels[0]);
    let r = Reader {
        d,
        file,
        body: &block.body,
        scope: scope.clone(),
        span,
        what: format!("provider \"{}\"", schema.cloud.provider_label()),
    };
    r.check(schema.provider_attributes, &[]);
    let value_span = |name: &str| r.attr(name).map_or(span, |a| r.span_of(&a.value));
    let region = r.required_string("region");
    if let Some(region) = &region
        && let Err(e) = (schema.validate_region)(region)
    {
        d.push(
            d.at(
                value_span("region"),
                "invalid_region",
                e.to_string(),
                "not a region id",
            )
            .help(format!(
                "write the region id, e.g. region = \"{}\"",
                schema.region_example
            )),
        );
    }
    let endpoint = r.string("endpoint").and_then(|text| match (schema.parse_endpoint)(&text) {
        Ok(url) => Some(url),
        Err(e) => {
            d.push(
                d.at(value_span("endpoint"), "invalid_endpoint", e.to_string(), "invalid endpoint")
                    .help("use https://host[:port]; plain http only for a loopback emulator such as http://127.0.0.1:8417"),
            );
            None
        }
    });
    let signature = schema
        .signature
        .map_or_else(SignatureVersion::default, |read| read(&r));
    let rate_limit = r.number("rate_limit").and_then(|n| {
        if n.is_finite() && n > 0.0 {
            Some(n)
        } else {
            d.push(
                d.at(
                    value_span("rate_limit"),
                    "invalid_value",
                    "rate_limit must be a positive number of requests per second",
                    "not positive",
                )
                .help("write rate_limit = 20, or leave it out and dtsform finds the rate itself"),
            );
            None
        }
    });
    Some(ProviderSpec {
        cloud: schema.cloud,
        alias: r.string("alias"),
        region: region?,
        endpoint,
        profile: r.string("profile"),
        signature,
        rate_limit,
        span,
    })
}
