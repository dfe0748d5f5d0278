#!/usr/bin/env python3
"""Interop test: drive the official Tencent Cloud DTS Python SDK (API 2018-03-30) against the dtsform emulator.

Usage:
    python tests/sdk/tencent_interop.py --endpoint 127.0.0.1:PORT [--check-seconds 0.5] [--missing-table archive.ghost]

Install the SDK first:  pip install -r tests/sdk/requirements.txt

The emulator must be fresh (its sample world) and started with `--tencent-missing-table` naming
the table given here as --missing-table. The SDK signs with TC3-HMAC-SHA256 (SignedHeaders
content-type;host) over plain HTTP: HttpProfile(protocol="http", endpoint="127.0.0.1:PORT").

Each check prints `ok - ...` or `FAIL - ...: details`; the last line is `# N failure(s)`. Exit
status is 1 if any check failed, 0 otherwise.
"""

import argparse
import json
import os
import sys
import time
import traceback
import warnings

# requests honours HTTP(S)_PROXY; keep loopback traffic away from any proxy in the environment.
for _var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_var, None)

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.dts.v20180330 import dts_client, models

SECRET_ID = "dtsform-emulator"
SECRET_KEY = "dtsform-emulator-secret"
REGION = "ap-guangzhou"

# The emulator's sample world (Tencent side).
SHOP = "dts-6r2kq0mz"  # ap-guangzhou, 4 CheckPass, two databases selected
CRM = "dts-3nw8tx5c"  # ap-guangzhou, 7 Running
ARCHIVE = "dts-0pb7ye4d"  # ap-guangzhou, 1 Creating, whole instance
BILLING = "dts-9fh2ua6s"  # ap-shanghai, 10 Failed
SHOP_DATABASE_INFO = '[{"Database":"shop","Table":["orders","customers"]},{"Database":"audit"}]'
NO_TIME = "0000-00-00 00:00:00"
CHECK_FAILED_ZH = "选择的库表不存在，请重新选择[存在输入参数table在源实例没有找到]"

POLL_INTERVAL = 0.2  # 5 calls a second: well below the 20-per-second limit


class Tester:
    def __init__(self, args):
        self.args = args
        self.client = make_client(args.endpoint)
        self.failures = 0

    def ok(self, what):
        print(f"ok - {what}", flush=True)

    def fail(self, what, details):
        self.failures += 1
        print(f"FAIL - {what}: {details}", flush=True)

    def check(self, cond, what, details=""):
        if cond:
            self.ok(what)
        else:
            self.fail(what, details)
        return bool(cond)

    @property
    def timeout(self):
        return self.args.check_seconds + 5.0


def make_client(endpoint, region=REGION, secret_id=SECRET_ID, secret_key=SECRET_KEY, token=None, method="POST",
                language="zh-CN"):
    """An SDK client that talks plain HTTP to `endpoint` (host:port), which it also signs as Host."""
    http = HttpProfile(protocol="http", endpoint=endpoint, reqMethod=method, reqTimeout=10)
    profile = ClientProfile(httpProfile=http, language=language)
    return dts_client.DtsClient(credential.Credential(secret_id, secret_key, token), region, profile)


def request(model_class, **fields):
    """A request model from wire-named fields (the SDK's own deserializer fills it)."""
    req = model_class()
    req.from_json_string(json.dumps(fields))
    return req


def describe_jobs(client, **fields):
    return client.DescribeMigrateJobs(request(models.DescribeMigrateJobsRequest, **fields))


def job(t, job_id, client=None):
    resp = describe_jobs(client or t.client, JobId=job_id)
    if resp.TotalCount != 1:
        raise AssertionError(f"DescribeMigrateJobs JobId={job_id}: TotalCount {resp.TotalCount}")
    return resp.JobList[0]


def check_job(t, job_id):
    return t.client.DescribeMigrateCheckJob(request(models.DescribeMigrateCheckJobRequest, JobId=job_id))


