import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPki, ControlPlaneContract, NetworkRefs } from "./contracts";
import type { KongImage } from "./kong/image";
import type { PluginImageRef } from "./kong/plugins";
import { secretValueFrom, toContainerEnv } from "./ecs/kong-env";
import { controlPlaneSettings } from "./kong/settings";
import { PORTS } from "./network/ports";
import { adminBootstrapState, DECK_IMAGE, validateAdminAllowedCidrs } from "./control-plane/admin-bootstrap";
import { problemLine } from "./problems";
import { DATABASE_NAME } from "./control-plane/database";
import { allowOnly, redeployStateMachine, serviceAssumeRolePolicy } from "./control-plane/rotation";
import type { AdminKeyRefs, DatabaseRefs } from "./database";
import { CONTAINER, controlPlaneContainers, migrationsFinishCommand } from "./control-plane/task";
import { parseClusterArn } from "./ecs/arn";
import { runtimePlatform, type CpuArchitecture } from "./ecs/container";
import { containerImage, pullThroughRepositoryArns, type PullThroughCache } from "./ecs/image-source";
import { ecrRepositoryArn, ecsExecutionRoleAssumeRolePolicy, ecsTaskRoleAssumeRolePolicy, executionRolePolicy } from "./ecs/task-iam";
import { controlPlaneExport, controlPlaneExportWritePolicy, databaseSettingsOf, spliceTaskAdditions } from "./cp-scaler/export";

// The Control Plane (docs/facts/design.md §1): Kong with role=control_plane on ECS
// Fargate in the private subnets, registered in a Cloud Map private DNS namespace so DPs reach it by
// name, with its configuration in Aurora PostgreSQL Serverless v2 in the isolated subnets.
//
//   Its security-group arrows (DP → CP, CP → DB, CP → 443) are drawn in stacks/network.ts.
//
// One task: an init container runs the migrations, the kong container waits for its SUCCESS, and a
// decK sidecar applies the /kong-admin bootstrap once kong is HEALTHY (control-plane/*.ts say why).

/** The one source of each CP default (see DATA_PLANE_DEFAULTS). */
export const CONTROL_PLANE_DEFAULTS = { cpu: 512, memory: 1024, desiredCount: 1, logRetentionDays: 14 } as const;

export interface ControlPlaneArgs {
    /** Where to run: private subnets for tasks, isolated subnets for Aurora. */
    network: NetworkRefs;
    /** The ECS cluster (its ARN also gives the region and account the task roles are scoped to). */
    ecsClusterArn: pulumi.Input<string>;
    /** The stack's customer-managed KMS key: Aurora storage, its master secret, the admin key secret, log groups. */
    kmsKeyArn: pulumi.Input<string>;
    /** The cluster CA and certificates (PrivateCa). */
    pki: ClusterPki;
    /**
     * The CP's private DNS name, `<service>.<namespace>`: the Cloud Map namespace and service are
     * derived from it, and it must be the SAN of the CP certificate. Use controlPlaneHostname().
     */
    hostname: string;
    /** The Kong image (parsed and pinned). */
    kong: KongImage;
    /** Secrets Manager ARN of the Enterprise licence (KONG_LICENSE_DATA). @default none (open-source Kong) */
    licenseSecretArn?: string;
    /** Task CPU units (a Fargate value). @default 512 */
    cpu?: number;
    /** Task memory in MiB (a Fargate pair of cpu). @default 1024 */
    memory?: number;
    /** CP tasks; 0 stops the CP while DPs keep serving their last configuration. @default 1 */
    desiredCount?: number;
    /** The CP's database (the Database component, or one a CP elsewhere shares). */
    database: DatabaseRefs;
    /** The /kong-admin key (AdminKey), shared by any CP runtime. */
    adminKey: AdminKeyRefs;
    /** Client networks allowed on /kong-admin (ip-restriction in the admin bootstrap). */
    adminAllowedCidrs: readonly string[];
    /** CloudWatch retention of the task logs, in days. @default 14 */
    logRetentionDays?: number;
    /** The decK image of the admin bootstrap sidecar (needs a shell). @default "kong/deck:v1.65.1" */
    deckImage?: string;
    /**
     * Kong with the stack's custom plugins (KongPluginImage), run instead of `kong.image`, which it
     * is built from (`kong` still gives the version and edition); `plugins` then lists them. @default none
     */
    pluginImage?: PluginImageRef;
    /** CPU of the tasks: the images must be published for it. @default "ARM64" (DEFAULT_CPU_ARCHITECTURE) */
    cpuArchitecture?: CpuArchitecture;
    /** An ECR pull-through cache of ECR Public: images it serves are pulled through it. @default none (images as written) */
    pullThroughCache?: PullThroughCache;
    /**
     * The bucket the CP exports its configuration to, for DPs that start while it sleeps
     * (components/cp-scaler/export.ts), encrypted with kmsKeyArn. @default none (no export)
     */
    configExport?: ConfigExportTarget;
    /** Something else (the scale-to-zero controller) owns the service's desired count: `pulumi up` leaves it alone. @default false */
    externallyScaled?: boolean;
    /** Tags on every AWS resource. @default {} */
    tags?: Record<string, string>;
}

