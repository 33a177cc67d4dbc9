import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import { ClusterAddons } from "../components/eks/addons";
import { EksCluster } from "../components/eks/cluster";
import { controlPlaneClusterAddress, KongRelease } from "../components/eks/kong-release";
import { DataPlaneRedis } from "../components/eks/redis";
import { kongImage } from "../components/kong/image";
import { controlPlaneSettings, dataPlaneSettings } from "../components/kong/settings";
import { byType, runProgram, type ProgramRun } from "../offline/harness";
import { STAND_IN } from "./support/fixtures";
import { CA_PEM, DB_SECRET_ARN, TLS_SECRET_ARN } from "./support/eks";

// The pieces composed the way the stack wiring will: the workshop topology (CP and a public DP
// group on one cluster) with Redis, checking the order Kubernetes needs and the provider used.

const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/kong-eks/0123456789abcdef";
const PCA = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555";

function program() {
    const network = { vpcId: STAND_IN.vpcId, vpcCidr: "10.0.0.0/16", privateSubnetIds: STAND_IN.privateSubnetIds };
    const cluster = new EksCluster("kong-eks", {
        network, kmsKeyArn: STAND_IN.stackKeyArn, publicAccessCidrs: ["198.51.100.0/24"], adminPrincipalArns: ["arn:aws:iam::123456789012:role/ci"],
        targetGroupArns: [TG], privateCaArn: PCA, syncedSecretArns: [DB_SECRET_ARN],
    });
    const addons = new ClusterAddons("kong-eks", {
        clusterName: cluster.clusterName, vpcId: network.vpcId, region: "eu-west-1", provider: cluster.provider, clusterReady: cluster.ready,
        privateCaArn: PCA, kongNamespaces: ["kong", "kong-dp-public"],
    });
    const podSg = (role: string) => new aws.ec2.SecurityGroup(`kong-eks-${role}-pods`, { vpcId: network.vpcId, description: `Kong ${role} pods` });
    const cpSg = podSg("cp");
    const dpSg = podSg("dp");
    const kong = kongImage("kong:3.9.3");
    const common = { provider: cluster.provider, kong, nodeSecurityGroupId: cluster.nodeSecurityGroupId, vpcCidr: network.vpcCidr, dependsOn: addons.ready };
    const pki = { mode: "acm-pca" as const, issuerName: addons.issuerName!, controlPlaneHostname: "cp.kong-eks.internal" };
    new KongRelease("kong-cp", {
        ...common, role: "control_plane",
        settings: controlPlaneSettings({ vcpus: 1, database: { host: "db", port: 5432, name: "kong", credentialsSecretArn: DB_SECRET_ARN } }),
        syncedSecrets: [{ name: "kong-cp-db", secretArn: DB_SECRET_ARN, data: [{ secretKey: "username", property: "username" }, { secretKey: "password", property: "password" }] }],
        clusterTls: pki, cpuMillis: 1000, memoryMiB: 1024, memoryLimitMiB: 2048, scaling: { replicas: 2 },
        podSecurityGroupId: cpSg.id, dataPlaneNamespaces: ["kong-dp-public"],
    });
    new KongRelease("kong-dp-public", {
        ...common, role: "data_plane", group: "public",
        settings: dataPlaneSettings({ vcpus: 1, clusterAddress: "cp.kong-eks.internal:8005", serverName: "cp.kong-eks.internal", trustedIps: [network.vpcCidr] }),
        settingsOverrides: { cluster_control_plane: controlPlaneClusterAddress() },
        clusterTls: pki, cpuMillis: 1000, memoryMiB: 512, memoryLimitMiB: 1024, scaling: { minReplicas: 2, maxReplicas: 6, targetCpuPercent: 60 },
        podSecurityGroupId: dpSg.id, targetGroupArn: TG,
    });
    new DataPlaneRedis("kong-eks-redis", { vpcId: network.vpcId, subnetIds: ["subnet-0iso1"], kmsKeyArn: STAND_IN.stackKeyArn, dataPlaneSecurityGroupIds: [dpSg.id] });
    return {};
}

let cached: Promise<ProgramRun> | undefined;
const run = () => (cached ??= runProgram(program, { stack: "eks", config: { "aws:region": "eu-west-1" } }));

describe("EKS topology: cluster, add-ons, Kong CP and DP, Redis composed", () => {
    it("registers every Kubernetes object and release through the cluster's provider", async () => {
        const r = await run();
        assert.equal(r.duplicateUrns.length, 0);
        const provider = byType(r, "pulumi:providers:kubernetes");
        assert.equal(provider.length, 1);
        const kube = r.resources.filter(x => x.custom && x.type.startsWith("kubernetes:"));
        assert.ok(kube.length > 15);
        for (const k of kube) assert.ok(k.provider?.startsWith(provider[0].urn), `${k.type} ${k.name}`);
    });
    it("orders Kubernetes work: nodes and CoreDNS, then controllers, then Kong", async () => {
        const r = await run();
        const urnOf = (type: string, pred: (x: any) => boolean) => r.resources.filter(x => x.type === type && pred(x)).map(x => x.urn);
        const releases = byType(r, "kubernetes:helm.sh/v3:Release");
        const certManager = releases.find(x => x.inputs.name === "cert-manager")!;
        const [nodeGroup] = urnOf("aws:eks/nodeGroup:NodeGroup", () => true);
        const [coredns] = urnOf("aws:eks/addon:Addon", x => x.inputs.addonName === "coredns");
        assert.ok(certManager.dependencies.includes(nodeGroup) && certManager.dependencies.includes(coredns));
        for (const kong of releases.filter(x => x.inputs.chart === "kong")) {
            for (const c of releases.filter(x => x.inputs.chart !== "kong")) assert.ok(kong.dependencies.includes(c.urn), `${kong.inputs.name} after ${c.inputs.name}`);
        }
        const issuer = byType(r, "kubernetes:awspca.cert-manager.io/v1beta1:AWSPCAClusterIssuer")[0];
        assert.ok(issuer.dependencies.includes(releases.find(x => x.inputs.name === "aws-privateca-issuer")!.urn));
    });
    it("keeps the two roles' pods in different security groups, neither the nodes'", async () => {
        const r = await run();
        const groups = byType(r, "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy").map(p => p.inputs.spec.securityGroups.groupIds[0]);
        const nodeSg = byType(r, "aws:ec2/securityGroup:SecurityGroup").find(s => s.name === "kong-eks-node-sg")!.id;
        assert.equal(new Set(groups).size, 2);
        assert.ok(!groups.includes(nodeSg));
    });
});
