import * as assert from "assert";
import { byType, planStack, type PlannedResource, type ProgramRun } from "../offline/harness";
import { kongImage, unknownKongEnvNames } from "../components/kong/image";
import { plan } from "./support";

// The Control Plane as the real program plans it for the dev and prod stack files (Pulumi.dev.yaml,
// Pulumi.prod.yaml), plus an Enterprise variant. Expected values are written out here, from the
// issue and docs/facts (kong-hybrid.md, aws.md), not read from the code's tables.

const ACCOUNT = "123456789012";

function one(run: ProgramRun, type: string, name: string): PlannedResource {
    const found = byType(run, type).filter(r => r.name === name);
    assert.strictEqual(found.length, 1, `expected one ${type} named ${name}, found ${found.length}`);
    return found[0];
}

interface Container {
    name: string; image: string; essential: boolean; command?: string[]; entryPoint?: string[];
    environment: { name: string; value: string }[]; secrets: { name: string; valueFrom: string }[];
    dependsOn?: { containerName: string; condition: string }[]; healthCheck?: { command: string[] };
    portMappings?: { containerPort: number }[]; logConfiguration: { logDriver: string; options: Record<string, string> };
}

function containers(run: ProgramRun, prefix: string): Record<string, Container> {
    const td = one(run, "aws:ecs/taskDefinition:TaskDefinition", `${prefix}-cp-task`);
    const list: Container[] = JSON.parse(td.inputs.containerDefinitions);
    return Object.fromEntries(list.map(c => [c.name, c]));
}

const env = (c: Container) => Object.fromEntries(c.environment.map(e => [e.name, e.value]));
const secrets = (c: Container) => Object.fromEntries(c.secrets.map(e => [e.name, e.valueFrom]));

