#!/usr/bin/env python3
"""Interop test: drive the official Alibaba Cloud DTS Python SDK against the dtsform emulator.

Usage:
    python tests/sdk/alibaba_interop.py --endpoint 127.0.0.1:PORT --signature v3|v1 [--modify-seconds 1.5]

Install the SDK first:  pip install -r tests/sdk/requirements.txt

--signature v3  SDK default, ACS3-HMAC-SHA256 (params in the query / form body, auth in headers)
--signature v1  Config(signature_algorithm='v2'): RPC HMAC-SHA1 (Signature etc. in the query)

Each check prints `ok - ...`, `FAIL - ...: details` or `skip - ...`. Exit status is 1 if any
check failed, 0 otherwise. Set DEBUG=sdk in the environment to make the SDK dump every HTTP
request/response it sends.

The emulator must be fresh (its world as seeded, see WORLD below): the checks mutate jobs
k2gm967v16f, s7qd5ph3n9c and the two-way r8tw2way01x and assume they start from the seeded
state.
"""

import argparse
import json
import os
import sys
import time
import traceback

# The SDK hands HTTP_PROXY/HTTPS_PROXY straight to requests and ignores NO_PROXY, so a proxy in
# the environment would swallow our loopback traffic. Drop them before importing the SDK.
for _var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_var, None)

from alibabacloud_dts20200101 import models as dts
from alibabacloud_dts20200101.client import Client as DtsClient
from alibabacloud_tea_openapi.utils_models import Config, OpenApiRequest, Params
from darabonba.runtime import RuntimeOptions

ACCESS_KEY_ID = "dtsform-emulator"
ACCESS_KEY_SECRET = "dtsform-emulator-secret"
REGION = "cn-hangzhou"

# The emulator's seeded world.
SHOP_JOB, SHOP_INSTANCE = "k2gm967v16f", "dtsk2gm967v16f"  # SYNC, Synchronizing
CRM_JOB, CRM_INSTANCE = "m4312mab158", "dtsm4312mab158"  # MIGRATION, Migrating
EVENTS_JOB, EVENTS_INSTANCE = "s7qd5ph3n9c", "dtss7qd5ph3n9c"  # SYNC, Suspending (paused)
# A two-way synchronization: the forward job and its reverse direction (its own job id, the
# same instance), each with its own object list and status.
TWO_WAY_JOB, TWO_WAY_INSTANCE = "r8tw2way01x", "dtsr8tw2way01x"
TWO_WAY_REVERSE_JOB = "r8tw2way01y"
SYNC_JOBS = {SHOP_JOB, EVENTS_JOB, TWO_WAY_JOB}

TWO_WAY_FORWARD_DB_OBJECT = {
    "orders": {
        "name": "orders",
        "all": False,
        "Table": {
            "orders": {"name": "orders", "all": True},
            "order_items": {"name": "order_items", "all": True},
        },
    }
}
TWO_WAY_REVERSE_DB_OBJECT = {
    "orders": {"name": "orders", "all": False, "Table": {"orders": {"name": "orders", "all": True}}}
}

SHOP_DB_OBJECT = {
    "shop": {
        "name": "shop",
        "all": False,
        "Table": {
            "orders": {"name": "orders", "all": True},
            "customers": {"name": "customers", "all": True},
            "legacy_orders": {"name": "legacy_orders", "all": True},
        },
    }
}

# What check 3 sends: a full overwrite that keeps orders, adds payments and drops the rest.
SHOP_DB_LIST_NEW = {
    "shop": {
        "name": "shop",
        "all": False,
        "Table": {
            "orders": {"name": "orders", "all": True},
            "payments": {"name": "payments", "all": True},
        },
    }
}

POLL_INTERVAL = 0.2
START_TIMEOUT = 10.0


# --------------------------------------------------------------------------------------------
# Reporting


class Tester:
    """Holds the clients, the command-line options and the pass/fail tally."""

    def __init__(self, args):
        self.args = args
        self.sig = args.signature
        self.client = make_client(args.endpoint, args.signature)
        self.failures = 0
        self.notes = {}  # facts earlier checks leave for later ones (for better messages)

    def ok(self, what):
        print(f"ok - {what}", flush=True)

    def fail(self, what, details):
        self.failures += 1
        print(f"FAIL - {what}: {details}", flush=True)

    def skip(self, what, why):
        print(f"skip - {what}: {why}", flush=True)

    def check(self, cond, what, details=""):
        """Print ok/FAIL for a condition; return the condition so callers can branch on it."""
        if cond:
            self.ok(what)
        else:
            self.fail(what, details)
        return bool(cond)

    @property
    def modify_timeout(self):
        return self.args.modify_seconds + 5.0


# --------------------------------------------------------------------------------------------
# SDK plumbing


def make_client(endpoint, signature, key_id=ACCESS_KEY_ID, secret=ACCESS_KEY_SECRET):
    """An SDK client that talks plain HTTP to `endpoint` (host:port).

    Config.endpoint is used verbatim as the `host` header and URL authority, and
    Config.protocol='http' overrides the 'HTTPS' that every generated action hard-codes.
    """
    config = Config(
        access_key_id=key_id,
        access_key_secret=secret,
        endpoint=endpoint,
        protocol="http",
        region_id=REGION,  # only used for endpoint resolution, never sent: pass RegionId per request
    )
    if signature == "v1":
        config.signature_algorithm = "v2"  # selects do_rpcrequest (HMAC-SHA1, SignatureVersion 1.0)
    elif signature != "v3":
        raise ValueError(f"unknown signature version {signature!r}")
    return DtsClient(config)


