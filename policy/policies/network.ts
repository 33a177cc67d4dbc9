import type { StackValidationPolicy } from "@pulumi/policy";
import { Resource } from "../lib/resolver";
import { describePorts, openToAnywhere, redirectOnlyPorts, Role, rolesOf as sgRoles, SgRule, subnetRoutes } from "../lib/topology";
import { T } from "../lib/types";
import { isAnyCidr, num, plain } from "../lib/values";
import { config, graphOf, label, podSecurityGroupsOf, releasesOf, rolesOf, rulesOf, servicesOf } from "./common";

// The security-group table of docs/facts/design.md §2 (the source design's, plus
// 8100 for the ALB's /status/ready health check):
//   ALB ← 443 from the internet; DP ← 8000, 8100 from the ALB SG; CP ← 8001, 8005 from the DP SG;
//   DB ← 5432 from the CP SG. No other ingress on these groups.
// Port 80 on the ALB SG is accepted only where an HTTP listener of that ALB does nothing but
// redirect to HTTPS (the edge policy's allowance; configurable with allowHttpRedirectPort).
// Egress decision: DP and CP tasks must reach the internet on 443 (image pulls, AWS APIs through
// NAT, the upstream APIs the DP proxies), so egress to 0.0.0.0/0 or ::/0 is allowed from DP/CP on
// the configured ports only (default 443), never as "all traffic"; the DB group has no egress to
// the internet at all. Ingress from 0.0.0.0/0 or ::/0 is never allowed on DP, CP or DB.

export interface SgMatrixConfig {
    albIngressPorts: number[];
    dataPlanePorts: number[];
    controlPlanePorts: number[];
    databasePorts: number[];
    internetEgressPorts: number[];
    allowHttpRedirectPort: boolean;
    kubeletProbePorts: number[];
}

const SG_DEFAULTS: SgMatrixConfig = {
    albIngressPorts: [443],
    dataPlanePorts: [8000, 8100],
    controlPlanePorts: [8001, 8005],
    databasePorts: [5432],
    internetEgressPorts: [443],
    allowHttpRedirectPort: true,
    kubeletProbePorts: [8100],
};

const ROLE_NAME: Record<Role, string> = { alb: "ALB", dp: "Data Plane", cp: "Control Plane", db: "database" };

function portsWithin(r: SgRule, allowed: number[]): boolean {
    if (r.protocol !== "tcp") return false;
    for (let p = r.ports[0]; p <= r.ports[1]; p++) if (!allowed.includes(p)) return false;
    return true;
}

const portsArray = { type: "array", items: { type: "integer", minimum: 0, maximum: 65535 } } as const;