def modify(client, **fields):
    return client.ModifyMigrateJob(request(models.ModifyMigrateJobRequest, **fields))


def poll(fetch, done, timeout):
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        value = fetch()
        if not seen or seen[-1] != value:
            seen.append(value)
        if done(value) or time.monotonic() > deadline:
            return seen
        time.sleep(POLL_INTERVAL)


def error_of(fn):
    """(code, message) of the SDK exception fn raises, or (None, result) if it succeeds."""
    try:
        return None, fn()
    except TencentCloudSDKException as exc:
        return exc.code, exc.message


def expect_error(t, what, code, fn, message_part=None):
    got, message = error_of(fn)
    if got != code:
        t.fail(what, f"expected {code}, got {got}: {message}")
        return None
    if message_part is not None and message_part not in str(message):
        t.fail(what, f"{code} message {message!r} lacks {message_part!r}")
        return None
    t.ok(what)
    return message


# --------------------------------------------------------------------------------------------


def check_describe(t):
    """DescribeMigrateJobs: the region's jobs, the official example's shape, filters, paging, GET."""
    resp = describe_jobs(t.client)
    ids = [j.JobId for j in resp.JobList]
    t.check(resp.TotalCount == 3 and ids == [SHOP, CRM, ARCHIVE], "DescribeMigrateJobs lists the region's 3 jobs",
            f"TotalCount {resp.TotalCount}, {ids}")
    t.check(bool(resp.RequestId) and len(resp.RequestId) == 36, "answers carry a RequestId", resp.RequestId)

    shop = next((j for j in resp.JobList if j.JobId == SHOP), None)
    t.check(shop is not None and shop.DatabaseInfo == SHOP_DATABASE_INFO and shop.Status == 4,
            "the CheckPass job shows its DatabaseInfo string verbatim",
            shop and (shop.Status, shop.DatabaseInfo))
    raw = json.loads(shop.to_json_string())
    expected_keys = {"JobId", "JobName", "MigrateOption", "SrcAccessType", "SrcDatabaseType", "SrcInfo",
                     "DstAccessType", "DstDatabaseType", "DstInfo", "Tags", "Detail", "Status", "DatabaseInfo",
                     "CreateTime", "StartTime", "EndTime", "ErrorInfo"}
    missing = sorted(k for k in expected_keys if raw.get(k) is None)
    t.check(not missing, "every key of the official example is filled in", f"missing {missing}")
    t.check(shop.SrcInfo.Password == "" and shop.SrcInfo.InstanceId == "cdb-3kwa7x1p"
            and shop.DstInfo.Region == REGION, "SrcInfo/DstInfo decode, Password is \"\"",
            shop.SrcInfo.to_json_string())
    t.check(shop.StartTime == NO_TIME and shop.MigrateOption.ExpectTime == NO_TIME and shop.ErrorInfo == []
            and shop.Detail.Progress == "0", "unset times are 0000-00-00 00:00:00, ErrorInfo []",
            (shop.StartTime, shop.MigrateOption.ExpectTime))
    t.check(len(shop.CreateTime) == 19 and shop.CreateTime[4] == "-" and shop.CreateTime[10] == " ",
            "CreateTime is yyyy-mm-dd hh:mm:ss", shop.CreateTime)
    t.check([(tag.TagKey, tag.TagValue) for tag in shop.Tags] == [("owner", "shop-team")], "Tags decode",
            shop.Tags)

    by_id = describe_jobs(t.client, JobId=CRM)
    t.check(by_id.TotalCount == 1 and by_id.JobList[0].Status == 7, "JobId filter", by_id.to_json_string())
    by_name = describe_jobs(t.client, JobName="archive-migrate")
    t.check([j.JobId for j in by_name.JobList] == [ARCHIVE], "JobName filter", by_name.to_json_string())
    by_tag = describe_jobs(t.client, TagFilters=[{"TagKey": "owner", "TagValue": ["shop-team"]}])
    t.check([j.JobId for j in by_tag.JobList] == [SHOP], "TagFilters filter", by_tag.to_json_string())

    pages = [describe_jobs(t.client, Offset=o, Limit=1) for o in range(4)]
    paged = [j.JobId for p in pages for j in p.JobList]
    t.check(paged == [SHOP, CRM, ARCHIVE] and all(p.TotalCount == 3 for p in pages),
            "Offset/Limit page through the jobs, one at a time", paged)
    ordered = describe_jobs(t.client, Order="Status", OrderSeq="DESC")
    t.check([j.Status for j in ordered.JobList] == [7, 4, 1], "Order/OrderSeq sort",
            [j.Status for j in ordered.JobList])
    expect_error(t, "Limit 101 is refused", "InvalidParameterValue", lambda: describe_jobs(t.client, Limit=101))

    get = make_client(t.args.endpoint, method="GET")
    resp = describe_jobs(get, Offset=1, Limit=1, TagFilters=[{"TagKey": "owner"}])
    t.check(resp.TotalCount == 1 and resp.JobList == [], "GET with flattened query parameters is signed and served",
            resp.to_json_string())

    shanghai = make_client(t.args.endpoint, region="ap-shanghai")
    resp = describe_jobs(shanghai)
    t.check([j.JobId for j in resp.JobList] == [BILLING], "X-TC-Region scopes the listing",
            [j.JobId for j in resp.JobList])


