// The CP's ECS task as pure data: container definitions, the migrations steps, the one-off
// `migrations finish` command and the IAM documents. The ControlPlane component resolves the
// Outputs and calls these; tests call them directly.

import { PORTS } from "../network/ports";
import type { ContainerEnv } from "../kong/settings";
import {
    ADMIN_BOOTSTRAP_STATE_ENV, ADMIN_KEY_ENV, adminBootstrapScript,
} from "./admin-bootstrap";

export const CONTAINER = { kong: "kong", migrations: "migrations", adminBootstrap: "admin-bootstrap" } as const;

/**
 * The init container's script (kong-hybrid-facts.md §5). `bootstrap` is safe to re-run (exits 0 on a
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

/** The subset of an ECS container definition this task uses (the JSON ECS receives). */
export interface ContainerDefinition {
    name: string;
    image: string;
    essential: boolean;
    entryPoint?: string[];
    command?: string[];
    environment: { name: string; value: string }[];
    secrets: { name: string; valueFrom: string }[];
    portMappings?: { containerPort: number; protocol: "tcp"; name: string }[];
    dependsOn?: { containerName: string; condition: "START" | "COMPLETE" | "SUCCESS" | "HEALTHY" }[];
    healthCheck?: { command: string[]; interval: number; timeout: number; retries: number; startPeriod: number };
    ulimits?: { name: string; softLimit: number; hardLimit: number }[];
    logConfiguration: { logDriver: "awslogs"; options: Record<string, string> };
}

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

function awslogs(group: string, region: string, prefix: string): ContainerDefinition["logConfiguration"] {
    return { logDriver: "awslogs", options: { "awslogs-group": group, "awslogs-region": region, "awslogs-stream-prefix": prefix } };
}

export function controlPlaneContainers(s: ControlPlaneTaskSpec): ContainerDefinition[] {
    const migrations: ContainerDefinition = {
        name: CONTAINER.migrations,
        image: s.kongImage,
        // Non-essential: it exits when done; the kong container waits for its SUCCESS (aws-facts §5).
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
        // HEALTHY gates the admin bootstrap; `kong health` checks the running nginx with this conf.
        healthCheck: { command: ["CMD-SHELL", "kong health"], interval: 15, timeout: 10, retries: 5, startPeriod: 60 },
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
            // decK flags as DECK_<FLAG> (kong-hybrid-facts §10): no usage reporting from the CP; a
            // longer timeout than the 10 s default while Aurora resumes from 0 ACU (~15-30 s, aws-facts §1).
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
 * is gone (§5). The admin bootstrap never starts: it waits for a HEALTHY kong that never serves.
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

/** The parts of an ARN that place a resource: arn:<partition>:<service>:<region>:<account>:<resource>. */
export function parseArn(arn: string): { partition: string; service: string; region: string; account: string } {
    const p = arn.split(":");
    if (p.length < 6 || p[0] !== "arn") throw new Error(`not an ARN: ${arn}`);
    return { partition: p[1], service: p[2], region: p[3], account: p[4] };
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Record<string, unknown>[];
}

/** Trust policy of both task roles: only ECS tasks of this account, in this region. */
export function ecsTasksAssumeRolePolicy(partition: string, region: string, account: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            // Confused-deputy guard: the role serves only ECS on behalf of this account.
            Condition: {
                StringEquals: { "aws:SourceAccount": account },
                ArnLike: { "aws:SourceArn": `arn:${partition}:ecs:${region}:${account}:*` },
            },
        }],
    };
}

export interface ExecutionRoleGrants {
    /** Exactly the secrets the task definition injects. */
    secretArns: string[];
    /** Exactly the keys that encrypt them. */
    kmsKeyArns: string[];
    /** The task's log groups (ARNs without the `:*` suffix). */
    logGroupArns: string[];
    /** ECR repositories the images come from (none for Docker Hub images). */
    ecrRepositoryArns: string[];
}

/**
 * The execution role's only policy: what the ECS agent needs to start this task, resource by
 * resource. No `*` action, no `*` resource on secrets or keys.
 */
export function executionRolePolicy(g: ExecutionRoleGrants): PolicyDocument {
    const uniq = (a: string[]) => [...new Set(a)].sort();
    for (const arn of [...g.secretArns, ...g.kmsKeyArns]) {
        if (arn.includes("*")) throw new Error(`execution role: refusing wildcard resource ${arn}`);
    }
    const statements: Record<string, unknown>[] = [
        { Sid: "ReadTaskSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: uniq(g.secretArns) },
        { Sid: "DecryptTaskSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: uniq(g.kmsKeyArns) },
        { Sid: "WriteTaskLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: uniq(g.logGroupArns).map(a => `${a}:*`) },
    ];
    if (g.ecrRepositoryArns.length > 0) {
        // GetAuthorizationToken has no resource type: IAM accepts only "*" for it.
        statements.push({ Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });
        statements.push({ Sid: "PullImages", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: uniq(g.ecrRepositoryArns) });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** The ECR repository ARN of a private ECR image (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>), else undefined. */
export function ecrRepositoryArn(image: string, partition = "aws"): string | undefined {
    const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
    return m ? `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}
