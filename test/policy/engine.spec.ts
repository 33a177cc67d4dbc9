// The pack as the Pulumi engine runs it: @pulumi/policy's own gRPC server, started in a CHILD
// process from policy/index.ts (never in the test process: a PolicyPack serves forever and exits
// on a second pack), fed AnalyzeRequest / AnalyzeStackRequest messages built from a plan the way
// the engine builds them (properties as a protobuf Struct with the unknown sentinels, property
// dependencies as URNs). Its violations must be exactly the offline evaluator's.

import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { evaluatePlan, Plan, PlanState } from "../../policy/offline";
import { planStack } from "../../offline/harness";
import { previewJson } from "../../tools/plan";
import { architecturePlan } from "../fixtures/architecture-plan";
import { addToPlan, asFreshPreview, withUnknownIds } from "./helpers";
import { MUTATIONS } from "./mutations";
import { ACCEPT, REJECT_WITH_CONFIG } from "./accept-cases";
import { EKS_ACCEPT, EKS_REJECT } from "./eks-cases";
import { eksFreshPreview, eksPlan } from "./eks-plan";

/* eslint-disable @typescript-eslint/no-var-requires */
const grpc = require("@grpc/grpc-js");
const pb = require("@pulumi/pulumi/proto/analyzer_pb");
const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
/* eslint-enable @typescript-eslint/no-var-requires */

const LEVEL: Record<number, string> = { 0: "advisory", 1: "mandatory" };

function options(s: PlanState) {
    const o = new pb.AnalyzerResourceOptions();
    o.setProtect(false);
    if (s.parent) o.setParent(s.parent);
    return o;
}

function providerOf(plan: Plan, s: PlanState) {
    if (!s.provider) return undefined;
    const urn = s.provider.slice(0, s.provider.lastIndexOf("::"));
    const p = plan.steps.find(x => x.urn === urn)?.newState;
    if (!p) return undefined;
    const m = new pb.AnalyzerProviderResource();
    m.setType(p.type); m.setUrn(p.urn); m.setName(p.urn.split("::").pop()); m.setProperties(Struct.fromJavaScript(p.inputs));
    return m;
}

type Found = { policy: string; level: string; urn: string; message: string };

function call<T>(client: any, method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
}

async function viaEngine(client: any, plan: Plan): Promise<Found[]> {
    const states = plan.steps.map(s => s.newState!).filter(Boolean);
    const found: Found[] = [];
    const collect = (res: any, fallbackUrn?: string) => {
        for (const d of res.getDiagnosticsList()) {
            found.push({ policy: d.getPolicyname(), level: LEVEL[d.getEnforcementlevel()], urn: d.getUrn() || fallbackUrn || "", message: d.getMessage() });
        }
    };
    // Resource policies: one Analyze per resource, as the engine sends them.
    for (const s of states.filter(x => !x.type.startsWith("pulumi:providers:"))) {
        const req = new pb.AnalyzeRequest();
        req.setType(s.type); req.setUrn(s.urn); req.setName(s.urn.split("::").pop());
        req.setProperties(Struct.fromJavaScript(s.inputs)); req.setOptions(options(s));
        const provider = providerOf(plan, s);
        if (provider) req.setProvider(provider);
        collect(await call(client, "analyze", req), s.urn);
    }
    // Stack policies: one AnalyzeStack with every resource.
    const stack = new pb.AnalyzeStackRequest();
    stack.setResourcesList(states.map(s => {
        const r = new pb.AnalyzerResource();
        r.setType(s.type); r.setUrn(s.urn); r.setName(s.urn.split("::").pop());
        r.setProperties(Struct.fromJavaScript(s.inputs)); r.setOptions(options(s));
        if (s.parent) r.setParent(s.parent);
        r.setDependenciesList(s.dependencies ?? []);
        const deps = r.getPropertydependenciesMap();
        for (const [k, urns] of Object.entries(s.propertyDependencies ?? {})) {
            const d = new pb.AnalyzerPropertyDependencies();
            d.setUrnsList(urns);
            deps.set(k, d);
        }
        return r;
    }));
    collect(await call(client, "analyzeStack", stack));
    return found;
}

