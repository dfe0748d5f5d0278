//! Which host to talk to. By default the nearest-region host `dts.tencentcloudapi.com`,
//! with the region travelling in `X-TC-Region`; finance regions (`*-fsi`) are
//! network-isolated and must be addressed by their own host
//! `dts.<region>.tencentcloudapi.com` (reference §1). An explicit endpoint overrides
//! both, under the same rule as every cloud: `https`, or plain `http` only to a loopback
//! address such as a local emulator.

use reqwest::Url;

use crate::cloud::Error;

/// The override rules and the signed `Host` value are the same for every cloud.
pub use crate::cloud::alibaba::endpoint::{host_header, is_loopback, parse_endpoint};

/// The root domain of Tencent Cloud API 3.0 hosts.
pub const ROOT_DOMAIN: &str = "tencentcloudapi.com";

/// The default host for `region`: `https://dts.<region>.tencentcloudapi.com` for a
/// finance region, else `https://dts.tencentcloudapi.com`.
pub fn default_endpoint(region: &str) -> Result<Url, Error> {
    validate_region(region)?;
    let host = if is_finance_region(region) {
        format!("dts.{region}.{ROOT_DOMAIN}")
    } else {
        format!("dts.{ROOT_DOMAIN}")
    };
    Url::parse(&format!("https://{host}"))
        .map_err(|e| Error::Config(format!("bad region {region:?}: {e}")))
}

/// Finance-zone regions (`ap-shenzhen-fsi`, `ap-shanghai-fsi`, `ap-beijing-fsi`) are
/// reachable only through their own host.
pub fn is_finance_region(region: &str) -> bool {
    region.ends_with("-fsi")
}

/// Region ids are lowercase words and digits joined by dashes (`ap-guangzhou`,
/// `na-siliconvalley`, `ap-shenzhen-fsi`). Checked because the region can end up in the
/// host name.
pub fn validate_region(region: &str) -> Result<(), Error> {
    let ok = !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
        && !region.contains("--");
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "{region:?} is not a Tencent Cloud region id (expected something like ap-guangzhou)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_region_host_unless_finance() {
        let host = |r: &str| default_endpoint(r).unwrap().to_string();
        assert_eq!(host("ap-guangzhou"), "https://dts.tencentcloudapi.com/");
        assert_eq!(host("na-siliconvalley"), "https://dts.tencentcloudapi.com/");
        assert_eq!(
            host("ap-shenzhen-fsi"),
            "https://dts.ap-shenzhen-fsi.tencentcloudapi.com/"
        );
        assert_eq!(
            host("ap-shanghai-fsi"),
            "https://dts.ap-shanghai-fsi.tencentcloudapi.com/"
        );
        assert_eq!(
            host("ap-beijing-fsi"),
            "https://dts.ap-beijing-fsi.tencentcloudapi.com/"
        );
    }

    #[test]
    fn region_text_is_checked() {
        for bad in [
            "",
            "AP-guangzhou",
            "ap_guangzhou",
            "evil.com/x",
            "-ap",
            "ap-",
            "ap--x",
            "a b",
            "ap-shenzhen-fsi.evil.com",
        ] {
            assert!(default_endpoint(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn overrides_follow_the_shared_rule() {
        assert!(parse_endpoint("http://127.0.0.1:8417").is_ok());
        assert!(parse_endpoint("https://dts.tencentcloudapi.com").is_ok());
        assert!(parse_endpoint("http://dts.tencentcloudapi.com").is_err());
        let url = parse_endpoint("http://127.0.0.1:8417").unwrap();
        assert!(is_loopback(&url));
        assert_eq!(host_header(&url), "127.0.0.1:8417");
    }
}
