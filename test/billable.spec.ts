import * as assert from "assert";
import type { Plan } from "../policy/offline";
import { planStack } from "../offline/harness";
import { previewJson, targetLines } from "../tools/plan";
import { billingOf, planResourceTypes, RESOURCE_TYPES, unclassifiedTypes } from "../tools/estimate/billable";
import { certManagerReissueHours, estimateCost } from "../tools/estimate/cost";
import { firstDeploy, KONG_RELEASE_MINUTES } from "../tools/estimate/deploy-time";
import { estimate, formatEstimate } from "../tools/estimate/index";
import { plan } from "./support";
import { PlanFixture } from "./support/plan-fixture";

// Every billable thing in the stacks' plans is priced, or the table says why it is free or too small.

const STACKS = ["dev", "prod", "trial", "groups", "eks", "mixed", "plugins"] as const;
type Stack = typeof STACKS[number];
const cached = new Map<Stack, Promise<Plan>>();
const stackPlan = (stack: Stack): Promise<Plan> => {
    if (!cached.has(stack)) {
        const run = stack === "dev" || stack === "prod" || stack === "eks" || stack === "mixed" ? plan(stack) : planStack(stack);
        cached.set(stack, run.then(r => JSON.parse(JSON.stringify(previewJson(r)))));
    }
    return cached.get(stack)!;
};
const line = (p: Plan, re: RegExp) => estimateCost(p).lines.find(l => re.test(l.item));

describe("every resource type in the plans is priced, free or negligible", function () {
    this.timeout(120_000);

    for (const stack of STACKS) {
        it(`${stack}: no type outside the table, and a cost line for every priced one`, async () => {
            const p = await stackPlan(stack);
            assert.deepStrictEqual(unclassifiedTypes(p), [], `${stack} holds types tools/estimate/billable.ts does not classify`);
            const cost = estimateCost(p);
            assert.deepStrictEqual(cost.unpriced, []);
            const billed = planResourceTypes(p).filter(r => {
                const b = billingOf(r.type, r.custom)!;
                return b.billing === "priced" && (b.when?.(r.inputs) ?? true);
            });
            for (const r of billed) {
                const re = RESOURCE_TYPES[r.type].line!;
                assert.ok(cost.lines.some(l => re.test(l.item)), `${stack}: ${r.type} is priced but no line matches ${re}:\n${cost.lines.map(l => l.item).join("\n")}`);
            }
        });
    }

    it("each entry says why in one line, and a priced one names its line", () => {
        for (const [type, b] of Object.entries(RESOURCE_TYPES)) {
            assert.match(b.why, /^[^\n]{8,}$/, type);
            assert.strictEqual(b.billing === "priced", b.line instanceof RegExp, `${type}: a line exactly when priced`);
        }
    });

    it("a type the table does not know is reported as not priced, not counted as free", () => {
        const f = new PlanFixture();
        f.add("aws:opensearch/domain:Domain", "search", { clusterConfig: { instanceType: "r6g.large.search" } });
        const p = f.plan();
        assert.deepStrictEqual(estimateCost(p).unpriced, ["aws:opensearch/domain:Domain (not in tools/estimate/billable.ts)"]);
        assert.match(formatEstimate(p).join("\n"), /^  not priced \(no entry in the table\): aws:opensearch\/domain:Domain/m);
    });
});

