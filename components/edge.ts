import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { NetworkRefs } from "./contracts";
import { PORTS } from "./network/ports";

// The stack's public edge (the shared ALB, docs/facts/design.md §1), a peer of the DP groups: an
// internet-facing ALB that serves HTTPS only, forwards to the public groups' proxy port (one target
// group per group, weighted when there are several), logs to S3 and sits behind a WAF that closes
// /kong-admin to every network but the admin allow-list (defence in depth in front of Kong's own
// key-auth and ip-restriction on that route). Its security-group arrows are drawn in
// stacks/network.ts with the rest of the table.

/** The route the Data Plane proxies to the CP's Admin API (/kong-admin → CP:8001, docs/facts/design.md §3). */
export const ADMIN_PATH = "/kong-admin";

/** The ALB's idle timeout; matches Kong's default upstream read/send timeouts (60 s). */
export const ALB_IDLE_TIMEOUT_SECONDS = 60;

/**
 * How long the ALB lets in-flight requests finish on a target being removed (rolling upgrade,
 * scale-in) before ECS stops the task. 60 s = Kong's default upstream read timeout and the ALB
 * idle timeout: any request Kong would still let run completes. The AWS default is 300 s, which
 * only makes each rollout wave 4 minutes slower; new tasks (maximumPercent 200) already serve.
 */
export const DEREGISTRATION_DELAY_SECONDS = 60;

/** The S3 prefix of the ALB's access logs (ELB appends AWSLogs/<account>/...). */
export const ACCESS_LOG_PREFIX = "alb";

export interface EdgeArgs {
    /** Public subnets (the ALB) and the VPC id (the target group). */
    network: NetworkRefs;
    /** The public DP groups behind the ALB, by component name; each gets its own target group. Traffic splits by weight (@default 1 each). */
    groups: readonly { name: string; weight?: number }[];
    /** The account that owns the stack (the ELB log-delivery path names it). */
    accountId: pulumi.Input<string>;
    /** Public DNS name of the gateway, e.g. kong-gw.example.com. */
    domain: string;
    /**
     * Route 53 public hosted zone that holds `domain`: ACM DNS validation and the alias record.
     * @default undefined: a self-signed certificate (@pulumi/tls) is imported into ACM and no record is made.
     */
    hostedZoneName?: string;
    /** Client networks allowed on /kong-admin (IPv4 and IPv6 CIDRs). */
    adminAllowedCidrs: readonly string[];
    /** @default "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09" (the API's own default is the 2016 policy, docs/facts/aws.md §4). */
    sslPolicy?: string;
    /** Adds a port 80 listener that only redirects to HTTPS (301). @default false */
    httpRedirect?: boolean;
    /**
     * A WAF web ACL on the ALB: managed rules, the per-IP rate limit and the edge allow-list on
     * /kong-admin (Kong's own ip-restriction and key-auth guard that route either way). A cheap
     * non-production stack may turn it off: the ACL costs $5 a month plus $1 a rule. @default true
     */
    waf?: boolean;
    /** Requests per client IP per 5 minutes before the WAF blocks it. @default 2000 */
    wafRateLimit?: number;
    /** Days the access logs are kept. @default 30 */
    accessLogRetentionDays?: number;
    /** Deletion protection on the ALB; keeps the log bucket on destroy. @default false */
    production?: boolean;
    /** @default {} */
    tags?: Record<string, string>;
}

export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

/** The one source of each edge default (see DATA_PLANE_DEFAULTS). */
export const EDGE_DEFAULTS = { sslPolicy: DEFAULT_SSL_POLICY, httpRedirect: false, waf: true, wafRateLimit: 2000, accessLogRetentionDays: 30 } as const;

// ── Pure parts ──────────────────────────────────────────────────────────────────────────────

/**
 * The admin allow-list as WAF IP sets. WAF accepts every prefix length but /0, so "anywhere"
 * becomes the two halves of the address space.
 */
