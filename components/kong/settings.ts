// Kong settings per hybrid-mode role, as a pure function of intent. The same settings become ECS
// `environment`/`secrets` here (toContainerEnv) and Helm values for the EKS runtime later.
// Keys are kong.conf names; facts cited as §n are from docs/facts/kong-hybrid.md.

import { PORTS } from "../network/ports";
import { unknownKongEnvNames, type KongImage } from "./image";

/** A value read from Secrets Manager when the container starts, optionally one key of a JSON secret. */
export interface SecretRef {
    secretArn: string;
    jsonKey?: string;
    /**
     * Pins one version of the secret. A new version then changes the task definition, so ECS
     * rolls the tasks (ECS reads secrets only when a task starts: docs/facts/aws.md §5).
     */
    versionId?: string;
}

export interface KongSettings {
    role: "control_plane" | "data_plane";
    /** kong.conf key → value, safe to show in plain environment. */
    plain: Readonly<Record<string, string>>;
    /** kong.conf key → secret: passwords, private keys and certificates never go in plain environment. */
    secret: Readonly<Record<string, SecretRef>>;
}

/**
 * The cluster TLS secret of one role, a JSON document {cert, key, ca} in PEM (see PrivateCa).
 * Kong 3.1+ accepts PEM content in cluster_cert, cluster_cert_key and cluster_ca_cert (§1).
 */
export interface ClusterTlsSecret {
    secretArn: string;
    /** The secret version holding the current certificate: a renewal makes a new one and rolls the tasks. */
    versionId?: string;
}

export interface ControlPlaneIntent {
    /** Task vCPUs; nginx workers follow it because `auto` counts the host's CPUs on Fargate (§1). */
    vcpus: number;
    database: {
        host: string;
        port: number;
        name: string;
        /** The RDS-managed master secret, JSON {username, password}. */
        credentialsSecretArn: string;
    };
    clusterTls: ClusterTlsSecret;
}

export interface DataPlaneIntent {
    vcpus: number;
    /** The CP's private DNS name; also the SAN of its certificate, so it doubles as the SNI. */
    controlPlaneHost: string;
    clusterTls: ClusterTlsSecret;
    /** Addresses of the load balancer in front: only they may set X-Forwarded-For. Never 0.0.0.0/0. */
    trustedIps: string[];
    /**
     * Seconds nginx workers may finish in-flight requests after the stop signal (SIGQUIT, the
     * image's STOPSIGNAL) before they close connections; keep it below the container's stop
     * timeout so Kong exits on its own instead of being killed. Default: nginx's, unbounded.
     */
    workerShutdownTimeoutSeconds?: number;
}

/** Logs to the container's stdout/stderr so the awslogs driver ships them. */
const STDIO_LOGS = {
    proxy_access_log: "/dev/stdout",
    proxy_error_log: "/dev/stderr",
    admin_access_log: "/dev/stdout",
    admin_error_log: "/dev/stderr",
    status_error_log: "/dev/stderr",
};

/**
 * Every Kong node of the stack, whatever its role: no usage reports to Kong Inc.
 * (anonymous_reports defaults to on: https://github.com/Kong/kong/blob/3.9.3/kong/templates/kong_defaults.lua).
 */
const EVERY_NODE = {
    anonymous_reports: "off",
};

function clusterTlsSecrets(tls: ClusterTlsSecret): Record<string, SecretRef> {
    return {
        cluster_cert: { secretArn: tls.secretArn, jsonKey: "cert", versionId: tls.versionId },
        cluster_cert_key: { secretArn: tls.secretArn, jsonKey: "key", versionId: tls.versionId },
        cluster_ca_cert: { secretArn: tls.secretArn, jsonKey: "ca", versionId: tls.versionId },
    };
}

export function workerProcesses(vcpus: number): string {
    return String(Math.max(1, Math.floor(vcpus)));
}

