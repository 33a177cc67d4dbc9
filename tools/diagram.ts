// The architecture as a Mermaid flowchart, generated from a plan (the JSON `npm run plan -- --json`
// writes): the VPC's subnet tiers, the load balancers, the Data Plane groups per runtime (ECS services, EKS releases), the
// Control Plane, the database, and one arrow per allowed connection with its ports, read from the
// security-group rules the way the policy pack reads them (policy/lib/topology.ts).
//
//   npx ts-node --transpile-only tools/diagram.ts <plan.json> [<out.mmd>]

import * as fs from "fs";
import type { Plan } from "../policy/offline";
import type { Resource } from "../policy/lib/resolver";
import { describePorts, isInternetFacingAlb, rolesOf, roleGroups, sgRules, subnetRoutes, type SgRule } from "../policy/lib/topology";
import { kongReleases, podSecurityGroups } from "../policy/lib/kube";
import { T } from "../policy/lib/types";
import { isAnyCidr, num, str } from "../policy/lib/values";
import { serviceName, viewPlan, type PlanView } from "./estimate/plan-view";

type Tier = "public" | "private" | "isolated";
const TIER_LABEL: Record<Tier, string> = {
    public: "public subnets: route to the internet gateway",
    private: "private subnets: egress through NAT",
    isolated: "isolated subnets: no route out",
};

interface Node { id: string; label: string; shape: "box" | "db" | "round"; tier?: Tier; group?: string }

