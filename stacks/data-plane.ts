import * as pulumi from "@pulumi/pulumi";
import type { ClusterPki, ControlPlaneContract, NetworkRefs } from "../components/contracts";
import { DataPlane } from "../components/data-plane";
import type { PullThroughCache } from "../components/ecs/image-source";
import type { StackConfig } from "./config";

// Config → Data Plane groups. The source design (docs/facts/design.md §1) has one public group behind the shared ALB; another group
// (an internal one, a bigger one, one on another runtime) is one more `new DataPlane(...)` here.

/** What the stack provides every DP group. */
export interface DataPlanePlatform {
    network: NetworkRefs;
    /** The ECS cluster, with FARGATE and FARGATE_SPOT capacity providers attached. */
    ecsClusterArn: pulumi.Input<string>;
    /** The stack's KMS key (log groups; its key policy allows CloudWatch Logs). */
    kmsKeyArn: pulumi.Input<string>;
    /** The stack's ECR pull-through cache, when imageSource is ecr-pull-through. */
    pullThroughCache?: PullThroughCache;
}

export interface DataPlaneOutputs {
    /** The public group (behind the ALB). */
    public: DataPlane;
    /** Every group by name. */
    groups: Record<string, DataPlane>;
    /** The stack outputs this slice contributes; the CP half adds its DNS name, the CA and the admin key secret. */
    outputs: {
        gatewayUrl: string;
        adminApiUrl: string;
        albDnsName: pulumi.Output<string>;
        /** True when the gateway's certificate is the imported self-signed one (no hosted zone). */
        selfSignedCertificate: boolean;
    };
}

/** The settings every group of this stack shares; a group overrides what differs. */
function groupDefaults(cfg: StackConfig, platform: DataPlanePlatform, controlPlane: ControlPlaneContract, pki: ClusterPki) {
    return {
        network: platform.network,
        ecsClusterArn: platform.ecsClusterArn,
        kmsKeyArn: platform.kmsKeyArn,
        controlPlane,
        pki,
        kong: cfg.kong.dataPlane,
        pullThroughCache: platform.pullThroughCache,
        licenseSecretArn: cfg.kong.licenseSecretArn,
        cpu: cfg.dataPlane.cpu,
        memory: cfg.dataPlane.memory,
        minCount: cfg.dataPlane.minCount,
        maxCount: cfg.dataPlane.maxCount,
        desiredCount: cfg.dataPlane.desiredCount,
        spotPercent: cfg.dataPlane.spotPercent,
        upstreamEgressCidrs: cfg.dataPlane.upstreamEgressCidrs,
        upstreamEgressPorts: cfg.dataPlane.upstreamEgressPorts,
        logRetentionDays: cfg.logs.retentionDays,
        namePrefix: cfg.name,
        production: cfg.production,
        tags: { ...cfg.tags },
    };
}

export function createDataPlanes(cfg: StackConfig, platform: DataPlanePlatform, controlPlane: ControlPlaneContract, pki: ClusterPki): DataPlaneOutputs {
    const defaults = groupDefaults(cfg, platform, controlPlane, pki);
    const publicGroup = new DataPlane("dp-public", {
        ...defaults,
        edge: {
            domain: cfg.edge.domain,
            hostedZoneName: cfg.edge.hostedZoneName,
            adminAllowedCidrs: cfg.edge.adminAllowedCidrs,
            sslPolicy: cfg.edge.sslPolicy,
            httpRedirect: cfg.edge.httpRedirect,
            wafRateLimit: cfg.edge.wafRateLimit,
            accessLogRetentionDays: cfg.edge.accessLogRetentionDays,
        },
    });
    // Another group, e.g. for internal consumers without a load balancer of its own:
    //   const internal = new DataPlane("dp-internal", { ...defaults, minCount: 1, maxCount: 2, edge: undefined });

    const gatewayUrl = publicGroup.edge!.url;
    const adminApiUrl = `${gatewayUrl}/kong-admin`;
    return {
        public: publicGroup,
        groups: { "dp-public": publicGroup },
        outputs: {
            gatewayUrl,
            adminApiUrl,
            // No Kong Manager hint: Kong Manager reads its Admin API URL from /kconfig.js
            // (admin_gui_api_url) and sends no apikey header, so it cannot use /kong-admin as
            // built (https://github.com/Kong/kong/blob/3.9.3/kong/admin_gui/init.lua). README "Known limits".
            albDnsName: publicGroup.edge!.dnsName,
            selfSignedCertificate: publicGroup.edge!.selfSignedCertificate,
        },
    };
}

/** The command that prints the admin API key (kept in Secrets Manager by the ControlPlane). */
export function adminKeyReadCommand(secretArn: string, region: string): string {
    return `aws secretsmanager get-secret-value --region ${region} --secret-id ${secretArn} --query SecretString --output text`;
}
