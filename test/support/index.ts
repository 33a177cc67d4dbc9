import { planStack, type PlannedResource, type ProgramRun } from "../../offline/harness";

// Plans are deterministic: run each stack once per test process and share the result.
const plans = new Map<string, Promise<ProgramRun>>();

export function plan(stack: "dev" | "prod" | "eks" | "mixed"): Promise<ProgramRun> {
    let p = plans.get(stack);
    if (!p) plans.set(stack, (p = planStack(stack)));
    return p;
}

/** The resource whose id (or ARN) is `ref`. */
export function resolve(run: ProgramRun, ref: string): PlannedResource | undefined {
    return run.resources.find(r => r.custom && (r.id === ref || r.outputs.arn === ref));
}
