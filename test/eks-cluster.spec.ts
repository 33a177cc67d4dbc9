import { strict as assert } from "assert";
import {
    CONTROLLERS, EKS_VERSIONS, EksCluster, endpointAccess, externalSecretsPolicy, kubeconfig, loadBalancerControllerPolicy, privateCaIssuerPolicy,
    type EksClusterArgs,
} from "../components/eks/cluster";
import { byType, runProgram, type ProgramRun } from "../offline/harness";
import { STAND_IN } from "./support/fixtures";

// The EKS cluster under the mock runtime: what a reviewer (and the policy pack) must be able to see.

const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/kong-eks/0123456789abcdef";
const PCA = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555";
const LICENCE = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-licence-QwErTy";
const DEPLOYER = "arn:aws:iam::123456789012:role/kong-ci-deployer";

function args(over: Partial<EksClusterArgs> = {}): EksClusterArgs {
    return {
        network: { vpcId: STAND_IN.vpcId, vpcCidr: "10.0.0.0/16", privateSubnetIds: STAND_IN.privateSubnetIds },
        kmsKeyArn: STAND_IN.stackKeyArn,
        publicAccessCidrs: ["198.51.100.0/24"],
        adminPrincipalArns: [DEPLOYER],
        targetGroupArns: [TG],
        privateCaArn: PCA,
        syncedSecretArns: [LICENCE],
        production: true,
        tags: { stack: "eks" },
        ...over,
    };
}

let cached: Promise<ProgramRun> | undefined;
function run(): Promise<ProgramRun> {
    return (cached ??= runProgram(() => { new EksCluster("kong-eks", args()); return {}; }, { stack: "eks", config: { "aws:region": "eu-west-1" } }));
}
const one = (r: ProgramRun, type: string) => { const f = byType(r, type); assert.equal(f.length, 1, type); return f[0]; };

