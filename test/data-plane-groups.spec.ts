import * as assert from "assert";
import { byType, planStack, type ProgramRun, type PlannedResource } from "../offline/harness";
import { evaluatePlan, mandatory } from "../policy/offline";
import { parseConfig } from "../stacks/config";
import { previewJson } from "../tools/plan";
import { configProblems, plan } from "./support";

// DP groups as data (kong-hybrid:dataPlanes): Pulumi.groups.yaml declares a public and an internal
// group; each gets its own SG, arrows, service and autoscaling; public groups join the shared ALB,
// an internal group gets an internal ALB that only the VPC reaches.

let groups: Promise<ProgramRun> | undefined;
const groupsPlan = () => (groups ??= planStack("groups"));
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const named = (run: ProgramRun, type: string, name: string): PlannedResource => {
    const r = run.resources.find(x => x.type === type && x.name === name);
    assert.ok(r, `${type} ${name}`);
    return r!;
};
const sgOf = (run: ProgramRun, name: string) => named(run, "aws:ec2/securityGroup:SecurityGroup", name).id;

describe("DP groups from config (Pulumi.groups.yaml)", () => {
    it("plans two groups, each with its own SG, service and autoscaling", async () => {
        const run = await groupsPlan();
        assert.deepStrictEqual(run.duplicateUrns, []);
        assert.deepStrictEqual(byType(run, "kong:dataplane:DataPlane").map(g => g.name).sort(), ["dp-internal", "dp-public"]);
        const services = byType(run, "aws:ecs/service:Service").filter(s => s.name.startsWith("dp-"));
        assert.deepStrictEqual(services.map(s => s.name).sort(), ["dp-internal-service", "dp-public-service"]);
        assert.notStrictEqual(sgOf(run, "dp-internal-sg"), sgOf(run, "dp-public-sg"));
        const ranges = byType(run, "aws:appautoscaling/target:Target").map(t => `${t.name} ${t.inputs.minCapacity}-${t.inputs.maxCapacity}`).sort();
        assert.deepStrictEqual(ranges, ["dp-internal-scaling 1-2", "dp-public-scaling 1-3"]);
    });

    it("each group has its own arrows: to the CP, and from its own load balancer only", async () => {
        const run = await groupsPlan();
        const rows = byType(run, INGRESS).map(r => {
            const to = byType(run, "aws:ec2/securityGroup:SecurityGroup").find(s => s.id === r.inputs.securityGroupId)!.name;
            const from = r.inputs.referencedSecurityGroupId
                ? byType(run, "aws:ec2/securityGroup:SecurityGroup").find(s => s.id === r.inputs.referencedSecurityGroupId)!.name
                : r.inputs.cidrIpv4;
            return `${from} -> ${to}:${r.inputs.fromPort}`;
        }).sort();
        assert.deepStrictEqual(rows, [
            "0.0.0.0/0 -> dp-public-edge-alb-sg:443",
            "10.0.0.0/16 -> dp-internal-ilb-sg:443",
            "dp-internal-ilb-sg -> dp-internal-sg:8000",
            "dp-internal-ilb-sg -> dp-internal-sg:8100",
            "dp-internal-sg -> kong-groups-cp-sg:8001",
            "dp-internal-sg -> kong-groups-cp-sg:8005",
            "dp-public-edge-alb-sg -> dp-public-sg:8000",
            "dp-public-edge-alb-sg -> dp-public-sg:8100",
            "dp-public-sg -> kong-groups-cp-sg:8001",
            "dp-public-sg -> kong-groups-cp-sg:8005",
            "kong-groups-cp-sg -> kong-groups-cp-db-sg:5432",
        ]);
    });

    it("the internal group's ALB is internal, in the private subnets, HTTPS with the gateway certificate", async () => {
        const run = await groupsPlan();
        const ilb = named(run, "aws:lb/loadBalancer:LoadBalancer", "dp-internal-ilb-alb").inputs;
        assert.strictEqual(ilb.internal, true);
        const privateSubnets = byType(run, "aws:ec2/subnet:Subnet").filter(s => s.name.includes("-private-")).map(s => s.id).sort();
        assert.deepStrictEqual([...ilb.subnets].sort(), privateSubnets);
        const listener = named(run, "aws:lb/listener:Listener", "dp-internal-ilb-https").inputs;
        const edgeListener = named(run, "aws:lb/listener:Listener", "dp-public-edge-https").inputs;
        assert.strictEqual(listener.protocol, "HTTPS");
        assert.strictEqual(listener.certificateArn, edgeListener.certificateArn);
        assert.strictEqual(listener.defaultActions[0].targetGroupArn, named(run, "aws:lb/targetGroup:TargetGroup", "dp-internal-ilb-tg").outputs.arn);
        // The public ALB forwards only to the public group.
        assert.strictEqual(edgeListener.defaultActions[0].targetGroupArn, named(run, "aws:lb/targetGroup:TargetGroup", "dp-public-edge-tg").outputs.arn);
        const svc = named(run, "aws:ecs/service:Service", "dp-internal-service").inputs;
        assert.strictEqual(svc.loadBalancers[0].targetGroupArn, listener.defaultActions[0].targetGroupArn);
    });

    it("passes the policy pack", async () => {
        const v = evaluatePlan(JSON.parse(JSON.stringify(previewJson(await groupsPlan()))), { config: require("../policy/config/dev.json") });
        assert.deepStrictEqual(mandatory(v).map(x => x.message), []);
    });

    it("the pack refuses an internal ALB open to the internet", async () => {
        const planJson = JSON.parse(JSON.stringify(previewJson(await groupsPlan())));
        const rule = planJson.steps.find((s: any) => s.urn.endsWith("::dp-internal-ilb-https-in-10-0-0-0-16"));
        rule.newState.inputs.cidrIpv4 = "0.0.0.0/0";
        const v = mandatory(evaluatePlan(planJson, { config: require("../policy/config/dev.json") }));
        assert.match(v.map(x => x.message).join("\n"), /internal ALB SG.*is open to 0\.0\.0\.0\/0/);
    });

    it("several public groups share the one ALB: weighted forward to each group's own target group, each passing the pack", async () => {
        const run = await planStack("groups", {
            dataPlanes: JSON.stringify([
                { name: "public", runtime: "ecs", exposure: "public", minCount: 1, maxCount: 3 },
                { name: "partner", runtime: "ecs", exposure: "public", minCount: 1, maxCount: 2 },
            ]),
        });
        assert.strictEqual(byType(run, "aws:lb/loadBalancer:LoadBalancer").length, 1);
        const action = named(run, "aws:lb/listener:Listener", "dp-public-edge-https").inputs.defaultActions[0];
        const tg = (n: string) => named(run, "aws:lb/targetGroup:TargetGroup", n).outputs.arn;
        assert.deepStrictEqual(action.forward.targetGroups, [{ arn: tg("dp-public-edge-tg"), weight: 1 }, { arn: tg("dp-partner-edge-tg"), weight: 1 }]);
        for (const g of ["public", "partner"]) {
            const svc = named(run, "aws:ecs/service:Service", `dp-${g}-service`).inputs;
            assert.strictEqual(svc.loadBalancers[0].targetGroupArn, tg(`dp-${g}-edge-tg`));
            const requests = named(run, "aws:appautoscaling/policy:Policy", `dp-${g}-requests`).inputs;
            assert.match(requests.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.resourceLabel, new RegExp(`targetgroup/dp-${g}-edge-tg`));
        }
        const v = evaluatePlan(JSON.parse(JSON.stringify(previewJson(run))), { config: require("../policy/config/dev.json") });
        assert.deepStrictEqual(mandatory(v).map(x => x.message), []);
    });

    it("without dataPlanes, dev and prod keep exactly one public group dp-public behind the shared ALB", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const run = await plan(stack);
            assert.deepStrictEqual(byType(run, "kong:dataplane:DataPlane").map(g => g.name), ["dp-public"]);
            assert.strictEqual(byType(run, "aws:lb/loadBalancer:LoadBalancer").length, 1);
            assert.ok(!byType(run, "kong:edge:Edge")[0].parent?.includes("DataPlane"), "the edge is a peer of the groups");
        }
    });
});

