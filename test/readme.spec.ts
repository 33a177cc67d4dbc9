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

const AUTOMATION_EXAMPLE = `import { KongStack } from "./automation";

// Preview with the policy pack, stop on a mandatory violation, then deploy within an hour.
export async function deployStaging(): Promise<void> {
    const stack = await KongStack.open({
        stackName: "staging",
        config: {
            region: "eu-west-1",
            kong: { domain: "api.staging.example.com", hostedZoneName: "staging.example.com", adminAllowedCidrs: ["198.51.100.0/24"] },
        },
    });
    const preview = await stack.preview({ onOutput: text => process.stdout.write(text) });
    const blocking = preview.policyViolations.filter(v => v.enforcementLevel === "mandatory");
    if (blocking.length > 0) throw new Error(blocking.map(v => \`\${v.policy}: \${v.message}\`).join("\\n"));
    const up = await stack.up({ onOutput: text => process.stdout.write(text), signal: AbortSignal.timeout(60 * 60_000) });
    console.log(up.changes, up.outputs.gatewayUrl?.value);
}
`;

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