def check_modify_full_overwrite(t):
    """ModifyMigrateJob replaces the object list; the job must be checked again."""
    new_info = '[{"Database":"shop","Table":["orders","payments"]}]'
    resp = modify(
        t.client,
        JobId=SHOP,
        JobName="shop-migrate",
        MigrateOption={"RunMode": 1, "MigrateType": 3, "MigrateObject": 2, "ConsistencyType": 5,
                       "IsOverrideRoot": 0},
        SrcAccessType="cdb",
        SrcInfo={"InstanceId": "cdb-3kwa7x1p", "Region": REGION, "User": "dts_reader",
                 "Password": "pw-never-stored"},
        DstAccessType="cdb",
        DstInfo={"InstanceId": "cdb-9mzq4e2t", "Region": REGION, "ReadOnly": 0, "User": "dts_writer",
                 "Password": "pw-never-stored"},
        DatabaseInfo=new_info,
    )
    t.check(bool(resp.RequestId), "ModifyMigrateJob succeeds in status 4", resp.to_json_string())
    after = job(t, SHOP)
    t.check(after.DatabaseInfo == new_info, "Describe shows exactly the DatabaseInfo sent", after.DatabaseInfo)
    tables = {(d["Database"], tb) for d in json.loads(after.DatabaseInfo) for tb in d.get("Table", [])}
    t.check(tables == {("shop", "orders"), ("shop", "payments")} and "audit" not in after.DatabaseInfo,
            "full overwrite: customers and audit are gone, payments is new", tables)
    t.check(after.Status == 1, "a modified job is back in status 1 (Creating)", after.Status)
    t.check(after.SrcInfo.Password == "" and after.DstInfo.Region == REGION, "passwords are never shown",
            after.SrcInfo.Password)
    resp = check_job(t, SHOP)
    t.check(resp.Status == "unavailable" and resp.CheckFlag == 3, "the previous check is forgotten",
            resp.to_json_string())

    expect_error(t, "ModifyMigrateJob of a Running (7) job is refused", "FailedOperation.StatusInConflict",
                 lambda: modify(t.client, JobId=CRM, DatabaseInfo='[{"Database":"crm"}]'), message_part="7")
    t.check(job(t, CRM).DatabaseInfo == '[{"Database":"crm"}]', "the refused modify changed nothing")
    expect_error(t, "changing the target region is refused", "InvalidParameterValue",
                 lambda: modify(t.client, JobId=SHOP, DatabaseInfo=new_info, DstInfo={"Region": "ap-beijing"}))
    expect_error(t, "a malformed DatabaseInfo is refused", "InvalidParameterValue",
                 lambda: modify(t.client, JobId=SHOP, DatabaseInfo='[{"Database":"shop","Table":"orders"}]'))
    expect_error(t, "an unknown job is ResourceNotFound.JobNotExist", "ResourceNotFound.JobNotExist",
                 lambda: modify(t.client, JobId="dts-00000000"), message_part="does not exist")
    expect_error(t, "a job of another region is not found", "ResourceNotFound.JobNotExist",
                 lambda: check_job(t, BILLING))
    expect_error(t, "an unknown parameter (sent raw with call_json) is UnknownParameter", "UnknownParameter",
                 lambda: t.client.call_json("ModifyMigrateJob", {"JobId": SHOP, "SrcDatabaseType": "redis"}))


