import * as assert from "assert";
import { secretValueFrom, toContainerEnv } from "../components/ecs/kong-env";
import { controlPlaneSettings, dataPlaneSettings } from "../components/kong/settings";
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
            });
            assert.strictEqual(s.plain.nginx_worker_processes, workers);
        });
    }

    for (const image of ["kong:3.9.3", "kong/kong-gateway:3.9.1.2", "kong/kong-gateway:3.15.0.4"]) {
        it(`${image}: every CP setting is a kong.conf key of that version`, () => {
            const env = toContainerEnv(controlPlaneSettings({
                vcpus: 1, database: { host: "db", port: 5432, name: "kong", credentialsSecretArn: ARN },
            }), kongImage(image), { clusterTls: { secretArn: ARN, versionId: "v" }, licence: { secretArn: ARN } });
            const names = [...env.environment, ...env.secrets].map(e => e.name);
            assert.deepStrictEqual(unknownKongEnvNames(names, kongImage(image)), []);
            assert.ok(names.includes("KONG_LICENSE_DATA"));
        });
    }

    it("refuses a setting the image's Kong does not have (Kong would ignore it): telemetry is Enterprise-only", () => {
        const base = controlPlaneSettings({
            vcpus: 1, database: { host: "db", port: 5432, name: "kong", credentialsSecretArn: ARN },
        });
        const withTelemetry = { ...base, plain: { ...base.plain, cluster_telemetry_listen: "0.0.0.0:8006" } };
        assert.throws(() => toContainerEnv(withTelemetry, kongImage("kong:3.9.3"), { clusterTls: { secretArn: ARN } }),
            /Kong 3\.9\.3 \(kong:3\.9\.3\) has no setting KONG_CLUSTER_TELEMETRY_LISTEN; it would ignore it silently/);
        const env = toContainerEnv(withTelemetry, kongImage("kong/kong-gateway:3.15.0.4"), { clusterTls: { secretArn: ARN } });
        assert.ok(env.environment.some(e => e.name === "KONG_CLUSTER_TELEMETRY_LISTEN"));
    });
});

describe("Kong settings are runtime-neutral; the ECS renderer adds listeners, logs and secret delivery", () => {
    const cp = controlPlaneSettings({ vcpus: 1, database: { host: "db", port: 5432, name: "kong", credentialsSecretArn: ARN } });
    const dp = dataPlaneSettings({ vcpus: 1, clusterAddress: "cp.kong-dev.internal:8005", serverName: "cp.kong-dev.internal", trustedIps: ["10.0.0.0/16"] });
    for (const s of [cp, dp]) {
        it(`${s.role}: no listener address, no log destination, cluster TLS as an abstract source`, () => {
            // Closing a listener ("off") is the role's rule; an address is the runtime's.
            assert.deepStrictEqual(Object.entries(s.plain).filter(([k, v]) => /_listen$|_log$/.test(k) && v !== "off"), []);
            assert.deepStrictEqual(s.secret.cluster_cert, { kind: "clusterTls", field: "cert" });
        });
    }
    const rows: [string, typeof cp, string, string | undefined][] = [
        ["CP admin listener", cp, "KONG_ADMIN_LISTEN", "0.0.0.0:8001"],
        ["CP cluster listener", cp, "KONG_CLUSTER_LISTEN", "0.0.0.0:8005"],
        ["CP serves no proxy", cp, "KONG_PROXY_LISTEN", "off"],
        ["DP proxy listener", dp, "KONG_PROXY_LISTEN", "0.0.0.0:8000 reuseport backlog=16384"],
        ["DP closes Kong's loopback admin listener", dp, "KONG_ADMIN_LISTEN", "off"],
        ["DP logs to stdout", dp, "KONG_PROXY_ACCESS_LOG", "/dev/stdout"],
    ];
    for (const [what, s, name, value] of rows) {
        it(`${what}: ${name}=${value}`, () => {
            const env = toContainerEnv(s, kongImage("kong:3.9.3"), { clusterTls: { secretArn: ARN } });
            assert.strictEqual(env.environment.find(e => e.name === name)?.value, value);
        });
    }
    it("cluster TLS sources become JSON keys of the role's pinned TLS secret", () => {
        const env = toContainerEnv(dp, kongImage("kong:3.9.3"), { clusterTls: { secretArn: ARN, versionId: "v-2" } });
        assert.deepStrictEqual(env.secrets, [
            { name: "KONG_CLUSTER_CA_CERT", valueFrom: `${ARN}:ca::v-2` },
            { name: "KONG_CLUSTER_CERT", valueFrom: `${ARN}:cert::v-2` },
            { name: "KONG_CLUSTER_CERT_KEY", valueFrom: `${ARN}:key::v-2` },
        ]);
    });
});
