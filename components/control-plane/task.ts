// The CP's ECS task as pure data: container definitions, the migrations steps, the one-off
// `migrations finish` command and the IAM documents. The ControlPlane component resolves the
// Outputs and calls these; tests call them directly.

import { PORTS } from "../network/ports";
import type { ContainerEnv } from "../ecs/kong-env";
import { awslogs, type ContainerDefinition } from "../ecs/container";
import {
    ADMIN_BOOTSTRAP_STATE_ENV, ADMIN_KEY_ENV, adminBootstrapScript,
} from "./admin-bootstrap";

export const CONTAINER = { kong: "kong", migrations: "migrations", adminBootstrap: "admin-bootstrap" } as const;

/**
 * The init container's script (docs/facts/kong-hybrid.md §5). `bootstrap` is safe to re-run (exits 0 on a
 * bootstrapped database) and never gets `-f`, which resets the database. `up` then runs only when
 * `kong migrations list` reports new migrations (exit 5): `up` fails while migrations are pending
 * (exit 4, after an upgrade and before the explicit `finish`), and a CP restarted in that window
 * must still start, which `kong start` allows with pending (not new) migrations.
 */
export const MIGRATIONS_SCRIPT = [
    "set -e",
    "kong migrations bootstrap",
    "set +e; kong migrations list > /dev/null; state=$?; set -e",
    "case $state in",
    "  0) echo 'migrations: database is up to date' ;;",
    "  5) kong migrations up ;;",
    "  4) echo 'migrations: pending; run kong migrations finish once every old CP task is gone (stack output migrationsFinishCommand)' ;;",
    "  *) echo \"migrations: kong migrations list exited $state\" >&2; exit $state ;;",
    "esac",
].join("\n");

export interface ControlPlaneTaskSpec {
    kongImage: string;
    deckImage: string;
    region: string;
    /** Kong's environment and secrets (controlPlaneSettings → toContainerEnv), shared by kong and migrations. */
    kongEnv: ContainerEnv;
    /** The decK state document (adminBootstrapState). */
    adminBootstrapState: Record<string, unknown>;
    /** ECS `valueFrom` of the admin key secret (pinned to its version). */
    adminKeyValueFrom: string;
    logGroups: { kong: string; migrations: string; adminBootstrap: string };
}

export function controlPlaneContainers(s: ControlPlaneTaskSpec): ContainerDefinition[] {
    const migrations: ContainerDefinition = {
        name: CONTAINER.migrations,
        image: s.kongImage,
        // Non-essential: it exits when done; the kong container waits for its SUCCESS (docs/facts/aws.md §5).
        essential: false,
        // The image's entrypoint execs any command; the migrations need the same conf as the CP
        // (role=control_plane requires the cluster certificate to load at all).
        command: ["sh", "-c", MIGRATIONS_SCRIPT],
        environment: s.kongEnv.environment,
        secrets: s.kongEnv.secrets,
        logConfiguration: awslogs(s.logGroups.migrations, s.region, "cp"),
    };
    const kong: ContainerDefinition = {
        name: CONTAINER.kong,
        image: s.kongImage,
        essential: true,
        environment: s.kongEnv.environment,
        secrets: s.kongEnv.secrets,
        portMappings: [
            { containerPort: PORTS.admin, protocol: "tcp", name: "admin" },
            { containerPort: PORTS.cluster, protocol: "tcp", name: "cluster" },
            { containerPort: PORTS.status, protocol: "tcp", name: "status" },
        ],
        dependsOn: [{ containerName: CONTAINER.migrations, condition: "SUCCESS" }],
        // HEALTHY gates the admin bootstrap. `kong-health` (shipped in the image beside `kong`) only
        // checks that nginx runs, which is all `kong health` checks too, without loading the whole
        // configuration every 15 s (https://github.com/Kong/kong/blob/3.9.3/bin/kong-health). The image
        // has no curl for /status/ready; decK retries until the Admin API reaches the database.
        healthCheck: { command: ["CMD", "kong-health"], interval: 15, timeout: 10, retries: 5, startPeriod: 60 },
        // Kong sizes worker_rlimit_nofile from the limit; Fargate's default soft limit is 1024.
        ulimits: [{ name: "nofile", softLimit: 65535, hardLimit: 65535 }],
        logConfiguration: awslogs(s.logGroups.kong, s.region, "cp"),
    };
    const adminBootstrap: ContainerDefinition = {
        name: CONTAINER.adminBootstrap,
        image: s.deckImage,
        essential: false,
        entryPoint: ["/bin/sh", "-c"],
        command: [adminBootstrapScript()],
        environment: [
            { name: ADMIN_BOOTSTRAP_STATE_ENV, value: JSON.stringify(s.adminBootstrapState) },
            { name: "DECK_KONG_ADDR", value: `http://localhost:${PORTS.admin}` },
            // decK flags as DECK_<FLAG> (docs/facts/kong-hybrid.md §10): no usage reporting from the CP; a
            // longer timeout than the 10 s default while Aurora resumes from 0 ACU (~15-30 s, docs/facts/aws.md §1).
            { name: "DECK_ANALYTICS", value: "false" },
            { name: "DECK_TIMEOUT", value: "60" },
            { name: "DECK_NO_COLOR", value: "true" },
        ],
        secrets: [{ name: ADMIN_KEY_ENV, valueFrom: s.adminKeyValueFrom }],
        dependsOn: [{ containerName: CONTAINER.kong, condition: "HEALTHY" }],
        logConfiguration: awslogs(s.logGroups.adminBootstrap, s.region, "cp"),
    };
    return [migrations, kong, adminBootstrap];
}

export interface FinishTaskSpec {
    region: string;
    clusterArn: string;
    taskDefinitionArn: string;
    subnetIds: string[];
    securityGroupId: string;
}

/** The overrides of the one-off task: the init container does nothing, the kong container runs `finish` and exits. */
export function migrationsFinishOverrides(): { containerOverrides: { name: string; command: string[] }[] } {
    return {
        containerOverrides: [
            { name: CONTAINER.migrations, command: ["echo", "migrations skipped: this one-off task runs finish in the kong container"] },
            // The essential container: its exit stops the task and its exit code is the result.
            { name: CONTAINER.kong, command: ["kong", "migrations", "finish"] },
        ],
    };
}

/**
 * The `aws ecs run-task` command that runs `kong migrations finish` once, on the CP task definition,
 * in the private subnets with the CP security group. Run it after an upgrade, once every old CP task
 * is gone (docs/facts/kong-hybrid.md §5). The admin bootstrap never starts: it waits for a HEALTHY kong that never serves.
 */
export function migrationsFinishCommand(s: FinishTaskSpec): string {
    const network = { awsvpcConfiguration: { subnets: s.subnetIds, securityGroups: [s.securityGroupId], assignPublicIp: "DISABLED" } };
    // Single-quoted for the shell: the JSON must not contain a single quote itself.
    const quote = (json: string) => {
        if (json.includes("'")) throw new Error(`migrations finish command: cannot shell-quote ${json}`);
        return `'${json}'`;
    };
    return [
        "aws ecs run-task",
        `--region ${s.region}`,
        `--cluster ${s.clusterArn}`,
        `--task-definition ${s.taskDefinitionArn}`,
        "--launch-type FARGATE",
        "--count 1",
        "--started-by kong-migrations-finish",
        `--network-configuration ${quote(JSON.stringify(network))}`,
        `--overrides ${quote(JSON.stringify(migrationsFinishOverrides()))}`,
    ].join(" ");
}
