import * as crypto from "crypto";
import type { KongImage } from "../kong/image";
import { containerListenersAndLogs, envName, workerProcesses, type KongSettings, type SecretsManagerSource } from "../kong/settings";
import { PORTS } from "../network/ports";

// Kong settings per role → values for Kong's Helm chart (kong 3.4.1), and back: the env the chart
// renders from those values. The chart's behaviour modelled here was rendered with helm against
// https://github.com/Kong/charts/blob/kong-3.4.1/charts/kong/templates/_helpers.tpl (`kong.env`).
// Every kong.conf key goes through `env:` (user env overrides the chart's own env), secrets as
// `valueFrom.secretKeyRef`; the dedicated values only shape Services, ports and the licence.

/** The chart, pinned: a new chart version changes what the values render to (re-check chartEnv). */
export const KONG_CHART = { chart: "kong", version: "3.4.1", repo: "https://charts.konghq.com" } as const;

/** One key of a Kubernetes Secret in the pod's namespace. */
export interface KubeSecretKeyRef {
    name: string;
    key: string;
}

/** A container env value as the chart's `env:` accepts it: a string, or a map rendered as-is. */
export type EnvValue = string | { valueFrom: { secretKeyRef: KubeSecretKeyRef } };

/** Kong settings with their secrets already in Kubernetes Secrets (the renderer's only input from Kong). */
export interface KubernetesKongSettings {
    role: KongSettings["role"];
    /** kong.conf key → value. */
    plain: Readonly<Record<string, string>>;
    /** kong.conf key → the Secret key holding it. */
    secret: Readonly<Record<string, KubeSecretKeyRef>>;
}

/** Where the chart mounts a Secret listed in `secretVolumes`. */
export function secretVolumePath(secretName: string): string {
    return `/etc/secrets/${secretName}`;
}

/** The files of a kubernetes.io/tls Secret (cert-manager writes ca.crt too). */
const CLUSTER_TLS_FILES = { cert: "tls.crt", key: "tls.key", ca: "ca.crt" } as const;

export interface ForKubernetesOptions {
    /** The kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt) mounted through `secretVolumes`. */
    clusterTlsSecretName: string;
    /** Where each other secret setting lives in the cluster (e.g. synced by External Secrets). */
    secretKeyRef: (key: string, source: SecretsManagerSource) => KubeSecretKeyRef;
    /** Plain settings that differ on Kubernetes (e.g. the CP's in-cluster Service name). @default {} */
    plain?: Record<string, string>;
}

/**
 * The runtime-neutral settings placed on Kubernetes: cluster TLS as files of the mounted TLS
 * Secret (cert-manager renews that Secret; Kong reads the files at start), every other secret as
 * a Secret key.
 */
export function forKubernetes(s: KongSettings, o: ForKubernetesOptions): KubernetesKongSettings {
    // Listeners and stdio logs as on ECS: user env overrides the chart's own (kong.env).
    const plain: Record<string, string> = { ...containerListenersAndLogs(s.role), ...s.plain };
    const secret: Record<string, KubeSecretKeyRef> = {};
    for (const [key, source] of Object.entries(s.secret)) {
        if (source.kind === "clusterTls") plain[key] = `${secretVolumePath(o.clusterTlsSecretName)}/${CLUSTER_TLS_FILES[source.field]}`;
        else secret[key] = o.secretKeyRef(key, source);
    }
    return { role: s.role, plain: { ...plain, ...(o.plain ?? {}) }, secret };
}

export interface KongValuesInput {
    /** The Helm release name: the chart labels the role's pods app.kubernetes.io/instance=<release>. */
    releaseName: string;
    settings: KubernetesKongSettings;
    kong: KongImage;
    /** The kubernetes.io/tls Secret with the role's cluster certificate (also in settings' file paths). */
    clusterTlsSecretName: string;
    /** Enterprise licence Secret; the chart reads its key `license`. @default none */
    licenceSecretName?: string;
    /** CPU request in millicores; nginx workers must match it (Kong's `auto` counts the node's CPUs). */
    cpuMillis: number;
    /** Memory request and limit in MiB. */
    memoryMiB: number;
    memoryLimitMiB: number;
    /** CP: a fixed count. DP: the HPA's range and CPU target. */
    scaling: { replicas: number } | { minReplicas: number; maxReplicas: number; targetCpuPercent: number };
    /** Pod annotations (a checksum of the certificate rolls the pods when it changes). @default {} */
    podAnnotations?: Record<string, string>;
    /** Deployment annotations (e.g. Reloader's, for certificates cert-manager renews). @default {} */
    deploymentAnnotations?: Record<string, string>;
}

