import { strict as assert } from "assert";
import * as YAML from "yaml";
import {
    CHART_ENV_KONG_IGNORES, chartEnv, forKubernetes, kongChartValues, type KongChartValues, type KongValuesInput,
} from "../components/eks/kong-values";
import { unknownKongEnvNames } from "../components/kong/image";
import { controlPlaneSettings, envName } from "../components/kong/settings";
import { ORACLE } from "./fixtures/eks/kong-chart-3.4.1-oracle";
import { controlPlaneInput, dataPlaneInput, DB_SECRET_ARN, syncedKeyRef, TLS_SECRET_ARN } from "./support/eks";
import { matchesSnapshot } from "./support/snapshot";

// The Helm values each role gets on EKS, and the env Kong's chart 3.4.1 renders from them.

describe("chartEnv: the chart's values-to-env mapping (helm-rendered oracle)", () => {
    for (const c of ORACLE) {
        it(c.name, () => {
            const withoutLogs = (env: Record<string, unknown>) => Object.fromEntries(Object.entries(env).filter(([k]) => !k.endsWith("_LOG")));
            assert.deepEqual(withoutLogs(chartEnv(YAML.parse(c.values))), c.env);
        });
    }
    it("turns on KONG_KIC with the chart's default ingress controller", () => {
        assert.equal(chartEnv({}).KONG_KIC, "on");
    });
    it("refuses the chart's cert-manager branch and a YAML boolean under *_log", () => {
        assert.throws(() => chartEnv({ certificates: { enabled: true } }), /cert-manager branch is not modelled/);
        assert.throws(() => chartEnv({ env: { proxy_access_log: false } }), /env\.proxy_access_log is a YAML boolean/);
    });
});

const ROLES: { name: string; input: () => KongValuesInput }[] = [
    { name: "cp-oss", input: () => controlPlaneInput("oss") },
    { name: "cp-enterprise", input: () => controlPlaneInput("enterprise") },
    { name: "dp-oss", input: () => dataPlaneInput("oss") },
    { name: "dp-enterprise", input: () => dataPlaneInput("enterprise") },
];

describe("kongChartValues per role", () => {
    for (const r of ROLES) {
        describe(r.name, () => {
            const input = r.input();
            const values = kongChartValues(input);
            const env = chartEnv(values);
            const cp = input.settings.role === "control_plane";

            it("matches its snapshot (values and the env the chart renders)", () => {
                matchesSnapshot(`eks/${r.name}.yaml`, { values, renderedEnv: env });
            });
            it("passes the ECS Kong key check: nothing we set is unknown to the image's Kong", () => {
                assert.deepEqual(unknownKongEnvNames(Object.keys(values.env).map(envName), input.kong), []);
                const unknown = unknownKongEnvNames(Object.keys(env), input.kong);
                assert.deepEqual(unknown.filter(n => !(CHART_ENV_KONG_IGNORES as readonly string[]).includes(n)), [], "only the chart's own leftovers");
            });
            it("renders every setting as written (user env overrides the chart's)", () => {
                for (const [k, v] of Object.entries(input.settings.plain)) assert.equal(env[envName(k)], v, k);
            });
            it("passes secrets as secretKeyRef, never as values", () => {
                for (const [k, ref] of Object.entries(input.settings.secret)) {
                    assert.deepEqual(env[envName(k)], { valueFrom: { secretKeyRef: ref } }, k);
                }
                for (const [k, v] of Object.entries(env)) {
                    if (typeof v === "string") assert.doesNotMatch(v, /PRIVATE KEY/, k);
                }
                if (input.licenceSecretName) {
                    assert.deepEqual(env.KONG_LICENSE_DATA, { valueFrom: { secretKeyRef: { name: "kong-enterprise-license", key: "license" } } });
                } else {
                    assert.equal(env.KONG_LICENSE_DATA, undefined);
                }
            });
            it("reads the cluster certificate from the mounted TLS Secret", () => {
                const dir = `/etc/secrets/${input.clusterTlsSecretName}`;
                assert.deepEqual(values.secretVolumes, [input.clusterTlsSecretName]);
                assert.equal(env.KONG_CLUSTER_CERT, `${dir}/tls.crt`);
                assert.equal(env.KONG_CLUSTER_CERT_KEY, `${dir}/tls.key`);
                assert.equal(env.KONG_CLUSTER_CA_CERT, `${dir}/ca.crt`);
                assert.equal(env.KONG_CLUSTER_MTLS, "pki");
                assert.equal(values.certificates.enabled, false, "the chart's cert-manager branch");
            });
            it("exposes nothing by default: no ingress controller, no Manager, admin only ClusterIP on the CP", () => {
                assert.equal(values.ingressController.enabled, false);
                assert.equal(env.KONG_KIC, undefined);
                assert.equal(values.manager.enabled, false);
                assert.equal(values.portal.enabled, false);
                assert.equal(values.portalapi.enabled, false);
                assert.equal(env.KONG_ADMIN_GUI_LISTEN, "off", "Kong Manager closed on every role and edition");
                for (const svc of [values.admin, values.cluster, values.proxy] as KongChartValues["admin"][]) {
                    if (svc.enabled) assert.equal(svc.type, "ClusterIP");
                }
                if (cp) {
                    assert.deepEqual(values.admin.http, { enabled: true, servicePort: 8001, containerPort: 8001 });
                    assert.equal(env.KONG_ADMIN_LISTEN, "0.0.0.0:8001");
                    assert.equal(values.proxy.enabled, false);
                    assert.equal(env.KONG_PROXY_LISTEN, "off");
                    assert.equal(env.KONG_CLUSTER_LISTEN, "0.0.0.0:8005");
                } else {
                    assert.equal(values.admin.enabled, false);
                    assert.equal(env.KONG_ADMIN_LISTEN, "off");
                    assert.equal(env.KONG_CLUSTER_LISTEN, "off");
                    assert.equal(values.proxy.tls?.enabled, false, "the ALB terminates TLS");
                    assert.equal(env.KONG_PORT_MAPS, "8000:8000");
                }
                if (input.kong.edition === "enterprise") assert.equal(env.KONG_CLUSTER_TELEMETRY_LISTEN, "off");
            });
            it("is ready on /status/ready of the status listener", () => {
                assert.equal(env.KONG_STATUS_LISTEN, "0.0.0.0:8100");
                assert.deepEqual(values.readinessProbe.httpGet, { path: "/status/ready", port: "status", scheme: "HTTP" });
            });
            it("requests resources, runs one nginx worker per requested CPU, has a PDB", () => {
                assert.equal(values.resources.requests.cpu, `${input.cpuMillis}m`);
                assert.equal(env.KONG_NGINX_WORKER_PROCESSES, String(input.cpuMillis / 1000));
                assert.deepEqual(values.podDisruptionBudget, { enabled: true, maxUnavailable: 1 });
                assert.equal(values.deployment.serviceAccount.automountServiceAccountToken, false);
            });
            it(cp ? "runs a fixed number of replicas" : "scales with an autoscaling/v2 HPA on CPU", () => {
                if (cp) {
                    assert.equal(values.replicaCount, 2);
                    assert.equal(values.autoscaling.enabled, false);
                } else {
                    assert.equal(values.replicaCount, undefined);
                    assert.deepEqual(values.autoscaling.metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }]);
                    assert.equal(values.autoscaling.minReplicas, 2);
                    assert.equal(values.autoscaling.maxReplicas, 10);
                    assert.equal((values.autoscaling as any).targetCPUUtilizationPercentage, undefined, "used only on pre-v2 APIs");
                }
            });
        });
    }
});

