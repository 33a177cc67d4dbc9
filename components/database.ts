import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { NetworkRefs } from "./contracts";
import {
    DATABASE_NAME, dataProtection, MASTER_USERNAME, resolveDatabaseSettings, scalingConfiguration, type DatabaseSettings,
} from "./control-plane/database";
import { rotationSucceededPattern } from "./control-plane/rotation";

// The Control Plane's data, apart from any CP runtime: Aurora PostgreSQL Serverless v2 in the
// isolated subnets (docs/facts/aws.md §1; isolated subnets: docs/facts/design.md §1), its
// RDS-managed master secret, and the event of that secret's rotation; and the /kong-admin key.
// The ECS ControlPlane uses both today; an EKS CP reuses them as they are. The database's
// security group has no rules here: stacks/network.ts draws CP → DB.

/** What a CP runtime needs from the database. */
export interface DatabaseRefs {
    /** The writer endpoint. */
    endpoint: pulumi.Output<string>;
    /** The RDS-managed master secret, JSON {username, password}; RDS rotates it every 7 days. */
    masterSecretArn: pulumi.Output<string>;
    securityGroupId: pulumi.Output<string>;
    /** A CP task started before these fails its migrations. */
    instances: pulumi.Resource[];
    /** EventBridge rule matching the master secret's RotationSucceeded: a CP runtime targets its redeploy at it. */
    rotationRuleName: pulumi.Output<string>;
}

export interface DatabaseArgs {
    /** Isolated subnets (no route to the internet) and the VPC. */
    network: NetworkRefs;
    /** The stack's key: storage, the master secret. */
    kmsKeyArn: pulumi.Input<string>;
    /** @default see DatabaseSettings */
    settings?: DatabaseSettings;
    /** AZs for the writer and the reader, in order. @default chosen by RDS */
    availabilityZones?: string[];
    /** Deletion protection, final snapshot, Pulumi protect. @default false */
    production?: boolean;
    /** Prefix of the resource names (the CP's name, which named them before the split). */
    resourcePrefix: string;
    /** The URN of the component these resources were children of before (the ControlPlane): each keeps its identity by an alias. @default none */
    previousParent?: string;
    /** @default {} */
    tags?: Record<string, string>;
}

