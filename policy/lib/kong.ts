// Kong facts the pack needs, copied into the package so it does not import the program
// (kong-keys/SOURCES.md says where the lists come from).

import * as fs from "fs";
import * as path from "path";
import { isAnyCidr } from "./values";
import type { Container } from "./topology";

export type KeyList = "oss-3.9.3" | "ee-3.9" | "ee-3.15";

/**
 * The key list for an image: `kong`/`kong/kong` (and any other repository) run open-source Kong,
 * whose last release is 3.9.3; repositories ending in `kong-gateway` run Enterprise, with the 3.9
 * list up to 3.9 and the 3.15 list from 3.10. Undefined when the tag is not a 3.x version.
 */
export function keyListForImage(image: string): { list: KeyList; version: string } | undefined {
    const slash = image.lastIndexOf("/");
    const at = image.indexOf("@");
    const ref = at >= 0 ? image.slice(0, at) : image;
    const colon = ref.lastIndexOf(":");
    if (colon <= slash) return undefined;
    const repo = ref.slice(0, colon);
    const tag = ref.slice(colon + 1);
    const m = /^(\d+)\.(\d+)(?:\.\d+)*(?:-[A-Za-z0-9.]+)?$/.exec(tag);
    if (!m || m[1] !== "3") return undefined;
    const minor = Number(m[2]);
    const enterprise = repo.split("/").pop()!.endsWith("kong-gateway");
    if (!enterprise) return { list: "oss-3.9.3", version: tag };
    return { list: minor <= 9 ? "ee-3.9" : "ee-3.15", version: tag };
}

const cache = new Map<KeyList, ReadonlySet<string>>();

export function confKeys(list: KeyList): ReadonlySet<string> {
    let keys = cache.get(list);
    if (!keys) {
        const text = fs.readFileSync(path.join(__dirname, "..", "kong-keys", `${list}.txt`), "utf8");
        keys = new Set(text.split("\n").map(l => l.trim()).filter(Boolean));
        cache.set(list, keys);
    }
    return keys;
}

/** Read by Kong from the environment but not kong.conf keys (licence loader). */
const NON_CONF_ENV = new Set(["KONG_LICENSE_DATA", "KONG_LICENSE_PATH"]);

/** KONG_* names the image's Kong would silently ignore (Kong merges conf keys plus nginx_<ns>_*, pluginserver_*, vault_*). */
export function unknownKongNames(names: string[], list: KeyList, extra: string[] = []): string[] {
    const keys = confKeys(list);
    return names.filter(name => {
        if (!name.startsWith("KONG_") || NON_CONF_ENV.has(name)) return false;
        const key = name.slice(5).toLowerCase();
        if (keys.has(key) || extra.includes(key)) return false;
        return !/^(nginx_[a-z]+_.+|pluginserver_.+|vault_.+)$/.test(key);
    });
}

/** A Kong node: a container that sets a hybrid role, or runs a Kong image. */
export function isKongNode(c: Container): boolean {
    if (c.env.has("KONG_ROLE")) return true;
    const image = c.image ?? "";
    const repo = image.replace(/[@:][^/]*$/, "").split("/").pop() ?? "";
    return repo === "kong" || repo.endsWith("kong-gateway");
}

// ---------------------------------------------------------------- decK state (admin bootstrap)

export interface DeckState {
    _format_version: string;
    services?: any[];
    routes?: any[];
    plugins?: any[];
    consumers?: any[];
}

/** A decK state document in a string (JSON), or undefined. */
export function parseDeckState(value: string): DeckState | undefined {
    const v = value.trim();
    if (!v.startsWith("{")) return undefined;
    try {
        const doc = JSON.parse(v);
        return doc && typeof doc === "object" && typeof doc._format_version === "string" ? doc : undefined;
    } catch {
        return undefined;
    }
}

export interface AdminRouteFinding {
    route: string;
    problems: string[];
}

const enabled = (p: any) => p && p.enabled !== false;

