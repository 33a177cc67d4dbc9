import * as assert from "assert";
import * as YAML from "yaml";
import { chartEnv } from "../components/eks/kong-values";
import { byType, type PlannedResource, type ProgramRun } from "../offline/harness";
import { evaluatePlan, mandatory } from "../policy/offline";
import { parseConfig } from "../stacks/config";
import { diagram, validateMermaid } from "../tools/diagram";
import { previewJson } from "../tools/plan";
import { configProblems, plan } from "./support";

// The EKS runtime wired into stacks: Pulumi.eks.yaml (CP and a public DP group on EKS) and
// Pulumi.mixed.yaml (CP on ECS, public groups on ECS and EKS behind the one ALB). Each stack is
// planned once per test process (test/support); every assertion, and the README's diagrams, read that plan.

const eks = () => plan("eks");
const mixed = () => plan("mixed");

const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const RELEASE = "kubernetes:helm.sh/v3:Release";

function named(run: ProgramRun, type: string, name: string): PlannedResource {
    const r = run.resources.find(x => x.type === type && x.name === name);
    assert.ok(r, `${type} ${name}`);
    return r!;
}

/** Every ingress rule as "from → to port" by security-group name (or CIDR). */
function arrows(run: ProgramRun): string[] {
    const sgName = (id: string) => byType(run, SG).find(s => s.id === id)?.name ?? id;
    return byType(run, INGRESS).map(r => `${r.inputs.referencedSecurityGroupId ? sgName(r.inputs.referencedSecurityGroupId) : r.inputs.cidrIpv4} → ${sgName(r.inputs.securityGroupId)} ${r.inputs.ipProtocol}/${r.inputs.fromPort}`);
}

/** The Kong release's values as Helm receives them (YAML text), and the env the chart renders from them. */
function kongValues(run: ProgramRun, release: string): { yaml: string; env: Record<string, unknown> } {
    const r = byType(run, RELEASE).find(x => x.inputs.name === release);
    assert.ok(r, `Helm release ${release}`);
    const yaml = YAML.stringify(r!.inputs.values);
    return { yaml, env: chartEnv(YAML.parse(yaml)) };
}

