import * as assert from "assert";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { planStack } from "../offline/harness";
import type { Plan, PlanState } from "../policy/offline";
import { previewJson } from "../tools/plan";

// Least privilege, evaluated rather than read: every role of the dev and prod plans (trust policy,
// inline policies, aws.iam.RolePolicy documents) and the KMS key policies go through an IAM
// evaluator (@cloud-copilot/iam-simulate, identity + resource + trust policies, offline), and each
// role must be able to do exactly what its job needs. The expectations come from the plan itself:
// an execution role must read the secrets its task definitions reference and no other secret of
// the stack; every other role reads none.

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";

interface RoleModel {
    name: string;
    arn: string;
    trust: any;
    policies: { name: string; policy: any }[];
    /** What the plan uses the role for. */
    kind: "cp-execution" | "dp-execution" | "cp-task" | "dp-task" | "redeploy" | "redeploy-trigger" | "flow-logs" | "cp-scaler";
    /** The service principal its trust policy names. */
    service: string;
}

interface StackModel {
    region: string;
    roles: RoleModel[];
    /** Every secret of the stack: name (for messages) → ARN. */
    secrets: Map<string, string>;
    /** Secret ARNs the task definitions of each execution role reference. */
    secretsOf: Map<string, Set<string>>;
    /** Log group ARNs each role must write to (its tasks' awslogs groups; a flow log's destination). */
    logsOf: Map<string, Set<string>>;
    /** The KMS key each secret is encrypted with (secret ARN → key ARN). */
    keyOf: Map<string, string>;
    /** Key policies of the stack's KMS keys (key ARN → policy). */
    keyPolicies: Map<string, any>;
    dbSecret: string;
    cpCertSecret: string;
    cpService: string;
    dpServices: string[];
    stateMachine: string;
    /** Where the CP sleeps (cpScaleToZero): the export object of the CP's Kong version and the controller's state parameter. */
    scaleToZero?: { exportObject: string; otherObject: string; stateParameter: string };
}

const nameOf = (s: PlanState) => s.urn.slice(s.urn.lastIndexOf("::") + 2);
const parse = (v: any) => (typeof v === "string" ? JSON.parse(v) : v);

/** The secret ARN of an ECS `valueFrom` (which may append `:json-key:version-stage:version-id`). */
export function secretArnOf(valueFrom: string): string {
    return valueFrom.split(":").slice(0, 7).join(":");
}

