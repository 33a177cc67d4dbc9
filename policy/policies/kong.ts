import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { checkAdminRoutes, isKongNode, keyListForImage, literalCredentials, parseDeckState, unknownKongNames } from "../lib/kong";
import { containersOf, kongTaskDefinitions } from "../lib/topology";
import { Resource } from "../lib/resolver";
import { T } from "../lib/types";
import { isAnyCidr, isUnknown, plain } from "../lib/values";
import { config, graphOf, label, rolesOf, rulesOf } from "./common";

// Kong settings that ECS task definitions carry as container environment. A task definition's
// containerDefinitions is one JSON string; in a preview of a new stack it may be unknown, in which
// case these checks cannot run (the advisory policy "plan-fully-checkable" says so).

function taskContainers(args: { type: string; props: Record<string, any> }) {
    if (args.type !== T.taskDefinition) return undefined;
    return containersOf(args as unknown as Resource);
}

// ---------------------------------------------------------------- secrets in plain environment

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|CREDENTIAL|_KEY$|APIKEY|API_KEY)/;
const SECRET_EXACT = new Set(["KONG_LICENSE_DATA", "KONG_CLUSTER_CERT_KEY", "KONG_SSL_CERT_KEY", "KONG_ADMIN_SSL_CERT_KEY", "KONG_STATUS_SSL_CERT_KEY", "KONG_CLIENT_SSL_CERT_KEY", "KONG_PG_PASSWORD", "KONG_PG_RO_PASSWORD"]);
const PEM_PRIVATE = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/;

function looksSecretValue(value: string): string | undefined {
    if (PEM_PRIVATE.test(value)) return "a PEM private key";
    if (/^[A-Za-z0-9+/=\s]{80,}$/.test(value)) {
        const decoded = Buffer.from(value.replace(/\s+/g, ""), "base64").toString("utf8");
        if (PEM_PRIVATE.test(decoded)) return "a base64-encoded PEM private key";
    }
    if (/"license"\s*:\s*\{[^}]*"payload"/.test(value)) return "a Kong licence";
    return undefined;
}

export const noPlaintextSecrets: ResourceValidationPolicy = {
    name: "no-plaintext-secrets",
    description: "No password, private key, licence or API key in a container's plain environment: use `secrets` (Secrets Manager) instead.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: {
            allowedPlainNames: { type: "array", items: { type: "string" }, default: [], description: "Variable names that look secret but are not (e.g. a public key)." },
        },
    },
    validateResource: (args, report) => {
        const containers = taskContainers(args);
        if (!containers) return;
        const cfg = config(args, { allowedPlainNames: [] as string[] });
        for (const c of containers) {
            for (const [name, value] of c.env) {
                if (value === "" || isUnknown(value) || cfg.allowedPlainNames.includes(name)) continue;
                // A file path (a mounted secret) or a Kong vault reference ({vault://aws/…}) is not the secret itself.
                const reference = /^\/[\w.\/-]+$/.test(value) || /^\{vault:\/\/[^}]+\}$/.test(value.trim());
                if ((SECRET_EXACT.has(name) || SECRET_NAME.test(name)) && !reference) {
                    report(`container "${c.name}" sets ${name} in plain environment: move it to \`secrets\` (valueFrom a Secrets Manager ARN).`);
                    continue;
                }
                const what = looksSecretValue(value);
                if (what) {
                    report(`container "${c.name}" has ${what} in plain environment variable ${name}: move it to \`secrets\`.`);
                    continue;
                }
                const state = parseDeckState(value);
                const creds = state ? literalCredentials(state) : [];
                if (creds.length) report(`container "${c.name}" variable ${name} holds a decK state with literal key-auth keys for consumers ${creds.join(", ")}: reference them as \${{ env "DECK_…" }} from secrets.`);
            }
        }
    },
};

// ---------------------------------------------------------------- cluster and proxy settings

export const kongClusterMtlsPki: ResourceValidationPolicy = {
    name: "kong-cluster-mtls-pki",
    description: "Every hybrid-mode Kong node uses cluster_mtls = pki (CP and DP verify each other's certificates against the CA).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: (args, report) => {
        for (const c of taskContainers(args) ?? []) {
            const role = c.env.get("KONG_ROLE");
            if (role !== "control_plane" && role !== "data_plane") continue;
            const mtls = c.env.get("KONG_CLUSTER_MTLS");
            if (mtls !== "pki") report(`container "${c.name}" (${role}) has KONG_CLUSTER_MTLS=${mtls ?? "(unset: Kong defaults to shared)"}; set it to "pki".`);
        }
    },
};

export const kongTrustedIps: ResourceValidationPolicy = {
    name: "kong-trusted-ips",
    description: "Kong's trusted_ips never contains 0.0.0.0/0 or ::/0 (with real_ip_recursive, any client could spoof its address past ip-restriction).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: (args, report) => {
        for (const c of taskContainers(args) ?? []) {
            const trusted = c.env.get("KONG_TRUSTED_IPS");
            if (trusted === undefined || isUnknown(trusted)) continue;
            const open = trusted.split(",").map(s => s.trim()).filter(isAnyCidr);
            if (open.length) report(`container "${c.name}" trusts X-Forwarded-For from ${open.join(", ")} (KONG_TRUSTED_IPS): list the load balancer's subnets or VPC CIDR instead.`);
        }
    },
};

