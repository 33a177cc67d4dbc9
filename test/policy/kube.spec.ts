import * as assert from "assert";
import { chartServices, containerEnvLists, isKongChart, selects } from "../../policy/lib/kube";
import { UNKNOWN_STRING } from "../../policy/lib/values";
import { evaluatePlan } from "../../policy/offline";
import { EKS_REJECT } from "./eks-cases";
import { eksPlan } from "./eks-plan";

// The Kubernetes reading of the pack in detail: which charts are Kong's, which pods a selector
// reaches, which Services the chart renders, where env hides in values, and what a user reads.

describe("policy pack: Kubernetes objects (lib/kube)", () => {
    const charts: [unknown, boolean][] = [
        ["kong", true], ["kong/kong", true], ["oci://registry.example.com/charts/kong", true], ["./charts/kong-3.4.1.tgz", true],
        ["ingress", false], ["kong/ingress", false], ["kong-operator", false], ["aws-load-balancer-controller", false], [UNKNOWN_STRING, false], [undefined, false],
    ];
    for (const [chart, want] of charts) it(`chart ${JSON.stringify(chart)} is ${want ? "" : "not "}Kong's`, () => assert.strictEqual(isKongChart(chart), want));

    const pod = { "app.kubernetes.io/instance": "kong-cp", "app.kubernetes.io/name": "kong", "app.kubernetes.io/component": "app" };
    const selectors: [string, unknown, boolean][] = [
        ["matchLabels subset", { matchLabels: { "app.kubernetes.io/instance": "kong-cp" } }, true],
        ["matchLabels of another release", { matchLabels: { "app.kubernetes.io/instance": "kong-dp-public" } }, false],
        ["empty selector (every pod)", {}, true],
        ["In", { matchExpressions: [{ key: "app.kubernetes.io/instance", operator: "In", values: ["kong-cp", "x"] }] }, true],
        ["NotIn", { matchExpressions: [{ key: "app.kubernetes.io/instance", operator: "NotIn", values: ["kong-cp"] }] }, false],
        ["Exists", { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "Exists" }] }, true],
        ["DoesNotExist", { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "DoesNotExist" }] }, false],
        ["unknown (a preview)", UNKNOWN_STRING, true],
        ["an unknown label value", { matchLabels: { "app.kubernetes.io/instance": UNKNOWN_STRING } }, true],
    ];
    for (const [name, selector, want] of selectors) it(`selector ${name} ${want ? "selects" : "does not select"} the CP pods`, () => assert.strictEqual(selects(selector, pod), want));

    const services: [string, Record<string, any>, string[]][] = [
        ["chart defaults", {}, ["manager:NodePort", "proxy:LoadBalancer"]],
        ["chart defaults with enterprise (the Dev Portal's Services too)", { enterprise: { enabled: true } }, ["manager:NodePort", "portal:NodePort", "portalapi:NodePort", "proxy:LoadBalancer"]],
        ["admin enabled, type unset", { admin: { enabled: true }, manager: { enabled: false }, proxy: { enabled: false } }, ["admin:NodePort"]],
        ["the project's CP", { admin: { enabled: true, type: "ClusterIP" }, cluster: { enabled: true, type: "ClusterIP" }, manager: { enabled: "false" }, proxy: { enabled: false } }, ["admin:ClusterIP", "cluster:ClusterIP"]],
    ];
    for (const [name, values, want] of services) it(`renders Services: ${name}`, () => assert.deepStrictEqual(chartServices(values).map(s => `${s.key}:${s.type}`).sort(), want));

    it("finds container env lists anywhere in values or a pod template, and only their literal values", () => {
        const found = containerEnvLists({
            deployment: { initContainers: [{ name: "a", env: [{ name: "A", value: "1" }, { name: "B", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] }] },
            sidecarContainers: [{ name: "b", env: [{ name: "C", value: "3" }] }],
            env: { role: "data_plane" },
        });
        assert.deepStrictEqual(found, [["A", "1"], ["C", "3"]]);
    });

    // What a user reads: each message names the setting, the value as rendered, and the fix.
    const messages: [string, RegExp][] = [
        ["DP env.admin_listen removed (the chart's loopback 8444)", /KONG_ADMIN_LISTEN=127\.0\.0\.1:8444 http2 ssl, \[::1\]:8444 http2 ssl \(env\.admin_listen unset: the chart's loopback default\).*env\.admin_listen: "off"/],
        ["CP admin Service type unset (the chart's NodePort)", /admin Service as NodePort \(type unset: the chart's default\).*admin\.type: ClusterIP/],
        ["EKS API public with no CIDR list (AWS's 0.0.0.0/0)", /no publicAccessCidrs, which AWS takes as 0\.0\.0\.0\/0/],
        ["EKS API public to the internet in two halves", /\["0\.0\.0\.0\/1","128\.0\.0\.0\/1"\].*covers the whole IPv4 internet/],
        ["CP pods without a SecurityGroupPolicy (the nodes' group)", /no SecurityGroupPolicy selecting its pods: they run in the nodes' security group/],
        ["CP database password in the release's env", /the release's values sets KONG_PG_PASSWORD in plain environment: move it to a Secret \(valueFrom\.secretKeyRef\)/],
    ];
    for (const [row, pattern] of messages) {
        it(`says why: ${row}`, async () => {
            const plan = await eksPlan();
            EKS_REJECT.find(c => c.name === row)!.apply(plan);
            const v = evaluatePlan(plan).filter(x => x.enforcementLevel === "mandatory");
            assert.ok(v.some(x => pattern.test(x.message)), v.map(x => x.message).join("\n"));
        });
    }
});
