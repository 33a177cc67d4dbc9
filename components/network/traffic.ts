import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// Security-group rules as arrows, the way the security-group table reads (docs/facts/design.md §2): "DP → CP on 8005".
// Every rule is a standalone resource with a description (no inline rules: they fight with
// standalone ones), and the SGs themselves are created without rules, so AWS's default
// allow-all egress is removed (the provider revokes it on create) and nothing else opens a port.
//
// The whole table (docs/facts/design.md §2) is drawn in one place, stacks/network.ts, one line per
// arrow, with these helpers; the README's security-group table lists the same arrows in the same order.

export interface Arrow {
    /** The port opened (TCP). */
    port: number;
    /** Why the rule exists: shown in the console next to the rule. */
    description: string;
    /** Tags of the rule resources (the stack's required tags). */
    tags?: Record<string, string>;
}

/** `from` may reach `to` on the port: an egress rule on `from` and the matching ingress on `to`. */
export function allowGroupToGroup(
    name: string,
    from: pulumi.Input<string>,
    to: pulumi.Input<string>,
    arrow: Arrow,
    opts: pulumi.CustomResourceOptions,
): void {
    const rule = { ipProtocol: "tcp", fromPort: arrow.port, toPort: arrow.port, description: arrow.description, tags: arrow.tags };
    new aws.vpc.SecurityGroupEgressRule(`${name}-egress`, { ...rule, securityGroupId: from, referencedSecurityGroupId: to }, opts);
    new aws.vpc.SecurityGroupIngressRule(`${name}-ingress`, { ...rule, securityGroupId: to, referencedSecurityGroupId: from }, opts);
}

function cidrField(cidr: string) {
    return cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr };
}

/** Ingress to `to` from address ranges (the internet, for the ALB). One rule per range. */
export function allowFromCidrs(name: string, to: pulumi.Input<string>, cidrs: string[], arrow: Arrow, opts: pulumi.CustomResourceOptions): void {
    for (const cidr of cidrs) {
        new aws.vpc.SecurityGroupIngressRule(`${name}-${ruleSuffix(cidr)}`, {
            securityGroupId: to, ipProtocol: "tcp", fromPort: arrow.port, toPort: arrow.port, description: arrow.description, tags: arrow.tags, ...cidrField(cidr),
        }, opts);
    }
}

/** Egress from `from` to address ranges. One rule per range. */
export function allowToCidrs(name: string, from: pulumi.Input<string>, cidrs: string[], arrow: Arrow, opts: pulumi.CustomResourceOptions): void {
    for (const cidr of cidrs) {
        new aws.vpc.SecurityGroupEgressRule(`${name}-${ruleSuffix(cidr)}`, {
            securityGroupId: from, ipProtocol: "tcp", fromPort: arrow.port, toPort: arrow.port, description: arrow.description, tags: arrow.tags, ...cidrField(cidr),
        }, opts);
    }
}

/** A stable, URN-safe name part for a CIDR: 0.0.0.0/0 → "0-0-0-0-0", ::/0 → "ipv6-0". */
export function ruleSuffix(cidr: string): string {
    return cidr.includes(":") ? `ipv6-${cidr.replace(/[^0-9a-fA-F]+/g, "-").replace(/^-|-$/g, "")}` : cidr.replace(/[./]/g, "-");
}

export interface EgressTarget {
    cidr: string;
    port: number;
    description: string;
}

/**
 * Merges egress needs into distinct (cidr, port) rules: AWS rejects a duplicate rule, and the
 * default upstream egress (443 anywhere) is the same rule as the one for images and AWS APIs.
 * The first description wins.
 */
export function distinctEgress(targets: EgressTarget[]): EgressTarget[] {
    const seen = new Map<string, EgressTarget>();
    for (const t of targets) {
        const key = `${t.cidr}|${t.port}`;
        if (!seen.has(key)) seen.set(key, t);
    }
    return [...seen.values()];
}
