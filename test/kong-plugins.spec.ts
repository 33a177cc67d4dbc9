import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { byType, ROOT, runProgram, type ProgramRun } from "../offline/harness";
import { parseKongImage } from "../components/kong/image";
import {
    folderHash, KongPluginImage, kongPluginsSetting, PLUGIN_LUA_DIR, pluginDockerfile, pluginImageTag, pluginRepositoryName, pluginSetProblems, readPluginFolder,
} from "../components/kong/plugins";
import { matchesSnapshot } from "./support/snapshot";

// Custom Kong plugins: the folder a stack names, the Dockerfile built from it, the image in ECR and
// KONG_PLUGINS, the same for the CP and every DP group.

const EXAMPLES = path.join(ROOT, "examples", "plugins");

function tempPlugins(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plugins-"));
    for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
    }
    return dir;
}

describe("Kong plugins: one image for every node", () => {
    it("reads the example folder: plugin names from the sub-folders", () => {
        const folder = readPluginFolder(EXAMPLES, "examples/plugins");
        assert.ok(!("problems" in folder), JSON.stringify(folder));
        assert.deepStrictEqual(folder.names, ["request-stamp"]);
        assert.match(folder.hash, /^[0-9a-f]{12}$/);
    });

    const bad: { name: string; files: Record<string, string>; problems: RegExp[] }[] = [
        { name: "a plugin without schema.lua", files: { "stamp/handler.lua": "return {}" }, problems: [/^plugins\/stamp: missing schema\.lua \(Kong loads kong\.plugins\.stamp\.handler and \.schema\)$/] },
        { name: "a plugin with neither file", files: { "stamp/README.md": "x" }, problems: [/^plugins\/stamp: missing handler\.lua and schema\.lua/] },
        { name: "a name Kong cannot load", files: { "My_Plugin/handler.lua": "", "My_Plugin/schema.lua": "" }, problems: [/^plugins\/My_Plugin: "My_Plugin" is not a Kong plugin name/] },
        { name: "a loose file", files: { "handler.lua": "" }, problems: [/^plugins\/handler\.lua: not a folder; each plugin is a sub-folder/] },
        { name: "an empty folder", files: {}, problems: [/^plugins: no plugin folders in it$/] },
        { name: "a plugin called bundled", files: { "bundled/handler.lua": "", "bundled/schema.lua": "" }, problems: [/^plugins\/bundled: "bundled" is Kong's name for its own plugins/] },
    ];
    for (const b of bad) {
        it(`refuses ${b.name}, one line each`, () => {
            const r = readPluginFolder(tempPlugins(b.files), "plugins");
            assert.ok("problems" in r);
            assert.strictEqual(r.problems.length, b.problems.length, r.problems.join("\n"));
            b.problems.forEach((re, i) => assert.match(r.problems[i], re));
        });
    }
    it("refuses a path that is not a folder", () => {
        const r = readPluginFolder(path.join(EXAMPLES, "request-stamp", "handler.lua"), "plugins/x");
        assert.deepStrictEqual(r, { problems: ["plugins/x: not a folder of Kong plugins (one sub-folder per plugin, each with handler.lua and schema.lua)"] });
    });

    it("the hash changes exactly when a plugin's content or layout changes", () => {
        const files = { "a/handler.lua": "return {}", "a/schema.lua": "return { name = 'a' }" };
        const [one, same] = [tempPlugins(files), tempPlugins(files)];
        assert.strictEqual(folderHash(one), folderHash(same), "same content, same tag");
        assert.notStrictEqual(folderHash(tempPlugins({ ...files, "a/handler.lua": "return { PRIORITY = 1 }" })), folderHash(one));
        assert.notStrictEqual(folderHash(tempPlugins({ "b/handler.lua": "return {}", "b/schema.lua": "return { name = 'a' }" })), folderHash(one), "a renamed plugin");
    });

    const settings: [string[], string][] = [
        [[], "bundled"],
        [["request-stamp"], "bundled,request-stamp"],
        [["zeta", "alpha", "zeta"], "bundled,alpha,zeta"],
    ];
    for (const [names, expected] of settings) it(`KONG_PLUGINS for ${JSON.stringify(names)} is ${expected}`, () => assert.strictEqual(kongPluginsSetting(names), expected));

    it("refuses DP groups whose plugin set differs from the CP's, naming group and difference", () => {
        const problems = pluginSetProblems(["request-stamp", "audit"], [
            { group: "dp-public", plugins: ["audit", "request-stamp"] },
            { group: "dp-internal", plugins: ["audit"] },
            { group: "dp-partner", plugins: ["audit", "request-stamp", "geo"] },
        ]);
        assert.deepStrictEqual(problems, [
            "DP group dp-internal: plugins differ from the Control Plane's (missing request-stamp): a DP without a plugin the CP configures stops syncing; give every role the same plugins",
            "DP group dp-partner: plugins differ from the Control Plane's (has geo the CP lacks): a DP without a plugin the CP configures stops syncing; give every role the same plugins",
        ]);
    });

    it("the Dockerfile copies each plugin onto Kong's Lua path (snapshot)", () => {
        const text = pluginDockerfile("kong:3.9.3", ["request-stamp", "audit"]);
        matchesSnapshot("plugins/Dockerfile.yaml", text);
        assert.ok(text.includes(`COPY request-stamp/ ${PLUGIN_LUA_DIR}/request-stamp/`));
        assert.strictEqual(text.split("\n")[1], "FROM kong:3.9.3");
    });

    const images: [string, string, RegExp][] = [
        ["kong:3.9.3", "kong-dev/kong", /^3\.9\.3-plugins\.[0-9a-f]{12}$/],
        ["kong/kong-gateway:3.15.0.4", "kong-dev/kong-gateway", /^3\.15\.0\.4-plugins\.[0-9a-f]{12}$/],
        [`123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-dev-ecr-public/docker/library/kong:3.9.3@sha256:${"a".repeat(64)}`, "kong-dev/kong", /^3\.9\.3-plugins\.[0-9a-f]{12}$/],
    ];
    it("the tag changes with the plugins and with the exact base image, not otherwise", () => {
        const tag = pluginImageTag("kong:3.9.3", "0123456789ab");
        assert.strictEqual(pluginImageTag("kong:3.9.3", "0123456789ab"), tag);
        assert.notStrictEqual(pluginImageTag("kong:3.9.3", "0123456789ac"), tag);
        assert.notStrictEqual(pluginImageTag(`kong:3.9.3@sha256:${"b".repeat(64)}`, "0123456789ab"), tag, "a new digest of the same version");
    });
    for (const [base, repo, tag] of images) {
        it(`${base.slice(0, 60)}: repository ${repo}, tag ${tag}, still the same Kong`, () => {
            assert.strictEqual(pluginRepositoryName("kong-dev", base), repo);
            assert.match(pluginImageTag(base, "0123456789ab"), tag);
            const [built, original] = [parseKongImage(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/${repo}:${pluginImageTag(base, "0123456789ab")}`), parseKongImage(base)];
            assert.ok(!("error" in built) && !("error" in original), JSON.stringify(built));
            assert.deepStrictEqual([built.edition, built.version, built.keyList], [original.edition, original.version, original.keyList]);
        });
    }

    describe("under the mock runtime", () => {
        let run: Promise<ProgramRun> | undefined;
        const planned = () => (run ??= runProgram(() => {
            const img = new KongPluginImage("plugins", {
                namePrefix: "kong-dev", folder: EXAMPLES, baseImage: "kong:3.9.3", platforms: ["linux/arm64"],
                kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd", tags: { stack: "dev" },
            });
            return { imageRef: img.imageRef, kongPlugins: img.kongPlugins };
        }, { config: { "aws:region": "eu-west-1" } }));

        it("builds FROM the stack's Kong image, pushes to the stack's ECR repository, tagged by the folder's hash", async () => {
            const r = await planned();
            const [repo] = byType(r, "aws:ecr/repository:Repository");
            assert.deepStrictEqual([repo.inputs.name, repo.inputs.imageTagMutability, repo.inputs.encryptionConfigurations[0].encryptionType], ["kong-dev/kong", "IMMUTABLE", "KMS"]);
            const [image] = byType(r, "docker-build:index:Image");
            const folder = readPluginFolder(EXAMPLES) as { names: string[]; hash: string };
            assert.strictEqual(image.inputs.dockerfile.inline, pluginDockerfile("kong:3.9.3", ["request-stamp"]));
            assert.strictEqual(image.inputs.context.location, EXAMPLES);
            const tag = pluginImageTag("kong:3.9.3", folder.hash);
            assert.deepStrictEqual(image.inputs.tags, [`${repo.outputs.repositoryUrl}:${tag}`]);
            assert.deepStrictEqual(image.inputs.platforms, ["linux/arm64"]);
            assert.strictEqual(image.inputs.push, true);
            assert.deepStrictEqual(image.inputs.registries.map((x: any) => [x.address, x.username]), [[repo.outputs.repositoryUrl, "AWS"]]);
            // The CP and every DP group run this reference: the tag pinned by the pushed digest.
            assert.match(r.outputs.imageRef, new RegExp(`^123456789012\\.dkr\\.ecr\\.eu-west-1\\.amazonaws\\.com/kong-dev/kong:${tag.replace(/\./g, "\\.")}@sha256:[0-9a-f]{64}$`));
            const parsed = parseKongImage(r.outputs.imageRef);
            assert.ok(!("error" in parsed) && parsed.version === "3.9.3" && parsed.edition === "oss");
            assert.strictEqual(r.outputs.kongPlugins, "bundled,request-stamp");
        });

        it("the lifecycle policy ECR receives keeps the last 10 images by their tags: the pushed tag matches, untagged platform manifests are never counted", async () => {
            const r = await planned();
            const [policy] = byType(r, "aws:ecr/lifecyclePolicy:LifecyclePolicy");
            const rules = JSON.parse(policy.inputs.policy).rules;
            assert.deepStrictEqual(rules.map((x: any) => [x.selection.tagStatus, x.selection.countType, x.selection.countNumber, x.action.type]), [["tagged", "imageCountMoreThan", 10, "expire"]]);
            // ECR's tag patterns: * matches any run of characters.
            const matches = (pattern: string, tag: string) => new RegExp(`^${pattern.split("*").map(p => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(tag);
            const tag = pluginImageTag("kong:3.9.3", (readPluginFolder(EXAMPLES) as { hash: string }).hash);
            assert.ok(rules[0].selection.tagPatternList.some((p: string) => matches(p, tag)), `${tag} is counted`);
            assert.ok(!rules[0].selection.tagPatternList.some((p: string) => matches(p, "3.9.3")), "a tag that is not a plugin image's is not");
        });
    });
});
