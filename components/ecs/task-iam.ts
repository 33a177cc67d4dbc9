// IAM documents every ECS task of this project uses (CP and DP groups alike): who may assume the
// task roles, and what the ECS agent may do to start a task, named resource by resource.

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Record<string, unknown>[];
}

/**
 * Trust policy of a task role (what the containers run as): ECS tasks of this account and region
 * only. AWS documents the aws:SourceArn / aws:SourceAccount confused-deputy guard for this role
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).
 */
export function ecsTaskRoleAssumeRolePolicy(partition: string, region: string, account: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: {
                ArnLike: { "aws:SourceArn": `arn:${partition}:ecs:${region}:${account}:*` },
                StringEquals: { "aws:SourceAccount": account },
            },
        }],
    };
}

/**
 * Trust policy of a task execution role (what the ECS agent pulls images and reads secrets as).
 * AWS documents it without conditions
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html): the
 * agent's assume-role call is not documented to carry aws:SourceArn, so a guard on it could stop
 * tasks from starting. Only this account's ECS can use the role anyway: iam:PassRole is needed to
 * name it in a task definition.
 */
export function ecsExecutionRoleAssumeRolePolicy(): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
}

export interface ExecutionRoleGrants {
    /** The region the tasks run in: Secrets Manager there is the only way the keys may be used. */
    region: string;
    /** Exactly the secrets the task definition injects. */
    secretArns: string[];
    /** Exactly the keys that encrypt them. */
    kmsKeyArns: string[];
    /** The task's log groups (ARNs without the `:*` suffix). */
    logGroupArns: string[];
    /** ECR repositories the images come from (none for Docker Hub images). */
    ecrRepositoryArns: string[];
    /**
     * ECR repositories a pull-through cache creates and fills on the first pull (a prefix such as
     * arn:aws:ecr:eu-west-1:123456789012:repository/kong-prod-ecr-public/*): the pulling role
     * needs ecr:CreateRepository and ecr:BatchImportUpstreamImage there
     * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
     */
    pullThroughRepositoryArns?: string[];
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
        // Only through Secrets Manager in this region: the role cannot decrypt anything else with
        // the key (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
        // Logs need no grant here: CloudWatch Logs uses the key itself, under the key policy.
        {
            Sid: "DecryptTaskSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: uniq(g.kmsKeyArns),
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${g.region}.amazonaws.com` } },
        },
        { Sid: "WriteTaskLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: uniq(g.logGroupArns).map(a => `${a}:*`) },
    ];
    const pullThrough = g.pullThroughRepositoryArns ?? [];
    statements.push(...ecrPullStatements([...g.ecrRepositoryArns, ...pullThrough]));
    if (pullThrough.length > 0) {
        statements.push({ Sid: "FillPullThroughCache", Effect: "Allow", Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"], Resource: uniq(pullThrough) });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/**
 * Pulling images from exactly these ECR repositories (none: no statement). No KMS grant: ECR
 * decrypts a KMS-encrypted repository's layers itself, through the grant it creates on the key
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html).
 */
export function ecrPullStatements(repositoryArns: string[]): Record<string, unknown>[] {
    if (repositoryArns.length === 0) return [];
    return [
        // GetAuthorizationToken has no resource type: IAM accepts only "*" for it.
        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Sid: "PullImages", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: [...new Set(repositoryArns)].sort() },
    ];
}

/** The ECR repository ARN of a private ECR image (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>), else undefined. */
export function ecrRepositoryArn(image: string, partition = "aws"): string | undefined {
    const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
    return m ? `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}
