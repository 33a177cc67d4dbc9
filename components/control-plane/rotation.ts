// The database password rotates; the CP must follow.
//
// RDS rotates the master secret it manages every 7 days (single-user rotation: the old password
// stops working at once), and ECS injects secrets only when a task starts (docs/facts/aws.md §5). A CP
// running across a rotation keeps its open connections but cannot open new ones. So a rotation
// redeploys the CP: an EventBridge rule on the secret's RotationSucceeded event starts a one-step
// Step Functions state machine that calls ecs:UpdateService with forceNewDeployment. New tasks read
// the new password; the circuit breaker rolls back if they cannot start. No Lambda and no code,
// and each role may do exactly one thing to exactly one resource.
//
// Only RotationSucceeded: during a rotation, PutSecretValue writes the AWSPENDING version first,
// and a redeploy then would read the old AWSCURRENT password.

import type { PolicyDocument } from "../ecs/task-iam";

/** EventBridge pattern: rotation of this one secret finished. Rotation events come through CloudTrail. */
export function rotationSucceededPattern(secretArn: string) {
    return {
        source: ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        detail: {
            eventSource: ["secretsmanager.amazonaws.com"],
            eventName: ["RotationSucceeded"],
            additionalEventData: { SecretId: [secretArn] },
        },
    };
}

/** Amazon States Language: force a new deployment of the CP service, retrying ECS throttling. */
export function redeployStateMachine(clusterArn: string, serviceName: string) {
    return {
        Comment: "Redeploy the Kong Control Plane so its tasks read the rotated database password",
        StartAt: "ForceNewDeployment",
        States: {
            ForceNewDeployment: {
                Type: "Task",
                Resource: "arn:aws:states:::aws-sdk:ecs:updateService",
                Parameters: { Cluster: clusterArn, Service: serviceName, ForceNewDeployment: true },
                Retry: [{ ErrorEquals: ["Ecs.EcsException", "States.TaskFailed"], IntervalSeconds: 10, MaxAttempts: 5, BackoffRate: 2 }],
                End: true,
            },
        },
    };
}

/** Trust policy for a role a service assumes on behalf of this account only. */
export function serviceAssumeRolePolicy(service: "states.amazonaws.com" | "events.amazonaws.com", account: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: service },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": account } },
        }],
    };
}

/** One action on one resource. */
export function allowOnly(action: string, resourceArn: string): PolicyDocument {
    if (resourceArn.includes("*")) throw new Error(`refusing wildcard resource ${resourceArn}`);
    return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resourceArn }] };
}
