import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { planStack, ROOT, stackConfig } from "../offline/harness";
import { cpHoursOptions } from "../tools/estimate/cp-hours";
import type { Plan } from "../policy/offline";
import { diagram, validateMermaid } from "../tools/diagram";
import { estimate } from "../tools/estimate";
import { estimateCost } from "../tools/estimate/cost";
import { estimateReport, previewJson, TARGETS } from "../tools/plan";
import { plan } from "./support";
import { fakePulumi } from "./support/fake-pulumi";
import { PolicyViolationsError } from "../automation/stack";
import Module = require("module");

// The README's generated blocks (the Automation API example, the cost and time tables, the dev
// diagram) must equal what the code computes now, so they cannot go stale. UPDATE_README=1
// rewrites them from the tools; review the diff.

const README = path.join(ROOT, "README.md");
const realPlan = async (stack: "dev" | "prod"): Promise<Plan> => JSON.parse(JSON.stringify(previewJson(await plan(stack))));

function block(text: string, id: string): { start: number; end: number; body: string } {
    const begin = new RegExp(`<!-- BEGIN generated: ${id}\\b[^>]*-->\\n`).exec(text);
    const endMarker = `<!-- END generated: ${id} -->`;
    assert.ok(begin, `README.md has no block ${id}`);
    const end = text.indexOf(endMarker, begin.index);
    assert.ok(end > begin.index, `README.md block ${id} has no end marker`);
    return { start: begin.index + begin[0].length, end, body: text.slice(begin.index + begin[0].length, end) };
}

/** Compares a generated block with the README, or rewrites it under UPDATE_README=1. */
function matchesReadme(id: string, expected: string): void {
    const text = fs.readFileSync(README, "utf8");
    const b = block(text, id);
    if (process.env.UPDATE_README === "1") {
        fs.writeFileSync(README, text.slice(0, b.start) + expected + text.slice(b.end));
        return;
    }
    assert.strictEqual(b.body, expected, `README.md block ${id} is stale: UPDATE_README=1 npx mocha test/readme.spec.ts, then review the diff`);
}

const fenced = (lang: string, body: string) => `\`\`\`${lang}\n${body.replace(/\n$/, "")}\n\`\`\`\n`;
const usd = (n: number) => `$${n.toFixed(2)}`;
const mark = (ok: boolean) => (ok ? "met" : "**missed**");

/** The README's summary table, from the tool's figures. */
async function summaryTable(): Promise<string> {
    const rows = ["| Stack | Idle / month | Idle target | At the stated load / month | First deploy | DP rolling update (≤ 3 min) |", "|---|---|---|---|---|---|"];
    for (const stack of ["dev", "prod"] as const) {
        const e = estimate(await realPlan(stack), cpHoursOptions(stackConfig(stack)));
        const pca = e.lines.filter(l => l.item.startsWith("ACM Private CA")).reduce((n, l) => n + l.monthlyUsd, 0);
        const idle = Math.round((e.monthlyUsd.idle - pca) * 100) / 100;
        const target = stack === "prod"
            ? `${usd(idle)} without the ACM Private CA (≤ ${usd(TARGETS.prodIdleWithoutPcaUsd)}): ${mark(idle <= TARGETS.prodIdleWithoutPcaUsd)}; the CA adds ${usd(pca)}`
            : `≤ ${usd(TARGETS.devIdleUsd)}: ${mark(e.monthlyUsd.idle <= TARGETS.devIdleUsd)}`;
        rows.push(`| ${stack} | ${usd(e.monthlyUsd.idle)} | ${target} | ${usd(e.monthlyUsd.load)} | ${e.firstDeployMinutes} min | ${e.dpRollingUpdateMinutes === null ? "not estimated" : `${e.dpRollingUpdateMinutes} min: ${mark(e.dpRollingUpdateMinutes <= TARGETS.dpRollingUpdateMinutes)}`} |`);
    }
    return `${rows.join("\n")}\n`;
}

/**
 * What the scale-to-zero controller does to dev's idle month: dev without it (an always-on CP), and
 * dev with it, first with no trigger all month, then with the business-week trace. Every line is
 * the estimator's, the controller's own Lambda and metrics included.
 */
