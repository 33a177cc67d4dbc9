import { AdminKey, Database } from "../components/database";
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { byType, runProgram, type PlannedResource, type ProgramRun } from "../offline/harness";
import { arnPartition, leafSpecs, pcaTemplateArn, PrivateCa, renewalWindow } from "../components/private-ca";
import { ControlPlane } from "../components/control-plane";
import { kongImage } from "../components/kong/image";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/0b4c1d2e-1111-4222-a333-444455556666";
const HOST = "cp.kong-test.internal";

function one(run: ProgramRun, type: string, name: string): PlannedResource {
    const found = byType(run, type).filter(r => r.name === name);
    assert.strictEqual(found.length, 1, `expected one ${type} named ${name}, found ${found.length}`);
    return found[0];
}

function planCa(args: Partial<ConstructorParameters<typeof PrivateCa>[1]>): Promise<ProgramRun> {
    return runProgram(() => {
        const ca = new PrivateCa("pki", { controlPlaneHostname: HOST, kmsKeyArn: KEY, ...args });
        return {
            caCertificatePem: ca.caCertificatePem,
            cpSecretArn: ca.controlPlaneTls.secretArn,
            dpSecretArn: ca.dataPlaneTls.secretArn,
            kmsKeyArn: ca.kmsKeyArn,
            ...(ca.caArn ? { caArn: ca.caArn } : {}),
        };
    }, { config: { "aws:region": "eu-west-1" } });
}

describe("PrivateCa: certificate rules", () => {
    it("the CP certificate is a server (and client) certificate for the CP's DNS name only", () => {
        const cp = leafSpecs(HOST).controlPlane;
        assert.strictEqual(cp.commonName, HOST);
        assert.deepStrictEqual(cp.dnsNames, [HOST]);
        assert.ok(cp.allowedUses.includes("server_auth") && cp.allowedUses.includes("client_auth"));
        assert.strictEqual(cp.pcaTemplate, "EndEntityCertificate/V1");
    });

    it("the DP certificate is a client certificate only, with no DNS name", () => {
        const dp = leafSpecs(HOST).dataPlane;
        assert.deepStrictEqual(dp.dnsNames, []);
        assert.ok(dp.allowedUses.includes("client_auth"));
        assert.ok(!dp.allowedUses.includes("server_auth"));
        assert.strictEqual(dp.pcaTemplate, "EndEntityClientAuthCertificate/V1");
    });

    it("refuses a hostname that is not a DNS name", () => {
        assert.throws(() => leafSpecs("cp kong"), /not a DNS name/);
    });

    const windows: { validity: number; renew: number; hours?: [number, number]; error?: RegExp }[] = [
        { validity: 365, renew: 30, hours: [8760, 720] },
        { validity: 7, renew: 2, hours: [168, 48] },
        { validity: 30, renew: 30, error: /renewBeforeDays = 30: must be less than validityDays \(30\)/ },
        { validity: 30, renew: 0, error: /renewBeforeDays/ },
        { validity: 0, renew: 1, error: /validityDays must be a whole number/ },
    ];
    for (const w of windows) {
        it(`validity ${w.validity} d, renew ${w.renew} d before: ${w.error ? "refused" : `${w.hours![0]} h, early renewal ${w.hours![1]} h`}`, () => {
            if (w.error) assert.throws(() => renewalWindow(w.validity, w.renew), w.error);
            else assert.deepStrictEqual(renewalWindow(w.validity, w.renew), { validityPeriodHours: w.hours![0], earlyRenewalHours: w.hours![1] });
        });
    }

    it("PCA template ARNs are global, per partition", () => {
        assert.strictEqual(pcaTemplateArn(arnPartition(KEY), "RootCACertificate/V1"), "arn:aws:acm-pca:::template/RootCACertificate/V1");
        assert.strictEqual(pcaTemplateArn(arnPartition("arn:aws-cn:kms:cn-north-1:1:key/x"), "EndEntityCertificate/V1"), "arn:aws-cn:acm-pca:::template/EndEntityCertificate/V1");
    });
});