describe("ControlPlane in the planned dev, prod and Enterprise stacks", () => {
    const runs: Record<string, ProgramRun> = {};
    before(async function () {
        this.timeout(120_000);
        runs.dev = await plan("dev");
        runs.prod = await plan("prod");
        runs.enterprise = await planStack("dev", {
            kongImage: "kong/kong-gateway:3.15.0.4",
            kongLicenseSecretArn: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:kong-license-AbCdEf`,
        });
    });

    const STACKS = [
        { stack: "dev", prefix: "kong-dev", hostname: "cp.kong-dev.internal", cpus: "1", allow: ["203.0.113.0/24"], retention: 7, desired: 1 },
        { stack: "prod", prefix: "kong-prod", hostname: "cp.kong-prod.internal", cpus: "1", allow: ["198.51.100.0/24", "192.0.2.10/32"], retention: 90, desired: 2 },
    ];

    describe("ControlPlane: Kong settings in the task definition", () => {
        for (const [stack, prefix, image] of [["dev", "kong-dev", "kong:3.9.3"], ["prod", "kong-prod", "kong:3.9.3"], ["enterprise", "kong-dev", "kong/kong-gateway:3.15.0.4"]]) {
            it(`${stack} (${image}): every KONG_* name of kong and migrations is a key of that Kong version`, () => {
                const cs = containers(runs[stack], prefix);
                for (const name of ["kong", "migrations"]) {
                    const names = [...cs[name].environment.map(e => e.name), ...cs[name].secrets.map(s => s.name)];
                    assert.ok(names.filter(n => n.startsWith("KONG_")).length >= 15, "the settings reached the container");
                    assert.deepStrictEqual(unknownKongEnvNames(names, kongImage(image)), [], `${name}: unknown keys`);
                }
            });
        }

        for (const s of STACKS) {
            it(`${s.stack}: the CP role, listeners, database and worker count`, () => {
                const e = env(containers(runs[s.stack], s.prefix).kong);
                const db = one(runs[s.stack], "aws:rds/cluster:Cluster", `${s.prefix}-cp-db`);
                assert.strictEqual(e.KONG_ROLE, "control_plane");
                assert.strictEqual(e.KONG_DATABASE, "postgres");
                assert.strictEqual(e.KONG_PG_HOST, db.outputs.endpoint);
                assert.strictEqual(e.KONG_PG_PORT, "5432");
                assert.strictEqual(e.KONG_PG_SSL, "on");
                assert.strictEqual(e.KONG_CLUSTER_MTLS, "pki");
                assert.strictEqual(e.KONG_CLUSTER_LISTEN, "0.0.0.0:8005");
                assert.strictEqual(e.KONG_ADMIN_LISTEN, "0.0.0.0:8001");
                assert.strictEqual(e.KONG_STATUS_LISTEN, "0.0.0.0:8100");
                assert.strictEqual(e.KONG_NGINX_WORKER_PROCESSES, s.cpus);
                assert.strictEqual(e.KONG_PROXY_ACCESS_LOG, "/dev/stdout");
                assert.strictEqual(e.KONG_PROXY_ERROR_LOG, "/dev/stderr");
            });

            it(`${s.stack}: passwords, keys and certificates are ECS secrets, never environment`, () => {
                const run = runs[s.stack];
                const cs = containers(run, s.prefix);
                const rdsSecret = one(run, "aws:rds/cluster:Cluster", `${s.prefix}-cp-db`).outputs.masterUserSecrets[0].secretArn;
                const tlsSecret = one(run, "aws:secretsmanager/secret:Secret", `${s.prefix}-ca-cp-tls`).outputs.arn;
                const tlsVersion = one(run, "aws:secretsmanager/secretVersion:SecretVersion", `${s.prefix}-ca-cp-tls`).outputs.versionId;
                for (const name of ["kong", "migrations"]) {
                    const sec = secrets(cs[name]);
                    assert.strictEqual(sec.KONG_PG_USER, `${rdsSecret}:username::`);
                    assert.strictEqual(sec.KONG_PG_PASSWORD, `${rdsSecret}:password::`);
                    assert.strictEqual(sec.KONG_CLUSTER_CERT, `${tlsSecret}:cert::${tlsVersion}`);
                    assert.strictEqual(sec.KONG_CLUSTER_CERT_KEY, `${tlsSecret}:key::${tlsVersion}`);
                    assert.strictEqual(sec.KONG_CLUSTER_CA_CERT, `${tlsSecret}:ca::${tlsVersion}`);
                    const plain = env(cs[name]);
                    for (const key of ["KONG_PG_USER", "KONG_PG_PASSWORD", "KONG_CLUSTER_CERT", "KONG_CLUSTER_CERT_KEY", "KONG_CLUSTER_CA_CERT", "KONG_LICENSE_DATA"]) {
                        assert.ok(!(key in plain), `${name}: ${key} in plain environment`);
                    }
                }
                // No secret value appears anywhere in any container's environment.
                const adminKey = one(run, "random:index/randomPassword:RandomPassword", `${s.prefix}-cp-admin-key`).outputs.result;
                const privateKeys = byType(run, "tls:index/privateKey:PrivateKey").map(k => k.outputs.privateKeyPem);
                const allEnv = JSON.stringify(Object.values(cs).map(c => c.environment));
                assert.ok(adminKey && !allEnv.includes(adminKey), "admin key in environment");
                for (const pem of privateKeys) assert.ok(!allEnv.includes(pem.split("\n")[1]), "private key in environment");
                assert.doesNotMatch(allEnv, /PRIVATE KEY|password/i);
            });
        }

        it("Enterprise: the licence is an ECS secret (KONG_LICENSE_DATA) on kong and migrations", () => {
            const cs = containers(runs.enterprise, "kong-dev");
            for (const name of ["kong", "migrations"]) {
                assert.strictEqual(secrets(cs[name]).KONG_LICENSE_DATA, `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:kong-license-AbCdEf`);
            }
            assert.strictEqual(cs.kong.image, "kong/kong-gateway:3.15.0.4");
        });
    });

    describe("ControlPlane: task containers", () => {
        for (const s of STACKS) {
            it(`${s.stack}: migrations init container, kong waits for its SUCCESS, sidecar waits for kong HEALTHY`, () => {
                const cs = containers(runs[s.stack], s.prefix);
                // dev's CP sleeps when idle (cpScaleToZero): its configuration export sidecars join the task.
                const exportSidecars = s.stack === "dev" ? ["config-export", "config-upload"] : [];
                assert.deepStrictEqual(Object.keys(cs).sort(), ["admin-bootstrap", ...exportSidecars, "kong", "migrations"]);
                assert.strictEqual(cs.migrations.essential, false);
                // prod pulls Kong through the stack's ECR pull-through cache of ECR Public; dev from Docker Hub.
                const kongImage = s.stack === "prod" ? `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/kong-prod-ecr-public/docker/library/kong:3.9.3` : "kong:3.9.3";
                assert.strictEqual(cs.migrations.image, kongImage);
                assert.strictEqual(cs.kong.image, kongImage);
                const script = cs.migrations.command!.join(" ");
                assert.match(script, /kong migrations bootstrap\n/);
                assert.match(script, /kong migrations up/);
                assert.ok(script.indexOf("kong migrations bootstrap") < script.indexOf("kong migrations up"));
                assert.doesNotMatch(script, /-f\b|--force/);
                assert.strictEqual(cs.kong.essential, true);
                assert.deepStrictEqual(cs.kong.dependsOn, [{ containerName: "migrations", condition: "SUCCESS" }]);
                assert.deepStrictEqual(cs.kong.healthCheck!.command, ["CMD", "kong-health"]);
                // The exporter waits for a healthy kong (the migrations are done), the uploader for the exporter.
                if (s.stack === "dev") {
                    assert.deepStrictEqual(cs["config-export"].dependsOn, [{ containerName: "kong", condition: "HEALTHY" }]);
                    assert.deepStrictEqual(cs["config-upload"].dependsOn, [{ containerName: "config-export", condition: "START" }]);
                    assert.ok(!cs["config-export"].essential && !cs["config-upload"].essential, "a failed export never stops the CP");
                }
                assert.deepStrictEqual(cs.kong.portMappings!.map(p => p.containerPort).sort(), [8001, 8005, 8100]);
                assert.strictEqual(cs["admin-bootstrap"].essential, false);
                assert.deepStrictEqual(cs["admin-bootstrap"].dependsOn, [{ containerName: "kong", condition: "HEALTHY" }]);
                assert.strictEqual(cs["admin-bootstrap"].image, "kong/deck:v1.65.1");
            });

            it(`${s.stack}: the admin bootstrap state routes /kong-admin to the CP behind key-auth and the allow-list`, () => {
                const run = runs[s.stack];
                const sidecar = containers(run, s.prefix)["admin-bootstrap"];
                const state = JSON.parse(env(sidecar).ADMIN_BOOTSTRAP_STATE);
                assert.deepStrictEqual(state, {
                    _format_version: "3.0",
                    _info: { select_tags: ["kong-hybrid-admin"] },
                    services: [{
                        name: "kong-admin",
                        url: `http://${s.hostname}:8001`,
                        routes: [{ name: "kong-admin", paths: ["~/kong-admin(/|$)"], strip_path: true }],
                        plugins: [
                            { name: "key-auth", config: { key_names: ["apikey"], hide_credentials: true, key_in_query: false } },
                            { name: "ip-restriction", config: { allow: s.allow } },
                        ],
                    }],
                    consumers: [{ username: "kong-admin", keyauth_credentials: [{ key: "${{ env `DECK_ADMIN_KEY` }}" }] }],
                });
                const adminSecret = one(run, "aws:secretsmanager/secret:Secret", `${s.prefix}-cp-admin-key`).outputs.arn;
                const adminVersion = one(run, "aws:secretsmanager/secretVersion:SecretVersion", `${s.prefix}-cp-admin-key`).outputs.versionId;
                // The whole secret (a plain string), pinned to its version: a new key rolls the CP and re-syncs.
                assert.deepStrictEqual(sidecar.secrets, [{ name: "DECK_ADMIN_KEY", valueFrom: `${adminSecret}:::${adminVersion}` }]);
                assert.strictEqual(env(sidecar).DECK_KONG_ADDR, "http://localhost:8001");
                assert.strictEqual(env(sidecar).DECK_ANALYTICS, "false");
                assert.match(sidecar.command!.join(" "), /deck gateway sync --select-tag kong-hybrid-admin -/);
            });

            it(`${s.stack}: the admin key is random, in Secrets Manager under the stack key`, () => {
                const run = runs[s.stack];
                const key = run.outputs.kmsKeyArn;
                const password = one(run, "random:index/randomPassword:RandomPassword", `${s.prefix}-cp-admin-key`);
                assert.ok(password.inputs.length >= 32);
                const secret = one(run, "aws:secretsmanager/secret:Secret", `${s.prefix}-cp-admin-key`);
                assert.strictEqual(secret.inputs.kmsKeyId, key);
                const version = one(run, "aws:secretsmanager/secretVersion:SecretVersion", `${s.prefix}-cp-admin-key`);
                assert.strictEqual(version.inputs.secretString, password.outputs.result);
                assert.strictEqual(run.outputs.adminKeySecretArn, secret.outputs.arn);
            });
        }
    });

    describe("ControlPlane: security groups, exactly", () => {
        for (const s of STACKS) {
            it(`${s.stack}: CP → DB 5432, CP → 0.0.0.0/0 443, DB ← CP 5432, DP → CP 8001/8005, and nothing else`, () => {
                const run = runs[s.stack];
                const cp = one(run, "aws:ec2/securityGroup:SecurityGroup", `${s.prefix}-cp-sg`);
                const db = one(run, "aws:ec2/securityGroup:SecurityGroup", `${s.prefix}-cp-db-sg`);
                // The DP group's SG: the one of the service behind the load balancer.
                const dpSg = byType(run, "aws:ecs/service:Service").find(x => (x.inputs.loadBalancers ?? []).length > 0)!
                    .inputs.networkConfiguration.securityGroups[0];
                for (const sg of [cp, db]) {
                    assert.ok(!sg.inputs.ingress?.length && !sg.inputs.egress?.length, `${sg.name} has inline rules`);
                }
                const describeRule = (r: PlannedResource) => {
                    const i = r.inputs;
                    const dir = r.type.endsWith("IngressRule") ? "in" : "out";
                    const label = (id: string) => (id === cp.id ? "CP" : id === db.id ? "DB" : id === dpSg ? "DP" : id);
                    const who = label(i.securityGroupId);
                    const peer = i.referencedSecurityGroupId ? label(i.referencedSecurityGroupId) : i.cidrIpv4 ?? i.cidrIpv6;
                    assert.ok(i.description, `${r.name} has no description`);
                    return `${who} ${dir} ${i.ipProtocol}/${i.fromPort}-${i.toPort} ${peer}`;
                };
                const rules = [...byType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), ...byType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")]
                    .filter(r => r.inputs.securityGroupId === cp.id || r.inputs.securityGroupId === db.id
                        || r.inputs.referencedSecurityGroupId === cp.id || r.inputs.referencedSecurityGroupId === db.id)
                    .map(describeRule).sort();
                assert.deepStrictEqual(rules, [
                    "CP in tcp/8001-8001 DP",
                    "CP in tcp/8005-8005 DP",
                    "CP out tcp/443-443 0.0.0.0/0",
                    "CP out tcp/5432-5432 DB",
                    "DB in tcp/5432-5432 CP",
                    "DP out tcp/8001-8001 CP",
                    "DP out tcp/8005-8005 CP",
                ]);
                // EC2 accepts only these characters in group and rule descriptions (CreateSecurityGroup).
                const allowed = /^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,255}$/;
                for (const d of [cp, db].map(g => g.inputs.description)) assert.match(d, allowed);
                for (const r of byType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(r => r.inputs.securityGroupId === cp.id)) {
                    assert.match(r.inputs.description, allowed);
                }
                // The endpoint a DP group draws its 8001/8005 arrows on.
                assert.strictEqual(cp.inputs.vpcId, run.outputs.vpcId);
            });
        }
    });

    describe("ControlPlane: Aurora Serverless v2", () => {
        const expected = {
            dev: { engineVersion: "16.6", scaling: { minCapacity: 0, maxCapacity: 2, secondsUntilAutoPause: 600 }, backups: 1, instances: ["writer"] },
            prod: { engineVersion: "16.6", scaling: { minCapacity: 0.5, maxCapacity: 8 }, backups: 14, instances: ["reader", "writer"] },
        } as const;
        for (const s of STACKS) {
            const x = expected[s.stack as "dev" | "prod"];
            it(`${s.stack}: aurora-postgresql ${x.engineVersion} (0-ACU capable), scaling ${JSON.stringify(x.scaling)}, encrypted, RDS-managed password`, () => {
                const run = runs[s.stack];
                const key = run.outputs.kmsKeyArn;
                const c = one(run, "aws:rds/cluster:Cluster", `${s.prefix}-cp-db`).inputs;
                assert.strictEqual(c.engine, "aurora-postgresql");
                assert.strictEqual(c.engineMode, "provisioned");
                assert.strictEqual(c.engineVersion, x.engineVersion);
                // 0 ACU needs PostgreSQL 16.3+ (docs/facts/aws.md §1): 16.6 qualifies.
                const [major, minor] = c.engineVersion.split(".").map(Number);
                assert.ok(major === 16 && minor >= 3);
                assert.deepStrictEqual(c.serverlessv2ScalingConfiguration, x.scaling);
                assert.strictEqual(c.storageEncrypted, true);
                assert.strictEqual(c.kmsKeyId, key);
                assert.strictEqual(c.manageMasterUserPassword, true);
                assert.strictEqual(c.masterUserSecretKmsKeyId, key);
                assert.strictEqual(c.masterPassword, undefined);
                assert.strictEqual(c.backupRetentionPeriod, x.backups);
                assert.strictEqual(c.copyTagsToSnapshot, true);
                const dbSg = one(run, "aws:ec2/securityGroup:SecurityGroup", `${s.prefix}-cp-db-sg`).id;
                assert.deepStrictEqual(c.vpcSecurityGroupIds, [dbSg]);
                const group = one(run, "aws:rds/subnetGroup:SubnetGroup", `${s.prefix}-cp-db-subnets`);
                assert.deepStrictEqual(group.inputs.subnetIds, run.outputs.isolatedSubnetIds);
                assert.strictEqual(c.dbSubnetGroupName, group.outputs.name);
            });

            it(`${s.stack}: db.serverless instances ${x.instances.join(" + ")}, never public`, () => {
                const run = runs[s.stack];
                const instances = byType(run, "aws:rds/clusterInstance:ClusterInstance");
                assert.deepStrictEqual(instances.map(i => i.name.replace(`${s.prefix}-cp-db-`, "")).sort(), [...x.instances]);
                for (const i of instances) {
                    assert.strictEqual(i.inputs.instanceClass, "db.serverless");
                    assert.strictEqual(i.inputs.publiclyAccessible, false);
                    assert.strictEqual(i.inputs.autoMinorVersionUpgrade, false, "the engine version follows config only");
                }
                if (instances.length === 2) {
                    // The reader is a failover target in another AZ.
                    assert.notStrictEqual(instances[0].inputs.availabilityZone, instances[1].inputs.availabilityZone);
                    assert.ok(instances.every(i => /^eu-west-1[a-c]$/.test(i.inputs.availabilityZone)));
                }
            });
        }

        it("prod: deletion protection, a final snapshot and Pulumi protect", () => {
            const c = one(runs.prod, "aws:rds/cluster:Cluster", "kong-prod-cp-db");
            assert.strictEqual(c.inputs.deletionProtection, true);
            assert.strictEqual(c.inputs.skipFinalSnapshot, false);
            // Unique per stack lifetime: a random suffix created with the stack.
            const suffix = one(runs.prod, "random:index/randomId:RandomId", "kong-prod-cp-db-final-snapshot");
            assert.strictEqual(suffix.inputs.byteLength, 4);
            assert.match(suffix.outputs.hex, /^[0-9a-f]{8}$/);
            assert.strictEqual(c.inputs.finalSnapshotIdentifier, `kong-prod-cp-db-final-${suffix.outputs.hex}`);
            assert.strictEqual(c.protect, true);
            for (const i of byType(runs.prod, "aws:rds/clusterInstance:ClusterInstance")) assert.strictEqual(i.protect, true, i.name);
        });

        it("dev: destroyable (no deletion protection, no final snapshot, not protected)", () => {
            const c = one(runs.dev, "aws:rds/cluster:Cluster", "kong-dev-cp-db");
            assert.strictEqual(c.inputs.deletionProtection, false);
            assert.strictEqual(c.inputs.skipFinalSnapshot, true);
            assert.strictEqual(c.protect, false);
        });
    });

    describe("ControlPlane: ECS service and Cloud Map name", () => {
        for (const s of STACKS) {
            it(`${s.stack}: Fargate in the private subnets, no public IP, circuit breaker with rollback, registered as ${s.hostname}`, () => {
                const run = runs[s.stack];
                const svc = one(run, "aws:ecs/service:Service", `${s.prefix}-cp-service`).inputs;
                const sg = one(run, "aws:ec2/securityGroup:SecurityGroup", `${s.prefix}-cp-sg`).id;
                assert.strictEqual(svc.launchType, "FARGATE");
                assert.strictEqual(svc.cluster, run.outputs.ecsClusterArn);
                assert.strictEqual(svc.desiredCount, s.desired);
                assert.deepStrictEqual(svc.networkConfiguration, { subnets: run.outputs.privateSubnetIds, securityGroups: [sg], assignPublicIp: false });
                assert.deepStrictEqual(svc.deploymentCircuitBreaker, { enable: true, rollback: true });
                assert.strictEqual(svc.enableExecuteCommand, false);
                const discovery = one(run, "aws:servicediscovery/service:Service", `${s.prefix}-cp-discovery`);
                assert.deepStrictEqual(svc.serviceRegistries, { registryArn: discovery.outputs.arn });
                const ns = one(run, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", `${s.prefix}-cp-namespace`);
                assert.strictEqual(`${discovery.inputs.name}.${ns.inputs.name}`, s.hostname);
                assert.strictEqual(ns.inputs.vpc, run.outputs.vpcId);
                assert.deepStrictEqual(discovery.inputs.dnsConfig.dnsRecords, [{ type: "A", ttl: 10 }]);
                assert.strictEqual(discovery.inputs.dnsConfig.namespaceId, ns.id);
            });

            it(`${s.stack}: ${s.stack === "dev" ? "the scale-to-zero controller owns the desired count: pulumi up ignores it" : "pulumi up owns the desired count (no controller)"}`, () => {
                const svc = one(runs[s.stack], "aws:ecs/service:Service", `${s.prefix}-cp-service`);
                // A deploy must not undo a sleep (0) or a wake (cpDesiredCount) the controller made.
                assert.deepStrictEqual(svc.ignoreChanges, s.stack === "dev" ? ["desiredCount"] : []);
                assert.strictEqual(runs[s.stack].outputs.cpScalerFunctionName, s.stack === "dev" ? "kong-dev-cp-scaler" : undefined);
            });

            it(`${s.stack}: the task definition is Fargate awsvpc, ARM64 (Graviton) Linux by default, sized from config`, () => {
                const run = runs[s.stack];
                const td = one(run, "aws:ecs/taskDefinition:TaskDefinition", `${s.prefix}-cp-task`).inputs;
                assert.deepStrictEqual(td.requiresCompatibilities, ["FARGATE"]);
                assert.strictEqual(td.networkMode, "awsvpc");
                assert.deepStrictEqual(td.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
                assert.deepStrictEqual([td.cpu, td.memory], s.stack === "dev" ? ["256", "512"] : ["512", "1024"]);
                assert.strictEqual(td.executionRoleArn, one(run, "aws:iam/role:Role", `${s.prefix}-cp-execution`).outputs.arn);
                assert.strictEqual(td.taskRoleArn, one(run, "aws:iam/role:Role", `${s.prefix}-cp-task`).outputs.arn);
            });

            it(`${s.stack}: stack outputs name the CP, its cluster endpoint, the database and the finish command`, () => {
                const run = runs[s.stack];
                const o = run.outputs;
                assert.strictEqual(o.controlPlaneHostname, s.hostname);
                assert.strictEqual(o.clusterEndpoint, `${s.hostname}:8005`);
                assert.strictEqual(o.databaseEndpoint, one(run, "aws:rds/cluster:Cluster", `${s.prefix}-cp-db`).outputs.endpoint);
                const td = one(run, "aws:ecs/taskDefinition:TaskDefinition", `${s.prefix}-cp-task`).outputs.arn;
                const sg = one(run, "aws:ec2/securityGroup:SecurityGroup", `${s.prefix}-cp-sg`).id;
                assert.ok(o.migrationsFinishCommand.startsWith("aws ecs run-task --region eu-west-1 "));
                assert.ok(o.migrationsFinishCommand.includes(`--task-definition ${td} `));
                assert.ok(o.migrationsFinishCommand.includes(`--cluster ${o.ecsClusterArn} `));
                assert.ok(o.migrationsFinishCommand.includes(`"subnets":${JSON.stringify(o.privateSubnetIds)}`));
                assert.ok(o.migrationsFinishCommand.includes(`"securityGroups":["${sg}"]`));
                assert.ok(o.migrationsFinishCommand.includes(`"command":["kong","migrations","finish"]`));
                assert.match(o.caCertificatePem, /^-----BEGIN CERTIFICATE-----\n/);
                // The CP certificate names exactly the DNS name Cloud Map serves (DPs verify it as the SNI).
                assert.deepStrictEqual(one(run, "tls:index/certRequest:CertRequest", `${s.prefix}-ca-cp-csr`).inputs.dnsNames, [o.controlPlaneHostname]);
                // prod runs an ACM Private CA (caMode acm-pca); dev a self-managed one.
                assert.strictEqual(o.caArn !== undefined, s.stack === "prod");
            });
        }
    });

    describe("ControlPlane: IAM, exactly", () => {
        for (const [stack, prefix] of [["dev", "kong-dev"], ["prod", "kong-prod"], ["enterprise", "kong-dev"]]) {
            it(`${stack}: the execution role reads exactly its secrets and key, writes exactly its log groups`, () => {
                const run = runs[stack];
                const key = run.outputs.kmsKeyArn;
                const role = one(run, "aws:iam/role:Role", `${prefix}-cp-execution`);
                const policies = byType(run, "aws:iam/rolePolicy:RolePolicy").filter(p => p.inputs.role === role.id || p.inputs.role === role.outputs.name);
                assert.strictEqual(policies.length, 1);
                const doc = JSON.parse(policies[0].inputs.policy);
                const expectedSecrets = [
                    one(run, "aws:rds/cluster:Cluster", `${prefix}-cp-db`).outputs.masterUserSecrets[0].secretArn,
                    one(run, "aws:secretsmanager/secret:Secret", `${prefix}-ca-cp-tls`).outputs.arn,
                    one(run, "aws:secretsmanager/secret:Secret", `${prefix}-cp-admin-key`).outputs.arn,
                    ...(stack === "enterprise" ? [`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:kong-license-AbCdEf`] : []),
                ].sort();
                const logGroups = ["kong", "migrations", "admin-bootstrap"].map(f => `${one(run, "aws:cloudwatch/logGroup:LogGroup", `${prefix}-cp-${f}-logs`).outputs.arn}:*`).sort();
                // prod pulls kong through its ECR pull-through cache (imageSource auto → ecr-pull-through):
                // exactly that one cached repository; decK is not on ECR Public and stays on Docker Hub.
                const kongCache = `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/kong-prod-ecr-public/docker/library/kong`;
                assert.deepStrictEqual(doc.Statement.map((st: any) => [st.Effect, st.Action, st.Resource, st.Condition]), [
                    ["Allow", "secretsmanager:GetSecretValue", expectedSecrets, undefined],
                    // The keys only through Secrets Manager in the stack's region.
                    ["Allow", "kms:Decrypt", [key], { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } }],
                    ["Allow", ["logs:CreateLogStream", "logs:PutLogEvents"], logGroups, undefined],
                    ...(stack === "prod" ? [
                        ["Allow", "ecr:GetAuthorizationToken", "*", undefined],
                        ["Allow", ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [kongCache], undefined],
                        ["Allow", ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"], [kongCache], undefined],
                    ] : []),
                ]);
                for (const st of doc.Statement) {
                    assert.ok([st.Action].flat().every((a: string) => !a.includes("*")), `wildcard action ${st.Action}`);
                    // GetAuthorizationToken has no resource type: "*" is the only form IAM accepts for it.
                    if (st.Action !== "ecr:GetAuthorizationToken") assert.ok([st.Resource].flat().every((r: string) => r !== "*"), `wildcard resource in ${st.Sid}`);
                }
                // The task role has no policy of any kind, except, where the CP sleeps (dev), the
                // configuration export's write grant: its object and the stack key through S3.
                const taskRole = one(run, "aws:iam/role:Role", `${prefix}-cp-task`);
                const attached = [...byType(run, "aws:iam/rolePolicy:RolePolicy"), ...byType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")]
                    .filter(p => p.inputs.role === taskRole.id || p.inputs.role === taskRole.outputs.name);
                if (stack === "prod") assert.deepStrictEqual(attached, []);
                else {
                    assert.deepStrictEqual(attached.map(p => p.name), [`${prefix}-cp-config-export`]);
                    const bucket = one(run, "aws:s3/bucket:Bucket", `${prefix}-config-export-bucket`).outputs.arn;
                    const grants = JSON.parse(attached[0].inputs.policy).Statement;
                    const objects = stack === "enterprise" ? `${bucket}/kong-fallback/3.15.0.4/*` : `${bucket}/kong/3.9.3/kong.yaml`;
                    assert.ok(grants.some((st: any) => [st.Action].flat().includes("s3:PutObject") && st.Resource === objects), JSON.stringify(grants));
                    assert.ok(grants.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith("kms:")))
                        .every((st: any) => st.Resource === key && st.Condition.StringEquals["kms:ViaService"] === "s3.eu-west-1.amazonaws.com"));
                }
                assert.strictEqual(taskRole.inputs.managedPolicyArns, undefined);
                assert.strictEqual(taskRole.inputs.inlinePolicies, undefined);
            });
        }

        it("each role trusts ECS tasks with exactly the conditions AWS documents for it", () => {
            const trust = (name: string) => JSON.parse(one(runs.dev, "aws:iam/role:Role", name).inputs.assumeRolePolicy).Statement;
            // Task role: the confused-deputy guard of the ECS task IAM role page.
            assert.deepStrictEqual(trust("kong-dev-cp-task"), [{
                Effect: "Allow",
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    ArnLike: { "aws:SourceArn": `arn:aws:ecs:eu-west-1:${ACCOUNT}:*` },
                    StringEquals: { "aws:SourceAccount": ACCOUNT },
                },
            }]);
            // Execution role: the documented trust policy has no condition.
            assert.deepStrictEqual(trust("kong-dev-cp-execution"), [{
                Effect: "Allow",
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Action: "sts:AssumeRole",
            }]);
        });
    });

    describe("ControlPlane: logs", () => {
        for (const s of STACKS) {
            it(`${s.stack}: one KMS-encrypted log group per container family, kept ${s.retention} days`, () => {
                const run = runs[s.stack];
                const key = run.outputs.kmsKeyArn;
                const cs = containers(run, s.prefix);
                for (const family of ["kong", "migrations", "admin-bootstrap"]) {
                    const group = one(run, "aws:cloudwatch/logGroup:LogGroup", `${s.prefix}-cp-${family}-logs`);
                    assert.strictEqual(group.inputs.kmsKeyId, key);
                    assert.strictEqual(group.inputs.retentionInDays, s.retention);
                    assert.deepStrictEqual(cs[family].logConfiguration, {
                        logDriver: "awslogs",
                        options: { "awslogs-group": group.inputs.name, "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "cp" },
                    });
                }
            });
        }
    });

    describe("the planned stacks", () => {
        it("register no URN twice", () => {
            for (const run of Object.values(runs)) assert.deepStrictEqual(run.duplicateUrns, []);
        });
    });
});
