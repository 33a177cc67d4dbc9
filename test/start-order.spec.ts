import * as assert from "assert";
import { byType, type PlannedResource, type ProgramRun } from "../offline/harness";
import { plan } from "./support";

// Creation order, read from the recorded plan the way the engine orders a `pulumi up`: a resource
// is created only after everything it depends on (its dependsOn and the resources its inputs came
// from), transitively. An ECS service whose tasks start before their execution role's policy,
// their log group, their secrets or (CP) the Aurora writer exist sees those tasks fail, and the
// deployment circuit breaker counts the failures.

/** Every URN a resource waits for, transitively. */
function waitsFor(run: ProgramRun, urn: string): Set<string> {
    const byUrn = new Map(run.resources.map(r => [r.urn, r]));
    const seen = new Set<string>();
    const stack = [urn];
    while (stack.length > 0) {
        const r = byUrn.get(stack.pop()!);
        if (!r) continue;
        for (const d of [...r.dependencies, ...Object.values(r.propertyDependencies).flat()]) {
            if (!seen.has(d)) { seen.add(d); stack.push(d); }
        }
    }
    return seen;
}

function named(run: ProgramRun, type: string, name: string): PlannedResource {
    const r = byType(run, type).find(x => x.name === name);
    assert.ok(r, `no ${type} named ${name}`);
    return r!;
}

describe("creation order: each ECS service waits for what its tasks need at start", () => {
    const ROLE = "aws:iam/role:Role";
    const POLICY = "aws:iam/rolePolicy:RolePolicy";
    const LOGS = "aws:cloudwatch/logGroup:LogGroup";
    const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
    const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
    const CACHE = "aws:ecr/pullThroughCacheRule:PullThroughCacheRule";
    const table: { stack: "dev" | "prod"; service: string; needs: [string, string][] }[] = [
        {
            stack: "dev", service: "kong-dev-cp-service", needs: [
                [ROLE, "kong-dev-cp-execution"], [POLICY, "kong-dev-cp-execution"], [ROLE, "kong-dev-cp-task"],
                [LOGS, "kong-dev-cp-kong-logs"], [LOGS, "kong-dev-cp-migrations-logs"], [LOGS, "kong-dev-cp-admin-bootstrap-logs"],
                [VERSION, "kong-dev-cp-admin-key"], [VERSION, "kong-dev-ca-cp-tls"],
                [INSTANCE, "kong-dev-cp-db-writer"],
            ],
        },
        {
            stack: "prod", service: "kong-prod-cp-service", needs: [
                [ROLE, "kong-prod-cp-execution"], [POLICY, "kong-prod-cp-execution"], [ROLE, "kong-prod-cp-task"],
                [LOGS, "kong-prod-cp-kong-logs"], [LOGS, "kong-prod-cp-migrations-logs"], [LOGS, "kong-prod-cp-admin-bootstrap-logs"],
                [VERSION, "kong-prod-cp-admin-key"], [VERSION, "kong-prod-ca-cp-tls"],
                [INSTANCE, "kong-prod-cp-db-writer"], [INSTANCE, "kong-prod-cp-db-reader"],
                [CACHE, "kong-prod-ecr-public"],
            ],
        },
        {
            stack: "dev", service: "dp-public-service", needs: [
                [ROLE, "dp-public-execution-role"], [POLICY, "dp-public-execution-policy"], [ROLE, "dp-public-task-role"],
                [LOGS, "dp-public-logs"], [VERSION, "kong-dev-ca-dp-tls"],
            ],
        },
        {
            stack: "prod", service: "dp-public-service", needs: [
                [ROLE, "dp-public-execution-role"], [POLICY, "dp-public-execution-policy"], [ROLE, "dp-public-task-role"],
                [LOGS, "dp-public-logs"], [VERSION, "kong-prod-ca-dp-tls"], [CACHE, "kong-prod-ecr-public"],
            ],
        },
    ];
    for (const t of table) {
        it(`${t.stack}: ${t.service} after ${t.needs.map(n => n[1]).join(", ")}`, async () => {
            const run = await plan(t.stack);
            const before = waitsFor(run, named(run, "aws:ecs/service:Service", t.service).urn);
            const missing = t.needs.filter(([type, name]) => !before.has(named(run, type, name).urn));
            assert.deepStrictEqual(missing, [], `${t.service} may start tasks before these exist`);
        });
    }

    it("dev has no pull-through cache (Docker Hub), prod has exactly one for ECR Public", async () => {
        assert.deepStrictEqual(byType(await plan("dev"), CACHE), []);
        const rules = byType(await plan("prod"), CACHE);
        assert.deepStrictEqual(rules.map(r => [r.inputs.ecrRepositoryPrefix, r.inputs.upstreamRegistryUrl]), [["kong-prod-ecr-public", "public.ecr.aws"]]);
    });
});
