import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bundleHandler } from "./bundle";
import { METRICS, toEnvironment } from "./contract";
import { DEFAULT_SETTINGS, INITIAL_STATE, type ScalerSettings } from "./decision";
import type { PolicyDocument } from "../ecs/task-iam";

// The Control Plane scale-to-zero controller in AWS: a Lambda run every minute and on each new DP
// task, the metric filters it reads, its state parameter and its role. It publishes
// CpStartPendingSeconds (metricNamespace); the alarm on it is the stack's, with the stack's topic
// (components/observability, "cp-not-running-while-awake"). Inputs are plain values (ARNs, names),
// so any CP/DP layout can be wired to it. The CP service itself must ignore desiredCount changes
// while the controller owns it (the wiring's job).

export interface ScaledService {
    clusterArn: pulumi.Input<string>;
    serviceName: pulumi.Input<string>;
    serviceArn: pulumi.Input<string>;
    /** The log group its Kong container writes to (admin access log for the CP, proxy log for a DP). */
    logGroupName: pulumi.Input<string>;
}

export interface ScaledDataPlane extends ScaledService {
    /** The ALB target group of the service (checked for health). */
    targetGroupArn: pulumi.Input<string>;
}

export interface CpScalerArgs {
    /** Prefix of physical names, e.g. kong-dev. */
    namePrefix: string;
    controlPlane: ScaledService;
    dataPlanes: ScaledDataPlane[];
    /** The configuration export: the controller reads its LastModified. */
    export: { bucketName: pulumi.Input<string>; bucketArn: pulumi.Input<string>; key: pulumi.Input<string> };
    /** Timings and CP size when awake. @default DEFAULT_SETTINGS */
    settings?: Partial<ScalerSettings>;
    /** KMS key for the controller's log group. @default none (AWS-owned key) */
    kmsKeyArn?: pulumi.Input<string>;
    /** @default 30 */
    logRetentionDays?: number;
    tags?: Record<string, string>;
}

/**
 * Read actions the Service Authorization Reference defines with no resource type: IAM accepts only
 * `Resource: "*"` for them. The only unscoped grants the controller has (the policy pack may allow
 * exactly these).
 */
export const UNSCOPED_READ_ACTIONS = Object.freeze([
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html (DescribeTargetHealth: no resource type)
    "elasticloadbalancing:DescribeTargetHealth",
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html (GetMetricData: no resource type for metrics)
    "cloudwatch:GetMetricData",
]);

export interface ControllerGrants {
    controlPlaneServiceArn: string;
    dataPlaneServiceArns: string[];
    stateParameterArn: string;
    exportBucketArn: string;
    exportKey: string;
    logGroupArn: string;
}

