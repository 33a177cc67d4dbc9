import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmPublishKeyStatement } from "./observability";

export interface StackKeyArgs {
    /** Alias without the `alias/` prefix, e.g. kong-dev. */
    alias: string;
    /** Days before a deleted key is gone (7-30). @default 30 */
    deletionWindowInDays?: number;
    tags: Record<string, string>;
}

/**
 * The stack's customer-managed KMS key: encrypts secrets, Aurora storage, log groups and the RDS
 * master secret. One key keeps the grants readable (task roles name exactly this ARN) and costs
 * $1/month. Rotation on.
 */
export class StackKey extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;
    readonly keyId: pulumi.Output<string>;

    constructor(name: string, args: StackKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:security:StackKey", name, {}, opts);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const key = new aws.kms.Key(`${name}-key`, {
            description: `kong-hybrid ${args.alias}: secrets, Aurora, logs`,
            enableKeyRotation: true,
            deletionWindowInDays: args.deletionWindowInDays ?? 30,
            policy: pulumi.all([account, region]).apply(([a, r]) => JSON.stringify(keyPolicy(a, r))),
            tags: args.tags,
        }, { parent: this });
        new aws.kms.Alias(`${name}-alias`, { name: `alias/${args.alias}`, targetKeyId: key.keyId }, { parent: this });
        this.arn = key.arn;
        this.keyId = key.keyId;
        this.registerOutputs({ arn: this.arn, keyId: this.keyId });
    }
}

/**
 * Key policy. The account-root statement is AWS's default: it delegates use of the key to IAM
 * policies (which then name this key's ARN) and keeps the key manageable. CloudWatch Logs
 * encrypts log groups as a service principal, so it needs its own statement, scoped to this
 * account's log groups (AWS docs, "Encrypt log data in CloudWatch Logs using AWS KMS").
 * CloudWatch alarms publish to the stack's SNS topic, encrypted with this key: without their
 * statement SNS drops every notification silently (alarmPublishKeyStatement).
 */
export function keyPolicy(account: string, region: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministersKeyThroughIam",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${account}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
                Effect: "Allow",
                Principal: { Service: `logs.${region}.amazonaws.com` },
                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"],
                Resource: "*",
                Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${account}:log-group:*` } },
            },
            alarmPublishKeyStatement(account),
        ],
    };
}
