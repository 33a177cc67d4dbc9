import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, PROJECT, readStackFile } from "../stacks/config";
import { stackNameFromFile } from "../tools/cli";
import { MockCloud, unwrap } from "./mock-cloud";

// The project's one offline runtime: runs a program as a whole Pulumi stack under the mock
// cloud and records every registration the way a real preview reports it (URN, parent, inputs,
// outputs, dependencies, propertyDependencies). The offline plan, the benchmark and the tests
// all go through runProgram.

export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent?: string;
    provider?: string;
    id?: string;
    inputs: Record<string, any>;
    outputs: Record<string, any>;
    dependencies: string[];
    /** Input property → URNs of the resources its value came from (what policies resolve references with). */
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    /** Input properties the engine leaves alone after create (e.g. a service's desiredCount under autoscaling). */
    ignoreChanges: string[];
    /** The URNs this resource answers to besides its own (declared aliases and those inherited from its parent), as the engine resolves them. */
    aliases: string[];
}

export interface ProgramRun {
    stack: string;
    resources: PlannedResource[];
    outputs: Record<string, any>;
    /** URNs registered more than once: a real preview fails on these; the mock runtime does not. */
    duplicateUrns: string[];
}

export interface RunOptions {
    stack?: string;
    /** Raw config: `kong-hybrid:key` / `aws:region` → string, as Pulumi stores it. */
    config?: Record<string, string>;
}

export const ROOT = path.join(__dirname, "..");

