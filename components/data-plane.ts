import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPki, ControlPlaneContract, NetworkRefs } from "./contracts";
import type { KongImage } from "./kong/image";
import type { PluginImageRef } from "./kong/plugins";
import { toContainerEnv, type ContainerEnv } from "./ecs/kong-env";
import { dataPlaneSettings } from "./kong/settings";
import { PORTS } from "./network/ports";
import { problemLine, type Problem } from "./problems";
import { parseClusterArn } from "./ecs/arn";
import { awslogs, runtimePlatform, type ContainerDefinition, type CpuArchitecture } from "./ecs/container";
import { containerImage, pullThroughRepositoryArns, type PullThroughCache } from "./ecs/image-source";
import { ecrRepositoryArn, ecsExecutionRoleAssumeRolePolicy, ecsTaskRoleAssumeRolePolicy, executionRolePolicy } from "./ecs/task-iam";
import { distinctEgress, type EgressTarget } from "./network/traffic";
import { dataPlaneExportReadPolicy, dataPlaneFallback, dataPlaneWakeEnvironment, spliceTaskAdditions } from "./cp-scaler/export";
import type { ConfigExportTarget } from "./control-plane";

// One Data Plane group on ECS Fargate: its security group, task definition, service and
// autoscaling. It attaches to a load balancer it does not own (the stack's shared edge, or an
// internal one) and joins a Control Plane through its contract. Its security-group arrows are
// drawn in stacks/network.ts. Several groups may join one CP; each is one `new DataPlane(...)`.

export const CONTAINER_NAME = "kong";

/**
 * Seconds ECS waits after the stop signal before SIGKILL (Fargate allows up to 120). The image's
 * STOPSIGNAL is SIGQUIT (Kong/docker-kong Dockerfile), nginx's graceful shutdown. ECS stops a
 * task only after the ALB has drained it (DEREGISTRATION_DELAY_SECONDS), so what remains are idle
 * keep-alive and long-lived (websocket, streaming) connections: 30 s bounds a rollout wave.
 */
export const STOP_TIMEOUT_SECONDS = 30;
/**
 * nginx's worker_shutdown_timeout: workers close what is left and Kong exits on its own before
 * ECS kills the container (below STOP_TIMEOUT_SECONDS). Kong's template sets none (unbounded).
 */
export const WORKER_SHUTDOWN_TIMEOUT_SECONDS = 25;
/**
 * ECS ignores failing ALB health checks this long after a task starts: a DP is 503 on
 * /status/ready until its first sync, and the CP may be waking Aurora from 0 ACU (~15-30 s, docs/facts/aws.md §1).
 */
export const HEALTH_CHECK_GRACE_SECONDS = 120;

/** The load balancer a group sits behind: its own target group there, and the listener using it. */
export interface LoadBalancerAttachment {
    targetGroupArn: pulumi.Input<string>;
    targetGroupArnSuffix: pulumi.Input<string>;
    loadBalancerArnSuffix: pulumi.Input<string>;
    /** ECS rejects a target group that no listener uses yet: the service waits for it. */
    listener: pulumi.Resource;
}

/** The one source of each DP default: stacks/config.ts maps config keys onto these and Pulumi.yaml repeats them (test/defaults.spec.ts). */
export const DATA_PLANE_DEFAULTS = {
    cpu: 512,
    memory: 1024,
    minCount: 1,
    maxCount: 4,
    spotPercent: 0,
    targetCpuPercent: 60,
    targetRequestsPerTask: 6000,
    logRetentionDays: 14,
    upstreamEgressCidrs: ["0.0.0.0/0"] as readonly string[],
    upstreamEgressPorts: [443] as readonly number[],
} as const;