describe("kong-hybrid:dataPlanes validation", () => {
    const base: Record<string, string> = { "aws:region": "eu-west-1", "kong-hybrid:domain": "kong-gw.example.com", "kong-hybrid:adminAllowedCidrs": '["203.0.113.0/24"]' };
    const group = (o: Record<string, unknown> = {}) => ({ name: "public", runtime: "ecs", exposure: "public", minCount: 1, maxCount: 3, ...o });
    const problems = (groups: unknown): string[] => configProblems({ ...base, "kong-hybrid:dataPlanes": JSON.stringify(groups) });
    const cases: [string, unknown, RegExp][] = [
        ["minCount above maxCount, named by index and field", [group(), group({ name: "internal", exposure: "internal", minCount: 3, maxCount: 2 })], /^kong-hybrid:dataPlanes\[1\]\.minCount = 3: must not exceed kong-hybrid:dataPlanes\[1\]\.maxCount \(2\)$/],
        ["an unknown runtime", [group({ runtime: "k8s" })], /^kong-hybrid:dataPlanes\[0\]\.runtime = "k8s": must be ecs or eks$/],
        ["an EKS group without cluster admins", [group({ runtime: "eks" })], /^kong-hybrid:eksAdminPrincipalArns = \[\]: list at least one IAM role or user ARN/],
        ["a Fargate size on an EKS group", [group({ runtime: "eks", cpu: 1024 })], /^kong-hybrid:dataPlanes\[0\]\.cpu = 1024: applies to ecs groups only; this group's runtime is "eks"$/],
        ["a pod size on an ECS group", [group({ cpuMillis: 2000 })], /^kong-hybrid:dataPlanes\[0\]\.cpuMillis = 2000: applies to eks groups only; this group's runtime is "ecs"$/],
        ["a CPU request that is not whole CPUs", [group({ runtime: "eks", cpuMillis: 1500 })], /^kong-hybrid:dataPlanes\[0\]\.cpuMillis = 1500: must be a multiple of 1000/],
        ["a memory limit below the request", [group({ runtime: "eks", memoryMiB: 2048, memoryLimitMiB: 1024 })], /^kong-hybrid:dataPlanes\[0\]\.memoryLimitMiB = 1024: must be at least memoryMiB \(2048\)$/],
        ["an internal EKS group", [group(), group({ name: "inside", runtime: "eks", exposure: "internal" })], /^kong-hybrid:dataPlanes\[1\]\.exposure = "internal": an eks group is public only/],
        ["a weight out of the ALB's range", [group({ weight: 1000 })], /^kong-hybrid:dataPlanes\[0\]\.weight = 1000: must be a whole number from 0 to 999$/],
        ["a weight on an internal group", [group(), group({ name: "inside", exposure: "internal", weight: 2 })], /^kong-hybrid:dataPlanes\[1\]\.weight = 2: applies to public groups only/],
        ["every public group at weight 0", [group({ weight: 0 })], /^kong-hybrid:dataPlanes: every public group has weight 0/],
        ["a duplicate name", [group(), group({ exposure: "internal" })], /^kong-hybrid:dataPlanes\[1\]\.name = "public": another group has this name/],
        ["an uppercase name", [group({ name: "Public" })], /^kong-hybrid:dataPlanes\[0\]\.name = "Public": must be 1-12 lowercase letters/],
        ["an unknown exposure", [group({ exposure: "private" })], /^kong-hybrid:dataPlanes\[0\]\.exposure = "private": must be public or internal$/],
        ["a missing maxCount", [group({ maxCount: undefined })], /^kong-hybrid:dataPlanes\[0\]\.maxCount = undefined: must be a whole number from 1 to 100 \(required\)$/],
        ["an unknown field", [group({ replicas: 2 })], /^kong-hybrid:dataPlanes\[0\]\.replicas: unknown field/],
        ["a Fargate size that does not exist", [group({ cpu: 256, memory: 4096 })], /^kong-hybrid:dataPlanes\[0\]\.memory = 4096: Fargate does not run 256 CPU units with 4096 MiB/],
        ["a DP image newer than the CP", [group({ image: "kong:3.10.0" })], /^kong-hybrid:dataPlanes\[0\]\.image = "kong:3\.10\.0"/],
        ["no public group", [group({ exposure: "internal" })], /^kong-hybrid:dataPlanes: no group has exposure public/],
        ["an empty list", [], /^kong-hybrid:dataPlanes = \[\]: must list at least one group/],
    ];
    for (const [what, groups, message] of cases) {
        it(`refuses ${what} in one line`, () => {
            const p = problems(groups);
            assert.ok(p.some(x => message.test(x)), p.join("\n"));
        });
    }
    it("absent: one public group sized by the dp* keys", () => {
        const cfg = parseConfig({ ...base, "kong-hybrid:dpMinCount": "2", "kong-hybrid:dpMaxCount": "5" }, "test");
        assert.deepStrictEqual(cfg.dataPlanes.map(g => [g.name, g.runtime, g.exposure, g.minCount, g.maxCount, g.desiredCount]), [["public", "ecs", "public", 2, 5, 2]]);
    });
    it("a group's unset fields take the dp* keys", () => {
        const cfg = parseConfig({ ...base, "kong-hybrid:dpCpu": "1024", "kong-hybrid:dpMemory": "2048", "kong-hybrid:dataPlanes": JSON.stringify([group()]) }, "test");
        assert.deepStrictEqual([cfg.dataPlanes[0].cpu, cfg.dataPlanes[0].memory, cfg.dataPlanes[0].kong.image], [1024, 2048, "kong:3.9.3"]);
    });
});
