import * as pulumi from "@pulumi/pulumi";
import type { ClusterPki, ControlPlaneContract, NetworkRefs } from "../components/contracts";
import { DataPlane, type LoadBalancerAttachment } from "../components/data-plane";
import type { PullThroughCache } from "../components/ecs/image-source";
import type { PluginImageRef } from "../components/kong/plugins";
import { Edge } from "../components/edge";
import { InternalLoadBalancer } from "../components/internal-lb";
import type { ConfigExportTarget } from "../components/control-plane";
import type { StackConfig } from "./config";
import type { DataPlaneGroupConfig } from "./data-planes-config";
import type { GroupArrows } from "./network";

// Config → the shared edge and the DP groups (kong-hybrid:dataPlanes). The edge is a peer of the
// groups: one internet-facing ALB per stack that every public group joins with its own target
// group; an internal group gets an internal ALB in the private subnets. The security-group arrows
// between them are drawn by stacks/network.ts from what this returns.

/** What the stack provides every DP group. */
export interface DataPlanePlatform {
    network: NetworkRefs;
    /** The ECS cluster, with FARGATE and FARGATE_SPOT capacity providers attached (absent when no group runs on ECS). */
    ecsClusterArn?: pulumi.Input<string>;
    /** The account that owns the stack (the ELB log-delivery path names it). */
    accountId: pulumi.Input<string>;
    /** The stack's KMS key (log groups; its key policy allows CloudWatch Logs). */
    kmsKeyArn: pulumi.Input<string>;
    /** The stack's ECR pull-through cache, when imageSource is ecr-pull-through. */
    pullThroughCache?: PullThroughCache;
    /** The stack's plugin image (kongPluginsDir): every group runs it (validation refused a group with its own image). */
    pluginImage?: PluginImageRef;
    /** The CP's configuration export, when the CP may sleep (stacks/cp-scaler.ts). */
    configExport?: ConfigExportTarget;
}

export interface DataPlaneOutputs {
    edge: Edge;
    /** Every ECS group by component name (dp-public, ...); EKS groups are built by stacks/eks.ts behind the same edge. */
    groups: Record<string, DataPlane>;
    /** Each group's place in the security-group table. */
    arrows: GroupArrows[];
    /** Each group's load balancer and target group ARN suffixes (the AWS/ApplicationELB dimensions), by component name. */
    loadBalancers: Record<string, Pick<LoadBalancerAttachment, "loadBalancerArnSuffix" | "targetGroupArnSuffix">>;
    /** The stack outputs this slice contributes; the CP half adds its DNS name, the CA and the admin key secret. */
    outputs: {
        gatewayUrl: string;
        adminApiUrl: string;
        albDnsName: pulumi.Output<string>;
        /** True when the gateway's certificate is the imported self-signed one (no hosted zone). */
        selfSignedCertificate: boolean;
        /** The internal groups' load balancers by group name (only when the stack has internal groups). */
        internalLoadBalancers?: Record<string, pulumi.Output<string>>;
    };
}

/**
 * The shared edge keeps the name it had as the child of the single public group dp-public, so an
 * upgrade changes only its parent (carried by an alias) and no physical name.
 */
export const EDGE_NAME = "dp-public-edge";

export const groupComponentName = (g: Pick<DataPlaneGroupConfig, "name">) => `dp-${g.name}`;

