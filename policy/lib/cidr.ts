// Address coverage of CIDR lists, for rules that must judge what a list *allows*, not how it is
// spelled: ["0.0.0.0/1", "128.0.0.0/1"] opens the whole internet as surely as "0.0.0.0/0".
// Pure and dependency-free, so the policy pack (which ships alone) and the stack's config
// validation (stacks/) share this one source.

export type Family = "ipv4" | "ipv6";

export interface AddressRange {
    family: Family;
    /** First and last address, inclusive. */
    first: bigint;
    last: bigint;
}

const BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

function parseIpv4(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4 || parts.some(p => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return parts.reduce((acc, p) => acc * 256n + BigInt(Number(p)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
    if (!/^[0-9a-f:.]+$/i.test(text) || (text.match(/::/g) ?? []).length > 1) return undefined;
    // An embedded IPv4 tail (::ffff:10.0.0.1) is two groups.
    let groups = text;
    const v4 = /(\d{1,3}(\.\d{1,3}){3})$/.exec(text);
    if (v4) {
        const n = parseIpv4(v4[1]);
        if (n === undefined) return undefined;
        groups = text.slice(0, v4.index) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head, tail] = groups.includes("::") ? groups.split("::") : [groups, undefined];
    const h = head ? head.split(":") : [];
    const t = tail ? tail.split(":") : [];
    const missing = 8 - h.length - t.length;
    if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
    const all = [...h, ...Array(tail === undefined ? 0 : missing).fill("0"), ...t];
    if (all.some(g => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
    return all.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/**
 * Parses "a.b.c.d/n", an IPv6 "x::/n", or a bare address (a /32 or /128). Host bits are ignored
 * (AWS and Kong both treat 10.0.0.5/8 as 10.0.0.0/8). Undefined for anything else.
 */
export function parseRange(cidr: string): AddressRange | undefined {
    const [addr, prefixText, extra] = cidr.trim().split("/");
    if (extra !== undefined || addr === undefined) return undefined;
    const family: Family = addr.includes(":") ? "ipv6" : "ipv4";
    const value = family === "ipv4" ? parseIpv4(addr) : parseIpv6(addr);
    const bits = BITS[family];
    const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (value === undefined || !(prefix >= 0 && prefix <= bits)) return undefined;
    const hostBits = BigInt(bits - prefix);
    const first = (value >> hostBits) << hostBits;
    return { family, first, last: first + (1n << hostBits) - 1n };
}

/** How many distinct addresses of one family the list covers (overlaps counted once). */
export function addressCount(cidrs: readonly string[], family: Family): bigint {
    const ranges = cidrs
        .map(parseRange)
        .filter((r): r is AddressRange => r !== undefined && r.family === family)
        .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    let total = 0n;
    let end = -1n; // last address already counted
    for (const r of ranges) {
        if (r.last <= end) continue;
        const start = r.first > end ? r.first : end + 1n;
        total += r.last - start + 1n;
        end = r.last;
    }
    return total;
}

/** The families whose whole address space the list covers, however it is split up. */
export function wholeInternetFamilies(cidrs: readonly string[]): Family[] {
    return (["ipv4", "ipv6"] as const).filter(f => addressCount(cidrs, f) === 1n << BigInt(BITS[f]));
}

/**
 * The share (0..1) of a family's address space the list covers. An allow-list is judged by this:
 * a list that opens half the internet is not an allow-list.
 */
export function coveredShare(cidrs: readonly string[], family: Family): number {
    return Number((addressCount(cidrs, family) * 1_000_000n) >> BigInt(BITS[family])) / 1_000_000;
}

/** True if every address `cidr` covers lies inside one of `parents` (undefined if `cidr` does not parse). */
export function isWithin(cidr: string, parents: readonly string[]): boolean | undefined {
    const r = parseRange(cidr);
    if (!r) return undefined;
    return parents.map(parseRange).some(p => p !== undefined && p.family === r.family && p.first <= r.first && r.last <= p.last);
}

/** Private address space: RFC 1918 (IPv4) and unique local addresses (IPv6, RFC 4193). */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];

/**
 * The broadest share of one family an allow-list may cover: that of a /8 (1/256). An operator
 * allow-list names offices, VPNs or bastions; a list wider than a /8 is not one.
 */
export const MAX_ALLOW_LIST_SHARE = 1 / 256;

/** Why a CIDR allow-list is too broad (empty when it is not): whole families, or more than a /8 of one. */
export function broadCoverage(cidrs: readonly string[]): string[] {
    const whole = wholeInternetFamilies(cidrs);
    const out = whole.map(f => `covers the whole ${f === "ipv4" ? "IPv4" : "IPv6"} internet`);
    for (const f of (["ipv4", "ipv6"] as const).filter(x => !whole.includes(x))) {
        const share = coveredShare(cidrs, f);
        if (share > MAX_ALLOW_LIST_SHARE) out.push(`covers ${(share * 100).toFixed(share < 0.01 ? 2 : 0)}% of the ${f === "ipv4" ? "IPv4" : "IPv6"} address space (more than a /8)`);
    }
    return out;
}
