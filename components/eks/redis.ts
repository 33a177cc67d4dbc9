import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { allowGroupToGroup } from "../network/traffic";

// Optional ElastiCache (Redis OSS) for DP plugins that keep shared state (rate limiting, proxy
// cache): encrypted in transit (TLS required) and at rest with the stack key, AUTH token generated
// and kept in Secrets Manager, reachable only from the given DP security groups on 6379.

export const REDIS_PORT = 6379;

export interface DataPlaneRedisArgs {
    vpcId: pulumi.Input<string>;
    /** Subnets without a route to the internet (the stack's isolated subnets). */
    subnetIds: pulumi.Input<string>[];
    /** The stack's KMS key: data at rest and the AUTH token secret. */
    kmsKeyArn: pulumi.Input<string>;
    /** DP groups (ECS task SGs or EKS pod SGs) that may connect. At least one. */
    dataPlaneSecurityGroupIds: pulumi.Input<string>[];
    /** @default "cache.t4g.small" */
    nodeType?: string;
    /** Primary plus replicas; 2 or more gives automatic failover across AZs. @default 2 */
    nodes?: number;
    /** @default "7.1" */
    engineVersion?: string;
    /** Production: daily snapshots kept 7 days, changes wait for the maintenance window. @default false */
    production?: boolean;
    /** @default {} */
    tags?: Record<string, string>;
}

/** ElastiCache replication group ids: 1-40 characters, a letter first, no two hyphens in a row. */
export function replicationGroupId(name: string): string {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(name) || /--|-$/.test(name)) {
        throw new Error(`DataPlaneRedis: name ${JSON.stringify(name)} is not a replication group id (1-40 of a-z, 0-9, -; a letter first; no "--" or trailing "-")`);
    }
    return name;
}

/** Kong's redis settings for plugins: TLS on, the AUTH token read from the secret (e.g. through a Kong vault reference). */
export interface RedisEndpoint {
    host: pulumi.Output<string>;
    port: number;
    ssl: true;
    authTokenSecretArn: pulumi.Output<string>;
}

export class DataPlaneRedis extends pulumi.ComponentResource {
    public readonly endpoint: RedisEndpoint;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly replicationGroupArn: pulumi.Output<string>;

    constructor(name: string, args: DataPlaneRedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:eks:DataPlaneRedis", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags ?? {};
        const id = replicationGroupId(name);
        const nodes = args.nodes ?? 2;
        if (!Number.isInteger(nodes) || nodes < 1 || nodes > 6) throw new Error(`DataPlaneRedis: nodes is ${nodes}; allowed: 1 to 6 (primary plus up to 5 replicas)`);
        if (args.dataPlaneSecurityGroupIds.length === 0) throw new Error("DataPlaneRedis: dataPlaneSecurityGroupIds is []; nothing could reach Redis");
        const production = args.production ?? false;

        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: `Kong DP Redis ${name}: 6379 from the DP groups only`,
            tags: { ...tags, Name: `${name}-redis` },
        }, parent);
        args.dataPlaneSecurityGroupIds.forEach((dp, i) => {
            allowGroupToGroup(`${name}-from-dp-${i}`, dp, sg.id, { port: REDIS_PORT, description: "Kong DP plugins to Redis (TLS)", tags }, parent);
        });

        // ElastiCache accepts printable ASCII except " / @ and spaces in AUTH tokens: letters and digits are safe.
        const token = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false }, parent);
        const secret = new aws.secretsmanager.Secret(`${name}-auth-token`, {
            description: `AUTH token of Redis ${name} (Kong DP plugins)`,
            kmsKeyId: args.kmsKeyArn,
            tags,
        }, parent);
        const version = new aws.secretsmanager.SecretVersion(`${name}-auth-token`, { secretId: secret.id, secretString: token.result }, parent);

        const subnets = new aws.elasticache.SubnetGroup(`${name}-subnets`, {
            name: id,
            description: `Redis ${name} subnets`,
            subnetIds: args.subnetIds,
            tags,
        }, parent);
        const group = new aws.elasticache.ReplicationGroup(`${name}-redis`, {
            replicationGroupId: id,
            description: `Kong DP plugins (rate limiting, cache) ${name}`,
            engine: "redis",
            engineVersion: args.engineVersion ?? "7.1",
            nodeType: args.nodeType ?? "cache.t4g.small",
            numCacheClusters: nodes,
            automaticFailoverEnabled: nodes > 1,
            multiAzEnabled: nodes > 1,
            port: REDIS_PORT,
            subnetGroupName: subnets.name,
            securityGroupIds: [sg.id],
            atRestEncryptionEnabled: true,
            kmsKeyId: args.kmsKeyArn,
            transitEncryptionEnabled: true,
            transitEncryptionMode: "required",
            authToken: token.result,
            // A new token is added beside the old one, so clients holding the old one keep working.
            authTokenUpdateStrategy: "ROTATE",
            snapshotRetentionLimit: production ? 7 : 0,
            applyImmediately: !production,
            autoMinorVersionUpgrade: true,
            tags,
        }, { parent: this, dependsOn: [version] });

        this.securityGroupId = sg.id;
        this.replicationGroupArn = group.arn;
        this.endpoint = { host: group.primaryEndpointAddress, port: REDIS_PORT, ssl: true, authTokenSecretArn: secret.arn };
        this.registerOutputs({ host: this.endpoint.host, port: REDIS_PORT, authTokenSecretArn: secret.arn, securityGroupId: sg.id });
    }
}
