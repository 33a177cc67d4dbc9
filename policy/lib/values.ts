// Reading resource properties the way the policy engine hands them over.
//
// During `pulumi preview` the engine wraps `props` in a proxy that throws UnknownValueError as
// soon as a policy touches a value that is not known yet (@pulumi/policy 1.21 proxy.js), and the
// server then downgrades the WHOLE policy to an advisory "can't run during preview" note. A
// cross-resource policy would then check nothing on a fresh stack, where every id is unknown. So
// every policy first unwraps the proxy and treats the engine's unknown sentinels as data.

/** The sentinels the engine uses for values computed during the update (checked against @pulumi/policy 1.21 proxy.js). */
const UNKNOWN_SENTINELS = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (also what `pulumi preview --json` prints)
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(v: unknown): boolean {
    return typeof v === "string" && UNKNOWN_SENTINELS.has(v);
}

/** The plain object behind the engine's unknown-checking proxy (or the value itself). */
export function plain<T = any>(v: T): T {
    if (v !== null && typeof v === "object") {
        const p = v as any;
        if (p.__isSpecialProxy === true) return p.__getSpecialProxyTarget;
    }
    return v;
}

/** A known string, or undefined when absent or unknown. */
export function str(v: unknown): string | undefined {
    return typeof v === "string" && !isUnknown(v) ? v : undefined;
}

/** A known number (numbers may arrive as strings from JSON plans), or undefined. */
export function num(v: unknown): number | undefined {
    if (typeof v === "number") return v;
    if (typeof v === "string" && !isUnknown(v) && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
    return undefined;
}

/** A known array, or [] when absent or unknown. */
export function list(v: unknown): any[] {
    return Array.isArray(v) ? v : [];
}

/** Parses a JSON document given as a string or already as an object; undefined if unknown or invalid. */
export function json(v: unknown): any {
    if (v === undefined || v === null || isUnknown(v)) return undefined;
    if (typeof v !== "string") return v;
    try { return JSON.parse(v); } catch { return undefined; }
}

export const IPV4_ANY = "0.0.0.0/0";
export const IPV6_ANY = "::/0";

/** True for a CIDR that covers the whole IPv4 or IPv6 internet (also spelled 0.0.0.0 or ::). */
export function isAnyCidr(cidr: string): boolean {
    const c = cidr.trim().toLowerCase();
    return c === IPV4_ANY || c === IPV6_ANY || c === "0.0.0.0" || c === "::" || /^0+(\.0+){3}\/0$/.test(c) || /^(0*:)+0*\/0$/.test(c) || c === "::0/0";
}
