import * as crypto from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { EKS_OUTPUTS } from "./mock-eks";
import * as mockTls from "./mock-tls";

// A small, deterministic stand-in for AWS behind Pulumi's mock runtime. It answers each resource
// registration with what AWS would compute (ids shaped like the real ones, ARNs in the right
// form, per-type outputs the program reads) and each invoke the program uses. An invoke it does
// not know fails loudly, naming the token: a silent `{}` would hide a missing mock.

export const ACCOUNT_ID = "123456789012";

/** Availability zones per region (as of 2026): enough to check azCount against the region. */
export const REGION_AZS: Record<string, string[]> = {
    "us-east-1": ["a", "b", "c", "d", "e", "f"],
    "us-east-2": ["a", "b", "c"],
    "us-west-2": ["a", "b", "c", "d"],
    "eu-west-1": ["a", "b", "c"],
    "eu-central-1": ["a", "b", "c"],
    "eu-north-1": ["a", "b", "c"],
    "ap-southeast-2": ["a", "b", "c"],
    "ap-northeast-1": ["a", "c", "d"],
};

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
    "aws:ec2/vpc:Vpc": (_n, i, c) => ({ arn: arn(c, "ec2", `vpc/vpc-0${c.hash.slice(0, 16)}`), defaultSecurityGroupId: `sg-0${c.hash.slice(16, 32)}`, mainRouteTableId: `rtb-0${c.hash.slice(16, 32)}`, cidrBlock: i.cidrBlock }),
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

/** How a resource type's `id` looks when it is not an EC2-style id. */
const ID_FROM_OUTPUT: Record<string, string> = {
    "aws:kms/key:Key": "keyId",
    "aws:secretsmanager/secret:Secret": "arn",
    "aws:ecs/cluster:Cluster": "arn",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:lb/loadBalancer:LoadBalancer": "arn",
    "aws:lb/targetGroup:TargetGroup": "arn",
    "aws:ecs/service:Service": "arn",
    "aws:rds/cluster:Cluster": "clusterIdentifier",
    "aws:rds/clusterInstance:ClusterInstance": "identifier",
    "aws:ecs/taskDefinition:TaskDefinition": "family",
    "aws:acmpca/certificateAuthority:CertificateAuthority": "arn",
    "aws:acmpca/certificate:Certificate": "arn",
};

/** Composite ids, as the provider forms them (and `pulumi import` takes them). */
const COMPOSITE_ID: Record<string, (computed: Record<string, any>, inputs: Record<string, any>) => string> = {
    "aws:secretsmanager/secretVersion:SecretVersion": (c, i) => `${i.secretId}|${c.versionId}`,
};

export type InvokeFn = (inputs: Record<string, any>, region: string) => Record<string, any>;

/** The provider functions the program calls. */
export const INVOKES: Record<string, InvokeFn> = {
    "aws:index/getRegion:getRegion": (_i, region) => ({ name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/offline-plan`, userId: "AIDAOFFLINEPLAN", id: ACCOUNT_ID }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_i, region) => {
        const letters = REGION_AZS[region];
        if (!letters) throw new Error(`the offline plan knows no availability zones for region ${region}; known: ${Object.keys(REGION_AZS).join(", ")}`);
        return { names: letters.map(l => `${region}${l}`), zoneIds: letters.map((_, i) => `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`), id: region, state: "available" };
    },
    "aws:route53/getZone:getZone": i => {
        const name = String(i.name ?? "").replace(/\.$/, "");
        const zoneId = `Z${crypto.createHash("sha256").update(name).digest("hex").slice(0, 20).toUpperCase()}`;
        return { id: zoneId, zoneId, name, arn: `arn:aws:route53:::hostedzone/${zoneId}`, privateZone: !!i.privateZone, nameServers: ["ns-1.awsdns-01.org"], resourceRecordSetCount: 2 };
    },
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
        const id = (args.id || undefined)
            ?? (prefix ? `${prefix}-0${hash.slice(0, 16)}` : undefined)
            ?? (ID_FROM_OUTPUT[args.type] ? computed[ID_FROM_OUTPUT[args.type]] : undefined)
            ?? COMPOSITE_ID[args.type]?.(computed, args.inputs)
            ?? computed.arn
            ?? ctx.physicalName;
        const named = "name" in args.inputs || !args.custom ? {} : { name: ctx.physicalName };
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
