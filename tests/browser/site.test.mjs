// The listener website in a real browser: Debian's chromium driven by
// playwright-core against the real `podcatalog serve` on 127.0.0.1:0 with
// the shipped catalogue (copied to a temporary folder).
//
// A listener's path: open the start page, search for a guest by part of
// the name without diacritics, filter by a theme (results update while one
// types, through /api/search), open the episode, check the player's
// source and the transcript, seek from the transcript, follow the person
// link. On every page type: axe-core (fails on serious or critical
// violations), html-validate (the HTML standard), no horizontal scrolling
// at 320 px, the page's HTML+CSS+JS under 50 kB, keyboard focus reaching
// the skip link first; screenshots at 375 and 1280 px in
// target/screenshots/.
//
// Usage (from scripts/test-browser.sh): node site.test.mjs BINARY REPO
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { HtmlValidate } from "html-validate";

const require = createRequire(import.meta.url);
const [binary, repo] = process.argv.slice(2);
if (!binary || !repo) throw new Error("usage: node site.test.mjs BINARY REPO");
const shots = join(repo, "target", "screenshots");
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let passed = 0;
let failed = 0;
const failures = [];
function check(ok, what) {
  if (ok) {
    passed++;
  } else {
    failed++;
    failures.push(what);
    console.error(`FAIL ${what}`);
  }
}