/** The Kong chart values this project writes (a subset of the chart's values.yaml). */
export interface KongChartValues {
    image: ChartImage;
    deployment: { serviceAccount: { create: boolean; automountServiceAccountToken: boolean } };
    env: Record<string, EnvValue>;
    secretVolumes: string[];
    enterprise: { enabled: boolean; license_secret?: string; vitals: { enabled: boolean }; portal: { enabled: boolean }; rbac: { enabled: boolean } };
    admin: Listener & { type?: "ClusterIP" };
    manager: { enabled: false };
    portal: { enabled: false };
    portalapi: { enabled: false };
    status: { enabled: true; http: { enabled: true; containerPort: number }; tls: { enabled: false } };
    cluster: Listener & { type?: "ClusterIP" };
    clustertelemetry: { enabled: false };
    proxy: Listener & { type?: "ClusterIP" };
    ingressController: { enabled: false };
    postgresql: { enabled: false };
    certificates: { enabled: false };
    readinessProbe: { httpGet: { path: string; port: string; scheme: "HTTP" }; initialDelaySeconds: number; periodSeconds: number; timeoutSeconds: number; successThreshold: number; failureThreshold: number };
    resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
    replicaCount?: number;
    autoscaling: { enabled: boolean; minReplicas?: number; maxReplicas?: number; behavior?: object; metrics?: object[] };
    updateStrategy: { type: "RollingUpdate"; rollingUpdate: { maxSurge: string; maxUnavailable: number } };
    podDisruptionBudget: { enabled: true; maxUnavailable: number };
    topologySpreadConstraints: object[];
    podAnnotations: Record<string, string>;
    deploymentAnnotations: Record<string, string>;
}

interface PortSpec { enabled: boolean; servicePort?: number; containerPort?: number; parameters?: string[] }
interface Listener { enabled: boolean; http?: PortSpec; tls?: PortSpec }

/** The chart's `image` block (values.yaml `image.*`). */
export interface ChartImage {
    repository: string;
    tag: string;
    /** The Kong version the chart's semver checks and `version` labels read instead of the tag. */
    effectiveSemver: string;
}

/**
 * A Kong image → the chart's image block. The chart prints `<repository>:<tag>`
 * (`kong.getRepoTag`), so a digest stays on the tag: `repo:tag@sha256:…` is one pinned reference.
 * Its semver checks read `effectiveSemver` when set, else the tag (`kong.effectiveVersion`,
 * https://github.com/Kong/charts/blob/kong-3.4.1/charts/kong/templates/_helpers.tpl): set to the
 * image's Kong version, they never parse a plugin-image tag or a digest.
 */
export function imageValues(kong: KongImage): ChartImage {
    const at = kong.image.indexOf("@");
    const named = at >= 0 ? kong.image.slice(0, at) : kong.image;
    const digest = at >= 0 ? kong.image.slice(at) : "";
    const colon = named.lastIndexOf(":");
    if (colon <= named.lastIndexOf("/")) throw new Error(`Kong image ${kong.image}: the chart needs a tag (repository:tag)`);
    return { repository: named.slice(0, colon), tag: `${named.slice(colon + 1)}${digest}`, effectiveSemver: kong.version };
}

/** Chart env keys whose values must be strings: a YAML bool under `*_log` fails the render. */
function envValue(v: string | KubeSecretKeyRef): EnvValue {
    return typeof v === "string" ? v : { valueFrom: { secretKeyRef: { name: v.name, key: v.key } } };
}

/**
 * Chart values for one role. Throws when the input contradicts itself: workers ≠ CPU request, a
 * licence for open-source Kong, settings of the other role.
 */