/** Where a Kong task's configuration export lives (ConfigExportBucket). */
export interface ConfigExportTarget {
    bucketName: pulumi.Input<string>;
    bucketArn: pulumi.Input<string>;
}

/** The CP's private DNS name for a stack name prefix: cp.<prefix>.internal (Cloud Map service "cp"). */
export function controlPlaneHostname(namePrefix: string): string {
    return `cp.${namePrefix}.internal`;
}

/** Splits `cp.kong-dev.internal` into the Cloud Map service (`cp`) and namespace (`kong-dev.internal`). */
export function splitHostname(hostname: string): { service: string; namespace: string } {
    const dot = hostname.indexOf(".");
    const service = hostname.slice(0, dot);
    const namespace = hostname.slice(dot + 1);
    if (dot <= 0 || !namespace.includes(".") || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(service)) {
        throw new Error(`ControlPlane: hostname ${JSON.stringify(hostname)} must be <service>.<namespace>, e.g. cp.kong-dev.internal`);
    }
    return { service, namespace };
}

export class ControlPlane extends pulumi.ComponentResource {
    /** What a DP group needs (same network: the CP security group included). */
    public readonly contract: ControlPlaneContract;
    public readonly hostname: string;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly databaseSecurityGroupId: pulumi.Output<string>;
    /** `<hostname>:8005`: the DPs' cluster_control_plane. */
    public readonly clusterEndpoint: string;
    /** The Aurora writer endpoint. */
    public readonly databaseEndpoint: pulumi.Output<string>;
    /** The RDS-managed master secret (JSON {username, password}). */
    public readonly databaseSecretArn: pulumi.Output<string>;
    /** The /kong-admin key (plain string secret). */
    public readonly adminKeySecretArn: pulumi.Output<string>;
    public readonly taskDefinitionArn: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    public readonly serviceArn: pulumi.Output<string>;
    /** The kong container's log group (the Admin API access log is there). */
    public readonly kongLogGroupName: pulumi.Output<string>;
    /** `aws ecs run-task …` running `kong migrations finish` once (after an upgrade, when old CP tasks are gone). */
    public readonly migrationsFinishCommand: pulumi.Output<string>;

    constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:controlplane:ControlPlane", name, args, opts);
        // Refuse bad arguments before any resource is registered.
        const admin = validateAdminAllowedCidrs(args.adminAllowedCidrs);
        if (admin.length) throw new Error(`ControlPlane: ${admin.map(p => problemLine(p)).join("; ")}`);
        splitHostname(args.hostname);
        const ctx: Context = {
            name,
            parent: this,
            tags: args.tags ?? {},
            // The cluster's ARN places the task: its region and account scope the roles and the logs.
            cluster: pulumi.output(args.ecsClusterArn).apply(parseClusterArn),
        };
        const sg = createSecurityGroup(ctx, args.network.vpcId);
        const db = args.database;
        const adminKey = args.adminKey;
        const discovery = createDiscovery(ctx, args.hostname, args.network.vpcId);
        const logs = createLogGroups(ctx, args.kmsKeyArn, args.logRetentionDays ?? CONTROL_PLANE_DEFAULTS.logRetentionDays);
        const roles = createTaskRoles(ctx, args, {
            secretArns: [db.masterSecretArn, args.pki.controlPlaneTls.secretArn, adminKey.secretArn, ...(args.licenseSecretArn ? [args.licenseSecretArn] : [])],
            logs,
        });
        const taskDefinition = createTaskDefinition(ctx, args, { db, adminKey, logs, roles });
        // A task that starts before these exist fails (and counts against the circuit breaker):
        // the agent needs the role policies to pull and read secrets, migrations need the writer.
        const startsAfter: pulumi.Resource[] = [
            roles.execution, roles.executionPolicy, roles.task, ...(roles.taskPolicy ? [roles.taskPolicy] : []), ...db.instances, adminKey.version,
            logs.kong, logs.migrations, logs.adminBootstrap, ...(args.pullThroughCache?.rule ? [args.pullThroughCache.rule] : []),
        ];
        const service = new aws.ecs.Service(`${name}-service`, {
            cluster: args.ecsClusterArn,
            taskDefinition: taskDefinition.arn,
            desiredCount: args.desiredCount ?? CONTROL_PLANE_DEFAULTS.desiredCount,
            launchType: "FARGATE",
            // Container dependencies need platform 1.3.0+, JSON-key secrets 1.4.0+ (docs/facts/aws.md §5).
            platformVersion: "1.4.0",
            networkConfiguration: {
                subnets: args.network.privateSubnetIds,
                securityGroups: [sg.id],
                assignPublicIp: false,
            },
            deploymentCircuitBreaker: { enable: true, rollback: true },
            serviceRegistries: { registryArn: discovery.arn },
            propagateTags: "SERVICE",
            enableEcsManagedTags: true,
            enableExecuteCommand: false,
            tags: ctx.tags,
        }, {
            parent: this,
            dependsOn: startsAfter,
            // The controller stops and starts the CP: a deploy must not undo a sleep or a wake.
            ...(args.externallyScaled ? { ignoreChanges: ["desiredCount"] } : {}),
        });
        createRotationRedeploy(ctx, db.rotationRuleName, args.ecsClusterArn, service);

        this.hostname = args.hostname;
        this.securityGroupId = sg.id;
        this.databaseSecurityGroupId = db.securityGroupId;
        this.clusterEndpoint = `${args.hostname}:${PORTS.cluster}`;
        this.contract = {
            clusterAddress: this.clusterEndpoint,
            serverName: args.hostname,
            kong: args.kong,
            caCertificatePem: args.pki.caCertificatePem,
            securityGroupId: sg.id,
        };
        this.databaseEndpoint = db.endpoint;
        this.databaseSecretArn = db.masterSecretArn;
        this.adminKeySecretArn = adminKey.secretArn;
        this.taskDefinitionArn = taskDefinition.arn;
        this.serviceName = service.name;
        this.serviceArn = service.arn;
        this.kongLogGroupName = logs.kong.name;
        this.migrationsFinishCommand = pulumi.all([ctx.cluster.region, args.ecsClusterArn, taskDefinition.arn, pulumi.all(args.network.privateSubnetIds), sg.id])
            .apply(([region, clusterArn, taskDefinitionArn, subnetIds, securityGroupId]) => migrationsFinishCommand({
                region, clusterArn, taskDefinitionArn, subnetIds, securityGroupId,
            }));
        this.registerOutputs({
            hostname: this.hostname,
            securityGroupId: this.securityGroupId,
            databaseSecurityGroupId: this.databaseSecurityGroupId,
            clusterEndpoint: this.clusterEndpoint,
            databaseEndpoint: this.databaseEndpoint,
            adminKeySecretArn: this.adminKeySecretArn,
            taskDefinitionArn: this.taskDefinitionArn,
            migrationsFinishCommand: this.migrationsFinishCommand,
        });
    }
}

