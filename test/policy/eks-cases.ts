// The pack's EKS rules, each as realistic mistakes it must reject and the same rule written
// another way that it must accept, applied to the EKS plan (eks-plan.ts). Shared by eks.spec.ts
// (known and unknown ids) and engine.spec.ts (the real analyzer server).

import type { Plan } from "../../policy/offline";
import { EKS_NAMES as N } from "./eks-plan";
import { addToPlan, state } from "./helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SGP = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const CLUSTER = "aws:eks/cluster:Cluster";

const values = (p: Plan, release: string) => state(p, release, RELEASE).inputs.values;
const vpcConfig = (p: Plan) => state(p, N.cluster, CLUSTER).inputs.vpcConfig;
const sg = (p: Plan, name: string) => state(p, name, SG);
/** Points a SecurityGroupPolicy at another group (its id, and the dependency a preview would show). */
function podGroup(p: Plan, policy: string, group: string) {
    const s = state(p, policy, SGP);
    const target = sg(p, group);
    s.inputs.spec.securityGroups.groupIds = [target.id];
    s.propertyDependencies = { ...s.propertyDependencies, spec: [target.urn] };
}
const rule = (p: Plan, type: string, name: string, inputs: Record<string, any>, deps: Record<string, string[]>) => addToPlan(p, type, name, inputs, deps);
const ING = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const cpRulePeer = (p: Plan, from: string, name: string, port: number, extra: Record<string, any> = {}) => {
    const to = sg(p, N.cpPodSg), peer = sg(p, from);
    rule(p, ING, name, { securityGroupId: to.id, referencedSecurityGroupId: peer.id, ipProtocol: "tcp", fromPort: port, toPort: port, ...extra },
        { securityGroupId: [to.urn], referencedSecurityGroupId: [peer.urn] });
};
const service = (p: Plan, name: string, namespace: string, spec: Record<string, any>) =>
    addToPlan(p, "kubernetes:core/v1:Service", name, { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec }, {});
const cpSelector = { "app.kubernetes.io/instance": "kong-cp", "app.kubernetes.io/name": "kong" };

export interface EksCase {
    name: string;
    apply(plan: Plan): void;
    /** Reject rows: the mandatory policies that must reject it (and no other). Accept rows: []. */
    rejectedBy: string[];
    /** Accept rows: the policy the variant exercises. */
    policy?: string;
    /** The resource (last URN segment) the first policy's violation must point at. */
    at?: string;
}