export function kongChartValues(i: KongValuesInput): KongChartValues {
    const cp = i.settings.role === "control_plane";
    const where = `Kong ${cp ? "Control Plane" : "Data Plane"} values`;
    const workers = workerProcesses(i.cpuMillis / 1000);
    if (i.settings.plain.nginx_worker_processes !== workers) {
        throw new Error(`${where}: nginx_worker_processes is ${JSON.stringify(i.settings.plain.nginx_worker_processes)}, but the CPU request ${i.cpuMillis}m gives ${workers} worker(s); they must match`);
    }
    if (i.settings.plain.role !== i.settings.role) throw new Error(`${where}: settings say role=${i.settings.plain.role}`);
    if (i.licenceSecretName && i.kong.edition !== "enterprise") {
        throw new Error(`${where}: a licence Secret was given for open-source ${i.kong.image}; only kong/kong-gateway reads one`);
    }
    if ("replicas" in i.scaling === !cp) throw new Error(`${where}: the Control Plane takes a fixed replica count, a Data Plane an HPA range`);
    const enterprise = i.kong.edition === "enterprise";

    const env: Record<string, EnvValue> = {};
    for (const [k, v] of Object.entries(i.settings.plain)) env[k] = envValue(v);
    for (const [k, v] of Object.entries(i.settings.secret)) env[k] = envValue(v);
    // Kong Manager stays closed on every role: Kong's own default serves it on 8002 (open source
    // too, since 3.4), and the chart renders that listener whenever enterprise is on, manager or not.
    env.admin_gui_listen = "off";
    // A DP's admin_listen "off" comes with its role's settings (dataPlaneSettings): the chart's
    // default would be a loopback TLS listener.

    const values: KongChartValues = {
        image: imageValues(i.kong),
        deployment: { serviceAccount: { create: true, automountServiceAccountToken: false } },
        env,
        secretVolumes: [i.clusterTlsSecretName],
        enterprise: {
            enabled: enterprise,
            ...(i.licenceSecretName ? { license_secret: i.licenceSecretName } : {}),
            vitals: { enabled: false },
            portal: { enabled: false },
            rbac: { enabled: false },
        },
        // Defaults are NodePort: set ClusterIP, and open only plain HTTP on 8001 (the DPs' /kong-admin route).
        admin: cp
            ? { enabled: true, type: "ClusterIP", http: { enabled: true, servicePort: PORTS.admin, containerPort: PORTS.admin }, tls: { enabled: false } }
            : { enabled: false },
        manager: { enabled: false },
        portal: { enabled: false },
        portalapi: { enabled: false },
        status: { enabled: true, http: { enabled: true, containerPort: PORTS.status }, tls: { enabled: false } },
        cluster: cp
            ? { enabled: true, type: "ClusterIP", tls: { enabled: true, servicePort: PORTS.cluster, containerPort: PORTS.cluster } }
            : { enabled: false },
        // The SG table has no telemetry arrow (8001 and 8005 only); vitals are off.
        clustertelemetry: { enabled: false },
        // The DP's proxy is a ClusterIP Service: the ALB reaches the pods directly (TargetGroupBinding, ip targets).
        proxy: cp
            ? { enabled: false }
            : { enabled: true, type: "ClusterIP", http: { enabled: true, servicePort: PORTS.proxy, containerPort: PORTS.proxy }, tls: { enabled: false } },
        ingressController: { enabled: false },
        postgresql: { enabled: false },
        // Its Certificates cannot name an AWSPCAClusterIssuer and render nothing until cert-manager is discoverable.
        certificates: { enabled: false },
        readinessProbe: {
            httpGet: { path: "/status/ready", port: "status", scheme: "HTTP" },
            initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3,
        },
        resources: {
            requests: { cpu: `${i.cpuMillis}m`, memory: `${i.memoryMiB}Mi` },
            // No CPU limit: throttling a proxy adds latency; the request reserves its share.
            limits: { memory: `${i.memoryLimitMiB}Mi` },
        },
        ...("replicas" in i.scaling
            ? { replicaCount: i.scaling.replicas, autoscaling: { enabled: false } }
            : {
                autoscaling: {
                    enabled: true,
                    minReplicas: i.scaling.minReplicas,
                    maxReplicas: i.scaling.maxReplicas,
                    // Out fast, in slowly, like the ECS groups' target tracking.
                    behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
                    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: i.scaling.targetCpuPercent } } }],
                },
            }),
        // A rollout starts every new pod before any old one stops (the chart's updateStrategy is the
        // Deployment's strategy, default 25%/25%: https://github.com/Kong/charts/blob/kong-3.4.1/charts/kong/values.yaml):
        // one wave, no capacity lost, like the ECS groups' minimum healthy 100%.
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "100%", maxUnavailable: 0 } },
        // maxUnavailable (not minAvailable) never blocks a node drain, even at one replica.
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        // Replicas spread over the node groups' AZs, so one AZ going away leaves Kong running.
        topologySpreadConstraints: [{
            maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { "app.kubernetes.io/instance": i.releaseName, "app.kubernetes.io/name": "kong" } },
        }],
        podAnnotations: { ...(i.podAnnotations ?? {}) },
        deploymentAnnotations: { ...(i.deploymentAnnotations ?? {}) },
    };
    if (!("replicas" in i.scaling)) {
        const s = i.scaling;
        if (!(s.minReplicas >= 1 && s.minReplicas <= s.maxReplicas)) throw new Error(`${where}: minReplicas ${s.minReplicas} must be from 1 to maxReplicas ${s.maxReplicas}`);
    }
    return values;
}

