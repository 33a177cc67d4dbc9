import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { checkAdminRoutes, DEFAULT_ADMIN_PORTS, isKongNode, listenPorts, keyListForImage, literalCredentials, parseDeckState, unknownKongNames } from "../lib/kong";
import { containersOf, kongRole, kongTaskDefinitions } from "../lib/topology";
import { Resource } from "../lib/resolver";
import { containerEnvLists, kongRelease, kongReleases } from "../lib/kube";
import { K, T } from "../lib/types";
import { RESOURCE_POLICY_TYPES } from "./iam";
import { isUnknown, plain } from "../lib/values";
import { broadCoverage, isWithin, PRIVATE_RANGES } from "../lib/cidr";
import { plainSecretFindings } from "../lib/secrets";
import { config, graphOf, label, rolesOf, rulesOf } from "./common";

// Kong settings that ECS task definitions carry as container environment. A task definition's
// containerDefinitions is one JSON string; in a preview of a new stack it may be unknown, in which
// case these checks cannot run (the advisory policy "plan-fully-checkable" says so).

function taskContainers(args: { type: string; props: Record<string, any> }) {
    if (args.type !== T.taskDefinition) return undefined;
    return containersOf(args as unknown as Resource);
}

// ---------------------------------------------------------------- secrets in plain environment