export const kongKnownConfKeys: ResourceValidationPolicy = {
    name: "kong-known-conf-keys",
    description: "Every KONG_* variable of a Kong container is a configuration key of the image's Kong version (Kong silently ignores unknown ones).",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: {
        properties: {
            extraKeys: { type: "array", items: { type: "string" }, default: [], description: "Additional kong.conf keys to accept (lower case, without KONG_)." },
        },
    },
    validateResource: (args, report) => {
        const cfg = config(args, { extraKeys: [] as string[] });
        for (const c of taskContainers(args) ?? []) {
            if (!isKongNode(c)) continue;
            const names = [...c.env.keys(), ...c.secretNames];
            const list = c.image ? keyListForImage(c.image) : undefined;
            if (!list) {
                if (names.some(n => n.startsWith("KONG_"))) report(`container "${c.name}" runs image ${c.image ?? "(unknown)"}, whose Kong version cannot be read from the tag: pin a 3.x version such as kong:3.9.3.`);
                continue;
            }
            const unknown = unknownKongNames(names, list.list, cfg.extraKeys);
            if (unknown.length) report(`container "${c.name}" (${c.image}, keys of ${list.list}) sets ${unknown.join(", ")}, which Kong ${list.version} does not know and would silently ignore.`);
        }
    },
};

// ---------------------------------------------------------------- admin API

export const adminApiProtected: StackValidationPolicy = {
    name: "admin-api-protected",
    description: "The CP Admin API (8001) is reachable only from the DP SG, and the /kong-admin route of the CP bootstrap carries key-auth and ip-restriction with a non-empty allow list without 0.0.0.0/0.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: {
            adminPort: { type: "integer", default: 8001, description: "The CP Admin API port." },
            adminPath: { type: "string", default: "/kong-admin", description: "The path under which the DPs proxy the Admin API." },
            allowedAdminCidrs: { type: "array", items: { type: "string" }, default: [], description: "If set, ip-restriction may only allow these CIDRs." },
        },
    },
    validateStack: (args, report) => {
        const cfg = config(args, { adminPort: 8001, adminPath: "/kong-admin", allowedAdminCidrs: [] as string[] });
        const g = graphOf(args);
        const roles = rolesOf(args);
        for (const rule of rulesOf(args)) {
            if (rule.direction !== "ingress" || rule.ports[0] > cfg.adminPort || rule.ports[1] < cfg.adminPort) continue;
            if (rule.protocol !== "tcp" && rule.protocol !== "all") continue;
            for (const sg of rule.groups.filter(sg => roles.cp.has(sg))) {
                const others = [
                    ...rule.cidrs, ...rule.prefixLists, ...rule.externalPeers,
                    ...rule.peerGroups.filter(p => !roles.dp.has(p) && !roles.undetermined.has(p)).map(label),
                    ...(rule.peerUnresolved ? ["(undetermined source)"] : []),
                ];
                if (others.length) report(`the CP Admin API port ${cfg.adminPort} on ${label(sg)} is reachable from ${others.join(", ")} (${label(rule.declaredBy)}); only the DP SG may reach it.`, rule.declaredBy.urn);
            }
        }
        const cps = kongTaskDefinitions(g, "control_plane");
        for (const { td, containers } of cps) {
            const states = containers.flatMap(c => [...c.env].flatMap(([name, value]) => {
                const s = isUnknown(value) ? undefined : parseDeckState(value);
                return s ? [{ container: c.name, name, state: s }] : [];
            }));
            if (states.length === 0) {
                report(`CP ${label(td)} carries no admin bootstrap state (a container env value holding a decK state, e.g. ADMIN_BOOTSTRAP_STATE): the ${cfg.adminPath} route and its protection cannot be verified.`, td.urn);
                continue;
            }
            for (const { container, name, state } of states) {
                const result = checkAdminRoutes(state, cfg.adminPath, cfg.allowedAdminCidrs);
                if (result === "no-admin-route") {
                    report(`CP ${label(td)} bootstrap state (${container}/${name}) has no route on ${cfg.adminPath}: the DPs must proxy the Admin API only through it.`, td.urn);
                    continue;
                }
                for (const f of result) report(`CP ${label(td)} bootstrap route "${f.route}" (${container}/${name}): ${f.problems.join("; ")}.`, td.urn);
            }
        }
    },
};

// ---------------------------------------------------------------- coverage

export const planFullyCheckable: StackValidationPolicy = {
    name: "plan-fully-checkable",
    description: "Says where the pack could not see enough (unknown container definitions or policy documents in a preview), so a pass is not mistaken for a proof.",
    enforcementLevel: "advisory",
    severity: "low",
    validateStack: (args, report) => {
        const g = graphOf(args);
        for (const td of g.ofType(T.taskDefinition)) {
            if (containersOf(td) === undefined) report(`${label(td)}: containerDefinitions is unknown until the update, so its Kong role, settings and secrets were not checked, and rules from its service's security groups were given the benefit of the doubt; the stack policies run again at the end of \`pulumi up\`.`, td.urn);
        }
        for (const svc of g.ofType(T.ecsService)) {
            if (g.refs(svc, "taskDefinition", [T.taskDefinition]).targets.length === 0) report(`${label(svc)}: its task definition is not in the stack, so its Kong role is unknown.`, svc.urn);
        }
        for (const r of g.ofType(T.iamRolePolicy, T.iamPolicy)) {
            const doc = plain(r.props)?.policy;
            if (isUnknown(doc)) report(`${label(r)}: the policy document is unknown until the update; IAM checks run again at \`pulumi up\`.`, r.urn);
        }
    },
};

export const kongPolicies = [noPlaintextSecrets, kongClusterMtlsPki, kongTrustedIps, kongKnownConfKeys, adminApiProtected, planFullyCheckable];
