// Kubernetes objects as the pack reads them: Kong's Helm releases (the chart's values turned into
// the Services and the env the chart renders), SecurityGroupPolicies (which pods get which
// security group), raw Services and workloads. Roles come from structure: a Release of Kong's
// chart and the `role` its values give Kong, never a release or namespace name.

import { Graph, Resource } from "./resolver";
import { K, T } from "./types";
import { isUnknown, list, plain, str } from "./values";

export type KongRole = "control_plane" | "data_plane" | "traditional";

/**
 * The chart's defaults for the parts the policies judge (Kong/charts, charts/kong/values.yaml of
 * chart 3.x: https://github.com/Kong/charts/blob/main/charts/kong/values.yaml): which Services it
 * renders and of what type when values say nothing.
 */
export const CHART_SERVICE_DEFAULTS: Record<string, { enabled: boolean; type: string }> = {
    admin: { enabled: false, type: "NodePort" },
    manager: { enabled: true, type: "NodePort" },
    portal: { enabled: true, type: "NodePort" },
    portalapi: { enabled: true, type: "NodePort" },
    cluster: { enabled: false, type: "ClusterIP" },
    clustertelemetry: { enabled: false, type: "ClusterIP" },
    proxy: { enabled: true, type: "LoadBalancer" },
    udpProxy: { enabled: false, type: "LoadBalancer" },
};

/** What the chart renders as KONG_ADMIN_LISTEN when `admin.enabled` is false (templates/_helpers.tpl, kong.env). */
export const CHART_DISABLED_ADMIN_LISTEN = "127.0.0.1:8444 http2 ssl, [::1]:8444 http2 ssl";

export interface KongRelease {
    release: Resource;
    /** The release's name and namespace; undefined when unknown. */
    name?: string;
    namespace?: string;
    /** The chart values as given; undefined when unknown (a preview where values depend on new outputs). */
    values?: Record<string, any>;
    role?: KongRole;
    /** The Kong env the chart renders from `env`/`customEnv` (known plain strings only), plus the admin listeners. */
    env: Map<string, string>;
    /** Labels the chart puts on the role's pods. */
    podLabels: Record<string, string>;
}

/** True for Kong's own chart: `kong`, `kong/kong`, an OCI/HTTP path ending in /kong, or a packaged kong-<version>.tgz. */
export function isKongChart(chart: unknown): boolean {
    const c = str(plain(chart));
    return c !== undefined && /(^|\/)kong(-\d[\w.+-]*\.tgz)?$/.test(c.trim());
}

const isObject = (v: unknown): v is Record<string, any> => v !== null && typeof v === "object" && !Array.isArray(v) && !isUnknown(v);

/** A truthy flag as values write it (true or "true"). */
export function on(v: unknown): boolean {
    v = plain(v);
    return v === true || v === "true";
}

/** The chart's env from values: `env.<k>` → KONG_<K>, then `customEnv.<k>` → <K> (mergeOverwrite autoEnv userEnv customEnv). */
function renderedEnv(values: Record<string, any>): Map<string, string> {
    const env = new Map<string, string>();
    const enterprise = on(plain(values.enterprise)?.enabled);
    const admin = plain(values.admin) ?? {};
    const adminEnabled = admin.enabled === undefined ? CHART_SERVICE_DEFAULTS.admin.enabled : on(admin.enabled);
    env.set("KONG_ADMIN_LISTEN", adminEnabled ? "(the chart's listeners from admin.http/admin.tls)" : CHART_DISABLED_ADMIN_LISTEN);
    // The chart renders Kong Manager's listener from manager.* whenever enterprise is on, manager enabled or not.
    if (enterprise) env.set("KONG_ADMIN_GUI_LISTEN", "(the chart's listeners from manager.http/manager.tls)");
    const put = (map: unknown, prefix: string) => {
        const m = plain(map);
        if (!isObject(m)) return;
        for (const [k, v] of Object.entries(m)) {
            const value = plain(v);
            if (typeof value === "string" && !isUnknown(value)) env.set(`${prefix}${k.toUpperCase()}`, value);
            else if (typeof value === "number" || typeof value === "boolean") env.set(`${prefix}${k.toUpperCase()}`, String(value));
        }
    };
    put(values.env, "KONG_");
    put(values.customEnv, "");
    return env;
}

/** A Release of Kong's chart, with its role and rendered env; undefined for anything else. */
export function kongRelease(release: Resource): KongRelease | undefined {
    if (release.type !== K.helmRelease) return undefined;
    const p = plain(release.props) ?? {};
    if (!isKongChart(p.chart)) return undefined;
    const values = isObject(plain(p.values)) ? plain(p.values) as Record<string, any> : undefined;
    const env = values ? renderedEnv(values) : new Map<string, string>();
    const role = env.get("KONG_ROLE");
    const name = str(p.name);
    const podLabels = isObject(plain(values?.podLabels)) ? plain(values!.podLabels) as Record<string, unknown> : {};
    return {
        // An unset namespace is the provider's, "default" unless the provider says otherwise.
        release, name, namespace: str(p.namespace) ?? (p.namespace === undefined ? "default" : undefined), values, env,
        // No role in the values: Kong's default, traditional.
        role: role === "control_plane" || role === "data_plane" || role === "traditional" ? role : values ? "traditional" : undefined,
        podLabels: {
            "app.kubernetes.io/name": str(values?.nameOverride) ?? "kong",
            "app.kubernetes.io/component": "app",
            ...(name ? { "app.kubernetes.io/instance": name } : {}),
            ...Object.fromEntries(Object.entries(podLabels).filter((e): e is [string, string] => typeof e[1] === "string")),
        },
    };
}

