import { strict as assert } from "assert";
import { controlPlaneSettings, dataPlaneSettings, toContainerEnv } from "../components/kong/settings";
import { dataPlaneContainerEnv } from "../components/data-plane";
import { kongImage } from "../components/kong/image";

// The Kong env of the CP and the DP side by side (Kong/charts' per-role values files in
// spirit): what both share, and what only one role sets. Expected values written out by hand.

const TLS_CP = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cp-tls-AAAAAA";
const TLS_DP = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dp-tls-BBBBBB";
const DB = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1-CCCCCC";

function envs() {
    const cp = toContainerEnv(controlPlaneSettings({
        vcpus: 1,
        database: { host: "kong.cluster-x.eu-west-1.rds.amazonaws.com", port: 5432, name: "kong", credentialsSecretArn: DB },
        clusterTls: { secretArn: TLS_CP },
    }));
    const dp = dataPlaneContainerEnv({
        kong: kongImage("kong:3.9.3"), vcpus: 1, controlPlaneHost: "cp.kong-dev.internal", tlsSecretArn: TLS_DP,
        caCertificatePem: "PEM", vpcCidr: "10.0.0.0/16",
    });
    const flat = (e: typeof cp) => ({
        env: Object.fromEntries(e.environment.map(x => [x.name, x.value])),
        secrets: Object.fromEntries(e.secrets.map(x => [x.name, x.valueFrom])),
    });
    return { cp: flat(cp), dp: flat(dp) };
}

describe("Kong env: Control Plane and Data Plane side by side", () => {
    it("share the cluster and logging settings, with the role's own values", () => {
        const { cp, dp } = envs();
        const rows: [string, string | undefined, string | undefined][] = [
            // name, CP, DP
            ["KONG_ROLE", "control_plane", "data_plane"],
            ["KONG_DATABASE", "postgres", "off"],
            ["KONG_CLUSTER_MTLS", "pki", "pki"],
            ["KONG_STATUS_LISTEN", "0.0.0.0:8100", "0.0.0.0:8100"],
            ["KONG_NGINX_WORKER_PROCESSES", "1", "1"],
            ["KONG_PROXY_LISTEN", "off", "0.0.0.0:8000 reuseport backlog=16384"],
            ["KONG_ADMIN_LISTEN", "0.0.0.0:8001", undefined],
            ["KONG_ADMIN_GUI_LISTEN", "off", undefined],
            ["KONG_CLUSTER_LISTEN", "0.0.0.0:8005", undefined],
            ["KONG_PG_HOST", "kong.cluster-x.eu-west-1.rds.amazonaws.com", undefined],
            ["KONG_PG_SSL", "on", undefined],
            ["KONG_CLUSTER_CONTROL_PLANE", undefined, "cp.kong-dev.internal:8005"],
            ["KONG_CLUSTER_SERVER_NAME", undefined, "cp.kong-dev.internal"],
            ["KONG_TRUSTED_IPS", undefined, "10.0.0.0/16"],
            ["KONG_REAL_IP_HEADER", undefined, "X-Forwarded-For"],
            ["KONG_REAL_IP_RECURSIVE", undefined, "on"],
            ["KONG_NGINX_MAIN_WORKER_SHUTDOWN_TIMEOUT", undefined, "25s"],
        ];
        for (const [name, cpValue, dpValue] of rows) {
            assert.equal(cp.env[name], cpValue, `CP ${name}`);
            assert.equal(dp.env[name], dpValue, `DP ${name}`);
        }
        assert.match(dp.env.KONG_LUA_SSL_TRUSTED_CERTIFICATE, /^system,/);
        for (const log of ["KONG_PROXY_ACCESS_LOG", "KONG_ADMIN_ACCESS_LOG"]) assert.equal(cp.env[log], dp.env[log]);
    });
    it("each reads its own cluster certificate; only the CP reads database credentials", () => {
        const { cp, dp } = envs();
        assert.deepEqual(cp.secrets, {
            KONG_CLUSTER_CA_CERT: `${TLS_CP}:ca::`, KONG_CLUSTER_CERT: `${TLS_CP}:cert::`, KONG_CLUSTER_CERT_KEY: `${TLS_CP}:key::`,
            KONG_PG_PASSWORD: `${DB}:password::`, KONG_PG_USER: `${DB}:username::`,
        });
        assert.deepEqual(dp.secrets, {
            KONG_CLUSTER_CA_CERT: `${TLS_DP}:ca::`, KONG_CLUSTER_CERT: `${TLS_DP}:cert::`, KONG_CLUSTER_CERT_KEY: `${TLS_DP}:key::`,
        });
    });
});