export const securityGroupMatrix: StackValidationPolicy = {
    name: "security-group-matrix",
    description: "ALB ← 443 from the internet; DP ← 8000/8100 from the ALB SG; CP ← 8001/8005 from the DP SG; DB ← 5432 from the CP SG; nothing else, in any rule form.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: {
            albIngressPorts: { ...portsArray, default: SG_DEFAULTS.albIngressPorts, description: "Ports the internet may reach on the ALB (add 80 for an HTTP→HTTPS redirect listener)." },
            dataPlanePorts: { ...portsArray, default: SG_DEFAULTS.dataPlanePorts, description: "DP ports the ALB may reach (proxy, status)." },
            controlPlanePorts: { ...portsArray, default: SG_DEFAULTS.controlPlanePorts, description: "CP ports the DPs may reach (admin, cluster)." },
            databasePorts: { ...portsArray, default: SG_DEFAULTS.databasePorts, description: "Database ports the CP may reach." },
            internetEgressPorts: { ...portsArray, default: SG_DEFAULTS.internetEgressPorts, description: "Ports DP and CP tasks may reach on 0.0.0.0/0 and ::/0." },
            allowHttpRedirectPort: { type: "boolean", default: true, description: "Also accept the port of an HTTP listener that only redirects to HTTPS (usually 80) on the ALB SG." },
            kubeletProbePorts: { ...portsArray, default: SG_DEFAULTS.kubeletProbePorts, description: "Ports the EKS nodes' SG may reach on Kong pod SGs (kubelet readiness/liveness probes on Kong's status listener)." },
        },
    },
    validateStack: (args, report) => {
        const cfg = config(args, SG_DEFAULTS);
        const roles = rolesOf(args);
        // Who may send to each role, on which ports.
        const allowed: Record<Role, { ports: number[]; from: Set<Resource> | "internet" }> = {
            alb: { ports: cfg.albIngressPorts, from: "internet" },
            // An internal DP group sits behind an internal ALB: the DP tier's second entrance.
            dp: { ports: cfg.dataPlanePorts, from: new Set([...roles.alb, ...roles.internalAlb]) },
            cp: { ports: cfg.controlPlanePorts, from: roles.dp },
            db: { ports: cfg.databasePorts, from: roles.cp },
        };
        const upstream: Record<Role, Role | undefined> = { alb: undefined, dp: "alb", cp: "dp", db: "cp" };

        const all = [...roles.alb, ...roles.dp, ...roles.cp, ...roles.db];
        for (const sg of new Set(all)) {
            const held = sgRoles(roles, sg);
            if (held.length > 1) {
                report(`${label(sg)} is shared by ${held.map(r => ROLE_NAME[r]).join(" and ")}: each tier needs its own group, or the matrix opens every tier to the others.`, sg.urn);
            }
        }

        // Kong on EKS: a role's pods need their own group (a SecurityGroupPolicy), or they share the nodes' group with every pod.
        const withGroup = new Set(podSecurityGroupsOf(args).filter(p => p.groups.length > 0 || p.external.length > 0).flatMap(p => p.releases));
        for (const k of releasesOf(args)) {
            if ((k.role === "control_plane" || k.role === "data_plane") && k.namespace !== undefined && !withGroup.has(k)) {
                report(`Kong ${k.role === "control_plane" ? "Control Plane" : "Data Plane"} release ${label(k.release)} (namespace ${k.namespace}) has no SecurityGroupPolicy selecting its pods: they run in the nodes' security group, shared by every pod, so the ${k.role === "control_plane" ? "CP" : "DP"} rows of the table cannot hold. Give its pods their own group.`, k.release.urn);
            }
        }

        for (const rule of rulesOf(args)) {
            // An internal ALB takes HTTPS from address ranges inside the network, never from anywhere or from other SGs.
            for (const sg of rule.groups.filter(g => roles.internalAlb.has(g) && rule.direction === "ingress")) {
                const any = openToAnywhere(rule);
                const problems = [
                    ...(portsWithin(rule, [443]) ? [] : [`opens ${describePorts(rule)}; only tcp 443 may be open`]),
                    ...(any.length ? [`is open to ${any.join(", ")}`] : []),
                    ...(rule.peerGroups.length || rule.externalPeers.length ? [`admits security groups (${[...rule.peerGroups.map(label), ...rule.externalPeers].join(", ")})`] : []),
                ];
                if (problems.length) report(`${label(sg)} (internal ALB SG), ${rule.form} rule ${label(rule.declaredBy)} ${problems.join("; ")}. An internal ALB takes HTTPS from the VPC's address ranges only.`, rule.declaredBy.urn);
            }
            // A service group whose role is not known yet (preview) is DP or CP: never open to the internet.
            for (const sg of rule.groups.filter(g => roles.undetermined.has(g) && sgRoles(roles, g).length === 0)) {
                const any = openToAnywhere(rule);
                if (rule.direction === "ingress" && any.length) {
                    report(`${label(sg)} (an ECS service's SG) admits ${describePorts(rule)} from ${any.join(", ")} (${rule.form} rule ${label(rule.declaredBy)}); Kong tasks take traffic only from the ALB or DP SG.`, rule.declaredBy.urn);
                }
            }
            for (const sg of rule.groups) {
                for (const role of sgRoles(roles, sg)) {
                    const where = `${label(sg)} (${ROLE_NAME[role]} SG), ${rule.form} rule ${rule.form === "inline" ? "" : `${label(rule.declaredBy)} `}`;
                    if (rule.direction === "egress") {
                        if (role === "alb") continue;
                        const any = openToAnywhere(rule);
                        if (any.length === 0) continue;
                        const ok = role !== "db" && portsWithin(rule, cfg.internetEgressPorts);
                        if (!ok) {
                            report(`${where}allows egress ${describePorts(rule)} to ${any.join(", ")}; ${role === "db"
                                ? "the database needs no way out to the internet"
                                : `only tcp ${cfg.internetEgressPorts.join(",")} to the internet is allowed (images, AWS APIs, upstreams)`}.`, rule.declaredBy.urn);
                        }
                        continue;
                    }
                    // Kubelets probe pods with their own group from the nodes' group (security groups for pods,
                    // https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html): only on the probe ports.
                    if (roles.pods.has(sg) && rule.peerGroups.length > 0 && rule.peerGroups.every(p => roles.nodes.has(p))
                        && rule.cidrs.length === 0 && rule.prefixLists.length === 0 && rule.externalPeers.length === 0) {
                        if (!portsWithin(rule, cfg.kubeletProbePorts)) {
                            report(`${where}admits ${describePorts(rule)} from the EKS nodes' SG (${rule.peerGroups.map(label).join(", ")}); the nodes may reach Kong pods only on the kubelet probe ports tcp ${cfg.kubeletProbePorts.join(",")}.`, rule.declaredBy.urn);
                        }
                        continue;
                    }
                    const want = allowed[role];
                    const problems: string[] = [];
                    // An HTTP listener that only redirects to HTTPS serves nothing (edge-https-only checks it).
                    const ports = role === "alb" && cfg.allowHttpRedirectPort ? [...want.ports, ...redirectOnlyPorts(graphOf(args), sg)] : want.ports;
                    if (!portsWithin(rule, ports)) {
                        problems.push(`opens ${describePorts(rule)}; only tcp ${ports.join(",")} may be open${role === "alb" ? " (and the port of an HTTP listener that only redirects to HTTPS)" : ""}`);
                    }
                    if (want.from === "internet") {
                        if (rule.peerGroups.length || rule.externalPeers.length) {
                            problems.push(`admits security groups (${[...rule.peerGroups.map(label), ...rule.externalPeers].join(", ")}); the ALB takes traffic from internet addresses only`);
                        }
                    } else {
                        const any = openToAnywhere(rule);
                        if (any.length) problems.push(`is open to ${any.join(", ")}`);
                        const otherCidrs = rule.cidrs.filter(c => !isAnyCidr(c));
                        if (otherCidrs.length) problems.push(`admits address ranges ${otherCidrs.join(", ")}`);
                        if (rule.prefixLists.length) problems.push(`admits prefix lists ${rule.prefixLists.join(", ")}`);
                        const wrong = rule.peerGroups.filter(p => !(want.from as Set<Resource>).has(p) && !roles.undetermined.has(p));
                        if (wrong.length) problems.push(`admits ${wrong.map(p => `${label(p)}${sgRoles(roles, p).length ? ` (${sgRoles(roles, p).map(r => ROLE_NAME[r]).join("/")} SG)` : ""}`).join(", ")}`);
                        if (rule.externalPeers.length) problems.push(`admits security groups outside the stack (${rule.externalPeers.join(", ")})`);
                        if (rule.peerUnresolved) problems.push("admits a source that cannot be determined");
                    }
                    if (problems.length) {
                        const source = want.from === "internet" ? "the internet" : `the ${ROLE_NAME[upstream[role]!]} SG`;
                        report(`${where}${problems.join("; ")}. ${ROLE_NAME[role]} ingress must come from ${source} only.`, rule.declaredBy.urn);
                    }
                }
            }
        }
    },
};