def describe_error(exc):
    """One-line description of an SDK exception: class, HTTP status, code, message, request id, body."""
    if error_code(exc) is None:
        # Not an API error: UnretryableException (connection refused, timeout, non-JSON body: its
        # str() is the inner exception) or a plain Python error.
        return f"{type(exc).__name__}: {exc}"
    body = dict(exc.data) if isinstance(getattr(exc, "data", None), dict) else getattr(exc, "data", None)
    if isinstance(body, dict):
        body.pop("statusCode", None)  # injected by the SDK, not part of the wire body
    return (
        f"{type(exc).__name__} HTTP {getattr(exc, 'status_code', None)} code={exc.code!r} "
        f"message={getattr(exc, 'message', None)!r} request_id={getattr(exc, 'request_id', None)!r} "
        f"body={compact(body)}"
    )


def error_code(exc):
    """The API error code of an SDK exception (the body's `Code`), or None for non-API errors."""
    code = getattr(exc, "code", None)
    return None if code in (None, "None") else code


def response_parts(resp):
    """(HTTP status, body dict) of a successful SDK call.

    Generated actions return a *Response model (status_code, body model); the generic call_api
    returns a plain dict {'statusCode', 'headers', 'body'}. The model's to_map() gives wire-style
    PascalCase keys (it drops keys the model does not know and adds empty SubSyncJob-style lists).
    """
    if isinstance(resp, dict):
        return resp.get("statusCode"), resp.get("body")
    body = getattr(resp, "body", None)
    if body is not None and hasattr(body, "to_map"):
        body = body.to_map()
    return getattr(resp, "status_code", None), body


def success_problem(resp):
    """Why a 2xx response does not look like a DTS success, or None if it does."""
    _, body = response_parts(resp)
    if not isinstance(body, dict):
        return f"response has no JSON object body: {body!r}"
    problems = []
    if not body.get("RequestId"):
        problems.append("no RequestId")
    if str(body.get("Success")).lower() != "true":
        problems.append(f"Success={body.get('Success')!r}")
    if problems:
        return f"{', '.join(problems)}; body={compact(body)}"
    return None


def call(t, what, fn):
    """Run an SDK call that must succeed. Returns the response, or None after printing FAIL."""
    try:
        resp = fn()
    except Exception as exc:  # noqa: BLE001 - any SDK/transport error is a test failure here
        t.fail(what, f"expected success, got {describe_error(exc)}")
        return None
    problem = success_problem(resp)
    if problem:
        t.fail(what, f"HTTP {response_parts(resp)[0]} but {problem}")
        return None
    return resp


def expect_error(t, what, expected_code, fn):
    """Run an SDK call that must fail with API error `expected_code`. Returns True if it did."""
    try:
        resp = fn()
    except Exception as exc:  # noqa: BLE001
        actual = error_code(exc)
        status = getattr(exc, "status_code", None)
        if actual != expected_code:
            return t.check(False, what, f"expected code {expected_code!r}, got {describe_error(exc)}")
        if not (isinstance(status, int) and 400 <= status <= 599):
            return t.check(False, what, f"code {actual!r} but HTTP status {status!r} is not 4xx/5xx")
        return t.check(True, what)
    status, body = response_parts(resp)
    if isinstance(body, dict) and str(body.get("Success")).lower() == "false":
        got = body.get("ErrCode") or body.get("Code")
        hint = "right code, but" if got == expected_code else f"code {got!r} and"
        return t.check(
            False,
            what,
            f"expected error {expected_code!r} as HTTP 4xx/5xx; got {hint} HTTP {status} with Success=false, "
            f"so the SDK raised nothing (it only raises on 4xx/5xx); body={compact(body)}",
        )
    return t.check(
        False,
        what,
        f"expected error {expected_code!r}, but the call succeeded: HTTP {status} body={compact(body)}",
    )


def poll(fetch, done, timeout, interval=POLL_INTERVAL):
    """Call fetch() every `interval` s until done(value) is true or `timeout` s have passed.

    Returns (satisfied, last_value, seen) where `seen` lists the distinct successive values
    observed (exceptions recorded as 'error: ...'), which makes failure messages readable.
    """
    deadline = time.monotonic() + timeout
    seen, last = [], None
    while True:
        try:
            last = fetch()
            marker = last
        except Exception as exc:  # noqa: BLE001
            last, marker = None, f"error: {describe_error(exc)}"
        if not seen or seen[-1] != marker:
            seen.append(marker)
        if not isinstance(marker, str) or not marker.startswith("error: "):
            if done(last):
                return True, last, seen
        if time.monotonic() >= deadline:
            return False, last, seen
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# Requests


def detail(t, job_id, client=None):
    return (client or t.client).describe_dts_job_detail(
        dts.DescribeDtsJobDetailRequest(region_id=REGION, dts_job_id=job_id)
    )


def list_jobs(t, job_type, **kw):
    return t.client.describe_dts_jobs(dts.DescribeDtsJobsRequest(region_id=REGION, job_type=job_type, **kw))