def check_check_and_start(t):
    """CreateMigrateCheckJob → 3 → 4; DescribeMigrateCheckJob running → finished; StartMigrateJob → 7."""
    expect_error(t, "StartMigrateJob before a check passed is refused", "FailedOperation.StatusInConflict",
                 lambda: t.client.StartMigrateJob(request(models.StartMigrateJobRequest, JobId=SHOP)))
    t.client.CreateMigrateCheckJob(request(models.CreateMigrateCheckJobRequest, JobId=SHOP))
    running = check_job(t, SHOP)
    t.check(running.Status == "running" and running.CheckFlag == 3 and running.Progress.isdigit(),
            "DescribeMigrateCheckJob shows the check running", running.to_json_string())
    statuses = poll(lambda: job(t, SHOP).Status, lambda s: s == 4, t.timeout)
    t.check(statuses == [3, 4], "the job goes 3 (Checking) → 4 (CheckPass)", statuses)
    done = check_job(t, SHOP)
    t.check((done.Status, done.ErrorCode, done.ErrorMessage, done.Progress, done.CheckFlag)
            == ("finished", 0, "ok", "100", 1), "the finished check has the official example's shape",
            done.to_json_string())

    t.client.StartMigrateJob(request(models.StartMigrateJobRequest, JobId=SHOP))
    statuses = poll(lambda: job(t, SHOP).Status, lambda s: s == 7, t.timeout)
    t.check(statuses[-1] == 7 and set(statuses) <= {6, 7}, "StartMigrateJob takes the job to 7 (Running)",
            statuses)
    t.check(job(t, SHOP).StartTime != NO_TIME, "a started job has a StartTime")
    expect_error(t, "a second StartMigrateJob is refused", "FailedOperation.StatusInConflict",
                 lambda: t.client.StartMigrateJob(request(models.StartMigrateJobRequest, JobId=SHOP)))


def check_failed_check(t):
    """A selection naming a table the source lacks fails its check, and the job cannot start."""
    db, table = t.args.missing_table.split(".", 1)
    info = json.dumps([{"Database": db, "Table": [table, "present"]}], separators=(",", ":"))
    modify(t.client, JobId=ARCHIVE, MigrateOption={"RunMode": 1, "MigrateType": 2, "MigrateObject": 2},
           DatabaseInfo=info)
    t.check(job(t, ARCHIVE).DatabaseInfo == info, "the Creating job accepts a selection", info)
    t.client.CreateMigrateCheckJob(request(models.CreateMigrateCheckJobRequest, JobId=ARCHIVE))
    statuses = poll(lambda: job(t, ARCHIVE).Status, lambda s: s == 5, t.timeout)
    t.check(statuses == [3, 5], "the job goes 3 (Checking) → 5 (CheckNotPass)", statuses)
    failed = check_job(t, ARCHIVE)
    t.check((failed.Status, failed.ErrorCode, failed.ErrorMessage, failed.Progress, failed.CheckFlag)
            == ("finished", -1, CHECK_FAILED_ZH, "100", 0),
            "the failed check has the official example's shape and message", failed.to_json_string())
    expect_error(t, "StartMigrateJob after a failed check is refused", "FailedOperation.StatusInConflict",
                 lambda: t.client.StartMigrateJob(request(models.StartMigrateJobRequest, JobId=ARCHIVE)))
    english = make_client(t.args.endpoint, language="en-US")
    english.CreateMigrateCheckJob(request(models.CreateMigrateCheckJobRequest, JobId=ARCHIVE))
    poll(lambda: job(t, ARCHIVE).Status, lambda s: s == 5, t.timeout)
    message = check_job(t, ARCHIVE).ErrorMessage
    t.check(t.args.missing_table in message, "in en-US the failure names the missing table", message)


