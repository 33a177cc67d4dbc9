// npm run bench [-- --runs N]
//
// Times the offline plan for dev and prod (whole processes, as a user runs them: node, ts-node,
// the Pulumi SDK, the mock runtime and the program) against the same runtime with an empty
// program, and reports medians and the ratio. Target: the prod plan within 3x of the baseline.

import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const TARGET_RATIO = 3;

function argRuns(): number {
    const i = process.argv.indexOf("--runs");
    const n = i >= 0 ? Number(process.argv[i + 1]) : 5;
    if (!Number.isInteger(n) || n < 1) throw new Error("--runs takes a whole number of runs, at least 1");
    return n;
}

function timeOnce(script: string, args: string[]): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, script), ...args], { cwd: ROOT, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${script} ${args.join(" ")} failed:\n${r.stderr}`);
    return ms;
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main() {
    const runs = argRuns();
    const cases: [string, string, string[]][] = [
        ["empty program (baseline)", "tools/empty-program.ts", []],
        ["plan dev", "tools/plan.ts", ["--stack", "dev"]],
        ["plan prod", "tools/plan.ts", ["--stack", "prod"]],
    ];
    // One warm-up per case so the file cache is equally warm for all.
    for (const [, script, args] of cases) timeOnce(script, args);
    const results = cases.map(([label, script, args]) => {
        const times = Array.from({ length: runs }, () => timeOnce(script, args));
        return { label, median: median(times), min: Math.min(...times), max: Math.max(...times) };
    });
    const baseline = results[0].median;
    console.log(`Offline plan benchmark: ${runs} runs each, median wall time of a whole process (node ${process.version})\n`);
    console.log(`${"case".padEnd(26)} ${"median".padStart(9)} ${"min".padStart(9)} ${"max".padStart(9)} ${"ratio".padStart(7)}`);
    for (const r of results) {
        console.log(`${r.label.padEnd(26)} ${r.median.toFixed(0).padStart(7)}ms ${r.min.toFixed(0).padStart(7)}ms ${r.max.toFixed(0).padStart(7)}ms ${(r.median / baseline).toFixed(2).padStart(6)}x`);
    }
    const ratio = results[2].median / baseline;
    console.log(`\nprod plan / baseline = ${ratio.toFixed(2)}x: ${ratio <= TARGET_RATIO ? "within" : "OVER"} the ${TARGET_RATIO}x target`);
}

main();
