import * as assert from "assert";
import { byType, type PlannedResource, type ProgramRun } from "../offline/harness";
import { ConfigError, parseConfig } from "../stacks/config";
import { cpHoursOptions, BUSINESS_WEEK_TRACE } from "../tools/estimate/cp-hours";
import { estimateCost } from "../tools/estimate/cost";
import { formatEstimate } from "../tools/estimate";
import { previewJson } from "../tools/plan";
import { planStack } from "../offline/harness";
import { dashboardProblems } from "../components/observability";
import { configProblems, plan } from "./support";

// The stack's watch as AWS receives it: the key policy JSON that lets CloudWatch publish to the
// encrypted topic, the alarms' dimensions pointing at the resources the stack built, the topic's
// subscriptions from kong-hybrid:alarmSubscriptions; and the CPU every task definition asks for.

const one = (run: ProgramRun, type: string, name: string): PlannedResource => {
    const r = byType(run, type).find(x => x.name === name);
    assert.ok(r, `${run.stack} plans ${type} ${name}`);
    return r;
};
const alarm = (run: ProgramRun, key: string) => one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", `kong-${run.stack}-watch-${key}`).inputs;

describe("the stack's watch (observability wired into stacks/)", () => {
    let runs: Record<"dev" | "prod", ProgramRun>;
    before(async function () {
        this.timeout(120_000);
        runs = { dev: await plan("dev"), prod: await plan("prod") };
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: the stack key's policy (the JSON KMS receives) lets CloudWatch in this account use it for the encrypted alarm topic`, () => {
            const run = runs[stack];
            const key = byType(run, "aws:kms/key:Key")[0];
            const policy = JSON.parse(key.inputs.policy);
            const statement = policy.Statement.find((s: any) => s.Principal?.Service === "cloudwatch.amazonaws.com");
            assert.deepStrictEqual(statement, {
                Sid: "CloudWatchAlarmsPublishToEncryptedTopic", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
            });
            const topic = one(run, "aws:sns/topic:Topic", `kong-${stack}-watch-alarms`);
            assert.strictEqual(topic.inputs.kmsMasterKeyId, run.outputs.kmsKeyArn);
            assert.strictEqual(run.outputs.alarmTopicArn, topic.outputs.arn);
        });

        it(`${stack}: the alarms name the DP service, its target group, Aurora, the edge certificate and the web ACL the stack built`, () => {
            const run = runs[stack];
            const service = one(run, "aws:ecs/service:Service", "dp-public-service");
            const tg = byType(run, "aws:lb/targetGroup:TargetGroup").find(t => t.name.startsWith("dp-public-edge"))!;
            const lb = byType(run, "aws:lb/loadBalancer:LoadBalancer").find(l => l.name === "dp-public-edge-alb")!;
            const cluster = byType(run, "aws:ecs/cluster:Cluster")[0];
            const db = one(run, "aws:rds/cluster:Cluster", `kong-${stack}-cp-db`);
            const acl = byType(run, "aws:wafv2/webAcl:WebAcl")[0];
            const unhealthy = alarm(run, "dp-public-unhealthy-targets");
            assert.deepStrictEqual(unhealthy.dimensions, { LoadBalancer: lb.outputs.arnSuffix, TargetGroup: tg.outputs.arnSuffix });
            const rate = alarm(run, "dp-public-5xx-rate");
            assert.deepStrictEqual(rate.metricQueries.filter((q: any) => q.metric).map((q: any) => q.metric.dimensions), [
                { LoadBalancer: lb.outputs.arnSuffix, TargetGroup: tg.outputs.arnSuffix }, { LoadBalancer: lb.outputs.arnSuffix, TargetGroup: tg.outputs.arnSuffix },
            ]);
            // The 5xx the ALB answers itself (no healthy task, resets, timeouts) are the load balancer's, not the target group's.
            assert.deepStrictEqual(alarm(run, "dp-public-edge-elb-5xx-rate").metricQueries.filter((q: any) => q.metric).map((q: any) => [q.metric.metricName, q.metric.dimensions]), [
                ["HTTPCode_ELB_5XX_Count", { LoadBalancer: lb.outputs.arnSuffix }], ["RequestCount", { LoadBalancer: lb.outputs.arnSuffix }],
            ]);
            assert.deepStrictEqual(alarm(run, "db-at-max-acu").dimensions, { DBClusterIdentifier: db.id });
            assert.strictEqual(alarm(run, "db-at-max-acu").threshold, stack === "dev" ? 2 : 8);
            assert.deepStrictEqual(alarm(run, "edge-cert-expiry").dimensions, { CertificateArn: run.resources.find(r => r.type === "aws:acm/certificate:Certificate")!.outputs.arn });
            // dev runs without a WAF (waf: false): no web ACL, so no WAF alarm.
            if (stack === "prod") assert.deepStrictEqual(alarm(run, "waf-blocks-spiking").dimensions, { WebACL: acl.outputs.arn.split("/")[2], Region: "eu-west-1", Rule: "ALL" });
            else assert.deepStrictEqual([acl, byType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(a => a.name.includes("waf"))], [undefined, []]);
            // Container Insights: one rule for the cluster setting and the alarms.
            const insights = cluster.inputs.settings.find((s: any) => s.name === "containerInsights").value;
            const below = alarm(run, "dp-public-tasks-below-minimum");
            if (stack === "prod") {
                assert.strictEqual(insights, "enabled");
                assert.deepStrictEqual([below.namespace, below.metricName, below.dimensions], ["ECS/ContainerInsights", "RunningTaskCount", { ClusterName: cluster.outputs.name, ServiceName: service.outputs.name }]);
                assert.strictEqual(below.threshold, 3);
                assert.deepStrictEqual(alarm(run, "cp-not-running").dimensions, { ClusterName: cluster.outputs.name, ServiceName: one(run, "aws:ecs/service:Service", "kong-prod-cp-service").outputs.name });
            } else {
                assert.strictEqual(insights, "disabled");
                assert.deepStrictEqual([below.namespace, below.metricName], ["AWS/ApplicationELB", "HealthyHostCount"]);
            }
        });

        it(`${stack}: every task definition runs on ARM64 (Graviton), the cpuArchitecture default`, () => {
            const tds = byType(runs[stack], "aws:ecs/taskDefinition:TaskDefinition");
            assert.ok(tds.length >= 2);
            for (const td of tds) assert.deepStrictEqual(td.inputs.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" }, td.name);
        });
    }

    it("the topic's subscriptions are kong-hybrid:alarmSubscriptions: prod mails the on-call list, dev has none", () => {
        const subs = (run: ProgramRun) => byType(run, "aws:sns/topicSubscription:TopicSubscription").map(s => [s.inputs.protocol, s.inputs.endpoint, s.inputs.topic]);
        assert.deepStrictEqual(subs(runs.prod), [["email", "kong-oncall@example.com", runs.prod.outputs.alarmTopicArn]]);
        assert.deepStrictEqual(subs(runs.dev), []);
    });
});

