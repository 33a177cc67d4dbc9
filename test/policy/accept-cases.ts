import { architecturePlan } from "../fixtures/architecture-plan";
import { addToPlan, editContainers, setEnv, state } from "./helpers";

// The other half of the mutation table: each rule written another way, a way a careful engineer
// would write it, must pass. A policy that matches spelling instead of meaning rejects these
// (or, on the reject side, lets the mutation rows through).

export type Plan = ReturnType<typeof architecturePlan>["plan"];
export type Refs = ReturnType<typeof architecturePlan>["refs"];

const container = (plan: Plan, td: string, name: string, edit: (c: any) => void) =>
    editContainers(plan, td, cs => edit(cs.find(c => c.name === name)));

function adminState(plan: Plan, edit: (doc: any) => void) {
    container(plan, "dev-cp", "admin-bootstrap", c => {
        const e = c.environment.find((x: any) => x.name === "ADMIN_BOOTSTRAP_STATE");
        const doc = JSON.parse(e.value);
        edit(doc);
        e.value = JSON.stringify(doc);
    });
}

const doc = (...Statement: any[]) => JSON.stringify({ Version: "2012-10-17", Statement });

export interface Accept {
    name: string;
    /** The policy the variant exercises (it must report nothing; no other mandatory policy may either). */
    policy: string;
    apply(plan: Plan, refs: Refs): void;
    config?: Record<string, unknown>;
}

