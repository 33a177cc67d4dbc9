import * as assert from "assert";
import type { Plan } from "../policy/offline";
import { previewJson } from "../tools/plan";
import { diagram, validateMermaid } from "../tools/diagram";
import { plan } from "./support";
import { devWithNatGatewayPlan } from "./support/plan-fixture";

const realPlan = async (stack: "dev" | "prod"): Promise<Plan> => JSON.parse(JSON.stringify(previewJson(await plan(stack))));

/** The arrows of a flowchart as "from -> to: label". */
function arrows(text: string): string[] {
    return [...text.matchAll(/^\s+(\w+) -->(?:\|"([^"]*)"\|)? (\w+)$/gm)].map(m => `${m[1]} -> ${m[3]}${m[2] ? `: ${m[2]}` : ""}`);
}

describe("architecture diagram (Mermaid)", () => {
    const expected: Record<"dev" | "prod", string[]> = {
        dev: [
            "internet -> lb_dp_public_edge_alb: tcp/443",
            "lb_dp_public_edge_alb -> dp_dp_public_service: tcp/8000, tcp/8100",
            "dp_dp_public_service -> cp_kong_dev_cp_service: tcp/8001, tcp/8005",
            "cp_kong_dev_cp_service -> db_kong_dev_cp_db: tcp/5432",
            "dp_dp_public_service -> nat: tcp/443",
            "cp_kong_dev_cp_service -> nat: tcp/443",
            // dev's NAT is an instance (natMode instance): its own group, all traffic from the VPC.
            "net_10_0_0_0_16 -> nat: all traffic",
            "nat -> internet: all traffic",
        ],
        prod: [
            "internet -> lb_dp_public_edge_alb: tcp/443",
            "lb_dp_public_edge_alb -> dp_dp_public_service: tcp/8000, tcp/8100",
            "dp_dp_public_service -> cp_kong_prod_cp_service: tcp/8001, tcp/8005",
            "cp_kong_prod_cp_service -> db_kong_prod_cp_db: tcp/5432",
            "dp_dp_public_service -> nat: tcp/443",
            "cp_kong_prod_cp_service -> nat: tcp/443",
            "nat -> internet",
        ],
    };
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: Mermaid's parser accepts it; tiers, roles and every security-group arrow are there`, async () => {
            const text = diagram(await realPlan(stack));
            assert.strictEqual(await validateMermaid(text), "flowchart-v2");
            assert.deepStrictEqual(arrows(text).sort(), expected[stack].sort());
            for (const tier of ["public", "private", "isolated"]) assert.match(text, new RegExp(`^\\s+subgraph ${tier}\\[`, "m"));
            // Each role sits in its tier: the ALB public, the ECS services private, Aurora isolated.
            const tierOf = (id: string) => {
                const before = text.slice(0, text.indexOf(`${id}[`));
                return [...before.matchAll(/subgraph (public|private|isolated)\[/g)].pop()?.[1];
            };
            assert.strictEqual(tierOf("lb_dp_public_edge_alb"), "public");
            assert.strictEqual(tierOf("dp_dp_public_service"), "private");
            assert.strictEqual(tierOf(`cp_kong_${stack}_cp_service`), "private");
            assert.strictEqual(tierOf(`db_kong_${stack}_cp_db`), "isolated");
            assert.match(text, /subgraph rt_private_ECS_Fargate\["ECS Fargate"\]/, "the DP groups and CP grouped by runtime");
            if (stack === "dev") assert.match(text, /nat\["NAT instance t4g\.nano × 1"\]/);
            // The ALB's label says whether a web ACL guards it: prod's does, dev's does not (waf: false).
            const alb = /lb_dp_public_edge_alb\["([^"]*)"\]/.exec(text)![1];
            assert.strictEqual(alb, `internet-facing application LB dp-public-edge-alb<br/>HTTPS 443${stack === "prod" ? ", WAF" : ""}`);
        });
    }

    it("draws the arrows from the security-group rules in the plan, not from a fixed picture", async () => {
        const p = await realPlan("dev");
        p.steps = p.steps.filter(s => !s.urn.endsWith("::kong-dev-cp-cp-to-db-ingress"));
        const dbRule = p.steps.find(s => s.urn.endsWith("::dp-public-to-cp-admin-ingress"))!.newState!;
        dbRule.inputs = { ...dbRule.inputs, fromPort: 8444, toPort: 8445 };
        const text = diagram(p);
        assert.ok(!arrows(text).some(a => a.startsWith("cp_kong_dev_cp_service -> db_")), "no ingress rule, no arrow");
        assert.ok(arrows(text).includes("dp_dp_public_service -> cp_kong_dev_cp_service: tcp/8005, tcp/8444-8445"));
        assert.strictEqual(await validateMermaid(text), "flowchart-v2");
    });

    it("draws a NAT gateway where dev's NAT instance was, without security-group arrows of its own", async () => {
        const text = diagram(await devWithNatGatewayPlan());
        assert.match(text, /nat\["NAT gateway × 1"\]/);
        const a = arrows(text);
        for (const expected of ["nat -> internet", "dp_dp_public_service -> nat: tcp/443", "cp_kong_dev_cp_service -> nat: tcp/443"]) {
            assert.ok(a.includes(expected), `${expected} in\n${a.join("\n")}`);
        }
        assert.ok(!a.some(x => x.startsWith("net_")), "a NAT gateway has no security group");
        assert.strictEqual(await validateMermaid(text), "flowchart-v2");
    });

    it("the validator rejects text Mermaid cannot parse", async () => {
        await assert.rejects(validateMermaid("flowchart LR\n    a -->|\"tcp/443| b\n"), /Parse error/);
    });
});