/** A pod annotation over the certificate material: a new certificate changes the pod template, so pods roll. */
export function certificateChecksumAnnotation(...pems: string[]): Record<string, string> {
    return { "checksum/cluster-tls": crypto.createHash("sha256").update(pems.join("\n")).digest("hex") };
}

// ── The chart's env, as chart 3.4.1 renders it ────────────────────────────────────────────────

/** The parts of the chart's values.yaml defaults that decide the env (Kong/charts kong-3.4.1 charts/kong/values.yaml). */
export const CHART_DEFAULTS = {
    image: { repository: "kong", tag: "3.9" },
    env: {
        database: "off", router_flavor: "traditional", nginx_worker_processes: "2",
        proxy_access_log: "/dev/stdout", admin_access_log: "/dev/stdout", admin_gui_access_log: "/dev/stdout", portal_api_access_log: "/dev/stdout",
        proxy_error_log: "/dev/stderr", admin_error_log: "/dev/stderr", admin_gui_error_log: "/dev/stderr", portal_api_error_log: "/dev/stderr",
        prefix: "/kong_prefix/",
    },
    admin: { enabled: false, http: { enabled: false, containerPort: 8001, parameters: [] }, tls: { enabled: true, containerPort: 8444, parameters: ["http2"] } },
    status: { enabled: true, http: { enabled: true, containerPort: 8100, parameters: [] }, tls: { enabled: false, containerPort: 8543, parameters: [] } },
    cluster: { enabled: false, tls: { enabled: false, containerPort: 8005, parameters: [] } },
    clustertelemetry: { enabled: false, tls: { enabled: false, containerPort: 8006, parameters: [] } },
    proxy: {
        enabled: true,
        http: { enabled: true, servicePort: 80, containerPort: 8000, parameters: [] },
        tls: { enabled: true, servicePort: 443, containerPort: 8443, parameters: ["http2"] },
    },
    manager: {
        enabled: true,
        http: { enabled: true, containerPort: 8002, parameters: [] },
        tls: { enabled: true, containerPort: 8445, parameters: ["http2"] },
    },
    enterprise: { enabled: false, vitals: { enabled: true } },
    ingressController: { enabled: true },
    postgresql: { enabled: false },
    certificates: { enabled: false },
};

/**
 * Env names the chart sets on its own that no Kong 3.9+ reads (checked against the key lists):
 * the Dev Portal was removed, and so were Vitals. Kong ignores them; nothing we write is among them.
 */
export const CHART_ENV_KONG_IGNORES = ["KONG_PORTAL_API_ACCESS_LOG", "KONG_PORTAL_API_ERROR_LOG", "KONG_VITALS"] as const;

/** Helm's value merge: maps merge key by key, anything else replaces. */
function merge(base: any, over: any): any {
    if (over === undefined) return base;
    if (base && over && typeof base === "object" && typeof over === "object" && !Array.isArray(base) && !Array.isArray(over)) {
        const out: Record<string, any> = { ...base };
        for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
        return out;
    }
    return over;
}

/** The chart's `kong.listen`: IPv4 and IPv6 per enabled port, parameters, then `ssl` for TLS. */
function listen(l: { http?: PortSpec; tls?: PortSpec }, address = ["0.0.0.0", "[::]"]): string {
    const parts: string[] = [];
    for (const [spec, ssl] of [[l.http, false], [l.tls, true]] as const) {
        if (!spec?.enabled) continue;
        const suffix = [...(spec.parameters ?? []), ...(ssl ? ["ssl"] : [])].map(p => ` ${p}`).join("");
        for (const a of address) parts.push(`${a}:${spec.containerPort}${suffix}`);
    }
    return parts.length > 0 ? parts.join(", ") : "off";
}

/**
 * The Kong container's env as chart 3.4.1 renders it from `values`: the chart's own env, then
 * `env.<k>` as KONG_<K> overriding it (mergeOverwrite autoEnv userEnv), then KONG_NGINX_DAEMON.
 * Throws for chart features outside what this project uses (the PKI branch, the Postgres subchart).
 */