def check_modify_settings(t):
    """Every setting of ModifyMigrateJob through the SDK's own models, on the Failed (10) job: a timed run,
    a sampled check, an Alibaba Cloud source with its AccessKey (a secret: taken, never stored or shown);
    and the page's rules for MigrateOption."""
    shanghai = make_client(t.args.endpoint, region="ap-shanghai")
    info = '[{"Database":"billing","Table":["invoices"]}]'
    option = {"RunMode": 2, "ExpectTime": "2027-01-31 02:00:00", "MigrateType": 2, "MigrateObject": 2,
              "ConsistencyType": 3, "IsOverrideRoot": 0, "ExternParams": "{}",
              "ConsistencyParams": {"SelectRowsPerTable": 10, "TablesSelectAll": 20, "TablesSelectCount": 30}}
    resp = modify(
        shanghai,
        JobId=BILLING,
        JobName="billing-migrate-timed",
        MigrateOption=option,
        SrcAccessType="extranet",
        SrcInfo={"Ip": "203.0.113.10", "Port": 3306, "User": "root", "Password": "pw-never-stored",
                 "AccessKey": "ak-never-stored", "RdsInstanceId": "rm-bp1srcexample01", "Region": "ap-shanghai",
                 "Supplier": "aliyun", "EngineVersion": "5.7"},
        DstAccessType="cdb",
        DstInfo={"InstanceId": "cdb-8qs3vm1r", "Region": "ap-shanghai", "ReadOnly": 0, "User": "dts_writer",
                 "Password": "pw-never-stored"},
        DatabaseInfo=info,
    )
    t.check(bool(resp.RequestId), "ModifyMigrateJob with every setting succeeds in status 10", resp.to_json_string())
    after = job(t, BILLING, shanghai)
    opt = after.MigrateOption
    t.check((opt.RunMode, opt.ExpectTime, opt.MigrateType, opt.MigrateObject, opt.ConsistencyType,
             opt.IsOverrideRoot, opt.ExternParams) == (2, "2027-01-31 02:00:00", 2, 2, 3, 0, "{}"),
            "MigrateOption reads back: a timed run, a sampled check", opt.to_json_string())
    params = opt.ConsistencyParams
    t.check((params.SelectRowsPerTable, params.TablesSelectAll, params.TablesSelectCount) == (10, 20, 30),
            "ConsistencyParams read back", params.to_json_string())
    src = after.SrcInfo
    t.check(after.SrcAccessType == "extranet" and after.JobName == "billing-migrate-timed"
            and (src.Ip, src.Port, src.User, src.RdsInstanceId, src.Region, src.Supplier)
            == ("203.0.113.10", 3306, "root", "rm-bp1srcexample01", "ap-shanghai", "aliyun"),
            "SrcAccessType, JobName and SrcInfo read back", src.to_json_string())
    t.check(src.AccessKey == "" and src.Password == "", "SrcInfo.AccessKey and Password are never shown",
            (src.AccessKey, src.Password))
    t.check(after.DstInfo.User == "dts_writer" and after.DatabaseInfo == info and after.Status == 1,
            "DstInfo and DatabaseInfo read back; the job is back in status 1", after.to_json_string())

    for what, bad in [
        ("RunMode 2 without ExpectTime is refused", {"RunMode": 2, "MigrateType": 2, "MigrateObject": 2}),
        ("ConsistencyType 3 without ConsistencyParams is refused",
         {"RunMode": 1, "MigrateType": 2, "MigrateObject": 2, "ConsistencyType": 3}),
        ("IsOverrideRoot 1 with selected databases is refused",
         {"RunMode": 1, "MigrateType": 2, "MigrateObject": 2, "IsOverrideRoot": 1}),
        ("a ConsistencyParams value over 100 is refused",
         dict(option, ConsistencyParams={"SelectRowsPerTable": 101, "TablesSelectAll": 1, "TablesSelectCount": 1})),
    ]:
        expect_error(t, what, "InvalidParameterValue",
                     lambda bad=bad: modify(shanghai, JobId=BILLING, MigrateOption=bad, DatabaseInfo=info))
    t.check(job(t, BILLING, shanghai).MigrateOption.RunMode == 2, "the refused modifies changed nothing")


