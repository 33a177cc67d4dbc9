import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmSpecs, controlPlaneState, observedStackProblems, type AlarmSpec, type ObservedStack } from "./alarms";
import { dashboardBody, type DashboardInput, type ResolvedAlarm } from "./dashboard";

// The stack's watch: one SNS topic (encrypted with the stack key, subscriptions from config), the
// alarms on what breaks users (alarms.ts) and one dashboard (dashboard.ts). Inputs are plain names
// and ARN suffixes, so wiring it to any CP/DP layout is one call.

export interface Subscription {
    /** SNS protocol: email, https, sqs, lambda, sms… */
    protocol: string;
    endpoint: string;
}

export interface ObservabilityArgs extends ObservedStack {
    /** The stack's KMS key (components/kms.ts): encrypts the topic. Its policy must let CloudWatch use it (alarmPublishKeyStatement). */
    kmsKeyArn: pulumi.Input<string>;
    subscriptions: Subscription[];
    tags?: Record<string, string>;
}

export const SNS_PROTOCOLS = ["email", "email-json", "http", "https", "sqs", "lambda", "sms", "firehose", "application"] as const;

/** Subscriptions a stack names, one line per problem (key, value as written, what is allowed). */
export function subscriptionProblems(subs: readonly { protocol?: unknown; endpoint?: unknown }[], key = "kong-hybrid:alarmSubscriptions"): string[] {
    return subs.flatMap((s, i) => {
        const at = `${key}[${i}]`;
        if (!SNS_PROTOCOLS.includes(s.protocol as any)) return [`${at}.protocol = ${JSON.stringify(s.protocol)}: allowed: ${SNS_PROTOCOLS.join(", ")}`];
        if (typeof s.endpoint !== "string" || s.endpoint === "") return [`${at}.endpoint = ${JSON.stringify(s.endpoint)}: give the address to notify`];
        if (String(s.protocol).startsWith("email") && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s.endpoint)) return [`${at}.endpoint = ${JSON.stringify(s.endpoint)}: not an email address`];
        if (s.protocol === "https" && !s.endpoint.startsWith("https://")) return [`${at}.endpoint = ${JSON.stringify(s.endpoint)}: an https subscription needs an https:// URL`];
        if (["sqs", "lambda", "firehose", "application"].includes(s.protocol as string) && !s.endpoint.startsWith("arn:")) return [`${at}.endpoint = ${JSON.stringify(s.endpoint)}: a ${s.protocol} subscription needs an ARN`];
        return [];
    });
}

/**
 * The key-policy statement CloudWatch needs to publish alarms to a topic encrypted with a
 * customer-managed key (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-encrypted-topics).
 * The stack key's policy (components/kms.ts) must carry it, or notifications are silently dropped.
 */
export function alarmPublishKeyStatement(account: string) {
    return {
        Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": account } },
    };
}

export class Observability extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;
    readonly alarmArns: pulumi.Output<string>[];
    readonly dashboardName: pulumi.Output<string>;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:ops:Observability", name, {}, opts);
        const problems = [...observedStackProblems(args), ...subscriptionProblems(args.subscriptions)];
        if (problems.length > 0) throw new Error(problems.join("\n"));
        const parent = { parent: this };
        const tags = args.tags;

        const topic = new aws.sns.Topic(`${name}-alarms`, {
            name: `${args.namePrefix}-alarms`,
            kmsMasterKeyId: args.kmsKeyArn,
            tags,
        }, parent);
        args.subscriptions.forEach((s, i) => new aws.sns.TopicSubscription(`${name}-alarms-${i}`, { topic: topic.arn, protocol: s.protocol, endpoint: s.endpoint }, parent));

        const specs = alarmSpecs(args);
        const alarms = specs.map(spec => new aws.cloudwatch.MetricAlarm(`${name}-${spec.key}`, {
            name: `${args.namePrefix}-${spec.key}`,
            ...alarmArgs(spec),
            alarmActions: [topic.arn],
            okActions: [topic.arn],
            tags,
        }, parent));

        const cp = args.controlPlane;
        const body = pulumi.all([pulumi.output(specs), pulumi.all(alarms.map(a => a.arn)), pulumi.output(controlPlaneState(args)), pulumi.output(cp.scaler?.logGroupName)])
            .apply(([resolved, arns, state, logGroup]) => dashboardBody({
                region: args.region,
                alarms: (resolved as AlarmSpec[]).map((s, i) => ({ ...s, arn: arns[i], name: `${args.namePrefix}-${s.key}` }) as ResolvedAlarm),
                controlPlane: state as DashboardInput["controlPlane"],
                controllerLogGroup: logGroup,
            }));
        const dashboard = new aws.cloudwatch.Dashboard(`${name}-dashboard`, { dashboardName: args.namePrefix, dashboardBody: body }, parent);

        this.topicArn = topic.arn;
        this.alarmArns = alarms.map(a => a.arn);
        this.dashboardName = dashboard.dashboardName;
        this.registerOutputs({ topicArn: this.topicArn, dashboardName: this.dashboardName });
    }
}

/** The MetricAlarm arguments of a spec: one metric, or metric math with the inputs hidden. */
export function alarmArgs(spec: AlarmSpec): aws.cloudwatch.MetricAlarmArgs {
    const common = {
        alarmDescription: spec.description,
        comparisonOperator: spec.comparisonOperator,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        treatMissingData: spec.treatMissingData,
    };
    if (spec.metric) {
        const m = spec.metric;
        return { ...common, namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, period: m.period, statistic: m.stat };
    }
    const math = spec.math!;
    return {
        ...common,
        metricQueries: [
            { id: "e1", expression: math.expression, label: math.label, returnData: true },
            ...Object.entries(math.inputs).map(([id, m]) => ({
                id, returnData: false,
                metric: { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, period: m.period, stat: m.stat },
            })),
        ],
    };
}

export { alarmSpecs, controlPlaneState, DEFAULT_THRESHOLDS, webAclNameFromArn, type ObservedStack, type DataPlaneGroupRef, type ControlPlaneRef, type EcsControlPlaneRef, type EksControlPlaneRef, type Thresholds } from "./alarms";
export { dashboardBody, dashboardProblems } from "./dashboard";
