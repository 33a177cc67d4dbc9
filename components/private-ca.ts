import { problemLine, type Problem } from "./problems";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { ClusterPki, ClusterTlsRefs } from "./contracts";

// The CA of CP/DP mutual TLS (cluster_mtls = pki, docs/facts/kong-hybrid.md §1): one CA, a CP server
// certificate whose SAN is the CP's private DNS name, and one DP client certificate that the DPs of
// a group share. Two modes:
//   self-managed  @pulumi/tls: CA key + self-signed CA certificate, leaf certificates signed locally.
//                 Free; the CA key lives (encrypted) in the Pulumi state.
//   acm-pca       an ACM Private CA (root, activated with its own certificate, as in
//                 aws-samples/terraform-eks-blueprints-kong-samples konnect-with-pca); leaf keys and
//                 CSRs are made with @pulumi/tls and the PCA signs them. The CA key never leaves AWS.
// Each role's material is ONE Secrets Manager secret, JSON {cert, key, ca} in PEM, encrypted with the
// stack's KMS key; Kong 3.1+ reads PEM content from KONG_CLUSTER_CERT & co (docs/facts/kong-hybrid.md §1), so ECS injects the
// JSON keys as `secrets` and no entrypoint writes files.

export type CaMode = "self-managed" | "acm-pca";
export type PcaUsageMode = "GENERAL_PURPOSE" | "SHORT_LIVED_CERTIFICATE";

export interface PrivateCaArgs {
    /** Who signs: @pulumi/tls in the program, or an ACM Private CA. @default "self-managed" */
    mode?: CaMode;
    /** The CP's private DNS name: CN and only DNS SAN of its server certificate (DPs verify it as the SNI). */
    controlPlaneHostname: string;
    /** Validity of the CP and DP certificates, in days. @default 365 */
    validityDays?: number;
    /**
     * A `pulumi up` within this many days of expiry issues new certificates (new secret versions,
     * so the task definitions change and the tasks roll). Must be less than validityDays. @default 30
     */
    renewBeforeDays?: number;
    /** ACM Private CA usage mode (acm-pca): SHORT_LIVED_CERTIFICATE costs $50/month instead of $400, validity ≤ 7 days. @default "GENERAL_PURPOSE" */
    pcaUsageMode?: PcaUsageMode;
    /** The customer-managed key that encrypts the TLS secrets (the stack key). */
    kmsKeyArn: pulumi.Input<string>;
    /** Organization in the certificate subjects. @default "kong-hybrid" */
    organization?: string;
    /** Production: the ACM Private CA is Pulumi-protected and restorable for 30 days after deletion (7 otherwise). @default false */
    production?: boolean;
    /** Tags on every AWS resource. @default {} */
    tags?: Record<string, string>;
}

/** The CA certificate lives long; it is renewed (with every leaf) a year before it expires. */
export const CA_VALIDITY_DAYS = 3650;
export const CA_RENEW_BEFORE_DAYS = 365;

/** Kong's own `kong hybrid gen_cert` uses secp384r1 keys; ACM Private CA supports the same curve. */
const TLS_KEY = { algorithm: "ECDSA", ecdsaCurve: "P384" } as const;
const PCA_KEY_ALGORITHM = "EC_secp384r1";
const PCA_SIGNING_ALGORITHM = "SHA384WITHECDSA";

export type ClusterRole = "controlPlane" | "dataPlane";

export interface LeafSpec {
    /** Resource name suffix. */
    suffix: "cp" | "dp";
    commonName: string;
    dnsNames: string[];
    /** @pulumi/tls key usages. */
    allowedUses: string[];
    /** ACM Private CA template with the same extended key usages. */
    pcaTemplate: string;
}

/**
 * What each leaf certificate says. The CP's is a server certificate for its DNS name (also usable
 * as a client certificate); the DP's is a client certificate only. In pki mode the CP accepts any
 * DP certificate signed by the CA (cluster_ca_cert), and the DP checks the CP's name
 * (cluster_server_name). Keys are ECDSA, so the key usage is digital_signature only
 * (key_encipherment is an RSA usage, RFC 5480 §3).
 */