export interface DataPlaneArgs {
    /** VPC, private subnets for the tasks, public subnets for the edge. */
    network: NetworkRefs;
    /** The ECS cluster; it must have the FARGATE and FARGATE_SPOT capacity providers. */
    ecsClusterArn: pulumi.Input<string>;
    /** The stack's KMS key: encrypts the log group; the task may decrypt secrets with it. */
    kmsKeyArn: pulumi.Input<string>;
    /** The CP this group joins. */
    controlPlane: ControlPlaneContract;
    /** CA certificate and this role's TLS secret. */
    pki: ClusterPki;
    /** The Kong image. Must not be a newer minor than the CP's. @default controlPlane.kong */
    kong?: KongImage;
    /** Secrets Manager ARN of the Enterprise licence (KONG_LICENSE_DATA). @default none */
    licenseSecretArn?: string;
    /**
     * Kong with the stack's custom plugins (KongPluginImage), run instead of `kong.image`, which it
     * is built from (`kong` still gives the version and edition); `plugins` then lists them. @default none
     */
    pluginImage?: PluginImageRef;
    /** CPU of the tasks: the images must be published for it. @default "ARM64" (DEFAULT_CPU_ARCHITECTURE) */
    cpuArchitecture?: CpuArchitecture;
    /** An ECR pull-through cache of ECR Public: the Kong image is pulled through it when it serves it. @default none */
    pullThroughCache?: PullThroughCache;
    /** Task CPU units (a Fargate size). @default 512 */
    cpu?: number;
    /** Task memory in MiB (a Fargate size for `cpu`). @default 1024 */
    memory?: number;
    /** Fewest tasks autoscaling keeps. @default 1 */
    minCount?: number;
    /** Most tasks autoscaling may run. @default 4 */
    maxCount?: number;
    /** Tasks at creation; autoscaling owns the count afterwards. @default minCount */
    desiredCount?: number;
    /** Share of tasks on FARGATE_SPOT, 0-100; below 100 one task stays on FARGATE, at 100 none does. @default 0 */
    spotPercent?: number;
    /** Average CPU % autoscaling holds. @default 60 */
    targetCpuPercent?: number;
    /** ALB requests per task per minute autoscaling holds (groups behind a load balancer). @default 6000 */
    targetRequestsPerTask?: number;
    /** CloudWatch Logs retention in days. @default 14 */
    logRetentionDays?: number;
    /** Prefix of the log group name, e.g. kong-dev. @default "kong" */
    namePrefix?: string;
    /** The load balancer in front. @default undefined: no load balancer (clients reach the tasks some other way). */
    loadBalancer?: LoadBalancerAttachment;
    /**
     * The CP's configuration export: a new task loads it before Kong starts, so it serves while the
     * CP sleeps (components/cp-scaler/export.ts). Decrypted with kmsKeyArn. @default none
     */
    configExport?: ConfigExportTarget;
    /** @default {} */
    tags?: Record<string, string>;
}

// ── Pure parts ──────────────────────────────────────────────────────────────────────────────

/**
 * A CP rejects a DP of a newer minor or another major (docs/facts/kong-hybrid.md §4), and the two
 * must be the same edition. The one source of the rule: stacks/config.ts maps it onto its keys.
 */
export function validateDataPlaneVersion(dp: KongImage, cp: KongImage): Problem[] {
    if (dp.edition !== cp.edition) {
        return [{ field: "kong", value: dp.image, message: name => `must be the same edition as ${name("controlPlaneKong")} (${cp.image}: ${cp.edition}, this is ${dp.edition})` }];
    }
    if (dp.major !== cp.major || dp.minor > cp.minor) {
        return [{ field: "kong", value: dp.image, message: () => `Kong ${dp.version} is newer than the Control Plane's ${cp.version}; a CP rejects a DP of a newer minor version (upgrade the CP first)` }];
    }
    return [];
}

/** The group's task counts: the one source of the rule (stacks/config.ts maps it onto dp* keys and each dataPlanes entry). */
export function validateDataPlaneScaling(s: { minCount: number; maxCount: number; desiredCount?: number }): Problem[] {
    if (s.minCount > s.maxCount) return [{ field: "minCount", value: s.minCount, message: name => `must not exceed ${name("maxCount")} (${s.maxCount})` }];
    if (s.desiredCount && (s.desiredCount < s.minCount || s.desiredCount > s.maxCount)) {
        return [{ field: "desiredCount", value: s.desiredCount, message: name => `must be 0 (= ${name("minCount")}) or from ${name("minCount")} (${s.minCount}) to ${name("maxCount")} (${s.maxCount})` }];
    }
    return [];
}