def modify_objects(t, db_list, client_token=None, client=None):
    return (client or t.client).modify_dts_job(
        dts.ModifyDtsJobRequest(
            region_id=REGION,
            dts_instance_id=SHOP_INSTANCE,
            dts_job_id=SHOP_JOB,
            db_list=db_list,
            client_token=client_token,
        )
    )


def modify_endpoint(t, dry_run, endpoint="src"):
    return t.client.modify_dts_job_endpoint(
        dts.ModifyDtsJobEndpointRequest(
            region_id=REGION,
            dts_instance_id=SHOP_INSTANCE,
            dts_job_id=SHOP_JOB,
            endpoint=endpoint,
            endpoint_instance_type="rds",
            endpoint_instance_id="rm-new-src",
            endpoint_region_id=REGION,
            dry_run=dry_run,
        )
    )


def start_job(t, job_id, instance_id):
    return t.client.start_dts_job(
        dts.StartDtsJobRequest(region_id=REGION, dts_job_id=job_id, dts_instance_id=instance_id)
    )


def suspend_job(t, job_id, instance_id):
    return t.client.suspend_dts_job(
        dts.SuspendDtsJobRequest(region_id=REGION, dts_job_id=job_id, dts_instance_id=instance_id)
    )


def job_status(t, job_id):
    return detail(t, job_id).body.status


def same_status(actual, expected):
    return isinstance(actual, str) and actual.lower() == expected.lower()


def wait_status(t, job_id, expected, timeout):
    """Poll the job's Status until it equals `expected` (case-insensitively)."""
    return poll(lambda: job_status(t, job_id), lambda s: same_status(s, expected), timeout)


def settle(t, job_id=SHOP_JOB):
    """Best effort: wait for the job to leave Modifying so a check does not trip over an earlier one."""
    wait_status(t, job_id, "Synchronizing", t.modify_timeout)


def strip_state(obj):
    """Drop the server-added `state` keys at every level."""
    if isinstance(obj, dict):
        return {k: strip_state(v) for k, v in obj.items() if k != "state"}
    if isinstance(obj, list):
        return [strip_state(v) for v in obj]
    return obj


def parse_json_string(value, field):
    """Parse a field that the API returns as a JSON *string*. Raises ValueError with a clear message."""
    if not isinstance(value, str):
        raise ValueError(f"{field} should be a JSON string, got {type(value).__name__}: {value!r}")
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{field} is not valid JSON ({exc}): {value!r}") from None


def db_object_of(body):
    """The body's DbObject parsed and without `state` keys (ValueError if absent/invalid)."""
    return strip_state(parse_json_string(body.db_object, "DbObject"))


def tables_of(db_object, db="shop"):
    return sorted(((db_object or {}).get(db) or {}).get("Table", {}) or {})


def compact(obj):
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)


# --------------------------------------------------------------------------------------------
# Checks, in order. Each one establishes its own preconditions where it can, so a failure in an
# earlier check does not hide later ones.


def check_describe_jobs(t):
    """1. DescribeDtsJobs filtering by JobType, paging, WithoutDbList."""
    resp = call(t, "DescribeDtsJobs JobType=SYNC", lambda: list_jobs(t, "SYNC"))
    if resp:
        jobs = resp.body.dts_job_list or []
        ids = sorted(j.dts_job_id for j in jobs)
        t.check(
            ids == sorted(SYNC_JOBS) and resp.body.total_record_count == 3,
            "DescribeDtsJobs JobType=SYNC returns exactly the three SYNC jobs (a two-way one once), TotalRecordCount 3",
            f"expected ids {sorted(SYNC_JOBS)} and TotalRecordCount 3, "
            f"got ids {ids} and TotalRecordCount {resp.body.total_record_count!r}",
        )
        missing = [j.dts_job_id for j in jobs if not j.db_object]
        t.check(
            not missing,
            "DescribeDtsJobs JobType=SYNC includes DbObject by default",
            f"jobs without DbObject: {missing}",
        )

    resp = call(t, "DescribeDtsJobs JobType=MIGRATION", lambda: list_jobs(t, "MIGRATION"))
    if resp:
        ids = sorted(j.dts_job_id for j in resp.body.dts_job_list or [])
        t.check(
            ids == [CRM_JOB],
            "DescribeDtsJobs JobType=MIGRATION returns the migration job",
            f"expected [{CRM_JOB!r}], got {ids} (TotalRecordCount {resp.body.total_record_count!r})",
        )

    pages = {}
    for number in (1, 2, 3):
        resp = call(
            t,
            f"DescribeDtsJobs JobType=SYNC PageSize=1 PageNumber={number}",
            lambda: list_jobs(t, "SYNC", page_size=1, page_number=number),
        )
        if resp:
            pages[number] = resp.body
    if len(pages) == 3:
        ids = {n: [j.dts_job_id for j in b.dts_job_list or []] for n, b in pages.items()}
        totals = {n: b.total_record_count for n, b in pages.items()}
        t.check(
            all(len(v) == 1 for v in ids.values())
            and set(ids[1] + ids[2] + ids[3]) == SYNC_JOBS
            and all(v == 3 for v in totals.values()),
            "DescribeDtsJobs paging: PageSize=1 pages 1 to 3 hold one different SYNC job each, TotalRecordCount 3",
            f"page job ids {ids}, TotalRecordCount per page {totals}",
        )

    resp = call(
        t, "DescribeDtsJobs WithoutDbList=True", lambda: list_jobs(t, "SYNC", without_db_list=True)
    )
    if resp:
        jobs = resp.body.dts_job_list or []
        leaked = {j.dts_job_id: j.db_object for j in jobs if j.db_object is not None}
        t.check(
            jobs and not leaked,
            "DescribeDtsJobs WithoutDbList=True omits DbObject",
            f"{len(jobs)} jobs returned; DbObject still present for {leaked}",
        )


