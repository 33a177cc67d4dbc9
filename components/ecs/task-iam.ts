// IAM documents every ECS task of this project uses (CP and DP groups alike): who may assume the
// task roles, and what the ECS agent may do to start a task, named resource by resource.

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Record<string, unknown>[];
}

/** Trust policy of both task roles: only ECS tasks of this account, in this region. */
export function ecsTasksAssumeRolePolicy(partition: string, region: string, account: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            // Confused-deputy guard: the role serves only ECS on behalf of this account.
            Condition: {
                StringEquals: { "aws:SourceAccount": account },
                ArnLike: { "aws:SourceArn": `arn:${partition}:ecs:${region}:${account}:*` },
            },
        }],
    };
}

export interface ExecutionRoleGrants {
    /** Exactly the secrets the task definition injects. */
    secretArns: string[];
    /** Exactly the keys that encrypt them. */
    kmsKeyArns: string[];
    /** The task's log groups (ARNs without the `:*` suffix). */
    logGroupArns: string[];
    /** ECR repositories the images come from (none for Docker Hub images). */
    ecrRepositoryArns: string[];
}

/**
 * The execution role's only policy: what the ECS agent needs to start this task, resource by
 * resource. No `*` action, no `*` resource on secrets or keys.
 */
export function executionRolePolicy(g: ExecutionRoleGrants): PolicyDocument {
    const uniq = (a: string[]) => [...new Set(a)].sort();
    for (const arn of [...g.secretArns, ...g.kmsKeyArns]) {
        if (arn.includes("*")) throw new Error(`execution role: refusing wildcard resource ${arn}`);
    }
    const statements: Record<string, unknown>[] = [
        { Sid: "ReadTaskSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: uniq(g.secretArns) },
        { Sid: "DecryptTaskSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: uniq(g.kmsKeyArns) },
        { Sid: "WriteTaskLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: uniq(g.logGroupArns).map(a => `${a}:*`) },
    ];
    if (g.ecrRepositoryArns.length > 0) {
        // GetAuthorizationToken has no resource type: IAM accepts only "*" for it.
        statements.push({ Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });
        statements.push({ Sid: "PullImages", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: uniq(g.ecrRepositoryArns) });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** The ECR repository ARN of a private ECR image (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>), else undefined. */
export function ecrRepositoryArn(image: string, partition = "aws"): string | undefined {
    const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
    return m ? `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}