/** Path matches the admin prefix: "/kong-admin", "/kong-admin/…", or a regex path "~/kong-admin…". */
function isAdminPath(p: unknown, prefix: string): boolean {
    if (typeof p !== "string") return false;
    const path = p.startsWith("~") ? p.slice(1).replace(/^\^/, "") : p;
    return path === prefix || path.startsWith(prefix + "/") || path.startsWith(prefix + "(") || (p.startsWith("~") && path.startsWith(prefix));
}

/**
 * Checks every route of the state whose path is the admin prefix: key-auth and ip-restriction
 * must apply to it (route, service or global scope; consumer-scoped plugins do not protect a
 * route), and ip-restriction must allow a non-empty list without 0.0.0.0/0 or ::/0 (and, if
 * `allowedCidrs` is given, only entries from it).
 */
export function checkAdminRoutes(state: DeckState, prefix: string, allowedCidrs: string[]): AdminRouteFinding[] | "no-admin-route" {
    const services = Array.isArray(state.services) ? state.services : [];
    const topPlugins = (Array.isArray(state.plugins) ? state.plugins : []).filter(enabled);
    const routes: { route: any; service?: any }[] = [
        ...services.flatMap(s => (Array.isArray(s?.routes) ? s.routes : []).map((r: any) => ({ route: r, service: s }))),
        ...(Array.isArray(state.routes) ? state.routes : []).map(r => ({
            route: r,
            service: services.find(s => r?.service && (r.service === s.name || r.service?.name === s.name || r.service === s.id || r.service?.id === s.id)),
        })),
    ];
    const admin = routes.filter(({ route }) => (Array.isArray(route?.paths) ? route.paths : []).some((p: unknown) => isAdminPath(p, prefix)));
    if (admin.length === 0) return "no-admin-route";
    const refersTo = (ref: any, entity: any) => entity && ref !== undefined && (ref === entity.name || ref === entity.id || ref?.name === entity.name || (ref?.id !== undefined && ref?.id === entity.id));
    return admin.map(({ route, service }) => {
        const plugins = [
            ...(Array.isArray(route.plugins) ? route.plugins : []),
            ...(Array.isArray(service?.plugins) ? service.plugins : []),
            ...topPlugins.filter(p => refersTo(p.route, route) || refersTo(p.service, service)
                || (p.route === undefined && p.service === undefined && p.consumer === undefined && p.consumer_group === undefined)),
        ].filter(enabled).filter(p => p.consumer === undefined && p.consumer_group === undefined);
        const problems: string[] = [];
        if (!plugins.some(p => p.name === "key-auth")) problems.push("no key-auth plugin");
        const ipr = plugins.filter(p => p.name === "ip-restriction");
        if (ipr.length === 0) problems.push("no ip-restriction plugin");
        for (const p of ipr) {
            const allow = Array.isArray(p.config?.allow) ? p.config.allow.map(String) : [];
            if (allow.length === 0) problems.push("ip-restriction has an empty allow list");
            const open = allow.filter(isAnyCidr);
            if (open.length) problems.push(`ip-restriction allows ${open.join(", ")}`);
            if (allowedCidrs.length) {
                const outside = allow.filter((c: string) => !allowedCidrs.includes(c) && !isAnyCidr(c));
                if (outside.length) problems.push(`ip-restriction allows ${outside.join(", ")}, not in allowedAdminCidrs`);
            }
        }
        return { route: String(route.name ?? route.paths?.[0] ?? "?"), problems };
    }).filter(f => f.problems.length > 0);
}

/** Literal key-auth credentials in a state (a `${{ env "…" }}` or `${{ env `…` }}` reference is resolved by decK at sync time). */
export function literalCredentials(state: DeckState): string[] {
    const out: string[] = [];
    for (const c of Array.isArray(state.consumers) ? state.consumers : []) {
        for (const k of Array.isArray(c?.keyauth_credentials) ? c.keyauth_credentials : []) {
            if (typeof k?.key === "string" && k.key !== "" && !/^\$\{\{\s*env\s+("[A-Z0-9_]+"|`[A-Z0-9_]+`)\s*\}\}$/.test(k.key)) out.push(String(c.username ?? c.id ?? "?"));
        }
    }
    return out;
}
