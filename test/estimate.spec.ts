import * as assert from "assert";
import type { Plan } from "../policy/offline";
import { previewJson } from "../tools/plan";
import { estimateCost, runsPerMonth } from "../tools/estimate/cost";
import { ENVIRONMENT_NAMES } from "../components/cp-scaler/contract";
import { dpRollingUpdate, firstDeploy } from "../tools/estimate/deploy-time";
import { estimate, formatEstimate } from "../tools/estimate/index";
import { PRICES } from "../tools/estimate/prices";
import { UNKNOWN_STRING } from "../policy/lib/values";
import { plan } from "./support";
import { planFull } from "./support/dp-plans";
import { devWithNatGatewayPlan, PlanFixture } from "./support/plan-fixture";

const realPlan = async (stack: "dev" | "prod"): Promise<Plan> => JSON.parse(JSON.stringify(previewJson(await plan(stack))));
const sum = (ns: number[]) => Math.round(ns.reduce((a, b) => a + b, 0) * 100) / 100;

describe("cost and deploy-time estimate", () => {
    describe("on the real plans", () => {
        const expected: Record<"dev" | "prod", RegExp[]> = {
            // dev: no WAF (waf: false), every DP task on Spot, the scale-to-zero controller.
            dev: [/^Fargate: Control Plane kong-dev-cp /, /^Fargate: Data Plane dp-public \(1 × 0.25 vCPU\/0.5 GB ARM, on Spot\)/, /^ALB dp-public-edge-alb \(hours\)/, /^Public IPv4: ALB/,
                /^EC2 t4g\.nano kong-dev-nat /, /^Aurora Serverless v2 kong-dev-cp-db \(1 instance, 0-2 ACU\)/, /^KMS/, /^Secrets Manager secrets × 4 \(incl. 1 RDS-managed\)/,
                /^CloudWatch Logs: Kong containers/, /^Route 53 hosted zones/, /^Lambda kong-dev-cp-scaler-function \(43.8k runs\/month at 256 MB\)/,
                /^CloudWatch GetMetricData: kong-dev-cp-scaler-function \(1 metric a run\)/],
            prod: [/^Fargate: Control Plane kong-prod-cp \(2 × [\d.]+ vCPU\/[\d.]+ GB ARM/, /^Fargate: Data Plane dp-public \(3 × /, /^NAT gateway × 3 /,
                /^Public IPv4: 3 Elastic IPs/, /^CloudWatch alarms × \d+ \(\d+ metrics\)/, /^CloudWatch dashboards × 1/,
                /^Aurora Serverless v2 kong-prod-cp-db \(2 instances, 0.5-8 ACU\)/, /^ACM Private CA kong-prod-ca-pca \(general-purpose\)/,
                /^CloudWatch Logs: VPC flow logs/, /^WAF web ACL dp-public-edge-waf \(6 rules\)/],
        };
        // dev's controller publishes its metrics only in hours with something to count: no idle custom-metric line.
        const absent: Record<"dev" | "prod", RegExp[]> = { dev: [/^WAF/, /^CloudWatch custom metrics/], prod: [/^Lambda/, /GetMetricData/] };
        for (const stack of ["dev", "prod"] as const) {
            it(`${stack}: a line per component, and totals that are the sums of the lines`, async () => {
                const p = await realPlan(stack);
                const cost = estimateCost(p);
                for (const re of expected[stack]) assert.ok(cost.lines.some(l => re.test(l.item)), `${stack} has a line ${re}: ${cost.lines.map(l => l.item).join(" | ")}`);
                for (const re of absent[stack]) assert.ok(!cost.lines.some(l => re.test(l.item)), `${stack} has no line ${re}`);
                assert.deepStrictEqual(cost.unpriced, []);
                assert.strictEqual(cost.monthlyUsd.idle, sum(cost.lines.filter(l => l.kind === "idle").map(l => l.monthlyUsd)));
                const json = JSON.parse(JSON.stringify(estimate(p)));
                assert.deepStrictEqual(Object.keys(json), ["monthlyUsd", "firstDeployMinutes", "dpRollingUpdateMinutes", "lines"]);
                for (const line of json.lines) assert.deepStrictEqual(Object.keys(line), ["item", "monthlyUsd"]);
                assert.strictEqual(json.monthlyUsd.load, sum(json.lines.map((l: any) => l.monthlyUsd)), "load = every line");
                assert.strictEqual(json.monthlyUsd.idle, sum(json.lines.filter((l: any) => !l.item.endsWith("[at load]")).map((l: any) => l.monthlyUsd)), "idle = lines not marked [at load]");
                assert.ok(json.monthlyUsd.load > json.monthlyUsd.idle);
            });
        }

        it("prices prod's Private CA on its own line, and dev has none", async () => {
            const [dev, prod] = [estimateCost(await realPlan("dev")), estimateCost(await realPlan("prod"))];
            assert.strictEqual(prod.lines.find(l => l.item.startsWith("ACM Private CA kong-prod"))!.monthlyUsd, PRICES.pcaGeneralPurposeMonth.usd);
            assert.ok(!dev.lines.some(l => l.item.startsWith("ACM Private CA")));
        });

        it("interface endpoints cost $7.30 each per AZ: prod with the five it used to have pays $109.50 for them", async () => {
            const p: Plan = JSON.parse(JSON.stringify(previewJson(await planFull("prod-endpoints"))));
            const line = estimateCost(p).lines.find(l => l.item.startsWith("Interface VPC endpoints"))!;
            assert.deepStrictEqual([line.item, line.monthlyUsd], ["Interface VPC endpoints × 5 (ecr.api, ecr.dkr, logs, secretsmanager, kms)", 109.5]);
            assert.ok(!estimateCost(await realPlan("prod")).lines.some(l => l.item.startsWith("Interface VPC endpoints")));
        });

        it("a sleeping CP lowers the CP and Aurora lines only", async () => {
            const p = await realPlan("dev");
            const always = estimateCost(p);
            const quarter = estimateCost(p, { cpRunningHoursPerMonth: 182.5 });
            const changed = always.lines.filter(l => quarter.lines.find(q => q.item.replace(/182\.5 h/, "730 h") === l.item)?.monthlyUsd !== l.monthlyUsd).map(l => l.item.split(" (")[0]);
            assert.deepStrictEqual(changed.sort(), ["Aurora Serverless v2 kong-dev-cp-db", "CloudWatch Logs: Kong containers", "Cloud Map registered instances × 1", "Fargate: Control Plane kong-dev-cp"].sort());
            // dev's Aurora scales to 0 ACU: asleep 75% of the month it pays 0.5 ACU for the other 25%.
            assert.strictEqual(quarter.lines.find(l => l.item.startsWith("Aurora Serverless"))!.monthlyUsd, 10.95);
        });

        it("npm run plan says what the sleeping CP saves (dev), or what sleeping would save (prod)", async () => {
            const dev = formatEstimate(await realPlan("dev"), { cpRunningHoursPerMonth: 38 }).join("\n");
            // Against 730 h: the CP task (0.25 × 0.03238 + 0.5 × 0.00356) × 692 h = 6.83, Aurora 0.5 ACU × $0.12 × 692 h = 41.52,
            // the Cloud Map instance 0.09 and the CP's idle logs 0.02 (each line rounded to cents): 48.46.
            assert.match(dev, /^  the sleeping CP saves \$48\.46\/month against a CP and Aurora awake all month$/m);
            assert.doesNotMatch(dev, /would save/);
            assert.match(formatEstimate(await realPlan("prod")).join("\n"), /^  a CP that sleeps 75% of the month would save \$[\d.]+\/month$/m);
        });

        it("a NAT instance replaces the gateway's hours with a t4g.nano, its volume and its address", async () => {
            // dev runs a NAT instance (natMode instance); the same stack with a NAT gateway for comparison.
            const [gateway, instance] = [estimateCost(await devWithNatGatewayPlan()), estimateCost(await realPlan("dev"))];
            assert.ok(!instance.lines.some(l => l.item.startsWith("NAT gateway")));
            // 0.0042 $/h × 730 h + 8 GB × $0.08 = 3.706; its public IPv4 0.005 × 730 = 3.65.
            assert.strictEqual(instance.lines.find(l => l.item.startsWith("EC2 t4g.nano kong-dev-nat (with 8 GB gp3)"))?.monthlyUsd, 3.71);
            assert.strictEqual(instance.lines.find(l => l.item === "Public IPv4: EC2 kong-dev-nat")?.monthlyUsd, 3.65);
            assert.strictEqual(Math.round((gateway.monthlyUsd.idle - instance.monthlyUsd.idle) * 100) / 100, Math.round((32.85 + 3.65 - 3.71 - 3.65) * 100) / 100);
        });

        it("first deploy runs through Aurora, then the CP, then the DP", async () => {
            const d = firstDeploy(await realPlan("prod"));
            const types = d.path.map(p => p.type);
            const [db, cp] = [types.indexOf("aws:rds/clusterInstance:ClusterInstance"), d.path.findIndex(p => p.urn.endsWith("kong-prod-cp-service"))];
            assert.ok(db >= 0 && cp > db, types.join(" → "));
            assert.ok(d.path.findIndex(p => p.urn.endsWith("dp-public-service")) > cp);
            assert.ok(d.minutes >= 12 && d.minutes <= 25, `${d.minutes} min`);
            assert.strictEqual(d.minutes, Math.round(d.path.reduce((n, p) => n + p.minutes, 0) * 10) / 10);
        });

        it("the rolling update follows the deregistration delay and health checks in the plan", async () => {
            const p = await realPlan("prod");
            const before = dpRollingUpdate(p).minutes!;
            const tg = p.steps.find(s => s.newState!.type === "aws:lb/targetGroup:TargetGroup")!.newState!;
            assert.strictEqual(tg.inputs.deregistrationDelay, 60);
            tg.inputs.deregistrationDelay = 300;
            assert.strictEqual(Math.round((dpRollingUpdate(p).minutes! - before) * 10) / 10, 4);
            tg.inputs.healthCheck = { ...tg.inputs.healthCheck, interval: 30, healthyThreshold: 5 };
            assert.strictEqual(Math.round((dpRollingUpdate(p).minutes! - before) * 10) / 10, 4 + 2.5 - 0.3);
        });
    });

    describe("on hand-computed fixtures", () => {
        function stack(opts: { dpArm?: boolean; dbMin?: number } = {}) {
            const f = new PlanFixture();
            const vpc = f.add("aws:ec2/vpc:Vpc", "vpc");
            const nat = f.add("aws:ec2/natGateway:NatGateway", "nat", {}, { deps: { subnetId: [vpc] } });
            f.add("aws:ec2/route:Route", "default", { natGatewayId: nat.id }, { deps: { natGatewayId: [nat] } });
            const cluster = f.add("aws:rds/cluster:Cluster", "db", { serverlessv2ScalingConfiguration: { minCapacity: opts.dbMin ?? 0, maxCapacity: 4 } }, { deps: { vpc: [vpc] } });
            const writer = f.add("aws:rds/clusterInstance:ClusterInstance", "db-writer", { instanceClass: "db.serverless", clusterIdentifier: cluster.id }, { deps: { clusterIdentifier: [cluster] } });
            const tg = f.add("aws:lb/targetGroup:TargetGroup", "tg", { deregistrationDelay: 30, healthCheck: { interval: 15, healthyThreshold: 4 } });
            f.kongService("cp", "control_plane", { cpu: 256, memory: 512, desiredCount: 1 });
            f.kongService("dp", "data_plane", {
                cpu: 1024, memory: 2048, arm: opts.dpArm, desiredCount: 4,
                service: {
                    loadBalancers: [{ targetGroupArn: tg.arn, containerName: "kong", containerPort: 8000 }],
                    deploymentMaximumPercent: 150, deploymentMinimumHealthyPercent: 100,
                    capacityProviderStrategies: [{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 3 }],
                },
                container: { stopTimeout: 60 },
            }, { loadBalancers: [tg] });
            return { f, writer };
        }

        it("prices Fargate by architecture and Spot share, NAT, and Aurora by CP hours", () => {
            const cost = estimateCost(stack({ dpArm: true }).f.plan(), { cpRunningHoursPerMonth: 365 });
            const line = (prefix: string) => cost.lines.find(l => l.item.startsWith(prefix))?.monthlyUsd;
            // CP: (0.25 × 0.04048 + 0.5 × 0.004445) $/h × 365 h = 4.5050125.
            assert.strictEqual(line("Fargate: Control Plane"), 4.51);
            // DP: 4 ARM tasks of 1 vCPU/2 GB = 0.0395 $/h each; base 1 on FARGATE, the other 3 split 1:3,
            // so 2.25 on Spot at 70% off: factor 1 - 2.25/4 × 0.7 = 0.60625; 4 × 0.0395 × 0.60625 × 730 = 69.924875.
            assert.strictEqual(line("Fargate: Data Plane"), 69.92);
            assert.strictEqual(line("NAT gateway × 1"), 32.85);
            // 0-ACU cluster: 0.5 ACU while the CP runs (365 h), paused the rest: 182.5 ACU-h × $0.12.
            assert.strictEqual(line("Aurora Serverless v2"), 21.9);
            assert.strictEqual(cost.monthlyUsd.idle, sum(cost.lines.filter(l => l.kind === "idle").map(l => l.monthlyUsd)));
        });

        it("prices a DP group all on Spot (base 1 on FARGATE_SPOT) at the Spot discount for every task", () => {
            const f = new PlanFixture();
            f.kongService("dp", "data_plane", { cpu: 256, memory: 512, arm: true, desiredCount: 1, service: { capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", base: 1, weight: 1 }] } });
            const line = estimateCost(f.plan()).lines.find(l => l.item.startsWith("Fargate: Data Plane"))!;
            // (0.25 × 0.03238 + 0.5 × 0.00356) $/h × 730 h = 7.20985, 70% off: 2.162955.
            assert.deepStrictEqual([line.item, line.monthlyUsd], ["Fargate: Data Plane dp (1 × 0.25 vCPU/0.5 GB ARM, on Spot)", 2.16]);
        });

        it("prices the scale-to-zero controller: its runs, logs and GetMetricData (its own metric only while a start is pending: not idle); metric filters only with a default value", () => {
            const f = new PlanFixture();
            const fn = f.add("aws:lambda/function:Function", "scaler", { memorySize: 256, architectures: ["arm64"], environment: { variables: { [ENVIRONMENT_NAMES.metricNamespace]: "KongHybrid/x" } } });
            const rule = f.add("aws:cloudwatch/eventRule:EventRule", "tick", { scheduleExpression: "rate(1 minute)" });
            f.add("aws:cloudwatch/eventTarget:EventTarget", "tick-target", { rule: rule.id, arn: fn.arn }, { deps: { rule: [rule], arn: [fn] } });
            // An event-driven rule (no schedule) adds no runs to the estimate.
            const events = f.add("aws:cloudwatch/eventRule:EventRule", "task-running", { eventPattern: "{}" });
            f.add("aws:cloudwatch/eventTarget:EventTarget", "task-target", { rule: events.id, arn: fn.arn }, { deps: { rule: [events], arn: [fn] } });
            f.add("aws:cloudwatch/logMetricFilter:LogMetricFilter", "writes", { metricTransformation: { name: "AdminWrites", namespace: "KongHybrid/x", value: "1" } });
            f.add("aws:cloudwatch/logMetricFilter:LogMetricFilter", "always", { metricTransformation: { name: "Errors", namespace: "App", value: "1", defaultValue: "0" } });
            const lines = Object.fromEntries(estimateCost(f.plan()).lines.map(l => [l.item, l.monthlyUsd]));
            // 730 h × 60 = 43,800 runs: $0.20/M requests = 0.00876, + 43,800 × 0.3 s × 0.25 GB × $0.0000133334 = 0.0438; total 0.0526.
            // Logs: 43,800 kB = 0.0438 GB × ($0.50 + $0.03) = 0.0232. GetMetricData: 43,800 × 1 / 1000 × $0.01 = 0.438.
            assert.deepStrictEqual(Object.entries(lines).filter(([item]) => /Lambda|GetMetricData|custom metrics/.test(item)), [
                ["Lambda scaler (43.8k runs/month at 256 MB)", 0.05],
                ["CloudWatch Logs: Lambda scaler", 0.02],
                ["CloudWatch GetMetricData: scaler (1 metric a run)", 0.44],
                ["CloudWatch custom metrics from log metric filters × 1 (with a default value)", 0.3],
            ]);
        });

        it("prices the DP plugins' Redis by node type and count, and names a node type the table lacks", () => {
            const f = new PlanFixture();
            f.add("aws:elasticache/replicationGroup:ReplicationGroup", "redis", { nodeType: "cache.t4g.small", numCacheClusters: 2 });
            f.add("aws:elasticache/replicationGroup:ReplicationGroup", "big", { nodeType: "cache.r7g.4xlarge", numCacheClusters: 1 });
            const cost = estimateCost(f.plan());
            // 2 nodes × $0.032 × 730 h = 46.72.
            assert.deepStrictEqual(cost.lines.filter(l => l.item.startsWith("ElastiCache")).map(l => [l.item, l.monthlyUsd]), [["ElastiCache redis (2 × cache.t4g.small)", 46.72]]);
            assert.deepStrictEqual(cost.unpriced, ["ElastiCache big (cache.r7g.4xlarge)"]);
        });

        const schedules: [string, number | undefined][] = [
            ["rate(1 minute)", 43_800], ["rate(5 minutes)", 8_760], ["rate(1 hour)", 730], ["rate(2 days)", 15.208333333333334],
            ["cron(0 12 * * ? *)", undefined], ["rate(0 minutes)", undefined],
        ];
        for (const [expression, runs] of schedules) it(`runs a month of ${expression}: ${runs}`, () => assert.strictEqual(runsPerMonth(expression), runs));

        it("adds load lines from requests and bytes", () => {
            const cost = estimateCost(stack().f.plan(), { load: { requestsPerSecond: 100, bytesPerRequest: 1000, upstreamViaNat: 0.5 } });
            const line = (prefix: string) => cost.lines.find(l => l.kind === "load" && l.item.startsWith(prefix))?.monthlyUsd;
            // 100 req/s × 2,628,000 s = 262.8 M requests × 1,000 B = 262.8 GB; half of it through NAT at $0.045/GB.
            assert.strictEqual(line("NAT gateway data processed"), 5.91);
            // 100 req/s needs 100 / 500 = 0.2 vCPU: the 4 minimum tasks do; nothing scales out.
            assert.ok(!cost.lines.some(l => l.item.includes("scaled out")));
            assert.throws(() => estimateCost(stack().f.plan(), { load: { requestsPerSecond: -1 } }), /requestsPerSecond = -1: must be a number from 0/);
            assert.throws(() => estimateCost(stack().f.plan(), { cpRunningHoursPerMonth: 800 }), /cpRunningHoursPerMonth = 800: must be a number from 0 to 730/);
        });

        it("first deploy is the longest chain, a component dependency waits for its children", () => {
            const { f, writer } = stack();
            // vpc 0.1 → db 3 → writer 8 → CP service (1 start + 15 s health check... none here: 1) → DP service (1 + 15 × 4 / 60 = 2)
            assert.strictEqual(firstDeploy(f.plan()).minutes, 0.1 + 3 + 8 + 1 + 2);
            const component = f.add("kong:test:Thing", "thing", {}, { custom: false });
            f.add("aws:eks/cluster:Cluster", "eks", {}, { parent: component, dependsOn: [writer] });
            const role = f.add("aws:iam/role:Role", "after-thing", {}, { dependsOn: [component] });
            const d = firstDeploy(f.plan());
            assert.strictEqual(d.minutes, 23.2, "vpc 0.1 → db 3 → writer 8 → EKS 12 → role 0.1: the role waits for the component's cluster");
            assert.strictEqual(d.path[d.path.length - 1].urn, role.urn);
        });

        it("rolling update: waves from the deployment percentages, each start + health + drain + stop", () => {
            const r = dpRollingUpdate(stack().f.plan());
            // 4 tasks, max 150%, min 100%: floor(6) - 4 = 2 per wave → 2 waves.
            // A wave: 1 min start + 15 s × 4 checks (1 min) + 30 s drain + 60 s stop = 3.5 min.
            assert.deepStrictEqual(r, { minutes: 7, perService: [{ service: "dp", runtime: "ecs", waves: 2, minutesPerWave: 3.5, minutes: 7 }] });
        });

        describe("rolling update of a Kong release on EKS, from its values over the chart's defaults", () => {
            /** A Data Plane release of Kong's chart in namespace `ns`, optionally bound to an ALB target group. */
            function eksGroup(f: PlanFixture, values: Record<string, any>, tg?: Record<string, any> | "unknown") {
                const ns = "kong-dp-x";
                f.add("kubernetes:helm.sh/v3:Release", "dp-x-release", {
                    name: ns, namespace: ns, chart: "kong", version: "3.4.1",
                    values: values === UNKNOWN ? UNKNOWN_STRING : { env: { role: "data_plane" }, ...values },
                });
                if (!tg) return;
                const group = tg === "unknown" ? undefined : f.add("aws:lb/targetGroup:TargetGroup", "dp-x-tg", tg);
                f.add("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "dp-x-tgb", {
                    metadata: { name: ns, namespace: ns },
                    spec: { serviceRef: { name: `${ns}-kong-proxy`, port: 8000 }, targetGroupARN: group?.arn ?? UNKNOWN_STRING, targetType: "ip" },
                }, { deps: group ? { spec: [group] } : {} });
            }
            const UNKNOWN = { unknown: true };
            const autoscaled = (min: number) => ({ autoscaling: { enabled: true, minReplicas: min, maxReplicas: 12 } });
            const albTg = { deregistrationDelay: 120, healthCheck: { interval: 10, healthyThreshold: 2 } };

            const cases: { name: string; values: Record<string, any>; tg?: Record<string, any> | "unknown"; expected: { waves: number; minutesPerWave: number; tailMinutes: number; minutes: number } | RegExp }[] = [
                {
                    // 25%/25% of 4 = surge 1 + unavailable 1 → 2 waves; a wave: 1 min start + (5 s delay + 10 s × 1) = 1.25 → 1.3;
                    // then max(120 s drain, preStop 15 + 10 s quit = 25 s, ALB 10 s × 2) = 2 min.
                    name: "chart defaults: Deployment 25%/25%, probe 5 s + 10 s, kong quit --wait=15, grace 30 s",
                    values: autoscaled(4), tg: albTg, expected: { waves: 2, minutesPerWave: 1.3, tailMinutes: 2, minutes: 4.6 },
                },
                {
                    // surge 100% → 1 wave; probe 10 s + 5 s × 2 = 20 s: 1.33 → 1.3; tail max(30 s drain, sleep 45 s, ALB 15 s × 4 = 60 s) = 1.
                    name: "maxSurge 100%, maxUnavailable 0, a preStop sleep",
                    values: {
                        ...autoscaled(4), updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "100%", maxUnavailable: 0 } },
                        readinessProbe: { initialDelaySeconds: 10, periodSeconds: 5, successThreshold: 2 },
                        lifecycle: { preStop: { exec: { command: ["sleep", "45"] } } }, terminationGracePeriodSeconds: 60,
                    },
                    tg: { deregistrationDelay: 30, healthCheck: { interval: 15, healthyThreshold: 4 } },
                    expected: { waves: 1, minutesPerWave: 1.3, tailMinutes: 1, minutes: 2.3 },
                },
                {
                    // replicaCount 3, one pod at a time → 3 waves of 1 + (5 + 10 + 45 minReadySeconds) / 60 = 2; no target group
                    // (a private group): the tail is the stop, the grace period 20 s cutting kong quit's 25 s short.
                    name: "a fixed replicaCount, one pod at a time, minReadySeconds, not behind the ALB",
                    values: { replicaCount: 3, autoscaling: { enabled: false }, updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, deployment: { minReadySeconds: 45 }, terminationGracePeriodSeconds: 20 },
                    expected: { waves: 3, minutesPerWave: 2, tailMinutes: 0.3, minutes: 6.3 },
                },
                {
                    // A preStop the estimator cannot read holds the pod for the whole grace period (the kubelet kills it then).
                    name: "an unreadable preStop counts the whole grace period",
                    values: { ...autoscaled(2), lifecycle: { preStop: { exec: { command: ["/bin/drain.sh"] } } }, terminationGracePeriodSeconds: 180 },
                    tg: albTg, expected: { waves: 2, minutesPerWave: 1.3, tailMinutes: 3, minutes: 5.6 },
                },
                { name: "values unknown in the plan", values: UNKNOWN, expected: /kong-dp-x \(EKS\): the Helm release's values are not known in the plan/ },
                { name: "an unknown replica count", values: { autoscaling: { enabled: true, minReplicas: UNKNOWN_STRING } }, expected: /autoscaling\.minReplicas ".*" is not a known replica count/ },
                { name: "Recreate drops requests", values: { ...autoscaled(2), updateStrategy: { type: "Recreate" } }, expected: /updateStrategy\.type "Recreate": only RollingUpdate/ },
                { name: "a surge that is neither a count nor a percentage", values: { ...autoscaled(2), updateStrategy: { rollingUpdate: { maxSurge: "lots" } } }, expected: /updateStrategy\.rollingUpdate \{"maxSurge":"lots"\} is not a known count or percentage/ },
                { name: "a TargetGroupBinding whose target group is not in the plan", values: autoscaled(2), tg: "unknown", expected: /the target group of TargetGroupBinding dp-x-tgb is not in the plan/ },
            ];
            for (const c of cases) {
                it(c.name, () => {
                    const f = new PlanFixture();
                    eksGroup(f, c.values, c.tg);
                    const r = dpRollingUpdate(f.plan());
                    const json = estimateJsonRolling(f.plan());
                    if (c.expected instanceof RegExp) {
                        assert.strictEqual(r.minutes, undefined);
                        assert.match(r.notEstimated ?? "", c.expected);
                        assert.strictEqual(json, null, "the estimate JSON says null, never a number it did not compute");
                    } else {
                        assert.deepStrictEqual(r, { minutes: c.expected.minutes, perService: [{ service: "kong-dp-x (EKS)", runtime: "eks", ...c.expected }] });
                        assert.strictEqual(json, c.expected.minutes);
                    }
                });
            }

            it("mixed: the slower of the ECS service and the EKS release decides; one unreadable group makes the whole figure not estimated", () => {
                const { f } = stack();
                eksGroup(f, autoscaled(4), albTg);
                const r = dpRollingUpdate(f.plan());
                assert.deepStrictEqual(r.perService.map(g => [g.service, g.minutes]), [["dp", 7], ["kong-dp-x (EKS)", 4.6]]);
                assert.strictEqual(r.minutes, 7);

                const slow = stack().f;
                eksGroup(slow, { ...autoscaled(12), updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }, albTg);
                // 12 waves × 1.3 + 2 = 17.6: the EKS release is now the slowest.
                assert.strictEqual(dpRollingUpdate(slow.plan()).minutes, 17.6);

                const unknown = stack().f;
                eksGroup(unknown, UNKNOWN);
                const u = dpRollingUpdate(unknown.plan());
                assert.strictEqual(u.minutes, undefined);
                assert.match(u.notEstimated!, /^kong-dp-x \(EKS\): the Helm release's values are not known/);
                assert.strictEqual(estimateJsonRolling(unknown.plan()), null);
            });

            it("a plan with no Data Plane group is not estimated (it used to say 0 min)", () => {
                const f = new PlanFixture();
                f.kongService("cp", "control_plane", { cpu: 256, memory: 512, desiredCount: 1 });
                assert.deepStrictEqual(dpRollingUpdate(f.plan()), { notEstimated: "no Data Plane group found in the plan", perService: [] });
            });

            it("the Control Plane's release and other charts are not Data Plane groups", () => {
                const f = new PlanFixture();
                f.add("kubernetes:helm.sh/v3:Release", "cp-release", { name: "kong-cp", namespace: "kong", chart: "kong", values: { env: { role: "control_plane" }, replicaCount: 1 } });
                f.add("kubernetes:helm.sh/v3:Release", "lbc", { name: "aws-load-balancer-controller", namespace: "kube-system", chart: "aws-load-balancer-controller", values: { replicaCount: 2 } });
                eksGroup(f, autoscaled(4), albTg);
                assert.deepStrictEqual(dpRollingUpdate(f.plan()).perService.map(g => g.service), ["kong-dp-x (EKS)"]);
            });
        });
    });

    describe("on the EKS stacks' real plans", () => {
        // eks: one EKS group of minReplicas 2; mixed: an ECS service of 3 and an EKS release of minReplicas 3.
        // EKS: chart defaults (25%/25% → 1 pod per wave at 2 or 3 replicas), waves of 1 min + 15 s probe = 1.3;
        // then the target group's 60 s deregistration delay (over the 25 s stop and 20 s of ALB checks).
        const expected: Record<"eks" | "mixed", [string, number][]> = {
            // The releases surge 100% with none unavailable (components/eks/kong-values.ts): one wave.
            eks: [["kong-dp-public (EKS)", 1.3 + 1]],
            mixed: [["dp-ecs", 2.8], ["kong-dp-eks (EKS)", 1.3 + 1]],
        };
        for (const name of ["eks", "mixed"] as const) {
            it(`${name}: every Data Plane group is estimated, the EKS ones from their release`, async () => {
                const p: Plan = JSON.parse(JSON.stringify(previewJson(await plan(name))));
                const r = dpRollingUpdate(p);
                assert.deepStrictEqual(r.perService.map(g => [g.service, g.minutes]), expected[name].map(([s, m]) => [s, Math.round(m * 10) / 10]));
                assert.strictEqual(r.minutes, Math.max(...r.perService.map(g => g.minutes!)));
                assert.strictEqual(estimate(p).dpRollingUpdateMinutes, r.minutes);
            });
        }
    });
});

const estimateJsonRolling = (p: Plan) => JSON.parse(JSON.stringify(estimate(p))).dpRollingUpdateMinutes;
