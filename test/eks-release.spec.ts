import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Pod } from "kubernetes-models/v1/Pod";
import { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import { AWSPCAClusterIssuer } from "@kubernetes-models/cert-manager/awspca.cert-manager.io/v1beta1/AWSPCAClusterIssuer";
import { addonValues, CHARTS, ClusterAddons } from "../components/eks/addons";
import { CONTROLLERS } from "../components/eks/cluster";
import { chartEnv, KONG_CHART } from "../components/eks/kong-values";
import {
    controlPlaneClusterAddress, KongRelease, namespaceOf, networkPolicyObjects, podSelector, syncedKeyRefs, type KongReleaseArgs,
} from "../components/eks/kong-release";
import { kongImage } from "../components/kong/image";
import { controlPlaneSettings, dataPlaneSettings } from "../components/kong/settings";
import { byType, runProgram, type PlannedResource, type ProgramRun } from "../offline/harness";
import { CA_PEM, DB_SECRET_ARN, TLS_SECRET_ARN } from "./support/eks";

// Kong's namespaces, releases and the objects around them under the mock runtime, each object
// validated against its schema (kubernetes-models) plus strict checks where schemas stay open.

const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/kong-eks/0123456789abcdef";
const PCA = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555";
const LICENCE = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-licence-QwErTy";
const KONG = kongImage("kong/kong-gateway:3.15.0.4");
const DB_SECRET = { name: "kong-cp-db", secretArn: DB_SECRET_ARN, data: [{ secretKey: "username", property: "username" }, { secretKey: "password", property: "password" }] };

function program() {
    const provider = new k8s.Provider("stand-in", { kubeconfig: "{}" });
    const addons = new ClusterAddons("kong-eks", {
        clusterName: "kong-eks", vpcId: "vpc-1", region: "eu-west-1", provider, clusterReady: [],
        privateCaArn: PCA, kongNamespaces: ["kong", "kong-dp-public"],
    });
    const common = { provider, kong: KONG, licenceSecretArn: LICENCE, nodeSecurityGroupId: "sg-0nodes", vpcCidr: "10.0.0.0/16", dependsOn: addons.ready } as const;
    new KongRelease("kong-cp", {
        ...common, role: "control_plane",
        settings: controlPlaneSettings({ vcpus: 1, database: { host: "db", port: 5432, name: "kong", credentialsSecretArn: DB_SECRET_ARN } }),
        syncedSecrets: [DB_SECRET],
        clusterTls: { mode: "acm-pca", issuerName: addons.issuerName!, controlPlaneHostname: "cp.kong-eks.internal" },
        cpuMillis: 1000, memoryMiB: 1024, memoryLimitMiB: 2048, scaling: { replicas: 2 },
        podSecurityGroupId: "sg-0cp", dataPlaneNamespaces: ["kong-dp-public"],
    });
    new KongRelease("kong-dp-public", {
        ...common, role: "data_plane", group: "public",
        settings: dataPlaneSettings({ vcpus: 2, clusterAddress: "cp.kong-eks.internal:8005", serverName: "cp.kong-eks.internal", trustedIps: ["10.0.0.0/16"] }),
        settingsOverrides: { cluster_control_plane: controlPlaneClusterAddress() },
        clusterTls: { mode: "self-managed", certificatePem: "-----BEGIN CERTIFICATE-----\nDP\n-----END CERTIFICATE-----\n", privateKeyPem: "-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n", caCertificatePem: CA_PEM },
        cpuMillis: 2000, memoryMiB: 1024, memoryLimitMiB: 1536, scaling: { minReplicas: 2, maxReplicas: 10, targetCpuPercent: 60 },
        podSecurityGroupId: "sg-0dp", targetGroupArn: TG,
    });
    return {};
}

let cached: Promise<ProgramRun> | undefined;
const run = () => (cached ??= runProgram(program, { stack: "eks", config: { "aws:region": "eu-west-1" } }));
const kube = (r: ProgramRun) => r.resources.filter(x => x.type.startsWith("kubernetes:") && x.custom && !x.type.startsWith("kubernetes:helm"));
const releases = (r: ProgramRun) => byType(r, "kubernetes:helm.sh/v3:Release");
const releaseNamed = (r: ProgramRun, name: string) => releases(r).find(x => x.inputs.name === name)!;

// Strict schemas for the specs kubernetes-models cannot validate or leaves open (unknown keys pass there).
const dns = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
const meta = z.object({ name: dns, namespace: dns.optional() }).strict();
const duration = z.string().regex(/^(\d+h)?(\d+m)?(\d+s)?$/).refine(s => s !== "");
const STRICT: Record<string, z.ZodTypeAny> = {
    "kubernetes:cert-manager.io/v1:Certificate": z.object({ apiVersion: z.literal("cert-manager.io/v1"), kind: z.literal("Certificate"), metadata: meta, spec: z.object({
        secretName: dns, commonName: z.string(), dnsNames: z.array(z.string()).optional(), duration, renewBefore: duration,
        usages: z.array(z.enum(["server auth", "client auth"])).min(1),
        privateKey: z.object({ algorithm: z.literal("ECDSA"), size: z.literal(384), rotationPolicy: z.literal("Always") }).strict(),
        issuerRef: z.object({ group: z.literal("awspca.cert-manager.io"), kind: z.literal("AWSPCAClusterIssuer"), name: dns }).strict(),
    }).strict() }).strict(),
    "kubernetes:awspca.cert-manager.io/v1beta1:AWSPCAClusterIssuer": z.object({ apiVersion: z.string(), kind: z.string(), metadata: meta, spec: z.object({
        arn: z.string().regex(/^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]{36}$/), region: z.string().regex(/^[a-z]{2}-[a-z]+-\d$/),
    }).strict() }).strict(),
    "kubernetes:external-secrets.io/v1:ExternalSecret": z.object({ apiVersion: z.string(), kind: z.string(), metadata: meta, spec: z.object({
        refreshInterval: duration,
        secretStoreRef: z.object({ kind: z.literal("ClusterSecretStore"), name: dns }).strict(),
        target: z.object({ name: dns, creationPolicy: z.literal("Owner") }).strict(),
        data: z.array(z.object({ secretKey: z.string().min(1), remoteRef: z.object({ key: z.string().startsWith("arn:aws:secretsmanager:"), property: z.string().optional() }).strict() }).strict()).min(1),
    }).strict() }).strict(),
    "kubernetes:external-secrets.io/v1:ClusterSecretStore": z.object({ apiVersion: z.string(), kind: z.string(), metadata: meta, spec: z.object({
        provider: z.object({ aws: z.object({ service: z.literal("SecretsManager"), region: z.string() }).strict() }).strict(),
        conditions: z.array(z.object({ namespaces: z.array(dns).min(1) }).strict()).length(1),
    }).strict() }).strict(),
    "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy": z.object({ apiVersion: z.string(), kind: z.string(), metadata: meta, spec: z.object({
        podSelector: z.object({ matchLabels: z.record(z.string(), z.string()) }).strict(),
        securityGroups: z.object({ groupIds: z.array(z.string().regex(/^sg-[0-9a-z]+$/)).length(1) }).strict(),
    }).strict() }).strict(),
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding": z.object({ apiVersion: z.string(), kind: z.string(), metadata: meta, spec: z.object({
        serviceRef: z.object({ name: dns, port: z.number().int() }).strict(),
        targetGroupARN: z.string().regex(/^arn:aws[a-z-]*:elasticloadbalancing:.*:targetgroup\//),
        targetType: z.literal("ip"),
    }).strict() }).strict(),
};
const MODELS: Record<string, new (o: any) => { validate(): void }> = {
    "kubernetes:core/v1:Namespace": Namespace,
    "kubernetes:core/v1:Secret": Secret,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": NetworkPolicy,
    "kubernetes:cert-manager.io/v1:Certificate": Certificate,
    "kubernetes:awspca.cert-manager.io/v1beta1:AWSPCAClusterIssuer": AWSPCAClusterIssuer,
};
function manifest(r: PlannedResource) {
    const { apiVersion, kind, metadata, spec, type, stringData, data } = r.inputs;
    return { apiVersion, kind, metadata, ...(spec ? { spec } : {}), ...(type ? { type } : {}), ...(stringData ? { stringData } : {}), ...(data ? { data } : {}) };
}

