//! Which host to talk to. By default the regional endpoint `dts.<region>.aliyuncs.com`
//! (what Terraform uses; the SDK sends some regions to the central `dts.aliyuncs.com`,
//! and both answer — reference §1). An explicit endpoint overrides it; plain `http://`
//! is refused unless the host is a loopback address such as the local emulator, so
//! signatures and passwords never cross a network unencrypted.

use std::net::IpAddr;

use reqwest::Url;

use crate::cloud::Error;

/// `https://dts.<region>.aliyuncs.com`.
pub fn regional_endpoint(region: &str) -> Result<Url, Error> {
    validate_region(region)?;
    Url::parse(&format!("https://dts.{region}.aliyuncs.com"))
        .map_err(|e| Error::Config(format!("bad region {region:?}: {e}")))
}

/// Region ids are lowercase words joined by dashes (`cn-hangzhou`, `ap-southeast-1`).
pub fn validate_region(region: &str) -> Result<(), Error> {
    let ok = !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "{region:?} is not a region id (expected something like cn-hangzhou)"
        )))
    }
}

/// Parses and checks an endpoint override: `https://host[:port]`, or `http://` for a
/// loopback host. A bare `host[:port]` means https. No credentials, path or query.
pub fn parse_endpoint(text: &str) -> Result<Url, Error> {
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("https://{text}")
    };
    let url = Url::parse(&with_scheme)
        .map_err(|e| Error::Config(format!("endpoint {text:?} is not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(
            "the endpoint must not contain credentials; use the credential chain".into(),
        ));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "endpoint {text:?} must be scheme://host[:port] with no path or query"
        )));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(Error::Config(format!(
            "endpoint {text:?} uses plain http to a non-loopback host; use https (plain http is only for a local emulator on 127.0.0.1, ::1 or localhost)"
        ))),
        other => Err(Error::Config(format!(
            "endpoint {text:?} has scheme {other:?}; use https"
        ))),
    }
}

/// Whether the URL's host is `localhost` or a loopback IP.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// The `host` value that is signed: the URL's authority without a default port, which is
/// exactly what the HTTP client sends.
pub fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regional_by_default() {
        assert_eq!(
            regional_endpoint("ap-northeast-1").unwrap().as_str(),
            "https://dts.ap-northeast-1.aliyuncs.com/"
        );
        for bad in ["", "CN-hangzhou", "cn_hangzhou", "evil.com/x", "-cn", "a b"] {
            assert!(regional_endpoint(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1:8417",
            "http://127.5.6.7:1",
            "http://[::1]:8417/",
            "http://localhost:9",
            "https://dts.aliyuncs.com",
            "dts.aliyuncs.com",
        ] {
            assert!(parse_endpoint(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1:8417",
            "http://dts.aliyuncs.com",
            "http://localhost.evil.com",
            "ftp://127.0.0.1",
            "https://user:pw@dts.aliyuncs.com",
            "https://dts.aliyuncs.com/path",
            "https://dts.aliyuncs.com/?a=b",
        ] {
            assert!(parse_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn host_header_matches_what_is_sent() {
        let h = |s: &str| host_header(&parse_endpoint(s).unwrap());
        assert_eq!(h("http://127.0.0.1:8417"), "127.0.0.1:8417");
        assert_eq!(h("https://dts.aliyuncs.com:443"), "dts.aliyuncs.com");
        assert_eq!(h("https://dts.aliyuncs.com"), "dts.aliyuncs.com");
        assert_eq!(h("http://[::1]:80"), "[::1]");
    }
}
