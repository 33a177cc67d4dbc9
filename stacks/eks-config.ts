import { DEFAULT_NODE_GROUP, endpointAccess, type NodeGroupSpec } from "../components/eks/cluster";
import { parseIpv4Cidr } from "./cidr";
import type { DataPlaneGroupConfig } from "./data-planes-config";

// The EKS runtime's keys (controlPlaneRuntime, eks*, redis*): checked here, one line per problem
// naming the key, the value as written and what is allowed. stacks/config.ts calls this after the
// DP groups are parsed, because which runtimes the stack uses decides what is required.

export type ControlPlaneRuntime = "ecs" | "eks";

export interface EksStackConfig {
    publicAccessCidrs: readonly string[];
    adminPrincipalArns: readonly string[];
    nodeGroup: NodeGroupSpec;
    /** The Control Plane's pods (controlPlaneRuntime eks). */
    controlPlane: { replicas: number; cpuMillis: number; memoryMiB: number; memoryLimitMiB: number };
}

export interface RedisConfig {
    nodes: number;
    nodeType: string;
}

export interface EksKeys {
    controlPlaneRuntime: ControlPlaneRuntime;
    /** Present when the CP or any DP group runs on EKS. */
    eks?: EksStackConfig;
    /** Present when redisNodes > 0. */
    redis?: RedisConfig;
}

const K = (key: string) => `kong-hybrid:${key}`;
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]+$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const CACHE_NODE_TYPE = /^cache\.[a-z0-9]+\.[a-z0-9]+$/;

/** Graviton families (a "g" after the generation digit, e.g. m7g, c8gd) run the arm64 Bottlerocket AMI. */
export function amiTypeFor(instanceType: string): NodeGroupSpec["amiType"] {
    return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? "BOTTLEROCKET_ARM_64" : "BOTTLEROCKET_x86_64";
}

