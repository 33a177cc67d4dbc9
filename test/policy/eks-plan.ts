// A plan of Kong on EKS for the policy pack: the EKS components (cluster, add-ons, a CP and a
// public DP release) composed the way the stack wiring will (the workshop topology: CP and DP on
// one cluster, each role's pods in its own security group, DP pods → CP pods on 8001 and 8005),
// planned under the mock runtime and turned into the `pulumi preview --json` shape. The pack's EKS
// cases edit it by the names below (EKS_NAMES), which the stacks' generated names would not keep
// stable; test/eks-topology.spec.ts checks the same composition's order and providers.

import * as aws from "@pulumi/aws";
import { ClusterAddons } from "../../components/eks/addons";
import { EksCluster } from "../../components/eks/cluster";
import { controlPlaneClusterAddress, KongRelease } from "../../components/eks/kong-release";
import { kongImage } from "../../components/kong/image";
import { controlPlaneSettings, dataPlaneSettings } from "../../components/kong/settings";
import { runProgram, type ProgramRun } from "../../offline/harness";
import type { Plan } from "../../policy/offline";
import { UNKNOWN_STRING } from "../../policy/lib/values";
import { previewJson } from "../../tools/plan";
import { withUnknownIds } from "./helpers";
import { STAND_IN } from "../support/fixtures";
import { CA_PEM, DB_SECRET_ARN } from "../support/eks";

const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/kong-eks/0123456789abcdef";
const PCA = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555";
const LICENCE = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-licence-QwErTy";

/** Names (last URN segment) of the resources the EKS cases edit. */
export const EKS_NAMES = {
    cluster: "kong-eks-cluster",
    cpRelease: "kong-cp-release", dpRelease: "kong-dp-public-release",
    cpPodSgPolicy: "kong-cp-pod-sg", dpPodSgPolicy: "kong-dp-public-pod-sg",
    cpPodSg: "kong-eks-cp-pods", dpPodSg: "kong-eks-dp-pods", nodeSg: "kong-eks-node-sg",
    probeRule: "kong-cp-probes-ingress",
} as const;

