// ECS container definitions as the Kong tasks (CP and every DP group) write them.

/** The subset of an ECS container definition the Kong tasks use (the JSON ECS receives). */
export interface ContainerDefinition {
    name: string;
    image: string;
    essential: boolean;
    entryPoint?: string[];
    command?: string[];
    environment: { name: string; value: string }[];
    secrets: { name: string; valueFrom: string }[];
    portMappings?: { name: string; containerPort: number; protocol: "tcp" }[];
    dependsOn?: { containerName: string; condition: "START" | "COMPLETE" | "SUCCESS" | "HEALTHY" }[];
    healthCheck?: { command: string[]; interval: number; timeout: number; retries: number; startPeriod: number };
    ulimits?: { name: string; softLimit: number; hardLimit: number }[];
    /** Seconds ECS waits after SIGTERM/STOPSIGNAL before killing the container. */
    stopTimeout?: number;
    logConfiguration: { logDriver: "awslogs"; options: Record<string, string> };
}

/** Logs to CloudWatch through the awslogs driver, one stream per task under the prefix. */
export function awslogs(group: string, region: string, prefix: string): ContainerDefinition["logConfiguration"] {
    return { logDriver: "awslogs", options: { "awslogs-group": group, "awslogs-region": region, "awslogs-stream-prefix": prefix } };
}

/**
 * CPU of the Kong tasks. ARM64 (Graviton) Fargate costs about 20% less than x86 for the same size
 * (https://aws.amazon.com/fargate/pricing/), and every image the tasks run is published for both:
 * kong (Docker official image: amd64, arm64v8, https://github.com/docker-library/docs/blob/master/kong/README.md)
 * and kong/deck (linux/amd64 and linux/arm64, https://github.com/Kong/deck/blob/main/.github/workflows/release.yaml).
 */
export type CpuArchitecture = "ARM64" | "X86_64";
export const DEFAULT_CPU_ARCHITECTURE: CpuArchitecture = "ARM64";

/** A Fargate task definition's runtimePlatform. */
export function runtimePlatform(cpuArchitecture: CpuArchitecture = DEFAULT_CPU_ARCHITECTURE) {
    return { operatingSystemFamily: "LINUX", cpuArchitecture };
}

/** The docker platform of an image built for tasks of this CPU (a plugin image, for one). */
export function imagePlatform(cpuArchitecture: CpuArchitecture): "linux/arm64" | "linux/amd64" {
    return cpuArchitecture === "ARM64" ? "linux/arm64" : "linux/amd64";
}
