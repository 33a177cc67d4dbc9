// The controller Lambda (nodejs22.x, arm64, reserved concurrency 1, so ticks never overlap and
// the SSM state needs no conditional write). Each invocation observes, decides (decision.ts),
// acts on the CP service and saves the state. Invoked by:
//   - the schedule, every minute: { source: "aws.events", "detail-type": "Scheduled Event" }
//   - a DP task reaching RUNNING: { source: "aws.ecs", "detail-type": "ECS Task State Change" }
//   - an operator (`npm run cp`): { action: "wake" | "sleep" | "status" }
// It returns { state, action, reason }.

import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { decide, INITIAL_STATE, type Action, type Observation, type ScalerState } from "./decision";
import { fromEnvironment, METRIC_LOOKBACK_MINUTES, metricsToRead, METRICS, START_PENDING_DIMENSION, type ActivityMetric, type EcsServiceRef, type ScalerEnvironment } from "./contract";

export interface Clients {
    ecs: ECSClient;
    elb: ElasticLoadBalancingV2Client;
    cloudwatch: CloudWatchClient;
    ssm: SSMClient;
    s3: S3Client;
}

export interface Result {
    state: ScalerState;
    action: Action;
    reason: string;
}

export { METRIC_LOOKBACK_MINUTES, metricsToRead } from "./contract";
const MINUTE = 60_000;

type Request = { kind: "tick" } | { kind: "wake" | "sleep" | "status" };

/** What an invocation asks for. Anything else is one clear error. */
export function requestOf(event: unknown): Request {
    const e = (event ?? {}) as Record<string, unknown>;
    if ("action" in e) {
        if (e.action === "wake" || e.action === "sleep" || e.action === "status") return { kind: e.action };
        throw new Error(`cp-scaler: action ${JSON.stringify(e.action)} is not allowed; expected "wake", "sleep" or "status"`);
    }
    if (e.source === "aws.events" && e["detail-type"] === "Scheduled Event") return { kind: "tick" };
    if (e.source === "aws.ecs" && e["detail-type"] === "ECS Task State Change") return { kind: "tick" };
    throw new Error(`cp-scaler: unsupported event ${JSON.stringify(event).slice(0, 200)}; expected a schedule, an ECS Task State Change or {"action": "wake"|"sleep"|"status"}`);
}

async function readState(c: Clients, name: string): Promise<ScalerState> {
    try {
        const out = await c.ssm.send(new GetParameterCommand({ Name: name }));
        const parsed = JSON.parse(out.Parameter?.Value ?? "");
        if (parsed && (parsed.cp === "running" || parsed.cp === "stopped")) return parsed as ScalerState;
        console.warn(`cp-scaler: state parameter ${name} holds no valid state; starting from the initial state`);
    } catch (e: any) {
        if (e?.name === "ParameterNotFound") return { ...INITIAL_STATE };
        if (!(e instanceof SyntaxError)) throw e;
        console.warn(`cp-scaler: state parameter ${name} is not JSON; starting from the initial state`);
    }
    return { ...INITIAL_STATE };
}

async function describeServices(c: Clients, refs: EcsServiceRef[]) {
    const byCluster = new Map<string, string[]>();
    for (const r of refs) byCluster.set(r.cluster, [...(byCluster.get(r.cluster) ?? []), r.service]);
    const found = new Map<string, { desired: number; running: number }>();
    for (const [cluster, names] of byCluster) {
        // DescribeServices takes at most 10 services per call.
        for (let i = 0; i < names.length; i += 10) {
            const out = await c.ecs.send(new DescribeServicesCommand({ cluster, services: names.slice(i, i + 10) }));
            for (const s of out.services ?? []) found.set(`${cluster}|${s.serviceName}`, { desired: s.desiredCount ?? 0, running: s.runningCount ?? 0 });
        }
    }
    return refs.map(r => {
        const s = found.get(`${r.cluster}|${r.service}`);
        if (!s) throw new Error(`cp-scaler: ECS service ${r.service} not found in ${r.cluster}`);
        return s;
    });
}

async function targetHealth(c: Clients, targetGroupArns: string[]) {
    const counts = { healthy: 0, unhealthy: 0, other: 0 };
    for (const arn of targetGroupArns) {
        const out = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
        for (const t of out.TargetHealthDescriptions ?? []) {
            const state = t.TargetHealth?.State;
            if (state === "healthy") counts.healthy++;
            else if (state === "unhealthy") counts.unhealthy++;
            else counts.other++;
        }
    }
    return counts;
}

const QUERY_IDS: Record<ActivityMetric, string> = { [METRICS.adminWrites]: "writes", [METRICS.adminRefused]: "refused" };