export function createDataPlanes(cfg: StackConfig, platform: DataPlanePlatform, controlPlane: ControlPlaneContract, pki: ClusterPki): DataPlaneOutputs {
    const publicGroups = cfg.dataPlanes.filter(g => g.exposure === "public");
    const edge = new Edge(EDGE_NAME, {
        network: platform.network,
        groups: publicGroups.map(g => ({ name: groupComponentName(g), weight: g.weight })),
        accountId: platform.accountId,
        domain: cfg.edge.domain,
        hostedZoneName: cfg.edge.hostedZoneName,
        adminAllowedCidrs: cfg.edge.adminAllowedCidrs,
        sslPolicy: cfg.edge.sslPolicy,
        httpRedirect: cfg.edge.httpRedirect,
        waf: cfg.edge.waf,
        wafRateLimit: cfg.edge.wafRateLimit,
        accessLogRetentionDays: cfg.edge.accessLogRetentionDays,
        production: cfg.production,
        tags: { ...cfg.tags },
    }, { aliases: [{ parent: pulumi.createUrn("dp-public", "kong:dataplane:DataPlane") }] });

    const groups: Record<string, DataPlane> = {};
    const arrows: GroupArrows[] = [];
    const internalLoadBalancers: Record<string, pulumi.Output<string>> = {};
    const loadBalancers: DataPlaneOutputs["loadBalancers"] = {};
    for (const g of cfg.dataPlanes) {
        if (g.runtime !== "ecs") continue;
        if (!platform.ecsClusterArn) throw new Error(`createDataPlanes: group ${g.name} runs on ECS but the stack has no ECS cluster`);
        const name = groupComponentName(g);
        let loadBalancer: LoadBalancerAttachment;
        let place: GroupArrows["loadBalancer"];
        if (g.exposure === "public") {
            const tg = edge.targetGroups[name];
            loadBalancer = { targetGroupArn: tg.arn, targetGroupArnSuffix: tg.arnSuffix, loadBalancerArnSuffix: edge.loadBalancerArnSuffix, listener: edge.httpsListener };
            place = { kind: "edge" };
        } else {
            const ilb = new InternalLoadBalancer(`${name}-ilb`, {
                network: platform.network,
                certificateArn: edge.certificateArn,
                sslPolicy: cfg.edge.sslPolicy,
                accessLogs: edge.accessLogs,
                production: cfg.production,
                tags: { ...cfg.tags },
            });
            loadBalancer = { targetGroupArn: ilb.targetGroupArn, targetGroupArnSuffix: ilb.targetGroupArnSuffix, loadBalancerArnSuffix: ilb.loadBalancerArnSuffix, listener: ilb.httpsListener };
            place = { kind: "internal", name: `${name}-ilb`, securityGroupId: ilb.securityGroupId };
            internalLoadBalancers[g.name] = ilb.dnsName;
        }
        const group = new DataPlane(name, {
            network: platform.network,
            ecsClusterArn: platform.ecsClusterArn,
            kmsKeyArn: platform.kmsKeyArn,
            controlPlane,
            pki,
            kong: g.kong,
            pullThroughCache: platform.pullThroughCache,
            pluginImage: platform.pluginImage,
            cpuArchitecture: cfg.cpuArchitecture,
            licenseSecretArn: cfg.kong.licenseSecretArn,
            cpu: g.cpu,
            memory: g.memory,
            minCount: g.minCount,
            maxCount: g.maxCount,
            desiredCount: g.desiredCount,
            spotPercent: g.spotPercent,
            logRetentionDays: cfg.logs.retentionDays,
            namePrefix: cfg.name,
            loadBalancer,
            configExport: platform.configExport,
            tags: { ...cfg.tags },
        });
        groups[name] = group;
        loadBalancers[name] = { loadBalancerArnSuffix: loadBalancer.loadBalancerArnSuffix, targetGroupArnSuffix: loadBalancer.targetGroupArnSuffix };
        arrows.push({
            name, component: group, securityGroupId: group.securityGroupId, loadBalancer: place,
            upstreamEgressCidrs: cfg.dataPlane.upstreamEgressCidrs, upstreamEgressPorts: cfg.dataPlane.upstreamEgressPorts,
        });
    }

    const gatewayUrl = edge.url;
    return {
        edge,
        groups,
        arrows,
        loadBalancers,
        outputs: {
            gatewayUrl,
            adminApiUrl: `${gatewayUrl}/kong-admin`,
            // No Kong Manager hint: Kong Manager reads its Admin API URL from /kconfig.js
            // (admin_gui_api_url) and sends no apikey header, so it cannot use /kong-admin as
            // built (https://github.com/Kong/kong/blob/3.9.3/kong/admin_gui/init.lua). README "Known limits".
            albDnsName: edge.dnsName,
            selfSignedCertificate: edge.selfSignedCertificate,
            ...(Object.keys(internalLoadBalancers).length ? { internalLoadBalancers } : {}),
        },
    };
}

/** The command that prints the admin API key (kept in Secrets Manager by the ControlPlane). */
export function adminKeyReadCommand(secretArn: string, region: string): string {
    return `aws secretsmanager get-secret-value --region ${region} --secret-id ${secretArn} --query SecretString --output text`;
}