const key = (v: { policy: string; level: string; urn: string }) => `${v.level} ${v.policy} ${v.urn}`;

describe("policy pack served by @pulumi/policy's own analyzer server (child process)", function () {
    this.timeout(120000);
    let child: ChildProcess;
    let client: any;

    before(async () => {
        child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], {
            cwd: path.join(__dirname, "../../policy"), stdio: ["ignore", "pipe", "pipe"],
        });
        let errors = "";
        child.stderr!.on("data", d => (errors += d));
        const port = await new Promise<string>((resolve, reject) => {
            child.stdout!.once("data", d => resolve(String(d).trim()));
            child.once("exit", code => reject(new Error(`policy pack exited with ${code}: ${errors}`)));
        });
        client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        if (child && child.exitCode === null) child.kill();
    });

    const cases: [string, () => Plan | Promise<Plan>][] = [
        ["the unmutated architecture", () => architecturePlan().plan],
        ["a fresh stack's preview (unknown ids and container definitions)", () => asFreshPreview(architecturePlan().plan)],
        ...MUTATIONS.map(m => [`${m.name} (unknown ids)`, () => {
            const { plan } = architecturePlan();
            m.apply({ plan, add: (t, n, i, d) => addToPlan(plan, t, n, i, d), names: fixtureNames });
            return withUnknownIds(plan);
        }] as [string, () => Plan]),
    ];

    // The other half of the table: rules written another way (default config only), and config-judged rejections.
    for (const a of [...ACCEPT, ...REJECT_WITH_CONFIG].filter(x => x.config === undefined)) {
        cases.push([`${a.name} (unknown ids)`, () => { const { plan, refs } = architecturePlan(); a.apply(plan, refs); return withUnknownIds(plan); }]);
    }

    // Kong on EKS: the composed components, a fresh preview of them, and every reject and accept row.
    cases.push(["the EKS plan", () => eksPlan()]);
    cases.push(["the EKS plan as a fresh preview (values and pod-group specs unknown)", async () => eksFreshPreview(await eksPlan())]);
    for (const c of [...EKS_REJECT, ...EKS_ACCEPT]) {
        cases.push([`EKS: ${c.name} (unknown ids)`, async () => { const plan = await eksPlan(); c.apply(plan); return withUnknownIds(plan); }]);
    }

    const realDev = async () => JSON.parse(JSON.stringify(previewJson(await planStack("dev")))) as Plan;
    cases.push(["the real dev plan", realDev]);

    for (const [name, build] of cases) {
        it(`reports what evaluatePlan reports: ${name}`, async () => {
            const plan = await build();
            const engine = await viaEngine(client, plan);
            const offline = evaluatePlan(plan);
            assert.deepStrictEqual(engine.map(key).sort(), offline.map(v => key({ policy: v.policy, level: v.enforcementLevel, urn: v.urn ?? "" })).sort());
            // The server prefixes the policy description; the message itself is the same.
            for (const v of offline) assert.ok(engine.some(e => e.policy === v.policy && e.message.endsWith(v.message)), v.message);
        });
    }
});

const fixtureNames = {
    albSg: "dev-edge-alb", dpSg: "dev-dp", cpSg: "dev-cp", dbSg: "dev-cp-db", alb: "dev-edge-alb", tg: "dev-edge-dp",
    httpsListener: "dev-edge-https", wafAssociation: "dev-edge-waf-alb", cpService: "dev-cp", dpService: "dev-dp",
    cpTd: "dev-cp", dpTd: "dev-dp", dbCluster: "dev-cp-db", dbInstance: "dev-cp-db-1", dbSubnetGroup: "dev-cp-db",
    logGroup: "dev-cp", bucket: "dev-kong-alb-logs", bucketPab: "dev-kong-alb-logs-pab", bucketSse: "dev-kong-alb-logs-sse",
    rolePolicy: "dev-cp-exec-secrets", kmsKey: "dev-kong-key", publicSubnets: ["dev-vpc-public-0", "dev-vpc-public-1"], privateSubnets: ["dev-vpc-private-0", "dev-vpc-private-1"],
};
