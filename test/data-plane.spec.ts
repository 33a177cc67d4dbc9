import { strict as assert } from "assert";
import { ecrRepositoryArn, executionRolePolicy } from "../components/ecs/task-iam";
import * as pulumi from "@pulumi/pulumi";
import {
    capacityProviderStrategy, checkDataPlaneVersion, DataPlane, dataPlaneContainerEnv,
} from "../components/data-plane";
import { kongImage, unknownKongEnvNames } from "../components/kong/image";
import { byType, runProgram } from "../offline/harness";
import { STAND_IN } from "./support/fixtures";
import { drawSecurityGroupTable } from "../stacks/network";
import { containerOf, contracts, envOf, LICENCE_ARN, one, plan, secretsOf } from "./support/dp-plans";

const SERVICE = "aws:ecs/service:Service";


/** A DP group's arguments without an edge, against a stand-in CP (inside a program run: it makes Outputs). */
function groupWithoutEdge(controlPlaneKong = "kong:3.9.3") {
    return {
        network: { vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", publicSubnetIds: [], privateSubnetIds: ["subnet-1"], isolatedSubnetIds: [] },
        ecsClusterArn: STAND_IN.ecsClusterArn, kmsKeyArn: STAND_IN.stackKeyArn,
        controlPlane: { clusterAddress: "cp.x.internal:8005", serverName: "cp.x.internal", securityGroupId: "sg-0cp", kong: kongImage(controlPlaneKong), caCertificatePem: "pem" },
        pki: {
            caCertificatePem: pulumi.output("pem"), controlPlaneTls: { secretArn: pulumi.output("a") },
            dataPlaneTls: { secretArn: pulumi.output("arn:dp") }, kmsKeyArn: pulumi.output("arn:k"),
        },
    };
}

describe("DataPlane service (dev and prod plans)", () => {
    const table = [
        // stack, desired, min, max, strategy (written out from Pulumi.<stack>.yaml)
        { stack: "dev", desired: 1, min: 1, max: 3, strategy: [{ capacityProvider: "FARGATE_SPOT", base: 1, weight: 1 }] },
        { stack: "prod", desired: 3, min: 3, max: 24, strategy: [{ capacityProvider: "FARGATE", base: 1, weight: 1 }] },
    ];
    for (const t of table) {
        describe(t.stack, () => {
            it("runs on Fargate in the private subnets without a public IP", async () => {
                const svc = one(await plan(t.stack), SERVICE).inputs;
                const c = await contracts(t.stack);
                assert.equal(svc.networkConfiguration.assignPublicIp, false);
                assert.equal(svc.networkConfiguration.subnets.length, t.stack === "dev" ? 2 : 3);
                assert.deepEqual(svc.networkConfiguration.subnets, c.privateSubnetIds);
                assert.equal(svc.launchType, undefined, "capacity providers, not a launch type");
                assert.deepEqual(svc.capacityProviderStrategies, t.strategy);
            });
            it("deploys with a rolling upgrade guarded by the circuit breaker", async () => {
                const svc = one(await plan(t.stack), SERVICE).inputs;
                assert.deepEqual(svc.deploymentCircuitBreaker, { enable: true, rollback: true });
                assert.equal(svc.deploymentMinimumHealthyPercent, 100);
                assert.equal(svc.deploymentMaximumPercent, 200);
                assert.equal(svc.desiredCount, t.desired);
                assert.equal(svc.healthCheckGracePeriodSeconds, 120);
            });
            it("registers port 8000 of the kong container in the edge target group", async () => {
                const run = await plan(t.stack);
                const svc = one(run, SERVICE);
                const tg = one(run, "aws:lb/targetGroup:TargetGroup");
                assert.deepEqual(svc.inputs.loadBalancers, [{ targetGroupArn: tg.outputs.arn, containerName: "kong", containerPort: 8000 }]);
            });
            it("scales between the configured limits on CPU and on ALB requests per target", async () => {
                const run = await plan(t.stack);
                const target = one(run, "aws:appautoscaling/target:Target").inputs;
                assert.equal(target.minCapacity, t.min);
                assert.equal(target.maxCapacity, t.max);
                assert.equal(target.scalableDimension, "ecs:service:DesiredCount");
                assert.equal(target.resourceId, `service/${(await contracts(t.stack)).clusterName}/${one(run, SERVICE).outputs.name}`);
                const policies = byType(run, "aws:appautoscaling/policy:Policy").map(p => p.inputs);
                assert.equal(policies.length, 2);
                const byMetric = Object.fromEntries(policies.map(p => [p.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType, p]));
                assert.deepEqual(Object.keys(byMetric).sort(), ["ALBRequestCountPerTarget", "ECSServiceAverageCPUUtilization"]);
                for (const p of policies) {
                    assert.equal(p.policyType, "TargetTrackingScaling");
                    assert.equal(p.resourceId, target.resourceId);
                }
                const lb = one(run, "aws:lb/loadBalancer:LoadBalancer").outputs;
                const tg = one(run, "aws:lb/targetGroup:TargetGroup").outputs;
                assert.match(lb.arnSuffix, /^app\//);
                assert.equal(byMetric.ALBRequestCountPerTarget.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.resourceLabel,
                    `${lb.arnSuffix}/${tg.arnSuffix}`);
            });
            it("stops gracefully: stop timeout above nginx's shutdown timeout, deregistration delay 60 s", async () => {
                const run = await plan(t.stack);
                const c = containerOf(run);
                assert.equal(c.stopTimeout, 30);
                assert.equal(envOf(run).KONG_NGINX_MAIN_WORKER_SHUTDOWN_TIMEOUT, "25s");
                assert.equal(one(run, "aws:lb/targetGroup:TargetGroup").inputs.deregistrationDelay, 60);
            });
            it("logs to its own KMS-encrypted log group with the configured retention", async () => {
                const run = await plan(t.stack);
                const lg = one(run, "aws:cloudwatch/logGroup:LogGroup");
                assert.equal(lg.inputs.kmsKeyId, (await contracts(t.stack)).stackKeyArn);
                assert.equal(lg.inputs.retentionInDays, t.stack === "dev" ? 7 : 90);
                assert.equal(lg.inputs.name, `/kong-${t.stack}/data-plane/dp-public`);
                const log = containerOf(run).logConfiguration;
                assert.equal(log.logDriver, "awslogs");
                assert.equal(log.options["awslogs-group"], lg.inputs.name);
                assert.equal(log.options["awslogs-region"], "eu-west-1");
            });
        });
    }
    it("leaves desiredCount to autoscaling (ignoreChanges) and waits for the HTTPS listener", async () => {
        for (const stack of ["dev", "prod"]) {
            const run = await plan(stack);
            const svc = one(run, SERVICE);
            assert.deepEqual(svc.ignoreChanges, ["desiredCount"]);
            const listener = one(run, "aws:lb/listener:Listener", "dp-public-edge-https");
            assert.ok(svc.dependencies.some(d => d.endsWith("::dp-public-edge-https")), JSON.stringify(svc.dependencies));
            assert.ok(listener);
        }
    });
});

describe("capacityProviderStrategy", () => {
    const cases: [number, object[]][] = [
        [0, [{ capacityProvider: "FARGATE", base: 1, weight: 1 }]],
        [50, [{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 1 }]],
        [75, [{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 3 }]],
        [30, [{ capacityProvider: "FARGATE", base: 1, weight: 7 }, { capacityProvider: "FARGATE_SPOT", weight: 3 }]],
        [99, [{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 99 }]],
        // All on Spot: no on-demand task at all (config refuses it in production).
        [100, [{ capacityProvider: "FARGATE_SPOT", base: 1, weight: 1 }]],
    ];
    for (const [spot, expected] of cases) {
        it(`${spot}% spot`, () => assert.deepEqual(capacityProviderStrategy(spot), expected));
    }
});

describe("Kong Data Plane environment", () => {
    const expectedEnv = (vpcCidr: string, cpHost: string) => ({
        KONG_ROLE: "data_plane",
        KONG_DATABASE: "off",
        KONG_CLUSTER_MTLS: "pki",
        KONG_CLUSTER_CONTROL_PLANE: `${cpHost}:8005`,
        KONG_CLUSTER_SERVER_NAME: cpHost,
        KONG_ANONYMOUS_REPORTS: "off",
        KONG_PROXY_LISTEN: "0.0.0.0:8000 reuseport backlog=16384",
        KONG_STATUS_LISTEN: "0.0.0.0:8100",
        // No Admin API on a DP, not even Kong's loopback default.
        KONG_ADMIN_LISTEN: "off",
        KONG_NGINX_WORKER_PROCESSES: "1",
        KONG_NGINX_MAIN_WORKER_SHUTDOWN_TIMEOUT: "25s",
        KONG_TRUSTED_IPS: vpcCidr,
        KONG_REAL_IP_HEADER: "X-Forwarded-For",
        KONG_REAL_IP_RECURSIVE: "on",
        KONG_PROXY_ACCESS_LOG: "/dev/stdout",
        KONG_PROXY_ERROR_LOG: "/dev/stderr",
        KONG_ADMIN_ACCESS_LOG: "/dev/stdout",
        KONG_ADMIN_ERROR_LOG: "/dev/stderr",
        KONG_STATUS_ERROR_LOG: "/dev/stderr",
    });
    // The DP's TLS secret, one JSON key each, pinned to the current version (a renewal rolls the tasks).
    const expectedSecrets = (arn: string, version: string) => ({
        KONG_CLUSTER_CERT: `${arn}:cert::${version}`,
        KONG_CLUSTER_CERT_KEY: `${arn}:key::${version}`,
        KONG_CLUSTER_CA_CERT: `${arn}:ca::${version}`,
    });
    // dev's CP sleeps when idle (cpScaleToZero): a new DP loads the last export, and caches a failed CP lookup 5 s.
    const fallback = (variant: string, bucket?: string): Record<string, string> => variant === "dev"
        ? { KONG_DECLARATIVE_CONFIG: "/kong-fallback/kong.yaml", KONG_DNS_NOT_FOUND_TTL: "5" }
        : variant === "dev-enterprise"
            ? { KONG_CLUSTER_FALLBACK_CONFIG_IMPORT: "on", KONG_CLUSTER_FALLBACK_CONFIG_STORAGE: `s3://${bucket}/kong-fallback`, AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-west-1", KONG_DNS_NOT_FOUND_TTL: "5" }
            : {};
    const table = [
        { variant: "dev", vpcCidr: "10.0.0.0/16", cpHost: "cp.kong-dev.internal", image: "kong:3.9.3", licence: {} },
        // Production pulls through the stack's ECR pull-through cache of ECR Public (imageSource auto).
        { variant: "prod", vpcCidr: "10.20.0.0/16", cpHost: "cp.kong-prod.internal",
            image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-prod-ecr-public/docker/library/kong:3.9.3", licence: {} },
        { variant: "dev-enterprise", vpcCidr: "10.0.0.0/16", cpHost: "cp.kong-dev.internal", image: "kong/kong-gateway:3.15.0.4",
            licence: { KONG_LICENSE_DATA: LICENCE_ARN } },
    ];
    for (const t of table) {
        it(`${t.variant}: exactly the DP settings, trusted_ips = VPC CIDR, real_ip_recursive exactly "on"`, async () => {
            const run = await plan(t.variant);
            const c = await contracts(t.variant);
            assert.deepEqual(envOf(run), { ...expectedEnv(t.vpcCidr, t.cpHost), ...fallback(t.variant, c.exportBucket?.bucket) });
            assert.match(c.dpTlsVersionId, /^[0-9a-f-]{36}$/);
            assert.deepEqual(secretsOf(run), { ...expectedSecrets(c.dpTlsSecretArn, c.dpTlsVersionId), ...t.licence });
            assert.equal(containerOf(run).image, t.image);
        });
        it(`${t.variant}: every KONG_* name is a key of ${t.image}`, async () => {
            const run = await plan(t.variant);
            const names = [...Object.keys(envOf(run)), ...Object.keys(secretsOf(run))];
            assert.deepEqual(unknownKongEnvNames(names, kongImage(t.image)), []);
        });
    }
    it("every KONG_* name also exists in OSS 3.9.3 and Enterprise 3.15 and 3.9 key lists", () => {
        const env = dataPlaneContainerEnv({
            kong: kongImage("kong:3.9.3"), vcpus: 2, clusterAddress: "cp.x.internal:8005", serverName: "cp.x.internal", tlsSecretArn: "arn:s",
            vpcCidr: "10.0.0.0/16", licenseSecretArn: "arn:l",
        });
        const names = [...env.environment, ...env.secrets].map(e => e.name);
        for (const image of ["kong:3.9.3", "kong/kong-gateway:3.15.0.4", "kong/kong-gateway:3.9.1.2"]) {
            assert.deepEqual(unknownKongEnvNames(names, kongImage(image)), [], image);
        }
        assert.equal(env.environment.find(e => e.name === "KONG_NGINX_WORKER_PROCESSES")!.value, "2");
    });
    it("puts no certificate, key or licence in plain environment", async () => {
        for (const variant of ["dev", "prod", "dev-enterprise"]) {
            const env = envOf(await plan(variant));
            for (const name of Object.keys(env)) {
                assert.doesNotMatch(name, /CERT$|CERT_KEY$|PASSWORD|LICENSE|KEY$/, `${variant}: ${name} must be a secret`);
            }
            assert.ok(!Object.values(env).some(v => v.includes("PRIVATE KEY")), variant);
        }
    });
    it("refuses trusting the whole internet", () => {
        assert.throws(() => dataPlaneContainerEnv({
            kong: kongImage("kong:3.9.3"), vcpus: 1, clusterAddress: "cp:8005", serverName: "cp", tlsSecretArn: "a", vpcCidr: "0.0.0.0/0",
        }), /trusted_ips/);
    });
});

describe("DataPlane IAM", () => {
    it("execution role: reads exactly the DP TLS secret, decrypts with exactly the stack and PKI keys, writes its log group", async () => {
        const run = await plan("dev");
        const policy = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "dp-public-execution-policy").inputs.policy);
        const lg = one(run, "aws:cloudwatch/logGroup:LogGroup").outputs.arn;
        const c = await contracts("dev");
        // The PrivateCa encrypts the TLS secret with the stack key: one key to decrypt with.
        assert.deepEqual(policy.Statement, [
            { Sid: "ReadTaskSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [c.dpTlsSecretArn] },
            // Only through Secrets Manager in the stack's region.
            { Sid: "DecryptTaskSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: [c.stackKeyArn],
                Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } } },
            { Sid: "WriteTaskLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${lg}:*`] },
        ]);
    });
    it("execution role adds the licence secret for Enterprise", async () => {
        const policy = JSON.parse(one(await plan("dev-enterprise"), "aws:iam/rolePolicy:RolePolicy", "dp-public-execution-policy").inputs.policy);
        assert.deepEqual(policy.Statement[0].Resource, [(await contracts("dev-enterprise")).dpTlsSecretArn, LICENCE_ARN]);
    });
    it("prod: the execution role fills and pulls exactly the cached kong repository", async () => {
        const policy = JSON.parse(one(await plan("prod"), "aws:iam/rolePolicy:RolePolicy", "dp-public-execution-policy").inputs.policy);
        const repo = "arn:aws:ecr:eu-west-1:123456789012:repository/kong-prod-ecr-public/docker/library/kong";
        assert.deepEqual(policy.Statement.slice(3), [
            { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Sid: "PullImages", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: [repo] },
            { Sid: "FillPullThroughCache", Effect: "Allow", Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"], Resource: [repo] },
        ]);
    });
    it("roles trust ecs-tasks with the conditions AWS documents per role; the task role has no policy", async () => {
        const run = await plan("prod");
        const roles = byType(run, "aws:iam/role:Role");
        assert.deepEqual(roles.map(r => r.name).sort(), ["dp-public-execution-role", "dp-public-task-role"]);
        const trust = (name: string) => JSON.parse(roles.find(r => r.name === name)!.inputs.assumeRolePolicy).Statement;
        assert.deepEqual(trust("dp-public-task-role"), [{
            Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole",
            Condition: {
                ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*" },
                StringEquals: { "aws:SourceAccount": "123456789012" },
            },
        }]);
        assert.deepEqual(trust("dp-public-execution-role"), [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        for (const r of roles) assert.equal(r.inputs.managedPolicyArns, undefined);
        assert.equal(byType(run, "aws:iam/rolePolicy:RolePolicy").length, 1);
        assert.equal(byType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
        const td = one(run, "aws:ecs/taskDefinition:TaskDefinition").inputs;
        assert.equal(td.taskRoleArn, roles.find(r => r.name === "dp-public-task-role")!.outputs.arn);
        assert.equal(td.executionRoleArn, roles.find(r => r.name === "dp-public-execution-role")!.outputs.arn);
    });
    it("an ECR image adds exactly the pull grants for its repository, and no * action", () => {
        const doc = executionRolePolicy({
            region: "eu-west-1", secretArns: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf"], kmsKeyArns: ["arn:aws:kms:eu-west-1:123456789012:key/k"],
            logGroupArns: ["arn:aws:logs:eu-west-1:123456789012:log-group:l"],
            ecrRepositoryArns: [ecrRepositoryArn("123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-custom:3.9.3")!],
        });
        for (const s of doc.Statement) {
            const actions = [s.Action].flat() as string[];
            assert.ok(!actions.some(a => a.includes("*")), JSON.stringify(s));
            if (actions.some(a => /^(secretsmanager|kms):/.test(a))) assert.ok(![s.Resource].flat().includes("*"));
        }
        assert.deepEqual(doc.Statement.find(s => s.Sid === "PullImages")!.Resource, ["arn:aws:ecr:eu-west-1:123456789012:repository/kong-custom"]);
    });
    it("task definition: Fargate, awsvpc, the configured size", async () => {
        for (const [stack, cpu, memory] of [["dev", "256", "512"], ["prod", "512", "1024"]]) {
            const td = one(await plan(stack), "aws:ecs/taskDefinition:TaskDefinition").inputs;
            assert.deepEqual(td.requiresCompatibilities, ["FARGATE"]);
            assert.equal(td.networkMode, "awsvpc");
            assert.equal(td.cpu, cpu);
            assert.equal(td.memory, memory);
            assert.deepEqual(containerOf(await plan(stack)).portMappings.map((p: any) => p.containerPort), [8000, 8100]);
        }
    });
});

describe("DataPlane version guard", () => {
    const cp = kongImage("kong/kong-gateway:3.10.0.17");
    it("accepts an older or equal minor", () => {
        checkDataPlaneVersion("dp-public", kongImage("kong/kong-gateway:3.10.0.1"), cp);
        checkDataPlaneVersion("dp-public", kongImage("kong/kong-gateway:3.9.1.2"), cp);
    });
    it("refuses a newer minor, naming the group and both versions", () => {
        assert.throws(() => checkDataPlaneVersion("dp-edge-eu", kongImage("kong/kong-gateway:3.15.0.4"), cp),
            (e: Error) => /DataPlane "dp-edge-eu"/.test(e.message) && e.message.includes("3.15.0.4") && e.message.includes("3.10.0.17"));
    });
    it("the component refuses it before creating anything", async () => {
        await assert.rejects(runProgram(() => {
            new DataPlane("dp-internal", { ...groupWithoutEdge("kong:3.8.1"), kong: kongImage("kong:3.9.3") });
            return {};
        }), /DataPlane "dp-internal": Kong 3\.9\.3 .* newer than the Control Plane's 3\.8\.1/);
    });
});

describe("an internal DP group (no edge)", () => {
    it("has its own SG, no load balancer, and scales on CPU only", async () => {
        const run = await runProgram(() => {
            const dp = new DataPlane("dp-internal", { ...groupWithoutEdge(), loadBalancer: undefined });
            return { sg: dp.securityGroupId };
        });
        assert.equal(byType(run, "aws:lb/loadBalancer:LoadBalancer").length, 0);
        const svc = one(run, SERVICE).inputs;
        assert.equal(svc.loadBalancers, undefined);
        assert.equal(svc.healthCheckGracePeriodSeconds, undefined);
        const policies = byType(run, "aws:appautoscaling/policy:Policy");
        assert.deepEqual(policies.map(p => p.inputs.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType),
            ["ECSServiceAverageCPUUtilization"]);
        assert.deepEqual(svc.networkConfiguration.securityGroups, [run.outputs.sg]);
        // No rule opens the internal group to anything: only its egress to the CP and 443.
        const ingressToDp = byType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(r => r.inputs.securityGroupId === run.outputs.sg);
        assert.deepEqual(ingressToDp, []);
    });
});

describe("several DP groups on one CP", () => {
    it("each group is one `new DataPlane`: own SG, task definition and service; the CP admits each", async () => {
        const run = await runProgram(() => {
            const common = groupWithoutEdge();
            const a = new DataPlane("dp-internal", { ...common, maxCount: 2 });
            const b = new DataPlane("dp-batch", { ...common, cpu: 1024, memory: 2048, kong: kongImage("kong:3.8.1") });
            // The arrows are the stack's security-group table (stacks/network.ts), one set per group.
            const arrows = (name: string, dp: DataPlane, lbSg: string) => ({ name, component: dp, securityGroupId: dp.securityGroupId,
                loadBalancer: { kind: "internal" as const, name: `${name}-ilb`, securityGroupId: lbSg }, upstreamEgressCidrs: ["0.0.0.0/0"], upstreamEgressPorts: [443] });
            drawSecurityGroupTable({ vpcCidr: "10.0.0.0/16", groups: [arrows("dp-internal", a, "sg-0ilb1"), arrows("dp-batch", b, "sg-0ilb2")],
                controlPlane: { name: "cp", component: a, securityGroupId: "sg-0cp", databaseSecurityGroupId: "sg-0db" }, tags: {} });
            return { a: a.securityGroupId, b: b.securityGroupId };
        });
        assert.deepEqual(run.duplicateUrns, []);
        assert.equal(byType(run, SERVICE).length, 2);
        assert.notEqual(run.outputs.a, run.outputs.b);
        const cpIngress = byType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            .filter(r => r.inputs.securityGroupId === "sg-0cp")
            .map(r => `${r.inputs.fromPort} ${r.inputs.referencedSecurityGroupId === run.outputs.a ? "dp-internal" : "dp-batch"}`).sort();
        assert.deepEqual(cpIngress, ["8001 dp-batch", "8001 dp-internal", "8005 dp-batch", "8005 dp-internal"]);
        const images = byType(run, "aws:ecs/taskDefinition:TaskDefinition").map(t => [t.inputs.family, JSON.parse(t.inputs.containerDefinitions)[0].image]).sort();
        assert.deepEqual(images, [["kong-dp-batch", "kong:3.8.1"], ["kong-dp-internal", "kong:3.9.3"]]);
    });
});

describe("DataPlane: a new task serves while the CP sleeps (the task definition ECS receives)", () => {
    const taskOf = async (variant: string) => {
        const td = one(await plan(variant), "aws:ecs/taskDefinition:TaskDefinition").inputs;
        return { td, containers: JSON.parse(td.containerDefinitions) as any[] };
    };
    const rows = [
        {
            variant: "dev", edition: "open source: an init container leaves the last export (or an empty config) and Kong loads it",
            check: (td: any, cs: any[], bucket: string) => {
                assert.deepEqual(cs.map(c => c.name), ["kong", "config-fetch"]);
                const [kong, fetch] = cs;
                assert.equal(fetch.essential, false);
                assert.equal(fetch.image, "public.ecr.aws/aws-cli/aws-cli:2.32.9");
                assert.deepEqual(fetch.entryPoint, ["sh", "-c"]);
                assert.match(fetch.command[0], new RegExp(`aws s3 cp s3://${bucket}/kong/3\\.9\\.3/kong\\.yaml "\\$t" --region eu-west-1`));
                assert.match(fetch.command[0], /exit 0$/, "always exits 0, so SUCCESS means the file is there");
                assert.deepEqual(fetch.mountPoints, [{ sourceVolume: "kong-fallback", containerPath: "/kong-fallback", readOnly: false }]);
                assert.equal(fetch.logConfiguration.options["awslogs-stream-prefix"], "config-fetch");
                assert.deepEqual(kong.dependsOn, [{ containerName: "config-fetch", condition: "SUCCESS" }]);
                assert.deepEqual(kong.mountPoints, [{ sourceVolume: "kong-fallback", containerPath: "/kong-fallback", readOnly: true }]);
                assert.equal(kong.environment.find((e: any) => e.name === "KONG_DECLARATIVE_CONFIG").value, "/kong-fallback/kong.yaml");
                assert.deepEqual(td.volumes, [{ name: "kong-fallback" }]);
            },
        },
        {
            variant: "dev-enterprise", edition: "Enterprise: Kong imports the CP's fallback export itself, no init container",
            check: (td: any, cs: any[], bucket: string) => {
                assert.deepEqual(cs.map(c => c.name), ["kong"]);
                const env = Object.fromEntries(cs[0].environment.map((e: any) => [e.name, e.value]));
                assert.equal(env.KONG_CLUSTER_FALLBACK_CONFIG_IMPORT, "on");
                assert.equal(env.KONG_CLUSTER_FALLBACK_CONFIG_STORAGE, `s3://${bucket}/kong-fallback`);
                assert.equal(env.KONG_DECLARATIVE_CONFIG, undefined);
                assert.equal(cs[0].dependsOn, undefined);
                assert.deepEqual(td.volumes, []);
            },
        },
        {
            variant: "prod", edition: "prod (the CP never sleeps): the task is as before, no export, no volume",
            check: (td: any, cs: any[]) => {
                assert.deepEqual(cs.map(c => c.name), ["kong"]);
                assert.ok(!cs[0].environment.some((e: any) => /DECLARATIVE_CONFIG|FALLBACK|DNS_NOT_FOUND_TTL/.test(e.name)));
                assert.equal(td.volumes, undefined);
            },
        },
    ];
    for (const row of rows) {
        it(`${row.variant}: ${row.edition}`, async () => {
            const { td, containers } = await taskOf(row.variant);
            row.check(td, containers, (await contracts(row.variant)).exportBucket?.bucket ?? "");
        });
    }

    it("the task role (never the execution role) reads exactly its version's export and decrypts it only through S3", async () => {
        for (const [variant, object] of [["dev", "kong/3.9.3/kong.yaml"], ["dev-enterprise", "kong-fallback/3.15.0.4/config.json"]]) {
            const run = await plan(variant);
            const c = await contracts(variant);
            const grant = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "dp-public-config-export").inputs.policy).Statement;
            const taskRole = one(run, "aws:iam/role:Role", "dp-public-task-role");
            assert.equal(one(run, "aws:iam/rolePolicy:RolePolicy", "dp-public-config-export").inputs.role, taskRole.id);
            assert.deepEqual(grant.slice(0, 2), [
                { Sid: "ReadConfigExport", Effect: "Allow", Action: "s3:GetObject", Resource: `${c.exportBucket!.arn}/${object}` },
                { Sid: "DecryptConfigExport", Effect: "Allow", Action: "kms:Decrypt", Resource: c.stackKeyArn, Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } } },
            ]);
            const execution = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "dp-public-execution-policy").inputs.policy);
            assert.ok(!JSON.stringify(execution).includes("s3:"), `${variant}: the execution role has no S3 grant`);
        }
        assert.equal(byType(await plan("prod"), "aws:iam/rolePolicy:RolePolicy").filter(p => p.name === "dp-public-config-export").length, 0);
    });
});
