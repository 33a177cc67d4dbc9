import * as assert from "assert";
import { byType, type PlannedResource, type ProgramRun } from "../offline/harness";
import { ConfigError, parseConfig } from "../stacks/config";
import { cpHoursOptions, BUSINESS_WEEK_TRACE } from "../tools/estimate/cp-hours";
import { estimateCost } from "../tools/estimate/cost";
import { formatEstimate } from "../tools/estimate";
import { previewJson } from "../tools/plan";
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