/** The controller role's only policy: each action on exactly the resources it needs. */
export function controllerPolicy(g: ControllerGrants): PolicyDocument {
    const all = [g.controlPlaneServiceArn, ...g.dataPlaneServiceArns, g.stateParameterArn, g.exportBucketArn, g.logGroupArn];
    for (const arn of all) if (arn.includes("*")) throw new Error(`cp-scaler: refusing wildcard resource ${arn}`);
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ReadServices", Effect: "Allow", Action: "ecs:DescribeServices", Resource: [...new Set([g.controlPlaneServiceArn, ...g.dataPlaneServiceArns])] },
            { Sid: "ScaleControlPlane", Effect: "Allow", Action: "ecs:UpdateService", Resource: g.controlPlaneServiceArn },
            { Sid: "ReadTargetHealthAndActivity", Effect: "Allow", Action: [...UNSCOPED_READ_ACTIONS], Resource: "*" },
            { Sid: "State", Effect: "Allow", Action: ["ssm:GetParameter", "ssm:PutParameter"], Resource: g.stateParameterArn },
            { Sid: "ExportTime", Effect: "Allow", Action: "s3:GetObject", Resource: `${g.exportBucketArn}/${g.exportKey}` },
            // Without ListBucket a missing export answers 403 instead of 404 (S3 HeadObject docs).
            { Sid: "ExportMissingIs404", Effect: "Allow", Action: "s3:ListBucket", Resource: g.exportBucketArn },
            { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${g.logGroupArn}:*` },
        ],
    };
}

// Space-delimited filter patterns: [..] and ".." are one field each, `*` a wildcard, `||` inside a
// field (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
// Kong's admin listener logs in nginx's default `combined` format (`access_log ${{ADMIN_ACCESS_LOG}};`
// with no format, https://github.com/Kong/kong/blob/3.9.3/kong/templates/nginx_kong.lua#L426); the DP proxy
// log is kong_log_format, `combined` plus a request id (same file, L66-L69).

/** Admin writes on the CP: POST/PUT/PATCH/DELETE answered 2xx. */
export const ADMIN_WRITES_PATTERN = "[ip, ident, user, time, request=POST* || request=PUT* || request=PATCH* || request=DELETE*, status=2*, ...]";
/** Admin requests a DP could not pass to the CP: /kong-admin answered 5xx (Kong's kong_log_format starts like `combined`). */
export const ADMIN_REFUSED_PATTERN = "[ip, ident, user, time, request=*/kong-admin*, status=5*, ...]";

/** EventBridge pattern: a task of one of these DP services reached RUNNING (fires for scale-out, replacement, Spot). */
export function dpTaskRunningPattern(clusterArns: string[], serviceNames: string[]) {
    return {
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: {
            clusterArn: [...new Set(clusterArns)],
            group: serviceNames.map(s => `service:${s}`),
            lastStatus: ["RUNNING"],
        },
    };
}

export class CpScaler extends pulumi.ComponentResource {
    readonly functionName: pulumi.Output<string>;
    readonly functionArn: pulumi.Output<string>;
    readonly stateParameterName: pulumi.Output<string>;
    /** Where the controller's metrics (CpStartPendingSeconds, …) go: the stack's alarms watch them. */
    readonly metricNamespace: string;
    /** The controller's own log group (one JSON line per decision). */
    readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: CpScalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:cpScaler:CpScaler", name, {}, opts);
        const parent = { parent: this };
        const settings: ScalerSettings = { ...DEFAULT_SETTINGS, ...args.settings };
        const tags = args.tags;
        const namespace = `KongHybrid/${args.namePrefix}`;
        if (args.dataPlanes.length === 0) throw new Error(`CpScaler "${name}": dataPlanes must list at least one DP service`);

        const state = new aws.ssm.Parameter(`${name}-state`, {
            name: `/${args.namePrefix}/cp-scaler/state`,
            type: "String",
            tier: "Standard",
            description: "Kong CP scale-to-zero controller state (written by the controller)",
            value: JSON.stringify(INITIAL_STATE),
            tags,
        }, { parent: this, ignoreChanges: ["value"] });

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/${args.namePrefix}/cp-scaler`,
            retentionInDays: args.logRetentionDays ?? 30,
            kmsKeyId: args.kmsKeyArn,
            tags,
        }, parent);

        // No defaultValue: a filter with one publishes 0 for every log batch without a match, and a
        // custom metric is billed for each hour it is published
        // (https://aws.amazon.com/cloudwatch/pricing/: "prorated by the hour and metered only when you
        // send metrics"). The controller only looks for minutes with a count above 0.
        const transformation = (metric: string) => ({ name: metric, namespace, value: "1", unit: "Count" });
        new aws.cloudwatch.LogMetricFilter(`${name}-admin-writes`, {
            logGroupName: args.controlPlane.logGroupName,
            pattern: ADMIN_WRITES_PATTERN,
            metricTransformation: transformation(METRICS.adminWrites),
        }, parent);
        args.dataPlanes.forEach((dp, i) => new aws.cloudwatch.LogMetricFilter(`${name}-admin-refused-${i}`, {
            logGroupName: dp.logGroupName,
            pattern: ADMIN_REFUSED_PATTERN,
            metricTransformation: transformation(METRICS.adminRefused),
        }, parent));

        const role = new aws.iam.Role(`${name}-role`, {
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
            tags,
        }, parent);
        const policy = new aws.iam.RolePolicy(`${name}-policy`, {
            role: role.id,
            policy: pulumi.all([
                args.controlPlane.serviceArn, pulumi.all(args.dataPlanes.map(d => d.serviceArn)), state.arn, args.export.bucketArn, args.export.key, logGroup.arn,
            ]).apply(([cp, dps, param, bucketArn, key, logs]) => JSON.stringify(controllerPolicy({
                controlPlaneServiceArn: cp, dataPlaneServiceArns: dps, stateParameterArn: param, exportBucketArn: bucketArn, exportKey: key, logGroupArn: logs,
            }))),
        }, parent);

        const environment = pulumi.all([
            args.controlPlane.clusterArn, args.controlPlane.serviceName,
            pulumi.all(args.dataPlanes.map(d => pulumi.all([d.clusterArn, d.serviceName, d.targetGroupArn]))),
            state.name, args.export.bucketName, args.export.key,
        ]).apply(([cpCluster, cpService, dps, param, bucket, key]) => toEnvironment({
            controlPlane: { cluster: cpCluster, service: cpService },
            dataPlanes: dps.map(([cluster, service]) => ({ cluster, service })),
            targetGroupArns: [...new Set(dps.map(([, , tg]) => tg))],
            stateParameter: param,
            metricNamespace: namespace,
            exportBucket: bucket,
            exportKey: key,
            settings,
        }));

        const fn = new aws.lambda.Function(`${name}-function`, {
            name: `${args.namePrefix}-cp-scaler`,
            description: "Kong CP scale to zero: starts the Control Plane on demand, stops it when idle",
            runtime: "nodejs22.x",
            architectures: ["arm64"],
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleHandler()) }),
            role: role.arn,
            memorySize: 256,
            timeout: 30,
            // One invocation at a time: ticks never overlap, so the SSM state needs no conditional write.
            reservedConcurrentExecutions: 1,
            environment: { variables: environment },
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            tags,
        }, { parent: this, dependsOn: [policy] });

        const invokeFrom = (suffix: string, rule: aws.cloudwatch.EventRule) => {
            new aws.lambda.Permission(`${name}-${suffix}-invoke`, {
                action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn,
            }, parent);
            new aws.cloudwatch.EventTarget(`${name}-${suffix}`, { rule: rule.name, arn: fn.arn }, parent);
        };
        invokeFrom("tick", new aws.cloudwatch.EventRule(`${name}-tick`, {
            description: "Kong CP scale to zero: one decision a minute",
            scheduleExpression: "rate(1 minute)",
            tags,
        }, parent));
        invokeFrom("dp-task-running", new aws.cloudwatch.EventRule(`${name}-dp-task-running`, {
            description: "Kong CP scale to zero: a new DP task is running, decide now",
            eventPattern: pulumi.all([
                pulumi.all(args.dataPlanes.map(d => d.clusterArn)), pulumi.all(args.dataPlanes.map(d => d.serviceName)),
            ]).apply(([clusters, services]) => JSON.stringify(dpTaskRunningPattern(clusters, services))),
            tags,
        }, parent));

        this.functionName = fn.name;
        this.functionArn = fn.arn;
        this.stateParameterName = state.name;
        this.metricNamespace = namespace;
        this.logGroupName = logGroup.name;
        this.registerOutputs({ functionName: this.functionName, functionArn: this.functionArn, stateParameterName: this.stateParameterName });
    }
}

export { ConfigExportBucket } from "./export-bucket";
export { DEFAULT_SETTINGS } from "./decision";
