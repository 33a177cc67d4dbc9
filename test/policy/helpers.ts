import type { Plan, PlanState, Violation } from "../../policy/offline";
import { UNKNOWN_STRING } from "../../policy/lib/values";

/** The state of the resource named `name` (and of `type`, if given). */
export function state(plan: Plan, name: string, type?: string): PlanState {
    const found = plan.steps.map(s => s.newState!).filter(s => s && s.urn.endsWith(`::${name}`) && (!type || s.type === type));
    if (found.length !== 1) throw new Error(`expected one resource named ${name}${type ? ` of ${type}` : ""}, found ${found.length}`);
    return found[0];
}

export function remove(plan: Plan, name: string, type?: string): void {
    const s = state(plan, name, type);
    plan.steps.splice(plan.steps.findIndex(step => step.newState === s), 1);
}

/** Edits the containers of a task definition (containerDefinitions is one JSON string). */
export function editContainers(plan: Plan, taskDefinition: string, edit: (containers: any[]) => void): void {
    const s = state(plan, taskDefinition, "aws:ecs/taskDefinition:TaskDefinition");
    const containers = JSON.parse(s.inputs.containerDefinitions);
    edit(containers);
    s.inputs.containerDefinitions = JSON.stringify(containers);
}

export function setEnv(container: any, name: string, value: string | undefined): void {
    container.environment = (container.environment ?? []).filter((e: any) => e.name !== name);
    if (value !== undefined) container.environment.push({ name, value });
}

/**
 * The plan as a real preview of a new stack shows it: no ids, no outputs, and every input that
 * held another resource's id or ARN unknown. Only propertyDependencies link resources.
 */
export function withUnknownIds(plan: Plan): Plan {
    const known = new Set<string>();
    for (const s of plan.steps) {
        const st = s.newState;
        if (!st?.custom) continue;
        if (st.id) known.add(st.id);
        if (st.outputs?.arn) known.add(st.outputs.arn);
    }
    const blank = (v: any): any => {
        if (typeof v === "string") return known.has(v) ? UNKNOWN_STRING : v;
        if (Array.isArray(v)) return v.map(blank);
        if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, blank(x)]));
        return v;
    };
    return {
        steps: plan.steps.map(s => {
            const { id: _id, outputs: _outputs, ...rest } = s.newState!;
            return { ...s, newState: { ...rest, inputs: blank(rest.inputs) } };
        }),
    };
}

export function mandatoryPolicies(violations: Violation[]): string[] {
    return [...new Set(violations.filter(v => v.enforcementLevel === "mandatory").map(v => v.policy))].sort();
}

export function describe_(violations: Violation[]): string {
    return violations.map(v => `  [${v.enforcementLevel}] ${v.policy}: ${v.message} (${v.urn ?? "stack"})`).join("\n");
}

/** Appends a created resource to a plan, with an AWS-shaped id, as a preview would list it. */
export function addToPlan(plan: Plan, type: string, name: string, inputs: Record<string, any>, deps: Record<string, string[]>): string {
    const any = plan.steps.find(s => s.urn.startsWith("urn:pulumi:"))!.urn.split("::");
    const urn = `${any[0]}::${any[1]}::${type}::${name}`;
    const prefix = type.includes("SecurityGroup") ? "sgr-" : "";
    const id = `${prefix}0${Buffer.from(name).toString("hex").padEnd(16, "0").slice(0, 16)}`;
    const [, mod] = type.split(":");
    const arn = `arn:aws:${mod.split("/")[0]}:eu-west-1:123456789012:${mod.split("/")[1].split(":")[0]}/${id}`;
    plan.steps.push({
        op: "create", urn,
        newState: {
            urn, type, custom: true, id, inputs, outputs: { ...inputs, id, arn },
            dependencies: [...new Set(Object.values(deps).flat())], propertyDependencies: deps,
        },
    });
    return urn;
}

/** As withUnknownIds, and every task definition's containerDefinitions unknown too (a fresh stack's preview). */
export function asFreshPreview(plan: Plan): Plan {
    const p = withUnknownIds(plan);
    for (const s of p.steps) if (s.newState?.type === "aws:ecs/taskDefinition:TaskDefinition") s.newState.inputs = { ...s.newState.inputs, containerDefinitions: UNKNOWN_STRING };
    return p;
}