export function stackModel(plan: Plan): StackModel {
    const states = plan.steps.map(s => s.newState).filter((s): s is PlanState => !!s);
    const ofType = (t: string) => states.filter(s => s.type === t);
    const one = (t: string) => { const xs = ofType(t); assert.strictEqual(xs.length, 1, `expected one ${t}`); return xs[0]; };
    // A role is referred to by id, ARN or name (the provider's id is the name; the mock may give the ARN).
    const roleStates = ofType("aws:iam/role:Role");
    const roleBy = (ref: string) => roleStates.find(r => [r.id, r.outputs?.arn, r.outputs?.name, r.inputs?.name].includes(ref));

    const tds = ofType("aws:ecs/taskDefinition:TaskDefinition").map(td => {
        const containers: any[] = JSON.parse(td.inputs.containerDefinitions);
        const role = containers.flatMap(c => c.environment ?? []).find((e: any) => e.name === "KONG_ROLE")?.value;
        return {
            kongRole: role === "control_plane" ? "cp" : role === "data_plane" ? "dp" : undefined,
            exec: roleBy(td.inputs.executionRoleArn), task: roleBy(td.inputs.taskRoleArn),
            secrets: containers.flatMap(c => (c.secrets ?? []).map((s: any) => secretArnOf(s.valueFrom))),
            logGroups: containers.map(c => c.logConfiguration?.options?.["awslogs-group"]).filter(Boolean) as string[],
        };
    });
    const cluster = one("aws:rds/cluster:Cluster");
    const dbSecret = cluster.outputs!.masterUserSecrets[0].secretArn as string;
    const secrets = new Map<string, string>([["the Aurora master secret", dbSecret]]);
    const keyOf = new Map<string, string>([[dbSecret, cluster.outputs!.masterUserSecrets[0].kmsKeyId]]);
    for (const s of ofType("aws:secretsmanager/secret:Secret")) {
        secrets.set(nameOf(s), s.outputs!.arn);
        keyOf.set(s.outputs!.arn, s.inputs.kmsKeyId);
    }
    const keyPolicies = new Map(ofType("aws:kms/key:Key").map(k => [k.outputs!.arn as string, parse(k.inputs.policy)]));
    for (const [secret, key] of keyOf) assert.ok(keyPolicies.has(key), `${secret} is encrypted with ${key}, a customer-managed key of the stack`);
    const cpTd = tds.filter(t => t.kongRole === "cp");
    assert.strictEqual(cpTd.length, 1, "one CP task definition");
    const cpCertSecret = [...secrets.values()].find(arn => cpTd[0].secrets.includes(arn) && arn !== dbSecret && /tls|cert/.test(arn));
    assert.ok(cpCertSecret, "the CP's certificate secret");

    const secretsOf = new Map<string, Set<string>>();
    const logsOf = new Map<string, Set<string>>();
    const region = (cluster.outputs!.arn as string).split(":")[3];
    for (const f of ofType("aws:ec2/flowLog:FlowLog")) {
        const r = roleBy(f.inputs.iamRoleArn);
        if (r) logsOf.set(r.outputs!.arn, new Set([...(logsOf.get(r.outputs!.arn) ?? []), f.inputs.logDestination]));
    }
    const roles: RoleModel[] = roleStates.map(r => {
        const arn = r.outputs!.arn as string;
        const trust = parse(r.inputs.assumeRolePolicy);
        const service = [trust.Statement].flat().map((s: any) => s.Principal?.Service).flat().filter(Boolean)[0] as string;
        const inline = (r.inputs.inlinePolicies ?? []).map((p: any) => ({ name: p.name, policy: parse(p.policy) }));
        const attached = ofType("aws:iam/rolePolicy:RolePolicy").filter(p => roleBy(p.inputs.role) === r).map(p => ({ name: nameOf(p), policy: parse(p.inputs.policy) }));
        // Managed policies cannot be evaluated offline: none is expected; fail loudly if one appears.
        const managed = ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(a => roleBy(a.inputs.role) === r);
        assert.deepStrictEqual(managed.map(a => a.inputs.policyArn), [], `${nameOf(r)} attaches managed policies the evaluator cannot see`);
        const asExec = tds.filter(t => t.exec === r);
        const asTask = tds.filter(t => t.task === r);
        if (asExec.length) {
            secretsOf.set(arn, new Set(asExec.flatMap(t => t.secrets)));
            logsOf.set(arn, new Set(asExec.flatMap(t => t.logGroups).map(g => `arn:aws:logs:${region}:${ACCOUNT}:log-group:${g}`)));
        }
        const kind: RoleModel["kind"] | undefined =
            asExec.some(t => t.kongRole === "cp") ? "cp-execution" : asExec.some(t => t.kongRole === "dp") ? "dp-execution"
                : asTask.some(t => t.kongRole === "cp") ? "cp-task" : asTask.some(t => t.kongRole === "dp") ? "dp-task"
                    : service === "states.amazonaws.com" ? "redeploy" : service === "events.amazonaws.com" ? "redeploy-trigger"
                        : service === "vpc-flow-logs.amazonaws.com" ? "flow-logs"
                            : service === "lambda.amazonaws.com" && nameOf(r).endsWith("-cp-scaler-role") ? "cp-scaler" : undefined;
        assert.ok(kind, `role ${nameOf(r)} has no known job: add its expectations to test/iam-sim.spec.ts`);
        return { name: nameOf(r), arn, trust, policies: [...inline, ...attached], kind, service };
    });
    const services = ofType("aws:ecs/service:Service").map(s => {
        const td = ofType("aws:ecs/taskDefinition:TaskDefinition").find(t => [t.id, t.outputs?.arn].includes(s.inputs.taskDefinition));
        const cp = td ? JSON.parse(td.inputs.containerDefinitions).some((c: any) => (c.environment ?? []).some((e: any) => e.name === "KONG_ROLE" && e.value === "control_plane")) : false;
        return { arn: (s.outputs?.arn ?? s.id) as string, cp };
    });
    const exportBucket = ofType("aws:s3/bucket:Bucket").find(b => nameOf(b).endsWith("-config-export-bucket"));
    const state = ofType("aws:ssm/parameter:Parameter").find(p => nameOf(p).endsWith("-cp-scaler-state"));
    // The export is keyed by the CP's exact Kong version (its image tag).
    const cpTaskDefinition = ofType("aws:ecs/taskDefinition:TaskDefinition")[tds.findIndex(t => t.kongRole === "cp")];
    const version = (JSON.parse(cpTaskDefinition.inputs.containerDefinitions).find((c: any) => c.name === "kong").image as string).split(":").pop();
    return {
        scaleToZero: exportBucket && state ? {
            exportObject: `${exportBucket.outputs!.arn}/kong/${version}/kong.yaml`,
            otherObject: `${exportBucket.outputs!.arn}/kong/0.0.1/kong.yaml`,
            stateParameter: state.outputs!.arn,
        } : undefined,
        region, roles, secrets, secretsOf, logsOf, keyOf, keyPolicies, dbSecret, cpCertSecret,
        cpService: services.find(s => s.cp)!.arn,
        dpServices: services.filter(s => !s.cp).map(s => s.arn),
        stateMachine: one("aws:sfn/stateMachine:StateMachine").outputs!.arn,
    };
}