def check_describe_detail(t):
    """2. DescribeDtsJobDetail of the shop job as seeded."""
    resp = call(t, "DescribeDtsJobDetail k2gm967v16f", lambda: detail(t, SHOP_JOB))
    if not resp:
        return
    body = resp.body
    t.check(
        same_status(body.status, "Synchronizing") and body.dts_instance_id == SHOP_INSTANCE,
        "DescribeDtsJobDetail: Status Synchronizing, DtsInstanceID dtsk2gm967v16f",
        f"got Status {body.status!r}, DtsInstanceID {body.dts_instance_id!r}",
    )
    try:
        db_object = db_object_of(body)
    except ValueError as exc:
        t.fail("DescribeDtsJobDetail: DbObject is the seeded object list", str(exc))
        return
    t.check(
        db_object == SHOP_DB_OBJECT,
        "DescribeDtsJobDetail: DbObject is the seeded object list",
        f"expected {compact(SHOP_DB_OBJECT)}, got {compact(db_object)} (state keys ignored)",
    )


def check_modify_full_overwrite(t):
    """3. ModifyDtsJob replaces the whole object list (the full-overwrite hazard)."""
    token = f"interop-{t.sig}-1"
    what = "ModifyDtsJob full overwrite (orders+payments) accepted"
    resp = call(t, what, lambda: modify_objects(t, SHOP_DB_LIST_NEW, client_token=token))
    t.notes["first_modify_ok"] = resp is not None
    if not resp:
        return
    t.ok(what)

    status = job_status(t, SHOP_JOB)
    t.check(
        same_status(status, "Modifying"),
        "DescribeDtsJobDetail right after ModifyDtsJob shows Status Modifying",
        f"got Status {status!r}",
    )

    expect_error(
        t,
        "second ModifyDtsJob while Modifying is rejected",
        "DTS.Msg.OperationDenied.JobStatusModifying",
        lambda: modify_objects(t, SHOP_DB_LIST_NEW, client_token=f"interop-{t.sig}-busy"),
    )

    back, last, seen = wait_status(t, SHOP_JOB, "Synchronizing", t.modify_timeout)
    if not t.check(
        back,
        f"job returns to Synchronizing within {t.modify_timeout:g}s after ModifyDtsJob",
        f"last Status {last!r}; statuses seen {seen}",
    ):
        return

    what = "full overwrite: DbObject equals exactly the DbList sent (customers and legacy_orders are GONE)"
    try:
        db_object = db_object_of(detail(t, SHOP_JOB).body)
    except ValueError as exc:
        t.fail(what, str(exc))
        return
    t.check(
        db_object == SHOP_DB_LIST_NEW,
        what,
        f"expected {compact(SHOP_DB_LIST_NEW)}, got {compact(db_object)} "
        f"(tables now {tables_of(db_object)}; a merge instead of a replace would keep customers/legacy_orders)",
    )


def check_modify_idempotency(t):
    """4. ClientToken makes ModifyDtsJob idempotent; reusing it with other parameters is an error."""
    token = f"interop-{t.sig}-1"
    settle(t)
    note = (
        ""
        if t.notes.get("first_modify_ok")
        else " (note: the original ModifyDtsJob in check 3 failed, so this replay was really a first call)"
    )
    what = "ModifyDtsJob replay with the same ClientToken and parameters succeeds"
    resp = call(t, what, lambda: modify_objects(t, SHOP_DB_LIST_NEW, client_token=token))
    if resp:
        t.ok(what)
        status = job_status(t, SHOP_JOB)
        t.check(
            same_status(status, "Synchronizing"),
            "ModifyDtsJob replay with the same ClientToken does not put the job into Modifying again",
            f"got Status {status!r} right after the replay{note}",
        )
        settle(t)

    different = json.loads(json.dumps(SHOP_DB_LIST_NEW))
    different["shop"]["Table"]["refunds"] = {"name": "refunds", "all": True}
    expect_error(
        t,
        "ModifyDtsJob reusing the ClientToken with a different DbList is rejected",
        "IdempotentParameterMismatch",
        lambda: modify_objects(t, different, client_token=token),
    )
    settle(t)  # in case the emulator wrongly accepted it


