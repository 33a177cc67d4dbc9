import * as assert from "assert";
import { Graph, recordIdentity, Resource } from "../../policy/lib/resolver";
import { plain, UNKNOWN_STRING } from "../../policy/lib/values";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { unknownCheckingProxy } = require("@pulumi/policy/proxy");

const SG = "aws:ec2/securityGroup:SecurityGroup";
const RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SUBNET = "aws:ec2/subnet:Subnet";

function res(type: string, name: string, props: Record<string, any> = {}, deps: Record<string, Resource[]> = {}): Resource {
    return { type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props, propertyDependencies: deps };
}

describe("resolver: references between resources", () => {
    it("matches a known id recorded for a resource (the offline plan's outputs.id)", () => {
        const sg = res(SG, "cp");
        recordIdentity(sg, { id: "sg-0aaa1111bbbb2222c" });
        const rule = res(RULE, "r", { securityGroupId: "sg-0aaa1111bbbb2222c" });
        const g = new Graph([sg, rule]);
        assert.deepStrictEqual(g.refs(rule, "securityGroupId", [SG]), { targets: [sg], external: [], unresolved: false });
    });

    it("matches an ARN carried in props (a stack policy during `pulumi up`)", () => {
        const sg = res(SG, "cp", { arn: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc" });
        const rule = res(RULE, "r", { securityGroupId: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc" });
        assert.deepStrictEqual(new Graph([sg, rule]).refs(rule, "securityGroupId", [SG]).targets, [sg]);
    });

    it("uses propertyDependencies when the id is unknown (a fresh preview)", () => {
        const sg = res(SG, "cp");
        const rule = res(RULE, "r", { securityGroupId: UNKNOWN_STRING }, { securityGroupId: [sg] });
        assert.deepStrictEqual(new Graph([sg, rule]).refs(rule, "securityGroupId", [SG]), { targets: [sg], external: [], unresolved: false });
    });

    it("uses propertyDependencies when a known id is not carried by any resource's props (engine outputs have no id)", () => {
        const sg = res(SG, "cp");
        const rule = res(RULE, "r", { securityGroupId: "sg-0f00" }, { securityGroupId: [sg] });
        assert.deepStrictEqual(new Graph([sg, rule]).refs(rule, "securityGroupId", [SG]), { targets: [sg], external: [], unresolved: false });
    });

    it("reports a known id that no resource of the stack has as external", () => {
        const rule = res(RULE, "r", { securityGroupId: "sg-0123456789abcdef0" });
        assert.deepStrictEqual(new Graph([rule]).refs(rule, "securityGroupId", [SG]), { targets: [], external: ["sg-0123456789abcdef0"], unresolved: false });
    });

    it("says unresolved when the value is unknown and no dependency explains it", () => {
        const rule = res(RULE, "r", { securityGroupId: UNKNOWN_STRING });
        assert.deepStrictEqual(new Graph([rule]).refs(rule, "securityGroupId", [SG]), { targets: [], external: [], unresolved: true });
    });

    it("filters a shared property's dependencies by type (networkConfiguration holds subnets and SGs)", () => {
        const sg = res(SG, "dp");
        const s1 = res(SUBNET, "a");
        const s2 = res(SUBNET, "b");
        const svc = res("aws:ecs/service:Service", "dp", { networkConfiguration: { subnets: [UNKNOWN_STRING, UNKNOWN_STRING], securityGroups: [UNKNOWN_STRING] } },
            { networkConfiguration: [s1, s2, sg] });
        const g = new Graph([sg, s1, s2, svc]);
        assert.deepStrictEqual(g.refs(svc, "networkConfiguration", [SG], svc.props.networkConfiguration.securityGroups).targets, [sg]);
        assert.deepStrictEqual(g.refs(svc, "networkConfiguration", [SUBNET], svc.props.networkConfiguration.subnets).targets, [s1, s2]);
    });

    it("treats an explicitly absent part as absent, not as the whole property (inline rule without securityGroups)", () => {
        const sg = res(SG, "dp", { ingress: [{ protocol: "tcp", fromPort: 8000, toPort: 8000, cidrBlocks: ["0.0.0.0/0"] }] });
        assert.deepStrictEqual(new Graph([sg]).refs(sg, "ingress", [SG], undefined), { targets: [], external: [], unresolved: false });
    });

    it("finds referrers: the rules attached to a group", () => {
        const sg = res(SG, "db");
        const other = res(SG, "other");
        const r1 = res(RULE, "r1", { securityGroupId: UNKNOWN_STRING }, { securityGroupId: [sg] });
        const r2 = res(RULE, "r2", { securityGroupId: UNKNOWN_STRING }, { securityGroupId: [other] });
        assert.deepStrictEqual(new Graph([sg, other, r1, r2]).referrers(sg, [RULE], "securityGroupId"), [r1]);
    });

    it("reads through the engine's unknown-checking proxy without tripping it", () => {
        const sg = res(SG, "cp");
        const rule = res(RULE, "r", unknownCheckingProxy({ securityGroupId: UNKNOWN_STRING, ipProtocol: "tcp" }), { securityGroupId: [sg] });
        assert.throws(() => rule.props.securityGroupId, /can't be known during preview/);
        assert.deepStrictEqual(new Graph([sg, rule]).refs(rule, "securityGroupId", [SG]).targets, [sg]);
        assert.strictEqual(plain(rule.props).ipProtocol, "tcp");
    });
});
