import * as assert from "assert";
import { parseConfig } from "../stacks/config";
import { configProblems } from "./support";
import { ecrPublicPath, pullThroughImage, pullThroughRepositoryArns, resolveImageSource } from "../components/ecs/image-source";

// Where tasks pull their images: the ECR pull-through cache of ECR Public (production default),
// and the config rule that refuses a stack without NAT whose tasks could not pull or start.

describe("ECR Public paths of the images the stack uses", () => {
    const table: [string, string | undefined][] = [
        // Docker official images are mirrored under docker/library/<name>.
        ["kong:3.9.3", "docker/library/kong:3.9.3"],
        ["library/kong:3.9.3", "docker/library/kong:3.9.3"],
        ["docker.io/library/kong:3.9.3", "docker/library/kong:3.9.3"],
        ["public.ecr.aws/docker/library/kong:3.9.3", "docker/library/kong:3.9.3"],
        // Not on ECR Public: they stay where they are.
        ["kong/deck:v1.65.1", undefined],
        ["kong/kong-gateway:3.15.0.4", undefined],
        ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-custom:3.9.3", undefined],
        ["ghcr.io/acme/kong:3.9.3", undefined],
    ];
    for (const [image, path] of table) it(`${image} → ${path ?? "not on ECR Public"}`, () => assert.strictEqual(ecrPublicPath(image), path));

    it("the cache serves kong:3.9.3 from this account's registry, under the stack's prefix", () => {
        assert.strictEqual(pullThroughImage("kong:3.9.3", { ecrRepositoryPrefix: "kong-prod-ecr-public" }, "123456789012", "eu-west-1"),
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-prod-ecr-public/docker/library/kong:3.9.3");
    });
    it("the execution role gets exactly the cached repositories of its images (no tag, no wildcard)", () => {
        const cache = { ecrRepositoryPrefix: "kong-prod-ecr-public" };
        assert.deepStrictEqual(pullThroughRepositoryArns(["kong:3.9.3", "kong/deck:v1.65.1", "kong:3.9.3"], cache, "aws", "123456789012", "eu-west-1"),
            ["arn:aws:ecr:eu-west-1:123456789012:repository/kong-prod-ecr-public/docker/library/kong"]);
        assert.deepStrictEqual(pullThroughRepositoryArns(["kong:3.9.3"], undefined, "aws", "123456789012", "eu-west-1"), []);
        assert.deepStrictEqual(pullThroughRepositoryArns(["kong/kong-gateway:3.15.0.4"], cache, "aws", "123456789012", "eu-west-1"), []);
    });
    it("imageSource auto: the cache in production, Docker Hub elsewhere", () => {
        assert.strictEqual(resolveImageSource("auto", true), "ecr-pull-through");
        assert.strictEqual(resolveImageSource("auto", false), "docker-hub");
        assert.strictEqual(resolveImageSource("docker-hub", true), "docker-hub");
        assert.strictEqual(resolveImageSource("ecr-pull-through", false), "ecr-pull-through");
    });
});

describe("config: image source and natMode none", () => {
    const base: Record<string, string> = {
        "aws:region": "eu-west-1",
        "kong-hybrid:domain": "kong-gw.example.com",
        "kong-hybrid:adminAllowedCidrs": '["203.0.113.0/24"]',
    };
    const problems = (overrides: Record<string, string>): string[] => {
        const raw = { ...base, ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => [`kong-hybrid:${k}`, v])) };
        return configProblems(raw);
    };
    const ENDPOINTS = '["ecr.api","ecr.dkr","logs","secretsmanager"]';
    const DECK_ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/deck:v1.65.1";
    const table: [string, Record<string, string>, string[]][] = [
        ["natMode none on Docker Hub, no endpoints",
            { natMode: "none", imageSource: "docker-hub" },
            ['kong-hybrid:natMode = "none": tasks could not pull their images or read their secrets without interfaceEndpoints ecr.api, ecr.dkr, logs, secretsmanager and a private ECR copy of kong:3.9.3, kong/deck:v1.65.1 (imageSource ecr-pull-through serves Docker official images such as kong:3.9.3; deckImage may name an ECR mirror)']],
        ["natMode none with the cache and endpoints, decK still on Docker Hub",
            { natMode: "none", imageSource: "ecr-pull-through", interfaceEndpoints: ENDPOINTS },
            ['kong-hybrid:natMode = "none": tasks could not pull their images or read their secrets without a private ECR copy of kong/deck:v1.65.1 (imageSource ecr-pull-through serves Docker official images such as kong:3.9.3; deckImage may name an ECR mirror)']],
        ["natMode none with the cache and a decK mirror, one endpoint short",
            { natMode: "none", imageSource: "ecr-pull-through", deckImage: DECK_ECR, interfaceEndpoints: '["ecr.api","ecr.dkr","logs"]' },
            ['kong-hybrid:natMode = "none": tasks could not pull their images or read their secrets without interfaceEndpoints secretsmanager']],
        ["natMode none with every private path", { natMode: "none", imageSource: "ecr-pull-through", deckImage: DECK_ECR, interfaceEndpoints: ENDPOINTS }, []],
        ["natMode none in production: auto means the cache", { natMode: "none", production: "true", deckImage: DECK_ECR, interfaceEndpoints: ENDPOINTS }, []],
        ["NAT present: Docker Hub is fine", { natMode: "gateway-single", imageSource: "docker-hub" }, []],
        ["unknown image source", { imageSource: "quay" }, ['kong-hybrid:imageSource = "quay": must be one of auto, ecr-pull-through, docker-hub']],
        ["unpinned decK image", { deckImage: "kong/deck" }, ['kong-hybrid:deckImage = "kong/deck": must be a pinned image such as kong/deck:v1.65.1 or an ECR copy of it']],
    ];
    for (const [name, overrides, expected] of table) {
        it(name, () => assert.deepStrictEqual(problems(overrides), expected));
    }
    it("the resolved source and decK image reach the stack config", () => {
        const cfg = parseConfig({ ...base, "kong-hybrid:production": "true" }, "test");
        assert.strictEqual(cfg.kong.imageSource, "ecr-pull-through");
        assert.strictEqual(cfg.kong.deckImage, "kong/deck:v1.65.1");
        assert.strictEqual(parseConfig(base, "test").kong.imageSource, "docker-hub");
    });
});
