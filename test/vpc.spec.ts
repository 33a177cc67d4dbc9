import * as assert from "assert";
import { byType, runProgram, type ProgramRun } from "../offline/harness";
import { Vpc, type NatMode } from "../components/vpc";
import { resolve } from "./support";

const AZS = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];

function vpcRun(natMode: NatMode, extra: Partial<ConstructorParameters<typeof Vpc>[1]> = {}): Promise<ProgramRun> {
    return runProgram(() => {
        const v = new Vpc("net", {
            cidr: "10.0.0.0/16",
            availabilityZones: AZS,
            publicSubnetCidrs: ["10.0.128.0/24", "10.0.129.0/24", "10.0.130.0/24"],
            privateSubnetCidrs: ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"],
            isolatedSubnetCidrs: ["10.0.192.0/24", "10.0.193.0/24", "10.0.194.0/24"],
            natMode,
            tags: { Project: "kong-hybrid", Stack: "test", ManagedBy: "pulumi" },
            ...extra,
        });
        return { vpcId: v.vpcId, privateSubnetIds: v.privateSubnetIds, isolatedSubnetIds: v.isolatedSubnetIds, publicSubnetIds: v.publicSubnetIds };
    }, { config: { "aws:region": "eu-west-1" } });
}

/** Subnet id → the routes (destination → target kind) of its route table. */
function routesBySubnet(run: ProgramRun): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    for (const assoc of byType(run, "aws:ec2/routeTableAssociation:RouteTableAssociation")) {
        const routes: Record<string, string> = {};
        for (const r of byType(run, "aws:ec2/route:Route").filter(r => r.inputs.routeTableId === assoc.inputs.routeTableId)) {
            const target = r.inputs.gatewayId ?? r.inputs.natGatewayId ?? r.inputs.networkInterfaceId;
            const owner = resolve(run, target) ?? byType(run, "aws:ec2/instance:Instance").find(i => i.outputs.primaryNetworkInterfaceId === target);
            routes[r.inputs.destinationCidrBlock] = owner?.type ?? `unknown ${target}`;
        }
        out.set(assoc.inputs.subnetId, routes);
    }
    return out;
}