describe("the lines the estimate used to leave out", function () {
    this.timeout(120_000);

    // [stack, line, monthly USD, hand computation]
    const cases: [Stack, RegExp, number, string][] = [
        [/* 17.5 GB × $0.50 + 17.5 GB × 7/30 × $0.03 */ "eks", /^CloudWatch Logs: EKS control plane kong-eks-eks-cluster \(api, audit, authenticator: ~17.5 GB\/month, kept 7 days\)$/, 8.87, "7-day retention"],
        [/* 17.5 × 0.5 + 17.5 × 90/30 × 0.03 */ "mixed", /^CloudWatch Logs: EKS control plane kong-mixed-eks-cluster .*kept 90 days\)$/, 10.33, "90-day retention"],
        [/* 2 nodes × (50 GB data + 2 GB Bottlerocket OS) × $0.08 */ "eks", /^EBS: EKS nodes kong-eks-eks-kong \(2 × 52 GB gp3\)$/, 8.32, "node volumes"],
        ["mixed", /^EBS: EKS nodes kong-mixed-eks-kong \(3 × 52 GB gp3\)$/, 12.48, "node volumes"],
        [/* (12 + 2 × 15 + 2 × 11) metrics × $0.30 + 3 DP + 2 CP tasks × 0.05 GB × $0.50 */ "prod", /^CloudWatch Container Insights kong-prod-ecs \(64 metrics\)$/, 19.33, "Container Insights"],
        ["mixed", /^CloudWatch Container Insights kong-mixed-ecs \(64 metrics\)$/, 19.33, "Container Insights"],
        [/* 730 h / (2160 h - 360 h) issues × $0.75 */ "mixed", /^ACM Private CA certificates issued by cert-manager \(0\.41\/month\)$/, 0.3, "cert-manager certificates"],
        [/* 0.3 GB × $0.10 */ "prod", /^ECR storage: pull-through cache kong-prod-ecr-public/, 0.03, "pull-through cache"],
        [/* 0.5 GB × $0.10 */ "plugins", /^ECR storage: repository kong-plugins-plugins-repo/, 0.05, "plugin repository"],
        [/* 2 policies × 2 alarms × $0.10 */ "dev", /^CloudWatch alarms of target tracking policies × 2 \(2 each\)$/, 0.4, "target tracking alarms"],
    ];
    for (const [stack, re, usd, what] of cases) {
        it(`${stack}: ${what} $${usd.toFixed(2)}`, async () => {
            const p = await stackPlan(stack);
            assert.strictEqual(line(p, re)?.monthlyUsd, usd, `${re} in\n${estimateCost(p).lines.map(l => `${l.item} ${l.monthlyUsd}`).join("\n")}`);
        });
    }

    it("a cert-manager Certificate is re-issued every duration - renewBefore (defaults 90 days and a third of it)", () => {
        const cases: [Record<string, string>, number][] = [
            [{ duration: "2160h", renewBefore: "360h" }, 1800], [{}, 1440], [{ duration: "24h" }, 16], [{ duration: "1h30m", renewBefore: "30m" }, 1],
        ];
        for (const [spec, hours] of cases) assert.strictEqual(certManagerReissueHours(spec), hours, JSON.stringify(spec));
    });

    it("only ECS tasks log to CloudWatch: eks has no Kong container or access log line; mixed prices its one ECS DP group of two", async () => {
        const eks = estimateCost(await stackPlan("eks"));
        assert.ok(!eks.lines.some(l => /^CloudWatch Logs: Kong/.test(l.item)), eks.lines.map(l => l.item).join("\n"));
        const [prod, mixed] = [await stackPlan("prod"), await stackPlan("mixed")];
        // Same load, same retention (90 days): the mixed stack's ECS group serves half of it.
        assert.strictEqual(line(prod, /^CloudWatch Logs: Kong access logs$/)!.monthlyUsd, 4.65);
        assert.strictEqual(line(mixed, /^CloudWatch Logs: Kong access logs \(the 1 ECS of 2 DP groups\)$/)!.monthlyUsd, 2.33);
        // The EKS cluster's log group is priced as control-plane logs, not as a Kong container group.
        assert.match(line(mixed, /^CloudWatch Logs: Kong containers/)!.item, /\(4 groups, kept 90 days\)/);
    });
});

