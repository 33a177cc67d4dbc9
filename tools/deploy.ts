// npm run deploy -- <preview|up|refresh|destroy> --stack <name> [--yes] [--pulumi-root <dir>]
//
// The operator's entry point through the Automation API (automation/stack.ts): the inline
// program with the stack's Pulumi.<name>.yaml, the policy pack (and its config, as `npm run plan`
// picks it) on preview and up, progress on the terminal. Needs the Pulumi CLI (on PATH, or under
// --pulumi-root/bin) and the stack's backend login; `npm run plan` is the offline equivalent of a
// preview. It creates no stack: a name without a stack file here, or without a stack in the
// backend, is refused. Automation and Pulumi load only after the arguments are read.

import * as fs from "fs";
import * as path from "path";
import { STACK_NAME, stackFileName } from "../automation/stack-name";
import type { OperationResult } from "../automation/stack";
import { EXIT, EXIT_CODES_HELP, guarded, parseArgs, processIo, stackFilesIn, UsageError, type Io } from "./cli";

const ROOT = path.join(__dirname, "..");
const OPERATIONS = ["preview", "up", "refresh", "destroy"] as const;
type Operation = (typeof OPERATIONS)[number];
const COMMAND = "npm run deploy";
/** Ctrl-C or SIGTERM stopped the operation (the shell's code for SIGINT). */
const CANCELLED = 130;

export const DEPLOY_HELP = `usage: npm run deploy -- <${OPERATIONS.join("|")}> --stack <name> [--yes] [--pulumi-root <dir>]

Runs the program on a stack through the Pulumi Automation API, with the policy pack on preview
and up (policy/config/prod.json for a production: true stack, else policy/config/dev.json).
Needs the Pulumi CLI and a backend login; npm run plan is the offline preview.

arguments:
  <operation>           preview, up, refresh or destroy
options:
  --stack <name>        a stack with a Pulumi.<name>.yaml here (or org/project/<name>); the
                        stack must exist in the backend: this command creates none
  --yes                 confirms destroy, and up on a production stack
  --pulumi-root <dir>   the Pulumi CLI in <dir>/bin instead of on PATH
  -h, --help            this help

${EXIT_CODES_HELP}
  130  cancelled (Ctrl-C, SIGTERM): the CLI finished the steps in flight and saved the state`;

export interface DeployArgs {
    operation: Operation;
    stack: string;
    yes: boolean;
    pulumiRoot?: string;
}

