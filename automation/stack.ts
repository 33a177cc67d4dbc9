// A typed facade over the Automation API (LocalWorkspace, inline program) for this project:
// open a stack with its config, then preview (with the policy pack), up, refresh, destroy or read
// its outputs, each streaming progress through onOutput/onEvent, cancellable with an AbortSignal,
// and returning one typed result: the change summary, the outputs and the policy violations.
// A run the policy pack blocks (a mandatory violation) throws PolicyViolationsError holding that result.

import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    LocalWorkspace, PulumiCommand, type ConfigMap, type EngineEvent, type OpMap, type OutputMap, type PulumiFn, type Stack,
} from "@pulumi/pulumi/automation";
import { ConfigError, parseConfig, PROJECT, readStackFile, securePlaceholder, type StackConfig } from "../stacks/config";
import { policyConfigFor } from "../policy/stack-config";
import { toStackConfig, type MappedConfig, type StackInputs } from "./config";
import { stackFileName } from "./stack-name";

export { STACK_NAME, stackFileName } from "./stack-name";

export const ROOT = path.join(__dirname, "..");

export interface OpenOptions {
    stackName: string;
    /** The project directory holding Pulumi.yaml and the Pulumi.<stack>.yaml files; default: this repository. */
    workDir?: string;
    /**
     * Config to write into the stack before running (otherwise the stack file is used as it is).
     * It is validated as `npm run plan` validates a stack file (ConfigError, one line per problem)
     * before the backend is touched, and it is authoritative for the plain `kong-hybrid:*` keys:
     * a key the object no longer has is removed from the stack. Secret keys the object does not
     * name are kept (they may be set out of band with `pulumi config set --secret`); other
     * namespaces (`aws:*`) are only ever set, never removed.
     */
    config?: StackInputs;
    /** Create the stack when the backend has none (default true); false fails with StackNotFoundError instead. */
    create?: boolean;
    /** The Pulumi CLI; default: `pulumi` on PATH (PulumiCommand.get()). */
    pulumiCommand?: PulumiCommand;
    /** Extra environment for the CLI (e.g. PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE_FILE). */
    envVars?: Record<string, string>;
    /** The program; default: this project's, buildStack(loadConfig()), run inline. */
    program?: PulumiFn;
}

export interface RunOptions {
    /** Each chunk the CLI prints (the progress a terminal would show). */
    onOutput?: (text: string) => void;
    /** Each chunk the CLI writes to stderr. */
    onError?: (text: string) => void;
    /** Each engine event (resource steps, diagnostics, policy results, the summary). */
    onEvent?: (event: EngineEvent) => void;
    /** Aborting sends the CLI SIGINT, as Ctrl-C does: it stops starting new steps and saves state. */
    signal?: AbortSignal;
}

/** The policy pack a preview or an up runs with. */
export interface PreviewOptions extends RunOptions {
    /** A policy pack directory; default: this repository's policy/. `false` runs none. */
    policyPack?: string | false;
    /**
     * Its config JSON; default, with this repository's pack: the one `npm run plan` uses,
     * policy/config/prod.json for a `production: true` stack, else policy/config/dev.json.
     */
    policyPackConfig?: string;
}

export interface PolicyViolation {
    policy: string;
    pack: string;
    /**
     * As the engine sends it: "advisory", "mandatory" or "remediate" (apitype.EnforcementLevel,
     * https://github.com/pulumi/pulumi/blob/master/sdk/go/common/apitype/policy.go); the SDK's
     * own type still says "warning" for advisory.
     */
    enforcementLevel: "advisory" | "mandatory" | "remediate" | "warning";
    urn?: string;
    message: string;
}

export interface OperationResult {
    operation: "preview" | "up" | "refresh" | "destroy";
    /** Steps by kind: {create: 12, same: 40, ...}. */
    changes: OpMap;
    /** Stack outputs after the operation (empty for a preview). Secret values stay wrapped: `{value, secret}`. */
    outputs: OutputMap;
    policyViolations: PolicyViolation[];
    /** Diagnostics of severity error, in order. */
    errors: string[];
}

/**
 * A run the policy pack blocked: its events hold mandatory violations. The CLI fails such a run
 * (os.Exit(-1), i.e. 255, in https://github.com/pulumi/pulumi/blob/master/sdk/go/common/util/cmdutil/exit.go;
 * newer sources also define a code 5 for it), so the events, not the code, decide.
 * `result` is what the run saw: the changes and every violation.
 */
export class PolicyViolationsError extends Error {
    constructor(readonly result: OperationResult, readonly cause?: unknown) {
        const mandatory = result.policyViolations.filter(v => v.enforcementLevel === "mandatory");
        super(`${result.operation} blocked by ${mandatory.length} mandatory policy violation${mandatory.length === 1 ? "" : "s"}: ${mandatory.map(v => v.policy).join(", ")}`);
        this.name = "PolicyViolationsError";
    }

    get violations(): PolicyViolation[] {
        return this.result.policyViolations;
    }
}