/** Mermaid text of the plan's architecture. */
export function diagram(plan: Plan): string {
    const view = viewPlan(plan);
    const g = view.graph;
    const tierOf = subnetTiers(view);
    const nodes: Node[] = [];
    const nodesOfSg = new Map<Resource, string[]>();
    const holds = (sgs: Resource[], id: string) => sgs.forEach(sg => nodesOfSg.set(sg, [...(nodesOfSg.get(sg) ?? []), id]));
    const firstTier = (subnets: Resource[]) => subnets.map(s => tierOf.get(s)).find((t): t is Tier => !!t);

    for (const lb of view.ofType(T.loadBalancer)) {
        const p = view.props(lb);
        const waf = g.referrers(lb, [T.webAclAssociation], "resourceArn").length > 0;
        const listeners = g.referrers(lb, [T.listener], "loadBalancerArn").map(l => `${str(view.props(l).protocol) ?? "?"} ${num(view.props(l).port) ?? "?"}${weights(view, l)}`);
        const id = nodeId("lb", lb.name);
        nodes.push({ id, shape: "box", tier: firstTier(g.refs(lb, "subnets", [T.subnet]).targets),
            label: `${isInternetFacingAlb(lb) ? "internet-facing" : "internal"} ${str(p.loadBalancerType) ?? "application"} LB ${lb.name}<br/>${listeners.join(", ")}${waf ? ", WAF" : ""}` });
        holds(g.refs(lb, "securityGroups", [T.securityGroup]).targets, id);
    }
    // NAT: managed gateways, or EC2 instances that forward (source/destination check off).
    const natGateways = view.ofType(T.natGateway);
    const natInstances = view.ofType("aws:ec2/instance:Instance").filter(i => view.props(i).sourceDestCheck === false);
    const hasNat = natGateways.length + natInstances.length > 0;
    if (natGateways.length > 0) {
        nodes.push({ id: "nat", shape: "box", tier: "public", label: `NAT gateway × ${natGateways.length}` });
    } else if (natInstances.length > 0) {
        nodes.push({ id: "nat", shape: "box", tier: firstTier(g.refs(natInstances[0], "subnetId", [T.subnet]).targets) ?? "public",
            label: `NAT instance ${str(view.props(natInstances[0]).instanceType) ?? ""} × ${natInstances.length}` });
        for (const i of natInstances) holds(g.refs(i, "vpcSecurityGroupIds", [T.securityGroup]).targets, "nat");
    }
    for (const s of view.services) {
        const cp = s.roles.has("control_plane");
        const dp = s.roles.has("data_plane");
        const p = view.props(s.service);
        const td = s.taskDefinitions[0] ? view.props(s.taskDefinitions[0]) : {};
        const size = `${(num(td.cpu) ?? 0) / 1024} vCPU / ${(num(td.memory) ?? 0) / 1024} GB, ${String(td.runtimePlatform?.cpuArchitecture ?? "X86_64")}`;
        const role = cp ? "Control Plane" : dp ? "Data Plane group" : "ECS service";
        const id = nodeId(cp ? "cp" : dp ? "dp" : "svc", s.service.name);
        nodes.push({ id, shape: "box", tier: firstTier(s.subnets), group: "ECS Fargate",
            label: `${role} ${serviceName(s)}<br/>${num(p.desiredCount) ?? "?"} task(s), ${size}` });
        holds(s.securityGroups, id);
    }
    // Kong on EKS: each release is a node in the nodes' subnets, holding the group its pods get
    // from their SecurityGroupPolicy; the nodes themselves hold the launch template's group.
    const nodeGroups = view.ofType(T.eksNodeGroup);
    const podTier = nodeGroups.length > 0 ? firstTier(g.refs(nodeGroups[0], "subnetIds", [T.subnet]).targets) : undefined;
    const releases = kongReleases(g);
    const pods = podSecurityGroups(g, releases);
    for (const k of releases) {
        const v = k.values ?? {};
        const cp = k.role === "control_plane";
        const hpa = v.autoscaling?.enabled ? `${num(v.autoscaling.minReplicas) ?? "?"}-${num(v.autoscaling.maxReplicas) ?? "?"} pods (HPA)` : `${num(v.replicaCount) ?? "?"} pod(s)`;
        const size = v.resources?.requests ? `, ${str(v.resources.requests.cpu) ?? "?"} CPU / ${str(v.resources.requests.memory) ?? "?"}` : "";
        const id = nodeId(cp ? "cp" : "dp", `${k.namespace}_${k.name}`);
        nodes.push({ id, shape: "box", tier: podTier, group: "EKS",
            label: `${cp ? "Control Plane" : "Data Plane group"} ${k.namespace}/${k.name}<br/>${hpa}${size}` });
        holds(pods.filter(p => p.releases.includes(k)).flatMap(p => p.groups), id);
    }
    for (const ng of nodeGroups) {
        const p = view.props(ng);
        const scaling = p.scalingConfig ?? {};
        const id = nodeId("nodes", ng.name);
        nodes.push({ id, shape: "box", tier: podTier, group: "EKS",
            label: `EKS nodes ${ng.name}<br/>${num(scaling.minSize) ?? "?"}-${num(scaling.maxSize) ?? "?"} × ${(p.instanceTypes ?? []).join(", ")}` });
        const lt = p.launchTemplate;
        for (const t of g.refs(ng, "launchTemplate", [T.launchTemplate], lt?.id ?? lt).targets) holds(g.refs(t, "vpcSecurityGroupIds", [T.securityGroup]).targets, id);
    }
    for (const c of view.ofType("aws:eks/cluster:Cluster")) {
        const id = nodeId("eks", c.name);
        nodes.push({ id, shape: "box", tier: podTier, group: "EKS", label: `EKS API ${c.name}<br/>Kubernetes ${str(view.props(c).version) ?? "?"}, control plane ENIs` });
        holds(g.refs(c, "vpcConfig", [T.securityGroup], view.props(c).vpcConfig?.securityGroupIds).targets, id);
    }
    for (const c of view.ofType(T.rdsCluster)) {
        const p = view.props(c);
        const subnetGroup = g.refs(c, "dbSubnetGroupName", [T.rdsSubnetGroup]).targets[0];
        const subnets = subnetGroup ? g.refs(subnetGroup, "subnetIds", [T.subnet]).targets : [];
        const instances = view.ofType(T.rdsClusterInstance).filter(i => g.refs(i, "clusterIdentifier", [T.rdsCluster]).targets.includes(c)).length;
        const scaling = p.serverlessv2ScalingConfiguration;
        const id = nodeId("db", c.name);
        nodes.push({ id, shape: "db", tier: firstTier(subnets),
            label: `${str(p.engine) ?? "RDS"} ${c.name}<br/>${instances} instance(s)${scaling ? `, ${num(scaling.minCapacity)}-${num(scaling.maxCapacity)} ACU` : ""}` });
        holds(g.refs(c, "vpcSecurityGroupIds", [T.securityGroup]).targets, id);
    }
    // The DP plugins' Redis (redisNodes): its security group's arrows end here, not at a bare group.
    for (const r of view.ofType("aws:elasticache/replicationGroup:ReplicationGroup")) {
        const p = view.props(r);
        const subnetGroup = g.refs(r, "subnetGroupName", ["aws:elasticache/subnetGroup:SubnetGroup"]).targets[0];
        const subnets = subnetGroup ? g.refs(subnetGroup, "subnetIds", [T.subnet]).targets : [];
        const id = nodeId("cache", r.name);
        nodes.push({ id, shape: "db", tier: firstTier(subnets), label: `ElastiCache ${str(p.engine) ?? "redis"} ${r.name}<br/>${num(p.numCacheClusters) ?? "?"} × ${str(p.nodeType) ?? "?"}` });
        holds(g.refs(r, "securityGroupIds", [T.securityGroup]).targets, id);
    }
    const endpoints = view.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").filter(e => view.props(e).vpcEndpointType === "Interface");
    if (endpoints.length > 0) {
        const names = endpoints.map(e => String(view.props(e).serviceName ?? e.name).split(".").slice(3).join("."));
        nodes.push({ id: "endpoints", shape: "box", tier: firstTier(g.refs(endpoints[0], "subnetIds", [T.subnet]).targets), label: `interface endpoints<br/>${names.join(", ")}` });
        holds(g.refs(endpoints[0], "securityGroupIds", [T.securityGroup]).targets, "endpoints");
    }

    // Arrows: an ingress rule lets its peer in; an egress rule to CIDRs lets the group out.
    const roles = roleGroups(g);
    const edges = new Map<string, Set<string>>();
    const outside: Node[] = [];
    const edge = (from: string, to: string, label: string) => {
        const key = `${from}\u0000${to}`;
        edges.set(key, (edges.get(key) ?? new Set()).add(label));
    };
    const vpc = view.ofType(T.vpc)[0];
    const vpcCidr = vpc ? str(view.props(vpc).cidrBlock) : undefined;
    const cidrNode = (cidrs: string[]): string => {
        const any = cidrs.some(isAnyCidr);
        const id = any ? "internet" : nodeId("net", cidrs.join("_"));
        const label = any ? "internet" : cidrs.map(c => (c === vpcCidr ? `anything in the VPC ${c}` : c)).join("<br/>");
        if (!outside.some(n => n.id === id)) outside.push({ id, shape: "round", label });
        return id;
    };
    const holdersOf = (sg: Resource): string[] => {
        const held = nodesOfSg.get(sg);
        if (held) return held;
        const id = nodeId("sg", sg.name);
        if (!nodes.some(n => n.id === id)) nodes.push({ id, shape: "box", label: `security group ${sg.name}${rolesOf(roles, sg).length ? ` (${rolesOf(roles, sg).join(", ")})` : ""}` });
        return [id];
    };
    for (const r of sgRules(g)) {
        const label = describePorts(r);
        for (const group of r.groups) {
            for (const self of holdersOf(group)) {
                if (r.direction === "ingress") {
                    for (const peer of r.peerGroups) for (const from of holdersOf(peer)) edge(from, self, label);
                    if (r.cidrs.length > 0) edge(cidrNode(dedupeAny(r.cidrs)), self, label);
                    for (const pl of r.prefixLists) edge(cidrNode([pl]), self, label);
                } else if (r.cidrs.length > 0 && !coveredByPeers(r)) {
                    const to = cidrNode(dedupeAny(r.cidrs));
                    // From a private subnet the internet is reached through the NAT.
                    const viaNat = to === "internet" && hasNat && self !== "nat" && nodes.find(n => n.id === self)?.tier === "private";
                    edge(self, viaNat ? "nat" : to, label);
                    if (viaNat) edge("nat", to, "");
                }
            }
        }
    }

    const lines = ["flowchart LR"];
    for (const n of outside) lines.push(`    ${render(n)}`);
    lines.push(`    subgraph vpc["VPC ${vpc ? `${vpc.name} ${str(view.props(vpc).cidrBlock) ?? ""}` : ""}"]`);
    for (const tier of ["public", "private", "isolated"] as const) {
        const inTier = nodes.filter(n => n.tier === tier);
        if (inTier.length === 0) continue;
        lines.push(`        subgraph ${tier}["${TIER_LABEL[tier]}"]`);
        const groups = [...new Set(inTier.map(n => n.group))];
        for (const group of groups) {
            const members = inTier.filter(n => n.group === group);
            if (group) lines.push(`            subgraph ${nodeId("rt", `${tier}_${group}`)}["${group}"]`);
            for (const n of members) lines.push(`${group ? "                " : "            "}${render(n)}`);
            if (group) lines.push("            end");
        }
        lines.push("        end");
    }
    for (const n of nodes.filter(n => !n.tier)) lines.push(`        ${render(n)}`);
    lines.push("    end");
    for (const [key, labels] of edges) {
        const [from, to] = key.split("\u0000");
        const text = [...labels].filter(Boolean).sort().join(", ");
        lines.push(text ? `    ${from} -->|"${text}"| ${to}` : `    ${from} --> ${to}`);
    }
    return lines.join("\n") + "\n";
}

