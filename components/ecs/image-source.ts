// Where ECS pulls the task images from.
//
// Docker Hub limits anonymous pulls per source IP, all tasks share the NAT addresses, and Fargate
// keeps no image cache: a scale-out or a rollout can fail with `toomanyrequests`. An ECR
// pull-through cache with ECR Public as upstream needs no credentials and keeps a copy in the
// account's private registry after the first pull. Docker's official images are mirrored on ECR
// Public under docker/library/<name> (https://gallery.ecr.aws/docker/library/kong), with the tags
// of https://github.com/docker-library/official-images/blob/master/library/kong (3.9.3 among them):
// `kong:3.9.3` is public.ecr.aws/docker/library/kong:3.9.3. Other Docker Hub repositories (kong/deck,
// kong/kong-gateway) are not on ECR Public: they stay on Docker Hub unless the config names an
// image already in private ECR (a mirror).

import type * as pulumi from "@pulumi/pulumi";

export type ImageSource = "docker-hub" | "ecr-pull-through";

/** The pull-through cache rule a stack creates: ECR Public, under this repository prefix. */
export interface PullThroughCache {
    /** ECR repository prefix of the rule, e.g. kong-prod-ecr-public (2-30 characters, lower case). */
    ecrRepositoryPrefix: string;
    /** The rule resource, when the stack creates it: ECS services wait for it before their first pull. */
    rule?: pulumi.Resource;
}

export const ECR_PUBLIC_REGISTRY = "public.ecr.aws";

/** The rule's repository prefix for a stack name prefix (unique per stack, so two stacks in one account do not collide). */
export function pullThroughPrefix(namePrefix: string): string {
    return `${namePrefix}-ecr-public`;
}

/**
 * The path of an image on ECR Public, or undefined when it is not there: a Docker official image
 * (`kong:3.9.3`, `library/kong:3.9.3`, `docker.io/library/kong:3.9.3`) maps to docker/library/…,
 * and a `public.ecr.aws/…` image maps to itself.
 */
export function ecrPublicPath(image: string): string | undefined {
    const parts = image.split("/");
    const host = parts.length > 1 && /[.:]/.test(parts[0]) ? parts.shift()! : "docker.io";
    if (host === ECR_PUBLIC_REGISTRY) return parts.join("/");
    if (host !== "docker.io" && host !== "registry-1.docker.io") return undefined;
    if (parts.length === 2 && parts[0] === "library") parts.shift();
    return parts.length === 1 ? `docker/library/${parts[0]}` : undefined;
}

/** Where the account's ECR serves the image through the cache rule, or undefined when the rule cannot serve it. */
export function pullThroughImage(image: string, cache: PullThroughCache, account: string, region: string): string | undefined {
    const path = ecrPublicPath(image);
    return path ? `${account}.dkr.ecr.${region}.amazonaws.com/${cache.ecrRepositoryPrefix}/${path}` : undefined;
}

/** The image a container definition names: through the cache when there is one and it serves the image, else as written. */
export function containerImage(image: string, cache: PullThroughCache | undefined, account: string, region: string): string {
    return (cache && pullThroughImage(image, cache, account, region)) ?? image;
}

/**
 * The repositories the cache creates for these images (for the execution role): exactly one per
 * image it serves, <prefix>/docker/library/kong for kong:3.9.3; none without a cache.
 */
export function pullThroughRepositoryArns(images: readonly string[], cache: PullThroughCache | undefined, partition: string, account: string, region: string): string[] {
    if (!cache) return [];
    const repositories = images.map(ecrPublicPath).filter((p): p is string => !!p).map(p => p.replace(/(@.*|:[^/]*)$/, ""));
    return [...new Set(repositories)].sort().map(r => `arn:${partition}:ecr:${region}:${account}:repository/${cache.ecrRepositoryPrefix}/${r}`);
}

/** `auto` is the default: production stacks pull through the cache, others straight from Docker Hub. */
export function resolveImageSource(setting: ImageSource | "auto", production: boolean): ImageSource {
    return setting === "auto" ? (production ? "ecr-pull-through" : "docker-hub") : setting;
}

/** Whether a task in a subnet without NAT could pull the image (over the ECR endpoints): a private ECR image, or one the cache serves. */
export function pullableWithoutInternet(image: string, source: ImageSource): boolean {
    return /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(image) || (source === "ecr-pull-through" && ecrPublicPath(image) !== undefined);
}
