import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { HeadObjectCommand, NotFound, S3Client } from "@aws-sdk/client-s3";
import { handler, requestOf, run as runHandler, startPendingRecord, type Clients } from "../components/cp-scaler/handler";
import { fromEnvironment, toEnvironment, type ScalerEnvironment } from "../components/cp-scaler/contract";
import { DEFAULT_SETTINGS, type ScalerState } from "../components/cp-scaler/decision";

// The Lambda against mocked AWS clients: what it asks AWS, what it changes, what it returns.

const CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/kong-dev";
const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/kong-dev-dp/0123456789abcdef";
const ENV: ScalerEnvironment = {
    controlPlane: { cluster: CLUSTER, service: "kong-dev-cp" },
    dataPlanes: [{ cluster: CLUSTER, service: "kong-dev-dp-public" }],
    targetGroupArns: [TG],
    stateParameter: "/kong-dev/cp-scaler/state",
    metricNamespace: "KongHybrid/kong-dev",
    exportBucket: "kong-dev-config-export",
    exportKey: "kong/3.9.3/kong.yaml",
    settings: { ...DEFAULT_SETTINGS, desiredCount: 2 },
};
const NOW = Date.UTC(2026, 0, 5, 10, 0, 20);
const MIN = 60_000;

const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const cw = mockClient(CloudWatchClient);
const ssm = mockClient(SSMClient);
const s3 = mockClient(S3Client);
const clients = (): Clients => ({ ecs: new ECSClient({}), elb: new ElasticLoadBalancingV2Client({}), cloudwatch: new CloudWatchClient({}), ssm: new SSMClient({}), s3: new S3Client({}) });

interface World {
    state?: ScalerState;
    cp?: { desired: number; running: number };
    dp?: number;
    targets?: string[];
    writes?: [number, number][];
    refused?: [number, number][];
    exportAt?: number;
}

function world(w: World) {
    for (const m of [ecs, elb, cw, ssm, s3]) m.reset();
    if (w.state) ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(w.state) } });
    else ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "not found", $metadata: {} }));
    ssm.on(PutParameterCommand).resolves({ Version: 2 });
    const cp = w.cp ?? { desired: 0, running: 0 };
    ecs.on(DescribeServicesCommand).resolves({
        services: [
            { serviceName: "kong-dev-cp", desiredCount: cp.desired, runningCount: cp.running },
            { serviceName: "kong-dev-dp-public", desiredCount: w.dp ?? 1, runningCount: w.dp ?? 1 },
        ],
    });
    ecs.on(UpdateServiceCommand).resolves({});
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: (w.targets ?? ["healthy"]).map((s, i) => ({ Target: { Id: `10.0.0.${i}` }, TargetHealth: { State: s as any } })) });
    const series = (id: string, points: [number, number][] = []) => ({ Id: id, Timestamps: points.map(([t]) => new Date(t)), Values: points.map(([, v]) => v) });
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [series("writes", w.writes), series("refused", w.refused)] });
    if (w.exportAt === undefined) s3.on(HeadObjectCommand).rejects(new NotFound({ message: "Not Found", $metadata: { httpStatusCode: 404 } }));
    else s3.on(HeadObjectCommand).resolves({ LastModified: new Date(w.exportAt) });
}

const tick = { source: "aws.events", "detail-type": "Scheduled Event", detail: {} };
const taskRunning = { source: "aws.ecs", "detail-type": "ECS Task State Change", detail: { group: "service:kong-dev-dp-public", lastStatus: "RUNNING" } };
const savedState = () => JSON.parse(ssm.commandCalls(PutParameterCommand)[0].args[0].input.Value!);
const updates = () => ecs.commandCalls(UpdateServiceCommand).map(c => c.args[0].input);

// The EMF lines the handler would print, collected instead.
let stdout: string[] = [];
const emit = (line: string) => void stdout.push(line);
const run = (event: unknown, env: ScalerEnvironment, c: Clients, now: number) => (stdout = [], runHandler(event, env, c, now, emit));

