import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// Real keys and certificates for the offline plan, made from the inputs of @pulumi/tls (and ACM
// Private CA) resources the way those providers would make them: subject, DNS names, allowed
// uses, CA flag, validity, signer. So a test can check that the program's certificates really
// chain (leaf signed by the CA, CP name in its SAN, usages) instead of only how they are wired.
// Keys come from node's crypto, certificates from the openssl command (OpenSSL 3).

const cache = new Map<string, Record<string, string>>();

/** `openssl req` takes extensions one by one. */
const addext = (extensions: string[]) => extensions.flatMap(e => ["-addext", e]);

/** One result per resource (keyed by its stable hash) within a process: plans stay self-consistent. */
function once(hash: string, make: () => Record<string, string>): Record<string, string> {
    let value = cache.get(hash);
    if (!value) cache.set(hash, (value = make()));
    return value;
}

export function privateKey(hash: string, inputs: Record<string, any>): Record<string, string> {
    return once(hash, () => {
        const algorithm = inputs.algorithm ?? "RSA";
        const pair = algorithm === "ECDSA"
            ? crypto.generateKeyPairSync("ec", { namedCurve: { P224: "P-224", P256: "P-256", P384: "P-384", P521: "P-521" }[inputs.ecdsaCurve as string] ?? "P-224" })
            : algorithm === "RSA"
                ? crypto.generateKeyPairSync("rsa", { modulusLength: inputs.rsaBits ?? 2048 })
                : crypto.generateKeyPairSync("ed25519");
        const format = algorithm === "ECDSA" ? "sec1" : algorithm === "RSA" ? "pkcs1" : "pkcs8";
        return {
            privateKeyPem: pair.privateKey.export({ type: format as any, format: "pem" }) as string,
            privateKeyPemPkcs8: pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
            publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }) as string,
        };
    });
}

/** @pulumi/tls allowed_uses → OpenSSL extension values. */
function usageExtensions(allowedUses: string[] = []): string[] {
    const keyUsage: Record<string, string> = {
        digital_signature: "digitalSignature", key_encipherment: "keyEncipherment", cert_signing: "keyCertSign",
        crl_signing: "cRLSign", content_commitment: "nonRepudiation", key_agreement: "keyAgreement",
    };
    const extended: Record<string, string> = { server_auth: "serverAuth", client_auth: "clientAuth", code_signing: "codeSigning" };
    const ku = allowedUses.filter(u => keyUsage[u]).map(u => keyUsage[u]);
    const eku = allowedUses.filter(u => extended[u]).map(u => extended[u]);
    return [...(ku.length ? [`keyUsage=critical,${ku.join(",")}`] : []), ...(eku.length ? [`extendedKeyUsage=${eku.join(",")}`] : [])];
}

function subjectArg(subject: Record<string, string> = {}): string {
    const parts = [["CN", subject.commonName], ["O", subject.organization], ["OU", subject.organizationalUnit], ["C", subject.country]]
        .filter(([, v]) => v).map(([k, v]) => `/${k}=${String(v).replace(/\//g, "\\/")}`);
    return parts.join("") || "/";
}