describe("Kong on EKS: the Kubernetes objects the program writes", () => {
    it("validates every object against its schema, and strictly where schemas stay open", async () => {
        const objects = kube(await run());
        const kinds = new Set(objects.map(o => o.type));
        for (const t of [...Object.keys(MODELS), ...Object.keys(STRICT)]) assert.ok(kinds.has(t), `the program writes a ${t}`);
        for (const o of objects) {
            const checks = [MODELS[o.type], STRICT[o.type]].filter(Boolean);
            assert.ok(checks.length > 0, `no schema for ${o.type}`);
            if (MODELS[o.type]) new MODELS[o.type](manifest(o)).validate();
            if (STRICT[o.type]) STRICT[o.type].parse(manifest(o));
        }
    });
    it("schemas catch what they should (the checks can fail)", () => {
        assert.throws(() => new NetworkPolicy(networkPolicyObjects("control_plane", "kong-cp", "kong", "not-a-cidr", ["x"]).map(p => ({ ...p, spec: { ...p.spec, policyTypes: ["Sideways"] } }))[1] as any).validate());
        assert.throws(() => STRICT["kubernetes:cert-manager.io/v1:Certificate"].parse({ apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "a" }, spec: { secretName: "a", commonName: "a", duration: "90 days", renewBefore: "1h", usages: ["client auth"], privateKey: { algorithm: "ECDSA", size: 384, rotationPolicy: "Always" }, issuerRef: { group: "awspca.cert-manager.io", kind: "AWSPCAClusterIssuer", name: "k" } } }));
    });
    it("puts the CP in `kong` and each DP group in kong-dp-<group>, with explicit release names", async () => {
        const r = await run();
        assert.deepEqual(byType(r, "kubernetes:core/v1:Namespace").map(n => n.inputs.metadata.name).sort(), ["kong", "kong-dp-public"]);
        const kong = releases(r).filter(x => x.inputs.chart === "kong").map(x => [x.inputs.name, x.inputs.namespace, x.inputs.version]);
        assert.deepEqual(kong.sort(), [["kong-cp", "kong", KONG_CHART.version], ["kong-dp-public", "kong-dp-public", KONG_CHART.version]]);
        for (const rel of releases(r).filter(x => x.inputs.chart === "kong")) {
            assert.equal(rel.inputs.skipCrds, true);
            assert.equal(rel.inputs.waitForJobs, true, "migrations jobs");
            assert.notEqual(rel.inputs.skipAwait, true);
        }
    });
    it("pins every chart and names every release", async () => {
        const r = await run();
        for (const rel of releases(r)) {
            assert.match(rel.inputs.version, /^v?\d+\.\d+\.\d+$/, rel.inputs.chart);
            assert.ok(rel.inputs.name, rel.inputs.chart);
            assert.match(rel.inputs.repositoryOpts.repo, /^https:\/\//);
        }
        assert.deepEqual(releases(r).filter(x => x.inputs.chart !== "kong").map(x => x.inputs.name).sort(), Object.values(CHARTS).map(c => c.name).sort());
    });
    it("gives controllers the service accounts their Pod Identity associations name", () => {
        const v = addonValues({ clusterName: "c", region: "eu-west-1", vpcId: "vpc-1" });
        for (const key of ["loadBalancerController", "privateCaIssuer", "externalSecrets"] as const) {
            assert.equal(v[key].serviceAccount.name, CONTROLLERS[key].serviceAccount);
            assert.equal(CHARTS[key].namespace, CONTROLLERS[key].namespace);
        }
        assert.deepEqual(v.certManager.crds, { enabled: true, keep: true });
    });
    it("feeds the chart values whose rendered env is the role's settings (secrets by reference)", async () => {
        const cp = chartEnv(releaseNamed(await run(), "kong-cp").inputs.values);
        assert.equal(cp.KONG_ROLE, "control_plane");
        assert.deepEqual(cp.KONG_PG_PASSWORD, { valueFrom: { secretKeyRef: { name: "kong-cp-db", key: "password" } } });
        assert.deepEqual(cp.KONG_LICENSE_DATA, { valueFrom: { secretKeyRef: { name: "kong-enterprise-license", key: "license" } } });
        assert.equal(cp.KONG_CLUSTER_CERT, "/etc/secrets/kong-cp-cluster-tls/tls.crt");
        const dp = chartEnv(releaseNamed(await run(), "kong-dp-public").inputs.values);
        assert.equal(dp.KONG_CLUSTER_CONTROL_PLANE, "kong-cp-kong-cluster.kong.svc.cluster.local:8005");
        assert.equal(dp.KONG_CLUSTER_SERVER_NAME, "cp.kong-eks.internal");
        assert.equal(dp.KONG_ADMIN_LISTEN, "off");
    });
    it("renders an HPA and PDB the autoscaling/v2 and policy/v1 schemas accept", async () => {
        const v = releaseNamed(await run(), "kong-dp-public").inputs.values;
        // The chart's hpa.yaml and pdb.yaml copy these blocks (verified render, chart 3.4.1).
        new HorizontalPodAutoscaler({
            metadata: { name: "kong-dp-public-kong" },
            spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "kong-dp-public-kong" }, minReplicas: v.autoscaling.minReplicas, maxReplicas: v.autoscaling.maxReplicas, metrics: v.autoscaling.metrics, behavior: v.autoscaling.behavior },
        }).validate();
        new PodDisruptionBudget({ metadata: { name: "kong-dp-public-kong" }, spec: { maxUnavailable: v.podDisruptionBudget.maxUnavailable, selector: { matchLabels: { "app.kubernetes.io/instance": "kong-dp-public" } } } }).validate();
    });
    it("spreads each role's pods over zones, selecting them by the labels the SecurityGroupPolicy uses", async () => {
        const r = await run();
        for (const release of ["kong-cp", "kong-dp-public"]) {
            const spread = releaseNamed(r, release).inputs.values.topologySpreadConstraints;
            new Pod({ metadata: { name: "p" }, spec: { containers: [{ name: "kong" }], topologySpreadConstraints: spread } }).validate();
            assert.equal(spread[0].topologyKey, "topology.kubernetes.io/zone");
            assert.deepEqual(spread[0].labelSelector, podSelector(release));
            const sgp = byType(r, "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy").find(p => p.inputs.metadata.name === release)!;
            assert.deepEqual(sgp.inputs.spec.podSelector, podSelector(release));
        }
    });
    it("issues the CP certificate from the PCA (server auth for cluster_server_name) and restarts Kong on renewal", async () => {
        const r = await run();
        const cert = byType(r, "kubernetes:cert-manager.io/v1:Certificate");
        assert.equal(cert.length, 1);
        assert.deepEqual(cert[0].inputs.spec.dnsNames, ["cp.kong-eks.internal"]);
        assert.deepEqual(cert[0].inputs.spec.usages, ["server auth", "client auth"]);
        assert.equal(cert[0].inputs.spec.secretName, "kong-cp-cluster-tls");
        const v = releaseNamed(r, "kong-cp").inputs.values;
        assert.equal(v.deploymentAnnotations["secret.reloader.stakater.com/reload"], "kong-cp-cluster-tls,kong-cp-db,kong-enterprise-license");
    });
    it("stores the self-managed DP certificate as a kubernetes.io/tls Secret and rolls pods when it changes", async () => {
        const r = await run();
        const s = byType(r, "kubernetes:core/v1:Secret");
        assert.equal(s.length, 1);
        assert.equal(s[0].inputs.type, "kubernetes.io/tls");
        assert.deepEqual(Object.keys(s[0].inputs.stringData).sort(), ["ca.crt", "tls.crt", "tls.key"]);
        assert.match(releaseNamed(r, "kong-dp-public").inputs.values.podAnnotations["checksum/cluster-tls"], /^[0-9a-f]{64}$/);
    });
    it("lets only DP namespaces reach the CP's 8005 and 8001, after denying all ingress", async () => {
        const pols = byType(await run(), "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter(p => p.inputs.metadata.namespace === "kong");
        assert.deepEqual(pols.map(p => p.inputs.metadata.name).sort(), ["default-deny-ingress", "kong-cp-ingress"]);
        const allow = pols.find(p => p.inputs.metadata.name === "kong-cp-ingress")!.inputs.spec.ingress;
        assert.deepEqual(allow[0].from, [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["kong-dp-public"] } ] } }]);
        assert.deepEqual(allow[0].ports, [{ protocol: "TCP", port: 8005 }, { protocol: "TCP", port: 8001 }]);
        assert.deepEqual(allow[1].ports, [{ protocol: "TCP", port: 8100 }], "kubelet probes only from the VPC");
    });
    it("puts each role's pods in its own security group, with DNS and probe arrows to the nodes", async () => {
        const r = await run();
        const sgp = byType(r, "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy").map(p => [p.inputs.metadata.namespace, p.inputs.spec.securityGroups.groupIds[0]]);
        assert.deepEqual(sgp.sort(), [["kong", "sg-0cp"], ["kong-dp-public", "sg-0dp"]]);
        const ingress = byType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map(x => [x.inputs.securityGroupId, x.inputs.referencedSecurityGroupId, x.inputs.ipProtocol, x.inputs.fromPort]);
        for (const pod of ["sg-0cp", "sg-0dp"]) {
            assert.ok(ingress.some(i => i[0] === "sg-0nodes" && i[1] === pod && i[2] === "udp" && i[3] === 53), `${pod} → CoreDNS`);
            assert.ok(ingress.some(i => i[0] === pod && i[1] === "sg-0nodes" && i[3] === 8100), `kubelet → ${pod} status`);
        }
    });
    it("binds the public DP's proxy Service to the ALB target group as IP targets", async () => {
        const tgb = byType(await run(), "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding");
        assert.equal(tgb.length, 1);
        assert.deepEqual(tgb[0].inputs.spec, { serviceRef: { name: "kong-dp-public-kong-proxy", port: 8000 }, targetGroupARN: TG, targetType: "ip" });
    });
});

