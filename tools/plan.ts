// npm run plan -- --stack dev | --config path/to/Pulumi.x.yaml [--json plan.json]
//
// Runs the real program in-process against the mock cloud (no Pulumi CLI, no AWS credentials)
// and prints what `pulumi up` would create: resources by component and type, the outputs, and the
// policy pack's verdict on the plan (with policy/config/<stack>.json when there is one).
// --json writes the plan in the shape of `pulumi preview --json`. Exits 1 on invalid config or a
// mandatory policy violation, as `pulumi preview --policy-pack policy` would fail.

import * as fs from "fs";
import { planStack, stackFile, type PlannedResource, type ProgramRun } from "../offline/harness";
import * as path from "path";
import { evaluatePlan } from "../policy/offline";
import { ConfigError } from "../stacks/config";
import { formatViolations } from "./policy";

interface Args {
    source: string;
    json?: string;
}

const USAGE = "usage: npm run plan -- (--stack <name> | --config <Pulumi.<stack>.yaml>) [--json <file>]";

function parseArgs(argv: string[]): Args {
    const args: Partial<Args> = {};
    for (let i = 0; i < argv.length; i++) {
        const [flag, value] = [argv[i], argv[i + 1]];
        if ((flag === "--stack" || flag === "--config" || flag === "--json") && (!value || value.startsWith("--"))) {
            fail(`${flag} needs a value\n${USAGE}`);
        }
        if (flag === "--stack" || flag === "--config") (args.source = value, i++);
        else if (flag === "--json") (args.json = value, i++);
        else fail(`unknown argument ${flag}\n${USAGE}`);
    }
    if (!args.source) fail(USAGE);
    return args as Args;
}

function fail(message: string, code = 1): never {
    console.error(message);
    process.exit(code);
}

/** `pulumi preview --json` shape: one create step per registered resource, components included. */
export function previewJson(run: ProgramRun) {
    return {
        steps: run.resources.map(r => ({
            op: "create",
            urn: r.urn,
            newState: {
                urn: r.urn,
                type: r.type,
                id: r.id ?? "",
                parent: r.parent ?? "",
                custom: r.custom,
                protect: r.protect,
                inputs: r.inputs,
                outputs: r.outputs,
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
            },
        })),
    };
}

/** The top-level component a resource belongs to (its ancestor right under the stack). */
function topComponent(r: PlannedResource, byUrn: Map<string, PlannedResource>): string {
    let node = r;
    for (;;) {
        const parent = node.parent ? byUrn.get(node.parent) : undefined;
        if (!parent || parent.type === "pulumi:pulumi:Stack") break;
        node = parent;
    }
    return node === r && r.custom ? "(stack)" : `${node.type} ${node.name}`;
}

export function summary(run: ProgramRun): string {
    const byUrn = new Map(run.resources.map(r => [r.urn, r]));
    const groups = new Map<string, Map<string, number>>();
    for (const r of run.resources) {
        if (!r.custom) continue;
        const group = topComponent(r, byUrn);
        const types = groups.get(group) ?? new Map<string, number>();
        types.set(r.type, (types.get(r.type) ?? 0) + 1);
        groups.set(group, types);
    }
    const custom = run.resources.filter(r => r.custom).length;
    const components = run.resources.filter(r => !r.custom && r.type !== "pulumi:pulumi:Stack").length;
    const lines = [`Plan for stack ${run.stack}: ${custom} resources in ${components} components (offline, mock cloud)`, ""];
    for (const [group, types] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
        const total = [...types.values()].reduce((a, b) => a + b, 0);
        lines.push(`${group}  (${total})`);
        for (const [type, n] of [...types].sort(([a], [b]) => a.localeCompare(b))) lines.push(`    ${String(n).padStart(3)}  ${type}`);
    }
    lines.push("", "Outputs:");
    const width = Math.max(...Object.keys(run.outputs).map(k => k.length), 0);
    for (const [key, value] of Object.entries(run.outputs)) {
        let text = typeof value === "string" ? value : JSON.stringify(value);
        if (text.includes("-----BEGIN")) text = `${text.split("\n")[0]} … (PEM, ${text.length} bytes)`;
        lines.push(`    ${key.padEnd(width)}  ${text}`);
    }
    return lines.join("\n");
}

async function main() {
    const args = parseArgs(process.argv.slice(2));
    if (!fs.existsSync(stackFile(args.source))) fail(`no stack config at ${stackFile(args.source)}`);
    let run: ProgramRun;
    try {
        run = await planStack(args.source);
    } catch (e: any) {
        if (e instanceof ConfigError || e?.name === "ConfigError") {
            fail(`${args.source}: ${e.message}`);
        }
        fail(`The program failed: ${e?.stack ?? e}\n(run with KONG_HYBRID_STACK_TRACES=1 for the full stack trace)`, 2);
    }
    if (run.duplicateUrns.length > 0) {
        fail(`Duplicate resource URNs (a real preview would fail):\n${run.duplicateUrns.map(u => `  - ${u}`).join("\n")}`, 2);
    }
    console.log(summary(run));
    const preview = previewJson(run);
    if (args.json) {
        fs.writeFileSync(args.json, JSON.stringify(preview, null, 2));
        console.log(`\nWrote ${args.json} (${run.resources.length} steps, the shape of pulumi preview --json)`);
    }
    const configFile = path.join(__dirname, "..", "policy", "config", `${run.stack}.json`);
    const policyConfig = fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, "utf8")) : undefined;
    const violations = evaluatePlan(preview, { config: policyConfig });
    console.log(`\nPolicy pack (policy/${policyConfig ? `, config policy/config/${run.stack}.json` : ""}):`);
    for (const line of formatViolations(violations)) console.log(`    ${line}`);
    if (violations.some(v => v.enforcementLevel === "mandatory")) process.exitCode = 1;
}

if (require.main === module) void main();