export const ACCEPT: Accept[] = [
    {
        name: "admin allow-list as two halves of one /24",
        policy: "admin-api-protected",
        apply: p => adminState(p, d => { d.services[0].plugins.find((x: any) => x.name === "ip-restriction").config.allow = ["203.0.113.0/25", "203.0.113.128/25"]; }),
    },
    {
        name: "admin allow-list inside allowedAdminCidrs without repeating it (a /32 of the /24)",
        policy: "admin-api-protected",
        apply: p => adminState(p, d => { d.services[0].plugins.find((x: any) => x.name === "ip-restriction").config.allow = ["203.0.113.7"]; }),
        config: { "admin-api-protected": { allowedAdminCidrs: ["203.0.113.0/24"] } },
    },
    {
        name: "admin plugins global, service to the Admin API in host/port form on another path",
        policy: "admin-api-protected",
        apply: p => adminState(p, d => {
            const plugins = d.services[0].plugins;
            delete d.services[0].plugins;
            d.plugins = plugins;
            d.services.push({ name: "ops", host: "127.0.0.1", port: 8001, routes: [{ name: "ops", paths: ["/ops"] }] });
        }),
    },
    {
        name: "admin plugins on the route, naming it from the top level",
        policy: "admin-api-protected",
        apply: p => adminState(p, d => {
            d.plugins = d.services[0].plugins.map((x: any) => ({ ...x, route: "kong-admin" }));
            delete d.services[0].plugins;
        }),
    },
    {
        name: "trusted_ips as subnets of the VPC, an IPv6 ULA and unix:",
        policy: "kong-trusted-ips",
        apply: p => container(p, "dev-dp", "kong", c => setEnv(c, "KONG_TRUSTED_IPS", "10.0.0.0/20, 10.0.16.0/20,fd00:10::/56,unix:")),
    },
    {
        name: "a connection URL with a user but no password, and one with a templated password",
        policy: "no-plaintext-secrets",
        apply: p => container(p, "dev-cp", "kong", c => {
            setEnv(c, "DATABASE_URL", "postgres://kong@db.internal:5432/kong?sslmode=require");
            setEnv(c, "REPLICA_URL", "postgres://kong:${PGPASSWORD}@db-ro.internal:5432/kong");
        }),
    },
    {
        name: "a header value that carries no credential, and a header credential taken from the environment",
        policy: "no-plaintext-secrets",
        apply: p => container(p, "dev-cp", "admin-bootstrap", c => {
            setEnv(c, "DECK_HEADERS", "X-Request-Source:bootstrap");
            setEnv(c, "UPSTREAM_AUTH", "Authorization: Bearer $UPSTREAM_TOKEN");
        }),
    },
    {
        name: "a secret-named variable holding a Kong vault reference",
        policy: "no-plaintext-secrets",
        apply: p => container(p, "dev-cp", "kong", c => setEnv(c, "KONG_PG_PASSWORD", "{vault://aws/kong-dev-db/password}")),
    },
    {
        name: "decK key written as a Go raw string template (`NAME`)",
        policy: "no-plaintext-secrets",
        apply: p => adminState(p, d => { d.consumers[0].keyauth_credentials[0].key = "${{ env `DECK_ADMIN_API_KEY` }}"; }),
    },
    {
        name: "KONG_ANONYMOUS_REPORTS written as \" false \" (Kong reads any boolean but on/true as off)",
        policy: "kong-no-leaks",
        apply: p => container(p, "dev-dp", "kong", c => setEnv(c, "KONG_ANONYMOUS_REPORTS", " false ")),
    },
    {
        name: "DP with KONG_ADMIN_LISTEN written \" off , 127.0.0.1:8001\" (Kong strips blanks and stops at a first entry off)",
        policy: "kong-dp-admin-closed",
        apply: p => container(p, "dev-dp", "kong", c => setEnv(c, "KONG_ADMIN_LISTEN", " off , 127.0.0.1:8001")),
    },
    {
        name: "DP with KONG_DATABASE written with blanks ( off ), CP with stream_listen off",
        policy: "kong-hybrid-roles",
        apply: p => {
            container(p, "dev-dp", "kong", c => setEnv(c, "KONG_DATABASE", " off "));
            container(p, "dev-cp", "kong", c => setEnv(c, "KONG_STREAM_LISTEN", "off"));
        },
    },
    {
        name: "iam:PassRole on one named role, for ECS only",
        policy: "iam-least-privilege",
        apply: (p, r) => addToPlan(p, "aws:iam/rolePolicy:RolePolicy", "deployer-pass", {
            role: r.cpExec.id,
            policy: doc({ Effect: "Allow", Action: "iam:PassRole", Resource: r.dpExec.arn, Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } }),
        }, { role: [r.cpExec.urn] }),
    },
    {
        name: "KMS key policy in AWS's default service pattern: any principal, narrowed by kms:CallerAccount and kms:ViaService",
        policy: "resource-policies-scoped",
        apply: p => {
            state(p, "dev-kong-key", "aws:kms/key:Key").inputs.policy = doc(
                { Sid: "Root", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
                { Sid: "ViaSecretsManager", Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: "*",
                    Condition: { StringEquals: { "kms:CallerAccount": "123456789012", "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } } },
            );
        },
    },
    {
        name: "bucket policy: Principal * only in a Deny, and a service principal narrowed by aws:SourceAccount",
        policy: "resource-policies-scoped",
        apply: (p, r) => addToPlan(p, "aws:s3/bucketPolicy:BucketPolicy", "logs-policy", {
            bucket: r.logs.id,
            policy: doc(
                { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::logs/*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
                { Sid: "AnyoneInTheOrg", Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::logs/*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } },
            ),
        }, { bucket: [r.logs.urn] }),
    },
    {
        name: "dropInvalidHeaderFields given as the string \"true\"",
        policy: "edge-drop-invalid-headers",
        apply: p => { state(p, "dev-edge-alb", "aws:lb/loadBalancer:LoadBalancer").inputs.dropInvalidHeaderFields = "true"; },
    },
    {
        name: "backup retention of exactly 7 days",
        policy: "database-isolated",
        apply: p => { state(p, "dev-cp-db", "aws:rds/cluster:Cluster").inputs.backupRetentionPeriod = 7; },
    },
    {
        name: "backup retention unset (AWS default 1 day) with a dev stack's relaxed minimum",
        policy: "database-isolated",
        apply: p => { delete state(p, "dev-cp-db", "aws:rds/cluster:Cluster").inputs.backupRetentionPeriod; },
        config: { "database-isolated": { minBackupRetentionDays: 1 } },
    },
];

export const REJECT_WITH_CONFIG: (Accept & { expect: RegExp })[] = [
    {
        name: "backup retention of 6 days under the default (production) minimum",
        policy: "database-isolated",
        apply: p => { state(p, "dev-cp-db", "aws:rds/cluster:Cluster").inputs.backupRetentionPeriod = 6; },
        expect: /keeps automated backups 6 days, less than minBackupRetentionDays 7/,
    },
    {
        name: "backup retention unset (AWS default 1 day) under the default minimum",
        policy: "database-isolated",
        apply: p => { delete state(p, "dev-cp-db", "aws:rds/cluster:Cluster").inputs.backupRetentionPeriod; },
        expect: /keeps automated backups 1 day \(backupRetentionPeriod unset: AWS default\)/,
    },
    {
        name: "admin allow-list wider than allowedAdminCidrs",
        policy: "admin-api-protected",
        apply: p => adminState(p, d => { d.services[0].plugins.find((x: any) => x.name === "ip-restriction").config.allow = ["203.0.112.0/23"]; }),
        config: { "admin-api-protected": { allowedAdminCidrs: ["203.0.113.0/24"] } },
        expect: /203\.0\.112\.0\/23, not within allowedAdminCidrs/,
    },
];