/** Kong's releases in the stack. */
export function kongReleases(g: Graph): KongRelease[] {
    return g.ofType(K.helmRelease).map(kongRelease).filter((k): k is KongRelease => k !== undefined);
}

/** The Services the chart renders for a release, with their type (values over the chart's defaults). */
export function chartServices(values: Record<string, any>): { key: string; type: string; ingress: boolean }[] {
    const enterprise = on(plain(values.enterprise)?.enabled);
    return Object.entries(CHART_SERVICE_DEFAULTS).flatMap(([key, d]) => {
        const v = plain(values[key]) ?? {};
        const enabled = v.enabled === undefined ? d.enabled : on(v.enabled);
        // The Dev Portal's Services exist only in enterprise mode (https://github.com/Kong/charts/blob/main/charts/kong/templates/service-kong-portal.yaml);
        // Kong Manager's is rendered whenever manager.enabled in chart 3.4.1 (the project's pin), even on a DP without enterprise.
        if (!enabled || ((key === "portal" || key === "portalapi") && !enterprise)) return [];
        return [{ key, type: str(plain(v.type)) ?? d.type, ingress: on(plain(v.ingress)?.enabled) }];
    });
}

/** Whether a label selector (matchLabels/matchExpressions) selects pods with `labels`; unknown parts are taken to match. */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
    const s = plain(selector);
    if (s === undefined || s === null || isUnknown(s)) return true;
    if (!isObject(s)) return true;
    const ml = plain(s.matchLabels);
    if (isObject(ml)) {
        for (const [k, v] of Object.entries(ml)) {
            const want = plain(v);
            if (isUnknown(want)) continue;
            if (labels[k] !== want) return false;
        }
    }
    for (const e of list(plain(s.matchExpressions)).map(plain)) {
        const key = str(e?.key);
        if (key === undefined) continue;
        const values = list(plain(e.values)).map(plain);
        const has = key in labels;
        switch (str(e.operator)) {
            case "In": if (!has || !values.includes(labels[key])) return false; break;
            case "NotIn": if (has && values.includes(labels[key])) return false; break;
            case "Exists": if (!has) return false; break;
            case "DoesNotExist": if (has) return false; break;
        }
    }
    return true;
}

/** The namespace of a Kubernetes object (metadata.namespace; unset is "default"); undefined when unknown. */
export function namespaceOf(r: Resource): string | undefined {
    const meta = plain(plain(r.props)?.metadata);
    if (meta === undefined || meta === null) return "default";
    if (isUnknown(meta)) return undefined;
    const ns = plain(meta.namespace);
    return ns === undefined ? "default" : str(ns);
}

/** The releases an object in `namespace` with `selector` reaches (an unknown namespace reaches none it cannot name). */
export function selectedReleases(releases: KongRelease[], namespace: string | undefined, selector: unknown): KongRelease[] {
    return releases.filter(k => namespace !== undefined && k.namespace === namespace && selects(selector, k.podLabels));
}

export interface PodSecurityGroups {
    policy: Resource;
    namespace?: string;
    releases: KongRelease[];
    groups: Resource[];
    /** Group ids named that are not in this stack. */
    external: string[];
}

/**
 * SecurityGroupPolicies and the Kong releases whose pods they put in their groups
 * (https://docs.aws.amazon.com/eks/latest/userguide/sg-pods-example-deployment.html). A policy
 * selecting by service account, or whose spec is unknown, is taken to reach every release of its
 * namespace.
 */
export function podSecurityGroups(g: Graph, releases: KongRelease[]): PodSecurityGroups[] {
    return g.ofType(K.securityGroupPolicy).map(policy => {
        const namespace = namespaceOf(policy);
        const spec = plain(plain(policy.props)?.spec);
        const known = isObject(spec);
        // No podSelector (a serviceAccountSelector only) or an unknown spec: every pod of the namespace.
        const selector = known ? spec.podSelector : undefined;
        const ref = g.refs(policy, "spec", [T.securityGroup], known ? plain(plain(spec.securityGroups)?.groupIds) : spec);
        return { policy, namespace, releases: selectedReleases(releases, namespace, selector), groups: ref.targets, external: ref.external };
    });
}

/**
 * The nodes' security groups: those of the launch templates of EKS managed node groups. Pods
 * without a SecurityGroupPolicy share them, and kubelets probe pods from them.
 */
export function nodeGroups(g: Graph): Set<Resource> {
    const out = new Set<Resource>();
    for (const ng of g.ofType(T.eksNodeGroup)) {
        const lt = plain(plain(ng.props)?.launchTemplate);
        for (const t of g.refs(ng, "launchTemplate", [T.launchTemplate], isObject(lt) ? (lt.id ?? lt.name) : lt).targets) {
            g.refs(t, "vpcSecurityGroupIds", [T.securityGroup]).targets.forEach(sg => out.add(sg));
        }
    }
    return out;
}

/** Name/value pairs of every Kubernetes container `env` list (`[{name, value}]`) anywhere in `v`. */
export function containerEnvLists(v: unknown, out: [string, string][] = []): [string, string][] {
    v = plain(v);
    if (Array.isArray(v)) { v.forEach(x => containerEnvLists(x, out)); return out; }
    if (!isObject(v)) return out;
    for (const [k, x] of Object.entries(v)) {
        const value = plain(x);
        if (k === "env" && Array.isArray(value)) {
            for (const e of value.map(plain)) {
                const name = str(e?.name), val = str(plain(e?.value));
                if (name !== undefined && val !== undefined) out.push([name, val]);
            }
        } else containerEnvLists(value, out);
    }
    return out;
}
