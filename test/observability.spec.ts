import * as assert from "assert";
import { byType, runProgram, type PlannedResource, type ProgramRun } from "../offline/harness";
import { alarmPublishKeyStatement, dashboardProblems, Observability, subscriptionProblems, type ObservabilityArgs } from "../components/observability";
import { alarmSpecs, controlPlaneState, observedStackProblems, webAclNameFromArn } from "../components/observability/alarms";

// The stack's alarms, topic and dashboard as AWS receives them (PutMetricAlarm arguments, the
// dashboard body string), built under the mock runtime from stand-in names and ARN suffixes.

const ACCOUNT = "123456789012";
const KMS = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1111aaaa-2222-bbbb-3333-cccc4444dddd`;
const ALB = "app/dp-public-edge-alb/0123456789abcdef";
const TG = "targetgroup/dp-public-edge-tg/fedcba9876543210";
const CERT = `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/9f8e7d6c-1111-2222-3333-444455556666`;

function args(over: Partial<ObservabilityArgs> = {}): ObservabilityArgs {
    return {
        namePrefix: "kong-dev",
        region: "eu-west-1",
        kmsKeyArn: KMS,
        subscriptions: [{ protocol: "email", endpoint: "ops@example.com" }, { protocol: "https", endpoint: "https://hooks.example.com/kong" }],
        containerInsights: false,
        dataPlanes: [
            { group: "dp-public", ecs: { clusterName: "kong-dev-ecs", serviceName: "dp-public", minTasks: 2 }, alb: { loadBalancerArnSuffix: ALB, targetGroupArnSuffix: TG } },
        ],
        controlPlane: { clusterName: "kong-dev-ecs", serviceName: "kong-dev-cp", desiredCount: 1, scaler: { metricNamespace: "KongHybrid/kong-dev", startTimeoutMinutes: 5, logGroupName: "/kong-dev/cp-scaler" } },
        database: { clusterIdentifier: "kong-dev-cp-db", maxCapacity: 2 },
        certificates: [{ name: "edge", arn: CERT }],
        webAcls: [{ name: "dp-public-edge-waf" }],
        tags: { stack: "dev" },
        ...over,
    };
}

const runs = new Map<string, Promise<ProgramRun>>();
function planned(name: string, a: ObservabilityArgs): Promise<ProgramRun> {
    if (!runs.has(name)) runs.set(name, runProgram(() => {
        const o = new Observability("obs", a);
        return { topicArn: o.topicArn, dashboardName: o.dashboardName };
    }, { config: { "aws:region": "eu-west-1" } }));
    return runs.get(name)!;
}

const alarm = (run: ProgramRun, key: string): PlannedResource => {
    const found = byType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").find(r => r.inputs.name === `kong-dev-${key}`);
    assert.ok(found, `alarm kong-dev-${key} in ${byType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map(r => r.inputs.name).join(", ")}`);
    return found!;
};

describe("Observability: alarms, topic and dashboard", () => {
    it("one KMS-encrypted SNS topic per stack, a subscription per configured endpoint", async () => {
        const run = await planned("dev", args());
        const [topic] = byType(run, "aws:sns/topic:Topic");
        assert.strictEqual(byType(run, "aws:sns/topic:Topic").length, 1);
        assert.strictEqual(topic.inputs.name, "kong-dev-alarms");
        assert.strictEqual(topic.inputs.kmsMasterKeyId, KMS);
        const subs = byType(run, "aws:sns/topicSubscription:TopicSubscription").map(s => `${s.inputs.protocol} ${s.inputs.endpoint} → ${s.inputs.topic === topic.outputs.arn}`);
        assert.deepStrictEqual(subs, ["email ops@example.com → true", "https https://hooks.example.com/kong → true"]);
        for (const a of byType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
            assert.deepStrictEqual(a.inputs.alarmActions, [topic.outputs.arn], a.inputs.name);
            assert.deepStrictEqual(a.inputs.okActions, [topic.outputs.arn], a.inputs.name);
        }
    });

    // What each alarm watches, as PutMetricAlarm receives it: namespace/metric {dimensions} statistic, comparison threshold.
    const dims = (d: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.entries(d).sort(([x], [y]) => x.localeCompare(y))));
    const watched = (a: PlannedResource) => a.inputs.metricQueries
        ? a.inputs.metricQueries.map((q: any) => q.expression ? `${q.id}=${q.expression}` : `${q.id}:${q.metric.namespace}/${q.metric.metricName} ${dims(q.metric.dimensions)} ${q.metric.stat}`).join("; ")
        : `${a.inputs.namespace}/${a.inputs.metricName} ${dims(a.inputs.dimensions)} ${a.inputs.statistic}`;
    const cases: { name: string; a: ObservabilityArgs; alarms: Record<string, [string, string, number, string]> }[] = [
        {
            name: "dev: no Container Insights, the controller owns the CP",
            a: args(),
            alarms: {
                "dp-public-5xx-rate": [`e1=IF(requests > 0, 100 * errors / requests, 0); errors:AWS/ApplicationELB/HTTPCode_Target_5XX_Count {"LoadBalancer":"${ALB}","TargetGroup":"${TG}"} Sum; requests:AWS/ApplicationELB/RequestCount {"LoadBalancer":"${ALB}","TargetGroup":"${TG}"} Sum`, "GreaterThanThreshold", 5, "notBreaching"],
                "dp-public-unhealthy-targets": [`AWS/ApplicationELB/UnHealthyHostCount {"LoadBalancer":"${ALB}","TargetGroup":"${TG}"} Maximum`, "GreaterThanThreshold", 0, "notBreaching"],
                "dp-public-tasks-below-minimum": [`AWS/ApplicationELB/HealthyHostCount {"LoadBalancer":"${ALB}","TargetGroup":"${TG}"} Minimum`, "LessThanThreshold", 2, "breaching"],
                "cp-not-running-while-awake": [`KongHybrid/kong-dev/CpStartPendingSeconds {"ControlPlaneService":"kong-dev-cp"} Maximum`, "GreaterThanOrEqualToThreshold", 300, "notBreaching"],
                "db-at-max-acu": [`AWS/RDS/ServerlessDatabaseCapacity {"DBClusterIdentifier":"kong-dev-cp-db"} Maximum`, "GreaterThanOrEqualToThreshold", 2, "notBreaching"],
                "edge-cert-expiry": [`AWS/CertificateManager/DaysToExpiry {"CertificateArn":"${CERT}"} Minimum`, "LessThanOrEqualToThreshold", 30, "missing"],
                "waf-blocks-spiking": [`AWS/WAFV2/BlockedRequests {"Region":"eu-west-1","Rule":"ALL","WebACL":"dp-public-edge-waf"} Sum`, "GreaterThanThreshold", 500, "notBreaching"],
            },
        },
        {
            name: "prod: Container Insights counts tasks; an always-on CP of 2",
            a: args({ containerInsights: true, controlPlane: { clusterName: "kong-prod-ecs", serviceName: "kong-prod-cp", desiredCount: 2 }, thresholds: { wafBlockedPer5Minutes: 2000 } }),
            alarms: {
                "dp-public-tasks-below-minimum": [`ECS/ContainerInsights/RunningTaskCount {"ClusterName":"kong-dev-ecs","ServiceName":"dp-public"} Minimum`, "LessThanThreshold", 2, "breaching"],
                "cp-not-running": [`ECS/ContainerInsights/RunningTaskCount {"ClusterName":"kong-prod-ecs","ServiceName":"kong-prod-cp"} Minimum`, "LessThanThreshold", 2, "breaching"],
                "waf-blocks-spiking": [`AWS/WAFV2/BlockedRequests {"Region":"eu-west-1","Rule":"ALL","WebACL":"dp-public-edge-waf"} Sum`, "GreaterThanThreshold", 2000, "notBreaching"],
            },
        },
        {
            name: "no controller, no Container Insights: a CP with no CPU samples is a stopped CP",
            a: args({ controlPlane: { clusterName: "kong-dev-ecs", serviceName: "kong-dev-cp", desiredCount: 1 } }),
            alarms: { "cp-not-running": [`AWS/ECS/CPUUtilization {"ClusterName":"kong-dev-ecs","ServiceName":"kong-dev-cp"} SampleCount`, "LessThanThreshold", 1, "breaching"] },
        },
    ];
    for (const c of cases) {
        it(`${c.name}: each alarm watches the metric that breaks users`, async () => {
            const run = await planned(c.name, c.a);
            for (const [key, [metric, op, threshold, missing]] of Object.entries(c.alarms)) {
                const a = alarm(run, key);
                assert.strictEqual(watched(a), metric, key);
                assert.deepStrictEqual([a.inputs.comparisonOperator, a.inputs.threshold, a.inputs.treatMissingData], [op, threshold, missing], key);
                assert.ok(a.inputs.alarmDescription.length > 20, key);
                assert.ok(a.inputs.datapointsToAlarm <= a.inputs.evaluationPeriods, key);
            }
        });
    }

    it("the 5xx rate's math returns only the rate; its inputs are hidden", async () => {
        const q = alarm(await planned("dev", args()), "dp-public-5xx-rate").inputs.metricQueries;
        assert.deepStrictEqual(q.map((x: any) => [x.id, x.returnData]), [["e1", true], ["errors", false], ["requests", false]]);
        assert.ok(q.slice(1).every((x: any) => x.metric.period === 60));
    });

    it("a CP stopped on purpose (0 tasks, no controller) raises no CP alarm", () => {
        const keys = alarmSpecs(args({ controlPlane: { clusterName: "c", serviceName: "cp", desiredCount: 0 } })).map(s => s.key);
        assert.ok(!keys.some(k => k.startsWith("cp-")), keys.join(", "));
    });

    it("the dashboard body is valid widget JSON with every alarm's metric and the CP's state", async () => {
        for (const c of cases) {
            const run = await planned(c.name, c.a);
            const [dash] = byType(run, "aws:cloudwatch/dashboard:Dashboard");
            assert.strictEqual(typeof dash.inputs.dashboardBody, "string", "the API receives a string");
            assert.deepStrictEqual(dashboardProblems(dash.inputs.dashboardBody), [], c.name);
            const body = JSON.parse(dash.inputs.dashboardBody);
            const alarms = byType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
            const status = body.widgets.find((w: any) => w.type === "alarm");
            assert.deepStrictEqual([...status.properties.alarms].sort(), alarms.map(a => a.outputs.arn).sort());
            for (const a of alarms) {
                const w = body.widgets.find((x: any) => x.properties.title === a.inputs.name);
                assert.ok(w, `a widget for ${a.inputs.name}`);
                assert.deepStrictEqual(w.properties.annotations.horizontal, [{ label: "alarm threshold", value: a.inputs.threshold }]);
                const names = w.properties.metrics.map((m: any[]) => typeof m[0] === "string" ? m[1] : m[0].expression);
                assert.ok(names.includes(a.inputs.metricName ?? a.inputs.metricQueries[0].expression), a.inputs.name);
                assert.strictEqual(w.properties.region, "eu-west-1");
            }
            const cp = body.widgets.find((w: any) => w.properties.title === "Control Plane: running tasks");
            assert.deepStrictEqual(cp.properties.metrics[0].slice(0, 2), c.a.containerInsights ? ["ECS/ContainerInsights", "RunningTaskCount"] : ["AWS/ECS", "CPUUtilization"]);
            const log = body.widgets.find((w: any) => w.type === "log");
            assert.strictEqual(!!log, !!c.a.controlPlane.scaler, "the controller's decisions when it runs");
            if (log) assert.match(log.properties.query, /^SOURCE '\/kong-dev\/cp-scaler' \| fields @timestamp, action, reason/);
        }
    });

    describe("a CP on EKS (no ECS service): watched through its Aurora connections", () => {
        const eks = (over: Partial<ObservabilityArgs> = {}) => args({
            containerInsights: false,
            dataPlanes: [{ group: "dp-public", eks: { minPods: 2 }, alb: { loadBalancerArnSuffix: ALB, targetGroupArnSuffix: TG } }],
            controlPlane: { runtime: "eks", replicas: 1 },
            ...over,
        });
        const expected: Record<string, [string, string, number, string]> = {
            "dp-public-5xx-rate": [`e1=IF(requests > 0, 100 * errors / requests, 0); errors:AWS/ApplicationELB/HTTPCode_Target_5XX_Count {"LoadBalancer":"${ALB}","TargetGroup":"${TG}"} Sum; requests:AWS/ApplicationELB/RequestCount {"LoadBalancer":"${ALB}","TargetGroup":"${TG}"} Sum`, "GreaterThanThreshold", 5, "notBreaching"],
            "dp-public-unhealthy-targets": [`AWS/ApplicationELB/UnHealthyHostCount {"LoadBalancer":"${ALB}","TargetGroup":"${TG}"} Maximum`, "GreaterThanThreshold", 0, "notBreaching"],
            "dp-public-elb-5xx-rate": [`e1=IF(requests > 0, 100 * errors / requests, 0); errors:AWS/ApplicationELB/HTTPCode_ELB_5XX_Count {"LoadBalancer":"${ALB}"} Sum; requests:AWS/ApplicationELB/RequestCount {"LoadBalancer":"${ALB}"} Sum`, "GreaterThanThreshold", 5, "notBreaching"],
            "dp-public-pods-below-minimum": [`AWS/ApplicationELB/HealthyHostCount {"LoadBalancer":"${ALB}","TargetGroup":"${TG}"} Minimum`, "LessThanThreshold", 2, "breaching"],
            "cp-not-running": [`AWS/RDS/DatabaseConnections {"DBClusterIdentifier":"kong-dev-cp-db","Role":"WRITER"} Maximum`, "LessThanThreshold", 1, "breaching"],
            "db-at-max-acu": [`AWS/RDS/ServerlessDatabaseCapacity {"DBClusterIdentifier":"kong-dev-cp-db"} Maximum`, "GreaterThanOrEqualToThreshold", 2, "notBreaching"],
            "edge-cert-expiry": [`AWS/CertificateManager/DaysToExpiry {"CertificateArn":"${CERT}"} Minimum`, "LessThanOrEqualToThreshold", 30, "missing"],
            "waf-blocks-spiking": [`AWS/WAFV2/BlockedRequests {"Region":"eu-west-1","Rule":"ALL","WebACL":"dp-public-edge-waf"} Sum`, "GreaterThanThreshold", 500, "notBreaching"],
        };

        it("exactly these alarms, each on the metric that breaks users; nothing reads ECS", async () => {
            const run = await planned("eks", eks());
            assert.deepStrictEqual(byType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map(a => a.inputs.name).sort(), Object.keys(expected).map(k => `kong-dev-${k}`).sort());
            for (const [key, [metric, op, threshold, missing]] of Object.entries(expected)) {
                const a = alarm(run, key);
                assert.strictEqual(watched(a), metric, key);
                assert.deepStrictEqual([a.inputs.comparisonOperator, a.inputs.threshold, a.inputs.treatMissingData], [op, threshold, missing], key);
            }
            // No connection in any minute of three: a rolling restart keeps one pod up, a stopped CP holds none.
            const cp = alarm(run, "cp-not-running").inputs;
            assert.deepStrictEqual([cp.period, cp.evaluationPeriods, cp.datapointsToAlarm], [60, 3, 3]);
        });

        it("the dashboard shows the CP's Aurora connections instead of running tasks, and no controller log", async () => {
            const [dash] = byType(await planned("eks", eks()), "aws:cloudwatch/dashboard:Dashboard");
            assert.deepStrictEqual(dashboardProblems(dash.inputs.dashboardBody), []);
            const body = JSON.parse(dash.inputs.dashboardBody);
            const cp = body.widgets[1];
            assert.deepStrictEqual([cp.properties.title, cp.properties.metrics], ["Control Plane (EKS): connections to Aurora, its only client", [["AWS/RDS", "DatabaseConnections", "DBClusterIdentifier", "kong-dev-cp-db", "Role", "WRITER", { stat: "Maximum" }]]]);
            assert.ok(!body.widgets.some((w: any) => w.type === "log" || w.properties.title === "Control Plane: running tasks"));
        });

        const cpState: { name: string; s: Parameters<typeof controlPlaneState>[0]; title: string; metric: string }[] = [
            { name: "EKS", s: eks(), title: "Control Plane (EKS): connections to Aurora, its only client", metric: "AWS/RDS DatabaseConnections" },
            { name: "ECS with Container Insights", s: args({ containerInsights: true }), title: "Control Plane: running tasks", metric: "ECS/ContainerInsights RunningTaskCount" },
            { name: "ECS without", s: args(), title: "Control Plane: running tasks", metric: "AWS/ECS CPUUtilization" },
        ];
        for (const c of cpState) {
            it(`the CP's state on the dashboard, ${c.name}: ${c.metric}`, () => {
                const st = controlPlaneState(c.s);
                assert.deepStrictEqual([st.title, `${st.metric.namespace} ${st.metric.metricName}`], [c.title, c.metric]);
            });
        }

        const refused: { name: string; groups: ObservabilityArgs["dataPlanes"]; line: string }[] = [
            { name: "an EKS group without a target group", groups: [{ group: "dp-eks", eks: { minPods: 2 } }], line: "Observability: DP group dp-eks runs on EKS without a target group: no free metric counts its pods; give it its load balancer's ARN suffixes" },
            { name: "a minimum that is not a whole number", groups: [{ group: "dp-eks", eks: { minPods: 1.5 }, alb: { loadBalancerArnSuffix: ALB, targetGroupArnSuffix: TG } }], line: "Observability: DP group dp-eks minPods = 1.5: must be a whole number of 0 or more" },
        ];
        for (const r of refused) it(`refuses ${r.name}, naming the group`, () => assert.deepStrictEqual(observedStackProblems(eks({ dataPlanes: r.groups })), [r.line]));
    });

    const broken: { name: string; body: unknown; problem: RegExp }[] = [
        { name: "not JSON", body: "{", problem: /not JSON/ },
        { name: "widget wider than the grid", body: { widgets: [{ type: "text", x: 20, y: 0, width: 8, height: 2, properties: { markdown: "x" } }] }, problem: /exceeds the 24-column grid/ },
        { name: "odd dimension list", body: { widgets: [{ type: "metric", x: 0, y: 0, width: 6, height: 6, properties: { region: "eu-west-1", metrics: [["AWS/RDS", "ACUUtilization", "DBClusterIdentifier"]] } }] }, problem: /is not \[namespace, name, dimension, value/ },
        { name: "math on an undefined id", body: { widgets: [{ type: "metric", x: 0, y: 0, width: 6, height: 6, properties: { region: "eu-west-1", metrics: [[{ expression: "a / b" }], ["N", "M", { id: "a" }]] } }] }, problem: /expression uses b, which no metric row defines/ },
        { name: "unknown widget type", body: { widgets: [{ type: "graph", x: 0, y: 0, width: 6, height: 6, properties: {} }] }, problem: /type "graph" is not one of/ },
    ];
    for (const b of broken) {
        it(`the dashboard check catches: ${b.name}`, () => {
            const problems = dashboardProblems(typeof b.body === "string" ? b.body : JSON.stringify(b.body));
            assert.ok(problems.some(p => b.problem.test(p)), problems.join("\n"));
        });
    }

    const badSubs: { sub: { protocol: unknown; endpoint: unknown }; line: string }[] = [
        { sub: { protocol: "mail", endpoint: "ops@example.com" }, line: `kong-hybrid:alarmSubscriptions[0].protocol = "mail": allowed: email, email-json, http, https, sqs, lambda, sms, firehose, application` },
        { sub: { protocol: "email", endpoint: "ops.example.com" }, line: `kong-hybrid:alarmSubscriptions[0].endpoint = "ops.example.com": not an email address` },
        { sub: { protocol: "https", endpoint: "http://hooks.example.com" }, line: `kong-hybrid:alarmSubscriptions[0].endpoint = "http://hooks.example.com": an https subscription needs an https:// URL` },
        { sub: { protocol: "sqs", endpoint: "my-queue" }, line: `kong-hybrid:alarmSubscriptions[0].endpoint = "my-queue": a sqs subscription needs an ARN` },
    ];
    for (const b of badSubs) it(`refuses a subscription: ${b.line.split(": ")[0]}`, () => assert.deepStrictEqual(subscriptionProblems([b.sub]), [b.line]));

    it("refuses a DP group no metric can count, naming the group", () => {
        assert.deepStrictEqual(observedStackProblems(args({ dataPlanes: [{ group: "dp-internal", ecs: { clusterName: "c", serviceName: "s", minTasks: 1 } }] })),
            ["Observability: DP group dp-internal has no target group and Container Insights is off: no metric counts its tasks; turn Container Insights on for the cluster"]);
    });

    it("refuses a DP group with neither an ECS service nor a target group, naming the group", () => {
        assert.deepStrictEqual(observedStackProblems(args({ containerInsights: true, dataPlanes: [{ group: "dp-eks" }] })),
            ["Observability: DP group dp-eks has neither an ECS service nor a target group: no metric watches it; give it its load balancer's ARN suffixes"]);
    });

    it("a group with no ECS service (EKS) gets its load balancer's alarms and no task count", () => {
        const keys = alarmSpecs(args({ containerInsights: true, dataPlanes: [{ group: "dp-eks", alb: { loadBalancerArnSuffix: ALB, targetGroupArnSuffix: TG } }] }))
            .map(a => a.key).filter(k => k.startsWith("dp-"));
        assert.deepStrictEqual(keys, ["dp-eks-5xx-rate", "dp-eks-unhealthy-targets", "dp-eks-elb-5xx-rate"]);
    });

    it("one alarm on the 5xx the ALB answers itself per load balancer: groups behind the shared one share it, an internal one has its own", () => {
        const specs = alarmSpecs(args({
            containerInsights: true,
            dataPlanes: [
                { group: "dp-a", alb: { loadBalancerArnSuffix: ALB, targetGroupArnSuffix: TG, loadBalancer: "edge" } },
                { group: "dp-b", alb: { loadBalancerArnSuffix: ALB, targetGroupArnSuffix: "targetgroup/b/1", loadBalancer: "edge" } },
                { group: "dp-internal", alb: { loadBalancerArnSuffix: "app/ilb/2", targetGroupArnSuffix: "targetgroup/i/3", loadBalancer: "dp-internal-ilb" } },
            ],
        })).filter(a => a.key.endsWith("elb-5xx-rate"));
        assert.deepStrictEqual(specs.map(a => [a.key, Object.values(a.math!.inputs).map(m => [m.metricName, m.dimensions])]), [
            ["edge-elb-5xx-rate", [["HTTPCode_ELB_5XX_Count", { LoadBalancer: ALB }], ["RequestCount", { LoadBalancer: ALB }]]],
            ["dp-internal-ilb-elb-5xx-rate", [["HTTPCode_ELB_5XX_Count", { LoadBalancer: "app/ilb/2" }], ["RequestCount", { LoadBalancer: "app/ilb/2" }]]],
        ]);
    });

    it("reads the WebACL dimension (the name) from the web ACL's ARN", () => {
        assert.strictEqual(webAclNameFromArn(`arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/dp-public-edge-waf-3f2a1b0/a1b2c3d4-5678-90ab-cdef-111122223333`), "dp-public-edge-waf-3f2a1b0");
        assert.throws(() => webAclNameFromArn("dp-public-edge-waf"), /web ACL ARN "dp-public-edge-waf": expected arn:aws:wafv2:/);
    });

    it("CloudWatch may use the stack key to publish to the encrypted topic, from this account only", () => {
        const s = alarmPublishKeyStatement(ACCOUNT);
        assert.deepStrictEqual([s.Principal, s.Action, s.Condition], [{ Service: "cloudwatch.amazonaws.com" }, ["kms:Decrypt", "kms:GenerateDataKey*"], { StringEquals: { "aws:SourceAccount": ACCOUNT } }]);
    });
});