export interface PlacementConfig { allowUnverifiedSubnets: boolean }

export const controlPlanePrivate: StackValidationPolicy = {
    name: "control-plane-private",
    description: "Control Plane tasks run in subnets with no internet-gateway route, without public IPs, and with no load balancer in front.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: {
            allowUnverifiedSubnets: { type: "boolean", default: false, description: "Accept CP subnets that are not in this stack (their routes cannot be checked)." },
        },
    },
    validateStack: (args, report) => {
        const cfg = config<PlacementConfig>(args, { allowUnverifiedSubnets: false });
        const g = graphOf(args);
        const cpServices = servicesOf(args).filter(s => s.roles.has("control_plane"));
        for (const s of cpServices) {
            const p = plain(s.service.props) ?? {};
            const nc = plain(p.networkConfiguration) ?? {};
            const where = `CP service ${label(s.service)}`;
            if (nc.assignPublicIp === true || nc.assignPublicIp === "true") {
                report(`${where} sets networkConfiguration.assignPublicIp: its tasks would get public addresses. Set it to false.`, s.service.urn);
            }
            if (s.subnets.length === 0 && s.externalSubnets.length === 0) {
                report(`${where} has no subnets that can be resolved: its placement cannot be verified.`, s.service.urn);
            }
            if (s.externalSubnets.length && !cfg.allowUnverifiedSubnets) {
                report(`${where} runs in subnets outside this stack (${s.externalSubnets.join(", ")}), whose routes cannot be checked; set allowUnverifiedSubnets to accept them.`, s.service.urn);
            }
            for (const subnet of s.subnets) {
                const routes = subnetRoutes(g, subnet);
                if (routes.routeTables.length === 0) {
                    report(`${where} uses ${label(subnet)}, which has no route table association in the stack: it falls back to the VPC's main table, which cannot be checked. Associate a private route table.`, s.service.urn);
                }
                if (routes.internetGateway.length) {
                    report(`${where} uses ${label(subnet)}, a public subnet (${routes.internetGateway.join("; ")}). Run the CP in private subnets.`, s.service.urn);
                }
            }
            const lbs = (Array.isArray(plain(p.loadBalancers)) ? plain(p.loadBalancers) : []) as unknown[];
            if (lbs.length > 0 || g.refs(s.service, "loadBalancers", [T.targetGroup]).targets.length > 0) {
                report(`${where} registers its tasks with a load balancer (loadBalancers): the CP is reached only by the DPs, over its SG.`, s.service.urn);
            }
            // The CP's own listeners (proxy off) are checked by kong-hybrid-roles.
        }
        // A target group can reach CP tasks by IP without the service naming it: Kong's admin (8001,
        // 8444 TLS), cluster (8005) and Kong Manager (8002) ports belong to the CP alone.
        const cpPorts = [8001, 8005, 8002, 8444];
        for (const att of g.ofType(T.targetGroupAttachment)) {
            const port = Number(plain(att.props)?.port);
            if (cpPorts.includes(port)) report(`${label(att)} registers a target on port ${port}, a Kong Control Plane port: no load balancer may reach the CP.`, att.urn);
        }
        for (const tg of g.ofType(T.targetGroup)) {
            const port = Number(plain(tg.props)?.port);
            if (cpPorts.includes(port) && cpServices.length > 0) {
                report(`${label(tg)} targets port ${port}, a Kong Control Plane port: no load balancer may reach the CP.`, tg.urn);
            }
        }
    },
};

