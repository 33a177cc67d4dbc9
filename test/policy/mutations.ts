// One realistic mistake per row, applied to a plan of the target architecture. Each row names
// exactly the mandatory policies that must reject it (and, where one resource is at fault, the
// resource the violation must point at). Shared by the fixture tests and the real-plan tests.

import type { Plan } from "../../policy/offline";
import { editContainers, remove, setEnv, state } from "./helpers";

/** What a mutation needs to find its way around a plan, whoever built it. */
export interface Target {
    plan: Plan;
    /** Adds a resource: type, name, inputs, propertyDependencies as URNs. Returns its URN. */
    add(type: string, name: string, inputs: Record<string, any>, deps: Record<string, string[]>): string;
    /** Names (last URN segment) of the architecture's resources in this plan. */
    names: {
        albSg: string; dpSg: string; cpSg: string; dbSg: string;
        alb: string; tg: string; httpsListener: string; wafAssociation: string;
        cpService: string; dpService: string; cpTd: string; dpTd: string;
        dbCluster: string; dbInstance: string; dbSubnetGroup: string;
        logGroup: string; bucket: string; bucketPab: string; bucketSse: string;
        rolePolicy: string; kmsKey: string; publicSubnets: string[]; privateSubnets: string[];
    };
}

export interface Mutation {
    name: string;
    apply(t: Target): void;
    /** The mandatory policies that must reject the mutated plan (and no other). */
    rejectedBy: string[];
    /** The resource (by name) a violation must point at, if one is at fault. */
    at?(t: Target): string;
}

const SG = "aws:ec2/securityGroup:SecurityGroup";
const ING = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGR = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

const urnOf = (t: Target, name: string, type?: string) => state(t.plan, name, type).urn;
const idOf = (t: Target, name: string, type?: string) => { const s = state(t.plan, name, type); return s.id ?? s.outputs?.id; };
const arnOf = (t: Target, name: string, type?: string) => state(t.plan, name, type).outputs?.arn;

function kong(t: Target, td: string, edit: (c: any) => void) {
    editContainers(t.plan, td, cs => edit(cs.find(c => c.environment?.some((e: any) => e.name === "KONG_ROLE"))));
}

function adminState(t: Target, edit: (s: any) => void) {
    editContainers(t.plan, t.names.cpTd, cs => {
        for (const c of cs) for (const e of c.environment ?? []) {
            try {
                const doc = JSON.parse(e.value);
                if (doc?._format_version) { edit(doc); e.value = JSON.stringify(doc); }
            } catch { /* not JSON */ }
        }
    });
}

function adminRouteOwner(doc: any): any {
    for (const s of doc.services ?? []) for (const r of s.routes ?? []) if ((r.paths ?? []).some((p: string) => /^~?\/kong-admin\b/.test(p))) return { service: s, route: r };
    throw new Error("fixture has no /kong-admin route");
}

function stripIpRestriction(doc: any) {
    const { service, route } = adminRouteOwner(doc);
    for (const holder of [service, route, doc]) if (holder.plugins) holder.plugins = holder.plugins.filter((p: any) => p.name !== "ip-restriction");
}

function setIpAllow(doc: any, allow: string[]) {
    let found = false;
    const { service, route } = adminRouteOwner(doc);
    for (const holder of [service, route, doc]) for (const p of holder.plugins ?? []) if (p.name === "ip-restriction") { p.config = { ...p.config, allow }; found = true; }
    if (!found) throw new Error("fixture has no ip-restriction");
}

/** The container of the CP task that carries the decK state (the bootstrap sidecar). */
function deck(t: Target, edit: (c: any) => void) {
    editContainers(t.plan, t.names.cpTd, cs => edit(cs.find(c => (c.environment ?? []).some((e: any) => { try { return !!JSON.parse(e.value)?._format_version; } catch { return false; } }))));
}

/** The host of a decK service (its url's, or its host field). */
function upstreamHost(service: any): string {
    return service.host ?? new URL(service.url).hostname;
}

function keyPolicy(t: Target, edit: (doc: any) => void) {
    const s = state(t.plan, t.names.kmsKey, "aws:kms/key:Key");
    const doc = s.inputs.policy ? JSON.parse(s.inputs.policy) : { Version: "2012-10-17", Statement: [{ Sid: "Root", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }] };
    edit(doc);
    s.inputs.policy = JSON.stringify(doc);
}

