import * as assert from "assert";
import { planStack, type PlannedResource, type ProgramRun } from "../../offline/harness";
import { ConfigError, parseConfig } from "../../stacks/config";

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

/** The problems config validation reports for a raw stack config (none: []); anything but a ConfigError fails the test. */
export function configProblems(raw: Record<string, string>, stack = "test"): string[] {
    try {
        parseConfig(raw, stack);
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        return e.problems;
    }
}
