// Kong settings per hybrid-mode role, runtime-neutral: only Kong's own keys and what differs
// between a CP and a DP (the way the Kong chart's hybrid example values read), with secrets as
// abstract sources. How a node listens, where it logs and how a secret reaches the process are
// the runtime's: components/ecs/kong-env.ts (toContainerEnv) for ECS, components/eks/kong-values.ts
// for Kong's Helm chart. Keys are kong.conf names; facts cited as §n are from docs/facts/kong-hybrid.md.

import { PORTS } from "../network/ports";

/** One value of a Secrets Manager secret, optionally one key of a JSON secret and one version. */
export interface SecretsManagerSource {
    kind: "secretsManager";
    arn: string;
    jsonKey?: string;
    /**
     * Pins one version of the secret. A new version then changes the task definition, so ECS
     * rolls the tasks (ECS reads secrets only when a task starts: docs/facts/aws.md §5).
     */
    versionId?: string;
}

/** A part of the node's own cluster certificate (PEM): where it lives is the runtime's business. */
export interface ClusterTlsSource {
    kind: "clusterTls";
    field: "cert" | "key" | "ca";
}

export type SecretSource = SecretsManagerSource | ClusterTlsSource;

export type KongRole = "control_plane" | "data_plane";

export interface KongSettings {
    role: KongRole;
    /** kong.conf key → value, safe to show in plain environment. */
    plain: Readonly<Record<string, string>>;
    /** kong.conf key → secret: passwords, private keys and certificates never go in plain environment. */
    secret: Readonly<Record<string, SecretSource>>;
}

export interface ControlPlaneIntent {
    /** vCPUs of the node; nginx workers follow it because `auto` counts the host's CPUs (§1). */
    vcpus: number;
    database: {
        host: string;
        port: number;
        name: string;
        /** The RDS-managed master secret, JSON {username, password}. */
        credentialsSecretArn: string;
    };
    /** Custom plugins the node's image carries (KongPluginImage): `plugins` names them, the same on every role. */
    customPlugins?: readonly string[];
}

export interface DataPlaneIntent {
    vcpus: number;
    /** host:port of the CP's cluster listener (ControlPlaneContract.clusterAddress). */
    clusterAddress: string;
    /** The name the CP's certificate carries, sent as SNI and checked (ControlPlaneContract.serverName). */
    serverName: string;
    /** Addresses of the load balancer in front: only they may set X-Forwarded-For. Never 0.0.0.0/0. */
    trustedIps: string[];
    /**
     * Seconds nginx workers may finish in-flight requests after the stop signal (SIGQUIT, the
     * image's STOPSIGNAL) before they close connections; keep it below the container's stop
     * timeout so Kong exits on its own instead of being killed. Default: nginx's, unbounded.
     */
    workerShutdownTimeoutSeconds?: number;
    /** Custom plugins the node's image carries: must be the CP's, or config sync stops (pluginSetProblems). */
    customPlugins?: readonly string[];
}

/**
 * Every Kong node of the stack, whatever its role: no usage reports to Kong Inc.
 * (anonymous_reports defaults to on: https://github.com/Kong/kong/blob/3.9.3/kong/templates/kong_defaults.lua).
 */
const EVERY_NODE = {
    anonymous_reports: "off",
};

/** KONG_PLUGINS for every role: Kong's bundled plugins plus the custom ones, in one order. */
export function kongPluginsSetting(custom: readonly string[]): string {
    return ["bundled", ...[...new Set(custom)].sort()].join(",");
}

/**
 * `plugins` for a node with custom plugins: Kong loads only the plugins this lists, and a DP
 * without one the CP configures stops syncing, so both roles get it from this one rule. No custom
 * plugins: the key is left at its default, `bundled`.
 */
function pluginsSetting(custom: readonly string[] | undefined): Record<string, string> {
    return custom && custom.length > 0 ? { plugins: kongPluginsSetting(custom) } : {};
}

/** cluster_mtls = pki: each node presents its own certificate and trusts the CA (§1). */
const CLUSTER_TLS: Record<string, ClusterTlsSource> = {
    cluster_cert: { kind: "clusterTls", field: "cert" },
    cluster_cert_key: { kind: "clusterTls", field: "key" },
    cluster_ca_cert: { kind: "clusterTls", field: "ca" },
};

export function workerProcesses(vcpus: number): string {
    return String(Math.max(1, Math.floor(vcpus)));
}