def check_update_reserved(t):
    """5. ModifyTypeEnum=UPDATE_RESERVED merges Reserved and leaves the objects alone."""
    settle(t)
    before = call(t, "DescribeDtsJobDetail before UPDATE_RESERVED", lambda: detail(t, SHOP_JOB))
    if not before:
        return
    try:
        reserved_before = parse_json_string(before.body.reserved or "{}", "Reserved (before)")
        db_before = db_object_of(before.body)
    except ValueError as exc:
        t.fail("DescribeDtsJobDetail before UPDATE_RESERVED is parseable", str(exc))
        return

    what = "ModifyDtsJob ModifyTypeEnum=UPDATE_RESERVED accepted"
    resp = call(
        t,
        what,
        lambda: t.client.modify_dts_job(
            dts.ModifyDtsJobRequest(
                region_id=REGION,
                dts_instance_id=SHOP_INSTANCE,
                dts_job_id=SHOP_JOB,
                modify_type_enum="UPDATE_RESERVED",
                reserved='{"maxRetryTime":3600}',
            )
        ),
    )
    if not resp:
        return
    t.ok(what)
    settle(t)  # harmless if UPDATE_RESERVED does not go through Modifying

    after = call(t, "DescribeDtsJobDetail after UPDATE_RESERVED", lambda: detail(t, SHOP_JOB))
    if not after:
        return
    try:
        reserved_after = parse_json_string(after.body.reserved, "Reserved (after)")
        db_after = db_object_of(after.body)
    except ValueError as exc:
        t.fail("DescribeDtsJobDetail after UPDATE_RESERVED is parseable", str(exc))
        return
    if not isinstance(reserved_after, dict):
        t.fail("UPDATE_RESERVED: Reserved is a JSON object", f"got {compact(reserved_after)}")
        return
    t.check(
        str(reserved_after.get("maxRetryTime")) == "3600",
        "UPDATE_RESERVED: Reserved now has maxRetryTime 3600",
        f"Reserved is {compact(reserved_after)}",
    )
    lost = sorted(set(reserved_before) - set(reserved_after))
    t.check(
        not lost,
        f"UPDATE_RESERVED merges: all {len(reserved_before)} earlier Reserved keys are still there",
        f"keys lost {lost}; before {compact(reserved_before)}, after {compact(reserved_after)}",
    )
    if not reserved_before:
        print("# note: Reserved was empty before UPDATE_RESERVED, so the merge check above is vacuous")
    t.check(
        db_after == db_before,
        "UPDATE_RESERVED leaves DbObject unchanged",
        f"before {compact(db_before)}, after {compact(db_after)}",
    )


def source_instance_id(t):
    endpoint = detail(t, SHOP_JOB).body.source_endpoint
    return endpoint.instance_id if endpoint else None


def check_modify_endpoint(t):
    """6. ModifyDtsJobEndpoint: DryRun changes nothing, a real call does; Endpoint is required."""
    settle(t)
    original = source_instance_id(t)
    if original == "rm-new-src":
        print("# note: SourceEndpoint.InstanceID is already rm-new-src; the dry-run check cannot tell")

    what = "ModifyDtsJobEndpoint src DryRun=True accepted"
    if call(t, what, lambda: modify_endpoint(t, dry_run=True)):
        t.ok(what)
        now = source_instance_id(t)
        t.check(
            now == original,
            "ModifyDtsJobEndpoint DryRun=True leaves SourceEndpoint.InstanceID unchanged",
            f"was {original!r}, now {now!r}",
        )
    settle(t)

    what = "ModifyDtsJobEndpoint src DryRun=False accepted"
    if call(t, what, lambda: modify_endpoint(t, dry_run=False)):
        t.ok(what)
        settle(t)
        now = source_instance_id(t)
        t.check(
            now == "rm-new-src",
            "ModifyDtsJobEndpoint DryRun=False sets SourceEndpoint.InstanceID to rm-new-src",
            f"was {original!r}, now {now!r}",
        )
    settle(t)

    expect_error(
        t,
        "ModifyDtsJobEndpoint without Endpoint is rejected",
        "MissingEndpoint",
        lambda: modify_endpoint(t, dry_run=True, endpoint=None),  # validate() is a no-op: sent as-is
    )


def check_suspend_start(t):
    """7. SuspendDtsJob pauses the job, objects cannot be modified then, StartDtsJob resumes it."""
    settle(t)
    what = "SuspendDtsJob k2gm967v16f accepted"
    if call(t, what, lambda: suspend_job(t, SHOP_JOB, SHOP_INSTANCE)):
        t.ok(what)
    paused, last, seen = wait_status(t, SHOP_JOB, "Suspending", START_TIMEOUT)
    t.check(
        paused,
        "after SuspendDtsJob the job Status is Suspending",
        f"last Status {last!r}; statuses seen {seen}",
    )

    expect_error(
        t,
        "ModifyDtsJob on a suspended job is rejected",
        "DTS.Msg.ModifyDenied.JobStatusNotRunning",
        lambda: modify_objects(t, SHOP_DB_LIST_NEW, client_token=f"interop-{t.sig}-suspended"),
    )

    what = "StartDtsJob k2gm967v16f accepted"
    if call(t, what, lambda: start_job(t, SHOP_JOB, SHOP_INSTANCE)):
        t.ok(what)
    back, last, seen = wait_status(t, SHOP_JOB, "Synchronizing", START_TIMEOUT)
    t.check(
        back,
        f"after StartDtsJob k2gm967v16f is Synchronizing within {START_TIMEOUT:g}s (statuses seen {seen})",
        f"last Status {last!r}; statuses seen {seen}",
    )


