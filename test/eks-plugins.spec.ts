import * as assert from "assert";
import * as YAML from "yaml";
import { chartEnv, chartImage, imageValues } from "../components/eks/kong-values";
import { nodeImagePullPolicy } from "../components/eks/cluster";
import { imageToRun } from "../components/eks/kong-release";
import { kongImage } from "../components/kong/image";
import { byType, planStack, type ProgramRun } from "../offline/harness";
import { parseConfig } from "../stacks/config";
import { kongPlatforms } from "../stacks/plugins";

// kong-hybrid:kongPluginsDir on EKS: every Kong release (the DP groups of the mixed topology, the CP
// and DP groups of an EKS CP stack) runs the plugin image with the same KONG_PLUGINS as the ECS
// roles, the image is built for every platform the stack's Kong nodes run on, and the nodes may
// pull exactly its repository. Read as the next program reads it: the Helm values as YAML, rendered
// through the chart's env and image rules; the ECS container definitions; the IAM policy JSON.

const RELEASE = "kubernetes:helm.sh/v3:Release";
const PLUGINS = { kongPluginsDir: "examples/plugins" };
const DIGEST_REF = /^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/kong-[a-z]+\/kong(-gateway)?:3\.[0-9.]+-plugins\.[0-9a-f]{12}@sha256:[0-9a-f]{64}$/;

/** A Kong release's values as Helm receives them (YAML text), and what chart 3.4.1 renders from them. */
function rendered(run: ProgramRun, release: string) {
    const r = byType(run, RELEASE).find(x => x.inputs.name === release);
    assert.ok(r, `Helm release ${release}`);
    const values = YAML.parse(YAML.stringify(r!.inputs.values));
    return { env: chartEnv(values), image: chartImage(values) };
}

/** The Kong container of an ECS task definition, as ECS reads it. */
function ecsKong(run: ProgramRun, family: string): { image: string; env: Record<string, string> } {
    const td = byType(run, "aws:ecs/taskDefinition:TaskDefinition").find(t => t.inputs.family === family || t.name === `${family}-task`);
    assert.ok(td, `task definition ${family}`);
    const kong = JSON.parse(td!.inputs.containerDefinitions).find((c: any) => c.name === "kong");
    return { image: kong.image, env: Object.fromEntries(kong.environment.map((e: any) => [e.name, e.value])) };
}

const policyOf = (run: ProgramRun, name: string) => {
    const p = byType(run, "aws:iam/rolePolicy:RolePolicy").find(x => x.name === name);
    assert.ok(p, `role policy ${name}`);
    return JSON.parse(p!.inputs.policy);
};

describe("kongPluginsDir on EKS: the mixed topology (CP on ECS, a DP group on EKS)", () => {
    let run: ProgramRun;
    before(async function () {
        this.timeout(120_000);
        run = await planStack("mixed", PLUGINS);
        assert.deepStrictEqual(run.duplicateUrns, []);
    });

    it("the EKS group runs the plugin image the ECS CP runs, pinned by digest, and the chart still reads Kong 3.15", () => {
        const [image] = byType(run, "docker-build:index:Image");
        const cp = ecsKong(run, "kong-mixed-cp");
        const dp = rendered(run, "kong-dp-eks");
        assert.match(image.outputs.ref, DIGEST_REF);
        assert.strictEqual(cp.image, image.outputs.ref);
        assert.strictEqual(dp.image.image, image.outputs.ref);
        assert.deepStrictEqual([dp.image.version, dp.image.versionLabel], ["3.15.0", "3.15"]);
    });

    it("the EKS group's KONG_PLUGINS is the ECS CP's and the ECS group's", () => {
        const cp = ecsKong(run, "kong-mixed-cp").env.KONG_PLUGINS;
        assert.strictEqual(cp, "bundled,request-stamp");
        assert.strictEqual(rendered(run, "kong-dp-eks").env.KONG_PLUGINS, cp);
        assert.strictEqual(ecsKong(run, "dp-ecs").env.KONG_PLUGINS, cp);
    });

    it("one image, for the one platform ECS tasks and Graviton nodes share", () => {
        const images = byType(run, "docker-build:index:Image");
        assert.strictEqual(images.length, 1);
        assert.deepStrictEqual(images[0].inputs.platforms, ["linux/arm64"]);
    });

    it("the nodes may pull exactly the plugin repository, and need no grant on its key (ECR decrypts through its own grant)", () => {
        const [repo] = byType(run, "aws:ecr/repository:Repository");
        const [key] = byType(run, "aws:kms/key:Key");
        assert.deepStrictEqual(repo.inputs.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey: key.outputs.arn }]);
        const policy = policyOf(run, "kong-mixed-eks-node-images");
        assert.deepStrictEqual(policy.Statement.map((s: any) => [s.Sid, s.Action, s.Resource]), [
            ["EcrLogin", "ecr:GetAuthorizationToken", "*"],
            ["PullImages", ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [repo.outputs.arn]],
        ]);
        const nodeRole = byType(run, "aws:iam/role:Role").find(r => r.name === "kong-mixed-eks-node-role")!;
        const onNodeRole = byType(run, "aws:iam/rolePolicy:RolePolicy").filter(p => p.inputs.role === nodeRole.id);
        assert.deepStrictEqual(onNodeRole.map(p => p.name), ["kong-mixed-eks-node-images"]);
        assert.ok(!JSON.stringify(onNodeRole.map(p => p.inputs.policy)).includes("kms:"), "no KMS action on the node role");
    });

    it("x86 nodes next to Graviton tasks: one multi-platform image for both", async function () {
        this.timeout(120_000);
        const x86 = await planStack("mixed", { ...PLUGINS, eksNodeInstanceType: "m7i.large" });
        const [image] = byType(x86, "docker-build:index:Image");
        assert.deepStrictEqual(image.inputs.platforms, ["linux/amd64", "linux/arm64"]);
        assert.strictEqual(rendered(x86, "kong-dp-eks").image.image, image.outputs.ref);
    });
});

