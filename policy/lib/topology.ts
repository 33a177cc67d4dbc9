// The roles of the architecture, found by structure (never by names or tags), and the facts the
// policies compare against the design: security-group rules in every form, routes to the internet,
// the containers and Kong settings of each ECS task.

import { Graph, Resource } from "./resolver";
import { T } from "./types";
import { kongReleases, nodeGroups, podSecurityGroups } from "./kube";
import { isAnyCidr, isUnknown, json, list, num, plain, str } from "./values";

export type Role = "alb" | "dp" | "cp" | "db";

// ---------------------------------------------------------------- containers and Kong

export interface Container {
    name: string;
    image?: string;
    /** Plain `environment` (name → value; unknown values kept as the sentinel). */
    env: Map<string, string>;
    /** Names set from `secrets` (Secrets Manager / SSM references). */
    secretNames: string[];
}

/** The containers of a task definition; undefined when `containerDefinitions` is unknown (preview). */
export function containersOf(td: Resource): Container[] | undefined {
    const defs = json(plain(td.props)?.containerDefinitions);
    if (!Array.isArray(defs)) return undefined;
    return defs.map((c: any) => ({
        name: String(c?.name ?? ""),
        image: str(c?.image),
        env: new Map(list(c?.environment).filter((e: any) => typeof e?.name === "string").map((e: any) => [e.name, String(e.value ?? "")])),
        secretNames: list(c?.secrets).map((s: any) => String(s?.name ?? "")),
    }));
}

/** The hybrid-mode role a container runs (Kong reads `role` from KONG_ROLE). */
export function kongRole(c: Container): "control_plane" | "data_plane" | "traditional" | undefined {
    const role = c.env.get("KONG_ROLE");
    if (role === "control_plane" || role === "data_plane" || role === "traditional") return role;
    return undefined;
}

export interface EcsService {
    service: Resource;
    taskDefinitions: Resource[];
    /** Containers of its task definitions; undefined if any definition is unknown. */
    containers?: Container[];
    roles: Set<"control_plane" | "data_plane">;
    securityGroups: Resource[];
    subnets: Resource[];
    externalSubnets: string[];
    networkUnresolved: boolean;
}

export function ecsServices(g: Graph): EcsService[] {
    return g.ofType(T.ecsService).map(service => {
        const props = plain(service.props) ?? {};
        const taskDefinitions = g.refs(service, "taskDefinition", [T.taskDefinition]).targets;
        const perTd = taskDefinitions.map(containersOf);
        const containers = perTd.some(c => c === undefined) ? undefined : perTd.flatMap(c => c!);
        const roles = new Set<"control_plane" | "data_plane">();
        for (const c of containers ?? []) {
            const r = kongRole(c);
            if (r === "control_plane" || r === "data_plane") roles.add(r);
        }
        const nc = plain(props.networkConfiguration) ?? {};
        const sgRef = g.refs(service, "networkConfiguration", [T.securityGroup], plain(nc).securityGroups);
        const subnetRef = g.refs(service, "networkConfiguration", [T.subnet], plain(nc).subnets);
        return {
            service, taskDefinitions, containers, roles,
            securityGroups: sgRef.targets,
            subnets: subnetRef.targets,
            externalSubnets: subnetRef.external,
            networkUnresolved: subnetRef.unresolved,
        };
    });
}

/** Task definitions with a container whose KONG_ROLE is the role. */
export function kongTaskDefinitions(g: Graph, role: "control_plane" | "data_plane"): { td: Resource; containers: Container[] }[] {
    return g.ofType(T.taskDefinition).flatMap(td => {
        const containers = containersOf(td);
        return containers && containers.some(c => kongRole(c) === role) ? [{ td, containers }] : [];
    });
}

/** An internet-facing application load balancer: `internal` false or absent, type application or absent. */
export function isInternetFacingAlb(lb: Resource): boolean {
    const p = plain(lb.props) ?? {};
    const type = p.loadBalancerType ?? "application";
    return p.internal !== true && p.internal !== "true" && type === "application";
}

/** True if every action is a redirect to HTTPS (an HTTP listener that serves nothing). */
export function onlyRedirectsToHttps(actions: any[]): boolean {
    return actions.length > 0 && actions.map(plain).every(a =>
        a?.type === "redirect" && String(plain(a.redirect)?.protocol ?? "").toUpperCase() === "HTTPS");
}