/** A weighted forward's split, e.g. " → dp-ecs-edge-tg ×3, dp-eks-edge-tg ×1"; empty for a plain forward. */
function weights(view: PlanView, listener: Resource): string {
    const groups = view.props(listener).defaultActions?.[0]?.forward?.targetGroups;
    if (!Array.isArray(groups) || groups.length < 2) return "";
    const name = (arn: unknown) => view.graph.refs(listener, "defaultActions", [T.targetGroup], arn).targets[0]?.name ?? "?";
    return ` → ${groups.map((t: any) => `${name(t.arn)} ×${num(t.weight) ?? 1}`).join(", ")}`;
}

/** Each subnet's tier, from its routes: an internet-gateway route, another default route (NAT), or none. */
function subnetTiers(view: PlanView): Map<Resource, Tier> {
    const tiers = new Map<Resource, Tier>();
    for (const s of view.ofType(T.subnet)) {
        const routes = subnetRoutes(view.graph, s);
        tiers.set(s, routes.internetGateway.length > 0 ? "public" : routes.otherInternet.length > 0 ? "private" : "isolated");
    }
    return tiers;
}

/** 0.0.0.0/0 and ::/0 are one "internet" peer. */
function dedupeAny(cidrs: string[]): string[] {
    return cidrs.some(isAnyCidr) ? ["0.0.0.0/0"] : cidrs;
}