/** Refuses a DP the CP would reject, before anything is deployed. */
export function checkDataPlaneVersion(group: string, dp: KongImage, cp: KongImage): void {
    const problems = validateDataPlaneVersion(dp, cp);
    // The image is in the message already: no "kong = …" prefix.
    if (problems.length) throw new Error(`DataPlane "${group}": ${problems.map(p => p.message(() => "the Control Plane's image")).join("; ")}`);
}

/**
 * Below 100, FARGATE keeps one task (base 1) and the rest split by weight per `spotPercent`; at 100
 * every task runs on FARGATE_SPOT (cheap stacks only: config refuses it in production). ARM64 tasks
 * may use FARGATE_SPOT on platform version 1.4.0 or later
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html).
 */
export function capacityProviderStrategy(spotPercent: number): { capacityProvider: string; base?: number; weight: number }[] {
    if (spotPercent <= 0) return [{ capacityProvider: "FARGATE", base: 1, weight: 1 }];
    if (spotPercent >= 100) return [{ capacityProvider: "FARGATE_SPOT", base: 1, weight: 1 }];
    const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
    const g = gcd(100 - spotPercent, spotPercent);
    return [
        { capacityProvider: "FARGATE", base: 1, weight: (100 - spotPercent) / g },
        { capacityProvider: "FARGATE_SPOT", weight: spotPercent / g },
    ];
}

/** The DP's egress needs beside the CP arrows: images and AWS APIs, and the upstream APIs. */
export function dataPlaneEgress(upstreamCidrs: readonly string[], upstreamPorts: readonly number[]): EgressTarget[] {
    return distinctEgress([
        { cidr: "0.0.0.0/0", port: PORTS.https, description: "Kong DP to image registries and AWS APIs" },
        ...upstreamCidrs.flatMap(cidr => upstreamPorts.map(port => ({ cidr, port, description: "Kong DP to upstream APIs" }))),
    ]);
}

export interface DataPlaneEnvInput {
    kong: KongImage;
    vcpus: number;
    /** host:port of the CP's cluster listener. */
    clusterAddress: string;
    /** The name on the CP's certificate. */
    serverName: string;
    tlsSecretArn: string;
    /** The TLS secret's current version: pinned, so a renewed certificate rolls the tasks. */
    tlsSecretVersionId?: string;
    vpcCidr: string;
    licenseSecretArn?: string;
    /** Custom plugins the image carries (`plugins`): the CP's. */
    customPlugins?: readonly string[];
}

/**
 * The container's environment and secrets. Throws if a KONG_* name is not a key of the image's
 * Kong (it would be ignored silently, docs/facts/kong-hybrid.md §1).
 */
export function dataPlaneContainerEnv(i: DataPlaneEnvInput): ContainerEnv {
    const settings = dataPlaneSettings({
        vcpus: i.vcpus,
        clusterAddress: i.clusterAddress,
        serverName: i.serverName,
        // The ALB's nodes sit in the VPC's public subnets: only they may set X-Forwarded-For (docs/facts/kong-hybrid.md §8).
        trustedIps: [i.vpcCidr],
        workerShutdownTimeoutSeconds: WORKER_SHUTDOWN_TIMEOUT_SECONDS,
        customPlugins: i.customPlugins,
    });
    return toContainerEnv(settings, i.kong, {
        clusterTls: { secretArn: i.tlsSecretArn, versionId: i.tlsSecretVersionId },
        licence: i.licenseSecretArn ? { secretArn: i.licenseSecretArn } : undefined,
    });
}

// ── Resources, one free function per concern ───────────────────────────────────────────────

type Parent = { parent: pulumi.Resource };
type Cluster = pulumi.Output<ReturnType<typeof parseClusterArn>>;

/** The group's SG, without inline rules: stacks/network.ts draws its arrows. */
export function createDataPlaneSecurityGroup(name: string, args: DataPlaneArgs, parent: Parent): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(`${name}-sg`, {
        vpcId: args.network.vpcId,
        description: `Kong Data Plane ${name}: proxy from its load balancer, to the Control Plane and upstreams`,
        tags: { ...args.tags, Name: `${name}-dp` },
    }, parent);
}

