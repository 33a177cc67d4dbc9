import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiCommand, type EngineEvent } from "@pulumi/pulumi/automation";
import { KEY_TYPES, StackInputError, toStackConfig, type StackInputs } from "../automation/config";
import { KongStack, OperationCancelled, PolicyViolationsError, projectProgram, staleKeys, summarizeEvents } from "../automation/stack";
import { ROOT, runProgram, stackConfig } from "../offline/harness";
import { ConfigError, parseConfig, projectDeclarations } from "../stacks/config";
import { stackFilesIn } from "../tools/cli";
import { main as deployMain } from "../tools/deploy";
import { policyConfigFile } from "../tools/plan";
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
const policyEvent = (enforcementLevel: "mandatory" | "advisory", policyName = "sg-matrix", message = "too open") =>
    ({ policyEvent: { resourceUrn: "urn:x", message, color: "never", policyName, policyPackName: "kong-hybrid", policyPackVersion: "1", policyPackVersionTag: "1", enforcementLevel } });
const SUMMARY = { summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { create: 3 }, policyPacks: {} } };

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

    describe("config authority (pure)", () => {
        it("removes the plain project keys the typed object no longer has; keeps secrets and other namespaces", () => {
            const mapped = toStackConfig(DEV);
            const current = {
                "kong-hybrid:domain": { value: "old.example.com", secret: false },
                "kong-hybrid:flowLogs": { value: "true", secret: false },
                "kong-hybrid:kongLicenseSecretArn": { value: "[secret]", secret: true },
                "aws:profile": { value: "ops", secret: false },
            };
            assert.deepStrictEqual(staleKeys(current, mapped), ["kong-hybrid:flowLogs"]);
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
            process.env.FAKE_PULUMI_EVENTS = JSON.stringify([policyEvent("advisory", "tags", "advice"), SUMMARY]);
        });
        afterEach(() => {
            for (const k of ["FAKE_PULUMI_LOG", "FAKE_PULUMI_OUTPUTS", "FAKE_PULUMI_EVENTS", "FAKE_PULUMI_HANG", "FAKE_PULUMI_CONFIG", "FAKE_PULUMI_NO_STACK"]) {
                if (saved[k] === undefined) delete process.env[k];
                else process.env[k] = saved[k];
            }
        });
        const open = async (config?: StackInputs, stackName = "dev", dir = workDir) => KongStack.open({
            stackName, workDir: dir, config,
            pulumiCommand: await PulumiCommand.get({ root: fake.root, skipVersionCheck: true }),
        });
        const withoutVolatile = (argv: string[]) => argv.filter(a => !a.startsWith("--client=")).map(a => (a.includes("automation-logs-") ? "<event-log>" : a));

        it("writes config with set-all, removes the keys the object dropped, and each secret through stdin: no secret in any argv", async () => {
            process.env.FAKE_PULUMI_CONFIG = JSON.stringify({
                "kong-hybrid:domain": { value: "old.example.com", secret: false },
                "kong-hybrid:flowLogs": { value: "true", secret: false },
                "kong-hybrid:kongLicenseSecretArn": { value: "[secret]", secret: true },
            });
            await open({ ...DEV, secrets: { "aws:secretKey": SECRET } });
            const calls = fake.calls();
            assert.deepStrictEqual(calls.map(c => c.argv), [
                ["version"],
                ["stack", "select", "--stack", "dev", "--non-interactive"],
                ["config", "--json", "--stack", "dev", "--non-interactive"],
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
                ["config", "rm-all", "--stack", "dev", "kong-hybrid:flowLogs", "--non-interactive"],
                ["config", "set", "aws:secretKey", "--secret", "--stack", "dev", "--non-interactive"],
            ]);
            const secretCall = calls[calls.length - 1];
            assert.strictEqual(secretCall.stdin, SECRET, "the value arrives on stdin, byte for byte");
            for (const c of calls) assert.ok(!c.argv.join(" ").includes(SECRET), `no secret in ${c.argv.join(" ")}`);
            for (const c of calls) assert.ok(!JSON.stringify(c.env).includes(SECRET), "nor in the environment");
        });

        it("validates the typed config as the program does before touching the backend: ConfigError, one line per problem", async () => {
            const bad = { ...DEV, kong: { ...DEV.kong, natMode: "bogus", azCount: 9, dataPlanes: [{ foo: 1 }] } };
            let problems: string[] = [];
            await assert.rejects(open(bad), (e: unknown) => e instanceof ConfigError && (problems = e.problems).length > 0);
            for (const key of ["natMode", "azCount", "dataPlanes"]) assert.ok(problems.some(p => p.includes(key)), `${key} is named: ${problems.join(" | ")}`);
            assert.ok(problems.some(p => p.includes("bogus")), "the value as written");
            for (const p of problems) assert.ok(!p.includes("\n"), p);
            assert.deepStrictEqual(fake.calls().filter(c => c.argv[0] !== "version"), [], "nothing reached the backend");
        });

        it("without a typed config, the stack file is validated before touching the backend", async () => {
            fs.writeFileSync(path.join(workDir, "Pulumi.dev.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8").replace(/natMode: \S+/, "natMode: bogus"));
            await assert.rejects(open(), (e: unknown) => e instanceof ConfigError && e.problems.some(p => p.startsWith('kong-hybrid:natMode = "bogus"')));
            assert.deepStrictEqual(fake.calls().filter(c => c.argv[0] !== "version"), []);
        });

        it("a mandatory violation fails the CLI (exit 255) and reaches the caller as PolicyViolationsError holding the changes and every violation", async () => {
            process.env.FAKE_PULUMI_EVENTS = JSON.stringify([policyEvent("mandatory"), policyEvent("advisory", "tags", "advice"), SUMMARY]);
            const stack = await open();
            for (const run of [() => stack.preview(), () => stack.up()]) {
                let error: PolicyViolationsError | undefined;
                await assert.rejects(run(), (e: unknown) => e instanceof PolicyViolationsError && !!(error = e));
                assert.deepStrictEqual(error!.result.changes, { create: 3 });
                assert.deepStrictEqual(error!.violations.map(v => [v.enforcementLevel, v.policy, v.message]), [["mandatory", "sg-matrix", "too open"], ["advisory", "tags", "advice"]]);
                assert.match(error!.message, /^(preview|up) blocked by 1 mandatory policy violation: sg-matrix$/);
                assert.strictEqual((error!.cause as Error)?.name, "CommandError", "the SDK's error is kept as the cause");
                assert.match(String(error!.cause), /Command failed with exit code 255/);
            }
        });

        it("a failed run without a mandatory violation stays the SDK's CommandError", async () => {
            process.env.FAKE_PULUMI_EVENTS = JSON.stringify([policyEvent("advisory", "tags", "advice"), SUMMARY]);
            process.env.FAKE_PULUMI_EXIT = "255";
            try {
                const stack = await open();
                await assert.rejects(stack.preview(), (e: unknown) => (e as Error).name === "CommandError");
            } finally {
                delete process.env.FAKE_PULUMI_EXIT;
            }
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
                policyViolations: [{ policy: "tags", pack: "kong-hybrid", enforcementLevel: "advisory", urn: "urn:x", message: "advice" }],
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
                ["up", "--yes", "--skip-preview", "--policy-pack", path.join(ROOT, "policy"), "--policy-pack-config", path.join(ROOT, "policy", "config", "dev.json"), "--exec-kind", "auto.inline", "--event-log", "<event-log>", "--stack", "dev", "--non-interactive"],
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

    describe("the policy config: the facade's and npm run plan's are one @slow", () => {
        let fake: FakePulumi;
        beforeEach(() => {
            fake = fakePulumi();
            process.env.FAKE_PULUMI_LOG = fake.log;
        });
        afterEach(() => delete process.env.FAKE_PULUMI_LOG);
        const opened = async (stackName: string) => KongStack.open({ stackName, workDir: ROOT, pulumiCommand: await PulumiCommand.get({ root: fake.root, skipVersionCheck: true }) });

        for (const name of stackFilesIn(ROOT)) {
            it(`${name}: the same file as npm run plan, by its production setting`, async () => {
                const cfg = parseConfig(stackConfig(name), name);
                const planned = policyConfigFile({}, cfg).file;
                assert.strictEqual(planned, path.join(ROOT, "policy", "config", cfg.production ? "prod.json" : "dev.json"));
                assert.deepStrictEqual((await opened(name)).policyOptions().policyPackConfigs, [planned]);
            });
        }

        it("a qualified name org/project/<stack> reads Pulumi.<stack>.yaml", async () => {
            assert.deepStrictEqual((await opened("acme/kong-hybrid/prod")).policyOptions().policyPackConfigs, [path.join(ROOT, "policy", "config", "prod.json")]);
        });

        it("--policy-pack-config given wins; a pack of one's own gets no default config", async () => {
            const dev = await opened("dev");
            assert.deepStrictEqual(dev.policyOptions({ policyPackConfig: "/tmp/mine.json" }).policyPackConfigs, ["/tmp/mine.json"]);
            assert.deepStrictEqual(dev.policyOptions({ policyPack: "/tmp/pack" }), { policyPacks: ["/tmp/pack"], policyPackConfigs: undefined });
            assert.deepStrictEqual(dev.policyOptions({ policyPack: false }), { policyPacks: undefined, policyPackConfigs: undefined });
        });
    });

    describe("npm run deploy", () => {
        /** In-process: what a user sees on each stream, and the exit code. */
        const deployIn = async (argv: string[]) => {
            const [out, err, progress]: string[][] = [[], [], []];
            const code = await deployMain(argv, { out: l => void out.push(l), err: l => void err.push(l), cwd: ROOT }, { write: t => void progress.push(t), writeErr: t => void progress.push(t) });
            return { code, out, err, progress: progress.join("") };
        };
        const STACKS = stackFilesIn(ROOT).join(", ");

        const usageCases: [string, string[], RegExp][] = [
            ["no operation", [], /^npm run deploy: which operation\? give one of preview, up, refresh, destroy \(see npm run deploy -- --help\)$/],
            ["an unknown operation", ["deploy", "--stack", "dev"], /: operation "deploy": must be one of preview, up, refresh, destroy /],
            ["no --stack", ["up"], /: which stack\? give --stack <name> /],
            ["--stack without a value", ["up", "--stack"], /: --stack needs a value /],
            ["--stack twice", ["up", "--stack", "dev", "--stack", "prod"], /: --stack given twice /],
            ["an unknown option", ["preview", "--stack", "dev", "--force"], /: unknown option --force /],
            ["a second operation", ["preview", "up", "--stack", "dev"], /: unexpected argument up /],
            ["a stack name with a space", ["up", "--stack", "a b"], /: --stack "a b": must be a stack name such as dev or org\/project\/dev /],
            ["a stack without a stack file (a typo)", ["destroy", "--stack", "prdo", "--yes"], new RegExp(`: no stack "prdo": the stacks are ${STACKS} \\(Pulumi.<name>.yaml next to Pulumi.yaml\\); this command creates none `)],
            ["destroy without --yes", ["destroy", "--stack", "dev"], /: destroy --stack dev deletes every resource of the stack: add --yes to confirm /],
            ["up on a production stack without --yes", ["up", "--stack", "prod"], /: up --stack prod changes a production stack: add --yes to confirm /],
            ["--pulumi-root without bin/", ["preview", "--stack", "dev", "--pulumi-root", os.tmpdir()], /: --pulumi-root .*: no bin directory there /],
        ];
        for (const [name, argv, message] of usageCases) {
            it(`${name}: one line, exit 2`, async () => {
                const r = await deployIn(argv);
                assert.strictEqual(r.code, 2, r.err.join("\n"));
                assert.deepStrictEqual(r.out, []);
                assert.strictEqual(r.err.length, 1, r.err.join("\n"));
                assert.match(r.err[0], message);
            });
        }

        it("--help (and -h) prints the usage and the exit codes, exit 0", async () => {
            for (const flag of ["--help", "-h"]) {
                const r = await deployIn(["up", flag]);
                assert.strictEqual(r.code, 0);
                assert.match(r.out.join("\n"), /^usage: npm run deploy -- <preview\|up\|refresh\|destroy> --stack <name> \[--yes\]/);
                assert.match(r.out.join("\n"), /exit codes:\n {2}0 {2}pass\n {2}1 .*\n {2}2 {2}usage error/);
                assert.deepStrictEqual(r.err, []);
            }
        });

        describe("against a fake pulumi executable @slow", () => {
            let fake: FakePulumi;
            const saved = { ...process.env };
            beforeEach(() => {
                fake = fakePulumi();
                process.env.FAKE_PULUMI_LOG = fake.log;
                process.env.FAKE_PULUMI_EVENTS = JSON.stringify([SUMMARY]);
            });
            afterEach(() => {
                for (const k of ["FAKE_PULUMI_LOG", "FAKE_PULUMI_EVENTS", "FAKE_PULUMI_NO_STACK"]) {
                    if (saved[k] === undefined) delete process.env[k];
                    else process.env[k] = saved[k];
                }
            });
            const ops = () => fake.calls().filter(c => OPS.includes(c.argv[0]));
            const OPS = ["preview", "up", "refresh", "destroy"];

            it("--stack=<name> is understood; up --yes on production runs with the pack and prod.json", async () => {
                const r = await deployIn(["up", "--stack=prod", "--yes", "--pulumi-root", fake.root]);
                assert.strictEqual(r.code, 0, r.err.join("\n"));
                assert.deepStrictEqual(r.out, ["up: create 3"]);
                const [up] = ops();
                assert.strictEqual(up.argv[0], "up");
                assert.strictEqual(up.argv[up.argv.indexOf("--policy-pack") + 1], path.join(ROOT, "policy"));
                assert.strictEqual(up.argv[up.argv.indexOf("--policy-pack-config") + 1], path.join(ROOT, "policy", "config", "prod.json"));
            });

            it("destroy --yes runs; up on a non-production stack needs no --yes", async () => {
                assert.strictEqual((await deployIn(["destroy", "--stack", "dev", "--yes", "--pulumi-root", fake.root])).code, 0);
                assert.strictEqual((await deployIn(["up", "--stack", "trial", "--pulumi-root", fake.root])).code, 0);
                assert.deepStrictEqual(ops().map(c => c.argv[0]), ["destroy", "up"]);
            });

            it("a stack the backend does not have is refused in one line, exit 2, and not created", async () => {
                process.env.FAKE_PULUMI_NO_STACK = "1";
                const r = await deployIn(["preview", "--stack", "dev", "--pulumi-root", fake.root]);
                assert.strictEqual(r.code, 2);
                assert.deepStrictEqual(r.err, ['npm run deploy: no stack "dev" in the backend (pulumi stack ls lists them): create it with pulumi stack init dev; this command creates none (see npm run deploy -- --help)']);
                assert.deepStrictEqual(fake.calls().filter(c => c.argv[0] !== "version").map(c => c.argv.slice(0, 2)), [["stack", "select"]], "no stack init, no --create");
            });
        });

        describe("as a process @slow", () => {
            const deploy = (args: string[], env: Record<string, string | undefined> = {}) => new Promise<{ code: number; stdout: string; stderr: string }>(resolve => {
                execFile(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "tools/deploy.ts"), ...args],
                    { cwd: ROOT, env: { ...process.env, ...env } }, (err, stdout, stderr) => resolve({ code: err ? (err as any).code ?? 1 : 0, stdout, stderr }));
            });

            it("without a Pulumi CLI says so in one line and exits 1", async () => {
                const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
                const r = await deploy(["preview", "--stack", "dev"], { PATH: empty });
                assert.strictEqual(r.code, 1);
                assert.strictEqual(r.stderr.trim().split("\n").length, 1, r.stderr);
                assert.match(r.stderr, /^no Pulumi CLI found on PATH: install it .* npm run plan -- --stack dev/);
            });

            it("a usage error is one line on stderr, exit 2, no stack trace", async () => {
                const r = await deploy(["destroy", "--stack", "prdo"]);
                assert.strictEqual(r.code, 2);
                assert.strictEqual(r.stdout, "");
                assert.match(r.stderr, /^npm run deploy: no stack "prdo": the stacks are [^\n]+\n$/);
            });

            it("a mandatory violation: the CLI's progress, each violation on its own line, one line why, exit 1", async () => {
                const fake = fakePulumi();
                const r = await deploy(["preview", "--stack", "dev", "--pulumi-root", fake.root], {
                    FAKE_PULUMI_LOG: fake.log,
                    FAKE_PULUMI_EVENTS: JSON.stringify([policyEvent("mandatory"), policyEvent("advisory", "tags", "advice"), SUMMARY]),
                });
                assert.strictEqual(r.code, 1, r.stderr);
                assert.match(r.stdout, /preview: progress line 1\npreview: progress line 2\n/);
                assert.match(r.stdout, /^preview: create 3\n {2}policy mandatory: sg-matrix: too open \(urn:x\)\n {2}policy advisory: tags: advice \(urn:x\)\n$/m);
                assert.match(r.stderr, /^error: preview failed\n/, "the CLI's own stderr, as it printed it");
                assert.match(r.stderr, /\npreview --stack dev: preview blocked by 1 mandatory policy violation: sg-matrix\n$/);
            });
        });
    });
});