export function adminIpSets(cidrs: readonly string[]): { ipv4: string[]; ipv6: string[] } {
    const ipv4: string[] = [];
    const ipv6: string[] = [];
    for (const c of cidrs) {
        if (c.includes(":")) ipv6.push(...(c.endsWith("/0") ? ["::/1", "8000::/1"] : [c]));
        else ipv4.push(...(c.endsWith("/0") ? ["0.0.0.0/1", "128.0.0.0/1"] : [c]));
    }
    return { ipv4: [...new Set(ipv4)], ipv6: [...new Set(ipv6)] };
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/** The request path, decoded and normalised so /Kong-Admin, //kong-admin and %6Bong-admin all match. */
function adminPathStatement() {
    return {
        byteMatchStatement: {
            fieldToMatch: { uriPath: {} },
            positionalConstraint: "STARTS_WITH",
            searchString: ADMIN_PATH,
            textTransformations: [
                { priority: 0, type: "URL_DECODE" },
                { priority: 1, type: "NORMALIZE_PATH" },
                { priority: 2, type: "LOWERCASE" },
            ],
        },
    };
}

/** Label the Core rule set puts on a request whose body exceeds 8 KB (rule SizeRestrictions_BODY). */
export const CRS_BODY_SIZE_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body";

/**
 * The web ACL's rules, in evaluation order. `ipSetArns` are the admin allow-list sets (one per
 * address family in use).
 */
export function wafRules(prefix: string, rateLimit: number, ipSetArns: string[]): aws.types.input.wafv2.WebAclRule[] {
    const managed = (priority: number, name: string, ruleActionOverrides?: aws.types.input.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverride[]) => ({
        name: `aws-${name}`,
        priority,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name, ...(ruleActionOverrides ? { ruleActionOverrides } : {}) } },
        visibilityConfig: visibility(`${prefix}-${name}`),
    });
    const allowListed = ipSetArns.map(arn => ({ ipSetReferenceStatement: { arn } }));
    return [
        {
            // First, so a blocked admin request costs no further rule evaluation.
            name: "admin-path-allow-list",
            priority: 0,
            action: { block: {} },
            statement: {
                andStatement: {
                    statements: [
                        adminPathStatement(),
                        { notStatement: { statement: allowListed.length === 1 ? allowListed[0] : { orStatement: { statements: allowListed } } } },
                    ],
                },
            },
            visibilityConfig: visibility(`${prefix}-admin-path-allow-list`),
        },
        {
            name: "rate-limit-per-ip",
            priority: 1,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
            visibilityConfig: visibility(`${prefix}-rate-limit-per-ip`),
        },
        managed(2, "AWSManagedRulesAmazonIpReputationList"),
        managed(3, "AWSManagedRulesKnownBadInputsRuleSet"),
        // SizeRestrictions_BODY blocks bodies over 8 KB, which legitimate Admin API writes exceed
        // (certificates, large plugin configs, decK syncs of many entities). It only counts here and
        // the next rule blocks by its label everywhere except /kong-admin, which the allow-list,
        // key-auth and ip-restriction already guard.
        managed(4, "AWSManagedRulesCommonRuleSet", [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]),
        {
            name: "body-size-outside-admin",
            priority: 5,
            action: { block: {} },
            statement: {
                andStatement: {
                    statements: [
                        { labelMatchStatement: { scope: "LABEL", key: CRS_BODY_SIZE_LABEL } },
                        { notStatement: { statement: adminPathStatement() } },
                    ],
                },
            },
            visibilityConfig: visibility(`${prefix}-body-size-outside-admin`),
        },
    ];
}

/**
 * Bucket policy for ALB access logs: ELB's log-delivery service principal may write under the
 * prefix only (ALB user guide, "Enable access logs": the current policy form), and nobody may
 * use the bucket without TLS.
 */
