import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { kongPluginsSetting } from "./settings";

// Custom Kong plugins, the same on every node. A plugin configured on the CP but missing on a DP
// stops config sync for that DP, so one image carries them all: built FROM the stack's Kong image,
// the plugins copied to Kong's Lua path, pushed to ECR, tagged by a hash of the folder, and run by
// the CP and every DP group, on ECS and on EKS, with the same KONG_PLUGINS.
// How Kong loads them: https://developer.konghq.com/custom-plugins/get-started/deploy-plugins

/** Where the official Kong images look for plugins (`kong.plugins.<name>` on the Lua path). */
export const PLUGIN_LUA_DIR = "/usr/local/share/lua/5.1/kong/plugins";

/** The files Kong requires of every plugin. */
export const REQUIRED_FILES = ["handler.lua", "schema.lua"] as const;

/** Kong plugin names: lowercase letters, digits and dashes (they become module and config names). */
const PLUGIN_NAME = /^[a-z][a-z0-9-]*$/;

export interface PluginFolder {
    /** The folder as the stack names it, for messages. */
    label: string;
    /** Plugin names: the folder's sub-folders, sorted. */
    names: string[];
    /** Content hash of every file (paths and bytes): the image tag changes exactly when a plugin does. */
    hash: string;
}

/** Reads a folder of plugins (one sub-folder each); problems are one line each, naming the folder and what is missing. */
export function readPluginFolder(dir: string, label = dir): PluginFolder | { problems: string[] } {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return { problems: [`${label}: not a folder of Kong plugins (one sub-folder per plugin, each with ${REQUIRED_FILES.join(" and ")})`] };
    const entries = fs.readdirSync(dir, { withFileTypes: true }).filter(e => !e.name.startsWith(".")).sort((a, b) => a.name.localeCompare(b.name));
    const problems: string[] = [];
    const names: string[] = [];
    for (const e of entries) {
        if (!e.isDirectory()) {
            problems.push(`${label}/${e.name}: not a folder; each plugin is a sub-folder named after the plugin`);
            continue;
        }
        if (!PLUGIN_NAME.test(e.name)) problems.push(`${label}/${e.name}: "${e.name}" is not a Kong plugin name (lowercase letters, digits and dashes, starting with a letter)`);
        const missing = REQUIRED_FILES.filter(f => !fs.existsSync(path.join(dir, e.name, f)));
        if (missing.length > 0) problems.push(`${label}/${e.name}: missing ${missing.join(" and ")} (Kong loads kong.plugins.${e.name}.handler and .schema)`);
        names.push(e.name);
    }
    if (names.length === 0 && problems.length === 0) problems.push(`${label}: no plugin folders in it`);
    const bundled = names.filter(n => n === "bundled");
    if (bundled.length) problems.push(`${label}/bundled: "bundled" is Kong's name for its own plugins; rename the folder`);
    return problems.length > 0 ? { problems } : { label, names, hash: folderHash(dir) };
}

/** sha256 over every file's relative path and bytes, in a stable order; 12 hex digits are enough for a tag. */
export function folderHash(dir: string): string {
    const h = crypto.createHash("sha256");
    const walk = (rel: string) => {
        for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).filter(x => !x.name.startsWith(".")).sort((a, b) => a.name.localeCompare(b.name))) {
            const child = path.posix.join(rel, e.name);
            if (e.isDirectory()) walk(child);
            else h.update(`${child}\0`).update(fs.readFileSync(path.join(dir, child))).update("\0");
        }
    };
    walk("");
    return h.digest("hex").slice(0, 12);
}

// KONG_PLUGINS for every role: the one rule lives with the runtime-neutral settings.
export { kongPluginsSetting } from "./settings";

/** Refuses DP groups whose plugin set is not the CP's: one line per group, naming the difference. */
export function pluginSetProblems(controlPlane: readonly string[], dataPlanes: readonly { group: string; plugins: readonly string[] }[]): string[] {
    const cp = new Set(controlPlane);
    return dataPlanes.flatMap(({ group, plugins }) => {
        const dp = new Set(plugins);
        const missing = [...cp].filter(p => !dp.has(p)).sort();
        const extra = [...dp].filter(p => !cp.has(p)).sort();
        if (missing.length === 0 && extra.length === 0) return [];
        const parts = [...(missing.length ? [`missing ${missing.join(", ")}`] : []), ...(extra.length ? [`has ${extra.join(", ")} the CP lacks`] : [])];
        return [`DP group ${group}: plugins differ from the Control Plane's (${parts.join("; ")}): a DP without a plugin the CP configures stops syncing; give every role the same plugins`];
    });
}

/** The Dockerfile the image is built from: the stack's Kong image plus one COPY per plugin. */
export function pluginDockerfile(baseImage: string, names: readonly string[]): string {
    return [
        "# Generated by components/kong/plugins.ts: the stack's Kong image with its custom plugins.",
        `FROM ${baseImage}`,
        ...[...names].sort().map(n => `COPY ${n}/ ${PLUGIN_LUA_DIR}/${n}/`),
        "",
    ].join("\n");
}

/**
 * The image tag: the base image's version, then a hash of the plugins and the exact base image (a
 * new digest of the same version is a new image; the repository's tags are immutable). Stays a Kong
 * version tag (`3.9.3-plugins.<hash>`), so the image still parses for its Kong version and edition.
 */
