// What the offline tools (plan, check, policy, bench) share: exit codes, argument parsing, paths
// as the user typed them, and output streams a test can capture. Nothing here loads Pulumi, so
// `--help` and usage errors answer at once.

import * as fs from "fs";
import * as path from "path";

/** The tools' exit codes, one table for all (the README shows it). */
export const EXIT = {
    /** The plan, check or policy run passed. */
    pass: 0,
    /** Invalid stack or policy config, a mandatory policy violation, or the program failed. */
    fail: 1,
    /** Usage error: unknown option, missing value, no such stack or file, unwritable output. */
    usage: 2,
} as const;

export const EXIT_CODES_HELP = `exit codes:
  0  pass
  1  invalid configuration (stack file or policy config), a mandatory policy violation, or the program failed
  2  usage error: unknown option, missing value, no such stack or file, output not writable`;

/** Where output goes; tests pass their own to capture it. Progress goes to err, results to out. */
export interface Io {
    out(line: string): void;
    err(line: string): void;
    /** The directory relative paths are read from: where the user ran `npm run` (INIT_CWD). */
    cwd: string;
}

export function processIo(): Io {
    // `npm run plan | head` closes the pipe early: stop quietly, as other command-line tools do.
    for (const stream of [process.stdout, process.stderr]) {
        stream.on("error", (e: NodeJS.ErrnoException) => { if (e.code === "EPIPE") process.exit(process.exitCode ?? 0); else throw e; });
    }
    return {
        out: line => process.stdout.write(`${line}\n`),
        err: line => process.stderr.write(`${line}\n`),
        // npm run changes to the package root; INIT_CWD is where the user stands.
        cwd: process.env.INIT_CWD ?? process.cwd(),
    };
}

export class UsageError extends Error {}

export interface OptionSpec {
    /** Options that take a value, e.g. "--stack". */
    withValue: readonly string[];
    /** Options that are switches, e.g. "--help". */
    switches: readonly string[];
    /** Whether positional arguments are allowed (policy's plan file). */
    positional?: boolean;
}

export interface ParsedArgs {
    options: Record<string, string>;
    switches: Set<string>;
    positional: string[];
}

export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
    const parsed: ParsedArgs = { options: {}, switches: new Set(), positional: [] };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        if (flag === "-h" || spec.switches.includes(flag)) {
            parsed.switches.add(flag === "-h" ? "--help" : flag);
        } else if (spec.withValue.includes(flag)) {
            const value = inline ?? argv[++i];
            if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) throw new UsageError(`${flag} needs a value`);
            if (flag in parsed.options) throw new UsageError(`${flag} given twice`);
            parsed.options[flag] = value;
        } else if (flag.startsWith("-")) {
            throw new UsageError(`unknown option ${flag}`);
        } else if (spec.positional) {
            parsed.positional.push(arg);
        } else {
            throw new UsageError(`unexpected argument ${arg}`);
        }
    }
    return parsed;
}

/** The stack a file stands for: Pulumi.<name>.yaml → name; any other file → its base name. */
export function stackNameFromFile(file: string): string {
    const base = path.basename(file);
    return /^Pulumi\.(.+)\.ya?ml$/.exec(base)?.[1] ?? base.replace(/\.ya?ml$/, "");
}

/** The stacks with a Pulumi.<name>.yaml in `dir`, sorted. */
export function stackFilesIn(dir: string): string[] {
    return fs.readdirSync(dir).map(f => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1]).filter((s): s is string => !!s).sort();
}

/** A path the user typed, resolved from where they stand. */
export const userPath = (io: Io, p: string) => path.resolve(io.cwd, p);

/** A path as the user should read it: relative to where they stand when that is shorter. */
export function shownPath(io: Io, absolute: string): string {
    const rel = path.relative(io.cwd, absolute);
    return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : absolute;
}

/** Fails early, before any long work, when `file` cannot be written. */
export function checkWritable(io: Io, flag: string, file: string): void {
    const target = userPath(io, file);
    const dir = path.dirname(target);
    if (!fs.existsSync(dir)) throw new UsageError(`${flag} ${file}: the directory ${shownPath(io, dir)} does not exist`);
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) throw new UsageError(`${flag} ${file}: is a directory; give a file name`);
    try {
        fs.accessSync(fs.existsSync(target) ? target : dir, fs.constants.W_OK);
    } catch {
        throw new UsageError(`${flag} ${file}: not writable (permission denied)`);
    }
}

/** Reads a JSON file the user named: unreadable → usage error; malformed → one line with the position. */
export function readJsonFile(io: Io, flag: string, file: string): { value?: unknown; problem?: string } {
    let text: string;
    try {
        text = fs.readFileSync(userPath(io, file), "utf8");
    } catch (e: any) {
        throw new UsageError(`${flag} ${file}: ${e.code === "ENOENT" ? "no such file" : e.code === "EISDIR" ? "is a directory" : e.message}`);
    }
    try {
        return { value: JSON.parse(text) };
    } catch (e) {
        return { problem: `${file}: not valid JSON: ${(e as Error).message}` };
    }
}

/** Runs a tool's body; a usage error becomes one line naming where help is, and exit code 2. */
export async function guarded(command: string, io: Io, body: () => Promise<number> | number): Promise<number> {
    try {
        return await body();
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        io.err(`${command}: ${e.message} (see ${command} -- --help)`);
        return EXIT.usage;
    }
}

/** Runs a tool's main from the command line and exits with its code; never prints a stack frame. */
export function run(main: (argv: string[], io: Io) => Promise<number> | number, command: string): void {
    const io = processIo();
    Promise.resolve()
        .then(() => main(process.argv.slice(2), io))
        .then(code => { process.exitCode = code; }, (e: unknown) => {
            io.err(`${command} failed: ${e instanceof Error ? e.message : String(e)}`);
            process.exitCode = EXIT.fail;
        });
}
