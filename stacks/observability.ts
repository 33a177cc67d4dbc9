import * as pulumi from "@pulumi/pulumi";
import type { ControlPlane } from "../components/control-plane";
import type { Database } from "../components/database";
import { Observability, webAclNameFromArn, type ControlPlaneRef, type DataPlaneGroupRef } from "../components/observability";
import type { StackConfig } from "./config";
import { groupComponentName, type DataPlaneOutputs } from "./data-plane";

// The stack's watch, wired from what the stack built: one SNS topic (kong-hybrid:alarmSubscriptions),
// the alarms and the dashboard of components/observability over the CP, every DP group, Aurora, the
// edge certificate and the web ACL.

/**
 * Container Insights on the stack's ECS cluster: the cluster setting and the alarms read this one
 * rule (with it, RunningTaskCount per service; without it, the alarms fall back to ALB and ECS metrics).
 */
export function containerInsights(cfg: Pick<StackConfig, "production">): boolean {
    return cfg.production;
}

export interface WatchedStack {
    /** The ECS cluster's name: the ClusterName dimension. */
    ecsClusterName: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    controlPlane: ControlPlane;
    database: Database;
    dataPlanes: Pick<DataPlaneOutputs, "edge" | "groups" | "loadBalancers">;
    /**
     * The scale-to-zero controller, when the stack has one (stacks/cp-scaler.ts): the CP alarm then
     * reads the controller's start-pending metric instead of expecting a task at all times.
     */
    scaler?: ControlPlaneRef["scaler"];
}

/**
 * The DP groups the watch sees: every ECS group (its service's task count, and its load
 * balancer's alarms), and every public EKS group (the shared ALB's alarms on its target group;
 * its pods are the HPA's, so no task count). EKS groups are public only (stacks/data-planes-config.ts).
 */
export function watchedGroups(cfg: Pick<StackConfig, "dataPlanes">, w: Pick<WatchedStack, "ecsClusterName" | "dataPlanes">): DataPlaneGroupRef[] {
    return cfg.dataPlanes.flatMap((g): DataPlaneGroupRef[] => {
        const name = groupComponentName(g);
        if (g.runtime === "ecs") {
            return [{
                group: name,
                ecs: { clusterName: w.ecsClusterName, serviceName: w.dataPlanes.groups[name].serviceName, minTasks: g.minCount },
                alb: w.dataPlanes.loadBalancers[name],
            }];
        }
        const edge = w.dataPlanes.edge;
        return [{ group: name, alb: { loadBalancerArnSuffix: edge.loadBalancerArnSuffix, targetGroupArnSuffix: edge.targetGroups[name].arnSuffix } }];
    });
}

/** The edge's web ACL for the WAF alarm and widget; none when the stack runs without a WAF (`waf: false`). */
export function webAclsOf(edge: Pick<DataPlaneOutputs["edge"], "webAclArn">): { name: pulumi.Output<string> }[] {
    return edge.webAclArn ? [{ name: edge.webAclArn.apply(webAclNameFromArn) }] : [];
}

export function createObservability(cfg: StackConfig, w: WatchedStack): Observability {
    return new Observability(`${cfg.name}-watch`, {
        namePrefix: cfg.name,
        region: cfg.region,
        kmsKeyArn: w.kmsKeyArn,
        subscriptions: [...cfg.alarms.subscriptions],
        containerInsights: containerInsights(cfg),
        dataPlanes: watchedGroups(cfg, w),
        controlPlane: {
            clusterName: w.ecsClusterName,
            serviceName: w.controlPlane.serviceName,
            desiredCount: cfg.controlPlane.desiredCount,
            scaler: w.scaler,
        },
        database: { clusterIdentifier: w.database.clusterIdentifier, maxCapacity: cfg.database.maxCapacity },
        certificates: [{ name: "edge", arn: w.dataPlanes.edge.certificateArn }],
        webAcls: webAclsOf(w.dataPlanes.edge),
        tags: { ...cfg.tags },
    });
}
