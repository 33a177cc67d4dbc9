// IPv4 / IPv6 CIDR arithmetic for config validation and the default subnet plan. Pure, no deps.

export interface Ipv4Cidr {
    /** Network address as an unsigned 32-bit integer. */
    base: number;
    prefix: number;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "a.b.c.d/n"; returns an error text instead of throwing. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | { error: string } {
    const m = IPV4_CIDR.exec(text);
    if (!m) return { error: "is not an IPv4 CIDR block (expected a.b.c.d/n)" };
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some(o => o > 255)) return { error: "has an octet above 255" };
    if (prefix > 32) return { error: "has a prefix length above 32" };
    const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
    const base = networkOf(addr, prefix);
    if (base !== addr) {
        return { error: `has host bits set (the network address is ${formatIpv4Cidr({ base, prefix })})` };
    }
    return { base, prefix };
}

export function isIpv6Cidr(text: string): boolean {
    const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(text);
    return !!m && m[1].includes(":") && Number(m[2]) <= 128;
}

export function formatIpv4Cidr(c: Ipv4Cidr): string {
    const o = [24, 16, 8, 0].map(shift => Math.floor(c.base / 2 ** shift) % 256);
    return `${o.join(".")}/${c.prefix}`;
}

function networkOf(addr: number, prefix: number): number {
    const size = 2 ** (32 - prefix);
    return Math.floor(addr / size) * size;
}

export function size(c: Ipv4Cidr): number {
    return 2 ** (32 - c.prefix);
}

export function contains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
    return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
    return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** The index-th block of length newPrefix inside parent (like Terraform's cidrsubnet). */
export function subnet(parent: Ipv4Cidr, newPrefix: number, index: number): Ipv4Cidr {
    const base = parent.base + index * 2 ** (32 - newPrefix);
    return { base, prefix: newPrefix };
}

/**
 * Default subnet plan for a VPC: private (app) subnets get the big blocks because Fargate
 * tasks take one IP each; public subnets hold only the ALB and NAT; isolated ones only Aurora.
 *   private:  /(p+4) blocks from the start of the VPC      (6 AZs use 6/16 of the space)
 *   public:   /(p+8) blocks from the middle
 *   isolated: /(p+8) blocks from three quarters
 * With a /16 this is 10.0.0.0/20…, 10.0.128.0/24…, 10.0.192.0/24…
 */
export function defaultSubnetPlan(vpc: Ipv4Cidr, azCount: number) {
    const p = vpc.prefix;
    const at = (newPrefix: number, offsetFraction: number, i: number) =>
        formatIpv4Cidr(subnet(vpc, newPrefix, offsetFraction * 2 ** (newPrefix - p) + i));
    const range = [...Array(azCount).keys()];
    return {
        private: range.map(i => at(p + 4, 0, i)),
        public: range.map(i => at(p + 8, 1 / 2, i)),
        isolated: range.map(i => at(p + 8, 3 / 4, i)),
    };
}