describe("first deploy on EKS: Helm releases wait for readiness", function () {
    this.timeout(120_000);
    const onPath = (d: ReturnType<typeof firstDeploy>) => d.path.map(x => `${x.type.split(":").pop()} ${x.urn.slice(x.urn.lastIndexOf("::") + 2)} ${x.minutes}`);

    it("eks: cluster, nodes, add-ons, then the CP release (migrations against Aurora) before the DP release and its binding", async () => {
        const d = firstDeploy(await stackPlan("eks"));
        const path = onPath(d);
        const at = (s: string) => path.findIndex(x => x.startsWith(s));
        assert.ok(at("Cluster kong-eks-eks-cluster 12") >= 0 && at("NodeGroup kong-eks-eks-kong 4") > at("Cluster kong-eks-eks-cluster"), path.join("\n"));
        assert.ok(at(`Release kong-eks-cp-release ${KONG_RELEASE_MINUTES.control_plane.minutes}`) > at("NodeGroup"), path.join("\n"));
        assert.ok(at(`Release dp-public-release ${KONG_RELEASE_MINUTES.data_plane.minutes}`) > at("Release kong-eks-cp-release"), path.join("\n"));
        assert.strictEqual(path[path.length - 1], "TargetGroupBinding dp-public-target-group 0.1");
        assert.strictEqual(d.minutes, 29, path.join("\n"));
    });

    it("mixed: cert-manager → issuer → Certificate → DP release → TargetGroupBinding is the critical path", async () => {
        const d = firstDeploy(await stackPlan("mixed"));
        const chain = onPath(d).filter(x => /^(Release|AWSPCAClusterIssuer|Certificate|TargetGroupBinding) /.test(x));
        assert.deepStrictEqual(chain, [
            "Release kong-mixed-eks-cert-manager 1.5", "Release kong-mixed-eks-aws-privateca-issuer 1.5", "AWSPCAClusterIssuer kong-mixed-eks-pca-issuer 0.1",
            "Certificate dp-eks-cluster-cert 0.1", `Release dp-eks-release ${KONG_RELEASE_MINUTES.data_plane.minutes}`, "TargetGroupBinding dp-eks-target-group 0.1",
        ]);
        assert.strictEqual(d.minutes, 25.5);
    });

    it("a release never counts longer than its helm timeout", async () => {
        const p: Plan = JSON.parse(JSON.stringify(await stackPlan("eks")));
        const cp = p.steps.find(s => s.newState?.urn.endsWith("::kong-eks-cp-release"))!.newState!;
        assert.strictEqual(cp.inputs.timeout, 900);
        cp.inputs.timeout = 120;
        assert.ok(onPath(firstDeploy(p)).includes("Release kong-eks-cp-release 2"), onPath(firstDeploy(p)).join("\n"));
    });
});

describe("what the estimate prints around the targets", function () {
    this.timeout(120_000);

    it("the CP-sleep saving is offered only where the CP is an ECS service", async () => {
        const printed = async (stack: Stack) => formatEstimate(await stackPlan(stack)).join("\n");
        assert.doesNotMatch(await printed("eks"), /sleep/);
        assert.match(await printed("mixed"), /^  a CP that sleeps 75% of the month would save \$[\d.]+\/month$/m);
        assert.match(await printed("prod"), /^  a CP that sleeps 75% of the month would save \$[\d.]+\/month$/m);
    });

    it("the stack's region next to the targets; the us-east-1 figure stays the one judged", async () => {
        const e = estimate(await stackPlan("dev"));
        const idle = `$${e.monthlyUsd.idle.toFixed(2)} idle`;
        const cases: [string, string][] = [
            ["eu-west-1", `  region eu-west-1: not in the price table (no eu-west-1 price verified from a public AWS source); the targets are judged on the us-east-1 figure above (${idle})`],
            ["us-east-1", `  region us-east-1: the price table's own region (${idle} at its list prices)`],
        ];
        for (const [region, expected] of cases) {
            const lines = targetLines(e, false, region);
            assert.strictEqual(lines[lines.length - 1], expected);
            assert.match(lines.join("\n"), /idle ≤ \$45\.00\/month/);
        }
    });
});
