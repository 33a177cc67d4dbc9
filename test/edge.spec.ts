import { strict as assert } from "assert";
import { adminIpSets, wafRules } from "../components/edge";
import { byType } from "../offline/harness";
import { contracts, one, plan, planFull } from "./support/dp-plans";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";
const TG = "aws:lb/targetGroup:TargetGroup";

describe("Edge: ALB and listeners (dev and prod plans)", () => {
    const table = [
        // stack, redirect listener?, deletion protection, public subnets, log retention
        { stack: "dev", redirect: false, deletionProtection: false, azs: 2, logDays: 30, forceDestroy: true },
        { stack: "prod", redirect: false, deletionProtection: true, azs: 3, logDays: 90, forceDestroy: false },
        // albHttpRedirect is opt-in: a port 80 listener that only answers 301 to HTTPS.
        { stack: "prod-redirect", redirect: true, deletionProtection: true, azs: 3, logDays: 90, forceDestroy: false },
    ];
    for (const t of table) {
        describe(t.stack, () => {
            it("is an internet-facing ALB in the public subnets with its own SG, hardened", async () => {
                const run = await plan(t.stack);
                const lb = one(run, LB).inputs;
                assert.equal(lb.loadBalancerType, "application");
                assert.equal(lb.internal, false);
                assert.equal(lb.subnets.length, t.azs);
                assert.deepEqual(lb.subnets, (await contracts(t.stack)).publicSubnetIds);
                assert.equal(lb.dropInvalidHeaderFields, true);
                assert.equal(lb.enableDeletionProtection, t.deletionProtection);
                assert.equal(lb.idleTimeout, 60);
                assert.equal(lb.ipAddressType, "ipv4");
                assert.equal(lb.xffHeaderProcessingMode, "append");
                const sg = one(run, "aws:ec2/securityGroup:SecurityGroup", "dp-public-edge-alb-sg");
                assert.deepEqual(lb.securityGroups, [sg.id]);
            });
            it(t.redirect ? "listens on 443 (forward) and on 80 only to redirect 301 to HTTPS" : "listens on 443 only", async () => {
                const run = await plan(t.stack);
                const tg = one(run, TG);
                const listeners = byType(run, LISTENER).map(l => l.inputs).sort((a, b) => a.port - b.port);
                const https = {
                    port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
                    defaultActions: [{ type: "forward", targetGroupArn: tg.outputs.arn }],
                };
                const redirect = {
                    port: 80, protocol: "HTTP",
                    defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                };
                const expected = t.redirect ? [redirect, https] : [https];
                assert.equal(listeners.length, expected.length);
                expected.forEach((e, i) => {
                    for (const [k, v] of Object.entries(e)) assert.deepEqual(listeners[i][k], v, `${e.port}.${k}`);
                    assert.equal(listeners[i].loadBalancerArn, one(run, LB).outputs.arn);
                });
                assert.equal(listeners.find(l => l.port === 80)?.certificateArn, undefined);
            });
            it("forwards to an IP target group on 8000, health-checked on /status/ready:8100 expecting 200", async () => {
                const tg = one(await plan(t.stack), TG).inputs;
                assert.equal(tg.port, 8000);
                assert.equal(tg.protocol, "HTTP");
                assert.equal(tg.targetType, "ip");
                assert.equal(tg.vpcId, (await contracts(t.stack)).vpcId);
                assert.equal(tg.healthCheck.path, "/status/ready");
                assert.equal(tg.healthCheck.port, "8100");
                assert.equal(tg.healthCheck.matcher, "200");
                assert.equal(tg.healthCheck.protocol, "HTTP");
                assert.equal(tg.deregistrationDelay, 60);
            });
            it("writes access logs to a private, SSE-S3, owner-enforced bucket that expires them", async () => {
                const run = await plan(t.stack);
                const bucket = one(run, "aws:s3/bucket:Bucket");
                assert.equal(bucket.inputs.forceDestroy, t.forceDestroy);
                const lb = one(run, LB).inputs;
                assert.deepEqual(lb.accessLogs, { bucket: bucket.outputs.bucket, prefix: "alb", enabled: true });
                const pab = one(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
                assert.deepEqual([pab.bucket, pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
                    [bucket.outputs.bucket, true, true, true, true]);
                const sse = one(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs;
                assert.deepEqual(sse.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
                const own = one(run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs;
                assert.deepEqual(own.rule, { objectOwnership: "BucketOwnerEnforced" });
                const lc = one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs;
                assert.equal(lc.rules.length, 1);
                assert.equal(lc.rules[0].status, "Enabled");
                assert.deepEqual(lc.rules[0].expiration, { days: t.logDays });
                const policy = JSON.parse(one(run, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
                const arn = bucket.outputs.arn;
                assert.deepEqual(policy.Statement, [
                    { Sid: "AllowElbLogDelivery", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                        Action: "s3:PutObject", Resource: `${arn}/alb/AWSLogs/123456789012/*` },
                    { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } } },
                ]);
                // ELB checks its write access when logging is enabled: the ALB waits for the policy.
                assert.ok(one(run, LB).dependencies.some(d => d.endsWith("::dp-public-edge-logs-policy")));
            });
            it("gets an ACM certificate validated through Route 53 and an alias A record to the ALB", async () => {
                const run = await plan(t.stack);
                const domain = t.stack === "dev" ? "kong-gw.dev.example.com" : "api.example.com";
                const cert = one(run, "aws:acm/certificate:Certificate");
                assert.equal(cert.inputs.domainName, domain);
                assert.equal(cert.inputs.validationMethod, "DNS");
                assert.equal(cert.inputs.privateKey, undefined);
                const records = byType(run, "aws:route53/record:Record");
                assert.equal(records.length, 2);
                const validation = records.find(r => r.inputs.type === "CNAME")!.inputs;
                const dvo = cert.outputs.domainValidationOptions[0];
                assert.deepEqual([validation.name, validation.records, validation.zoneId], [dvo.resourceRecordName, [dvo.resourceRecordValue], records[0].inputs.zoneId]);
                assert.match(validation.zoneId, /^Z[0-9A-F]{20}$/);
                const validated = one(run, "aws:acm/certificateValidation:CertificateValidation").inputs;
                assert.equal(validated.certificateArn, cert.outputs.arn);
                assert.deepEqual(validated.validationRecordFqdns, [dvo.resourceRecordName.replace(/\.$/, "")]);
                const https = byType(run, LISTENER).find(l => l.inputs.port === 443)!;
                assert.equal(https.inputs.certificateArn, cert.outputs.arn);
                assert.ok(https.dependencies.some(d => d.endsWith("::dp-public-edge-cert-validated")), "listener waits for validation");
                const alias = records.find(r => r.inputs.type === "A")!.inputs;
                const lb = one(run, LB).outputs;
                assert.equal(alias.name, domain);
                assert.deepEqual(alias.aliases, [{ name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: true }]);
                assert.equal(records.filter(r => r.inputs.type === "AAAA").length, 0, "IPv4-only ALB: no AAAA");
                assert.equal((await plan(t.stack)).outputs.selfSignedCertificate, false);
            });
        });
    }

    it("without a hosted zone: imports a self-signed certificate for the domain into ACM, no DNS records, and says so", async () => {
        const run = await plan("dev-self-signed");
        assert.equal(byType(run, "aws:route53/record:Record").length, 0);
        assert.equal(byType(run, "aws:acm/certificateValidation:CertificateValidation").length, 0);
        const self = one(run, "tls:index/selfSignedCert:SelfSignedCert").inputs;
        assert.deepEqual(self.dnsNames, ["kong-gw.dev.example.com"]);
        assert.ok(self.allowedUses.includes("server_auth"));
        const key = one(run, "tls:index/privateKey:PrivateKey");
        assert.equal(key.inputs.algorithm, "RSA");
        const cert = one(run, "aws:acm/certificate:Certificate");
        assert.equal(cert.inputs.privateKey, key.outputs.privateKeyPem);
        assert.equal(cert.inputs.certificateBody, one(run, "tls:index/selfSignedCert:SelfSignedCert").outputs.certPem);
        assert.equal(cert.inputs.validationMethod, undefined);
        assert.equal(byType(run, LISTENER).find(l => l.inputs.port === 443)!.inputs.certificateArn, cert.outputs.arn);
        assert.equal(run.outputs.selfSignedCertificate, true);
    });
});

describe("Edge: WAF", () => {
    const table = [
        { stack: "dev-waf", rate: 2000, v4: ["203.0.113.0/24"] },
        { stack: "prod", rate: 5000, v4: ["198.51.100.0/24", "192.0.2.10/32"] },
    ];
    for (const t of table) {
        describe(t.stack, () => {
            it("has a regional web ACL, default allow, metrics and samples on everywhere, associated with the ALB", async () => {
                const run = await plan(t.stack);
                const acl = one(run, "aws:wafv2/webAcl:WebAcl");
                assert.equal(acl.inputs.scope, "REGIONAL");
                assert.deepEqual(acl.inputs.defaultAction, { allow: {} });
                for (const v of [acl.inputs.visibilityConfig, ...acl.inputs.rules.map((r: any) => r.visibilityConfig)]) {
                    assert.equal(v.cloudwatchMetricsEnabled, true);
                    assert.equal(v.sampledRequestsEnabled, true);
                    assert.match(v.metricName, /^[A-Za-z0-9_-]{1,128}$/);
                }
                const assoc = one(run, "aws:wafv2/webAclAssociation:WebAclAssociation").inputs;
                assert.equal(assoc.resourceArn, one(run, LB).outputs.arn);
                assert.equal(assoc.webAclArn, acl.outputs.arn);
            });
            it("evaluates: /kong-admin allow-list, rate limit, IP reputation, known bad inputs, common rules, body size outside admin", async () => {
                const rules = one(await plan(t.stack), "aws:wafv2/webAcl:WebAcl").inputs.rules;
                assert.deepEqual(rules.map((r: any) => [r.priority, r.name]), [
                    [0, "admin-path-allow-list"],
                    [1, "rate-limit-per-ip"],
                    [2, "aws-AWSManagedRulesAmazonIpReputationList"],
                    [3, "aws-AWSManagedRulesKnownBadInputsRuleSet"],
                    [4, "aws-AWSManagedRulesCommonRuleSet"],
                    [5, "body-size-outside-admin"],
                ]);
                for (const r of rules.slice(2, 5)) {
                    assert.deepEqual(r.overrideAction, { none: {} });
                    assert.equal(r.statement.managedRuleGroupStatement.vendorName, "AWS");
                }
                assert.deepEqual(rules[4].statement.managedRuleGroupStatement.ruleActionOverrides, [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]);
                assert.deepEqual(rules[1].action, { block: {} });
                assert.deepEqual(rules[1].statement.rateBasedStatement, { limit: t.rate, aggregateKeyType: "IP", evaluationWindowSec: 300 });
            });
            it("blocks /kong-admin* unless the source IP is in the admin IP set", async () => {
                const run = await plan(t.stack);
                const sets = byType(run, "aws:wafv2/ipSet:IpSet");
                assert.equal(sets.length, 1);
                assert.deepEqual(sets[0].inputs.addresses, t.v4);
                assert.equal(sets[0].inputs.ipAddressVersion, "IPV4");
                assert.equal(sets[0].inputs.scope, "REGIONAL");
                const rule = one(run, "aws:wafv2/webAcl:WebAcl").inputs.rules[0];
                assert.deepEqual(rule.action, { block: {} });
                const [path, not] = rule.statement.andStatement.statements;
                assert.deepEqual(path.byteMatchStatement.fieldToMatch, { uriPath: {} });
                assert.equal(path.byteMatchStatement.positionalConstraint, "STARTS_WITH");
                assert.equal(path.byteMatchStatement.searchString, "/kong-admin");
                assert.deepEqual(path.byteMatchStatement.textTransformations.map((x: any) => x.type), ["URL_DECODE", "NORMALIZE_PATH", "LOWERCASE"]);
                assert.deepEqual(not.notStatement.statement, { ipSetReferenceStatement: { arn: sets[0].outputs.arn } });
                const body = one(run, "aws:wafv2/webAcl:WebAcl").inputs.rules[5];
                assert.deepEqual(body.statement.andStatement.statements[0],
                    { labelMatchStatement: { scope: "LABEL", key: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body" } });
                assert.deepEqual(body.statement.andStatement.statements[1].notStatement.statement, path);
            });
        });
    }
    it("uses one IP set per address family, and both when the allow-list mixes them", () => {
        const rules = wafRules("x", 100, ["arn:v4", "arn:v6"]);
        assert.deepEqual(rules[0].statement, {
            andStatement: { statements: [(rules[0].statement as any).andStatement.statements[0], {
                notStatement: { statement: { orStatement: { statements: [
                    { ipSetReferenceStatement: { arn: "arn:v4" } }, { ipSetReferenceStatement: { arn: "arn:v6" } }] } } },
            }] },
        });
    });
    const cidrCases: [string[], { ipv4: string[]; ipv6: string[] }][] = [
        [["203.0.113.0/24"], { ipv4: ["203.0.113.0/24"], ipv6: [] }],
        [["203.0.113.0/24", "2001:db8::/32"], { ipv4: ["203.0.113.0/24"], ipv6: ["2001:db8::/32"] }],
        // WAF IP sets reject /0: "anywhere" (allowed outside production) becomes two halves.
        [["0.0.0.0/0"], { ipv4: ["0.0.0.0/1", "128.0.0.0/1"], ipv6: [] }],
        [["::/0", "10.0.0.0/8", "10.0.0.0/8"], { ipv4: ["10.0.0.0/8"], ipv6: ["::/1", "8000::/1"] }],
    ];
    for (const [cidrs, expected] of cidrCases) {
        it(`admin IP sets for ${cidrs.join(", ")}`, () => assert.deepEqual(adminIpSets(cidrs), expected));
    }
    it("dev as its stack file has it (waf: false): no web ACL, no association, no IP set; the ALB and listener stay", async () => {
        const run = await planFull("dev");
        for (const type of ["aws:wafv2/webAcl:WebAcl", "aws:wafv2/webAclAssociation:WebAclAssociation", "aws:wafv2/ipSet:IpSet"]) {
            assert.deepEqual(byType(run, type).map(r => r.name), [], type);
        }
        assert.equal(byType(run, LB).length, 1);
    });
    it("dev with an IPv6 admin network gets an IPV6 set too", async () => {
        const run = await plan("dev-ipv6-admin");
        const sets = byType(run, "aws:wafv2/ipSet:IpSet").map(s => [s.inputs.ipAddressVersion, s.inputs.addresses]);
        assert.deepEqual(sets.sort(), [["IPV4", ["203.0.113.0/24"]], ["IPV6", ["2001:db8:1::/48"]]]);
    });
});

describe("Data Plane stack outputs", () => {
    const table = [
        { stack: "dev", domain: "kong-gw.dev.example.com" },
        { stack: "prod", domain: "api.example.com" },
    ];
    for (const t of table) {
        it(`${t.stack}: gateway and admin URLs (no Kong Manager hint), ALB and CP names, CA, admin key and how to read it`, async () => {
            const run = await plan(t.stack);
            const o = run.outputs;
            const full = await planFull(t.stack);
            const adminKey = full.resources.find(r => r.type === "aws:secretsmanager/secret:Secret" && r.name === `kong-${t.stack}-cp-admin-key`)!;
            assert.equal(o.gatewayUrl, `https://${t.domain}`);
            assert.equal(o.adminApiUrl, `https://${t.domain}/kong-admin`);
            // Kong Manager cannot send the admin key: no output pretends it can (README "Known limits").
            assert.equal(o.kongManagerHint, undefined);
            assert.equal(o.albDnsName, one(run, LB).outputs.dnsName);
            assert.match(o.albDnsName, /\.eu-west-1\.elb\.amazonaws\.com$/);
            assert.equal(o.controlPlaneHostname, `cp.kong-${t.stack}.internal`);
            assert.match(o.caCertificatePem, /^-----BEGIN CERTIFICATE-----/);
            assert.equal(o.selfSignedCertificate, false);
            assert.equal(o.adminKeySecretArn, adminKey.outputs.arn);
            assert.equal(o.adminKeyCommand,
                `aws secretsmanager get-secret-value --region eu-west-1 --secret-id ${adminKey.outputs.arn} --query SecretString --output text`);
        });
    }
});

describe("Edge naming", () => {
    it("refuses a group name that would overflow the 32-character ALB name", async () => {
        const { Edge } = await import("../components/edge");
        const { runProgram } = await import("../offline/harness");
        await assert.rejects(runProgram(() => {
            new Edge("dp-public-eu-west-edge", {
                network: { vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", publicSubnetIds: ["subnet-1"], privateSubnetIds: [], isolatedSubnetIds: [] },
                groups: [{ name: "dp-public" }], accountId: "123456789012", domain: "gw.example.com", adminAllowedCidrs: ["203.0.113.0/24"],
            });
            return {};
        }), /Edge "dp-public-eu-west-edge": the name is too long/);
    });
});
