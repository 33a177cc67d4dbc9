import type * as pulumi from "@pulumi/pulumi";
import { imagePlatform } from "../components/ecs/container";
import { nodePlatform } from "../components/eks/cluster";
import { KongPluginImage, type KongPlatform } from "../components/kong/plugins";
import type { StackConfig } from "./config";

// kong-hybrid:kongPluginsDir → one Kong image with the stack's custom plugins, built FROM kongImage
// for every platform the stack's Kong nodes run on and pushed to the stack's ECR repository. The CP
// and every DP group, on ECS and on EKS, run it with the same `plugins` (config validation refuses
// a group that would not).

/**
 * The platforms the plugin image is built for: the ECS tasks' CPU when a Kong role runs on ECS,
 * the EKS nodes' when one runs on EKS; one platform when they agree, both when they differ.
 */
export function kongPlatforms(cfg: Pick<StackConfig, "controlPlaneRuntime" | "dataPlanes" | "cpuArchitecture" | "eks">): KongPlatform[] {
    const onEcs = cfg.controlPlaneRuntime === "ecs" || cfg.dataPlanes.some(g => g.runtime === "ecs");
    const platforms = [
        ...(onEcs ? [imagePlatform(cfg.cpuArchitecture)] : []),
        ...(cfg.eks ? [nodePlatform(cfg.eks.nodeGroup)] : []),
    ];
    return [...new Set(platforms)].sort();
}

export function createPluginImage(cfg: StackConfig, kmsKeyArn: pulumi.Input<string>): KongPluginImage | undefined {
    if (!cfg.kong.plugins) return undefined;
    return new KongPluginImage(`${cfg.name}-plugins`, {
        namePrefix: cfg.name,
        folder: cfg.kong.plugins.dir,
        baseImage: cfg.kong.controlPlane.image,
        platforms: kongPlatforms(cfg),
        kmsKeyArn,
        // A production repository keeps its images (rollbacks) when the stack is destroyed.
        forceDelete: !cfg.production,
        tags: { ...cfg.tags },
    });
}