describe("Pulumi.eks.yaml: the CP and a public DP group on EKS", () => {
    it("plans Kong as two Helm releases in their namespaces, Aurora as the CP's database, no ECS", async () => {
        const run = await eks();
        assert.deepStrictEqual(run.duplicateUrns, []);
        const kong = byType(run, RELEASE).filter(r => r.inputs.chart === "kong").map(r => `${r.inputs.namespace}/${r.inputs.name}`).sort();
        assert.deepStrictEqual(kong, ["kong-dp-public/kong-dp-public", "kong/kong-cp"]);
        assert.strictEqual(byType(run, "aws:rds/cluster:Cluster").length, 1);
        assert.deepStrictEqual(byType(run, "aws:ecs/cluster:Cluster"), []);
        assert.deepStrictEqual(byType(run, "aws:ecs/service:Service"), []);
        const cluster = byType(run, "aws:eks/cluster:Cluster")[0].inputs;
        assert.deepStrictEqual(cluster.vpcConfig.publicAccessCidrs, ["203.0.113.0/24"]);
        assert.deepStrictEqual(cluster.encryptionConfig.resources, ["secrets"]);
        assert.ok(!("adminApiUrl" in run.outputs), "no /kong-admin without the admin bootstrap");
    });

    it("the DP dials the CP's in-cluster Service and checks the CP certificate's name; the CP reads Aurora's secret", async () => {
        const run = await eks();
        const dp = kongValues(run, "kong-dp-public");
        assert.strictEqual(dp.env.KONG_CLUSTER_CONTROL_PLANE, "kong-cp-kong-cluster.kong.svc.cluster.local:8005");
        assert.strictEqual(dp.env.KONG_CLUSTER_SERVER_NAME, "cp.kong-eks.internal");
        assert.strictEqual(dp.env.KONG_ADMIN_LISTEN, "off");
        const hpa = YAML.parse(dp.yaml).autoscaling;
        assert.deepStrictEqual([hpa.enabled, hpa.minReplicas, hpa.maxReplicas, hpa.metrics[0].resource.target.averageUtilization], [true, 2, 4, 60]);
        const cp = kongValues(run, "kong-cp");
        const db = byType(run, "aws:rds/cluster:Cluster")[0];
        assert.strictEqual(cp.env.KONG_PG_HOST, db.outputs.endpoint);
        assert.deepStrictEqual(cp.env.KONG_PG_PASSWORD, { valueFrom: { secretKeyRef: { name: "kong-cp-db", key: "password" } } });
        assert.strictEqual(cp.env.KONG_NGINX_WORKER_PROCESSES, "1");
        assert.match(cp.yaml, /^replicaCount: 1$/m);
        // Self-managed CA: the PrivateCa's PEMs in a kubernetes.io/tls Secret per role.
        const tls = byType(run, "kubernetes:core/v1:Secret").map(s => `${s.inputs.metadata.namespace}/${s.inputs.metadata.name} ${s.inputs.type}`).sort();
        assert.deepStrictEqual(tls, ["kong-dp-public/kong-dp-public-cluster-tls kubernetes.io/tls", "kong/kong-cp-cluster-tls kubernetes.io/tls"]);
        const sync = byType(run, "kubernetes:external-secrets.io/v1:ExternalSecret")[0].inputs;
        assert.strictEqual(sync.spec.data[0].remoteRef.key, db.outputs.masterUserSecrets[0].secretArn);
    });

    it("draws the table's arrows between the pod groups: DP pods → CP pods, CP pods → Aurora, ALB → DP pods, kubelet → pods", async () => {
        const a = arrows(await eks());
        for (const want of [
            "dp-public-pods → kong-eks-cp-pods tcp/8001",
            "dp-public-pods → kong-eks-cp-pods tcp/8005",
            "kong-eks-cp-pods → kong-eks-cp-db-sg tcp/5432",
            "dp-public-edge-alb-sg → dp-public-pods tcp/8000",
            "dp-public-edge-alb-sg → dp-public-pods tcp/8100",
            "kong-eks-eks-node-sg → dp-public-pods tcp/8100",
            "kong-eks-eks-node-sg → kong-eks-cp-pods tcp/8100",
        ]) assert.ok(a.includes(want), `${want}\n${a.join("\n")}`);
        assert.ok(!a.some(x => /^dp-public-pods → .*-db-sg/.test(x)), "DP pods never reach the database");
        const run = await eks();
        const cpPods = named(run, SG, "kong-eks-cp-pods").id;
        const out = byType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(r => r.inputs.securityGroupId === cpPods && r.inputs.cidrIpv4);
        assert.deepStrictEqual(out.map(r => r.name), [], "CP pods open no connection outside the VPC's groups (the kubelet pulls images)");
        const policies = byType(run, "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy").map(p => p.inputs.spec.securityGroups.groupIds[0]);
        assert.strictEqual(new Set(policies).size, 2, "each role's pods in their own group");
    });
});