/** Execution role (exact secrets, keys and log group) and a task role without permissions. */
export function createDataPlaneRoles(name: string, args: DataPlaneArgs, kong: KongImage, cluster: Cluster, logGroupArn: pulumi.Output<string>, parent: Parent) {
    const executionRole = new aws.iam.Role(`${name}-execution-role`, {
        description: `ECS starts Kong DP ${name}: pull, read its TLS secret, write logs`,
        assumeRolePolicy: JSON.stringify(ecsExecutionRoleAssumeRolePolicy()),
        tags: args.tags,
    }, parent);
    const secretArns = [args.pki.dataPlaneTls.secretArn, ...(args.licenseSecretArn ? [args.licenseSecretArn] : [])];
    const executionPolicy = new aws.iam.RolePolicy(`${name}-execution-policy`, {
        role: executionRole.id,
        policy: pulumi.all([pulumi.all(secretArns), args.kmsKeyArn, args.pki.kmsKeyArn, logGroupArn, cluster, pulumi.output(args.pluginImage?.repositoryArn)])
            .apply(([secrets, stackKey, pkiKey, logGroup, c, pluginRepository]) => JSON.stringify(executionRolePolicy({
                region: c.region,
                secretArns: secrets,
                kmsKeyArns: [stackKey, pkiKey],
                logGroupArns: [logGroup],
                // With a plugin image the tasks pull exactly from its repository, not kong.image.
                ecrRepositoryArns: [pluginRepository ?? ecrRepositoryArn(kong.image, c.partition)].filter((a): a is string => !!a),
                pullThroughRepositoryArns: args.pluginImage ? [] : pullThroughRepositoryArns([kong.image], args.pullThroughCache, c.partition, c.account, c.region),
            }))),
    }, parent);
    // Kong calls no AWS API: without a configuration export the task role has no permissions at all.
    const taskRole = new aws.iam.Role(`${name}-task-role`, {
        description: args.configExport ? `Kong DP ${name} tasks: read the CP's configuration export` : `Kong DP ${name} tasks (no AWS permissions)`,
        assumeRolePolicy: cluster.apply(c => JSON.stringify(ecsTaskRoleAssumeRolePolicy(c.partition, c.region, c.account))),
        tags: args.tags,
    }, parent);
    // The init container (or Enterprise Kong) reads the export as the task, never as the ECS agent.
    const taskPolicy = args.configExport ? new aws.iam.RolePolicy(`${name}-config-export`, {
        role: taskRole.id,
        policy: pulumi.all([args.configExport.bucketArn, args.kmsKeyArn, cluster]).apply(([bucketArn, kmsKeyArn, c]) => JSON.stringify(dataPlaneExportReadPolicy({
            kong, bucketArn, kmsKeyArn, region: c.region,
        }))),
    }, parent) : undefined;
    return { executionRole, executionPolicy, taskRole, taskPolicy };
}

/**
 * The container definitions JSON (Kong's env and secrets, ports, graceful stop, logs) and the task
 * volumes. With a configuration export, the fallback is spliced in (an init container for open
 * source, Kong's own import for Enterprise) and Kong caches a failed CP lookup only briefly.
 */