describe("Pulumi.eks.yaml: the watch of a stack whose Control Plane runs on EKS", () => {
    const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
    let run: ProgramRun;
    before(async function () {
        this.timeout(120_000);
        run = await plan("eks");
    });
    // What each alarm reads, as PutMetricAlarm receives it: [namespace, metric, dimensions] (the 5xx rate: its inputs').
    const reads = (a: PlannedResource): [string, string, Record<string, string>][] => a.inputs.metricQueries
        ? a.inputs.metricQueries.filter((q: any) => q.metric).map((q: any) => [q.metric.namespace, q.metric.metricName, q.metric.dimensions])
        : [[a.inputs.namespace, a.inputs.metricName, a.inputs.dimensions]];

    it("one topic encrypted with the stack key; the outputs alarmTopicArn and dashboardName name it and the dashboard", () => {
        const topic = one(run, "aws:sns/topic:Topic", "kong-eks-watch-alarms");
        assert.strictEqual(byType(run, "aws:sns/topic:Topic").length, 1);
        assert.strictEqual(topic.inputs.kmsMasterKeyId, run.outputs.kmsKeyArn);
        assert.strictEqual(run.outputs.alarmTopicArn, topic.outputs.arn);
        assert.strictEqual(run.outputs.dashboardName, one(run, "aws:cloudwatch/dashboard:Dashboard", "kong-eks-watch-dashboard").outputs.dashboardName);
        assert.strictEqual(run.outputs.dashboardName, "kong-eks");
        for (const a of byType(run, ALARM)) assert.deepStrictEqual([a.inputs.alarmActions, a.inputs.okActions], [[topic.outputs.arn], [topic.outputs.arn]], a.inputs.name);
    });

    it("each alarm names what the stack built: the group's target group on the shared ALB, Aurora, the edge certificate, the web ACL; the CP through its Aurora connections", () => {
        const alb = one(run, "aws:lb/loadBalancer:LoadBalancer", "dp-public-edge-alb").outputs.arnSuffix;
        const tg = { LoadBalancer: alb, TargetGroup: one(run, "aws:lb/targetGroup:TargetGroup", "dp-public-edge-tg").outputs.arnSuffix };
        const db = one(run, "aws:rds/cluster:Cluster", "kong-eks-cp-db").id!;
        const cert = byType(run, "aws:acm/certificate:Certificate")[0].outputs.arn;
        const acl = byType(run, "aws:wafv2/webAcl:WebAcl")[0].outputs.arn.split("/")[2];
        const expected: Record<string, { reads: [string, string, Record<string, string>][]; op: string; threshold: number; missing: string }> = {
            "dp-public-5xx-rate": { reads: [["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg], ["AWS/ApplicationELB", "RequestCount", tg]], op: "GreaterThanThreshold", threshold: 5, missing: "notBreaching" },
            "dp-public-unhealthy-targets": { reads: [["AWS/ApplicationELB", "UnHealthyHostCount", tg]], op: "GreaterThanThreshold", threshold: 0, missing: "notBreaching" },
            "dp-public-edge-elb-5xx-rate": { reads: [["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", { LoadBalancer: alb }], ["AWS/ApplicationELB", "RequestCount", { LoadBalancer: alb }]], op: "GreaterThanThreshold", threshold: 5, missing: "notBreaching" },
            // The HPA's minReplicas (minCount 2): its pods are the target group's IP targets.
            "dp-public-pods-below-minimum": { reads: [["AWS/ApplicationELB", "HealthyHostCount", tg]], op: "LessThanThreshold", threshold: 2, missing: "breaching" },
            // No ECS service: no CP connection to Aurora (its only client) is no CP running.
            "cp-not-running": { reads: [["AWS/RDS", "DatabaseConnections", { DBClusterIdentifier: db, Role: "WRITER" }]], op: "LessThanThreshold", threshold: 1, missing: "breaching" },
            "db-at-max-acu": { reads: [["AWS/RDS", "ServerlessDatabaseCapacity", { DBClusterIdentifier: db }]], op: "GreaterThanOrEqualToThreshold", threshold: 2, missing: "notBreaching" },
            "edge-cert-expiry": { reads: [["AWS/CertificateManager", "DaysToExpiry", { CertificateArn: cert }]], op: "LessThanOrEqualToThreshold", threshold: 30, missing: "missing" },
            "waf-blocks-spiking": { reads: [["AWS/WAFV2", "BlockedRequests", { WebACL: acl, Region: "eu-west-1", Rule: "ALL" }]], op: "GreaterThanThreshold", threshold: 500, missing: "notBreaching" },
        };
        assert.deepStrictEqual(byType(run, ALARM).map(a => a.inputs.name).sort(), Object.keys(expected).map(k => `kong-eks-${k}`).sort(), "exactly these alarms, none on ECS");
        for (const [key, e] of Object.entries(expected)) {
            const a = one(run, ALARM, `kong-eks-watch-${key}`);
            assert.deepStrictEqual(reads(a), e.reads, key);
            assert.deepStrictEqual([a.inputs.comparisonOperator, a.inputs.threshold, a.inputs.treatMissingData], [e.op, e.threshold, e.missing], key);
        }
    });

    it("the CP alarm's premise holds: only the CP pods' security group reaches Aurora", () => {
        const sgName = (id: string) => byType(run, "aws:ec2/securityGroup:SecurityGroup").find(g => g.id === id)?.name ?? id;
        const dbSg = one(run, "aws:ec2/securityGroup:SecurityGroup", "kong-eks-cp-db-sg").id;
        const into = byType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(r => r.inputs.securityGroupId === dbSg)
            .map(r => `${r.inputs.referencedSecurityGroupId ? sgName(r.inputs.referencedSecurityGroupId) : r.inputs.cidrIpv4} tcp/${r.inputs.fromPort}`);
        assert.deepStrictEqual(into, ["kong-eks-cp-pods tcp/5432"]);
        assert.strictEqual(byType(run, "aws:rds/clusterInstance:ClusterInstance").length, 1, "one writer: the WRITER role is the instance the CP connects to");
    });

    it("the dashboard body, as CloudWatch reads it: every alarm, the CP's Aurora connections, nothing from ECS", () => {
        const dash = one(run, "aws:cloudwatch/dashboard:Dashboard", "kong-eks-watch-dashboard");
        assert.strictEqual(typeof dash.inputs.dashboardBody, "string", "PutDashboard receives a string");
        assert.deepStrictEqual(dashboardProblems(dash.inputs.dashboardBody), []);
        const body = JSON.parse(dash.inputs.dashboardBody);
        const alarms = byType(run, ALARM);
        assert.deepStrictEqual([...body.widgets.find((w: any) => w.type === "alarm").properties.alarms].sort(), alarms.map(a => a.outputs.arn).sort());
        for (const a of alarms) assert.ok(body.widgets.some((w: any) => w.properties.title === a.inputs.name), `a widget for ${a.inputs.name}`);
        const cp = body.widgets.filter((w: any) => /^Control Plane/.test(w.properties.title));
        assert.deepStrictEqual(cp.map((w: any) => [w.properties.title, w.properties.metrics]), [[
            "Control Plane (EKS): connections to Aurora, its only client",
            [["AWS/RDS", "DatabaseConnections", "DBClusterIdentifier", one(run, "aws:rds/cluster:Cluster", "kong-eks-cp-db").id, "Role", "WRITER", { stat: "Maximum" }]],
        ]]);
        assert.ok(!/ECS|ClusterName|CpStartPending/.test(dash.inputs.dashboardBody), "no ECS metric, no controller: the stack has neither");
    });

    it("the topic's subscriptions are kong-hybrid:alarmSubscriptions on this stack too", async function () {
        this.timeout(120_000);
        const withSubs = await planStack("eks", { "kong-hybrid:alarmSubscriptions": '[{"protocol":"https","endpoint":"https://hooks.example.com/kong"}]' });
        assert.deepStrictEqual(byType(withSubs, "aws:sns/topicSubscription:TopicSubscription").map(s => [s.inputs.protocol, s.inputs.endpoint, s.inputs.topic]),
            [["https", "https://hooks.example.com/kong", withSubs.outputs.alarmTopicArn]]);
        assert.deepStrictEqual(byType(run, "aws:sns/topicSubscription:TopicSubscription"), [], "Pulumi.eks.yaml names none");
    });
});

describe("kong-hybrid:alarmSubscriptions and cpuArchitecture", () => {
    const base = { "aws:region": "eu-west-1", "kong-hybrid:domain": "kong-gw.example.com", "kong-hybrid:adminAllowedCidrs": '["203.0.113.0/24"]' };
    const problems = (extra: Record<string, string>): string[] => configProblems({ ...base, ...extra });
    const cases: [string, Record<string, string>, string[]][] = [
        ["email and https", { "kong-hybrid:alarmSubscriptions": '[{"protocol":"email","endpoint":"ops@example.com"},{"protocol":"https","endpoint":"https://hooks.example.com/k"}]' }, []],
        ["an email that is not one", { "kong-hybrid:alarmSubscriptions": '[{"protocol":"email","endpoint":"ops"}]' },
            ['kong-hybrid:alarmSubscriptions[0].endpoint = "ops": not an email address']],
        ["a protocol SNS does not have, and an http URL for https", { "kong-hybrid:alarmSubscriptions": '[{"protocol":"slack","endpoint":"#ops"},{"protocol":"https","endpoint":"http://x.example.com"}]' },
            ['kong-hybrid:alarmSubscriptions[0].protocol = "slack": allowed: email, email-json, http, https, sqs, lambda, sms, firehose, application',
                'kong-hybrid:alarmSubscriptions[1].endpoint = "http://x.example.com": an https subscription needs an https:// URL']],
        ["an sqs subscription needs an ARN; a missing endpoint", { "kong-hybrid:alarmSubscriptions": '[{"protocol":"sqs","endpoint":"queue"},{"protocol":"email"}]' },
            ['kong-hybrid:alarmSubscriptions[0].endpoint = "queue": a sqs subscription needs an ARN',
                "kong-hybrid:alarmSubscriptions[1].endpoint = undefined: give the address to notify"]],
        ["a string instead of a mapping, and a misspelt field", { "kong-hybrid:alarmSubscriptions": '["ops@example.com",{"protocol":"email","endpoint":"a@example.com","endpiont":"b"}]' },
            ['kong-hybrid:alarmSubscriptions[0] = "ops@example.com": must be a mapping {protocol, endpoint}',
                "kong-hybrid:alarmSubscriptions[1]: unknown field endpiont; the fields are protocol and endpoint"]],
        ["a CPU Fargate does not run", { "kong-hybrid:cpuArchitecture": "arm64" }, ['kong-hybrid:cpuArchitecture = "arm64": must be one of ARM64, X86_64']],
    ];
    for (const [name, extra, expected] of cases) it(name, () => assert.deepStrictEqual(problems(extra), expected));

    it("X86_64 is still a choice, and reaches every task definition's runtimePlatform through the config", () => {
        assert.strictEqual(parseConfig({ ...base, "kong-hybrid:cpuArchitecture": "X86_64" }, "test").cpuArchitecture, "X86_64");
        assert.strictEqual(parseConfig(base, "test").cpuArchitecture, "ARM64");
    });
});

describe("the estimate's CP hours with the scale-to-zero controller", () => {
    it("off: the CP and Aurora run all month, and no assumption is added", () => {
        assert.deepStrictEqual(cpHoursOptions({ "kong-hybrid:domain": "x.example.com" }), {});
        assert.deepStrictEqual(cpHoursOptions({ "kong-hybrid:cpScaleToZero": "false" }), {});
    });

    it("on: the hours are the business-week trace replayed through the controller, stated in the estimate", async () => {
        const o = cpHoursOptions({ "kong-hybrid:cpScaleToZero": "true" });
        assert.ok(o.cpRunningHoursPerMonth! > 0 && o.cpRunningHoursPerMonth! < 730 / 2, `a business week sleeps most of the time: ${o.cpRunningHoursPerMonth} h`);
        assert.match(o.cpHoursSource!, new RegExp(`^CP and Aurora awake \\d+\\.\\d% of the time: ${BUSINESS_WEEK_TRACE.replace(/\./g, "\\.")} replayed through the scale-to-zero controller`));
        // A longer cooldown keeps the CP up longer: the hours follow the controller's settings.
        const longer = cpHoursOptions({ "kong-hybrid:cpScaleToZero": "true", "kong-hybrid:cpScaleToZeroCooldownMinutes": "240" });
        assert.ok(longer.cpRunningHoursPerMonth! > o.cpRunningHoursPerMonth!, `${longer.cpRunningHoursPerMonth} > ${o.cpRunningHoursPerMonth}`);
        const p = JSON.parse(JSON.stringify(previewJson(await plan("dev"))));
        const cost = estimateCost(p, o);
        assert.ok(cost.lines.some(l => l.item.startsWith("Fargate: Control Plane") && l.item.includes(`${o.cpRunningHoursPerMonth} h/month`)));
        assert.ok(formatEstimate(p, o).includes(`    assumes: ${o.cpHoursSource}`));
    });

    it("a bad controller key is one line naming it (not a stack trace)", () => {
        assert.throws(() => cpHoursOptions({ "kong-hybrid:cpScaleToZero": "yes" }), /^ScalerConfigError: kong-hybrid:cpScaleToZero: "yes" is not allowed; expected true or false$/m);
    });
});