def check_credentials(t):
    """Wrong SecretKey, unknown SecretId; an STS token is accepted."""
    wrong_key = make_client(t.args.endpoint, secret_key="not-the-key")
    expect_error(t, "a wrong SecretKey is AuthFailure.SignatureFailure", "AuthFailure.SignatureFailure",
                 lambda: describe_jobs(wrong_key))
    expect_error(t, "a write signed with a wrong SecretKey is refused", "AuthFailure.SignatureFailure",
                 lambda: modify(wrong_key, JobId=ARCHIVE, DatabaseInfo="[]"))
    nobody = make_client(t.args.endpoint, secret_id="AKIDnobody")
    expect_error(t, "an unknown SecretId is AuthFailure.SecretIdNotFound", "AuthFailure.SecretIdNotFound",
                 lambda: describe_jobs(nobody))
    sts = make_client(t.args.endpoint, token="session-token")
    t.check(describe_jobs(sts).TotalCount == 3, "X-TC-Token (STS) is accepted")


def check_rate_limit(t):
    """More than 20 calls of one action in a second: RequestLimitExceeded, with the real message."""
    for _ in range(80):
        code, message = error_of(lambda: check_job(t, CRM))
        if code is not None:
            break
    ok = (code == "RequestLimitExceeded" and message.startswith("Your current request times equals to `")
          and message.endswith("` in a second, which exceeds the frequency limit `20` for a second. "
                               "Please reduce the frequency of calls."))
    t.check(ok, "the 21st call in a second is RequestLimitExceeded", f"{code}: {message}")


CHECKS = [check_describe, check_modify_full_overwrite, check_check_and_start, check_failed_check,
          check_modify_settings, check_credentials, check_rate_limit]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="emulator host:port (plain HTTP)")
    parser.add_argument("--check-seconds", type=float, default=0.5, help="the emulator's --check-seconds")
    parser.add_argument("--missing-table", default="archive.ghost", help="the emulator's --tencent-missing-table")
    args = parser.parse_args(argv)

    t = Tester(args)
    print(f"# Tencent DTS SDK interop against http://{args.endpoint}", flush=True)
    with warnings.catch_warnings(record=True) as caught:
        # The SDK's models warn about every answer key they do not know ("... fileds are useless").
        warnings.simplefilter("always")
        for check in CHECKS:
            try:
                check(t)
            except Exception as exc:  # noqa: BLE001 - keep going, report everything
                t.fail(f"{check.__name__} crashed", f"{exc!r}\n{traceback.format_exc().rstrip()}")
    useless = sorted({str(w.message) for w in caught if "useless" in str(w.message)})
    t.check(not useless, "the SDK models know every key of every answer", useless)
    print(f"# {t.failures} failure(s)", flush=True)
    return 1 if t.failures else 0


if __name__ == "__main__":
    sys.exit(main())
