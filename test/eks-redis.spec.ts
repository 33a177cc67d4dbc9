import { strict as assert } from "assert";
import { DataPlaneRedis, replicationGroupId } from "../components/eks/redis";
import { byType, runProgram, type ProgramRun } from "../offline/harness";
import { STAND_IN } from "./support/fixtures";

// The optional Redis for DP plugins under the mock runtime.

const DP_SGS = ["sg-0dpecs", "sg-0dpeks"];
let cached: Promise<ProgramRun & { host?: string }> | undefined;
function run() {
    return (cached ??= runProgram(() => {
        const r = new DataPlaneRedis("kong-eks-redis", {
            vpcId: STAND_IN.vpcId, subnetIds: ["subnet-0iso1", "subnet-0iso2"], kmsKeyArn: STAND_IN.stackKeyArn,
            dataPlaneSecurityGroupIds: DP_SGS, production: true, tags: { stack: "eks" },
        });
        return { host: r.endpoint.host, secret: r.endpoint.authTokenSecretArn };
    }, { stack: "eks", config: { "aws:region": "eu-west-1" } }));
}
const one = (r: ProgramRun, type: string) => { const f = byType(r, type); assert.equal(f.length, 1, type); return f[0]; };

describe("DataPlaneRedis (mock runtime)", () => {
    it("encrypts in transit (TLS required) and at rest with the stack key, with failover", async () => {
        const g = one(await run(), "aws:elasticache/replicationGroup:ReplicationGroup").inputs;
        assert.equal(g.transitEncryptionEnabled, true);
        assert.equal(g.transitEncryptionMode, "required");
        assert.equal(g.atRestEncryptionEnabled, true);
        assert.equal(g.kmsKeyId, STAND_IN.stackKeyArn);
        assert.equal(g.numCacheClusters, 2);
        assert.equal(g.automaticFailoverEnabled, true);
        assert.equal(g.multiAzEnabled, true);
        assert.equal(g.snapshotRetentionLimit, 7);
    });
    it("uses the AUTH token it keeps in a KMS-encrypted secret", async () => {
        const r = await run();
        const g = one(r, "aws:elasticache/replicationGroup:ReplicationGroup").inputs;
        const secret = one(r, "aws:secretsmanager/secret:Secret");
        const version = one(r, "aws:secretsmanager/secretVersion:SecretVersion").inputs;
        assert.equal(secret.inputs.kmsKeyId, STAND_IN.stackKeyArn);
        assert.equal(version.secretString, g.authToken);
        assert.match(g.authToken, /^[A-Za-z0-9]{64}$/);
        assert.equal(r.outputs.secret, secret.outputs.arn);
    });
    it("is reachable only from the DP security groups, on 6379", async () => {
        const r = await run();
        const sg = one(r, "aws:ec2/securityGroup:SecurityGroup");
        const ingress = byType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map(x => x.inputs);
        assert.deepEqual(ingress.map(i => [i.securityGroupId, i.referencedSecurityGroupId, i.fromPort, i.toPort, i.cidrIpv4]),
            DP_SGS.map(dp => [sg.id, dp, 6379, 6379, undefined]));
        assert.deepEqual(one(r, "aws:elasticache/replicationGroup:ReplicationGroup").inputs.securityGroupIds, [sg.id]);
        assert.equal(sg.inputs.ingress, undefined);
    });
    it("hands the DPs the primary endpoint", async () => {
        const r = await run();
        assert.equal(r.outputs.host, one(r, "aws:elasticache/replicationGroup:ReplicationGroup").outputs.primaryEndpointAddress);
        assert.match(r.outputs.host, /^master\.kong-eks-redis\./);
    });
    const table: [string, () => unknown, RegExp][] = [
        ["a name ElastiCache refuses", () => replicationGroupId("Kong--redis"), /name "Kong--redis" is not a replication group id/],
        ["no DP security group", () => new DataPlaneRedis("r", { vpcId: "v", subnetIds: [], kmsKeyArn: "k", dataPlaneSecurityGroupIds: [] }), /dataPlaneSecurityGroupIds is \[\]/],
        ["seven nodes", () => new DataPlaneRedis("r", { vpcId: "v", subnetIds: [], kmsKeyArn: "k", dataPlaneSecurityGroupIds: ["sg-1"], nodes: 7 }), /nodes is 7; allowed: 1 to 6/],
    ];
    for (const [what, f, message] of table) it(`refuses ${what}`, () => assert.throws(f, message));
});
