import type { Plan, PlanState } from "../../policy/offline";

// Small hand-made plans in the `pulumi preview --json` shape, for tests whose expected numbers are
// worked out by hand. Each resource gets an id and ARN; `ref(x)` is the value another resource's
// input holds to point at x, and `deps` records the engine's propertyDependencies.

export interface FixtureResource {
    urn: string;
    id: string;
    arn: string;
    state: PlanState;
}

export class PlanFixture {
    private readonly resources: FixtureResource[] = [];
    private n = 0;

    add(type: string, name: string, inputs: Record<string, any> = {}, opts: { deps?: Record<string, FixtureResource[]>; dependsOn?: FixtureResource[]; parent?: FixtureResource; custom?: boolean } = {}): FixtureResource {
        this.n++;
        const parentType = opts.parent ? `${opts.parent.state.type}$` : "";
        const urn = `urn:pulumi:test::kong-hybrid::${parentType}${type}::${name}`;
        const id = `${name}-${String(this.n).padStart(4, "0")}`;
        const arn = `arn:aws:test:us-east-1:123456789012:${name}/${id}`;
        const propertyDependencies: Record<string, string[]> = {};
        for (const [prop, rs] of Object.entries(opts.deps ?? {})) propertyDependencies[prop] = rs.map(r => r.urn);
        const state: PlanState = {
            urn, type, id, custom: opts.custom ?? true, parent: opts.parent?.urn,
            inputs, outputs: { ...inputs, id, arn },
            dependencies: [...new Set([...Object.values(propertyDependencies).flat(), ...(opts.dependsOn ?? []).map(r => r.urn)])],
            propertyDependencies,
        };
        const r = { urn, id, arn, state };
        this.resources.push(r);
        return r;
    }

    /** An ECS service running one Kong container of `role`, with its task definition. */
    kongService(name: string, role: "control_plane" | "data_plane", task: { cpu: number; memory: number; arm?: boolean; desiredCount: number; service?: Record<string, any>; container?: Record<string, any> }, deps: Record<string, FixtureResource[]> = {}) {
        const td = this.add("aws:ecs/taskDefinition:TaskDefinition", `${name}-task`, {
            cpu: String(task.cpu), memory: String(task.memory), family: name,
            runtimePlatform: { cpuArchitecture: task.arm ? "ARM64" : "X86_64", operatingSystemFamily: "LINUX" },
            containerDefinitions: JSON.stringify([{ name: "kong", image: "kong:3.9.3", environment: [{ name: "KONG_ROLE", value: role }], ...task.container }]),
        });
        const service = this.add("aws:ecs/service:Service", `${name}-service`, {
            taskDefinition: td.arn, desiredCount: task.desiredCount, ...task.service,
        }, { deps: { taskDefinition: [td], ...deps } });
        return { td, service };
    }

    plan(): Plan {
        return { steps: this.resources.map(r => ({ op: "create", urn: r.urn, newState: r.state })) };
    }
}

let natGateway: Promise<Plan> | undefined;

/** The dev stack with a NAT gateway instead of its NAT instance, as plan JSON (planned once per run). */
export function devWithNatGatewayPlan(): Promise<Plan> {
    natGateway ??= (async () => {
        const { planStack } = await import("../../offline/harness");
        const { previewJson } = await import("../../tools/plan");
        return JSON.parse(JSON.stringify(previewJson(await planStack("dev", { "kong-hybrid:natMode": "gateway-single" }))));
    })();
    return natGateway;
}
