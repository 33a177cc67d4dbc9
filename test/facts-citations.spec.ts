import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../offline/harness";

// The facts the code cites travel with it: every `docs/facts/<file>.md §n` names a section that
// exists, every section names a public source (or says it is this project's design decision), and
// no comment or document points at notes a user who clones the repository does not have.

const FACTS_DIR = path.join(ROOT, "docs", "facts");
const SELF = path.relative(ROOT, __filename);
const SCANNED = /\.(ts|js|md|ya?ml|json|txt)$/;
const SKIPPED_DIRS = new Set(["node_modules", ".git"]);
const SKIPPED_FILES = new Set(["package-lock.json", SELF]);

/** Citations of notes outside the repository, as they were written before docs/facts existed. */
const OUTSIDE: [string, RegExp][] = [
    ["the old reference notes", /\b(kong-hybrid|aws|eks-konnect|scale-to-zero)-facts\b/],
    ["a bare `facts §n`", /(?<![\w/.-])facts §\d/],
    ["the design notes", /\bARCHITECTURE\.md|\bSTYLE\.md|\bBRIEF\b/],
    ["the seed files", /\bseed(?:'s\b|:? ["/]|:? ecs-)|\bthe seed\b|\bseeds?\/|ecs-fargate-aurora-architecture\.txt/i],
    ["a path outside the repository", /\.\.\/shared|\bshared\/(reference|seeds|design)|reference (notes|facts)\b/],
];

/**
 * Files that still cite outside notes until their citations are rewritten to docs/facts (their
 * owners are editing them in parallel). Emptied once they are rewritten: a file listed here that no
 * longer cites anything outside fails the test, so the list cannot go stale.
 */
const PENDING_REWRITE = new Set<string>([]);

function repositoryFiles(dir = ROOT): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : repositoryFiles(full);
        const rel = path.relative(ROOT, full).split(path.sep).join("/");
        return SCANNED.test(entry.name) && !SKIPPED_FILES.has(rel) ? [rel] : [];
    });
}

/** Numbered sections of a facts file: `## 3. Ports and readiness` → 3. */
function sectionsOf(file: string): Map<number, string> {
    const sections = new Map<number, string>();
    let current: number | undefined;
    for (const line of fs.readFileSync(path.join(FACTS_DIR, file), "utf8").split("\n")) {
        const heading = /^## (\d+)\. /.exec(line);
        if (heading) sections.set((current = Number(heading[1])), "");
        else if (current !== undefined) sections.set(current, sections.get(current) + line + "\n");
    }
    return sections;
}

const factFiles = fs.readdirSync(FACTS_DIR).filter(f => f.endsWith(".md") && f !== "README.md");
const numbered = factFiles.filter(f => sectionsOf(f).size > 0);

describe("facts the code cites", () => {
    const files = repositoryFiles();
    const text = new Map(files.map(f => [f, fs.readFileSync(path.join(ROOT, f), "utf8")]));

    it("every `docs/facts/<file> §n` names a file and a section that exist", () => {
        const broken: string[] = [];
        for (const [file, content] of text) {
            content.split("\n").forEach((line, i) => {
                for (const m of line.matchAll(/docs\/facts\/([\w-]+\.md) §(\d+)/g)) {
                    if (!factFiles.includes(m[1]) || !sectionsOf(m[1]).has(Number(m[2]))) broken.push(`${file}:${i + 1}: ${m[0]}`);
                }
            });
        }
        assert.deepStrictEqual(broken, []);
    });

    for (const file of numbered) {
        it(`docs/facts/${file}: sections are numbered 1..n and each names its source or says it is a design decision`, () => {
            const sections = sectionsOf(file);
            assert.deepStrictEqual([...sections.keys()], [...sections.keys()].map((_, i) => i + 1), "numbers are 1..n in order (never renumber: add at the end)");
            const unsourced = [...sections].filter(([, body]) => !/https:\/\/|\[(K|D|DK|CH|DE|GDR|IC|TF)\]|Design decision|docs\/facts\//.test(body)).map(([n]) => `§${n}`);
            assert.deepStrictEqual(unsourced, []);
        });
    }

    it("no comment or document points at notes outside the repository", () => {
        const outside: string[] = [];
        for (const [file, content] of text) {
            if (PENDING_REWRITE.has(file)) continue;
            content.split("\n").forEach((line, i) => {
                for (const [what, pattern] of OUTSIDE) if (pattern.test(line)) outside.push(`${file}:${i + 1} cites ${what}: ${line.trim()}`);
            });
        }
        assert.deepStrictEqual(outside, []);
    });

    it("the files awaiting the rewrite to docs/facts still need it (remove a file from PENDING_REWRITE once rewritten)", () => {
        const done = [...PENDING_REWRITE].filter(f => !text.has(f) || !OUTSIDE.some(([, p]) => p.test(text.get(f)!)));
        assert.deepStrictEqual(done, []);
    });
});
