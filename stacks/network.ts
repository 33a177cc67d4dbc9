import * as pulumi from "@pulumi/pulumi";
import { dataPlaneEgress } from "../components/data-plane";
import { PORTS } from "../components/network/ports";
import { allowFromCidrs, allowGroupToGroup, allowToCidrs } from "../components/network/traffic";

// The security-group table of the stack, in one place: every arrow between components, one line
// per arrow, in the order of the README's table ("Security groups"). Components create their
// security groups without rules; nothing else opens a port. Rule names are those the components
// used before this module existed, and each rule carries an alias to its previous parent, so an
// upgrade moves the rules instead of replacing them.

/** A DP group and the load balancer in front of it. */
export interface GroupArrows {
    /** The group's component name (dp-public). */
    name: string;
    /** The group's component: its rules were its children before (alias). */
    component: pulumi.Resource;
    securityGroupId: pulumi.Input<string>;
    /** public: behind the shared edge; internal: behind its own internal ALB (component name, SG). */
    loadBalancer: { kind: "edge" } | { kind: "internal"; name: string; securityGroupId: pulumi.Input<string> };
    upstreamEgressCidrs: readonly string[];
    upstreamEgressPorts: readonly number[];
}

export interface SecurityGroupTable {
    vpcCidr: string;
    /** The shared public ALB, when the stack has public groups. */
    edge?: { name: string; securityGroupId: pulumi.Input<string>; httpRedirect: boolean };
    groups: readonly GroupArrows[];
    /** The CP in this network (its component, CP and DB security groups); absent for a CP elsewhere. */
    controlPlane?: {
        name: string; component: pulumi.Resource; securityGroupId: pulumi.Input<string>; databaseSecurityGroupId: pulumi.Input<string>;
        /** CP ─443─> anywhere; false for CP pods on EKS, whose images the kubelet pulls and which call no AWS API. @default true */
        httpsEgress?: boolean;
    };
    tags: Record<string, string>;
}

/** The URN a resource had under a parent that no longer exists in this form (for `aliases`). */
function previousParent(qualifiedType: string, name: string): string {
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualifiedType}::${name}`;
}

/** Draws every arrow of the table. */
export function drawSecurityGroupTable(t: SecurityGroupTable): void {
    const { tags, edge, controlPlane: cp } = t;
    const was = (parent: pulumi.Resource | string): pulumi.CustomResourceOptions => ({ aliases: [{ parent }] });
    // Before the edge was a peer, it was a child of the single public group dp-public.
    const edgeWas = was(previousParent("kong:dataplane:DataPlane$kong:edge:Edge", edge?.name ?? ""));

    // internet ─443──> ALB   (IPv4 only: the ALB is ipv4 and the VPC has no IPv6 block, so ::/0 would admit nothing)
    if (edge) allowFromCidrs(`${edge.name}-https-in`, edge.securityGroupId, ["0.0.0.0/0"], { port: PORTS.https, description: "HTTPS from API clients and admins", tags }, edgeWas);
    // internet ─80───> ALB   (only a 301 to HTTPS answers there; without the rule the redirect would be unreachable)
    if (edge?.httpRedirect) allowFromCidrs(`${edge.name}-http-in`, edge.securityGroupId, ["0.0.0.0/0"], { port: 80, description: "HTTP, answered only with a redirect to HTTPS", tags }, edgeWas);
    for (const g of t.groups) {
        const lb = g.loadBalancer;
        if (lb.kind === "edge") {
            if (!edge) throw new Error(`security-group table: group ${g.name} is public but the stack has no edge`);
            // ALB ─8000,8100─> DP   (proxy; /status/ready health check)
            allowGroupToGroup(`${g.name}-edge-to-dp-proxy`, edge.securityGroupId, g.securityGroupId, { port: PORTS.proxy, description: "ALB to Kong DP proxy", tags }, edgeWas);
            allowGroupToGroup(`${g.name}-edge-to-dp-status`, edge.securityGroupId, g.securityGroupId, { port: PORTS.status, description: "ALB health check of Kong DP /status/ready", tags }, edgeWas);
        } else {
            // VPC ─443──> internal ALB
            allowFromCidrs(`${lb.name}-https-in`, lb.securityGroupId, [t.vpcCidr], { port: PORTS.https, description: "HTTPS from clients in the VPC", tags }, {});
            // internal ALB ─8000,8100─> DP
            allowGroupToGroup(`${lb.name}-to-dp-proxy`, lb.securityGroupId, g.securityGroupId, { port: PORTS.proxy, description: "Internal ALB to Kong DP proxy", tags }, {});
            allowGroupToGroup(`${lb.name}-to-dp-status`, lb.securityGroupId, g.securityGroupId, { port: PORTS.status, description: "Internal ALB health check of Kong DP /status/ready", tags }, {});
        }
        // DP ─8001,8005─> CP   (admin proxy for /kong-admin; cluster sync, mTLS)
        if (cp) {
            allowGroupToGroup(`${g.name}-to-cp-admin`, g.securityGroupId, cp.securityGroupId, { port: PORTS.admin, description: "Kong DP /kong-admin route to the CP Admin API", tags }, was(g.component));
            allowGroupToGroup(`${g.name}-to-cp-cluster`, g.securityGroupId, cp.securityGroupId, { port: PORTS.cluster, description: "Kong DP to CP cluster sync (mTLS)", tags }, was(g.component));
        }
        // DP ─443────> anywhere; DP ─upstream─> configured   (image pulls and AWS APIs; the APIs it proxies)
        for (const e of dataPlaneEgress(g.upstreamEgressCidrs, g.upstreamEgressPorts)) {
            allowToCidrs(`${g.name}-egress-${e.port}`, g.securityGroupId, [e.cidr], { ...e, tags }, was(g.component));
        }
    }
    if (cp) {
        // CP ─5432──> DB
        allowGroupToGroup(`${cp.name}-cp-to-db`, cp.securityGroupId, cp.databaseSecurityGroupId, { port: PORTS.postgres, description: "Kong CP to its Aurora PostgreSQL", tags }, was(cp.component));
        // CP ─443───> anywhere   (image pulls, Secrets Manager, ECR, CloudWatch Logs)
        if (cp.httpsEgress !== false) allowToCidrs(`${cp.name}-https-out`, cp.securityGroupId, ["0.0.0.0/0"], { port: PORTS.https, description: "Kong CP to image registries and AWS APIs (Secrets Manager, ECR, CloudWatch Logs)", tags }, was(cp.component));
    }
}