describe("Vpc component", () => {
    const modes: [NatMode, number, string | undefined][] = [
        ["gateway-per-az", 3, "aws:ec2/natGateway:NatGateway"],
        ["gateway-single", 1, "aws:ec2/natGateway:NatGateway"],
        ["instance", 0, "aws:ec2/instance:Instance"],
        ["none", 0, undefined],
    ];
    for (const [mode, gateways, privateTarget] of modes) {
        describe(`natMode ${mode}`, () => {
            let run: ProgramRun;
            before(async () => { run = await vpcRun(mode); });

            it("creates three tiers of subnets, one per AZ, in the right AZs", () => {
                const subnets = byType(run, "aws:ec2/subnet:Subnet");
                for (const tier of ["public", "private", "isolated"]) {
                    const t = subnets.filter(s => s.inputs.tags.Tier === tier);
                    assert.deepStrictEqual(t.map(s => s.inputs.availabilityZone), AZS, tier);
                    assert.ok(t.every(s => s.inputs.mapPublicIpOnLaunch === false), `${tier} never maps public IPs`);
                }
            });

            it(`routes public → IGW, private → ${privateTarget ?? "nowhere"}, isolated → nowhere`, () => {
                const routes = routesBySubnet(run);
                const tierOf = (id: string) => resolve(run, id)!.inputs.tags.Tier;
                for (const [subnetId, r] of routes) {
                    const tier = tierOf(subnetId);
                    if (tier === "public") assert.deepStrictEqual(r, { "0.0.0.0/0": "aws:ec2/internetGateway:InternetGateway" });
                    if (tier === "private") assert.deepStrictEqual(r, privateTarget ? { "0.0.0.0/0": privateTarget } : {}, `private ${subnetId}`);
                    if (tier === "isolated") assert.deepStrictEqual(r, {}, "isolated subnets have no route out");
                }
                assert.strictEqual(routes.size, 9, "every subnet is associated with a route table");
            });

            it(`creates ${gateways} NAT gateway(s), each with an Elastic IP in a public subnet`, () => {
                const nats = byType(run, "aws:ec2/natGateway:NatGateway");
                assert.strictEqual(nats.length, gateways);
                assert.strictEqual(byType(run, "aws:ec2/eip:Eip").length, gateways);
                for (const n of nats) assert.strictEqual(resolve(run, n.inputs.subnetId)!.inputs.tags.Tier, "public");
                if (mode === "gateway-per-az") {
                    const natAz = (id: string) => resolve(run, resolve(run, id)!.inputs.subnetId)!.inputs.availabilityZone;
                    const privateRoutes = byType(run, "aws:ec2/route:Route").filter(r => r.inputs.natGatewayId);
                    const rtAz = (rtb: string) => {
                        const assoc = byType(run, "aws:ec2/routeTableAssociation:RouteTableAssociation").find(a => a.inputs.routeTableId === rtb)!;
                        return resolve(run, assoc.inputs.subnetId)!.inputs.availabilityZone;
                    };
                    for (const r of privateRoutes) assert.strictEqual(natAz(r.inputs.natGatewayId), rtAz(r.inputs.routeTableId), "private traffic stays in its AZ");
                }
            });

            it("has an S3 gateway endpoint on the private route tables", () => {
                const [s3] = byType(run, "aws:ec2/vpcEndpoint:VpcEndpoint");
                assert.strictEqual(s3.inputs.serviceName, "com.amazonaws.eu-west-1.s3");
                assert.strictEqual(s3.inputs.vpcEndpointType, "Gateway");
                const tiers = s3.inputs.routeTableIds.map((id: string) => resolve(run, id)!.inputs.tags.Tier);
                assert.deepStrictEqual(tiers, ["private", "private", "private"]);
            });

            it("empties the default security group and tags everything taggable", () => {
                const d = byType(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")[0];
                assert.ok(!d.inputs.ingress?.length && !d.inputs.egress?.length);
                for (const r of run.resources.filter(r => r.custom && "tags" in r.inputs)) {
                    assert.strictEqual(r.inputs.tags.Project, "kong-hybrid", r.urn);
                }
            });
        });
    }

    it("a NAT instance forwards (no source/dest check), has a public IP, IMDSv2 and an encrypted disk", async () => {
        const run = await vpcRun("instance");
        const [i] = byType(run, "aws:ec2/instance:Instance");
        assert.strictEqual(i.inputs.sourceDestCheck, false);
        assert.strictEqual(i.inputs.associatePublicIpAddress, true);
        assert.strictEqual(i.inputs.metadataOptions.httpTokens, "required");
        assert.strictEqual(i.inputs.rootBlockDevice.encrypted, true);
        assert.match(i.inputs.userData, /MASQUERADE/);
        const route = byType(run, "aws:ec2/route:Route").filter(r => r.inputs.networkInterfaceId);
        assert.strictEqual(route.length, 3);
        assert.ok(route.every(r => r.inputs.networkInterfaceId === i.outputs.primaryNetworkInterfaceId));
    });

    it("creates interface endpoints in the private subnets behind an HTTPS-from-VPC group", async () => {
        const run = await vpcRun("none", { interfaceEndpoints: ["ecr.api", "logs"] });
        const ifaces = byType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").filter(e => e.inputs.vpcEndpointType === "Interface");
        assert.deepStrictEqual(ifaces.map(e => e.inputs.serviceName), ["com.amazonaws.eu-west-1.ecr.api", "com.amazonaws.eu-west-1.logs"]);
        assert.ok(ifaces.every(e => e.inputs.privateDnsEnabled === true));
        const rules = byType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepStrictEqual(rules.map(r => [r.inputs.fromPort, r.inputs.cidrIpv4]), [[443, "10.0.0.0/16"]]);
    });

    it("sends flow logs to a KMS-encrypted log group with a role scoped to it", async () => {
        const run = await vpcRun("gateway-single", { flowLogs: { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k", retentionInDays: 30 } });
        const [group] = byType(run, "aws:cloudwatch/logGroup:LogGroup");
        assert.strictEqual(group.inputs.kmsKeyId, "arn:aws:kms:eu-west-1:123456789012:key/k");
        assert.strictEqual(group.inputs.retentionInDays, 30);
        const [log] = byType(run, "aws:ec2/flowLog:FlowLog");
        assert.strictEqual(log.inputs.trafficType, "ALL");
        assert.strictEqual(log.inputs.logDestination, group.outputs.arn);
        const policy = JSON.parse(byType(run, "aws:iam/rolePolicy:RolePolicy")[0].inputs.policy);
        assert.deepStrictEqual(policy.Statement[0].Resource, [group.outputs.arn, `${group.outputs.arn}:*`]);
    });
});
