import * as fs from "fs";
import * as path from "path";
import * as esbuild from "esbuild";

// The controller's code, bundled by esbuild when the Pulumi program runs: one CommonJS file that
// Lambda loads as index.js. The AWS SDK v3 clients are bundled too, not taken from the runtime:
// the Node.js 22 runtime ships an SDK whose version AWS changes without notice, while a bundle
// pins the version the tests ran against and changes the function only when the code or the
// lockfile does (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html "we recommend bundling").

/** The handler's source beside this file (.ts under ts-node, .js once compiled). */
function entryPoint(): string {
    for (const ext of [".ts", ".js"]) {
        const file = path.join(__dirname, `handler${ext}`);
        if (fs.existsSync(file)) return file;
    }
    throw new Error(`cp-scaler: no handler source in ${__dirname}`);
}

let cached: string | undefined;

/** The bundled handler (minified CommonJS exporting `handler`), deterministic for the same sources. */
export function bundleHandler(): string {
    if (cached === undefined) {
        const out = esbuild.buildSync({
            entryPoints: [entryPoint()],
            bundle: true,
            platform: "node",
            target: "node22",
            format: "cjs",
            minify: true,
            legalComments: "none",
            write: false,
            logLevel: "silent",
        });
        cached = out.outputFiles[0].text;
    }
    return cached;
}