/**
 * The stack file's settings (Pulumi.<stack>.yaml in workDir), validated as `npm run plan`
 * validates them; undefined when there is no file. Throws ConfigError. Secure values are
 * read as placeholders: only the CLI can decrypt them.
 */
export function readStackSettings(workDir: string, stackName: string): StackConfig | undefined {
    const file = path.join(workDir, `Pulumi.${stackFileName(stackName)}.yaml`);
    if (!fs.existsSync(file)) return undefined;
    const read = readStackFile(fs.readFileSync(file, "utf8"), path.basename(file));
    if (read.problems.length > 0) throw new ConfigError(read.problems);
    return parseConfig(read.raw, stackFileName(stackName));
}

/** The typed config as the program will read it. Throws ConfigError; pure but for Pulumi.yaml's declarations. */
export function validateMapped(mapped: MappedConfig, stackName: string): StackConfig {
    const secrets = Object.fromEntries(Object.keys(mapped.secrets).filter(k => k.startsWith(`${PROJECT}:`)).map(k => [k, securePlaceholder(k, mapped.plain["aws:region"])]));
    return parseConfig({ ...mapped.plain, ...secrets }, stackFileName(stackName));
}

/** The plain project keys the stack holds that the typed config no longer has: to remove. */
export function staleKeys(current: ConfigMap, mapped: MappedConfig): string[] {
    return Object.entries(current)
        .filter(([key, v]) => key.startsWith(`${PROJECT}:`) && !v.secret && !(key in mapped.plain) && !(key in mapped.secrets))
        .map(([key]) => key);
}

/** Reads what a run's engine events say: the change summary, policy results and errors. Pure. */
export function summarizeEvents(events: readonly EngineEvent[]): Pick<OperationResult, "changes" | "policyViolations" | "errors"> {
    let changes: OpMap = {};
    const policyViolations: PolicyViolation[] = [];
    const errors: string[] = [];
    for (const e of events) {
        if (e.summaryEvent) changes = e.summaryEvent.resourceChanges ?? {};
        if (e.policyEvent) {
            const p = e.policyEvent;
            policyViolations.push({ policy: p.policyName, pack: p.policyPackName, enforcementLevel: p.enforcementLevel, urn: p.resourceUrn || undefined, message: p.message.trim() });
        }
        if (e.diagnosticEvent?.severity === "error") errors.push(e.diagnosticEvent.message.trim());
    }
    return { changes, policyViolations, errors };
}

/** This project's program, as `index.ts` runs it. Loaded lazily: the AWS SDK is heavy. */
export const projectProgram: PulumiFn = async () => {
    const { loadConfig } = await import("../stacks/config");
    const { buildStack } = await import("../stacks/program");
    return buildStack(loadConfig());
};

export class KongStack {
    private constructor(readonly stack: Stack, readonly workDir: string, readonly production: boolean) {}

    /**
     * Creates (unless `create: false`) or selects the stack and, when given, writes its config
     * (secrets through stdin). The config, given or in the stack file, is validated first:
     * StackInputError or ConfigError before anything reaches the backend.
     */
    static async open(opts: OpenOptions): Promise<KongStack> {
        const workDir = opts.workDir ?? ROOT;
        const mapped = opts.config ? toStackConfig(opts.config) : undefined;
        const settings = mapped ? validateMapped(mapped, opts.stackName) : readStackSettings(workDir, opts.stackName);
        const args = { stackName: opts.stackName, projectName: PROJECT, program: opts.program ?? projectProgram };
        const wsOpts = { workDir, pulumiCommand: opts.pulumiCommand, envVars: opts.envVars };
        const stack = opts.create === false ? await LocalWorkspace.selectStack(args, wsOpts) : await LocalWorkspace.createOrSelectStack(args, wsOpts);
        // No settings: no stack file and no typed config; Pulumi.yaml's default is production: false.
        const kong = new KongStack(stack, workDir, settings?.production ?? false);
        if (mapped) {
            const stale = staleKeys(await kong.configKeys(), mapped);
            if (Object.keys(mapped.plain).length > 0) {
                await stack.setAllConfig(Object.fromEntries(Object.entries(mapped.plain).map(([k, value]) => [k, { value, secret: false }])));
            }
            if (stale.length > 0) await stack.removeAllConfig(stale);
            for (const [key, value] of Object.entries(mapped.secrets)) await kong.setSecret(key, value);
        }
        return kong;
    }

    get name(): string {
        return this.stack.name;
    }

    /** The stack's config as the CLI lists it, secrets masked (`stack.getAllConfig` would pass --show-secrets). */
    private async configKeys(): Promise<ConfigMap> {
        return JSON.parse((await this.cli(["config", "--json", "--stack", this.stack.name, "--non-interactive"])) || "{}");
    }

    /** The pack and its config a preview or an up runs with. */
    policyOptions(opts: PreviewOptions = {}): { policyPacks?: string[]; policyPackConfigs?: string[] } {
        const pack = opts.policyPack === false ? undefined : opts.policyPack ?? path.join(ROOT, "policy");
        const packConfig = opts.policyPackConfig ?? (opts.policyPack === undefined ? policyConfigFor(this.production).file : undefined);
        return { policyPacks: pack ? [pack] : undefined, policyPackConfigs: pack && packConfig ? [packConfig] : undefined };
    }

