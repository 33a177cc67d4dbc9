import * as pulumi from "@pulumi/pulumi";
import type { ConfigExportTarget, ControlPlane } from "../components/control-plane";
import { ConfigExportBucket, CpScaler } from "../components/cp-scaler";
import { exportObjectKey } from "../components/cp-scaler/export";
import type { DataPlane } from "../components/data-plane";
import type { StackConfig } from "./config";

// kong-hybrid:cpScaleToZero → the configuration export bucket (created before the CP and DP
// groups, whose task definitions name it) and the controller (created after them, as it names
// their services, target groups and log groups). Off: nothing here is created.
// How the controller decides: components/cp-scaler/README.md.

/** The bucket the CP exports its configuration to, or undefined when the CP never sleeps. */
export function createConfigExport(cfg: StackConfig, kmsKeyArn: pulumi.Input<string>): ConfigExportTarget | undefined {
    if (!cfg.controlPlane.scaleToZero) return undefined;
    const bucket = new ConfigExportBucket(`${cfg.name}-config-export`, { kmsKeyArn, production: cfg.production, tags: { ...cfg.tags } });
    return { bucketName: bucket.bucketName, bucketArn: bucket.bucketArn };
}

export interface ScaledStack {
    ecsClusterArn: pulumi.Input<string>;
    controlPlane: ControlPlane;
    /** Every ECS DP group by component name. */
    groups: Record<string, DataPlane>;
    configExport: ConfigExportTarget;
    kmsKeyArn: pulumi.Input<string>;
}

/** The controller for the stack's CP and every DP group; its stack output is what `npm run cp` invokes. */
export function createCpScaler(cfg: StackConfig, s: ScaledStack): { scaler: CpScaler; outputs: { cpScalerFunctionName: pulumi.Output<string> } } {
    const settings = cfg.controlPlane.scaleToZero;
    if (!settings) throw new Error("createCpScaler: cpScaleToZero is off for this stack");
    const dataPlanes = Object.entries(s.groups).map(([name, g]) => {
        // Every group of this program sits behind a load balancer; a target group's health is how the controller sees a DP without configuration.
        if (!g.targetGroupArn) throw new Error(`cpScaleToZero: DP group ${name} has no target group; the controller needs one per group`);
        return { clusterArn: s.ecsClusterArn, serviceName: g.serviceName, serviceArn: g.serviceArn, logGroupName: g.logGroupName, targetGroupArn: g.targetGroupArn };
    });
    const scaler = new CpScaler(`${cfg.name}-cp-scaler`, {
        namePrefix: cfg.name,
        controlPlane: {
            clusterArn: s.ecsClusterArn,
            serviceName: s.controlPlane.serviceName,
            serviceArn: s.controlPlane.serviceArn,
            logGroupName: s.controlPlane.kongLogGroupName,
        },
        dataPlanes,
        // The CP writes the export of its own Kong version; that object's age is what the stop rule checks.
        export: { bucketName: s.configExport.bucketName, bucketArn: s.configExport.bucketArn, key: exportObjectKey(cfg.kong.controlPlane) },
        settings,
        kmsKeyArn: s.kmsKeyArn,
        logRetentionDays: cfg.logs.retentionDays,
        tags: { ...cfg.tags },
    });
    return { scaler, outputs: { cpScalerFunctionName: scaler.functionName } };
}
