// A read-only view of a plan (the JSON `npm run plan -- --json` writes, the shape of
// `pulumi preview --json`) for the estimates and the diagram: the policy pack's resolver reads the
// references, so roles (CP, DP, ALB, database) and security-group rules are found the same way
// the pack finds them, by structure.

import type { PolicyResource } from "@pulumi/policy";
import { planResources, type Plan } from "../../policy/offline";
import { Graph, type Resource } from "../../policy/lib/resolver";
import { ecsServices, type EcsService } from "../../policy/lib/topology";
import { T } from "../../policy/lib/types";
import { plain } from "../../policy/lib/values";

export interface PlanView {
    graph: Graph<Resource>;
    /** Plain inputs of a resource (the engine's proxy unwrapped). */
    props(r: Resource): Record<string, any>;
    ofType(type: string): Resource[];
    services: EcsService[];
    /** Control Plane and Data Plane services, by the KONG_ROLE their containers run. */
    cpServices: EcsService[];
    dpServices: EcsService[];
}

export function viewPlan(plan: Plan): PlanView {
    const resources = planResources(plan) as PolicyResource[];
    const graph = new Graph(resources as unknown as Resource[]);
    const services = ecsServices(graph);
    return {
        graph,
        props: r => plain(r.props) ?? {},
        ofType: type => graph.ofType(type),
        services,
        cpServices: services.filter(s => s.roles.has("control_plane")),
        dpServices: services.filter(s => s.roles.has("data_plane") && !s.roles.has("control_plane")),
    };
}

export function serviceName(s: EcsService): string {
    return s.service.name.replace(/-service$/, "");
}

/** The target groups a service registers its tasks in (its `loadBalancers`). */
export function targetGroupsOf(view: PlanView, s: EcsService): Resource[] {
    return view.graph.refs(s.service, "loadBalancers", [T.targetGroup]).targets;
}