def check_start_paused_job(t):
    """8. StartDtsJob on the seeded paused job s7qd5ph3n9c."""
    before = call(t, "DescribeDtsJobDetail s7qd5ph3n9c", lambda: detail(t, EVENTS_JOB))
    if before:
        t.check(
            same_status(before.body.status, "Suspending"),
            "s7qd5ph3n9c starts out Suspending (paused)",
            f"got Status {before.body.status!r}",
        )
    what = "StartDtsJob s7qd5ph3n9c accepted"
    if call(t, what, lambda: start_job(t, EVENTS_JOB, EVENTS_INSTANCE)):
        t.ok(what)
    back, last, seen = wait_status(t, EVENTS_JOB, "Synchronizing", START_TIMEOUT)
    t.check(
        back,
        f"after StartDtsJob s7qd5ph3n9c is Synchronizing within {START_TIMEOUT:g}s (statuses seen {seen})",
        f"last Status {last!r}; statuses seen {seen}",
    )


def check_unknown_job(t):
    """9. An unknown job id is Forbidden.InstanceNotFound."""
    expect_error(
        t,
        "DescribeDtsJobDetail of an unknown job is rejected",
        "Forbidden.InstanceNotFound",
        lambda: detail(t, "nosuchjob"),
    )


def check_malformed_db_list(t):
    """10. A DbList that is not valid JSON is InvalidParameter.

    ModifyDtsJobRequest cannot produce invalid JSON: db_list goes through
    Utils.array_to_string_with_specified_style(..., 'json'), which json.dumps dicts/lists and turns
    anything else (e.g. the str '{"shop":') into the literal `null`. So this check builds the
    request by hand and sends it through the SDK's generic call_api, with the same Params the
    generated modify_dts_job uses (same signing, same query/form placement).
    """
    settle(t)
    try:
        db_before = db_object_of(detail(t, SHOP_JOB).body)
    except Exception:  # noqa: BLE001 - only used for the extra "unchanged" check
        db_before = None

    params = Params(
        action="ModifyDtsJob",
        version="2020-01-01",
        protocol="HTTPS",  # overridden by Config.protocol='http'
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )
    request = OpenApiRequest(
        query={
            "RegionId": REGION,
            "DtsInstanceId": SHOP_INSTANCE,
            "DtsJobId": SHOP_JOB,
            "ClientToken": f"interop-{t.sig}-malformed",
        },
        body={"DbList": '{"shop":'},
    )
    expect_error(
        t,
        "ModifyDtsJob with a DbList that is not valid JSON is rejected",
        "InvalidParameter",
        lambda: t.client.call_api(params, request, RuntimeOptions()),
    )

    if db_before is not None:
        settle(t)
        what = "a rejected malformed DbList leaves DbObject unchanged"
        try:
            db_after = db_object_of(detail(t, SHOP_JOB).body)
        except ValueError as exc:
            t.fail(what, str(exc))
            return
        t.check(db_after == db_before, what, f"before {compact(db_before)}, after {compact(db_after)}")


def check_bad_credentials(t):
    """11. Wrong secret and unknown AccessKeyId are rejected by signature verification."""
    wrong_secret = make_client(t.args.endpoint, t.sig, secret="wrong-secret")
    expect_error(
        t,
        "DescribeDtsJobDetail signed with the wrong secret is rejected",
        "SignatureDoesNotMatch",
        lambda: detail(t, SHOP_JOB, client=wrong_secret),
    )
    # A form-body action too: V1 signs the body params, V3 signs the body hash.
    expect_error(
        t,
        "ModifyDtsJob (form body) signed with the wrong secret is rejected",
        "SignatureDoesNotMatch",
        lambda: modify_objects(t, SHOP_DB_LIST_NEW, client_token=f"interop-{t.sig}-badsig", client=wrong_secret),
    )
    nobody = make_client(t.args.endpoint, t.sig, key_id="nobody", secret=ACCESS_KEY_SECRET)
    expect_error(
        t,
        "DescribeDtsJobDetail with an unknown AccessKeyId is rejected",
        "InvalidAccessKeyId.NotFound",
        lambda: detail(t, SHOP_JOB, client=nobody),
    )


def two_way_detail(t, direction=None):
    """DescribeDtsJobDetail of the two-way job, in `direction` (None: the request names none)."""
    return t.client.describe_dts_job_detail(
        dts.DescribeDtsJobDetailRequest(
            region_id=REGION,
            dts_job_id=TWO_WAY_JOB,
            dts_instance_id=TWO_WAY_INSTANCE,
            synchronization_direction=direction,
        )
    )


def two_way_status(t, direction):
    return two_way_detail(t, direction).body.status


def two_way_db_object(t, direction):
    return db_object_of(two_way_detail(t, direction).body)


def wait_two_way(t, direction, expected, timeout):
    return poll(lambda: two_way_status(t, direction), lambda s: same_status(s, expected), timeout)