/** End of the latest minute in which each metric read counted something, within the lookback. */
async function latestActivity(c: Clients, namespace: string, now: number, metrics: readonly ActivityMetric[]) {
    const end = Math.ceil(now / MINUTE) * MINUTE;
    const out = await c.cloudwatch.send(new GetMetricDataCommand({
        StartTime: new Date(end - METRIC_LOOKBACK_MINUTES * MINUTE),
        EndTime: new Date(end),
        ScanBy: "TimestampDescending",
        MetricDataQueries: metrics.map(metric => ({ Id: QUERY_IDS[metric], MetricStat: { Metric: { Namespace: namespace, MetricName: metric }, Period: 60, Stat: "Sum" } })),
    }));
    const latest = (metric: ActivityMetric) => {
        if (!metrics.includes(metric)) return undefined;
        const r = out.MetricDataResults?.find(m => m.Id === QUERY_IDS[metric]);
        const times = (r?.Timestamps ?? []).filter((_, i) => (r?.Values?.[i] ?? 0) > 0).map(t => t.getTime());
        return times.length > 0 ? Math.max(...times) + MINUTE : undefined;
    };
    return { lastAdminWriteAt: latest(METRICS.adminWrites), lastAdminRefusedAt: latest(METRICS.adminRefused) };
}

async function exportTime(c: Clients, bucket: string, key: string): Promise<number | undefined> {
    try {
        const out = await c.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return out.LastModified?.getTime();
    } catch (e: any) {
        // 404 needs s3:ListBucket; without it S3 answers 403, which must stay an error.
        if (e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404) return undefined;
        throw e;
    }
}

/** Seconds since the controller started the CP without a task running yet; 0 otherwise. */
export function startPendingSeconds(state: ScalerState, cpRunning: number, now: number): number {
    if (state.cp !== "running" || cpRunning > 0 || state.startedAt === undefined) return 0;
    return Math.max(0, Math.round((now - state.startedAt) / 1000));
}

/**
 * A CloudWatch embedded-metric-format record on stdout: CloudWatch Logs extracts the metric, no
 * PutMetricData grant needed (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Lambda.html).
 */
export function startPendingRecord(namespace: string, cpService: string, seconds: number, now: number, decision: Result): string {
    return JSON.stringify({
        // The metric only while a start is pending: CloudWatch bills a custom metric for each hour it
        // is published, and the alarm treats no data as fine. The decision is logged every tick.
        ...(seconds > 0 ? {
            _aws: {
                Timestamp: now,
                CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[START_PENDING_DIMENSION]], Metrics: [{ Name: METRICS.startPending, Unit: "Seconds" }] }],
            },
        } : {}),
        [START_PENDING_DIMENSION]: cpService,
        [METRICS.startPending]: seconds,
        action: decision.action,
        reason: decision.reason,
    });
}

/** One invocation, with its clients and clock given: what the tests drive. */
export async function run(event: unknown, env: ScalerEnvironment, c: Clients, now: number, emit: (line: string) => void = toStdout): Promise<Result> {
    const request = requestOf(event);
    const state = await readState(c, env.stateParameter);
    if (request.kind === "status") {
        return { state, action: state.last?.action ?? "none", reason: state.last?.reason ?? "no decision yet" };
    }
    const [services, dpTargets, activity, exportAt] = await Promise.all([
        describeServices(c, [env.controlPlane, ...env.dataPlanes]),
        targetHealth(c, env.targetGroupArns),
        latestActivity(c, env.metricNamespace, now, metricsToRead(state, now)),
        exportTime(c, env.exportBucket, env.exportKey),
    ]);
    const [cp, ...dps] = services;
    const observation: Observation = {
        cpDesired: cp.desired,
        dpDesired: dps.reduce((sum, s) => sum + s.desired, 0),
        dpTargets,
        ...activity,
        exportAt,
        ...(request.kind === "wake" || request.kind === "sleep" ? { request: request.kind } : {}),
    };
    const decision = decide(state, observation, now, env.settings);
    if (decision.action === "start" || decision.action === "stop") {
        await c.ecs.send(new UpdateServiceCommand({
            cluster: env.controlPlane.cluster,
            service: env.controlPlane.service,
            desiredCount: decision.action === "start" ? env.settings.desiredCount : 0,
        }));
    }
    await c.ssm.send(new PutParameterCommand({ Name: env.stateParameter, Value: JSON.stringify(decision.state), Overwrite: true }));
    const result = { state: decision.state, action: decision.action, reason: decision.reason };
    emit(startPendingRecord(env.metricNamespace, env.controlPlane.service, startPendingSeconds(decision.state, cp.running, now), now, result));
    return result;
}

/** Not console.log: Lambda prefixes its lines, and an EMF record must be the whole log event. */
function toStdout(line: string) {
    process.stdout.write(`${line}\n`);
}

let clients: Clients | undefined;

/** The Lambda entry point. Clients are made once per container; the region comes from the runtime. */
export async function handler(event: unknown): Promise<Result> {
    clients ??= { ecs: new ECSClient({}), elb: new ElasticLoadBalancingV2Client({}), cloudwatch: new CloudWatchClient({}), ssm: new SSMClient({}), s3: new S3Client({}) };
    return run(event, fromEnvironment(process.env), clients, Date.now());
}
