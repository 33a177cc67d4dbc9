// npm run deploy -- <preview|up|refresh|destroy> --stack <name> [--pulumi-root <dir>]
//
// The operator's entry point through the Automation API (automation/stack.ts): the inline
// program with the stack's Pulumi.<name>.yaml, the policy pack on preview, progress on the
// terminal. Needs the Pulumi CLI (on PATH, or under --pulumi-root/bin) and the stack's backend
// login; `npm run plan` is the offline equivalent of a preview.

import { PulumiCommand } from "@pulumi/pulumi/automation";
import { KongStack, OperationCancelled, type OperationResult } from "../automation/stack";

const OPERATIONS = ["preview", "up", "refresh", "destroy"] as const;
type Operation = (typeof OPERATIONS)[number];
const USAGE = `usage: npm run deploy -- <${OPERATIONS.join("|")}> --stack <name> [--pulumi-root <dir>]`;

export interface DeployArgs {
    operation: Operation;
    stack: string;
    pulumiRoot?: string;
}

/** argv → arguments, or the one line saying what is wrong. */
export function parseDeployArgs(argv: string[]): DeployArgs | { error: string } {
    const [operation, ...rest] = argv;
    if (!OPERATIONS.includes(operation as Operation)) {
        return { error: `${operation === undefined ? "no operation" : `operation ${JSON.stringify(operation)}`}: must be one of ${OPERATIONS.join(", ")}\n${USAGE}` };
    }
    const args: Partial<DeployArgs> = { operation: operation as Operation };
    for (let i = 0; i < rest.length; i += 2) {
        const [flag, value] = [rest[i], rest[i + 1]];
        if (value === undefined || value.startsWith("--")) return { error: `${flag} needs a value\n${USAGE}` };
        if (flag === "--stack") args.stack = value;
        else if (flag === "--pulumi-root") args.pulumiRoot = value;
        else return { error: `unknown argument ${flag}\n${USAGE}` };
    }
    if (!args.stack) return { error: `--stack is required\n${USAGE}` };
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/.test(args.stack)) {
        return { error: `--stack ${JSON.stringify(args.stack)}: must be a stack name such as dev or org/project/dev` };
    }
    return args as DeployArgs;
}

/** The result as lines for the terminal. Outputs are listed by name only: values may be secrets. */
export function formatResult(r: OperationResult): string[] {
    const changes = Object.entries(r.changes).filter(([, n]) => (n ?? 0) > 0).map(([op, n]) => `${op} ${n}`);
    const lines = [`${r.operation}: ${changes.length ? changes.join(", ") : "no changes reported"}`];
    for (const v of r.policyViolations) lines.push(`  policy ${v.enforcementLevel}: ${v.policy}: ${v.message}${v.urn ? ` (${v.urn})` : ""}`);
    const outputs = Object.keys(r.outputs);
    if (outputs.length) lines.push(`  outputs: ${outputs.join(", ")} (pulumi stack output --stack <name> shows them)`);
    return lines;
}

async function main(argv: string[]): Promise<number> {
    const args = parseDeployArgs(argv);
    if ("error" in args) {
        console.error(args.error);
        return 1;
    }
    let pulumiCommand: PulumiCommand;
    try {
        pulumiCommand = await PulumiCommand.get({ root: args.pulumiRoot, skipVersionCheck: true });
    } catch {
        console.error(`no Pulumi CLI found ${args.pulumiRoot ? `in ${args.pulumiRoot}/bin` : "on PATH"}: install it (https://www.pulumi.com/docs/iac/download-install/) or run the offline plan with npm run plan -- --stack ${args.stack}`);
        return 1;
    }
    // Ctrl-C reaches the CLI directly (same process group) and it cancels gracefully; a second
    // SIGINT from us would make it stop at once. SIGTERM (a CI job cancelled) is forwarded once.
    const abort = new AbortController();
    process.on("SIGINT", () => console.error("\ncancelling: the Pulumi CLI finishes the steps in flight and saves the state"));
    process.on("SIGTERM", () => abort.abort());
    try {
        const stack = await KongStack.open({ stackName: args.stack, pulumiCommand });
        const run = { onOutput: (text: string) => process.stdout.write(text), onError: (text: string) => process.stderr.write(text), signal: abort.signal };
        const result = args.operation === "preview" ? await stack.preview(run)
            : args.operation === "up" ? await stack.up(run)
            : args.operation === "refresh" ? await stack.refresh(run)
            : await stack.destroy(run);
        console.log(formatResult(result).join("\n"));
        return result.policyViolations.some(v => v.enforcementLevel === "mandatory") ? 1 : 0;
    } catch (e: any) {
        if (e instanceof OperationCancelled) {
            console.error(`${args.operation} cancelled`);
            return 130;
        }
        // The CLI already printed its diagnostics on the way; say which step failed in one line.
        const detail = String(e?.commandResult?.stderr ?? e?.message ?? e).trim().split("\n").filter(Boolean).pop();
        console.error(`${args.operation} --stack ${args.stack} failed: ${detail}`);
        return 2;
    }
}

if (require.main === module) void main(process.argv.slice(2)).then(code => process.exit(code));
