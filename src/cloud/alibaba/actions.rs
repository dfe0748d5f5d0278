//! The DTS actions dtsform uses, as typed requests that know their parameter placement
//! (reference §2) and their response model.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::model::{DtsJob, JobType, MigrationMode};
use super::request::Params;
use crate::cloud::lenient;
use crate::secret::Secret;

/// One API action: its name, its parameters, its response.
pub trait Action {
    const NAME: &'static str;
    /// Whether the action takes a `ClientToken`. The client gives such a call a fresh
    /// token when the caller did not, and keeps it across retries, so a retry after a
    /// lost answer can never apply the write twice.
    const CLIENT_TOKEN: bool = false;
    type Response: DeserializeOwned;
    /// The parameters, with `RegionId` set to `region`.
    fn params(&self, region: &str) -> Params;
}

fn flag(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// The common answer of the write actions.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WriteResponse {
    #[serde(default, deserialize_with = "lenient::string")]
    pub request_id: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub dts_job_id: Option<String>,
}

/// DescribeDtsJobDetail: one job with its object list.
#[derive(Debug, Clone, Default)]
pub struct DescribeDtsJobDetail {
    pub dts_job_id: String,
    pub dts_instance_id: Option<String>,
    pub synchronization_direction: Option<String>,
    pub resource_group_id: Option<String>,
}

impl Action for DescribeDtsJobDetail {
    const NAME: &'static str = "DescribeDtsJobDetail";
    type Response = DtsJob;
    fn params(&self, region: &str) -> Params {
        Params::default()
            .query("DtsJobId", &self.dts_job_id)
            // Note the capital `ID`, as the SDK spells this one parameter.
            .query_opt("DtsInstanceID", self.dts_instance_id.as_deref())
            .query("RegionId", region)
            .query_opt("ResourceGroupId", self.resource_group_id.as_deref())
            .query_opt(
                "SynchronizationDirection",
                self.synchronization_direction.as_deref(),
            )
    }
}

/// DescribeDtsJobs: one page of jobs of one type.
#[derive(Debug, Clone)]
pub struct DescribeDtsJobs {
    /// The service defaults to `MIGRATION` when this is absent.
    pub job_type: JobType,
    pub page_number: u32,
    pub page_size: u32,
    pub dts_job_id: Option<String>,
    pub dts_instance_id: Option<String>,
    pub without_db_list: bool,
}