describe("kongChartValues refuses contradictions, naming the value", () => {
    const table: [string, () => KongValuesInput, RegExp][] = [
        ["workers ≠ CPU request", () => ({ ...controlPlaneInput("oss"), cpuMillis: 2000 }),
            /nginx_worker_processes is "1", but the CPU request 2000m gives 2 worker\(s\)/],
        ["a licence for open-source Kong", () => ({ ...dataPlaneInput("oss"), licenceSecretName: "lic" }),
            /licence Secret was given for open-source kong:3\.9\.3/],
        ["an HPA for the CP", () => ({ ...controlPlaneInput("oss"), scaling: { minReplicas: 1, maxReplicas: 2, targetCpuPercent: 50 } }),
            /Control Plane takes a fixed replica count/],
        ["minReplicas above maxReplicas", () => ({ ...dataPlaneInput("oss"), scaling: { minReplicas: 5, maxReplicas: 2, targetCpuPercent: 50 } }),
            /minReplicas 5 must be from 1 to maxReplicas 2/],
    ];
    for (const [what, input, message] of table) it(what, () => assert.throws(() => kongChartValues(input()), message));
});

describe("forKubernetes", () => {
    it("moves cluster TLS to files and other secrets to Secret keys", () => {
        const s = forKubernetes(controlPlaneSettings({
            vcpus: 1, database: { host: "h", port: 5432, name: "kong", credentialsSecretArn: DB_SECRET_ARN },
        }), { clusterTlsSecretName: "tls", secretKeyRef: syncedKeyRef });
        assert.deepEqual(s.secret, { pg_user: { name: "kong-cp-db", key: "username" }, pg_password: { name: "kong-cp-db", key: "password" } });
        assert.equal(s.plain.cluster_cert, "/etc/secrets/tls/tls.crt");
        assert.equal(s.plain.cluster_ca_cert, "/etc/secrets/tls/ca.crt");
    });
    it("fails naming the setting whose secret is not synced", () => {
        assert.throws(() => forKubernetes({ role: "data_plane", plain: {}, secret: { pg_password: { kind: "secretsManager", arn: "arn:other" } } },
            { clusterTlsSecretName: "t", secretKeyRef: syncedKeyRef }), /no synced Secret for pg_password \(arn:other\)/);
    });
});
