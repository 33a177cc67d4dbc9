import { strict as assert } from "assert";
import { byType, type ProgramRun } from "../offline/harness";
import { contracts, envOf, plan, planFull, secretsOf } from "./support/dp-plans";

// The Kong env of the CP and the DP side by side, on the real stack plan (Kong/charts' per-role
// values files in spirit): which settings both roles carry, and which only one. Written by hand.

function controlPlaneContainer(run: ProgramRun): any {
    const td = byType(run, "aws:ecs/taskDefinition:TaskDefinition").filter(t => t.name.startsWith(`kong-${run.stack}-cp`));
    assert.equal(td.length, 1);
    return JSON.parse(td[0].inputs.containerDefinitions).find((c: any) => c.name === "kong");
}

const BOTH = "both";
describe("Kong env: Control Plane and Data Plane side by side", () => {
    for (const stack of ["dev", "prod"]) {
        const cpHost = `cp.kong-${stack}.internal`;
        const vpcCidr = stack === "dev" ? "10.0.0.0/16" : "10.20.0.0/16";
        // name → [CP value, DP value]; undefined: the role does not set it.
        const rows: Record<string, [string | undefined, string | undefined] | typeof BOTH> = {
            KONG_ROLE: ["control_plane", "data_plane"],
            KONG_DATABASE: ["postgres", "off"],
            KONG_CLUSTER_MTLS: BOTH,
            KONG_STATUS_LISTEN: BOTH,
            KONG_NGINX_WORKER_PROCESSES: BOTH,
            KONG_PROXY_ACCESS_LOG: BOTH,
            KONG_PROXY_ERROR_LOG: BOTH,
            KONG_ADMIN_ACCESS_LOG: BOTH,
            KONG_ADMIN_ERROR_LOG: BOTH,
            KONG_STATUS_ERROR_LOG: BOTH,
            // No usage reports to Kong Inc. from any node.
            KONG_ANONYMOUS_REPORTS: ["off", "off"],
            KONG_PROXY_LISTEN: ["off", "0.0.0.0:8000 reuseport backlog=16384"],
            // Only the CP serves the Admin API and the cluster listener, and talks to PostgreSQL.
            KONG_ADMIN_LISTEN: ["0.0.0.0:8001", "off"],
            KONG_ADMIN_GUI_LISTEN: ["off", undefined],
            KONG_CLUSTER_LISTEN: ["0.0.0.0:8005", undefined],
            KONG_PG_DATABASE: ["kong", undefined],
            KONG_PG_PORT: ["5432", undefined],
            KONG_PG_SSL: ["on", undefined],
            KONG_PG_TIMEOUT: ["30000", undefined],
            // Only the DP dials the CP and sits behind the ALB.
            KONG_CLUSTER_CONTROL_PLANE: [undefined, `${cpHost}:8005`],
            KONG_CLUSTER_SERVER_NAME: [undefined, cpHost],
            KONG_TRUSTED_IPS: [undefined, vpcCidr],
            KONG_REAL_IP_HEADER: [undefined, "X-Forwarded-For"],
            KONG_REAL_IP_RECURSIVE: [undefined, "on"],
            KONG_NGINX_MAIN_WORKER_SHUTDOWN_TIMEOUT: [undefined, "25s"],
            // dev's CP sleeps when idle (cpScaleToZero): a new DP loads the last export and retries the CP's name soon.
            ...(stack === "dev" ? {
                KONG_DECLARATIVE_CONFIG: [undefined, "/kong-fallback/kong.yaml"],
                KONG_DNS_NOT_FOUND_TTL: [undefined, "5"],
            } as const : {}),
        };
        it(`${stack}: shared and role-only settings`, async () => {
            const cp = Object.fromEntries(controlPlaneContainer(await planFull(stack)).environment.map((e: any) => [e.name, e.value]));
            const dp = envOf(await plan(stack));
            const names = new Set([...Object.keys(cp), ...Object.keys(dp)]);
            // A value computed from outputs: the DB endpoint (CP).
            names.delete("KONG_PG_HOST");
            assert.deepEqual([...names].sort(), Object.keys(rows).sort());
            for (const [name, row] of Object.entries(rows)) {
                if (row === BOTH) {
                    assert.ok(cp[name] !== undefined, `CP sets ${name}`);
                    assert.equal(dp[name], cp[name], name);
                } else {
                    assert.equal(cp[name], row[0], `CP ${name}`);
                    assert.equal(dp[name], row[1], `DP ${name}`);
                }
            }
            assert.match(cp.KONG_PG_HOST, /\.rds\.amazonaws\.com$/);
            assert.equal(dp.KONG_PG_HOST, undefined);
            // Neither role overrides lua_ssl_trusted_certificate: its default `system` keeps the
            // system CAs, and a pki-mode DP appends its cluster_ca_cert to it by itself.
            assert.equal(dp.KONG_LUA_SSL_TRUSTED_CERTIFICATE, undefined);
            assert.equal(cp.KONG_LUA_SSL_TRUSTED_CERTIFICATE, undefined);
        });
        it(`${stack}: every container that runs Kong (CP, migrations, DP; the one-off finish reuses the CP's) sends no usage reports`, async () => {
            const kongContainers = byType(await planFull(stack), "aws:ecs/taskDefinition:TaskDefinition")
                .flatMap(td => JSON.parse(td.inputs.containerDefinitions))
                .filter((c: any) => c.environment.some((e: any) => e.name === "KONG_ROLE"));
            assert.deepEqual(kongContainers.map((c: any) => c.name).sort(), ["kong", "kong", "migrations"]);
            for (const c of kongContainers) {
                assert.equal(c.environment.find((e: any) => e.name === "KONG_ANONYMOUS_REPORTS")?.value, "off", c.name);
            }
        });
        it(`${stack}: each role reads its own cluster certificate; only the CP reads database credentials`, async () => {
            const cp = Object.fromEntries(controlPlaneContainer(await planFull(stack)).secrets.map((e: any) => [e.name, e.valueFrom]));
            const dp = secretsOf(await plan(stack));
            assert.deepEqual(Object.keys(cp).sort(), ["KONG_CLUSTER_CA_CERT", "KONG_CLUSTER_CERT", "KONG_CLUSTER_CERT_KEY", "KONG_PG_PASSWORD", "KONG_PG_USER"]);
            assert.deepEqual(Object.keys(dp).sort(), ["KONG_CLUSTER_CA_CERT", "KONG_CLUSTER_CERT", "KONG_CLUSTER_CERT_KEY"]);
            for (const k of ["KONG_CLUSTER_CERT", "KONG_CLUSTER_CERT_KEY", "KONG_CLUSTER_CA_CERT"]) {
                assert.notEqual(cp[k].split(":").slice(0, 7).join(":"), dp[k].split(":").slice(0, 7).join(":"), `${k}: different secrets`);
                assert.ok(dp[k].startsWith((await contracts(stack)).dpTlsSecretArn));
            }
        });
    }
});