export const noPlaintextSecrets: ResourceValidationPolicy = {
    name: "no-plaintext-secrets",
    description: "No password, token, private key, licence or API key in a container's plain environment, by name or inside any value (a connection URL, a header): use `secrets` (Secrets Manager) instead.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: {
            allowedPlainNames: { type: "array", items: { type: "string" }, default: [], description: "Variable names that look secret but are not (e.g. a public key)." },
        },
    },
    validateResource: (args, report) => {
        const cfg = config(args, { allowedPlainNames: [] as string[] });
        const check = (where: string, env: [string, string][], fix: string) => {
            const known = env.filter(([, value]) => !isUnknown(value));
            for (const f of plainSecretFindings(known, cfg.allowedPlainNames)) {
                report(f.what === "name"
                    ? `${where} sets ${f.name} in plain environment: move it to ${fix}.`
                    : `${where} has ${f.what} in plain environment variable ${f.name}: move it to ${fix}.`);
            }
            for (const [name, value] of known) {
                const state = parseDeckState(value);
                const creds = state ? literalCredentials(state) : [];
                if (creds.length) report(`${where} variable ${name} holds a decK state with literal key-auth keys for consumers ${creds.join(", ")}: reference them as \${{ env "DECK_…" }} from secrets.`);
            }
        };
        for (const c of taskContainers(args) ?? []) check(`container "${c.name}"`, [...c.env], "`secrets` (valueFrom a Secrets Manager ARN)");
        // Kubernetes: a Helm release's values (Kong's env/customEnv maps as the chart renders them, and
        // any container `env` list in the values), and the containers of workloads the program writes.
        const secretRef = "a Secret (valueFrom.secretKeyRef)";
        if (args.type === K.helmRelease) {
            const values = plain(plain(args.props).values);
            const rendered = [...(kongRelease(args as unknown as Resource)?.env ?? [])];
            check("the release's values", [...rendered, ...containerEnvLists(values)], secretRef);
        }
        if ((K.workloads as readonly string[]).includes(args.type)) check(`${args.type.split(":").pop()} "${args.name}"`, containerEnvLists(plain(args.props).spec), secretRef);
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

// trusted_ips says whose X-Forwarded-For Kong believes. Behind the ALB that is the ALB's own
// addresses, which lie in the VPC, so every entry must lie in private address space (RFC 1918,
// fc00::/7): judged by the addresses an entry covers, so 0.0.0.0/1,128.0.0.0/1 is caught as surely
// as 0.0.0.0/0. Kong also accepts "unix:" (https://github.com/Kong/kong/blob/3.9.3/kong.conf.default).
export const kongTrustedIps: ResourceValidationPolicy = {
    name: "kong-trusted-ips",
    description: "Kong's trusted_ips lists only private addresses (the load balancer's, inside the VPC): with real_ip_recursive, any public entry lets clients spoof their address past ip-restriction.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            trustedRanges: { type: "array", items: { type: "string" }, default: PRIVATE_RANGES, description: "Ranges every trusted_ips entry must lie within." },
        },
    },
    validateResource: (args, report) => {
        const cfg = config(args, { trustedRanges: PRIVATE_RANGES });
        for (const c of taskContainers(args) ?? []) {
            const trusted = c.env.get("KONG_TRUSTED_IPS");
            if (trusted === undefined || isUnknown(trusted)) continue;
            const entries = trusted.split(",").map(s => s.trim()).filter(e => e !== "" && e !== "unix:");
            const outside = entries.filter(e => isWithin(e, cfg.trustedRanges) !== true);
            const whole = broadCoverage(entries).filter(w => w.includes("whole"));
            if (outside.length) {
                report(`container "${c.name}" trusts X-Forwarded-For from ${outside.join(", ")} (KONG_TRUSTED_IPS=${trusted})${whole.length ? `, which ${whole.join(" and ")}` : ""}: only addresses within ${cfg.trustedRanges.join(", ")} are allowed; list the load balancer's subnets or the VPC CIDR.`);
            }
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

// ---------------------------------------------------------------- hybrid roles

// Kong's defaults when a variable is unset (https://github.com/Kong/kong/blob/3.9.3/kong/templates/kong_defaults.lua):
// database = postgres, proxy_listen = 0.0.0.0:8000 …, stream_listen = off. Values are compared
// without surrounding blanks.
const setting = (c: { env: Map<string, string> }, name: string, dflt: string) => (c.env.get(name) ?? dflt).trim();

export const kongHybridRoles: ResourceValidationPolicy = {
    name: "kong-hybrid-roles",
    description: "Each hybrid node does only its role: a Data Plane has no database (KONG_DATABASE=off), a Control Plane has no proxy or stream listener (it serves no API traffic).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: (args, report) => {
        for (const c of taskContainers(args) ?? []) {
            const role = kongRole(c);
            if (role === "data_plane") {
                const db = setting(c, "KONG_DATABASE", "postgres");
                if (!isUnknown(db) && db !== "off") report(`container "${c.name}" is a Data Plane with KONG_DATABASE=${c.env.get("KONG_DATABASE") ?? "(unset: Kong defaults to postgres)"}: a DP takes its configuration from the CP only; set it to "off".`);
            }
            if (role === "control_plane") {
                for (const [name, dflt] of [["KONG_PROXY_LISTEN", "0.0.0.0:8000"], ["KONG_STREAM_LISTEN", "off"]]) {
                    const v = setting(c, name, dflt);
                    if (!isUnknown(v) && v !== "off") report(`container "${c.name}" is a Control Plane with ${name}=${c.env.get(name) ?? `(unset: Kong defaults to ${dflt})`}: a CP serves no API traffic; set it to "off".`);
                }
            }
        }
    },
};

// ---------------------------------------------------------------- admin API

export const adminApiProtected: StackValidationPolicy = {
    name: "admin-api-protected",
    description: "The CP Admin API (8001) is reachable only from the DP SG, and every route of the CP bootstrap that reaches it (the /kong-admin path, or any path to a service on an admin port) carries key-auth and ip-restriction with a narrow allow list.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: {
            adminPort: { type: "integer", default: 8001, description: "The CP Admin API port." },
            adminPath: { type: "string", default: "/kong-admin", description: "The path under which the DPs proxy the Admin API." },
            allowedAdminCidrs: { type: "array", items: { type: "string" }, default: [], description: "If set, every ip-restriction entry must lie within these CIDRs." },
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
            // The Admin API's ports: the configured one plus those the CP's admin_listen opens (Kong's default when unset).
            const adminPorts = [...new Set([cfg.adminPort, ...containers.filter(c => kongRole(c) === "control_plane").flatMap(c => {
                const listen = c.env.get("KONG_ADMIN_LISTEN");
                return listen === undefined || isUnknown(listen) ? DEFAULT_ADMIN_PORTS : listenPorts(listen);
            })])];
            for (const { container, name, state } of states) {
                const result = checkAdminRoutes(state, cfg.adminPath, cfg.allowedAdminCidrs, adminPorts);
                if (result === "no-admin-route") {
                    report(`CP ${label(td)} bootstrap state (${container}/${name}) has no route on ${cfg.adminPath}: the DPs must proxy the Admin API only through it.`, td.urn);
                    continue;
                }
                for (const f of result) report(`CP ${label(td)} bootstrap route "${f.route}" (paths ${f.paths}; ${container}/${name}) reaches the Admin API: ${f.problems.join("; ")}.`, td.urn);
            }
        }
    },
};

