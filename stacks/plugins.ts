import type * as pulumi from "@pulumi/pulumi";
import { imagePlatform } from "../components/ecs/container";
import { KongPluginImage } from "../components/kong/plugins";
import type { StackConfig } from "./config";

// kong-hybrid:kongPluginsDir → one Kong image with the stack's custom plugins, built FROM kongImage
// for the tasks' CPU and pushed to the stack's ECR repository. The CP and every DP group run it
// with the same `plugins` (config validation refuses a group that would not).

export function createPluginImage(cfg: StackConfig, kmsKeyArn: pulumi.Input<string>): KongPluginImage | undefined {
    if (!cfg.kong.plugins) return undefined;
    return new KongPluginImage(`${cfg.name}-plugins`, {
        namePrefix: cfg.name,
        folder: cfg.kong.plugins.dir,
        baseImage: cfg.kong.controlPlane.image,
        platform: imagePlatform(cfg.cpuArchitecture),
        kmsKeyArn,
        // A production repository keeps its images (rollbacks) when the stack is destroyed.
        forceDelete: !cfg.production,
        tags: { ...cfg.tags },
    });
}