export function leafSpecs(controlPlaneHostname: string): Record<ClusterRole, LeafSpec> {
    if (!/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]+$/.test(controlPlaneHostname)) {
        throw new Error(`PrivateCa: controlPlaneHostname ${JSON.stringify(controlPlaneHostname)} is not a DNS name`);
    }
    return {
        controlPlane: {
            suffix: "cp",
            commonName: controlPlaneHostname,
            dnsNames: [controlPlaneHostname],
            allowedUses: ["digital_signature", "server_auth", "client_auth"],
            // EndEntityCertificate/V1: server + client auth, SANs passed through from the CSR.
            pcaTemplate: "EndEntityCertificate/V1",
        },
        dataPlane: {
            suffix: "dp",
            commonName: "kong-data-plane",
            dnsNames: [],
            allowedUses: ["digital_signature", "client_auth"],
            pcaTemplate: "EndEntityClientAuthCertificate/V1",
        },
    };
}

/** The one source of each CA default (see DATA_PLANE_DEFAULTS). */
export const CA_DEFAULTS = { mode: "self-managed", pcaUsageMode: "GENERAL_PURPOSE", validityDays: 365, renewBeforeDays: 30 } as const;

/** The rules between the CA settings (the one source: stacks/config.ts maps these onto its keys). */
export function validateCertificateWindow(a: { validityDays: number; renewBeforeDays: number; mode?: string; pcaUsageMode?: string }): Problem[] {
    const problems: Problem[] = [];
    if (a.renewBeforeDays >= a.validityDays) {
        problems.push({ field: "renewBeforeDays", value: a.renewBeforeDays, message: name => `must be less than ${name("validityDays")} (${a.validityDays})` });
    }
    if (a.mode === "acm-pca" && a.pcaUsageMode === "SHORT_LIVED_CERTIFICATE" && a.validityDays > 7) {
        problems.push({ field: "validityDays", value: a.validityDays, message: () => "a SHORT_LIVED_CERTIFICATE CA issues certificates valid 7 days at most" });
    }
    return problems;
}

/** Validity and early-renewal window in hours (@pulumi/tls units), checked. */
export function renewalWindow(validityDays: number, renewBeforeDays: number): { validityPeriodHours: number; earlyRenewalHours: number } {
    if (!Number.isInteger(validityDays) || validityDays < 1) throw new Error(`PrivateCa: validityDays must be a whole number ≥ 1, not ${validityDays}`);
    if (!Number.isInteger(renewBeforeDays) || renewBeforeDays < 1) throw new Error(`PrivateCa: renewBeforeDays must be a whole number ≥ 1, not ${renewBeforeDays}`);
    const problems = validateCertificateWindow({ validityDays, renewBeforeDays });
    if (problems.length) throw new Error(`PrivateCa: ${problems.map(p => problemLine(p)).join("; ")}`);
    return { validityPeriodHours: validityDays * 24, earlyRenewalHours: renewBeforeDays * 24 };
}

/** The secret value of one role: JSON {cert, key, ca}, the keys the task definitions read (settings.ts). */
export function tlsSecretDocument(certPem: string, keyPem: string, caPem: string): string {
    return JSON.stringify({ cert: certPem, key: keyPem, ca: caPem });
}

/** ACM Private CA template ARNs are global: arn:<partition>:acm-pca:::template/<name>. */
export function pcaTemplateArn(partition: string, template: string): string {
    return `arn:${partition}:acm-pca:::template/${template}`;
}

/** The partition of an ARN (aws, aws-cn, aws-us-gov). */
export function arnPartition(arn: string): string {
    const parts = arn.split(":");
    if (parts.length < 6 || parts[0] !== "arn") throw new Error(`not an ARN: ${arn}`);
    return parts[1];
}

export class PrivateCa extends pulumi.ComponentResource implements ClusterPki {
    public readonly caCertificatePem: pulumi.Output<string>;
    public readonly controlPlaneTls: ClusterTlsRefs;
    public readonly dataPlaneTls: ClusterTlsRefs;
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** The ACM Private CA (acm-pca mode only). */
    public readonly caArn?: pulumi.Output<string>;
    /** The leaf certificates in PEM (public), for inspection and tests. */
    public readonly controlPlaneCertificatePem: pulumi.Output<string>;
    public readonly dataPlaneCertificatePem: pulumi.Output<string>;
    /** The leaf keys in PEM, secret: the EKS runtime writes them into kubernetes.io/tls Secrets (self-managed mode). */
    public readonly controlPlanePrivateKeyPem: pulumi.Output<string>;
    public readonly dataPlanePrivateKeyPem: pulumi.Output<string>;