function program() {
    const network = { vpcId: STAND_IN.vpcId, vpcCidr: "10.0.0.0/16", privateSubnetIds: STAND_IN.privateSubnetIds };
    const tags = { Project: "kong-hybrid", Stack: "eks", ManagedBy: "pulumi" };
    const cluster = new EksCluster("kong-eks", {
        network, kmsKeyArn: STAND_IN.stackKeyArn, publicAccessCidrs: ["198.51.100.0/24"], adminPrincipalArns: ["arn:aws:iam::123456789012:role/ci"],
        targetGroupArns: [TG], privateCaArn: PCA, syncedSecretArns: [DB_SECRET_ARN, LICENCE], production: true, tags,
    });
    const addons = new ClusterAddons("kong-eks", {
        clusterName: cluster.clusterName, vpcId: network.vpcId, region: "eu-west-1", provider: cluster.provider, clusterReady: cluster.ready,
        privateCaArn: PCA, kongNamespaces: ["kong", "kong-dp-public"],
    });
    const podSg = (role: string) => new aws.ec2.SecurityGroup(`kong-eks-${role}-pods`, { vpcId: network.vpcId, description: `Kong ${role} pods`, tags });
    const cpSg = podSg("cp");
    const dpSg = podSg("dp");
    // The arrows of the table between the two pod groups: DP → CP on the admin and cluster ports.
    for (const [suffix, port] of [["admin", 8001], ["cluster", 8005]] as const) {
        new aws.vpc.SecurityGroupIngressRule(`kong-eks-cp-from-dp-${suffix}`, { securityGroupId: cpSg.id, referencedSecurityGroupId: dpSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, tags });
        new aws.vpc.SecurityGroupEgressRule(`kong-eks-dp-to-cp-${suffix}`, { securityGroupId: dpSg.id, referencedSecurityGroupId: cpSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, tags });
    }
    const kong = kongImage("kong/kong-gateway:3.15.0.4");
    const common = { provider: cluster.provider, kong, licenceSecretArn: LICENCE, nodeSecurityGroupId: cluster.nodeSecurityGroupId, vpcCidr: network.vpcCidr, dependsOn: addons.ready, tags };
    const pki = { mode: "acm-pca" as const, issuerName: addons.issuerName!, controlPlaneHostname: "cp.kong-eks.internal" };
    new KongRelease("kong-cp", {
        ...common, role: "control_plane",
        settings: controlPlaneSettings({ vcpus: 1, database: { host: "kong.cluster-c1.eu-west-1.rds.amazonaws.com", port: 5432, name: "kong", credentialsSecretArn: DB_SECRET_ARN } }),
        syncedSecrets: [{ name: "kong-cp-db", secretArn: DB_SECRET_ARN, data: [{ secretKey: "username", property: "username" }, { secretKey: "password", property: "password" }] }],
        clusterTls: pki, cpuMillis: 1000, memoryMiB: 1024, memoryLimitMiB: 2048, scaling: { replicas: 2 },
        podSecurityGroupId: cpSg.id, dataPlaneNamespaces: ["kong-dp-public"],
    });
    new KongRelease("kong-dp-public", {
        ...common, role: "data_plane", group: "public",
        settings: dataPlaneSettings({ vcpus: 1, clusterAddress: "cp.kong-eks.internal:8005", serverName: "cp.kong-eks.internal", trustedIps: [network.vpcCidr] }),
        settingsOverrides: { cluster_control_plane: controlPlaneClusterAddress() },
        clusterTls: { mode: "self-managed", certificatePem: "-----BEGIN CERTIFICATE-----\nDP\n-----END CERTIFICATE-----\n", privateKeyPem: "-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n", caCertificatePem: CA_PEM },
        cpuMillis: 1000, memoryMiB: 512, memoryLimitMiB: 1024, scaling: { minReplicas: 2, maxReplicas: 6, targetCpuPercent: 60 },
        podSecurityGroupId: dpSg.id, targetGroupArn: TG,
    });
    return {};
}

let planned: Promise<ProgramRun> | undefined;
/** The composition planned once per process (do not edit it: eksPlan gives editable copies). */
export function eksRun(): Promise<ProgramRun> {
    return (planned ??= runProgram(program, { stack: "eks", config: { "aws:region": "eu-west-1" } }));
}

let cached: Promise<string> | undefined;

/** A fresh copy of the EKS plan (planned once per process; each caller may edit its copy). */
export async function eksPlan(): Promise<Plan> {
    cached ??= eksRun().then(run => {
        if (run.duplicateUrns.length > 0) throw new Error(`duplicate URNs: ${run.duplicateUrns.join(", ")}`);
        const plan = previewJson(run);
        // The kubernetes provider ids a Release "<namespace>/<name>"; the mock gives the bare name,
        // which equals the namespace here and would make withUnknownIds blank the namespaces too.
        for (const s of plan.steps) {
            if (s.newState.type === "kubernetes:helm.sh/v3:Release") s.newState.id = `${s.newState.inputs.namespace}/${s.newState.inputs.name}`;
        }
        return JSON.stringify(plan);
    });
    return JSON.parse(await cached) as Plan;
}

/** A fresh stack's preview: ids unknown, and the values and pod-group specs that derive from new outputs unknown too. */
export function eksFreshPreview(plan: Plan): Plan {
    const p = withUnknownIds(plan);
    for (const s of p.steps) {
        if (s.newState!.type === "kubernetes:helm.sh/v3:Release") s.newState!.inputs.values = UNKNOWN_STRING;
        if (s.newState!.type === "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy") s.newState!.inputs.spec = UNKNOWN_STRING;
    }
    return p;
}