impl DescribeDtsJobs {
    /// The first page of all jobs of `job_type`. 30 rows a page is within both the
    /// documented maxima (30 and 100).
    pub fn all(job_type: JobType) -> Self {
        Self {
            job_type,
            page_number: 1,
            page_size: 30,
            dts_job_id: None,
            dts_instance_id: None,
            without_db_list: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDtsJobsResponse {
    #[serde(default, deserialize_with = "lenient::string")]
    pub request_id: String,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub page_number: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub page_record_count: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub total_record_count: Option<i64>,
    #[serde(default)]
    pub dts_job_list: Vec<DtsJob>,
}

impl Action for DescribeDtsJobs {
    const NAME: &'static str = "DescribeDtsJobs";
    type Response = DescribeDtsJobsResponse;
    fn params(&self, region: &str) -> Params {
        let mut p = Params::default()
            .query("JobType", self.job_type.as_param())
            .query("PageNumber", self.page_number.to_string())
            .query("PageSize", self.page_size.to_string())
            .query("RegionId", region)
            .query_opt("DtsJobId", self.dts_job_id.as_deref())
            .query_opt("DtsInstanceId", self.dts_instance_id.as_deref());
        if self.without_db_list {
            p = p.query("WithoutDbList", "true");
        }
        p
    }
}

/// What a ModifyDtsJob call changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModifyDtsJobChange {
    /// Replace the whole object list with this DbList JSON. Objects not in it stop
    /// replicating.
    DbList(String),
    /// Merge these reserved settings (a JSON object) into the job's
    /// (`ModifyTypeEnum=UPDATE_RESERVED`).
    Reserved(String),
    /// Set which phases the job runs (`StructureInitialization`, `DataInitialization`,
    /// `DataSynchronization`; the ones that are `None` are not sent), without a `DbList`.
    MigrationMode(MigrationMode),
}

/// ModifyDtsJob.
#[derive(Debug, Clone)]
pub struct ModifyDtsJob {
    pub dts_instance_id: String,
    pub dts_job_id: Option<String>,
    pub synchronization_direction: Option<String>,
    pub resource_group_id: Option<String>,
    /// Idempotency token: ASCII, at most 64 characters.
    pub client_token: Option<String>,
    pub change: ModifyDtsJobChange,
}

impl Action for ModifyDtsJob {
    const NAME: &'static str = "ModifyDtsJob";
    const CLIENT_TOKEN: bool = true;
    type Response = WriteResponse;
    fn params(&self, region: &str) -> Params {
        let p = Params::default()
            .query_opt("ClientToken", self.client_token.as_deref())
            .query("DtsInstanceId", &self.dts_instance_id)
            .query_opt("DtsJobId", self.dts_job_id.as_deref())
            .query("RegionId", region)
            .query_opt("ResourceGroupId", self.resource_group_id.as_deref())
            .query_opt(
                "SynchronizationDirection",
                self.synchronization_direction.as_deref(),
            );
        match &self.change {
            ModifyDtsJobChange::DbList(json) => p.body("DbList", json),
            ModifyDtsJobChange::Reserved(json) => p
                .body("ModifyTypeEnum", "UPDATE_RESERVED")
                .body("Reserved", json),
            ModifyDtsJobChange::MigrationMode(mode) => p
                .query_opt("DataInitialization", mode.data_initialization.map(flag))
                .query_opt("DataSynchronization", mode.data_synchronization.map(flag))
                .query_opt(
                    "StructureInitialization",
                    mode.structure_initialization.map(flag),
                ),
        }
    }
}

/// `src` or `dest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointSide {
    Source,
    Destination,
}

impl EndpointSide {
    /// `source` or `destination`, for people.
    pub fn name(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Destination => "destination",
        }
    }

    /// `src` or `dest`, for the API.
    pub fn as_param(self) -> &'static str {
        match self {
            Self::Source => "src",
            Self::Destination => "dest",
        }
    }
}

/// ModifyDtsJobEndpoint: change the source or destination database. Every parameter
/// travels in the query, as the SDK sends it.
#[derive(Debug, Clone)]
pub struct ModifyDtsJobEndpoint {
    pub dts_job_id: Option<String>,
    pub dts_instance_id: Option<String>,
    pub synchronization_direction: Option<String>,
    pub endpoint: EndpointSide,
    /// `rds`, `polardb`, `mongodb`, `ecs`, `other`, ...
    pub endpoint_instance_type: String,
    pub endpoint_instance_id: Option<String>,
    pub endpoint_region_id: Option<String>,
    pub endpoint_ip: Option<String>,
    pub endpoint_port: Option<String>,
    pub endpoint_vpc_id: Option<String>,
    pub endpoint_primary_vsw_id: Option<String>,
    pub endpoint_secondary_vsw_id: Option<String>,
    pub database: Option<String>,
    /// With `Some((user, password))`, sets `ModifyAccount=true` and the account.
    pub account: Option<(String, Secret)>,
    pub shard_account: Option<(String, Secret)>,
    pub role_name: Option<String>,
    pub aliyun_uid: Option<String>,
    pub resource_group_id: Option<String>,
    /// Precheck only; change nothing.
    pub dry_run: bool,
}