def check_two_way_describe(t):
    """12. A two-way job: each direction is described on its own, with its own object list."""
    resp = call(t, "DescribeDtsJobDetail r8tw2way01x (Forward)", lambda: two_way_detail(t, "Forward"))
    if resp:
        body = resp.body
        t.check(
            body.dts_job_direction == "Forward" and body.dts_job_id == TWO_WAY_JOB,
            "two-way, Forward: DtsJobDirection Forward, the forward job id",
            f"got DtsJobDirection {body.dts_job_direction!r}, DtsJobId {body.dts_job_id!r}",
        )
        t.check(
            db_object_of(body) == TWO_WAY_FORWARD_DB_OBJECT,
            "two-way, Forward: DbObject is the forward list",
            f"got {compact(db_object_of(body))}",
        )
    resp = call(
        t, "DescribeDtsJobDetail r8tw2way01x SynchronizationDirection=Reverse", lambda: two_way_detail(t, "Reverse")
    )
    if resp:
        body = resp.body
        t.check(
            body.dts_job_direction == "Reverse"
            and body.dts_job_id == TWO_WAY_REVERSE_JOB
            and body.dts_instance_id == TWO_WAY_INSTANCE,
            "two-way, Reverse: DtsJobDirection Reverse, the reverse job's own id, the same instance",
            f"got DtsJobDirection {body.dts_job_direction!r}, DtsJobId {body.dts_job_id!r}, "
            f"DtsInstanceID {body.dts_instance_id!r}",
        )
        t.check(
            db_object_of(body) == TWO_WAY_REVERSE_DB_OBJECT,
            "two-way, Reverse: DbObject is the reverse direction's own list",
            f"got {compact(db_object_of(body))}",
        )
        forward = two_way_detail(t, "Forward").body
        t.check(
            body.source_endpoint.instance_id == forward.destination_endpoint.instance_id
            and body.destination_endpoint.instance_id == forward.source_endpoint.instance_id,
            "two-way, Reverse: its source is the forward destination and its destination the forward source",
            f"reverse {body.source_endpoint.instance_id!r} -> {body.destination_endpoint.instance_id!r}, "
            f"forward {forward.source_endpoint.instance_id!r} -> {forward.destination_endpoint.instance_id!r}",
        )
    expect_error(
        t,
        "DescribeDtsJobDetail SynchronizationDirection=Reverse of a one-way job is rejected",
        "InvalidParameter",
        lambda: t.client.describe_dts_job_detail(
            dts.DescribeDtsJobDetailRequest(region_id=REGION, dts_job_id=SHOP_JOB, synchronization_direction="Reverse")
        ),
    )


def check_two_way_modify_reverse(t):
    """13. ModifyDtsJob SynchronizationDirection=Reverse replaces the reverse list only."""
    wanted = json.loads(json.dumps(TWO_WAY_FORWARD_DB_OBJECT))
    what = "ModifyDtsJob SynchronizationDirection=Reverse accepted"
    resp = call(
        t,
        what,
        lambda: t.client.modify_dts_job(
            dts.ModifyDtsJobRequest(
                region_id=REGION,
                dts_instance_id=TWO_WAY_INSTANCE,
                dts_job_id=TWO_WAY_JOB,
                synchronization_direction="Reverse",
                db_list=wanted,
                client_token=f"interop-{t.sig}-reverse",
            )
        ),
    )
    if not resp:
        return
    t.ok(what)
    forward_status = two_way_status(t, "Forward")
    t.check(
        same_status(forward_status, "Synchronizing"),
        "a reverse ModifyDtsJob leaves the forward direction Synchronizing",
        f"forward Status {forward_status!r}",
    )
    back, last, seen = wait_two_way(t, "Reverse", "Synchronizing", t.modify_timeout)
    if not t.check(
        back and "Modifying" in [s for s in seen if isinstance(s, str)],
        "the reverse direction goes through Modifying and back to Synchronizing",
        f"last Status {last!r}; statuses seen {seen}",
    ):
        return
    t.check(
        two_way_db_object(t, "Reverse") == wanted,
        "a reverse ModifyDtsJob: the reverse DbObject is exactly the DbList sent",
        f"got {compact(two_way_db_object(t, 'Reverse'))}",
    )
    t.check(
        two_way_db_object(t, "Forward") == TWO_WAY_FORWARD_DB_OBJECT,
        "a reverse ModifyDtsJob leaves the forward DbObject unchanged",
        f"got {compact(two_way_db_object(t, 'Forward'))}",
    )


def check_two_way_suspend_start_reverse(t):
    """14. SuspendDtsJob / StartDtsJob SynchronizationDirection=Reverse move the reverse direction only."""
    wait_two_way(t, "Reverse", "Synchronizing", t.modify_timeout)
    what = "SuspendDtsJob SynchronizationDirection=Reverse accepted"
    if call(
        t,
        what,
        lambda: t.client.suspend_dts_job(
            dts.SuspendDtsJobRequest(
                region_id=REGION,
                dts_job_id=TWO_WAY_JOB,
                dts_instance_id=TWO_WAY_INSTANCE,
                synchronization_direction="Reverse",
            )
        ),
    ):
        t.ok(what)
    paused, last, seen = wait_two_way(t, "Reverse", "Suspending", START_TIMEOUT)
    t.check(paused, "after a reverse SuspendDtsJob the reverse direction is Suspending", f"statuses seen {seen}")
    forward_status = two_way_status(t, "Forward")
    t.check(
        same_status(forward_status, "Synchronizing"),
        "a reverse SuspendDtsJob leaves the forward direction Synchronizing",
        f"forward Status {forward_status!r}",
    )
    what = "StartDtsJob SynchronizationDirection=Reverse accepted"
    if call(
        t,
        what,
        lambda: t.client.start_dts_job(
            dts.StartDtsJobRequest(
                region_id=REGION,
                dts_job_id=TWO_WAY_JOB,
                dts_instance_id=TWO_WAY_INSTANCE,
                synchronization_direction="Reverse",
            )
        ),
    ):
        t.ok(what)
    back, last, seen = wait_two_way(t, "Reverse", "Synchronizing", START_TIMEOUT)
    t.check(back, "after a reverse StartDtsJob the reverse direction is Synchronizing", f"statuses seen {seen}")


