import { byType, type PlannedResource, type ProgramRun } from "../../offline/harness";
import { planDataPlane } from "./dp-plan";

// Each plan runs once per mocha process; specs share them (the suite must stay fast).
const cache = new Map<string, Promise<ProgramRun>>();
export const LICENCE_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-licence-QwErTy";
const VARIANTS: Record<string, [string, Record<string, string | undefined>]> = {
    dev: ["dev", {}],
    prod: ["prod", {}],
    "dev-self-signed": ["dev", { "kong-hybrid:hostedZoneName": "" }],
    "dev-enterprise": ["dev", { "kong-hybrid:kongImage": "kong/kong-gateway:3.15.0.4", "kong-hybrid:kongLicenseSecretArn": LICENCE_ARN }],
};
export function plan(variant: keyof typeof VARIANTS | string): Promise<ProgramRun> {
    if (!cache.has(variant)) {
        const [stack, overrides] = VARIANTS[variant];
        cache.set(variant, planDataPlane(stack, overrides).then(run => {
            // Mocks accept a URN twice; a real preview fails.
            if (run.duplicateUrns.length > 0) throw new Error(`duplicate URNs: ${run.duplicateUrns.join(", ")}`);
            return run;
        }));
    }
    return cache.get(variant)!;
}

export function one(run: ProgramRun, type: string, name?: string): PlannedResource {
    const found = byType(run, type).filter(r => name === undefined || r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
    return found[0];
}

export function containerOf(run: ProgramRun): any {
    const defs = JSON.parse(one(run, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions);
    return defs[0];
}

export function envOf(run: ProgramRun): Record<string, string> {
    return Object.fromEntries(containerOf(run).environment.map((e: any) => [e.name, e.value]));
}

export function secretsOf(run: ProgramRun): Record<string, string> {
    return Object.fromEntries(containerOf(run).secrets.map((e: any) => [e.name, e.valueFrom]));
}