function openssl(args: string[], files: Record<string, string>, extensions: string[] = []): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-hybrid-tls-"));
    try {
        for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
        fs.writeFileSync(path.join(dir, "ext.cnf"), `[ext]\n${extensions.join("\n")}\n`);
        // `openssl req` wants a config with a distinguished_name section, even an empty one.
        fs.writeFileSync(path.join(dir, "req.cnf"), "[req]\ndistinguished_name = dn\n[dn]\n");
        return execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const days = (hours: number | undefined) => String(Math.max(1, Math.ceil((hours ?? 24) / 24)));
const serial = (hash: string) => `0x${hash.slice(0, 16)}`;
/** The certificate's serial number in decimal: what the tls provider uses as a certificate's id. */
export const serialNumber = (hash: string) => BigInt(serial(hash)).toString();
const san = (dnsNames: string[] = []) => (dnsNames.length ? [`subjectAltName=${dnsNames.map(d => `DNS:${d}`).join(",")}`] : []);

export function selfSignedCert(hash: string, inputs: Record<string, any>): Record<string, string> {
    const extensions = [`basicConstraints=critical,CA:${inputs.isCaCertificate ? "TRUE" : "FALSE"}`, "subjectKeyIdentifier=hash", ...usageExtensions(inputs.allowedUses), ...san(inputs.dnsNames)];
    return once(hash, () => ({
        certPem: openssl(
            ["req", "-x509", "-new", "-key", "key.pem", "-subj", subjectArg(inputs.subject), "-days", days(inputs.validityPeriodHours),
                "-set_serial", serial(hash), "-config", "req.cnf", "-sha384", ...addext(extensions)],
            { "key.pem": inputs.privateKeyPem },
        ),
    }));
}

export function certRequest(hash: string, inputs: Record<string, any>): Record<string, string> {
    return once(hash, () => ({
        certRequestPem: openssl(
            ["req", "-new", "-key", "key.pem", "-subj", subjectArg(inputs.subject), "-config", "req.cnf", ...addext(san(inputs.dnsNames))],
            { "key.pem": inputs.privateKeyPem },
        ),
    }));
}

/** A leaf signed by a CA from a CSR: the CSR's subject and SAN, the signer's chosen usages. */
export function signCertificate(hash: string, csrPem: string, caCertPem: string, caKeyPem: string, validityHours: number | undefined, allowedUses: string[], isCa = false): string {
    return once(hash, () => ({
        certPem: openssl(
            ["x509", "-req", "-in", "csr.pem", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-set_serial", serial(hash), "-days", days(validityHours),
                "-copy_extensions", "copy", "-extfile", "ext.cnf", "-extensions", "ext", "-sha384"],
            { "csr.pem": csrPem, "ca.pem": caCertPem, "ca-key.pem": caKeyPem },
            [`basicConstraints=critical,CA:${isCa ? "TRUE" : "FALSE"}`, "authorityKeyIdentifier=keyid", ...usageExtensions(allowedUses)],
        ),
    })).certPem;
}

export function locallySignedCert(hash: string, inputs: Record<string, any>): Record<string, string> {
    return { certPem: signCertificate(hash, inputs.certRequestPem, inputs.caCertPem, inputs.caPrivateKeyPem, inputs.validityPeriodHours, inputs.allowedUses, inputs.isCaCertificate) };
}

// ── ACM Private CA: the CA keeps its key; certificates follow the template (AWS Private CA user
// guide, "Understanding certificate templates").

const PCA_TEMPLATE_USES: Record<string, { uses: string[]; isCa: boolean }> = {
    "RootCACertificate/V1": { uses: ["cert_signing", "crl_signing", "digital_signature"], isCa: true },
    "EndEntityCertificate/V1": { uses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"], isCa: false },
    "EndEntityClientAuthCertificate/V1": { uses: ["digital_signature", "client_auth"], isCa: false },
    "EndEntityServerAuthCertificate/V1": { uses: ["digital_signature", "key_encipherment", "server_auth"], isCa: false },
};

const PCA_CURVES: Record<string, string> = { EC_prime256v1: "P256", EC_secp384r1: "P384", EC_secp521r1: "P521" };

/** What each mock CA holds, by ARN: its key (never leaves "AWS") and, once issued, its root certificate. */
const authorities = new Map<string, { keyPem: string; certPem?: string }>();

export function pcaCertificateAuthority(hash: string, arn: string, inputs: Record<string, any>): Record<string, string> {
    const config = inputs.certificateAuthorityConfiguration ?? {};
    const curve = PCA_CURVES[config.keyAlgorithm];
    const key = privateKey(`${hash}-ca-key`, curve ? { algorithm: "ECDSA", ecdsaCurve: curve } : { algorithm: "RSA", rsaBits: 2048 });
    if (!authorities.has(arn)) authorities.set(arn, { keyPem: key.privateKeyPem });
    return { certificateSigningRequest: certRequest(`${hash}-ca-csr`, { privateKeyPem: key.privateKeyPem, subject: config.subject }).certRequestPem };
}

/** Days a PCA `validity` asks for: YEARS/MONTHS/DAYS, or until an END_DATE (RFC 3339). */
function pcaValidityHours(validity: { type: string; value: string } | undefined): number {
    const n = Number(validity?.value);
    switch (validity?.type) {
        case "YEARS": return n * 365 * 24;
        case "MONTHS": return n * 30 * 24;
        case "DAYS": return n * 24;
        case "END_DATE": return Math.max(24, (Date.parse(validity.value) - Date.now()) / 3_600_000);
        default: return 24;
    }
}

export function pcaCertificate(hash: string, inputs: Record<string, any>): Record<string, string> {
    const ca = authorities.get(inputs.certificateAuthorityArn);
    if (!ca) throw new Error(`mock ACM PCA: unknown certificate authority ${inputs.certificateAuthorityArn}`);
    const template = String(inputs.templateArn ?? "").replace(/^arn:[^:]+:acm-pca:::template\//, "");
    const rule = PCA_TEMPLATE_USES[template];
    if (!rule) throw new Error(`mock ACM PCA: no template ${inputs.templateArn}`);
    const hours = pcaValidityHours(inputs.validity);
    if (template === "RootCACertificate/V1") {
        // The root signs its own CSR with the CA's key.
        const rootPem = signSelf(hash, inputs.certificateSigningRequest, ca.keyPem, hours, rule.uses);
        ca.certPem = rootPem;
        return { certificate: rootPem, certificateChain: "" };
    }
    if (!ca.certPem) throw new Error(`mock ACM PCA: ${inputs.certificateAuthorityArn} has no root certificate yet`);
    return { certificate: signCertificate(hash, inputs.certificateSigningRequest, ca.certPem, ca.keyPem, hours, rule.uses, rule.isCa), certificateChain: ca.certPem };
}

/** A CA certificate from its own CSR and key. */
function signSelf(hash: string, csrPem: string, keyPem: string, validityHours: number, allowedUses: string[]): string {
    return once(hash, () => ({
        certPem: openssl(
            ["x509", "-req", "-in", "csr.pem", "-key", "key.pem", "-set_serial", serial(hash), "-days", days(validityHours),
                "-extfile", "ext.cnf", "-extensions", "ext", "-sha384"],
            { "csr.pem": csrPem, "key.pem": keyPem },
            ["basicConstraints=critical,CA:TRUE", "subjectKeyIdentifier=hash", ...usageExtensions(allowedUses)],
        ),
    })).certPem;
}