describe("CP scaler handler", () => {
    it("first tick ever, CP stopped, nothing happening: no change, state saved", async () => {
        world({ exportAt: NOW - 10 * MIN });
        const r = await run(tick, ENV, clients(), NOW);
        assert.deepStrictEqual([r.action, r.reason], ["none", "CP asleep, no trigger"]);
        assert.deepStrictEqual(updates(), []);
        assert.deepStrictEqual(savedState(), r.state);
        assert.deepStrictEqual(ssm.commandCalls(PutParameterCommand)[0].args[0].input, { Name: ENV.stateParameter, Value: JSON.stringify(r.state), Overwrite: true });
    });

    it("asks each AWS API exactly for the configured resources", async () => {
        world({ exportAt: NOW - 10 * MIN });
        await run(tick, ENV, clients(), NOW);
        assert.deepStrictEqual(ecs.commandCalls(DescribeServicesCommand).map(c => c.args[0].input), [{ cluster: CLUSTER, services: ["kong-dev-cp", "kong-dev-dp-public"] }]);
        assert.deepStrictEqual(elb.commandCalls(DescribeTargetHealthCommand).map(c => c.args[0].input), [{ TargetGroupArn: TG }]);
        assert.deepStrictEqual(s3.commandCalls(HeadObjectCommand).map(c => c.args[0].input), [{ Bucket: ENV.exportBucket, Key: ENV.exportKey }]);
        assert.deepStrictEqual(ssm.commandCalls(GetParameterCommand).map(c => c.args[0].input), [{ Name: ENV.stateParameter }]);
        const q = cw.commandCalls(GetMetricDataCommand)[0].args[0].input;
        // 15 whole minutes ending at the next minute boundary, 1-minute sums; a sleeping CP reads the refused admin calls only.
        assert.strictEqual(q.EndTime!.toISOString(), "2026-01-05T10:01:00.000Z");
        assert.strictEqual(q.StartTime!.toISOString(), "2026-01-05T09:46:00.000Z");
        assert.deepStrictEqual(q.MetricDataQueries!.map(m => [m.Id, m.MetricStat!.Metric!.Namespace, m.MetricStat!.Metric!.MetricName, m.MetricStat!.Period, m.MetricStat!.Stat]), [
            ["refused", "KongHybrid/kong-dev", "AdminRequestsRefused", 60, "Sum"],
        ]);
    });

    // GetMetricData bills each metric a tick: only those that can change the decision in this state.
    const reads: [string, object, string[]][] = [
        ["CP running: admin writes (triggers, export freshness)", { cp: "running", startedAt: NOW - 60 * MIN }, ["writes"]],
        ["CP asleep: refused admin calls (wake)", { cp: "stopped" }, ["refused"]],
        ["CP stopped 14 min ago: both (a write before the stop reaches its metric late)", { cp: "stopped", stoppedAt: NOW - 14 * MIN }, ["writes", "refused"]],
        ["CP stopped 15 min ago: refused only", { cp: "stopped", stoppedAt: NOW - 15 * MIN }, ["refused"]],
    ];
    for (const [what, state, ids] of reads) {
        it(`reads ${ids.join(" and ")}: ${what}`, async () => {
            world({ state: state as any, cp: { desired: (state as any).cp === "running" ? 1 : 0, running: (state as any).cp === "running" ? 1 : 0 }, exportAt: NOW - MIN });
            await run(tick, ENV, clients(), NOW);
            assert.deepStrictEqual(cw.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!.map(m => m.Id), ids);
        });
    }

    it("a write logged before the stop that reaches its metric after it starts the CP again (the export may lack it)", async () => {
        const stoppedAt = NOW - 3 * MIN;
        world({ state: { cp: "stopped", stoppedAt, lastAdminWriteAt: stoppedAt - 20 * MIN, dpDesired: 1 }, writes: [[stoppedAt - 2 * MIN, 1]], exportAt: stoppedAt - MIN });
        const r = await run(tick, ENV, clients(), NOW);
        assert.deepStrictEqual([r.action, r.reason], ["start", "start: admin write"]);
        assert.strictEqual(savedState().stoppedAt, undefined, "a start clears the stop time");
    });

    it("a DP scale-up (new task RUNNING event) starts the CP at the configured desired count", async () => {
        world({ state: { cp: "stopped", dpDesired: 1 }, dp: 2, targets: ["healthy", "initial"], exportAt: NOW - 60 * MIN });
        const r = await run(taskRunning, ENV, clients(), NOW);
        assert.strictEqual(r.action, "start");
        assert.strictEqual(r.reason, "start: DP scale-up 1→2");
        assert.deepStrictEqual(updates(), [{ cluster: CLUSTER, service: "kong-dev-cp", desiredCount: 2 }]);
        assert.strictEqual(savedState().cp, "running");
        assert.strictEqual(savedState().startedAt, NOW);
    });

    it("an admin request refused by a DP (/kong-admin 5xx) wakes the CP; the minute's end is recorded", async () => {
        const minuteStart = Date.UTC(2026, 0, 5, 9, 58);
        world({ state: { cp: "stopped", dpDesired: 1 }, refused: [[minuteStart, 3], [minuteStart - MIN, 0]], exportAt: NOW - 60 * MIN });
        const r = await run(tick, ENV, clients(), NOW);
        assert.strictEqual(r.action, "start");
        assert.match(r.reason, /admin request refused/);
        assert.strictEqual(savedState().lastAdminRefusedAt, minuteStart + MIN);
    });

    it("an unhealthy DP target wakes the CP", async () => {
        world({ state: { cp: "stopped", dpDesired: 1 }, targets: ["unhealthy"], exportAt: NOW - 60 * MIN });
        const r = await run(tick, ENV, clients(), NOW);
        assert.strictEqual(r.action, "start");
        assert.deepStrictEqual(updates(), [{ cluster: CLUSTER, service: "kong-dev-cp", desiredCount: 2 }]);
    });

    it("explicit wake and sleep; sleep stops a safe CP at once, desired 0", async () => {
        world({ state: { cp: "stopped", dpDesired: 1 }, exportAt: NOW - 60 * MIN });
        assert.strictEqual((await run({ action: "wake" }, ENV, clients(), NOW)).action, "start");
        world({ state: { cp: "running", startedAt: NOW - 2 * MIN, holdUntil: NOW + 33 * MIN, dpDesired: 1 }, cp: { desired: 2, running: 2 }, exportAt: NOW - MIN });
        const r = await run({ action: "sleep" }, ENV, clients(), NOW);
        assert.strictEqual(r.action, "stop");
        assert.deepStrictEqual(updates(), [{ cluster: CLUSTER, service: "kong-dev-cp", desiredCount: 0 }]);
    });

    it("after the cooldown it stays up while the export is older than the last admin write", async () => {
        const writeMinute = NOW - 5 * MIN;
        world({ state: { cp: "running", startedAt: NOW - 60 * MIN, holdUntil: NOW - 10 * MIN, dpDesired: 1, lastAdminWriteAt: writeMinute }, cp: { desired: 1, running: 1 }, writes: [[writeMinute - MIN, 2]], exportAt: writeMinute - 2 * MIN });
        const r = await run(tick, ENV, clients(), NOW);
        assert.strictEqual(r.action, "none");
        assert.match(r.reason, /^stay up: export .* not newer than the last admin write/);
        assert.deepStrictEqual(updates(), []);
    });

    it("no export object yet (404) keeps the CP up; a 403 is an error, not 'no export'", async () => {
        world({ state: { cp: "running", startedAt: NOW - 60 * MIN, holdUntil: NOW - 10 * MIN, dpDesired: 1 }, cp: { desired: 1, running: 1 } });
        assert.match((await run(tick, ENV, clients(), NOW)).reason, /no configuration export yet/);
        s3.on(HeadObjectCommand).rejects(Object.assign(new Error("Forbidden"), { name: "Forbidden", $metadata: { httpStatusCode: 403 } }));
        await assert.rejects(run(tick, ENV, clients(), NOW), /Forbidden/);
    });

    it("status reads the state only and reports the last decision", async () => {
        const state: ScalerState = { cp: "running", startedAt: NOW - MIN, last: { at: NOW - MIN, action: "start", reason: "start: explicit wake" } };
        world({ state });
        const r = await run({ action: "status" }, ENV, clients(), NOW);
        assert.deepStrictEqual(r, { state, action: "start", reason: "start: explicit wake" });
        assert.strictEqual(ecs.calls().length + elb.calls().length + cw.calls().length + s3.calls().length, 0);
        assert.strictEqual(ssm.commandCalls(PutParameterCommand).length, 0);
    });

    it("a state parameter holding garbage is replaced by the initial state, not a crash", async () => {
        world({ exportAt: NOW - MIN });
        ssm.on(GetParameterCommand).resolves({ Parameter: { Value: "{not json" } });
        const warn = console.warn;
        console.warn = () => undefined;
        try {
            assert.strictEqual((await run(tick, ENV, clients(), NOW)).state.cp, "stopped");
        } finally {
            console.warn = warn;
        }
    });

    it("a failed UpdateService is not recorded as done (the next tick retries)", async () => {
        world({ state: { cp: "stopped", dpDesired: 1 }, exportAt: NOW - MIN });
        ecs.on(UpdateServiceCommand).rejects(new Error("ThrottlingException"));
        await assert.rejects(run({ action: "wake" }, ENV, clients(), NOW), /Throttling/);
        assert.strictEqual(ssm.commandCalls(PutParameterCommand).length, 0);
    });

    it("logs one record per tick; it carries the EMF metric (seconds a start has waited for a running CP task) only while a start is pending", async () => {
        world({ state: { cp: "running", startedAt: NOW - 6 * MIN, holdUntil: NOW + 29 * MIN, dpDesired: 1 }, cp: { desired: 2, running: 0 }, exportAt: NOW - MIN });
        await run(tick, ENV, clients(), NOW);
        const records = stdout.map(l => JSON.parse(l));
        assert.strictEqual(records.length, 1);
        assert.deepStrictEqual(records[0]._aws, {
            Timestamp: NOW,
            CloudWatchMetrics: [{ Namespace: "KongHybrid/kong-dev", Dimensions: [["ControlPlaneService"]], Metrics: [{ Name: "CpStartPendingSeconds", Unit: "Seconds" }] }],
        });
        assert.strictEqual(records[0].ControlPlaneService, "kong-dev-cp");
        assert.strictEqual(records[0].CpStartPendingSeconds, 360);
        assert.ok(!stdout[0].includes("\n"), "one line");
        // Nothing pending: the decision is still logged, but without the EMF block no metric is published (none billed).
        const idle = JSON.parse(startPendingRecord("n", "s", 0, NOW, { state: { cp: "stopped" }, action: "none", reason: "r" }));
        assert.deepStrictEqual(idle, { ControlPlaneService: "s", CpStartPendingSeconds: 0, action: "none", reason: "r" });
    });

    it("rejects an unknown invocation with one clear line", () => {
        assert.throws(() => requestOf({ action: "reboot" }), /^Error: cp-scaler: action "reboot" is not allowed; expected "wake", "sleep" or "status"$/);
        assert.throws(() => requestOf({ foo: 1 }), /unsupported event \{"foo":1\}/);
    });

    it("the exported handler reads its configuration from the environment the component writes", async () => {
        world({ exportAt: NOW - MIN });
        const saved = { ...process.env };
        Object.assign(process.env, toEnvironment(ENV));
        try {
            assert.deepStrictEqual(fromEnvironment(process.env), ENV);
            const r = await handler({ action: "status" }); // status prints nothing
            assert.strictEqual(r.reason, "no decision yet");
            delete process.env.STATE_PARAMETER;
            await assert.rejects(handler({ action: "status" }), /environment variable STATE_PARAMETER is not set/);
        } finally {
            process.env = saved;
        }
    });
});
