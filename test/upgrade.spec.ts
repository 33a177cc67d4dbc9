import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ROOT, runProgram } from "../offline/harness";
import { STATEFUL, statefulSteps, upgradeProblems, type PlanSteps } from "../offline/upgrade";
import { previewJson } from "../tools/plan";
import { plan } from "./support";

// Upgrading from the previous release must not replace a stateful resource. The previous
// release's dev and prod plans are kept (stateful resources only) in test/fixtures/previous/.

const previous = (stack: string): PlanSteps => JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/previous", `${stack}.json`), "utf8"));

describe("upgrade from the previous release", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: every stateful resource keeps its URN (or an alias to it) and its replace-forcing inputs`, async () => {
            const old = previous(stack);
            assert.ok(old.steps.length >= 10, "the fixture holds the previous release's stateful resources");
            const current = JSON.parse(JSON.stringify(previewJson(await plan(stack))));
            assert.deepStrictEqual(upgradeProblems(old, current), []);
        });
    }

    it("the fixtures cover every stateful type the stacks use (Aurora, secrets, KMS, buckets, log groups, CA keys)", () => {
        const types = new Set(previous("prod").steps.map(s => s.newState!.type));
        for (const type of ["aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance", "aws:secretsmanager/secret:Secret", "aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:cloudwatch/logGroup:LogGroup", "aws:acmpca/certificateAuthority:CertificateAuthority"]) {
            assert.ok(types.has(type), type);
        }
    });

    describe("upgradeProblems", () => {
        const db = "urn:pulumi:dev::kong-hybrid::kong:controlplane:ControlPlane$aws:rds/cluster:Cluster::cp-db";
        const moved = "urn:pulumi:dev::kong-hybrid::kong:database:Database$aws:rds/cluster:Cluster::cp-db";
        const old: PlanSteps = { steps: [{ urn: db, newState: { type: "aws:rds/cluster:Cluster", inputs: { engine: "aurora-postgresql", clusterIdentifier: "cp-db" } } }] };
        const cases: { name: string; current: PlanSteps; problem?: RegExp }[] = [
            { name: "same URN, same inputs", current: old },
            { name: "moved with an alias", current: { steps: [{ urn: moved, newState: { type: "aws:rds/cluster:Cluster", inputs: { engine: "aurora-postgresql", clusterIdentifier: "cp-db" }, aliases: [db] } }] } },
            { name: "moved without an alias", current: { steps: [{ urn: moved, newState: { type: "aws:rds/cluster:Cluster", inputs: { engine: "aurora-postgresql", clusterIdentifier: "cp-db" } } }] }, problem: /cp-db: no resource of this version has this URN/ },
            { name: "a replace-forcing input changed", current: { steps: [{ urn: db, newState: { type: "aws:rds/cluster:Cluster", inputs: { engine: "aurora-postgresql", clusterIdentifier: "cp-db-2" } } }] }, problem: /clusterIdentifier changes from "cp-db" to "cp-db-2"/ },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const problems = upgradeProblems(old, c.current);
                if (c.problem) assert.match(problems.join("\n"), c.problem);
                else assert.deepStrictEqual(problems, []);
            });
        }

        it("only stateful types are kept in a fixture", () => {
            const kept = statefulSteps({ steps: [...old.steps, { urn: "urn:x::y::aws:ec2/vpc:Vpc::v", newState: { type: "aws:ec2/vpc:Vpc" } }] });
            assert.deepStrictEqual(kept.steps.map(s => s.urn), [db]);
            assert.ok(STATEFUL["aws:rds/cluster:Cluster"].includes("kmsKeyId"));
        });
    });

    it("the plan records aliases as the engine resolves them, children inheriting their parent's", async () => {
        class Box extends pulumi.ComponentResource {
            constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
                super(type, name, {}, opts);
                new aws.cloudwatch.LogGroup(`${name}-logs`, {}, { parent: this });
            }
        }
        const run = await runProgram(() => {
            const old = new Box("kong:old:Old", "outer");
            new Box("kong:edge:Edge", "edge", { parent: old, aliases: [{ name: "legacy" }] });
            return {};
        }, { stack: "dev" });
        const logs = run.resources.find(r => r.name === "edge-logs")!;
        assert.strictEqual(logs.urn, "urn:pulumi:dev::kong-hybrid::kong:old:Old$kong:edge:Edge$aws:cloudwatch/logGroup:LogGroup::edge-logs");
        assert.deepStrictEqual(logs.aliases, ["urn:pulumi:dev::kong-hybrid::kong:old:Old$kong:edge:Edge$aws:cloudwatch/logGroup:LogGroup::legacy-logs"]);
        const edge = run.resources.find(r => r.name === "edge")!;
        assert.deepStrictEqual(edge.aliases, ["urn:pulumi:dev::kong-hybrid::kong:old:Old$kong:edge:Edge::legacy"]);
    });
});