    constructor(name: string, args: PrivateCaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:pki:PrivateCa", name, args, opts);
        const mode = args.mode ?? CA_DEFAULTS.mode;
        const window = renewalWindow(args.validityDays ?? CA_DEFAULTS.validityDays, args.renewBeforeDays ?? CA_DEFAULTS.renewBeforeDays);
        const problems = validateCertificateWindow({ validityDays: args.validityDays ?? CA_DEFAULTS.validityDays, renewBeforeDays: args.renewBeforeDays ?? CA_DEFAULTS.renewBeforeDays, mode, pcaUsageMode: args.pcaUsageMode });
        if (problems.length) throw new Error(`PrivateCa: ${problems.map(p => problemLine(p)).join("; ")}`);
        const specs = leafSpecs(args.controlPlaneHostname);
        const organization = args.organization ?? "kong-hybrid";
        const tags = args.tags ?? {};
        const parent = { parent: this };

        const issuer = mode === "acm-pca"
            ? pcaIssuer(name, { ...args, organization, tags }, this)
            : selfManagedIssuer(name, organization, this);

        const issued: Record<ClusterRole, { certPem: pulumi.Output<string>; keyPem: pulumi.Output<string> }> = {} as any;
        for (const role of ["controlPlane", "dataPlane"] as const) {
            const spec = specs[role];
            const key = new tls.PrivateKey(`${name}-${spec.suffix}-key`, { ...TLS_KEY }, parent);
            const subject = { commonName: spec.commonName, organization };
            const csr = new tls.CertRequest(`${name}-${spec.suffix}-csr`, {
                privateKeyPem: key.privateKeyPem,
                subject,
                dnsNames: spec.dnsNames,
            }, parent);
            issued[role] = { certPem: issuer.sign(spec, key, csr, subject, window), keyPem: key.privateKeyPem };
        }

        const store = (role: ClusterRole): ClusterTlsRefs => {
            const suffix = specs[role].suffix;
            const secret = new aws.secretsmanager.Secret(`${name}-${suffix}-tls`, {
                description: `Kong cluster TLS (${role === "controlPlane" ? "Control Plane server" : "Data Plane client"} certificate), JSON {cert, key, ca} in PEM`,
                kmsKeyId: args.kmsKeyArn,
                tags,
            }, parent);
            const version = new aws.secretsmanager.SecretVersion(`${name}-${suffix}-tls`, {
                secretId: secret.id,
                secretString: pulumi.secret(pulumi.all([issued[role].certPem, issued[role].keyPem, issuer.caCertificatePem])
                    .apply(([cert, key, ca]) => tlsSecretDocument(cert, key, ca))),
            }, parent);
            return {
                // Resolves after the value is written: a task that starts must find AWSCURRENT.
                secretArn: pulumi.all([secret.arn, version.versionId]).apply(([arn]) => arn),
                versionId: version.versionId,
            };
        };

        this.caCertificatePem = issuer.caCertificatePem;
        this.controlPlaneTls = store("controlPlane");
        this.dataPlaneTls = store("dataPlane");
        this.kmsKeyArn = pulumi.output(args.kmsKeyArn);
        this.caArn = issuer.caArn;
        this.controlPlaneCertificatePem = issued.controlPlane.certPem;
        this.dataPlaneCertificatePem = issued.dataPlane.certPem;
        this.controlPlanePrivateKeyPem = pulumi.secret(issued.controlPlane.keyPem);
        this.dataPlanePrivateKeyPem = pulumi.secret(issued.dataPlane.keyPem);
        this.registerOutputs({
            caCertificatePem: this.caCertificatePem,
            controlPlaneTlsSecretArn: this.controlPlaneTls.secretArn,
            dataPlaneTlsSecretArn: this.dataPlaneTls.secretArn,
            kmsKeyArn: this.kmsKeyArn,
            caArn: this.caArn,
        });
    }
}

interface Issuer {
    caCertificatePem: pulumi.Output<string>;
    caArn?: pulumi.Output<string>;
    sign(spec: LeafSpec, key: tls.PrivateKey, csr: tls.CertRequest, subject: { commonName: string; organization: string },
         window: { validityPeriodHours: number; earlyRenewalHours: number }): pulumi.Output<string>;
}

