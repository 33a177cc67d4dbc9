import type { ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { Graph, Resource } from "../lib/resolver";
import { KongRelease, kongReleases, podSecurityGroups, PodSecurityGroups } from "../lib/kube";
import { ecsServices, EcsService, roleGroups, Roles, sgRules, SgRule } from "../lib/topology";

// One graph per stack evaluation, shared by the stack policies (the engine passes each policy
// the same resource list for one stack).
const cache = new WeakMap<object, { graph: Graph; roles?: Roles; rules?: SgRule[]; services?: EcsService[]; releases?: KongRelease[]; podSgs?: PodSecurityGroups[] }>();

function entry(args: StackValidationArgs) {
    let e = cache.get(args.resources);
    if (!e) {
        e = { graph: new Graph(args.resources as unknown as Resource[]) };
        cache.set(args.resources, e);
    }
    return e;
}

export function graphOf(args: StackValidationArgs): Graph {
    return entry(args).graph;
}

export function rolesOf(args: StackValidationArgs): Roles {
    const e = entry(args);
    return (e.roles ??= roleGroups(e.graph));
}

export function rulesOf(args: StackValidationArgs): SgRule[] {
    const e = entry(args);
    return (e.rules ??= sgRules(e.graph));
}

export function servicesOf(args: StackValidationArgs): EcsService[] {
    const e = entry(args);
    return (e.services ??= ecsServices(e.graph));
}

export function releasesOf(args: StackValidationArgs): KongRelease[] {
    const e = entry(args);
    return (e.releases ??= kongReleases(e.graph));
}

export function podSecurityGroupsOf(args: StackValidationArgs): PodSecurityGroups[] {
    const e = entry(args);
    return (e.podSgs ??= podSecurityGroups(e.graph, releasesOf(args)));
}

/** "type::name" of a resource, short enough for a message. */
export function label(r: Resource): string {
    const type = r.type.split(":").pop();
    return `${type} "${r.name}"`;
}

export type Report = ReportViolation;

/** Config values arrive from the engine with the schema defaults applied; tests may pass fewer. */
export function config<T extends object>(args: { getConfig<U extends object>(): U }, defaults: T): T {
    const given = (args.getConfig<Partial<T>>() ?? {}) as Partial<T>;
    const out = { ...defaults } as T;
    for (const [k, v] of Object.entries(given)) if (v !== undefined) (out as any)[k] = v;
    return out;
}