/** The admin key as ECS reads it, pinned like the certificate: a new key is a new task definition, so the sidecar re-syncs it. */
function adminKeyValueFrom(k: AdminKeyRefs): pulumi.Output<string> {
    return pulumi.all([k.secretArn, k.versionId]).apply(([arn, versionId]) => secretValueFrom({ secretArn: arn, versionId }));
}

// ── The parts, as free functions: each reads on its own ──────────────────────────────────────────

interface Context {
    name: string;
    parent: pulumi.Resource;
    tags: Record<string, string>;
    cluster: pulumi.Output<ReturnType<typeof parseClusterArn>>;
}

/** The CP's security group, created without rules: stacks/network.ts draws its arrows. */
function createSecurityGroup(ctx: Context, vpcId: pulumi.Input<string>) {
    const { name, parent, tags } = ctx;
    const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
        vpcId,
        description: "Kong Control Plane tasks: admin 8001 and cluster 8005 from DP groups only",
        tags: { ...tags, Name: `${name}-sg` },
    }, { parent });
    return sg;
}

/**
 * A rotation of the RDS master secret redeploys the CP (see control-plane/rotation.ts): an
 * EventBridge rule → a one-step state machine → ecs:UpdateService(forceNewDeployment).
 */
function createRotationRedeploy(ctx: Context, rotationRuleName: pulumi.Output<string>, clusterArn: pulumi.Input<string>, service: aws.ecs.Service) {
    const { name, parent, tags } = ctx;
    /** A role that one AWS service assumes to do one action on one resource. */
    const singleActionRole = (suffix: string, description: string, principal: "states.amazonaws.com" | "events.amazonaws.com", action: string, resourceArn: pulumi.Output<string>) => {
        const role = new aws.iam.Role(`${name}-${suffix}`, {
            description,
            assumeRolePolicy: ctx.cluster.account.apply(a => JSON.stringify(serviceAssumeRolePolicy(principal, a))),
            tags,
        }, { parent });
        new aws.iam.RolePolicy(`${name}-${suffix}`, {
            role: role.id,
            policy: resourceArn.apply(arn => JSON.stringify(allowOnly(action, arn))),
        }, { parent });
        return role;
    };
    const machineRole = singleActionRole("redeploy-sfn", "Kong CP: the state machine that redeploys the CP after a DB password rotation",
        "states.amazonaws.com", "ecs:UpdateService", service.arn);
    const machine = new aws.sfn.StateMachine(`${name}-redeploy`, {
        type: "STANDARD",
        roleArn: machineRole.arn,
        definition: pulumi.all([clusterArn, service.name]).apply(([cluster, svc]) => JSON.stringify(redeployStateMachine(cluster, svc))),
        tags,
    }, { parent });
    const eventsRole = singleActionRole("redeploy-events", "Kong CP: EventBridge starts the redeploy state machine",
        "events.amazonaws.com", "states:StartExecution", machine.arn);
    // The rule is the Database's (the rotation is the data's event); the redeploy is this runtime's.
    new aws.cloudwatch.EventTarget(`${name}-db-password-rotated`, {
        rule: rotationRuleName,
        arn: machine.arn,
        roleArn: eventsRole.arn,
    }, { parent });
}

/** Cloud Map: <service>.<namespace> resolves to the CP tasks' IPs (A records, awsvpc). */
function createDiscovery(ctx: Context, hostname: string, vpcId: pulumi.Input<string>) {
    const { name, parent, tags } = ctx;
    const { service, namespace: namespaceName } = splitHostname(hostname);
    const namespace = new aws.servicediscovery.PrivateDnsNamespace(`${name}-namespace`, {
        name: namespaceName,
        vpc: vpcId,
        description: "Private names of the Kong hybrid services",
        tags,
    }, { parent });
    return new aws.servicediscovery.Service(`${name}-discovery`, {
        name: service,
        dnsConfig: {
            namespaceId: namespace.id,
            dnsRecords: [{ type: "A", ttl: 10 }],
            routingPolicy: "MULTIVALUE",
        },
        tags,
    }, { parent });
}

