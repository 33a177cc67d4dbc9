import { strict as assert } from "assert";
import { byType, type ProgramRun } from "../offline/harness";
import { planDataPlane } from "./support/dp-plan";
import { one, plan } from "./support/dp-plans";

// The complete security-group matrix of the seed (ARCHITECTURE.md): every ingress and egress
// rule of the ALB, DP, CP and DB groups, no more, no less. Groups are identified by structure:
// the ALB's from the load balancer, the DP's from the DP service; the CP's and DB's are the
// stand-in's (stacks until the cp branch is merged).

type Row = string; // "<group> <in|out> <port> <peer>"

function matrix(run: ProgramRun): Row[] {
    const role = new Map<string, string>([
        [one(run, "aws:lb/loadBalancer:LoadBalancer").inputs.securityGroups[0], "ALB"],
        [one(run, "aws:ecs/service:Service").inputs.networkConfiguration.securityGroups[0], "DP"],
        [run.outputs.cpSecurityGroupId, "CP"],
        [run.outputs.dbSecurityGroupId, "DB"],
    ]);
    assert.equal(role.size, 4, "four distinct groups");
    const rows: Row[] = [];
    for (const [type, dir] of [["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in"], ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "out"]]) {
        for (const r of byType(run, type)) {
            const i = r.inputs;
            assert.ok(i.description && i.description.length > 5, `${r.name} has a description`);
            assert.equal(i.ipProtocol, "tcp", r.name);
            assert.equal(i.fromPort, i.toPort, r.name);
            const group = role.get(i.securityGroupId);
            assert.ok(group, `${r.name} is on a known group`);
            const peer = i.referencedSecurityGroupId ? role.get(i.referencedSecurityGroupId) : i.cidrIpv4 ?? i.cidrIpv6;
            assert.ok(peer, `${r.name} has a known peer`);
            rows.push(`${group} ${dir} ${i.fromPort} ${peer}`);
        }
    }
    return rows.sort();
}

const SEED: Row[] = [
    "ALB in 443 0.0.0.0/0",
    "ALB in 443 ::/0",
    "ALB out 8000 DP",
    "ALB out 8100 DP",
    "DP in 8000 ALB",
    "DP in 8100 ALB",
    "DP out 8001 CP",
    "DP out 8005 CP",
    "DP out 443 0.0.0.0/0",
    "CP in 8001 DP",
    "CP in 8005 DP",
    "CP out 5432 DB",
    "CP out 443 0.0.0.0/0",
    "DB in 5432 CP",
];

describe("security-group matrix (ALB, DP, CP, DB)", () => {
    const table: { name: string; run: () => Promise<ProgramRun>; expected: Row[] }[] = [
        { name: "dev (no redirect)", run: () => plan("dev"), expected: SEED },
        {
            name: "prod (HTTP redirect: port 80 opens for the 301 only)", run: () => plan("prod"),
            expected: [...SEED, "ALB in 80 0.0.0.0/0", "ALB in 80 ::/0"],
        },
        {
            name: "dev with upstream egress 10.50.0.0/16 on 443 and 8443 (443 anywhere stays)",
            run: () => planDataPlane("dev", {
                "kong-hybrid:dpUpstreamEgressCidrs": JSON.stringify(["10.50.0.0/16"]),
                "kong-hybrid:dpUpstreamEgressPorts": JSON.stringify([443, 8443]),
            }),
            expected: [...SEED, "DP out 443 10.50.0.0/16", "DP out 8443 10.50.0.0/16"],
        },
    ];
    for (const t of table) {
        it(t.name, async () => {
            assert.deepEqual(matrix(await t.run()), [...t.expected].sort());
        });
    }
    it("security groups carry no inline rules", async () => {
        for (const stack of ["dev", "prod"]) {
            for (const sg of byType(await plan(stack), "aws:ec2/securityGroup:SecurityGroup")) {
                assert.equal(sg.inputs.ingress, undefined, sg.name);
                assert.equal(sg.inputs.egress, undefined, sg.name);
            }
        }
    });
});
