import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiCommand, type EngineEvent } from "@pulumi/pulumi/automation";
import { KEY_TYPES, StackInputError, toStackConfig, type StackInputs } from "../automation/config";
import { KongStack, OperationCancelled, projectProgram, summarizeEvents } from "../automation/stack";
import { ROOT, runProgram, stackConfig } from "../offline/harness";
import { parseConfig, projectDeclarations } from "../stacks/config";
import { parseDeployArgs } from "../tools/deploy";
import { fakePulumi, type FakePulumi } from "./support/fake-pulumi";

// Pulumi.dev.yaml as a typed object: what an embedding program would write.
const DEV: StackInputs = {
    region: "eu-west-1",
    kong: {
        domain: "kong-gw.dev.example.com", hostedZoneName: "dev.example.com", adminAllowedCidrs: ["203.0.113.0/24"],
        azCount: 2, natMode: "instance", cpCpu: 256, cpMemory: 512, cpScaleToZero: true, dpCpu: 256, dpMemory: 512,
        dpMinCount: 1, dpMaxCount: 3, dpSpotPercent: 100, dbMinCapacity: "0", dbMaxCapacity: "2", logRetentionDays: 7, waf: false,
    },
};
const SECRET = "s3cr3t-Value-that-must-not-leak";

describe("Automation API", () => {
    describe("config mapping (pure)", () => {
        const cases: [string, StackInputs["kong"], Record<string, string>][] = [
            ["strings as they are", { domain: "a.example.com", adminAllowedCidrs: [] }, { "kong-hybrid:domain": "a.example.com", "kong-hybrid:adminAllowedCidrs": "[]" }],
            ["integers and booleans as text", { domain: "a.example.com", adminAllowedCidrs: ["10.0.0.0/8"], azCount: 3, production: true, flowLogs: false },
                { "kong-hybrid:domain": "a.example.com", "kong-hybrid:adminAllowedCidrs": "[\"10.0.0.0/8\"]", "kong-hybrid:azCount": "3", "kong-hybrid:production": "true", "kong-hybrid:flowLogs": "false" }],
            ["lists as JSON", { domain: "a.example.com", adminAllowedCidrs: ["10.0.0.0/8", "2001:db8::/32"], dpUpstreamEgressPorts: [443, 8443] },
                { "kong-hybrid:domain": "a.example.com", "kong-hybrid:adminAllowedCidrs": "[\"10.0.0.0/8\",\"2001:db8::/32\"]", "kong-hybrid:dpUpstreamEgressPorts": "[443,8443]" }],
        ];
        for (const [name, kong, expected] of cases) {
            it(name, () => {
                assert.deepStrictEqual(toStackConfig({ region: "eu-west-1", kong }), { plain: { "aws:region": "eu-west-1", ...expected }, secrets: {} });
            });
        }

        it("names every bad key and value in one line each, and never echoes a secret", () => {
            const bad = {
                region: "Ireland",
                kong: { domain: "a.example.com", adminAllowedCidrs: "10.0.0.0/8", azCount: 2.5, dommain: "x", production: "yes" },
                secrets: { "aws:secretKey": SECRET, domain: SECRET, unknownSecret: SECRET, "aws:token": "" },
            } as unknown as StackInputs;
            let problems: string[] = [];
            assert.throws(() => toStackConfig(bad), (e: unknown) => e instanceof StackInputError && (problems = e.problems).length > 0);
            assert.deepStrictEqual(problems, [
                "aws:region = \"Ireland\": must be an AWS region such as eu-west-1",
                "kong-hybrid:adminAllowedCidrs = \"10.0.0.0/8\": must be a list of strings",
                "kong-hybrid:azCount = 2.5: must be a whole number",
                "kong-hybrid:dommain: unknown key; the keys are declared in Pulumi.yaml",
                "kong-hybrid:production = \"yes\": must be true or false",
                "kong-hybrid:domain: given both as a setting and as a secret; give it once",
                "kong-hybrid:unknownSecret (secret): unknown key; the keys are declared in Pulumi.yaml",
                "aws:token (secret): must be a non-empty string",
            ]);
            assert.ok(!problems.join("\n").includes(SECRET));
        });

        it("knows each key Pulumi.yaml declares, with its declared type", () => {
            const declared = projectDeclarations();
            for (const [key, type] of Object.entries(KEY_TYPES)) {
                const d = declared[key];
                assert.ok(d, `${key} is declared in Pulumi.yaml`);
                const expected = d.type === "array" ? `${d.items?.type ?? "string"}[]` : d.type;
                assert.strictEqual(type, expected, key);
            }
            assert.deepStrictEqual(Object.keys(declared).filter(k => !(k in KEY_TYPES)), [], "every declared key is typed");
        });

        it("the typed dev object means what Pulumi.dev.yaml means", () => {
            const { plain } = toStackConfig(DEV);
            assert.deepStrictEqual(parseConfig(plain, "dev"), parseConfig(stackConfig("dev"), "dev"));
        });

        it("the inline program runs on the mapped config under the mock runtime", async () => {
            const run = await runProgram(projectProgram as () => Promise<Record<string, any>>, { stack: "dev", config: toStackConfig(DEV).plain });
            assert.strictEqual(run.outputs.region, "eu-west-1");
            assert.ok(run.resources.some(r => r.type === "aws:rds/cluster:Cluster"));
            assert.ok(run.resources.filter(r => r.type === "aws:ecs/service:Service").length >= 2);
        });
    });

    describe("engine events (pure)", () => {
        it("gives the change summary, policy violations and errors", () => {
            const events = [
                { sequence: 0, timestamp: 0, diagnosticEvent: { message: "warning only\n", color: "never", severity: "warning" } },
                { sequence: 1, timestamp: 0, policyEvent: { resourceUrn: "urn:a", message: "open to the world\n", color: "never", policyName: "alb-ingress", policyPackName: "kong-hybrid", policyPackVersion: "1", policyPackVersionTag: "1", enforcementLevel: "mandatory" } },
                { sequence: 2, timestamp: 0, policyEvent: { message: "advice", color: "never", policyName: "tags", policyPackName: "kong-hybrid", policyPackVersion: "1", policyPackVersionTag: "1", enforcementLevel: "warning" } },
                { sequence: 3, timestamp: 0, diagnosticEvent: { message: "boom\n", color: "never", severity: "error" } },
                { sequence: 4, timestamp: 0, summaryEvent: { maybeCorrupt: false, durationSeconds: 3, resourceChanges: { create: 2, same: 5 }, policyPacks: {} } },
            ] as EngineEvent[];
            assert.deepStrictEqual(summarizeEvents(events), {
                changes: { create: 2, same: 5 },
                policyViolations: [
                    { policy: "alb-ingress", pack: "kong-hybrid", enforcementLevel: "mandatory", urn: "urn:a", message: "open to the world" },
                    { policy: "tags", pack: "kong-hybrid", enforcementLevel: "warning", urn: undefined, message: "advice" },
                ],
                errors: ["boom"],
            });
        });
    });

    describe("against a fake pulumi executable @slow", () => {
        let fake: FakePulumi;
        let workDir: string;
        const saved = { ...process.env };
        beforeEach(() => {
            fake = fakePulumi();
            workDir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-ws-"));
            process.env.FAKE_PULUMI_LOG = fake.log;
            process.env.FAKE_PULUMI_OUTPUTS = JSON.stringify({ region: "eu-west-1", vpcId: "vpc-1" });
            process.env.FAKE_PULUMI_EVENTS = JSON.stringify([
                { policyEvent: { resourceUrn: "urn:x", message: "too open", color: "never", policyName: "sg-matrix", policyPackName: "kong-hybrid", policyPackVersion: "1", policyPackVersionTag: "1", enforcementLevel: "mandatory" } },
                { summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { create: 3 }, policyPacks: {} } },
            ]);
        });
        afterEach(() => {
            for (const k of ["FAKE_PULUMI_LOG", "FAKE_PULUMI_OUTPUTS", "FAKE_PULUMI_EVENTS", "FAKE_PULUMI_HANG"]) {
                if (saved[k] === undefined) delete process.env[k];
                else process.env[k] = saved[k];
            }
        });
        const open = async (config?: StackInputs) => KongStack.open({
            stackName: "dev", workDir, config,
            pulumiCommand: await PulumiCommand.get({ root: fake.root, skipVersionCheck: true }),
        });
        const withoutVolatile = (argv: string[]) => argv.filter(a => !a.startsWith("--client=")).map(a => (a.includes("automation-logs-") ? "<event-log>" : a));

        it("writes config with set-all and each secret through stdin: no secret in any argv", async () => {
            await open({ ...DEV, secrets: { "aws:secretKey": SECRET } });
            const calls = fake.calls();
            assert.deepStrictEqual(calls.map(c => c.argv), [
                ["version"],
                ["stack", "select", "--stack", "dev", "--non-interactive"],
                ["config", "set-all", "--stack", "dev",
                    "--plaintext", "aws:region=eu-west-1",
                    "--plaintext", "kong-hybrid:domain=kong-gw.dev.example.com",
                    "--plaintext", "kong-hybrid:hostedZoneName=dev.example.com",
                    "--plaintext", "kong-hybrid:adminAllowedCidrs=[\"203.0.113.0/24\"]",
                    "--plaintext", "kong-hybrid:azCount=2",
                    "--plaintext", "kong-hybrid:natMode=instance",
                    "--plaintext", "kong-hybrid:cpCpu=256",
                    "--plaintext", "kong-hybrid:cpMemory=512",
                    "--plaintext", "kong-hybrid:cpScaleToZero=true",
                    "--plaintext", "kong-hybrid:dpCpu=256",
                    "--plaintext", "kong-hybrid:dpMemory=512",
                    "--plaintext", "kong-hybrid:dpMinCount=1",
                    "--plaintext", "kong-hybrid:dpMaxCount=3",
                    "--plaintext", "kong-hybrid:dpSpotPercent=100",
                    "--plaintext", "kong-hybrid:dbMinCapacity=0",
                    "--plaintext", "kong-hybrid:dbMaxCapacity=2",
                    "--plaintext", "kong-hybrid:logRetentionDays=7",
                    "--plaintext", "kong-hybrid:waf=false",
                    "--non-interactive"],
                ["config", "set", "aws:secretKey", "--secret", "--stack", "dev", "--non-interactive"],
            ]);
            const secretCall = calls[calls.length - 1];
            assert.strictEqual(secretCall.stdin, SECRET, "the value arrives on stdin, byte for byte");
            for (const c of calls) assert.ok(!c.argv.join(" ").includes(SECRET), `no secret in ${c.argv.join(" ")}`);
            for (const c of calls) assert.ok(!JSON.stringify(c.env).includes(SECRET), "nor in the environment");
        });

        it("preview runs the inline program with the policy pack and its stack config, and reports violations", async () => {
            const stack = await open();
            const output: string[] = [];
            const events: EngineEvent[] = [];
            const r = await stack.preview({ onOutput: t => output.push(t), onEvent: e => events.push(e) });
            const preview = fake.calls().find(c => c.argv[0] === "preview")!;
            assert.deepStrictEqual(withoutVolatile(preview.argv), [
                "preview", "--policy-pack", path.join(ROOT, "policy"), "--policy-pack-config", path.join(ROOT, "policy", "config", "dev.json"),
                "--exec-kind", "auto.inline", "--event-log", "<event-log>", "--stack", "dev", "--non-interactive",
            ]);
            assert.ok(preview.argv.some(a => /^--client=127\.0\.0\.1:\d+$/.test(a)), "the CLI is pointed at the in-process program");
            assert.strictEqual(output.join(""), "preview: progress line 1\npreview: progress line 2\n");
            assert.ok(events.some(e => e.preludeEvent) && events.some(e => e.summaryEvent));
            assert.deepStrictEqual(r, {
                operation: "preview", outputs: {}, changes: { create: 3 }, errors: [],
                policyViolations: [{ policy: "sg-matrix", pack: "kong-hybrid", enforcementLevel: "mandatory", urn: "urn:x", message: "too open" }],
            });
        });

        it("up, refresh, destroy and outputs: the argument lists and the typed result", async () => {
            const stack = await open();
            const up = await stack.up();
            assert.deepStrictEqual(up.outputs, { region: { value: "eu-west-1", secret: false }, vpcId: { value: "vpc-1", secret: false } });
            assert.deepStrictEqual(up.changes, { create: 3 });
            await stack.refresh();
            await stack.destroy();
            const ops = fake.calls().filter(c => ["up", "refresh", "destroy"].includes(c.argv[0])).map(c => withoutVolatile(c.argv));
            assert.deepStrictEqual(ops, [
                ["up", "--yes", "--skip-preview", "--exec-kind", "auto.inline", "--event-log", "<event-log>", "--stack", "dev", "--non-interactive"],
                ["refresh", "--skip-preview", "--yes", "--event-log", "<event-log>", "--exec-kind", "auto.inline", "--stack", "dev", "--non-interactive"],
                ["destroy", "--yes", "--skip-preview", "--event-log", "<event-log>", "--exec-kind", "auto.inline", "--stack", "dev", "--non-interactive"],
            ]);
            assert.deepStrictEqual(await stack.outputs(), up.outputs);
        });

        it("an AbortSignal sends the CLI SIGINT and the operation ends as cancelled", async () => {
            const stack = await open();
            process.env.FAKE_PULUMI_HANG = "1";
            const abort = new AbortController();
            const running = stack.up({ signal: abort.signal, onOutput: () => abort.abort() });
            await assert.rejects(running, OperationCancelled);
            assert.ok(fake.calls().some(c => c.argv[0] === "up" && c.signal === "SIGINT"), "the CLI got SIGINT");
        });
    });

    describe("npm run deploy @slow", () => {
        const deploy = (args: string[], env: Record<string, string | undefined> = {}) => new Promise<{ code: number; stdout: string; stderr: string }>(resolve => {
            execFile(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "tools/deploy.ts"), ...args],
                { cwd: ROOT, env: { ...process.env, ...env } }, (err, stdout, stderr) => resolve({ code: err ? (err as any).code ?? 1 : 0, stdout, stderr }));
        });

        it("without a Pulumi CLI says so in one line and exits non-zero", async () => {
            const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
            const r = await deploy(["preview", "--stack", "dev"], { PATH: empty });
            assert.strictEqual(r.code, 1);
            assert.strictEqual(r.stderr.trim().split("\n").length, 1, r.stderr);
            assert.match(r.stderr, /^no Pulumi CLI found on PATH: install it .* npm run plan -- --stack dev/);
        });

        it("streams the CLI's progress and exits 1 on a mandatory policy violation", async () => {
            const fake = fakePulumi();
            const r = await deploy(["preview", "--stack", "dev", "--pulumi-root", fake.root], {
                FAKE_PULUMI_LOG: fake.log,
                FAKE_PULUMI_EVENTS: JSON.stringify([
                    { policyEvent: { resourceUrn: "urn:x", message: "too open", color: "never", policyName: "sg-matrix", policyPackName: "kong-hybrid", policyPackVersion: "1", policyPackVersionTag: "1", enforcementLevel: "mandatory" } },
                    { summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { create: 3 }, policyPacks: {} } },
                ]),
            });
            assert.strictEqual(r.code, 1, r.stderr);
            assert.match(r.stdout, /preview: progress line 1\npreview: progress line 2\n/);
            assert.match(r.stdout, /^preview: create 3$/m);
            assert.match(r.stdout, /policy mandatory: sg-matrix: too open \(urn:x\)/);
        });

        const argCases: [string[], RegExp][] = [
            [[], /^no operation: must be one of preview, up, refresh, destroy/],
            [["deploy", "--stack", "dev"], /^operation "deploy": must be one of/],
            [["up"], /^--stack is required/],
            [["up", "--stack"], /^--stack needs a value/],
            [["up", "--stack", "dev", "--yes"], /^--yes needs a value|^unknown argument --yes/],
            [["up", "--stack", "a b"], /^--stack "a b": must be a stack name/],
        ];
        for (const [argv, message] of argCases) {
            it(`rejects ${JSON.stringify(argv)} in one line`, () => {
                const r = parseDeployArgs(argv);
                assert.ok("error" in r);
                assert.match(r.error, message);
            });
        }
    });
});