async function devSleepTable(): Promise<string> {
    const awake = await planStack("dev", { "kong-hybrid:cpScaleToZero": "false" });
    const dev = await realPlan("dev");
    const week = cpHoursOptions(stackConfig("dev"));
    const rows: [string, Plan, number][] = [
        ["without the controller (`cpScaleToZero: false`)", JSON.parse(JSON.stringify(previewJson(awake))), 730],
        ["with the controller, no trigger all month", dev, 0],
        ["with the controller, the business week", dev, week.cpRunningHoursPerMonth!],
    ];
    const lines = ["| dev | CP running | idle $/month |", "|---|---|---|"];
    for (const [label, p, hours] of rows) lines.push(`| ${label} | ${hours} h | ${usd(estimateCost(p, { cpRunningHoursPerMonth: hours }).monthlyUsd.idle)} |`);
    return `${lines.join("\n")}\n`;
}

/** Type-checks a README TypeScript block as if it were a file at the repository root. */
function typeErrors(code: string): string[] {
    const file = path.join(ROOT, "readme-example.ts");
    const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const host = ts.createCompilerHost(parsed.options);
    const read = host.readFile.bind(host);
    const exists = host.fileExists.bind(host);
    const getSource = host.getSourceFile.bind(host);
    host.readFile = f => (path.resolve(f) === file ? code : read(f));
    host.fileExists = f => path.resolve(f) === file || exists(f);
    host.getSourceFile = (f, lang, onError, create) => (path.resolve(f) === file ? ts.createSourceFile(f, code, lang) : getSource(f, lang, onError, create));
    const program = ts.createProgram([file], { ...parsed.options, noEmit: true }, host);
    return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map(d => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

const AUTOMATION_EXAMPLE = `import { KongStack, PolicyViolationsError } from "./automation";

// Preview with the policy pack; a mandatory violation stops here, before anything changes.
// Then deploy within an hour (up runs the same pack and config).
export async function deployStaging(): Promise<void> {
    const stack = await KongStack.open({
        stackName: "staging",
        config: {
            region: "eu-west-1",
            kong: { domain: "api.staging.example.com", hostedZoneName: "staging.example.com", adminAllowedCidrs: ["198.51.100.0/24"] },
        },
    });
    const onOutput = (text: string) => process.stdout.write(text);
    try {
        const preview = await stack.preview({ onOutput });
        for (const v of preview.policyViolations) console.warn(\`\${v.enforcementLevel} \${v.policy}: \${v.message}\`);
    } catch (e) {
        if (e instanceof PolicyViolationsError) {
            for (const v of e.violations) console.error(\`\${v.enforcementLevel} \${v.policy}: \${v.message}\`);
        }
        throw e;
    }
    const up = await stack.up({ onOutput, signal: AbortSignal.timeout(60 * 60_000) });
    console.log(up.changes, up.outputs.gatewayUrl?.value);
}
`;

/** Loads a README TypeScript block as a module at the repository root (so "./automation" resolves). */
function loadExample(code: string): Record<string, any> {
    const file = path.join(ROOT, "readme-example.ts");
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
    const m = new Module(file) as any;
    m.filename = file;
    m.paths = (Module as any)._nodeModulePaths(ROOT);
    m._compile(js, file);
    return m.exports;
}

describe("README: the Automation API example runs against a fake pulumi CLI @slow", function () {
    this.timeout(60_000);
    const KEYS = ["PATH", "FAKE_PULUMI_LOG", "FAKE_PULUMI_EVENTS", "FAKE_PULUMI_OUTPUTS", "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK"];
    const policyEvent = (enforcementLevel: string, policyName: string, message: string) =>
        ({ policyEvent: { resourceUrn: "urn:x", message, color: "never", policyName, policyPackName: "kong-hybrid", policyPackVersion: "1", policyPackVersionTag: "1", enforcementLevel } });
    const summary = { summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { create: 3 }, policyPacks: {} } };

    /** Runs deployStaging() with `pulumi` on PATH being the fake; what it printed and which operations the CLI ran. */
    async function runExample(events: unknown[]): Promise<{ error?: unknown; printed: { stream: string; text: string }[]; ops: string[][] }> {
        const fake = fakePulumi();
        const saved = Object.fromEntries(KEYS.map(k => [k, process.env[k]]));
        Object.assign(process.env, {
            PATH: `${path.join(fake.root, "bin")}${path.delimiter}${process.env.PATH}`, FAKE_PULUMI_LOG: fake.log, FAKE_PULUMI_EVENTS: JSON.stringify(events),
            FAKE_PULUMI_OUTPUTS: JSON.stringify({ gatewayUrl: "https://api.staging.example.com" }),
            // The fake says v3.200.0; the SDK would refuse it as older than it needs.
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        });
        const printed: { stream: string; text: string }[] = [];
        const original = { write: process.stdout.write, log: console.log, warn: console.warn, error: console.error };
        process.stdout.write = ((text: string) => (printed.push({ stream: "stdout", text: String(text) }), true)) as typeof process.stdout.write;
        console.log = (...a: unknown[]) => void printed.push({ stream: "log", text: a.map(x => (typeof x === "string" ? x : JSON.stringify(x))).join(" ") });
        console.warn = (...a: unknown[]) => void printed.push({ stream: "warn", text: a.join(" ") });
        console.error = (...a: unknown[]) => void printed.push({ stream: "error", text: a.join(" ") });
        let error: unknown;
        try {
            await loadExample(AUTOMATION_EXAMPLE).deployStaging();
        } catch (e) {
            error = e;
        } finally {
            Object.assign(process.stdout, { write: original.write });
            Object.assign(console, { log: original.log, warn: original.warn, error: original.error });
            for (const k of KEYS) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
        }
        const ops = fake.calls().filter(c => ["preview", "up"].includes(c.argv[0])).map(c => c.argv);
        return { error, printed, ops };
    }

    it("a mandatory violation: the example prints it and stops before up", async () => {
        const r = await runExample([policyEvent("mandatory", "sg-matrix", "too open"), policyEvent("advisory", "tags", "advice"), summary]);
        assert.ok(r.error instanceof PolicyViolationsError, String(r.error));
        assert.deepStrictEqual(r.printed.filter(p => p.stream === "error").map(p => p.text), ["mandatory sg-matrix: too open", "advisory tags: advice"]);
        assert.deepStrictEqual(r.ops.map(a => a[0]), ["preview"], "no up after a blocked preview");
    });

    it("advisory only: the example warns, then runs up with the same pack and config, and prints the outputs", async () => {
        const r = await runExample([policyEvent("advisory", "tags", "advice"), summary]);
        assert.strictEqual(r.error, undefined);
        assert.deepStrictEqual(r.printed.filter(p => p.stream === "warn").map(p => p.text), ["advisory tags: advice"]);
        assert.deepStrictEqual(r.ops.map(a => a[0]), ["preview", "up"]);
        for (const argv of r.ops) {
            assert.strictEqual(argv[argv.indexOf("--policy-pack") + 1], path.join(ROOT, "policy"));
            assert.strictEqual(argv[argv.indexOf("--policy-pack-config") + 1], path.join(ROOT, "policy", "config", "dev.json"));
        }
        assert.ok(r.printed.some(p => p.stream === "stdout" && p.text.includes("up: progress line 2")), "progress streamed");
        assert.deepStrictEqual(r.printed.filter(p => p.stream === "log").map(p => p.text), ['{"create":3} https://api.staging.example.com']);
    });
});

describe("README: generated blocks equal what the code computes now", function () {
    this.timeout(120_000);

    it("the Automation API example type-checks against automation/", () => {
        assert.deepStrictEqual(typeErrors(AUTOMATION_EXAMPLE), []);
        matchesReadme("automation-example", fenced("typescript", AUTOMATION_EXAMPLE));
    });

    it("the cost and time summary for dev and prod", async () => {
        matchesReadme("estimate-summary", await summaryTable());
    });

    it("dev's idle month with and without the scale-to-zero controller", async () => {
        matchesReadme("estimate-dev-sleep", await devSleepTable());
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: the estimate line by line, as npm run plan prints it`, async () => {
            const p = await realPlan(stack);
            const raw = stackConfig(stack);
            matchesReadme(`estimate-${stack}`, fenced("text", (await estimateReport(p, stack === "prod", cpHoursOptions(raw), raw["aws:region"])).join("\n")));
        });
    }

    it("the dev diagram, as npm run plan -- --stack dev --diagram writes it, and Mermaid parses it", async () => {
        const text = diagram(await realPlan("dev"));
        assert.strictEqual(await validateMermaid(text), "flowchart-v2");
        matchesReadme("diagram-dev", fenced("mermaid", text));
    });

    for (const stack of ["eks", "mixed"] as const) {
        it(`the ${stack} diagram, as npm run plan -- --stack ${stack} --diagram writes it`, async () => {
            const text = diagram(JSON.parse(JSON.stringify(previewJson(await plan(stack)))));
            assert.strictEqual(await validateMermaid(text), "flowchart-v2");
            matchesReadme(`diagram-${stack}`, fenced("mermaid", text));
        });
    }

    it("a type error in an example is caught (the check can fail)", () => {
        assert.ok(typeErrors(AUTOMATION_EXAMPLE.replace("stackName", "stack_name")).length > 0);
    });
});
