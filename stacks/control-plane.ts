import * as pulumi from "@pulumi/pulumi";
import type { NetworkRefs } from "../components/contracts";
import { ControlPlane, controlPlaneHostname, type ConfigExportTarget } from "../components/control-plane";
import type { PullThroughCache } from "../components/ecs/image-source";
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
    /** The configuration export bucket, when the CP may sleep (stacks/cp-scaler.ts). */
    configExport?: ConfigExportTarget;
}

export interface ControlPlaneStack {
    pki: PrivateCa;
    controlPlane: ControlPlane;
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
    const hostname = controlPlaneHostname(cfg.name);
    const pki = new PrivateCa(`${cfg.name}-ca`, {
        mode: cfg.ca.mode,
        controlPlaneHostname: hostname,
        validityDays: cfg.ca.validityDays,
        renewBeforeDays: cfg.ca.renewBeforeDays,
        pcaUsageMode: cfg.ca.pcaUsageMode,
        kmsKeyArn: platform.kmsKeyArn,
        production: cfg.production,
        tags: { ...cfg.tags },
    });
    // The CP's data, shared by any CP runtime. These resources were children of the ControlPlane
    // before the split: they keep their names, and the alias to that parent keeps their URNs.
    const cpName = `${cfg.name}-cp`;
    const previousParent = `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::kong:controlplane:ControlPlane::${cpName}`;
    const database = new Database(`${cfg.name}-database`, {
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
        resourcePrefix: cpName,
        previousParent,
        tags: { ...cfg.tags },
    });
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
