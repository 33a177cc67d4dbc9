import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aws from "@pulumi/aws";
import { planStack, ROOT, runProgram, stackConfig } from "../offline/harness";
import { parseConfig } from "../stacks/config";
import { keyChoices, previewJson } from "../tools/plan";
import { plan } from "./support";

function runPlanCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise(resolve => {
        execFile(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "tools/plan.ts"), ...args],
            { cwd: ROOT }, (err, stdout, stderr) => resolve({ code: err ? (err as any).code ?? 1 : 0, stdout, stderr }));
    });
}

describe("offline plan", () => {
    for (const stack of ["dev", "prod"] as const) {
        describe(`${stack} stack`, () => {
            it("runs the whole program and registers each URN once", async () => {
                const run = await plan(stack);
                assert.deepStrictEqual(run.duplicateUrns, []);
                assert.ok(run.resources.filter(r => r.custom).length > 20);
                assert.strictEqual(run.resources.filter(r => r.type === "pulumi:pulumi:Stack").length, 1);
            });

            it("gives every resource an id and ARN shaped like AWS's", async () => {
                const run = await plan(stack);
                const shapes: [string, RegExp][] = [
                    ["aws:ec2/securityGroup:SecurityGroup", /^sg-0[0-9a-f]{16}$/],
                    ["aws:ec2/subnet:Subnet", /^subnet-0[0-9a-f]{16}$/],
                    ["aws:ec2/vpc:Vpc", /^vpc-0[0-9a-f]{16}$/],
                    ["aws:kms/key:Key", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/],
                ];
                for (const [type, shape] of shapes) {
                    const ofShape = run.resources.filter(r => r.type === type);
                    assert.ok(ofShape.length > 0, `the plan has a ${type}`);
                    for (const r of ofShape) assert.match(r.id!, shape, r.urn);
                }
                const arns = run.resources.filter(r => r.custom && typeof r.outputs.arn === "string").map(r => r.outputs.arn as string);
                assert.ok(arns.length > 3);
                for (const arn of arns) assert.match(arn, /^arn:aws:[a-z0-9-]+:(eu-west-1)?:(123456789012)?:.+/, arn);
                // Unique per type: AWS gives an S3 bucket's policy, encryption, lifecycle... the bucket's name as id.
                const ids = run.resources.filter(r => r.custom).map(r => `${r.type} ${r.id}`);
                assert.strictEqual(new Set(ids).size, ids.length, "ids are unique per type");
            });

            it("writes JSON in the shape of pulumi preview --json", async () => {
                const run = await plan(stack);
                const json = JSON.parse(JSON.stringify(previewJson(run)));
                assert.strictEqual(json.steps.length, run.resources.length, "one step per registered resource, components included");
                for (const step of json.steps) {
                    assert.strictEqual(step.op, "create");
                    assert.strictEqual(step.urn, step.newState.urn);
                    for (const key of ["urn", "type", "id", "parent", "custom", "inputs", "outputs"]) assert.ok(key in step.newState, `${key} in ${step.urn}`);
                }
                const component = json.steps.find((s: any) => s.newState.type === "kong:network:Vpc");
                assert.strictEqual(component.newState.custom, false);
                const route = json.steps.find((s: any) => s.newState.type === "aws:ec2/route:Route");
                assert.ok(route.newState.propertyDependencies.routeTableId[0].includes("aws:ec2/routeTable:RouteTable"), "references are kept as propertyDependencies");
            });
        });
    }

    it("fails loudly, naming the token, on an invoke the mock cloud does not know", async () => {
        const errors: string[] = [];
        const original = console.error;
        console.error = (m: string) => errors.push(String(m));
        try {
            await assert.rejects(runProgram(async () => {
                await aws.ec2.getVpc({ default: true });
                return {};
            }, { config: { "aws:region": "eu-west-1" } }));
        } finally {
            console.error = original;
        }
        assert.ok(errors.some(e => e.includes("aws:ec2/getVpc:getVpc")), errors.join("\n"));
    });

    it("the key choices give each DP group its own Spot share (dataPlanes[i].spotPercent over dpSpotPercent)", async () => {
        const groups = [
            { name: "public", runtime: "ecs", exposure: "public", minCount: 1, maxCount: 3 },
            { name: "internal", runtime: "ecs", exposure: "internal", minCount: 1, maxCount: 2, spotPercent: 75 },
        ];
        const raw = stackConfig("groups", { "kong-hybrid:dpSpotPercent": "20", "kong-hybrid:dataPlanes": JSON.stringify(groups) });
        const cfg = parseConfig(raw, "groups");
        const run = await planStack("groups", { "kong-hybrid:dpSpotPercent": "20", "kong-hybrid:dataPlanes": JSON.stringify(groups) });
        const line = keyChoices(run, cfg).find(l => l.trimStart().startsWith("DP groups"))!;
        assert.match(line, /dp-public \([^)]*, 20% on Spot, behind the ALB\)/);
        assert.match(line, /dp-internal \([^)]*, 75% on Spot, behind an internal ALB\)/);
    });

    describe("command line", () => {
        it("prints the summary and writes the JSON plan", async () => {
            const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "plan.json");
            const r = await runPlanCli(["--stack", "dev", "--json", out]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.match(r.stdout, /^Plan for stack dev: \d+ resources in \d+ components/m);
            assert.match(r.stdout, /^Vpc kong-dev  \(\d+\)$/m);
            assert.match(r.stdout, /^Outputs:/m);
            // The policy pack runs on the plan: dev's only finding is its missing WAF (waf: false), advisory under policy/config/dev.json.
            assert.match(r.stdout, /Policy verdict: PASS \(0 mandatory, 1 advisory violation\)/);
            assert.match(r.stdout, /\[advisory\] edge-waf: LoadBalancer "dp-public-edge-alb" faces the internet without a WAF/);
            assert.match(r.stdout, /^  edge        https:\/\/kong-gw\.dev\.example\.com\/ \(ACM certificate, zone dev\.example\.com; no WAF\)$/m);
            assert.ok(JSON.parse(fs.readFileSync(out, "utf8")).steps.length > 20);
        });

        it("exits non-zero on invalid config with one line per problem and no stack trace", async () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bad-")), "Pulumi.bad.yaml");
            fs.writeFileSync(file, [
                "config:",
                "  aws:region: eu-west-1",
                "  kong-hybrid:dommain: kong.example.com",
                "  kong-hybrid:domain: kong.example.com",
                "  kong-hybrid:production: 'true'",
                "  kong-hybrid:adminAllowedCidrs: ['0.0.0.0/0']",
                "  kong-hybrid:cpCpu: '256'",
                "  kong-hybrid:cpMemory: '4096'",
                "  kong-hybrid:dataPlaneKongImage: kong/kong-gateway:3.9.1.0",
            ].join("\n"));
            const r = await runPlanCli(["--config", file]);
            assert.strictEqual(r.code, 1);
            const problems = r.stderr.split("\n").filter(l => l.startsWith("  - "));
            assert.strictEqual(problems.length, 4, r.stderr);
            assert.match(r.stderr, /kong-hybrid:dommain: unknown key/);
            assert.match(r.stderr, /kong-hybrid:cpMemory = 4096: Fargate does not run 256 CPU units/);
            assert.match(r.stderr, /kong-hybrid:adminAllowedCidrs contains 0\.0\.0\.0\/0/);
            assert.match(r.stderr, /kong-hybrid:dataPlaneKongImage .*same edition/);
            assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
            assert.strictEqual(r.stdout, "", "nothing planned");
        });

        it("rejects an AZ count the region does not have, before registering anything", async () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bad-")), "Pulumi.az.yaml");
            fs.writeFileSync(file, "config:\n  aws:region: eu-west-1\n  kong-hybrid:domain: kong.example.com\n  kong-hybrid:adminAllowedCidrs: ['10.0.0.0/8']\n  kong-hybrid:azCount: '4'\n");
            const r = await runPlanCli(["--config", file]);
            assert.strictEqual(r.code, 1);
            assert.match(r.stderr, /kong-hybrid:azCount = 4: eu-west-1 has only 3 availability zones/);
        });
    });
});
