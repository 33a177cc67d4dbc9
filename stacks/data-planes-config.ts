import { validateDataPlaneScaling } from "../components/data-plane";
import { parseKongImage, type KongImage } from "../components/kong/image";
import { problemLine } from "../components/problems";

// kong-hybrid:dataPlanes: the stack's DP groups as data. Absent, the stack has one public group
// sized by the dp* keys (what every stack had before groups were configurable).

export type DataPlaneRuntime = "ecs";
export type DataPlaneExposure = "public" | "internal";

export interface DataPlaneGroupConfig {
    /** Lowercase, unique in the stack; the component is dp-<name>. */
    name: string;
    runtime: DataPlaneRuntime;
    /** public: behind the shared ALB; internal: an internal ALB in the private subnets that only the VPC reaches. */
    exposure: DataPlaneExposure;
    cpu: number;
    memory: number;
    minCount: number;
    maxCount: number;
    desiredCount: number;
    spotPercent: number;
    kong: KongImage;
}

/** What a group takes from the stack's dp* keys unless it says otherwise. */
export type DataPlaneGroupDefaults = Omit<DataPlaneGroupConfig, "name" | "runtime" | "exposure">;

/** The group a stack has without `dataPlanes`: dp-public, behind the shared ALB. */
export const DEFAULT_GROUP = { name: "public", runtime: "ecs", exposure: "public" } as const;

/** A group's component name (dp-<name>) stays within the ALB and target-group name limits (32 with Pulumi's suffix). */
const NAME = /^[a-z][a-z0-9-]{0,11}$/;
const FIELDS = ["name", "runtime", "exposure", "minCount", "maxCount", "desiredCount", "cpu", "memory", "spotPercent", "image"] as const;

/**
 * The groups of `dataPlanes` (parsed JSON, or undefined when absent). `key` names the config key in
 * each problem (`kong-hybrid:dataPlanes[1].maxCount = 0: ...`); sizes are checked by `checkSize`.
 */
export function parseDataPlanes(
    value: unknown,
    defaults: DataPlaneGroupDefaults,
    key: string,
    problems: string[],
    checkSize: (where: string, cpu: number, memory: number) => void,
): DataPlaneGroupConfig[] {
    if (value === undefined) return [{ ...DEFAULT_GROUP, ...defaults }];
    if (!Array.isArray(value) || value.length === 0) {
        problems.push(`${key} = ${JSON.stringify(value)}: must list at least one group, e.g. [{name: public, runtime: ecs, exposure: public, minCount: 1, maxCount: 3}]`);
        return [];
    }
    const groups: DataPlaneGroupConfig[] = [];
    value.forEach((g: any, i) => {
        const at = `${key}[${i}]`;
        if (!g || typeof g !== "object" || Array.isArray(g)) {
            problems.push(`${at} = ${JSON.stringify(g)}: must be a mapping with name, runtime, exposure, minCount and maxCount`);
            return;
        }
        const before = problems.length;
        for (const f of Object.keys(g)) {
            if (!(FIELDS as readonly string[]).includes(f)) problems.push(`${at}.${f}: unknown field; the fields are ${FIELDS.join(", ")}`);
        }
        if (typeof g.name !== "string" || !NAME.test(g.name)) {
            problems.push(`${at}.name = ${JSON.stringify(g.name)}: must be 1-12 lowercase letters, digits or dashes, starting with a letter`);
        } else if (groups.some(o => o.name === g.name) || value.slice(0, i).some((o: any) => o?.name === g.name)) {
            problems.push(`${at}.name = ${JSON.stringify(g.name)}: another group has this name; names are unique in the stack`);
        }
        if (g.runtime === "eks") {
            problems.push(`${at}.runtime = "eks": the EKS runtime is not wired into stacks yet; use ecs`);
        } else if (g.runtime !== "ecs") {
            problems.push(`${at}.runtime = ${JSON.stringify(g.runtime)}: must be ecs`);
        }
        if (g.exposure !== "public" && g.exposure !== "internal") {
            problems.push(`${at}.exposure = ${JSON.stringify(g.exposure)}: must be public or internal`);
        }
        const int = (field: string, min: number, max: number, fallback?: number): number => {
            const v = g[field] ?? fallback;
            if (!Number.isInteger(v) || v < min || v > max) {
                problems.push(`${at}.${field} = ${JSON.stringify(g[field])}: must be a whole number from ${min} to ${max}${fallback === undefined ? " (required)" : ""}`);
                return NaN;
            }
            return v;
        };
        const minCount = int("minCount", 1, 100);
        const maxCount = int("maxCount", 1, 100);
        const desiredCount = int("desiredCount", 0, 100, 0) || minCount;
        if (Number.isInteger(minCount) && Number.isInteger(maxCount)) {
            problems.push(...validateDataPlaneScaling({ minCount, maxCount, desiredCount }).map(p => problemLine(p, f => `${at}.${f}`)));
        }
        const cpu = int("cpu", 256, 16384, defaults.cpu);
        const memory = int("memory", 512, 122880, defaults.memory);
        if (Number.isInteger(cpu) && Number.isInteger(memory) && (g.cpu !== undefined || g.memory !== undefined)) checkSize(at, cpu, memory);
        const spotPercent = int("spotPercent", 0, 100, defaults.spotPercent);
        let kong = defaults.kong;
        if (g.image !== undefined) {
            const k = typeof g.image === "string" ? parseKongImage(g.image) : { error: "must be a Kong image such as kong:3.9.3" };
            if ("error" in k) problems.push(`${at}.image = ${JSON.stringify(g.image)}: ${k.error}`);
            else kong = k;
        }
        if (problems.length === before) groups.push({ name: g.name, runtime: "ecs", exposure: g.exposure, cpu, memory, minCount, maxCount, desiredCount, spotPercent, kong });
    });
    if (problems.length === 0 && !groups.some(g => g.exposure === "public")) {
        problems.push(`${key}: no group has exposure public; the shared ALB's certificate also serves the internal load balancers, so one public group is needed`);
    }
    return groups;
}
