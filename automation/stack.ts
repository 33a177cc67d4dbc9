// A typed facade over the Automation API (LocalWorkspace, inline program) for this project:
// open a stack with its config, then preview (with the policy pack), up, refresh, destroy or read
// its outputs, each streaming progress through onOutput/onEvent, cancellable with an AbortSignal,
// and returning one typed result: the change summary, the outputs and the policy violations.

import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    LocalWorkspace, PulumiCommand, type EngineEvent, type OpMap, type OutputMap, type PulumiFn, type Stack,
} from "@pulumi/pulumi/automation";
import { PROJECT } from "../stacks/config";
import { toStackConfig, type StackInputs } from "./config";

export const ROOT = path.join(__dirname, "..");

export interface OpenOptions {
    stackName: string;
    /** The project directory holding Pulumi.yaml and the Pulumi.<stack>.yaml files; default: this repository. */
    workDir?: string;
    /** Config to write into the stack before running (otherwise the stack file is used as it is). */
    config?: StackInputs;
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

export interface PreviewOptions extends RunOptions {
    /** A policy pack directory; default: this repository's policy/. `false` runs none. */
    policyPack?: string | false;
    /** Its config JSON; default: policy/config/<stack>.json when that file exists. */
    policyPackConfig?: string;
}

export interface PolicyViolation {
    policy: string;
    pack: string;
    enforcementLevel: "warning" | "mandatory";
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
    private constructor(readonly stack: Stack, readonly workDir: string) {}

    /** Creates or selects the stack and, when given, writes its config (secrets through stdin). */
    static async open(opts: OpenOptions): Promise<KongStack> {
        const mapped = opts.config ? toStackConfig(opts.config) : undefined;
        const workDir = opts.workDir ?? ROOT;
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: opts.stackName, projectName: PROJECT, program: opts.program ?? projectProgram },
            { workDir, pulumiCommand: opts.pulumiCommand, envVars: opts.envVars },
        );
        const kong = new KongStack(stack, workDir);
        if (mapped) {
            if (Object.keys(mapped.plain).length > 0) {
                await stack.setAllConfig(Object.fromEntries(Object.entries(mapped.plain).map(([k, value]) => [k, { value, secret: false }])));
            }
            for (const [key, value] of Object.entries(mapped.secrets)) await kong.setSecret(key, value);
        }
        return kong;
    }

    get name(): string {
        return this.stack.name;
    }

    /**
     * `pulumi config set <key> --secret` with the value on standard input. The Automation API's
     * setConfig/setAllConfig put the value in argv (visible in `ps` and process accounting), and
     * PulumiCommand.run gives no stdin; the CLI reads a missing value from stdin when it is not a
     * terminal (https://www.pulumi.com/docs/iac/cli/commands/pulumi_config_set/).
     */
    async setSecret(key: string, value: string): Promise<void> {
        const ws = this.stack.workspace as LocalWorkspace;
        const args = ["config", "set", key, "--secret", "--stack", this.stack.name, "--non-interactive"];
        const env = { ...process.env, ...(ws.pulumiHome ? { PULUMI_HOME: ws.pulumiHome } : {}), ...ws.envVars, PULUMI_AUTOMATION_API: "true" };
        await new Promise<void>((resolve, reject) => {
            const child = spawn(ws.pulumiCommand.command, args, { cwd: this.workDir, env, stdio: ["pipe", "ignore", "pipe"] });
            let stderr = "";
            child.stderr.on("data", d => (stderr += String(d)));
            child.on("error", reject);
            child.on("close", code => (code === 0 ? resolve() : reject(new Error(`pulumi config set ${key} --secret failed (exit ${code}): ${stderr.trim()}`))));
            child.stdin.end(value);
        });
    }

    async preview(opts: PreviewOptions = {}): Promise<OperationResult> {
        const pack = opts.policyPack === false ? undefined : opts.policyPack ?? path.join(ROOT, "policy");
        const defaultConfig = path.join(ROOT, "policy", "config", `${this.stack.name}.json`);
        const packConfig = opts.policyPackConfig ?? (opts.policyPack === undefined && fs.existsSync(defaultConfig) ? defaultConfig : undefined);
        return this.run("preview", opts, async (o) => {
            await this.stack.preview({ ...o, policyPacks: pack ? [pack] : undefined, policyPackConfigs: pack && packConfig ? [packConfig] : undefined });
            return {};
        });
    }

    async up(opts: RunOptions = {}): Promise<OperationResult> {
        return this.run("up", opts, async (o) => (await this.stack.up(o)).outputs);
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
            throw e;
        }
        return { operation, outputs, ...summarizeEvents(events) };
    }
}

export class OperationCancelled extends Error {
    constructor(readonly operation: string, readonly cause?: unknown) {
        super(`${operation} cancelled`);
        this.name = "OperationCancelled";
    }
}
