import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// The bucket holding the CP's configuration export. The export holds credentials in clear text
// (key-auth keys, certificate private keys), so: SSE-KMS with the given key (bucket key on, so
// one data key serves many requests), TLS only, uploads only with that key, public access blocked,
// ACLs off, and versioning so a bad export can be rolled back, with old versions expiring.
// Who may read and write is in the task roles (export.ts), not here.

export interface ConfigExportBucketArgs {
    /** KMS key that encrypts the objects; the DP task roles may decrypt with it through S3 only. */
    kmsKeyArn: pulumi.Input<string>;
    /** Days a replaced export version is kept. @default 30 */
    noncurrentVersionDays?: number;
    /** Replaced versions kept regardless of age. @default 10 */
    noncurrentVersionsKept?: number;
    /** Production: the bucket cannot be deleted with objects in it, and Pulumi protects it. @default false */
    production?: boolean;
    tags?: Record<string, string>;
}

/** Bucket policy: nobody without TLS, and no upload encrypted other than with the stack's key. */
export function exportBucketPolicy(bucketArn: string, kmsKeyArn: string) {
    const objects = `${bucketArn}/*`;
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, objects], Condition: { Bool: { "aws:SecureTransport": "false" } } },
            // Without the header, the bucket default (this key) applies; with it, it must be SSE-KMS …
            { Sid: "DenyOtherEncryption", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: objects, Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } } },
            // … with this key.
            { Sid: "DenyOtherKmsKey", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: objects, Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKeyArn } } },
        ],
    };
}

export class ConfigExportBucket extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;

    constructor(name: string, args: ConfigExportBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:cpScaler:ConfigExportBucket", name, {}, opts);
        const parent = { parent: this };
        const production = args.production ?? false;
        const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: !production, tags: args.tags }, { parent: this, protect: production });
        const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
            bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
        }, parent);
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }],
        }, parent);
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, parent);
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
            bucket: bucket.id,
            rules: [{
                id: "expire-replaced-exports",
                status: "Enabled",
                filter: {},
                noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 30, newerNoncurrentVersions: args.noncurrentVersionsKept ?? 10 },
                expiration: { expiredObjectDeleteMarker: true },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
            }],
        }, { parent: this, dependsOn: [versioning] });
        new aws.s3.BucketPolicy(`${name}-policy`, {
            bucket: bucket.id,
            policy: pulumi.all([bucket.arn, args.kmsKeyArn]).apply(([arn, key]) => JSON.stringify(exportBucketPolicy(arn, key))),
        }, { parent: this, dependsOn: [publicAccess] });
        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