type LogGroups = Record<"kong" | "migrations" | "adminBootstrap", aws.cloudwatch.LogGroup>;

/** One KMS-encrypted log group per container family. */
function createLogGroups(ctx: Context, kmsKeyArn: pulumi.Input<string>, retentionInDays: number): LogGroups {
    const { name, parent, tags } = ctx;
    const group = (family: string) => new aws.cloudwatch.LogGroup(`${name}-${family}-logs`, {
        name: `/kong-hybrid/${name}/${family}`,
        retentionInDays,
        kmsKeyId: kmsKeyArn,
        tags,
    }, { parent });
    return { kong: group("kong"), migrations: group("migrations"), adminBootstrap: group("admin-bootstrap") };
}

/** The execution role (exactly its secrets, key and log groups) and a task role with no permission. */
function createTaskRoles(ctx: Context, args: ControlPlaneArgs, grants: { secretArns: pulumi.Input<string>[]; logs: LogGroups }) {
    const { name, parent, tags, cluster } = ctx;
    const execution = new aws.iam.Role(`${name}-execution`, {
        description: "ECS agent for the Kong CP: reads exactly its secrets, writes its log groups",
        assumeRolePolicy: JSON.stringify(ecsExecutionRoleAssumeRolePolicy()),
        tags,
    }, { parent });
    // With a plugin image the tasks pull it from its repository, not kong.image.
    const images = [...(args.pluginImage ? [] : [args.kong.image]), args.deckImage ?? DECK_IMAGE];
    const { kong, migrations, adminBootstrap } = grants.logs;
    const executionPolicy = new aws.iam.RolePolicy(`${name}-execution`, {
        role: execution.id,
        policy: pulumi.all([pulumi.all(grants.secretArns), args.kmsKeyArn, args.pki.kmsKeyArn, kong.arn, migrations.arn, adminBootstrap.arn, cluster, pulumi.output(args.pluginImage?.repositoryArn)])
            .apply(([secrets, key, pkiKey, kongLog, migrationsLog, bootstrapLog, c, pluginRepository]) => JSON.stringify(executionRolePolicy({
                region: c.region,
                secretArns: secrets,
                kmsKeyArns: [key, pkiKey],
                logGroupArns: [kongLog, migrationsLog, bootstrapLog],
                ecrRepositoryArns: [...images.map(i => ecrRepositoryArn(i, c.partition)), pluginRepository].filter((a): a is string => !!a),
                pullThroughRepositoryArns: pullThroughRepositoryArns(images, args.pullThroughCache, c.partition, c.account, c.region),
            }))),
    }, { parent });
    // The Kong processes call no AWS API: without a configuration export the task role has no policy at all.
    const task = new aws.iam.Role(`${name}-task`, {
        description: args.configExport ? "Kong CP tasks: write the configuration export" : "Kong CP tasks: no AWS permissions",
        assumeRolePolicy: cluster.apply(c => JSON.stringify(ecsTaskRoleAssumeRolePolicy(c.partition, c.region, c.account))),
        tags,
    }, { parent });
    // The export's S3 and KMS grants go on the task role (the sidecars' credentials), never the execution role.
    const taskPolicy = args.configExport ? new aws.iam.RolePolicy(`${name}-config-export`, {
        role: task.id,
        policy: pulumi.all([args.configExport.bucketArn, args.kmsKeyArn, cluster]).apply(([bucketArn, kmsKeyArn, c]) => JSON.stringify(controlPlaneExportWritePolicy({
            kong: args.kong, bucketArn, kmsKeyArn, region: c.region,
        }))),
    }, { parent }) : undefined;
    return { execution, executionPolicy, task, taskPolicy };
}