describe("kongPluginsDir on EKS: the CP and a DP group on EKS (Pulumi.eks.yaml)", () => {
    let run: ProgramRun;
    let ecsCp: string;
    before(async function () {
        this.timeout(180_000);
        run = await planStack("eks", PLUGINS);
        assert.deepStrictEqual(run.duplicateUrns, []);
        ecsCp = ecsKong(await planStack("plugins"), "kong-plugins-cp").env.KONG_PLUGINS;
    });

    for (const release of ["kong-cp", "kong-dp-public"]) {
        it(`${release}: runs the plugin image with the KONG_PLUGINS an ECS CP with these plugins gets`, () => {
            const [image] = byType(run, "docker-build:index:Image");
            const r = rendered(run, release);
            assert.match(image.outputs.ref, DIGEST_REF);
            assert.strictEqual(r.image.image, image.outputs.ref);
            assert.deepStrictEqual([r.image.version, r.image.versionLabel], ["3.9.3", "3.9"]);
            assert.strictEqual(r.env.KONG_PLUGINS, ecsCp);
        });
    }

    it("builds for the nodes only (no ECS task runs Kong) and lets them pull exactly its repository", () => {
        const [image] = byType(run, "docker-build:index:Image");
        const [repo] = byType(run, "aws:ecr/repository:Repository");
        assert.deepStrictEqual(image.inputs.platforms, ["linux/arm64"]);
        assert.deepStrictEqual(policyOf(run, "kong-eks-eks-node-images").Statement.find((s: any) => s.Sid === "PullImages").Resource, [repo.outputs.arn]);
        assert.strictEqual(image.inputs.dockerfile.inline.split("\n")[1], "FROM kong:3.9.3");
    });
});

describe("without kongPluginsDir, EKS releases run kongImage and leave plugins at its default", () => {
    it("Pulumi.eks.yaml as written", async function () {
        this.timeout(120_000);
        const run = await planStack("eks");
        assert.strictEqual(byType(run, "docker-build:index:Image").length, 0);
        assert.ok(!byType(run, "aws:iam/rolePolicy:RolePolicy").some(p => p.name.endsWith("-node-images")));
        for (const release of ["kong-cp", "kong-dp-public"]) {
            const r = rendered(run, release);
            assert.strictEqual(r.image.image, "kong:3.9.3");
            assert.strictEqual(r.env.KONG_PLUGINS, undefined);
        }
    });
});

describe("kongPlatforms: the plugin image's platforms from where Kong runs", () => {
    const base = { "aws:region": "eu-west-1", "kong-hybrid:domain": "kong-gw.example.com", "kong-hybrid:adminAllowedCidrs": '["203.0.113.0/24"]' };
    const eks = { "kong-hybrid:eksAdminPrincipalArns": '["arn:aws:iam::123456789012:role/deployer"]' };
    const group = (runtime: string, name = runtime) => ({ name, runtime, exposure: "public", minCount: 1, maxCount: 2 });
    const groups = (...g: object[]) => ({ "kong-hybrid:dataPlanes": JSON.stringify(g) });
    const cases: [string, Record<string, string>, string[]][] = [
        ["ECS only, Graviton tasks (the default)", {}, ["linux/arm64"]],
        ["ECS only, x86 tasks", { "kong-hybrid:cpuArchitecture": "X86_64" }, ["linux/amd64"]],
        ["CP on ECS, groups on ECS and Graviton EKS nodes", { ...eks, ...groups(group("ecs"), group("eks")) }, ["linux/arm64"]],
        ["CP on ECS, groups on ECS and x86 EKS nodes", { ...eks, ...groups(group("ecs"), group("eks")), "kong-hybrid:eksNodeInstanceType": "m7i.large" }, ["linux/amd64", "linux/arm64"]],
        ["x86 tasks, Graviton nodes", { ...eks, ...groups(group("eks")), "kong-hybrid:cpuArchitecture": "X86_64" }, ["linux/amd64", "linux/arm64"]],
        ["CP and groups on EKS, x86 nodes: the tasks' setting is moot", { ...eks, ...groups(group("eks")), "kong-hybrid:controlPlaneRuntime": "eks", "kong-hybrid:eksNodeInstanceType": "c7i.xlarge" }, ["linux/amd64"]],
        // (cpuArchitecture with the CP on EKS is refused by the config check: no ECS task would read it.)
        ["CP and groups on EKS, Graviton nodes", { ...eks, ...groups(group("eks")), "kong-hybrid:controlPlaneRuntime": "eks" }, ["linux/arm64"]],
    ];
    for (const [what, raw, expected] of cases) {
        it(`${what}: ${expected.join(" + ")}`, () => {
            assert.deepStrictEqual(kongPlatforms(parseConfig({ ...base, ...raw }, "test")), expected);
        });
    }
});