export function dataPlaneContainers(name: string, args: DataPlaneArgs, kong: KongImage, cpu: number, cluster: Cluster, logGroupName: pulumi.Output<string>): pulumi.Output<{ containerDefinitions: string; volumes: { name: string }[] }> {
    return pulumi
        .all([args.pki.dataPlaneTls.secretArn, args.pki.dataPlaneTls.versionId, logGroupName, cluster, args.configExport?.bucketName ?? "", args.kmsKeyArn, pulumi.output(args.pluginImage?.imageRef)])
        .apply(([tlsSecretArn, tlsSecretVersionId, logGroup, { account, region }, exportBucket, kmsKeyArn, pluginImage]) => {
            const env = dataPlaneContainerEnv({
                kong, vcpus: cpu / 1024, clusterAddress: args.controlPlane.clusterAddress, serverName: args.controlPlane.serverName,
                tlsSecretArn, tlsSecretVersionId, vpcCidr: args.network.vpcCidr, licenseSecretArn: args.licenseSecretArn,
                customPlugins: args.pluginImage?.pluginNames,
            });
            const kongContainer: ContainerDefinition = {
                name: CONTAINER_NAME,
                image: pluginImage ?? containerImage(kong.image, args.pullThroughCache, account, region),
                essential: true,
                portMappings: [
                    { name: "proxy", containerPort: PORTS.proxy, protocol: "tcp" },
                    { name: "status", containerPort: PORTS.status, protocol: "tcp" },
                ],
                environment: env.environment,
                secrets: env.secrets,
                stopTimeout: STOP_TIMEOUT_SECONDS,
                // Kong logs a warning below 4096 open files; nginx needs one per connection.
                ulimits: [{ name: "nofile", softLimit: 65535, hardLimit: 65535 }],
                logConfiguration: awslogs(logGroup, region, name),
            };
            if (!args.configExport) return { containerDefinitions: JSON.stringify([kongContainer]), volumes: [] };
            const fallback = dataPlaneFallback({ kong, bucket: exportBucket, kmsKeyArn, region, logConfiguration: kongContainer.logConfiguration });
            fallback.kong.environment.push(...dataPlaneWakeEnvironment());
            const spliced = spliceTaskAdditions([kongContainer], fallback, kong, CONTAINER_NAME);
            return { containerDefinitions: JSON.stringify(spliced.containers), volumes: spliced.volumes };
        });
}