/** The raw config of a stack file: `dev` reads Pulumi.dev.yaml; a path reads that file. Throws ConfigError on a bad file. */
export function stackConfig(stackOrFile: string, overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const file = stackFile(stackOrFile);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e: any) {
        throw new Error(`cannot read stack config ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
    }
    const { raw, problems } = readStackFile(text, stackOrFile);
    if (problems.length > 0) throw new ConfigError(problems);
    for (const [key, value] of Object.entries(overrides)) {
        const full = key.includes(":") ? key : `${PROJECT}:${key}`;
        if (value === undefined) delete raw[full];
        else raw[full] = value;
    }
    return raw;
}

export function stackFile(stackOrFile: string): string {
    return /[/\\]|\.ya?ml$/.test(stackOrFile) ? path.resolve(stackOrFile) : path.join(ROOT, `Pulumi.${stackOrFile}.yaml`);
}

/** The stack name a stack file stands for: Pulumi.<name>.yaml → name; any other file → its base name (as npm run plan). */
export function stackNameOf(stackOrFile: string): string {
    return /[/\\]|\.ya?ml$/.test(stackOrFile) ? stackNameFromFile(stackOrFile) : stackOrFile;
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs `program` as a whole Pulumi stack under the mock cloud. Runs are serialized: the runtime is global. */
export function runProgram(program: () => Promise<Record<string, any>> | Record<string, any>, opts: RunOptions = {}): Promise<ProgramRun> {
    const run = queue.then(() => runExclusive(program, opts));
    queue = run.catch(() => undefined);
    return run;
}

/** Runs the real program (index.ts's body) for a stack file, with optional config overrides. */
export async function planStack(stackOrFile: string, overrides: Record<string, string | undefined> = {}): Promise<ProgramRun> {
    const config = stackConfig(stackOrFile, overrides);
    const { loadConfig } = await import("../stacks/config");
    const { buildStack } = await import("../stacks/program");
    return runProgram(() => buildStack(loadConfig()), { stack: stackNameOf(stackOrFile), config });
}

async function runExclusive(program: () => Promise<Record<string, any>> | Record<string, any>, opts: RunOptions): Promise<ProgramRun> {
    const stack = opts.stack ?? "test";
    const config = opts.config ?? {};
    pulumi.runtime.setAllConfig(config);
    await pulumi.runtime.setMocks(new MockCloud(config["aws:region"] ?? "eu-west-1", stack), PROJECT, stack, false);
    const monitor = pulumi.runtime.getMonitor() as any;
    // The SDK's mock monitor qualifies a type with its parent's last type only; the engine uses the
    // parent's whole chain. Upgrade safety (aliases) is judged on URNs, so they must be the engine's.
    monitor.newUrn = (parent: string, type: string, name: string) => engineUrn(stack, parent, type, name);
    const { resources, duplicateUrns } = recordRegistrations(monitor);
    // The SDK records `new Error().stack` on every internal promise (for leak reports), and under
    // ts-node each stack is source-mapped: that was ~85% of a plan's time. Without stack frames
    // the same plan runs ~8x faster. Resource source positions are unaffected (the SDK lifts the
    // limit for those itself). KONG_HYBRID_STACK_TRACES=1 keeps them for debugging the program.
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env.KONG_HYBRID_STACK_TRACES) Error.stackTraceLimit = 0;
    let outputs: Record<string, any>;
    try {
        outputs = (await pulumi.runtime.runInPulumiStack(async () => program())) ?? {};
    } finally {
        // Registration is asynchronous: wait until every queued registration has reached the mocks.
        await pulumi.runtime.disconnect();
        Error.stackTraceLimit = stackTraceLimit;
    }
    return { stack, resources: [...resources.values()], outputs: unwrap(outputs ?? {}), duplicateUrns };
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** A URN as the engine builds it: the parent's qualified type chain (the root stack left out), `$`, the type. */
export function engineUrn(stack: string, parent: string | undefined, type: string, name: string, project = PROJECT): string {
    const parentType = parent ? urnParts(parent).qualifiedType : "";
    const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

export function urnParts(urn: string): { stack: string; project: string; qualifiedType: string; name: string } {
    const [head, project, qualifiedType, ...name] = urn.split("::");
    return { stack: head.replace(/^urn:pulumi:/, ""), project, qualifiedType, name: name.join("::") };
}

/**
 * The URNs a registration answers to, resolved the way the engine does
 * (https://github.com/pulumi/pulumi/blob/master/pkg/resource/deploy/step_generator.go, generateAliases):
 * each alias spec defaults name, type, stack, project and parent to the resource's own, and every
 * alias of the parent yields one for the child (a child name that starts with the parent's name
 * takes the alias's name as prefix).
 */
function resolveAliases(req: any, urn: string, recorded: Map<string, PlannedResource>): string[] {
    const self = urnParts(urn);
    const type: string = req.getType();
    const parent: string = req.getParent();
    const out = new Set<string>();
    const specs: { name: string; type: string; stack: string; project: string; parent?: string }[] = [];
    for (const alias of req.getAliasesList() as any[]) {
        if (alias.getUrn?.()) { out.add(alias.getUrn()); continue; }
        const spec = alias.getSpec();
        specs.push({
            name: spec.getName() || self.name,
            type: spec.getType() || type,
            stack: spec.getStack() || self.stack,
            project: spec.getProject() || self.project,
            parent: spec.getNoparent() ? undefined : spec.getParenturn() || parent || undefined,
        });
    }
    for (const s of specs) out.add(engineUrn(s.stack, s.parent, s.type, s.name, s.project));
    const parentAliases = parent ? recorded.get(parent)?.aliases ?? [] : [];
    const parentName = parent ? urnParts(parent).name : "";
    for (const parentAlias of parentAliases) {
        const aliasParent = urnParts(parentAlias);
        for (const s of [{ name: self.name, type }, ...specs]) {
            const name = s.name.startsWith(parentName) ? aliasParent.name + s.name.slice(parentName.length) : s.name;
            out.add(engineUrn(aliasParent.stack, parentAlias, s.type, name, aliasParent.project));
        }
    }
    out.delete(urn);
    return [...out];
}

/** Wraps the mock monitor so each registration is recorded with what the engine would see. */
function recordRegistrations(monitor: any) {
    const recorded = new Map<string, PlannedResource>();
    const duplicateUrns: string[] = [];
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
        register(req, (err: any, resp: any) => {
            if (!err && resp) {
                const urn: string = resp.getUrn();
                if (recorded.has(urn)) duplicateUrns.push(urn);
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
                    propertyDependencies[key] = deps.getUrnsList();
                });
                recorded.set(urn, {
                    urn,
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    parent: req.getParent() || undefined,
                    provider: req.getProvider() || undefined,
                    id: resp.getId() || undefined,
                    inputs: unwrap(req.getObject()?.toJavaScript() ?? {}),
                    outputs: unwrap(resp.getObject()?.toJavaScript() ?? {}),
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    protect: req.getProtect(),
                    ignoreChanges: req.getIgnorechangesList(),
                    aliases: resolveAliases(req, urn, recorded),
                });
            }
            callback(err, resp);
        });
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: any, resp: any) => void) => {
        const r = recorded.get(req.getUrn());
        if (r) r.outputs = unwrap(req.getOutputs()?.toJavaScript() ?? {});
        registerOutputs(req, callback);
    };
    return { resources: recorded, duplicateUrns };
}

// ── Helpers for tests and reports ───────────────────────────────────────────────────────────

export function byType(run: ProgramRun, type: string): PlannedResource[] {
    return run.resources.filter(r => r.type === type);
}

export function byUrn(run: ProgramRun, urn: string): PlannedResource {
    const r = run.resources.find(x => x.urn === urn);
    if (!r) throw new Error(`no resource ${urn}`);
    return r;
}