describe("the chart's image block for a pinned Kong image (chart 3.4.1 getRepoTag and effectiveVersion)", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const cases: [image: string, values: object, runs: string, version: string, label: string][] = [
        ["kong:3.9.3", { repository: "kong", tag: "3.9.3", effectiveSemver: "3.9.3" }, "kong:3.9.3", "3.9.3", "3.9"],
        ["kong/kong-gateway:3.15.0.4", { repository: "kong/kong-gateway", tag: "3.15.0.4", effectiveSemver: "3.15.0.4" }, "kong/kong-gateway:3.15.0.4", "3.15.0", "3.15"],
        [`kong:3.9.3@${digest}`, { repository: "kong", tag: `3.9.3@${digest}`, effectiveSemver: "3.9.3" }, `kong:3.9.3@${digest}`, "3.9.3", "3.9"],
        [`123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-dev/kong-gateway:3.10.0.2-plugins.0123456789ab@${digest}`,
            { repository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-dev/kong-gateway", tag: `3.10.0.2-plugins.0123456789ab@${digest}`, effectiveSemver: "3.10.0.2" },
            `123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-dev/kong-gateway:3.10.0.2-plugins.0123456789ab@${digest}`, "3.10.0", "3.10"],
    ];
    for (const [image, values, runs, version, label] of cases) {
        it(`${image.slice(0, 70)}: runs exactly that reference, labelled ${label}`, () => {
            const block = imageValues(kongImage(image));
            assert.deepStrictEqual(block, values);
            const out = chartImage(YAML.parse(YAML.stringify({ image: block })));
            assert.deepStrictEqual(out, { image: runs, version, versionLabel: label });
        });
    }
    it("split at the last colon, a digest becomes the tag and the chart's semver check fails the render", () => {
        assert.throws(() => chartImage({ image: { repository: "kong:3.9.3@sha256", tag: "a".repeat(64) } }), /^Error: chartImage: the chart's semver fails on "a{64}"/);
    });
});

describe("imageToRun: a release runs kong.image or an image built FROM it", () => {
    const base = kongImage("kong/kong-gateway:3.15.0.4");
    const plugin = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-dev/kong-gateway:3.15.0.4-plugins.0123456789ab@sha256:${"b".repeat(64)}`;
    it("the plugin image of the same Kong", () => {
        assert.deepStrictEqual(imageToRun(base, base.image), base);
        assert.deepStrictEqual(imageToRun(base, plugin), { ...base, image: plugin });
    });
    const refused: [string, RegExp][] = [
        ["kong/kong-gateway:3.14.0.13", /^Error: KongRelease: image kong\/kong-gateway:3\.14\.0\.13 runs enterprise Kong 3\.14\.0\.13, but the role is configured for kong\/kong-gateway:3\.15\.0\.4 \(enterprise 3\.15\.0\.4\)$/],
        ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-dev/kong:3.9.3-plugins.0123456789ab", /runs oss Kong 3\.9\.3, but the role is configured for kong\/kong-gateway:3\.15\.0\.4/],
    ];
    for (const [image, message] of refused) {
        it(`refuses ${image}`, () => assert.throws(() => imageToRun(base, image), message));
    }
});

describe("nodeImagePullPolicy: the kubelets pull exactly the stack's repositories", () => {
    const repo = "arn:aws:ecr:eu-west-1:123456789012:repository/kong-dev/kong";
    it("names each repository once, sorted, and logs in to ECR", () => {
        const p = nodeImagePullPolicy([repo, repo]);
        assert.deepStrictEqual(p.Statement.map(s => s.Resource), ["*", [repo]]);
        assert.deepStrictEqual(p.Statement[0].Action, "ecr:GetAuthorizationToken");
    });
    const refused: [string, string[], RegExp][] = [
        ["a wildcard repository", ["arn:aws:ecr:eu-west-1:123456789012:repository/*"], /^Error: node image pull: refusing wildcard resource arn:aws:ecr:eu-west-1:123456789012:repository\/\*$/],
        ["no repository", [], /^Error: node image pull: needs at least one resource ARN$/],
    ];
    for (const [what, arns, message] of refused) it(`refuses ${what}`, () => assert.throws(() => nodeImagePullPolicy(arns), message));
});
