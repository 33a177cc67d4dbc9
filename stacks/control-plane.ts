import * as pulumi from "@pulumi/pulumi";
import type { NetworkRefs } from "../components/contracts";
import { ControlPlane, controlPlaneHostname, type ConfigExportTarget } from "../components/control-plane";
import type { PullThroughCache } from "../components/ecs/image-source";
import type { PluginImageRef } from "../components/kong/plugins";
import { PrivateCa } from "../components/private-ca";
import { AdminKey, Database } from "../components/database";
import type { StackConfig } from "./config";

/** What the platform (Vpc, stack KMS key, ECS cluster) hands the Control Plane half of a stack. */
export interface ControlPlanePlatform {
    network: NetworkRefs;
    kmsKeyArn: pulumi.Input<string>;
    ecsClusterArn: pulumi.Input<string>;
    /** AZ names in subnet order: Aurora's writer goes in the first, the reader in the second. */
    availabilityZones?: string[];
    /** The stack's ECR pull-through cache, when imageSource is ecr-pull-through. */
    pullThroughCache?: PullThroughCache;
    /** The stack's plugin image (kongPluginsDir), when it has custom plugins. */
    pluginImage?: PluginImageRef;
    /** The configuration export bucket, when the CP may sleep (stacks/cp-scaler.ts). */
    configExport?: ConfigExportTarget;
}

export interface ControlPlaneStack {
    pki: PrivateCa;
    controlPlane: ControlPlane;
    database: Database;
    /** Stack outputs of this half. */
    outputs: {
        controlPlaneHostname: string;
        clusterEndpoint: string;
        /** With the two above and caCertificatePem: what a DP stack elsewhere builds its ControlPlaneContract from. */
        controlPlaneKongImage: string;
        controlPlaneSecurityGroupId: pulumi.Output<string>;
        databaseEndpoint: pulumi.Output<string>;
        adminKeySecretArn: pulumi.Output<string>;
        migrationsFinishCommand: pulumi.Output<string>;
        caCertificatePem: pulumi.Output<string>;
        caArn?: pulumi.Output<string>;
    };
}

/**
 * The CA and the Control Plane for a validated stack config. The hostname is decided first, so the
 * CP certificate names exactly the DNS name Cloud Map will serve.
 */
export function createControlPlane(cfg: StackConfig, platform: ControlPlanePlatform): ControlPlaneStack {
    const { hostname, pki } = createClusterPki(cfg, platform.kmsKeyArn);
    const cpName = `${cfg.name}-cp`;
    const previousParent = controlPlaneParentUrn(cfg);
    const database = createDatabase(cfg, platform);
    const adminKey = new AdminKey(`${cfg.name}-admin-key`, { kmsKeyArn: platform.kmsKeyArn, resourcePrefix: cpName, previousParent, tags: { ...cfg.tags } });
    const controlPlane = new ControlPlane(cpName, {
        network: platform.network,
        ecsClusterArn: platform.ecsClusterArn,
        kmsKeyArn: platform.kmsKeyArn,
        pki,
        hostname,
        kong: cfg.kong.controlPlane,
        deckImage: cfg.kong.deckImage,
        pullThroughCache: platform.pullThroughCache,
        pluginImage: platform.pluginImage,
        cpuArchitecture: cfg.cpuArchitecture,
        licenseSecretArn: cfg.kong.licenseSecretArn,
        cpu: cfg.controlPlane.cpu,
        memory: cfg.controlPlane.memory,
        desiredCount: cfg.controlPlane.desiredCount,
        database,
        adminKey,
        adminAllowedCidrs: cfg.edge.adminAllowedCidrs,
        logRetentionDays: cfg.logs.retentionDays,
        configExport: platform.configExport,
        externallyScaled: cfg.controlPlane.scaleToZero !== undefined,
        tags: { ...cfg.tags },
    });
    return {
        pki,
        controlPlane,
        database,
        outputs: {
            controlPlaneHostname: controlPlane.hostname,
            clusterEndpoint: controlPlane.clusterEndpoint,
            controlPlaneKongImage: cfg.kong.controlPlane.image,
            controlPlaneSecurityGroupId: controlPlane.securityGroupId,
            databaseEndpoint: controlPlane.databaseEndpoint,
            adminKeySecretArn: controlPlane.adminKeySecretArn,
            migrationsFinishCommand: controlPlane.migrationsFinishCommand,
            caCertificatePem: pki.caCertificatePem,
            ...(pki.caArn ? { caArn: pki.caArn } : {}),
        },
    };
}

/** The URN of the ECS ControlPlane that parented the CP's data before the split (for aliases). */
function controlPlaneParentUrn(cfg: StackConfig): string {
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::kong:controlplane:ControlPlane::${cfg.name}-cp`;
}

/** The cluster CA and the CP's hostname (the CP certificate names it; DPs send it as SNI), on any CP runtime. */
export function createClusterPki(cfg: StackConfig, kmsKeyArn: pulumi.Input<string>): { hostname: string; pki: PrivateCa } {
    const hostname = controlPlaneHostname(cfg.name);
    const pki = new PrivateCa(`${cfg.name}-ca`, {
        mode: cfg.ca.mode,
        controlPlaneHostname: hostname,
        validityDays: cfg.ca.validityDays,
        renewBeforeDays: cfg.ca.renewBeforeDays,
        pcaUsageMode: cfg.ca.pcaUsageMode,
        kmsKeyArn,
        production: cfg.production,
        tags: { ...cfg.tags },
    });
    return { hostname, pki };
}

/**
 * The CP's data (Aurora and its managed secret), shared by any CP runtime. These resources were
 * children of the ECS ControlPlane before the split: they keep their names, and the alias to that
 * parent keeps their URNs.
 */
export function createDatabase(cfg: StackConfig, platform: Pick<ControlPlanePlatform, "network" | "kmsKeyArn" | "availabilityZones">): Database {
    return new Database(`${cfg.name}-database`, {
        network: platform.network,
        kmsKeyArn: platform.kmsKeyArn,
        settings: {
            engineVersion: cfg.database.engineVersion,
            minCapacity: cfg.database.minCapacity,
            maxCapacity: cfg.database.maxCapacity,
            secondsUntilAutoPause: cfg.database.secondsUntilAutoPause,
            backupRetentionDays: cfg.database.backupRetentionDays,
            reader: cfg.database.reader,
        },
        availabilityZones: platform.availabilityZones,
        production: cfg.production,
        resourcePrefix: `${cfg.name}-cp`,
        previousParent: controlPlaneParentUrn(cfg),
        tags: { ...cfg.tags },
    });
}
