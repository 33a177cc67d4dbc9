// Kong facts the pack needs, copied into the package so it does not import the program
// (kong-keys/SOURCES.md says where the lists come from).

import * as fs from "fs";
import * as path from "path";
import { broadCoverage, isWithin, parseRange } from "./cidr";
import type { Container } from "./topology";
import { parse as parseYaml } from "yaml";

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

// decK reads YAML or JSON state files (https://github.com/Kong/go-database-reconciler/blob/main/pkg/file/readfile.go).

/** A decK state document in a string (JSON or YAML, with `_format_version`), or undefined. */
export function parseDeckState(value: string): DeckState | undefined {
    const v = value.trim();
    let doc: any;
    try {
        if (v.startsWith("{")) doc = JSON.parse(v);
        else if (/^_format_version\s*:/m.test(v)) doc = parseYaml(v, { schema: "core" });
        else return undefined;
    } catch {
        return undefined;
    }
    return doc && typeof doc === "object" && typeof doc._format_version === "string" ? doc : undefined;
}

export interface AdminRouteFinding {
    route: string;
    paths: string;
    problems: string[];
}

const enabled = (p: any) => p && p.enabled !== false;

/** Path matches the admin prefix: "/kong-admin", "/kong-admin/…", or a regex path "~/kong-admin…". */
function isAdminPath(p: unknown, prefix: string): boolean {
    if (typeof p !== "string") return false;
    const path = p.startsWith("~") ? p.slice(1).replace(/^\^/, "") : p;
    return path === prefix || path.startsWith(prefix + "/") || path.startsWith(prefix + "(") || (p.startsWith("~") && path.startsWith(prefix));
}

// Kong's default admin_listen is "127.0.0.1:8001 …, 127.0.0.1:8444 http2 ssl …"
// (https://github.com/Kong/kong/blob/3.9.3/kong/templates/kong_defaults.lua).
export const DEFAULT_ADMIN_PORTS = [8001, 8444];

/**
 * Whether a Kong *_listen value closes the listener: Kong splits it on commas, strips blanks, and
 * takes a first entry of exactly "off" (lower case) as no listener at all
 * (https://github.com/Kong/kong/blob/3.9.3/kong/conf_loader/parse.lua, parse_listeners). Empty is unset: the default.
 */
export function listenerOff(listen: string): boolean {
    return listen.split(",")[0].trim() === "off";
}

/** The ports of a Kong listen value ("0.0.0.0:8001, [::]:8444 ssl"); [] for "off". */
export function listenPorts(listen: string): number[] {
    if (listenerOff(listen)) return [];
    return listen.split(",").flatMap(entry => {
        const m = /:(\d+)(\s|$)/.exec(entry.trim().split(/\s+/)[0] + " ");
        return m ? [Number(m[1])] : [];
    });
}

/** The upstream port a decK service points at: `url`, or `port` (default by protocol as in Kong: 80, 443 for https). */
function servicePort(service: any): number | undefined {
    if (typeof service?.url === "string") {
        const m = /^([a-z]+):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?/i.exec(service.url.trim());
        if (!m) return undefined;
        return m[3] ? Number(m[3]) : m[1].toLowerCase() === "https" ? 443 : 80;
    }
    if (service?.port !== undefined) return Number(service.port);
    return service?.host !== undefined ? (String(service.protocol ?? "http").toLowerCase() === "https" ? 443 : 80) : undefined;
}

/** Why an ip-restriction allow-list does not restrict (judged by the addresses it covers). */
export function allowListProblems(allow: string[], allowedCidrs: string[]): string[] {
    if (allow.length === 0) return ["ip-restriction has an empty allow list"];
    const problems: string[] = [];
    const bad = allow.filter(c => parseRange(c) === undefined);
    if (bad.length) problems.push(`ip-restriction allows ${bad.join(", ")}, which is not an address or CIDR`);
    for (const why of broadCoverage(allow)) problems.push(`ip-restriction allow list ${allow.join(", ")} ${why}`);
    if (allowedCidrs.length) {
        const outside = allow.filter(c => isWithin(c, allowedCidrs) === false);
        if (outside.length) problems.push(`ip-restriction allows ${outside.join(", ")}, not within allowedAdminCidrs ${allowedCidrs.join(", ")}`);
    }
    return problems;
}

/**
 * Checks every route that reaches the Admin API: a route whose path is the admin prefix, and any
 * route of a service whose upstream port is an admin port (whatever its path). key-auth and
 * ip-restriction must apply to it (route, service or global scope; consumer-scoped plugins do
 * not protect a route), and ip-restriction must allow a non-empty, narrow list (see
 * allowListProblems).
 */
export function checkAdminRoutes(state: DeckState, prefix: string, allowedCidrs: string[], adminPorts: number[] = DEFAULT_ADMIN_PORTS): AdminRouteFinding[] | "no-admin-route" {
    const services = Array.isArray(state.services) ? state.services : [];
    const topPlugins = (Array.isArray(state.plugins) ? state.plugins : []).filter(enabled);
    const routes: { route: any; service?: any }[] = [
        ...services.flatMap(s => (Array.isArray(s?.routes) ? s.routes : []).map((r: any) => ({ route: r, service: s }))),
        ...(Array.isArray(state.routes) ? state.routes : []).map(r => ({
            route: r,
            service: services.find(s => r?.service && (r.service === s.name || r.service?.name === s.name || r.service === s.id || r.service?.id === s.id)),
        })),
    ];
    const toAdmin = (service: any) => { const port = servicePort(service); return port !== undefined && adminPorts.includes(port); };
    const admin = routes.filter(({ route, service }) => toAdmin(service) || (Array.isArray(route?.paths) ? route.paths : []).some((p: unknown) => isAdminPath(p, prefix)));
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
        for (const p of ipr) problems.push(...allowListProblems(Array.isArray(p.config?.allow) ? p.config.allow.map(String) : [], allowedCidrs));
        const paths = Array.isArray(route.paths) ? route.paths.join(", ") : "(any path)";
        return { route: String(route.name ?? route.paths?.[0] ?? "?"), paths, problems };
    }).filter(f => f.problems.length > 0);
}

/** decK's env template, with the name quoted ("…") or as a Go raw string (`…`). */
const ENV_REFERENCE = /^\$\{\{\s*env\s+("[A-Za-z0-9_]+"|`[A-Za-z0-9_]+`)\s*\}\}$/;

/** Literal key-auth credentials in a state (a `${{ env "…" }}` reference is resolved by decK at sync time). */
export function literalCredentials(state: DeckState): string[] {
    const out: string[] = [];
    for (const c of Array.isArray(state.consumers) ? state.consumers : []) {
        for (const k of Array.isArray(c?.keyauth_credentials) ? c.keyauth_credentials : []) {
            if (typeof k?.key === "string" && k.key !== "" && !ENV_REFERENCE.test(k.key)) out.push(String(c.username ?? c.id ?? "?"));
        }
    }
    return out;
}
