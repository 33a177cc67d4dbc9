import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Plan } from "../policy/offline";
import { diagram, validateMermaid } from "../tools/diagram";
import { estimate, type EstimateJson } from "../tools/estimate";
import { main, PLAN_HELP, previewJson, targetLines, TARGETS } from "../tools/plan";
import { plan } from "./support";
import { stackConfig } from "../offline/harness";
import { cpHoursOptions } from "../tools/estimate/cp-hours";

// `npm run plan` with --estimate and --diagram, through its main in-process: what the user reads on
// the terminal and the files the next program reads.

const realPlan = async (stack: "dev" | "prod"): Promise<Plan> => JSON.parse(JSON.stringify(previewJson(await plan(stack))));

async function runPlan(argv: string[]) {
    const out: string[] = [], err: string[] = [];
    const code = await main(argv, { out: l => out.push(l), err: l => err.push(l), cwd: fs.mkdtempSync(path.join(os.tmpdir(), "plan-est-")) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

const figures = (idle: number, rolling: number | null, pca = 0): EstimateJson => ({
    monthlyUsd: { idle, load: idle + 10 },
    firstDeployMinutes: 15,
    dpRollingUpdateMinutes: rolling,
    lines: [{ item: "Fargate: x", monthlyUsd: idle - pca }, ...(pca ? [{ item: "ACM Private CA kong-prod-ca-pca (general-purpose)", monthlyUsd: pca }] : [])],
});

describe("npm run plan: estimate and diagram", () => {
    describe("targets next to the estimate, marked honestly", () => {
        const cases: { name: string; e: EstimateJson; production: boolean; lines: string[] }[] = [
            { name: "dev exactly at the target", e: figures(45, 3), production: false, lines: ["idle ≤ $45.00/month (not production): $45.00  met", "DP rolling update ≤ 3 min: 3 min  met"] },
            { name: "dev a cent over", e: figures(45.01, 3.1), production: false, lines: ["idle ≤ $45.00/month (not production): $45.01  MISSED", "DP rolling update ≤ 3 min: 3.1 min  MISSED"] },
            { name: "prod: the PCA is left out of the target and stated on its own", e: figures(750, 2, 400), production: true,
                lines: ["idle without ACM Private CA ≤ $350.00/month (production, highly available): $350.00  met", "ACM Private CA, on top: $400.00/month"] },
            { name: "prod over the target even without the PCA", e: figures(760, 2, 400), production: true, lines: ["idle without ACM Private CA ≤ $350.00/month (production, highly available): $360.00  MISSED"] },
            { name: "prod without a PCA says so", e: figures(300, 2), production: true, lines: ["idle without ACM Private CA ≤ $350.00/month (production, highly available): $300.00  met", "ACM Private CA: none in this stack"] },
            { name: "a rolling update that was not estimated is never met", e: figures(45, null), production: false, lines: ["DP rolling update ≤ 3 min: not estimated"] },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const got = targetLines(c.e, c.production).map(l => l.trim());
                for (const line of c.lines) assert.ok(got.includes(line), `${line}\n  in\n${got.join("\n")}`);
            });
        }
        it("the targets are the issue's", () => assert.deepStrictEqual({ ...TARGETS }, { devIdleUsd: 45, prodIdleWithoutPcaUsd: 350, dpRollingUpdateMinutes: 3 }));
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: prints the estimate with the targets and writes the estimate JSON and the Mermaid the tools compute`, async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-out-"));
            const [estFile, mmdFile] = [path.join(dir, "estimate.json"), path.join(dir, "dev.mmd")];
            const r = await runPlan(["--stack", stack, "--estimate", estFile, "--diagram", mmdFile]);
            assert.strictEqual(r.code, 0, r.err);
            const p = await realPlan(stack);
            // As the plan computes it: with the stack's CP hours (a replayed trace when cpScaleToZero is on).
            const expected = estimate(p, cpHoursOptions(stackConfig(stack)));
            const written = JSON.parse(fs.readFileSync(estFile, "utf8"));
            assert.deepStrictEqual(written, JSON.parse(JSON.stringify(expected)));
            assert.deepStrictEqual(Object.keys(written), ["monthlyUsd", "firstDeployMinutes", "dpRollingUpdateMinutes", "lines"]);
            const text = fs.readFileSync(mmdFile, "utf8");
            assert.strictEqual(text, diagram(p));
            assert.strictEqual(await validateMermaid(text), "flowchart-v2");

            assert.match(r.out, new RegExp(`total idle \\$${expected.monthlyUsd.idle.toFixed(2)}/month; at the stated load \\$${expected.monthlyUsd.load.toFixed(2)}/month`));
            assert.match(r.out, new RegExp(`^Estimated first deploy: ${expected.firstDeployMinutes} min`, "m"));
            assert.match(r.out, new RegExp(`DP rolling update ≤ 3 min: ${expected.dpRollingUpdateMinutes} min  (met|MISSED)$`, "m"));
            // Every cost line is printed with its amount.
            for (const l of expected.lines) assert.ok(r.out.includes(`$${l.monthlyUsd.toFixed(2)}`), l.item);
            const pca = expected.lines.filter(l => l.item.startsWith("ACM Private CA")).reduce((n, l) => n + l.monthlyUsd, 0);
            const usd = (n: number) => `$${n.toFixed(2)}`;
            const target = stack === "dev"
                ? `  idle ≤ $45.00/month (not production): ${usd(expected.monthlyUsd.idle)}  ${expected.monthlyUsd.idle <= 45 ? "met" : "MISSED"}`
                : `  idle without ACM Private CA ≤ $350.00/month (production, highly available): ${usd(expected.monthlyUsd.idle - pca)}  ${expected.monthlyUsd.idle - pca <= 350 ? "met" : "MISSED"}\n  ACM Private CA, on top: ${usd(pca)}/month`;
            assert.ok(r.out.includes(target), `${target}\n  in\n${r.out}`);
            if (stack === "prod") assert.ok(pca >= 400, "prod runs a general-purpose ACM Private CA");
            // The stack's own region (aws:region in its file), next to the targets judged at us-east-1 prices.
            assert.ok(r.out.includes(`  region eu-west-1: not in the price table (no eu-west-1 price verified from a public AWS source); the targets are judged on the us-east-1 figure above (${usd(expected.monthlyUsd.idle)} idle)`), r.out);
            assert.match(r.out, /Policy verdict: PASS/);
        });
    }

    // The EKS stacks: every Data Plane group, ECS or EKS, is in the figure the target is judged on.
    const eksStacks: { stack: string; groups: RegExp[]; line: string }[] = [
        { stack: "eks", groups: [/^ {4}kong-dp-public \(EKS\): 1 wave × 1\.3 min \(pod start, readiness probe\) \+ 1 min /m], line: "  DP rolling update ≤ 3 min: 2.3 min  met" },
        { stack: "mixed", groups: [/^ {4}dp-ecs: 1 wave × 2\.8 min /m, /^ {4}kong-dp-eks \(EKS\): 1 wave × 1\.3 min .* \+ 1 min /m], line: "  DP rolling update ≤ 3 min: 2.8 min  met" },
    ];
    for (const c of eksStacks) {
        it(`${c.stack}: the rolling update covers the EKS groups and the target is judged on it`, async () => {
            const r = await runPlan(["--stack", c.stack]);
            assert.strictEqual(r.code, 0, r.err);
            for (const g of c.groups) assert.match(r.out, g);
            assert.ok(r.out.split("\n").includes(c.line), `${c.line}\n  in\n${r.out}`);
        });
    }

    it("--help names both options", async () => {
        const r = await runPlan(["--help"]);
        assert.strictEqual(r.code, 0);
        assert.strictEqual(r.out, PLAN_HELP);
        assert.match(PLAN_HELP, /^ {2}--estimate <file> /m);
        assert.match(PLAN_HELP, /^ {2}--diagram <file> /m);
    });

    const usage: { argv: string[]; message: RegExp }[] = [
        { argv: ["--stack", "dev", "--validate-only", "--estimate", "e.json"], message: /--validate-only plans nothing: --estimate does not apply/ },
        { argv: ["--stack", "dev", "--validate-only", "--diagram", "d.mmd", "--json", "p.json"], message: /--validate-only plans nothing: --json, --diagram do not apply/ },
        { argv: ["--stack", "dev", "--diagram", "no-such-dir/d.mmd"], message: /--diagram no-such-dir\/d\.mmd: the directory no-such-dir does not exist/ },
        { argv: ["--stack", "dev", "--estimate"], message: /--estimate needs a value/ },
    ];
    for (const u of usage) {
        it(`usage error before planning: ${u.argv.slice(2).join(" ")}`, async () => {
            const r = await runPlan(u.argv);
            assert.strictEqual(r.code, 2);
            assert.match(r.err, u.message);
            assert.strictEqual(r.err.split("\n").length, 1, r.err);
            assert.strictEqual(r.out, "");
        });
    }
});
