# An example policy for dtsform's JSON plan (`dtsform show --json PLANFILE`), for
# conftest (https://www.conftest.dev): `conftest test --policy examples/policy plan.json`.
#
# The plan lists every object change with its `action` and its `path` (the names of its
# address, database first), so a rule never parses an address.
package main

import rego.v1

# No table (or anything else) of a prod_* database may stop replicating.
deny contains msg if {
	some job in input.jobs
	some change in job.object_changes
	change.action == "delete"
	count(change.path) > 0
	startswith(change.path[0], "prod_")
	msg := sprintf(
		"%s would stop replicating %s %s: objects of prod_* databases are never removed by a pull request",
		[job.address, change.kind, change.address],
	)
}

# Narrowing a job that migrates a whole instance to a list may drop prod_* databases.
deny contains msg if {
	some job in input.jobs
	some change in job.object_changes
	change.action == "delete"
	change.kind == "instance"
	msg := sprintf(
		"%s would migrate only the listed objects of an instance it migrates whole; a prod_* database may stop migrating",
		[job.address],
	)
}

# A plan that was refused or failed is never approved by policy.
deny contains msg if {
	input.outcome in {"refused", "error"}
	msg := sprintf("the plan %s: see its diagnostics", [input.outcome])
}

# Report format this policy was written for.
deny contains msg if {
	input.format_version != 1
	msg := sprintf("unknown dtsform report format_version %v", [input.format_version])
}