def migration_mode(t, job_id=SHOP_JOB, direction=None):
    mode = (
        two_way_detail(t, direction).body.migration_mode
        if job_id == TWO_WAY_JOB
        else detail(t, job_id).body.migration_mode
    )
    if mode is None:
        return None
    return (mode.structure_initialization, mode.data_initialization, mode.data_synchronization)


def check_migration_mode(t):
    """15. ModifyDtsJob StructureInitialization / DataInitialization / DataSynchronization: the flags
    sent change, the others stay, MigrationMode of DescribeDtsJobDetail shows them; not all off."""
    settle(t)
    before = migration_mode(t)
    t.check(
        before == (True, True, True),
        "MigrationMode of the seeded job: all three phases on",
        f"got {before!r}",
    )
    what = "ModifyDtsJob StructureInitialization=false DataInitialization=false accepted"
    resp = call(
        t,
        what,
        lambda: t.client.modify_dts_job(
            dts.ModifyDtsJobRequest(
                region_id=REGION,
                dts_instance_id=SHOP_INSTANCE,
                dts_job_id=SHOP_JOB,
                structure_initialization=False,
                data_initialization=False,
            )
        ),
    )
    if resp:
        t.ok(what)
        settle(t)
        after = migration_mode(t)
        t.check(
            after == (False, False, True),
            "MigrationMode now shows StructureInitialization and DataInitialization off, DataSynchronization as it was",
            f"got {after!r}",
        )
    expect_error(
        t,
        "ModifyDtsJob turning the last phase off (DataSynchronization=false) is rejected",
        "InvalidParameter",
        lambda: t.client.modify_dts_job(
            dts.ModifyDtsJobRequest(
                region_id=REGION,
                dts_instance_id=SHOP_INSTANCE,
                dts_job_id=SHOP_JOB,
                data_synchronization=False,
            )
        ),
    )
    settle(t)
    what = "ModifyDtsJob SynchronizationDirection=Reverse DataInitialization=false accepted"
    wait_two_way(t, "Reverse", "Synchronizing", t.modify_timeout)
    resp = call(
        t,
        what,
        lambda: t.client.modify_dts_job(
            dts.ModifyDtsJobRequest(
                region_id=REGION,
                dts_instance_id=TWO_WAY_INSTANCE,
                dts_job_id=TWO_WAY_JOB,
                synchronization_direction="Reverse",
                data_initialization=False,
            )
        ),
    )
    if resp:
        t.ok(what)
        wait_two_way(t, "Reverse", "Synchronizing", t.modify_timeout)
        t.check(
            migration_mode(t, TWO_WAY_JOB, "Reverse") == (True, False, True)
            and migration_mode(t, TWO_WAY_JOB, "Forward") == (True, True, True),
            "a reverse migration-mode change shows in the reverse direction only",
            f"reverse {migration_mode(t, TWO_WAY_JOB, 'Reverse')!r}, forward {migration_mode(t, TWO_WAY_JOB, 'Forward')!r}",
        )


def reachable(t):
    """Fail fast (instead of timing out in every poll) if the endpoint does not answer HTTP at all."""
    try:
        list_jobs(t, "SYNC")
    except Exception as exc:  # noqa: BLE001
        if error_code(exc) is None:
            t.fail(f"emulator answers at http://{t.args.endpoint}", describe_error(exc))
            return False
    return True


CHECKS = [
    check_describe_jobs,
    check_describe_detail,
    check_modify_full_overwrite,
    check_modify_idempotency,
    check_update_reserved,
    check_modify_endpoint,
    check_suspend_start,
    check_start_paused_job,
    check_unknown_job,
    check_malformed_db_list,
    check_bad_credentials,
    check_two_way_describe,
    check_two_way_modify_reverse,
    check_two_way_suspend_start_reverse,
    check_migration_mode,
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="emulator host:port, e.g. 127.0.0.1:8080 (plain HTTP)")
    parser.add_argument("--signature", required=True, choices=["v3", "v1"])
    parser.add_argument(
        "--modify-seconds",
        type=float,
        default=1.5,
        help="how long the emulator keeps a job in Modifying (polls give up after this + 5 s)",
    )
    args = parser.parse_args(argv)

    t = Tester(args)
    print(f"# DTS SDK interop against http://{args.endpoint} with signature {args.signature}", flush=True)
    if not reachable(t):
        return 1
    for check in CHECKS:
        try:
            check(t)
        except Exception as exc:  # noqa: BLE001 - keep going, report everything
            t.fail(
                f"{check.__name__} crashed",
                f"{describe_error(exc)}\n{traceback.format_exc().rstrip()}",
            )
    print(f"# {t.failures} failure(s)", flush=True)
    return 1 if t.failures else 0


if __name__ == "__main__":
    sys.exit(main())