function policyDoc(t: Target, edit: (doc: any) => void) {
    const s = state(t.plan, t.names.rolePolicy, "aws:iam/rolePolicy:RolePolicy");
    const doc = JSON.parse(s.inputs.policy);
    edit(doc);
    s.inputs.policy = JSON.stringify(doc);
}

export const MUTATIONS: Mutation[] = [
    {
        name: "CP SG opened to 0.0.0.0/0 on 8001",
        apply: t => t.add(ING, "oops-cp-admin-open", { securityGroupId: idOf(t, t.names.cpSg, SG), ipProtocol: "tcp", fromPort: 8001, toPort: 8001, cidrIpv4: "0.0.0.0/0" },
            { securityGroupId: [urnOf(t, t.names.cpSg, SG)] }),
        rejectedBy: ["admin-api-protected", "security-group-matrix"],
        at: () => "oops-cp-admin-open",
    },
    {
        name: "DB reachable from the DP SG",
        apply: t => t.add(ING, "oops-dp-to-db", { securityGroupId: idOf(t, t.names.dbSg, SG), referencedSecurityGroupId: idOf(t, t.names.dpSg, SG), ipProtocol: "tcp", fromPort: 5432, toPort: 5432 },
            { securityGroupId: [urnOf(t, t.names.dbSg, SG)], referencedSecurityGroupId: [urnOf(t, t.names.dpSg, SG)] }),
        rejectedBy: ["security-group-matrix"],
        at: () => "oops-dp-to-db",
    },
    {
        name: "DP SG opened on 8000 through an inline ingress block",
        apply: t => { state(t.plan, t.names.dpSg, SG).inputs.ingress = [{ protocol: "tcp", fromPort: 8000, toPort: 8000, cidrBlocks: ["0.0.0.0/0"] }]; },
        rejectedBy: ["security-group-matrix"],
        at: t => t.names.dpSg,
    },
    {
        name: "DB SG opened to the VPC through aws.ec2.SecurityGroupRule",
        apply: t => t.add("aws:ec2/securityGroupRule:SecurityGroupRule", "oops-db-from-vpc", { type: "ingress", securityGroupId: idOf(t, t.names.dbSg, SG), protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/16"] },
            { securityGroupId: [urnOf(t, t.names.dbSg, SG)] }),
        rejectedBy: ["security-group-matrix"],
        at: () => "oops-db-from-vpc",
    },
    {
        name: "CP admin port reachable from the ALB SG via aws.ec2.SecurityGroupRule with a source group",
        apply: t => t.add("aws:ec2/securityGroupRule:SecurityGroupRule", "oops-alb-to-cp", { type: "ingress", securityGroupId: idOf(t, t.names.cpSg, SG), sourceSecurityGroupId: idOf(t, t.names.albSg, SG), protocol: "tcp", fromPort: 8001, toPort: 8001 },
            { securityGroupId: [urnOf(t, t.names.cpSg, SG)], sourceSecurityGroupId: [urnOf(t, t.names.albSg, SG)] }),
        rejectedBy: ["admin-api-protected", "security-group-matrix"],
        at: () => "oops-alb-to-cp",
    },
    {
        name: "DP egress of all traffic to 0.0.0.0/0",
        apply: t => t.add(EGR, "oops-dp-egress-all", { securityGroupId: idOf(t, t.names.dpSg, SG), ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }, { securityGroupId: [urnOf(t, t.names.dpSg, SG)] }),
        rejectedBy: ["security-group-matrix"],
        at: () => "oops-dp-egress-all",
    },
    {
        name: "ALB opened on 8080",
        apply: t => t.add(ING, "oops-alb-8080", { securityGroupId: idOf(t, t.names.albSg, SG), ipProtocol: "tcp", fromPort: 8080, toPort: 8080, cidrIpv4: "0.0.0.0/0" }, { securityGroupId: [urnOf(t, t.names.albSg, SG)] }),
        rejectedBy: ["security-group-matrix"],
        at: () => "oops-alb-8080",
    },
    {
        name: "CP service gets a public IP",
        apply: t => { state(t.plan, t.names.cpService, "aws:ecs/service:Service").inputs.networkConfiguration.assignPublicIp = true; },
        rejectedBy: ["control-plane-private"],
        at: t => t.names.cpService,
    },
    {
        name: "CP service placed in the public subnets",
        apply: t => {
            const s = state(t.plan, t.names.cpService, "aws:ecs/service:Service");
            const pub = t.names.publicSubnets.map(n => state(t.plan, n, "aws:ec2/subnet:Subnet"));
            s.inputs.networkConfiguration.subnets = pub.map(p => p.id ?? p.outputs?.id);
            s.propertyDependencies!.networkConfiguration = [...s.propertyDependencies!.networkConfiguration.filter(u => !u.includes("aws:ec2/subnet:Subnet")), ...pub.map(p => p.urn)];
        },
        rejectedBy: ["control-plane-private"],
        at: t => t.names.cpService,
    },
    {
        name: "CP service registered with the DP target group",
        apply: t => {
            const s = state(t.plan, t.names.cpService, "aws:ecs/service:Service");
            s.inputs.loadBalancers = [{ targetGroupArn: arnOf(t, t.names.tg, "aws:lb/targetGroup:TargetGroup"), containerName: "kong", containerPort: 8001 }];
            s.propertyDependencies!.loadBalancers = [urnOf(t, t.names.tg, "aws:lb/targetGroup:TargetGroup")];
        },
        rejectedBy: ["control-plane-private"],
        at: t => t.names.cpService,
    },
    {
        name: "CP proxy listener left on",
        apply: t => kong(t, t.names.cpTd, c => setEnv(c, "KONG_PROXY_LISTEN", "0.0.0.0:8000")),
        rejectedBy: ["kong-hybrid-roles"],
        at: t => t.names.cpTd,
    },
    {
        name: "CP with a stream (TCP) proxy listener",
        apply: t => kong(t, t.names.cpTd, c => setEnv(c, "KONG_STREAM_LISTEN", "0.0.0.0:5555")),
        rejectedBy: ["kong-hybrid-roles"],
        at: t => t.names.cpTd,
    },
    {
        name: "DP given a database (KONG_DATABASE=postgres)",
        apply: t => kong(t, t.names.dpTd, c => setEnv(c, "KONG_DATABASE", "postgres")),
        rejectedBy: ["kong-hybrid-roles"],
        at: t => t.names.dpTd,
    },
    {
        name: "DP reporting usage to Kong Inc. (KONG_ANONYMOUS_REPORTS unset: Kong defaults to on)",
        apply: t => kong(t, t.names.dpTd, c => setEnv(c, "KONG_ANONYMOUS_REPORTS", undefined)),
        rejectedBy: ["kong-no-leaks"],
        at: t => t.names.dpTd,
    },
    {
        name: "DP without KONG_ADMIN_LISTEN (Kong's loopback Admin API on 8001/8444)",
        apply: t => kong(t, t.names.dpTd, c => setEnv(c, "KONG_ADMIN_LISTEN", undefined)),
        rejectedBy: ["kong-dp-admin-closed"],
        at: t => t.names.dpTd,
    },
    {
        name: "DP with KONG_ADMIN_LISTEN written \"OFF\" (Kong takes only lower-case off, and refuses to start)",
        apply: t => kong(t, t.names.dpTd, c => setEnv(c, "KONG_ADMIN_LISTEN", "OFF")),
        rejectedBy: ["kong-dp-admin-closed"],
        at: t => t.names.dpTd,
    },
    {
        name: "DP without KONG_DATABASE (Kong defaults to postgres)",
        apply: t => kong(t, t.names.dpTd, c => setEnv(c, "KONG_DATABASE", undefined)),
        rejectedBy: ["kong-hybrid-roles"],
        at: t => t.names.dpTd,
    },
    {
        name: "port-80 listener forwarding to the DPs",
        apply: t => t.add("aws:lb/listener:Listener", "oops-http", { loadBalancerArn: arnOf(t, t.names.alb, "aws:lb/loadBalancer:LoadBalancer"), port: 80, protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: arnOf(t, t.names.tg, "aws:lb/targetGroup:TargetGroup") }] },
            { loadBalancerArn: [urnOf(t, t.names.alb, "aws:lb/loadBalancer:LoadBalancer")], defaultActions: [urnOf(t, t.names.tg, "aws:lb/targetGroup:TargetGroup")] }),
        rejectedBy: ["edge-https-only"],
        at: () => "oops-http",
    },
    {
        name: "old TLS policy ELBSecurityPolicy-2016-08",
        apply: t => { state(t.plan, t.names.httpsListener, "aws:lb/listener:Listener").inputs.sslPolicy = "ELBSecurityPolicy-2016-08"; },
        rejectedBy: ["edge-https-only"],
        at: t => t.names.httpsListener,
    },
    {
        name: "HTTPS listener without sslPolicy (AWS default 2016-08)",
        apply: t => { delete state(t.plan, t.names.httpsListener, "aws:lb/listener:Listener").inputs.sslPolicy; },
        rejectedBy: ["edge-https-only"],
        at: t => t.names.httpsListener,
    },
    {
        name: "missing WAF association",
        apply: t => remove(t.plan, t.names.wafAssociation, "aws:wafv2/webAclAssociation:WebAclAssociation"),
        rejectedBy: ["edge-waf"],
        at: t => t.names.alb,
    },
    {
        name: "ALB forwards invalid header fields (dropInvalidHeaderFields false)",
        apply: t => { state(t.plan, t.names.alb, "aws:lb/loadBalancer:LoadBalancer").inputs.dropInvalidHeaderFields = false; },
        rejectedBy: ["edge-drop-invalid-headers"],
        at: t => t.names.alb,
    },
    {
        name: "ALB without dropInvalidHeaderFields (AWS default false)",
        apply: t => { delete state(t.plan, t.names.alb, "aws:lb/loadBalancer:LoadBalancer").inputs.dropInvalidHeaderFields; },
        rejectedBy: ["edge-drop-invalid-headers"],
        at: t => t.names.alb,
    },
    {
        name: "ALB access logs off",
        apply: t => { state(t.plan, t.names.alb, "aws:lb/loadBalancer:LoadBalancer").inputs.accessLogs = { bucket: "b", enabled: false }; },
        rejectedBy: ["edge-access-logs"],
        at: t => t.names.alb,
    },
    {
        name: "plaintext KONG_PG_PASSWORD",
        apply: t => kong(t, t.names.cpTd, c => {
            c.secrets = (c.secrets ?? []).filter((s: any) => s.name !== "KONG_PG_PASSWORD");
            setEnv(c, "KONG_PG_PASSWORD", "s3cr3t-kong-pg");
        }),
        rejectedBy: ["no-plaintext-secrets"],
        at: t => t.names.cpTd,
    },
    {
        name: "cluster private key pasted into plain environment",
        apply: t => kong(t, t.names.dpTd, c => {
            c.secrets = (c.secrets ?? []).filter((s: any) => s.name !== "KONG_CLUSTER_CERT_KEY");
            setEnv(c, "KONG_CLUSTER_CERT_KEY", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBu\n-----END EC PRIVATE KEY-----\n");
        }),
        rejectedBy: ["no-plaintext-secrets"],
        at: t => t.names.dpTd,
    },
    {
        name: "database password inside a connection URL (DATABASE_URL)",
        apply: t => kong(t, t.names.cpTd, c => setEnv(c, "DATABASE_URL", "postgres://kong:Sup3r-s3cret@db.internal:5432/kong?sslmode=require")),
        rejectedBy: ["no-plaintext-secrets"],
        at: t => t.names.cpTd,
    },
    {
        name: "bearer token in a header value of the decK sidecar (DECK_HEADERS)",
        apply: t => deck(t, c => setEnv(c, "DECK_HEADERS", "Authorization:Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0")),
        rejectedBy: ["no-plaintext-secrets"],
        at: t => t.names.cpTd,
    },
    {
        name: "AWS access key id in plain environment",
        apply: t => kong(t, t.names.dpTd, c => setEnv(c, "AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")),
        rejectedBy: ["no-plaintext-secrets"],
        at: t => t.names.dpTd,
    },
    {
        name: "trusted_ips 0.0.0.0/0 on the DP",
        apply: t => kong(t, t.names.dpTd, c => setEnv(c, "KONG_TRUSTED_IPS", "0.0.0.0/0,::/0")),
        rejectedBy: ["kong-trusted-ips"],
        at: t => t.names.dpTd,
    },
    {
        name: "trusted_ips as two halves of the internet (0.0.0.0/1, 128.0.0.0/1)",
        apply: t => kong(t, t.names.dpTd, c => setEnv(c, "KONG_TRUSTED_IPS", "0.0.0.0/1,128.0.0.0/1")),
        rejectedBy: ["kong-trusted-ips"],
        at: t => t.names.dpTd,
    },
    {
        name: "trusted_ips naming a public range (an office, not the load balancer)",
        apply: t => kong(t, t.names.dpTd, c => setEnv(c, "KONG_TRUSTED_IPS", "10.0.0.0/16,198.51.100.0/24")),
        rejectedBy: ["kong-trusted-ips"],
        at: t => t.names.dpTd,
    },
    {
        name: "cluster_mtls left at shared",
        apply: t => kong(t, t.names.dpTd, c => setEnv(c, "KONG_CLUSTER_MTLS", "shared")),
        rejectedBy: ["kong-cluster-mtls-pki"],
        at: t => t.names.dpTd,
    },
    {
        name: "typo'd Kong key KONG_REAL_IP_RECURSIV",
        apply: t => kong(t, t.names.dpTd, c => {
            const v = c.environment.find((e: any) => e.name === "KONG_REAL_IP_RECURSIVE")?.value ?? "on";
            setEnv(c, "KONG_REAL_IP_RECURSIVE", undefined);
            setEnv(c, "KONG_REAL_IP_RECURSIV", v);
        }),
        rejectedBy: ["kong-known-conf-keys"],
        at: t => t.names.dpTd,
    },
    {
        name: "/kong-admin route without ip-restriction",
        apply: t => adminState(t, stripIpRestriction),
        rejectedBy: ["admin-api-protected"],
        at: t => t.names.cpTd,
    },
    {
        name: "/kong-admin ip-restriction allowing 0.0.0.0/0",
        apply: t => adminState(t, d => setIpAllow(d, ["0.0.0.0/0"])),
        rejectedBy: ["admin-api-protected"],
        at: t => t.names.cpTd,
    },
    {
        name: "/kong-admin ip-restriction allowing the internet as two halves",
        apply: t => adminState(t, d => setIpAllow(d, ["0.0.0.0/1", "128.0.0.0/1"])),
        rejectedBy: ["admin-api-protected"],
        at: t => t.names.cpTd,
    },
    {
        name: "/kong-admin ip-restriction allowing a /4 (a sixteenth of the internet)",
        apply: t => adminState(t, d => setIpAllow(d, ["64.0.0.0/4"])),
        rejectedBy: ["admin-api-protected"],
        at: t => t.names.cpTd,
    },
    {
        name: "a second service to the Admin API on another path, without plugins",
        apply: t => adminState(t, d => {
            const { service } = adminRouteOwner(d);
            d.services.push({ name: "ops", host: upstreamHost(service), port: 8001, protocol: "http", routes: [{ name: "ops", paths: ["/ops"] }] });
        }),
        rejectedBy: ["admin-api-protected"],
        at: t => t.names.cpTd,
    },
    {
        name: "/kong-admin ip-restriction with an empty allow list",
        apply: t => adminState(t, d => setIpAllow(d, [])),
        rejectedBy: ["admin-api-protected"],
        at: t => t.names.cpTd,
    },
    {
        name: "CP without its admin bootstrap state",
        apply: t => editContainers(t.plan, t.names.cpTd, cs => {
            for (const c of cs) c.environment = (c.environment ?? []).filter((e: any) => { try { return !JSON.parse(e.value)?._format_version; } catch { return true; } });
        }),
        rejectedBy: ["admin-api-protected"],
        at: t => t.names.cpTd,
    },
    {
        name: "IAM * action",
        apply: t => policyDoc(t, d => d.Statement.push({ Effect: "Allow", Action: "*", Resource: "*" })),
        rejectedBy: ["iam-least-privilege"],
        at: t => t.names.rolePolicy,
    },
    {
        name: "iam:PassRole on *",
        apply: t => policyDoc(t, d => d.Statement.push({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" })),
        rejectedBy: ["iam-least-privilege"],
        at: t => t.names.rolePolicy,
    },
    {
        name: "iam:Put*Policy (a wildcard of policy writes) on every role",
        apply: t => policyDoc(t, d => d.Statement.push({ Effect: "Allow", Action: ["iam:Put*Policy"], Resource: "arn:aws:iam::123456789012:role/*" })),
        rejectedBy: ["iam-least-privilege"],
        at: t => t.names.rolePolicy,
    },
    {
        name: "sts:AssumeRole on *",
        apply: t => policyDoc(t, d => d.Statement.push({ Effect: "Allow", Action: ["sts:AssumeRole"], Resource: ["*"] })),
        rejectedBy: ["iam-least-privilege"],
        at: t => t.names.rolePolicy,
    },
    {
        name: "trust policy open to any AWS principal behind an MFA condition",
        apply: t => t.add("aws:iam/role:Role", "oops-open-trust", { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }] }) }, {}),
        rejectedBy: ["iam-least-privilege"],
        at: () => "oops-open-trust",
    },
    {
        name: "KMS key policy lets any AWS principal decrypt (condition on TLS only)",
        apply: t => keyPolicy(t, d => d.Statement.push({ Sid: "Oops", Effect: "Allow", Principal: { AWS: ["*"] }, Action: "kms:Decrypt", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } })),
        rejectedBy: ["resource-policies-scoped"],
        at: t => t.names.kmsKey,
    },
    {
        name: "bucket policy lets anyone read the access logs",
        apply: t => t.add("aws:s3/bucketPolicy:BucketPolicy", "oops-public-logs", {
            bucket: idOf(t, t.names.bucket),
            policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::logs/*" }] }),
        }, { bucket: [urnOf(t, t.names.bucket)] }),
        rejectedBy: ["resource-policies-scoped"],
        at: () => "oops-public-logs",
    },
    {
        name: "secret policy open to every principal but one (NotPrincipal)",
        apply: t => t.add("aws:secretsmanager/secretPolicy:SecretPolicy", "oops-secret-policy", {
            secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x",
            policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:role/x" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] }),
        }, {}),
        rejectedBy: ["resource-policies-scoped"],
        at: () => "oops-secret-policy",
    },
    {
        name: "secretsmanager:GetSecretValue on every secret",
        apply: t => policyDoc(t, d => d.Statement.push({ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: "*" })),
        rejectedBy: ["iam-least-privilege"],
        at: t => t.names.rolePolicy,
    },
    {
        name: "Aurora instance publicly accessible",
        apply: t => { state(t.plan, t.names.dbInstance, "aws:rds/clusterInstance:ClusterInstance").inputs.publiclyAccessible = true; },
        rejectedBy: ["database-isolated"],
        at: t => t.names.dbInstance,
    },
    {
        name: "Aurora storage unencrypted",
        apply: t => { const s = state(t.plan, t.names.dbCluster, "aws:rds/cluster:Cluster"); s.inputs.storageEncrypted = false; delete s.inputs.kmsKeyId; },
        rejectedBy: ["database-isolated"],
        at: t => t.names.dbCluster,
    },
    {
        name: "Aurora subnet group on the private (NAT) subnets",
        apply: t => {
            const s = state(t.plan, t.names.dbSubnetGroup, "aws:rds/subnetGroup:SubnetGroup");
            const priv = t.names.privateSubnets.map(n => state(t.plan, n, "aws:ec2/subnet:Subnet"));
            s.inputs.subnetIds = priv.map(p => p.id ?? p.outputs?.id);
            s.propertyDependencies = { ...s.propertyDependencies, subnetIds: priv.map(p => p.urn) };
        },
        rejectedBy: ["database-isolated"],
        at: t => t.names.dbCluster,
    },
    {
        name: "unencrypted log group",
        apply: t => { delete state(t.plan, t.names.logGroup, "aws:cloudwatch/logGroup:LogGroup").inputs.kmsKeyId; },
        rejectedBy: ["log-groups-encrypted"],
        at: t => t.names.logGroup,
    },
    {
        name: "log group that never expires",
        apply: t => { delete state(t.plan, t.names.logGroup, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays; },
        rejectedBy: ["log-groups-encrypted"],
        at: t => t.names.logGroup,
    },
    {
        name: "bucket without public access block",
        apply: t => remove(t.plan, t.names.bucketPab, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"),
        rejectedBy: ["s3-buckets-private-encrypted"],
        at: t => t.names.bucket,
    },
    {
        name: "bucket without server-side encryption",
        apply: t => remove(t.plan, t.names.bucketSse),
        rejectedBy: ["s3-buckets-private-encrypted"],
        at: t => t.names.bucket,
    },
];
