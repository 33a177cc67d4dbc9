/** The parts of an ARN that place a resource: arn:<partition>:<service>:<region>:<account>:<resource>. */
export function parseArn(arn: string): { partition: string; service: string; region: string; account: string; resource: string } {
    const p = arn.split(":");
    if (p.length < 6 || p[0] !== "arn") throw new Error(`not an ARN: ${arn}`);
    return { partition: p[1], service: p[2], region: p[3], account: p[4], resource: p.slice(5).join(":") };
}

/** An ECS cluster ARN (arn:<partition>:ecs:<region>:<account>:cluster/<name>): where its tasks run. */
export function parseClusterArn(arn: string): { partition: string; region: string; account: string; clusterName: string } {
    const { partition, service, region, account, resource } = parseArn(arn);
    if (service !== "ecs" || !resource.startsWith("cluster/")) throw new Error(`not an ECS cluster ARN: ${arn}`);
    return { partition, region, account, clusterName: resource.slice("cluster/".length) };
}