describe("PrivateCa: arguments", () => {
    it("refuses a short-lived PCA with certificates valid longer than 7 days, before registering anything", async () => {
        let error: Error | undefined;
        const run = await runProgram(() => {
            try {
                new PrivateCa("pki", { mode: "acm-pca", pcaUsageMode: "SHORT_LIVED_CERTIFICATE", validityDays: 30, renewBeforeDays: 5, controlPlaneHostname: HOST, kmsKeyArn: KEY });
            } catch (e: any) {
                error = e;
            }
            return {};
        }, { config: { "aws:region": "eu-west-1" } });
        assert.match(String(error), /validityDays = 30: a SHORT_LIVED_CERTIFICATE CA issues certificates valid 7 days at most/);
        assert.deepStrictEqual(run.resources.filter(r => r.custom), []);
    });
});

describe("PrivateCa: self-managed mode", () => {
    let run: ProgramRun;
    before(async () => { run = await planCa({ mode: "self-managed", validityDays: 90, renewBeforeDays: 15 }); });

    it("the CA is a CA: self-signed, isCaCertificate, may sign certificates", () => {
        const ca = one(run, "tls:index/selfSignedCert:SelfSignedCert", "pki-ca-cert").inputs;
        assert.strictEqual(ca.isCaCertificate, true);
        assert.ok(ca.allowedUses.includes("cert_signing"));
        assert.ok(!ca.allowedUses.includes("server_auth"));
        assert.strictEqual(ca.privateKeyPem, one(run, "tls:index/privateKey:PrivateKey", "pki-ca-key").outputs.privateKeyPem);
        assert.strictEqual(run.outputs.caCertificatePem, one(run, "tls:index/selfSignedCert:SelfSignedCert", "pki-ca-cert").outputs.certPem);
    });

    const leaves = [
        { role: "cp", sans: [HOST], cn: HOST, uses: ["client_auth", "digital_signature", "server_auth"] },
        { role: "dp", sans: [], cn: "kong-data-plane", uses: ["client_auth", "digital_signature"] },
    ];
    for (const l of leaves) {
        it(`${l.role}: CSR names ${JSON.stringify(l.sans)}, signed by the CA with ${l.uses.join(", ")}, renewed 15 days before 90-day expiry`, () => {
            const csr = one(run, "tls:index/certRequest:CertRequest", `pki-${l.role}-csr`);
            assert.deepStrictEqual(csr.inputs.dnsNames ?? [], l.sans);
            assert.strictEqual(csr.inputs.subject.commonName, l.cn);
            assert.strictEqual(csr.inputs.privateKeyPem, one(run, "tls:index/privateKey:PrivateKey", `pki-${l.role}-key`).outputs.privateKeyPem);
            const cert = one(run, "tls:index/locallySignedCert:LocallySignedCert", `pki-${l.role}-cert`).inputs;
            assert.strictEqual(cert.certRequestPem, csr.outputs.certRequestPem);
            assert.strictEqual(cert.caCertPem, run.outputs.caCertificatePem);
            assert.strictEqual(cert.caPrivateKeyPem, one(run, "tls:index/privateKey:PrivateKey", "pki-ca-key").outputs.privateKeyPem);
            assert.deepStrictEqual([...cert.allowedUses].sort(), l.uses);
            assert.strictEqual(cert.validityPeriodHours, 90 * 24);
            assert.strictEqual(cert.earlyRenewalHours, 15 * 24);
        });

        it(`${l.role}: one KMS-encrypted secret {cert, key, ca} holding that certificate and key`, () => {
            const secret = one(run, "aws:secretsmanager/secret:Secret", `pki-${l.role}-tls`);
            assert.strictEqual(secret.inputs.kmsKeyId, KEY);
            const version = one(run, "aws:secretsmanager/secretVersion:SecretVersion", `pki-${l.role}-tls`);
            const cert = one(run, "tls:index/locallySignedCert:LocallySignedCert", `pki-${l.role}-cert`);
            assert.deepStrictEqual(JSON.parse(version.inputs.secretString), {
                cert: cert.outputs.certPem,
                key: one(run, "tls:index/privateKey:PrivateKey", `pki-${l.role}-key`).outputs.privateKeyPem,
                ca: run.outputs.caCertificatePem,
            });
            // A renewed certificate changes the secret value, so a new version: that is what rolls the tasks.
            assert.ok(version.propertyDependencies.secretString.includes(cert.urn));
            assert.strictEqual(run.outputs[`${l.role}SecretArn`], secret.outputs.arn);
        });
    }

    it("creates no ACM Private CA and outputs no CA ARN", () => {
        assert.deepStrictEqual(run.resources.filter(r => r.type.startsWith("aws:acmpca")), []);
        assert.strictEqual(run.outputs.caArn, undefined);
        assert.strictEqual(run.outputs.kmsKeyArn, KEY);
    });
});

