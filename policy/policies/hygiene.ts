import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { isUnknown, json, list, num, plain } from "../lib/values";
import { config, graphOf, label } from "./common";

export const logGroupsEncrypted: ResourceValidationPolicy = {
    name: "log-groups-encrypted",
    description: "CloudWatch log groups are encrypted with a KMS key and expire (retentionInDays set).",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: {
        properties: {
            maxRetentionDays: { type: "integer", default: 3653, description: "Longest retention accepted." },
        },
    },
    validateResource: (args, report) => {
        if (args.type !== T.logGroup) return;
        const cfg = config(args, { maxRetentionDays: 3653 });
        const p = plain(args.props) ?? {};
        if (p.kmsKeyId === undefined || p.kmsKeyId === null || p.kmsKeyId === "") {
            report("the log group has no kmsKeyId: Kong and task logs can carry request data; encrypt them with a customer-managed key.");
        }
        const days = num(p.retentionInDays);
        if (p.retentionInDays === undefined || days === 0) report("the log group never expires (retentionInDays unset or 0): set a retention.");
        else if (days !== undefined && days > cfg.maxRetentionDays) report(`the log group keeps logs ${days} days, more than maxRetentionDays ${cfg.maxRetentionDays}.`);
    },
};

const PAB_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

// SSE-S3 (AES256) is accepted: ALB access logs can only be written to SSE-S3 buckets (AWS ELB docs,
// "Access logs for your Application Load Balancer"), so KMS is not required here.
function hasSseRule(rules: unknown): boolean {
    return list(plain(rules)).map(plain).some(r => {
        const d = plain(r?.applyServerSideEncryptionByDefault);
        return d !== undefined && (isUnknown(d?.sseAlgorithm) || ["AES256", "aws:kms", "aws:kms:dsse"].includes(d?.sseAlgorithm));
    });
}

export const s3BucketsPrivateEncrypted: StackValidationPolicy = {
    name: "s3-buckets-private-encrypted",
    description: "Every S3 bucket has a public access block with all four flags and a server-side encryption configuration.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateStack: (args, report) => {
        const g = graphOf(args);
        for (const bucket of g.ofType(T.bucket, T.bucketV2)) {
            const blocks = g.referrers(bucket, [T.bucketPublicAccessBlock], "bucket");
            if (blocks.length === 0) {
                report(`${label(bucket)} has no aws.s3.BucketPublicAccessBlock: block public ACLs and policies.`, bucket.urn);
            }
            for (const b of blocks) {
                const off = PAB_FLAGS.filter(f => { const v = plain(b.props)?.[f]; return v !== true && v !== "true" && !isUnknown(v); });
                if (off.length) report(`${label(bucket)}: its public access block leaves ${off.join(", ")} off.`, b.urn);
            }
            const sse = g.referrers(bucket, [T.bucketSse, T.bucketSseV2], "bucket");
            const inline = plain(plain(bucket.props)?.serverSideEncryptionConfiguration);
            const encrypted = sse.some(s => hasSseRule(plain(s.props)?.rules)) || (inline !== undefined && hasSseRule([plain(inline)?.rule]));
            if (!encrypted) report(`${label(bucket)} has no server-side encryption configuration (aws.s3.BucketServerSideEncryptionConfiguration).`, bucket.urn);
        }
    },
};

// Types that accept `tags` (the resources this program creates; checked in @pulumi/aws 7 args).
const TAGGABLE = new Set<string>([
    T.vpc, T.subnet, T.routeTable, T.internetGateway, T.natGateway, T.securityGroup, T.vpcIngressRule, T.vpcEgressRule,
    T.loadBalancer, T.listener, T.listenerRule, T.targetGroup, T.ecsService, T.taskDefinition, "aws:ecs/cluster:Cluster",
    T.rdsCluster, T.rdsClusterInstance, T.rdsInstance, T.rdsSubnetGroup, T.iamRole, T.iamPolicy, T.logGroup, T.bucket, T.bucketV2,
    "aws:kms/key:Key", "aws:secretsmanager/secret:Secret", "aws:wafv2/webAcl:WebAcl", "aws:ec2/eip:Eip", "aws:ec2/instance:Instance",
    "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:acm/certificate:Certificate", "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
    "aws:servicediscovery/service:Service", "aws:ec2/flowLog:FlowLog", "aws:acmpca/certificateAuthority:CertificateAuthority",
    "aws:lambda/function:Function", "aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:ecr/repository:Repository",
]);

export const requiredTags: ResourceValidationPolicy = {
    name: "required-tags",
    description: "Taggable resources carry the required tags (their own or the provider's defaultTags).",
    enforcementLevel: "advisory",
    severity: "low",
    configSchema: {
        properties: {
            tags: { type: "array", items: { type: "string" }, default: ["Project", "Stack", "ManagedBy"], description: "Tag keys every taggable resource needs." },
        },
    },
    validateResource: (args, report) => {
        if (!TAGGABLE.has(args.type)) return;
        const cfg = config(args, { tags: ["Project", "Stack", "ManagedBy"] });
        const p = plain(args.props) ?? {};
        const own = plain(p.tags);
        if (isUnknown(own)) return;
        // A provider's inputs are strings in the engine: defaultTags arrives as JSON text.
        const defaults = plain(json(plain(json(plain(args.provider?.props)?.defaultTags))?.tags)) ?? {};
        const have = new Set([...Object.keys(own ?? {}), ...Object.keys(isUnknown(defaults) ? {} : defaults)]);
        const missing = cfg.tags.filter(t => !have.has(t));
        if (missing.length) report(`missing tags ${missing.join(", ")}.`);
    },
};

export const hygienePolicies = [logGroupsEncrypted, s3BucketsPrivateEncrypted, requiredTags];