export function accessLogBucketPolicy(bucketArn: string, accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AllowElbLogDelivery",
                Effect: "Allow",
                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${bucketArn}/${ACCESS_LOG_PREFIX}/AWSLogs/${accountId}/*`,
            },
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });
}

// ── Resources, one free function per concern ───────────────────────────────────────────────

type Parent = { parent: pulumi.Resource };

/**
 * The access-log bucket. ALB delivery supports SSE-S3 only, not SSE-KMS (ALB user guide, bucket
 * requirements). `ready` lists what the ALB must wait for: ELB checks its write access on enable.
 */
export function createAccessLogBucket(name: string, accountId: pulumi.Input<string>, production: boolean, retentionDays: number, tags: Record<string, string>, parent: Parent) {
    const bucket = new aws.s3.Bucket(`${name}-logs`, { forceDestroy: !production, tags }, parent);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-logs-public-access`, {
        bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    }, parent);
    const ownership = new aws.s3.BucketOwnershipControls(`${name}-logs-ownership`, {
        bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" },
    }, parent);
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-logs-encryption`, {
        bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    }, parent);
    const lifecycle = new aws.s3.BucketLifecycleConfiguration(`${name}-logs-lifecycle`, {
        bucket: bucket.id,
        rules: [{
            id: "expire-access-logs",
            status: "Enabled",
            filter: { prefix: `${ACCESS_LOG_PREFIX}/` },
            expiration: { days: retentionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        }],
    }, parent);
    const policy = new aws.s3.BucketPolicy(`${name}-logs-policy`, {
        bucket: bucket.id,
        policy: pulumi.all([bucket.arn, accountId]).apply(([arn, account]) => accessLogBucketPolicy(arn, account)),
    }, { ...parent, dependsOn: [publicAccess] });
    return { bucket, ready: [policy, encryption, ownership, lifecycle] };
}

/**
 * A DP group's target group: IP targets on the proxy port, ready only once the DP holds
 * configuration. Shared by the public edge and the internal load balancers.
 */
/**
 * The settings every Kong load balancer of the stack shares, public or internal: one place for the
 * header hardening and the access logs the policy pack checks.
 */
export function kongAlbArgs(a: {
    internal: boolean;
    subnets: pulumi.Input<string>[];
    securityGroupId: pulumi.Input<string>;
    accessLogBucket: pulumi.Input<string>;
    production: boolean;
    tags: Record<string, string>;
}): aws.lb.LoadBalancerArgs {
    return {
        loadBalancerType: "application",
        internal: a.internal,
        // IPv4 only: the VPC's subnets carry no IPv6 blocks, so no AAAA record either.
        ipAddressType: "ipv4",
        subnets: a.subnets,
        securityGroups: [a.securityGroupId],
        // AWS's default is false: a malformed header could reach Kong as another (X_Forwarded_For).
        dropInvalidHeaderFields: true,
        // Kong trusts X-Forwarded-For from the VPC and takes the client as the last untrusted entry (docs/facts/kong-hybrid.md §8).
        xffHeaderProcessingMode: "append",
        idleTimeout: ALB_IDLE_TIMEOUT_SECONDS,
        enableDeletionProtection: a.production,
        accessLogs: { bucket: a.accessLogBucket, prefix: ACCESS_LOG_PREFIX, enabled: true },
        tags: a.tags,
    };
}

export function dataPlaneTargetGroup(name: string, vpcId: pulumi.Input<string>, tags: Record<string, string>, parent: Parent): aws.lb.TargetGroup {
    return new aws.lb.TargetGroup(name, {
        vpcId,
        targetType: "ip",
        protocol: "HTTP",
        port: PORTS.proxy,
        deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
        healthCheck: {
            enabled: true,
            protocol: "HTTP",
            // 503 until the DP holds configuration from the CP (docs/facts/kong-hybrid.md §3), so no traffic before it can route.
            path: "/status/ready",
            port: String(PORTS.status),
            matcher: "200",
            interval: 10,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
        },
        tags,
    }, parent);
}

/** The web ACL with the admin allow-list IP set(s), associated with the ALB. */
export function createWebAcl(name: string, args: EdgeArgs, albArn: pulumi.Output<string>, tags: Record<string, string>, parent: Parent): aws.wafv2.WebAcl {
    const sets = adminIpSets(args.adminAllowedCidrs);
    const ipSets = ([["ipv4", "IPV4", sets.ipv4], ["ipv6", "IPV6", sets.ipv6]] as const)
        .filter(([, , addresses]) => addresses.length > 0)
        .map(([suffix, version, addresses]) => new aws.wafv2.IpSet(`${name}-admin-${suffix}`, {
            scope: "REGIONAL",
            ipAddressVersion: version,
            addresses: [...addresses],
            description: `Networks allowed on ${ADMIN_PATH}`,
            tags,
        }, parent));
    const metricPrefix = name.replace(/[^A-Za-z0-9_-]/g, "-");
    const acl = new aws.wafv2.WebAcl(`${name}-waf`, {
        scope: "REGIONAL",
        description: `Kong gateway ${args.domain}`,
        defaultAction: { allow: {} },
        rules: pulumi.all(ipSets.map(set => set.arn)).apply(arns => wafRules(metricPrefix, args.wafRateLimit ?? EDGE_DEFAULTS.wafRateLimit, arns)),
        visibilityConfig: visibility(`${metricPrefix}-waf`),
        tags,
    }, parent);
    new aws.wafv2.WebAclAssociation(`${name}-waf-alb`, { resourceArn: albArn, webAclArn: acl.arn }, parent);
    return acl;
}

// ── The component ───────────────────────────────────────────────────────────────────────────

export class Edge extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly loadBalancerArn: pulumi.Output<string>;
    public readonly loadBalancerArnSuffix: pulumi.Output<string>;
    public readonly dnsName: pulumi.Output<string>;
    /** Each public group's target group, by the group's component name. */
    public readonly targetGroups: Record<string, { arn: pulumi.Output<string>; arnSuffix: pulumi.Output<string> }>;
    /** The access-log bucket (SSE-S3) and what a load balancer logging into it must wait for. */
    public readonly accessLogs: { bucketId: pulumi.Output<string>; ready: pulumi.Resource[] };
    /** The HTTPS listener: the DP service waits for it (ECS rejects a target group without a listener). */
    public readonly httpsListener: aws.lb.Listener;
    public readonly certificateArn: pulumi.Output<string>;
    /** True when the certificate is the imported self-signed one (no hosted zone configured). */
    public readonly selfSignedCertificate: boolean;
    /** The web ACL's ARN; undefined when the stack runs without a WAF (`waf: false`). */
    public readonly webAclArn?: pulumi.Output<string>;
    public readonly accessLogBucket: pulumi.Output<string>;
    /** https://<domain> */
    public readonly url: string;

    constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:edge:Edge", name, {}, opts);
        // ALB and target-group names are at most 32 characters; Pulumi appends 8 ("-" + 7 random).
        if (`${name}-alb`.length > 24) {
            throw new Error(`Edge "${name}": the name is too long for an ALB name (${name}-alb + 8 random characters > 32); use a DataPlane group name of at most 15 characters`);
        }
        const parent = { parent: this };
        const tags = args.tags ?? {};
        const production = args.production ?? false;

        if (args.groups.length === 0) throw new Error(`Edge "${name}": no public Data Plane group to forward to`);
        // Security group without inline rules; stacks/network.ts draws its arrows.
        const sg = new aws.ec2.SecurityGroup(`${name}-alb-sg`, {
            vpcId: args.network.vpcId,
            description: "Kong gateway ALB: HTTPS from the internet, to the Data Plane only",
            tags: { ...tags, Name: `${name}-alb` },
        }, parent);

        const logs = createAccessLogBucket(name, args.accountId, production, args.accessLogRetentionDays ?? EDGE_DEFAULTS.accessLogRetentionDays, tags, parent);
        const bucket = logs.bucket;

        const alb = new aws.lb.LoadBalancer(`${name}-alb`, kongAlbArgs({
            internal: false, subnets: args.network.publicSubnetIds, securityGroupId: sg.id, accessLogBucket: bucket.id, production, tags,
        }), { parent: this, dependsOn: logs.ready });

        const targetGroups = args.groups.map(g => ({ group: g.name, weight: g.weight ?? 1, tg: dataPlaneTargetGroup(`${g.name}-edge-tg`, args.network.vpcId, tags, parent) }));
        // One group: a plain forward (what the single-group stacks always had); several: weighted.
        const defaultAction = targetGroups.length === 1
            ? { type: "forward", targetGroupArn: targetGroups[0].tg.arn }
            : { type: "forward", forward: { targetGroups: targetGroups.map(t => ({ arn: t.tg.arn, weight: t.weight })) } };

        const cert = args.hostedZoneName
            ? this.validatedCertificate(name, args.domain, args.hostedZoneName, tags)
            : this.importSelfSignedCertificate(name, args.domain, tags);
        this.selfSignedCertificate = !args.hostedZoneName;

        this.httpsListener = new aws.lb.Listener(`${name}-https`, {
            loadBalancerArn: alb.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: args.sslPolicy ?? DEFAULT_SSL_POLICY,
            certificateArn: cert.arn,
            defaultActions: [defaultAction],
            tags,
        }, parent);
        if (args.httpRedirect) {
            new aws.lb.Listener(`${name}-http-redirect`, {
                loadBalancerArn: alb.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                tags,
            }, parent);
        }

        if (cert.zoneId) {
            new aws.route53.Record(`${name}-alias`, {
                zoneId: cert.zoneId,
                name: args.domain,
                type: "A",
                aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
            }, parent);
        }

        const acl = (args.waf ?? EDGE_DEFAULTS.waf) ? createWebAcl(name, args, alb.arn, tags, parent) : undefined;

        this.securityGroupId = sg.id;
        this.loadBalancerArn = alb.arn;
        this.loadBalancerArnSuffix = alb.arnSuffix;
        this.dnsName = alb.dnsName;
        this.targetGroups = Object.fromEntries(targetGroups.map(t => [t.group, { arn: t.tg.arn, arnSuffix: t.tg.arnSuffix }]));
        this.accessLogs = { bucketId: bucket.id, ready: logs.ready };
        this.certificateArn = cert.arn;
        this.webAclArn = acl?.arn;
        this.accessLogBucket = bucket.bucket;
        this.url = `https://${args.domain}`;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            loadBalancerArn: this.loadBalancerArn,
            dnsName: this.dnsName,
            targetGroupArns: targetGroups.map(t => t.tg.arn),
            certificateArn: this.certificateArn,
            selfSignedCertificate: this.selfSignedCertificate,
            webAclArn: this.webAclArn,
            accessLogBucket: this.accessLogBucket,
            url: this.url,
        });
    }

    /** ACM certificate validated through a Route 53 record in the public zone. */
    private validatedCertificate(name: string, domain: string, zoneName: string, tags: Record<string, string>) {
        const zone = aws.route53.getZoneOutput({ name: zoneName, privateZone: false }, { parent: this });
        const cert = new aws.acm.Certificate(`${name}-cert`, { domainName: domain, validationMethod: "DNS", tags }, { parent: this });
        // One domain, so exactly one validation option.
        const option = cert.domainValidationOptions[0];
        const record = new aws.route53.Record(`${name}-cert-validation`, {
            zoneId: zone.zoneId,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 60,
            allowOverwrite: true,
        }, { parent: this });
        const validation = new aws.acm.CertificateValidation(`${name}-cert-validated`, {
            certificateArn: cert.arn,
            validationRecordFqdns: [record.fqdn],
        }, { parent: this });
        // The listener takes the ARN from the validation, so it waits until ACM issued the certificate.
        return { arn: validation.certificateArn, zoneId: zone.zoneId as pulumi.Output<string> | undefined };
    }

    /** For trials without a hosted zone: a self-signed certificate imported into ACM. */
    private importSelfSignedCertificate(name: string, domain: string, tags: Record<string, string>) {
        // RSA 2048: a key type ACM imports and every client negotiates.
        const key = new tls.PrivateKey(`${name}-self-signed-key`, { algorithm: "RSA", rsaBits: 2048 }, { parent: this });
        const selfSigned = new tls.SelfSignedCert(`${name}-self-signed`, {
            privateKeyPem: key.privateKeyPem,
            subject: { commonName: domain, organization: "kong-hybrid (self-signed trial certificate)" },
            dnsNames: [domain],
            validityPeriodHours: 365 * 24,
            earlyRenewalHours: 30 * 24,
            allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
        }, { parent: this });
        const cert = new aws.acm.Certificate(`${name}-cert`, {
            privateKey: key.privateKeyPem,
            certificateBody: selfSigned.certPem,
            tags: { ...tags, SelfSigned: "true" },
        }, { parent: this });
        return { arn: cert.arn, zoneId: undefined };
    }
}
