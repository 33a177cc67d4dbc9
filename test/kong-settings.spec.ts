import * as assert from "assert";
import { controlPlaneSettings, secretValueFrom, toContainerEnv } from "../components/kong/settings";
import { kongImage, unknownKongEnvNames } from "../components/kong/image";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-cp-tls-AbCdEf";

describe("Kong settings: ECS secret references", () => {
    // ECS valueFrom: arn:…:secret:name:<json-key>:<version-stage>:<version-id> (docs/facts/aws.md §5).
    const cases = [
        { ref: { secretArn: ARN }, valueFrom: ARN },
        { ref: { secretArn: ARN, jsonKey: "cert" }, valueFrom: `${ARN}:cert::` },
        { ref: { secretArn: ARN, jsonKey: "cert", versionId: "v-1" }, valueFrom: `${ARN}:cert::v-1` },
        { ref: { secretArn: ARN, versionId: "v-1" }, valueFrom: `${ARN}:::v-1` },
    ];
    for (const c of cases) {
        it(`${JSON.stringify(c.ref).replace(ARN, "<arn>")} → ${c.valueFrom.replace(ARN, "<arn>")}`, () => {
            assert.strictEqual(secretValueFrom(c.ref), c.valueFrom);
        });
    }
});

describe("Kong settings: Control Plane worker count follows the task's vCPUs", () => {
    for (const [cpu, workers] of [[256, "1"], [512, "1"], [1024, "1"], [2048, "2"], [4096, "4"]] as const) {
        it(`${cpu} CPU units → nginx_worker_processes ${workers} (never auto on Fargate)`, () => {
            const s = controlPlaneSettings({
                vcpus: cpu / 1024,
                database: { host: "db", port: 5432, name: "kong", credentialsSecretArn: ARN },
                clusterTls: { secretArn: ARN },
            });
            assert.strictEqual(s.plain.nginx_worker_processes, workers);
        });
    }

    for (const image of ["kong:3.9.3", "kong/kong-gateway:3.9.1.2", "kong/kong-gateway:3.15.0.4"]) {
        it(`${image}: every CP setting is a kong.conf key of that version`, () => {
            const env = toContainerEnv(controlPlaneSettings({
                vcpus: 1, database: { host: "db", port: 5432, name: "kong", credentialsSecretArn: ARN }, clusterTls: { secretArn: ARN, versionId: "v" },
            }), kongImage(image), { secretArn: ARN });
            const names = [...env.environment, ...env.secrets].map(e => e.name);
            assert.deepStrictEqual(unknownKongEnvNames(names, kongImage(image)), []);
            assert.ok(names.includes("KONG_LICENSE_DATA"));
        });
    }

    it("refuses a setting the image's Kong does not have (Kong would ignore it): telemetry is Enterprise-only", () => {
        const base = controlPlaneSettings({
            vcpus: 1, database: { host: "db", port: 5432, name: "kong", credentialsSecretArn: ARN }, clusterTls: { secretArn: ARN },
        });
        const withTelemetry = { ...base, plain: { ...base.plain, cluster_telemetry_listen: "0.0.0.0:8006" } };
        assert.throws(() => toContainerEnv(withTelemetry, kongImage("kong:3.9.3")),
            /Kong 3\.9\.3 \(kong:3\.9\.3\) has no setting KONG_CLUSTER_TELEMETRY_LISTEN; it would ignore it silently/);
        const env = toContainerEnv(withTelemetry, kongImage("kong/kong-gateway:3.15.0.4"));
        assert.ok(env.environment.some(e => e.name === "KONG_CLUSTER_TELEMETRY_LISTEN"));
    });
});
