import * as crypto from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { EKS_OUTPUTS } from "./mock-eks";
import * as mockTls from "./mock-tls";
import { REGION_AZS } from "./regions";

// A small, deterministic stand-in for AWS behind Pulumi's mock runtime. It answers each resource
// registration with what AWS would compute (ids shaped like the real ones, ARNs in the right
// form, per-type outputs the program reads) and each invoke the program uses. An invoke it does
// not know fails loudly, naming the token: a silent `{}` would hide a missing mock.

export const ACCOUNT_ID = "123456789012";


export interface MockContext {
    region: string;
    account: string;
    /** Hex digest unique to the resource, stable across runs. */
    hash: string;
    /** The physical name: the `name` input, or the logical name with Pulumi's random suffix. */
    physicalName: string;
}

type OutputFn = (name: string, inputs: Record<string, any>, ctx: MockContext) => Record<string, any>;

const arn = (ctx: MockContext, service: string, resource: string, regional = true) =>
    `arn:aws:${service}:${regional ? ctx.region : ""}:${ctx.account}:${resource}`;
const uuid = (hash: string) => `${hash.slice(0, 8)}-${hash.slice(8, 12)}-4${hash.slice(13, 16)}-a${hash.slice(17, 20)}-${hash.slice(20, 32)}`;

/** Id prefixes of EC2-style resources: sg-0123…, subnet-0123… */
const EC2_ID_PREFIX: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/instance:Instance": "i",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/networkInterface:NetworkInterface": "eni",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    // Not EC2, same shape: Cloud Map ids are ns-… and srv-…
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": "ns",
    "aws:servicediscovery/service:Service": "srv",
};

/**
 * Computed outputs per resource type: what AWS fills in that the program (or a reader of the
 * plan) uses. Add an entry when a component reads an output that is not an input.
 */