export function controlPlaneSettings(i: ControlPlaneIntent): KongSettings {
    const credentials = (jsonKey: string): SecretsManagerSource => ({ kind: "secretsManager", arn: i.database.credentialsSecretArn, jsonKey });
    return {
        role: "control_plane",
        plain: {
            role: "control_plane",
            database: "postgres",
            pg_host: i.database.host,
            pg_port: String(i.database.port),
            pg_database: i.database.name,
            pg_ssl: "on",
            // Aurora resumes from 0 ACU in ~15 s (~30 s after a day paused); the 5 s default fails the first connect.
            pg_timeout: "30000",
            cluster_mtls: "pki",
            nginx_worker_processes: workerProcesses(i.vcpus),
            ...pluginsSetting(i.customPlugins),
            ...EVERY_NODE,
        },
        secret: {
            pg_user: credentials("username"),
            pg_password: credentials("password"),
            ...CLUSTER_TLS,
        },
    };
}

export function dataPlaneSettings(i: DataPlaneIntent): KongSettings {
    const untrusted = i.trustedIps.filter(c => c === "0.0.0.0/0" || c === "::/0");
    if (untrusted.length > 0 || i.trustedIps.length === 0) {
        // With real_ip_recursive=on, trusting the whole internet lets any client spoof its IP (§8).
        throw new Error(`trusted_ips must list the load balancer's networks, not ${JSON.stringify(i.trustedIps)}`);
    }
    return {
        role: "data_plane",
        plain: {
            role: "data_plane",
            database: "off",
            cluster_mtls: "pki",
            cluster_control_plane: i.clusterAddress,
            cluster_server_name: i.serverName,
            // A DP serves no Admin API: close the loopback listener Kong opens by default, so nothing
            // on the node (a sidecar, an exec'd shell) can change its configuration behind the CP's back
            // (default 127.0.0.1:8001, 127.0.0.1:8444: https://github.com/Kong/kong/blob/3.9.3/kong/templates/kong_defaults.lua).
            admin_listen: "off",
            // No lua_ssl_trusted_certificate: its default `system` keeps the system CAs for upstream
            // TLS, and a DP with cluster_mtls=pki appends cluster_ca_cert to it itself
            // (https://github.com/Kong/kong/blob/3.9.3/kong/conf_loader/parse.lua, check_and_parse).
            nginx_worker_processes: workerProcesses(i.vcpus),
            trusted_ips: i.trustedIps.join(","),
            real_ip_header: "X-Forwarded-For",
            // An ngx_boolean: only the literal "on" is true; "true" would silently mean off (§1).
            real_ip_recursive: "on",
            // nginx_main_* injects a main-block directive (conf_loader accepts any nginx_<ns>_*, §1).
            ...(i.workerShutdownTimeoutSeconds !== undefined
                ? { nginx_main_worker_shutdown_timeout: `${i.workerShutdownTimeoutSeconds}s` }
                : {}),
            ...pluginsSetting(i.customPlugins),
            ...EVERY_NODE,
        },
        secret: { ...CLUSTER_TLS },
    };
}

/**
 * How a Kong node in a container listens and logs, per role: every listener on all interfaces at
 * the topology's ports, logs to stdout/stderr for the runtime's log driver. The ECS renderer and
 * the Helm renderer both add these to the role's settings.
 */
export function containerListenersAndLogs(role: KongRole): Record<string, string> {
    const listeners: Record<string, string> = role === "control_plane"
        ? {
            cluster_listen: `0.0.0.0:${PORTS.cluster}`,
            // The default is loopback (§1): the DP's /kong-admin proxy could not reach it.
            admin_listen: `0.0.0.0:${PORTS.admin}`,
            status_listen: `0.0.0.0:${PORTS.status}`,
            // A CP serves no API traffic (§1 "which servers each role renders"); Kong Manager runs on the admin's machine.
            proxy_listen: "off",
            admin_gui_listen: "off",
        }
        : {
            proxy_listen: `0.0.0.0:${PORTS.proxy} reuseport backlog=16384`,
            status_listen: `0.0.0.0:${PORTS.status}`,
        };
    return {
        ...listeners,
        proxy_access_log: "/dev/stdout",
        proxy_error_log: "/dev/stderr",
        admin_access_log: "/dev/stdout",
        admin_error_log: "/dev/stderr",
        status_error_log: "/dev/stderr",
    };
}

/** `KONG_<UPPER KEY>` is how a kong.conf key is set from the environment (§1). */
export function envName(key: string): string {
    return `KONG_${key.toUpperCase()}`;
}
