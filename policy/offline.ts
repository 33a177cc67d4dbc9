// Runs the pack over a plan file, without the Pulumi CLI: the shape of `pulumi preview --json`
// ({steps: [{op, urn, newState}]}), which `npm run plan -- --json` also writes. Each policy gets the
// argument objects the engine would build (@pulumi/policy 1.21 server.js): `props` wrapped in the
// same unknown-checking proxy, `propertyDependencies` resolved to resources, `getConfig` with the
// schema defaults, `notApplicable` throwing. Policies never see anything the engine would not give.

import type {
    EnforcementLevel, Policies, PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy,
} from "@pulumi/policy";
import { policies as packPolicies } from "./policies";
import { recordIdentity } from "./lib/resolver";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T };

export interface PlanState {
    urn: string;
    type: string;
    id?: string;
    parent?: string;
    provider?: string;
    custom: boolean;
    inputs: Record<string, any>;
    outputs?: Record<string, any>;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface PlanStep {
    op: string;
    urn: string;
    newState?: PlanState;
    /** A preview of an existing stack may list unchanged resources ("same") with their old state only. */
    oldState?: PlanState;
}

export interface Plan {
    steps: PlanStep[];
}

export interface Violation {
    policy: string;
    enforcementLevel: "advisory" | "mandatory";
    urn?: string;
    message: string;
}

export interface EvaluateOptions {
    /** Policy pack config, as for `pulumi preview --policy-pack-config`: {"<policy>": level | {enforcementLevel?, …params}, "all"?: level}. */
    config?: Record<string, any>;
    /** The policies to run (default: the whole pack). */
    policies?: Policies;
}

/** Steps whose resource does not exist after the operation. */
const GONE = new Set(["delete", "delete-replaced", "discard", "read-discard", "remove-pending-replace"]);

class NotApplicable extends Error {}

function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Secrets in a state file are {<sig>: <secret sig>, value}; the engine hands policies the plain value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
function unsecret(v: any): any {
    if (Array.isArray(v)) return v.map(unsecret);
    if (v && typeof v === "object") {
        if (v[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") return unsecret("value" in v ? v.value : v.plaintext !== undefined ? JSON.parse(v.plaintext) : undefined);
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsecret(x)]));
    }
    return v;
}

function isTypeOf(type: string, cls: any): boolean {
    return cls?.__pulumiType === type;
}

const OPTS_DEFAULT = { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } };

/** The PolicyResources of the plan, as StackValidationArgs.resources holds them. */
export function planResources(plan: Plan): PolicyResource[] {
    const states = new Map<string, PlanState>();
    for (const step of plan.steps ?? []) {
        if (GONE.has(step.op)) continue;
        const st = step.newState ?? step.oldState;
        if (st) states.set(st.urn ?? step.urn, st);
    }
    const byUrn = new Map<string, PolicyResource>();
    for (const [urn, s] of states) {
        const props = unknownCheckingProxy(unsecret(s.inputs ?? {}));
        const r: PolicyResource = {
            type: s.type, urn, name: nameOf(urn), props,
            opts: { ...OPTS_DEFAULT, parent: s.parent },
            dependencies: [], propertyDependencies: {},
            isType: (cls: any) => isTypeOf(s.type, cls),
            asType: ((cls: any) => (isTypeOf(s.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
        const outputs = s.outputs ?? {};
        // An auto-named resource is referred to by its physical name (an RDS subnet group), known only in outputs.
        recordIdentity(r, { id: s.id || outputs.id, arn: outputs.arn, name: typeof outputs.name === "string" ? outputs.name : undefined });
        byUrn.set(urn, r);
    }
    for (const [urn, s] of states) {
        const r = byUrn.get(urn)!;
        const lookup = (u: string) => byUrn.get(u);
        r.dependencies = (s.dependencies ?? []).map(lookup).filter((x): x is PolicyResource => !!x);
        for (const [prop, urns] of Object.entries(s.propertyDependencies ?? {})) {
            r.propertyDependencies[prop] = urns.map(lookup).filter((x): x is PolicyResource => !!x);
        }
        if (s.parent && byUrn.has(s.parent)) r.parent = byUrn.get(s.parent);
        if (s.provider) {
            const p = byUrn.get(s.provider.slice(0, s.provider.lastIndexOf("::")));
            if (p) r.provider = { type: p.type, props: p.props, urn: p.urn, name: p.name };
        }
    }
    return [...byUrn.values()];
}

function levelFor(p: { name: string; enforcementLevel?: EnforcementLevel }, config: Record<string, any>): EnforcementLevel {
    const own = config[p.name];
    const given = typeof own === "string" ? own : own?.enforcementLevel;
    return (given ?? config.all ?? p.enforcementLevel ?? "advisory") as EnforcementLevel;
}

function configFor(p: { name: string; configSchema?: { properties: Record<string, any> } }, config: Record<string, any>): Record<string, any> {
    const out: Record<string, any> = {};
    for (const [k, schema] of Object.entries(p.configSchema?.properties ?? {})) {
        if (schema && "default" in schema) out[k] = schema.default;
    }
    const own = config[p.name];
    if (own && typeof own === "object") for (const [k, v] of Object.entries(own)) if (k !== "enforcementLevel") out[k] = v;
    return out;
}

function settle(result: unknown, policy: string): void {
    if (result && typeof (result as any).then === "function") {
        throw new Error(`policy ${policy} is asynchronous; the offline evaluator runs synchronous policies only`);
    }
}

/** Runs every policy over the plan and returns the violations, mandatory ones first. */
export function evaluatePlan(plan: Plan, opts: EvaluateOptions = {}): Violation[] {
    const config = opts.config ?? {};
    const resources = planResources(plan);
    const violations: Violation[] = [];
    const stackTags: ReadonlyMap<string, string> = new Map();
    const notApplicable = (reason?: string): never => { throw new NotApplicable(reason); };

    for (const p of opts.policies ?? packPolicies) {
        let level = levelFor(p, config);
        if (level === "disabled") continue;
        if (level === "remediate") level = "mandatory";
        const enforcementLevel = level as Violation["enforcementLevel"];
        const getConfig = <T extends object>() => configFor(p, config) as T;
        if ("validateStack" in p) {
            const report: ReportViolation = (message, urn) => violations.push({ policy: p.name, enforcementLevel, urn, message });
            try {
                settle((p as StackValidationPolicy).validateStack({ resources, stackTags, getConfig, notApplicable }, report), p.name);
            } catch (e) {
                if (!(e instanceof NotApplicable)) throw e;
            }
            continue;
        }
        const rp = p as ResourceValidationPolicy;
        const validations = rp.validateResource === undefined ? [] : Array.isArray(rp.validateResource) ? rp.validateResource : [rp.validateResource];
        for (const r of resources) {
            if (r.type.startsWith("pulumi:providers:")) continue;
            // For a resource policy the urn argument of reportViolation is ignored (policy.d.ts).
            const report: ReportViolation = message => violations.push({ policy: p.name, enforcementLevel, urn: r.urn, message });
            const args = {
                type: r.type, props: r.props, urn: r.urn, name: r.name, opts: r.opts, provider: r.provider, stackTags,
                isType: r.isType, asType: (cls: any) => (r.isType(cls) ? r.props : undefined), getConfig, notApplicable,
            };
            for (const v of validations) {
                try {
                    settle(v(args as any, report), p.name);
                } catch (e) {
                    if (!(e instanceof NotApplicable)) throw e;
                }
            }
        }
    }
    const rank = (v: Violation) => (v.enforcementLevel === "mandatory" ? 0 : 1);
    return violations.sort((a, b) => rank(a) - rank(b));
}

export function mandatory(violations: Violation[]): Violation[] {
    return violations.filter(v => v.enforcementLevel === "mandatory");
}