/**
 * Ports on which the internet-facing ALBs using `sg` only redirect HTTP to HTTPS: an HTTP
 * listener whose default actions are redirects to HTTPS and whose listener rules redirect too.
 */
export function redirectOnlyPorts(g: Graph, sg: Resource): number[] {
    const ports: number[] = [];
    for (const lb of g.ofType(T.loadBalancer).filter(isInternetFacingAlb)) {
        if (!g.refs(lb, "securityGroups", [T.securityGroup]).targets.includes(sg)) continue;
        for (const l of g.referrers(lb, [T.listener], "loadBalancerArn")) {
            const p = plain(l.props) ?? {};
            const port = num(p.port);
            if (port === undefined || String(str(p.protocol) ?? "").toUpperCase() !== "HTTP") continue;
            const rules = g.referrers(l, [T.listenerRule], "listenerArn");
            if (onlyRedirectsToHttps(list(plain(p.defaultActions))) && rules.every(r => onlyRedirectsToHttps(list(plain(plain(r.props)?.actions))))) ports.push(port);
        }
    }
    return ports;
}

export interface Roles {
    alb: Set<Resource>;
    dp: Set<Resource>;
    cp: Set<Resource>;
    db: Set<Resource>;
    /**
     * Groups of ECS services whose containers are unknown (a preview of new task definitions):
     * they may be DP or CP groups. As peers they are not counted as wrong sources; the advisory
     * policy plan-fully-checkable says the check is pending until `pulumi up`.
     */
    undetermined: Set<Resource>;
    /** Groups that SecurityGroupPolicies give Kong pods on EKS (a subset of dp, cp and undetermined). */
    pods: Set<Resource>;
    /** The EKS nodes' groups: kubelets probe pods from them. */
    nodes: Set<Resource>;
    /** Internal application load balancers (an internal DP group's): not a tier of the matrix, a second way into the DP tier. */
    internalAlb: Set<Resource>;
}

/** The security groups of each role of the architecture, by what uses them. */
export function roleGroups(g: Graph): Roles {
    const roles: Roles = { alb: new Set(), dp: new Set(), cp: new Set(), db: new Set(), undetermined: new Set(), pods: new Set(), nodes: nodeGroups(g), internalAlb: new Set() };
    for (const lb of g.ofType(T.loadBalancer)) {
        const internal = !isInternetFacingAlb(lb) && (plain(lb.props)?.loadBalancerType ?? "application") === "application";
        if (!internal && !isInternetFacingAlb(lb)) continue;
        g.refs(lb, "securityGroups", [T.securityGroup]).targets.forEach(sg => (internal ? roles.internalAlb : roles.alb).add(sg));
    }
    for (const s of ecsServices(g)) {
        if (s.roles.has("data_plane")) s.securityGroups.forEach(sg => roles.dp.add(sg));
        if (s.roles.has("control_plane")) s.securityGroups.forEach(sg => roles.cp.add(sg));
        if (s.containers === undefined) s.securityGroups.forEach(sg => roles.undetermined.add(sg));
    }
    // Kong on EKS: the groups SecurityGroupPolicies give the pods of a Kong release, by the role its values set.
    for (const p of podSecurityGroups(g, kongReleases(g))) {
        for (const k of p.releases) {
            for (const sg of p.groups) {
                roles.pods.add(sg);
                if (k.role === "data_plane") roles.dp.add(sg);
                if (k.role === "control_plane") roles.cp.add(sg);
                if (k.role === undefined) roles.undetermined.add(sg);
            }
        }
    }
    for (const c of g.ofType(T.rdsCluster)) {
        g.refs(c, "vpcSecurityGroupIds", [T.securityGroup]).targets.forEach(sg => roles.db.add(sg));
    }
    return roles;
}

export function rolesOf(roles: Roles, sg: Resource): Role[] {
    return (["alb", "dp", "cp", "db"] as Role[]).filter(r => roles[r].has(sg));
}

// ---------------------------------------------------------------- security-group rules