function selfManagedIssuer(name: string, organization: string, parent: pulumi.Resource): Issuer {
    const caKey = new tls.PrivateKey(`${name}-ca-key`, { ...TLS_KEY }, { parent });
    const caCert = new tls.SelfSignedCert(`${name}-ca-cert`, {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        subject: { commonName: `${organization} cluster CA`, organization },
        validityPeriodHours: CA_VALIDITY_DAYS * 24,
        // A renewed CA re-signs both leaves (their CA input changes), so CP and DP roll together.
        earlyRenewalHours: CA_RENEW_BEFORE_DAYS * 24,
    }, { parent });
    return {
        caCertificatePem: caCert.certPem,
        sign: (spec, _key, csr, _subject, window) => new tls.LocallySignedCert(`${name}-${spec.suffix}-cert`, {
            certRequestPem: csr.certRequestPem,
            caPrivateKeyPem: caKey.privateKeyPem,
            caCertPem: caCert.certPem,
            allowedUses: spec.allowedUses,
            // `pulumi up` inside the window sees readyForRenewal and replaces the certificate.
            ...window,
        }, { parent }).certPem,
    };
}

function pcaIssuer(
    name: string,
    args: PrivateCaArgs & { organization: string; tags: Record<string, string> },
    parent: pulumi.Resource,
): Issuer {
    const production = args.production ?? false;
    const partition = pulumi.output(args.kmsKeyArn).apply(arnPartition);
    const ca = new aws.acmpca.CertificateAuthority(`${name}-pca`, {
        type: "ROOT",
        usageMode: args.pcaUsageMode ?? CA_DEFAULTS.pcaUsageMode,
        certificateAuthorityConfiguration: {
            keyAlgorithm: PCA_KEY_ALGORITHM,
            signingAlgorithm: PCA_SIGNING_ALGORITHM,
            subject: { commonName: `${args.organization} cluster CA`, organization: args.organization },
        },
        // Deleting a CA invalidates every certificate it issued: keep it restorable.
        permanentDeletionTimeInDays: production ? 30 : 7,
        tags: args.tags,
    }, { parent, protect: production });
    // The root signs its own certificate from the CSR the PCA generated, then is activated with it.
    // Its 10 years are fine in short-lived mode too: AWS Private CA does not check the validity of
    // root CA certificates (user guide, "CA modes"); the 7-day limit applies to the leaves.
    const rootCert = new aws.acmpca.Certificate(`${name}-pca-root-cert`, {
        certificateAuthorityArn: ca.arn,
        certificateSigningRequest: ca.certificateSigningRequest,
        signingAlgorithm: PCA_SIGNING_ALGORITHM,
        templateArn: partition.apply(p => pcaTemplateArn(p, "RootCACertificate/V1")),
        validity: { type: "YEARS", value: String(CA_VALIDITY_DAYS / 365) },
    }, { parent });
    const activation = new aws.acmpca.CertificateAuthorityCertificate(`${name}-pca-activation`, {
        certificateAuthorityArn: ca.arn,
        certificate: rootCert.certificate,
        certificateChain: rootCert.certificateChain,
    }, { parent });
    return {
        caCertificatePem: rootCert.certificate,
        caArn: ca.arn,
        sign: (spec, key, csr, subject, window) => {
            // aws.acmpca.Certificate has no early renewal. A tls.SelfSignedCert over the leaf key is
            // the renewal clock: inside its early-renewal window `pulumi up` replaces it, its end time
            // moves, and the PCA certificate (valid until exactly that end time) is re-issued.
            // (A time-rotation resource would say this more directly, but Pulumi publishes none on npm.)
            const clock = new tls.SelfSignedCert(`${name}-${spec.suffix}-renewal-clock`, {
                privateKeyPem: key.privateKeyPem,
                subject,
                allowedUses: ["digital_signature"],
                ...window,
            }, { parent });
            return new aws.acmpca.Certificate(`${name}-${spec.suffix}-cert`, {
                certificateAuthorityArn: ca.arn,
                certificateSigningRequest: csr.certRequestPem,
                signingAlgorithm: PCA_SIGNING_ALGORITHM,
                templateArn: partition.apply(p => pcaTemplateArn(p, spec.pcaTemplate)),
                validity: { type: "END_DATE", value: clock.validityEndTime },
            }, { parent, dependsOn: [activation] }).certificate;
        },
    };
}