    /**
     * `pulumi config set <key> --secret` with the value on standard input. The Automation API's
     * setConfig/setAllConfig put the value in argv (visible in `ps` and process accounting), and
     * PulumiCommand.run gives no stdin; the CLI reads a missing value from stdin when it is not a
     * terminal (https://www.pulumi.com/docs/iac/cli/commands/pulumi_config_set/).
     */
    async setSecret(key: string, value: string): Promise<void> {
        await this.cli(["config", "set", key, "--secret", "--stack", this.stack.name, "--non-interactive"], value, `pulumi config set ${key} --secret`);
    }

    /**
     * Runs the workspace's CLI with its environment, `stdin` on standard input; resolves to its
     * stdout. The SDK's own runner (PulumiCommand.run) is internal and gives no stdin.
     */
    private cli(args: string[], stdin = "", what = `pulumi ${args.slice(0, 2).join(" ")}`): Promise<string> {
        const ws = this.stack.workspace as LocalWorkspace;
        const env = { ...process.env, ...(ws.pulumiHome ? { PULUMI_HOME: ws.pulumiHome } : {}), ...ws.envVars, PULUMI_AUTOMATION_API: "true" };
        return new Promise<string>((resolve, reject) => {
            const child = spawn(ws.pulumiCommand.command, args, { cwd: this.workDir, env, stdio: ["pipe", "pipe", "pipe"] });
            let [stdout, stderr] = ["", ""];
            child.stdout.on("data", d => (stdout += String(d)));
            child.stderr.on("data", d => (stderr += String(d)));
            child.on("error", reject);
            child.on("close", code => (code === 0 ? resolve(stdout) : reject(new Error(`${what} failed (exit ${code}): ${stderr.trim()}`))));
            child.stdin.end(stdin);
        });
    }

    /** Throws PolicyViolationsError when the pack blocks the change. */
    async preview(opts: PreviewOptions = {}): Promise<OperationResult> {
        const policy = this.policyOptions(opts);
        return this.run("preview", opts, async (o) => {
            await this.stack.preview({ ...o, ...policy });
            return {};
        });
    }

    /** With the same pack and config as preview; throws PolicyViolationsError when the pack blocks the change. */
    async up(opts: PreviewOptions = {}): Promise<OperationResult> {
        const policy = this.policyOptions(opts);
        return this.run("up", opts, async (o) => (await this.stack.up({ ...o, ...policy })).outputs);
    }

    async refresh(opts: RunOptions = {}): Promise<OperationResult> {
        return this.run("refresh", opts, async (o) => {
            await this.stack.refresh(o);
            return this.stack.outputs();
        });
    }

    async destroy(opts: RunOptions = {}): Promise<OperationResult> {
        return this.run("destroy", opts, async (o) => {
            await this.stack.destroy(o);
            return {};
        });
    }

    async outputs(): Promise<OutputMap> {
        return this.stack.outputs();
    }

    /**
     * `pulumi cancel`: stops an update another process is running, through the backend. Dangerous
     * (the SDK's own warning: it can leave state inconsistent); an AbortSignal is the way to stop
     * an operation this process started.
     */
    async cancelRemote(): Promise<void> {
        await this.stack.cancel();
    }

    private async run(operation: OperationResult["operation"], opts: RunOptions,
        call: (o: { onOutput?: (s: string) => void; onError?: (s: string) => void; onEvent: (e: EngineEvent) => void; signal?: AbortSignal }) => Promise<OutputMap>): Promise<OperationResult> {
        const events: EngineEvent[] = [];
        const onEvent = (e: EngineEvent) => {
            events.push(e);
            opts.onEvent?.(e);
        };
        if (opts.signal?.aborted) throw new OperationCancelled(operation);
        let outputs: OutputMap;
        try {
            outputs = await call({ onOutput: opts.onOutput, onError: opts.onError, onEvent, signal: opts.signal });
        } catch (e) {
            if (opts.signal?.aborted) throw new OperationCancelled(operation, e);
            // The CLI fails a run the pack blocks; what blocked it is in the events, not the error.
            const result: OperationResult = { operation, outputs: {}, ...summarizeEvents(events) };
            if (blocked(result)) throw new PolicyViolationsError(result, e);
            throw e;
        }
        const result: OperationResult = { operation, outputs, ...summarizeEvents(events) };
        // A CLI that reported a mandatory violation yet exited 0 still must not pass for a success.
        if (blocked(result)) throw new PolicyViolationsError(result);
        return result;
    }
}

const blocked = (r: OperationResult) => r.policyViolations.some(v => v.enforcementLevel === "mandatory");

export class OperationCancelled extends Error {
    constructor(readonly operation: string, readonly cause?: unknown) {
        super(`${operation} cancelled`);
        this.name = "OperationCancelled";
    }
}
