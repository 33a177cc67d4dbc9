import * as assert from "assert";
import * as crypto from "crypto";
import { byType, type ProgramRun } from "../offline/harness";
import { plan } from "./support";

// CP/DP mTLS (cluster_mtls = pki) with the certificates the plan really issues: the offline cloud
// makes real keys and certificates from the program's inputs (offline/mock-tls.ts), so these
// checks are what Kong's TLS handshake will check. What the DP dials and trusts is read from its
// Kong settings, not from the CA component.

const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

function kongEnv(run: ProgramRun, role: string): Record<string, string> {
    for (const td of byType(run, "aws:ecs/taskDefinition:TaskDefinition")) {
        const kong = JSON.parse(td.inputs.containerDefinitions).find((c: any) => c.name === "kong");
        const env = Object.fromEntries(kong.environment.map((e: any) => [e.name, e.value]));
        if (env.KONG_ROLE === role) return { ...env, ...Object.fromEntries(kong.secrets.map((s: any) => [s.name, s.valueFrom])) };
    }
    throw new Error(`no ${role} task`);
}

/** The JSON {cert, key, ca} a KONG_CLUSTER_CERT secret reference points at, from the planned secret version. */
function tlsSecret(run: ProgramRun, valueFrom: string): { cert: string; key: string; ca: string } {
    const secretArn = valueFrom.split(":").slice(0, 7).join(":");
    const version = byType(run, "aws:secretsmanager/secretVersion:SecretVersion").find(v => v.inputs.secretId === secretArn);
    assert.ok(version, `no secret version for ${secretArn}`);
    return JSON.parse(version!.inputs.secretString);
}

describe("CP/DP mTLS certificates really chain", () => {
    for (const [stack, mode] of [["dev", "self-managed CA"], ["prod", "ACM Private CA"]] as const) {
        describe(`${stack} (${mode})`, () => {
            let cp: { cert: crypto.X509Certificate; key: string; ca: crypto.X509Certificate };
            let dp: { cert: crypto.X509Certificate; key: string; ca: crypto.X509Certificate };
            let dpEnv: Record<string, string>;
            before(async () => {
                const run = await plan(stack);
                const load = (role: string) => {
                    const env = kongEnv(run, role);
                    const s = tlsSecret(run, env.KONG_CLUSTER_CERT);
                    return { cert: new crypto.X509Certificate(s.cert), key: s.key, ca: new crypto.X509Certificate(s.ca), env };
                };
                const c = load("control_plane");
                const d = load("data_plane");
                cp = c;
                dp = d;
                dpEnv = d.env;
            });

            it("both nodes trust the same CA, which is a CA", () => {
                assert.strictEqual(cp.ca.fingerprint256, dp.ca.fingerprint256);
                assert.strictEqual(cp.ca.ca, true);
                assert.ok(cp.ca.verify(cp.ca.publicKey), "the root is self-signed");
            });

            it("the CP's certificate is signed by that CA, names the host DPs dial, and serves TLS", () => {
                assert.ok(cp.cert.verify(dp.ca.publicKey), "DP's cluster_ca_cert verifies the CP certificate");
                const [host, port] = dpEnv.KONG_CLUSTER_CONTROL_PLANE.split(":");
                assert.strictEqual(port, "8005");
                assert.strictEqual(dpEnv.KONG_CLUSTER_SERVER_NAME, host);
                assert.strictEqual(cp.cert.checkHost(dpEnv.KONG_CLUSTER_SERVER_NAME), host, "the SNI the DP sends matches the CP's SAN");
                assert.ok(cp.cert.keyUsage.includes(SERVER_AUTH));
                assert.strictEqual(cp.cert.ca, false);
                assert.ok(cp.cert.checkPrivateKey(crypto.createPrivateKey(cp.key)), "the CP's key matches its certificate");
            });

            it("the DP's certificate is a client certificate signed by the same CA", () => {
                assert.ok(dp.cert.verify(cp.ca.publicKey), "CP's cluster_ca_cert verifies the DP certificate");
                assert.deepStrictEqual(dp.cert.keyUsage, [CLIENT_AUTH]);
                assert.strictEqual(dp.cert.ca, false);
                assert.ok(dp.cert.checkPrivateKey(crypto.createPrivateKey(dp.key)), "the DP's key matches its certificate");
            });

            it("the DP trusts the system store plus its cluster_ca_cert (no lua_ssl_trusted_certificate override)", () => {
                // Kong's default `system`, to which a pki-mode DP appends cluster_ca_cert itself.
                assert.strictEqual(dpEnv.KONG_LUA_SSL_TRUSTED_CERTIFICATE, undefined);
                assert.strictEqual(dp.ca.fingerprint256, cp.ca.fingerprint256);
            });

            it("the leaf certificates are valid now, for at most certValidityDays (365 in both stacks)", () => {
                const now = Date.now();
                for (const c of [cp.cert, dp.cert]) {
                    assert.ok(Date.parse(c.validFrom) <= now && now < Date.parse(c.validTo));
                    assert.ok(Date.parse(c.validTo) - Date.parse(c.validFrom) <= 366 * 86_400_000);
                }
            });
        });
    }
});