export const OUTPUTS: Record<string, OutputFn> = {
    "aws:ec2/vpc:Vpc": (_n, i, c) => ({ arn: arn(c, "ec2", `vpc/vpc-0${c.hash.slice(0, 16)}`), defaultSecurityGroupId: defaultSecurityGroupId(`vpc-0${c.hash.slice(0, 16)}`), mainRouteTableId: `rtb-0${c.hash.slice(16, 32)}`, cidrBlock: i.cidrBlock }),
    "aws:ec2/subnet:Subnet": (_n, _i, c) => ({ arn: arn(c, "ec2", `subnet/subnet-0${c.hash.slice(0, 16)}`) }),
    "aws:ec2/securityGroup:SecurityGroup": (_n, _i, c) => ({ arn: arn(c, "ec2", `security-group/sg-0${c.hash.slice(0, 16)}`), ownerId: c.account }),
    "aws:ec2/eip:Eip": (_n, _i, c) => ({ publicIp: `203.0.113.${parseInt(c.hash.slice(0, 2), 16) % 250 + 1}`, allocationId: `eipalloc-0${c.hash.slice(0, 16)}` }),
    "aws:ec2/instance:Instance": (_n, _i, c) => ({ primaryNetworkInterfaceId: `eni-0${c.hash.slice(0, 16)}`, privateIp: `10.0.${parseInt(c.hash.slice(0, 2), 16)}.${parseInt(c.hash.slice(2, 4), 16) % 250 + 4}` }),
    "aws:kms/key:Key": (_n, _i, c) => ({ arn: arn(c, "kms", `key/${uuid(c.hash)}`), keyId: uuid(c.hash) }),
    "aws:kms/alias:Alias": (_n, i, c) => ({ arn: arn(c, "kms", i.name) }),
    "aws:cloudwatch/logGroup:LogGroup": (_n, _i, c) => ({ arn: arn(c, "logs", `log-group:${c.physicalName}`) }),
    "aws:sfn/stateMachine:StateMachine": (_n, _i, c) => ({ arn: arn(c, "states", `stateMachine:${c.physicalName}`), status: "ACTIVE" }),
    "aws:cloudwatch/eventRule:EventRule": (_n, _i, c) => ({ arn: arn(c, "events", `rule/${c.physicalName}`) }),
    "aws:iam/role:Role": (_n, _i, c) => ({ arn: arn(c, "iam", `role/${c.physicalName}`, false), uniqueId: `AROA${c.hash.slice(0, 17).toUpperCase()}` }),
    // Without a name the provider names an inline policy itself (create.Name → id.UniqueId).
    "aws:iam/rolePolicy:RolePolicy": (_n, i, c) => ({ name: i.name ?? terraformUniqueId(c.hash) }),
    "aws:cloudwatch/eventTarget:EventTarget": (_n, i, c) => ({ targetId: i.targetId ?? terraformUniqueId(c.hash) }),
    "aws:iam/policy:Policy": (_n, _i, c) => ({ arn: arn(c, "iam", `policy/${c.physicalName}`, false) }),
    "aws:secretsmanager/secret:Secret": (_n, _i, c) => ({ arn: arn(c, "secretsmanager", `secret:${c.physicalName}-${c.hash.slice(0, 6)}`) }),
    "aws:secretsmanager/secretVersion:SecretVersion": (_n, i, c) => ({ arn: i.secretId, versionId: uuid(c.hash) }),
    "aws:ecs/cluster:Cluster": (_n, _i, c) => ({ arn: arn(c, "ecs", `cluster/${c.physicalName}`) }),
    // Control Plane (issue 3)
    "aws:rds/subnetGroup:SubnetGroup": (_n, _i, c) => ({ arn: arn(c, "rds", `subgrp:${c.physicalName}`) }),
    "aws:rds/cluster:Cluster": (_n, i, c) => {
        const id = i.clusterIdentifier ?? c.physicalName;
        const host = `${id}.cluster-c${c.hash.slice(0, 11)}.${c.region}.rds.amazonaws.com`;
        return {
            arn: arn(c, "rds", `cluster:${id}`), clusterIdentifier: id, clusterResourceId: `cluster-${c.hash.slice(0, 26).toUpperCase()}`,
            endpoint: host, readerEndpoint: host.replace(".cluster-", ".cluster-ro-"), port: 5432,
            // RDS names the managed secret rds!cluster-<uuid> and adds Secrets Manager's 6-character suffix.
            masterUserSecrets: i.manageMasterUserPassword
                ? [{ secretArn: arn(c, "secretsmanager", `secret:rds!cluster-${uuid(c.hash)}-${c.hash.slice(32, 38)}`), secretStatus: "active", kmsKeyId: i.masterUserSecretKmsKeyId }]
                : [],
        };
    },
    "aws:rds/clusterInstance:ClusterInstance": (_n, i, c) => ({
        arn: arn(c, "rds", `db:${i.identifier ?? c.physicalName}`), identifier: i.identifier ?? c.physicalName,
        endpoint: `${i.identifier ?? c.physicalName}.c${c.hash.slice(0, 11)}.${c.region}.rds.amazonaws.com`, port: 5432, writer: i.promotionTier === 0,
    }),
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": (_n, _i, c) => ({
        arn: arn(c, "servicediscovery", `namespace/ns-${c.hash.slice(0, 16)}`), hostedZone: `Z${c.hash.slice(0, 20).toUpperCase()}`,
    }),
    "aws:servicediscovery/service:Service": (_n, _i, c) => ({ arn: arn(c, "servicediscovery", `service/srv-${c.hash.slice(0, 16)}`) }),
    "aws:ecs/taskDefinition:TaskDefinition": (_n, i, c) => ({
        arn: arn(c, "ecs", `task-definition/${i.family}:1`), arnWithoutRevision: arn(c, "ecs", `task-definition/${i.family}`), revision: 1,
    }),
    "aws:ecs/service:Service": (_n, i, c) => ({ name: i.name ?? c.physicalName, arn: arn(c, "ecs", `service/${String(i.cluster).split("/").pop()}/${i.name ?? c.physicalName}`) }),
    "random:index/randomId:RandomId": (_n, i, c) => {
        const hex = c.hash.slice(0, 2 * (i.byteLength ?? 8));
        return { hex, b64Url: Buffer.from(hex, "hex").toString("base64url"), b64Std: Buffer.from(hex, "hex").toString("base64"), dec: BigInt(`0x${hex}`).toString() };
    },
    "random:index/randomPassword:RandomPassword": (_n, i, c) => ({ result: fakeRandom(c.hash, i.length ?? 32), bcryptHash: `$2a$10$${c.hash.slice(0, 53)}` }),
    // @pulumi/tls: real keys and certificates made from the inputs (offline/mock-tls.ts), so tests
    // can check that the chain verifies; validity times stay fixed so plans are reproducible.
    "tls:index/privateKey:PrivateKey": (_n, i, c) => ({
        ...mockTls.privateKey(c.hash, i),
        publicKeyFingerprintSha256: `SHA256:${Buffer.from(c.hash, "hex").toString("base64").replace(/=+$/, "")}`,
    }),
    "tls:index/certRequest:CertRequest": (_n, i, c) => mockTls.certRequest(c.hash, i),
    "tls:index/selfSignedCert:SelfSignedCert": (_n, i, c) => ({ ...mockTls.selfSignedCert(c.hash, i), ...validity(i.validityPeriodHours), readyForRenewal: false }),
    "tls:index/locallySignedCert:LocallySignedCert": (_n, i, c) => ({ ...mockTls.locallySignedCert(c.hash, i), ...validity(i.validityPeriodHours), readyForRenewal: false }),
    "aws:acmpca/certificateAuthority:CertificateAuthority": (_n, i, c) => {
        const caArn = arn(c, "acm-pca", `certificate-authority/${uuid(c.hash)}`);
        return { arn: caArn, ...mockTls.pcaCertificateAuthority(c.hash, caArn, i), status: "PENDING_CERTIFICATE" };
    },
    "aws:acmpca/certificate:Certificate": (_n, i, c) => ({
        arn: `${i.certificateAuthorityArn}/certificate/${c.hash.slice(0, 32)}`,
        ...mockTls.pcaCertificate(c.hash, i),
    }),
    "aws:s3/bucket:Bucket": (_n, i, c) => ({ arn: `arn:aws:s3:::${i.bucket ?? c.physicalName}`, bucket: i.bucket ?? c.physicalName, bucketDomainName: `${i.bucket ?? c.physicalName}.s3.amazonaws.com`, region: c.region }),
    // Data Plane edge (components/edge.ts, components/data-plane.ts)
    "aws:lb/loadBalancer:LoadBalancer": (_n, _i, c) => {
        const suffix = `app/${c.physicalName.slice(0, 32)}/${c.hash.slice(0, 16)}`;
        return { arn: arn(c, "elasticloadbalancing", `loadbalancer/${suffix}`), arnSuffix: suffix, dnsName: `${c.physicalName.slice(0, 32)}-${parseInt(c.hash.slice(0, 8), 16)}.${c.region}.elb.amazonaws.com`, zoneId: "Z32O12XQLNTSW2" };
    },
    "aws:lb/targetGroup:TargetGroup": (_n, _i, c) => {
        const suffix = `targetgroup/${c.physicalName.slice(0, 32)}/${c.hash.slice(0, 16)}`;
        return { arn: arn(c, "elasticloadbalancing", suffix), arnSuffix: suffix };
    },
    "aws:lb/listener:Listener": (_n, i, c) => ({ arn: `${String(i.loadBalancerArn).replace(":loadbalancer/", ":listener/")}/${c.hash.slice(0, 16)}` }),
    "aws:acm/certificate:Certificate": (_n, i, c) => ({
        arn: arn(c, "acm", `certificate/${uuid(c.hash)}`),
        status: i.validationMethod === "DNS" ? "PENDING_VALIDATION" : "ISSUED",
        type: i.certificateBody ? "IMPORTED" : "AMAZON_ISSUED",
        // One option per name; ACM's record is a CNAME under the name it validates.
        domainValidationOptions: i.validationMethod === "DNS"
            ? [i.domainName, ...(i.subjectAlternativeNames ?? [])].map((d: string) => ({
                domainName: d, resourceRecordName: `_${c.hash.slice(0, 32)}.${d}.`, resourceRecordType: "CNAME",
                resourceRecordValue: `_${c.hash.slice(32, 64)}.xlfgrmvvlj.acm-validations.aws.`,
            }))
            : [],
    }),
    "aws:acm/certificateValidation:CertificateValidation": (_n, i) => ({ certificateArn: i.certificateArn }),
    "aws:route53/record:Record": (_n, i) => ({ fqdn: String(i.name).replace(/\.$/, "") }),
    "aws:wafv2/ipSet:IpSet": (_n, _i, c) => ({ arn: arn(c, "wafv2", `regional/ipset/${c.physicalName}/${uuid(c.hash)}`), lockToken: uuid(c.hash) }),
    "aws:wafv2/webAcl:WebAcl": (_n, _i, c) => ({ arn: arn(c, "wafv2", `regional/webacl/${c.physicalName}/${uuid(c.hash)}`), capacity: 1150, lockToken: uuid(c.hash) }),
    // CP scale to zero (components/cp-scaler)
    "aws:lambda/function:Function": (_n, _i, c) => ({ arn: arn(c, "lambda", `function:${c.physicalName}`), qualifiedArn: arn(c, "lambda", `function:${c.physicalName}:$LATEST`), version: "$LATEST" }),
    "aws:ssm/parameter:Parameter": (_n, _i, c) => ({ arn: arn(c, "ssm", `parameter/${c.physicalName.replace(/^\//, "")}`) }),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (_n, _i, c) => ({ arn: arn(c, "cloudwatch", `alarm:${c.physicalName}`) }),
    // Custom plugin image (components/kong/plugins.ts): docker-build's ref is the first tag pinned by the pushed digest.
    "aws:ecr/repository:Repository": (_n, i, c) => ({ arn: arn(c, "ecr", `repository/${i.name ?? c.physicalName}`), registryId: c.account, repositoryUrl: `${c.account}.dkr.ecr.${c.region}.amazonaws.com/${i.name ?? c.physicalName}` }),
    "docker-build:index:Image": (_n, i, c) => {
        const digest = `sha256:${crypto.createHash("sha256").update(c.hash).digest("hex")}`;
        return { digest, ref: i.push && i.tags?.length ? `${i.tags[0]}@${digest}` : "", contextHash: c.hash };
    },
    // Alarms topic and dashboard (components/observability)
    "aws:sns/topic:Topic": (_n, _i, c) => ({ arn: arn(c, "sns", c.physicalName) }),
    "aws:sns/topicSubscription:TopicSubscription": (_n, i, c) => ({ arn: `${i.topic}:${uuid(c.hash)}` }),
    "aws:cloudwatch/dashboard:Dashboard": (_n, i, c) => ({ dashboardArn: arn(c, "cloudwatch", `dashboard/${i.dashboardName}`, false) }),
    "aws:appautoscaling/policy:Policy": (_n, i, c) => ({ arn: arn(c, "autoscaling", `scalingPolicy:${uuid(c.hash)}:resource/${i.resourceId}:policyName/${c.physicalName}`) }),
    // The EKS runtime (issue 12)
    ...EKS_OUTPUTS,
};