// ---------------------------------------------------------------- what leaves the node

// key-auth's key_in_query defaults to true (https://github.com/Kong/kong/blob/3.9.3/kong/plugins/key-auth/schema.lua):
// a key sent as ?apikey=… is written, with the request line, to the DP's access log and the ALB's
// S3 access logs. anonymous_reports defaults to on (kong/templates/kong_defaults.lua): every node
// reports usage to Kong Inc. The program sets both, so a plan that loses either fails.
export const kongNoLeaks: ResourceValidationPolicy = {
    name: "kong-no-leaks",
    description: "Nothing leaves a Kong node that should not: key-auth plugins set key_in_query false (keys in URLs end up in access logs), and every Kong container sets KONG_ANONYMOUS_REPORTS=off.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: (args, report) => {
        for (const c of taskContainers(args) ?? []) {
            if (isKongNode(c)) {
                const v = c.env.get("KONG_ANONYMOUS_REPORTS");
                if (v === undefined || (!isUnknown(v) && !["off", "false"].includes(v.trim()))) report(`container "${c.name}" leaves KONG_ANONYMOUS_REPORTS ${v ?? "unset (Kong defaults to on)"}: set it to "off" so the node does not report usage to Kong Inc.`);
            }
            for (const [name, value] of c.env) {
                const state = isUnknown(value) ? undefined : parseDeckState(value);
                if (!state) continue;
                const plugins = [
                    ...(Array.isArray(state.plugins) ? state.plugins : []),
                    ...(Array.isArray(state.services) ? state.services : []).flatMap((svc: any) => [
                        ...(Array.isArray(svc?.plugins) ? svc.plugins : []),
                        ...(Array.isArray(svc?.routes) ? svc.routes : []).flatMap((r: any) => (Array.isArray(r?.plugins) ? r.plugins : [])),
                    ]),
                    ...(Array.isArray(state.routes) ? state.routes : []).flatMap((r: any) => (Array.isArray(r?.plugins) ? r.plugins : [])),
                ];
                const leaky = plugins.filter((p: any) => p?.name === "key-auth" && p.enabled !== false && p.config?.key_in_query !== false);
                if (leaky.length) report(`container "${c.name}" variable ${name}: ${leaky.length} key-auth plugin${leaky.length > 1 ? "s" : ""} without key_in_query: false: a key sent in the query string is written to the access logs.`);
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
        for (const k of kongReleases(g).filter(x => x.values === undefined)) {
            report(`${label(k.release)}: the Kong chart's values are unknown until the update, so the release's Kong role, Services, listeners and env were not checked, and its pod security groups were given the benefit of the doubt; the stack policies run again at the end of \`pulumi up\`.`, k.release.urn);
        }
        for (const r of g.ofType(T.iamRolePolicy, T.iamPolicy, ...Object.keys(RESOURCE_POLICY_TYPES))) {
            const doc = plain(r.props)?.policy;
            if (isUnknown(doc)) report(`${label(r)}: the policy document is unknown until the update; IAM and resource-policy checks run again at \`pulumi up\`.`, r.urn);
        }
    },
};

export const kongPolicies = [noPlaintextSecrets, kongClusterMtlsPki, kongTrustedIps, kongHybridRoles, kongKnownConfKeys, adminApiProtected, kongNoLeaks, planFullyCheckable];
