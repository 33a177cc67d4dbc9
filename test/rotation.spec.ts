import * as assert from "assert";
import { byType } from "../offline/harness";
import { plan } from "./support";

// A rotation of the RDS-managed master secret must redeploy the CP (ECS reads secrets only at
// task start). Expected documents are written out here, not taken from the component.

describe("Control Plane follows a database password rotation", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: the secret's RotationSucceeded event starts a state machine that force-redeploys exactly the CP service`, async () => {
            const run = await plan(stack);
            const masterSecretArn = byType(run, "aws:rds/cluster:Cluster")[0].outputs.masterUserSecrets[0].secretArn;
            const cpService = byType(run, "aws:ecs/service:Service").find(s => s.name === `kong-${stack}-cp-service`)!;

            // The stack's one Secrets Manager rule (dev also has the CP scaler's tick and DP-task rules).
            const rules = byType(run, "aws:cloudwatch/eventRule:EventRule").filter(r => String(r.inputs.eventPattern ?? "").includes("aws.secretsmanager"));
            assert.strictEqual(rules.length, 1);
            const [rule] = rules;
            assert.deepStrictEqual(JSON.parse(rule.inputs.eventPattern), {
                source: ["aws.secretsmanager"],
                "detail-type": ["AWS Service Event via CloudTrail"],
                detail: {
                    eventSource: ["secretsmanager.amazonaws.com"],
                    eventName: ["RotationSucceeded"],
                    additionalEventData: { SecretId: [masterSecretArn] },
                },
            });

            const [machine] = byType(run, "aws:sfn/stateMachine:StateMachine");
            const definition = JSON.parse(machine.inputs.definition);
            const step = definition.States[definition.StartAt];
            assert.strictEqual(step.Resource, "arn:aws:states:::aws-sdk:ecs:updateService");
            assert.deepStrictEqual(step.Parameters, { Cluster: run.outputs.ecsClusterArn, Service: cpService.outputs.name, ForceNewDeployment: true });
            assert.strictEqual(step.End, true);

            const targets = byType(run, "aws:cloudwatch/eventTarget:EventTarget").filter(t => t.inputs.rule === rule.outputs.name);
            assert.strictEqual(targets.length, 1);
            const [target] = targets;
            assert.strictEqual(target.inputs.rule, rule.outputs.name);
            assert.strictEqual(target.inputs.arn, machine.outputs.arn);

            // Each role does one thing to one resource, for this account only.
            const roles = byType(run, "aws:iam/role:Role");
            const policies = byType(run, "aws:iam/rolePolicy:RolePolicy");
            const grants = (principal: string) => {
                const role = roles.find(r => JSON.parse(r.inputs.assumeRolePolicy).Statement[0].Principal.Service === principal)!;
                assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
                return JSON.parse(policies.find(p => p.inputs.role === role.id)!.inputs.policy).Statement;
            };
            assert.deepStrictEqual(grants("states.amazonaws.com"), [{ Effect: "Allow", Action: "ecs:UpdateService", Resource: cpService.outputs.arn }]);
            assert.deepStrictEqual(grants("events.amazonaws.com"), [{ Effect: "Allow", Action: "states:StartExecution", Resource: machine.outputs.arn }]);
            assert.strictEqual(target.inputs.roleArn, roles.find(r => JSON.parse(r.inputs.assumeRolePolicy).Statement[0].Principal.Service === "events.amazonaws.com")!.outputs.arn);
        });
    }
});