export function chartEnv(values: Record<string, any>): Record<string, EnvValue> {
    const v = merge(CHART_DEFAULTS, values);
    if (v.certificates.enabled) throw new Error("chartEnv: the chart's cert-manager branch is not modelled (and not used: it cannot name a PCA issuer)");
    if (v.postgresql.enabled) throw new Error("chartEnv: the Postgres subchart is not modelled (the CP uses Aurora)");
    const auto: Record<string, EnvValue> = {
        KONG_LUA_PACKAGE_PATH: "/opt/?.lua;/opt/?/init.lua;;",
        KONG_STATUS_ACCESS_LOG: "off",
        KONG_ADMIN_LISTEN: v.admin.enabled ? listen(v.admin) : listen({ tls: { ...v.admin.tls, enabled: true } }, ["127.0.0.1", "[::1]"]),
        KONG_STATUS_LISTEN: v.status.enabled ? listen(v.status) : "off",
        KONG_CLUSTER_LISTEN: v.cluster.enabled ? listen({ tls: v.cluster.tls }) : "off",
        // Rendered even when proxy.enabled is false.
        KONG_PROXY_LISTEN: listen(v.proxy),
        KONG_STREAM_LISTEN: "off",
    };
    if (v.proxy.enabled) {
        auto.KONG_PORT_MAPS = [v.proxy.http, v.proxy.tls].filter(p => p?.enabled).map(p => `${p.servicePort}:${p.containerPort}`).join(", ");
    }
    if (v.env.database === "postgres") auto.KONG_PG_PORT = "5432";
    if (v.ingressController.enabled) auto.KONG_KIC = "on";
    if (v.enterprise.enabled) {
        // Rendered from manager.* even with manager.enabled false.
        auto.KONG_ADMIN_GUI_LISTEN = listen(v.manager);
        auto.KONG_CLUSTER_TELEMETRY_LISTEN = v.clustertelemetry.enabled ? listen({ tls: v.clustertelemetry.tls }) : "off";
        auto.KONG_VITALS = v.enterprise.vitals?.enabled ? "on" : "off";
        auto.KONG_SMTP_MOCK = "on";
        if (v.enterprise.license_secret) {
            auto.KONG_LICENSE_DATA = { valueFrom: { secretKeyRef: { name: v.enterprise.license_secret, key: "license" } } };
        }
    }
    const user: Record<string, EnvValue> = {};
    for (const [k, value] of Object.entries(v.env as Record<string, unknown>)) {
        if (typeof value === "boolean" && k.endsWith("_log")) throw new Error(`chartEnv: env.${k} is a YAML boolean; the chart fails to render it`);
        user[envName(k)] = typeof value === "object" && value !== null ? value as EnvValue : String(value);
    }
    return { ...auto, ...user, KONG_NGINX_DAEMON: "off" };
}

/** The loose version Helm's `semver` parses (Masterminds semver v3, https://github.com/Masterminds/semver/blob/v3.2.1/version.go); anything else fails the render. */
const HELM_SEMVER = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/**
 * What chart 3.4.1 does with `image`: the reference the kong, migrations and init containers run
 * (`kong.getRepoTag`), the version its checks compare (`kong.effectiveVersion`: effectiveSemver,
 * else the tag, cut to its first three dot-separated numbers) and the pods' `version` label
 * (`semver` of that version, Major.Minor). Throws where helm's render would fail.
 */
export function chartImage(values: Record<string, any>): { image: string; version: string; versionLabel: string } {
    const image = merge(CHART_DEFAULTS.image, values.image);
    const ref: string = image.unifiedRepoTag ? String(image.unifiedRepoTag) : `${image.repository}:${image.tag}`;
    // The chart's own pattern: its dots match any character.
    const first3 = (s: string) => /^[0-9]+.[0-9]+.[0-9]+/.exec(s)?.[0] ?? s;
    const version = first3(String(image.effectiveSemver || image.tag));
    const m = HELM_SEMVER.exec(version);
    if (!m) throw new Error(`chartImage: the chart's semver fails on "${version}" (image.effectiveSemver ${JSON.stringify(image.effectiveSemver)}, image.tag ${JSON.stringify(image.tag)})`);
    return { image: ref, version, versionLabel: `${Number(m[1])}.${Number((m[2] ?? ".0").slice(1))}` };
}