/** Target tracking on CPU, and on ALB requests per task when the group is behind a load balancer. */
export function createDataPlaneAutoscaling(name: string, args: DataPlaneArgs, service: aws.ecs.Service, cluster: Cluster, lb: LoadBalancerAttachment | undefined, parent: Parent): void {
    const target = new aws.appautoscaling.Target(`${name}-scaling`, {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${cluster.clusterName}/${service.name}`,
        minCapacity: args.minCount ?? DATA_PLANE_DEFAULTS.minCount,
        maxCapacity: args.maxCount ?? DATA_PLANE_DEFAULTS.maxCount,
        tags: args.tags,
    }, parent);
    const tracking = (suffix: string, spec: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration) =>
        new aws.appautoscaling.Policy(`${name}-${suffix}`, {
            policyType: "TargetTrackingScaling",
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            // Out fast, in slowly: a DP that scales in too eagerly drains connections for nothing.
            targetTrackingScalingPolicyConfiguration: { scaleOutCooldown: 60, scaleInCooldown: 300, ...spec },
        }, parent);
    tracking("cpu", {
        targetValue: args.targetCpuPercent ?? DATA_PLANE_DEFAULTS.targetCpuPercent,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
    });
    if (lb) {
        tracking("requests", {
            targetValue: args.targetRequestsPerTask ?? DATA_PLANE_DEFAULTS.targetRequestsPerTask,
            predefinedMetricSpecification: {
                predefinedMetricType: "ALBRequestCountPerTarget",
                resourceLabel: pulumi.interpolate`${lb.loadBalancerArnSuffix}/${lb.targetGroupArnSuffix}`,
            },
        });
    }
}

// ── The component ───────────────────────────────────────────────────────────────────────────

export class DataPlane extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    public readonly serviceArn: pulumi.Output<string>;
    public readonly taskDefinitionArn: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    public readonly executionRoleArn: pulumi.Output<string>;
    public readonly taskRoleArn: pulumi.Output<string>;
    /** The group's target group, when it sits behind a load balancer. */
    public readonly targetGroupArn?: pulumi.Output<string>;

    constructor(name: string, args: DataPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:dataplane:DataPlane", name, {}, opts);
        const parent = { parent: this };
        args = { ...args, tags: args.tags ?? {} };
        // Refuse what Kong or AWS would reject before registering anything.
        const kong = args.kong ?? args.controlPlane.kong;
        checkDataPlaneVersion(name, kong, args.controlPlane.kong);
        const cpu = args.cpu ?? DATA_PLANE_DEFAULTS.cpu;
        const minCount = args.minCount ?? DATA_PLANE_DEFAULTS.minCount;
        const maxCount = args.maxCount ?? DATA_PLANE_DEFAULTS.maxCount;
        const scaling = validateDataPlaneScaling({ minCount, maxCount, desiredCount: args.desiredCount });
        if (scaling.length) throw new Error(`DataPlane "${name}": ${scaling.map(p => problemLine(p)).join("; ")}`);
        const cluster = pulumi.output(args.ecsClusterArn).apply(parseClusterArn);

        const sg = createDataPlaneSecurityGroup(name, args, parent);
        const lb = args.loadBalancer;

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/${args.namePrefix ?? "kong"}/data-plane/${name}`,
            retentionInDays: args.logRetentionDays ?? DATA_PLANE_DEFAULTS.logRetentionDays,
            kmsKeyId: args.kmsKeyArn,
            tags: args.tags,
        }, parent);
        const { executionRole, executionPolicy, taskRole, taskPolicy } = createDataPlaneRoles(name, args, kong, cluster, logGroup.arn, parent);
        const containers = dataPlaneContainers(name, args, kong, cpu, cluster, logGroup.name);

        const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task`, {
            family: `${args.namePrefix ?? "kong"}-${name}`,
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(cpu),
            memory: String(args.memory ?? DATA_PLANE_DEFAULTS.memory),
            runtimePlatform: runtimePlatform(args.cpuArchitecture),
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            containerDefinitions: containers.apply(c => c.containerDefinitions),
            // Only with an export: a task definition without volumes stays as it was.
            ...(args.configExport ? { volumes: containers.apply(c => c.volumes) } : {}),
            tags: args.tags,
        }, parent);

        const service = new aws.ecs.Service(`${name}-service`, {
            cluster: args.ecsClusterArn,
            taskDefinition: taskDefinition.arn,
            desiredCount: args.desiredCount ?? minCount,
            capacityProviderStrategies: capacityProviderStrategy(args.spotPercent ?? DATA_PLANE_DEFAULTS.spotPercent),
            platformVersion: "LATEST",
            networkConfiguration: { subnets: args.network.privateSubnetIds, securityGroups: [sg.id], assignPublicIp: false },
            deploymentCircuitBreaker: { enable: true, rollback: true },
            // Rolling upgrade: start the new tasks first, then drain the old ones (data-plane.md).
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            ...(lb ? {
                loadBalancers: [{ targetGroupArn: lb.targetGroupArn, containerName: CONTAINER_NAME, containerPort: PORTS.proxy }],
                healthCheckGracePeriodSeconds: HEALTH_CHECK_GRACE_SECONDS,
            } : {}),
            propagateTags: "SERVICE",
            enableEcsManagedTags: true,
            tags: args.tags,
        }, {
            parent: this,
            // Autoscaling owns the count once the service exists.
            ignoreChanges: ["desiredCount"],
            dependsOn: [
                // ECS rejects a target group that no listener uses yet.
                ...(lb ? [lb.listener] : []),
                // A task started before these fails to pull, read its TLS secret or log, and the
                // circuit breaker counts it.
                executionRole, executionPolicy, taskRole, logGroup, ...(taskPolicy ? [taskPolicy] : []),
                ...(args.pullThroughCache?.rule ? [args.pullThroughCache.rule] : []),
            ],
        });
        createDataPlaneAutoscaling(name, args, service, cluster, lb, parent);

        this.securityGroupId = sg.id;
        this.serviceName = service.name;
        this.serviceArn = service.arn;
        this.taskDefinitionArn = taskDefinition.arn;
        this.logGroupName = logGroup.name;
        this.executionRoleArn = executionRole.arn;
        this.taskRoleArn = taskRole.arn;
        this.targetGroupArn = lb ? pulumi.output(lb.targetGroupArn) : undefined;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            serviceName: this.serviceName,
            taskDefinitionArn: this.taskDefinitionArn,
            logGroupName: this.logGroupName,
        });
    }
}

/** The deregistration delay is the edge's; re-exported for readers of the shutdown timing. */
export { DEREGISTRATION_DELAY_SECONDS } from "./edge";