export class Database extends pulumi.ComponentResource implements DatabaseRefs {
    public readonly endpoint: pulumi.Output<string>;
    /** The cluster identifier: the DBClusterIdentifier dimension of its CloudWatch metrics. */
    public readonly clusterIdentifier: pulumi.Output<string>;
    public readonly masterSecretArn: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly instances: pulumi.Resource[];
    public readonly rotationRuleName: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:database:Database", name, {}, opts);
        const db = resolveDatabaseSettings(args.settings);
        const parent = this;
        const aliases = args.previousParent ? [{ parent: args.previousParent }] : [];
        const tags = args.tags ?? {};
        const prefix = args.resourcePrefix;
        const sg = new aws.ec2.SecurityGroup(`${prefix}-db-sg`, {
            vpcId: args.network.vpcId,
            description: "Aurora for the Kong Control Plane: 5432 from the CP only",
            tags: { ...tags, Name: `${prefix}-db-sg` },
        }, { parent, aliases });
        // Snapshot names are unique per account and region and outlive the stack: a suffix made with the
        // stack (and gone with it) keeps a second destroy of a re-created stack from colliding.
        const snapshotSuffix = args.production ? new random.RandomId(`${prefix}-db-final-snapshot`, { byteLength: 4 }, { parent, aliases }) : undefined;
        const protection = dataProtection(args.production ?? false, snapshotSuffix ? pulumi.interpolate`${prefix}-db-final-${snapshotSuffix.hex}` : undefined);
        const subnetGroup = new aws.rds.SubnetGroup(`${prefix}-db-subnets`, {
            subnetIds: args.network.isolatedSubnetIds,
            description: "Isolated subnets (no route to the internet) for the Kong CP database",
            tags,
        }, { parent, aliases });
        const cluster = new aws.rds.Cluster(`${prefix}-db`, {
            engine: "aurora-postgresql",
            // Serverless v2 is the provisioned engine mode with db.serverless instances.
            engineMode: "provisioned",
            engineVersion: db.engineVersion,
            databaseName: DATABASE_NAME,
            masterUsername: MASTER_USERNAME,
            // RDS keeps the password in Secrets Manager (rds!cluster-…, JSON {username, password}).
            manageMasterUserPassword: true,
            masterUserSecretKmsKeyId: args.kmsKeyArn,
            storageEncrypted: true,
            kmsKeyId: args.kmsKeyArn,
            dbSubnetGroupName: subnetGroup.name,
            vpcSecurityGroupIds: [sg.id],
            serverlessv2ScalingConfiguration: scalingConfiguration(db),
            backupRetentionPeriod: db.backupRetentionDays,
            copyTagsToSnapshot: true,
            deletionProtection: protection.deletionProtection,
            skipFinalSnapshot: protection.skipFinalSnapshot,
            finalSnapshotIdentifier: protection.finalSnapshotIdentifier,
            tags,
        }, { parent, aliases, protect: protection.protect });
        const instance = (suffix: string, promotionTier: number, az?: string) => new aws.rds.ClusterInstance(`${prefix}-db-${suffix}`, {
            clusterIdentifier: cluster.id,
            instanceClass: "db.serverless",
            engine: "aurora-postgresql",
            engineVersion: cluster.engineVersion,
            publiclyAccessible: false,
            dbSubnetGroupName: subnetGroup.name,
            availabilityZone: az,
            // Tiers 0-1 pause and resume with the writer (docs/facts/aws.md §1).
            promotionTier,
            // The version is config (dbEngineVersion): an upgrade AWS applied on its own would make the
            // next `pulumi up` attempt a downgrade, so upgrades go through config.
            autoMinorVersionUpgrade: false,
            tags,
        }, { parent, aliases, protect: protection.protect });
        const azs = args.availabilityZones ?? [];
        this.instances = [instance("writer", 0, azs[0]), ...(db.reader ? [instance("reader", 1, azs[1])] : [])];
        // Kong reads pg_user/pg_password from this secret when a task starts (docs/facts/aws.md §5). RDS rotates
        // it every 7 days; a CP task started before a rotation would fail new database connections
        // after it, so each CP runtime redeploys on this rule (control-plane/rotation.ts).
        this.masterSecretArn = cluster.masterUserSecrets.apply(s => {
            if (!s?.[0]?.secretArn) throw new Error("Database: the Aurora cluster reported no managed master secret");
            return s[0].secretArn;
        });
        const rule = new aws.cloudwatch.EventRule(`${prefix}-db-password-rotated`, {
            description: "The Kong CP database password rotated: redeploy the CP so new tasks read it",
            eventPattern: this.masterSecretArn.apply(arn => JSON.stringify(rotationSucceededPattern(arn))),
            tags,
        }, { parent, aliases });
        this.endpoint = cluster.endpoint;
        this.clusterIdentifier = cluster.id;
        this.securityGroupId = sg.id;
        this.rotationRuleName = rule.name;
        this.registerOutputs({ endpoint: this.endpoint, securityGroupId: this.securityGroupId });
    }
}

/** What a CP runtime needs from the admin key. */
export interface AdminKeyRefs {
    /** Resolves once the value is stored. */
    secretArn: pulumi.Output<string>;
    /** The stored version: a new key is a new version (ECS pins it, so the sidecar re-syncs). */
    versionId: pulumi.Output<string>;
    /** Exists once the value is stored. */
    version: pulumi.Resource;
}

/** The /kong-admin consumer's key: random, in Secrets Manager under the stack key; any CP runtime bootstraps with it. */
export class AdminKey extends pulumi.ComponentResource implements AdminKeyRefs {
    public readonly secretArn: pulumi.Output<string>;
    public readonly versionId: pulumi.Output<string>;
    public readonly version: pulumi.Resource;

    constructor(name: string, args: { kmsKeyArn: pulumi.Input<string>; resourcePrefix: string; previousParent?: string; tags?: Record<string, string> }, opts?: pulumi.ComponentResourceOptions) {
        super("kong:controlplane:AdminKey", name, {}, opts);
        const parent = this;
        const aliases = args.previousParent ? [{ parent: args.previousParent }] : [];
        const prefix = args.resourcePrefix;
        const key = new random.RandomPassword(`${prefix}-admin-key`, { length: 48, special: false }, { parent, aliases });
        const secret = new aws.secretsmanager.Secret(`${prefix}-admin-key`, {
            description: "Key of the kong-admin consumer (key-auth on /kong-admin)",
            kmsKeyId: args.kmsKeyArn,
            tags: args.tags ?? {},
        }, { parent, aliases });
        const version = new aws.secretsmanager.SecretVersion(`${prefix}-admin-key`, {
            secretId: secret.id,
            secretString: key.result,
        }, { parent, aliases });
        this.version = version;
        this.secretArn = pulumi.all([secret.arn, version.versionId]).apply(([arn]) => arn);
        this.versionId = version.versionId;
        this.registerOutputs({ secretArn: this.secretArn });
    }
}