type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** One request by a role (or, for sts:AssumeRole against a trust policy, by a service or account). */
async function decide(sim: { principal: string; action: string; resource: string; identity: { name: string; policy: any }[]; resourcePolicy?: any; context?: Record<string, string | string[]> }): Promise<Decision> {
    const simulation: Simulation = {
        identityPolicies: sim.identity,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: sim.resourcePolicy,
        request: {
            principal: sim.principal, action: sim.action,
            resource: { accountId: ACCOUNT, resource: sim.resource },
            contextVariables: sim.context ?? {},
        },
    };
    const r = await runSimulation(simulation, {});
    if (r.resultType === "error") throw new Error(`the evaluator rejected the request ${sim.action} on ${sim.resource}: ${JSON.stringify(r.errors)}`);
    return r.overallResult as Decision;
}

const allowed = (d: Decision) => d === "Allowed";

interface Row {
    what: string;
    run(): Promise<Decision>;
    allow: boolean;
}

/** What each role must and must not be able to do, from the stack's own model. */
export function expectations(m: StackModel): Row[] {
    const rows: Row[] = [];
    const ecsTaskArn = `arn:aws:ecs:${m.region}:${ACCOUNT}:task/kong/0123456789abcdef0123456789abcdef`;
    // The context Secrets Manager's own call to KMS carries when it decrypts a secret for a caller
    // (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html):
    // kms:ViaService, the caller's account, and the SecretARN encryption context.
    const viaSecretsManager = (secret: string) => ({
        "kms:ViaService": `secretsmanager.${m.region}.amazonaws.com`, "kms:CallerAccount": ACCOUNT,
        "kms:EncryptionContext:SecretARN": secret, "kms:EncryptionContextKeys": ["SecretARN", "SecretVersionId"],
    });
    for (const role of m.roles) {
        const as = (action: string, resource: string, context?: Record<string, string | string[]>, resourcePolicy?: any) =>
            () => decide({ principal: role.arn, action, resource, identity: role.policies, resourcePolicy, context });
        const own = m.secretsOf.get(role.arn) ?? new Set<string>();
        for (const [name, arn] of m.secrets) {
            rows.push({ what: `${role.name} (${role.kind}) secretsmanager:GetSecretValue on ${name}`, run: as("secretsmanager:GetSecretValue", arn), allow: own.has(arn) });
        }
        // Decrypting through Secrets Manager with a key: only a role that reads a secret under that key
        // (the grant is per key; which secret is decided by GetSecretValue above).
        for (const [key, policy] of m.keyPolicies) {
            const under = [...m.secrets.values()].filter(arn => m.keyOf.get(arn) === key);
            const mine = under.filter(arn => own.has(arn));
            const secret = mine[0] ?? under[0] ?? m.dbSecret;
            rows.push({ what: `${role.name} (${role.kind}) kms:Decrypt with ${key.split("/").pop()} via Secrets Manager`, run: as("kms:Decrypt", key, viaSecretsManager(secret), policy), allow: mine.length > 0 });
        }
        for (const other of m.roles) {
            rows.push({ what: `${role.name} (${role.kind}) iam:PassRole ${other.name}`, run: as("iam:PassRole", other.arn, { "iam:PassedToService": "ecs-tasks.amazonaws.com" }), allow: false });
            if (other !== role) rows.push({ what: `${role.name} (${role.kind}) sts:AssumeRole ${other.name} (identity side)`, run: as("sts:AssumeRole", other.arn), allow: false });
        }
        const allLogGroups = new Set([...m.logsOf.values()].flatMap(x => [...x]));
        for (const group of allLogGroups) {
            rows.push({ what: `${role.name} (${role.kind}) logs:PutLogEvents to ${group.split(":").pop()}`, run: as("logs:PutLogEvents", `${group}:log-stream:s-1`), allow: m.logsOf.get(role.arn)?.has(group) ?? false });
        }
        rows.push({ what: `${role.name} (${role.kind}) iam:PutRolePolicy on itself`, run: as("iam:PutRolePolicy", role.arn), allow: false });
        // The rotation's redeploy and the scale-to-zero controller scale the CP; nothing scales a DP group but autoscaling.
        rows.push({ what: `${role.name} (${role.kind}) ecs:UpdateService on the CP service`, run: as("ecs:UpdateService", m.cpService), allow: role.kind === "redeploy" || role.kind === "cp-scaler" });
        rows.push({ what: `${role.name} (${role.kind}) ecs:DescribeServices on the CP service`, run: as("ecs:DescribeServices", m.cpService), allow: role.kind === "cp-scaler" });
        // The only two unscoped grants anywhere: reads AWS defines without a resource type (components/cp-scaler/index.ts UNSCOPED_READ_ACTIONS).
        for (const action of ["elasticloadbalancing:DescribeTargetHealth", "cloudwatch:GetMetricData"]) {
            rows.push({ what: `${role.name} (${role.kind}) ${action} on *`, run: as(action, "*"), allow: role.kind === "cp-scaler" });
        }
        for (const action of ["cloudwatch:PutMetricAlarm", "elasticloadbalancing:DeregisterTargets", "ecs:StopTask"]) {
            rows.push({ what: `${role.name} (${role.kind}) ${action} on *`, run: as(action, "*"), allow: false });
        }
        if (m.scaleToZero) {
            const z = m.scaleToZero;
            rows.push({ what: `${role.name} (${role.kind}) ssm:PutParameter on the controller's state`, run: as("ssm:PutParameter", z.stateParameter), allow: role.kind === "cp-scaler" });
            rows.push({ what: `${role.name} (${role.kind}) ssm:PutParameter on another parameter`, run: as("ssm:PutParameter", z.stateParameter.replace(/cp-scaler\/state$/, "other")), allow: false });
            // The CP task writes the export; the DP tasks read it; the controller reads its age (HeadObject needs s3:GetObject).
            rows.push({ what: `${role.name} (${role.kind}) s3:PutObject on the export`, run: as("s3:PutObject", z.exportObject), allow: role.kind === "cp-task" });
            rows.push({ what: `${role.name} (${role.kind}) s3:GetObject on the export`, run: as("s3:GetObject", z.exportObject), allow: role.kind === "dp-task" || role.kind === "cp-scaler" });
            rows.push({ what: `${role.name} (${role.kind}) s3:GetObject on another version's export`, run: as("s3:GetObject", z.otherObject), allow: false });
            rows.push({ what: `${role.name} (${role.kind}) s3:DeleteObject on the export`, run: as("s3:DeleteObject", z.exportObject), allow: false });
        }
        for (const dp of m.dpServices) rows.push({ what: `${role.name} (${role.kind}) ecs:UpdateService on a DP service`, run: as("ecs:UpdateService", dp), allow: false });
        rows.push({ what: `${role.name} (${role.kind}) ecs:RunTask`, run: as("ecs:RunTask", `arn:aws:ecs:${m.region}:${ACCOUNT}:task-definition/kong:1`), allow: false });
        rows.push({ what: `${role.name} (${role.kind}) states:StartExecution on the redeploy state machine`, run: as("states:StartExecution", m.stateMachine), allow: role.kind === "redeploy-trigger" });

        // Trust: the role's service, acting for this account, may assume it; the same service for
        // another account may not, nor any other account or role.
        const trust = (principal: string, context: Record<string, string>, identity: { name: string; policy: any }[] = []) =>
            () => decide({ principal, action: "sts:AssumeRole", resource: role.arn, identity, resourcePolicy: role.trust, context });
        const sourceArn = (account: string) => role.service === "ecs-tasks.amazonaws.com" ? ecsTaskArn.replace(ACCOUNT, account)
            : role.service === "lambda.amazonaws.com" ? `arn:aws:lambda:${m.region}:${account}:function:kong-cp-scaler`
            : role.service === "states.amazonaws.com" ? m.stateMachine.replace(ACCOUNT, account)
                : role.service === "events.amazonaws.com" ? `arn:aws:events:${m.region}:${account}:rule/kong-redeploy`
                    : `arn:aws:ec2:${m.region}:${account}:vpc-flow-log/fl-0123456789abcdef0`;
        rows.push({ what: `${role.service} for this account assumes ${role.name}`, run: trust(role.service, { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": sourceArn(ACCOUNT) }), allow: true });
        // An execution role keeps the trust policy AWS documents for it, without the confused-deputy
        // guard (components/ecs/task-iam.ts says why): ECS for another account could be named, but
        // only this account's principals can iam:PassRole it into a task definition (rows above).
        // The controller's role likewise: a Lambda execution role's trust policy as AWS documents it
        // (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html), usable only through iam:PassRole.
        const guarded = !role.kind.endsWith("-execution") && role.kind !== "cp-scaler";
        rows.push({ what: `${role.service} for another account assumes ${role.name}`, run: trust(role.service, { "aws:SourceAccount": OTHER_ACCOUNT, "aws:SourceArn": sourceArn(OTHER_ACCOUNT) }), allow: !guarded });
        rows.push({ what: `another account's root assumes ${role.name}`, run: trust(`arn:aws:iam::${OTHER_ACCOUNT}:root`, {}), allow: false });
        const anyAssume = [{ name: "assume-anything", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] } }];
        rows.push({ what: `a role of this account allowed sts:AssumeRole on * assumes ${role.name}`, run: trust(`arn:aws:iam::${ACCOUNT}:role/someone-else`, {}, anyAssume), allow: false });
    }
    return rows;
}

const models = new Map<string, Promise<StackModel>>();
const modelOf = (stack: "dev" | "prod") => {
    let p = models.get(stack);
    if (!p) models.set(stack, (p = planStack(stack).then(run => stackModel(JSON.parse(JSON.stringify(previewJson(run))) as Plan))));
    return p;
};

describe("least privilege, evaluated by an IAM simulator (@cloud-copilot/iam-simulate)", function () {
    this.timeout(120000);
    for (const stack of ["dev", "prod"] as const) {
        describe(`${stack} plan`, () => {
            it("finds every role's job, the secrets, the key, the services and the state machine", async () => {
                const m = await modelOf(stack);
                const kinds = m.roles.map(r => r.kind).sort();
                for (const k of ["cp-execution", "cp-task", "dp-execution", "dp-task", "redeploy", "redeploy-trigger", ...(stack === "dev" ? ["cp-scaler"] : [])]) assert.ok(kinds.includes(k as RoleModel["kind"]), `${k} in ${kinds}`);
                // dev's CP sleeps when idle; prod's never does.
                assert.strictEqual(!!m.scaleToZero, stack === "dev");
                assert.ok(m.secrets.size >= 4, [...m.secrets.keys()].join(", "));
                assert.ok(m.dpServices.length >= 1);
            });

            it("the CP execution role reads exactly the secrets its task definition references: its certificate, the admin key, the database secret", async () => {
                const m = await modelOf(stack);
                const cp = m.roles.find(r => r.kind === "cp-execution")!;
                const readable: string[] = [];
                for (const [name, arn] of m.secrets) if (allowed(await decide({ principal: cp.arn, action: "secretsmanager:GetSecretValue", resource: arn, identity: cp.policies }))) readable.push(name);
                assert.deepStrictEqual(new Set([...m.secrets].filter(([, a]) => m.secretsOf.get(cp.arn)!.has(a)).map(([n]) => n)), new Set(readable));
                assert.ok(m.secretsOf.get(cp.arn)!.has(m.dbSecret) && m.secretsOf.get(cp.arn)!.has(m.cpCertSecret));
            });

            it("no DP role can read the database secret or the CP's certificate", async () => {
                const m = await modelOf(stack);
                for (const r of m.roles.filter(x => x.kind.startsWith("dp-"))) {
                    for (const secret of [m.dbSecret, m.cpCertSecret]) {
                        assert.strictEqual(await decide({ principal: r.arn, action: "secretsmanager:GetSecretValue", resource: secret, identity: r.policies }), "ImplicitlyDenied", `${r.name} reads ${secret}`);
                    }
                }
            });

            it("every role can do what its job needs and nothing else in the table", async () => {
                const m = await modelOf(stack);
                const wrong: string[] = [];
                for (const row of expectations(m)) {
                    const d = await row.run();
                    if (allowed(d) !== row.allow) wrong.push(`${row.what}: ${d}, expected ${row.allow ? "Allowed" : "denied"}`);
                }
                assert.deepStrictEqual(wrong, []);
            });
        });
    }

    it("sees a grant when there is one (the table can fail): a DP execution role given iam:PassRole on *", async () => {
        const m = await modelOf("dev");
        const dp = m.roles.find(r => r.kind === "dp-execution")!;
        const widened = { ...m, roles: m.roles.map(r => r === dp ? { ...r, policies: [...r.policies, { name: "oops", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["iam:PassRole", "secretsmanager:GetSecretValue"], Resource: "*" }] } }] } : r) };
        const wrong: string[] = [];
        for (const row of expectations(widened).filter(r => r.what.startsWith(dp.name))) if (allowed(await row.run()) !== row.allow) wrong.push(row.what);
        assert.ok(wrong.some(w => /iam:PassRole/.test(w)), wrong.join("\n"));
        assert.ok(wrong.some(w => /GetSecretValue on the Aurora master secret/.test(w)), wrong.join("\n"));
    });

    it("maps an ECS valueFrom with a JSON key, stage and version to its secret ARN", () => {
        const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-e6de9bf0-df0a92";
        for (const v of [arn, `${arn}:password::`, `${arn}:key::11b7a766-11f1-44eb-a578-c03b80f5970e`]) assert.strictEqual(secretArnOf(v), arn);
    });
});
