import * as assert from "assert";
import { controlPlaneHostname, splitHostname } from "../components/control-plane";
import { resolveDatabaseSettings, scalingConfiguration } from "../components/control-plane/database";
import { ecrRepositoryArn, executionRolePolicy } from "../components/ecs/task-iam";
import { adminBootstrapState } from "../components/control-plane/admin-bootstrap";

describe("ControlPlane arguments", () => {
    it("the CP hostname of a stack is cp.<prefix>.internal, split into Cloud Map service and namespace", () => {
        assert.strictEqual(controlPlaneHostname("kong-dev"), "cp.kong-dev.internal");
        assert.deepStrictEqual(splitHostname("cp.kong-dev.internal"), { service: "cp", namespace: "kong-dev.internal" });
    });

    for (const bad of ["cp", "cp.internal", ".kong.internal", "CP_1.kong.internal"]) {
        it(`refuses hostname ${JSON.stringify(bad)}`, () => {
            assert.throws(() => splitHostname(bad), /must be <service>\.<namespace>/);
        });
    }

    const databases: { given: Parameters<typeof resolveDatabaseSettings>[0]; error?: RegExp; scaling?: object }[] = [
        { given: {}, scaling: { minCapacity: 0, maxCapacity: 2, secondsUntilAutoPause: 600 } },
        { given: { minCapacity: 0.5, maxCapacity: 8 }, scaling: { minCapacity: 0.5, maxCapacity: 8 } },
        { given: { minCapacity: 0, engineVersion: "15.4" }, error: /engineVersion = "15\.4": cannot scale to 0 ACU/ },
        { given: { minCapacity: 0, engineVersion: "14.12" }, scaling: { minCapacity: 0, maxCapacity: 2, secondsUntilAutoPause: 600 } },
        { given: { minCapacity: 4, maxCapacity: 2 }, error: /minCapacity = 4: must not exceed maxCapacity \(2\)/ },
        { given: { minCapacity: 0.25 }, error: /steps of 0\.5/ },
        { given: { secondsUntilAutoPause: 60 }, error: /secondsUntilAutoPause 60 must be 300-86400/ },
        { given: { backupRetentionDays: 0 }, error: /backupRetentionDays 0 must be 1-35/ },
    ];
    for (const d of databases) {
        it(`database ${JSON.stringify(d.given)}: ${d.error ? "refused" : `scaling ${JSON.stringify(d.scaling)}`}`, () => {
            if (d.error) assert.throws(() => resolveDatabaseSettings(d.given), d.error);
            else assert.deepStrictEqual(scalingConfiguration(resolveDatabaseSettings(d.given)), d.scaling);
        });
    }
});

describe("ControlPlane IAM and bootstrap building blocks", () => {
    const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-cp-tls-AbCdEf";
    const KEY = "arn:aws:kms:eu-west-1:123456789012:key/0b4c1d2e-1111-4222-a333-444455556666";
    const LOGS = "arn:aws:logs:eu-west-1:123456789012:log-group:/kong-hybrid/cp/kong";

    it("the execution policy refuses a wildcard secret or key", () => {
        assert.throws(() => executionRolePolicy({ region: "eu-west-1", secretArns: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:*"], kmsKeyArns: [KEY], logGroupArns: [LOGS], ecrRepositoryArns: [] }), /wildcard/);
        assert.throws(() => executionRolePolicy({ region: "eu-west-1", secretArns: [SECRET], kmsKeyArns: ["*"], logGroupArns: [LOGS], ecrRepositoryArns: [] }), /wildcard/);
    });

    it("an ECR image adds the ECR login (resource * is the only form IAM accepts) and pulls from that repository only", () => {
        const repo = ecrRepositoryArn("123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-custom:3.9.3");
        assert.strictEqual(repo, "arn:aws:ecr:eu-west-1:123456789012:repository/kong-custom");
        assert.strictEqual(ecrRepositoryArn("kong:3.9.3"), undefined);
        assert.strictEqual(ecrRepositoryArn("kong/deck:v1.65.1"), undefined);
        const doc = executionRolePolicy({ region: "eu-west-1", secretArns: [SECRET], kmsKeyArns: [KEY], logGroupArns: [LOGS], ecrRepositoryArns: [repo!] });
        assert.deepStrictEqual(doc.Statement.slice(3).map(s => [s.Action, s.Resource]), [
            ["ecr:GetAuthorizationToken", "*"],
            [["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [repo]],
        ]);
    });

    it("the admin bootstrap refuses an empty allow-list (ip-restriction needs one entry)", () => {
        assert.throws(() => adminBootstrapState({ controlPlaneHostname: "cp.kong-dev.internal", adminAllowedCidrs: [] }), /adminAllowedCidrs = \[\]: must list at least one client network/);
    });
});
