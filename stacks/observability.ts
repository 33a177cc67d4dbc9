import * as pulumi from "@pulumi/pulumi";
import type { ControlPlane } from "../components/control-plane";
import type { Database } from "../components/database";
import type { Edge } from "../components/edge";
import { Observability, webAclNameFromArn, type DataPlaneGroupRef, type EcsControlPlaneRef, type ObservabilityArgs } from "../components/observability";
import type { StackConfig } from "./config";
import { EDGE_NAME, groupComponentName, type DataPlaneOutputs } from "./data-plane";

// The stack's watch, wired from what the stack built: one SNS topic (kong-hybrid:alarmSubscriptions),
// the alarms and the dashboard of components/observability over the CP, every DP group, Aurora, the
// edge certificate and the web ACL. The CP on ECS (createObservability) or on EKS
// (createEksControlPlaneObservability); everything else is the same watch (watchedStackArgs).

/**
 * Container Insights on the stack's ECS cluster: the cluster setting and the alarms read this one
 * rule (with it, RunningTaskCount per service; without it, the alarms fall back to ALB and ECS metrics).
 */
export function containerInsights(cfg: Pick<StackConfig, "production">): boolean {
    return cfg.production;
}

/** What every stack's watch reads, whatever runs the CP. */
export interface WatchedPlatform {
    kmsKeyArn: pulumi.Input<string>;
    database: Database;
    dataPlanes: Pick<DataPlaneOutputs, "edge" | "groups" | "loadBalancers">;
}

/** A stack whose CP is an ECS service. */
export interface WatchedStack extends WatchedPlatform {
    /** The ECS cluster's name: the ClusterName dimension. */
    ecsClusterName: pulumi.Input<string>;
    controlPlane: ControlPlane;
    /**
     * The scale-to-zero controller, when the stack has one (stacks/cp-scaler.ts): the CP alarm then
     * reads the controller's start-pending metric instead of expecting a task at all times.
     */
    scaler?: EcsControlPlaneRef["scaler"];
}

/**
 * The DP groups the watch sees: every ECS group (its service's task count, and its load
 * balancer's alarms), and every public EKS group (the shared ALB's alarms on its target group,
 * whose healthy targets are its pods: no task count). EKS groups are public only (stacks/data-planes-config.ts).
 */
export function watchedGroups(cfg: Pick<StackConfig, "dataPlanes">, w: { ecsClusterName?: pulumi.Input<string>; dataPlanes: WatchedPlatform["dataPlanes"] }): DataPlaneGroupRef[] {
    return cfg.dataPlanes.flatMap((g): DataPlaneGroupRef[] => {
        const name = groupComponentName(g);
        if (g.runtime === "ecs") {
            // The config refuses ECS groups beside a CP on EKS (stacks/eks-config.ts): no ECS cluster here is a wiring bug.
            if (!w.ecsClusterName) throw new Error(`watchedGroups: DP group ${name} runs on ECS but the stack has no ECS cluster`);
            return [{
                group: name,
                ecs: { clusterName: w.ecsClusterName, serviceName: w.dataPlanes.groups[name].serviceName, minTasks: g.minCount },
                // A public group is behind the shared edge ALB; an internal one has its own.
                alb: { ...w.dataPlanes.loadBalancers[name], loadBalancer: g.exposure === "public" ? EDGE_NAME : `${name}-ilb` },
            }];
        }
        const edge = w.dataPlanes.edge;
        return [{
            group: name,
            // The HPA keeps at least minCount pods, each an IP target of the group's target group.
            eks: { minPods: g.minCount },
            alb: { loadBalancerArnSuffix: edge.loadBalancerArnSuffix, targetGroupArnSuffix: edge.targetGroups[name].arnSuffix, loadBalancer: EDGE_NAME },
        }];
    });
}

/**
 * The web ACLs the watch reads: the edge's, by name (the WebACL dimension); none when the stack runs
 * without a WAF (`waf: false`). The one place the edge's ACL is read.
 */
export function edgeWebAcls(edge: Pick<Edge, "webAclArn">): ObservabilityArgs["webAcls"] {
    return edge.webAclArn ? [{ name: edge.webAclArn.apply(webAclNameFromArn) }] : [];
}

/** Every stack's watch but the CP: the topic and its subscriptions, the DP groups, Aurora, the edge's certificate and web ACL. */
function watchedStackArgs(cfg: StackConfig, w: WatchedPlatform & { ecsClusterName?: pulumi.Input<string> }): Omit<ObservabilityArgs, "controlPlane" | "containerInsights"> {
    return {
        namePrefix: cfg.name,
        region: cfg.region,
        kmsKeyArn: w.kmsKeyArn,
        subscriptions: [...cfg.alarms.subscriptions],
        dataPlanes: watchedGroups(cfg, w),
        database: { clusterIdentifier: w.database.clusterIdentifier, maxCapacity: cfg.database.maxCapacity },
        certificates: [{ name: "edge", arn: w.dataPlanes.edge.certificateArn }],
        webAcls: edgeWebAcls(w.dataPlanes.edge),
        tags: { ...cfg.tags },
    };
}

export function createObservability(cfg: StackConfig, w: WatchedStack): Observability {
    return new Observability(`${cfg.name}-watch`, {
        ...watchedStackArgs(cfg, w),
        containerInsights: containerInsights(cfg),
        controlPlane: {
            clusterName: w.ecsClusterName,
            serviceName: w.controlPlane.serviceName,
            desiredCount: cfg.controlPlane.desiredCount,
            scaler: w.scaler,
        },
    });
}

/**
 * The watch of a stack whose CP runs on EKS (controlPlaneRuntime eks): no ECS cluster, so no
 * Container Insights; the CP is watched through its connections to Aurora (components/observability/alarms.ts).
 */
export function createEksControlPlaneObservability(cfg: StackConfig, w: WatchedPlatform): Observability {
    if (!cfg.eks) throw new Error("createEksControlPlaneObservability: the stack config has no EKS settings");
    return new Observability(`${cfg.name}-watch`, {
        ...watchedStackArgs(cfg, w),
        containerInsights: false,
        controlPlane: { runtime: "eks", replicas: cfg.eks.controlPlane.replicas },
    });
}