/** The Fargate task: migrations init container, kong, and the decK admin bootstrap sidecar. */
function createTaskDefinition(
    ctx: Context,
    args: ControlPlaneArgs,
    deps: {
        db: DatabaseRefs;
        adminKey: AdminKeyRefs;
        logs: LogGroups;
        roles: ReturnType<typeof createTaskRoles>;
    },
) {
    const { name, parent, tags, cluster } = ctx;
    const cpu = args.cpu ?? CONTROL_PLANE_DEFAULTS.cpu;
    const memory = args.memory ?? CONTROL_PLANE_DEFAULTS.memory;
    const tls = args.pki.controlPlaneTls;
    const containerDefinitions = pulumi.all([
        deps.db.endpoint, deps.db.masterSecretArn, tls.secretArn, tls.versionId ?? pulumi.output(""), adminKeyValueFrom(deps.adminKey),
        pulumi.all([deps.logs.kong.name, deps.logs.migrations.name, deps.logs.adminBootstrap.name]), cluster,
        pulumi.all([args.configExport?.bucketName ?? "", args.kmsKeyArn, pulumi.output(args.pluginImage?.imageRef)]),
    ]).apply(([dbHost, dbSecret, tlsSecret, tlsVersion, adminKeyValueFrom, [kongLog, migrationsLog, bootstrapLog], { account, region }, [exportBucket, kmsKeyArn, pluginImage]]) => {
        const settings = controlPlaneSettings({
            vcpus: cpu / 1024,
            database: { host: dbHost, port: PORTS.postgres, name: DATABASE_NAME, credentialsSecretArn: dbSecret },
            customPlugins: args.pluginImage?.pluginNames,
        });
        const kongImage = pluginImage ?? containerImage(args.kong.image, args.pullThroughCache, account, region);
        const containers = controlPlaneContainers({
            kongImage,
            deckImage: containerImage(args.deckImage ?? DECK_IMAGE, args.pullThroughCache, account, region),
            region,
            kongEnv: toContainerEnv(settings, args.kong, {
                // Pinning the version makes a renewed certificate a new task definition: the tasks roll.
                clusterTls: { secretArn: tlsSecret, versionId: tlsVersion || undefined },
                licence: args.licenseSecretArn ? { secretArn: args.licenseSecretArn } : undefined,
            }),
            adminBootstrapState: adminBootstrapState({ controlPlaneHostname: args.hostname, adminAllowedCidrs: args.adminAllowedCidrs }),
            adminKeyValueFrom,
            logGroups: { kong: kongLog, migrations: migrationsLog, adminBootstrap: bootstrapLog },
        });
        if (!args.configExport) return { containerDefinitions: JSON.stringify(containers), volumes: [] };
        const kong = containers.find(c => c.name === CONTAINER.kong)!;
        const db = databaseSettingsOf(kong);
        const spliced = spliceTaskAdditions(containers, controlPlaneExport({
            kong: args.kong, bucket: exportBucket, kmsKeyArn, region, logConfiguration: kong.logConfiguration,
            image: kongImage, databaseEnvironment: db.environment, databaseSecrets: db.secrets,
        }), args.kong, CONTAINER.kong);
        return { containerDefinitions: JSON.stringify(spliced.containers), volumes: spliced.volumes };
    });
    return new aws.ecs.TaskDefinition(`${name}-task`, {
        family: name,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(cpu),
        memory: String(memory),
        runtimePlatform: runtimePlatform(args.cpuArchitecture),
        executionRoleArn: deps.roles.execution.arn,
        taskRoleArn: deps.roles.task.arn,
        containerDefinitions: containerDefinitions.apply(t => t.containerDefinitions),
        // Only with an export: a task definition without volumes stays as it was.
        ...(args.configExport ? { volumes: containerDefinitions.apply(t => t.volumes) } : {}),
        tags,
    }, { parent });
}