/** argv → arguments; a usage error (UsageError) otherwise. Loads nothing. */
export function parseDeployArgs(argv: readonly string[]): DeployArgs | "help" {
    const args = parseArgs(argv, { withValue: ["--stack", "--pulumi-root"], switches: ["--help", "--yes"], positional: true });
    if (args.switches.has("--help")) return "help";
    const [operation, ...extra] = args.positional;
    if (operation === undefined) throw new UsageError(`which operation? give one of ${OPERATIONS.join(", ")}`);
    if (!OPERATIONS.includes(operation as Operation)) throw new UsageError(`operation "${operation}": must be one of ${OPERATIONS.join(", ")}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
    const stack = args.options["--stack"];
    if (!stack) throw new UsageError("which stack? give --stack <name>");
    if (!STACK_NAME.test(stack)) throw new UsageError(`--stack ${JSON.stringify(stack)}: must be a stack name such as dev or org/project/dev`);
    return { operation: operation as Operation, stack, yes: args.switches.has("--yes"), pulumiRoot: args.options["--pulumi-root"] };
}

/** The result as lines for the terminal, one per violation. Outputs by name only: values may be secrets. */
export function formatResult(r: OperationResult): string[] {
    const changes = Object.entries(r.changes).filter(([, n]) => (n ?? 0) > 0).map(([op, n]) => `${op} ${n}`);
    const lines = [`${r.operation}: ${changes.length ? changes.join(", ") : "no changes reported"}`];
    for (const v of r.policyViolations) lines.push(`  policy ${v.enforcementLevel}: ${v.policy}: ${v.message.replace(/\s*\n\s*/g, " ")}${v.urn ? ` (${v.urn})` : ""}`);
    const outputs = Object.keys(r.outputs);
    if (outputs.length) lines.push(`  outputs: ${outputs.join(", ")} (pulumi stack output --stack <name> shows them)`);
    return lines;
}

/** The change an operation makes that needs --yes, or undefined. */
export function needsConfirmation(operation: Operation, production: boolean): string | undefined {
    if (operation === "destroy") return "deletes every resource of the stack";
    if (operation === "up" && production) return "changes a production stack";
    return undefined;
}

export interface DeployDeps {
    /** Aborting stops the operation as Ctrl-C does. */
    signal?: AbortSignal;
    /** Where the CLI's progress goes, as it prints it; default: this process's stdout/stderr. */
    write?: (text: string) => void;
    writeErr?: (text: string) => void;
}

export function main(argv: string[], io: Io, deps: DeployDeps = {}): Promise<number> {
    return guarded(COMMAND, io, async () => {
        const args = parseDeployArgs(argv);
        if (args === "help") return (io.out(DEPLOY_HELP), EXIT.pass);
        const { operation, stack } = args;
        const stacks = stackFilesIn(ROOT);
        if (!stacks.includes(stackFileName(stack))) {
            throw new UsageError(`no stack "${stack}": the stacks are ${stacks.join(", ")} (Pulumi.<name>.yaml next to Pulumi.yaml); this command creates none`);
        }
        if (args.pulumiRoot && !fs.existsSync(path.join(args.pulumiRoot, "bin"))) throw new UsageError(`--pulumi-root ${args.pulumiRoot}: no bin directory there`);

        const { ConfigError } = await import("../stacks/config");
        const { KongStack, OperationCancelled, PolicyViolationsError, readStackSettings } = await import("../automation/stack");
        let production: boolean;
        try {
            production = readStackSettings(ROOT, stack)?.production ?? false;
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            for (const p of e.problems) io.err(`Pulumi.${stackFileName(stack)}.yaml: ${p}`);
            return EXIT.fail;
        }
        const unconfirmed = needsConfirmation(operation, production);
        if (unconfirmed && !args.yes) throw new UsageError(`${operation} --stack ${stack} ${unconfirmed}: add --yes to confirm`);

        const { PulumiCommand, StackNotFoundError } = await import("@pulumi/pulumi/automation");
        let pulumiCommand;
        try {
            pulumiCommand = await PulumiCommand.get({ root: args.pulumiRoot, skipVersionCheck: true });
        } catch {
            io.err(`no Pulumi CLI found ${args.pulumiRoot ? `in ${args.pulumiRoot}/bin` : "on PATH"}: install it (https://www.pulumi.com/docs/iac/download-install/) or run the offline plan with npm run plan -- --stack ${stack}`);
            return EXIT.fail;
        }
        const write = deps.write ?? ((text: string) => void process.stdout.write(text));
        const writeErr = deps.writeErr ?? ((text: string) => void process.stderr.write(text));
        const progress = { onOutput: write, onError: writeErr, signal: deps.signal };
        try {
            const kong = await KongStack.open({ stackName: stack, workDir: ROOT, pulumiCommand, create: false });
            const result = operation === "preview" ? await kong.preview(progress)
                : operation === "up" ? await kong.up(progress)
                : operation === "refresh" ? await kong.refresh(progress)
                : await kong.destroy(progress);
            for (const line of formatResult(result)) io.out(line);
            return EXIT.pass;
        } catch (e: any) {
            if (e instanceof StackNotFoundError) {
                throw new UsageError(`no stack "${stack}" in the backend (pulumi stack ls lists them): create it with pulumi stack init ${stack}; this command creates none`);
            }
            if (e instanceof OperationCancelled) return (io.err(`${operation} --stack ${stack} cancelled`), CANCELLED);
            if (e instanceof PolicyViolationsError) {
                for (const line of formatResult(e.result)) io.out(line);
                io.err(`${operation} --stack ${stack}: ${e.message}`);
                return EXIT.fail;
            }
            // The CLI already printed its diagnostics on the way; say which step failed in one line.
            const detail = String(e?.commandResult?.stderr ?? e?.message ?? e).trim().split("\n").filter(Boolean).pop();
            io.err(`${operation} --stack ${stack} failed: ${detail}`);
            return EXIT.fail;
        }
    });
}

if (require.main === module) {
    // Ctrl-C reaches the CLI directly (same process group) and it cancels gracefully; a second
    // SIGINT from us would make it stop at once. SIGTERM (a CI job cancelled) is forwarded once.
    const abort = new AbortController();
    process.on("SIGINT", () => console.error("\ncancelling: the Pulumi CLI finishes the steps in flight and saves the state"));
    process.on("SIGTERM", () => abort.abort());
    const io = processIo();
    // Exit explicitly: the SDK's in-process program server may hold the event loop open.
    main(process.argv.slice(2), io, { signal: abort.signal }).then(code => process.exit(code), (e: unknown) => {
        io.err(`${COMMAND} failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(EXIT.fail);
    });
}