describe("PrivateCa: acm-pca mode", () => {
    let run: ProgramRun;
    before(async () => {
        run = await planCa({ mode: "acm-pca", pcaUsageMode: "SHORT_LIVED_CERTIFICATE", validityDays: 7, renewBeforeDays: 2, production: true });
    });

    it("a root CA with an EC key, in the chosen usage mode, protected in production", () => {
        const ca = one(run, "aws:acmpca/certificateAuthority:CertificateAuthority", "pki-pca");
        assert.strictEqual(ca.inputs.type, "ROOT");
        assert.strictEqual(ca.inputs.usageMode, "SHORT_LIVED_CERTIFICATE");
        assert.strictEqual(ca.inputs.certificateAuthorityConfiguration.keyAlgorithm, "EC_secp384r1");
        assert.strictEqual(ca.inputs.certificateAuthorityConfiguration.signingAlgorithm, "SHA384WITHECDSA");
        assert.strictEqual(ca.protect, true);
        assert.strictEqual(run.outputs.caArn, ca.outputs.arn);
    });

    it("is activated with its own root certificate, signed from its own CSR", () => {
        const ca = one(run, "aws:acmpca/certificateAuthority:CertificateAuthority", "pki-pca");
        const root = one(run, "aws:acmpca/certificate:Certificate", "pki-pca-root-cert");
        assert.strictEqual(root.inputs.certificateAuthorityArn, ca.outputs.arn);
        assert.strictEqual(root.inputs.certificateSigningRequest, ca.outputs.certificateSigningRequest);
        assert.strictEqual(root.inputs.templateArn, "arn:aws:acm-pca:::template/RootCACertificate/V1");
        const activation = one(run, "aws:acmpca/certificateAuthorityCertificate:CertificateAuthorityCertificate", "pki-pca-activation");
        assert.strictEqual(activation.inputs.certificateAuthorityArn, ca.outputs.arn);
        assert.strictEqual(activation.inputs.certificate, root.outputs.certificate);
        assert.strictEqual(run.outputs.caCertificatePem, root.outputs.certificate);
    });

    for (const [role, template] of [["cp", "EndEntityCertificate/V1"], ["dp", "EndEntityClientAuthCertificate/V1"]]) {
        it(`${role}: issued by the activated PCA from a @pulumi/tls CSR (${template}), valid until the renewal clock's end`, () => {
            const ca = one(run, "aws:acmpca/certificateAuthority:CertificateAuthority", "pki-pca");
            const activation = one(run, "aws:acmpca/certificateAuthorityCertificate:CertificateAuthorityCertificate", "pki-pca-activation");
            const leaf = one(run, "aws:acmpca/certificate:Certificate", `pki-${role}-cert`);
            assert.strictEqual(leaf.inputs.certificateAuthorityArn, ca.outputs.arn);
            assert.strictEqual(leaf.inputs.certificateSigningRequest, one(run, "tls:index/certRequest:CertRequest", `pki-${role}-csr`).outputs.certRequestPem);
            assert.strictEqual(leaf.inputs.templateArn, `arn:aws:acm-pca:::template/${template}`);
            assert.ok(leaf.dependencies.includes(activation.urn), "issued before the CA is active");
            const clock = one(run, "tls:index/selfSignedCert:SelfSignedCert", `pki-${role}-renewal-clock`);
            assert.strictEqual(clock.inputs.validityPeriodHours, 7 * 24);
            assert.strictEqual(clock.inputs.earlyRenewalHours, 2 * 24);
            assert.deepStrictEqual(leaf.inputs.validity, { type: "END_DATE", value: clock.outputs.validityEndTime });
            const secret = one(run, "aws:secretsmanager/secretVersion:SecretVersion", `pki-${role}-tls`);
            assert.deepStrictEqual(Object.keys(JSON.parse(secret.inputs.secretString)).sort(), ["ca", "cert", "key"]);
            assert.strictEqual(JSON.parse(secret.inputs.secretString).cert, leaf.outputs.certificate);
        });
    }

    it("keeps the CA key in AWS: no locally signed certificate, no CA key in the program", () => {
        assert.deepStrictEqual(byType(run, "tls:index/locallySignedCert:LocallySignedCert"), []);
        assert.ok(!run.resources.some(r => r.name === "pki-ca-key"));
    });
});