export const EKS_REJECT: EksCase[] = [
    // ── the API endpoint
    { name: "EKS API public to 0.0.0.0/0", rejectedBy: ["eks-api-endpoint-restricted"], at: N.cluster, apply: p => { vpcConfig(p).publicAccessCidrs = ["0.0.0.0/0"]; } },
    { name: "EKS API public to the internet in two halves", rejectedBy: ["eks-api-endpoint-restricted"], at: N.cluster, apply: p => { vpcConfig(p).publicAccessCidrs = ["0.0.0.0/1", "128.0.0.0/1"]; } },
    { name: "EKS API public with no CIDR list (AWS's 0.0.0.0/0)", rejectedBy: ["eks-api-endpoint-restricted"], at: N.cluster, apply: p => { delete vpcConfig(p).publicAccessCidrs; } },
    { name: "EKS API endpointPublicAccess unset (AWS's true) and no list", rejectedBy: ["eks-api-endpoint-restricted"], at: N.cluster, apply: p => { delete vpcConfig(p).endpointPublicAccess; delete vpcConfig(p).publicAccessCidrs; } },
    // ── secrets encryption
    { name: "EKS secrets not encrypted (no encryptionConfig)", rejectedBy: ["eks-secrets-encrypted"], at: N.cluster, apply: p => { delete state(p, N.cluster, CLUSTER).inputs.encryptionConfig; } },
    { name: "EKS encryptionConfig not covering secrets", rejectedBy: ["eks-secrets-encrypted"], at: N.cluster, apply: p => { state(p, N.cluster, CLUSTER).inputs.encryptionConfig.resources = []; } },
    // ── CP Services
    { name: "CP admin Service NodePort", rejectedBy: ["kong-cp-services-internal"], at: N.cpRelease, apply: p => { values(p, N.cpRelease).admin.type = "NodePort"; } },
    { name: "CP admin Service type unset (the chart's NodePort)", rejectedBy: ["kong-cp-services-internal"], at: N.cpRelease, apply: p => { delete values(p, N.cpRelease).admin.type; } },
    { name: "CP cluster Service LoadBalancer", rejectedBy: ["kong-cp-services-internal"], at: N.cpRelease, apply: p => { values(p, N.cpRelease).cluster.type = "LoadBalancer"; } },
    { name: "CP clustertelemetry Service NodePort", rejectedBy: ["kong-cp-services-internal"], at: N.cpRelease, apply: p => { values(p, N.cpRelease).clustertelemetry = { enabled: true, type: "NodePort" }; } },
    { name: "CP manager left to the chart (enabled, NodePort)", rejectedBy: ["kong-cp-services-internal"], at: N.cpRelease, apply: p => { delete values(p, N.cpRelease).manager; } },
    { name: "CP admin behind an Ingress", rejectedBy: ["kong-cp-services-internal"], at: N.cpRelease, apply: p => { values(p, N.cpRelease).admin.ingress = { enabled: true, hostname: "admin.example.com" }; } },
    { name: "a raw LoadBalancer Service selecting the CP pods", rejectedBy: ["kong-cp-services-internal"], at: "oops-cp-lb", apply: p => { service(p, "oops-cp-lb", "kong", { type: "LoadBalancer", selector: cpSelector, ports: [{ port: 8001 }] }); } },
    { name: "a raw NodePort Service selecting the CP pods by instance only", rejectedBy: ["kong-cp-services-internal"], at: "oops-cp-np", apply: p => { service(p, "oops-cp-np", "kong", { type: "NodePort", selector: { "app.kubernetes.io/instance": "kong-cp" }, ports: [{ port: 8005 }] }); } },
    {
        name: "a TargetGroupBinding of the CP's admin Service", rejectedBy: ["kong-cp-services-internal"], at: "oops-cp-tgb",
        apply: p => { addToPlan(p, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "oops-cp-tgb", { apiVersion: "elbv2.k8s.aws/v1beta1", kind: "TargetGroupBinding", metadata: { name: "oops", namespace: "kong" }, spec: { serviceRef: { name: "kong-cp-kong-admin", port: 8001 }, targetGroupARN: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/x/1", targetType: "ip" } }, {}); },
    },
    // ── the DP's admin listener
    { name: "DP env.admin_listen removed (the chart's loopback 8444)", rejectedBy: ["kong-dp-admin-closed"], at: N.dpRelease, apply: p => { delete values(p, N.dpRelease).env.admin_listen; } },
    { name: "DP admin_listen opened on 8001", rejectedBy: ["kong-dp-admin-closed"], at: N.dpRelease, apply: p => { values(p, N.dpRelease).env.admin_listen = "0.0.0.0:8001"; } },
    { name: "DP admin.enabled", rejectedBy: ["kong-dp-admin-closed"], at: N.dpRelease, apply: p => { values(p, N.dpRelease).admin = { enabled: true, type: "ClusterIP", http: { enabled: true } }; } },
    { name: "DP Kong Manager left to the chart (enterprise)", rejectedBy: ["kong-dp-admin-closed"], at: N.dpRelease, apply: p => { delete values(p, N.dpRelease).env.admin_gui_listen; delete values(p, N.dpRelease).manager; } },
    // ── pod security groups
    { name: "CP and DP pods in one security group", rejectedBy: ["security-group-matrix", "admin-api-protected"], at: N.cpPodSg, apply: p => { podGroup(p, N.dpPodSgPolicy, N.cpPodSg); } },
    { name: "CP pods without a SecurityGroupPolicy (the nodes' group)", rejectedBy: ["security-group-matrix"], at: N.cpRelease, apply: p => { p.steps.splice(p.steps.findIndex(s => s.newState === state(p, N.cpPodSgPolicy, SGP)), 1); } },
    { name: "CP pod SG open to 0.0.0.0/0 on 8001", rejectedBy: ["security-group-matrix", "admin-api-protected"], at: "oops-cp-pods-open", apply: p => { const to = sg(p, N.cpPodSg); rule(p, ING, "oops-cp-pods-open", { securityGroupId: to.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 8001, toPort: 8001 }, { securityGroupId: [to.urn] }); } },
    { name: "nodes' SG to the CP pods' admin port", rejectedBy: ["security-group-matrix", "admin-api-protected"], at: "oops-nodes-to-cp-admin", apply: p => cpRulePeer(p, N.nodeSg, "oops-nodes-to-cp-admin", 8001) },
    { name: "DP pods admitted to the CP pods' status port", rejectedBy: ["security-group-matrix"], at: "oops-dp-to-cp-status", apply: p => cpRulePeer(p, N.dpPodSg, "oops-dp-to-cp-status", 8100) },
    // ── secrets in Kubernetes env
    { name: "CP database password in the release's env", rejectedBy: ["no-plaintext-secrets"], at: N.cpRelease, apply: p => { values(p, N.cpRelease).env.pg_password = "hunter2-but-longer"; } },
    { name: "a password inside a URL in customEnv", rejectedBy: ["no-plaintext-secrets"], at: N.dpRelease, apply: p => { values(p, N.dpRelease).customEnv = { redis_url: "redis://kong:s3cr3tpass@redis.internal:6379/0" }; } },
    { name: "an AWS access key id in a sidecar's env list", rejectedBy: ["no-plaintext-secrets"], at: N.dpRelease, apply: p => { values(p, N.dpRelease).sidecarContainers = [{ name: "shipper", image: "x", env: [{ name: "AWS_ACCESS_KEY_ID", value: "AKIAIOSFODNN7EXAMPLE" }] }]; } },
    {
        name: "a raw Deployment with a token in env", rejectedBy: ["no-plaintext-secrets"], at: "oops-deploy",
        apply: p => { addToPlan(p, "kubernetes:apps/v1:Deployment", "oops-deploy", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: "kong" }, spec: { template: { spec: { containers: [{ name: "c", image: "x", env: [{ name: "KONG_ADMIN_TOKEN", value: "plain-admin-token-123" }] }] } } } }, {}); },
    },
];

export const EKS_ACCEPT: EksCase[] = [
    { name: "EKS API private only (no public endpoint, no list)", policy: "eks-api-endpoint-restricted", rejectedBy: [], apply: p => { vpcConfig(p).endpointPublicAccess = false; delete vpcConfig(p).publicAccessCidrs; } },
    { name: "EKS API public to two halves of a /24 and an IPv6 /48", policy: "eks-api-endpoint-restricted", rejectedBy: [], apply: p => { vpcConfig(p).publicAccessCidrs = ["198.51.100.0/25", "198.51.100.128/25", "2001:db8:1::/48"]; } },
    { name: "EKS secrets encrypted with the key named by alias ARN", policy: "eks-secrets-encrypted", rejectedBy: [], apply: p => { state(p, N.cluster, CLUSTER).inputs.encryptionConfig.provider.keyArn = "arn:aws:kms:eu-west-1:123456789012:alias/kong-eks"; } },
    { name: "CP clustertelemetry enabled with the type left to the chart (ClusterIP)", policy: "kong-cp-services-internal", rejectedBy: [], apply: p => { values(p, N.cpRelease).clustertelemetry = { enabled: true, tls: { enabled: true } }; } },
    { name: "CP manager disabled by `\"false\"` and a raw LoadBalancer Service for the DP pods", policy: "kong-cp-services-internal", rejectedBy: [], apply: p => { values(p, N.cpRelease).manager = { enabled: "false" }; service(p, "dp-nlb", "kong-dp-public", { type: "LoadBalancer", selector: { "app.kubernetes.io/instance": "kong-dp-public" }, ports: [{ port: 8000 }] }); } },
    { name: "DP admin listener closed through customEnv instead of env", policy: "kong-dp-admin-closed", rejectedBy: [], apply: p => { delete values(p, N.dpRelease).env.admin_listen; values(p, N.dpRelease).customEnv = { kong_admin_listen: "off" }; } },
    { name: "DP admin listener written \" off \" (Kong strips blanks)", policy: "kong-dp-admin-closed", rejectedBy: [], apply: p => { values(p, N.dpRelease).env.admin_listen = " off "; } },
    {
        name: "CP pods selected by a matchExpressions SecurityGroupPolicy", policy: "security-group-matrix", rejectedBy: [],
        apply: p => { state(p, N.cpPodSgPolicy, SGP).inputs.spec.podSelector = { matchExpressions: [{ key: "app.kubernetes.io/instance", operator: "In", values: ["kong-cp", "kong-cp-canary"] }] }; },
    },
    { name: "CP pods selected by an empty podSelector (the whole namespace)", policy: "security-group-matrix", rejectedBy: [], apply: p => { state(p, N.cpPodSgPolicy, SGP).inputs.spec.podSelector = {}; } },
    {
        name: "kubelet probes written as an aws.ec2.SecurityGroupRule", policy: "security-group-matrix", rejectedBy: [],
        apply: p => {
            const to = sg(p, N.cpPodSg), from = sg(p, N.nodeSg);
            addToPlan(p, "aws:ec2/securityGroupRule:SecurityGroupRule", "cp-probes-classic", { type: "ingress", securityGroupId: to.id, sourceSecurityGroupId: from.id, protocol: "6", fromPort: 8100, toPort: 8100 }, { securityGroupId: [to.urn], sourceSecurityGroupId: [from.urn] });
        },
    },
    { name: "the CP's database password from a Kong vault reference", policy: "no-plaintext-secrets", rejectedBy: [], apply: p => { values(p, N.cpRelease).env.pg_password = "{vault://aws/kong-db/password}"; } },
    { name: "a Redis URL without a password in customEnv", policy: "no-plaintext-secrets", rejectedBy: [], apply: p => { values(p, N.dpRelease).customEnv = { redis_url: "rediss://redis.internal:6379/0" }; } },
];