/// Starts the server in a copy of the shipped project; resolves to its base URL.
function startServer() {
  const dir = mkdtempSync(join(tmpdir(), "podcatalog-browser-"));
  for (const part of ["feed-config.toml", "episodes", "media"]) {
    cpSync(join(repo, part), join(dir, part), { recursive: true });
  }
  // The statistics page is private by default; this copy publishes it.
  const config = join(dir, "feed-config.toml");
  writeFileSync(config, readFileSync(config, "utf8") + "\n[stats]\npublic = true\n");
  const child = spawn(binary, ["serve", "--addr", "127.0.0.1:0"], {
    cwd: dir,
    stdio: ["ignore", "inherit", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 120_000);
    child.stderr.on("data", (d) => {
      err += d;
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ base: m[1], child, dir });
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}:\n${err}`)));
  });
}

const validator = new HtmlValidate({
  extends: ["html-validate:standard"],
});

/// Checks one page as it stands in the browser: axe, validation, layout, weight.
async function audit(page, base, name) {
  const url = page.url();
  // Keyboard, on a fresh load: the first Tab reaches the skip link, and it shows.
  await page.goto(url);
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return { cls: el.className, outline: style.outlineStyle, top: el.getBoundingClientRect().top };
  });
  check(focused.cls === "skip" && focused.outline !== "none" && focused.top >= 0, `${name}: Tab reaches a visible skip link`);

  // axe-core in the page (CSP forbids inline scripts, so evaluate it through CDP).
  await page.evaluate(axeSource);
  const axe = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
  const serious = axe.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of axe) console.log(`  axe ${name}: ${v.impact} ${v.id} ${v.nodes.slice(0, 3).join(", ")}`);
  check(serious.length === 0, `${name}: no serious or critical axe violations (${serious.map((v) => v.id).join(", ")})`);

  // The served HTML, validated.
  const res = await fetch(url);
  const html = await res.text();
  const report = await validator.validateString(html, `${name}.html`);
  for (const r of report.results) {
    for (const m of r.messages) console.log(`  html-validate ${name}: ${m.ruleId} ${m.message} (line ${m.line})`);
  }
  check(report.valid, `${name}: valid HTML`);

  // Weight: the HTML plus the stylesheet and script it links.
  const assets = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  let bytes = Buffer.byteLength(html);
  for (const a of assets) bytes += Buffer.byteLength(await (await fetch(new URL(a, base))).text());
  console.log(`  ${name}: ${bytes} bytes of HTML+CSS+JS`);
  check(bytes < 50_000, `${name}: HTML+CSS+JS ${bytes} < 50 kB`);

  // Screenshots (nothing focused), and no sideways scrolling from 320 px up.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  for (const width of [320, 375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `${name}: no horizontal scrolling at ${width} px (${overflow} px too wide)`);
    if (width !== 320) await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });

}

async function main() {
  const { base, child, dir } = await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const csp = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) csp.push(m.text());
    });
    page.on("response", (r) => {
      if (r.status() >= 400 && !r.url().endsWith("/avsnitt/finns-inte")) csp.push(`${r.status()} ${r.url()}`);
    });
    page.on("pageerror", (e) => csp.push(String(e)));

    // 1. The start page.
    await page.goto(base);
    check((await page.title()) === "Demokratiresan", "start page title");
    check((await page.locator("html").getAttribute("lang")) === "sv", "lang=sv");
    await audit(page, base, "start");

    // 2. Search for a guest by part of the name, without diacritics, from the start page.
    await page.getByLabel("Sök bland avsnitten").fill("oudi");
    await page.getByRole("button", { name: "Sök" }).click();
    await page.waitForURL(/\/sok\?q=oudi/);
    const first = page.locator("#results ol.cards li");
    check((await first.count()) === 1, "oudi finds one episode (Marie Oudin's)");
    check((await first.first().innerText()).includes("Internationellt ledarprogram för kvinnor"), "the hit is #85");
    check((await page.locator("#results mark").count()) > 0, "the match is highlighted");
    await audit(page, base, "search");

    // 3. Results update while typing, and a theme filter combines with the text.
    await page.getByLabel("Sök bland avsnitten").fill("munt");
    await page.waitForFunction(() => document.querySelectorAll("#results li.card").length === 2);
    check((await page.locator("#results li.card").count()) === 2, "typing `munt` updates to Nils Munthe's two episodes");
    check(page.url().includes("q=munt"), "the URL follows the typed query");
    await page.getByLabel("Tema").selectOption("jamstalldhet");
    await page.waitForFunction(() => document.querySelectorAll("#results li.card").length === 1);
    const hit = page.locator("#results li.card a").first();
    check((await hit.innerText()).includes("Internationellt ledarprogram"), "munt + Jämställdhet: #85 only");
    check(page.url().includes("theme=jamstalldhet"), "the URL carries the theme");
    // A query of punctuation gets a friendly message.
    await page.getByLabel("Sök bland avsnitten").fill('"*(');
    await page.waitForFunction(() => document.getElementById("search-status").textContent.includes("inga ord"));
    check(true, "a query without words gets a friendly message");
    await page.getByLabel("Sök bland avsnitten").fill("munt");
    await page.waitForFunction(() => document.querySelectorAll("#results li.card").length === 1);

    // 4. The episode: player source, download, transcript, seeking.
    await page.locator("#results li.card a").first().click();
    await page.waitForURL(/\/avsnitt\/85-internationellt-ledarprogram-for-kvinnor$/);
    const source = await page.locator("audio#player source").getAttribute("src");
    check(source === "/media/85-internationellt-ledarprogram-for-kvinnor.mp3", `player source ${source}`);
    check((await page.locator("audio#player").getAttribute("preload")) === "none", "preload=none");
    const audio = await fetch(new URL(source, base), { headers: { Range: "bytes=0-1" } });
    check(audio.status === 206 && audio.headers.get("content-type") === "audio/mpeg", "the audio is served");
    const transcript = await page.locator("ol.cues").innerText();
    check(transcript.includes("Det här är en kort ersättningsinspelning."), "the transcript is on the page");
    await page.locator("ol.cues a.time").nth(2).click();
    const at = await page.evaluate(() => document.getElementById("player").currentTime);
    check(at > 5 && at < 6, `a transcript time seeks the player (${at})`);
    check(page.url().endsWith("/avsnitt/85-internationellt-ledarprogram-for-kvinnor"), "seeking stays on the page");
    check((await page.locator('a[download]').count()) === 1, "download link");
    await audit(page, base, "episode");

    // 5. The person link.
    await page.getByRole("link", { name: "Marie Oudin" }).click();
    await page.waitForURL(/\/personer\/marie-oudin$/);
    check((await page.locator("h1").innerText()) === "Marie Oudin", "person page");
    check((await page.locator('a[href="/personer/marie-oudin/feed.xml"]').count()) === 1, "personal feed link");
    await audit(page, base, "person");

    // 6. The other page types.
    await page.goto(new URL("teman/jamstalldhet", base).href);
    check((await page.locator("h1").innerText()) === "Jämställdhet", "theme page");
    await audit(page, base, "theme");
    await page.goto(new URL("personer", base).href);
    await audit(page, base, "people");
    const missing = await page.goto(new URL("avsnitt/finns-inte", base).href);
    check(missing.status() === 404, "unknown episode: 404");
    await audit(page, base, "not-found");

    // 7. The listening statistics: one whole download by an app, counted
    // within the flush interval, then charts with their tables.
    const mp3 = new URL("media/86-kvinnofrid.mp3", base);
    await fetch(mp3, { headers: { "User-Agent": "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)" } }).then((r) => r.arrayBuffer());
    await new Promise((r) => setTimeout(r, 6000));
    await page.goto(new URL("statistik", base).href);
    check((await page.locator("h1").innerText()).startsWith("Lyssningsstatistik"), "statistics page");
    check((await page.locator("svg[role=img]").count()) === 5, "five charts");
    check((await page.locator("table").count()) === 6, "a table for every chart, and the launch table");
    check((await page.locator("#per-app + figure").innerText()).includes("Overcast"), "the download is attributed to Overcast");
    await audit(page, base, "statistik");

    check(csp.length === 0, `no script errors or CSP violations: ${csp.join(" | ")}`);
  } finally {
    await browser.close();
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  failed++;
  failures.push(String(e && e.stack ? e.stack : e));
  console.error(e);
}
console.log(`screenshots: ${shots}`);
if (failures.length) console.log(`failures:\n  ${failures.join("\n  ")}`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