describe("PrivateCa → ControlPlane: a renewed certificate rolls the CP tasks", () => {
    // The certificate secret as PrivateCa hands it over, at two versions: before and after a renewal.
    async function taskDefinitionWith(versionId: string): Promise<string> {
        const run = await runProgram(() => {
            const tlsRefs = {
                secretArn: pulumi.output("arn:aws:secretsmanager:eu-west-1:123456789012:secret:pki-cp-tls-AbCdEf"),
                versionId: pulumi.output(versionId),
            };
            const network = { vpcId: "vpc-0123", vpcCidr: "10.0.0.0/16", publicSubnetIds: ["subnet-p1"], privateSubnetIds: ["subnet-a", "subnet-b"], isolatedSubnetIds: ["subnet-i1", "subnet-i2"] };
            new ControlPlane("cp", {
                network,
                database: new Database("db", { network, kmsKeyArn: KEY, resourcePrefix: "cp" }),
                adminKey: new AdminKey("admin-key", { kmsKeyArn: KEY, resourcePrefix: "cp" }),
                ecsClusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/kong-test",
                kmsKeyArn: KEY,
                pki: { caCertificatePem: pulumi.output("-----BEGIN CERTIFICATE-----"), controlPlaneTls: tlsRefs, dataPlaneTls: tlsRefs, kmsKeyArn: pulumi.output(KEY) },
                hostname: HOST,
                kong: kongImage("kong:3.9.3"),
                adminAllowedCidrs: ["203.0.113.0/24"],
            });
            return {};
        }, { config: { "aws:region": "eu-west-1" } });
        return one(run, "aws:ecs/taskDefinition:TaskDefinition", "cp-task").inputs.containerDefinitions;
    }

    it("pins the secret version in valueFrom, so a new version is a new task definition", async () => {
        const before = await taskDefinitionWith("11111111-aaaa-4bbb-8ccc-000000000001");
        const after = await taskDefinitionWith("22222222-aaaa-4bbb-8ccc-000000000002");
        assert.notStrictEqual(before, after);
        const kong = JSON.parse(after).find((c: any) => c.name === "kong");
        const cert = kong.secrets.find((s: any) => s.name === "KONG_CLUSTER_CERT");
        assert.strictEqual(cert.valueFrom, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pki-cp-tls-AbCdEf:cert::22222222-aaaa-4bbb-8ccc-000000000002");
    });
});