impl ModifyDtsJobEndpoint {
    pub fn new(dts_job_id: &str, endpoint: EndpointSide, instance_type: &str) -> Self {
        Self {
            dts_job_id: Some(dts_job_id.to_owned()),
            dts_instance_id: None,
            synchronization_direction: None,
            endpoint,
            endpoint_instance_type: instance_type.to_owned(),
            endpoint_instance_id: None,
            endpoint_region_id: None,
            endpoint_ip: None,
            endpoint_port: None,
            endpoint_vpc_id: None,
            endpoint_primary_vsw_id: None,
            endpoint_secondary_vsw_id: None,
            database: None,
            account: None,
            shard_account: None,
            role_name: None,
            aliyun_uid: None,
            resource_group_id: None,
            dry_run: false,
        }
    }
}

impl Action for ModifyDtsJobEndpoint {
    const NAME: &'static str = "ModifyDtsJobEndpoint";
    type Response = WriteResponse;
    fn params(&self, region: &str) -> Params {
        let mut p = Params::default()
            .query_opt("AliyunUid", self.aliyun_uid.as_deref())
            .query_opt("Database", self.database.as_deref())
            .query_opt("DtsInstanceId", self.dts_instance_id.as_deref())
            .query_opt("DtsJobId", self.dts_job_id.as_deref())
            .query("Endpoint", self.endpoint.as_param())
            .query_opt("EndpointInstanceId", self.endpoint_instance_id.as_deref())
            .query("EndpointInstanceType", &self.endpoint_instance_type)
            .query_opt("EndpointIp", self.endpoint_ip.as_deref())
            .query_opt("EndpointPort", self.endpoint_port.as_deref())
            .query_opt(
                "EndpointPrimaryVswId",
                self.endpoint_primary_vsw_id.as_deref(),
            )
            .query_opt("EndpointRegionId", self.endpoint_region_id.as_deref())
            .query_opt(
                "EndpointSecondaryVswId",
                self.endpoint_secondary_vsw_id.as_deref(),
            )
            .query_opt("EndpointVpcId", self.endpoint_vpc_id.as_deref())
            .query("RegionId", region)
            .query_opt("ResourceGroupId", self.resource_group_id.as_deref())
            .query_opt("RoleName", self.role_name.as_deref())
            .query_opt(
                "SynchronizationDirection",
                self.synchronization_direction.as_deref(),
            );
        if let Some((user, password)) = &self.account {
            p = p
                .query("ModifyAccount", "true")
                .query("Username", user)
                .query("Password", password.expose());
        }
        if let Some((user, password)) = &self.shard_account {
            p = p
                .query("ShardUsername", user)
                .query("ShardPassword", password.expose());
        }
        if self.dry_run {
            p = p.query("DryRun", flag(true));
        }
        p
    }
}

/// The parameters StartDtsJob and SuspendDtsJob take: which job, in which direction.
#[derive(Debug, Clone, Default)]
pub struct JobStatusChange {
    pub dts_job_id: String,
    pub dts_instance_id: Option<String>,
    pub synchronization_direction: Option<String>,
    pub resource_group_id: Option<String>,
}

impl JobStatusChange {
    /// The job `dts_job_id`, named by its id alone.
    pub fn job(dts_job_id: &str) -> Self {
        Self {
            dts_job_id: dts_job_id.to_owned(),
            ..Self::default()
        }
    }

    fn params(&self, region: &str) -> Params {
        Params::default()
            .query_opt("DtsInstanceId", self.dts_instance_id.as_deref())
            .query("DtsJobId", &self.dts_job_id)
            .query("RegionId", region)
            .query_opt("ResourceGroupId", self.resource_group_id.as_deref())
            .query_opt(
                "SynchronizationDirection",
                self.synchronization_direction.as_deref(),
            )
    }
}

/// StartDtsJob.
#[derive(Debug, Clone, Default)]
pub struct StartDtsJob(pub JobStatusChange);

/// SuspendDtsJob (pause).
#[derive(Debug, Clone, Default)]
pub struct SuspendDtsJob(pub JobStatusChange);

impl Action for StartDtsJob {
    const NAME: &'static str = "StartDtsJob";
    type Response = WriteResponse;
    fn params(&self, region: &str) -> Params {
        self.0.params(region)
    }
}