/** Absent or empty (an unknown value counts as set: it is computed by the program). */
function absent(v: unknown): boolean {
    return v === undefined || v === null || v === "";
}

export interface DatabaseConfig {
    requireDeletionProtection: boolean;
    requireFinalSnapshot: boolean;
    minBackupRetentionDays: number;
}

// Aurora keeps automated backups 1 day unless backupRetentionPeriod says otherwise (1-35 days,
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Managing.Backups.html).
// A week is the least that lets a bad migration or a deleted entity be noticed and restored.
const AURORA_DEFAULT_RETENTION = 1;

export const databaseIsolated: StackValidationPolicy = {
    name: "database-isolated",
    description: "Aurora is not publicly accessible, lives in isolated subnets (no internet or NAT route), is encrypted with a KMS key, keeps backups at least minBackupRetentionDays, and keeps deletion protection and a final snapshot where configured.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: {
            requireDeletionProtection: { type: "boolean", default: true, description: "Require deletionProtection on clusters (relax in throwaway dev stacks)." },
            requireFinalSnapshot: { type: "boolean", default: true, description: "Require skipFinalSnapshot false and a finalSnapshotIdentifier." },
            minBackupRetentionDays: { type: "integer", default: 7, minimum: 1, maximum: 35, description: "Shortest automated backup retention accepted (relax in throwaway dev stacks)." },
        },
    },
    validateStack: (args, report) => {
        const cfg = config<DatabaseConfig>(args, { requireDeletionProtection: true, requireFinalSnapshot: true, minBackupRetentionDays: 7 });
        const g = graphOf(args);
        for (const inst of g.ofType(T.rdsClusterInstance, T.rdsInstance)) {
            const pa = plain(inst.props)?.publiclyAccessible;
            if (pa === true || pa === "true") report(`${label(inst)} is publiclyAccessible: the database must only be reachable inside the VPC.`, inst.urn);
        }
        for (const cluster of g.ofType(T.rdsCluster)) {
            const p = plain(cluster.props) ?? {};
            const where = label(cluster);
            if (p.storageEncrypted !== true && p.storageEncrypted !== "true") report(`${where} does not set storageEncrypted: Aurora storage must be encrypted.`, cluster.urn);
            if (absent(p.kmsKeyId)) report(`${where} has no kmsKeyId: encrypt with a customer-managed KMS key so access to the data is governed by a key policy.`, cluster.urn);
            if (cfg.requireDeletionProtection && p.deletionProtection !== true && p.deletionProtection !== "true") {
                report(`${where} has no deletionProtection (required by policy config requireDeletionProtection).`, cluster.urn);
            }
            if (cfg.requireFinalSnapshot && (p.skipFinalSnapshot === true || p.skipFinalSnapshot === "true" || absent(p.finalSnapshotIdentifier))) {
                report(`${where} would be deleted without a final snapshot: set skipFinalSnapshot false and a finalSnapshotIdentifier (required by policy config requireFinalSnapshot).`, cluster.urn);
            }
            const retention = p.backupRetentionPeriod === undefined || p.backupRetentionPeriod === null ? AURORA_DEFAULT_RETENTION : num(p.backupRetentionPeriod);
            if (retention !== undefined && retention < cfg.minBackupRetentionDays) {
                report(`${where} keeps automated backups ${retention} day${retention === 1 ? "" : "s"}${p.backupRetentionPeriod === undefined ? " (backupRetentionPeriod unset: AWS default)" : ""}, less than minBackupRetentionDays ${cfg.minBackupRetentionDays}.`, cluster.urn);
            }
            const groupRef = g.refs(cluster, "dbSubnetGroupName", [T.rdsSubnetGroup]);
            if (p.dbSubnetGroupName === undefined) {
                report(`${where} names no dbSubnetGroupName, so it lands in the default VPC's subnets. Give it a subnet group of isolated subnets.`, cluster.urn);
                continue;
            }
            if (groupRef.external.length) {
                report(`${where} uses subnet group ${groupRef.external.join(", ")} from outside the stack: its isolation cannot be verified.`, cluster.urn);
            }
            for (const sng of groupRef.targets) {
                for (const subnet of g.refs(sng, "subnetIds", [T.subnet]).targets) {
                    const routes = subnetRoutes(g, subnet);
                    const out = [...routes.internetGateway, ...routes.otherInternet];
                    if (routes.routeTables.length === 0) {
                        report(`${where} uses ${label(subnet)}, which has no route table association in the stack (the VPC main table cannot be checked). Associate an isolated route table.`, cluster.urn);
                    }
                    if (out.length) {
                        report(`${where} uses ${label(subnet)}, which is not isolated (${out.join("; ")}). Database subnets have no route to the internet, neither an internet gateway nor NAT.`, cluster.urn);
                    }
                }
            }
        }
    },
};

export const networkPolicies = [securityGroupMatrix, controlPlanePrivate, databaseIsolated];
