import { strict as assert } from "assert";
import { byType, type ProgramRun } from "../offline/harness";
import { one, planFull } from "./support/dp-plans";

// The complete security-group matrix of docs/facts/design.md §2: every ingress and egress
// rule of the ALB, DP, CP and DB groups, no more, no less, on the real stack plan. Groups are
// identified by structure: the ALB's from the load balancer, the DP's and CP's from their ECS
// services, the DB's from the Aurora cluster.

const EC2_DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{6,255}$/;

type Row = string; // "<group> <in|out> <port> <peer>"

function matrix(run: ProgramRun): Row[] {
    const lb = one(run, "aws:lb/loadBalancer:LoadBalancer");
    const services = byType(run, "aws:ecs/service:Service");
    assert.equal(services.length, 2, "one CP and one DP service");
    // The DP service is the one the load balancer's target group feeds.
    const dp = services.find(s => (s.inputs.loadBalancers ?? []).length > 0)!;
    const cp = services.find(s => s !== dp)!;
    const db = one(run, "aws:rds/cluster:Cluster");
    const role = new Map<string, string>([
        [lb.inputs.securityGroups[0], "ALB"],
        [dp.inputs.networkConfiguration.securityGroups[0], "DP"],
        [cp.inputs.networkConfiguration.securityGroups[0], "CP"],
        [db.inputs.vpcSecurityGroupIds[0], "DB"],
    ]);
    assert.equal(role.size, 4, "four distinct groups");
    // The Vpc's interface endpoints (prod) have a group of their own: listed so nothing hides.
    for (const e of byType(run, "aws:ec2/vpcEndpoint:VpcEndpoint")) {
        for (const sg of e.inputs.securityGroupIds ?? []) role.set(sg, "ENDPOINTS");
    }
    // So has a NAT instance (natMode instance, dev): it forwards any protocol, from the VPC only.
    for (const n of byType(run, "aws:ec2/instance:Instance")) {
        for (const sg of n.inputs.vpcSecurityGroupIds ?? []) role.set(sg, "NAT");
    }
    assert.equal(byType(run, "aws:ec2/securityGroup:SecurityGroup").length, role.size, "no other security group");
    const rows: Row[] = [];
    for (const [type, dir] of [["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in"], ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "out"]]) {
        for (const r of byType(run, type)) {
            const i = r.inputs;
            // A description, in the characters EC2 accepts (CreateSecurityGroup / rule descriptions).
            assert.match(i.description ?? "", EC2_DESCRIPTION, `${r.name}: ${i.description}`);
            const group = role.get(i.securityGroupId);
            if (group === "NAT" && i.ipProtocol === "-1") {
                rows.push(`NAT ${dir} all ${i.cidrIpv4}`);
                continue;
            }
            assert.equal(i.ipProtocol, "tcp", r.name);
            assert.equal(i.fromPort, i.toPort, r.name);
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

describe("security-group matrix (ALB, DP, CP, DB; plus the VPC endpoints' group when a stack has them, the NAT instance's in dev)", () => {
    const table: { name: string; run: () => Promise<ProgramRun>; expected: Row[] }[] = [
        // dev's NAT instance: all traffic in from the VPC, out to the internet.
        { name: "dev (no redirect)", run: () => planFull("dev"), expected: [...SEED, "NAT in all 10.0.0.0/16", "NAT out all 0.0.0.0/0"] },
        { name: "prod", run: () => planFull("prod"), expected: SEED },
        {
            // Interface endpoints (Vpc) have a group of their own: HTTPS from inside the VPC only.
            name: "prod with interface endpoints", run: () => planFull("prod-endpoints"),
            expected: [...SEED, "ENDPOINTS in 443 10.20.0.0/16"],
        },
        {
            name: "prod with the opt-in HTTP redirect: port 80 opens for the 301 only",
            run: () => planFull("prod-redirect"),
            expected: [...SEED, "ALB in 80 0.0.0.0/0"],
        },
        {
            name: "dev with upstream egress 10.50.0.0/16 on 443 and 8443 (443 anywhere stays)",
            run: () => planFull("dev-upstreams"),
            expected: [...SEED, "DP out 443 10.50.0.0/16", "DP out 8443 10.50.0.0/16", "NAT in all 10.0.0.0/16", "NAT out all 0.0.0.0/0"],
        },
    ];
    for (const t of table) {
        it(t.name, async () => {
            assert.deepEqual(matrix(await t.run()), [...t.expected].sort());
        });
    }
    it("security groups carry no inline rules", async () => {
        for (const stack of ["dev", "prod"]) {
            for (const sg of byType(await planFull(stack), "aws:ec2/securityGroup:SecurityGroup")) {
                assert.equal(sg.inputs.ingress, undefined, sg.name);
                assert.match(sg.inputs.description, EC2_DESCRIPTION, sg.name);
                assert.equal(sg.inputs.egress, undefined, sg.name);
            }
        }
    });
});
