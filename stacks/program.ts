import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { pullThroughPrefix, ECR_PUBLIC_REGISTRY, type PullThroughCache } from "../components/ecs/image-source";
import { StackKey } from "../components/kms";
import { Vpc } from "../components/vpc";
import { checkAgainstRegion, type StackConfig } from "./config";
import { createControlPlane } from "./control-plane";
import { createConfigExport, createCpScaler } from "./cp-scaler";
import { adminKeyReadCommand, createDataPlanes, EDGE_NAME } from "./data-plane";
import { drawSecurityGroupTable } from "./network";
import { containerInsights, createObservability } from "./observability";
import { createPluginImage } from "./plugins";
import { parseClusterArn } from "../components/ecs/arn";
import { buildEksControlPlaneStack, createDataPlaneRedis, createEksRuntime } from "./eks";
import { platformOutputs } from "./outputs";

// Validated config → components. index.ts, the Automation API and the offline plan all run
// buildStack; what it returns are the stack outputs.

export async function buildStack(cfg: StackConfig): Promise<Record<string, pulumi.Input<unknown>>> {
    // The region's facts are checked before anything is registered: nothing half-created.
    const zones = await aws.getAvailabilityZones({ state: "available" });
    checkAgainstRegion(cfg, zones.names);
    const availabilityZones = zones.names.slice(0, cfg.network.azCount);

    const key = new StackKey(`${cfg.name}-key`, {
        alias: cfg.name,
        deletionWindowInDays: cfg.production ? 30 : 7,
        tags: { ...cfg.tags },
    });

    const vpc = new Vpc(`${cfg.name}`, {
        cidr: cfg.network.vpcCidr,
        availabilityZones,
        publicSubnetCidrs: cfg.network.publicSubnetCidrs,
        privateSubnetCidrs: cfg.network.privateSubnetCidrs,
        isolatedSubnetCidrs: cfg.network.isolatedSubnetCidrs,
        natMode: cfg.network.natMode,
        natInstanceType: cfg.network.natInstanceType,
        interfaceEndpoints: cfg.network.interfaceEndpoints,
        flowLogs: cfg.network.flowLogs ? { kmsKeyArn: key.arn, retentionInDays: cfg.logs.retentionDays } : undefined,
        tags: { ...cfg.tags },
    });

    // One ECS cluster for the CP and every ECS DP group; FARGATE_SPOT is there for cheap DP groups.
    // A CP on EKS has only EKS groups (stacks/eks-config.ts): no ECS cluster then.
    if (cfg.controlPlaneRuntime === "eks") return buildEksControlPlaneStack(cfg, { key, vpc, availabilityZones });
    const cluster = new aws.ecs.Cluster(`${cfg.name}-ecs`, {
        settings: [{ name: "containerInsights", value: containerInsights(cfg) ? "enabled" : "disabled" }],
        tags: { ...cfg.tags },
    });
    const capacityProviders = new aws.ecs.ClusterCapacityProviders(`${cfg.name}-ecs`, {
        clusterName: cluster.name,
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", base: 0, weight: 1 }],
    });

    const pullThroughCache = cfg.kong.imageSource === "ecr-pull-through" ? createPullThroughCache(cfg.name) : undefined;
    // kongPluginsDir: one image with the custom plugins, run by the CP and every DP group (ECS and EKS).
    const pluginImage = createPluginImage(cfg, key.arn);
    // cpScaleToZero: the CP exports its configuration here and new DPs load it (undefined when off).
    const configExport = createConfigExport(cfg, key.arn);

    // The CA first: the CP certificate must name the DNS name Cloud Map will serve.
    const cp = createControlPlane(cfg, {
        network: vpc.refs,
        kmsKeyArn: key.arn,
        ecsClusterArn: cluster.arn,
        availabilityZones,
        pullThroughCache,
        pluginImage,
        configExport,
    });

    // DP services name FARGATE_SPOT in their strategy: ECS rejects that before the cluster has it.
    const clusterWithProviders = pulumi.all([cluster.arn, capacityProviders.id]).apply(([arn]) => arn);
    const dp = createDataPlanes(cfg, {
        network: vpc.refs, ecsClusterArn: clusterWithProviders, kmsKeyArn: key.arn, pullThroughCache, pluginImage,
        accountId: cluster.arn.apply(arn => parseClusterArn(arn).account), configExport,
    }, cp.controlPlane.contract, cp.pki);
    const scaler = configExport
        ? createCpScaler(cfg, { ecsClusterArn: cluster.arn, controlPlane: cp.controlPlane, groups: dp.groups, configExport, kmsKeyArn: key.arn })
        : undefined;
    // EKS DP groups (the mixed topology) join the same edge and dial the same CP.
    const eks = cfg.eks ? createEksRuntime(cfg, {
        network: vpc.refs, kmsKeyArn: key.arn, region: cfg.region, pki: cp.pki, edge: dp.edge,
        controlPlane: { runtime: "ecs", contract: cp.controlPlane.contract }, pluginImage,
    }) : undefined;
    const groups = [...dp.arrows, ...(eks?.arrows ?? [])];

    // Every security-group arrow between the components above, in one place.
    drawSecurityGroupTable({
        vpcCidr: cfg.network.vpcCidr,
        edge: { name: EDGE_NAME, securityGroupId: dp.edge.securityGroupId, httpRedirect: cfg.edge.httpRedirect },
        groups,
        controlPlane: {
            name: `${cfg.name}-cp`, component: cp.controlPlane,
            securityGroupId: cp.controlPlane.securityGroupId, databaseSecurityGroupId: cp.controlPlane.databaseSecurityGroupId,
        },
        tags: { ...cfg.tags },
    });

    // The watch over all of the above; with the scale-to-zero controller, the CP alarm reads the
    // controller's start-pending metric instead of expecting a running task (stacks/observability.ts).
    const watch = createObservability(cfg, {
        ecsClusterName: cluster.name, kmsKeyArn: key.arn,
        controlPlane: cp.controlPlane, database: cp.database, dataPlanes: dp,
        scaler: scaler && cfg.controlPlane.scaleToZero && {
            metricNamespace: scaler.scaler.metricNamespace,
            startTimeoutMinutes: cfg.controlPlane.scaleToZero.startTimeoutMinutes,
            logGroupName: scaler.scaler.logGroupName,
        },
    });

    return {
        ...platformOutputs(cfg, vpc, key),
        ecsClusterArn: cluster.arn,
        ...cp.outputs,
        ...dp.outputs,
        alarmTopicArn: watch.topicArn,
        dashboardName: watch.dashboardName,
        ...scaler?.outputs,
        ...eks?.outputs,
        ...createDataPlaneRedis(cfg, { network: vpc.refs, kmsKeyArn: key.arn, groups }),
        adminKeyCommand: cp.outputs.adminKeySecretArn.apply(arn => adminKeyReadCommand(arn, cfg.region)),
    };
}

/**
 * The stack's ECR pull-through cache of ECR Public (no credentials needed): the first pull of an
 * image copies it into <prefix>/… in this account's registry, later pulls are served from there.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html
 */
function createPullThroughCache(namePrefix: string): PullThroughCache {
    const ecrRepositoryPrefix = pullThroughPrefix(namePrefix);
    const rule = new aws.ecr.PullThroughCacheRule(`${namePrefix}-ecr-public`, {
        ecrRepositoryPrefix,
        upstreamRegistryUrl: ECR_PUBLIC_REGISTRY,
    });
    return { ecrRepositoryPrefix, rule };
}
