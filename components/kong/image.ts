import * as fs from "fs";
import * as path from "path";

// Which Kong an image runs decides which kong.conf keys exist (Kong ignores unknown ones silently)
// and whether a licence is needed. Sources: docs/facts/kong-hybrid.md §1, §2, §7.

export type KongEdition = "oss" | "enterprise";

export interface KongImage {
    image: string;
    edition: KongEdition;
    major: number;
    minor: number;
    /** The full version as tagged: 3.9.3 (open source) or 3.15.0.4 (Enterprise). */
    version: string;
    /** Which key list (components/kong/keys/<name>.txt) validates the settings for this image. */
    keyList: "oss-3.9.3" | "ee-3.9" | "ee-3.15";
}

/** Oldest minor supported: PEM content in cluster_cert (3.1), /status/ready (3.3), no Cassandra (3.4). */
export const MIN_MINOR = 4;

/**
 * Parses a pinned Kong image such as `kong:3.9.3`, `kong/kong-gateway:3.15.0.4` or
 * `123456789012.dkr.ecr.eu-west-1.amazonaws.com/kong-custom:3.9.3`. A repository whose name
 * ends in `kong-gateway` is Enterprise; any other is the open-source build.
 */
export function parseKongImage(image: string): KongImage | { error: string } {
    // name:tag@sha256:<64 hex> is the strongest pin: the tag says which Kong, the digest which bytes.
    const at = image.indexOf("@");
    if (at >= 0) {
        const [named, digest] = [image.slice(0, at), image.slice(at + 1)];
        if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return { error: `has digest "${digest}": a digest is sha256: followed by 64 lowercase hex digits` };
        if (named.lastIndexOf(":") <= named.lastIndexOf("/")) {
            return { error: "is pinned by digest only: add the version tag too, e.g. kong:3.9.3@sha256:…, because the version decides which Kong settings exist" };
        }
        const parsed = parseKongImage(named);
        return "error" in parsed ? parsed : { ...parsed, image };
    }
    const slash = image.lastIndexOf("/");
    const colon = image.lastIndexOf(":");
    if (colon <= slash) return { error: "has no tag: pin a version such as kong:3.9.3" };
    const repo = image.slice(0, colon);
    const tag = image.slice(colon + 1);
    const m = /^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?(?:-[a-z0-9.]+)?$/.exec(tag);
    if (!m) return { error: `has tag "${tag}", which is not a version: pin a version such as kong:3.9.3` };
    const edition: KongEdition = repo.split("/").pop()!.endsWith("kong-gateway") ? "enterprise" : "oss";
    const major = Number(m[1]);
    const minor = Number(m[2]);
    const version = tag.replace(/-.*$/, "");
    if (major !== 3 || minor < MIN_MINOR) {
        return { error: `runs Kong ${version}: Kong 3.${MIN_MINOR} or newer in the 3.x line is required` };
    }
    if (edition === "enterprise" && m[4] === undefined) {
        return { error: `has tag "${tag}": Enterprise images use four-part tags such as 3.15.0.4` };
    }
    if (edition === "oss" && minor > 9) {
        return { error: `runs open-source Kong ${version}: the last open-source release is 3.9.3; use kong/kong-gateway for 3.10+` };
    }
    const keyList = edition === "oss" ? "oss-3.9.3" : minor <= 9 ? "ee-3.9" : "ee-3.15";
    return { image, edition, major, minor, version, keyList };
}

/** Throwing form for code paths that run after config validation. */
export function kongImage(image: string): KongImage {
    const parsed = parseKongImage(image);
    if ("error" in parsed) throw new Error(`Kong image ${image} ${parsed.error}`);
    return parsed;
}

/** Enterprise images from 3.10 have no free mode: without a licence they act as expired (3.15: read-only Admin API). */
export function needsLicence(k: KongImage): boolean {
    return k.edition === "enterprise" && k.minor >= 10;
}

const keyCache = new Map<string, ReadonlySet<string>>();

/** The kong.conf keys of the image's Kong version (see keys/SOURCES.md). */
export function kongConfKeys(k: KongImage): ReadonlySet<string> {
    let keys = keyCache.get(k.keyList);
    if (!keys) {
        const text = fs.readFileSync(path.join(__dirname, "keys", `${k.keyList}.txt`), "utf8");
        keys = new Set(text.split("\n").map(l => l.trim()).filter(Boolean));
        keyCache.set(k.keyList, keys);
    }
    return keys;
}

/** Env vars that are not kong.conf keys but are read by Kong all the same. */
const NON_CONF_ENV = new Set(["KONG_LICENSE_DATA", "KONG_LICENSE_PATH"]);

/**
 * The `KONG_*` names among `envNames` that the image's Kong would silently ignore.
 * Kong merges only kong_defaults keys plus nginx_<ns>_*, pluginserver_* and vault_* (conf_loader).
 */
export function unknownKongEnvNames(envNames: readonly string[], k: KongImage): string[] {
    const keys = kongConfKeys(k);
    return envNames.filter(name => {
        if (!name.startsWith("KONG_") || NON_CONF_ENV.has(name)) return false;
        const key = name.slice("KONG_".length).toLowerCase();
        if (keys.has(key)) return false;
        return !/^(nginx_[a-z]+_.+|pluginserver_.+|vault_.+)$/.test(key);
    });
}
