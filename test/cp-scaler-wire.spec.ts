import { strict as assert } from "assert";
import { byType, stackConfig, type PlannedResource, type ProgramRun } from "../offline/harness";
import { fromEnvironment, METRICS, START_PENDING_DIMENSION } from "../components/cp-scaler/contract";
import { ADMIN_REFUSED_PATTERN, ADMIN_WRITES_PATTERN } from "../components/cp-scaler";
import { parseConfig } from "../stacks/config";
import { planFull } from "./support/dp-plans";

// kong-hybrid:cpScaleToZero wired into the stack (stacks/cp-scaler.ts): what the Lambda reads
// from its environment, the metric filters on the real log groups, the grants on the real ARNs,
// and the CP task's export sidecars, on the dev plan (on) and the prod plan (off).

const named = (run: ProgramRun, type: string, name: string): PlannedResource => {
    const found = byType(run, type).filter(r => r.name === name);
    assert.equal(found.length, 1, `one ${type} named ${name}`);
    return found[0];
};

describe("the CP scale-to-zero controller in the stack (dev on, prod off)", function () {
    this.timeout(120_000);

    it("dev: the Lambda's environment names the CP and DP services, the DP target group, the export object and the stack's timings", async () => {
        const run = await planFull("dev");
        const fn = named(run, "aws:lambda/function:Function", "kong-dev-cp-scaler-function");
        const env = fromEnvironment(fn.inputs.environment.variables);
        const cp = named(run, "aws:ecs/service:Service", "kong-dev-cp-service");
        const dp = named(run, "aws:ecs/service:Service", "dp-public-service");
        const bucket = named(run, "aws:s3/bucket:Bucket", "kong-dev-config-export-bucket");
        assert.deepEqual(env.controlPlane, { cluster: run.outputs.ecsClusterArn, service: cp.outputs.name });
        assert.deepEqual(env.dataPlanes, [{ cluster: run.outputs.ecsClusterArn, service: dp.outputs.name }]);
        assert.deepEqual(env.targetGroupArns, dp.inputs.loadBalancers.map((l: any) => l.targetGroupArn));
        assert.equal(env.exportBucket, bucket.outputs.bucket);
        assert.equal(env.exportKey, "kong/3.9.3/kong.yaml");
        assert.deepEqual(env.settings, parseConfig(stackConfig("dev"), "dev").controlPlane.scaleToZero);
        assert.equal(run.outputs.cpScalerFunctionName, fn.inputs.name);
    });

    it("dev: one alarm when a start has not produced a running CP within startTimeoutMinutes, on the controller's metric, notifying the stack's topic", async () => {
        const run = await planFull("dev");
        const fn = named(run, "aws:lambda/function:Function", "kong-dev-cp-scaler-function");
        const env = fromEnvironment(fn.inputs.environment.variables);
        const watching = byType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(a => a.inputs.metricName === METRICS.startPending);
        assert.deepEqual(watching.map(a => a.inputs.name), ["kong-dev-cp-not-running-while-awake"], "exactly one alarm on the start-pending metric");
        const i = watching[0].inputs;
        const topic = named(run, "aws:sns/topic:Topic", "kong-dev-watch-alarms");
        const startTimeoutMinutes = parseConfig(stackConfig("dev"), "dev").controlPlane.scaleToZero!.startTimeoutMinutes;
        assert.deepEqual(
            [i.namespace, i.dimensions, i.statistic, i.period, i.evaluationPeriods, i.threshold, i.comparisonOperator, i.treatMissingData, i.alarmActions],
            // The namespace the Lambda publishes to, the CP service it names: the alarm watches what the controller writes.
            [env.metricNamespace, { [START_PENDING_DIMENSION]: env.controlPlane.service }, "Maximum", 60, 1, startTimeoutMinutes * 60, "GreaterThanOrEqualToThreshold", "notBreaching", [topic.outputs.arn]],
        );
        assert.equal(startTimeoutMinutes * 60, 300, "dev keeps the 5-minute start timeout");
    });

    it("dev: admin writes are counted on the CP's kong log group, refused admin requests on the DP group's", async () => {
        const run = await planFull("dev");
        const filters = byType(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter").map(f => [f.inputs.logGroupName, f.inputs.pattern]);
        assert.deepEqual(filters.sort(), [
            [named(run, "aws:cloudwatch/logGroup:LogGroup", "kong-dev-cp-kong-logs").outputs.name, ADMIN_WRITES_PATTERN],
            [named(run, "aws:cloudwatch/logGroup:LogGroup", "dp-public-logs").outputs.name, ADMIN_REFUSED_PATTERN],
        ].sort());
    });

    it("dev: the controller may scale only the CP service, and read only the export object's age", async () => {
        const run = await planFull("dev");
        const policy = JSON.parse(named(run, "aws:iam/rolePolicy:RolePolicy", "kong-dev-cp-scaler-policy").inputs.policy);
        const bySid = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s]));
        assert.equal(bySid.ScaleControlPlane.Resource, named(run, "aws:ecs/service:Service", "kong-dev-cp-service").outputs.arn);
        const bucket = named(run, "aws:s3/bucket:Bucket", "kong-dev-config-export-bucket").outputs.arn;
        assert.equal(bySid.ExportTime.Resource, `${bucket}/kong/3.9.3/kong.yaml`);
        assert.deepEqual(policy.Statement.filter((s: any) => [s.Resource].flat().includes("*")).map((s: any) => s.Action),
            [["elasticloadbalancing:DescribeTargetHealth", "cloudwatch:GetMetricData"]]);
    });

    it("dev: the CP task's exporter has the CP's database settings and no listener; the uploader writes the export with the stack key", async () => {
        const run = await planFull("dev");
        const cs: any[] = JSON.parse(named(run, "aws:ecs/taskDefinition:TaskDefinition", "kong-dev-cp-task").inputs.containerDefinitions);
        const kong = cs.find(c => c.name === "kong");
        const exporter = cs.find(c => c.name === "config-export");
        const uploader = cs.find(c => c.name === "config-upload");
        const envOf = (c: any) => Object.fromEntries(c.environment.map((e: any) => [e.name, e.value]));
        const kongEnv = envOf(kong);
        const pg = Object.keys(kongEnv).filter(n => n === "KONG_DATABASE" || n.startsWith("KONG_PG_"));
        assert.ok(pg.length >= 5, pg.join(","));
        for (const n of pg) assert.equal(envOf(exporter)[n], kongEnv[n], n);
        assert.deepEqual(exporter.secrets, kong.secrets.filter((s: any) => s.name.startsWith("KONG_PG_")));
        assert.equal(envOf(exporter).KONG_ANONYMOUS_REPORTS, "off");
        assert.equal(envOf(exporter).KONG_ADMIN_LISTEN, "off");
        assert.equal(exporter.image, kong.image, "the export is made by the CP's own Kong");
        const bucket = named(run, "aws:s3/bucket:Bucket", "kong-dev-config-export-bucket").outputs.bucket;
        assert.match(uploader.command[0], new RegExp(`aws s3 cp "\\$dir/kong.yaml" s3://${bucket}/kong/3\\.9\\.3/kong\\.yaml --sse aws:kms --sse-kms-key-id ${run.outputs.kmsKeyArn}`));
        assert.deepEqual(JSON.parse(JSON.stringify(named(run, "aws:ecs/taskDefinition:TaskDefinition", "kong-dev-cp-task").inputs.volumes)), [{ name: "config-export" }]);
    });

    it("prod: no controller, no export bucket, no export sidecar", async () => {
        const run = await planFull("prod");
        assert.deepEqual(run.resources.filter(r => r.type.startsWith("kong:cpScaler:") || r.type.startsWith("aws:lambda/")).map(r => r.name), []);
        const cs: any[] = JSON.parse(named(run, "aws:ecs/taskDefinition:TaskDefinition", "kong-prod-cp-task").inputs.containerDefinitions);
        assert.deepEqual(cs.map(c => c.name), ["migrations", "kong", "admin-bootstrap"]);
        assert.equal(run.outputs.cpScalerFunctionName, undefined);
    });
});
