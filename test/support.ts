import { planStack, type PlannedResource, type ProgramRun } from "../offline/harness";

// Plans are deterministic: run each stack once per test process and share the result.
const plans = new Map<string, Promise<ProgramRun>>();

export function plan(stack: "dev" | "prod"): Promise<ProgramRun> {
    let p = plans.get(stack);
    if (!p) plans.set(stack, (p = planStack(stack)));
    return p;
}

export function ofType(run: ProgramRun, type: string): PlannedResource[] {
    return run.resources.filter(r => r.type === type);
}

/** The one resource of a type whose logical name ends with `suffix`. */
export function named(run: ProgramRun, type: string, suffix: string): PlannedResource {
    const found = ofType(run, type).filter(r => r.name.endsWith(suffix));
    if (found.length !== 1) throw new Error(`expected one ${type} named *${suffix}, found ${found.map(r => r.name).join(", ") || "none"}`);
    return found[0];
}

/** The resource whose id (or ARN) is `ref`. */
export function resolve(run: ProgramRun, ref: string): PlannedResource | undefined {
    return run.resources.find(r => r.custom && (r.id === ref || r.outputs.arn === ref));
}
