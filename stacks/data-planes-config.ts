import { validateDataPlaneScaling } from "../components/data-plane";
import { parseKongImage, type KongImage } from "../components/kong/image";
import { problemLine } from "../components/problems";

// kong-hybrid:dataPlanes: the stack's DP groups as data. Absent, the stack has one public group
// sized by the dp* keys (what every stack had before groups were configurable).

export type DataPlaneRuntime = "ecs" | "eks";
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
    /** Public groups: the group's share of the shared ALB's traffic (weighted forward, 0-999). */
    weight: number;
    /** runtime eks: the pods' size and the HPA's CPU target (minCount/maxCount are its replica range). */
    eks?: EksGroupSizing;
}

export interface EksGroupSizing {
    /** CPU request in millicores, a multiple of 1000: Kong runs one nginx worker per requested CPU. */
    cpuMillis: number;
    memoryMiB: number;
    memoryLimitMiB: number;
    targetCpuPercent: number;
}

/** What an eks group's pods get unless it says otherwise. */
export const EKS_GROUP_DEFAULTS: EksGroupSizing = { cpuMillis: 1000, memoryMiB: 1024, memoryLimitMiB: 2048, targetCpuPercent: 60 };

/** What a group takes from the stack's dp* keys unless it says otherwise. */
export type DataPlaneGroupDefaults = Omit<DataPlaneGroupConfig, "name" | "runtime" | "exposure" | "weight" | "eks">;

/** The group a stack has without `dataPlanes`: dp-public, behind the shared ALB. */
export const DEFAULT_GROUP = { name: "public", runtime: "ecs", exposure: "public", weight: 1 } as const;

/** A group's component name (dp-<name>) stays within the ALB and target-group name limits (32 with Pulumi's suffix). */
const NAME = /^[a-z][a-z0-9-]{0,11}$/;
/** Fields only one runtime reads: the other runtime refuses them rather than ignore them. */
const ECS_ONLY = ["desiredCount", "cpu", "memory", "spotPercent"] as const;
const EKS_ONLY = ["cpuMillis", "memoryMiB", "memoryLimitMiB", "targetCpuPercent"] as const;
const FIELDS = ["name", "runtime", "exposure", "minCount", "maxCount", "image", "weight", ...ECS_ONLY, ...EKS_ONLY] as const;

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
        if (g.runtime !== "ecs" && g.runtime !== "eks") {
            problems.push(`${at}.runtime = ${JSON.stringify(g.runtime)}: must be ecs or eks`);
        }
        const eks = g.runtime === "eks";
        for (const f of eks ? ECS_ONLY : EKS_ONLY) {
            if (g[f] !== undefined) problems.push(`${at}.${f} = ${JSON.stringify(g[f])}: applies to ${eks ? "ecs" : "eks"} groups only; this group's runtime is ${JSON.stringify(g.runtime)}`);
        }
        if (eks && g.exposure === "internal") {
            problems.push(`${at}.exposure = "internal": an eks group is public only (an internal ALB in front of pods is not wired); use runtime ecs for an internal group`);
        }
        if (g.weight !== undefined && g.exposure === "internal") {
            problems.push(`${at}.weight = ${JSON.stringify(g.weight)}: applies to public groups only (they share the ALB by weight); an internal group has its own load balancer`);
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
        const weight = int("weight", 0, 999, 1);
        let sizing: EksGroupSizing | undefined;
        if (eks) {
            const d = EKS_GROUP_DEFAULTS;
            sizing = {
                cpuMillis: int("cpuMillis", 1000, 64000, d.cpuMillis),
                memoryMiB: int("memoryMiB", 256, 262144, d.memoryMiB),
                memoryLimitMiB: int("memoryLimitMiB", 256, 262144, d.memoryLimitMiB),
                targetCpuPercent: int("targetCpuPercent", 10, 95, d.targetCpuPercent),
            };
            if (sizing.cpuMillis % 1000 !== 0) problems.push(`${at}.cpuMillis = ${sizing.cpuMillis}: must be a multiple of 1000 (Kong runs one nginx worker per requested CPU)`);
            if (sizing.memoryLimitMiB < sizing.memoryMiB) problems.push(`${at}.memoryLimitMiB = ${sizing.memoryLimitMiB}: must be at least memoryMiB (${sizing.memoryMiB})`);
        }
        if (problems.length === before) {
            groups.push({ name: g.name, runtime: g.runtime, exposure: g.exposure, cpu, memory, minCount, maxCount, desiredCount, spotPercent, kong, weight, ...(sizing ? { eks: sizing } : {}) });
        }
    });
    if (problems.length === 0 && !groups.some(g => g.exposure === "public")) {
        problems.push(`${key}: no group has exposure public; the shared ALB's certificate also serves the internal load balancers, so one public group is needed`);
    }
    if (problems.length === 0 && groups.some(g => g.exposure === "public") && !groups.some(g => g.exposure === "public" && g.weight > 0)) {
        problems.push(`${key}: every public group has weight 0; the ALB would forward to no group`);
    }
    return groups;
}