export function controlPlaneSettings(i: ControlPlaneIntent): KongSettings {
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
            cluster_listen: `0.0.0.0:${PORTS.cluster}`,
            // The default is loopback (§1): the DP's /kong-admin proxy could not reach it.
            admin_listen: `0.0.0.0:${PORTS.admin}`,
            status_listen: `0.0.0.0:${PORTS.status}`,
            // A CP serves no API traffic (§1 "which servers each role renders"); Kong Manager runs on the admin's machine.
            proxy_listen: "off",
            admin_gui_listen: "off",
            nginx_worker_processes: workerProcesses(i.vcpus),
            ...EVERY_NODE,
            ...STDIO_LOGS,
        },
        secret: {
            pg_user: { secretArn: i.database.credentialsSecretArn, jsonKey: "username" },
            pg_password: { secretArn: i.database.credentialsSecretArn, jsonKey: "password" },
            ...clusterTlsSecrets(i.clusterTls),
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
            cluster_control_plane: `${i.controlPlaneHost}:${PORTS.cluster}`,
            cluster_server_name: i.controlPlaneHost,
            // No lua_ssl_trusted_certificate: its default `system` keeps the system CAs for upstream
            // TLS, and a DP with cluster_mtls=pki appends cluster_ca_cert to it itself
            // (https://github.com/Kong/kong/blob/3.9.3/kong/conf_loader/parse.lua, check_and_parse).
            proxy_listen: `0.0.0.0:${PORTS.proxy} reuseport backlog=16384`,
            status_listen: `0.0.0.0:${PORTS.status}`,
            nginx_worker_processes: workerProcesses(i.vcpus),
            trusted_ips: i.trustedIps.join(","),
            real_ip_header: "X-Forwarded-For",
            // An ngx_boolean: only the literal "on" is true; "true" would silently mean off (§1).
            real_ip_recursive: "on",
            // nginx_main_* injects a main-block directive (conf_loader accepts any nginx_<ns>_*, §1).
            ...(i.workerShutdownTimeoutSeconds !== undefined
                ? { nginx_main_worker_shutdown_timeout: `${i.workerShutdownTimeoutSeconds}s` }
                : {}),
            ...EVERY_NODE,
            ...STDIO_LOGS,
        },
        secret: clusterTlsSecrets(i.clusterTls),
    };
}

export interface ContainerEnv {
    environment: { name: string; value: string }[];
    secrets: { name: string; valueFrom: string }[];
}

/** `KONG_<UPPER KEY>` is how a kong.conf key is set from the environment (§1). */
export function envName(key: string): string {
    return `KONG_${key.toUpperCase()}`;
}

/**
 * ECS `valueFrom` for a secret, one JSON key of it, and/or one version of it:
 * arn:…:secret:name:<json-key>:<version-stage>:<version-id> (docs/facts/aws.md §5).
 */
export function secretValueFrom(ref: SecretRef): string {
    if (!ref.jsonKey && !ref.versionId) return ref.secretArn;
    return `${ref.secretArn}:${ref.jsonKey ?? ""}::${ref.versionId ?? ""}`;
}

/**
 * ECS container `environment` and `secrets` for the settings, for a node running `kong`. Throws if a
 * setting is not a key of that Kong version: Kong would ignore it silently (§1). `licence` is the
 * Enterprise licence secret: KONG_LICENSE_DATA is not a kong.conf key, and every node needs it (§2, §7).
 */
export function toContainerEnv(s: KongSettings, kong: KongImage, licence?: SecretRef): ContainerEnv {
    const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
    const unknown = unknownKongEnvNames([...Object.keys(s.plain), ...Object.keys(s.secret)].map(envName), kong);
    if (unknown.length > 0) {
        throw new Error(`Kong ${kong.version} (${kong.image}) has no setting ${unknown.join(", ")}; it would ignore it silently`);
    }
    const secrets = Object.entries(s.secret).map(([k, ref]) => ({ name: envName(k), valueFrom: secretValueFrom(ref) }));
    if (licence) secrets.push({ name: "KONG_LICENSE_DATA", valueFrom: secretValueFrom(licence) });
    return {
        environment: Object.entries(s.plain).map(([k, value]) => ({ name: envName(k), value })).sort(byName),
        secrets: secrets.sort(byName),
    };
}