export function pluginImageTag(baseImage: string, folderHash: string): string {
    const named = baseImage.split("@")[0];
    const version = named.slice(named.lastIndexOf(":") + 1).replace(/-.*$/, "");
    const hash = crypto.createHash("sha256").update(`${baseImage}\0${folderHash}`).digest("hex").slice(0, 12);
    return `${version}-plugins.${hash}`;
}

/** The ECR repository name: ends like the base repository, so `kong-gateway` still means Enterprise. */
export function pluginRepositoryName(namePrefix: string, baseImage: string): string {
    const named = baseImage.split("@")[0];
    const repo = named.slice(0, named.lastIndexOf(":")).split("/").pop()!;
    return `${namePrefix}/${repo}`;
}

/**
 * Keep the last 10 plugin images (rollbacks), counted by their tags only. A multi-platform build
 * pushes an untagged manifest per platform under its tagged index, and a rule over `any` image
 * would count those too and could expire a platform image a kept index still lists
 * (https://github.com/aws/containers-roadmap/issues/1466). Untagged images are never expired here:
 * the orphans of an expired index cost cents.
 */
export function pluginLifecyclePolicy() {
    return {
        rules: [{
            rulePriority: 1,
            description: "keep the last 10 plugin images (rollbacks), by tag",
            selection: { tagStatus: "tagged", tagPatternList: ["*-plugins.*"], countType: "imageCountMoreThan", countNumber: 10 },
            action: { type: "expire" },
        }],
    };
}

/** What a Kong runtime needs of a plugin image: the image to run, its repository (to grant the pull) and the plugins it carries. */
export interface PluginImageRef {
    /** repository:tag@sha256:…, built FROM the role's Kong image. */
    imageRef: pulumi.Input<string>;
    /** The ECR repository's ARN: the execution role may pull exactly from it. */
    repositoryArn: pulumi.Input<string>;
    /** Plugin names, for `plugins` (KONG_PLUGINS). */
    pluginNames: readonly string[];
}

/** The platforms Kong nodes run on: the ECS tasks' and the EKS nodes' architectures. */
export type KongPlatform = "linux/arm64" | "linux/amd64";

export interface KongPluginImageArgs {
    /** Prefix of physical names, e.g. kong-dev. */
    namePrefix: string;
    /** The folder of plugins, absolute (the stack's `kongPluginsDir`, resolved from the project root). */
    folder: string;
    /** The stack's Kong image, e.g. kong:3.9.3 or its pull-through-cache copy. */
    baseImage: string;
    /** Every platform a Kong node of the stack runs on (ECS tasks, EKS nodes): two make a multi-platform image (one manifest list). */
    platforms: readonly KongPlatform[];
    /** The stack key: encrypts the repository. */
    kmsKeyArn: pulumi.Input<string>;
    /** Delete the repository with its images on destroy (non-production). @default false */
    forceDelete?: boolean;
    tags?: Record<string, string>;
}

/** One image with the stack's plugins, in the stack's ECR repository; `imageRef` is what the CP and every DP group run. */
export class KongPluginImage extends pulumi.ComponentResource implements PluginImageRef {
    /** repository:tag@sha256:…, pinned by digest. */
    readonly imageRef: pulumi.Output<string>;
    readonly repositoryUrl: pulumi.Output<string>;
    readonly repositoryArn: pulumi.Output<string>;
    /** KONG_PLUGINS, the same for the CP and every DP group. */
    readonly kongPlugins: string;
    readonly pluginNames: string[];

    constructor(name: string, args: KongPluginImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kong:plugins:KongPluginImage", name, {}, opts);
        const folder = readPluginFolder(args.folder);
        if ("problems" in folder) throw new Error(folder.problems.join("\n"));
        const parent = { parent: this };
        if (args.platforms.length === 0) throw new Error("KongPluginImage: platforms is empty; name the platform of every Kong node (linux/arm64, linux/amd64)");

        const repo = new aws.ecr.Repository(`${name}-repo`, {
            name: pluginRepositoryName(args.namePrefix, args.baseImage),
            // Tags are content hashes: a tag never moves.
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
            forceDelete: args.forceDelete ?? false,
            tags: args.tags,
        }, parent);
        new aws.ecr.LifecyclePolicy(`${name}-lifecycle`, {
            repository: repo.name,
            policy: JSON.stringify(pluginLifecyclePolicy()),
        }, parent);

        const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repo.registryId }, parent);
        const image = new dockerBuild.Image(`${name}-image`, {
            context: { location: args.folder },
            dockerfile: { inline: pluginDockerfile(args.baseImage, folder.names) },
            // A Dockerfile of COPY lines needs no emulation to build for another CPU; two platforms push one manifest list.
            platforms: [...new Set(args.platforms)].sort() as dockerBuild.Platform[],
            tags: [pulumi.interpolate`${repo.repositoryUrl}:${pluginImageTag(args.baseImage, folder.hash)}`],
            push: true,
            registries: [{ address: repo.repositoryUrl, username: auth.userName, password: auth.password }],
            // A preview without Docker still plans; the build runs on up.
            buildOnPreview: false,
        }, parent);

        this.imageRef = image.ref;
        this.repositoryUrl = repo.repositoryUrl;
        this.repositoryArn = repo.arn;
        this.kongPlugins = kongPluginsSetting(folder.names);
        this.pluginNames = folder.names;
        this.registerOutputs({ imageRef: this.imageRef, repositoryUrl: this.repositoryUrl });
    }
}
