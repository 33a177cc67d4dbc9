import { strict as assert } from "assert";
import { byType } from "../offline/harness";
import { eksRun as run } from "./policy/eks-plan";

// The EKS components composed as the workshop topology (CP and a public DP group on one cluster,
// test/policy/eks-plan.ts, the policy pack's EKS fixture): the order Kubernetes needs, the
// provider every Kubernetes object goes through, and each role's pods in its own group.

describe("EKS topology: cluster, add-ons, Kong CP and DP composed (the policy pack's EKS fixture)", () => {
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
