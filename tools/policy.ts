// npm run policy -- <plan.json> [--config <policy-config.json>]
// Evaluates the policy pack (policy/) against a plan written by `npm run plan -- --json <file>` or
// by `pulumi preview --json`. Prints each violation and a verdict; exits 1 on any mandatory one.

import * as fs from "fs";
import { evaluatePlan, Plan, Violation } from "../policy/offline";

export function formatViolations(violations: Violation[]): string[] {
    const lines = violations.map(v => `[${v.enforcementLevel}] ${v.policy}: ${v.message}${v.urn ? `\n    ${v.urn}` : ""}`);
    const m = violations.filter(v => v.enforcementLevel === "mandatory").length;
    const a = violations.length - m;
    lines.push(m > 0
        ? `Policy verdict: FAIL (${m} mandatory, ${a} advisory violation${a === 1 ? "" : "s"})`
        : `Policy verdict: PASS (0 mandatory, ${a} advisory violation${a === 1 ? "" : "s"})`);
    return lines;
}

function usage(message: string): never {
    process.stderr.write(`${message}\nusage: npm run policy -- <plan.json> [--config <policy-config.json>]\n`);
    process.exit(2);
}

function readJson(file: string, what: string): any {
    let text: string;
    try { text = fs.readFileSync(file, "utf8"); } catch (e) { usage(`cannot read ${what} ${file}: ${(e as Error).message}`); }
    try { return JSON.parse(text); } catch (e) { usage(`${what} ${file} is not JSON: ${(e as Error).message}`); }
}

export function main(argv: string[]): number {
    let planFile: string | undefined;
    let configFile: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--config") configFile = argv[++i] ?? usage("--config needs a file");
        else if (argv[i].startsWith("--")) usage(`unknown option ${argv[i]}`);
        else if (planFile === undefined) planFile = argv[i];
        else usage(`unexpected argument ${argv[i]}`);
    }
    if (!planFile) usage("missing plan file");
    const plan = readJson(planFile, "plan") as Plan;
    if (!Array.isArray(plan?.steps)) usage(`plan ${planFile} has no "steps" array (expected the shape of pulumi preview --json)`);
    const config = configFile ? readJson(configFile, "policy config") : undefined;
    const violations = evaluatePlan(plan, { config });
    for (const line of formatViolations(violations)) console.log(line);
    return violations.some(v => v.enforcementLevel === "mandatory") ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
