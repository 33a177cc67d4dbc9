// Secrets written into plain configuration, judged by name and by value. Independent of where the
// variable lives (an ECS container's `environment` today, a Kubernetes container's `env` later):
// callers pass name/value pairs.

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|CREDENTIAL|_KEY$|APIKEY|API_KEY)/;
const SECRET_EXACT = new Set(["KONG_LICENSE_DATA", "KONG_CLUSTER_CERT_KEY", "KONG_SSL_CERT_KEY", "KONG_ADMIN_SSL_CERT_KEY", "KONG_STATUS_SSL_CERT_KEY", "KONG_CLIENT_SSL_CERT_KEY", "KONG_PG_PASSWORD", "KONG_PG_RO_PASSWORD"]);
const PEM_PRIVATE = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/;

/** A value that stands for a secret without being it: a file path (a mounted secret), a Kong vault reference, a decK env template. */
export function isReference(value: string): boolean {
    const v = value.trim();
    return /^\/[\w.\/-]+$/.test(v) || /^\{vault:\/\/[^}]+\}$/.test(v) || /^\$\{\{\s*env\s+("[A-Za-z0-9_]+"|`[A-Za-z0-9_]+`)\s*\}\}$/.test(v);
}

/** True for a variable name that by itself says it holds a secret. */
export function secretName(name: string): boolean {
    return SECRET_EXACT.has(name) || SECRET_NAME.test(name.toUpperCase());
}

// A userinfo password in a URL (postgres://user:pw@host/db, amqp://u:pw@…), unless it is a template or reference.
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@\/?#]*:([^\s@\/?#]+)@/i;
// An HTTP credential: "Authorization: Bearer …", "Basic …", a bare "Bearer <token>" header value.
const AUTH_HEADER = /(?:^|[\s"',;:=])(Bearer|Basic|Token|Digest)\s+([A-Za-z0-9._~+\/=-]{8,})/i;
// A credential header written as "name:value" (decK's --headers / DECK_HEADERS, curl's -H): the key itself.
const CREDENTIAL_HEADER = /(?:^|[\s,;"'])(apikey|api-key|x-api-key|kong-admin-token|x-auth-token|authorization|proxy-authorization)\s*:\s*([^\s,;"']{8,})/i;
const AWS_ACCESS_KEY_ID = /\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;

/** What secret a value carries, whatever its variable is called; undefined if none is recognised. */
export function secretInValue(value: string): string | undefined {
    if (PEM_PRIVATE.test(value)) return "a PEM private key";
    if (/^[A-Za-z0-9+/=\s]{80,}$/.test(value)) {
        const decoded = Buffer.from(value.replace(/\s+/g, ""), "base64").toString("utf8");
        if (PEM_PRIVATE.test(decoded)) return "a base64-encoded PEM private key";
    }
    if (/"license"\s*:\s*\{[^}]*"payload"/.test(value)) return "a Kong licence";
    const url = URL_PASSWORD.exec(value);
    if (url && !/^(\$\{|\$\(|%[0-9a-f]{2}$|\{vault:)/i.test(url[1]) && !/^\$[A-Z_]+$/.test(url[1])) return "a password inside a connection URL";
    const auth = AUTH_HEADER.exec(value);
    if (auth && !/^\$/.test(auth[2])) return `a credential in an HTTP header value (${auth[1]} …)`;
    const header = CREDENTIAL_HEADER.exec(value);
    if (header && !/^(\$|\{vault:)/.test(header[2]) && !/^(Bearer|Basic|Token|Digest)$/i.test(header[2])) return `a credential in an HTTP header value (${header[1]}: …)`;
    if (AWS_ACCESS_KEY_ID.test(value)) return "an AWS access key id";
    if (JWT.test(value)) return "a JSON Web Token";
    return undefined;
}

/** One finding per secret-looking variable: by name (unless the value is a reference), else by value. */
export function plainSecretFindings(env: Iterable<[string, string]>, allowedNames: readonly string[] = []): { name: string; what: string }[] {
    const out: { name: string; what: string }[] = [];
    for (const [name, value] of env) {
        if (value === "" || allowedNames.includes(name)) continue;
        if (secretName(name) && !isReference(value)) { out.push({ name, what: "name" }); continue; }
        const what = secretInValue(value);
        if (what) out.push({ name, what });
    }
    return out;
}
