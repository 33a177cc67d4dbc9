// npm run cp -- wake|sleep|status --stack <name> [--function-name <name>] [--region <region>]
//
// For operators: invokes the CP scale-to-zero controller (the Lambda) through the AWS SDK and
// prints the CP state and the reason of the last decision. `wake` starts the CP (or keeps it up
// 15 more minutes), `sleep` stops it now if that is safe (every DP healthy, export fresh), `status`
// only reads. The function name is the stack output cpScalerFunctionName (read with the Pulumi
// CLI), or --function-name. Needs AWS credentials allowed lambda:InvokeFunction on it.
// Exit 1 on a failure (one line), 2 on a usage error.

import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { Result } from "../components/cp-scaler/handler";
import { EXIT_CODES_HELP } from "./cli";

export const FUNCTION_NAME_OUTPUT = "cpScalerFunctionName";
const COMMANDS = ["wake", "sleep", "status"] as const;
type Command = (typeof COMMANDS)[number];
const USAGE = "usage: npm run cp -- wake|sleep|status --stack <name> [--function-name <name>] [--region <region>]";
export const CP_HELP = `${USAGE}

Invokes the Control Plane scale-to-zero controller (the stack output ${FUNCTION_NAME_OUTPUT}) and
prints the CP state and the reason of its last decision. wake starts the CP (or keeps it up 15 more
minutes), sleep stops it now if that is safe, status only reads. Needs AWS credentials.

options:
  --stack <name>           the stack whose controller to invoke
  --function-name <name>   the function, instead of reading the stack output with the Pulumi CLI
  --region <region>        instead of AWS_REGION or the stack file's aws:region
  -h, --help               this help

${EXIT_CODES_HELP}`;

export interface Io {
    out: (line: string) => void;
    err: (line: string) => void;
}

export interface Deps {
    /** The Lambda client for a region (tests pass a mocked one). */
    lambda?: (region: string | undefined) => LambdaClient;
    /** `pulumi stack output <name> --stack <stack>`; throws when there is no CLI or no such output. */
    stackOutput?: (stack: string, name: string) => string;
}

interface Args {
    command: Command;
    stack: string;
    functionName?: string;
    region?: string;
}

class CliError extends Error {
    constructor(message: string, readonly code: 1 | 2) {
        super(message);
    }
}

function parseArgs(argv: string[]): Args | "help" {
    if (argv.includes("--help") || argv.includes("-h")) return "help";
    const args: Partial<Args> = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--stack" || a === "--function-name" || a === "--region") {
            const value = argv[++i];
            if (!value || value.startsWith("--")) throw new CliError(`${a} needs a value (see npm run cp -- --help)`, 2);
            if (a === "--stack") args.stack = value;
            else if (a === "--function-name") args.functionName = value;
            else args.region = value;
        } else if ((COMMANDS as readonly string[]).includes(a) && !args.command) {
            args.command = a as Command;
        } else {
            throw new CliError(`unknown argument ${a}: expected wake, sleep or status and --stack <name> (see npm run cp -- --help)`, 2);
        }
    }
    if (!args.command) throw new CliError(`expected wake, sleep or status (see npm run cp -- --help)`, 2);
    if (!args.stack) throw new CliError(`--stack is required (see npm run cp -- --help)`, 2);
    return args as Args;
}

function pulumiStackOutput(stack: string, name: string): string {
    try {
        return execFileSync("pulumi", ["stack", "output", name, "--stack", stack], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    } catch (e: any) {
        if (e.code === "ENOENT") throw new Error("no Pulumi CLI on PATH");
        throw new Error(String(e.stderr ?? e.message).trim().split("\n")[0]);
    }
}

/** The stack file's aws:region, if the stack has one here. */
function stackRegion(stack: string): string | undefined {
    const file = path.join(__dirname, "..", `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) return undefined;
    return YAML.parse(fs.readFileSync(file, "utf8"))?.config?.["aws:region"];
}

const iso = (t?: number) => (t === undefined ? "?" : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"));

export function describeResult(r: Result): string[] {
    const s = r.state;
    const cp = s.cp === "running"
        ? `running since ${iso(s.startedAt)}, not stopping before ${iso(s.holdUntil)}`
        : "stopped";
    return [`Control Plane: ${cp}`, `Last decision${s.last ? ` (${iso(s.last.at)})` : ""}: ${r.action}: ${r.reason}`];
}

export async function main(argv: string[], io: Io = { out: l => console.log(l), err: l => console.error(l) }, deps: Deps = {}): Promise<number> {
    try {
        const args = parseArgs(argv);
        if (args === "help") return (io.out(CP_HELP), 0);
        let functionName = args.functionName;
        if (!functionName) {
            try {
                functionName = (deps.stackOutput ?? pulumiStackOutput)(args.stack, FUNCTION_NAME_OUTPUT);
            } catch (e: any) {
                throw new CliError(`cannot read the stack output ${FUNCTION_NAME_OUTPUT} of stack ${args.stack}: ${e.message}; pass --function-name <name>`, 1);
            }
            if (!functionName) throw new CliError(`stack ${args.stack} has no output ${FUNCTION_NAME_OUTPUT} (is the controller on?); pass --function-name <name>`, 1);
        }
        const region = args.region ?? process.env.AWS_REGION ?? stackRegion(args.stack);
        // Reserved concurrency 1: a tick may be running; the SDK retries the throttled call.
        const lambda = (deps.lambda ?? (r => new LambdaClient({ region: r, maxAttempts: 6 })))(region);
        let out;
        try {
            out = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "RequestResponse", Payload: new TextEncoder().encode(JSON.stringify({ action: args.command })) }));
        } catch (e: any) {
            if (e?.name === "CredentialsProviderError") throw new CliError(`no AWS credentials: ${e.message}`, 1);
            throw new CliError(`invoking ${functionName} failed: ${e?.name ?? "Error"}: ${e?.message ?? e}`, 1);
        }
        const text = out.Payload ? new TextDecoder().decode(out.Payload) : "";
        if (out.FunctionError) {
            let message = text;
            try {
                message = JSON.parse(text).errorMessage ?? text;
            } catch { /* not JSON: print as is */ }
            throw new CliError(`${functionName} failed: ${message}`, 1);
        }
        for (const line of describeResult(JSON.parse(text) as Result)) io.out(line);
        return 0;
    } catch (e: any) {
        if (e instanceof CliError) {
            // Usage errors are named by the command, as every other command names them (tools/cli.ts guarded).
            io.err(e.code === 2 ? `npm run cp: ${e.message}` : e.message);
            return e.code;
        }
        throw e;
    }
}

if (require.main === module) void main(process.argv.slice(2)).then(code => (process.exitCode = code));
