import * as assert from "assert";
import * as YAML from "yaml";
import { byType, type ProgramRun } from "../offline/harness";
import { ADMIN_ROUTE_REGEX_PATH, adminBootstrapState } from "../components/control-plane/admin-bootstrap";
import { plan } from "./support";

// The admin bootstrap as the programs downstream read it, not as the objects the code builds:
//  1. ECS receives containerDefinitions as a JSON string and hands each `environment` value to the
//     container verbatim; the sidecar pipes ADMIN_BOOTSTRAP_STATE to decK unchanged (printf '%s').
//  2. decK renders that raw text as a Go text/template with delimiters ${{ }} and an `env` function,
//     THEN parses the result as YAML/JSON (https://github.com/Kong/go-database-reconciler/blob/main/pkg/file/readfile.go,
//     pkg/file/template.go). In an action, Go's lexer accepts a string operand only as "…" or `…`;
//     a backslash outside a string fails the whole file: `unexpected "\\" in operand`.
//  3. Kong routes the request path against the route's paths.

/** Every `${{ … }}` action in a text. */
function templateActions(text: string): string[] {
    return text.match(/\$\{\{[\s\S]*?\}\}/g) ?? [];
}

/**
 * The one action form the state may use: `env` on a Go string literal naming a DECK_* variable
 * (decK refuses other names). Returns the variable's name, or undefined when Go or decK would reject it.
 */
function envAction(action: string): string | undefined {
    const m = /^\$\{\{\s*env\s+(?:"(DECK_[A-Z0-9_]+)"|`(DECK_[A-Z0-9_]+)`)\s*\}\}$/.exec(action);
    return m ? m[1] ?? m[2] : undefined;
}

/** decK's template pass: each action replaced by the variable's value. */
function render(text: string, env: Record<string, string>): string {
    return text.replace(/\$\{\{[\s\S]*?\}\}/g, action => {
        const name = envAction(action);
        if (!name) throw new Error(`template: unexpected action ${action}`);
        if (env[name] === undefined) throw new Error(`environment variable ${name} is not set`);
        return env[name];
    });
}

interface Container { name: string; environment: { name: string; value: string }[]; secrets: { name: string; valueFrom: string }[]; command?: string[] }

function sidecar(run: ProgramRun, prefix: string): Container {
    const td = byType(run, "aws:ecs/taskDefinition:TaskDefinition").find(r => r.name === `${prefix}-cp-task`)!;
    // What ECS reads: the serialised containerDefinitions string.
    assert.strictEqual(typeof td.inputs.containerDefinitions, "string");
    const containers: Container[] = JSON.parse(td.inputs.containerDefinitions);
    return containers.find(c => c.name === "admin-bootstrap")!;
}