/** A PEM block around text naming what it stands for; deterministic per resource. */
/** Validity from a fixed start, so plans are reproducible. */
function validity(hours: number | undefined) {
    const start = Date.UTC(2026, 0, 1);
    return { validityStartTime: new Date(start).toISOString().replace(".000", ""), validityEndTime: new Date(start + (hours ?? 24) * 3600_000).toISOString().replace(".000", "") };
}

function fakeRandom(hash: string, length: number): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let out = "";
    for (let i = 0; out.length < length; i++) out += alphabet[parseInt(hash.slice((i * 2) % 62, (i * 2) % 62 + 2), 16) % alphabet.length];
    return out;
}

type IdFn = (computed: Record<string, any>, inputs: Record<string, any>, ctx: MockContext) => string;

/**
 * A resource's id as the provider stores it (what a preview shows and what `.id` resolves to), for
 * types whose id is not EC2-style. Most follow the form the "Import" section of each resource page
 * documents (https://www.pulumi.com/registry/packages/aws/api-docs/); where the provider stores
 * another id than it imports by, the provider source that sets it is cited on the row (paths under
 * https://github.com/hashicorp/terraform-provider-aws/tree/main/).
 */
export const ID_OF: Record<string, IdFn> = {
    "aws:acm/certificate:Certificate": c => c.arn,
    // The time ACM issued the certificate, in Go's time.String() form: d.SetId(aws.ToTime(certificate.IssuedAt).String())
    // (https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/acm/certificate_validation.go).
    "aws:acm/certificateValidation:CertificateValidation": (_c, _i, x) => `2026-01-01 00:${twoDigits(x.hash, 0)}:${twoDigits(x.hash, 2)} +0000 UTC`,
    "aws:acmpca/certificate:Certificate": c => c.arn,
    "aws:acmpca/certificateAuthority:CertificateAuthority": c => c.arn,
    // The CA's ARN: d.SetId(certificateAuthorityARN) (internal/service/acmpca/certificate_authority_certificate.go).
    "aws:acmpca/certificateAuthorityCertificate:CertificateAuthorityCertificate": (_c, i) => i.certificateAuthorityArn,
    // Imported as namespace/resource/dimension/name, stored as the policy name: d.SetId(id) with id := d.Get("name")
    // (internal/service/appautoscaling/policy.go).
    "aws:appautoscaling/policy:Policy": (_c, _i, x) => x.physicalName,
    // Imported as namespace/resource/dimension, stored as the resource id (internal/service/appautoscaling/target.go).
    "aws:appautoscaling/target:Target": (_c, i) => i.resourceId,
    // Rule name on the default bus, bus/name otherwise (RuleCreateResourceID, internal/service/events/id.go).
    "aws:cloudwatch/eventRule:EventRule": (_c, i, x) => onBus(i.eventBusName, x.physicalName, "/"),
    // rule-targetId on the default bus (TargetCreateResourceID, internal/service/events/id.go); imported as rule/targetId.
    "aws:cloudwatch/eventTarget:EventTarget": (c, i) => onBus(i.eventBusName, `${i.rule}-${c.targetId}`, "-"),
    "aws:cloudwatch/logGroup:LogGroup": (_c, _i, x) => x.physicalName,
    // The names: d.SetId(name) (internal/service/logs/metric_filter.go, internal/service/cloudwatch/metric_alarm.go, dashboard.go).
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": (_c, i, x) => i.name ?? x.physicalName,
    "aws:cloudwatch/metricAlarm:MetricAlarm": (_c, i, x) => i.name ?? x.physicalName,
    "aws:cloudwatch/dashboard:Dashboard": (_c, i) => i.dashboardName,
    // The function name: d.SetId(functionName) (internal/service/lambda/function.go).
    "aws:lambda/function:Function": (_c, i, x) => i.name ?? x.physicalName,
    // The statement id, Terraform's unique name when none is given (internal/service/lambda/permission.go).
    "aws:lambda/permission:Permission": (_c, i, x) => i.statementId ?? terraformUniqueId(x.hash),
    // The parameter name: d.SetId(name) (internal/service/ssm/parameter.go).
    "aws:ssm/parameter:Parameter": (_c, i, x) => i.name ?? x.physicalName,
    // The VPC's default security group: the same id the Vpc reports as defaultSecurityGroupId.
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (_c, i) => defaultSecurityGroupId(i.vpcId),
    // Imported as rtb_destination, stored as r-<rtb><crc32(destination)> (RouteCreateID, internal/service/ec2/vpc_route.go).
    "aws:ec2/route:Route": (_c, i) => `r-${i.routeTableId}${crc32(String(i.destinationCidrBlock ?? i.destinationIpv6CidrBlock ?? i.destinationPrefixListId))}`,
    // Imported by name, stored as the ARN (internal/service/ecs/cluster.go: d.SetId(aws.ToString(cluster.ClusterArn))).
    // The repository prefix: d.SetId(aws.ToString(output.EcrRepositoryPrefix)) (internal/service/ecr/pull_through_cache_rule.go).
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": (_c, i) => i.ecrRepositoryPrefix,
    "aws:ecs/cluster:Cluster": c => c.arn,
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (_c, i) => i.clusterName,
    // Imported as cluster/name, stored as the ARN (internal/service/ecs/service.go).
    "aws:ecs/service:Service": c => c.arn,
    // Imported by ARN, stored as the family (internal/service/ecs/task_definition.go: d.SetId(aws.ToString(taskDefinition.Family))).
    "aws:ecs/taskDefinition:TaskDefinition": (_c, i) => i.family,
    "aws:iam/policy:Policy": c => c.arn,
    "aws:iam/role:Role": (_c, _i, x) => x.physicalName,
    "aws:iam/rolePolicy:RolePolicy": (c, i) => `${i.role}:${c.name}`,
    "aws:kms/alias:Alias": (_c, i) => i.name,
    "aws:kms/key:Key": c => c.keyId,
    "aws:lb/listener:Listener": c => c.arn,
    "aws:lb/loadBalancer:LoadBalancer": c => c.arn,
    "aws:lb/targetGroup:TargetGroup": c => c.arn,
    "aws:rds/cluster:Cluster": c => c.clusterIdentifier,
    "aws:rds/clusterInstance:ClusterInstance": c => c.identifier,
    "aws:rds/subnetGroup:SubnetGroup": (_c, _i, x) => x.physicalName,
    // ZONEID_name_TYPE[_SETIDENTIFIER], name lower-case without the final dot (createRecordImportID, internal/service/route53/record.go).
    "aws:route53/record:Record": (_c, i) => [i.zoneId, String(i.name).replace(/\.$/, "").toLowerCase(), i.type, ...(i.setIdentifier ? [i.setIdentifier] : [])].join("_"),
    "aws:s3/bucket:Bucket": c => c.bucket,
    "aws:secretsmanager/secret:Secret": c => c.arn,
    // The topic's and the subscription's ARN (internal/service/sns/topic.go, topic_subscription.go).
    "aws:sns/topic:Topic": c => c.arn,
    "aws:sns/topicSubscription:TopicSubscription": c => c.arn,
    "aws:secretsmanager/secretVersion:SecretVersion": (c, i) => `${i.secretId}|${c.versionId}`,
    "aws:sfn/stateMachine:StateMachine": c => c.arn,
    // Imported as ID/name/scope, stored as the ID alone (internal/service/wafv2/ip_set.go, web_acl.go: d.SetId(aws.ToString(output.Summary.Id))).
    "aws:wafv2/ipSet:IpSet": (_c, _i, x) => uuid(x.hash),
    "aws:wafv2/webAcl:WebAcl": (_c, _i, x) => uuid(x.hash),
    "aws:wafv2/webAclAssociation:WebAclAssociation": (_c, i) => `${i.webAclArn},${i.resourceArn}`,
    // @pulumi/random: RandomId's id is b64_url; RandomPassword's is the constant "none"
    // (https://github.com/hashicorp/terraform-provider-random/blob/main/internal/provider/resource_password.go).
    "random:index/randomId:RandomId": c => c.b64Url,
    "random:index/randomPassword:RandomPassword": () => "none",
    // @pulumi/tls: keys and CSRs are named by the SHA-1 of their PEM (hashForState), certificates by their serial
    // number in decimal (https://github.com/hashicorp/terraform-provider-tls/tree/main/internal/provider).
    "tls:index/privateKey:PrivateKey": c => sha1Hex(c.publicKeyPem),
    "tls:index/certRequest:CertRequest": c => sha1Hex(c.certRequestPem),
    "tls:index/selfSignedCert:SelfSignedCert": (_c, _i, x) => mockTls.serialNumber(x.hash),
    "tls:index/locallySignedCert:LocallySignedCert": (_c, _i, x) => mockTls.serialNumber(x.hash),
};

