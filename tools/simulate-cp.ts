// npm run simulate:cp -- --trace <file.csv> [--stack <name>] [--json]
//
// Replays a minute-by-minute trace (CSV minute,dpDesired,dpReady,adminWrites) through the CP
// scale-to-zero controller's decision function, starting with the CP stopped, with the stack's
// settings (kong-hybrid:cpScaleToZero* in Pulumi.<stack>.yaml; defaults otherwise). Prints the
// starts and stops and the CP-minutes against an always-on CP; --json prints
// {"events":[{"minute":m,"action":"start"|"stop","reason":"…"}],"cpMinutes":n,"totalMinutes":n}.
// Exit codes as every command's (tools/cli.ts EXIT): 1 on a bad trace or stack file (one line),
// 2 on a usage error or a file that does not exist (one line naming where help is).

import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ENABLED_KEY, scalerConfig, ScalerConfigError, type ScalerConfig } from "../components/cp-scaler/config";
import { DEFAULT_SETTINGS } from "../components/cp-scaler/decision";
import { parseTrace, simulate, TraceError, type SimulationResult } from "../components/cp-scaler/simulate";
import { EXIT, parseArgs as parseOptions, UsageError } from "./cli";

const COMMAND = "npm run simulate:cp";

const USAGE = "usage: npm run simulate:cp -- --trace <file.csv> [--stack <name>] [--json]";
const HELP = `${USAGE}

Replays a trace through the CP scale-to-zero decision, starting with the CP stopped.
  --trace <file.csv>  columns minute,dpDesired,dpReady,adminWrites; one row per minute
  --stack <name>      read kong-hybrid:cpScaleToZero* from Pulumi.<name>.yaml (default: built-in defaults)
  --json              print {"events":[…],"cpMinutes":n,"totalMinutes":n}`;

export interface Io {
    out: (line: string) => void;
    err: (line: string) => void;
}

interface Args {
    trace: string;
    stack?: string;
    json: boolean;
}

function parseArgs(argv: string[]): Args | "help" {
    const p = parseOptions(argv, { withValue: ["--trace", "--stack"], switches: ["--help", "--json"] });
    if (p.switches.has("--help")) return "help";
    if (!p.options["--trace"]) throw new UsageError("--trace is required");
    return { trace: p.options["--trace"], stack: p.options["--stack"], json: p.switches.has("--json") };
}

/** A file the user named that is not there is a usage error (exit 2), as for every command. */
function missing(what: string, file: string, e: any): never {
    if (e?.code === "ENOENT" || e?.code === "EISDIR") throw new UsageError(`${what} ${file}: ${e.code === "ENOENT" ? "no such file" : "is a directory"}`);
    throw e;
}

/** The controller's config from a stack file, read directly (values as Pulumi stores them: strings). */
export function stackScalerConfig(stack: string, root = path.join(__dirname, "..")): ScalerConfig {
    const file = /[/\\]|\.ya?ml$/.test(stack) ? path.resolve(stack) : path.join(root, `Pulumi.${stack}.yaml`);
    let doc: any;
    try {
        doc = YAML.parse(readUserFile("stack config", file)) ?? {};
    } catch (e: any) {
        if (e instanceof UsageError) throw e;
        throw new ScalerConfigError([`cannot read stack config ${file}: ${e.message}`]);
    }
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc.config ?? {})) raw[key] = typeof value === "string" ? value : JSON.stringify(value);
    return scalerConfig(raw);
}

const hours = (minutes: number) => (minutes / 60).toFixed(1);

export function textSummary(trace: string, r: SimulationResult, c: ScalerConfig, stack?: string): string[] {
    const s = c.settings;
    const pct = (n: number) => `${(100 * n / r.totalMinutes).toFixed(1)} %`;
    const lines = [
        `Trace ${trace}: ${r.totalMinutes} minutes (${(r.totalMinutes / 1440).toFixed(1)} days); settings${stack ? ` of stack ${stack}` : " (defaults)"}: sync wait ${s.syncWaitMinutes} min, cooldown ${s.cooldownMinutes} min, +${s.extendMinutes} min per trigger, CP desired ${s.desiredCount}`,
    ];
    if (stack && !c.enabled) lines.push(`Note: the controller is off in stack ${stack} (kong-hybrid:${ENABLED_KEY} is not true); simulated with its settings anyway.`);
    lines.push("");
    for (const e of r.events) lines.push(`  minute ${String(e.minute).padStart(6)}  ${e.action.padEnd(5)}  ${e.reason}`);
    const starts = r.events.filter(e => e.action === "start").length;
    lines.push(
        "",
        `CP running: ${r.cpMinutes} of ${r.totalMinutes} minutes (${pct(r.cpMinutes)}), ${hours(r.cpMinutes)} h; ${starts} start(s)`,
        `Always on:  ${r.totalMinutes} minutes, ${hours(r.totalMinutes)} h`,
        `Saved:      ${r.totalMinutes - r.cpMinutes} CP-minutes (${pct(r.totalMinutes - r.cpMinutes)}), ${hours(r.totalMinutes - r.cpMinutes)} h${s.desiredCount > 1 ? ` (× ${s.desiredCount} tasks)` : ""}`,
    );
    return lines;
}

function readUserFile(what: string, file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e: any) {
        return missing(what, file, e);
    }
}

/** The CLI, callable in-process: returns the exit code. */
export function main(argv: string[], io: Io = { out: l => console.log(l), err: l => console.error(l) }): number {
    try {
        const args = parseArgs(argv);
        if (args === "help") {
            io.out(HELP);
            return EXIT.pass;
        }
        const config = args.stack ? stackScalerConfig(args.stack) : { enabled: true, settings: { ...DEFAULT_SETTINGS } };
        const text = readUserFile("--trace", args.trace);
        const result = simulate(parseTrace(text, args.trace), config.settings);
        if (args.json) io.out(JSON.stringify(result));
        else for (const line of textSummary(args.trace, result, config, args.stack)) io.out(line);
        return EXIT.pass;
    } catch (e: any) {
        if (e instanceof UsageError) {
            io.err(`${COMMAND}: ${e.message} (see ${COMMAND} -- --help)`);
            return EXIT.usage;
        }
        if (e instanceof TraceError || e instanceof ScalerConfigError) {
            io.err(e.message);
            return EXIT.fail;
        }
        throw e;
    }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