describe("admin bootstrap on the wire: what decK receives", () => {
    const STACKS = [
        { stack: "dev" as const, prefix: "kong-dev", allow: ["203.0.113.0/24"] },
        { stack: "prod" as const, prefix: "kong-prod", allow: ["198.51.100.0/24", "192.0.2.10/32"] },
    ];
    // A key as the RandomPassword makes it (48 letters and digits).
    const KEY = "Zq8Xw3Lm9Pk2Rt7Vb5Nc1Hd6Fg4Js0Ay8Ue3Oi7Wl2Qs5Ex9";

    for (const s of STACKS) {
        describe(s.stack, () => {
            let text: string;
            let container: Container;
            before(async () => {
                container = sidecar(await plan(s.stack), s.prefix);
                text = container.environment.find(e => e.name === "ADMIN_BOOTSTRAP_STATE")!.value;
            });

            it("every template action is one Go's parser and decK accept (env on a plain string literal, no backslash)", () => {
                const actions = templateActions(text);
                assert.ok(actions.length > 0, "the state reads the admin key through a template action");
                for (const a of actions) {
                    assert.ok(!a.includes("\\"), `backslash in ${a}: Go's template lexer fails the whole state`);
                    assert.ok(envAction(a), `decK cannot render ${a}`);
                }
            });

            it("every variable an action reads is one the container gets (from an ECS secret, not plain environment)", () => {
                const names = templateActions(text).map(a => envAction(a)!);
                const secretNames = container.secrets.map(x => x.name);
                for (const n of names) assert.ok(secretNames.includes(n), `${n} is not an ECS secret of the sidecar`);
                assert.ok(!container.environment.some(e => names.includes(e.name)), "the key must not be in plain environment");
            });

            it("after decK's template pass the text parses to the intended state, key filled in", () => {
                const rendered = render(text, { DECK_ADMIN_KEY: KEY });
                assert.ok(!rendered.includes("${{"), "no action left unrendered");
                const expected = adminBootstrapState({ controlPlaneHostname: `cp.${s.prefix}.internal`, adminAllowedCidrs: s.allow }) as any;
                expected.consumers[0].keyauth_credentials[0].key = KEY;
                // decK parses YAML (a superset of JSON).
                assert.deepStrictEqual(YAML.parse(rendered), expected);
            });

            it("the sidecar pipes the variable to decK byte for byte", () => {
                const script = container.command!.join("\n");
                assert.match(script, /printf '%s' "\$ADMIN_BOOTSTRAP_STATE" \| deck gateway sync --select-tag kong-hybrid-admin -/);
            });
        });
    }

    it("the checks reject the serialisation that broke deploys (JSON-escaped double quotes)", () => {
        const broken = JSON.stringify({ consumers: [{ keyauth_credentials: [{ key: '${{ env "DECK_ADMIN_KEY" }}' }] }] });
        const [action] = templateActions(broken);
        assert.strictEqual(action, '${{ env \\"DECK_ADMIN_KEY\\" }}');
        assert.strictEqual(envAction(action), undefined);
        assert.throws(() => render(broken, { DECK_ADMIN_KEY: KEY }), /unexpected action/);
    });
});

/**
 * Kong 3.x route path matching: a path starting with `~` is a regex anchored at the start of the
 * request path (https://github.com/Kong/kong/blob/3.9.3/kong/router/transform.lua), any other path
 * is a plain prefix. With strip_path, the matched text is removed and the rest appended to the
 * service's path "/" (kong/router/utils.lua, get_upstream_uri_v0).
 */
function kongRoute(path: string, uri: string): string | undefined {
    let matched: string | undefined;
    if (path.startsWith("~")) matched = new RegExp(`^(?:${path.slice(1)})`).exec(uri)?.[0];
    else if (uri.startsWith(path)) matched = path;
    if (matched === undefined) return undefined;
    const rest = uri.slice(matched.length);
    return rest.startsWith("/") ? rest : `/${rest}`;
}

describe("the /kong-admin route, as Kong's router matches it", () => {
    const table: [string, string | undefined][] = [
        ["/kong-admin", "/"],
        ["/kong-admin/", "/"],
        ["/kong-admin/services", "/services"],
        ["/kong-admin/services/x/routes", "/services/x/routes"],
        ["/kong-adminservices", undefined],
        ["/kong-admin-evil", undefined],
        ["/api/kong-admin/services", undefined],
        ["/KONG-ADMIN/services", undefined],
    ];
    for (const [uri, upstream] of table) {
        it(`${uri} → ${upstream ?? "no match"}`, () => assert.strictEqual(kongRoute(ADMIN_ROUTE_REGEX_PATH, uri), upstream));
    }
    it("the route carries exactly that path, with strip_path", () => {
        const state = adminBootstrapState({ controlPlaneHostname: "cp.x.internal", adminAllowedCidrs: ["203.0.113.0/24"] }) as any;
        assert.deepStrictEqual(state.services[0].routes[0].paths, [ADMIN_ROUTE_REGEX_PATH]);
        assert.strictEqual(state.services[0].routes[0].strip_path, true);
    });
    it("a plain prefix path would also match /kong-adminservices (why the route is a regex)", () => {
        assert.strictEqual(kongRoute("/kong-admin", "/kong-adminservices"), "/services");
    });
});
