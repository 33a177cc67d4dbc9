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