const onBus = (bus: string | undefined, id: string, sep: string) => (!bus || bus === "default" ? id : `${bus}${sep}${id}`);
const twoDigits = (hash: string, at: number) => String(parseInt(hash.slice(at, at + 2), 16) % 60).padStart(2, "0");
const sha1Hex = (text: string) => crypto.createHash("sha1").update(String(text).trim()).digest("hex");
/** The VPC's default security group id, derived from the VPC id so the Vpc and DefaultSecurityGroup agree. */
const defaultSecurityGroupId = (vpcId: string) => `sg-0${crypto.createHash("sha256").update(`default-sg|${vpcId}`).digest("hex").slice(0, 16)}`;

/** Terraform's unique name (id.UniqueId: "terraform-" + UTC timestamp + counter), fixed per resource. */
const terraformUniqueId = (hash: string) => `terraform-20260101000000${String(parseInt(hash.slice(0, 4), 16) % 10000).padStart(4, "0")}${hash.slice(4, 12)}`;

/** CRC-32 (IEEE), as Go's crc32.ChecksumIEEE: what the provider's StringHashcode uses. */
function crc32(text: string): number {
    let crc = 0xffffffff;
    for (const byte of Buffer.from(text)) {
        crc ^= byte;
        for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return (crc ^ 0xffffffff) >>> 0;
}

export type InvokeFn = (inputs: Record<string, any>, region: string) => Record<string, any>;

/** The provider functions the program calls. */
export const INVOKES: Record<string, InvokeFn> = {
    "aws:index/getRegion:getRegion": (_i, region) => ({ name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/offline-plan`, userId: "AIDAOFFLINEPLAN", id: ACCOUNT_ID }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_i, region) => {
        const names = REGION_AZS[region];
        if (!names) throw new Error(`the offline plan knows no availability zones for region ${region}; known: ${Object.keys(REGION_AZS).join(", ")}`);
        return { names: [...names], zoneIds: names.map((_, i) => `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`), id: region, state: "available" };
    },
    "aws:route53/getZone:getZone": i => {
        const name = String(i.name ?? "").replace(/\.$/, "");
        const zoneId = `Z${crypto.createHash("sha256").update(name).digest("hex").slice(0, 20).toUpperCase()}`;
        return { id: zoneId, zoneId, name, arn: `arn:aws:route53:::hostedzone/${zoneId}`, privateZone: !!i.privateZone, nameServers: ["ns-1.awsdns-01.org"], resourceRecordSetCount: 2 };
    },
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": (i, region) => ({
        id: region, registryId: i.registryId, userName: "AWS", password: "offline-ecr-token", authorizationToken: Buffer.from("AWS:offline-ecr-token").toString("base64"),
        proxyEndpoint: `https://${i.registryId ?? ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com`, expiresAt: "2026-01-01T12:00:00Z",
    }),
    "aws:ssm/getParameter:getParameter": i => {
        if (!String(i.name).startsWith("/aws/service/ami-amazon-linux-latest/")) throw new Error(`no offline value for SSM parameter ${i.name}`);
        return { id: i.name, name: i.name, type: "String", value: "ami-0a1b2c3d4e5f60718", version: 1, arn: "", insecureValue: "ami-0a1b2c3d4e5f60718" };
    },
};

/** Pulumi's auto-name: the logical name plus 7 random hex characters. */
function physicalNameOf(args: pulumi.runtime.MockResourceArgs, hash: string): string {
    const i = args.inputs;
    return i.name ?? i.bucket ?? i.namePrefix ?? `${args.name}-${hash.slice(0, 7)}`;
}

export class MockCloud implements pulumi.runtime.Mocks {
    constructor(readonly region: string, readonly stack: string) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
        const hash = crypto.createHash("sha256").update(`${this.stack}|${args.type}|${args.name}`).digest("hex");
        const ctx: MockContext = { region: this.region, account: ACCOUNT_ID, hash, physicalName: physicalNameOf(args, hash) };
        const computed = OUTPUTS[args.type]?.(args.name, unwrap(args.inputs), ctx) ?? {};
        const prefix = EC2_ID_PREFIX[args.type];
        // An import id, or what AWS would assign (the mock monitor passes "" when nothing is imported).
        const named = "name" in args.inputs || !args.custom ? {} : { name: ctx.physicalName };
        const id = (args.id || undefined)
            ?? (prefix ? `${prefix}-0${hash.slice(0, 16)}` : undefined)
            ?? ID_OF[args.type]?.({ ...named, ...computed }, unwrap(args.inputs), ctx)
            ?? computed.arn
            ?? ctx.physicalName;
        return { id: args.custom ? id : "", state: { ...named, ...args.inputs, ...computed } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        const invoke = INVOKES[args.token];
        if (!invoke) {
            const message = `The offline plan has no mock for invoke ${args.token}: add it to INVOKES in offline/mock-cloud.ts`;
            // Pulumi drops the message of an error thrown here; print it so the cause is visible.
            console.error(message);
            throw new Error(message);
        }
        return invoke(args.inputs, this.region);
    }
}

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** Plain values from the wire form: secrets unwrapped, resource references as their URN. */
export function unwrap(value: any): any {
    if (Array.isArray(value)) return value.map(unwrap);
    if (value && typeof value === "object") {
        if (value[SIG] === SECRET_SIG) return unwrap(value.value);
        if (value[SIG] === RESOURCE_SIG) return value.urn;
        const out: Record<string, any> = {};
        for (const [k, v] of Object.entries(value)) out[k] = unwrap(v);
        return out;
    }
    return value;
}