describe("Pulumi.mixed.yaml: the CP on ECS, public groups on ECS and EKS behind one ALB", () => {
    it("the ALB forwards to both groups' target groups by their weights; the EKS pods join theirs as IP targets", async () => {
        const run = await mixed();
        assert.deepStrictEqual(run.duplicateUrns, []);
        const tg = (name: string) => named(run, "aws:lb/targetGroup:TargetGroup", name);
        const listener = byType(run, "aws:lb/listener:Listener").find(l => l.inputs.port === 443)!;
        const forward = listener.inputs.defaultActions[0].forward.targetGroups.map((t: any) => [t.arn, t.weight]);
        assert.deepStrictEqual(forward, [[tg("dp-ecs-edge-tg").outputs.arn, 3], [tg("dp-eks-edge-tg").outputs.arn, 1]]);
        assert.strictEqual(tg("dp-eks-edge-tg").inputs.targetType, "ip");
        assert.deepStrictEqual([tg("dp-eks-edge-tg").inputs.port, tg("dp-eks-edge-tg").inputs.healthCheck.path, tg("dp-eks-edge-tg").inputs.healthCheck.port], [8000, "/status/ready", "8100"]);
        const binding = byType(run, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding")[0].inputs;
        assert.deepStrictEqual([binding.metadata.namespace, binding.spec.targetGroupARN, binding.spec.targetType], ["kong-dp-eks", tg("dp-eks-edge-tg").outputs.arn, "ip"]);
        const lbc = byType(run, "aws:iam/rolePolicy:RolePolicy").find(p => p.name === "kong-mixed-eks-loadBalancerController-policy")!;
        assert.ok(JSON.stringify(JSON.parse(lbc.inputs.policy)).includes(tg("dp-eks-edge-tg").outputs.arn));
    });

    it("the EKS group dials the ECS CP's private DNS name; certificates come from the PCA through cert-manager; the licence is synced", async () => {
        const run = await mixed();
        const dp = kongValues(run, "kong-dp-eks");
        assert.strictEqual(dp.env.KONG_CLUSTER_CONTROL_PLANE, "cp.kong-mixed.internal:8005");
        assert.strictEqual(dp.env.KONG_CLUSTER_SERVER_NAME, "cp.kong-mixed.internal");
        assert.match(dp.yaml, /^ {2}license_secret: kong-enterprise-license$/m);
        const cert = byType(run, "kubernetes:cert-manager.io/v1:Certificate")[0].inputs;
        assert.deepStrictEqual([cert.spec.issuerRef.kind, cert.spec.usages], ["AWSPCAClusterIssuer", ["client auth"]]);
        assert.deepStrictEqual(byType(run, RELEASE).filter(r => r.inputs.chart === "kong").map(r => r.inputs.name), ["kong-dp-eks"]);
        const synced = byType(run, "kubernetes:external-secrets.io/v1:ExternalSecret").map(s => s.inputs.spec.data[0].remoteRef.key);
        assert.deepStrictEqual(synced, ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-enterprise-license-AbCdEf"]);
    });

    it("EKS pods are a DP group of the table like the ECS tasks: to the ECS CP, from the ALB, and to Redis", async () => {
        const a = arrows(await mixed());
        for (const group of ["dp-ecs-sg", "dp-eks-pods"]) {
            for (const want of [`${group} → kong-mixed-cp-sg tcp/8005`, `${group} → kong-mixed-cp-sg tcp/8001`, `dp-public-edge-alb-sg → ${group} tcp/8000`, `${group} → kong-mixed-redis-sg tcp/6379`]) {
                assert.ok(a.includes(want), `${want}\n${a.join("\n")}`);
            }
        }
    });
});

describe("Pulumi.mixed.yaml: the watch covers the EKS group too", () => {
    // The dimensions each ALB alarm reads, by alarm name: LoadBalancer and TargetGroup ARN suffixes.
    const albAlarms = (run: ProgramRun) => Object.fromEntries(byType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")
        .filter(a => a.inputs.name.startsWith("kong-mixed-dp-"))
        .map(a => [a.inputs.name, (a.inputs.metricQueries?.find((q: any) => q.metric)?.metric ?? a.inputs).dimensions]));

    it("each public group, on ECS or EKS, has the 5xx-rate and unhealthy-target alarms on its own target group; the ECS group a task count, the EKS group its healthy pods", async () => {
        const run = await mixed();
        const alb = named(run, "aws:lb/loadBalancer:LoadBalancer", "dp-public-edge-alb").outputs.arnSuffix;
        const tg = (name: string) => named(run, "aws:lb/targetGroup:TargetGroup", name).outputs.arnSuffix;
        const on = (t: string) => ({ LoadBalancer: alb, TargetGroup: tg(t) });
        const ecsService = named(run, "aws:ecs/service:Service", "dp-ecs-service").outputs.name;
        assert.deepStrictEqual(albAlarms(run), {
            "kong-mixed-dp-ecs-5xx-rate": on("dp-ecs-edge-tg"),
            "kong-mixed-dp-ecs-unhealthy-targets": on("dp-ecs-edge-tg"),
            // Production: Container Insights counts the ECS service's tasks.
            "kong-mixed-dp-ecs-tasks-below-minimum": { ClusterName: named(run, "aws:ecs/cluster:Cluster", "kong-mixed-ecs").outputs.name, ServiceName: ecsService },
            "kong-mixed-dp-eks-5xx-rate": on("dp-eks-edge-tg"),
            "kong-mixed-dp-eks-unhealthy-targets": on("dp-eks-edge-tg"),
            // No task count on EKS: the pods are the target group's IP targets, counted against the HPA's minimum.
            "kong-mixed-dp-eks-pods-below-minimum": on("dp-eks-edge-tg"),
            // The 5xx the shared ALB answers itself: one alarm for the load balancer both groups sit behind.
            "kong-mixed-dp-public-edge-elb-5xx-rate": { LoadBalancer: alb },
        });
        const topic = named(run, "aws:sns/topic:Topic", "kong-mixed-watch-alarms").outputs.arn;
        for (const a of byType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(x => x.inputs.name.startsWith("kong-mixed-dp-eks-"))) {
            assert.deepStrictEqual(a.inputs.alarmActions, [topic], a.inputs.name);
        }
    });
});

describe("the EKS stacks pass the policy pack (config by their production flag)", () => {
    for (const [stack, run, config] of [["eks", eks, "dev"], ["mixed", mixed, "prod"]] as const) {
        it(`${stack}: no mandatory violation with policy/config/${config}.json`, async () => {
            const v = evaluatePlan(JSON.parse(JSON.stringify(previewJson(await run()))), { config: require(`../policy/config/${config}.json`) });
            assert.deepStrictEqual(mandatory(v).map(x => x.message), []);
        });
    }
});

describe("the diagram shows EKS groups beside ECS services", () => {
    it("mixed: the EKS DP group in the private tier's EKS box, the ALB's weighted split, the ALB's and the CP's arrows", async () => {
        const text = diagram(JSON.parse(JSON.stringify(previewJson(await mixed()))));
        assert.strictEqual(await validateMermaid(text), "flowchart-v2");
        assert.match(text, /subgraph rt_private_EKS\["EKS"\]\n {16}dp_kong_dp_eks_kong_dp_eks\["Data Plane group kong-dp-eks\/kong-dp-eks<br\/>3-12 pods \(HPA\), 1000m CPU \/ 1024Mi"\]/);
        assert.match(text, /subgraph rt_private_ECS_Fargate\["ECS Fargate"\]/);
        assert.match(text, /LB dp-public-edge-alb<br\/>HTTPS 443 → dp-ecs-edge-tg ×3, dp-eks-edge-tg ×1, WAF"\]/);
        assert.match(text, /^ {4}lb_dp_public_edge_alb -->\|"tcp\/8000, tcp\/8100"\| dp_kong_dp_eks_kong_dp_eks$/m);
        assert.match(text, /^ {4}dp_kong_dp_eks_kong_dp_eks -->\|"tcp\/8001, tcp\/8005"\| cp_kong_mixed_cp_service$/m);
        // The DP plugins' Redis is a node in the isolated tier, reached on 6379 by both groups' security groups.
        assert.match(text, /subgraph isolated\[[^\]]*\]\n(?: {12}.*\n)* {12}cache_kong_mixed_redis_redis\[\("ElastiCache redis kong-mixed-redis-redis<br\/>2 × cache\.t4g\.small"\)\]/);
        for (const from of ["dp_dp_ecs_service", "dp_kong_dp_eks_kong_dp_eks"]) assert.match(text, new RegExp(`^ {4}${from} -->\\|"tcp/6379"\\| cache_kong_mixed_redis_redis$`, "m"));
    });
});

describe("EKS keys: one line per problem", () => {
    const eksGroup = { name: "public", runtime: "eks", exposure: "public", minCount: 2, maxCount: 4 };
    const base: Record<string, string> = {
        "aws:region": "eu-west-1", "kong-hybrid:domain": "kong-gw.example.com", "kong-hybrid:adminAllowedCidrs": '["203.0.113.0/24"]',
        "kong-hybrid:dataPlanes": JSON.stringify([eksGroup]), "kong-hybrid:eksAdminPrincipalArns": '["arn:aws:iam::123456789012:role/deployer"]',
    };
    const problems = (overrides: Record<string, string>): string[] => configProblems({ ...base, ...overrides });
    const cases: [string, Record<string, string>, RegExp][] = [
        ["an unknown CP runtime", { "kong-hybrid:controlPlaneRuntime": "k8s" }, /^kong-hybrid:controlPlaneRuntime = "k8s": must be ecs or eks$/],
        ["an ECS group with the CP on EKS", { "kong-hybrid:controlPlaneRuntime": "eks", "kong-hybrid:dataPlanes": JSON.stringify([{ ...eksGroup, runtime: "ecs" }]) }, /^kong-hybrid:dataPlanes\[0\]\.runtime = "ecs": with controlPlaneRuntime eks every DP group runs on eks/],
        ["a CP on EKS without dataPlanes (the default group is ecs)", { "kong-hybrid:controlPlaneRuntime": "eks", "kong-hybrid:dataPlanes": "" }, /^kong-hybrid:controlPlaneRuntime = "eks": without dataPlanes the stack's one group runs on ecs/],
        ["an API endpoint open to the internet", { "kong-hybrid:eksPublicAccessCidrs": '["0.0.0.0/0"]' }, /^kong-hybrid:eksPublicAccessCidrs = \["0\.0\.0\.0\/0"\]: opens the Kubernetes API to the internet/],
        ["no API networks in production", { "kong-hybrid:production": "true" }, /^kong-hybrid:eksPublicAccessCidrs = \[\]: in production; list the CI runner's egress networks/],
        ["a malformed API network", { "kong-hybrid:eksPublicAccessCidrs": '["10.0.0.300/24"]' }, /^kong-hybrid:eksPublicAccessCidrs: "10\.0\.0\.300\/24" /],
        ["a principal that is not an IAM ARN", { "kong-hybrid:eksAdminPrincipalArns": '["deployer"]' }, /^kong-hybrid:eksAdminPrincipalArns: "deployer" must be an IAM role or user ARN/],
        ["a node type without ENI trunking", { "kong-hybrid:eksNodeInstanceType": "t4g.large" }, /^kong-hybrid:eksNodeInstanceType = "t4g\.large": t-family types have no ENI trunking/],
        ["more minimum nodes than maximum", { "kong-hybrid:eksNodeMinSize": "5", "kong-hybrid:eksNodeMaxSize": "3" }, /^kong-hybrid:eksNodeMinSize = 5: must not exceed eksNodeMaxSize \(3\)$/],
        ["a CP CPU request that is not whole CPUs", { "kong-hybrid:eksCpCpuMillis": "1500" }, /^kong-hybrid:eksCpCpuMillis = 1500: must be a multiple of 1000/],
        ["EKS without NAT", { "kong-hybrid:natMode": "none", "kong-hybrid:interfaceEndpoints": '["ecr.api","ecr.dkr","logs","secretsmanager"]' }, /^kong-hybrid:natMode = "none": the EKS nodes pull Kong's and the controllers' images from public registries/],
        ["too many Redis nodes", { "kong-hybrid:redisNodes": "7" }, /^kong-hybrid:redisNodes = 7: must be a whole number from 0 to 6$/],
        ["a Redis node type without cache.", { "kong-hybrid:redisNodeType": "t4g.small" }, /^kong-hybrid:redisNodeType = "t4g\.small": must be an ElastiCache node type/],
    ];
    for (const [what, overrides, message] of cases) {
        it(`refuses ${what}`, () => {
            const p = problems(overrides);
            assert.ok(p.some(x => message.test(x)), p.join("\n"));
        });
    }
    it("reads an EKS group's pod size, HPA target and weight, and picks the AMI by the node type's architecture", () => {
        const cfg = parseConfig({ ...base, "kong-hybrid:eksNodeInstanceType": "m7i.large", "kong-hybrid:dataPlanes": JSON.stringify([{ ...eksGroup, cpuMillis: 2000, memoryMiB: 768, targetCpuPercent: 50, weight: 4 }]) }, "test");
        assert.deepStrictEqual(cfg.dataPlanes[0].eks, { cpuMillis: 2000, memoryMiB: 768, memoryLimitMiB: 2048, targetCpuPercent: 50 });
        assert.strictEqual(cfg.dataPlanes[0].weight, 4);
        assert.strictEqual(cfg.eks!.nodeGroup.amiType, "BOTTLEROCKET_x86_64");
        assert.strictEqual(parseConfig(base, "test").eks!.nodeGroup.amiType, "BOTTLEROCKET_ARM_64");
    });
});
