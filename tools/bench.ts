// npm run bench [-- --runs N]
//
// Times the offline plan for dev and prod (whole processes, as a user runs them: node, ts-node,
// the Pulumi SDK, the mock runtime and the program) against the same runtime with an empty
// program, and reports medians and the ratio. Target: the prod plan within 3x of the baseline.

import { spawnSync } from "child_process";
import * as path from "path";
import { EXIT, EXIT_CODES_HELP, guarded, parseArgs, run, UsageError, type Io } from "./cli";

const ROOT = path.join(__dirname, "..");
const TARGET_RATIO = 3;
const DEFAULT_RUNS = 5;

export const BENCH_HELP = `usage: npm run bench [-- --runs N]

Times the offline plan of the dev and prod stacks as whole processes (node, ts-node, the Pulumi
SDK, the mock runtime and the program) against the same runtime running an empty program, after
one warm-up each. Prints each run as it finishes, then the median, min, max and the ratio to the
baseline. The target is a prod plan within ${TARGET_RATIO}x of the baseline.

  --runs N     timed runs per case, a whole number from 1 to 100 (default ${DEFAULT_RUNS}); the whole
               benchmark takes about 3 x (N + 1) plans
  -h, --help   this help

${EXIT_CODES_HELP.replace("invalid configuration (stack file or policy config), a mandatory policy violation, or the program failed", "a plan failed (a ratio over the target is reported, not failed: timings vary with the machine)")}`;

function timeOnce(script: string, args: string[]): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, script), ...args], { cwd: ROOT, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${script} ${args.join(" ")} exited ${r.status}: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" / ")}`);
    return ms;
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function main(argv: string[], io: Io): Promise<number> {
    return guarded("npm run bench", io, () => {
        const args = parseArgs(argv, { withValue: ["--runs"], switches: ["--help"] });
        if (args.switches.has("--help")) return (io.out(BENCH_HELP), EXIT.pass);
        const text = args.options["--runs"] ?? String(DEFAULT_RUNS);
        const runs = Number(text);
        if (!/^\d+$/.test(text) || runs < 1 || runs > 100) throw new UsageError(`--runs ${text}: must be a whole number from 1 to 100`);
        const cases: [string, string, string[]][] = [
            ["empty program (baseline)", "tools/empty-program.ts", []],
            ["plan dev", "tools/plan.ts", ["--stack", "dev"]],
            ["plan prod", "tools/plan.ts", ["--stack", "prod"]],
        ];
        io.err(`warming up (one untimed run of each case)…`);
        for (const [, script, args] of cases) timeOnce(script, args);
        const results = cases.map(([label, script, caseArgs]) => {
            const times: number[] = [];
            for (let i = 1; i <= runs; i++) {
                times.push(timeOnce(script, caseArgs));
                io.err(`  ${label}: run ${i}/${runs} ${times[times.length - 1].toFixed(0)} ms`);
            }
            return { label, median: median(times), min: Math.min(...times), max: Math.max(...times) };
        });
        const baseline = results[0].median;
        io.out(`Offline plan benchmark: ${runs} runs each, median wall time of a whole process (node ${process.version})\n`);
        io.out(`${"case".padEnd(26)} ${"median".padStart(9)} ${"min".padStart(9)} ${"max".padStart(9)} ${"ratio".padStart(7)}`);
        for (const r of results) {
            io.out(`${r.label.padEnd(26)} ${r.median.toFixed(0).padStart(7)}ms ${r.min.toFixed(0).padStart(7)}ms ${r.max.toFixed(0).padStart(7)}ms ${(r.median / baseline).toFixed(2).padStart(6)}x`);
        }
        const ratio = results[2].median / baseline;
        io.out(`\nprod plan / baseline = ${ratio.toFixed(2)}x: ${ratio <= TARGET_RATIO ? "within" : "OVER"} the ${TARGET_RATIO}x target`);
        return EXIT.pass;
    });
}

if (require.main === module) run(main, "npm run bench");