/** An egress rule that also names peer groups is drawn by the peers' ingress rules. */
function coveredByPeers(r: SgRule): boolean {
    return r.peerGroups.length > 0;
}

function nodeId(prefix: string, name: string): string {
    return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

function render(n: Node): string {
    const text = `"${n.label.replace(/"/g, "#quot;")}"`;
    return n.shape === "db" ? `${n.id}[(${text})]` : n.shape === "round" ? `${n.id}((${text}))` : `${n.id}[${text}]`;
}

/**
 * The diagram type Mermaid's own parser reads from `text`; throws its parse error otherwise.
 * Mermaid sanitises labels with DOMPurify, which needs a DOM: jsdom stands in for the browser
 * while Mermaid loads and parses, then the globals are put back as they were.
 */
export async function validateMermaid(text: string): Promise<string> {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { JSDOM } = require("jsdom") as { JSDOM: new (html: string) => { window: any } };
    const g = globalThis as any;
    const saved = { window: g.window, document: g.document };
    const dom = new JSDOM("<!doctype html><html><body></body></html>");
    g.window = dom.window;
    g.document = dom.window.document;
    try {
        // mermaid is ESM only; TypeScript's CommonJS output would turn import() into require().
        const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<any>;
        const { default: mermaid } = await importEsm("mermaid");
        mermaid.initialize({ startOnLoad: false });
        const result = await mermaid.parse(text);
        return result.diagramType as string;
    } finally {
        g.window = saved.window;
        g.document = saved.document;
        if (saved.window === undefined) delete g.window;
        if (saved.document === undefined) delete g.document;
        dom.window.close();
    }
}

function main(argv: string[]) {
    const [file, out] = argv;
    if (!file) {
        console.error("usage: ts-node tools/diagram.ts <plan.json> [<out.mmd>]");
        process.exitCode = 1;
        return;
    }
    let plan: Plan;
    try {
        plan = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e: any) {
        console.error(`${file}: ${e.code === "ENOENT" ? "no such file" : `not a plan JSON (${e.message})`}`);
        process.exitCode = 1;
        return;
    }
    const text = diagram(plan);
    if (out) fs.writeFileSync(out, text);
    else process.stdout.write(text);
}

if (require.main === module) main(process.argv.slice(2));