export interface SgRule {
    /** The resource that declares the rule (the SG itself for inline rules). */
    declaredBy: Resource;
    form: "inline" | "aws.ec2.SecurityGroupRule" | "aws.vpc.SecurityGroupIngressRule" | "aws.vpc.SecurityGroupEgressRule";
    direction: "ingress" | "egress";
    /** The groups the rule is attached to. */
    groups: Resource[];
    /** "tcp", "udp", "icmp", or "all" (-1). */
    protocol: string;
    /** Inclusive port range; [0, 65535] for all traffic. */
    ports: [number, number];
    cidrs: string[];
    peerGroups: Resource[];
    /** Peer group ids not in this stack. */
    externalPeers: string[];
    prefixLists: string[];
    /** Part of the peer is unknown and no dependency says what it is. */
    peerUnresolved: boolean;
    description?: string;
}

function normProtocol(p: unknown): string {
    const s = String(str(p) ?? num(p) ?? "").toLowerCase();
    if (s === "-1" || s === "all") return "all";
    if (s === "6") return "tcp";
    if (s === "17") return "udp";
    return s;
}

function portRange(protocol: string, from: unknown, to: unknown): [number, number] {
    if (protocol === "all") return [0, 65535];
    const f = num(from), t = num(to);
    // An unknown port is treated as the widest range: the rule cannot be shown to be narrow.
    return [f ?? 0, t ?? f ?? 65535];
}

function strings(v: unknown): string[] {
    v = plain(v);
    if (typeof v === "string") return isUnknown(v) ? [] : [v];
    return list(v).map(plain).filter((x): x is string => typeof x === "string" && !isUnknown(x));
}

/** Every ingress and egress rule of the stack, whichever resource form declares it. */
export function sgRules(g: Graph): SgRule[] {
    const rules: SgRule[] = [];
    for (const sg of g.ofType(T.securityGroup)) {
        const p = plain(sg.props) ?? {};
        for (const direction of ["ingress", "egress"] as const) {
            for (const raw of list(plain(p[direction]))) {
                const e = plain(raw) ?? {};
                const protocol = normProtocol(e.protocol);
                const peers = g.refs(sg, direction, [T.securityGroup], e.securityGroups);
                rules.push({
                    declaredBy: sg, form: "inline", direction, groups: [sg], protocol,
                    ports: portRange(protocol, e.fromPort, e.toPort),
                    cidrs: [...strings(e.cidrBlocks), ...strings(e.ipv6CidrBlocks)],
                    peerGroups: e.self === true ? [sg, ...peers.targets] : peers.targets,
                    externalPeers: peers.external, prefixLists: strings(e.prefixListIds),
                    peerUnresolved: peers.unresolved, description: str(e.description),
                });
            }
        }
    }
    for (const r of g.ofType(T.ec2SecurityGroupRule)) {
        const p = plain(r.props) ?? {};
        const groups = g.refs(r, "securityGroupId", [T.securityGroup]).targets;
        const peers = g.refs(r, "sourceSecurityGroupId", [T.securityGroup]);
        const protocol = normProtocol(p.protocol);
        rules.push({
            declaredBy: r, form: "aws.ec2.SecurityGroupRule", direction: p.type === "egress" ? "egress" : "ingress",
            groups, protocol, ports: portRange(protocol, p.fromPort, p.toPort),
            cidrs: [...strings(p.cidrBlocks), ...strings(p.ipv6CidrBlocks)],
            peerGroups: p.self === true ? [...groups, ...peers.targets] : peers.targets,
            externalPeers: peers.external, prefixLists: strings(p.prefixListIds),
            peerUnresolved: peers.unresolved, description: str(p.description),
        });
    }
    for (const [type, direction, form] of [
        [T.vpcIngressRule, "ingress", "aws.vpc.SecurityGroupIngressRule"],
        [T.vpcEgressRule, "egress", "aws.vpc.SecurityGroupEgressRule"],
    ] as const) {
        for (const r of g.ofType(type)) {
            const p = plain(r.props) ?? {};
            const protocol = normProtocol(p.ipProtocol);
            const peers = g.refs(r, "referencedSecurityGroupId", [T.securityGroup]);
            rules.push({
                declaredBy: r, form, direction,
                groups: g.refs(r, "securityGroupId", [T.securityGroup]).targets,
                protocol, ports: portRange(protocol, p.fromPort, p.toPort),
                cidrs: [...strings(p.cidrIpv4), ...strings(p.cidrIpv6)],
                peerGroups: peers.targets, externalPeers: peers.external,
                prefixLists: strings(p.prefixListId), peerUnresolved: peers.unresolved,
                description: str(p.description),
            });
        }
    }
    return rules;
}