describe("KongRelease refuses contradictions in one line", () => {
    const base = (): KongReleaseArgs => ({
        provider: undefined as any, role: "data_plane", group: "public", kong: kongImage("kong:3.9.3"), settings: { role: "data_plane", plain: {}, secret: {} },
        clusterTls: { mode: "acm-pca", issuerName: "kong-pca", controlPlaneHostname: "cp.x.internal" }, cpuMillis: 1000, memoryMiB: 1, memoryLimitMiB: 1,
        scaling: { minReplicas: 1, maxReplicas: 1, targetCpuPercent: 50 }, podSecurityGroupId: "sg-1", nodeSecurityGroupId: "sg-2", vpcCidr: "10.0.0.0/16",
    });
    const table: [string, Partial<KongReleaseArgs>, RegExp][] = [
        ["a DP group that is not a DNS label", { group: "Public_1" }, /Data Plane group "Public_1" must be a DNS label/],
        ["a target group on the CP", { role: "control_plane", group: undefined, targetGroupArn: "arn:tg" }, /Control Plane serves no proxy traffic/],
        ["a licence for open-source Kong", { licenceSecretArn: "arn:lic" }, /licenceSecretArn given for open-source kong:3\.9\.3/],
    ];
    for (const [what, over, message] of table) it(what, () => assert.throws(() => new KongRelease("x", { ...base(), ...over }), message));
    it("names the setting whose secret nobody syncs", () => {
        assert.throws(() => syncedKeyRefs([])("pg_password", { kind: "secretsManager", arn: "arn:db", jsonKey: "password" }), /setting pg_password reads arn:db \(password\), which no syncedSecrets entry copies/);
    });
    it("namespaces", () => assert.equal(namespaceOf("data_plane", "eu-1"), "kong-dp-eu-1"));
});