impl Action for SuspendDtsJob {
    const NAME: &'static str = "SuspendDtsJob";
    type Response = WriteResponse;
    fn params(&self, region: &str) -> Params {
        self.0.params(region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[(String, String)]) -> Vec<&str> {
        v.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn modify_places_db_list_in_the_body_and_ids_in_the_query() {
        let req = ModifyDtsJob {
            dts_instance_id: "dtsX".into(),
            dts_job_id: Some("X".into()),
            synchronization_direction: None,
            resource_group_id: None,
            client_token: Some("tok".into()),
            change: ModifyDtsJobChange::DbList("{}".into()),
        };
        let p = req.params("cn-hangzhou");
        assert_eq!(
            names(&p.query),
            ["ClientToken", "DtsInstanceId", "DtsJobId", "RegionId"]
        );
        assert_eq!(names(&p.body), ["DbList"]);

        let req = ModifyDtsJob {
            change: ModifyDtsJobChange::Reserved(r#"{"a":1}"#.into()),
            ..req
        };
        let p = req.params("cn-hangzhou");
        assert_eq!(
            p.body[0],
            ("ModifyTypeEnum".into(), "UPDATE_RESERVED".into())
        );
        assert_eq!(names(&p.body), ["ModifyTypeEnum", "Reserved"]);
    }

    #[test]
    fn migration_mode_flags_go_in_the_query_and_only_the_ones_set() {
        let req = ModifyDtsJob {
            dts_instance_id: "dtsX".into(),
            dts_job_id: Some("X".into()),
            synchronization_direction: Some("Reverse".into()),
            resource_group_id: Some("rg-1".into()),
            client_token: None,
            change: ModifyDtsJobChange::MigrationMode(MigrationMode {
                structure_initialization: Some(false),
                data_initialization: None,
                data_synchronization: Some(true),
            }),
        };
        let p = req.params("cn-hangzhou");
        assert!(p.body.is_empty());
        assert_eq!(
            p.query,
            [
                ("DtsInstanceId", "dtsX"),
                ("DtsJobId", "X"),
                ("RegionId", "cn-hangzhou"),
                ("ResourceGroupId", "rg-1"),
                ("SynchronizationDirection", "Reverse"),
                ("DataSynchronization", "true"),
                ("StructureInitialization", "false"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
    }

    #[test]
    fn start_and_suspend_name_the_direction_when_given() {
        let change = JobStatusChange {
            dts_job_id: "X".into(),
            dts_instance_id: Some("dtsX".into()),
            synchronization_direction: Some("Reverse".into()),
            resource_group_id: None,
        };
        let p = StartDtsJob(change.clone()).params("r");
        assert_eq!(
            names(&p.query),
            [
                "DtsInstanceId",
                "DtsJobId",
                "RegionId",
                "SynchronizationDirection"
            ]
        );
        assert_eq!(
            SuspendDtsJob(change).params("r").query,
            p.query,
            "the same parameters"
        );
    }

    #[test]
    fn endpoint_account_sets_modify_account_and_stays_in_the_query() {
        let mut req = ModifyDtsJobEndpoint::new("X", EndpointSide::Source, "rds");
        req.account = Some(("dts".into(), Secret::new("pw")));
        req.dry_run = true;
        let p = req.params("cn-hangzhou");
        assert!(p.body.is_empty());
        let get = |k: &str| {
            p.query
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("Endpoint"), Some("src"));
        assert_eq!(get("ModifyAccount"), Some("true"));
        assert_eq!(get("Password"), Some("pw"));
        assert_eq!(get("DryRun"), Some("true"));
    }

    #[test]
    fn detail_uses_the_capital_id_spelling() {
        let req = DescribeDtsJobDetail {
            dts_job_id: "X".into(),
            dts_instance_id: Some("dtsX".into()),
            synchronization_direction: None,
            resource_group_id: None,
        };
        assert_eq!(
            names(&req.params("r").query),
            ["DtsJobId", "DtsInstanceID", "RegionId"]
        );
    }
}