export function describePorts(r: SgRule): string {
    if (r.protocol === "all") return "all traffic";
    return r.ports[0] === r.ports[1] ? `${r.protocol}/${r.ports[0]}` : `${r.protocol}/${r.ports[0]}-${r.ports[1]}`;
}

export function openToAnywhere(r: SgRule): string[] {
    return r.cidrs.filter(isAnyCidr);
}

// ---------------------------------------------------------------- routes

export interface SubnetRoutes {
    /** Route tables explicitly associated with the subnet. */
    routeTables: Resource[];
    /** Human-readable internet routes: "0.0.0.0/0 → internet gateway igw-…". */
    internetGateway: string[];
    /** Default or NAT routes: a way out to the internet that is not an internet gateway. */
    otherInternet: string[];
}

function routeDestination(p: any): string {
    return str(p.destinationCidrBlock) ?? str(p.cidrBlock) ?? str(p.destinationIpv6CidrBlock) ?? str(p.ipv6CidrBlock)
        ?? str(p.destinationPrefixListId) ?? "(unknown destination)";
}

/** What the routes of a subnet's route tables lead to. */
export function subnetRoutes(g: Graph, subnet: Resource): SubnetRoutes {
    const igws = new Set(g.ofType(T.internetGateway));
    const assocs = g.referrers(subnet, [T.routeTableAssociation], "subnetId");
    const routeTables = [...new Set(assocs.flatMap(a => g.refs(a, "routeTableId", [T.routeTable]).targets))];
    const result: SubnetRoutes = { routeTables, internetGateway: [], otherInternet: [] };
    const classify = (owner: Resource, prop: string, route: any) => {
        const dest = routeDestination(route);
        const gw = route.gatewayId;
        const gwRef = gw === undefined ? undefined : g.refs(owner, prop, [T.internetGateway], gw);
        const gwKnown = str(gw);
        const viaIgw = (gwRef?.targets.some(t => igws.has(t)) ?? false) || (gwKnown?.startsWith("igw-") ?? false);
        if (viaIgw) { result.internetGateway.push(`${dest} → internet gateway`); return; }
        if (route.natGatewayId !== undefined && route.natGatewayId !== null && route.natGatewayId !== "") {
            result.otherInternet.push(`${dest} → NAT gateway`);
            return;
        }
        if (isAnyCidr(dest)) {
            const via = ["networkInterfaceId", "transitGatewayId", "vpcPeeringConnectionId", "egressOnlyGatewayId", "carrierGatewayId", "localGatewayId", "coreNetworkArn", "vpcEndpointId"]
                .find(k => route[k] !== undefined && route[k] !== null && route[k] !== "") ?? "gatewayId";
            result.otherInternet.push(`${dest} → ${via}`);
        }
    };
    for (const rt of routeTables) {
        const inline = list(plain(plain(rt.props)?.routes)).map(plain);
        // Inline routes share one dependency list; an unknown gateway id is an IGW if any IGW feeds `routes`.
        for (const route of inline) classify(rt, "routes", route);
        for (const r of g.referrers(rt, [T.route], "routeTableId")) {
            const p = plain(r.props) ?? {};
            const dest = routeDestination(p);
            const viaIgw = p.gatewayId !== undefined && (
                g.refs(r, "gatewayId", [T.internetGateway]).targets.length > 0 || (str(p.gatewayId)?.startsWith("igw-") ?? false));
            if (viaIgw) result.internetGateway.push(`${dest} → internet gateway (${r.name})`);
            else if (p.natGatewayId !== undefined && p.natGatewayId !== null) result.otherInternet.push(`${dest} → NAT gateway (${r.name})`);
            else if (isAnyCidr(dest)) result.otherInternet.push(`${dest} → ${r.name}`);
        }
    }
    return result;
}