describe("EksCluster (mock runtime)", () => {
    it("is built from plain resources: no @pulumi/eks component, no aws-auth ConfigMap", async () => {
        const r = await run();
        assert.deepEqual(r.resources.filter(x => x.type.startsWith("eks:")).map(x => x.type), []);
        assert.deepEqual(r.resources.filter(x => x.type === "kubernetes:core/v1:ConfigMap"), []);
        assert.equal(r.duplicateUrns.length, 0);
    });
    it("authenticates through access entries only, encrypts Secrets with the stack key", async () => {
        const c = one(await run(), "aws:eks/cluster:Cluster").inputs;
        assert.deepEqual(c.accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
        assert.deepEqual(c.encryptionConfig, { provider: { keyArn: STAND_IN.stackKeyArn }, resources: ["secrets"] });
        assert.equal(c.bootstrapSelfManagedAddons, false);
        assert.equal(c.version, EKS_VERSIONS.kubernetes);
        assert.deepEqual(c.enabledClusterLogTypes, ["api", "audit", "authenticator"]);
        assert.deepEqual(c.upgradePolicy, { supportType: "STANDARD" }, "no silent extended-support price");
        assert.equal(c.deletionProtection, true, "production");
    });
    it("keeps the endpoint private, public only for the listed CIDRs, in our security group", async () => {
        const r = await run();
        const vpc = one(r, "aws:eks/cluster:Cluster").inputs.vpcConfig;
        assert.equal(vpc.endpointPrivateAccess, true);
        assert.equal(vpc.endpointPublicAccess, true);
        assert.deepEqual(vpc.publicAccessCidrs, ["198.51.100.0/24"]);
        const clusterSg = byType(r, "aws:ec2/securityGroup:SecurityGroup").find(s => s.name === "kong-eks-cluster-sg")!;
        assert.deepEqual(vpc.securityGroupIds, [clusterSg.id]);
        assert.deepEqual(vpc.subnetIds, STAND_IN.privateSubnetIds);
    });
    it("has no all-protocol rule to or from an address range, and every rule says why", async () => {
        const r = await run();
        const rules = [...byType(r, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"), ...byType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")];
        assert.ok(rules.length >= 10);
        for (const rule of rules) {
            assert.ok(rule.inputs.description, rule.name);
            if (rule.inputs.ipProtocol === "-1") assert.ok(rule.inputs.referencedSecurityGroupId && !rule.inputs.cidrIpv4, rule.name);
        }
        const world = rules.filter(x => x.inputs.cidrIpv4 === "0.0.0.0/0").map(x => [x.inputs.ipProtocol, x.inputs.fromPort, x.inputs.toPort]);
        assert.deepEqual(world, [["tcp", 443, 443]]);
        for (const sg of byType(r, "aws:ec2/securityGroup:SecurityGroup")) {
            assert.equal(sg.inputs.egress, undefined, "no inline rules");
            assert.equal(sg.inputs.ingress, undefined, "no inline rules");
        }
    });
    it("pins the four managed add-ons; vpc-cni enforces NetworkPolicies and gives pods branch ENIs", async () => {
        const addons = byType(await run(), "aws:eks/addon:Addon").map(a => a.inputs);
        assert.deepEqual(Object.fromEntries(addons.map(a => [a.addonName, a.addonVersion])), EKS_VERSIONS.addons);
        const cni = JSON.parse(addons.find(a => a.addonName === "vpc-cni")!.configurationValues);
        assert.equal(cni.enableNetworkPolicy, "true");
        assert.equal(cni.env.ENABLE_POD_ENI, "true");
        assert.equal(cni.env.POD_SECURITY_GROUP_ENFORCING_MODE, "standard");
    });
    it("runs Bottlerocket arm64 managed nodes in the node security group, IMDS closed to pods", async () => {
        const r = await run();
        const ng = one(r, "aws:eks/nodeGroup:NodeGroup").inputs;
        assert.equal(ng.amiType, "BOTTLEROCKET_ARM_64");
        assert.deepEqual(ng.instanceTypes, ["m7g.large"]);
        assert.deepEqual(ng.scalingConfig, { minSize: 2, maxSize: 4, desiredSize: 2 });
        const lt = one(r, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
        const nodeSg = byType(r, "aws:ec2/securityGroup:SecurityGroup").find(s => s.name === "kong-eks-node-sg")!;
        assert.deepEqual(lt.vpcSecurityGroupIds, [nodeSg.id]);
        assert.equal(lt.imageId, undefined, "EKS picks the Bottlerocket AMI");
        assert.deepEqual(lt.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
        assert.equal(lt.blockDeviceMappings[0].ebs.encrypted, "true");
    });
    it("grants cluster admin only to the listed principals, through access entries", async () => {
        const r = await run();
        assert.deepEqual(byType(r, "aws:eks/accessEntry:AccessEntry").map(e => e.inputs.principalArn), [DEPLOYER]);
        const assoc = one(r, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs;
        assert.equal(assoc.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
        assert.deepEqual(assoc.accessScope, { type: "cluster" });
    });
    it("gives each controller its own Pod Identity role on exactly its resources", async () => {
        const r = await run();
        const assocs = byType(r, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map(a => a.inputs);
        assert.deepEqual(assocs.map(a => [a.namespace, a.serviceAccount]).sort(), Object.values(CONTROLLERS).map(c => [c.namespace, c.serviceAccount]).sort());
        const roles = byType(r, "aws:iam/role:Role");
        for (const a of assocs) {
            const role = roles.find(x => x.outputs.arn === a.roleArn)!;
            const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement[0];
            assert.deepEqual(trust.Principal, { Service: "pods.eks.amazonaws.com" });
            assert.deepEqual(trust.Action, ["sts:AssumeRole", "sts:TagSession"]);
            assert.match(trust.Condition.ArnEquals["aws:SourceArn"], /^arn:aws:eks:eu-west-1:123456789012:cluster\/kong-eks$/);
        }
        const policies = Object.fromEntries(byType(r, "aws:iam/rolePolicy:RolePolicy").map(p => [p.name, JSON.parse(p.inputs.policy)]));
        assert.deepEqual(policies["kong-eks-loadBalancerController-policy"], loadBalancerControllerPolicy([TG]));
        assert.deepEqual(policies["kong-eks-privateCaIssuer-policy"], privateCaIssuerPolicy(PCA));
        assert.deepEqual(policies["kong-eks-externalSecrets-policy"], externalSecretsPolicy([LICENCE], [STAND_IN.stackKeyArn], "eu-west-1"));
        // "*" only where IAM has no resource-level permissions (Describe calls).
        for (const [name, doc] of Object.entries(policies)) {
            for (const s of doc.Statement) {
                if (s.Resource === "*") assert.ok([].concat(s.Action).every((a: string) => /:Describe/.test(a)), `${name} ${s.Sid}`);
            }
        }
    });
    it("gives the cluster role the VPC resource controller policy (branch ENIs for pod security groups)", async () => {
        const attached = byType(await run(), "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map(a => a.inputs.policyArn);
        assert.ok(attached.includes("arn:aws:iam::aws:policy/AmazonEKSVPCResourceController"));
        assert.ok(attached.includes("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"));
    });
    it("owns the control plane log group, KMS-encrypted", async () => {
        const lg = one(await run(), "aws:cloudwatch/logGroup:LogGroup").inputs;
        assert.equal(lg.name, "/aws/eks/kong-eks/cluster");
        assert.equal(lg.kmsKeyId, STAND_IN.stackKeyArn);
    });
    it("talks to the cluster with a token from `aws eks get-token`", async () => {
        const p = one(await run(), "pulumi:providers:kubernetes").inputs;
        const kc = JSON.parse(p.kubeconfig);
        assert.deepEqual(kc.users[0].user.exec.args, ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "kong-eks", "--output", "json"]);
        assert.match(kc.clusters[0].cluster.server, /^https:\/\/.*\.eks\.amazonaws\.com$/);
    });
});

describe("EksCluster refuses unsafe input in one line", () => {
    const table: [string, () => unknown, RegExp][] = [
        ["a world-open endpoint", () => endpointAccess(["0.0.0.0/0"], false), /publicAccessCidrs \["0\.0\.0\.0\/0"\] opens the Kubernetes API to the internet/],
        ["no CIDRs in production", () => endpointAccess([], true), /publicAccessCidrs is \[\] in production/],
        ["no admin principal", () => new EksCluster("x", args({ adminPrincipalArns: [] })), /adminPrincipalArns is \[\]/],
        ["a t-family node", () => new EksCluster("x", args({ nodeGroups: [{ name: "n", instanceTypes: ["t4g.large"], minSize: 1, maxSize: 2 }] })), /instance type t4g\.large has no ENI trunking/],
        ["wildcard target group", () => loadBalancerControllerPolicy(["arn:aws:elasticloadbalancing:*"]), /refusing wildcard resource/],
    ];
    for (const [what, f, message] of table) it(what, () => assert.throws(f, message));
    it("keeps the endpoint private-only for an empty list outside production", () => {
        assert.deepEqual(endpointAccess([], false), { endpointPrivateAccess: true, endpointPublicAccess: false });
    });
    it("builds a kubeconfig without credentials in it", () => {
        const kc = kubeconfig({ name: "c", endpoint: "https://e", certificateAuthority: "Q0E=", region: "eu-west-1" });
        assert.deepEqual(Object.keys(JSON.parse(kc).users[0].user), ["exec"], "no token, password or client key");
    });
});
