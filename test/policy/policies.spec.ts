import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkAdminRoutes, keyListForImage, unknownKongNames } from "../../policy/lib/kong";
import { evaluatePlan, mandatory } from "../../policy/offline";
import { policies } from "../../policy/policies";
import { statementProblems } from "../../policy/policies/iam";
import { UNSCOPED_READ_ACTIONS } from "../../components/cp-scaler";
import { secretInValue } from "../../policy/lib/secrets";
import { UNKNOWN_STRING } from "../../policy/lib/values";
import { main } from "../../tools/policy";
import { architecturePlan } from "../fixtures/architecture-plan";
import { addToPlan, describe_, editContainers, mandatoryPolicies, setEnv, state, withUnknownIds } from "./helpers";
import { MUTATIONS } from "./mutations";
import { EKS_REJECT } from "./eks-cases";

const only = (name: string) => policies.filter(p => p.name === name);

describe("policy pack: structure", () => {
    it("has unique names, descriptions, and mandatory security / advisory hygiene levels", () => {
        const names = policies.map(p => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        for (const p of policies) assert.ok(p.description.length > 20, p.name);
        const advisory = policies.filter(p => p.enforcementLevel === "advisory").map(p => p.name).sort();
        assert.deepStrictEqual(advisory, ["plan-fully-checkable", "required-tags"]);
        assert.ok(policies.every(p => p.enforcementLevel === "mandatory" || p.enforcementLevel === "advisory"));
    });

    it("has a one-mistake row in the mutation table (or the EKS table) for every mandatory policy", () => {
        const covered = new Set([...MUTATIONS, ...EKS_REJECT].flatMap(m => m.rejectedBy));
        assert.deepStrictEqual(policies.filter(p => p.enforcementLevel === "mandatory" && !covered.has(p.name)).map(p => p.name), []);
    });

    it("gives every config property a default, and never an enforcementLevel property (the server rejects it)", () => {
        for (const p of policies) {
            for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
                assert.notStrictEqual(k, "enforcementLevel");
                assert.ok("default" in (s as object), `${p.name}.${k} has no default`);
            }
        }
    });

    it("is a real pack: PulumiPolicy.yaml, a versioned package.json, index.ts that only constructs the pack", () => {
        const dir = path.join(__dirname, "../../policy");
        assert.match(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        assert.strictEqual(pkg.name, "kong-hybrid-policy");
        assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
        assert.deepStrictEqual(Object.keys(pkg.dependencies).sort(), ["@pulumi/aws", "@pulumi/policy", "@pulumi/pulumi", "yaml"]);
        const index = fs.readFileSync(path.join(dir, "index.ts"), "utf8");
        assert.match(index, /new PolicyPack\("kong-hybrid", \{/);
        // The pack must not import program code: it is the independent spec of the design.
        for (const f of fs.readdirSync(path.join(dir, "policies")).concat(fs.readdirSync(path.join(dir, "lib")).map(x => `../lib/${x}`))) {
            const text = fs.readFileSync(path.join(dir, "policies", f), "utf8");
            assert.doesNotMatch(text, /from "\.\.\/\.\.\/(components|stacks|offline)/, f);
        }
    });
});

describe("policy pack: rules in detail", () => {
    it("accepts an HTTP listener that only redirects to HTTPS, and rejects one that also forwards by rule", () => {
        const { plan, refs } = architecturePlan();
        const http = addToPlan(plan, "aws:lb/listener:Listener", "http-redirect", {
            loadBalancerArn: refs.alb.arn, port: 80, protocol: "HTTP",
            defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        }, { loadBalancerArn: [refs.alb.urn] });
        assert.deepStrictEqual(evaluatePlan(plan, { policies: only("edge-https-only") }), []);
        addToPlan(plan, "aws:lb/listenerRule:ListenerRule", "http-forward-api", {
            listenerArn: state(plan, "http-redirect").outputs!.arn, priority: 10,
            actions: [{ type: "forward", targetGroupArn: refs.tg.arn }], conditions: [{ pathPattern: { values: ["/api/*"] } }],
        }, { listenerArn: [http], actions: [refs.tg.urn] });
        const v = evaluatePlan(plan, { policies: only("edge-https-only") });
        assert.strictEqual(v.length, 1, describe_(v));
        assert.match(v[0].message, /forwards traffic instead of redirecting/);
    });

    it("requires deletion protection and a final snapshot by default, and relaxes them by policy config (dev)", () => {
        const { plan } = architecturePlan();
        const db = state(plan, "dev-cp-db", "aws:rds/cluster:Cluster");
        db.inputs.deletionProtection = false;
        db.inputs.skipFinalSnapshot = true;
        delete db.inputs.finalSnapshotIdentifier;
        const strict = evaluatePlan(plan, { policies: only("database-isolated") });
        assert.deepStrictEqual(strict.map(v => v.message.split(" ").slice(2, 5).join(" ")).length, 2, describe_(strict));
        const relaxed = evaluatePlan(plan, { policies: only("database-isolated"), config: { "database-isolated": { requireDeletionProtection: false, requireFinalSnapshot: false } } });
        assert.deepStrictEqual(relaxed, []);
    });

    it("lets policy config change a level: disabled skips, advisory downgrades, 'all' applies to every policy", () => {
        const { plan } = architecturePlan();
        delete state(plan, "dev-cp", "aws:cloudwatch/logGroup:LogGroup").inputs.kmsKeyId;
        assert.strictEqual(mandatory(evaluatePlan(plan)).length, 1);
        assert.deepStrictEqual(evaluatePlan(plan, { config: { "log-groups-encrypted": "disabled" } }), []);
        const adv = evaluatePlan(plan, { config: { "log-groups-encrypted": { enforcementLevel: "advisory" } } });
        assert.deepStrictEqual(adv.map(v => v.enforcementLevel), ["advisory"]);
        assert.deepStrictEqual(mandatory(evaluatePlan(plan, { config: { all: "advisory" } })), []);
    });

    it("restricts the admin allow list to allowedAdminCidrs when configured", () => {
        const { plan } = architecturePlan();
        const cfg = (cidrs: string[]) => ({ "admin-api-protected": { allowedAdminCidrs: cidrs } });
        assert.deepStrictEqual(evaluatePlan(plan, { policies: only("admin-api-protected"), config: cfg(["203.0.113.0/24"]) }), []);
        const v = evaluatePlan(plan, { policies: only("admin-api-protected"), config: cfg(["198.51.100.7/32"]) });
        assert.match(v[0]?.message ?? "", /203\.0\.113\.0\/24, not within allowedAdminCidrs/);
        // Judged by the addresses covered: a /32 inside the configured /24 is within it; a wider list is not.
        assert.deepStrictEqual(evaluatePlan(plan, { policies: only("admin-api-protected"), config: cfg(["203.0.0.0/16"]) }), []);
    });

    it("accepts port 80 on the ALB SG only while its HTTP listener just redirects to HTTPS", () => {
        const { plan, refs } = architecturePlan();
        addToPlan(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "alb-http", { securityGroupId: refs.albSg.id, ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIpv4: "0.0.0.0/0" }, { securityGroupId: [refs.albSg.urn] });
        addToPlan(plan, "aws:lb/listener:Listener", "http-redirect", {
            loadBalancerArn: refs.alb.arn, port: 80, protocol: "HTTP",
            defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        }, { loadBalancerArn: [refs.alb.urn] });
        for (const p of [plan, withUnknownIds(plan)]) assert.deepStrictEqual(mandatory(evaluatePlan(p)), [], describe_(evaluatePlan(p)));
        state(plan, "http-redirect").inputs.defaultActions = [{ type: "forward", targetGroupArn: refs.tg.arn }];
        state(plan, "http-redirect").propertyDependencies = { loadBalancerArn: [refs.alb.urn], defaultActions: [refs.tg.urn] };
        for (const p of [plan, withUnknownIds(plan)]) assert.deepStrictEqual(mandatoryPolicies(evaluatePlan(p)), ["edge-https-only", "security-group-matrix"]);
    });

    it("accepts another ALB port only when the stack's config allows it", () => {
        const { plan, refs } = architecturePlan();
        addToPlan(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "alb-8443", { securityGroupId: refs.albSg.id, ipProtocol: "tcp", fromPort: 8443, toPort: 8443, cidrIpv4: "0.0.0.0/0" }, { securityGroupId: [refs.albSg.urn] });
        assert.strictEqual(evaluatePlan(plan, { policies: only("security-group-matrix") }).length, 1);
        assert.deepStrictEqual(evaluatePlan(plan, { policies: only("security-group-matrix"), config: { "security-group-matrix": { albIngressPorts: [443, 8443] } } }), []);
    });

    it("rejects one security group shared by the DP and CP services", () => {
        const { plan, refs } = architecturePlan();
        const cp = state(plan, "dev-cp", "aws:ecs/service:Service");
        cp.inputs.networkConfiguration.securityGroups = [refs.dpSg.id];
        cp.propertyDependencies!.networkConfiguration = [...refs.privateSubnets.map(s => s.urn), refs.dpSg.urn];
        const v = evaluatePlan(plan, { policies: only("security-group-matrix") });
        assert.ok(v.some(x => /shared by Data Plane and Control Plane/.test(x.message)), describe_(v));
    });

    it("flags a CP subnet whose route table reaches the IGW through an inline route", () => {
        const { plan, refs } = architecturePlan();
        const rt = state(plan, "dev-vpc-private", "aws:ec2/routeTable:RouteTable");
        rt.inputs.routes = [{ cidrBlock: "0.0.0.0/0", gatewayId: refs.igw.id }];
        rt.propertyDependencies!.routes = [refs.igw.urn];
        for (const p of [plan, withUnknownIds(plan)]) {
            const v = evaluatePlan(p, { policies: only("control-plane-private") });
            assert.ok(v.some(x => /public subnet \(0\.0\.0\.0\/0 → internet gateway\)/.test(x.message)), describe_(v));
        }
    });

    it("flags a target group attachment on a Control Plane port (a load balancer reaching CP tasks by IP)", () => {
        const { plan, refs } = architecturePlan();
        addToPlan(plan, "aws:lb/targetGroupAttachment:TargetGroupAttachment", "cp-by-ip", { targetGroupArn: refs.tg.arn, targetId: "10.0.64.25", port: 8001 }, { targetGroupArn: [refs.tg.urn] });
        const v = evaluatePlan(plan, { policies: only("control-plane-private") });
        assert.deepStrictEqual(v.map(x => x.urn!.split("::").pop()), ["cp-by-ip"], describe_(v));
    });

    it("flags a CP service whose loadBalancers are unknown but depend on a target group", () => {
        const { plan, refs } = architecturePlan();
        const cp = state(plan, "dev-cp", "aws:ecs/service:Service");
        cp.inputs.loadBalancers = UNKNOWN_STRING;
        cp.propertyDependencies!.loadBalancers = [refs.tg.urn];
        const v = evaluatePlan(plan, { policies: only("control-plane-private") });
        assert.match(v[0]?.message ?? "", /registers its tasks with a load balancer/);
    });

    it("flags a CP subnet with no route table association (main table cannot be checked)", () => {
        const { plan } = architecturePlan();
        plan.steps = plan.steps.filter(s => !(s.newState?.type === "aws:ec2/routeTableAssociation:RouteTableAssociation" && s.urn.includes("private-0")));
        const v = evaluatePlan(plan, { policies: only("control-plane-private") });
        assert.ok(v.some(x => /no route table association/.test(x.message)), describe_(v));
    });

    it("says, as advisory, when container definitions are unknown in a preview (checks could not run)", () => {
        const { plan } = architecturePlan();
        state(plan, "dev-dp", "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions = UNKNOWN_STRING;
        const v = evaluatePlan(plan);
        assert.deepStrictEqual(mandatory(v), [], describe_(v));
        assert.ok(v.some(x => x.policy === "plan-fully-checkable" && /containerDefinitions is unknown/.test(x.message)));
    });

    it("says, as advisory, when a resource policy (a KMS key policy) is unknown in a preview", () => {
        const { plan } = architecturePlan();
        state(plan, "dev-kong-key", "aws:kms/key:Key").inputs.policy = UNKNOWN_STRING;
        const v = evaluatePlan(plan);
        assert.deepStrictEqual(mandatory(v), [], describe_(v));
        assert.deepStrictEqual(v.filter(x => x.policy === "plan-fully-checkable").map(x => x.urn!.split("::").pop()), ["dev-kong-key"]);
    });

    it("reports missing tags as advisory, and accepts the provider's defaultTags", () => {
        const { plan } = architecturePlan();
        const provider = plan.steps.find(s => s.newState?.type === "pulumi:providers:aws")!.newState!;
        provider.inputs.defaultTags = JSON.stringify({ tags: { Project: "kong-hybrid" } });
        const v = evaluatePlan(plan, { policies: only("required-tags") });
        assert.ok(v.length > 10);
        assert.ok(v.every(x => x.enforcementLevel === "advisory" && x.message === "missing tags Stack, ManagedBy."), describe_(v.slice(0, 3)));
    });

    it("finds the admin bootstrap state in any container and any variable (structure, not the name)", () => {
        const { plan } = architecturePlan();
        editContainers(plan, "dev-cp", cs => {
            const boot = cs.find(c => c.name === "admin-bootstrap");
            for (const e of boot.environment) if (e.name === "ADMIN_BOOTSTRAP_STATE") e.name = "DECK_STATE_JSON";
        });
        assert.deepStrictEqual(evaluatePlan(plan, { policies: only("admin-api-protected") }), []);
    });

    it("accepts a file path or a Kong vault reference in a secret-looking variable, not the secret itself", () => {
        const run = (value: string) => {
            const { plan } = architecturePlan();
            editContainers(plan, "dev-dp", cs => setEnv(cs[0], "KONG_SSL_CERT_KEY", value));
            return evaluatePlan(plan, { policies: only("no-plaintext-secrets") }).length;
        };
        assert.strictEqual(run("/etc/kong/tls/server.key"), 0);
        assert.strictEqual(run("{vault://aws/kong-dev-proxy-tls/key}"), 0);
        assert.strictEqual(run("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), 1);
    });

    it("reads the admin bootstrap state written as YAML (decK reads both), with the key as a decK template", () => {
        const yamlState = [
            "_format_version: \"3.0\"",
            "services:",
            "  - name: kong-admin",
            "    url: http://127.0.0.1:8001",
            "    routes:",
            "      - name: kong-admin",
            "        paths: [\"~/kong-admin(/|$)\"]",
            "    plugins:",
            "      - name: key-auth",
            "        config: { key_names: [apikey], key_in_query: false, hide_credentials: true }",
            "      - name: ip-restriction",
            "        config: { allow: [203.0.113.0/24] }",
            "consumers:",
            "  - username: admin",
            "    keyauth_credentials:",
            "      - key: ${{ env `DECK_ADMIN_API_KEY` }}",
        ].join("\n");
        const run = (text: string) => {
            const { plan } = architecturePlan();
            editContainers(plan, "dev-cp", cs => setEnv(cs.find(c => c.name === "admin-bootstrap"), "ADMIN_BOOTSTRAP_STATE", text));
            return evaluatePlan(plan, { policies: [...only("admin-api-protected"), ...only("no-plaintext-secrets")] });
        };
        assert.deepStrictEqual(run(yamlState), []);
        const open = run(yamlState.replace("[203.0.113.0/24]", "[0.0.0.0/1, 128.0.0.0/1]").replace("${{ env `DECK_ADMIN_API_KEY` }}", "hunter2-admin-key"));
        assert.deepStrictEqual(open.map(v => v.policy).sort(), ["admin-api-protected", "no-plaintext-secrets"], describe_(open));
    });

    it("refuses (kong-no-leaks) key-auth keys accepted in the query string and on anonymous reports, in any spelling of on", () => {
        const run = (edit: (plan: any) => void) => {
            const { plan } = architecturePlan();
            edit(plan);
            return evaluatePlan(plan, { policies: only("kong-no-leaks") });
        };
        assert.deepStrictEqual(run(() => undefined), []);
        assert.deepStrictEqual(run(p => editContainers(p, "dev-dp", cs => setEnv(cs[0], "KONG_ANONYMOUS_REPORTS", " off "))), []);
        const cases: [string, (plan: any) => void, RegExp][] = [
            ["anonymous reports unset", p => editContainers(p, "dev-dp", cs => setEnv(cs[0], "KONG_ANONYMOUS_REPORTS", undefined)), /KONG_ANONYMOUS_REPORTS unset \(Kong defaults to on\)/],
            ["anonymous reports on", p => editContainers(p, "dev-cp", cs => setEnv(cs.find(c => c.name === "kong"), "KONG_ANONYMOUS_REPORTS", "on")), /KONG_ANONYMOUS_REPORTS on/],
            ["key_in_query left to its default", p => editContainers(p, "dev-cp", cs => {
                const e = cs.find(c => c.name === "admin-bootstrap").environment.find((x: any) => x.name === "ADMIN_BOOTSTRAP_STATE");
                const d = JSON.parse(e.value);
                delete d.services[0].plugins[0].config.key_in_query;
                e.value = JSON.stringify(d);
            }), /1 key-auth plugin without key_in_query: false/],
        ];
        for (const [name, edit, expect] of cases) {
            const v = run(edit);
            assert.deepStrictEqual(v.map(x => x.enforcementLevel), ["mandatory"], `${name}: ${describe_(v)}`);
            assert.match(v[0].message, expect, name);
        }
    });

    it("flags a literal key-auth key in the bootstrap state as a plaintext secret", () => {
        const { plan } = architecturePlan();
        editContainers(plan, "dev-cp", cs => {
            const boot = cs.find(c => c.name === "admin-bootstrap");
            const e = boot.environment.find((x: any) => x.name === "ADMIN_BOOTSTRAP_STATE");
            const doc = JSON.parse(e.value);
            doc.consumers[0].keyauth_credentials[0].key = "hunter2-admin-key";
            e.value = JSON.stringify(doc);
        });
        const v = evaluatePlan(plan, { policies: only("no-plaintext-secrets") });
        assert.match(v[0]?.message ?? "", /literal key-auth keys for consumers admin/);
    });
});

describe("offline evaluator: plan steps", () => {
    it("ignores deleted resources and reads unchanged ones from their old state", () => {
        const { plan } = architecturePlan();
        const wafStep = plan.steps.find(s => s.urn.endsWith("::dev-edge-waf-alb"))!;
        const pabStep = plan.steps.find(s => s.urn.endsWith("::dev-kong-alb-logs-pab"))!;
        // The WAF association is being deleted; the public access block is unchanged ("same").
        wafStep.op = "delete";
        pabStep.op = "same";
        pabStep.oldState = pabStep.newState;
        delete pabStep.newState;
        assert.deepStrictEqual(mandatoryPolicies(evaluatePlan(plan)), ["edge-waf"]);
    });
});

describe("admin route protection (decK state)", () => {
    const route = { name: "kong-admin", paths: ["/kong-admin"] };
    const keyAuth = { name: "key-auth" };
    const ipr = (allow: string[]) => ({ name: "ip-restriction", config: { allow } });
    const cases: [string, any, string[] | "no-admin-route"][] = [
        ["plugins on the route", { _format_version: "3.0", services: [{ name: "a", routes: [{ ...route, plugins: [keyAuth, ipr(["10.1.0.0/16"])] }] }] }, []],
        ["plugins at top level naming the route", { _format_version: "3.0", services: [{ name: "a", routes: [route] }], plugins: [{ ...keyAuth, route: "kong-admin" }, { ...ipr(["10.1.0.0/16"]), service: "a" }] }, []],
        ["global plugins", { _format_version: "3.0", services: [{ name: "a", routes: [route] }], plugins: [keyAuth, ipr(["10.1.0.0/16"])] }, []],
        ["consumer-scoped key-auth does not protect the route", { _format_version: "3.0", services: [{ name: "a", routes: [route], plugins: [ipr(["10.1.0.0/16"])] }], plugins: [{ ...keyAuth, consumer: "admin" }] }, ["no key-auth plugin"]],
        ["a disabled plugin does not count", { _format_version: "3.0", services: [{ name: "a", routes: [route], plugins: [keyAuth, { ...ipr(["10.1.0.0/16"]), enabled: false }] }] }, ["no ip-restriction plugin"]],
        ["::/0 in the allow list", { _format_version: "3.0", services: [{ name: "a", routes: [route], plugins: [keyAuth, ipr(["10.1.0.0/16", "::/0"])] }] }, ["ip-restriction allow list 10.1.0.0/16, ::/0 covers the whole IPv6 internet"]],
        ["::/1 and 8000::/1 (the IPv6 internet in halves)", { _format_version: "3.0", services: [{ name: "a", routes: [route], plugins: [keyAuth, ipr(["::/1", "8000::/1"])] }] }, ["ip-restriction allow list ::/1, 8000::/1 covers the whole IPv6 internet"]],
        ["a /7 (more than a /8)", { _format_version: "3.0", services: [{ name: "a", routes: [route], plugins: [keyAuth, ipr(["100.0.0.0/7"])] }] }, ["ip-restriction allow list 100.0.0.0/7 covers 0.78% of the IPv4 address space (more than a /8)"]],
        ["a /8 exactly is narrow enough", { _format_version: "3.0", services: [{ name: "a", routes: [route], plugins: [keyAuth, ipr(["10.0.0.0/8", "2001:db8::/32"])] }] }, []],
        ["an entry that is not an address", { _format_version: "3.0", services: [{ name: "a", routes: [route], plugins: [keyAuth, ipr(["office"])] }] }, ["ip-restriction allows office, which is not an address or CIDR"]],
        ["any path to a service on the admin port (url form) needs the plugins", { _format_version: "3.0", services: [{ name: "ops", url: "http://cp.internal:8001/", routes: [{ name: "ops", paths: ["/ops"] }] }] }, ["no key-auth plugin", "no ip-restriction plugin"]],
        ["any path to a service on the admin port (host/port form), protected globally", { _format_version: "3.0", services: [{ name: "ops", host: "cp.internal", port: 8001, routes: [{ name: "ops", paths: ["/ops"] }] }], plugins: [keyAuth, ipr(["203.0.113.0/24"])] }, []],
        ["a route with no path to the admin TLS port 8444", { _format_version: "3.0", services: [{ name: "ops", url: "https://cp.internal:8444", routes: [{ name: "ops", hosts: ["admin.example.com"] }] }] }, ["no key-auth plugin", "no ip-restriction plugin"]],
        ["a service on another port is not the Admin API", { _format_version: "3.0", services: [{ name: "api", url: "https://api.internal", routes: [{ name: "api", paths: ["/api"] }] }, { name: "a", routes: [route], plugins: [keyAuth, ipr(["10.1.0.0/16"])] }] }, []],
        ["deny-only ip-restriction", { _format_version: "3.0", services: [{ name: "a", routes: [route], plugins: [keyAuth, { name: "ip-restriction", config: { deny: ["1.2.3.4"] } }] }] }, ["ip-restriction has an empty allow list"]],
        ["regex admin path", { _format_version: "3.0", services: [{ name: "a", routes: [{ name: "r", paths: ["~/kong-admin/.*"] }] }] }, ["no key-auth plugin", "no ip-restriction plugin"]],
        ["no admin route", { _format_version: "3.0", services: [{ name: "a", routes: [{ name: "api", paths: ["/api"] }] }] }, "no-admin-route"],
    ];
    for (const [name, doc, expected] of cases) {
        it(name, () => {
            const r = checkAdminRoutes(doc, "/kong-admin", []);
            assert.deepStrictEqual(r === "no-admin-route" ? r : r.flatMap(f => f.problems), expected);
        });
    }
});

describe("Kong key lists by image", () => {
    const cases: [string, string | undefined][] = [
        ["kong:3.9.1", "oss-3.9.3"],
        ["kong/kong:3.8.0", "oss-3.9.3"],
        ["kong/kong-gateway:3.4.3.12", "ee-3.9"],
        ["kong/kong-gateway:3.9.1.0", "ee-3.9"],
        ["kong/kong-gateway:3.10.0.2", "ee-3.15"],
        ["kong/kong-gateway:3.15.0.4", "ee-3.15"],
        ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-gateway:3.12.0.0", "ee-3.15"],
        ["kong:latest", undefined],
        ["kong", undefined],
    ];
    for (const [image, list] of cases) it(`${image} → ${list ?? "unpinned"}`, () => assert.strictEqual(keyListForImage(image)?.list, list));

    it("knows real keys and Kong's injected patterns, and catches typos and keys of another edition", () => {
        const names = ["KONG_ROLE", "KONG_REAL_IP_RECURSIVE", "KONG_NGINX_HTTP_CLIENT_BODY_BUFFER_SIZE", "KONG_PLUGINSERVER_NAMES", "KONG_VAULT_AWS_REGION",
            "KONG_LICENSE_DATA", "KONG_REAL_IP_RECURSIV", "KONG_KONNECT_MODE", "PATH"];
        assert.deepStrictEqual(unknownKongNames(names, "oss-3.9.3"), ["KONG_REAL_IP_RECURSIV", "KONG_KONNECT_MODE"]);
        assert.deepStrictEqual(unknownKongNames(names, "ee-3.15"), ["KONG_REAL_IP_RECURSIV"]);
    });
});

describe("secrets inside values (any variable name)", () => {
    const cases: [string, string | undefined][] = [
        ["postgres://kong:Sup3r-s3cret@db.internal:5432/kong", "a password inside a connection URL"],
        ["redis://:p4ssw0rd-xyz@cache:6379/0", "a password inside a connection URL"],
        ["amqps://app:hunter2hunter2@mq.example.com/vhost", "a password inside a connection URL"],
        ["postgres://kong@db.internal:5432/kong", undefined],
        ["postgres://kong:${PGPASSWORD}@db.internal/kong", undefined],
        ["http://cp.kong-dev.internal:8001", undefined],
        ["Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "a credential in an HTTP header value (Bearer …)"],
        ["Basic dXNlcjpwYXNzd29yZA==", "a credential in an HTTP header value (Basic …)"],
        ["apikey:k3y-0f-the-admin-consumer", "a credential in an HTTP header value (apikey: …)"],
        ["X-Request-Source:bootstrap,Kong-Admin-Token:t0ken-t0ken-t0ken", "a credential in an HTTP header value (Kong-Admin-Token: …)"],
        ["Authorization: Bearer $UPSTREAM_TOKEN", undefined],
        ["apikey:${{ env \"DECK_ADMIN_KEY\" }}", undefined],
        ["X-Request-Source:bootstrap", undefined],
        ["AKIAIOSFODNN7EXAMPLE", "an AWS access key id"],
        ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ", "a JSON Web Token"],
        ["-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "a PEM private key"],
        ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", undefined],
        ["0.0.0.0:8000 reuseport backlog=16384", undefined],
    ];
    for (const [value, what] of cases) it(`${JSON.stringify(value)} → ${what ?? "nothing"}`, () => assert.strictEqual(secretInValue(value), what));
});

describe("IAM statements", () => {
    const doc = (...Statement: any[]) => ({ Version: "2012-10-17", Statement });
    const cases: [string, any, number][] = [
        ["named actions on named ARNs", doc({ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-abc123"] }), 0],
        ["logs actions on *", doc({ Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" }), 0],
        ["Deny with *", doc({ Effect: "Deny", Action: "*", Resource: "*" }), 0],
        ["action *", doc({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" }), 1],
        ["service:*", doc({ Effect: "Allow", Action: ["s3:*"], Resource: "arn:aws:s3:::b" }), 1],
        ["kms:* on a key (wildcard action)", doc({ Effect: "Allow", Action: "kms:*", Resource: "arn:aws:kms:eu-west-1:123456789012:key/abcd" }), 1],
        ["kms:Decrypt on *", doc({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }), 1],
        ["secretsmanager:Get* on every secret ARN", doc({ Effect: "Allow", Action: "secretsmanager:Get*", Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:*" }), 1],
        ["NotAction", doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }), 1],
        ["single statement object, * on * (action, KMS/secrets scope, escalation)", { Statement: { Effect: "Allow", Action: "*", Resource: "*" } }, 3],
        ["iam:PassRole on *", doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }), 1],
        ["iam:Pass* on every role", doc({ Effect: "Allow", Action: "iam:Pass*", Resource: "arn:aws:iam::123456789012:role/*" }), 1],
        ["IAM:ATTACHROLEPOLICY (any case) on *", doc({ Effect: "Allow", Action: "IAM:ATTACHROLEPOLICY", Resource: "*" }), 1],
        ["iam:*Policy* on *", doc({ Effect: "Allow", Action: "iam:*Policy*", Resource: "*" }), 1],
        ["sts:AssumeRole on NotResource", doc({ Effect: "Allow", Action: "sts:AssumeRole", NotResource: "arn:aws:iam::123456789012:role/admin" }), 1],
        ["iam:PassRole on a named role", doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/kong-task", Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } }), 0],
        ["sts:AssumeRole on a named role", doc({ Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::123456789012:role/deployer" }), 0],
        ["iam:GetRole on * (read-only, no escalation)", doc({ Effect: "Allow", Action: "iam:GetRole", Resource: "*" }), 0],
        ["the CP scale-to-zero controller's unscoped reads on *", doc({ Effect: "Allow", Action: [...UNSCOPED_READ_ACTIONS], Resource: "*" }), 0],
        ["ecs:UpdateService on * (a write on every service)", doc({ Effect: "Allow", Action: ["ecs:DescribeServices", "ecs:UpdateService"], Resource: "*" }), 1],
        ["ssm:PutParameter on NotResource", doc({ Effect: "Allow", Action: "ssm:PutParameter", NotResource: "arn:aws:ssm:eu-west-1:123456789012:parameter/x" }), 1],
        ["ecs:UpdateService on the CP service", doc({ Effect: "Allow", Action: "ecs:UpdateService", Resource: "arn:aws:ecs:eu-west-1:123456789012:service/kong/kong-dev-cp" }), 0],
    ];
    for (const [name, d, n] of cases) it(`${name}: ${n} problem(s)`, () => assert.strictEqual(statementProblems(d).length, n, statementProblems(d).join("; ")));
    it("says which write named every resource, and accepts one the config allows", () => {
        const d = doc({ Sid: "Metrics", Effect: "Allow", Action: ["cloudwatch:PutMetricData", "cloudwatch:GetMetricData"], Resource: "*" });
        assert.deepStrictEqual(statementProblems(d), ["statement Metrics allows cloudwatch:PutMetricData on *: only reads may name every resource; name the resources by ARN"]);
        assert.deepStrictEqual(statementProblems(d, [], ["cloudwatch:PutMetricData"]), []);
    });
});

describe("npm run policy (tools/policy.ts)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-cli-"));
    const write = (name: string, v: unknown) => { const f = path.join(dir, name); fs.writeFileSync(f, JSON.stringify(v)); return f; };
    let out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), cwd: dir };
    beforeEach(() => { out = []; });

    it("exits 0 with a PASS verdict on the clean plan", async () => {
        assert.strictEqual(await main([write("ok.json", architecturePlan().plan)], io), 0);
        assert.match(out.at(-1)!, /^Policy verdict: PASS \(0 mandatory/);
    });

    it("exits 1 on a mandatory violation, printing policy, level, URN and message", async () => {
        const { plan } = architecturePlan();
        state(plan, "dev-cp-db-1").inputs.publiclyAccessible = true;
        assert.strictEqual(await main([write("bad.json", plan)], io), 1);
        const text = out.join("\n");
        assert.match(text, /\[mandatory\] database-isolated: ClusterInstance "dev-cp-db-1" is publiclyAccessible/);
        assert.match(text, /urn:pulumi:dev::kong-hybrid::aws:rds\/clusterInstance:ClusterInstance::dev-cp-db-1/);
        assert.match(out.at(-1)!, /^Policy verdict: FAIL \(1 mandatory/);
    });

    it("applies --config (a policy turned advisory no longer fails the run)", async () => {
        const { plan } = architecturePlan();
        state(plan, "dev-cp-db-1").inputs.publiclyAccessible = true;
        assert.strictEqual(await main([write("bad2.json", plan), "--config", write("cfg.json", { "database-isolated": "advisory" })], io), 0);
    });
});