/** `v`: the typed config values by key (defaults applied); `production` as configured. */
export function parseEksKeys(v: Record<string, any>, dataPlanes: readonly DataPlaneGroupConfig[], production: boolean, problems: string[]): EksKeys {
    const runtime = v.controlPlaneRuntime as string;
    if (runtime !== "ecs" && runtime !== "eks") {
        problems.push(`${K("controlPlaneRuntime")} = ${JSON.stringify(runtime)}: must be ecs or eks`);
        return { controlPlaneRuntime: "ecs" };
    }
    // A CP on EKS is reachable only inside the cluster (ClusterIP Services); an ECS DP would need an
    // internal NLB in front of it, which this project does not build.
    if (runtime === "eks" && v.dataPlanes === undefined) {
        problems.push(`${K("controlPlaneRuntime")} = "eks": without dataPlanes the stack's one group runs on ecs, which could not reach a CP on EKS; declare dataPlanes with runtime eks, e.g. [{name: public, runtime: eks, exposure: public, minCount: 2, maxCount: 4}]`);
    } else dataPlanes.forEach((g, i) => {
        if (runtime === "eks" && g.runtime === "ecs") {
            problems.push(`${K(`dataPlanes[${i}].runtime`)} = "ecs": with controlPlaneRuntime eks every DP group runs on eks (the CP's Services are in-cluster only; ECS tasks could not reach it)`);
        }
    });
    const usesEks = runtime === "eks" || dataPlanes.some(g => g.runtime === "eks");
    const redisNodes = v.redisNodes as number;
    const int = (key: string, min: number, max: number): number => {
        const n = v[key];
        if (!Number.isInteger(n) || n < min || n > max) problems.push(`${K(key)} = ${JSON.stringify(n)}: must be a whole number from ${min} to ${max}`);
        return n;
    };
    int("redisNodes", 0, 6);
    if (!CACHE_NODE_TYPE.test(v.redisNodeType)) problems.push(`${K("redisNodeType")} = ${JSON.stringify(v.redisNodeType)}: must be an ElastiCache node type such as cache.t4g.small`);
    const redis = redisNodes > 0 ? { nodes: redisNodes, nodeType: v.redisNodeType as string } : undefined;
    if (!usesEks) return { controlPlaneRuntime: runtime, redis };

    if (v.natMode === "none") {
        // Nodes pull Kong's and the controllers' images from Docker Hub, quay.io, registry.k8s.io and ECR Public.
        problems.push(`${K("natMode")} = "none": the EKS nodes pull Kong's and the controllers' images from public registries; use a NAT mode (gateway-single, gateway-per-az or instance)`);
    }
    const cidrs = (v.eksPublicAccessCidrs ?? []) as string[];
    for (const c of cidrs) {
        const parsed = parseIpv4Cidr(c);
        if ("error" in parsed) problems.push(`${K("eksPublicAccessCidrs")}: ${JSON.stringify(c)} ${parsed.error}`);
    }
    try {
        endpointAccess(cidrs, production);
    } catch (e) {
        // The component's own rule (never the internet; required in production), named by the key.
        problems.push(`${K("eksPublicAccessCidrs")} = ${JSON.stringify(cidrs)}: ${(e as Error).message.replace(/^EksCluster: publicAccessCidrs (is )?\S+ /, "")}`);
    }
    const principals = (v.eksAdminPrincipalArns ?? []) as string[];
    if (principals.length === 0) {
        problems.push(`${K("eksAdminPrincipalArns")} = []: list at least one IAM role or user ARN (the deployer's first); the cluster has no other admin (authenticationMode API, no bootstrap admin)`);
    }
    for (const p of principals) {
        if (!IAM_PRINCIPAL.test(p)) problems.push(`${K("eksAdminPrincipalArns")}: ${JSON.stringify(p)} must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/deployer`);
    }
    const instanceType = v.eksNodeInstanceType as string;
    if (!INSTANCE_TYPE.test(instanceType)) {
        problems.push(`${K("eksNodeInstanceType")} = ${JSON.stringify(instanceType)}: must be an EC2 instance type such as m7g.large`);
    } else if (/^t\d/.test(instanceType)) {
        problems.push(`${K("eksNodeInstanceType")} = ${JSON.stringify(instanceType)}: t-family types have no ENI trunking; security groups for pods need a Nitro type such as m7g.large`);
    }
    const minSize = int("eksNodeMinSize", 1, 100);
    const maxSize = int("eksNodeMaxSize", 1, 100);
    if (Number.isInteger(minSize) && Number.isInteger(maxSize) && minSize > maxSize) {
        problems.push(`${K("eksNodeMinSize")} = ${minSize}: must not exceed eksNodeMaxSize (${maxSize})`);
    }
    const replicas = int("eksCpReplicas", 1, 10);
    const cpuMillis = int("eksCpCpuMillis", 1000, 64000);
    if (Number.isInteger(cpuMillis) && cpuMillis % 1000 !== 0) {
        problems.push(`${K("eksCpCpuMillis")} = ${cpuMillis}: must be a multiple of 1000 (Kong runs one nginx worker per requested CPU)`);
    }
    const memoryMiB = int("eksCpMemoryMiB", 256, 262144);
    const memoryLimitMiB = int("eksCpMemoryLimitMiB", 256, 262144);
    if (memoryLimitMiB < memoryMiB) problems.push(`${K("eksCpMemoryLimitMiB")} = ${memoryLimitMiB}: must be at least eksCpMemoryMiB (${memoryMiB})`);
    return {
        controlPlaneRuntime: runtime,
        redis,
        eks: {
            publicAccessCidrs: cidrs,
            adminPrincipalArns: principals,
            nodeGroup: { ...DEFAULT_NODE_GROUP, instanceTypes: [instanceType], amiType: amiTypeFor(instanceType), minSize, maxSize },
            controlPlane: { replicas, cpuMillis, memoryMiB, memoryLimitMiB },
        },
    };
}
